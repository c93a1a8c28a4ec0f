/**
 * Waiting out a source's rate limit inside the activation's time: a wait is taken only when the deadline leaves
 * room for a request and the caller's reserve after it, at most a few times a search, slept in slices that keep
 * the job from looking stalled. Otherwise the caller stops, saying when the limit resets.
 */
import { sleep } from '../ow/deadline';
import { REQUEST_TIMEOUT_MS } from './http';
import type { SearchHooks } from './run';

export const MAX_RATE_LIMIT_WAITS = 3;
const KEEPALIVE_MS = 10_000;

/** Waits until `at` (ms since the epoch) when the deadline allows; false, at once, when it does not. */
export async function waitUntil(at: number, hooks: SearchHooks, waits: { count: number }): Promise<boolean> {
  const waitMs = Math.max(1000, at - Date.now() + 500);
  if (waits.count >= MAX_RATE_LIMIT_WAITS || hooks.deadline.remaining() < waitMs + REQUEST_TIMEOUT_MS + hooks.reserveMs) return false;
  waits.count += 1;
  hooks.onRateLimit(waitMs);
  for (let left = waitMs; left > 0; left -= KEEPALIVE_MS) {
    await sleep(Math.min(left, KEEPALIVE_MS));
    hooks.keepAlive();
  }
  return true;
}

/** "14:05:09", for "try again after … UTC". */
export const clockTime = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** Whether another request fits in the time left. */
export function timeForRequest(hooks: SearchHooks): boolean {
  return hooks.deadline.remaining() >= REQUEST_TIMEOUT_MS + hooks.reserveMs;
}
