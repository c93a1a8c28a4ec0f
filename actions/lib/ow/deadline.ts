/**
 * The time this activation must finish by: OpenWhisk passes it as __OW_DEADLINE (ms since the epoch). Waits and
 * retries are bounded by it, so an action gives up with a reason instead of being killed mid-write.
 */
export const SAFETY_MARGIN_MS = 5000;
const FALLBACK_BUDGET_MS = 60_000;

export class Deadline {
  readonly at: number;
  constructor(at?: number) {
    const fromEnv = Number(process.env.__OW_DEADLINE);
    this.at = at ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : Date.now() + FALLBACK_BUDGET_MS);
  }

  /** Milliseconds left for work, keeping a margin to record the outcome. */
  remaining(now = Date.now()): number {
    return Math.max(0, this.at - SAFETY_MARGIN_MS - now);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /**
   * The wait before the second attempt, doubled before each next one, plus up to half again at random: callers
   * that failed together (every batch of a job fetching one picture) do not all try again at the same moment.
   */
  firstBackoffMs: number;
  /** The longest wait, before its random half: doubling stops there. Default: no cap. */
  maxBackoffMs?: number;
  /** The time left an attempt needs: none is started after a wait that would leave less. */
  attemptMs: number;
  /** Whether a failure may pass (a timeout, a 503); any other is thrown at once. */
  retryable(error: unknown): boolean;
  /** Told before each wait: the attempt that failed (1-based), the wait, and its failure. */
  onRetry?: (attempt: number, waitMs: number, error: unknown) => void;
  /** The wait after a failure that says how long to wait (a rate limit's reset time); replaces the backoff. */
  waitMs?: (attempt: number, error: unknown) => number;
  /** How a wait is spent (default: one sleep), e.g. in slices that show the work is alive. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs `attempt` until it succeeds; a retryable failure is tried again after a backoff while attempts are left
 * and the deadline leaves room for one more, else the last failure is thrown.
 */
export async function retryWithin<T>(deadline: Deadline, options: RetryOptions, attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= options.attempts || !options.retryable(error)) throw error;
      const wait = options.waitMs ? options.waitMs(n, error) : Math.min(options.maxBackoffMs ?? Infinity, options.firstBackoffMs * 2 ** (n - 1)) * (1 + Math.random() / 2);
      if (wait + options.attemptMs > deadline.remaining()) throw error;
      options.onRetry?.(n, wait, error);
      await (options.sleep ?? sleep)(wait);
    }
  }
}

/** Rejects after `ms` with a message naming what took too long. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
