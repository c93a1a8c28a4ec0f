/**
 * Follows a search until it ends: polls its status with the cursor, hands over each new match as it arrives,
 * and backs off while nothing changes. Shared by the page and `findme search`.
 */
import type { MatchRecord, SearchStatusResponse } from '../../actions/lib/types';
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

export interface FollowOptions {
  onStatus?: (status: SearchStatusResponse) => void;
  /** Called for each new match, oldest first. */
  onMatch?: (match: MatchRecord) => void;
  backoff?: Backoff;
  /** Give up after this long. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface FollowResult {
  final: SearchStatusResponse;
  /** Every match, newest first. */
  matches: MatchRecord[];
}

export async function followSearch(api: FindmeApi, jobId: string, options: FollowOptions = {}): Promise<FollowResult> {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const timeoutMs = options.timeoutMs ?? 30 * 60_000;
  const deadline = Date.now() + timeoutMs;
  const matches: MatchRecord[] = [];
  let cursor: string | undefined;
  let interval = backoff.minMs;
  let last = '';
  let failures = 0;
  const wait = async () => {
    if (Date.now() + interval > deadline) throw new Error(`the search did not finish within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  };
  for (;;) {
    if (options.signal?.aborted) throw new Error('stopped following the search');
    let status: SearchStatusResponse;
    try {
      status = await api.status(jobId, cursor);
      failures = 0;
    } catch (error) {
      // A busy platform or a blip is no reason to stop watching: slow down and ask again.
      if (!isTransient(error) || ++failures > MAX_TRANSIENT_FAILURES) throw error;
      interval = nextInterval(interval, false, backoff);
      await wait();
      continue;
    }
    cursor = status.cursor;
    for (const match of [...status.matches].reverse()) options.onMatch?.(match);
    matches.unshift(...status.matches);
    options.onStatus?.(status);
    if (status.status === 'done' || status.status === 'failed') return { final: { ...status, matches }, matches };
    const fingerprint = `${status.status}/${status.total}/${status.processed}/${status.failed}/${status.matched}`;
    interval = nextInterval(interval, fingerprint !== last, backoff);
    last = fingerprint;
    await wait();
  }
}
