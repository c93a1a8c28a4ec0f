/**
 * The profile picture is the one face findme searches for, so it must show exactly one clear face. Providers
 * serve small variants by default; at 48 px recognition collapses (distances rise ≈ 0.1), at 96 px it holds,
 * so the largest variant is fetched.
 */
import type { FaceBox } from '../types';
import { parseUrl } from '../url';
import { ProfileError } from './errors';

/**
 * The largest face must be this many times the area of the next one; otherwise findme cannot tell whose
 * picture it is (a couple, a group) and says so rather than guess.
 */
export const DOMINANT_FACE_RATIO = 1.5;

/** Pads each side by the picture's size: a canvas 3× as wide and high, so SSD sees a face, not a frame. */
export const PROFILE_PAD = 1;

/** Detections a profile picture may take: padded, then, when that finds no face, as it is. */
export const PROFILE_DETECTIONS = 2;

/** X serves `_normal` (48 px), `_bigger` (73 px), `_mini` (24 px) and `_400x400`; other hosts are left as they are. */
export function largestProfileVariant(pictureUrl: string): string {
  const url = parseUrl(pictureUrl);
  if (!url || url.hostname !== 'pbs.twimg.com' || !url.pathname.startsWith('/profile_images/')) return pictureUrl;
  url.pathname = url.pathname.replace(/_(?:normal|bigger|mini)(\.[a-z0-9]+)?$/i, '_400x400$1');
  return url.href;
}

/** The profile face: the only one, or one clearly larger than the rest. */
export function pickProfileFace<T extends { box: FaceBox }>(faces: T[]): T {
  const bySize = [...faces].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  const [largest, next] = bySize;
  if (!largest) throw new ProfileError('no-face', 'no face found');
  if (next && largest.box.width * largest.box.height < DOMINANT_FACE_RATIO * next.box.width * next.box.height) throw severalFaces(faces.length);
  return largest;
}

export function severalFaces(count: number): ProfileError {
  return new ProfileError('several-faces', `several faces of similar size (${count} found); use a picture of you alone`);
}
