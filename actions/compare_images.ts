/**
 * compare_images (on `tweet_image`): compares each photo of the batch with the job owner's reference faces (the
 * ones the search started with; without any, the profile picture's face) and records, once per photo, either its
 * closest face within a band (sure `match` or `maybe`, by its nearest reference) or why it failed. A bad photo is one recorded
 * failure, never a failed batch; a profile picture without one clear face fails the job with the reason, one that
 * cannot be fetched for now only this batch's photos. Photos are started only while the deadline leaves time to
 * finish them; the rest are recorded as not checked, so the job can still end.
 * A batch's outstanding record is claimed for this activation's time at the start and settled at the end, so
 * sweep_jobs fires it again only if this activation died or could not record every photo.
 * Models, backend and the Redis client live in module scope, so warm activations start comparing at once.
 */
import { deliveryConfig, faceConfig, redisConfig, type FaceConfig, type Params, type RedisConfig } from './lib/config';
import { ConfigError, errorMessage } from './lib/errors';
import { bandFor, closestToUser } from './lib/face/bands';
import { decodeDescriptor, DESCRIPTOR_LENGTH, encodeDescriptor } from './lib/face/descriptor-codec';
import { FaceEngine, type Faces } from './lib/face/engine';
import { BackendError, ModelLoadError, PhotoError, ProfileError } from './lib/face/errors';
import { PROFILE_DETECTIONS } from './lib/face/profile';
import { reasonForPeople } from './lib/face/reasons';
import { decodeBudget, downloadBudget, timeToStart } from './lib/face/time-budget';
import { Deadline, retryWithin, type RetryOptions } from './lib/ow/deadline';
import { DeliveryStore } from './lib/store/batches';
import { FaceCache } from './lib/store/caches';
import { FinishedJobError, JobStore, PhotoNotInJobError, type PhotoOutcome } from './lib/store/jobs';
import { makeKeys, type Keys } from './lib/store/keys';
import { getRedis } from './lib/store/redis';
import { retrying } from './lib/store/retry';
import { isTerminal, parseTweetImageEvent, type JobRecord, type MatchRecord, type PhotoRef, type TweetImageEvent } from './lib/types';
import { parseUrl } from './lib/url';

export interface CompareSummary {
  jobId: string;
  /** Photos in the event. */
  photos: number;
  /** Photos newly recorded with a sure match. */
  matched: number;
  /** Photos newly recorded with a maybe (for the user to review). */
  maybe: number;
  /** Photos newly recorded as failed. */
  failed: number;
  /** Photos already recorded (a redelivered event): nothing changed for them. */
  duplicates: number;
  /** Photos whose faces came from the cache (no download, no model run). */
  cached: number;
  /** Photos downloaded whose bytes had been seen under another URL: their faces came from the cache (no model run). */
  sameBytes: number;
  /** Photos the job does not know (not found by its search): refused by the store. */
  ignored?: number;
  /** Why nothing (more) was done, when the job is unknown or finished. */
  skipped?: string;
  error?: string;
}

/** Where the action reads and writes: the job store, and the face caches of an engine signature. */
export interface Stores {
  jobs: JobStore;
  delivery: DeliveryStore;
  faces(signature: string): FaceCache;
}

/** The production wiring: the process's Redis client, keys under FINDME_KEY_PREFIX. */
export function openStores(config: RedisConfig, keys: Keys = makeKeys(config.keyPrefix)): Stores {
  const redis = getRedis(config);
  return {
    jobs: new JobStore(redis, keys, { jobTtlS: config.jobTtlS }),
    delivery: new DeliveryStore(redis, keys, { jobTtlS: config.jobTtlS }),
    faces: (signature) => new FaceCache(redis, keys, { ttlS: config.descriptorTtlS, signature }),
  };
}

/** The stores with every Redis call retried through an outage within the activation's deadline. */
function retryingStores(stores: Stores, deadline: Deadline, attemptMs: number): Stores {
  return {
    jobs: retrying(stores.jobs, deadline, attemptMs),
    delivery: retrying(stores.delivery, deadline, attemptMs),
    faces: (signature) => retrying(stores.faces(signature), deadline, attemptMs),
  };
}

/** The engine cannot run at all here: every photo would fail the same way, so the job fails once with why. */
function isEngineFailure(error: unknown): boolean {
  return error instanceof BackendError || error instanceof ModelLoadError;
}

