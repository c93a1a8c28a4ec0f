/**
 * Decoded pixels → faces: a detector (SSD MobileNet v1 or the Tiny Face Detector), the 68-point landmarks that
 * align each face, and the 128-d descriptor that recognition compares. The detectors are face-api's nets run
 * layer by layer (ssd.ts, tiny.ts), so that a pass's working set is a fraction of face-api's own.
 */
import type { FaceBox } from '../types';
import type { FaceRuntime } from './backend';
import type { RgbImage } from './decode';
import { describeIn } from './describe';
import type { NetName } from './models';
import { SSD_INPUT_SIDE, ssdDetect } from './ssd';
import { tinyDetect } from './tiny';

export type DetectorName = 'ssd' | 'tiny';
export const DETECTORS: readonly DetectorName[] = ['ssd', 'tiny'];

export interface DetectorOptions {
  detector: DetectorName;
  /** Tiny only: the square (a multiple of 32) the detector scales the image to; larger finds smaller faces. */
  inputSize: number;
  /** Detections scoring below this are dropped. */
  minConfidence: number;
}

/**
 * SSD: on the six demo group photos at 640 px it finds every face the Tiny detector finds and more, and profile
 * pictures need its recall (see actions/README.md for the measurements).
 */
export const DEFAULT_DETECTOR: Readonly<DetectorOptions> = Object.freeze({ detector: 'ssd', inputSize: 416, minConfidence: 0.5 });

export interface DetectedFace {
  /** In pixels of the decoded image. */
  box: FaceBox;
  score: number;
  descriptor: Float32Array;
}

let runs = 0;
const passes: Record<DetectorName, number> = { ssd: 0, tiny: 0 };

/** How many photos and pictures this process has run the models on: lets tests prove that a cached photo ran none. */
export function modelRuns(): number {
  return runs;
}

/** How many detector passes this process has run (a photo takes one, or one plus its tiles): of one detector, or all. */
export function detectorPasses(detector?: DetectorName): number {
  return detector ? passes[detector] : passes.ssd + passes.tiny;
}

/** Counts one photo or picture run through the models (however many passes it takes). */
export function countModelRun(): void {
  runs += 1;
}

export function netsFor(...detectors: DetectorName[]): NetName[] {
  return [...new Set(detectors.map((d): NetName => (d === 'ssd' ? 'ssdMobilenetv1' : 'tinyFaceDetector'))), 'faceLandmark68Net', 'faceRecognitionNet'];
}

/** The side of the square a detector scales its input to: more pixels than this in a pass are not seen. */
export function detectorSide(options: DetectorOptions): number {
  return options.detector === 'ssd' ? SSD_INPUT_SIDE : options.inputSize;
}

export function checkDetectorOptions(options: DetectorOptions): void {
  if (!DETECTORS.includes(options.detector)) throw new RangeError(`detector must be one of ${DETECTORS.join(', ')}, got "${String(options.detector)}"`);
  if (options.detector === 'tiny' && !(options.inputSize % 32 === 0 && options.inputSize >= 128 && options.inputSize <= 1024)) {
    throw new RangeError(`the Tiny detector's inputSize must be a multiple of 32 from 128 to 1024, got ${options.inputSize}`);
  }
  if (!(options.minConfidence > 0 && options.minConfidence < 1)) throw new RangeError(`minConfidence must be between 0 and 1, got ${options.minConfidence}`);
}

/**
 * The detector alone (no landmarks, no descriptors): boxes in pixels of `image`, with their scores, strongest
 * first. `ownSize` (Tiny only): the net sees the image at its own size and shape, not scaled to inputSize (the
 * caller has sized it; see tinyDetect).
 */
export async function detectBoxes(runtime: FaceRuntime, image: RgbImage, options: DetectorOptions, ownSize = false): Promise<Array<{ box: FaceBox; score: number }>> {
  passes[options.detector] += 1;
  if (options.detector === 'ssd') {
    if (ownSize) throw new RangeError('SSD sees only its own square input: ownSize is for the Tiny detector');
    return ssdDetect(runtime, image, options.minConfidence);
  }
  return tinyDetect(runtime, image, ownSize ? undefined : options.inputSize, options.minConfidence);
}

/** Every face the detector finds in `image`, with its descriptor from the same pixels. */
export async function detectFaces(runtime: FaceRuntime, image: RgbImage, options: DetectorOptions): Promise<DetectedFace[]> {
  runs += 1;
  const found = await detectBoxes(runtime, image, options);
  const descriptors = await describeIn(runtime, image, found);
  return found.flatMap(({ box, score }, i) => {
    const descriptor = descriptors[i];
    return descriptor ? [{ box, score, descriptor }] : [];
  });
}
