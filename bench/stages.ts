/**
 * compare_images' work on one photo, timed by stage in the rows of the original FindMe table: initialisation
 * (process start or call → TensorFlow backend ready), model loading, image loading (read + decode + shrink),
 * face detection (detector, landmarks, descriptors), everything else (matching, boxes, the result).
 */
import { faceConfig } from '../actions/lib/config';
import { faceRuntime } from '../actions/lib/face/backend';
import { decodeImage, toOriginalBox } from '../actions/lib/face/decode';
import { DEFAULT_DETECTOR, detectFaces, netsFor, type DetectorOptions } from '../actions/lib/face/detect';
import { closestFace } from '../actions/lib/face/distance';
import { defaultWeightsDir, ensureModels } from '../actions/lib/face/models';

export const STAGES = ['initialisation', 'model loading', 'image loading', 'face detection', 'everything else'] as const;
export type StageTimes = Record<(typeof STAGES)[number] | 'total', number>;

export interface StageOptions {
  detector?: DetectorOptions;
  /** When the clock starts: the process start for a cold run. */
  since?: number;
}

/**
 * Wall-clock per stage, and the CPU time of the whole call (of the process since it started, for a cold run):
 * on a shared machine wall-clock grows with other people's load, CPU time much less.
 */
export async function timeStages(photo: Buffer, profile: Float32Array | undefined, options: StageOptions = {}): Promise<StageTimes & { cpuMs: number; faces: number; backend: string }> {
  const config = faceConfig({});
  const detector = options.detector ?? DEFAULT_DETECTOR;
  const cpu0 = options.since === undefined ? process.cpuUsage() : { user: 0, system: 0 };
  const t0 = options.since ?? performance.now();
  const runtime = await faceRuntime(config.tfBackend);
  const t1 = performance.now();
  await ensureModels(runtime, config.weightsDir ?? defaultWeightsDir(), netsFor(detector.detector));
  const t2 = performance.now();
  const image = await decodeImage(photo, { maxPixels: config.maxImagePixels, maxSide: config.detectMaxSide, pad: 0 });
  const t3 = performance.now();
  const faces = await detectFaces(runtime, image, detector);
  const t4 = performance.now();
  const boxes = faces.map((f) => ({ box: toOriginalBox(image, f.box), descriptor: f.descriptor }));
  const best = profile ? closestFace(profile, boxes) : undefined;
  JSON.stringify({ faces: boxes.map((b) => b.box), best: best?.distance });
  const t5 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    initialisation: t1 - t0,
    'model loading': t2 - t1,
    'image loading': t3 - t2,
    'face detection': t4 - t3,
    'everything else': t5 - t4,
    total: t5 - t0,
    faces: faces.length,
    backend: runtime.backend,
  };
}
