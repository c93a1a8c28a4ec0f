/**
 * twitter_search (on `search_request`): pages through X for the job's hashtag, records the distinct photos as
 * the job's total, and fans them out as `tweet_image` events of FINDME_PHOTOS_PER_EVENT photos each (one event
 * per photo would run into OpenWhisk's trigger-fire limit). Any failure fails the job with a readable reason.
 */
import { jobConfig, redisConfig, xConfig, type Params } from './lib/config';
import { errorMessage } from './lib/errors';
import { Deadline } from './lib/ow/deadline';
import { fireTrigger } from './lib/ow/fire';
import { openJobStore } from './lib/store';
import type { JobStore } from './lib/store/jobs';
import type { PhotoRef, TweetImageEvent } from './lib/types';
import { createXClient } from './lib/x/client';
import { searchPhotos } from './lib/x/search';

export const TWEET_IMAGE_TRIGGER = 'tweet_image';

export interface SearchSummary {
  jobId: string;
  photos?: number;
  events?: number;
  skipped?: string;
  error?: string;
}

/** Fires one batch; photos that cannot be queued are recorded as failed, so the job still completes. */
async function fan(store: JobStore, jobId: string, photos: PhotoRef[], deadline: Deadline): Promise<boolean> {
  try {
    await fireTrigger(TWEET_IMAGE_TRIGGER, { jobId, photos } satisfies TweetImageEvent, {
      deadline,
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
  const jobId = params.jobId;
  if (typeof jobId !== 'string' || jobId === '') return { jobId: String(jobId), error: 'the search_request event has no jobId' };
  const store = openJobStore(redisConfig(params));
  let x;
  try {
    x = xConfig(params);
    jobConfig(params);
  } catch (error) {
    await store.fail(jobId, `findme is not configured correctly: ${errorMessage(error)}`);
    return { jobId, error: errorMessage(error) };
  }
  const job = await store.get(jobId);
  if (!job) return { jobId, error: `job ${jobId} does not exist (or has expired)` };
  if (!(await store.startSearch(jobId))) return { jobId, skipped: `job is ${job.status}, not queued: this event was already handled` };
  if (!x.xBearerToken) {
    const reason = 'X_BEARER_TOKEN is not set: this findme cannot search X';
    await store.fail(jobId, reason);
    return { jobId, error: reason };
  }
  const deadline = new Deadline();
  const client = createXClient(x, x.xBearerToken);
  const pending: PhotoRef[] = [];
  let photos = 0;
  let events = 0;
  try {
    for await (const found of searchPhotos(client, job.hashtag, {
      maxTweets: x.maxTweets,
      deadline,
      onRateLimit: (waitMs) => {
        console.log(`job ${jobId}: X rate limit, waiting ${Math.round(waitMs / 1000)} s`);
        void store.touch(jobId).catch(() => undefined);
      },
    })) {
      // Counted before fired: compare_images refuses photos the job does not know.
      photos += await store.addPhotos(jobId, found);
      pending.push(...found);
      while (pending.length >= x.photosPerEvent) {
        events += 1;
        await fan(store, jobId, pending.splice(0, x.photosPerEvent), deadline);
      }
    }
    await store.finishSearch(jobId);
    if (pending.length > 0) {
      events += 1;
      await fan(store, jobId, pending.splice(0), deadline);
    }
  } catch (error) {
    await store.fail(jobId, errorMessage(error));
    console.error(`job ${jobId}: ${errorMessage(error)}`);
    return { jobId, photos, events, error: errorMessage(error) };
  }
  console.log(`job ${jobId}: #${job.hashtag}: ${photos} photos in ${events} events`);
  return { jobId, photos, events };
}
