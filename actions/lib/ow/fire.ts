/**
 * Fires OpenWhisk triggers from inside an action with the `openwhisk` client (it reads __OW_API_HOST and
 * __OW_API_KEY, which the runtime sets per activation). A 429 (OpenWhisk's per-minute fire limit) or a 503 is
 * retried with exponential backoff and jitter while the activation's deadline allows. A fire that no rule
 * takes up (OpenWhisk answers 204 without an activation id) is a failure: nothing would ever handle the event.
 * A 202 does not mean a rule's action started (its invocation may be throttled behind it): the trigger's
 * activation record lists each rule's outcome, so it is read, and a fire whose rules were refused for now is
 * retried like a 429.
 */
import openwhisk from 'openwhisk';
import { Deadline, retryWithin, sleep, withTimeout } from './deadline';

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

/** One rule's outcome as the trigger's activation record lists it (a JSON log line, Triggers.scala). */
interface RuleOutcome {
  rule?: string;
  success?: boolean;
  statusCode?: number;
  error?: string;
}

/** How often, and how long apart, the trigger's record is looked for: OpenWhisk writes it once the rules are posted. */
const RECORD_READS = 3;
const RECORD_WAIT_MS = 300;

/**
 * Rules whose activation the platform refused for now (a throttle, a whisk error), read from the trigger's
 * activation record: a 202 alone does not say the event was taken up. Undefined when the record cannot be read
 * (not written yet, or no permission): then the sweeper, not this fire, covers a lost event.
 */
async function refusedRules(client: ReturnType<typeof openwhisk>, activationId: string): Promise<string[] | undefined> {
  for (let read = 0; read < RECORD_READS; read++) {
    if (read > 0) await sleep(RECORD_WAIT_MS);
    let record: { logs?: unknown };
    try {
      record = (await withTimeout(client.activations.get({ name: activationId }), FIRE_TIMEOUT_MS, `reading activation ${activationId}`)) as { logs?: unknown };
    } catch {
      continue;
    }
    if (!Array.isArray(record.logs)) return undefined;
    const outcomes = record.logs.flatMap((line: unknown): RuleOutcome[] => {
      try {
        return [JSON.parse(String(line)) as RuleOutcome];
      } catch {
        return [];
      }
    });
    return outcomes.filter((o) => o.success === false && (o.statusCode === 3 || /too many/i.test(o.error ?? ''))).map((o) => `${o.rule ?? 'a rule'}: ${o.error ?? 'refused'}`);
  }
  return undefined;
}

/** A 202 behind which every rule activation was refused: retried like a 429. */
class RefusedBehind202 extends Error {
  readonly statusCode = 429;
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
      async () => {
        const fired = (await withTimeout(client.triggers.invoke({ name: trigger, params }), FIRE_TIMEOUT_MS, `firing ${trigger}`)) as typeof result;
        const refused = fired?.activationId ? await refusedRules(client, fired.activationId) : undefined;
        if (refused && refused.length > 0) throw new RefusedBehind202(`the fire was accepted but its rule activations were refused (${refused.join('; ')})`);
        return fired;
      },
    );
  } catch (error) {
    throw new FireError(trigger, statusOf(error), error instanceof Error ? error.message : String(error));
  }
  if (!result?.activationId) throw new FireError(trigger, 204, `no active rule for trigger ${trigger}`);
  return result.activationId;
}
