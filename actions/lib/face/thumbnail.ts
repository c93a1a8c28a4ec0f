/**
 * A reference face's thumbnail: a small JPEG crop around the face (never the photo), as a data URL the page can
 * show without fetching anything. The face fills most of it, with a margin, so the user recognises whose it is.
 */
import sharp from 'sharp';
import type { FaceBox } from '../types';

/** Longest side of a thumbnail, in pixels. */
export const THUMBNAIL_SIDE = 96;
/** Margin around the face on each side, as a share of the face's size. */
const MARGIN = 0.25;

/** The square around `box` (plus margin) clipped to the image. */
export function cropRegion(box: FaceBox, width: number, height: number): { left: number; top: number; width: number; height: number } {
  const side = Math.max(box.width, box.height) * (1 + 2 * MARGIN);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const left = Math.max(0, Math.floor(cx - side / 2));
  const top = Math.max(0, Math.floor(cy - side / 2));
  const right = Math.min(width, Math.ceil(cx + side / 2));
  const bottom = Math.min(height, Math.ceil(cy + side / 2));
  return { left, top, width: Math.max(1, right - left), height: Math.max(1, bottom - top) };
}

/** The face at `box` (pixels of the upright image) of the encoded image `bytes`, as a ≤ 96 px JPEG data URL. */
export async function faceThumbnail(bytes: Buffer, box: FaceBox): Promise<string> {
  const upright = sharp(bytes, { failOn: 'none' }).rotate();
  const { data, info } = await upright.toBuffer({ resolveWithObject: true });
  const region = cropRegion(box, info.width, info.height);
  const jpeg = await sharp(data)
    .extract(region)
    .resize(THUMBNAIL_SIDE, THUMBNAIL_SIDE, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#808080' })
    .jpeg({ quality: 80 })
    .toBuffer();
  return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
}
