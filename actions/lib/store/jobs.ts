/**
 * The job store: every read and write of a search job, its photos and its matches. All updates are Lua scripts
 * (scripts/), so concurrent actions cannot lose a count, count a photo twice, or move a finished job.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isTerminal, parseFailureRecord, parseJobRecord, parseJobReferences, parseMatchRecord, WireError, type FailureRecord, type JobRecord, type JobStatus, type MatchRecord, type PhotoRef, type Source } from '../types';
import type { UserLimits } from '../config';
import type { NewBatch } from './batches';
import { jobScriptKeys, type Keys } from './keys';
import { nextOnceToken } from './call';
import { runOnce, runOnceReply, runScript, ScriptCode, type OnceScriptName } from './scripts';

/** The job does not exist (never created, or expired). */
export class UnknownJobError extends Error {
  override readonly name = 'UnknownJobError';
  constructor(readonly jobId: string) {
    super(`job ${jobId} does not exist (or has expired)`);
  }
}

/** The job has already finished; nothing may change it. */
export class FinishedJobError extends Error {
  override readonly name = 'FinishedJobError';
  constructor(readonly jobId: string) {
    super(`job ${jobId} has already finished`);
  }
}

/** A photo outcome for a photo that the job's search never found. */
export class PhotoNotInJobError extends Error {
  override readonly name = 'PhotoNotInJobError';
  constructor(
    readonly jobId: string,
    readonly imageUrl: string,
  ) {
    super(`photo ${imageUrl} is not part of job ${jobId}`);
  }
}

/** A cursor that is not one this store handed out. */
export class CursorError extends Error {
  override readonly name = 'CursorError';
  constructor(readonly cursor: string) {
    super(`cursor must be a non-negative whole number as returned by search_status, got "${cursor}"`);
  }
}

export type PhotoOutcome = { matches: MatchRecord[] } | { error: string };

/** Searches "My searches" lists at most: the newest. */
export const MAX_LISTED = 50;

/** Failure reasons kept per job: enough to see what went wrong, bounded however many photos fail. */
export const MAX_FAILURES = 50;

export interface NewJob {
  owner: string;
  hashtag: string;
  pictureUrl: string;
  /** The sources to search (default X only, as before there were others). */
  sources?: Source[];
  /** The id `admit` reserved; default a new one. */
  id?: string;
  /**
   * Hex descriptors of the owner's reference faces when the search starts: the search compares with these, so
   * later edits do not change it. None: the profile picture is the one face (as before references).
   */
  references?: string[];
}

/** How a source's search ended: finished (with what it left out, if anything) or failed with why. */
export interface SourceEnd {
  posts?: number;
  note?: string;
  failed?: boolean;
}

/** What startSource made of a search_request: started now, already started or over (redelivered), or not asked for. */
export type SourceStart = 'started' | 'handled' | 'not-requested';

export type Admission = { jobId: string } | { refused: string; retryAfterS: number };

/** The window of the per-minute limit. */
const USER_WINDOW_MS = 60_000;
/** A user held back by running searches is asked to come back after this long. */
const RUNNING_RETRY_S = 30;

export interface MatchPage {
  /** Newest first. */
  matches: MatchRecord[];
  cursor: string;
}

/** Stable identity of a photo within a job. */
export function photoHash(imageUrl: string): string {
  return createHash('sha256').update(imageUrl).digest('hex').slice(0, 32);
}

/** A new job's hash fields: the record's, the sources as "x,mastodon" and each one's `src:<source>:status`. */
function jobFields(job: JobRecord): Record<string, string | number> {
  const { sources, searchDone: _, imageHosts: __, ...rest } = job;
  const fields: Record<string, string | number> = { ...rest, sources: sources.map((s) => s.source).join(',') };
  for (const s of sources) fields[`src:${s.source}:status`] = s.status;
  return fields;
}

/**
 * The records that parse; one that does not is logged and left out (and left in Redis as it is): one damaged
 * entry must not make a whole search's results unreadable.
 */
