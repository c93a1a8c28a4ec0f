/**
 * Turns Mastodon statuses (GET /api/v1/timelines/tag/:hashtag) into photos: image attachments only, the
 * instance's cached copy (`url`) or, for federated media it has not cached, the original (`remote_url`). One
 * post federated to several instances is one post (same `uri`); one image URL is one photo.
 */
import type { SeenPosts } from '../search/seen';
import { textExcerpt, type PhotoRef } from '../types';
import { parseUrl } from '../url';

/** The fields of a status findme reads (the API has many more). */
export interface MastodonStatus {
  id?: string;
  uri?: string;
  url?: string | null;
  created_at?: string;
  content?: string;
  reblog?: unknown;
  account?: { acct?: string; username?: string };
  media_attachments?: Array<{ type?: string; url?: string | null; remote_url?: string | null }>;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** A status's HTML content as plain text (the page escapes it again; nothing here is trusted). */
export function plainText(html: string): string {
  return html
    .replace(/<br\s*\/?>|<\/p>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x?[0-9a-f]+|[a-z]+);/gi, (whole, name: string) => {
      if (name.startsWith('#')) {
        const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return Number.isInteger(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/\s+/g, ' ')
    .trim();
}

function httpsUrl(text: unknown): string | undefined {
  const url = typeof text === 'string' ? parseUrl(text) : undefined;
  return url?.protocol === 'https:' || url?.protocol === 'http:' ? url.href : undefined;
}

/** The photos of one page of statuses; `instanceHost` completes a local account's handle (`ada` → `ada@host`). */
export function photosOfStatuses(statuses: readonly MastodonStatus[], instanceHost: string, seen: SeenPosts): PhotoRef[] {
  const photos: PhotoRef[] = [];
  for (const status of statuses) {
    // A boost repeats its original, which the tag timeline lists itself.
    if (status.reblog || typeof status.uri !== 'string' || !seen.post(status.uri)) continue;
    const postUrl = httpsUrl(status.url) ?? httpsUrl(status.uri);
    if (!postUrl) continue;
    const acct = status.account?.acct ?? status.account?.username;
    const author = acct ? (acct.includes('@') ? acct : `${acct}@${instanceHost}`) : undefined;
    const text = typeof status.content === 'string' ? plainText(status.content) : '';
    const createdAt = typeof status.created_at === 'string' && !Number.isNaN(Date.parse(status.created_at)) ? status.created_at : undefined;
    for (const media of status.media_attachments ?? []) {
      if (media.type !== 'image') continue;
      const imageUrl = httpsUrl(media.url) ?? httpsUrl(media.remote_url);
      if (!imageUrl || !seen.image(imageUrl)) continue;
      photos.push({
        source: 'mastodon',
        postId: status.uri,
        postUrl,
        imageUrl,
        ...(author ? { author } : {}),
        ...(text ? { text: textExcerpt(text) } : {}),
        ...(createdAt ? { createdAt } : {}),
      });
    }
  }
  return photos;
}
