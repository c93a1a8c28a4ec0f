/**
 * Outstanding batches: every `tweet_image` batch a search fans out is recorded (with its photos) when its photos
 * are added, and stays until each of its photos is recorded. OpenWhisk delivers at most once, so the sweeper
 * (sweep_jobs) fires overdue ones again, a bounded number of times; redelivery is safe because recording a photo
 * is idempotent.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { parseBatchRecord, type BatchRecord, type PhotoRef } from '../types';
import { photoHash } from './jobs';
import { jobScriptKeys, type Keys } from './keys';
import { nextOnceToken } from './call';
import { runOnceReply, runScript } from './scripts';

export interface NewBatch {
  id: string;
  record: BatchRecord;
}

export function newBatch(photos: PhotoRef[]): NewBatch {
  return { id: randomUUID().slice(0, 13), record: { photos, hashes: photos.map((p) => photoHash(p.imageUrl)), attempts: 0 } };
}

export interface DueBatch {
  jobId: string;
  batchId: string;
}

export type SweepOutcome =
  | { kind: 'gone' }
  | { kind: 'settled' }
  | { kind: 'outstanding'; unrecorded: number }
  /** The bound on deliveries is spent: the job has failed, naming how many photos were lost. */
  | { kind: 'spent'; unrecorded: number }
  /** Not yet: the job is still recording photos, so this batch is more likely queued than lost. */
  | { kind: 'waiting' }
  /** Fire these photos again: delivery number `attempts` + 1. */
  | { kind: 'redeliver'; attempts: number; photos: PhotoRef[] };

export class DeliveryStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly opts: { jobTtlS: number; now?: () => number },
  ) {}

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  /** Batches due by now, earliest first (at most `limit`). */
  async due(limit: number): Promise<DueBatch[]> {
    const members = await this.redis.zrangebyscore(this.keys.batchesDue(), '-inf', this.now(), 'LIMIT', 0, limit);
    return members.flatMap((member) => {
      const [jobId, batchId] = member.split(' ');
      return jobId && batchId ? [{ jobId, batchId }] : [];
    });
  }

  /** Moves a batch's due time; false when it is already settled. */
  async setDue(jobId: string, batchId: string, dueAt: number): Promise<boolean> {
    return (await runScript(this.redis, 'setBatchDue', [this.keys.jobBatches(jobId), this.keys.batchesDue()], [jobId, batchId, dueAt])) === 1;
  }

  /** Drops the batch if all its photos are recorded. */
  settle(jobId: string, batchId: string): Promise<SweepOutcome> {
    return this.sweep(jobId, batchId, ['settle', 0, 0, 0]);
  }

  /**
   * Counts one more delivery of what is unrecorded, due again `waitMs` later (doubled with each further delivery,
   * at most `longestWaitMs`), or fails the job once `allowed` deliveries after the first are spent.
   */
  redeliver(jobId: string, batchId: string, allowed: number, waitMs: number, longestWaitMs: number): Promise<SweepOutcome> {
    return this.sweep(jobId, batchId, ['redeliver', allowed, waitMs, longestWaitMs]);
  }

  /** The photos of `photos` whose outcome is not recorded yet. */
  async unrecorded(jobId: string, photos: PhotoRef[]): Promise<PhotoRef[]> {
    if (photos.length === 0) return [];
    const recorded = await this.redis.smismember(this.keys.jobPhotos(jobId), ...photos.map((p) => photoHash(p.imageUrl)));
    return photos.filter((_, i) => recorded[i] === 0);
  }

  /** Photos of batches being delivered again that are not recorded yet. */
  async retrying(jobId: string): Promise<number> {
    const batches = Object.entries(await this.redis.hgetall(this.keys.jobBatches(jobId)))
      .map(([id, json]) => parseBatchRecord(json, `batch ${id} of job ${jobId}`))
      .filter((b) => b.attempts > 0);
    const hashes = batches.flatMap((b) => b.hashes);
    if (hashes.length === 0) return 0;
    const recorded = await this.redis.smismember(this.keys.jobPhotos(jobId), ...hashes);
    return recorded.filter((r) => r === 0).length;
  }

  private async sweep(jobId: string, batchId: string, how: [mode: 'settle' | 'redeliver', allowed: number, waitMs: number, longestWaitMs: number]): Promise<SweepOutcome> {
    const keys = jobScriptKeys(this.keys, jobId, true);
    const once = this.keys.once(nextOnceToken());
    const reply = (await runOnceReply(this.redis, 'sweepBatch', once, keys, [this.now(), this.opts.jobTtlS, jobId, batchId, ...how])) as unknown[];
    const code = Number(reply[0]);
    if (code === 0) return { kind: 'gone' };
    if (code === 1) return { kind: 'settled' };
    if (code === 2) return { kind: 'outstanding', unrecorded: Number(reply[1]) };
    if (code === 3) return { kind: 'spent', unrecorded: Number(reply[1]) };
    if (code === 5) return { kind: 'waiting' };
    const json = await this.redis.hget(this.keys.jobBatches(jobId), batchId);
    const batch = parseBatchRecord(json ?? 'null', `batch ${batchId} of job ${jobId}`);
    const left = JSON.parse(String(reply[2])) as number[];
    return { kind: 'redeliver', attempts: Number(reply[1]), photos: left.map((i) => batch.photos[i]!).filter(Boolean) };
  }
}
