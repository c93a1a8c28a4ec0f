/**
 * A web action's request turned into its arguments, as OpenWhisk's WebActions.scala builds them: the context
 * (`__ow_method`, `__ow_headers`, `__ow_path`, `__ow_user` when authenticated), then query parameters, then the
 * body's (body wins). A JSON object or form body is merged; any other body arrives whole in `__ow_body` (a JSON
 * value as it is, text as a string, binary base64). A raw-http action gets `__ow_query` and `__ow_body` instead.
 */
import type { IncomingMessage } from 'node:http';
import { parseJsonBody, readBody } from './http';
import { isBinary, isJsonFamily, parseMediaType } from './web-media';

export const RESERVED = Object.freeze(['__ow_method', '__ow_headers', '__ow_path', '__ow_user', '__ow_query', '__ow_body']);

/** No body; fields to merge; or a value that travels as `__ow_body`. */
export type WebBody = { kind: 'none' } | { kind: 'fields'; fields: Record<string, unknown> } | { kind: 'value'; value: unknown };

export interface WebContext {
  method: string;
  /** Lower-cased names; Content-Length and Transfer-Encoding describe the entity and are not passed, as in Pekko. */
  headers: Record<string, string>;
  /** What follows the action segment, e.g. "/a/b", or "". */
  path: string;
  query: URLSearchParams;
  /** The query string as it came, for raw-http actions. */
  rawQuery: string;
  /** The authenticated namespace, when the request carried valid credentials. */
  user: string | undefined;
}

export async function readWebBody(req: IncomingMessage, raw: boolean, timeoutMs = 0): Promise<WebBody> {
  const bytes = await readBody(req, undefined, timeoutMs);
  if (bytes.length === 0) return { kind: 'none' };
  const media = parseMediaType(req.headers['content-type'] ?? 'application/octet-stream') ?? parseMediaType('application/octet-stream')!;
  if (!raw && isJsonFamily(media)) {
    const value = parseJsonBody(bytes.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? { kind: 'fields', fields: value as Record<string, unknown> } : { kind: 'value', value };
  }
  if (!raw && media.type === 'application/x-www-form-urlencoded') return { kind: 'fields', fields: Object.fromEntries(new URLSearchParams(bytes.toString('utf8'))) };
  // JSON stays base64 for raw actions: OpenWhisk keeps that for legacy reasons.
  if (isBinary(media) || media.type === 'application/json') return { kind: 'value', value: bytes.toString('base64') };
  return { kind: 'value', value: bytes.toString('utf8') };
}

/** The query and body keys a request sets (only these can collide with final or reserved parameters). */
export function requestKeys(context: WebContext, body: WebBody): string[] {
  return [...new Set([...context.query.keys(), ...(body.kind === 'fields' ? Object.keys(body.fields) : [])])];
}

export function webArguments(context: WebContext, body: WebBody, raw: boolean): Record<string, unknown> {
  const meta = {
    __ow_method: context.method.toLowerCase(),
    __ow_headers: context.headers,
    __ow_path: context.path,
    ...(context.user !== undefined ? { __ow_user: context.user } : {}),
  };
  // A raw action's body is never parsed, so it is a value or nothing.
  if (raw) return { ...meta, __ow_query: context.rawQuery, __ow_body: body.kind === 'value' ? body.value : '' };
  const query = Object.fromEntries(context.query);
  if (body.kind === 'fields') return { ...meta, ...query, ...body.fields };
  return { ...meta, ...query, ...(body.kind === 'value' ? { __ow_body: body.value } : {}) };
}
