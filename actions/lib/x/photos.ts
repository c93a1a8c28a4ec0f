/** Turns one page of X search results into the photos to compare: every photo of every tweet, deduplicated. */
import type { MediaObjectV2, TweetV2, UserV2 } from 'twitter-api-v2';
import { imageIdentity } from '../search/seen';
import { parseUrl } from '../url';
import { textExcerpt, type PhotoRef } from '../types';

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
    const identity = imageIdentity(url);
    if (this.keys.has(mediaKey) || this.urls.has(identity)) return false;
    this.keys.add(mediaKey);
    this.urls.add(identity);
    return true;
  }
}

export function postUrl(tweet: TweetV2, users: Map<string, UserV2>): string {
  const username = tweet.author_id ? users.get(tweet.author_id)?.username : undefined;
  return typeof username === 'string' && /^\w{1,50}$/.test(username) ? `https://x.com/${username}/status/${tweet.id}` : `https://x.com/i/web/status/${tweet.id}`;
}

/**
 * X's `url` for a photo is its default variant; `name=large` is the largest resized one (at most 2048 px a side,
 * X's documented sizes: thumb 150, small 680, medium 1200, large 2048). `orig` (the upload, up to 4096 px and
 * several MB) is not asked for: a 2048 px photo already shows a 32 px face at full resolution for the fine pass,
 * and `orig` would cost up to 4× the pixels to download and decode for faces the tiles already see (no internet
 * here to measure X itself: this is reasoned from the sizes X documents and from FINDME_MAX_IMAGE_BYTES/PIXELS,
 * which a 4096 px JPEG also fits). Other URLs are left as they are.
 */
export function largestPhotoVariant(url: string): string {
  const parsed = parseUrl(url);
  if (!parsed || parsed.hostname !== 'pbs.twimg.com' || !parsed.pathname.startsWith('/media/')) return url;
  const ext = /\.([a-z0-9]+)$/i.exec(parsed.pathname);
  const format = parsed.searchParams.get('format') ?? (ext?.[1] === 'png' ? 'png' : 'jpg');
  parsed.pathname = parsed.pathname.replace(/\.[a-z0-9]+$/i, '');
  parsed.search = '';
  parsed.searchParams.set('format', format);
  parsed.searchParams.set('name', 'large');
  return parsed.href;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** A page's photos, and how many of its photo items were not of the shape X documents (skipped, not fatal). */
export function photosOfPage(page: SearchPage, seen: PhotoDeduper): { photos: PhotoRef[]; unreadable: number } {
  // Remote data: every field is checked before use, so one malformed item is one skipped item, not a failed search.
  const list = <T>(value: T[] | undefined): T[] => (Array.isArray(value) ? value : []);
  const media = new Map(list(page.includes?.media).filter((m) => isText(m?.media_key)).map((m) => [m.media_key, m]));
  const users = new Map(list(page.includes?.users).filter((u) => isText(u?.id)).map((u) => [u.id, u]));
  const photos: PhotoRef[] = [];
  let unreadable = 0;
  for (const tweet of list(page.data)) {
    if (!isText(tweet?.id)) {
      unreadable += 1;
      continue;
    }
    // The query excludes retweets; a retweet that slips through would only repeat its original's photos.
    if (list(tweet.referenced_tweets).some((r) => r?.type === 'retweeted')) continue;
    for (const key of list(tweet.attachments?.media_keys)) {
      const item = media.get(key);
      // Videos and GIFs have only a preview frame: rarely a face worth matching, and not the posted photo.
      if (!item || item.type !== 'photo') continue;
      if (!isText(item.url)) {
        unreadable += 1;
        continue;
      }
      if (!seen.add(item.media_key, item.url)) continue;
      const author = tweet.author_id ? users.get(tweet.author_id)?.username : undefined;
      photos.push({
        source: 'x',
        postId: tweet.id,
        postUrl: postUrl(tweet, users),
        imageUrl: largestPhotoVariant(item.url),
        ...(isText(author) ? { author } : {}),
        ...(isText(tweet.text) ? { text: textExcerpt(tweet.text) } : {}),
        ...(isText(tweet.created_at) ? { createdAt: tweet.created_at } : {}),
      });
    }
  }
  return { photos, unreadable };
}
