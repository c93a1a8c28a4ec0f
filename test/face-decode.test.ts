import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodeImage, toOriginalBox, type DecodeOptions } from '../actions/lib/face/decode';
import type { PhotoErrorCode } from '../actions/lib/face/errors';
import { demoBytes, pixelBombPng, rejectsWithPhotoError, sidewaysSample1, truncatedJpeg, twoFrameGif } from './helpers/images';

const options: DecodeOptions = { maxPixels: 40_000_000, maxSide: 640 };

function refused(bytes: Buffer, code: PhotoErrorCode, message: RegExp, opts = options): Promise<void> {
  return rejectsWithPhotoError(decodeImage(bytes, opts), code, message);
}

test('a photo is shrunk to the max side as RGB, remembering its original size', async () => {
  const image = await decodeImage(demoBytes(1), options);
  assert.deepEqual([image.width, image.height, image.originalWidth, image.originalHeight], [640, 427, 1920, 1280]);
  assert.equal(image.data.length, 640 * 427 * 3);
  const box = toOriginalBox(image, { x: 100, y: 50, width: 60, height: 80 });
  assert.deepEqual(box, { x: 300, y: 150, width: 180, height: 240 });
  const small = await decodeImage(await sharp(demoBytes(1)).resize(300).toBuffer(), options);
  assert.deepEqual([small.width, small.height], [300, 200], 'never enlarged');
});

test('padding puts the picture in the middle of a canvas 3× its size; boxes come back in its pixels', async () => {
  const square = await sharp(demoBytes(1)).extract({ left: 300, top: 250, width: 400, height: 400 }).jpeg().toBuffer();
  const image = await decodeImage(square, { ...options, pad: 1 });
  assert.deepEqual([image.width, image.height, image.innerWidth, image.offsetX], [639, 639, 213, 213]);
  const corner = image.data.subarray(0, 3);
  assert.deepEqual([...corner], [128, 128, 128], 'the padding is neutral grey');
  const box = toOriginalBox(image, { x: 213 + 10, y: 213 + 20, width: 100, height: 500 });
  assert.equal(box.x, Math.round((10 * 400) / 213));
  assert.equal(box.y + box.height, 400, 'clipped to the picture');
});

test('EXIF orientation is applied: a sideways-stored photo comes out upright', async () => {
  const image = await decodeImage(await sidewaysSample1(), options);
  assert.deepEqual([image.originalWidth, image.originalHeight, image.width, image.height], [1920, 1280, 640, 427]);
  const upright = await decodeImage(demoBytes(1), options);
  // Same picture, same way up: pixels agree closely (JPEG re-encoding aside).
  let diff = 0;
  for (let i = 0; i < upright.data.length; i += 97) diff += Math.abs(upright.data[i]! - image.data[i]!);
  assert.ok(diff / (upright.data.length / 97) < 12, `mean difference ${diff / (upright.data.length / 97)}`);
});

test('only the first frame of a GIF is decoded', async () => {
  const image = await decodeImage(await twoFrameGif(demoBytes(1)), options);
  assert.deepEqual([image.originalWidth, image.originalHeight], [480, 320]);
  const grey = image.data.every((v) => Math.abs(v - 128) < 8);
  assert.equal(grey, false, 'the first frame is the photo, not the grey second frame');
});

test('WebP and PNG decode; transparency is flattened onto grey', async () => {
  const webp = await sharp(demoBytes(2)).webp().toBuffer();
  assert.equal((await decodeImage(webp, options)).originalWidth, 1920);
  const clear = await sharp({ create: { width: 20, height: 10, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
  const image = await decodeImage(clear, options);
  assert.deepEqual([...image.data.subarray(0, 3)], [128, 128, 128]);
});

test('bad bytes are refused with the reason', async () => {
  await refused(Buffer.from('<html>Not found</html>'), 'not-an-image', /^not an image \(JPEG, PNG, WebP or GIF expected\)$/);
  await refused(Buffer.alloc(0), 'empty', /empty \(0 bytes\)/);
  await refused(truncatedJpeg(), 'truncated', /the image is truncated/);
  const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
  await refused(svg, 'unsupported-format', /svg images are not accepted/);
  const tiff = await sharp(demoBytes(1)).resize(50).tiff().toBuffer();
  await refused(tiff, 'unsupported-format', /tiff images are not accepted/);
});

test('a pixel bomb is refused from its header, before any pixel is decoded', async () => {
  // The PNG holds one row of data: had it been decoded, the error would be a truncated image.
  await refused(pixelBombPng(30_000), 'pixel-limit', /more than 40000000 pixels/);
  const ok = await sharp(demoBytes(1)).resize(200).png().toBuffer();
  await refused(ok, 'pixel-limit', /more than 10000 pixels/, { ...options, maxPixels: 10_000 });
});

test('every EXIF orientation (2–8) comes out as sharp autoOrient turns it, padding included', async () => {
  // Asymmetric and small enough that nothing is shrunk: the pixels must agree exactly.
  const width = 30;
  const height = 20;
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    pixels.fill(Math.round((i * 255) / (width * height)), i * 3, i * 3 + 3);
    pixels[i * 3] = i % 251;
  }
  for (let orientation = 2; orientation <= 8; orientation++) {
    const stored = await sharp(pixels, { raw: { width, height, channels: 3 } }).withMetadata({ orientation }).png().toBuffer();
    const upright = await sharp(stored).autoOrient().png().toBuffer();
    for (const pad of [0, 0.5]) {
      const got = await decodeImage(stored, { ...options, pad });
      const want = await decodeImage(upright, { ...options, pad });
      assert.deepEqual([got.width, got.height, got.originalWidth, got.originalHeight], [want.width, want.height, want.originalWidth, want.originalHeight], `orientation ${orientation}`);
      assert.ok(got.data.equals(want.data), `orientation ${orientation}, pad ${pad}: the pixels of autoOrient`);
    }
  }
});

test('an image libvips must decode whole is refused from its header when that takes more than 64 MB', async () => {
  const rgba16 = (side: number) => sharp({ create: { width: side, height: side, channels: 4, background: { r: 9, g: 99, b: 199, alpha: 0.5 } } }).toColourspace('rgb16');
  // 3000² × 4 channels × 2 bytes = 69 MB held at once by an interlaced PNG; the same pixels not interlaced stream.
  await refused(await rgba16(3000).png({ progressive: true }).toBuffer(), 'decode-memory', /^an interlaced 16-bit PNG of 3000 × 3000 is decoded whole: ≈ 69 MB, over the 64 MB/);
  assert.equal((await decodeImage(await rgba16(3000).png().toBuffer(), options)).originalWidth, 3000);
  assert.equal((await decodeImage(await rgba16(2800).png({ progressive: true }).toBuffer(), options)).originalWidth, 2800);
  const rgb = (side: number) => sharp({ create: { width: side, height: side, channels: 3, background: '#c89664' } });
  // A progressive JPEG keeps its DCT coefficients: 2 bytes per sample of each plane (4:2:0: 1.5 planes).
  await refused(await rgb(5000).jpeg({ progressive: true }).toBuffer(), 'decode-memory', /^a progressive JPEG of 5000 × 5000 is decoded whole: ≈ 72 MB/);
  assert.equal((await decodeImage(await rgb(4096).jpeg({ progressive: true }).toBuffer(), options)).originalWidth, 4096);
  assert.equal((await decodeImage(await rgb(5000).jpeg().toBuffer(), options)).originalWidth, 5000);
});
