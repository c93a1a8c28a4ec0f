/**
 * `findme bench peer`: the same per-photo work — detection, landmarks, descriptors on the same decoded demo
 * photos — with findme's engine (here, warm) and with face-api.js 0.22.2 on its pure-JS tfjs 1.7 backend (the
 * library the original FindMe used; in a child process, see peer-worker.ts), side by side in one run. The ratio
 * is computed from this run, never from stored numbers; the descriptors of the faces both find are compared too,
 * so the two did the same work.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faceConfig } from '../actions/lib/config';
import { faceRuntime } from '../actions/lib/face/backend';
import { decodeImage, type DecodedImage } from '../actions/lib/face/decode';
import { DEFAULT_DETECTOR, detectFaces, netsFor, type DetectedFace } from '../actions/lib/face/detect';
import { euclideanDistance } from '../actions/lib/face/distance';
import { defaultWeightsDir, ensureModels } from '../actions/lib/face/models';
import { PROJECT_ROOT } from '../build/weights';
import type { FaceBox } from '../actions/lib/types';
import { iou } from './boxes';
import { readDemoPhotos } from './demo-photos';
import { describe, finish, machine } from './machine';
import { saveResult } from './results';
import { summarize, table } from './stats';

interface PeerOutput {
  version: string;
  loadMs: number;
  results: Array<{ ms: number; cpuMs: number; faces: Array<{ box: FaceBox; descriptor: number[] }> }>;
}

async function timeOurs(images: DecodedImage[], passes: number): Promise<{ ms: number[]; cpuMs: number[]; faces: DetectedFace[][]; backend: string }> {
  const config = faceConfig({});
  const runtime = await faceRuntime(config.tfBackend);
  await ensureModels(runtime, config.weightsDir ?? defaultWeightsDir(), netsFor('ssd'));
  await detectFaces(runtime, images[0]!, DEFAULT_DETECTOR); // warm: the first inference belongs to a cold start
  const ms: number[] = [];
  const cpuMs: number[] = [];
  let faces: DetectedFace[][] = [];
  for (let pass = 0; pass < passes; pass++) {
    faces = [];
    for (const image of images) {
      const start = performance.now();
      const cpu = process.cpuUsage();
      faces.push(await detectFaces(runtime, image, DEFAULT_DETECTOR));
      ms.push(performance.now() - start);
      const used = process.cpuUsage(cpu);
      cpuMs.push((used.user + used.system) / 1000);
    }
  }
  return { ms, cpuMs, faces, backend: runtime.backend };
}

function runPeer(images: DecodedImage[], weights: string, log: (line: string) => void): Promise<PeerOutput> {
  const dir = mkdtempSync(join(tmpdir(), 'findme-peer-'));
  const list = images.map((image, i) => {
    const file = join(dir, `${i}.rgb`);
    writeFileSync(file, image.data);
    return { file, width: image.width, height: image.height };
  });
  writeFileSync(join(dir, 'photos.json'), JSON.stringify(list));
  return new Promise<PeerOutput>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'peer-worker.ts'), weights, join(dir, 'photos.json')], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      for (const line of chunk.toString().split('\n')) if (line.startsWith('face-api.js: photo')) log(`  ${line}`);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0) return reject(new Error(`face-api.js worker exited with ${code}: ${err.slice(-2000)}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as PeerOutput);
    });
  });
}

/** For each face both found (boxes overlapping by IoU ≥ 0.5), the distance between the two descriptors. */
function agreement(ours: DetectedFace[][], peer: PeerOutput['results']): number[] {
  return peer.flatMap((photo, i) =>
    photo.faces.flatMap((face) => {
      const best = (ours[i] ?? []).map((o) => ({ o, overlap: iou(o.box, face.box) })).sort((a, b) => b.overlap - a.overlap)[0];
      return best && best.overlap >= 0.5 ? [euclideanDistance(best.o.descriptor, Float32Array.from(face.descriptor))] : [];
    }),
  );
}

export async function benchPeer(options: { quick: boolean; photos?: number; log?: (line: string) => void }): Promise<unknown> {
  const log = options.log ?? console.log;
  const m = machine();
  const config = faceConfig({});
  // By default three photos with 3, 4 and 5 faces (samples 1, 4, 5): face-api.js takes about a minute each here.
  const count = options.photos ?? (options.quick ? 1 : 3);
  const all = await readDemoPhotos();
  const photos = [0, 3, 4, 1, 2, 5].map((i) => all[i]!).slice(0, count);
  const images = await Promise.all(photos.map((p) => decodeImage(p, { maxPixels: config.maxImagePixels, maxSide: config.detectMaxSide, pad: 0 })));
  log(`findme on ${images.length} demo photo(s) at ${config.detectMaxSide} px, warm, 3 passes…`);
  const ours = await timeOurs(images, 3);
  log(`face-api.js 0.22.2 on the same pixels, in its own process (slow: tens of seconds a photo)…`);
  const peer = await runPeer(images, config.weightsDir ?? defaultWeightsDir(), log);
  const a = summarize(ours.ms);
  const b = summarize(peer.results.map((r) => r.ms));
  const ratio = b.median / a.median;
  const cpuRatio = summarize(peer.results.map((r) => r.cpuMs)).median / summarize(ours.cpuMs).median;
  const drift = summarize(agreement(ours.faces, peer.results));
  log('');
  log(`Per photo: detection (SSD MobileNet v1) + landmarks + descriptors, ${images.length} demo photo(s) of 1920 px shrunk to ${config.detectMaxSide} px`);
  log(
    table(
      ['library', 'faces per photo', 'median ms/photo', 'spread (p10–p90)', 'model loading'],
      [
        [`findme (@vladmandic/face-api 1.7, tfjs 4.22, ${ours.backend})`, ours.faces.map((f) => f.length).join(' '), String(Math.round(a.median)), `${Math.round(a.p10)}–${Math.round(a.p90)}`, '—'],
        [peer.version, peer.results.map((r) => r.faces.length).join(' '), String(Math.round(b.median)), `${Math.round(b.p10)}–${Math.round(b.p90)}`, `${Math.round(peer.loadMs)} ms`],
      ],
    ),
  );
  log(`same faces: ${drift.n} found by both; descriptor distance between the two libraries: median ${drift.median.toFixed(4)}, max ${drift.max.toFixed(4)}`);
  log(`findme is ${ratio.toFixed(1)}× faster per photo in this run, ${cpuRatio.toFixed(1)}× in CPU time (target ≥ 50×: ${ratio >= 50 ? 'met' : 'not met'})`);
  log(`machine: ${describe(finish(m))}`);
  const result = {
    benchmark: 'peer',
    machine: finish(m),
    photos: images.length,
    maxSide: config.detectMaxSide,
    ours: { backend: ours.backend, ms: a, cpuMs: summarize(ours.cpuMs), faces: ours.faces.map((f) => f.length) },
    peer: { version: peer.version, ms: b, cpuMs: summarize(peer.results.map((r) => r.cpuMs)), faces: peer.results.map((r) => r.faces.length), loadMs: peer.loadMs },
    descriptorDistance: drift,
    ratio,
    cpuRatio,
    target: 50,
  };
  if (!options.quick) saveResult('peer', result);
  return result;
}
