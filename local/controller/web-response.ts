/**
 * A web action's result rendered by the request's extension, as OpenWhisk's WebActions.scala transcodes it:
 * `.json` (an object or array, pretty-printed), `.html`/`.svg`/`.text` (a `body` or the extension's own field),
 * and `.http`: `{statusCode, headers, body}`, where a string body is text in its content type (text/html by
 * default) or base64 for a binary type, any other body JSON, and no body an empty response (204 by default).
 */
import type { ServerResponse } from 'node:http';
import { sendError, sendJson } from './http';
import { prettyJson } from './json';
import { decodeBase64Strict, isBinary, isJsonFamily, looksBase64, parseMediaType } from './web-media';

export const EXTENSIONS = ['.http', '.json', '.html', '.svg', '.text'] as const;
export type Extension = (typeof EXTENSIONS)[number];

export const WEB_MESSAGES = Object.freeze({
  propertyNotFound: 'Response does not include requested property.',
  invalidMedia: (type: string) => `Response is not valid '${type}'.`,
  httpUnknownContentType: 'Response did not specify a known content-type.',
  httpContentTypeError: 'Response type in header did not match generated content type.',
  errorProcessingRequest: 'There was an error processing your request.',
  responseNotReady: 'Response not yet ready.',
});

type Headers = Array<[string, string]>;

/** Web action errors are pretty-printed, as the controller prints them. */
export function webError(res: ServerResponse, status: number, message: string): void {
  sendError(res, status, message, { pretty: true });
}

class InvalidHttpResult extends Error {}

function headerPairs(value: unknown): Headers {
  if (value === undefined) return [];
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new InvalidHttpResult('Invalid header');
  const pairs: Headers = [];
  const add = (name: string, v: unknown): void => {
    if (Array.isArray(v)) v.forEach((item) => add(name, item));
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') pairs.push([name, String(v)]);
    else throw new InvalidHttpResult('Invalid header');
  };
  for (const [name, v] of Object.entries(value)) add(name, v);
  return pairs;
}

function statusOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const code = typeof value === 'number' ? value : typeof value === 'string' && /^[+-]?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(code) || code < 100 || code > 999) throw new InvalidHttpResult('Illegal status code');
  return code;
}

/** Writes the action's headers (its content type and entity headers excepted: the body decides those). */
function write(res: ServerResponse, status: number, headers: Headers, body?: Buffer | string, contentType?: string): void {
  const grouped = new Map<string, string[]>();
  for (const [name, value] of headers) {
    if (/^(content-type|content-length|transfer-encoding)$/i.test(name)) continue;
    grouped.set(name, [...(grouped.get(name) ?? []), value]);
  }
  for (const [name, values] of grouped) res.setHeader(name, values.length === 1 ? values[0]! : values);
  if (body !== undefined && contentType) res.setHeader('content-type', contentType);
  res.setHeader('content-length', body === undefined ? 0 : Buffer.byteLength(body));
  res.writeHead(status);
  res.end(body);
}

function httpText(res: ServerResponse, status: number, headers: Headers, text: string): void {
  const declared = headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  const media = parseMediaType(declared ?? 'text/html');
  if (!media) return webError(res, 400, WEB_MESSAGES.httpUnknownContentType);
  if (!isBinary(media)) {
    // Legacy: a JSON-family body that looks like base64 is decoded.
    if (isJsonFamily(media) && looksBase64(text)) {
      const bytes = decodeBase64Strict(text.trim());
      return bytes ? write(res, status, headers, bytes, media.raw) : webError(res, 400, WEB_MESSAGES.httpContentTypeError);
    }
    const fixedCharset = isJsonFamily(media) && media.charset === undefined;
    return write(res, status, headers, text, media.charset || fixedCharset ? media.raw : `${media.raw}; charset=UTF-8`);
  }
  const bytes = decodeBase64Strict(text);
  if (!bytes) return webError(res, 400, WEB_MESSAGES.httpContentTypeError);
  write(res, status, headers, bytes, media.raw);
}

function httpJson(res: ServerResponse, status: number, headers: Headers, value: unknown): void {
  const declared = headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  const media = parseMediaType(declared ?? 'application/json');
  if (!media) return webError(res, 400, WEB_MESSAGES.httpUnknownContentType);
  if (!isJsonFamily(media)) return webError(res, 400, WEB_MESSAGES.httpContentTypeError);
  write(res, status, headers, prettyJson(value), media.type === 'application/json' ? 'application/json' : `${media.type}; charset=UTF-8`);
}

function asHttp(res: ServerResponse, result: unknown): void {
  let headers: Headers;
  let status: number | undefined;
  const fields = result !== null && typeof result === 'object' && !Array.isArray(result) ? (result as Record<string, unknown>) : undefined;
  try {
    if (!fields) throw new InvalidHttpResult('not an object');
    headers = headerPairs(fields.headers);
    status = statusOf(fields.statusCode);
  } catch {
    return webError(res, 400, WEB_MESSAGES.invalidMedia('message/http'));
  }
  const body = fields.body;
  if (body === undefined || body === null || body === '') return write(res, status ?? 204, headers);
  if (typeof body === 'string') return httpText(res, status ?? 200, headers, body);
  httpJson(res, status ?? 200, headers, body);
}

/** `fields.a ?? fields.b` by presence, as a JSON lookup reads it: a present null is a value. */
function field(result: unknown, ...names: string[]): { found: boolean; value: unknown } {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return { found: true, value: result };
  for (const name of names) if (Object.hasOwn(result, name)) return { found: true, value: (result as Record<string, unknown>)[name] };
  return { found: false, value: undefined };
}

export function render(res: ServerResponse, extension: Extension, result: unknown): void {
  switch (extension) {
    case '.http':
      return asHttp(res, result);
    case '.json':
      if (result !== null && typeof result === 'object') return sendJson(res, 200, result, { pretty: true });
      return webError(res, 400, WEB_MESSAGES.invalidMedia('application/json'));
    case '.html': {
      const { value } = field(result, 'body', 'html');
      if (typeof value === 'string') return write(res, 200, [], value, 'text/html; charset=UTF-8');
      return webError(res, 400, WEB_MESSAGES.invalidMedia('text/html'));
    }
    case '.svg': {
      const { value } = field(result, 'body', 'svg');
      if (typeof value === 'string') return write(res, 200, [], value, 'image/svg+xml');
      return webError(res, 400, WEB_MESSAGES.invalidMedia('image/svg+xml'));
    }
    case '.text': {
      const { found, value } = field(result, 'body', 'text');
      if (!found) return webError(res, 404, WEB_MESSAGES.propertyNotFound);
      return write(res, 200, [], value !== null && typeof value === 'object' ? prettyJson(value) : typeof value === 'string' ? value : String(value), 'text/plain; charset=UTF-8');
    }
  }
}
