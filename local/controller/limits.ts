/**
 * OpenWhisk's per-namespace throttles: trigger fires and action invocations in the last minute, and activations
 * in flight. Over a limit the controller answers 429 with OpenWhisk's message.
 */
export interface LimitOptions {
  firesPerMinute: number;
  invocationsPerMinute: number;
  concurrentActivations: number;
  /** The sliding window, 60 s as on OpenWhisk (shorter only in tests of the window itself). */
  windowMs: number;
}

export const DEFAULT_LIMITS: Readonly<LimitOptions> = Object.freeze({
  firesPerMinute: 60,
  invocationsPerMinute: 120,
  concurrentActivations: 100,
  windowMs: 60_000,
});

export class ThrottleError extends Error {
  override readonly name = 'ThrottleError';
  readonly status = 429;
}

class SlidingWindow {
  private readonly times: number[] = [];
  constructor(private readonly windowMs: number) {}

  /** Counts one event unless `allowed` were already counted in the window; returns the would-be count. */
  tryTake(allowed: number, now = Date.now()): { ok: boolean; count: number } {
    while (this.times.length > 0 && this.times[0]! <= now - this.windowMs) this.times.shift();
    if (this.times.length >= allowed) return { ok: false, count: this.times.length + 1 };
    this.times.push(now);
    return { ok: true, count: this.times.length };
  }
}

export class Throttles {
  private readonly fires: SlidingWindow;
  private readonly invocations: SlidingWindow;
  private inFlight = 0;

  constructor(readonly limits: LimitOptions) {
    this.fires = new SlidingWindow(limits.windowMs);
    this.invocations = new SlidingWindow(limits.windowMs);
  }

  takeFire(): void {
    const { ok, count } = this.fires.tryTake(this.limits.firesPerMinute);
    if (!ok) throw new ThrottleError(`Too many requests in the last minute (count: ${count}, allowed: ${this.limits.firesPerMinute}).`);
  }

  /** Counts an invocation and one activation in flight; call `done()` when it ends. */
  takeInvocation(): { done: () => void } {
    if (this.inFlight >= this.limits.concurrentActivations) {
      throw new ThrottleError(`Too many concurrent requests in flight (count: ${this.inFlight + 1}, allowed: ${this.limits.concurrentActivations}).`);
    }
    const { ok, count } = this.invocations.tryTake(this.limits.invocationsPerMinute);
    if (!ok) throw new ThrottleError(`Too many requests in the last minute (count: ${count}, allowed: ${this.limits.invocationsPerMinute}).`);
    this.inFlight += 1;
    let ended = false;
    return {
      done: () => {
        if (!ended) this.inFlight -= 1;
        ended = true;
      },
    };
  }
}
