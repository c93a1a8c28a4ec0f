/**
 * The findme web API as its clients see it (the page, and `findme search`): register a search, read its status.
 * Every request has a timeout; failures become an ApiError with the HTTP status and a message for people.
 */
import {
  parseCancelSearchResponse,
  parseErrorBody,
  parseMySearchesResponse,
  parsePageConfig,
  parseReferencesResponse,
  parseRegisterSearchResponse,
  parseReviewMatchResponse,
  parseSearchStatusResponse,
  WireError,
  type CancelSearchResponse,
  type MySearchesResponse,
  type PageConfig,
  type ReferencesResponse,
  type ReviewDecision,
  type ReviewMatchResponse,
  type SearchStatusQuery,
  type SearchStatusResponse,
  type Source,
} from '../actions/lib/types';
import { ConfigError } from './config';

/** How long a request waits for its answer, by what it is for. */
export interface RequestTimeouts {
  /** Searches, status, reviews: answered from Redis. */
  requestMs: number;
  /**
   * Reading and adding reference faces: the references action waits up to 40 s for reference_face
   * (`referenceInvokeTimeoutMs`), whose first run in a cold container loads the face models; the page must
   * outwait it, or it gives up on an answer the server is still working out.
   */
  facesMs: number;
}

export const REQUEST_TIMEOUTS: RequestTimeouts = { requestMs: 15_000, facesMs: 55_000 };
/** The probe after a failed request (see `hostAnswers`): short, it only decides which message to show. */
const PROBE_TIMEOUT_MS = 5_000;

/**
 * OpenWhisk answers a wrong namespace or action (404), throttling (429) and an oversized request (413) before its
 * web layer adds CORS headers, so a browser sees only a network error: this says so instead of "Can't reach".
 */
export const REFUSED_WITHOUT_CORS =
  'The platform findme runs on refused the request (throttled, too large, or not found) in a way the page cannot read. Try again in a minute; if it keeps happening, see "CORS-less errors" in findme\'s README.';

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

/** A failure a later try may not meet: no answer, throttled, or the platform busy or starting. */
export function isTransient(error: unknown): boolean {
  return error instanceof ApiError && [0, 429, 502, 503, 504].includes(error.status);
}

/**
 * What to tell a person about a failed request: what happened and what to do, by status. Only a 400's words come
 * from the server (they say what to change); other answers carry detail for developers, which stays out.
 */
