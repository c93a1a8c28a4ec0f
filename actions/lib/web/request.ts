/**
 * What a web action receives, as OpenWhisk passes it: `__ow_method`, lower-cased `__ow_headers`, `__ow_path`, and
 * the query and JSON body merged into the parameters. This is the one place that reads those fields.
 */
import { HttpError } from '../errors';
import type { Params } from '../config';
import { WireError } from '../types';

export interface WebRequest {
  method: string;
  headers: Record<string, string>;
  /** Parameters from the query and the JSON body (configuration parameters are not the caller's: see config.ts). */
  params: Params;
}

export function isWebRequest(params: Params): boolean {
  return typeof params.__ow_method === 'string';
}

export function readWebRequest(params: Params): WebRequest {
  if (!isWebRequest(params)) throw new HttpError(400, 'this action is a web action: call it over HTTP');
  const headers: Record<string, string> = {};
  const raw = params.__ow_headers;
  if (raw && typeof raw === 'object') {
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
      if (typeof value === 'string') headers[name.toLowerCase()] = value;
    }
  }
  return { method: String(params.__ow_method).toUpperCase(), headers, params };
}

/** The bearer token of the Authorization header, or undefined. */
export function bearerToken(request: WebRequest): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

export function requireMethod(request: WebRequest, method: string): void {
  if (request.method !== method) {
    throw new HttpError(405, `use ${method} for this action, not ${request.method}`, { allow: method });
  }
}

/**
 * The request's parameters through `parse`; a shape that does not parse is a 400 whose message is the parser's
 * (it names the field), as a sentence, or `asIs` when the parser's words are already meant for the caller (the
 * hashtag rule's, a source list's, a query's usage). Any other error passes as it is.
 */
export function parseRequest<T>(request: WebRequest, parse: (params: Params) => T, wording: 'sentence' | 'asIs' = 'sentence'): T {
  try {
    return parse(request.params);
  } catch (error) {
    if (!(error instanceof WireError)) throw error;
    throw new HttpError(400, wording === 'asIs' ? error.message : `${error.message[0]!.toUpperCase()}${error.message.slice(1)}.`);
  }
}
