/**
 * Pages through each configured Mastodon instance's tag timeline (`GET /api/v1/timelines/tag/:hashtag?
 * only_media=true&limit=40`), following the `Link` header's next page on the same host only, until the posts
 * run out, FINDME_MAX_POSTS is reached or the activation's deadline leaves no time for another page. Rate
 * limits (`X-RateLimit-Remaining`/`-Reset`, 429; 300 requests per 5 minutes by default) are waited out when the
 * deadline allows, else the instance stops with a note. An instance that cannot be read gets a note and the
 * others go on; the source fails only when none could be read.
 *
 * Plain fetch, not the `masto` client: findme needs one GET endpoint, and with fetch every request has its own
 * timeout, every body a size bound, and paging stays in findme's hands (only same-host Link targets, a bound on
 * pages, rate-limit waits measured against the activation's deadline) — no client to second-guess, no bundle.
 */
import { remoteText } from '../search/remote-text';
import type { SearchHooks, SourcePage } from '../search/run';
import { nextLink, requestJson, SourceHttpError, type JsonAnswer } from '../search/http';
import { byHost } from '../search/hosts';
import { SeenPosts } from '../search/seen';
import { clockTime, timeForRequest, waitUntil } from '../search/rate-limit';
import { answerInWords, SourceError } from '../search/source-error';
import type { MastodonConfig } from '../config';
import { photosOfStatuses, type MastodonStatus } from './statuses';
import { parseUrl } from '../url';

export const PAGE_SIZE = 40;

export class MastodonSearchError extends SourceError {
  override readonly name = 'MastodonSearchError';
}

/** The instance's media host, from /api/v1/instance's thumbnail (served from it); none when it does not say. */
async function mediaHost(origin: string, host: string, headers: Record<string, string>): Promise<string | undefined> {
  try {
    const answer = await requestJson(`${origin}/api/v1/instance`, host, { headers, timeoutMs: 5_000 });
    if (answer.status !== 200) return undefined;
    const thumbnail = (answer.body as { thumbnail?: unknown }).thumbnail;
    const text = typeof thumbnail === 'string' ? thumbnail : typeof thumbnail === 'object' && thumbnail !== null ? (thumbnail as { url?: unknown }).url : undefined;
    return typeof text === 'string' ? parseUrl(text)?.host.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** Why the instance's timeline could not be read: in words for the note, the status and its words for the log. */
function refusal(host: string, answer: JsonAnswer): SourceHttpError {
  const said = remoteText((answer.body as { error?: unknown })?.error);
  const detail = `HTTP ${answer.status}${said ? `: ${said}` : ''}`;
  const status = { status: answer.status, headers: answer.headers };
  if (answer.status === 401 || answer.status === 403) return new SourceHttpError(`${host} does not show its tag timeline to findme`, { detail: `${detail}; an instance that closes its public timelines needs MASTODON_ACCESS_TOKEN`, ...status });
  if (answer.status === 404) return new SourceHttpError(`${host} has no tag timeline: is it a Mastodon instance?`, { detail, ...status });
  return new SourceHttpError(`${host} ${answerInWords(answer.status)}`, { detail, ...status });
}

/** When the rate limit resets, from `X-RateLimit-Reset` (an ISO time); undefined when the header is absent. */
function resetAt(headers: Headers): number | undefined {
  const text = headers.get('x-ratelimit-reset');
  const at = text ? Date.parse(text) : NaN;
  return Number.isFinite(at) ? at : undefined;
}

/** Yields each page's new photos (and the posts read so far, over all instances), instance after instance. */
export async function* searchMastodon(config: MastodonConfig, hashtag: string, hooks: SearchHooks): AsyncGenerator<SourcePage> {
  const seen = new SeenPosts();
  const headers: Record<string, string> = config.accessToken ? { authorization: `Bearer ${config.accessToken}` } : {};
  const notes: string[] = [];
  const details: string[] = [];
  let failures = 0;
  let posts = 0;
  for (const origin of config.instances) {
    const host = new URL(origin).host;
    if (posts >= config.maxPosts) break;
    if (!timeForRequest(hooks)) {
      notes.push(`the activation's time ran out before ${host} was read`);
      continue;
    }
    const media = await mediaHost(origin, host, headers);
    const allowed = [...config.imageHosts, host.toLowerCase(), ...(media ? [media] : [])];
    yield { photos: [], posts, imageHosts: [host.toLowerCase(), ...(media ? [media] : [])] };
    let next: string | undefined = `${origin}/api/v1/timelines/tag/${encodeURIComponent(hashtag)}?only_media=true&limit=${PAGE_SIZE}`;
    const waits = { count: 0 };
    const maxPages = Math.ceil(config.maxPosts / PAGE_SIZE) * 2 + 1;
    let pages = 0;
    try {
      while (next) {
        if (pages >= maxPages) {
          notes.push(`${host}: stopped after ${pages} pages`);
          break;
        }
        if (posts >= config.maxPosts) {
          notes.push(`stopped at FINDME_MAX_POSTS (${config.maxPosts} posts)`);
          break;
        }
        if (!timeForRequest(hooks)) {
          notes.push(`${host}: the activation's time ran out after ${pages} ${pages === 1 ? 'page' : 'pages'}`);
          break;
        }
        const answer = await requestJson(next, host, { headers });
        if (answer.status === 429) {
          const at = resetAt(answer.headers) ?? Date.now() + 5_000 * 2 ** waits.count;
          if (await waitUntil(at, hooks, waits)) continue;
          notes.push(`${host}'s rate limit lasts past this search's time; try again after ${clockTime(at)} UTC`);
          break;
        }
        if (answer.status !== 200) throw refusal(host, answer);
        if (!Array.isArray(answer.body)) throw new SourceHttpError(`${host} answered with something that is not a list of posts`);
        pages += 1;
        const statuses = (answer.body as MastodonStatus[]).slice(0, config.maxPosts - posts);
        posts += statuses.length;
        const capped = statuses.length < answer.body.length;
        const found = photosOfStatuses(statuses, host, seen);
        yield { ...byHost(found, allowed), posts };
        if (capped) {
          notes.push(`stopped at FINDME_MAX_POSTS (${config.maxPosts} posts)`);
          break;
        }
        if (statuses.length === 0) break;
        const link = nextLink(answer.headers.get('link'));
        next = undefined;
        if (link) {
          const target = parseUrl(link, origin);
          if (target?.origin === origin) next = target.href;
          else notes.push(`${host}'s next page is on another host (${target?.host ?? 'not a URL'}): not followed`);
        }
        // Proactively: a window with nothing left is waited out before the next page, not answered with a 429.
        if (next && answer.headers.get('x-ratelimit-remaining') === '0') {
          const at = resetAt(answer.headers);
          if (at !== undefined && !(await waitUntil(at, hooks, waits))) {
            notes.push(`${host}'s rate limit lasts past this search's time; try again after ${clockTime(at)} UTC`);
            break;
          }
        }
      }
    } catch (error) {
      if (!(error instanceof SourceHttpError)) throw error;
      failures += 1;
      notes.push(error.message);
      if (error.detail) details.push(`${host}: ${error.detail}`);
    }
  }
  if (failures === config.instances.length) throw new MastodonSearchError(notes.join('; '), details.join('; ') || undefined);
  // The instances that could not be read, for the operator: the note says which, the log why.
  if (details.length > 0) console.error(`Mastodon: ${details.join('; ')}`);
  if (notes.length > 0) hooks.onStopped(notes.join('; '));
}
