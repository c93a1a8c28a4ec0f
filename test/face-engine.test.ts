/**
 * The face engine on real models and the demo photos: loading, matching, boxes, profile rules, memory. Models
 * load once for the whole file (module scope), as in a warm action container.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { DEFAULTS } from '../actions/lib/config';
import { faceRuntime } from '../actions/lib/face/backend';
import { euclideanDistance } from '../actions/lib/face/distance';
import { FaceEngine, type EngineOptions, type Faces } from '../actions/lib/face/engine';
import { BackendError, ModelLoadError, ProfileError } from '../actions/lib/face/errors';
import { defaultWeightsDir, ensureModels } from '../actions/lib/face/models';
import type { FaceBox } from '../actions/lib/types';
import { DEMO_NUMBERS, demoBytes, noFaceImage, sample1Profile, SAMPLE1_FACES, sidewaysSample1, twoFaceProfile, type DemoNumber } from './helpers/images';

const options: EngineOptions = { detectMaxSide: DEFAULTS.detectMaxSide, detectFine: DEFAULTS.detectFine, detectTiles: DEFAULTS.detectTiles, decodeMaxSide: DEFAULTS.decodeMaxSide, maxImagePixels: DEFAULTS.maxImagePixels, maxImageBytes: DEFAULTS.maxImageBytes, downloadTimeoutMs: 1000, imageHosts: [] };
const engine = new FaceEngine(options);

/** Intersection over union: 1 for the same box, 0 for boxes that do not overlap. */
function iou(a: FaceBox, b: FaceBox): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  const inter = Math.max(0, w) * Math.max(0, h);
  return inter / (a.width * a.height + b.width * b.height - inter);
}

const tfjsNodeInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
})();

// Runs first, before any backend loads in this process.
test('a forced backend that does not load is a clear error, and is not remembered', { skip: tfjsNodeInstalled && 'tfjs-node is installed here' }, async () => {
  await assert.rejects(faceRuntime('tensorflow'), (e: unknown) => e instanceof BackendError && /^FINDME_TF_BACKEND is tensorflow, but that backend does not load here: Cannot find module '@tensorflow\/tfjs-node'/.test(e.message));
  const runtime = await faceRuntime();
  assert.equal(runtime.backend, 'wasm', 'unset, the fastest that loads here');
  assert.match(runtime.description, /^backend wasm, SIMD (on|off), tfjs 4\.22\.0, face-api 1\.7\.15/);
  await assert.rejects(faceRuntime('cpu'), /already runs the wasm backend/);
});

test('models: a missing folder is a clear error that is not cached; concurrent first loads share one load', async () => {
  const runtime = await faceRuntime();
  await assert.rejects(ensureModels(runtime, '/nonexistent/weights', ['faceRecognitionNet']), (e: unknown) => e instanceof ModelLoadError && /face_recognition_model-weights_manifest\.json is missing: run `npm run build`/.test(e.message));
  const net = runtime.faceapi.nets.faceRecognitionNet;
  const original = net.loadFromDisk.bind(net);
  let calls = 0;
  net.loadFromDisk = (path) => {
    calls += 1;
    return original(path);
  };
  try {
    await Promise.all([engine.ready(), engine.ready(), ensureModels(runtime, defaultWeightsDir(), ['faceRecognitionNet'])]);
    await engine.ready();
  } finally {
    net.loadFromDisk = original;
  }
  assert.equal(calls, 1);
  assert.equal(net.isLoaded, true);
});

/** The six demo photos' faces, found once (on first use, after the tests above) for the tests below. */
interface Demo {
  photos: Map<DemoNumber, Faces>;
  tensorsAfterFirst: number;
  tensorsAfterAll: number;
}
let demo: Promise<Demo> | undefined;
function demoFaces(): Promise<Demo> {
  demo ??= (async () => {
    const { tf } = await faceRuntime();
    const photos = new Map<DemoNumber, Faces>();
    let tensorsAfterFirst = 0;
    for (const n of DEMO_NUMBERS) {
      photos.set(n, await engine.photoFaces(demoBytes(n)));
      if (n === 1) tensorsAfterFirst = tf.memory().numTensors;
    }
    return { photos, tensorsAfterFirst, tensorsAfterAll: tf.memory().numTensors };
  })();
  return demo;
}

