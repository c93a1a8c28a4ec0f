/**
 * Chooses the TensorFlow backend once per process and loads the matching face-api build. tfjs-node (native,
 * fastest) exists only in the Docker image; elsewhere the WASM backend runs, with the plain-JS cpu backend as the
 * last resort. Everything here is loaded with `require` at run time: these packages are provided by the runtime,
 * never bundled (build/build.ts), and tfjs-node is not even installable on every machine.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as FaceApi from '@vladmandic/face-api';
import type * as Tf from '@tensorflow/tfjs';
import type * as TfWasm from '@tensorflow/tfjs-backend-wasm';
import { TF_BACKENDS, type TfBackendName } from '../config';
import { errorMessage } from '../errors';
import { BackendError } from './errors';

export interface FaceRuntime {
  backend: TfBackendName;
  tf: typeof Tf;
  faceapi: typeof FaceApi;
  /** One line for logs: backend, SIMD, versions. */
  description: string;
}

const require = createRequire(import.meta.url);

let current: { promise: Promise<FaceRuntime> } | undefined;

/**
 * Where the chosen backend is told: stderr by default (`findme match` writes JSON lines to stdout, and OpenWhisk
 * keeps both streams in the logs). The CLI silences it without --verbose: "Cannot find module
 * '@tensorflow/tfjs-node'" in a note reads like an error to someone who only ran a command.
 */
let reportBackend: (line: string) => void = (line) => console.error(line);

export function setBackendReporter(report: (line: string) => void): void {
  reportBackend = report;
}

async function loadTensorflow(): Promise<FaceRuntime> {
  const tf = require('@tensorflow/tfjs-node') as typeof Tf;
  const faceapi = require('@vladmandic/face-api/dist/face-api.node.js') as typeof FaceApi;
  await tf.ready();
  if (tf.getBackend() !== 'tensorflow') throw new Error(`tfjs-node loaded but the active backend is ${tf.getBackend()}`);
  return { backend: 'tensorflow', tf, faceapi, description: `backend tensorflow (native), tfjs ${tf.version.tfjs}, face-api ${faceapi.version}` };
}

async function loadJs(backend: 'wasm' | 'cpu'): Promise<FaceRuntime> {
  const tf = require('@tensorflow/tfjs') as typeof Tf;
  const faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js') as typeof FaceApi;
  let simd = '';
  if (backend === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof TfWasm;
    // The .wasm files ship in the package's dist/ (its `main` lives there); without this tfjs would fetch them
    // from a CDN. The trailing slash matters: tfjs appends file names to it.
    wasm.setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') returned false`);
  await tf.ready();
  if (backend === 'wasm') {
    // Threads are never available in Node (tfjs forces one), so parallelism comes from more containers.
    simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? ', SIMD on' : ', SIMD off';
  }
  return { backend, tf, faceapi, description: `backend ${backend}${simd}, tfjs ${tf.version.tfjs}, face-api ${faceapi.version}` };
}

function loader(backend: TfBackendName): Promise<FaceRuntime> {
  return backend === 'tensorflow' ? loadTensorflow() : loadJs(backend);
}

async function choose(requested: TfBackendName | undefined): Promise<FaceRuntime> {
  if (requested) {
    try {
      return await loader(requested);
    } catch (error) {
      throw new BackendError(requested, `FINDME_TF_BACKEND is ${requested}, but that backend does not load here: ${errorMessage(error)}`);
    }
  }
  const failures: string[] = [];
  for (const backend of TF_BACKENDS) {
    try {
      const runtime = await loader(backend);
      if (failures.length > 0) runtime.description += ` (not available: ${failures.join('; ')})`;
      return runtime;
    } catch (error) {
      failures.push(`${backend}: ${errorMessage(error).split('\n')[0]}`);
    }
  }
  throw new BackendError('any', `no TensorFlow backend loads here: ${failures.join('; ')}`);
}

/**
 * The process's runtime. The first call decides the backend (`requested`, else the fastest that loads) and logs
 * it once; concurrent first calls share that load, and a failed load is forgotten so the next call tries again.
 * Asking later for a different backend than the one running is an error: tfjs holds one set of models per process.
 */
export async function faceRuntime(requested?: TfBackendName): Promise<FaceRuntime> {
  if (!current) {
    const entry = { promise: choose(requested) };
    current = entry;
    entry.promise.then(
      (runtime) => reportBackend(`face engine: ${runtime.description}`),
      () => {
        if (current === entry) current = undefined;
      },
    );
  }
  const runtime = await current.promise;
  if (requested && runtime.backend !== requested) {
    throw new BackendError(requested, `FINDME_TF_BACKEND is ${requested}, but this process already runs the ${runtime.backend} backend`);
  }
  return runtime;
}
