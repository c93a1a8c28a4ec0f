/**
 * Pages through X API v2 recent search for a hashtag's photos: `#tag has:images -is:retweet`, 100 tweets a page,
 * following `next_token` up to `maxTweets`. A 429 waits until `x-rate-limit-reset` when the activation's
 * deadline allows, else the search fails with when to try again.
 */
import { ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import type { Deadline} from '../ow/deadline';
import { sleep } from '../ow/deadline';
import type { XClient } from './client';
import type { PhotoRef } from '../types';
import { PhotoDeduper, photosOfPage, type SearchPage } from './photos';

const PAGE_SIZE = 100;
const REQUEST_TIMEOUT_MS = 15_000;
const MAX_RATE_LIMIT_WAIT_MS = 60_000;
const MAX_RATE_LIMIT_WAITS = 5;

export class XSearchError extends Error {
  override readonly name = 'XSearchError';
}

export interface SearchOptions {
  maxTweets: number;
  deadline: Deadline;
  onRateLimit?: (waitMs: number) => void;
}

export function searchQuery(hashtag: string): string {
  return `#${hashtag} has:images -is:retweet`;
}

function describe(error: unknown): string {
  if (error instanceof ApiResponseError) {
    const detail = error.data?.detail ?? error.data?.title ?? error.message;
    if (error.code === 401) return `X API refused the bearer token (401): check X_BEARER_TOKEN`;
    return `X API answered ${error.code}: ${detail}`;
  }
  if (error instanceof ApiRequestError) {
    // twitter-api-v2 1.29 stores the cause as `error` while its `requestError` getter reads `requestError`.
    const cause = (error.requestError as Error | undefined) ?? (error as unknown as { _options?: { error?: Error } })._options?.error;
    return `X API request failed: ${cause?.message ?? error.message}`;
  }
  return `X API request failed: ${error instanceof Error ? error.message : String(error)}`;
}

async function fetchPage(client: XClient, hashtag: string, nextToken: string | undefined, options: SearchOptions, waits: { count: number }): Promise<SearchPage> {
  for (;;) {
    try {
      const query: Record<string, string | number> = {
        query: searchQuery(hashtag),
        max_results: PAGE_SIZE,
        expansions: 'attachments.media_keys,author_id',
        'media.fields': 'media_key,type,url,width,height',
        'user.fields': 'username',
        'tweet.fields': 'attachments,author_id,referenced_tweets,created_at',
      };
      if (nextToken) query.next_token = nextToken;
      return (await client.api.v2.get('tweets/search/recent', query, { prefix: client.prefix, timeout: REQUEST_TIMEOUT_MS })) as SearchPage;
    } catch (error) {
      if (!(error instanceof ApiResponseError && error.rateLimitError)) throw new XSearchError(describe(error));
      const resetMs = (error.rateLimit?.reset ?? Date.now() / 1000 + 60) * 1000;
      const wait = Math.max(1000, resetMs - Date.now() + 500);
      waits.count += 1;
      if (waits.count > MAX_RATE_LIMIT_WAITS || wait > MAX_RATE_LIMIT_WAIT_MS || wait > options.deadline.remaining()) {
        throw new XSearchError(`X API rate limit reached; try again after ${new Date(resetMs).toISOString().slice(11, 19)} UTC`);
      }
      options.onRateLimit?.(wait);
      await sleep(wait);
    }
  }
}

/** Yields each page's new photos (deduplicated across pages) as soon as the page arrives. */
export async function* searchPhotos(client: XClient, hashtag: string, options: SearchOptions): AsyncGenerator<PhotoRef[]> {
  const seen = new PhotoDeduper();
  const waits = { count: 0 };
  let tweets = 0;
  let nextToken: string | undefined;
  // X may return short pages: bound the pages too, not only the tweets.
  const maxPages = Math.ceil(options.maxTweets / PAGE_SIZE) * 2 + 1;
  for (let page = 0; page < maxPages && tweets < options.maxTweets; page++) {
    const result = await fetchPage(client, hashtag, nextToken, options, waits);
    const data = result.data ?? [];
    const room = options.maxTweets - tweets;
    const pageResult = data.length > room ? { ...result, data: data.slice(0, room) } : result;
    tweets += pageResult.data?.length ?? 0;
    yield photosOfPage(pageResult, seen);
    nextToken = result.meta?.next_token;
    if (!nextToken || data.length === 0) return;
  }
}
