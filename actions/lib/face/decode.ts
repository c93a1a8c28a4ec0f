/**
 * Bytes → the RGB pixels the detector sees. sharp reads the header first, so an image over the pixel limit, or
 * in a format findme does not take, is refused before any pixel is decoded; then one libvips pipeline turns it
 * upright (EXIF), takes the first frame of a GIF/WebP, flattens transparency and shrinks it to `maxSide`.
 * Detection at ~640 px finds the faces that matter in a group photo in a fraction of the time of full size.
 */
import sharp, { type Metadata } from 'sharp';
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

export async function decodeImage(bytes: Buffer, options: DecodeOptions): Promise<DecodedImage> {
  if (bytes.length === 0) throw new PhotoError('empty', 'the image is empty (0 bytes)');
  // 'truncated' rather than the default 'warning': real photos often carry harmless warnings, but a cut-off
  // file is still refused.
  const input = { limitInputPixels: options.maxPixels, failOn: 'truncated' as const, pages: 1 };
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

  const pad = options.pad ?? 0;
  const fit = Math.min(1, options.maxSide / (1 + 2 * pad) / Math.max(originalWidth, originalHeight));
  const innerWidth = Math.max(1, Math.round(originalWidth * fit));
  const innerHeight = Math.max(1, Math.round(originalHeight * fit));
  const offsetX = Math.round(innerWidth * pad);
  const offsetY = Math.round(innerHeight * pad);
  const timeoutS = Math.max(1, Math.min(DECODE_TIMEOUT_S, Math.floor((options.timeoutMs ?? Infinity) / 1000)));
  try {
    const { data, info } = await sharp(bytes, input)
      .timeout({ seconds: timeoutS })
      .autoOrient()
      .resize(innerWidth, innerHeight, { fit: 'fill' })
      .extend({ top: offsetY, bottom: offsetY, left: offsetX, right: offsetX, background: GREY })
      .flatten({ background: GREY })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`expected 3 channels after conversion, got ${info.channels}`);
    return { data, width: info.width, height: info.height, originalWidth, originalHeight, offsetX, offsetY, innerWidth, innerHeight };
  } catch (error) {
    throw decodeError(error, options.maxPixels, timeoutS);
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

/** A region of `image` (all of it when unset), shrunk by `scale` (≤ 1): what one detector pass sees. */
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
