/**
 * The profile picture a command is given, checked in this process before anything else starts: an image, with
 * exactly one clear face. A file that is not an image is a ProfileError like one without a face.
 */
import type { FaceEngine } from '../actions/lib/face/engine';
import { PhotoError, ProfileError } from '../actions/lib/face/errors';
import { readImageSource } from '../actions/lib/face/image-file';

export async function profileDescriptorOf(engine: FaceEngine, source: string): Promise<Float32Array> {
  try {
    return await engine.profileDescriptor(await readImageSource(engine, source));
  } catch (error) {
    if (error instanceof PhotoError) throw new ProfileError('unreadable', error.message, error);
    throw error;
  }
}
