/**
 * Bytes → the RGB pixels the detector sees. sharp reads the header first, so an image over the pixel limit, or
 * in a format findme does not take, or one libvips would have to decode whole into more memory than a container
 * spares, is refused before any pixel is decoded; then one streamed libvips pass takes the first frame of a
 * GIF/WebP, shrinks it to `maxSide`, flattens transparency and makes it 8-bit sRGB, and a photo stored sideways
 * (EXIF) is turned upright after that, on the small 8-bit pixels.
 * Detection at ~640 px finds the faces that matter in a group photo in a fraction of the time of full size.
 */
import sharp, { type Metadata, type Sharp } from 'sharp';
import type { FaceBox } from '../types';
import { PhotoError } from './errors';

export interface DecodeOptions {
  /** Largest width × height accepted, checked from the header. */
  maxPixels: number;
  /** The longer side of what the detector sees, padding included. */
  maxSide: number;
  /**
   * Pads each side by this fraction of the picture (1 → a canvas 3× the picture's size). SSD MobileNet misses a
   * face that fills the frame, as profile pictures do; with a margin around it, it finds it.
   */
  pad?: number;
  /**
   * Shortens the decode's own timeout (an action's deadline); libvips counts whole seconds, so at least 1 s.
   */
  timeoutMs?: number;
}

/** RGB, 3 bytes a pixel, row after row. */
export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
}

export interface DecodedImage extends RgbImage {
  /** The upright original's size: boxes are reported in its pixels. */
  originalWidth: number;
  originalHeight: number;
  /** Where the picture sits in `data` (padding), and its size there. */
  offsetX: number;
  offsetY: number;
  innerWidth: number;
  innerHeight: number;
}

const FORMATS = ['jpeg', 'png', 'webp', 'gif'];
/**
 * Most memory one decode may take for a whole image at once. libvips decodes most images in strips, whatever their
 * size; three kinds it must hold whole at their full size, in their own depth, before anything can shrink them:
 * an interlaced PNG (the pixels, 16 bits a sample if so stored: a 6320² RGBA one is 305 MB), a progressive JPEG
 * (libjpeg keeps every DCT coefficient, 2 bytes each per sampled component) and a GIF frame (RGBA). A container
 * whose WASM heap has grown to SSD's working set (≈ 430 MB peak on a demo photo) has less than 80 MB beside it
 * under its 512 MB limit; 64 MB still takes a 4096² progressive JPEG, the largest photo X serves (50 MB).
 * test/compare-memory.test.ts measures the worst cases.
 */
export const WHOLE_DECODE_BUDGET_BYTES = 64 * 2 ** 20;
/** Pixels (RGB) a photo being turned upright may hold, both copies: one 4096 × 3072 upright decode, 36 MB. */
const TURN_BUDGET_BYTES = 4096 * 3072 * 3;
/** Neutral grey: padding and transparent areas should look like nothing to the detector. */
const GREY = { r: 128, g: 128, b: 128 };
/** libvips work on one image; a guard against pathological inputs, far above the ≈ 50 ms a photo takes. */
const DECODE_TIMEOUT_S = 20;

function decodeError(error: unknown, maxPixels: number, timeoutS = DECODE_TIMEOUT_S): PhotoError {
  const message = error instanceof Error ? error.message : String(error);
  if (/^timeout: \d+% complete/.test(message)) return new PhotoError('timeout', `decoding the image did not finish within ${timeoutS} s`);
  if (/pixel limit/i.test(message)) return new PhotoError('pixel-limit', `the image has more than ${maxPixels} pixels (see FINDME_MAX_IMAGE_PIXELS)`);
  if (/unsupported image format/i.test(message)) return new PhotoError('not-an-image', 'not an image (JPEG, PNG, WebP or GIF expected)');
  if (/premature end|truncated|unexpected end|end of file|EOF/i.test(message)) {
    return new PhotoError('truncated', `the image is truncated (${message.trim()})`);
  }
  return new PhotoError('undecodable', `the image cannot be decoded: ${message.trim()}`);
}

