/** The face-api package's six 1920 px group photos (3–5 faces each), and the demo user's profile crop. */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { DEMO_NUMBERS, DEMO_USERS, demoPhoto, renderDemoPicture } from '../local/standins/demo';

export const DEMO_PHOTOS = DEMO_NUMBERS.map((n) => demoPhoto(n));

export function readDemoPhotos(): Promise<Buffer[]> {
  return Promise.all(DEMO_PHOTOS.map((file) => readFile(file)));
}

/** Ada's 400 px profile picture (a face of sample1). */
export function demoProfile(): Promise<Buffer> {
  return renderDemoPicture(DEMO_USERS[0]!.crop);
}

/** The same photo, different bytes (a re-encode): a different photo as far as caches and URLs go. */
export function variant(photo: Buffer, n: number): Promise<Buffer> {
  return sharp(photo).jpeg({ quality: 80 + (n % 15) }).toBuffer();
}
