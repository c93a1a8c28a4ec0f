/** Turns one page of X search results into the photos to compare: every photo of every tweet, deduplicated. */
import type { MediaObjectV2, TweetV2, UserV2 } from 'twitter-api-v2';
import type { PhotoRef } from '../types';

export interface SearchPage {
  data?: TweetV2[];
  includes?: { media?: MediaObjectV2[]; users?: UserV2[] };
  meta?: { next_token?: string; result_count?: number };
}

/** Remembers what a search has already handed out, across pages (media keys and URLs). */
export class PhotoDeduper {
  private readonly keys = new Set<string>();
  private readonly urls = new Set<string>();

  /** True the first time a photo is seen. */
  add(mediaKey: string, url: string): boolean {
    const normalized = url.split('?')[0]!;
    if (this.keys.has(mediaKey) || this.urls.has(normalized)) return false;
    this.keys.add(mediaKey);
    this.urls.add(normalized);
    return true;
  }
}

export function tweetUrl(tweet: TweetV2, users: Map<string, UserV2>): string {
  const username = tweet.author_id ? users.get(tweet.author_id)?.username : undefined;
  return username ? `https://x.com/${username}/status/${tweet.id}` : `https://x.com/i/web/status/${tweet.id}`;
}

export function photosOfPage(page: SearchPage, seen: PhotoDeduper): PhotoRef[] {
  const media = new Map((page.includes?.media ?? []).map((m) => [m.media_key, m]));
  const users = new Map((page.includes?.users ?? []).map((u) => [u.id, u]));
  const photos: PhotoRef[] = [];
  for (const tweet of page.data ?? []) {
    // The query excludes retweets; a retweet that slips through would only repeat its original's photos.
    if (tweet.referenced_tweets?.some((r) => r.type === 'retweeted')) continue;
    for (const key of tweet.attachments?.media_keys ?? []) {
      const item = media.get(key);
      // Videos and GIFs have only a preview frame: rarely a face worth matching, and not the posted photo.
      if (!item || item.type !== 'photo' || !item.url) continue;
      if (!seen.add(item.media_key, item.url)) continue;
      photos.push({ tweetId: tweet.id, tweetUrl: tweetUrl(tweet, users), imageUrl: item.url });
    }
  }
  return photos;
}
