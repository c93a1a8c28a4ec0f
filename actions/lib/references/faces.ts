/**
 * How the references web action gets a face: it asks reference_face (on the face engine's image) with a blocking
 * action-to-action invoke, so the page has its answer — the new reference or why the photo was refused — within
 * its one request. A trigger and a poll would add a second round trip, a record to keep, and the trigger's
 * queueing to every upload, for an answer that takes one detection. Failures of the platform are 503s; a photo
 * that cannot be a reference is a 422 naming what was found.
 */
import type { ReferenceConfig } from '../config';
import { HttpError } from '../errors';
import { invokeBlocking, InvokeError } from '../ow/invoke';
import { parseReferenceFaceResult, WireError, type FaceBox, type ReferenceFaceRequest } from '../types';

export const REFERENCE_FACE_ACTION = 'findme/reference_face';

/** A face for a reference: descriptor (hex) and thumbnail, or, for a crop, the thumbnail only. */
export interface ReferenceFace {
  descriptor?: string;
  thumbnail: string;
}

/** The image cannot be a reference (no face, several, not an image): the user's photo, not the platform. */
export class RefusedFaceError extends Error {
  override readonly name = 'RefusedFaceError';
  constructor(
    reason: string,
    readonly transient: boolean,
  ) {
    super(reason);
  }
}

export interface FaceSource {
  face(request: ReferenceFaceRequest): Promise<ReferenceFace>;
}

/** reference_face over the platform. */
export function platformFaces(config: ReferenceConfig, ignoreCerts: boolean): FaceSource {
  return {
    async face(request) {
      let raw: unknown;
      try {
        raw = await invokeBlocking(REFERENCE_FACE_ACTION, request, { timeoutMs: config.invokeTimeoutMs, ignoreCerts });
      } catch (error) {
        if (!(error instanceof InvokeError)) throw error;
        console.error(error.message);
        throw new HttpError(503, 'The face could not be worked out just now; try again in a minute.', { 'retry-after': '30' });
      }
      let result;
      try {
        result = parseReferenceFaceResult(raw);
      } catch (error) {
        if (error instanceof WireError) throw new Error(`${REFERENCE_FACE_ACTION} answered something else: ${error.message}`);
        throw error;
      }
      if ('refused' in result) throw new RefusedFaceError(result.refused, result.transient);
      return result;
    },
  };
}

/** The crop request for a face already described. */
export function cropRequest(imageUrl: string, box: FaceBox): ReferenceFaceRequest {
  return { crop: { imageUrl, box } };
}
