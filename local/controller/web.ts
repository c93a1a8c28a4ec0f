/**
 * Web actions at /api/v1/web/<namespace>/<package>/<action>[.http|.json|.html|.svg|.text][/<path>], as
 * OpenWhisk's WebActions.scala serves them: request context in `__ow_*` parameters, query and JSON or form body
 * merged over the action's (final) parameters, results rendered by the extension, application errors projected
 * from the result's `error`, CORS unless the action handles OPTIONS itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActivationRecord } from '../activations';
import type { PlatformCore } from '../platform-core';
import { readBody, RejectRequest, sendError, sendJson, TEXT } from './http';
import { MAX_BLOCKING_WAIT_MS } from './rest';

const EXTENSIONS = ['.http', '.json', '.html', '.svg', '.text'] as const;
type Extension = (typeof EXTENSIONS)[number];
const RESERVED = ['__ow_method', '__ow_headers', '__ow_path', '__ow_user', '__ow_query', '__ow_body'];
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'OPTIONS, GET, DELETE, POST, PUT, HEAD, PATCH',
};
const DEFAULT_ALLOW_HEADERS = 'Authorization, Origin, X-Requested-With, Content-Type, Accept, User-Agent';
const MESSAGES = {
  parametersNotAllowed: 'Request defines parameters that are not allowed (e.g., reserved properties).',
  errorProcessingRequest: 'There was an error processing your request.',
  responseNotReady: 'Response not yet ready.',
  propertyNotFound: 'Response does not include requested property.',
  invalidMedia: (type: string) => `Response is not valid '${type}'.`,
  httpContentTypeError: 'Content-Type header is not valid or is not supported.',
};

function splitExtension(segment: string): [string, Extension] {
  const ext = EXTENSIONS.find((e) => segment.endsWith(e));
  return ext ? [segment.slice(0, -ext.length), ext] : [segment, '.http'];
}

function isBinaryType(type: string): boolean {
  const t = type.split(';')[0]!.trim().toLowerCase();
  if (t.startsWith('text/') || t === 'application/json' || t.endsWith('+json') || t.endsWith('+xml') || t === 'application/xml' || t === 'application/javascript' || t === 'image/svg+xml' || t === 'application/x-www-form-urlencoded') return false;
  return true;
}

/** A JSON object or form body becomes parameters; anything else is opaque (`__ow_body`). */
interface RequestBody {
  fields?: Record<string, unknown>;
  opaque?: string;
}

async function requestBody(req: IncomingMessage): Promise<RequestBody> {
  const raw = await readBody(req);
  if (raw.length === 0) return {};
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new RejectRequest(400, 'The request content was malformed:\nthe body is not valid JSON');
    }
    // Any JSON value but an object arrives base64 in __ow_body, as OpenWhisk does for legacy reasons.
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? { fields: parsed as Record<string, unknown> } : { opaque: raw.toString('base64') };
  }
  if (type === 'application/x-www-form-urlencoded') return { fields: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))) };
  return { opaque: isBinaryType(type || 'application/octet-stream') ? raw.toString('base64') : raw.toString('utf8') };
}

function headerPairs(headers: unknown): Array<[string, string]> {
  if (headers === undefined) return [];
  if (!headers || typeof headers !== 'object' || Array.isArray(headers)) throw new Error('Invalid header');
  const pairs: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(headers)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new Error('Invalid header');
      pairs.push([key, String(v)]);
    }
  }
  return pairs;
}

function write(res: ServerResponse, status: number, headers: Array<[string, string]>, body?: Buffer | string, contentType?: string): void {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of headers) {
    if (k.toLowerCase() === 'content-type') continue;
    const key = k.toLowerCase();
    const existing = out[key];
    out[key] = existing === undefined ? v : Array.isArray(existing) ? [...existing, v] : [existing, v];
  }
  if (body !== undefined && contentType) out['content-type'] = contentType;
  for (const [k, v] of Object.entries(out)) res.setHeader(k, v);
  res.writeHead(status);
  res.end(body);
}

function asHttp(res: ServerResponse, result: unknown): void {
  if (!result || typeof result !== 'object' || Array.isArray(result)) return sendError(res, 400, MESSAGES.invalidMedia('message/http'));
  const fields = result as Record<string, unknown>;
  let headers: Array<[string, string]>;
  let code: number | undefined;
  try {
    headers = headerPairs(fields.headers);
    if (fields.statusCode !== undefined) {
      code = typeof fields.statusCode === 'string' ? Number.parseInt(fields.statusCode, 10) : (fields.statusCode as number);
      if (!Number.isInteger(code) || code! < 100 || code! > 599) throw new Error('Illegal status code');
    }
  } catch {
    return sendError(res, 400, MESSAGES.invalidMedia('message/http'));
  }
  const body = fields.body;
  const declared = headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  if (body === undefined || body === null || body === '') return write(res, code ?? 204, headers);
  if (typeof body === 'string') {
    const type = declared ?? 'text/html';
    if (isBinaryType(type)) {
      const bytes = Buffer.from(body, 'base64');
      if (bytes.toString('base64').replace(/=+$/, '') !== body.replace(/\s/g, '').replace(/=+$/, '')) return sendError(res, 400, MESSAGES.httpContentTypeError);
      return write(res, code ?? 200, headers, bytes, type);
    }
    return write(res, code ?? 200, headers, body, /charset=/i.test(type) ? type : `${type}; charset=UTF-8`);
  }
  const type = declared ?? 'application/json';
  const base = type.split(';')[0]!.trim().toLowerCase();
  if (base !== 'application/json' && !base.endsWith('+json')) return sendError(res, 400, MESSAGES.httpContentTypeError);
  write(res, code ?? 200, headers, JSON.stringify(body), base === 'application/json' ? 'application/json' : `${base}; charset=UTF-8`);
}