export function explain(status: number, serverMessage: string | undefined, what: Purpose): string {
  if (status === 0) return "Can't reach findme right now. Check your connection and try again.";
  if (status === 400) return serverMessage ?? 'That request was not accepted.';
  // References and reviews answer every refusal in words for people (what the photo holds, the limit reached).
  if (what === 'faces' && serverMessage && status >= 400 && status < 500 && status !== 401 && status !== 429) return serverMessage;
  if (status === 413) return 'That photo is too large to send: use one of at most 1 MB.';
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
 * After a request failed with no response, in a browser: whether the API's host answers at all. A `no-cors` GET
 * of its root needs no CORS headers and resolves with an opaque response whenever any HTTP answer came back, so
 * the host is up and the failure was an answer the page may not read. Outside a browser (`findme search`) there
 * is no CORS, a failed request is the network's, and nothing is probed.
 */
async function hostAnswers(url: string, signal?: AbortSignal): Promise<boolean> {
  if (!('document' in globalThis)) return false;
  const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  try {
    const probe = await fetch(new URL('/', url).href, { mode: 'no-cors', credentials: 'omit', signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    return probe.type === 'opaque' || probe.status > 0;
  } catch {
    return false;
  }
}

/** What a request is for: how its failures are explained. */
type Purpose = 'search' | 'status' | 'faces';

/**
 * One request, its answer through `parse` (types.ts: an answer of another shape is a WireError naming the action
 * and the field). `signal` is the caller's: once it aborts, the request is cancelled and its abort reason thrown
 * (not an ApiError, which callers would take for a failed request and retry). A request that got no readable
 * answer is an ApiError 0 either way (callers retry it: a throttled request may pass later); its message says
 * whether the host could not be reached or answered in a way the page cannot read.
 */
async function call<T>(url: string, init: RequestInit, what: Purpose, parse: (body: unknown) => T, { signal, timeoutMs = REQUEST_TIMEOUTS.requestMs }: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<T> {
  const timeout = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let body: unknown;
  try {
    response = await fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    body = (await response.json().catch(() => undefined)) as unknown;
  } catch {
    signal?.throwIfAborted();
    // A request that ran out of time got no answer: only a quick refusal is worth telling apart.
    if (!timeout.aborted && (await hostAnswers(url, signal))) throw new ApiError(0, REFUSED_WITHOUT_CORS);
    signal?.throwIfAborted();
    throw new ApiError(0, explain(0, undefined, what));
  }
  signal?.throwIfAborted();
  if (!response.ok) throw new ApiError(response.status, explain(response.status, parseErrorBody(body)?.error, what));
  return parse(body);
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
      return await call(new URL('config.json', base).href, {}, 'search', parsePageConfig);
    } catch (error) {
      if (error instanceof WireError) throw new ConfigError(error.message);
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
    private readonly timeouts: RequestTimeouts = REQUEST_TIMEOUTS,
  ) {}

  /** `sources` absent: every source the deployment has set up. */
  async register(hashtag: string, sources?: readonly Source[]): Promise<string> {
    const body = await call(
      `${this.apiBase}/register_search`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${await this.token()}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ hashtag, ...(sources ? { sources } : {}) }),
      },
      'search',
      parseRegisterSearchResponse,
      { timeoutMs: this.timeouts.requestMs },
    );
    return body.jobId;
  }

  /** The user's own searches, newest first ("My searches"). */
  async searches(): Promise<MySearchesResponse> {
    return call(`${this.apiBase}/my_searches`, { headers: { authorization: `Bearer ${await this.token()}`, accept: 'application/json' } }, 'status', parseMySearchesResponse, { timeoutMs: this.timeouts.requestMs });
  }

  /** Cancels one of the user's running searches; answers how it ended (cancelled, or already done). */
  async cancel(jobId: string): Promise<CancelSearchResponse> {
    return call(
      `${this.apiBase}/my_searches`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${await this.token()}`, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ cancel: jobId }),
      },
      'status',
      parseCancelSearchResponse,
      { timeoutMs: this.timeouts.requestMs },
    );
  }

  /** `facesMs` for a request that may wait for the face engine, `requestMs` for the rest. */
  private async send<T>(action: string, method: string, body: unknown, parse: (body: unknown) => T, timeoutMs: number): Promise<T> {
    const headers = { authorization: `Bearer ${await this.token()}`, 'content-type': 'application/json', accept: 'application/json' };
    return call(`${this.apiBase}/${action}`, { method, headers, body: JSON.stringify(body) }, 'faces', parse, { timeoutMs });
  }

  /** The user's reference faces ("Your face"). */
  async references(): Promise<ReferencesResponse> {
    const headers = { authorization: `Bearer ${await this.token()}`, accept: 'application/json' };
    return call(`${this.apiBase}/references`, { headers }, 'faces', parseReferencesResponse, { timeoutMs: this.timeouts.facesMs });
  }

  /** Adds the one face of a photo (base64 JPEG, ≤ 1 MB). */
  addReference(image: string): Promise<ReferencesResponse> {
    return this.send('references', 'POST', { image }, parseReferencesResponse, this.timeouts.facesMs);
  }

  /** Adds the face of a match the user confirmed (its descriptor is on the server already). */
  addReferenceFromMatch(jobId: string, imageUrl: string): Promise<ReferencesResponse> {
    return this.send('references', 'POST', { fromMatch: { jobId, imageUrl } }, parseReferencesResponse, this.timeouts.facesMs);
  }

  deleteReference(id: string): Promise<ReferencesResponse> {
    return this.send('references', 'DELETE', { id }, parseReferencesResponse, this.timeouts.requestMs);
  }

  /** "That's me" / "Not me" on one photo of a search. */
  review(jobId: string, imageUrl: string, decision: ReviewDecision): Promise<ReviewMatchResponse> {
    return this.send('review_match', 'POST', { jobId, imageUrl, decision }, parseReviewMatchResponse, this.timeouts.requestMs);
  }

  /** `signal` cancels the request (a newer search replaced this one). */
  async status(jobId: string, after?: string, signal?: AbortSignal): Promise<SearchStatusResponse> {
    const query = new URLSearchParams({ jobId, ...(after ? { after } : {}) } satisfies SearchStatusQuery);
    const token = await this.token();
    signal?.throwIfAborted();
    return call(`${this.apiBase}/search_status?${query}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, 'status', parseSearchStatusResponse, { signal, timeoutMs: this.timeouts.requestMs });
  }
}
