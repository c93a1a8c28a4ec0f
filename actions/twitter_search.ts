/**
 * twitter_search (on `search_request`): pages through X for the job's hashtag, records the distinct photos as
 * the job's total, and fans them out as `tweet_image` events of FINDME_PHOTOS_PER_EVENT photos each (one event
 * per photo would run into OpenWhisk's trigger-fire limit). Any failure fails the job with a readable reason.
 * Paging and fires stop while the activation's deadline still leaves time to finish the search, so a search cut
 * short ends with the photos it found instead of being killed and taken for stalled.
 */
import { jobConfig, owConfig, redisConfig, xConfig, type OwConfig, type Params, type XConfig } from './lib/config';
import { errorMessage } from './lib/errors';
import { Deadline } from './lib/ow/deadline';
import { fireTrigger } from './lib/ow/fire';
import { openJobStore } from './lib/store';
import { FinishedJobError, type JobStore } from './lib/store/jobs';
import { isTerminal, parseSearchRequestEvent, type JobRecord, type PhotoRef, type TweetImageEvent } from './lib/types';
import { createXClient } from './lib/x/client';
import { searchPhotos } from './lib/x/search';

export const TWEET_IMAGE_TRIGGER = 'tweet_image';

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

/** Fires one batch; photos that cannot be queued are recorded as failed, so the job still completes. */
async function fan(store: JobStore, jobId: string, photos: PhotoRef[], deadline: Deadline, ow: OwConfig): Promise<boolean> {
  try {
    await fireTrigger(TWEET_IMAGE_TRIGGER, { jobId, photos } satisfies TweetImageEvent, {
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
    const reason = `could not be queued for comparison: ${errorMessage(error)}`;
    for (const photo of photos) await store.recordPhoto(jobId, photo, { error: reason });
    console.error(`job ${jobId}: ${photos.length} photos ${reason}`);
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
  const store = openJobStore(redisConfig(params));
  let x;
  let ow;
  try {
    x = xConfig(params);
    ow = owConfig(params);
    jobConfig(params);
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
  return runSearch(store, job, x, x.xBearerToken, new Deadline(), ow);
}

/** The search of a job that is `searching`: pages, counts and fans out its photos, then finishes it. */
export async function runSearch(store: JobStore, job: JobRecord, x: XConfig, bearerToken: string, deadline: Deadline, ow: OwConfig = { ignoreCerts: false }): Promise<SearchSummary> {
  const jobId = job.id;
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
      // Counted before fired: compare_images refuses photos the job does not know.
      photos += await store.addPhotos(jobId, found);
      pending.push(...found);
      while (pending.length >= x.photosPerEvent) {
        events += 1;
        await fan(store, jobId, pending.splice(0, x.photosPerEvent), deadline, ow);
      }
    }
    await store.finishSearch(jobId, stopped);
    if (pending.length > 0) {
      events += 1;
      await fan(store, jobId, pending.splice(0), deadline, ow);
    }
  } catch (error) {
    await store.fail(jobId, errorMessage(error));
    console.error(`job ${jobId}: ${errorMessage(error)}`);
    return { jobId, photos, events, error: errorMessage(error) };
  }
  console.log(`job ${jobId}: #${job.hashtag}: ${photos} photos in ${events} events${stopped ? `; search stopped: ${stopped}` : ''}`);
  return { jobId, photos, events, ...(stopped ? { stopped } : {}) };
}
