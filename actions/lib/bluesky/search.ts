/**
 * Searches Bluesky for a hashtag's photos: logs in (com.atproto.server.createSession with the deployer's handle
 * and app password: public search has been closed since 2025), then pages app.bsky.feed.searchPosts (`tag` and
 * `q=#tag`, sort=latest, 100 a page) by cursor, until the posts run out, a cursor repeats, FINDME_MAX_POSTS is
 * reached or the deadline leaves no time for another page. An access token that expires mid-search is renewed
 * once per expiry with the refresh token (com.atproto.server.refreshSession); a 429 is waited out until its
 * `ratelimit-reset` when the deadline allows, else the search stops with a note.
 *
 * Plain fetch, not `@atproto/api`: findme needs three XRPC calls; with fetch each has its own timeout and size
 * bound and the session and paging stay in findme's hands, and the actions do not bundle the whole client with
 * its lexicons.
 */
import { remoteText } from '../search/remote-text';
import type { BlueskyConfig } from '../config';
import { requestJson, SourceHttpError, type JsonAnswer } from '../search/http';
import { byHost } from '../search/hosts';
import { SeenPosts } from '../search/seen';
import { clockTime, timeForRequest, waitUntil } from '../search/rate-limit';
import type { SearchHooks, SourcePage } from '../search/run';
import { answerInWords, SourceError } from '../search/source-error';
import { photosOfPosts, type PostView } from './posts';

export const PAGE_SIZE = 100;
/** Where Bluesky serves the images of posts. */
export const BLUESKY_CDN_HOST = 'cdn.bsky.app';

export class BlueskySearchError extends SourceError {
  override readonly name = 'BlueskySearchError';
}

interface Session {
  accessJwt: string;
  refreshJwt: string;
}

/** What Bluesky said, for the log: the call, the status, its error code and message. */
function said(call: string, answer: JsonAnswer): string {
  const body = answer.body as { error?: unknown; message?: unknown };
  const parts = [remoteText(body?.error, 100), remoteText(body?.message)].filter((p): p is string => p !== undefined);
  return `${call}: HTTP ${answer.status}${parts.length ? `: ${parts.join(': ')}` : ''}`;
}

/** The host of the service, as requestJson names it in a note ("bsky.social could not be reached"). */
const serviceHost = (config: BlueskyConfig) => new URL(config.service).host;

function sessionOf(answer: JsonAnswer): Session | undefined {
  const body = answer.body as { accessJwt?: unknown; refreshJwt?: unknown };
  return typeof body?.accessJwt === 'string' && typeof body.refreshJwt === 'string' ? { accessJwt: body.accessJwt, refreshJwt: body.refreshJwt } : undefined;
}

async function login(config: BlueskyConfig): Promise<Session> {
  const answer = await requestJson(`${config.service}/xrpc/com.atproto.server.createSession`, serviceHost(config), {
    method: 'POST',
    body: { identifier: config.identifier, password: config.appPassword },
  });
  const session = answer.status === 200 ? sessionOf(answer) : undefined;
  if (!session) throw new BlueskySearchError("refused findme's login", `${said('createSession', answer)} (check BLUESKY_IDENTIFIER and BLUESKY_APP_PASSWORD)`);
  return session;
}

async function refresh(config: BlueskyConfig, session: Session): Promise<Session> {
  const answer = await requestJson(`${config.service}/xrpc/com.atproto.server.refreshSession`, serviceHost(config), { method: 'POST', headers: { authorization: `Bearer ${session.refreshJwt}` } });
  const renewed = answer.status === 200 ? sessionOf(answer) : undefined;
  if (!renewed) throw new BlueskySearchError("ended findme's session mid-search and did not renew it", said('refreshSession', answer));
  return renewed;
}

const isExpired = (answer: JsonAnswer) => (answer.status === 400 || answer.status === 401) && (answer.body as { error?: unknown })?.error === 'ExpiredToken';

/** Yields each page's new photos and the posts read so far. */
export async function* searchBluesky(config: BlueskyConfig, hashtag: string, hooks: SearchHooks): AsyncGenerator<SourcePage> {
  const allowed = [...config.imageHosts, BLUESKY_CDN_HOST];
  yield { photos: [], posts: 0, imageHosts: [BLUESKY_CDN_HOST] };
  let session = await login(config);
  const seen = new SeenPosts();
  const cursors = new Set<string>();
  const waits = { count: 0 };
  let cursor: string | undefined;
  let posts = 0;
  let refreshes = 0;
  const maxPages = Math.ceil(config.maxPosts / PAGE_SIZE) * 2 + 1;
  for (let page = 0; ; ) {
    if (posts >= config.maxPosts) return hooks.onStopped(`stopped at FINDME_MAX_POSTS (${config.maxPosts} posts)`);
    if (page >= maxPages) return hooks.onStopped(`stopped after ${page} pages`);
    if (!timeForRequest(hooks)) return hooks.onStopped(`the activation's time ran out after ${page} ${page === 1 ? 'page' : 'pages'} (${posts} posts)`);
    const query = new URLSearchParams({ q: `#${hashtag}`, tag: hashtag, sort: 'latest', limit: String(PAGE_SIZE), ...(cursor ? { cursor } : {}) });
    const answer = await requestJson(`${config.service}/xrpc/app.bsky.feed.searchPosts?${query}`, serviceHost(config), { headers: { authorization: `Bearer ${session.accessJwt}` } });
    if (isExpired(answer)) {
      // Renewed at most a few times a search: a session that expires at once again is not going to work.
      if (++refreshes > 3) throw new BlueskySearchError("kept ending findme's session: stopped", `searchPosts answered ExpiredToken after ${refreshes - 1} renewed sessions`);
      session = await refresh(config, session);
      continue;
    }
    if (answer.status === 429) {
      const reset = Number(answer.headers.get('ratelimit-reset'));
      const at = Number.isFinite(reset) && reset > 0 ? reset * 1000 : Date.now() + 5_000 * 2 ** waits.count;
      if (await waitUntil(at, hooks, waits)) continue;
      return hooks.onStopped(`its rate limit lasts past this search's time; try again after ${clockTime(at)} UTC`);
    }
    if (answer.status === 401 || answer.status === 403) throw new BlueskySearchError("refused findme's search", said('searchPosts', answer));
    if (answer.status !== 200) throw new SourceHttpError(answerInWords(answer.status), { detail: said('searchPosts', answer), status: answer.status });
    const body = answer.body as { posts?: unknown; cursor?: unknown };
    if (!Array.isArray(body.posts)) throw new BlueskySearchError('answered with something that is not a page of posts');
    page += 1;
    const views = (body.posts as PostView[]).slice(0, config.maxPosts - posts);
    posts += views.length;
    const capped = views.length < body.posts.length;
    const found = photosOfPosts(views, seen);
    yield { ...byHost(found, allowed), posts };
    if (capped) return hooks.onStopped(`stopped at FINDME_MAX_POSTS (${config.maxPosts} posts)`);
    const next = typeof body.cursor === 'string' && body.cursor !== '' ? body.cursor : undefined;
    if (!next || views.length === 0) return;
    if (cursors.has(next)) return hooks.onStopped(`it gave the same next page twice after ${page} pages (${posts} posts): stopped there`);
    cursors.add(next);
    cursor = next;
  }
}
