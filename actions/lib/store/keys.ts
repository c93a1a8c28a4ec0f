/**
 * Every Redis key findme uses is built here and nowhere else. `prefix` lets tests (and several deployments
 * sharing one Redis) keep their keys apart; actions take it from FINDME_KEY_PREFIX (default "findme:").
 */
import { DEFAULTS } from '../config';

export const DEFAULT_PREFIX = DEFAULTS.keyPrefix;

export interface Keys {
  /** Hash: the JobRecord fields. */
  job(jobId: string): string;
  /** List: MatchRecord JSON, oldest first; a cursor is an index into it. */
  jobMatches(jobId: string): string;
  /** Set: hashes of the photos the search found; its size is the job's total. */
  jobExpected(jobId: string): string;
  /** List: FailureRecord JSON of the job's first failed photos. */
  jobFailures(jobId: string): string;
  /** Set: hashes of the photos whose outcome is recorded (idempotency). */
  jobPhotos(jobId: string): string;
  /** Hash: batch id → BatchRecord JSON of each batch fired and not yet settled. */
  jobBatches(jobId: string): string;
  /** Sorted set shared by all jobs: "<job id> <batch id>" of outstanding batches, scored by when they are due (ms). */
  batchesDue(): string;
  /** Sorted set: job ids of a user's searches, scored by when each was admitted (ms); per-user limits. */
  userSearches(owner: string): string;
  /** Sorted set: the owner's job ids, scored by creation time (ms), for "My searches". */
  ownerJobs(owner: string): string;
  /** String: hex of the profile face's Float32Array descriptor. */
  profileDescriptor(owner: string, pictureUrlHash: string): string;
  /** String: PhotoFaces JSON of one photo, by hash of its URL or of its bytes, with the engine signature (store/caches.ts). */
  photoFaces(hash: string): string;
  /** Hash: reference id → ReferenceRecord JSON, the owner's reference faces (at most MAX_REFERENCES). */
  references(owner: string): string;
  /** String "1": the owner removed the profile-picture reference, so it is not offered again. */
  profileReferenceRemoved(owner: string): string;
  /** Hash: photo hash → ReviewDecision of the owner's "that's me" / "not me" on a job's matches. */
  jobReviews(jobId: string): string;
  /** String: the stored reply of the once-script run under a call token (scripts/once.lua), kept ONCE_TTL_S. */
  once(token: string): string;
}

export function makeKeys(prefix: string = DEFAULT_PREFIX): Keys {
  return {
    job: (jobId) => `${prefix}job:${jobId}`,
    jobMatches: (jobId) => `${prefix}job:${jobId}:matches`,
    jobExpected: (jobId) => `${prefix}job:${jobId}:expected`,
    jobPhotos: (jobId) => `${prefix}job:${jobId}:photos`,
    jobFailures: (jobId) => `${prefix}job:${jobId}:failures`,
    jobBatches: (jobId) => `${prefix}job:${jobId}:batches`,
    batchesDue: () => `${prefix}batches:due`,
    userSearches: (owner) => `${prefix}user:${encodeURIComponent(owner)}:searches`,
    ownerJobs: (owner) => `${prefix}owner:${encodeURIComponent(owner)}:jobs`,
    profileDescriptor: (owner, hash) => `${prefix}profile:${encodeURIComponent(owner)}:${hash}`,
    photoFaces: (hash) => `${prefix}photo:${hash}`,
    references: (owner) => `${prefix}owner:${encodeURIComponent(owner)}:references`,
    profileReferenceRemoved: (owner) => `${prefix}owner:${encodeURIComponent(owner)}:references:profile-removed`,
    jobReviews: (jobId) => `${prefix}job:${jobId}:reviews`,
    once: (token) => `${prefix}once:${token}`,
  };
}

/**
 * What every job script takes, in the order scripts/common.ts documents (so each write can expire them all); the
 * delivery scripts take the job's batches and the shared due set after them.
 */
export function jobScriptKeys(keys: Keys, jobId: string, withBatches = false): string[] {
  const own = [keys.job(jobId), keys.jobExpected(jobId), keys.jobPhotos(jobId), keys.jobMatches(jobId), keys.jobFailures(jobId)];
  return withBatches ? [...own, keys.jobBatches(jobId), keys.batchesDue()] : own;
}