/** The photo's post as the page links it: only an https link is taken; why not otherwise, for the record. */
function postLinkProblem(postUrl: string): string | undefined {
  const url = parseUrl(postUrl);
  if (!url) return 'not checked: the link to its post is not a URL';
  return url.protocol === 'https:' ? undefined : `not checked: the link to its post is not https (${url.protocol.slice(0, 20)})`;
}

const OUT_OF_TIME = "not checked: the activation's time limit was reached before this photo could be";

/** A passing failure of the profile picture's host is tried this many times in all, after ≈ 0.5 s, then ≈ 1 s. */
const PROFILE_ATTEMPTS = 3;
const PROFILE_BACKOFF_MS = 500;

/**
 * The owner's profile face: cached, else downloaded (a transient failure tried again within the deadline) and
 * detected. A ProfileError 'unavailable' means it could not be had for now, any other one that it never will.
 */
async function profileDescriptor(engine: FaceEngine, cache: FaceCache, job: JobRecord, deadline: Deadline): Promise<Float32Array> {
  const cached = await cache.getProfile(job.owner, job.pictureUrl);
  if (cached) return cached;
  const outOfTime = () => new ProfileError('unavailable', "not fetched: the activation's time limit was reached");
  const retry: RetryOptions = {
    attempts: PROFILE_ATTEMPTS,
    firstBackoffMs: PROFILE_BACKOFF_MS,
    attemptMs: timeToStart(PROFILE_DETECTIONS),
    retryable: (error) => error instanceof ProfileError && error.code === 'unavailable',
  };
  const bytes = await retryWithin(deadline, retry, () => {
    const timeoutMs = downloadBudget(deadline.remaining(), PROFILE_DETECTIONS);
    return timeoutMs > 0 ? engine.downloadProfile(job.pictureUrl, timeoutMs) : Promise.reject(outOfTime());
  });
  const decodeTimeoutMs = decodeBudget(deadline.remaining(), PROFILE_DETECTIONS);
  if (decodeTimeoutMs === 0) throw outOfTime();
  const descriptor = await engine.profileDescriptor(bytes, decodeTimeoutMs);
  await cache.setProfile(job.owner, job.pictureUrl, descriptor);
  return descriptor;
}

/** Where a photo's faces came from, when not from the engine: the cache by URL, or by bytes after its download. */
type CacheHit = 'url' | 'bytes';

interface Compared {
  outcome: PhotoOutcome;
  hit?: CacheHit;
}

/**
 * A photo on its way to being compared: its faces from the cache, or its download under way, or why it will not
 * be compared. The next photo is prepared before the current one is compared, so its download overlaps the model
 * run instead of following it.
 */
type Prepared = { photo: PhotoRef } & (
  | { cached: Faces }
  | { refused: string }
  /** Settled, so a failed download is that photo's outcome, never an unhandled rejection while another runs. */
  | { download: Promise<{ bytes: Buffer } | { error: unknown }> }
);

async function prepare(engine: FaceEngine, cache: FaceCache, photo: PhotoRef, deadline: Deadline): Promise<Prepared> {
  const cached = await cache.getPhoto(photo.imageUrl);
  if (cached) return { photo, cached };
  const timeoutMs = downloadBudget(deadline.remaining());
  if (timeoutMs === 0) return { photo, refused: OUT_OF_TIME };
  const download = engine.download(photo.imageUrl, timeoutMs).then(
    (bytes) => ({ bytes }),
    (error: unknown) => ({ error }),
  );
  return { photo, download };
}

