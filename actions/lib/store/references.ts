/**
 * A user's reference faces: at most MAX_REFERENCES descriptors (with a small crop of each face for the page),
 * owner-only by key, expiring FINDME_REFERENCE_TTL_S after the last change. Photos are never stored. Adding and
 * removing are Lua scripts: the count check and the write are one step, and removing the profile picture's
 * reference also records that it was removed, so it is not offered again.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { MAX_REFERENCES, parseReferenceRecord, PROFILE_REFERENCE_ID, type ReferenceRecord, type ReferenceSource } from '../types';
import type { Keys } from './keys';
import { nextOnceToken } from './call';
import { runOnce, runOnceReply, ScriptCode } from './scripts';

export class TooManyReferencesError extends Error {
  override readonly name = 'TooManyReferencesError';
  constructor(readonly max: number) {
    super(`you already have ${max} reference faces, the most allowed: delete one first`);
  }
}

export class UnknownReferenceError extends Error {
  override readonly name = 'UnknownReferenceError';
  constructor(readonly id: string) {
    super(`no reference face "${id.slice(0, 40)}" among yours`);
  }
}

export interface NewReference {
  source: ReferenceSource;
  descriptor: string;
  thumbnail: string;
}

export class ReferenceStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly opts: { referenceTtlS: number; now?: () => number },
  ) {}

  /** The owner's references, oldest first; an entry that does not parse is skipped (and logged), never served. */
  async list(owner: string): Promise<ReferenceRecord[]> {
    const hash = await this.redis.hgetall(this.keys.references(owner));
    const records: ReferenceRecord[] = [];
    for (const [id, json] of Object.entries(hash)) {
      try {
        records.push(parseReferenceRecord(json, `reference ${id}`));
      } catch (error) {
        console.error(`owner ${owner}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return records.sort((a, b) => a.added - b.added || a.id.localeCompare(b.id));
  }

  /** Whether the owner removed the profile picture's reference (so it is not computed again). */
  async profileRemoved(owner: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.profileReferenceRemoved(owner))) === 1;
  }

  /**
   * Adds a reference (the profile picture's under its fixed id); returns it, or null when it was not added (the
   * profile reference exists or was removed). A TooManyReferencesError when the owner has MAX_REFERENCES.
   */
  async add(owner: string, input: NewReference): Promise<ReferenceRecord | null> {
    const id = input.source === 'profile' ? PROFILE_REFERENCE_ID : randomBytes(6).toString('hex');
    const record: ReferenceRecord = { id, ...input, added: this.opts.now ? this.opts.now() : Date.now() };
    const args = [id, JSON.stringify(record), MAX_REFERENCES, this.opts.referenceTtlS, input.source === 'profile' ? '1' : '0'];
    const keys = [this.keys.references(owner), this.keys.profileReferenceRemoved(owner)];
    const [code, stored] = (await runOnceReply(this.redis, 'addReference', this.keys.once(nextOnceToken()), keys, args)) as [number, string?];
    if (code === ScriptCode.TooManyReferences) throw new TooManyReferencesError(MAX_REFERENCES);
    // The record as the first run of this call stored it: a repeat made its own id and time, which were not stored.
    return code === ScriptCode.Ok ? parseReferenceRecord(String(stored), `reference ${id}`) : null;
  }

  /** Removes one of the owner's references at once; an UnknownReferenceError for an id they do not have. */
  async remove(owner: string, id: string): Promise<void> {
    const keys = [this.keys.references(owner), this.keys.profileReferenceRemoved(owner)];
    const code = await runOnce(this.redis, 'removeReference', this.keys.once(nextOnceToken()), keys, [id, this.opts.referenceTtlS, PROFILE_REFERENCE_ID]);
    if (code === ScriptCode.UnknownReference) throw new UnknownReferenceError(id);
  }
}
