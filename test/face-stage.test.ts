/**
 * Small faces in large photos, on real models: a demo face pasted small into a 2048 px scene is found,
 * recognised and boxed where it was pasted; a photo without a face costs the detector passes the budget counts
 * and nothing more; the cache key changes with whatever changes the faces found.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULTS, faceConfig } from '../actions/lib/config';
import { detectorPasses, modelRuns } from '../actions/lib/face/detect';
import { euclideanDistance } from '../actions/lib/face/distance';
import { FaceEngine, type EngineOptions } from '../actions/lib/face/engine';
import { CROWD_CHECK_WINDOWS, MAX_CHECK_WINDOWS, suppress, tileLayout } from '../actions/lib/face/tiles';
import { FaceCache } from '../actions/lib/store/caches';
import { makeKeys } from '../actions/lib/store/keys';
import type { FaceBox } from '../actions/lib/types';
import { stagePhoto } from '../local/standins/stage-photos';
import { demoBytes, sample1Profile, SAMPLE1_FACES } from './helpers/images';
import { connectRedis, useRedis } from './helpers/redis';

// The fine pass on, SSD on 2 × 2 tiles (FINDME_DETECT_FINE=ssd, FINDME_DETECT_TILES=2), whatever the default.
const config = { ...faceConfig({}), detectFine: 'ssd' as const, detectTiles: 2 };
const engine = FaceEngine.fromConfig(config);
// The windows pass with some settings changed.
const windowsWith = (settings: Partial<EngineOptions>) => new FaceEngine({ ...FaceEngine.fromConfig({ ...config, detectFine: 'windows' }).options, ...settings });
const center = (b: { x: number; y: number; width: number; height: number }) => ({ x: b.x + b.width / 2, y: b.y + b.height / 2 });
const iou = (p: FaceBox, q: FaceBox) => {
  const w = Math.max(0, Math.min(p.x + p.width, q.x + q.width) - Math.max(p.x, q.x));
  const h = Math.max(0, Math.min(p.y + p.height, q.y + q.height) - Math.max(p.y, q.y));
  return (w * h) / (p.width * p.height + q.width * q.height - w * h);
};

test('tiles cover the photo with overlap; none for a photo the whole-photo pass sees near full size', () => {
  const tiles = tileLayout(2048, 1536, 2, 512);
  assert.equal(tiles.length, 4);
  for (const t of tiles) assert.ok(t.left >= 0 && t.top >= 0 && t.left + t.width <= 2048 && t.top + t.height <= 1536, JSON.stringify(t));
  // Every pixel is in a tile, and the two columns overlap.
  assert.equal(Math.min(...tiles.map((t) => t.left)), 0);
  assert.equal(Math.max(...tiles.map((t) => t.left + t.width)), 2048);
  assert.equal(Math.max(...tiles.map((t) => t.top + t.height)), 1536);
  assert.ok(tiles[0]!.left + tiles[0]!.width > tiles[1]!.left, 'columns overlap');
  assert.deepEqual(tileLayout(800, 600, 2, 512), [], 'a 460 px tile would be upscaled for SSD');
  assert.deepEqual(tileLayout(4096, 3072, 1, 512), [], 'one tile is the whole photo');
  assert.equal(tileLayout(4032, 3024, 2, 512).length, 4);
});

test('NMS keeps the best box of a face and drops a partial box inside it, but keeps a neighbour', () => {
  const whole = { box: { x: 100, y: 100, width: 50, height: 60 }, score: 0.9 };
  const partial = { box: { x: 100, y: 100, width: 30, height: 60 }, score: 0.95 };
  const neighbour = { box: { x: 160, y: 100, width: 50, height: 60 }, score: 0.7 };
  assert.deepEqual(suppress([whole, neighbour, { ...whole, score: 0.8 }]), [whole, neighbour]);
  assert.equal(suppress([whole, partial]).length, 1);
});

test('a demo face pasted 48 px wide into a 2048 × 1536 photo is found, recognised and boxed where it was pasted', { timeout: 120_000 }, async () => {
  const profile = await engine.profileDescriptor(await sample1Profile(0, 400));
  const scene = await stagePhoto([{ photo: demoBytes(1), face: SAMPLE1_FACES[0]!, faceWidth: 48, at: { x: 1300, y: 500 } }], 2048, 1536);
  const pasted = scene.boxes[0]!;
  const found = await engine.photoFaces(scene.jpeg);
  assert.equal(found.width, 2048);
  assert.equal(found.height, 1536);
  assert.equal(found.faces.length, 1, JSON.stringify(found.faces.map((f) => f.box)));
  const face = found.faces[0]!;
  const distance = euclideanDistance(profile, face.descriptor);
  assert.ok(distance <= DEFAULTS.matchThreshold, `distance ${distance.toFixed(3)} > ${DEFAULTS.matchThreshold}`);
  const [a, b] = [center(face.box), center(pasted)];
  assert.ok(Math.hypot(a.x - b.x, a.y - b.y) <= 8, `found ${JSON.stringify(face.box)}, pasted ${JSON.stringify(pasted)}`);
  assert.ok(face.box.width > 0.7 * pasted.width && face.box.width < 1.6 * pasted.width, `found ${JSON.stringify(face.box)}, pasted ${JSON.stringify(pasted)}`);
  // Before the fine pass, this face was not found at all.
  const before = await engine.singlePassFaces(scene.jpeg);
  assert.ok(before.faces.every((f) => euclideanDistance(profile, f.descriptor) > DEFAULTS.matchThreshold), 'the single pass does not recognise it');
});

test('a 2048 px photo with no face costs the detector passes the budget counts (whole photo + 4 tiles) and nothing more', { timeout: 120_000 }, async () => {
  const empty = await stagePhoto([], 2048, 1536, 3);
  await engine.ready();
  const [runsBefore, passesBefore] = [modelRuns(), detectorPasses()];
  const found = await engine.photoFaces(empty.jpeg);
  assert.deepEqual(found.faces, []);
  assert.equal(engine.passes(2048, 1536), 5);
  assert.equal(detectorPasses() - passesBefore, engine.passes(2048, 1536));
  assert.equal(modelRuns() - runsBefore, 1, 'one photo run through the models');
  const small = FaceEngine.fromConfig(config);
  assert.equal(small.passes(640, 480), 1, 'a photo the whole-photo pass sees at full size takes one pass');
});

test('a 2048 px photo with no face costs the cascade its Tiny passes, at most the budget it counts', { timeout: 120_000 }, async () => {
  const cascade = FaceEngine.fromConfig({ ...config, detectFine: 'cascade' });
  const empty = await stagePhoto([], 2048, 1536, 5);
  await cascade.ready();
  const passesBefore = detectorPasses();
  assert.deepEqual((await cascade.photoFaces(empty.jpeg)).faces, []);
  const passes = detectorPasses() - passesBefore;
  assert.equal(cascade.passes(2048, 1536), 9, 'whole photo + 4 Tiny + at most 4 SSD');
  assert.ok(passes >= 5 && passes <= cascade.passes(2048, 1536), `${passes} passes`);
});

test('the windows pass: a demo face pasted 48 px wide is proposed, confirmed in its window and recognised', { timeout: 120_000 }, async () => {
  const windows = FaceEngine.fromConfig({ ...config, detectFine: 'windows' });
  const profile = await windows.profileDescriptor(await sample1Profile(0, 400));
  const scene = await stagePhoto([{ photo: demoBytes(1), face: SAMPLE1_FACES[0]!, faceWidth: 48, at: { x: 1300, y: 500 } }], 2048, 1536);
  const pasted = scene.boxes[0]!;
  const found = await windows.photoFaces(scene.jpeg);
  assert.equal(found.faces.length, 1, JSON.stringify(found.faces.map((f) => f.box)));
  const face = found.faces[0]!;
  // The check detector's boxes are looser than SSD's: the same face, not the same box.
  const [a, b] = [center(face.box), center(pasted)];
  assert.ok(Math.hypot(a.x - b.x, a.y - b.y) <= pasted.width / 2, `found ${JSON.stringify(face.box)}, pasted ${JSON.stringify(pasted)}`);
  assert.ok(iou(face.box, pasted) >= 0.3, `found ${JSON.stringify(face.box)}, pasted ${JSON.stringify(pasted)}`);
  const distance = euclideanDistance(profile, face.descriptor);
  assert.ok(distance <= DEFAULTS.matchThreshold, `distance ${distance.toFixed(3)} > ${DEFAULTS.matchThreshold}`);
});

test('the windows pass costs its proposer tiles (3 × 2 at 2048 × 1536 seen at 0.85, 4 × 4 at 4032 × 3024), the gate, the whole photo and at most 12 + 36 windows', { timeout: 120_000 }, async () => {
  const windows = FaceEngine.fromConfig({ ...config, detectFine: 'windows' });
  assert.equal(windows.tiles(2048, 1536).length, 6, 'Tiny sees a 2048 × 1536 photo at 0.85 on 3 × 2 tiles');
  assert.equal(windows.tiles(4032, 3024).length, 16, 'at most 4 along a side');
  assert.equal(MAX_CHECK_WINDOWS + CROWD_CHECK_WINDOWS, 12 + 36);
  assert.equal(windows.passes(2048, 1536), 1 + 1 + 6 + 48);
  assert.equal(windows.passes(4032, 3024), 1 + 1 + 16 + 48);
  // No pass is larger than the proposer's 768 px: the largest pass sets a container's memory.
  for (const t of windows.tiles(2048, 1536)) assert.ok(Math.max(t.width, t.height) * 0.85 <= 768, `tile ${JSON.stringify(t)} is over 768 px at 0.85`);
  for (const t of windows.tiles(4032, 3024)) assert.ok(768 / Math.max(t.width, t.height) >= 0.7, `tile ${JSON.stringify(t)} of a 4032 px photo is seen under 0.7 to fit 768 px`);
  assert.equal(windows.passes(640, 480), 1, 'a photo the whole-photo pass sees at full size takes one pass');
  const empty = await stagePhoto([], 2048, 1536, 3);
  await windows.ready();
  const passesBefore = detectorPasses();
  assert.deepEqual((await windows.photoFaces(empty.jpeg)).faces, []);
  const passes = detectorPasses() - passesBefore;
  assert.ok(passes >= 7 && passes <= windows.passes(2048, 1536), `${passes} passes`);
});

test('a crowd: 16 demo faces of 40–48 px in a 2048 × 1536 photo are found, more than the 12 windows any candidate may take', { timeout: 180_000 }, async () => {
  const windows = FaceEngine.fromConfig({ ...config, detectFine: 'windows' });
  const placements = Array.from({ length: 16 }, (_, i) => ({ photo: demoBytes(1), face: SAMPLE1_FACES[i % SAMPLE1_FACES.length]!, faceWidth: 40 + (i % 3) * 4, at: { x: 120 + (i % 4) * 480, y: 160 + Math.floor(i / 4) * 350 } }));
  const crowd = await stagePhoto(placements, 2048, 1536, 5);
  const found = (await windows.photoFaces(crowd.jpeg)).faces;
  const hits = crowd.boxes.filter((pasted) => found.some((f) => iou(f.box, pasted) >= 0.3));
  assert.ok(hits.length > MAX_CHECK_WINDOWS, `${hits.length} of 16 found`);
  assert.ok(hits.length >= 14, `${hits.length} of 16 found`);
  assert.ok(found.length - hits.length <= 1, `${found.length - hits.length} false detections`);
});

test('the gated windows pass runs SSD on the whole photo only where the gate or the proposer sees a face too large for the check windows', { timeout: 180_000 }, async () => {
  const gated = windowsWith({ wholeGate: 48 });
  const always = windowsWith({ wholeGate: 0 });
  assert.equal(gated.passes(2048, 1536), always.passes(2048, 1536) + 1, 'the gate is one pass more at most');
  await gated.ready();
  // No face: the Tiny passes only, no SSD.
  const empty = await stagePhoto([], 2048, 1536, 4);
  const all = detectorPasses();
  let ssd = detectorPasses('ssd');
  assert.deepEqual((await gated.photoFaces(empty.jpeg)).faces, []);
  assert.equal(detectorPasses('ssd') - ssd, 0, 'no SSD pass on a photo with no face');
  assert.ok(detectorPasses() - all <= gated.passes(2048, 1536), `${detectorPasses() - all} passes`);
  // A face of 300 px (75 px at SSD's input, no check window's job): SSD runs, and finds it with its own box.
  const scene = await stagePhoto([{ photo: demoBytes(1), face: SAMPLE1_FACES[0]!, faceWidth: 300, at: { x: 900, y: 400 } }], 2048, 1536, 6);
  ssd = detectorPasses('ssd');
  const found = await gated.photoFaces(scene.jpeg);
  assert.equal(detectorPasses('ssd') - ssd, 1, 'one SSD pass on a photo with a large face');
  assert.deepEqual(found, await always.photoFaces(scene.jpeg), 'the same faces, boxes and descriptors as SSD on every photo');
  assert.equal(found.faces.length, 1, JSON.stringify(found.faces.map((f) => f.box)));
  assert.ok(iou(found.faces[0]!.box, scene.boxes[0]!) >= 0.5, `found ${JSON.stringify(found.faces[0]!.box)}, pasted ${JSON.stringify(scene.boxes[0])}`);
});

test('the cache key names what changes the faces found: another fine pass, tiling, tile detector or decode size recomputes', async () => {
  const variants = [
    FaceEngine.fromConfig({ ...config, detectFine: 'off' }),
    FaceEngine.fromConfig({ ...config, detectFine: 'cascade' }),
    new FaceEngine({ ...FaceEngine.fromConfig({ ...config, detectFine: 'cascade' }).options, cascadeDetector: { inputSize: 608 } }),
    new FaceEngine({ ...engine.options, tileOverlap: 0.25 }),
    FaceEngine.fromConfig({ ...config, detectTiles: 0 }),
    FaceEngine.fromConfig({ ...config, detectTiles: 3 }),
    FaceEngine.fromConfig(config, undefined, { detector: 'tiny', inputSize: 416 }),
    FaceEngine.fromConfig({ ...config, decodeMaxSide: 2048 }),
    FaceEngine.fromConfig({ ...config, detectMaxSide: 800 }),
    FaceEngine.fromConfig({ ...config, detectFine: 'windows' }),
    windowsWith({ proposeDetector: { inputSize: 608 } }),
    windowsWith({ proposeOverlap: 0.15 }),
    windowsWith({ checkDetector: { minConfidence: 0.4 } }),
    windowsWith({ checkWindowWidths: 4 }),
    windowsWith({ wholeGate: 24 }),
    windowsWith({ wholeGate: 0 }),
    windowsWith({ proposeScale: 0.7 }),
    windowsWith({ proposeScale: 0.6 }),
    windowsWith({ proposeTiles: 'square' }),
    windowsWith({ proposeTiles: 'square', proposeScale: 0.5, proposeDetector: { inputSize: 512 } }),
  ];
  const signatures = new Set([engine.signature, ...variants.map((v) => v.signature)]);
  assert.equal(signatures.size, variants.length + 1, [...signatures].join(' '));
  assert.equal(FaceEngine.fromConfig(config).signature, engine.signature, 'the same settings share a cache');
  // The fine pass off keeps the signature the engine had before it existed: the default's cache stays valid.
  assert.equal(FaceEngine.fromConfig({ ...config, detectFine: 'off', detectTiles: 5 }).signature, 'ssd-c0.5-s640-d4096-v2');

  const server = await useRedis();
  const redis = connectRedis(server.url);
  const keys = makeKeys(server.prefix);
  const url = 'https://pbs.twimg.com/media/stage?format=jpg&name=large';
  const faces = { width: 2048, height: 1536, faces: [{ box: { x: 1, y: 2, width: 48, height: 60 }, descriptor: new Float32Array(128).fill(0.1) }] };
  await new FaceCache(redis, keys, { ttlS: 60, signature: engine.signature }).setPhoto(url, faces);
  assert.deepEqual(await new FaceCache(redis, keys, { ttlS: 60, signature: engine.signature }).getPhoto(url), faces);
  for (const v of variants) assert.equal(await new FaceCache(redis, keys, { ttlS: 60, signature: v.signature }).getPhoto(url), null, v.signature);
});
