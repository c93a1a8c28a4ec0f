/**
 * OpenWhisk's per-namespace throttles (entitlement/Entitlement.scala): action invocations and trigger fires per
 * minute, and activations in flight, answered 429 with Messages.scala's texts. As there, an invocation is
 * charged to the minute's count before the concurrency check, and the count reported is the one that was refused.
 * One difference: the minute slides instead of restarting at each clock minute, so "61 fires inside any 60 s" is
 * always refused, never only when they happen to fall within one clock minute.
 */
import { ThrottleError } from './errors';

export interface LimitOptions {
  firesPerMinute: number;
  invocationsPerMinute: number;
  concurrentActivations: number;
  /** The window of the per-minute limits: 60 s, as on OpenWhisk (shorter only in tests of the window itself). */
  windowMs: number;
}

export const DEFAULT_LIMITS: Readonly<LimitOptions> = Object.freeze({
  firesPerMinute: 60,
  invocationsPerMinute: 120,
  concurrentActivations: 100,
  windowMs: 60_000,
});


export const THROTTLE_MESSAGES = Object.freeze({
  tooManyRequests: (count: number, allowed: number) => `Too many requests in the last minute (count: ${count}, allowed: ${allowed}).`,
  tooManyConcurrentRequests: (count: number, allowed: number) => `Too many concurrent requests in flight (count: ${count}, allowed: ${allowed}).`,
});

/** Events counted in the last window; one refused by this window is not counted, so a client that backs off gets through. */
class SlidingWindow {
  private readonly times: number[] = [];
  constructor(private readonly windowMs: number) {}

  take(allowed: number, now = Date.now()): { ok: boolean; count: number } {
    while (this.times.length > 0 && this.times[0]! <= now - this.windowMs) this.times.shift();
    if (this.times.length >= allowed) return { ok: false, count: this.times.length + 1 };
    this.times.push(now);
    return { ok: true, count: this.times.length };
  }
}

export interface Slot {
  /** Ends the activation's place among those in flight; calling it again does nothing. */
  done(): void;
}

export class Throttles {
  private readonly fires: SlidingWindow;
  private readonly invocations: SlidingWindow;
  private inFlight = 0;

  constructor(readonly limits: Readonly<LimitOptions>) {
    this.fires = new SlidingWindow(limits.windowMs);
    this.invocations = new SlidingWindow(limits.windowMs);
  }

  takeFire(): void {
    const { ok, count } = this.fires.take(this.limits.firesPerMinute);
    if (!ok) throw new ThrottleError(THROTTLE_MESSAGES.tooManyRequests(count, this.limits.firesPerMinute));
  }

  /** Counts an invocation and one activation in flight; call `done()` when it has finished. */
  takeInvocation(): Slot {
    const { ok, count } = this.invocations.take(this.limits.invocationsPerMinute);
    if (!ok) throw new ThrottleError(THROTTLE_MESSAGES.tooManyRequests(count, this.limits.invocationsPerMinute));
    if (this.inFlight >= this.limits.concurrentActivations) {
      throw new ThrottleError(THROTTLE_MESSAGES.tooManyConcurrentRequests(this.inFlight, this.limits.concurrentActivations));
    }
    this.inFlight += 1;
    let ended = false;
    return {
      done: () => {
        if (!ended) this.inFlight -= 1;
        ended = true;
      },
    };
  }

  /** Activations in flight now. */
  get active(): number {
    return this.inFlight;
  }
}
