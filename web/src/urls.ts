/** Which URLs the page uses for itself and which it lets people follow. No DOM: the unit tests run these in Node. */
import { parseUrl } from '../../actions/lib/url';

/**
 * The page's own address without query or hash: the directory index.html is served from, so the page works
 * under any path, not only at a site root. The identity provider must list it as a callback and logout URL.
 */
export function pageHome(href: string): string {
  return new URL('.', href).href;
}

/** `url` if it is an https: URL (the only links findme's data should hold), else undefined. */
export function httpsHref(url: string): string | undefined {
  return parseUrl(url)?.protocol === 'https:' ? url : undefined;
}
