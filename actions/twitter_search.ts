/**
 * twitter_search (on `search_request`): pages through X for the job's hashtag, records the distinct photos as
 * the job's total, and fans them out as `tweet_image` events of FINDME_PHOTOS_PER_EVENT photos each (one event
 * per photo would run into OpenWhisk's trigger-fire limit). Any failure fails the job with a readable reason.
 * Paging and fires stop while the activation's deadline still leaves time to finish the search, so a search cut
 * short ends with the photos it found instead of being killed and taken for stalled. Each batch is recorded as
 * outstanding when its photos are added; one whose fire fails is left to sweep_jobs, which fires it again.
 */
import { deliveryConfig, jobConfig, owConfig, redisConfig, xConfig, type DeliveryConfig, type OwConfig, type Params, type XConfig } from './lib/config';
import { errorMessage } from './lib/errors';
import { Deadline } from './lib/ow/deadline';
import { fireTrigger } from './lib/ow/fire';
import { openDeliveryStore, openJobStore } from './lib/store';
import { newBatch, type DeliveryStore, type NewBatch } from './lib/store/batches';
import { FinishedJobError, type JobStore } from './lib/store/jobs';
import { retrying } from './lib/store/retry';
import { isTerminal, parseSearchRequestEvent, TWEET_IMAGE_TRIGGER, type JobRecord, type PhotoRef, type TweetImageEvent } from './lib/types';
import { createXClient } from './lib/x/client';
import { searchPhotos } from './lib/x/search';

/**
 * Kept free at the end of the activation for finishing the search and recording the photos that could not be
 * queued (Redis calls of at most redisTimeoutMs each), on top of the Deadline's own margin.
 */
export const WRITE_BUDGET_MS = 10_000;

export interface SearchSummary {
  jobId: string;
  photos?: number;
  events?: number;
  skipped?: string;
  /** Why the search ended before X ran out of posts; the photos found until then are the job's total. */
  stopped?: string;
  error?: string;
}

/** Where a search writes: the job, and its outstanding batches. */
export interface SearchStores {
  jobs: JobStore;
  delivery: DeliveryStore;
}

/** Fires one recorded batch; one that cannot be fired now is made due at once, for sweep_jobs to fire again. */
async function fan({ jobs: store, delivery }: SearchStores, jobId: string, batch: NewBatch, deadline: Deadline, ow: OwConfig): Promise<boolean> {
  const photos = batch.record.photos;
  try {
    await fireTrigger(TWEET_IMAGE_TRIGGER, { jobId, photos, batchId: batch.id } satisfies TweetImageEvent, {
      deadline,
      reserveMs: WRITE_BUDGET_MS,
      ignoreCerts: ow.ignoreCerts,
      onRetry: (attempt, waitMs, status) => {
        console.log(`job ${jobId}: ${TWEET_IMAGE_TRIGGER} fire answered ${status}, retry ${attempt} in ${Math.round(waitMs)} ms`);
        // Waiting out OpenWhisk's fire limit is progress of a kind: the job must not be taken for stalled.
        void store.touch(jobId).catch(() => undefined);
      },
    });
    return true;
  } catch (error) {
    console.error(`job ${jobId}: batch ${batch.id} (${photos.length} photos) not fired, left to sweep_jobs: ${errorMessage(error)}`);
    await delivery.setDue(jobId, batch.id, Date.now());
    return false;
  }
}

export async function main(params: Params): Promise<SearchSummary> {
  let jobId: string;
  try {
    ({ jobId } = parseSearchRequestEvent(params));
  } catch (error) {
    return { jobId: String(params.jobId), error: `the search_request event cannot be used: ${errorMessage(error)}` };
  }
  const redis = redisConfig(params);
  // Every store call waits out a Redis restart within the activation's deadline.
  const deadline = new Deadline();
  const store = retrying(openJobStore(redis), deadline, redis.redisTimeoutMs);
  let x;
  let ow;
  let delivery;
  try {
    x = xConfig(params);
    ow = owConfig(params);
    jobConfig(params);
    delivery = deliveryConfig(params);
  } catch (error) {
    await store.fail(jobId, `findme is not configured correctly: ${errorMessage(error)}`);
    return { jobId, error: errorMessage(error) };
  }
  const job = await store.get(jobId);
  if (!job) return { jobId, error: `job ${jobId} does not exist (or has expired)` };
  // A redelivered or late event for a finished job is nothing to do, not an error.
  const finished = (status: string): SearchSummary => ({ jobId, skipped: `job is already ${status}: nothing to search` });
  if (isTerminal(job.status)) return finished(job.status);
  try {
    if (!(await store.startSearch(jobId))) return { jobId, skipped: `job is ${job.status}, not queued: this event was already handled` };
  } catch (error) {
    // It finished between the read and the start (failed as stalled, say).
    if (error instanceof FinishedJobError) return finished('finished');
    throw error;
  }
  if (!x.xBearerToken) {
    const reason = 'X_BEARER_TOKEN is not set: this findme cannot search X';
    await store.fail(jobId, reason);
    return { jobId, error: reason };
  }
  return runSearch({ jobs: store, delivery: retrying(openDeliveryStore(redis), deadline, redis.redisTimeoutMs) }, job, { ...x, ...delivery }, x.xBearerToken, deadline, ow);
}

/** The search of a job that is `searching`: pages, counts and fans out its photos, then finishes it. */
export async function runSearch(stores: SearchStores, job: JobRecord, x: XConfig & DeliveryConfig, bearerToken: string, deadline: Deadline, ow: OwConfig = { ignoreCerts: false }): Promise<SearchSummary> {
  const store = stores.jobs;
  const jobId = job.id;
  const dueAt = () => Date.now() + x.redeliverS * 1000;
  const client = createXClient(x, bearerToken);
  const pending: PhotoRef[] = [];
  let photos = 0;
  let events = 0;
  let stopped: string | undefined;
  const keepAlive = () => void store.touch(jobId).catch(() => undefined);
  try {
    for await (const found of searchPhotos(client, job.hashtag, {
      maxTweets: x.maxTweets,
      deadline,
      reserveMs: WRITE_BUDGET_MS,
      onRateLimit: (waitMs) => {
        console.log(`job ${jobId}: X rate limit, waiting ${Math.round(waitMs / 1000)} s`);
        keepAlive();
      },
      keepAlive,
      onStopped: (reason) => (stopped = reason),
    })) {
      pending.push(...found);
      const batches: NewBatch[] = [];
      while (pending.length >= x.photosPerEvent) batches.push(newBatch(pending.splice(0, x.photosPerEvent)));
      // Counted and recorded as outstanding before fired: compare_images refuses photos the job does not know.
      photos += await store.addPhotos(jobId, found, batches, dueAt());
      for (const batch of batches) {
        events += 1;
        await fan(stores, jobId, batch, deadline, ow);
      }
    }
    const last = pending.length > 0 ? newBatch(pending.splice(0)) : undefined;
    if (last) await store.addPhotos(jobId, [], [last], dueAt());
    await store.finishSearch(jobId, stopped);
    if (last) {
      events += 1;
      await fan(stores, jobId, last, deadline, ow);
    }
  } catch (error) {
    await store.fail(jobId, errorMessage(error));
    console.error(`job ${jobId}: ${errorMessage(error)}`);
    return { jobId, photos, events, error: errorMessage(error) };
  }
  console.log(`job ${jobId}: #${job.hashtag}: ${photos} photos in ${events} events${stopped ? `; search stopped: ${stopped}` : ''}`);
  return { jobId, photos, events, ...(stopped ? { stopped } : {}) };
}