/** The photo's faces (and which cache they came from, if one), or why it could not be compared. */
async function photoFaces(engine: FaceEngine, cache: FaceCache, prepared: Prepared, deadline: Deadline): Promise<{ faces: Faces; hit?: CacheHit } | string> {
  if ('cached' in prepared) return { faces: prepared.cached, hit: 'url' };
  if ('refused' in prepared) return prepared.refused;
  const { photo } = prepared;
  try {
    const downloaded = await prepared.download;
    if ('error' in downloaded) throw downloaded.error;
    const { bytes } = downloaded;
    const seen = await cache.getPhotoBytes(bytes);
    if (seen) {
      await cache.setPhoto(photo.imageUrl, seen);
      return { faces: seen, hit: 'bytes' };
    }
    const decodeTimeoutMs = decodeBudget(deadline.remaining());
    if (decodeTimeoutMs === 0) return OUT_OF_TIME;
    const faces = await engine.photoFaces(bytes, decodeTimeoutMs);
    await cache.setPhoto(photo.imageUrl, faces, bytes);
    return { faces };
  } catch (error) {
    if (error instanceof PhotoError) {
      const reason = reasonForPeople(error);
      if (reason !== error.message) console.log(`photo ${photo.imageUrl}: ${error.message}`);
      return reason;
    }
    if (isEngineFailure(error)) throw error;
    // Something in the engine broke on this photo; the rest of the batch still runs.
    console.error(`photo ${photo.imageUrl}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return `could not be compared: ${errorMessage(error)}`;
  }
}

async function comparePhoto(engine: FaceEngine, cache: FaceCache, references: readonly Float32Array[], prepared: Prepared, face: FaceConfig, deadline: Deadline): Promise<Compared> {
  const found = await photoFaces(engine, cache, prepared, deadline);
  if (typeof found === 'string') return { outcome: { error: found } };
  const { faces, hit } = found;
  const best = closestToUser(references, faces.faces);
  const band = best ? bandFor(best.distance, face) : undefined;
  // The face's descriptor goes with the match, so "That's me" can make it a reference without a model run.
  const matches: MatchRecord[] =
    best && band
      ? [{ ...prepared.photo, box: best.face.box, distance: best.distance, imageWidth: faces.width, imageHeight: faces.height, band, descriptor: encodeDescriptor(best.face.descriptor) }]
      : [];
  return { outcome: { matches }, hit };
}

/**
 * The faces the job compares with: the references it was started with, else the profile picture's face. A
 * ProfileError 'unavailable' is returned (the picture's host had a blip), any other failure thrown.
 */
async function userFaces(engine: FaceEngine, cache: FaceCache, stores: Stores, job: JobRecord, deadline: Deadline): Promise<Float32Array[] | ProfileError> {
  const stored = await stores.jobs.references(job.id);
  if (stored.length > 0) return stored.map((hex) => decodeDescriptor(hex, DESCRIPTOR_LENGTH));
  try {
    return [await profileDescriptor(engine, cache, job, deadline)];
  } catch (error) {
    if (error instanceof ProfileError && error.code === 'unavailable') return error;
    throw error;
  }
}

interface Batch {
  stores: Stores;
  job: JobRecord;
  photos: PhotoRef[];
  face: FaceConfig;
  deadline: Deadline;
  /** Called after each photo is recorded (renews the batch's lease). */
  onRecorded?: () => Promise<void>;
}

/** Records one photo's outcome (once, however often its event is delivered) and counts it in the summary. */
async function record(store: JobStore, jobId: string, photo: PhotoRef, outcome: PhotoOutcome, summary: CompareSummary): Promise<void> {
  try {
    const { recorded } = await store.recordPhoto(jobId, photo, outcome);
    if (!recorded) summary.duplicates += 1;
    else if ('error' in outcome) summary.failed += 1;
    else if (outcome.matches.some((m) => m.band === 'maybe')) summary.maybe += 1;
    else if (outcome.matches.length > 0) summary.matched += 1;
    if (recorded && 'error' in outcome) console.log(`job ${jobId}: ${photo.imageUrl}: ${outcome.error}`);
  } catch (error) {
    if (!(error instanceof PhotoNotInJobError)) throw error;
    summary.ignored = (summary.ignored ?? 0) + 1;
  }
}

async function compareBatch({ stores, job, photos: all, face, deadline, onRecorded }: Batch, summary: CompareSummary): Promise<void> {
  const photos: PhotoRef[] = [];
  for (const photo of all) {
    const badLink = postLinkProblem(photo.postUrl);
    // The page links each failure to its post: a link that is not https is not stored.
    if (badLink) await record(stores.jobs, job.id, { ...photo, postUrl: '' }, { error: badLink }, summary);
    else photos.push(photo);
  }
  if (photos.length === 0) return;
  const engine = FaceEngine.fromConfig(face);
  const cache = stores.faces(engine.signature);
  // The first photo downloads while the user's faces are worked out.
  const [profile, first] = await Promise.all([userFaces(engine, cache, stores, job, deadline), prepare(engine, cache, photos[0]!, deadline)]);
  if (profile instanceof ProfileError) {
    // Not the picture's fault (its host had a blip): the job goes on, other batches may fetch it.
    console.error(`job ${job.id}: ${profile.message}`);
    for (const photo of photos) await record(stores.jobs, job.id, photo, { error: `not checked: ${profile.message}` }, summary);
    return;
  }
  let prepared: Prepared | undefined = first;
  for (let i = 0; prepared; i++) {
    const next = i + 1 < photos.length ? await prepare(engine, cache, photos[i + 1]!, deadline) : undefined;
    const { outcome, hit }: Compared = deadline.remaining() > 0 ? await comparePhoto(engine, cache, profile, prepared, face, deadline) : { outcome: { error: OUT_OF_TIME } };
    if (hit === 'url') summary.cached += 1;
    if (hit === 'bytes') summary.sameBytes += 1;
    await record(stores.jobs, job.id, prepared.photo, outcome, summary);
    await onRecorded?.();
    prepared = next;
  }
}

/** The job's own media hosts (a Mastodon instance's, recorded by its search) are allowed beside FINDME_IMAGE_HOSTS. */
function withJobHosts(face: FaceConfig, job: JobRecord): FaceConfig {
  return job.imageHosts?.length ? { ...face, imageHosts: [...new Set([...face.imageHosts, ...job.imageHosts])] } : face;
}

export async function main(params: Params, open: (config: RedisConfig) => Stores = openStores): Promise<CompareSummary> {
  const summary: CompareSummary = { jobId: String(params.jobId ?? ''), photos: 0, matched: 0, maybe: 0, failed: 0, duplicates: 0, cached: 0, sameBytes: 0 };
  let event: TweetImageEvent;
  let redis: RedisConfig;
  let leaseMs: number;
  try {
    event = parseTweetImageEvent(params);
    redis = redisConfig(params);
    leaseMs = deliveryConfig(params).redeliverS * 1000;
  } catch (error) {
    return { ...summary, error: `the tweet_image event cannot be used: ${errorMessage(error)}` };
  }
  summary.photos = event.photos.length;
  const deadline = new Deadline();
  const stores = retryingStores(open(redis), deadline, redis.redisTimeoutMs);
  const store = stores.jobs;
  const job = await store.get(event.jobId);
  if (!job) return { ...summary, skipped: `job ${event.jobId} does not exist (or has expired)` };
  if (isTerminal(job.status)) return { ...summary, skipped: `job ${event.jobId} is ${job.status}: nothing to compare` };
  const started = Date.now();
  const { batchId } = event;
  // A lease on the batch, renewed after each photo: one whose container died is due again soon, one at work is not.
  const renew = batchId ? () => stores.delivery.setDue(job.id, batchId, Date.now() + leaseMs).then(() => undefined) : undefined;
  try {
    await renew?.();
    // A redelivery (or a copy still queued when its batch was fired again) skips what is already recorded.
    const photos = batchId ? await stores.delivery.unrecorded(job.id, event.photos) : event.photos;
    summary.duplicates += event.photos.length - photos.length;
    if (photos.length > 0) await compareBatch({ stores, job, photos, face: withJobHosts(faceConfig(params), job), deadline, ...(renew ? { onRecorded: renew } : {}) }, summary);
    if (batchId) await stores.delivery.settle(job.id, batchId);
  } catch (error) {
    if (error instanceof FinishedJobError) return { ...summary, skipped: `job ${event.jobId} finished while this batch was compared` };
    if (!(error instanceof ProfileError || error instanceof ConfigError || isEngineFailure(error))) throw error;
    const reason = error instanceof ProfileError ? error.message : `findme cannot compare faces here: ${errorMessage(error)}`;
    await store.fail(job.id, reason);
    console.error(`job ${job.id}: ${reason}`);
    return { ...summary, error: reason };
  }
  const { photos, matched, maybe, failed, duplicates, cached, sameBytes } = summary;
  console.log(`job ${job.id}: ${photos} photos, ${matched} matched, ${maybe} maybe, ${failed} failed, ${duplicates} duplicates, ${cached} cached, ${sameBytes} seen under another URL in ${Date.now() - started} ms`);
  return summary;
}
