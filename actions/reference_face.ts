/**
 * reference_face (invoked blocking by the references web action, on the compare_images image: the face engine
 * lives only there): the one clear face of an uploaded photo or of the login's profile picture, as a descriptor
 * and a ≤ 96 px thumbnail of the face; or only the thumbnail of a face already described (a confirmed match). The
 * photo is held only in this activation's memory. An image that cannot be a reference is an answer
 * (`refused`, saying what was found), not an error: the caller turns it into a 4xx for the user.
 */
import { faceConfig, type Params } from './lib/config';
import { errorMessage } from './lib/errors';
import { encodeDescriptor } from './lib/face/descriptor-codec';
import { FaceEngine } from './lib/face/engine';
import { PhotoError, ProfileError } from './lib/face/errors';
import { faceThumbnail } from './lib/face/thumbnail';
import { parseReferenceFaceRequest, WireError, type ReferenceFaceRequest, type ReferenceFaceResult } from './lib/types';

export async function main(params: Params): Promise<ReferenceFaceResult | { error: string }> {
  let request: ReferenceFaceRequest;
  try {
    request = parseReferenceFaceRequest(params);
  } catch (error) {
    if (error instanceof WireError) return { error: `reference_face: ${error.message}` };
    throw error;
  }
  const engine = FaceEngine.fromConfig(faceConfig(params));
  try {
    if ('crop' in request) {
      const bytes = await engine.download(request.crop.imageUrl);
      return { thumbnail: await faceThumbnail(bytes, request.crop.box) };
    }
    const bytes = 'image' in request ? Buffer.from(request.image, 'base64') : await engine.downloadProfile(request.pictureUrl);
    const face = await engine.profileFace(bytes);
    return { descriptor: encodeDescriptor(face.descriptor), thumbnail: await faceThumbnail(bytes, face.box) };
  } catch (error) {
    if (error instanceof ProfileError) return { refused: error.reason, transient: error.code === 'unavailable' };
    if (error instanceof PhotoError) return { refused: error.message, transient: error.transient };
    console.error(`reference_face: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { error: `reference_face: ${errorMessage(error)}` };
  }
}
