/**
 * JSON over HTTP for the sources findme reads with plain fetch (Mastodon, Bluesky): every request has a timeout,
 * every body is read up to a bound (a page of posts is some hundred kB; anything far larger is not an API
 * answer), and an answer that is not JSON — an HTML error page, a login wall — is named as such, not parsed.
 */
import { readBounded } from '../bounded-body';
import { SourceError } from './source-error';

export const REQUEST_TIMEOUT_MS = 15_000;
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** A source's API could not be used: the message is for people (the source's note), the detail for the log. */
export class SourceHttpError extends SourceError {
  override readonly name = 'SourceHttpError';
  /** The HTTP status, when there was an answer. */
  readonly status?: number;
  readonly headers?: Headers;
  constructor(message: string, answer: { detail?: string; status?: number; headers?: Headers } = {}) {
    super(message, answer.detail);
    if (answer.status !== undefined) this.status = answer.status;
    if (answer.headers) this.headers = answer.headers;
  }
}

export interface JsonAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

async function boundedText(response: Response, maxBytes: number, what: string): Promise<string> {
  const tooLarge = () => new SourceHttpError(`${what} answered with far more than a page of posts`, { detail: `HTTP ${response.status}, more than ${Math.round(maxBytes / 1024)} kB`, status: response.status });
  return (await readBounded(response, maxBytes, tooLarge)).toString('utf8');
}

/**
 * GET or POST `url` and read its JSON. Any status is returned (the caller decides what a 401 or 429 means) as
 * long as the body is JSON; a body that is not is a SourceHttpError saying what came instead (its status in the detail).
 * `what` names the service in messages ("mastodon.social").
 */
export async function requestJson(url: string, what: string, init: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: unknown; timeoutMs?: number } = {}): Promise<JsonAnswer> {
  const timeoutMs = init.timeoutMs ?? REQUEST_TIMEOUT_MS;
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? 'GET',
      headers: { accept: 'application/json', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') throw new SourceHttpError(`${what} did not answer in time`, { detail: `no answer in ${timeoutMs} ms` });
    throw new SourceHttpError(`${what} could not be reached`, { detail: describeFetchError(error) });
  }
  const text = await boundedText(response, MAX_BODY_BYTES, what);
  const type = response.headers.get('content-type') ?? '';
  if (!/json/i.test(type) && !/^\s*[[{]/.test(text)) {
    const page = /html/i.test(type) || /^\s*</.test(text);
    throw new SourceHttpError(`${what} answered with ${page ? 'a web page' : 'something else'}, not with posts`, { detail: `HTTP ${response.status}, ${type || 'no content type'}, not JSON`, status: response.status, headers: response.headers });
  }
  try {
    return { status: response.status, headers: response.headers, body: JSON.parse(text) as unknown };
  } catch {
    throw new SourceHttpError(`${what} answered with data findme cannot read`, { detail: `HTTP ${response.status}, JSON that does not parse`, status: response.status, headers: response.headers });
  }
}

function describeFetchError(error: unknown): string {
  const cause = error instanceof Error ? (error as Error & { cause?: unknown }).cause : undefined;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** The `rel="next"` target of a Link header (RFC 8288), if any. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (match && /(?:^|;)\s*rel="?(?:[^";]*\s)?next(?:\s[^";]*)?"?\s*(?:;|$)/i.test(match[2]!)) return match[1];
  }
  return undefined;
}
