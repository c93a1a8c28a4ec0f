/**
 * Follows a search until it ends: polls its status with the cursor, hands over each new match as it arrives,
 * and backs off while nothing changes. Shared by the page and `findme search`.
 */
import { isTerminal, type MatchView, type SearchStatusResponse } from '../actions/lib/types';
import { ApiError, type FindmeApi } from './api';

export interface Backoff {
  minMs: number;
  maxMs: number;
  factor: number;
}

/**
 * Once a second at most: every poll is an activation, and OpenWhisk allows a namespace 120 a minute by default,
 * shared with the actions the search itself runs.
 */
export const DEFAULT_BACKOFF: Backoff = { minMs: 1000, maxMs: 5000, factor: 1.6 };

/** Consecutive polls that may fail for passing reasons (429, 5xx, no network) before following gives up. */
export const MAX_TRANSIENT_FAILURES = 8;

function isTransient(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status === 429 || error.status >= 500);
}

/** The next wait: back to the minimum when something changed, else longer, up to the maximum. */
export function nextInterval(previousMs: number, changed: boolean, backoff: Backoff = DEFAULT_BACKOFF): number {
  return changed ? backoff.minMs : Math.min(backoff.maxMs, Math.round(previousMs * backoff.factor));
}

export function progressOf(status: Pick<SearchStatusResponse, 'processed' | 'failed' | 'total' | 'status'>): number {
  if (status.status === 'done') return 100;
  return status.total > 0 ? Math.min(100, Math.floor(((status.processed + status.failed) / status.total) * 100)) : 0;
}

/** Following gave up at its deadline; the search itself may still be running. */
export class FollowTimeoutError extends Error {
  override readonly name = 'FollowTimeoutError';
  constructor(
    readonly timeoutMs: number,
    /** The last status seen, if any answer came. */
    readonly last: SearchStatusResponse | undefined,
    /** The matches collected so far, newest first. */
    readonly matches: MatchView[],
  ) {
    super(`the search did not finish within ${Math.round(timeoutMs / 1000)} s`);
  }
}

/** A wait that ends early (without an error) when `signal` aborts; callers check the signal afterwards. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface FollowOptions {
  onStatus?: (status: SearchStatusResponse) => void;
  /** Called for each new match, oldest first. */
  onMatch?: (match: MatchView) => void;
  backoff?: Backoff;
  /** Give up after this long, with a FollowTimeoutError. */
  timeoutMs?: number;
  /** Stops following: the request in flight is cancelled and no callback runs after the abort. */
  signal?: AbortSignal;
}

export interface FollowResult {
  final: SearchStatusResponse;
  /** Every match, newest first. */
  matches: MatchView[];
}

/** The status API as following needs it (the page's and the CLI's FindmeApi, or a test's stand-in). */
export type StatusApi = Pick<FindmeApi, 'status'>;

export async function followSearch(api: StatusApi, jobId: string, options: FollowOptions = {}): Promise<FollowResult> {
  const { signal } = options;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const deadline = Date.now() + timeoutMs;
  const matches: MatchView[] = [];
  let lastStatus: SearchStatusResponse | undefined;
  let cursor: string | undefined;
  let interval = backoff.minMs;
  let last = '';
  let failures = 0;
  // Checked after every await: an answer that arrives after the abort belongs to a search nobody watches any more.
  const stopIfAborted = () => {
    if (signal?.aborted) throw new Error('stopped following the search');
  };
  const wait = async () => {
    if (Date.now() + interval > deadline) throw new FollowTimeoutError(timeoutMs, lastStatus, [...matches]);
    await sleep(interval, signal);
    stopIfAborted();
  };
  for (;;) {
    stopIfAborted();
    let status: SearchStatusResponse;
    try {
      status = await api.status(jobId, cursor, signal);
      failures = 0;
    } catch (error) {
      stopIfAborted();
      // A busy platform or a blip is no reason to stop watching: slow down and ask again.
      if (!isTransient(error) || ++failures > MAX_TRANSIENT_FAILURES) throw error;
      interval = nextInterval(interval, false, backoff);
      await wait();
      continue;
    }
    stopIfAborted();
    lastStatus = status;
    cursor = status.cursor;
    for (const match of [...status.matches].reverse()) options.onMatch?.(match);
    matches.unshift(...status.matches);
    options.onStatus?.(status);
    if (isTerminal(status.status)) return { final: { ...status, matches }, matches };
    const fingerprint = `${status.status}/${status.total}/${status.processed}/${status.failed}/${status.matched}`;
    interval = nextInterval(interval, fingerprint !== last, backoff);
    last = fingerprint;
    await wait();
  }
}