function render(res: ServerResponse, extension: Extension, result: unknown): void {
  const fields = result && typeof result === 'object' && !Array.isArray(result) ? (result as Record<string, unknown>) : undefined;
  switch (extension) {
    case '.http':
      return asHttp(res, result);
    case '.json':
      if (result && typeof result === 'object') return sendJson(res, 200, result);
      return sendError(res, 400, MESSAGES.invalidMedia('application/json'));
    case '.html': {
      const html = fields ? (fields.body ?? fields.html) : result;
      if (typeof html === 'string') return write(res, 200, [], html, 'text/html; charset=UTF-8');
      return sendError(res, 400, MESSAGES.invalidMedia('text/html'));
    }
    case '.svg': {
      const svg = fields ? (fields.body ?? fields.svg) : result;
      if (typeof svg === 'string') return write(res, 200, [], svg, 'image/svg+xml');
      return sendError(res, 400, MESSAGES.invalidMedia('image/svg+xml'));
    }
    case '.text': {
      const text = fields ? (fields.body ?? fields.text) : result;
      if (text === undefined) return sendError(res, 404, MESSAGES.propertyNotFound);
      return write(res, 200, [], typeof text === 'string' ? text : JSON.stringify(text, null, 2), 'text/plain; charset=UTF-8');
    }
  }
}

function respond(res: ServerResponse, extension: Extension, record: ActivationRecord): void {
  res.setHeader('x-openwhisk-activation-id', record.activationId);
  if (record.statusCode === 0) return render(res, extension, record.response.result);
  if (record.statusCode === 1) {
    const error = (record.response.result as { error?: unknown } | undefined)?.error;
    if (error === undefined) return sendError(res, 404, MESSAGES.propertyNotFound);
    return render(res, extension, error);
  }
  sendError(res, 400, MESSAGES.errorProcessingRequest);
}

/** Handles `/api/v1/web/…`; `segments` start after "web". */
export async function handleWebRequest(core: PlatformCore, segments: string[], url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const [namespace, pkg, actionSegment, ...pathRest] = segments;
  if (!namespace || !pkg || !actionSegment || (namespace !== core.namespace && namespace !== '_')) throw new RejectRequest(404, TEXT.notFound);
  const [actionName, extension] = splitExtension(decodeURIComponent(actionSegment));
  const action = core.actions.get(pkg === 'default' ? actionName : `${pkg}/${actionName}`);
  if (!action || (action.annotations['web-export'] !== true && action.annotations['web-export'] !== 'true')) throw new RejectRequest(404, TEXT.notFound);
  const customOptions = action.annotations['web-custom-options'] === true;
  if (!customOptions) {
    for (const [k, v] of Object.entries(CORS)) res.setHeader(k, v);
    res.setHeader('access-control-allow-headers', req.headers['access-control-request-headers'] ?? DEFAULT_ALLOW_HEADERS);
    if (req.method === 'OPTIONS') return write(res, 200, []);
  }
  const raw = action.annotations['raw-http'] === true;
  const body = raw ? { opaque: (await readBody(req)).toString('base64') } : await requestBody(req);
  const query = Object.fromEntries(url.searchParams);
  const requestKeys = [...Object.keys(query), ...Object.keys(body.fields ?? {})];
  const immutable = action.annotations.final === true ? Object.entries(core.baseParameters(action)).filter(([, v]) => v !== null && v !== undefined).map(([k]) => k) : [];
  if (!raw && requestKeys.some((k) => RESERVED.includes(k) || immutable.includes(k))) throw new RejectRequest(400, MESSAGES.parametersNotAllowed);
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(', ') : (v ?? '')]));
  const context = { __ow_method: (req.method ?? 'GET').toLowerCase(), __ow_headers: headers, __ow_path: pathRest.length ? `/${pathRest.join('/')}` : '' };
  const params = raw
    ? { ...context, __ow_query: url.search.replace(/^\?/, ''), __ow_body: body.opaque ?? '' }
    : { ...context, ...query, ...body.fields, ...(body.opaque !== undefined ? { __ow_body: body.opaque } : {}) };
  const started = core.start(action, params);
  let timer: NodeJS.Timeout | undefined;
  const record = await Promise.race([started.done, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), MAX_BLOCKING_WAIT_MS)))]);
  clearTimeout(timer);
  if (!record) {
    res.setHeader('x-openwhisk-activation-id', started.activationId);
    return sendError(res, 202, MESSAGES.responseNotReady);
  }
  respond(res, extension, record);
}
