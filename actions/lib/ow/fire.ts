/**
 * Fires OpenWhisk triggers from inside an action with the `openwhisk` client (it reads __OW_API_HOST and
 * __OW_API_KEY, which the runtime sets per activation). A 429 (OpenWhisk's per-minute fire limit) or a 503 is
 * retried with exponential backoff and jitter while the activation's deadline allows. A fire that no rule
 * takes up (OpenWhisk answers 204 without an activation id) is a failure: nothing would ever handle the event.
 */
import openwhisk from 'openwhisk';
import { Deadline, retryWithin, withTimeout } from './deadline';

export const FIRE_TIMEOUT_MS = 10_000;
const FIRST_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 15_000;
const MAX_ATTEMPTS = 12;

export class FireError extends Error {
  override readonly name = 'FireError';
  constructor(
    readonly trigger: string,
    readonly statusCode: number | undefined,
    message: string,
  ) {
    super(`firing ${trigger} failed: ${message}`);
  }
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : undefined;
}

export interface FireOptions {
  deadline?: Deadline;
  /** For tests and tools outside an activation. */
  client?: ReturnType<typeof openwhisk>;
  onRetry?: (attempt: number, waitMs: number, statusCode: number | undefined) => void;
  /** Time the caller still needs after the fire (its own writes): no attempt is started that could eat into it. */
  reserveMs?: number;
  /** owConfig's ignoreCerts: the client would otherwise check a self-signed controller certificate and fail. */
  ignoreCerts?: boolean;
}

/** Fires `trigger` with `params`; returns the trigger activation id. */
export async function fireTrigger(trigger: string, params: object, options: FireOptions = {}): Promise<string> {
  const deadline = options.deadline ?? new Deadline();
  const client = options.client ?? openwhisk(options.ignoreCerts ? { ignore_certs: true } : undefined);
  const attemptMs = FIRE_TIMEOUT_MS + (options.reserveMs ?? 0);
  if (deadline.remaining() < attemptMs) throw new FireError(trigger, undefined, "no time left before the activation's deadline");
  let result: { activationId?: string } | undefined;
  try {
    result = await retryWithin(
      deadline,
      {
        attempts: MAX_ATTEMPTS,
        firstBackoffMs: FIRST_BACKOFF_MS,
        maxBackoffMs: MAX_BACKOFF_MS,
        attemptMs,
        retryable: (error) => statusOf(error) === 429 || statusOf(error) === 503,
        onRetry: (attempt, waitMs, error) => options.onRetry?.(attempt, waitMs, statusOf(error)),
      },
      () => withTimeout(client.triggers.invoke({ name: trigger, params }), FIRE_TIMEOUT_MS, `firing ${trigger}`) as Promise<typeof result>,
    );
  } catch (error) {
    throw new FireError(trigger, statusOf(error), error instanceof Error ? error.message : String(error));
  }
  if (!result?.activationId) throw new FireError(trigger, 204, `no active rule for trigger ${trigger}`);
  return result.activationId;
}
