/**
 * The engine's detectors (ssd.ts, tiny.ts: face-api's nets run layer by layer) against face-api's own
 * `detectAllFaces` on the demo photos, at every detector setting the engine uses: the same faces, boxes within a
 * hundredth of a pixel and scores within 1e-4 (float rounding: batch norm folded into the filters), in a
 * fraction of the tensor memory a pass holds at its peak (tf.profile's peakBytes, printed).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as FaceApi from '@vladmandic/face-api';
import { faceRuntime, type FaceRuntime } from '../actions/lib/face/backend';
import { decodeImage, type RgbImage } from '../actions/lib/face/decode';
import { detectBoxes, type DetectorOptions } from '../actions/lib/face/detect';
import { defaultWeightsDir, ensureModels } from '../actions/lib/face/models';
import type { FaceBox } from '../actions/lib/types';
import { demoBytes } from './helpers/images';

const runtime = await faceRuntime();
await ensureModels(runtime, defaultWeightsDir(), ['ssdMobilenetv1', 'tinyFaceDetector']);

async function faceApiBoxes({ tf, faceapi }: FaceRuntime, image: RgbImage, options: DetectorOptions): Promise<Array<{ box: FaceBox; score: number }>> {
  const input = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
  try {
    const detectorOptions =
      options.detector === 'tiny'
        ? new faceapi.TinyFaceDetectorOptions({ inputSize: options.inputSize, scoreThreshold: options.minConfidence })
        : new faceapi.SsdMobilenetv1Options({ minConfidence: options.minConfidence, maxResults: 100 });
    const found = await faceapi.detectAllFaces(input as unknown as FaceApi.TNetInput, detectorOptions);
    return found.map((d) => ({ box: { x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height }, score: d.score }));
  } finally {
    input.dispose();
  }
}

async function peakMb(run: () => Promise<unknown>): Promise<number> {
  const profile = await runtime.tf.profile(async () => {
    await run();
  });
  return profile.peakBytes / 2 ** 20;
}

// The engine's settings: SSD on the photo at 640 px (and low, as the windows pass keeps its weak boxes), Tiny as
// the cascade's first pass, the windows proposer and its check.
const settings: Array<{ options: DetectorOptions; side: number }> = [
  { options: { detector: 'ssd', inputSize: 416, minConfidence: 0.5 }, side: 640 },
  { options: { detector: 'ssd', inputSize: 416, minConfidence: 0.1 }, side: 640 },
  { options: { detector: 'tiny', inputSize: 416, minConfidence: 0.2 }, side: 416 },
  { options: { detector: 'tiny', inputSize: 512, minConfidence: 0.05 }, side: 512 },
  { options: { detector: 'tiny', inputSize: 224, minConfidence: 0.5 }, side: 224 },
];

for (const { options, side } of settings) {
  const name = `${options.detector}${options.detector === 'tiny' ? ` ${options.inputSize}` : ''} @${options.minConfidence}`;
  test(`${name}: the same detections as face-api's on demo photos 1, 4 and 6 at ${side} px, in less tensor memory`, async () => {
    const peaks: string[] = [];
    let compared = 0;
    for (const n of [1, 4, 6] as const) {
      const image = await decodeImage(demoBytes(n), { maxPixels: 40e6, maxSide: side, pad: 0 });
      const theirs = await faceApiBoxes(runtime, image, options);
      const ours = await detectBoxes(runtime, image, options);
      compared += theirs.length;
      assert.equal(ours.length, theirs.length, `demo photo ${n}: ${ours.length} detections, face-api ${theirs.length}`);
      for (const [i, t] of theirs.entries()) {
        const o = ours[i]!;
        for (const key of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(o.box[key] - t.box[key]) < 0.01, `demo photo ${n}, detection ${i}: ${key} ${o.box[key]} against ${t.box[key]}`);
        assert.ok(Math.abs(o.score - t.score) < 1e-4, `demo photo ${n}, detection ${i}: score ${o.score} against ${t.score}`);
      }
      // The peak depends on the input's size, not its content: one photo tells it.
      if (n !== 1) continue;
      const [theirPeak, ourPeak] = [await peakMb(() => faceApiBoxes(runtime, image, options)), await peakMb(() => detectBoxes(runtime, image, options))];
      peaks.push(`${ourPeak.toFixed(0)}/${theirPeak.toFixed(0)}`);
      assert.ok(ourPeak < theirPeak, `demo photo ${n}: a pass peaks at ${ourPeak.toFixed(1)} MB of tensors, face-api's at ${theirPeak.toFixed(1)} MB`);
    }
    assert.ok(compared > 0, 'face-api finds faces to compare');
    console.log(`# ${name} at ${side} px: peak tensor MB (weights included), ours/face-api's, demo photo 1: ${peaks.join(', ')}; ${compared} detections compared`);
  });
}

test('Tiny at its own size: a 4 : 3 image padded only to whole cells gives the detections of its square input at the same scale', async () => {
  // A square input of the image's longer side (a multiple of 32) is the same image at the same scale, with more
  // black below it: the same net over the same pixels, so the same faces in the same places.
  const decoded = await decodeImage(demoBytes(1), { maxPixels: 40e6, maxSide: 768, pad: 0 });
  assert.equal(decoded.width, 768, 'demo photo 1 is wider than tall');
  // 500 rows: not whole cells, so the net's input is padded below in both.
  const image: RgbImage = { data: decoded.data.subarray(0, 768 * 500 * 3), width: 768, height: 500 };
  const options: DetectorOptions = { detector: 'tiny', inputSize: 768, minConfidence: 0.3 };
  const square = await detectBoxes(runtime, image, options);
  const own = await detectBoxes(runtime, image, options, true);
  assert.ok(square.length >= 3, `${square.length} detections at 768 px`);
  assert.equal(own.length, square.length);
  for (const [i, s] of square.entries()) {
    for (const key of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(own[i]!.box[key] - s.box[key]) < 0.5, `detection ${i}: ${key} ${own[i]!.box[key]} against ${s.box[key]}`);
    assert.ok(Math.abs(own[i]!.score - s.score) < 1e-3, `detection ${i}: score ${own[i]!.score} against ${s.score}`);
  }
  await assert.rejects(detectBoxes(runtime, image, { detector: 'ssd', inputSize: 416, minConfidence: 0.5 }, true), /SSD sees only its own square input/);
});
