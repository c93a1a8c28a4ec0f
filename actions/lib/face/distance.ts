/** Euclidean distance between two descriptors: face-api's measure of likeness (smaller is more alike). */
export function euclideanDistance(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`descriptors differ in length: ${a.length} and ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/** The face most like `profile`, with its distance; null when there are no faces. */
export function closestFace<T extends { descriptor: Float32Array }>(profile: Float32Array, faces: readonly T[]): { face: T; distance: number } | null {
  let best: { face: T; distance: number } | null = null;
  for (const face of faces) {
    const distance = euclideanDistance(profile, face.descriptor);
    if (!best || distance < best.distance) best = { face, distance };
  }
  return best;
}
