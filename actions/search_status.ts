/**
 * search_status (web action, GET ?jobId=…&after=<cursor>): the owner's view of a job — status, counts, and the
 * matches that are new since `after`, newest first. Anyone else's job, or an unknown one, is a 404. A job that
 * has not moved for FINDME_JOB_STALL_S is failed here, so a poller never waits forever; photos whose batch is
 * being delivered again by sweep_jobs are shown as `retrying`.
 */
import { authenticate } from './lib/auth';
import { authConfig, jobConfig, redisConfig, type Params } from './lib/config';
import { HttpError } from './lib/errors';
import { openDeliveryStore, openJobStore, openReviewStore } from './lib/store';
import { photoHash } from './lib/store/jobs';
import { CursorError } from './lib/store/jobs';
import { bandOf, isJobId, isTerminal, parseSearchStatusQuery, type MatchRecord, type MatchView, type ReviewDecision, type SearchStatusResponse } from './lib/types';
import { parseRequest, readWebRequest, requireMethod } from './lib/web/request';
import { handleWeb, json, type WebResponse } from './lib/web/response';

/** A match as its owner sees it: no descriptor (1 kB of no use to the page), its band and their decision. */
function matchView({ descriptor: _descriptor, ...match }: MatchRecord, decisions: Map<string, ReviewDecision>): MatchView {
  const decision = decisions.get(photoHash(match.imageUrl));
  return { ...match, band: bandOf(match), ...(decision ? { decision } : {}) };
}

export function main(params: Params): Promise<WebResponse> {
  return handleWeb(async () => {
    const request = readWebRequest(params);
    requireMethod(request, 'GET');
    const auth = authConfig(params);
    const redis = redisConfig(params);
    const { jobStallS } = jobConfig(params);
    const user = await authenticate(request, auth);
    const { jobId, after } = parseRequest(request, parseSearchStatusQuery, 'asIs');
    const notFound = new HttpError(404, `no search ${JSON.stringify(jobId).slice(1, -1)} for this user`);
    if (!isJobId(jobId)) throw notFound;
    const store = openJobStore(redis);
    // The same answer for "someone else's" and "no such job": ids must not be probed. Checked before the stall
    // check, so only the owner's polling can fail a stalled job.
    const owned = await store.get(jobId);
    if (!owned || owned.owner !== user.sub) throw notFound;
    const job = await store.failIfStalled(owned, jobStallS);
    if (!job) throw notFound;
    let page;
    try {
      page = await store.matchesAfter(jobId, after);
    } catch (error) {
      if (error instanceof CursorError) throw new HttpError(400, error.message);
      throw error;
    }
    // Every decision each time, not only those on new matches: a decision may come after its match was sent.
    const decisions = await openReviewStore(redis).decisions(jobId);
    const retrying = isTerminal(job.status) ? 0 : await openDeliveryStore(redis).retrying(jobId);
    const body: SearchStatusResponse = {
      status: job.status,
      hashtag: job.hashtag,
      total: job.total,
      searchDone: job.searchDone,
      processed: job.processed,
      failed: job.failed,
      matched: job.matched,
      ...(job.maybe ? { maybe: job.maybe } : {}),
      ...(job.error ? { error: job.error } : {}),
      ...(job.searchNote ? { searchNote: job.searchNote } : {}),
      sources: job.sources,
      matches: page.matches.map((m) => matchView(m, decisions)),
      cursor: page.cursor,
      failures: job.failed > 0 ? await store.failures(jobId) : [],
      ...(retrying > 0 ? { retrying } : {}),
    };
    return json(200, body);
  });
}
