/**
 * The page: log in, search a hashtag, watch the photos with your face arrive, export them for the trip report.
 */
import type { MatchRecord } from '../../actions/lib/types';
import { ApiError, FindmeApi, loadPageConfig } from './api';
import { startSession, type Session } from './auth';
import { byId } from './dom';
import { toCsv, toMarkdown } from './export';
import { followSearch } from './follow';
import { clearMatches, renderMatch, renderProgress, say } from './render';

let current: AbortController | undefined;

/** Says what went wrong; when the login has ended, offers to log in again right there. */
function showError(error: unknown): void {
  if (error instanceof ApiError && error.status === 401) byId('login').hidden = false;
  say(error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error), 'error');
}

function offerDownload(link: HTMLAnchorElement, text: string, type: string, filename: string): void {
  if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = filename;
}

function showExports(hashtag: string, matches: MatchRecord[]): void {
  const box = byId('exports');
  box.hidden = matches.length === 0;
  offerDownload(byId<HTMLAnchorElement>('export-md'), toMarkdown(hashtag, matches), 'text/markdown', `findme-${hashtag}.md`);
  offerDownload(byId<HTMLAnchorElement>('export-csv'), toCsv(matches), 'text/csv', `findme-${hashtag}.csv`);
}

async function watch(api: FindmeApi, jobId: string, hashtag: string): Promise<void> {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  clearMatches();
  byId('exports').hidden = true;
  byId('results').hidden = false;
  history.replaceState(null, '', `?job=${encodeURIComponent(jobId)}`);
  const matches: MatchRecord[] = [];
  try {
    const { final } = await followSearch(api, jobId, {
      signal: controller.signal,
      onMatch: (match) => {
        matches.unshift(match);
        renderMatch(match);
      },
      onStatus: (status) => {
        if (controller.signal.aborted) return;
        renderProgress(status);
        byId('results-title').textContent = `#${status.hashtag}`;
        if (status.status !== 'done' && status.status !== 'failed') say(status.searchDone ? 'Checking photos…' : 'Searching posts…');
        hashtag = status.hashtag;
      },
    });
    if (final.status === 'failed') say(`The search failed: ${final.error ?? 'unknown reason'}`, 'error');
    else say(`Done: ${final.matched} of ${final.total} photos show you${final.failed ? ` (${final.failed} could not be checked)` : ''}.`);
    showExports(hashtag, matches);
  } catch (error) {
    if (!controller.signal.aborted) showError(error);
  }
}

function showUser(session: Session): void {
  const loggedIn = Boolean(session.user);
  byId('login').hidden = loggedIn;
  byId('logout').hidden = !loggedIn;
  byId('user').hidden = !loggedIn;
  byId('search').hidden = !loggedIn;
  byId('welcome').hidden = loggedIn;
  if (session.user) {
    byId('user-name').textContent = session.user.name ?? session.user.nickname ?? 'you';
    const picture = byId<HTMLImageElement>('user-picture');
    if (session.user.picture) picture.src = session.user.picture;
    picture.alt = `Profile picture of ${session.user.name ?? 'you'}`;
  }
}

async function boot(): Promise<void> {
  const config = await loadPageConfig(location.href);
  const session = await startSession(config.auth0);
  const api = new FindmeApi(config.apiBase, session.token);
  showUser(session);
  if (session.loginError) say(session.loginError, 'error');
  byId('login').addEventListener('click', () => void session.login());
  byId('logout').addEventListener('click', () => void session.logout());
  if (config.demoHashtag) {
    byId('hashtag-hint').textContent = `Try #${config.demoHashtag}: the local demo has photos there.`;
    byId<HTMLInputElement>('hashtag').placeholder = `#${config.demoHashtag}`;
  }
  byId<HTMLFormElement>('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId<HTMLInputElement>('hashtag');
    const hashtag = input.value.trim();
    if (!hashtag) {
      say('Type a hashtag first, like #jsconfeu.', 'error');
      input.focus();
      return;
    }
    const button = byId<HTMLButtonElement>('search-button');
    button.disabled = true;
    say(`Starting a search for ${hashtag.startsWith('#') ? hashtag : `#${hashtag}`}…`);
    // The button is back as soon as the search is registered: another search may replace the one being watched.
    api
      .register(hashtag)
      .finally(() => (button.disabled = false))
      .then((jobId) => watch(api, jobId, hashtag.replace(/^#/, '')))
      .catch(showError);
  });
  const job = new URLSearchParams(location.search).get('job');
  if (job && session.user) await watch(api, job, '');
}

boot().catch((error: unknown) => say(`findme could not start: ${error instanceof Error ? error.message : String(error)}`, 'error'));
