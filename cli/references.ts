/**
 * `findme search --also <image>`: more reference faces, added through the references web action before the
 * search starts (so the search uses them, as the page's "Your face" would). Each image is sent as the page sends
 * it: at most 1024 px, JPEG, so it fits OpenWhisk's 1 MB request limit.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { FindmeApi } from '../client/api';

export async function addReferences(api: FindmeApi, images: readonly string[], log: (line: string) => void): Promise<void> {
  if (images.length === 0) return;
  // The first read adds the login picture's face, as the page's first visit does.
  await api.references();
  for (const image of images) {
    let jpeg: Buffer;
    try {
      jpeg = await sharp(await readFile(image)).rotate().resize(1024, 1024, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 88 }).toBuffer();
    } catch (error) {
      throw new Error(`--also ${image}: not an image findme can read (${error instanceof Error ? error.message : String(error)})`);
    }
    try {
      const { references, max } = await api.addReference(jpeg.toString('base64'));
      log(`Added ${image} to your reference faces (${references.length} of ${max}).`);
    } catch (error) {
      throw new Error(`--also ${image}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
