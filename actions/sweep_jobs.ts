/**
 * sweep_jobs (on the alarm trigger, every minute): OpenWhisk delivers a trigger's event at most once — a fire
 * answered 202 may start nothing, a container may die mid-batch — so every batch twitter_search fans out stays
 * recorded as outstanding until each of its photos is recorded. This fires the overdue ones again (only their
 * unrecorded photos) once their job has recorded nothing for FINDME_REDELIVER_S (while photos keep arriving, a
 * late batch is more likely queued behind the others than lost), waiting longer each time; once FINDME_DELIVERY_ATTEMPTS redeliveries are spent the job
 * fails, naming how many photos were lost. compare_images records each photo once, so redelivery is safe.
 */
import { deliveryConfig, jobConfig, owConfig, redisConfig, type DeliveryConfig, type OwConfig, type Params } from './lib/config';
import { errorMessage } from './lib/errors';
import { Deadline } from './lib/ow/deadline';
import { FIRE_TIMEOUT_MS, fireTrigger } from './lib/ow/fire';
import { openDeliveryStore } from './lib/store';
import type { DeliveryStore } from './lib/store/batches';
import { retrying } from './lib/store/retry';
import { TWEET_IMAGE_TRIGGER, type TweetImageEvent } from './lib/types';

export interface SweepSummary {
  /** Overdue batches looked at. */
  due: number;
  /** Batches fired again, and their photos. */
  redelivered: number;
  photos: number;
  /** Batches dropped: every photo recorded, or their job gone or finished. */
  settled: number;
  /** Jobs failed because a batch's deliveries were spent. */
  spent: number;
  /** Redeliveries whose fire failed (they stay due). */
  fireErrors: number;
  error?: string;
}

export type Fire = (trigger: string, params: object, options: { deadline: Deadline }) => Promise<unknown>;

export interface SweepSettings extends DeliveryConfig {
  /** The stall limit: no redelivery waits as long, so the sweeper, not the stall check, decides a job's end. */
  jobStallS: number;
}

/** One sweep: every overdue batch (at most sweepBatches), while the deadline leaves time for a fire; `fire` is the caller's (with its certificate rule). */
export async function sweepDue(delivery: DeliveryStore, settings: SweepSettings, deadline: Deadline, fire: Fire): Promise<SweepSummary> {
  const summary: SweepSummary = { due: 0, redelivered: 0, photos: 0, settled: 0, spent: 0, fireErrors: 0 };
  const longestWaitMs = (settings.jobStallS * 1000) / 2;
  for (const { jobId, batchId } of await delivery.due(settings.sweepBatches)) {
    if (deadline.remaining() < FIRE_TIMEOUT_MS) break;
    summary.due += 1;
    const outcome = await delivery.redeliver(jobId, batchId, settings.deliveryAttempts, Math.min(settings.redeliverS * 1000, longestWaitMs), longestWaitMs);
    if (outcome.kind === 'spent') {
      summary.spent += 1;
      console.error(`job ${jobId}: batch ${batchId}: deliveries spent, ${outcome.unrecorded} photos never recorded: job failed`);
    }
    if (outcome.kind !== 'redeliver') {
      if (outcome.kind === 'gone' || outcome.kind === 'settled') summary.settled += 1;
      continue;
    }
    try {
      await fire(TWEET_IMAGE_TRIGGER, { jobId, photos: outcome.photos, batchId } satisfies TweetImageEvent, { deadline });
      summary.redelivered += 1;
      summary.photos += outcome.photos.length;
      console.log(`job ${jobId}: batch ${batchId}: ${outcome.photos.length} unrecorded photos fired again (delivery ${outcome.attempts + 1})`);
    } catch (error) {
      // Counted as a delivery all the same: the bound holds even when every fire fails.
      summary.fireErrors += 1;
      console.error(`job ${jobId}: batch ${batchId}: redelivery ${outcome.attempts + 1} not fired: ${errorMessage(error)}`);
    }
  }
  return summary;
}

export async function main(params: Params): Promise<SweepSummary> {
  let settings: SweepSettings;
  let redis;
  let ow: OwConfig;
  try {
    redis = redisConfig(params);
    settings = { ...deliveryConfig(params), ...jobConfig(params) };
    ow = owConfig(params);
  } catch (error) {
    return { due: 0, redelivered: 0, photos: 0, settled: 0, spent: 0, fireErrors: 0, error: `findme is not configured correctly: ${errorMessage(error)}` };
  }
  const deadline = new Deadline();
  // The openwhisk client reads __OW_IGNORE_CERTS only from the environment, which OpenWhisk does not fill from
  // parameters: without this every redelivery to a self-signed controller fails its certificate check.
  const fire: Fire = (trigger, event, options) => fireTrigger(trigger, event, { ...options, ignoreCerts: ow.ignoreCerts });
  // A Redis restart is waited out (within the deadline) rather than ending the sweep.
  const summary = await sweepDue(retrying(openDeliveryStore(redis), deadline, redis.redisTimeoutMs), settings, deadline, fire);
  if (summary.due > 0) console.log(`sweep: ${JSON.stringify(summary)}`);
  return summary;
}
