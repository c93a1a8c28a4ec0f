/**
 * references (web action): the caller's reference faces, "Your face" on the page. GET lists them (computing the
 * profile picture's the first time, unless the user removed it); POST {image: base64} adds the one clear face of
 * a photo, POST {fromMatch: {jobId, imageUrl}} the face of a match they confirmed (its descriptor is stored with
 * the match: no model run); DELETE {id} removes one at once. Faces are worked out by reference_face (blocking
 * invoke, lib/references/faces.ts). Owner-only: the store is keyed by the caller, so another user's id is unknown.
 */
import { authenticate, fetchUserInfo, requirePicture } from './lib/auth';
import { authConfig, imageHostsConfig, owConfig, redisConfig, referenceConfig, type AuthConfig, type Params } from './lib/config';
import { HttpError } from './lib/errors';
import { cropRequest, platformFaces, RefusedFaceError, type FaceSource } from './lib/references/faces';
import { openJobStore, openReferenceStore } from './lib/store';
import type { JobStore } from './lib/store/jobs';
import { TooManyReferencesError, UnknownReferenceError, type ReferenceStore } from './lib/store/references';
import {
  isJobId,
  MAX_REFERENCES,
  parseAddReferenceRequest,
  parseDeleteReferenceRequest,
  type ReferenceRecord,
  type ReferencesResponse,
  type ReferenceView,
} from './lib/types';
import { parseRequest, readWebRequest, type WebRequest } from './lib/web/request';
import { handleWeb, json, type WebResponse } from './lib/web/response';

type AuthenticatedUser = Awaited<ReturnType<typeof authenticate>>;

function view({ descriptor: _descriptor, ...rest }: ReferenceRecord): ReferenceView {
  return rest;
}

async function listing(store: ReferenceStore, owner: string, profileNote?: string): Promise<ReferencesResponse> {
  return { references: (await store.list(owner)).map(view), max: MAX_REFERENCES, ...(profileNote ? { profileNote } : {}) };
}

/**
 * The profile picture's reference, the first time the user's references are read: computed once, kept like any
 * other. A picture that can never be one (no face, several) is recorded as removed, so it is not tried on every
 * visit; the note says why. Undefined when there is nothing to say.
 */
async function ensureProfile(store: ReferenceStore, user: AuthenticatedUser, auth: AuthConfig, params: Params, faces: FaceSource): Promise<string | undefined> {
  const existing = await store.list(user.sub);
  if (existing.some((r) => r.source === 'profile') || existing.length >= MAX_REFERENCES || (await store.profileRemoved(user.sub))) return undefined;
  let pictureUrl: string;
  try {
    pictureUrl = requirePicture(await fetchUserInfo(user.token, user, auth), imageHostsConfig(params));
  } catch (error) {
    if (error instanceof HttpError) return `Your login's picture is not used: ${error.message}`;
    throw error;
  }
  try {
    const face = await faces.face({ pictureUrl });
    await store.add(user.sub, { source: 'profile', descriptor: face.descriptor!, thumbnail: face.thumbnail });
    return undefined;
  } catch (error) {
    if (!(error instanceof RefusedFaceError)) throw error;
    if (!error.transient) await store.remove(user.sub, 'profile');
    return `Your login's picture is not used: ${error.message}.`;
  }
}

async function add(request: WebRequest, store: ReferenceStore, jobs: JobStore, user: AuthenticatedUser, faces: FaceSource): Promise<WebResponse> {
  const body = parseRequest(request, parseAddReferenceRequest);
  // Refused before any model runs; the store checks again in the same step as the write.
  if ((await store.list(user.sub)).length >= MAX_REFERENCES) throw new HttpError(409, new TooManyReferencesError(MAX_REFERENCES).message.replace(/^y/, 'Y') + '.');
  let record: ReferenceRecord | null;
  try {
    if ('image' in body) {
      const face = await faces.face({ image: body.image });
      record = await store.add(user.sub, { source: 'upload', descriptor: face.descriptor!, thumbnail: face.thumbnail });
    } else {
      const { jobId, imageUrl } = body.fromMatch;
      const job = isJobId(jobId) ? await jobs.get(jobId) : null;
      if (!job || job.owner !== user.sub) throw new HttpError(404, 'That search was not found: it may have expired.');
      const match = await jobs.findMatch(jobId, imageUrl);
      if (!match?.descriptor) throw new HttpError(404, 'That photo is not a match of this search.');
      const { thumbnail } = await faces.face(cropRequest(match.imageUrl, match.box));
      record = await store.add(user.sub, { source: 'match', descriptor: match.descriptor, thumbnail });
    }
  } catch (error) {
    if (error instanceof RefusedFaceError) throw new HttpError(422, `The photo was not added: ${error.message}.`);
    if (error instanceof TooManyReferencesError) throw new HttpError(409, `${error.message.replace(/^y/, 'Y')}.`);
    throw error;
  }
  console.log(`owner ${user.sub}: reference ${record?.id ?? '?'} added`);
  return json(201, { reference: record ? view(record) : undefined, ...(await listing(store, user.sub)) });
}

export function main(params: Params): Promise<WebResponse> {
  return handleWeb(async () => {
    const request = readWebRequest(params);
    if (!['GET', 'POST', 'DELETE'].includes(request.method)) {
      throw new HttpError(405, `use GET, POST or DELETE for this action, not ${request.method}`, { allow: 'GET, POST, DELETE' });
    }
    const auth = authConfig(params);
    const redis = redisConfig(params);
    const config = referenceConfig(params);
    const source = platformFaces(config, owConfig(params).ignoreCerts);
    const user = await authenticate(request, auth);
    const store = openReferenceStore(redis, config);
    if (request.method === 'GET') return json(200, await listing(store, user.sub, await ensureProfile(store, user, auth, params, source)));
    if (request.method === 'POST') return add(request, store, openJobStore(redis), user, source);
    const { id } = parseRequest(request, parseDeleteReferenceRequest);
    try {
      await store.remove(user.sub, id);
    } catch (error) {
      if (error instanceof UnknownReferenceError) throw new HttpError(404, `No reference face "${id.slice(0, 40)}" among yours: it may have been deleted already.`);
      throw error;
    }
    console.log(`owner ${user.sub}: reference ${id} deleted`);
    return json(200, await listing(store, user.sub));
  });
}
