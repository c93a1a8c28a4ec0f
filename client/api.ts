/**
 * The findme web API as its clients see it (the page, and `findme search`): register a search, read its status.
 * Every request has a timeout; failures become an ApiError with the HTTP status and a message for people.
 */
import type { CancelSearchResponse, ErrorBody, MySearchesResponse, PageConfig, RegisterSearchResponse, SearchStatusResponse, Source } from '../actions/lib/types';
import { ConfigError, parsePageConfig } from './config';

const REQUEST_TIMEOUT_MS = 15_000;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** 0 when the server could not be reached. */
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What to tell a person about a failed request: what happened and what to do, by status. Only a 400's words come
 * from the server (they say what to change); other answers carry detail for developers, which stays out.
 */
export function explain(status: number, serverMessage: string | undefined, what: 'search' | 'status'): string {
  if (status === 0) return "Can't reach findme right now. Check your connection and try again.";
  if (status === 400) return serverMessage ?? 'That request was not accepted.';
  if (status === 401) return 'Your session has expired. Log in again.';
  if (status === 404) {
    return what === 'status'
      ? 'Search not found: it may have expired (searches are kept for a day) or belong to someone else.'
      : 'findme was not found at the configured address; check apiBase in /config.json.';
  }
  if (status === 429) return 'findme is busy. Wait a minute and try again.';
  if (status >= 500) return 'findme is having trouble. Try again in a little while.';
  return `findme gave an unexpected answer. Try again in a little while.`;
}

/**
 * One request. `signal` is the caller's: once it aborts, the request is cancelled and its abort reason thrown
 * (not an ApiError, which callers would take for a failed request and retry).
 */
async function call<T>(url: string, init: RequestInit, what: 'search' | 'status', signal?: AbortSignal): Promise<T> {
  const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
  let response: Response;
  let body: unknown;
  try {
    response = await fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    body = (await response.json().catch(() => undefined)) as unknown;
  } catch {
    signal?.throwIfAborted();
    throw new ApiError(0, explain(0, undefined, what));
  }
  signal?.throwIfAborted();
  if (!response.ok) throw new ApiError(response.status, explain(response.status, (body as ErrorBody | undefined)?.error, what));
  return body as T;
}

/** How long the page waits for a server that answers config.json with 503 (still starting), asking once a second. */
export const CONFIG_STARTING_WAIT_MS = 30_000;

/**
 * config.json beside the page (or the CLI's --api URL); a wrong answer is a ConfigError, not an API error. A 503
 * is a server still starting (`findme start` serves the page before the API is up): asked again, within a bound.
 */
export async function loadPageConfig(base: string, waitMs = CONFIG_STARTING_WAIT_MS): Promise<PageConfig> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return parsePageConfig(await call<unknown>(new URL('config.json', base).href, {}, 'search'));
    } catch (error) {
      if (error instanceof ApiError && error.status === 503 && Date.now() + 1000 <= deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      // No answer at all is the network's fault; any other failure means there is no config at that address.
      if (error instanceof ApiError && error.status !== 0) throw new ConfigError(`fetching it answered HTTP ${error.status}`);
      throw error;
    }
  }
}

export class FindmeApi {
  constructor(
    readonly apiBase: string,
    private readonly token: () => Promise<string>,
  ) {}

  /** `sources` absent: every source the deployment has set up. */
  async register(hashtag: string, sources?: readonly Source[]): Promise<string> {
    const body = await call<RegisterSearchResponse>(
      `${this.apiBase}/register_search`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${await this.token()}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ hashtag, ...(sources ? { sources } : {}) }),
      },
      'search',
    );
    return body.jobId;
  }

  /** The user's own searches, newest first ("My searches"). */
  async searches(): Promise<MySearchesResponse> {
    return call<MySearchesResponse>(`${this.apiBase}/my_searches`, { headers: { authorization: `Bearer ${await this.token()}`, accept: 'application/json' } }, 'status');
  }

  /** Cancels one of the user's running searches; answers how it ended (cancelled, or already done). */
  async cancel(jobId: string): Promise<CancelSearchResponse> {
    return call<CancelSearchResponse>(
      `${this.apiBase}/my_searches`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${await this.token()}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ cancel: jobId }),
      },
      'status',
    );
  }

  /** `signal` cancels the request (a newer search replaced this one). */
  async status(jobId: string, after?: string, signal?: AbortSignal): Promise<SearchStatusResponse> {
    const query = new URLSearchParams({ jobId, ...(after ? { after } : {}) });
    const token = await this.token();
    signal?.throwIfAborted();
    return call<SearchStatusResponse>(`${this.apiBase}/search_status?${query}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, 'status', signal);
  }
}
