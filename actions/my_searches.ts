/**
 * my_searches (web action): the caller's own searches for "My searches". GET lists them, newest first (those
 * that have not expired, FINDME_JOB_TTL_S); POST {"cancel": jobId} cancels one that is still running: its
 * remaining photos are skipped, what it found stays. Anyone else's job, or an unknown one, is a 404.
 */
import { authenticate } from './lib/auth';
import { authConfig, redisConfig, type Params } from './lib/config';
import { HttpError } from './lib/errors';
import { openJobStore } from './lib/store';
import {
  isJobId,
  parseCancelSearchRequest,
  WireError,
  type CancelSearchResponse,
  type JobRecord,
  type MySearchesResponse,
  type SearchListItem,
} from './lib/types';
import { readWebRequest } from './lib/web/request';
import { handleWeb, json, type WebResponse } from './lib/web/response';

function listItem(job: JobRecord): SearchListItem {
  const { id, hashtag, status, created, total, searchDone, processed, failed, matched } = job;
  return { id, hashtag, status, created, total, searchDone, processed, failed, matched };
}

function cancelTarget(params: Params): string {
  try {
    return parseCancelSearchRequest(params).cancel;
  } catch (error) {
    if (error instanceof WireError) throw new HttpError(400, 'Say which search to cancel, like {"cancel": "<job id>"}.');
    throw error;
  }
}

export function main(params: Params): Promise<WebResponse> {
  return handleWeb(async () => {
    const request = readWebRequest(params);
    if (request.method !== 'GET' && request.method !== 'POST') {
      throw new HttpError(405, `use GET or POST for this action, not ${request.method}`, { allow: 'GET, POST' });
    }
    const auth = authConfig(params);
    const redis = redisConfig(params);
    const user = await authenticate(request, auth);
    const store = openJobStore(redis);
    if (request.method === 'GET') {
      const searches = (await store.listOwned(user.sub)).map(listItem);
      return json(200, { searches } satisfies MySearchesResponse);
    }
    const jobId = cancelTarget(request.params);
    const notFound = new HttpError(404, 'Search not found: it may have expired or belong to someone else.');
    if (!isJobId(jobId)) throw notFound;
    const job = await store.get(jobId);
    if (!job || job.owner !== user.sub) throw notFound;
    const after = await store.cancel(jobId);
    console.log(`job ${jobId}: cancel asked by its owner; now ${after.status}`);
    return json(200, { jobId, status: after.status } satisfies CancelSearchResponse);
  });
}
