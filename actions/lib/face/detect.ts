/**
 * Decoded pixels → faces: a detector (SSD MobileNet v1 or the Tiny Face Detector), the 68-point landmarks that
 * align each face, and the 128-d descriptor that recognition compares. The input tensor is disposed however
 * detection ends; face-api disposes its own intermediates.
 */
import type * as FaceApi from '@vladmandic/face-api';
import type { FaceBox } from '../types';
import type { FaceRuntime } from './backend';
import type { RgbImage } from './decode';
import type { NetName } from './models';

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
let passes = 0;

/** How many photos and pictures this process has run the models on: lets tests prove that a cached photo ran none. */
export function modelRuns(): number {
  return runs;
}

/** How many detector passes this process has run (a photo takes one, or one plus its tiles). */
export function detectorPasses(): number {
  return passes;
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

/** SSD MobileNet v1 in face-api pads its input to a square and scales it to 512 × 512. */
export const SSD_INPUT_SIDE = 512;

export function checkDetectorOptions(options: DetectorOptions): void {
  if (!DETECTORS.includes(options.detector)) throw new RangeError(`detector must be one of ${DETECTORS.join(', ')}, got "${String(options.detector)}"`);
  if (options.detector === 'tiny' && !(options.inputSize % 32 === 0 && options.inputSize >= 128 && options.inputSize <= 1024)) {
    throw new RangeError(`the Tiny detector's inputSize must be a multiple of 32 from 128 to 1024, got ${options.inputSize}`);
  }
  if (!(options.minConfidence > 0 && options.minConfidence < 1)) throw new RangeError(`minConfidence must be between 0 and 1, got ${options.minConfidence}`);
}

/** face-api's options for a detector setting (exported for the detector benchmark, which times the detector alone). */
export function detectorOptions(faceapi: typeof FaceApi, options: DetectorOptions): FaceApi.FaceDetectionOptions {
  if (options.detector === 'tiny') return new faceapi.TinyFaceDetectorOptions({ inputSize: options.inputSize, scoreThreshold: options.minConfidence });
  return new faceapi.SsdMobilenetv1Options({ minConfidence: options.minConfidence, maxResults: 100 });
}

export async function detectFaces(runtime: FaceRuntime, image: RgbImage, options: DetectorOptions): Promise<DetectedFace[]> {
  const { tf, faceapi } = runtime;
  const input = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
  runs += 1;
  passes += 1;
  try {
    // face-api declares its own copy of the tfjs types; the tensor is the same object at run time.
    const results = await faceapi
      .detectAllFaces(input as unknown as FaceApi.TNetInput, detectorOptions(faceapi, options))
      .withFaceLandmarks()
      .withFaceDescriptors();
    return results.map(({ detection, descriptor }) => ({
      box: { x: detection.box.x, y: detection.box.y, width: detection.box.width, height: detection.box.height },
      score: detection.score,
      // A copy: the result arrays belong to face-api and may share a buffer.
      descriptor: Float32Array.from(descriptor),
    }));
  } finally {
    input.dispose();
  }
}

/** The detector alone (no landmarks, no descriptors): boxes in pixels of `image`, with their scores. */
export async function detectBoxes(runtime: FaceRuntime, image: RgbImage, options: DetectorOptions): Promise<Array<{ box: FaceBox; score: number }>> {
  const { tf, faceapi } = runtime;
  const input = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
  passes += 1;
  try {
    const found = await faceapi.detectAllFaces(input as unknown as FaceApi.TNetInput, detectorOptions(faceapi, options));
    return found.map((d) => ({ box: { x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height }, score: d.score }));
  } finally {
    input.dispose();
  }
}
