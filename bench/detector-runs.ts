/**
 * The pieces the detector benchmark times: the detector alone, the whole chain through the engine's own
 * `detectFaces`, and the cascade "Tiny first, SSD only where Tiny saw a face". Boxes come back in pixels of the
 * upright original, so settings with different shrink limits can be compared face by face.
 */
import type { FaceRuntime } from '../actions/lib/face/backend';
import { toOriginalBox, type DecodedImage } from '../actions/lib/face/decode';
import { detectBoxes, detectFaces, type DetectorOptions } from '../actions/lib/face/detect';
import type { FaceBox } from '../actions/lib/types';

export interface Found {
  boxes: FaceBox[];
  descriptors: Float32Array[];
}

/** The detector only: no landmarks, no descriptors. */
export async function detectOnly(runtime: FaceRuntime, image: DecodedImage, options: DetectorOptions): Promise<FaceBox[]> {
  return (await detectBoxes(runtime, image, options)).map((d) => toOriginalBox(image, d.box));
}

/** Detector, landmarks and descriptors, exactly as the engine runs them. */
export async function fullChain(runtime: FaceRuntime, image: DecodedImage, options: DetectorOptions): Promise<Found> {
  const faces = await detectFaces(runtime, image, options);
  return { boxes: faces.map((f) => toOriginalBox(image, f.box)), descriptors: faces.map((f) => f.descriptor) };
}

/**
 * Tiny first; where it finds no face, the photo is taken as faceless and SSD never runs; where it finds one, SSD
 * runs the whole chain for its recall. Pays off only if enough photos have no face at all.
 */
export async function cascade(runtime: FaceRuntime, image: DecodedImage, tiny: DetectorOptions, ssd: DetectorOptions): Promise<Found & { ssdRan: boolean }> {
  if ((await detectOnly(runtime, image, tiny)).length === 0) return { boxes: [], descriptors: [], ssdRan: false };
  return { ...(await fullChain(runtime, image, ssd)), ssdRan: true };
}

/** Runs `fn` and returns its result with the wall-clock milliseconds it took. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}
