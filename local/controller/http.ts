/**
 * The one place the controller writes HTTP responses and reads request bodies: OpenWhisk's error body
 * `{error, code}` (code: the request's transaction id), JSON compact for the REST API and pretty for web actions,
 * bodies refused past the 1 MB payload limit with OpenWhisk's 413, JSON bodies nested past spray-json's depth
 * limit with 400.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_PAYLOAD_BYTES, RequestError, TEXT } from '../errors';
import { prettyJson } from './json';

export interface SendOptions {
  headers?: Readonly<Record<string, string>>;
  pretty?: boolean;
}

export function transactionId(): string {
  return randomBytes(16).toString('hex');
}

export function sendJson(res: ServerResponse, status: number, body: unknown, options: SendOptions = {}): void {
  const text = body === undefined ? '' : options.pretty ? prettyJson(body) : JSON.stringify(body);
  for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, value);
  if (text) res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.writeHead(status);
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, message: string, options: SendOptions = {}): void {
  sendJson(res, status, { error: message, code: transactionId() }, options);
}

/**
 * The body, refused with 413 past the payload limit (announced by content-length, or once that much arrived), and
 * with 408 when it has not all arrived within `timeoutMs` (a client trickling half a body holds nothing longer).
 */
export function readBody(req: IncomingMessage, limit = MAX_PAYLOAD_BYTES, timeoutMs = 0): Promise<Buffer> {
  const announced = Number(req.headers['content-length']);
  if (Number.isFinite(announced) && announced > limit) {
    req.resume();
    return Promise.reject(new RequestError(413, TEXT.entityTooBig(announced)));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = timeoutMs > 0 ? setTimeout(() => reject(new RequestError(408, TEXT.bodyTimeout(timeoutMs), { connection: 'close' })), timeoutMs) : undefined;
    req.once('close', () => clearTimeout(timer));
    req.once('end', () => clearTimeout(timer));
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => (size > limit ? reject(new RequestError(413, TEXT.entityTooBig(size))) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

/**
 * spray-json's default `maxDepth`, which OpenWhisk's controller parses every JSON entity with. Past it Node's
 * JSON.parse still succeeds, but the invoker's JSON.stringify of the parameters overflows the stack (a
 * 100,000-level body did), so a request nested deeper is refused before anything runs.
 */
export const MAX_JSON_DEPTH = 1000;

/** Whether JSON text nests objects and arrays more than `limit` deep: one pass, brackets in strings skipped. */
function nestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** A request body's JSON: 400 with OpenWhisk's message when it is not JSON or is nested past MAX_JSON_DEPTH. */
export function parseJsonBody(text: string): unknown {
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new RequestError(400, TEXT.malformedBody(`JSON input nested too deeply:JSON input was nested more deeply than the configured limit of maxDepth = ${MAX_JSON_DEPTH}`));
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RequestError(400, TEXT.malformedBody(error instanceof Error ? error.message : 'the body is not JSON'));
  }
}

/** A JSON object body as the REST API takes it: undefined when empty, 400 when not an object. */
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const raw = await readBody(req);
  if (raw.length === 0) return undefined;
  const parsed = parseJsonBody(raw.toString('utf8'));
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new RequestError(400, TEXT.malformedBody('Object expected in field \'body\''));
  return parsed as Record<string, unknown>;
}
