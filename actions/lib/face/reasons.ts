/**
 * A failed photo's reason as the page shows it to people: what went wrong in plain words — a limit, a site that
 * would not give the photo, a damaged file — never a library's text (OpenSSL's `ssl3_get_record:wrong version
 * number`, an errno, libvips' messages). The PhotoError's own message, with the exact limit and the variable that
 * sets it, or the socket error, goes to the activation's log (compare_images logs it when the two differ).
 */
import type { PhotoError } from './errors';

/** What a network failure's technical text says, in words: refused, broken off, no such host, TLS. */
function networkReason(message: string): string {
  if (/ECONNREFUSED/.test(message)) return "the photo's site refused the connection";
  if (/ENOTFOUND|EAI_AGAIN|getaddrinfo/.test(message)) return "the photo's site could not be found";
  if (/ssl|tls|certificate|CERT_|wrong version number|handshake/i.test(message)) return "a secure connection to the photo's site could not be made";
  if (/ECONNRESET|EPIPE|socket hang up|other side closed|terminated/i.test(message)) return "the connection to the photo's site broke off";
  return "the photo's site could not be reached";
}

function httpReason(status: number | undefined): string {
  if (status === undefined) return "the photo's site gave an answer findme cannot use";
  if (status === 404 || status === 410) return `the photo is no longer on its site (HTTP ${status})`;
  if (status === 401 || status === 403) return `the photo's site would not share it (HTTP ${status})`;
  if (status === 429) return "the photo's site asked findme to slow down (HTTP 429)";
  if (status >= 500) return `the photo's site had an error (HTTP ${status})`;
  if (status >= 300 && status < 400) return `the photo's site sent a broken redirect (HTTP ${status})`;
  return `the photo's site answered HTTP ${status}`;
}

export function reasonForPeople(error: PhotoError): string {
  switch (error.code) {
    case 'pixel-limit':
      return 'the photo has too many pixels to check';
    case 'decode-memory':
      return 'the photo is too large to check in its format (save it as a plain JPEG or PNG to have it checked)';
    case 'too-large':
      return 'the photo is too large to download';
    case 'host-not-allowed':
    case 'redirect-not-allowed':
      return 'the photo is on a site findme does not download from';
    case 'http-status':
      return httpReason(error.status);
    case 'network':
      return networkReason(error.message);
    case 'timeout':
      return /^decoding/.test(error.message) ? 'the photo took too long to decode' : 'the photo took too long to download';
    case 'too-many-redirects':
      return "the photo's link redirects too many times";
    case 'bad-url':
      return "the photo's link is not a valid https link";
    case 'empty':
      return 'the photo file is empty';
    case 'truncated':
      return 'the photo file is cut short';
    case 'undecodable':
      return 'the photo file is damaged or not an image findme can read';
    default:
      // not-an-image, unsupported-format, unreadable-file: already plain words, naming the formats taken.
      return error.message;
  }
}
