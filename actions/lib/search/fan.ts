/**
 * Fan-out of a search's photos, shared by every source: photos are counted and recorded as outstanding batches
 * of FINDME_PHOTOS_PER_EVENT before each batch is fired on `tweet_image` (compare_images refuses photos the job
 * does not know); a batch whose fire fails is made due at once, for sweep_jobs to fire again.
 */
import type { DeliveryConfig, OwConfig } from '../config';
import { errorMessage } from '../errors';
import type { Deadline } from '../ow/deadline';
import { fireTrigger } from '../ow/fire';
import type { RefusedPhoto } from './hosts';
import { newBatch, type DeliveryStore, type NewBatch } from '../store/batches';
import type { JobStore } from '../store/jobs';
import { TWEET_IMAGE_TRIGGER, type PhotoRef, type Source, type TweetImageEvent } from '../types';

/**
 * Kept free at the end of the activation for finishing the search and recording the photos that could not be
 * queued (Redis calls of at most redisTimeoutMs each), on top of the Deadline's own margin.
 */
export const WRITE_BUDGET_MS = 10_000;

/** Where a search writes: the job, and its outstanding batches. */
export interface SearchStores {
  jobs: JobStore;
  delivery: DeliveryStore;
}

/** Fires one recorded batch; one that cannot be fired now is made due at once, for sweep_jobs to fire again. */
async function fire({ jobs, delivery }: SearchStores, jobId: string, batch: NewBatch, deadline: Deadline, ow: OwConfig): Promise<boolean> {
  const photos = batch.record.photos;
  try {
    await fireTrigger(TWEET_IMAGE_TRIGGER, { jobId, photos, batchId: batch.id } satisfies TweetImageEvent, {
      deadline,
      reserveMs: WRITE_BUDGET_MS,
      ignoreCerts: ow.ignoreCerts,
      onRetry: (attempt, waitMs, status) => {
        console.log(`job ${jobId}: ${TWEET_IMAGE_TRIGGER} fire answered ${status}, retry ${attempt} in ${Math.round(waitMs)} ms`);
        // Waiting out OpenWhisk's fire limit is progress of a kind: the job must not be taken for stalled.
        void jobs.touch(jobId).catch(() => undefined);
      },
    });
    return true;
  } catch (error) {
    console.error(`job ${jobId}: batch ${batch.id} (${photos.length} photos) not fired, left to sweep_jobs: ${errorMessage(error)}`);
    await delivery.setDue(jobId, batch.id, Date.now());
    return false;
  }
}

/** One source's photos on their way out: full batches go at once, the rest with `flush` before the source finishes. */
export class PhotoFan {
  private readonly pending: PhotoRef[] = [];
  photos = 0;
  events = 0;

  constructor(
    private readonly stores: SearchStores,
    private readonly jobId: string,
    private readonly source: Source,
    private readonly config: DeliveryConfig,
    private readonly deadline: Deadline,
    private readonly ow: OwConfig,
  ) {}

  private dueAt(): number {
    return Date.now() + this.config.redeliverS * 1000;
  }

  /** Adds a page's photos (and the posts read so far) and fires every batch that is full. */
  async add(found: PhotoRef[], posts: number): Promise<void> {
    this.pending.push(...found);
    const batches: NewBatch[] = [];
    while (this.pending.length >= this.config.photosPerEvent) batches.push(newBatch(this.pending.splice(0, this.config.photosPerEvent)));
    this.photos += await this.stores.jobs.addPhotos(this.jobId, found, batches, this.dueAt(), { source: this.source, posts });
    for (const batch of batches) {
      this.events += 1;
      await fire(this.stores, this.jobId, batch, this.deadline, this.ow);
    }
  }

  /**
   * Photos that will not be fetched: counted as the job's, and recorded as failed at once, with the reason in
   * plain words; the technical detail (which host, which are allowed) is for the operator, in this log only.
   */
  async refuse(refused: RefusedPhoto[], posts: number): Promise<void> {
    const photos = refused.map((r) => r.photo);
    this.photos += await this.stores.jobs.addPhotos(this.jobId, photos, [], this.dueAt(), { source: this.source, posts });
    for (const { photo, reason, detail } of refused) {
      console.log(`job ${this.jobId}: photo not checked: ${detail}`);
      await this.stores.jobs.recordPhoto(this.jobId, photo, { error: reason });
    }
  }

  /** Records the last, partial batch; `finish` runs before it is fired, so the total is final first. */
  async flush(finish: () => Promise<unknown>): Promise<void> {
    const last = this.pending.length > 0 ? newBatch(this.pending.splice(0)) : undefined;
    if (last) await this.stores.jobs.addPhotos(this.jobId, [], [last], this.dueAt());
    await finish();
    if (last) {
      this.events += 1;
      await fire(this.stores, this.jobId, last, this.deadline, this.ow);
    }
  }
}
