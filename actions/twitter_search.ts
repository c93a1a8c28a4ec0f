/**
 * twitter_search (on `search_request`): X's source action. Pages through X recent search for the job's hashtag
 * (lib/x/) and hands each page's photos to the shared search runner (lib/search/), which counts them, fans them
 * out as `tweet_image` batches and finishes the X part of the job: done with what it left out, or failed with a
 * readable reason. A job that did not ask for X is left alone; X without X_BEARER_TOKEN fails only X's part.
 */
import { deliveryConfig, xConfig, type DeliveryConfig, type OwConfig, type Params, type XConfig } from './lib/config';
import type { Deadline } from './lib/ow/deadline';
import type { SearchStores } from './lib/search/fan';
import { handleSearchRequest, runSourceSearch, type PhotoSearch, type SearchSummary } from './lib/search/run';
import type { JobRecord } from './lib/types';
import { createXClient } from './lib/x/client';
import { searchPhotos } from './lib/x/search';

export { WRITE_BUDGET_MS } from './lib/search/fan';
export type { SearchSummary } from './lib/search/run';

/** X's paging for the shared runner. */
export function xSearch(x: XConfig, bearerToken: string): PhotoSearch {
  const client = createXClient(x, bearerToken);
  return (job, hooks) => searchPhotos(client, job.hashtag, { maxTweets: x.maxTweets, ...hooks });
}

export function main(params: Params): Promise<SearchSummary> {
  return handleSearchRequest(params, 'x', (p) => {
    const x = xConfig(p);
    deliveryConfig(p);
    return x.xBearerToken ? xSearch(x, x.xBearerToken) : { unconfigured: 'is not set up on this findme', detail: 'X_BEARER_TOKEN is not set' };
  });
}

/** The X search of a job whose X part is searching (tests call it with a Deadline of their own). */
export function runSearch(stores: SearchStores, job: JobRecord, x: XConfig & DeliveryConfig, bearerToken: string, deadline: Deadline, ow: OwConfig = { ignoreCerts: false }): Promise<SearchSummary> {
  return runSourceSearch(stores, job, 'x', xSearch(x, bearerToken), x, deadline, ow);
}
