/**
 * `findme bench peer`: the same per-photo work — detection, landmarks, descriptors on the same decoded demo
 * photos — with findme's engine and with face-api.js 0.22.2 on its pure-JS tfjs 1.7 backend (the library the
 * original FindMe used), side by side in one run. The ratio is computed from this run, never from stored numbers.
 */
import { createRequire } from 'node:module';
import { faceConfig } from '../actions/lib/config';
import { faceRuntime } from '../actions/lib/face/backend';
import { decodeImage, type DecodedImage } from '../actions/lib/face/decode';
import { DEFAULT_DETECTOR, detectFaces, netsFor } from '../actions/lib/face/detect';
import { defaultWeightsDir, ensureModels } from '../actions/lib/face/models';
import { readDemoPhotos } from './demo-photos';
import { describe, finish, machine } from './machine';
import { saveResult } from './results';
import { summarize, table } from './stats';

interface PeerApi {
  tf: { tensor3d(data: Uint8Array, shape: number[], dtype: string): { dispose(): void }; getBackend(): string; version_core: string };
  nets: Record<'ssdMobilenetv1' | 'faceLandmark68Net' | 'faceRecognitionNet', { loadFromDisk(dir: string): Promise<void> }>;
  SsdMobilenetv1Options: new (o: { minConfidence: number }) => unknown;
  detectAllFaces(input: unknown, options: unknown): { withFaceLandmarks(): { withFaceDescriptors(): Promise<unknown[]> } };
}

async function timeOurs(images: DecodedImage[], runs: number): Promise<{ ms: number[]; faces: number[]; backend: string }> {
  const config = faceConfig({});
  const runtime = await faceRuntime(config.tfBackend);
  await ensureModels(runtime, config.weightsDir ?? defaultWeightsDir(), netsFor('ssd'));
  await detectFaces(runtime, images[0]!, DEFAULT_DETECTOR);
  const ms: number[] = [];
  let faces: number[] = [];
  for (let r = 0; r < runs; r++) {
    faces = [];
    for (const image of images) {
      const start = performance.now();
      faces.push((await detectFaces(runtime, image, DEFAULT_DETECTOR)).length);
      ms.push(performance.now() - start);
    }
  }
  return { ms, faces, backend: runtime.backend };
}

async function timePeer(images: DecodedImage[], weights: string): Promise<{ ms: number[]; faces: number[]; loadMs: number; version: string }> {
  const require = createRequire(import.meta.url);
  // tfjs 1.7 greets Node users with a banner about tfjs-node; it is not ours to print.
  const log = console.log;
  console.log = () => undefined;
  const faceapi = require('face-api.js') as PeerApi;
  console.log = log;
  const start = performance.now();
  for (const net of ['ssdMobilenetv1', 'faceLandmark68Net', 'faceRecognitionNet'] as const) await faceapi.nets[net].loadFromDisk(weights);
  const loadMs = performance.now() - start;
  const ms: number[] = [];
  const faces: number[] = [];
  for (const image of images) {
    const input = faceapi.tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    const t = performance.now();
    const found = await faceapi.detectAllFaces(input, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 })).withFaceLandmarks().withFaceDescriptors();
    ms.push(performance.now() - t);
    faces.push(found.length);
    input.dispose();
  }
  return { ms, faces, loadMs, version: `face-api.js 0.22.2, tfjs-core ${faceapi.tf.version_core} (${faceapi.tf.getBackend()})` };
}

export async function benchPeer(options: { quick: boolean; runs?: number; log?: (line: string) => void }): Promise<unknown> {
  const log = options.log ?? console.log;
  const m = machine();
  const config = faceConfig({});
  const count = options.runs ?? (options.quick ? 1 : 3);
  const photos = (await readDemoPhotos()).slice(0, count);
  const images = await Promise.all(photos.map((p) => decodeImage(p, { maxPixels: config.maxImagePixels, maxSide: config.detectMaxSide, pad: 0 })));
  log(`findme on ${images.length} photo(s)…`);
  const ours = await timeOurs(images, 3);
  log(`face-api.js 0.22.2 on the same photo(s) (slow: about a minute each)…`);
  const peer = await timePeer(images, config.weightsDir ?? defaultWeightsDir());
  const a = summarize(ours.ms);
  const b = summarize(peer.ms);
  const ratio = b.median / a.median;
  log('');
  log(`Per photo: detection + landmarks + descriptors, ${images.length} demo photo(s) at ${config.detectMaxSide} px, warm`);
  log(
    table(
      ['library', 'faces', 'median ms/photo', 'model loading'],
      [
        [`findme (@vladmandic/face-api, ${ours.backend})`, ours.faces.join(' '), String(Math.round(a.median)), '—'],
        [peer.version, peer.faces.join(' '), String(Math.round(b.median)), `${Math.round(peer.loadMs)} ms`],
      ],
    ),
  );
  log(`findme is ${ratio.toFixed(1)}× faster per photo (target ≥ 50×)`);
  log(`machine: ${describe(finish(m))}`);
  const result = { benchmark: 'peer', machine: finish(m), photos: images.length, ours: { backend: ours.backend, ms: a, faces: ours.faces }, peer: { version: peer.version, ms: b, faces: peer.faces, loadMs: peer.loadMs }, ratio };
  if (!options.quick) saveResult('peer', result);
  return result;
}
