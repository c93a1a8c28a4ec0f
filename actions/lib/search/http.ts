/**
 * JSON over HTTP for the sources findme reads with plain fetch (Mastodon, Bluesky): every request has a timeout,
 * every body is read up to a bound (a page of posts is some hundred kB; anything far larger is not an API
 * answer), and an answer that is not JSON — an HTML error page, a login wall — is named as such, not parsed.
 */
import { readBounded } from '../bounded-body';

export const REQUEST_TIMEOUT_MS = 15_000;
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** A source's API could not be used; the message is for people (it becomes the source's note). */
export class SourceHttpError extends Error {
  override readonly name = 'SourceHttpError';
  constructor(
    message: string,
    /** The HTTP status, when there was an answer. */
    readonly status?: number,
    readonly headers?: Headers,
  ) {
    super(message);
  }
}

export interface JsonAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

async function boundedText(response: Response, maxBytes: number, what: string): Promise<string> {
  const tooLarge = () => new SourceHttpError(`${what} answered more than ${Math.round(maxBytes / 1024)} kB: not an API answer`, response.status);
  return (await readBounded(response, maxBytes, tooLarge)).toString('utf8');
}

/**
 * GET or POST `url` and read its JSON. Any status is returned (the caller decides what a 401 or 429 means) as
 * long as the body is JSON; a body that is not is a SourceHttpError naming the status and what came instead.
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
    const cause = error instanceof Error && error.name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : describeFetchError(error);
    throw new SourceHttpError(`${what} could not be reached: ${cause}`);
  }
  const text = await boundedText(response, MAX_BODY_BYTES, what);
  const type = response.headers.get('content-type') ?? '';
  if (!/json/i.test(type) && !/^\s*[[{]/.test(text)) {
    const kind = /html/i.test(type) || /^\s*</.test(text) ? 'an HTML page' : `${type || 'no content type'}`;
    throw new SourceHttpError(`${what} answered ${response.status} with ${kind}, not JSON`, response.status, response.headers);
  }
  try {
    return { status: response.status, headers: response.headers, body: JSON.parse(text) as unknown };
  } catch {
    throw new SourceHttpError(`${what} answered ${response.status} with JSON that does not parse`, response.status, response.headers);
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
