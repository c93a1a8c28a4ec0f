/**
 * mastodon_search (on `search_request`): Mastodon's source action. Reads the tag timeline of each instance in
 * FINDME_MASTODON_INSTANCES (lib/mastodon/) and hands each page's photos to the shared search runner
 * (lib/search/), like twitter_search does for X. Public timelines need no account; MASTODON_ACCESS_TOKEN is for
 * instances that close them. A job that did not ask for Mastodon is left alone.
 */
import { mastodonConfig, type MastodonConfig, type Params } from './lib/config';
import { searchMastodon } from './lib/mastodon/search';
import { handleSearchRequest, type PhotoSearch, type SearchSummary } from './lib/search/run';

export function mastodonSearch(config: MastodonConfig): PhotoSearch {
  return (job, hooks) => searchMastodon(config, job.hashtag, hooks);
}

export function main(params: Params): Promise<SearchSummary> {
  return handleSearchRequest(params, 'mastodon', (p) => mastodonSearch(mastodonConfig(p)));
}
