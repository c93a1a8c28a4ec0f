/**
 * Turns Bluesky post views (app.bsky.feed.searchPosts) into photos: the full-size images of an
 * `app.bsky.embed.images#view`, or of the media of an `app.bsky.embed.recordWithMedia#view` (a quote post with
 * photos). One post is one post however often it comes back; one image URL is one photo.
 */
import type { SeenPosts } from '../search/seen';
import { textExcerpt, type PhotoRef } from '../types';

interface ImagesView {
  $type?: string;
  images?: Array<{ fullsize?: string; thumb?: string }>;
}

export interface PostView {
  uri?: string;
  author?: { did?: string; handle?: string };
  record?: { text?: unknown; createdAt?: unknown };
  embed?: ImagesView & { media?: ImagesView };
  indexedAt?: string;
}

const IMAGES = 'app.bsky.embed.images#view';
const RECORD_WITH_MEDIA = 'app.bsky.embed.recordWithMedia#view';

/** https://bsky.app/profile/<handle>/post/<rkey> for at://<did>/app.bsky.feed.post/<rkey>. */
export function postUrl(uri: string, handle: string | undefined, did: string | undefined): string | undefined {
  const match = /^at:\/\/([^/]+)\/app\.bsky\.feed\.post\/([A-Za-z0-9._~:-]+)$/.exec(uri);
  if (!match) return undefined;
  const who = handle && handle !== 'handle.invalid' ? handle : (did ?? match[1]!);
  return `https://bsky.app/profile/${encodeURIComponent(who)}/post/${match[2]}`;
}

function imagesOf(embed: PostView['embed']): string[] {
  const view = embed?.$type === IMAGES ? embed : embed?.$type === RECORD_WITH_MEDIA && embed.media?.$type === IMAGES ? embed.media : undefined;
  return (view?.images ?? []).map((i) => i.fullsize).filter((u): u is string => typeof u === 'string' && /^https?:\/\//.test(u));
}

export function photosOfPosts(posts: readonly PostView[], seen: SeenPosts): PhotoRef[] {
  const photos: PhotoRef[] = [];
  for (const post of posts) {
    if (typeof post.uri !== 'string' || !seen.post(post.uri)) continue;
    const link = postUrl(post.uri, post.author?.handle, post.author?.did);
    if (!link) continue;
    const text = typeof post.record?.text === 'string' ? post.record.text : '';
    const created = typeof post.record?.createdAt === 'string' && !Number.isNaN(Date.parse(post.record.createdAt)) ? post.record.createdAt : undefined;
    for (const imageUrl of imagesOf(post.embed)) {
      if (!seen.image(imageUrl)) continue;
      photos.push({
        source: 'bluesky',
        postId: post.uri,
        postUrl: link,
        imageUrl,
        ...(post.author?.handle ? { author: post.author.handle } : {}),
        ...(text.trim() ? { text: textExcerpt(text) } : {}),
        ...(created ? { createdAt: created } : {}),
      });
    }
  }
  return photos;
}
