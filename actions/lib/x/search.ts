/**
 * Pages through X API v2 recent search for a hashtag's photos: `#tag has:images -is:retweet`, 100 tweets a page,
 * following `next_token` up to `maxTweets`. No page is asked for, and no 429 waited out, unless the activation's
 * deadline leaves time for the request and the caller's reserve after it; when it does not, the search stops
 * with the photos found so far, or fails with when to try again.
 */
import { remoteText } from '../search/remote-text';
import { ApiRequestError, ApiResponseError } from 'twitter-api-v2';
import { retryWithin, sleep, type Deadline } from '../ow/deadline';
import { answerInWords, SourceError } from '../search/source-error';
import type { XClient } from './client';
import type { PhotoRef } from '../types';
import { PhotoDeduper, photosOfPage, type SearchPage } from './photos';

const PAGE_SIZE = 100;
export const REQUEST_TIMEOUT_MS = 15_000;
const MAX_RATE_LIMIT_WAITS = 5;
/** Without `x-rate-limit-reset` X does not say how long: back off from 5 s, doubling. */
const FALLBACK_RATE_LIMIT_WAIT_MS = 5_000;
/** A long wait is slept in slices, so the caller can show the job is alive (stall detection). */
const KEEPALIVE_MS = 10_000;

export class XSearchError extends SourceError {
  override readonly name = 'XSearchError';
}

export interface SearchOptions {
  maxTweets: number;
  deadline: Deadline;
  /** Time the caller needs after the search's last request (to record what was found). */
  reserveMs?: number;
  onRateLimit?: (waitMs: number) => void;
  /** Called at least every KEEPALIVE_MS while a rate limit is waited out. */
  keepAlive?: () => void;
  /**
   * The search ended before X ran out of posts (the deadline was near, or FINDME_MAX_TWEETS was reached); what it
   * found so far stands.
   */
  onStopped?: (reason: string) => void;
}

export function searchQuery(hashtag: string): string {
  return `#${hashtag} has:images -is:retweet`;
}

/** The failure in words for the note (X's name comes before it there), the status and X's words for the log. */
function describe(error: unknown): XSearchError {
  if (error instanceof ApiResponseError) {
    const data = error.data as { detail?: unknown; title?: unknown } | undefined;
    const said = remoteText(data?.detail) ?? remoteText(data?.title);
    const detail = `X API: HTTP ${error.code}${said ? `: ${said}` : ''}`;
    if (error.code === 401) return new XSearchError("refused findme's login", `${detail} (check X_BEARER_TOKEN)`);
    return new XSearchError(answerInWords(error.code), detail);
  }
  if (error instanceof ApiRequestError) {
    // twitter-api-v2 1.29's `requestError` getter reads a field it never sets; the request's socket keeps the cause.
    const cause = error.request.socket?.errored;
    return new XSearchError('could not be reached', `X API request failed: ${cause?.message ?? error.message}`);
  }
  return new XSearchError('could not be reached', `X API request failed: ${error instanceof Error ? error.message : String(error)}`);
}

function isRateLimit(error: unknown): error is ApiResponseError {
  return error instanceof ApiResponseError && error.rateLimitError;
}

/** How long the rate limit that `error` reports lasts; `wait` counts the search's waits, this one included. */
function rateLimitWaitMs(error: unknown, wait: number): number {
  const reset = isRateLimit(error) ? error.rateLimit?.reset : undefined;
  // twitter-api-v2 reads a missing header as NaN.
  return reset !== undefined && Number.isFinite(reset) && reset > 0 ? Math.max(1000, reset * 1000 - Date.now() + 500) : FALLBACK_RATE_LIMIT_WAIT_MS * 2 ** (wait - 1);
}

/** Sleeps `ms` in slices, telling the caller after each that the search is alive. */
async function sleepAlive(ms: number, options: SearchOptions): Promise<void> {
  for (let left = ms; left > 0; left -= KEEPALIVE_MS) {
    await sleep(Math.min(left, KEEPALIVE_MS));
    options.keepAlive?.();
  }
}

/** One page; 429s are waited out (at most MAX_RATE_LIMIT_WAITS in the whole search, counted in `waits`). */
async function fetchPage(client: XClient, hashtag: string, nextToken: string | undefined, options: SearchOptions, waits: { count: number }): Promise<SearchPage> {
  const query: Record<string, string | number> = {
    query: searchQuery(hashtag),
    max_results: PAGE_SIZE,
    expansions: 'attachments.media_keys,author_id',
    'media.fields': 'media_key,type,url,width,height',
    'user.fields': 'username',
    'tweet.fields': 'attachments,author_id,referenced_tweets,created_at',
  };
  if (nextToken) query.next_token = nextToken;
  try {
    return await retryWithin(
      options.deadline,
      {
        attempts: MAX_RATE_LIMIT_WAITS - waits.count + 1,
        firstBackoffMs: FALLBACK_RATE_LIMIT_WAIT_MS,
        attemptMs: requestBudget(options),
        retryable: isRateLimit,
        waitMs: (_attempt, error) => rateLimitWaitMs(error, waits.count + 1),
        onRetry: (_attempt, waitMs) => {
          waits.count += 1;
          options.onRateLimit?.(waitMs);
        },
        sleep: (ms) => sleepAlive(ms, options),
      },
      async () => (await client.api.v2.get('tweets/search/recent', query, { prefix: client.prefix, timeout: REQUEST_TIMEOUT_MS })) as SearchPage,
    );
  } catch (error) {
    if (!isRateLimit(error)) throw describe(error);
    const wait = rateLimitWaitMs(error, waits.count + 1);
    throw new XSearchError(`its rate limit is reached; try again after ${new Date(Date.now() + wait).toISOString().slice(11, 19)} UTC`, 'X API: HTTP 429');
  }
}

/** What asking for one more page may take: the request, then what the caller still has to do. */
function requestBudget(options: SearchOptions): number {
  return REQUEST_TIMEOUT_MS + (options.reserveMs ?? 0);
}

/** Yields each page's new photos (deduplicated across pages) and the posts read so far, as soon as the page arrives. */
export async function* searchPhotos(client: XClient, hashtag: string, options: SearchOptions): AsyncGenerator<{ photos: PhotoRef[]; posts: number }> {
  const seen = new PhotoDeduper();
  const waits = { count: 0 };
  let tweets = 0;
  let nextToken: string | undefined;
  // X may return short pages: bound the pages too, not only the tweets.
  const maxPages = Math.ceil(options.maxTweets / PAGE_SIZE) * 2 + 1;
  for (let page = 0; page < maxPages && tweets < options.maxTweets; page++) {
    if (options.deadline.remaining() < requestBudget(options)) {
      options.onStopped?.(`the activation's time ran out after ${page} ${page === 1 ? 'page' : 'pages'} (${tweets} posts)`);
      return;
    }
    const result = await fetchPage(client, hashtag, nextToken, options, waits);
    const data = result.data ?? [];
    const room = options.maxTweets - tweets;
    const pageResult = data.length > room ? { ...result, data: data.slice(0, room) } : result;
    tweets += pageResult.data?.length ?? 0;
    yield { ...photosOfPage(pageResult, seen), posts: tweets };
    nextToken = result.meta?.next_token;
    if (!nextToken || data.length === 0) return;
  }
  // X has older posts than were read: say so, so nobody takes a capped search for the whole hashtag.
  options.onStopped?.(`only the newest ${tweets} posts were read (FINDME_MAX_TWEETS is ${options.maxTweets})`);
}
