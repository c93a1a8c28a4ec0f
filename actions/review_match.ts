/**
 * review_match (web action, POST {jobId, imageUrl, decision: "me" | "not-me"}): the owner's decision on one photo
 * of their search, kept in Redis as long as the job. "not-me" hides the photo for good (search_status returns the
 * decision, the page and exports leave the photo out); "me" makes it a sure match. Someone else's job, an expired
 * one and an unknown one are the same 404; a photo the search has not checked is a 404 naming it.
 */
import { authenticate } from './lib/auth';
import { authConfig, redisConfig, type Params } from './lib/config';
import { HttpError } from './lib/errors';
import { openReviewStore } from './lib/store';
import { PhotoNotInJobError, UnknownJobError } from './lib/store/jobs';
import { NotJobOwnerError } from './lib/store/reviews';
import { isJobId, parseReviewMatchRequest, type ReviewMatchResponse } from './lib/types';
import { parseRequest, readWebRequest, requireMethod } from './lib/web/request';
import { handleWeb, json, type WebResponse } from './lib/web/response';

export function main(params: Params): Promise<WebResponse> {
  return handleWeb(async () => {
    const request = readWebRequest(params);
    requireMethod(request, 'POST');
    const auth = authConfig(params);
    const redis = redisConfig(params);
    const user = await authenticate(request, auth);
    const review = parseRequest(request, parseReviewMatchRequest);
    const notFound = new HttpError(404, 'That search was not found: it may have expired or belong to someone else.');
    if (!isJobId(review.jobId)) throw notFound;
    try {
      await openReviewStore(redis).decide(review.jobId, user.sub, review.imageUrl, review.decision);
    } catch (error) {
      if (error instanceof UnknownJobError || error instanceof NotJobOwnerError) throw notFound;
      if (error instanceof PhotoNotInJobError) throw new HttpError(404, `That photo is not one this search has checked: ${review.imageUrl.slice(0, 200)}`);
      throw error;
    }
    console.log(`job ${review.jobId}: ${review.decision} on ${review.imageUrl}`);
    return json(200, { jobId: review.jobId, imageUrl: review.imageUrl, decision: review.decision } satisfies ReviewMatchResponse);
  });
}
