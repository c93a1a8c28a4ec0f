/**
 * register_search (web action, POST {hashtag, sources?}): checks the caller's access token, takes their profile picture
 * from the verified identity, creates the search job for the sources asked (default: every one FINDME_SOURCES
 * lists; one it does not list is a 400 naming it) and fires `search_request`, on which each source's action runs. Answers 202 {jobId}. Each user
 * may have FINDME_USER_RUNNING searches running and start FINDME_USER_PER_MINUTE a minute: beyond, 429 with
 * Retry-After, before the identity provider or X is asked anything.
 */
import { authenticate, fetchUserInfo, requirePicture } from './lib/auth';
import { authConfig, imageHostsConfig, owConfig, redisConfig, referenceConfig, sourcesConfig, userLimitsConfig, type Params } from './lib/config';
import { errorMessage, HttpError } from './lib/errors';
import { FireError, fireTrigger } from './lib/ow/fire';
import { openJobStore, openReferenceStore } from './lib/store';
import { parseRegisterSearchRequest, SOURCE_LABELS, type RegisterSearchResponse, type SearchRequestEvent } from './lib/types';
import { parseRequest, readWebRequest, requireMethod } from './lib/web/request';
import { handleWeb, json, type WebResponse } from './lib/web/response';

export const SEARCH_REQUEST_TRIGGER = 'search_request';

export function main(params: Params): Promise<WebResponse> {
  return handleWeb(async () => {
    const request = readWebRequest(params);
    requireMethod(request, 'POST');
    const auth = authConfig(params);
    const redis = redisConfig(params);
    const imageHosts = imageHostsConfig(params);
    const ow = owConfig(params);
    const limits = userLimitsConfig(params);
    const configured = sourcesConfig(params);
    const user = await authenticate(request, auth);
    const { hashtag, sources = configured } = parseRequest(request, parseRegisterSearchRequest, 'asIs');
    const missing = sources.filter((s) => !configured.includes(s));
    if (missing.length > 0) {
      throw new HttpError(400, `${missing.map((s) => SOURCE_LABELS[s]).join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set up on this findme (it searches ${configured.map((s) => SOURCE_LABELS[s]).join(', ')}).`);
    }
    // The search keeps the references current now: edits while it runs do not change it. None stored yet: the
    // profile picture is the face (compare_images works it out); none because the user removed it: nothing to find.
    const refs = openReferenceStore(redis, referenceConfig(params));
    const references = (await refs.list(user.sub)).map((r) => r.descriptor);
    if (references.length === 0 && (await refs.profileRemoved(user.sub))) {
      throw new HttpError(400, 'You have no reference faces: add a photo of yourself under "Your face" first.');
    }
    const store = openJobStore(redis);
    const admission = await store.admit(user.sub, limits);
    if ('refused' in admission) throw new HttpError(429, `${admission.refused}; try again in ${admission.retryAfterS} s`, { 'retry-after': String(admission.retryAfterS) });
    const pictureUrl = requirePicture(await fetchUserInfo(user.token, user, auth), imageHosts);
    const job = await store.create({ owner: user.sub, hashtag, pictureUrl, sources, id: admission.jobId, references });
    try {
      await fireTrigger(SEARCH_REQUEST_TRIGGER, { jobId: job.id } satisfies SearchRequestEvent, ow);
    } catch (error) {
      const reason = `could not start the search: ${errorMessage(error)}`;
      await store.fail(job.id, reason);
      // The platform, not the request, is at fault: the same search may work in a moment.
      throw error instanceof FireError ? new HttpError(503, `${reason}; try again later`) : error;
    }
    console.log(`job ${job.id}: #${hashtag} registered (${sources.join(', ')})`);
    return json(202, { jobId: job.id } satisfies RegisterSearchResponse, { location: `search_status?jobId=${job.id}` });
  });
}
