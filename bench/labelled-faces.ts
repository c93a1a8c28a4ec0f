/**
 * A labelled folder of `identity/photo` images, described the way findme sees them: each photo as a posted photo
 * (its largest face) and, cropped around that face and shrunk, as a profile picture at several sizes, each
 * through the engine's own profile path (padding, one dominant face).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import type { FaceEngine } from '../actions/lib/face/engine';
import type { FaceBox } from '../actions/lib/types';

export const PROBE_SIZES = [400, 96, 48] as const;
export type ProbeSize = (typeof PROBE_SIZES)[number];

export interface Sample {
  identity: string;
  /** The part of the identity before its first `_` (fr, bbt): sets that differ in kind are reported apart. */
  group: string;
  file: string;
  /** The photo's face as compare_images would store it; undefined when none is found. */
  gallery: Float32Array | undefined;
  /** The face as a profile picture of each size; undefined when the engine refuses it. */
  probes: Partial<Record<ProbeSize, Float32Array>>;
}

export function listImages(dir: string): Array<{ identity: string; file: string }> {
  return readdirSync(dir)
    .filter((d) => statSync(join(dir, d)).isDirectory())
    .sort()
    .flatMap((identity) =>
      readdirSync(join(dir, identity))
        .filter((f) => /\.(jpe?g|png|webp)$/i.test(f))
        .sort()
        .map((f) => ({ identity, file: join(dir, identity, f) })),
    );
}

export function largest<T extends { box: FaceBox }>(faces: T[]): T | undefined {
  return [...faces].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0];
}

/** A profile picture: a square around the face with some margin, as people frame them, at `size` px. */
export async function profileCrop(bytes: Buffer, box: FaceBox, width: number, height: number, size: number): Promise<Buffer> {
  const side = Math.min(Math.round(Math.max(box.width, box.height) * 1.8), width, height);
  const left = Math.max(0, Math.min(width - side, Math.round(box.x + box.width / 2 - side / 2)));
  const top = Math.max(0, Math.min(height - side, Math.round(box.y + box.height / 2 - side / 2)));
  return sharp(bytes).rotate().extract({ left, top, width: side, height: side }).resize(size, size).jpeg({ quality: 88 }).toBuffer();
}

export async function describeSample(engine: FaceEngine, identity: string, file: string): Promise<Sample> {
  const bytes = readFileSync(file);
  const sample: Sample = { identity, group: identity.split('_')[0]!, file, gallery: undefined, probes: {} };
  const photo = await engine.photoFaces(bytes).catch(() => undefined);
  let face = photo && largest(photo.faces);
  let width = photo?.width ?? 0;
  let height = photo?.height ?? 0;
  if (!face) {
    // A tight crop (the bbt_* set) fills the frame: detect it as a profile picture is detected, on a padded canvas.
    const descriptor = await engine.profileDescriptor(bytes).catch(() => undefined);
    if (!descriptor) return sample;
    const meta = await sharp(bytes).rotate().metadata();
    width = meta.width ?? 0;
    height = meta.height ?? 0;
    face = { box: { x: 0, y: 0, width, height }, descriptor };
  }
  sample.gallery = face.descriptor;
  for (const size of PROBE_SIZES) {
    const crop = await profileCrop(bytes, face.box, width, height, size);
    const probe = await engine.profileDescriptor(crop).catch(() => undefined);
    if (probe) sample.probes[size] = probe;
  }
  return sample;
}
