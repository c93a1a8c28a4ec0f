/**
 * bluesky_search (on `search_request`): Bluesky's source action. Logs in with the deployer's BLUESKY_IDENTIFIER
 * and BLUESKY_APP_PASSWORD and searches the hashtag (lib/bluesky/), handing each page's photos to the shared
 * search runner (lib/search/). Without an account Bluesky cannot be searched: the source fails saying so. A job
 * that did not ask for Bluesky is left alone.
 */
import { blueskyConfig, type BlueskyConfig, type Params } from './lib/config';
import { searchBluesky } from './lib/bluesky/search';
import { handleSearchRequest, type PhotoSearch, type SearchSummary } from './lib/search/run';

export function blueskySearch(config: BlueskyConfig): PhotoSearch {
  return (job, hooks) => searchBluesky(config, job.hashtag, hooks);
}

export function main(params: Params): Promise<SearchSummary> {
  return handleSearchRequest(params, 'bluesky', (p) => {
    const config = blueskyConfig(p);
    if (!config.identifier || !config.appPassword) return { unconfigured: 'is not set up on this findme (its search needs an account)', detail: 'BLUESKY_IDENTIFIER and BLUESKY_APP_PASSWORD are not set' };
    return blueskySearch(config);
  });
}
