import { parseUrl } from '../url';

/**
 * Hosts whose image URLs carry only size and format in their query (X's `?format=jpg&name=large`): the same photo
 * under another query is the same photo. Elsewhere a query may be what tells two images apart (`?id=1`, `?id=2`).
 */
const QUERY_IS_VARIANT = new Set(['pbs.twimg.com']);

/** What identifies an image among a search's photos: its URL, without the query where the query is only a variant. */
export function imageIdentity(url: string): string {
  const parsed = parseUrl(url);
  if (!parsed) return url;
  if (QUERY_IS_VARIANT.has(parsed.hostname)) parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

/**
 * What a source's search has already handed out, across its pages (and a Mastodon search's instances): a post
 * seen again (federated, or returned twice) is skipped, and so is an image seen before (imageIdentity).
 */
export class SeenPosts {
  private readonly posts = new Set<string>();
  private readonly images = new Set<string>();

  /** True the first time the post is seen. */
  post(id: string): boolean {
    if (this.posts.has(id)) return false;
    this.posts.add(id);
    return true;
  }

  /** True the first time the image is seen. */
  image(url: string): boolean {
    const identity = imageIdentity(url);
    if (this.images.has(identity)) return false;
    this.images.add(identity);
    return true;
  }
}