/** The bytes a decode holds at once for an image it cannot decode in strips, with what kind of image it is; 0 otherwise. */
export function wholeDecodeBytes(meta: Pick<Metadata, 'format' | 'width' | 'height' | 'channels' | 'depth' | 'isProgressive' | 'chromaSubsampling'>): { bytes: number; kind: string } {
  const pixels = (meta.width ?? 0) * (meta.height ?? 0);
  const channels = meta.channels ?? 3;
  if (meta.format === 'png' && meta.isProgressive) {
    const sample = meta.depth === 'ushort' ? 2 : 1;
    return { bytes: pixels * channels * sample, kind: `an interlaced ${sample * 8}-bit PNG` };
  }
  if (meta.format === 'jpeg' && meta.isProgressive) {
    // '4:2:0' → luma plus two quarter-size chroma planes; '4:4:4' and '4:4:4:4' (CMYK) → every plane full size.
    const planes = meta.chromaSubsampling === '4:2:0' ? 1.5 : meta.chromaSubsampling === '4:2:2' ? 2 : channels;
    return { bytes: pixels * planes * 2, kind: 'a progressive JPEG' };
  }
  if (meta.format === 'gif') return { bytes: pixels * 4, kind: 'a GIF' };
  return { bytes: 0, kind: '' };
}

export async function decodeImage(bytes: Buffer, options: DecodeOptions): Promise<DecodedImage> {
  if (bytes.length === 0) throw new PhotoError('empty', 'the image is empty (0 bytes)');
  // 'truncated' rather than the default 'warning': real photos often carry harmless warnings, but a cut-off
  // file is still refused.
  const input = { limitInputPixels: options.maxPixels, failOn: 'truncated' as const, pages: 1, sequentialRead: true };
  let meta: Metadata;
  try {
    meta = await sharp(bytes, input).metadata();
  } catch (error) {
    throw decodeError(error, options.maxPixels);
  }
  if (!meta.format || !FORMATS.includes(meta.format)) {
    throw new PhotoError('unsupported-format', `${meta.format ?? 'this'} images are not accepted (JPEG, PNG, WebP or GIF expected)`);
  }
  const { width: originalWidth, height: originalHeight } = meta.autoOrient;
  if (!(originalWidth > 0 && originalHeight > 0)) throw new PhotoError('undecodable', 'the image has no size');
  if (originalWidth * originalHeight > options.maxPixels) throw decodeError(new Error('pixel limit'), options.maxPixels);
  const whole = wholeDecodeBytes(meta);
  if (whole.bytes > WHOLE_DECODE_BUDGET_BYTES) {
    const mb = (n: number) => Math.round(n / 2 ** 20);
    throw new PhotoError('decode-memory', `${whole.kind} of ${meta.width} × ${meta.height} is decoded whole: ≈ ${mb(whole.bytes)} MB, over the ${mb(WHOLE_DECODE_BUDGET_BYTES)} MB a decode may hold in a 512 MB container`);
  }

  const pad = options.pad ?? 0;
  const upright = !meta.orientation || meta.orientation === 1;
  let fit = Math.min(1, options.maxSide / (1 + 2 * pad) / Math.max(originalWidth, originalHeight));
  // Turning a photo upright holds its pixels twice (before and after the turn): a sideways one is shrunk until
  // both copies together take no more than one upright photo at the largest decode (test/compare-memory).
  const turnedBytes = originalWidth * originalHeight * fit * fit * 3 * 2;
  if (!upright && turnedBytes > TURN_BUDGET_BYTES) fit *= Math.sqrt(TURN_BUDGET_BYTES / turnedBytes);
  const innerWidth = Math.max(1, Math.round(originalWidth * fit));
  const innerHeight = Math.max(1, Math.round(originalHeight * fit));
  const offsetX = Math.round(innerWidth * pad);
  const offsetY = Math.round(innerHeight * pad);
  const timeoutS = Math.max(1, Math.min(DECODE_TIMEOUT_S, Math.floor((options.timeoutMs ?? Infinity) / 1000)));
  try {
    // Stored sideways (EXIF 5–8): shrunk in its stored orientation, turned upright afterwards.
    const [storedWidth, storedHeight] = (meta.orientation ?? 1) >= 5 ? [innerHeight, innerWidth] : [innerWidth, innerHeight];
    // One streamed pass: shrink (before anything holds the full size), flatten, 8-bit sRGB. libvips reads the
    // file in strips and never holds it whole at its own depth (a 16-bit RGBA PNG is 8 bytes a pixel).
    let pipeline = sharp(bytes, input)
      .timeout({ seconds: timeoutS })
      .resize(storedWidth, storedHeight, { fit: 'fill' })
      .flatten({ background: GREY })
      .toColourspace('srgb');
    if (upright) pipeline = pipeline.extend({ top: offsetY, bottom: offsetY, left: offsetX, right: offsetX, background: GREY });
    let { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    if (!upright) {
      // A turn needs the whole image at once: done here on the 8-bit shrunk pixels, not inside the first pass,
      // where sharp turns the shrunk image while it is still at the file's depth (16-bit: twice the memory).
      ({ data, info } = await orient(sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } }), meta.orientation!)
        .extend({ top: offsetY, bottom: offsetY, left: offsetX, right: offsetX, background: GREY })
        .raw()
        .toBuffer({ resolveWithObject: true }));
    }
    if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
    return { data, width: info.width, height: info.height, originalWidth, originalHeight, offsetX, offsetY, innerWidth, innerHeight };
  } catch (error) {
    throw decodeError(error, options.maxPixels, timeoutS);
  }
}

