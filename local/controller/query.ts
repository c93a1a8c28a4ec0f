/**
 * Query parameters of the REST API read as OpenWhisk reads them (Pekko's unmarshallers and RestApiCommons), with
 * its messages for malformed values: booleans, list limits (0 = the maximum, 200), skips, epoch times, the
 * blocking wait `timeout`, and the `name` filter of activation lists.
 */
import { RequestError, TEXT } from '../errors';

export const MAX_LIST_LIMIT = 200;
export const DEFAULT_LIST_LIMIT = 30;

const malformed = (name: string, why: string) => new RequestError(400, TEXT.malformedQuery(name, why));

export function booleanParam(url: URL, name: string, fallback = false): boolean {
  const text = url.searchParams.get(name);
  if (text === null) return fallback;
  const value = text.toLowerCase();
  if (['true', 'yes', 'on', '1'].includes(value)) return true;
  if (['false', 'no', 'off', '0'].includes(value)) return false;
  throw malformed(name, `'${text}' is not a valid Boolean value`);
}

function integer(url: URL, name: string, collection: string): number | undefined {
  const text = url.searchParams.get(name);
  if (text === null) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n)) throw malformed(name, `The value '${text}' is not an integer for ${collection}.`);
  return n;
}

export function listLimit(url: URL, collection: string): number {
  const n = integer(url, 'limit', collection);
  if (n === undefined) return DEFAULT_LIST_LIMIT;
  if (n === 0) return MAX_LIST_LIMIT;
  if (n < 0 || n > MAX_LIST_LIMIT) throw malformed('limit', `The value '${n}' is not in the range of 0 to ${MAX_LIST_LIMIT} for ${collection}.`);
  return n;
}

export function listSkip(url: URL, collection: string): number {
  const n = integer(url, 'skip', collection) ?? 0;
  if (n < 0) throw malformed('skip', `The value '${n}' is not greater than or equal to 0 for ${collection}.`);
  return n;
}

export function epochParam(url: URL, name: string): number | undefined {
  const text = url.searchParams.get(name);
  if (text === null) return undefined;
  if (!/^-?\d+$/.test(text)) throw malformed(name, `Parameter is not a valid value for epoch seconds: ${text}`);
  return Number(text);
}

/** How long a blocking invoke may wait: 1 ms up to the controller's maximum. */
export function blockingWait(url: URL, maxMs: number): number {
  const text = url.searchParams.get('timeout');
  if (text === null) return maxMs;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n <= 0 || n > maxMs) throw malformed('timeout', `Timeout must be number of milliseconds up to ${maxMs}.`);
  return n;
}

/** `name` or `package/name`; empty means no filter. */
export function nameFilter(url: URL): string | undefined {
  const text = url.searchParams.get('name');
  if (text === null || text.trim() === '') return undefined;
  const segments = text.replace(/^\//, '').split('/');
  if (segments.length > 2 || segments.some((s) => !/^[\w@.-]+$/.test(s))) throw malformed('name', `Parameter may be a 'simple' name or 'package-name/simple' name: ${text}`);
  return segments.join('/');
}
