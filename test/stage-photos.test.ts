/** The stage-photo builder (no models): scenes of the asked size, faces pasted where their boxes say. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { demoStagePhotos, seededNoise, stagePhoto } from '../local/standins/stage-photos';
import { demoBytes, SAMPLE1_FACES } from './helpers/images';

test('a face pasted 48 px wide lands where its box says, in a scene of the asked size', async () => {
  const scene = await stagePhoto([{ photo: demoBytes(1), face: SAMPLE1_FACES[0]!, faceWidth: 48, at: { x: 300, y: 200 } }], 2048, 1536);
  const meta = await sharp(scene.jpeg).metadata();
  assert.deepEqual([meta.width, meta.height, meta.format], [2048, 1536, 'jpeg']);
  assert.deepEqual(scene.boxes, [{ x: 300, y: 200, width: 48, height: Math.round((48 * SAMPLE1_FACES[0]!.height) / SAMPLE1_FACES[0]!.width) }]);
  // The pasted face is not the scene's dark texture.
  // stats() reads its input, not the pipeline: cut first.
  const region = async (left: number, top: number) => sharp(await sharp(scene.jpeg).extract({ left, top, width: 48, height: 60 }).png().toBuffer()).stats();
  const [stats, background] = [await region(300, 200), await region(1500, 1000)];
  assert.ok(stats.channels[0]!.mean > background.channels[0]!.mean + 30, `${stats.channels[0]!.mean} vs ${background.channels[0]!.mean}`);
  await assert.rejects(stagePhoto([{ photo: demoBytes(1), face: SAMPLE1_FACES[0]!, faceWidth: 2 }], 100, 100), /face width of at least 4 px/);
});

test('the demo stage photos: the user on stage twice, crowds of the other faces, the user in one crowd', async () => {
  const photo = demoBytes(1);
  const built = await demoStagePhotos({ photo, faces: SAMPLE1_FACES, face: SAMPLE1_FACES[0]! }, [{ photo, faces: SAMPLE1_FACES }]);
  assert.deepEqual(built.map((b) => [b.name, b.user]), [
    ['stage-speaker-48.jpg', 0],
    ['stage-speaker-64.jpg', 0],
    ['stage-crowd-1.jpg', -1],
    ['stage-crowd-2.jpg', 1],
    ['stage-crowd-3.jpg', -1],
  ]);
  assert.equal(built[0]!.boxes[0]!.width, 48);
  assert.equal(built[1]!.boxes[0]!.width, 64);
  for (const b of built) for (const box of b.boxes) assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= 2048 && box.y + box.height <= 1536, `${b.name} ${JSON.stringify(box)}`);
});

test('a scene is the same for the same seed and another for another seed; its texture has the asked mean and spread', async () => {
  const placements = [{ photo: demoBytes(1), face: SAMPLE1_FACES[0]!, faceWidth: 48 }];
  const [a, b, c] = [await stagePhoto(placements, 640, 480, 3), await stagePhoto(placements, 640, 480, 3), await stagePhoto(placements, 640, 480, 4)];
  assert.ok(a.jpeg.equals(b.jpeg), 'the same seed made two different composites');
  assert.ok(!a.jpeg.equals(c.jpeg), 'two seeds made the same composite');
  const noise = seededNoise(200, 100, 3, 60, 18, 7);
  assert.equal(noise.length, 200 * 100 * 3);
  assert.ok(noise.equals(seededNoise(200, 100, 3, 60, 18, 7)));
  assert.ok(!noise.equals(seededNoise(200, 100, 3, 60, 18, 8)), 'the seed does not change the noise');
  const mean = noise.reduce((sum, v) => sum + v, 0) / noise.length;
  const sd = Math.sqrt(noise.reduce((sum, v) => sum + (v - mean) ** 2, 0) / noise.length);
  assert.ok(Math.abs(mean - 60) < 1 && Math.abs(sd - 18) < 1, `mean ${mean}, sd ${sd}`);
});
