/**
 * A face's distance to the user, from all of their reference faces, and the band it falls in. The nearest
 * reference decides (bench/README.md#references: it beat the mean of the two nearest); `match` is sure, `maybe`
 * is shown for the user to review, anything farther is no match.
 */
import type { Band } from '../types';
import { euclideanDistance } from './distance';

/** How a face's distances to the references become one: the nearest, or the mean of the k nearest. */
export type Combine = 'nearest' | { meanOfNearest: number };

export function userDistance(references: readonly Float32Array[], descriptor: Float32Array, combine: Combine = 'nearest'): number {
  if (references.length === 0) throw new RangeError('no reference faces to compare with');
  const distances = references.map((r) => euclideanDistance(r, descriptor)).sort((a, b) => a - b);
  if (combine === 'nearest') return distances[0]!;
  const k = Math.min(distances.length, Math.max(1, combine.meanOfNearest));
  return distances.slice(0, k).reduce((sum, d) => sum + d, 0) / k;
}

/** The face nearest the user, with its distance; null when there are no faces. */
export function closestToUser<T extends { descriptor: Float32Array }>(references: readonly Float32Array[], faces: readonly T[], combine: Combine = 'nearest'): { face: T; distance: number } | null {
  let best: { face: T; distance: number } | null = null;
  for (const face of faces) {
    const distance = userDistance(references, face.descriptor, combine);
    if (!best || distance < best.distance) best = { face, distance };
  }
  return best;
}

export interface Thresholds {
  matchThreshold: number;
  maybeThreshold: number;
}

/** The band of a distance, or undefined when it is no match at all. */
export function bandFor(distance: number, { matchThreshold, maybeThreshold }: Thresholds): Band | undefined {
  if (distance <= matchThreshold) return 'match';
  if (distance <= maybeThreshold) return 'maybe';
  return undefined;
}
