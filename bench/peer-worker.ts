/**
 * face-api.js 0.22.2 (the library the original FindMe used) on its own pure-JS tfjs 1.7 backend, in a process of
 * its own: tfjs keeps its engine in a global, and 1.7 and 4.x in one process take over each other's kernels.
 * Reads the raw RGB photos the parent decoded, runs detection + landmarks + descriptors on each, and prints one
 * JSON line: load time, and per photo the time, the boxes and the descriptors.
 *
 * Usage: peer-worker <weights dir> <photos.json>, where photos.json is [{file, width, height}].
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface PeerApi {
  tf: { tensor3d(data: Int32Array, shape: number[], dtype: string): { dispose(): void }; getBackend(): string; version_core: string };
  nets: Record<'ssdMobilenetv1' | 'faceLandmark68Net' | 'faceRecognitionNet', { loadFromDisk(dir: string): Promise<void> }>;
  SsdMobilenetv1Options: new (o: { minConfidence: number }) => unknown;
  detectAllFaces(input: unknown, options: unknown): {
    withFaceLandmarks(): { withFaceDescriptors(): Promise<Array<{ detection: { box: { x: number; y: number; width: number; height: number } }; descriptor: Float32Array }>> };
  };
}

const [weights, list] = process.argv.slice(2);
if (!weights || !list) throw new Error('usage: peer-worker <weights dir> <photos.json>');
const photos = JSON.parse(readFileSync(list, 'utf8')) as Array<{ file: string; width: number; height: number }>;

// tfjs 1.7 greets Node users with a banner about tfjs-node on stdout, where our JSON goes.
const print = console.log;
console.log = (...args: unknown[]) => console.error(...args);
const faceapi = createRequire(import.meta.url)('face-api.js') as PeerApi;

const loadStart = performance.now();
for (const net of ['ssdMobilenetv1', 'faceLandmark68Net', 'faceRecognitionNet'] as const) await faceapi.nets[net].loadFromDisk(weights);
const loadMs = performance.now() - loadStart;

const results = [];
for (const photo of photos) {
  // The same pixels and the same tensor type as findme's engine hands its face-api.
  const input = faceapi.tf.tensor3d(Int32Array.from(readFileSync(photo.file)), [photo.height, photo.width, 3], 'int32');
  const start = performance.now();
  const cpu = process.cpuUsage();
  const found = await faceapi.detectAllFaces(input, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 })).withFaceLandmarks().withFaceDescriptors();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  input.dispose();
  // Box exposes its sides as getters, so they are copied one by one.
  results.push({ ms, cpuMs: (used.user + used.system) / 1000, faces: found.map(({ detection: { box }, descriptor }) => ({ box: { x: box.x, y: box.y, width: box.width, height: box.height }, descriptor: Array.from(descriptor) })) });
  console.error(`face-api.js: photo ${results.length}/${photos.length}: ${found.length} faces in ${Math.round(ms)} ms`);
}
print(JSON.stringify({ version: `face-api.js 0.22.2, tfjs-core ${faceapi.tf.version_core}, ${faceapi.tf.getBackend()} backend`, loadMs, results }));
