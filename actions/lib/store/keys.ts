/**
 * Every Redis key findme uses is built here and nowhere else. `prefix` lets tests (and several deployments
 * sharing one Redis) keep their keys apart; production uses "findme:".
 */
export const DEFAULT_PREFIX = 'findme:';

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
  /** Sorted set: the owner's job ids, scored by creation time (ms), for "My searches". */
  ownerJobs(owner: string): string;
  /** String: hex of the profile face's Float32Array descriptor. */
  profileDescriptor(owner: string, pictureUrlHash: string): string;
  /** String: PhotoFaces JSON of one photo, by hash of its URL. */
  photoFaces(photoUrlHash: string): string;
}

export function makeKeys(prefix = DEFAULT_PREFIX): Keys {
  return {
    job: (jobId) => `${prefix}job:${jobId}`,
    jobMatches: (jobId) => `${prefix}job:${jobId}:matches`,
    jobExpected: (jobId) => `${prefix}job:${jobId}:expected`,
    jobPhotos: (jobId) => `${prefix}job:${jobId}:photos`,
    jobFailures: (jobId) => `${prefix}job:${jobId}:failures`,
    ownerJobs: (owner) => `${prefix}owner:${encodeURIComponent(owner)}:jobs`,
    profileDescriptor: (owner, hash) => `${prefix}profile:${encodeURIComponent(owner)}:${hash}`,
    photoFaces: (hash) => `${prefix}photo:${hash}`,
  };
}
