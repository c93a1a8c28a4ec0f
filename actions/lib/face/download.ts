/**
 * Downloads one image under the host policy: redirects followed by hand (each hop checked, at most
 * `maxRedirects`), one timeout for the whole download (every hop, headers and body), and a byte cap enforced
 * while streaming, so neither a slow nor a huge response can hold an action. Whether the bytes are an image is
 * left to the decoder, which reads them anyway.
 */
import { readBounded } from '../bounded-body';
import { errorMessage } from '../errors';
import { PhotoError } from './errors';
import { checkImageUrl } from './host-policy';

export interface DownloadLimits {
  hosts: readonly string[];
  timeoutMs: number;
  maxBytes: number;
  maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function tooLarge(maxBytes: number, seen: string): PhotoError {
  return new PhotoError('too-large', `the image is larger than the limit of ${maxBytes} bytes (${seen}; see FINDME_MAX_IMAGE_BYTES)`);
}

async function readBody(response: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) throw tooLarge(maxBytes, `Content-Length ${declared}`);
  const body = await readBounded(response, maxBytes, () => tooLarge(maxBytes, `more than ${maxBytes} bytes sent`));
  if (body.length === 0) throw new PhotoError('empty', 'the response body is empty (0 bytes)');
  return body;
}

async function follow(start: URL, limits: DownloadLimits, signal: AbortSignal): Promise<Buffer> {
  const maxRedirects = limits.maxRedirects ?? 3;
  let url = start;
  for (let hop = 0; ; hop++) {
    const response = await fetch(url, { redirect: 'manual', signal, headers: { accept: 'image/*' } });
    if (REDIRECTS.has(response.status)) {
      await response.body?.cancel().catch(() => undefined);
      const location = response.headers.get('location');
      if (!location) throw new PhotoError('http-status', `HTTP ${response.status} without a Location header from ${url.host}`, response.status);
      if (hop >= maxRedirects) throw new PhotoError('too-many-redirects', `more than ${maxRedirects} redirects (last to ${location})`);
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new PhotoError('bad-url', `${url.host} redirected to "${location.slice(0, 200)}", which is not a URL`);
      }
      url = checkImageUrl(next.href, limits.hosts, url);
      continue;
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => undefined);
      throw new PhotoError('http-status', `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} from ${url.host}`, response.status);
    }
    return readBody(response, limits.maxBytes);
  }
}

export async function download(text: string, limits: DownloadLimits): Promise<Buffer> {
  const url = checkImageUrl(text, limits.hosts);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limits.timeoutMs);
  try {
    return await follow(url, limits, controller.signal);
  } catch (error) {
    if (error instanceof PhotoError) throw error;
    if (controller.signal.aborted) throw new PhotoError('timeout', `the download did not finish within ${limits.timeoutMs} ms`);
    const cause = error instanceof Error && error.cause ? `: ${errorMessage(error.cause)}` : '';
    throw new PhotoError('network', `the download failed: ${errorMessage(error)}${cause}`);
  } finally {
    clearTimeout(timer);
  }
}
