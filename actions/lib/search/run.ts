/**
 * What every source's search action does around its own API: reads the search_request, skips a job that did not
 * ask for this source (or is over), starts the source, pages through the source's posts within the activation's
 * deadline while fanning their photos out, and finishes the source: done with what it left out, or failed with
 * a reason people can read. A failing source never fails the others: the job ends once every source is over.
 */
import { deliveryConfig, jobConfig, owConfig, redisConfig, type DeliveryConfig, type OwConfig, type Params } from '../config';
import { errorMessage } from '../errors';
import { detailOf } from './source-error';
import { Deadline } from '../ow/deadline';
import { openDeliveryStore, openJobStore } from '../store';
import { FinishedJobError } from '../store/jobs';
import { retrying } from '../store/retry';
import { isTerminal, parseSearchRequestEvent, SOURCE_LABELS, type JobRecord, type PhotoRef, type Source } from '../types';
import { PhotoFan, WRITE_BUDGET_MS, type SearchStores } from './fan';
import type { RefusedPhoto } from './hosts';

/** What a source's paging is told, and tells back, while it runs. */
export interface SearchHooks {
  deadline: Deadline;
  /** Time the caller needs after the search's last request (to record what was found). */
  reserveMs: number;
  /** Called while a rate limit is waited out (with the wait), so the job is not taken for stalled. */
  onRateLimit(waitMs: number): void;
  keepAlive(): void;
  /** The search ended before the source ran out of posts; what it found so far stands. */
  onStopped(reason: string): void;
}

/** One page of a source's search: its new photos, the posts read so far, and what the fan must know first. */
export interface SourcePage {
  photos: PhotoRef[];
  posts: number;
  /** Photos on a host findme does not download from: recorded as failed with the reason, never fetched. */
  refused?: RefusedPhoto[];
  /** Media hosts of the source (a Mastodon instance's) that compare_images may download this job's photos from. */
  imageHosts?: string[];
  /** Media items on this page that were not of the shape the source documents: skipped, counted in the note. */
  unreadable?: number;
}

/** The source's note at its end: why it stopped (if it did), and how many media items could not be read. */
export function sourceNote(stopped: string | undefined, unreadable: number): string | undefined {
  const skipped = unreadable > 0 ? `${unreadable} ${unreadable === 1 ? 'photo' : 'photos'} in a form findme cannot read ${unreadable === 1 ? 'was' : 'were'} skipped` : undefined;
  return [stopped, skipped].filter(Boolean).join('; ') || undefined;
}

/** A source's paging: yields each page's new photos and the posts read so far; throws with a readable reason. */
export type PhotoSearch = (job: JobRecord, hooks: SearchHooks) => AsyncIterable<SourcePage>;

export interface SearchSummary {
  jobId: string;
  source?: Source;
  photos?: number;
  events?: number;
  posts?: number;
  skipped?: string;
  /** Why the search ended before the source ran out of posts; the photos found until then count. */
  stopped?: string;
  error?: string;
}

