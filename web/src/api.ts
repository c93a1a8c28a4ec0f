/**
 * The findme web API as its clients see it (the page, and `findme search`): register a search, read its status.
 * Every request has a timeout; failures become an ApiError with the HTTP status and a message for people.
 */
import type { ErrorBody, PageConfig, RegisterSearchResponse, SearchStatusResponse } from '../../actions/lib/types';

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
 * What to tell a person about a failed request: what happened and what to do, by status, with the server's own
 * words where it sent some (a 400's are the whole message: they say what to change).
 */
export function explain(status: number, serverMessage: string | undefined, what: 'search' | 'status'): string {
  const said = serverMessage ? ` (findme said: ${serverMessage})` : '';
  if (status === 0) return "Can't reach findme right now. Check your connection and try again.";
  if (status === 400) return serverMessage ?? 'That request was not accepted.';
  if (status === 401) return `Your session has expired. Log in again.${said}`;
  if (status === 404) {
    return what === 'status'
      ? `Search not found: it may have expired (searches are kept for a day) or belong to someone else.${said}`
      : `findme was not found at the configured address; check apiBase in /config.json.${said}`;
  }
  if (status === 429) return `findme is busy. Wait a minute and try again.${said}`;
  if (status >= 500) return `findme is having trouble (HTTP ${status}). Try again in a little while.${said}`;
  return serverMessage ?? `Unexpected answer (HTTP ${status}).`;
}

async function call<T>(url: string, init: RequestInit, what: 'search' | 'status'): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch {
    throw new ApiError(0, explain(0, undefined, what));
  }
  const body = (await response.json().catch(() => undefined)) as unknown;
  if (!response.ok) throw new ApiError(response.status, explain(response.status, (body as ErrorBody | undefined)?.error, what));
  return body as T;
}

export async function loadPageConfig(base: string): Promise<PageConfig> {
  return call<PageConfig>(new URL('config.json', base).href, {}, 'search');
}

export class FindmeApi {
  constructor(
    readonly apiBase: string,
    private readonly token: () => Promise<string>,
  ) {}

  async register(hashtag: string): Promise<string> {
    const body = await call<RegisterSearchResponse>(
      `${this.apiBase}/register_search`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${await this.token()}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ hashtag }),
      },
      'search',
    );
    return body.jobId;
  }

  async status(jobId: string, after?: string): Promise<SearchStatusResponse> {
    const query = new URLSearchParams({ jobId, ...(after ? { after } : {}) });
    return call<SearchStatusResponse>(`${this.apiBase}/search_status?${query}`, { headers: { authorization: `Bearer ${await this.token()}`, accept: 'application/json' } }, 'status');
  }
}
