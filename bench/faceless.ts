/**
 * Faceless photos for the cascade: the part of each demo photo below every face SSD found in it (bodies, tables,
 * floor), with a margin under the lowest chin. Real hashtags have many such photos (slides, venues, food); these
 * have the same light and colours as the photos with faces.
 */
import sharp from 'sharp';
import { decodeImage, type DecodedImage } from '../actions/lib/face/decode';
import type { FaceBox } from '../actions/lib/types';

/** Strips lower than this are left out: too little left to be a photo. */
const MIN_HEIGHT = 200;

export async function facelessCrops(photos: Buffer[], faces: Array<{ boxes: FaceBox[] }>, maxSide: number): Promise<DecodedImage[]> {
  const crops: DecodedImage[] = [];
  for (const [i, photo] of photos.entries()) {
    const boxes = faces[i]?.boxes ?? [];
    const meta = await sharp(photo).rotate().toBuffer({ resolveWithObject: true });
    const { width, height } = meta.info;
    const top = Math.ceil(Math.max(0, ...boxes.map((b) => b.y + b.height * 1.6)));
    if (height - top < MIN_HEIGHT) continue;
    const crop = await sharp(meta.data).extract({ left: 0, top, width, height: height - top }).jpeg({ quality: 90 }).toBuffer();
    crops.push(await decodeImage(crop, { maxPixels: 40_000_000, maxSide, pad: 0 }));
  }
  return crops;
}
