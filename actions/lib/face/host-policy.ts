/**
 * Which image URLs findme may download: https to an allowed host, or plain http to a loopback host that is
 * itself listed (how tests and the local demo serve images). Checked for the first URL and for every redirect.
 */
import { PhotoError } from './errors';

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

function hostAllowed(url: URL, hosts: readonly string[]): boolean {
  const name = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  // An entry with a port allows that port only; without one, any port of the host.
  return hosts.some((entry) => entry === name || entry === `${name}:${port}`);
}

/**
 * The parsed URL when it may be fetched, else a PhotoError naming what is wrong and how to allow it.
 * `redirectFrom` is set when checking where a redirect points.
 */
export function checkImageUrl(text: string, hosts: readonly string[], redirectFrom?: URL): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PhotoError('bad-url', `"${text.slice(0, 200)}" is not a URL`);
  }
  const where = redirectFrom ? `redirected from ${redirectFrom.host} to ${url.href}` : url.href;
  if (url.username || url.password) throw new PhotoError('bad-url', `${url.protocol}//…@${url.host}: URLs with credentials are not fetched`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new PhotoError(redirectFrom ? 'redirect-not-allowed' : 'bad-url', `${where}: only https URLs are fetched`);
  }
  const allowed = hostAllowed(url, hosts);
  if (!allowed || (url.protocol === 'http:' && !LOOPBACK.test(url.hostname))) {
    const reason =
      url.protocol === 'http:' && allowed
        ? `${where}: plain http is only allowed to a loopback host; use https`
        : `${where}: host ${url.host} is not allowed (allowed: ${hosts.join(', ') || 'none'}; see FINDME_IMAGE_HOSTS)`;
    throw new PhotoError(redirectFrom ? 'redirect-not-allowed' : 'host-not-allowed', reason);
  }
  return url;
}
