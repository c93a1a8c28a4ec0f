/**
 * The face models, loaded from files once per process and kept in face-api's module scope, so warm activations
 * run with no loading at all. Each net loads on first need (the Tiny detector never loads where SSD is used),
 * concurrent first calls share one load, and a failed load is forgotten so that the next call tries again.
 *
 * face-api's `loadFromDisk` reads the manifest and the .bin shards with fs. A file-backed `fetch` (the other way
 * to load offline) measured no faster here — ≈ 320 ms vs ≈ 350 ms median for all four nets — and would mean
 * replacing the global `fetch` that tfjs uses for the shards, so loadFromDisk it is.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../errors';
import type { FaceRuntime } from './backend';
import { ModelLoadError } from './errors';

/** face-api's nets, by their property in `faceapi.nets`, with the file-name stem each loads. */
export const MODEL_FILES = {
  ssdMobilenetv1: 'ssd_mobilenetv1_model',
  tinyFaceDetector: 'tiny_face_detector_model',
  faceLandmark68Net: 'face_landmark_68_model',
  faceRecognitionNet: 'face_recognition_model',
} as const;
export type NetName = keyof typeof MODEL_FILES;

const loads = new Map<NetName, Promise<void>>();

/**
 * The project's weights/ (filled by `npm run build`), found by walking up from this code: it runs from the
 * sources (tsx) and from dist/actions/ bundles, at different depths. The Docker image sets FINDME_WEIGHTS_DIR.
 */
export function defaultWeightsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'weights', 'manifest.json'))) return join(dir, 'weights');
    const parent = dirname(dir);
    if (parent === dir) throw new ModelLoadError('weights/', 'no weights/ folder above the code; set FINDME_WEIGHTS_DIR to the folder holding the face models');
    dir = parent;
  }
}

async function loadNet(runtime: FaceRuntime, weightsDir: string, name: NetName): Promise<void> {
  const manifest = join(weightsDir, `${MODEL_FILES[name]}-weights_manifest.json`);
  if (!existsSync(manifest)) {
    throw new ModelLoadError(weightsDir, `${manifest} is missing: run \`npm run build\` to fill weights/, or point FINDME_WEIGHTS_DIR at the models`);
  }
  try {
    await runtime.faceapi.nets[name].loadFromDisk(weightsDir);
  } catch (error) {
    throw new ModelLoadError(weightsDir, `loading ${name} from ${weightsDir} failed: ${errorMessage(error)}`);
  }
}

/** Resolves when every named net is loaded. */
export async function ensureModels(runtime: FaceRuntime, weightsDir: string, names: readonly NetName[]): Promise<void> {
  await Promise.all(
    names.map((name) => {
      let load = loads.get(name);
      if (!load) {
        load = loadNet(runtime, weightsDir, name);
        const mine = load;
        loads.set(name, mine);
        mine.catch(() => {
          if (loads.get(name) === mine) loads.delete(name);
        });
      }
      return load;
    }),
  );
}