test('the default engine finds every face in the demo photos, boxed in original pixels', async () => {
  const { photos } = await demoFaces();
  const counts = DEMO_NUMBERS.map((n) => photos.get(n)?.faces.length ?? 0);
  const people = [3, 3, 3, 4, 5, 4];
  assert.ok(counts.every((count, i) => count >= people[i]!), `faces found ${JSON.stringify(counts)}, people ${JSON.stringify(people)}`);
  // At most one false detection in the six photos: the windows pass with Tiny 512 tiles at 0.5 confirmed the hair
  // above a face in sample2 (bench/README.md#stage); at 0.7, with no check window for candidates SSD would have
  // seen surely, it finds none here (2026-12-07; at 0.85 with the gate too, and with the proposer's score at 0.01).
  assert.ok(counts.reduce((a, b) => a + b) - people.reduce((a, b) => a + b) <= 1, `false detections: ${JSON.stringify(counts)}`);
  const sample1 = photos.get(1)!;
  assert.deepEqual([sample1.width, sample1.height], [1920, 1280]);
  for (const expected of SAMPLE1_FACES) {
    assert.ok(sample1.faces.some((f) => iou(f.box, expected) > 0.8), `a face near ${JSON.stringify(expected)}`);
  }
  for (const face of sample1.faces) assert.equal(face.descriptor.length, 128);
});

test('each face of sample1 as a 400 px and a 96 px profile matches sample1, the closest photo', async (t) => {
  const threshold = DEFAULTS.matchThreshold;
  const { photos } = await demoFaces();
  for (const [index, cropped] of SAMPLE1_FACES.entries()) {
    for (const size of [400, 96]) {
      const profile = await engine.profileDescriptor(await sample1Profile(index, size));
      const closest = DEMO_NUMBERS.map((n) => {
        const faces = photos.get(n)!.faces.map((face) => ({ box: face.box, distance: euclideanDistance(profile, face.descriptor) }));
        return { n, best: faces.sort((a, b) => a.distance - b.distance)[0]!, faces };
      });
      const label = `face ${index} at ${size} px`;
      const sample1 = closest[0]!;
      assert.ok(sample1.best.distance <= threshold, `${label}: sample1 at ${sample1.best.distance}`);
      assert.ok(iou(sample1.best.box, cropped) > 0.8, `${label}: the matching face is the one cropped`);
      for (const other of closest.slice(1)) assert.ok(other.best.distance > sample1.best.distance, `${label}: sample${other.n} is closer`);
      const falseMatches = closest.flatMap(({ n, faces }) =>
        faces.filter((f) => f.distance <= threshold && !(n === 1 && iou(f.box, cropped) > 0.8)).map((f) => `sample${n} ${f.distance.toFixed(3)}`),
      );
      t.diagnostic(`${label}: true ${sample1.best.distance.toFixed(3)}; false matches at ${threshold}: ${falseMatches.join(', ') || 'none'}`);
    }
  }
});

test('running photos leaks no tensors', async () => {
  const { tensorsAfterFirst, tensorsAfterAll } = await demoFaces();
  assert.ok(tensorsAfterFirst > 0);
  assert.equal(tensorsAfterAll, tensorsAfterFirst);
});

test('a photo stored sideways with an EXIF orientation is boxed in upright pixels', async () => {
  const faces = await engine.photoFaces(await sidewaysSample1());
  assert.deepEqual([faces.width, faces.height], [1920, 1280]);
  assert.equal(faces.faces.length, 3);
  for (const expected of SAMPLE1_FACES) assert.ok(faces.faces.some((f) => iou(f.box, expected) > 0.7), `a face near ${JSON.stringify(expected)}`);
});

test('a profile picture with no face, or two faces of similar size, is a ProfileError', async () => {
  await assert.rejects(engine.profileDescriptor(await noFaceImage()), (e: unknown) => e instanceof ProfileError && e.code === 'no-face' && e.message === 'profile picture: no face found');
  await assert.rejects(engine.profileDescriptor(await twoFaceProfile()), (e: unknown) => e instanceof ProfileError && e.code === 'several-faces' && /several faces of similar size \(2 found\)/.test(e.message));
  await assert.rejects(engine.profileDescriptor(Buffer.from('not an image')), (e: unknown) => e instanceof ProfileError && e.code === 'unreadable' && /cannot be read: not an image/.test(e.message));
});

test('a group photo refused as a profile picture is refused with the number of faces it shows', async () => {
  const group = demoBytes(1);
  const shown = (await engine.photoFaces(group)).faces.length;
  assert.equal(shown, SAMPLE1_FACES.length);
  await assert.rejects(engine.profileDescriptor(group), (e: unknown) => e instanceof ProfileError && e.code === 'several-faces' && e.message.includes(`(${shown} found)`));
});

test('the detector is an option: the Tiny detector runs and caches under another signature', async () => {
  const tiny = new FaceEngine({ ...options, detector: { detector: 'tiny', inputSize: 416 } });
  assert.notEqual(tiny.signature, engine.signature);
  const faces = await tiny.photoFaces(demoBytes(1));
  assert.equal(faces.faces.length, 3);
  assert.throws(() => new FaceEngine({ ...options, detector: { detector: 'tiny', inputSize: 400 } }), /multiple of 32/);
});
