/**
 * A job's progress read from Redis itself, and a wait for its end that fires the sweep alarm every few seconds:
 * tests that kill something mid-search watch the job this way so that their own traffic does not spend the
 * namespace's budget (120 invocations, 60 fires a minute) the pipeline needs to finish. Polling search_status
 * many times a second did: from ≈ 20 s on, search_status answered 429 and rule activations were refused for the
 * rest of the minute, and under load the pipeline starved until the test's bound ran out.
 */
import type { Redis } from 'ioredis';
import type { makeKeys } from '../../actions/lib/store/keys';

export interface Progress {
  status: string;
  recorded: number;
}

/** The job's status and photos recorded (processed + failed); undefined while Redis cannot answer. */
export async function jobProgress(redis: Redis, keys: ReturnType<typeof makeKeys>, jobId: string): Promise<Progress | undefined> {
  const fields = await redis.hmget(keys.job(jobId), 'status', 'processed', 'failed').catch(() => undefined);
  if (!fields?.[0]) return undefined;
  return { status: fields[0], recorded: Number(fields[1] ?? 0) + Number(fields[2] ?? 0) };
}

/**
 * Waits up to `withinMs` for the job to end (done or failed), calling `sweep` (the alarm's fireDue) every
 * `sweepEveryMs` and `watch` (a search_status poll, say) at most as often; its end, or undefined if it did not.
 */
export async function waitEndedSweeping(redis: Redis, keys: ReturnType<typeof makeKeys>, jobId: string, options: { withinMs: number; sweepEveryMs: number; sweep: () => void; watch?: () => Promise<void> }): Promise<Progress | undefined> {
  const started = Date.now();
  for (let lastSweep = 0; Date.now() - started < options.withinMs; await new Promise((r) => setTimeout(r, 500))) {
    if (Date.now() - lastSweep >= options.sweepEveryMs) {
      options.sweep();
      await options.watch?.();
      lastSweep = Date.now();
    }
    const job = await jobProgress(redis, keys, jobId);
    if (job?.status === 'done' || job?.status === 'failed') return job;
  }
  return undefined;
}
