/** Images named on the command line: a local file (size checked before reading) or an allowed URL. */
import { readFile, stat } from 'node:fs/promises';
import { errorMessage } from '../errors';
import type { FaceEngine } from './engine';
import { PhotoError } from './errors';

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

export async function readImageFile(path: string, maxBytes: number): Promise<Buffer> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    size = info.size;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : errorMessage(error);
    throw new PhotoError('unreadable-file', `cannot read ${path}: ${reason}`);
  }
  if (size > maxBytes) throw new PhotoError('too-large', `${path} is ${size} bytes, more than the limit of ${maxBytes} (see FINDME_MAX_IMAGE_BYTES)`);
  return readFile(path);
}

/** A URL is downloaded under the engine's host policy; anything else is a file path. */
export function readImageSource(engine: FaceEngine, source: string): Promise<Buffer> {
  return isUrl(source) ? engine.download(source) : readImageFile(source, engine.options.maxImageBytes);
}
