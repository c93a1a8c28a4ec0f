/**
 * Redis outages waited out inside an activation: a store whose every async method, when it fails because Redis
 * cannot be reached (refused, reset, "Connection is closed", ioredis's retries spent), is tried again with backoff
 * while the activation's deadline leaves time for an attempt. A restart of Redis takes seconds; without this one
 * refused command failed a whole batch, and the job stalled. Any other error (a Lua script's refusal, a finished
 * job) passes at once. A write whose reply was lost may have run: each logical call has one call token for all its
 * attempts (call.ts), so a write that is not idempotent by construction runs once and a repeat gets its first
 * reply (actions/README.md has the audit of every write).
 */
import { retryWithin, type Deadline, type RetryOptions } from '../ow/deadline';
import { attemptOf, newCallToken } from './call';
import { isRedisUnavailable } from './redis';

/** ≈ 0.25 s, 0.5 s, 1 s, then every ≈ 2 s: a restarted Redis is used within ≈ 2 s of being back. */
const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 2000;
/** A bound besides the deadline's: ≈ 40 s of outage at most. */
const ATTEMPTS = 20;

export function redisRetryOptions(attemptMs: number, what: string): RetryOptions {
  return {
    attempts: ATTEMPTS,
    firstBackoffMs: FIRST_BACKOFF_MS,
    maxBackoffMs: MAX_BACKOFF_MS,
    attemptMs,
    retryable: isRedisUnavailable,
    onRetry: (attempt, waitMs, error) => {
      // One line per attempt: the activation log says what was waited for; the job never sees it.
      console.error(`redis unavailable at ${what} (${error instanceof Error ? error.message : String(error)}): retry ${attempt} in ${Math.round(waitMs)} ms`);
    },
  };
}

/**
 * `store` with its async methods retried through Redis outages within `deadline`. A Proxy, so every method of
 * every store (JobStore, DeliveryStore, FaceCache) is covered without a hand-written wrapper to keep in step;
 * methods run on the store itself, so its internal calls are not wrapped twice. A method that does not return a
 * promise is passed through as it is. Every attempt of one call runs under the call's one token.
 */
export function retrying<T extends object>(store: T, deadline: Deadline, attemptMs: number): T {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        const token = newCallToken();
        const attempt = (): unknown => attemptOf(token, () => method.apply(target, args));
        const first = attempt();
        if (!(first instanceof Promise)) return first;
        let pending: Promise<unknown> | undefined = first;
        return retryWithin(deadline, redisRetryOptions(attemptMs, `${target.constructor.name}.${String(property)}`), () => {
          const next = pending ?? (attempt() as Promise<unknown>);
          pending = undefined;
          return next;
        });
      };
    },
  });
}
