/**
 * The owner's "that's me" / "not me" on the photos of one search, kept as long as the job (the script gives the
 * reviews the job's remaining time to live). Owner and photo are checked in the same Lua step as the write.
 */
import type { Redis } from 'ioredis';
import { isReviewDecision, type ReviewDecision } from '../types';
import { photoHash, UnknownJobError, PhotoNotInJobError } from './jobs';
import type { Keys } from './keys';
import { runScript, ScriptCode } from './scripts';

/** The job exists but is someone else's: callers answer as for an unknown job, so ids cannot be probed. */
export class NotJobOwnerError extends Error {
  override readonly name = 'NotJobOwnerError';
  constructor(readonly jobId: string) {
    super(`job ${jobId} belongs to someone else`);
  }
}

export class ReviewStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** Records `decision` on the photo at `imageUrl` of the owner's job (a later one replaces it). */
  async decide(jobId: string, owner: string, imageUrl: string, decision: ReviewDecision): Promise<void> {
    const keys = [this.keys.job(jobId), this.keys.jobPhotos(jobId), this.keys.jobReviews(jobId)];
    const code = await runScript(this.redis, 'reviewMatch', keys, [owner, photoHash(imageUrl), decision]);
    if (code === ScriptCode.UnknownJob) throw new UnknownJobError(jobId);
    if (code === ScriptCode.NotOwner) throw new NotJobOwnerError(jobId);
    if (code === ScriptCode.NotInJob) throw new PhotoNotInJobError(jobId, imageUrl);
  }

  /** Photo hash → decision, for every photo of the job the owner decided on. */
  async decisions(jobId: string): Promise<Map<string, ReviewDecision>> {
    const hash = await this.redis.hgetall(this.keys.jobReviews(jobId));
    return new Map(Object.entries(hash).filter((entry): entry is [string, ReviewDecision] => isReviewDecision(entry[1])));
  }
}