function readable<T>(items: string[], parse: (item: string, index: number) => T): T[] {
  const records: T[] = [];
  items.forEach((item, i) => {
    try {
      records.push(parse(item, i));
    } catch (error) {
      if (!(error instanceof WireError)) throw error;
      console.error(`unreadable record left out: ${error.message}`);
    }
  });
  return records;
}

/** A script's return code, or the error its negative codes stand for. */
function scriptResult(code: number, jobId: string, imageUrl = ''): number {
  if (code === ScriptCode.UnknownJob) throw new UnknownJobError(jobId);
  if (code === ScriptCode.Terminal) throw new FinishedJobError(jobId);
  if (code === ScriptCode.NotInJob) throw new PhotoNotInJobError(jobId, imageUrl);
  return code;
}

export class JobStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly opts: { jobTtlS: number; now?: () => number },
  ) {}

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  /** Runs a once-script under the current call's next token (store/call.ts). */
  private once(name: OnceScriptName, keys: string[], args: Array<string | number>): Promise<number> {
    return runOnce(this.redis, name, this.keys.once(nextOnceToken()), keys, args);
  }

  /** What every job script takes, in the order scripts/job-helpers.lua documents: so each write can expire them all. */
  private jobKeys(jobId: string): string[] {
    return jobScriptKeys(this.keys, jobId);
  }

  async create(input: NewJob): Promise<JobRecord> {
    const job: JobRecord = {
      id: input.id ?? randomUUID(),
      owner: input.owner,
      hashtag: input.hashtag,
      pictureUrl: input.pictureUrl,
      status: 'queued',
      created: this.now(),
      updated: this.now(),
      total: 0,
      searchDone: false,
      processed: 0,
      failed: 0,
      matched: 0,
      sources: (input.sources ?? ['x']).map((source) => ({ source, status: 'pending', posts: 0, photos: 0 })),
    };
    if (job.sources.length === 0) throw new Error('a job needs at least one source');
    const key = this.keys.job(job.id);
    const index = this.keys.ownerJobs(job.owner);
    await this.redis
      .multi()
      .hset(key, { ...jobFields(job), searchDone: '0', ...(input.references?.length ? { references: JSON.stringify(input.references) } : {}) })
      .expire(key, this.opts.jobTtlS)
      // The owner's index lives as long as their newest job; entries older than any job can be are dropped here.
      .zadd(index, job.created, job.id)
      .zremrangebyscore(index, '-inf', job.created - this.opts.jobTtlS * 1000)
      .expire(index, this.opts.jobTtlS)
      .exec();
    return job;
  }

  /**
   * Admits a new search of `owner` under the per-user limits: the id to create it with, or why not and when to
   * come back. The id is the one the script admitted (a repeat of the call answers with the first one's).
   */
  async admit(owner: string, limits: UserLimits): Promise<Admission> {
    const args = [this.now(), USER_WINDOW_MS, limits.userPerMinute, limits.userRunning, randomUUID(), this.keys.job('{id}'), this.opts.jobTtlS * 1000];
    const once = this.keys.once(nextOnceToken());
    const [code, value] = (await runOnceReply(this.redis, 'admitSearch', once, [this.keys.userSearches(owner)], args)) as [number, (number | string)?];
    if (code === 1) return { jobId: String(value) };
    if (code === 2) return { refused: `you started ${limits.userPerMinute} searches in the last minute, the most allowed`, retryAfterS: Math.max(1, Math.ceil(Number(value) / 1000)) };
    return { refused: `you have ${Number(value)} searches running, the most allowed at once: wait for one to finish`, retryAfterS: RUNNING_RETRY_S };
  }

  /**
   * The owner's searches that still exist, newest first, at most `limit` (a bound however many they ran). A job
   * that expired is skipped, and so is any job whose record names another owner.
   */
  async listOwned(owner: string, limit = MAX_LISTED): Promise<JobRecord[]> {
    const ids = await this.redis.zrevrange(this.keys.ownerJobs(owner), 0, limit - 1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.job(id));
    const hashes = (await pipeline.exec()) ?? [];
    const jobs: JobRecord[] = [];
    ids.forEach((id, i) => {
      const [error, hash] = hashes[i] ?? [];
      if (error) throw error;
      const job = parseJobRecord(id, hash as Record<string, string>);
      if (job && job.owner === owner) jobs.push(job);
    });
    return jobs;
  }

  /**
   * Cancels a job that has not finished: its remaining photos are skipped (the actions see a finished job), what
   * it found stays. Returns the job as it is afterwards; a job that had already ended is left as it was.
   */
  async cancel(jobId: string): Promise<JobRecord> {
    await this.changeStatus(jobId, 'cancelled', '', 0).catch((error: unknown) => {
      if (!(error instanceof FinishedJobError)) throw error;
    });
    return this.require(jobId);
  }

  async get(jobId: string): Promise<JobRecord | null> {
    return parseJobRecord(jobId, await this.redis.hgetall(this.keys.job(jobId)));
  }

  /**
   * The reference descriptors (hex) the job was started with; empty when it compares with the profile picture.
   * A field of the job's hash, so it expires with the job; not part of JobRecord, whose readers never need it.
   */
  async references(jobId: string): Promise<string[]> {
    const text = await this.redis.hget(this.keys.job(jobId), 'references');
    if (!text) return [];
    return parseJobReferences(text, `job ${jobId}.references`);
  }

  async require(jobId: string): Promise<JobRecord> {
    const job = await this.get(jobId);
    if (!job) throw new UnknownJobError(jobId);
    return job;
  }

  /** The source's search begins (the job, if queued, is searching). */
  async startSource(jobId: string, source: Source): Promise<SourceStart> {
    const code = await this.once('startSource', this.jobKeys(jobId), [this.now(), this.opts.jobTtlS, source]);
    if (code === ScriptCode.NotRequested) return 'not-requested';
    return scriptResult(code, jobId) === ScriptCode.Ok ? 'started' : 'handled';
  }

  /**
   * Adds photos the search found and, in the same step, records `batches` (about to be fired) as outstanding,
   * due at `dueAt` unless settled by then; returns how many photos were new to the job.
   */
  async addPhotos(jobId: string, photos: PhotoRef[], batches: NewBatch[] = [], dueAt = this.now(), progress?: { source: Source; posts: number }): Promise<number> {
    if (photos.length === 0 && batches.length === 0 && !progress) return 0;
    const hashes = photos.map((p) => photoHash(p.imageUrl));
    const pairs = batches.flatMap((b) => [b.id, JSON.stringify(b.record)]);
    const args = [this.now(), this.opts.jobTtlS, dueAt, jobId, progress?.source ?? '', progress?.posts ?? 0, hashes.length, ...hashes, ...pairs];
    return scriptResult(await this.once('addPhotos', jobScriptKeys(this.keys, jobId, true), args), jobId);
  }

  /**
   * The source's search is over (`failed`: with `note` as the reason). Once every source of the job is, the total
   * is final and the job is done if every photo is already recorded; its note joins what each source left out.
   * A job every source failed fails with their reasons.
   */
  async finishSource(jobId: string, source: Source, end: SourceEnd = {}): Promise<JobRecord> {
    const args = [this.now(), this.opts.jobTtlS, source, end.failed ? 'failed' : 'done', end.posts ?? 0, end.note ?? ''];
    const code = await this.once('finishSource', this.jobKeys(jobId), args);
    if (code === ScriptCode.NotRequested) throw new Error(`job ${jobId} did not ask for source ${source}`);
    scriptResult(code, jobId);
    return this.require(jobId);
  }

  /**
   * Records one photo's outcome exactly once. `recorded` is false for a duplicate delivery; a photo the search
   * did not find is a PhotoNotInJobError; a finished job a FinishedJobError.
   */
  async recordPhoto(jobId: string, photo: PhotoRef, outcome: PhotoOutcome): Promise<{ recorded: boolean; job: JobRecord }> {
    const args: Array<string | number> = [this.now(), this.opts.jobTtlS, photoHash(photo.imageUrl)];
    if ('error' in outcome) {
      const failure: FailureRecord = { source: photo.source, postUrl: photo.postUrl, imageUrl: photo.imageUrl, reason: outcome.error };
      args.push('failed', JSON.stringify(failure), MAX_FAILURES);
    } else args.push('ok', ...outcome.matches.map((m) => JSON.stringify(m)));
    const code = scriptResult(await this.once('recordPhoto', this.jobKeys(jobId), args), jobId, photo.imageUrl);
    return { recorded: code === ScriptCode.Ok, job: await this.require(jobId) };
  }

  /** Hosts this job's photos may also be downloaded from (a source's own media host), beside FINDME_IMAGE_HOSTS. */
  async addImageHosts(jobId: string, hosts: string[]): Promise<void> {
    scriptResult(await runScript(this.redis, 'touchJob', [this.keys.job(jobId)], [this.now(), ...hosts.map((h) => h.toLowerCase())]), jobId);
  }

  /** Records that work on the job is still going on (so waiting out a limit is not a stall). */
  async touch(jobId: string): Promise<void> {
    scriptResult(await runScript(this.redis, 'touchJob', [this.keys.job(jobId)], [this.now()]), jobId);
  }

  /** Fails a job that has not finished, with the reason; a no-op on a finished or unknown job. */
  async fail(jobId: string, reason: string): Promise<void> {
    await this.changeStatus(jobId, 'failed', reason, 0).catch((error: unknown) => {
      if (!(error instanceof UnknownJobError || error instanceof FinishedJobError)) throw error;
    });
  }

  /**
   * Fails `job` (a record the caller has just read) when nothing has moved for `stallS` seconds, so no job waits
   * forever on a lost event; the change itself is conditional in Redis, so a job that moved meanwhile stays as it
   * is. Returns the job as it is afterwards (null once it has expired).
   */
  async failIfStalled(job: JobRecord, stallS: number): Promise<JobRecord | null> {
    const jobId = job.id;
    if (isTerminal(job.status)) return job;
    if (this.now() - job.updated < stallS * 1000) return job;
    const waiting = job.searchDone ? `${job.total - job.processed - job.failed} of ${job.total} photos unprocessed` : 'the search never finished';
    await this.changeStatus(jobId, 'failed', `stalled: no progress for ${stallS} s (${waiting})`, stallS * 1000).catch((error: unknown) => {
      if (!(error instanceof FinishedJobError)) throw error;
    });
    return this.get(jobId);
  }

  /** Matches recorded after `cursor` (at most `limit`, oldest of them first taken), returned newest first. */
  async matchesAfter(jobId: string, cursor: string | undefined, limit = 200): Promise<MatchPage> {
    const start = cursor === undefined || cursor === '' ? 0 : Number(cursor);
    if (!Number.isSafeInteger(start) || start < 0 || String(start) !== (cursor || '0')) throw new CursorError(cursor ?? '');
    const items = await this.redis.lrange(this.keys.jobMatches(jobId), start, start + limit - 1);
    const matches = readable(items, (item, i) => parseMatchRecord(item, `${this.keys.jobMatches(jobId)}[${start + i}]`)).reverse();
    return { matches, cursor: String(start + items.length) };
  }

  /** The job's match of the photo at `imageUrl` (one per photo), or null; looks at the first `limit` matches. */
  async findMatch(jobId: string, imageUrl: string, limit = 5000): Promise<MatchRecord | null> {
    const items = await this.redis.lrange(this.keys.jobMatches(jobId), 0, limit - 1);
    for (const match of readable(items, (item, i) => parseMatchRecord(item, `${this.keys.jobMatches(jobId)}[${i}]`))) {
      if (match.imageUrl === imageUrl) return match;
    }
    return null;
  }

  /** Why photos of the job could not be checked (the first MAX_FAILURES). */
  async failures(jobId: string): Promise<FailureRecord[]> {
    const items = await this.redis.lrange(this.keys.jobFailures(jobId), 0, MAX_FAILURES - 1);
    return readable(items, (item, i) => parseFailureRecord(item, `${this.keys.jobFailures(jobId)}[${i}]`));
  }

  private async changeStatus(jobId: string, status: JobStatus, error: string, stallMs: number, from = ''): Promise<boolean> {
    const code = await runScript(this.redis, 'setStatus', this.jobKeys(jobId), [this.now(), status, error, this.opts.jobTtlS, stallMs, from]);
    return scriptResult(code, jobId) === ScriptCode.Ok;
  }
}