/** What autoOrient does for EXIF orientation 2–8, as explicit turns and mirrors (checked against it in a test). */
export function orient(image: Sharp, orientation: number): Sharp {
  switch (orientation) {
    case 2:
      return image.flop();
    case 3:
      return image.rotate(180);
    case 4:
      return image.flip();
    case 5:
      return image.rotate(90).flip();
    case 6:
      return image.rotate(90);
    case 7:
      return image.rotate(90).flop();
    case 8:
      return image.rotate(270);
    default:
      return image;
  }
}

/** A box found in the decoded pixels, in pixels of the upright original, clipped to it and rounded. */
export function toOriginalBox(image: DecodedImage, box: FaceBox): FaceBox {
  const sx = image.originalWidth / image.innerWidth;
  const sy = image.originalHeight / image.innerHeight;
  const clip = (v: number, max: number) => Math.min(max, Math.max(0, v));
  const x1 = clip((box.x - image.offsetX) * sx, image.originalWidth);
  const y1 = clip((box.y - image.offsetY) * sy, image.originalHeight);
  const x2 = clip((box.x + box.width - image.offsetX) * sx, image.originalWidth);
  const y2 = clip((box.y + box.height - image.offsetY) * sy, image.originalHeight);
  return { x: Math.round(x1), y: Math.round(y1), width: Math.round(x2 - x1), height: Math.round(y2 - y1) };
}

/** A region of `image` (all of it when unset), resized by `scale` (under 1 for a tile, over 1 for a small check window): what one detector pass sees. */
export async function shrinkRegion(image: RgbImage, scale: number, region?: { left: number; top: number; width: number; height: number }): Promise<RgbImage> {
  const area = region ?? { left: 0, top: 0, width: image.width, height: image.height };
  const width = Math.max(1, Math.round(area.width * scale));
  const height = Math.max(1, Math.round(area.height * scale));
  if (!region && width === image.width && height === image.height) return image;
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .extract(area)
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  return { data, width, height };
}