/** The search of a source whose job has started it: pages, counts and fans out its photos, then finishes it. */
export async function runSourceSearch(
  stores: SearchStores,
  job: JobRecord,
  source: Source,
  search: PhotoSearch,
  config: DeliveryConfig,
  deadline: Deadline,
  ow: OwConfig = { ignoreCerts: false },
): Promise<SearchSummary> {
  const jobId = job.id;
  const store = stores.jobs;
  const fan = new PhotoFan(stores, jobId, source, config, deadline, ow);
  let posts = 0;
  let unreadable = 0;
  let stopped: string | undefined;
  const keepAlive = () => void store.touch(jobId).catch(() => undefined);
  const hooks: SearchHooks = {
    deadline,
    reserveMs: WRITE_BUDGET_MS,
    onRateLimit: (waitMs) => {
      console.log(`job ${jobId}: ${SOURCE_LABELS[source]} rate limit, waiting ${Math.round(waitMs / 1000)} s`);
      keepAlive();
    },
    keepAlive,
    onStopped: (reason) => (stopped = reason),
  };
  try {
    for await (const page of search(job, hooks)) {
      posts = page.posts;
      unreadable += page.unreadable ?? 0;
      if (page.imageHosts?.length) await store.addImageHosts(jobId, page.imageHosts);
      if (page.refused?.length) await fan.refuse(page.refused, posts);
      await fan.add(page.photos, posts);
    }
    const note = sourceNote(stopped, unreadable);
    await fan.flush(() => store.finishSource(jobId, source, { posts, ...(note ? { note } : {}) }));
  } catch (error) {
    const reason = errorMessage(error);
    const detail = detailOf(error);
    // The note is the plain words; the log has them with the detail (statuses, error codes, settings to check).
    console.error(`job ${jobId}: ${SOURCE_LABELS[source]}: ${reason}${detail ? ` (${detail})` : ''}`);
    // The photos recorded so far stay the job's; the source's note says why it stopped.
    await fan.flush(() => store.finishSource(jobId, source, { posts, note: reason, failed: true })).catch((flushError: unknown) => {
      if (!(flushError instanceof FinishedJobError)) throw flushError;
    });
    return { jobId, source, photos: fan.photos, events: fan.events, posts, error: reason };
  }
  console.log(`job ${jobId}: #${job.hashtag} on ${SOURCE_LABELS[source]}: ${posts} posts, ${fan.photos} photos in ${fan.events} events${stopped ? `; stopped: ${stopped}` : ''}${unreadable ? `; ${unreadable} unreadable media items skipped` : ''}`);
  return { jobId, source, photos: fan.photos, events: fan.events, posts, ...(stopped ? { stopped } : {}) };
}

/** Why this deployment cannot search the source: in words for the note, and which setting for the log. */
export interface Unconfigured {
  unconfigured: string;
  detail: string;
}

type Setup = (params: Params) => PhotoSearch | Unconfigured;

/** The source's paging and the settings around it, or why this deployment cannot search it. */
function readSetup(params: Params, setup: Setup): { search: PhotoSearch; ow: OwConfig; delivery: DeliveryConfig } | Unconfigured {
  try {
    const ow = owConfig(params);
    jobConfig(params);
    const delivery = deliveryConfig(params);
    const search = setup(params);
    return 'unconfigured' in search ? search : { search, ow, delivery };
  } catch (error) {
    return { unconfigured: 'is not set up correctly on this findme', detail: errorMessage(error) };
  }
}

/**
 * A source action's main: `setup` reads the source's own configuration and returns its paging, or why this
 * deployment cannot search it (the source then fails with that reason, so the job does not wait for it).
 */
export async function handleSearchRequest(params: Params, source: Source, setup: Setup): Promise<SearchSummary> {
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
  const job = await store.get(jobId);
  if (!job) return { jobId, error: `job ${jobId} does not exist (or has expired)` };
  // A redelivered or late event for a finished job is nothing to do, not an error.
  const finished = (status: string): SearchSummary => ({ jobId, skipped: `job is already ${status}: nothing to search` });
  if (isTerminal(job.status)) return finished(job.status);
  if (!job.sources.some((s) => s.source === source)) return { jobId, skipped: `the search did not ask for ${SOURCE_LABELS[source]}` };
  const ready = readSetup(params, setup);
  let start;
  try {
    start = await store.startSource(jobId, source);
  } catch (error) {
    // It finished between the read and the start (failed as stalled, say).
    if (error instanceof FinishedJobError) return finished('finished');
    throw error;
  }
  if (start === 'not-requested') return { jobId, skipped: `the search did not ask for ${SOURCE_LABELS[source]}` };
  if (start === 'handled') return { jobId, skipped: `${SOURCE_LABELS[source]} is already searched for this job: this event was already handled` };
  if ('unconfigured' in ready) {
    console.error(`job ${jobId}: ${SOURCE_LABELS[source]}: ${ready.unconfigured} (${ready.detail})`);
    await store.finishSource(jobId, source, { note: ready.unconfigured, failed: true });
    return { jobId, source, error: ready.unconfigured };
  }
  return runSourceSearch({ jobs: store, delivery: retrying(openDeliveryStore(redis), deadline, redis.redisTimeoutMs) }, job, source, ready.search, ready.delivery, deadline, ready.ow);
}
