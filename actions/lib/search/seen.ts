/**
 * What a source's search has already handed out, across its pages (and a Mastodon search's instances): a post
 * seen again (federated, or returned twice) is skipped, and so is an image URL seen before (query ignored).
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
    const normalized = url.split('?')[0]!;
    if (this.images.has(normalized)) return false;
    this.images.add(normalized);
    return true;
  }
}
