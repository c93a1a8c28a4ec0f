/** Box overlap, to tell whether two detections (two detectors, two libraries, two sizes) are the same face. */
import type { FaceBox } from '../actions/lib/types';

/** Intersection over union of two boxes in the same pixels: 1 for the same box, 0 for disjoint ones. */
export function iou(a: FaceBox, b: FaceBox): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/**
 * Detections against reference faces, greedily by overlap: how many reference faces were found, and how many
 * detections match none (false faces, or faces the reference missed). `minIou` 0.3 allows for the detectors'
 * different box shapes (Tiny's boxes are squarer than SSD's).
 */
export function matchFaces(found: FaceBox[], reference: FaceBox[], minIou = 0.3): { hits: number; extra: number; pairs: Array<[number, number]> } {
  const candidates = found.flatMap((f, i) => reference.map((r, j) => ({ i, j, overlap: iou(f, r) }))).filter((c) => c.overlap >= minIou);
  candidates.sort((a, b) => b.overlap - a.overlap);
  const usedF = new Set<number>();
  const usedR = new Set<number>();
  const pairs: Array<[number, number]> = [];
  for (const c of candidates) {
    if (usedF.has(c.i) || usedR.has(c.j)) continue;
    usedF.add(c.i);
    usedR.add(c.j);
    pairs.push([c.i, c.j]);
  }
  return { hits: pairs.length, extra: found.length - pairs.length, pairs };
}
