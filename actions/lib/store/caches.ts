/**
 * What makes warm calls cheap: the profile face's descriptor per user and picture, and every photo's faces per
 * photo URL, so a photo seen before (in this search or another) costs no download and no model run; and per the
 * photo's bytes, so the same file under another URL (cross-posted, reposted, federated to another instance, a
 * second media key) costs a download but no model run: the faces found depend on the bytes and the engine only. Entries
 * expire after FINDME_DESCRIPTOR_TTL_S. An entry that does not parse is a miss (the caller recomputes and
 * overwrites it): a cache may lose data, never corrupt a result. Failures are never cached: a photo that
 * answered 404 once may be there next time.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { decodeDescriptor, DESCRIPTOR_LENGTH, encodeDescriptor } from '../face/descriptor-codec';
import type { Faces } from '../face/engine';
import { parsePhotoFaces, type PhotoFaces } from '../types';
import type { Keys } from './keys';

export interface CacheOptions {
  ttlS: number;
  /**
   * What produced the entries (FaceEngine.signature): part of every key, so faces found by another detector or
   * at another size are never mixed with these.
   */
  signature: string;
}

/** The cached text as Faces, or null when it is not exactly what `setPhoto` writes (parsePhotoFaces, then the hex). */
export function decodePhotoFaces(text: string): Faces | null {
  try {
    const value = parsePhotoFaces(text, 'cached faces');
    const faces = value.faces.map((face) => ({ box: face.box, descriptor: decodeDescriptor(face.descriptor, DESCRIPTOR_LENGTH) }));
    return { width: value.width, height: value.height, faces };
  } catch {
    return null;
  }
}

export function toPhotoFaces(faces: Faces): PhotoFaces {
  return {
    width: faces.width,
    height: faces.height,
    faces: faces.faces.map((face) => ({ box: face.box, descriptor: encodeDescriptor(face.descriptor) })),
  };
}

export class FaceCache {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly opts: CacheOptions,
  ) {}

  private hash(url: string): string {
    return createHash('sha256').update(`${this.opts.signature}\n${url}`).digest('hex');
  }

  /** Not a URL's hash: a URL never starts with "bytes ". */
  private bytesHash(bytes: Buffer): string {
    return createHash('sha256').update(`${this.opts.signature}\nbytes ${createHash('sha256').update(bytes).digest('hex')}`).digest('hex');
  }

  private warnCorrupt(key: string): void {
    console.error(`cache entry ${key} is not readable; recomputing it`);
  }

  async getProfile(owner: string, pictureUrl: string): Promise<Float32Array | null> {
    const key = this.keys.profileDescriptor(owner, this.hash(pictureUrl));
    const hex = await this.redis.get(key);
    if (hex === null) return null;
    try {
      return decodeDescriptor(hex, DESCRIPTOR_LENGTH);
    } catch {
      this.warnCorrupt(key);
      return null;
    }
  }

  async setProfile(owner: string, pictureUrl: string, descriptor: Float32Array): Promise<void> {
    await this.redis.set(this.keys.profileDescriptor(owner, this.hash(pictureUrl)), encodeDescriptor(descriptor), 'EX', this.opts.ttlS);
  }

  async getPhoto(imageUrl: string): Promise<Faces | null> {
    return this.read(this.keys.photoFaces(this.hash(imageUrl)));
  }

  /** The faces of a photo with exactly these bytes, whatever its URL was. */
  async getPhotoBytes(bytes: Buffer): Promise<Faces | null> {
    return this.read(this.keys.photoFaces(this.bytesHash(bytes)));
  }

  private async read(key: string): Promise<Faces | null> {
    const text = await this.redis.get(key);
    if (text === null) return null;
    const faces = decodePhotoFaces(text);
    if (!faces) this.warnCorrupt(key);
    return faces;
  }

  /** Under the URL, and, given the bytes they were found in, under those too. */
  async setPhoto(imageUrl: string, faces: Faces, bytes?: Buffer): Promise<void> {
    const text = JSON.stringify(toPhotoFaces(faces));
    const write = this.redis.multi().set(this.keys.photoFaces(this.hash(imageUrl)), text, 'EX', this.opts.ttlS);
    if (bytes) write.set(this.keys.photoFaces(this.bytesHash(bytes)), text, 'EX', this.opts.ttlS);
    await write.exec();
  }
}
