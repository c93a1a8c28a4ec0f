/**
 * The page: log in, search a hashtag, watch the photos with your face arrive, export them for the trip report.
 */
import type { MatchRecord } from '../../actions/lib/types';
import { ApiError, FindmeApi, loadPageConfig } from '../../client/api';
import { startSession, type Session } from './auth';
import { byId } from './dom';
import { toCsv, toMarkdown } from '../../client/export';
import { FollowTimeoutError, followSearch } from '../../client/follow';
import { clearError, clearMatches, renderMatch, renderProgress, say, sayError } from './render';

let current: AbortController | undefined;

/** The search in the address (`?job=`), followed again after a reload or a login. */
function jobInAddress(): string | undefined {
  return new URLSearchParams(location.search).get('job') || undefined;
}

/** Logged out (or the login ended): only Log in is offered; searching needs a login. */
function showLoggedOut(): void {
  byId('login').hidden = false;
  byId('logout').hidden = true;
  byId('user').hidden = true;
  byId('search').hidden = true;
}

/** Says what went wrong; when the login has ended, offers to log in again right there. */
function showError(error: unknown): void {
  if (error instanceof ApiError && error.status === 401) showLoggedOut();
  sayError(error instanceof Error ? error.message : String(error));
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

/** Following gave up, not the search: offer what came so far and a way to pick the search up again. */
function showTimedOut(jobId: string, hashtag: string, error: FollowTimeoutError): void {
  const minutes = Math.round(error.timeoutMs / 60_000);
  say(`Stopped watching after ${minutes} minutes with ${error.matches.length} ${error.matches.length === 1 ? 'photo' : 'photos'} found; the search may still be running.`);
  byId<HTMLAnchorElement>('resume-link').href = `?job=${encodeURIComponent(jobId)}`;
  byId('resume').hidden = false;
  showExports(hashtag, error.matches);
}

async function watch(api: FindmeApi, jobId: string, hashtag: string): Promise<void> {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  clearError();
  clearMatches();
  byId('exports').hidden = true;
  byId('resume').hidden = true;
  byId('results').hidden = false;
  history.replaceState(null, '', `?job=${encodeURIComponent(jobId)}`);
  const matches: MatchRecord[] = [];
  try {
    const { final } = await followSearch(api, jobId, {
      signal: controller.signal,
      onMatch: (match) => {
        if (controller.signal.aborted) return;
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
    // A newer search took over while this one's last answer was on its way: that answer is not for this page.
    if (controller.signal.aborted) return;
    if (final.status === 'failed') sayError(`The search failed: ${final.error ?? 'unknown reason'}`);
    else {
      const note = final.searchNote ? ` Not every post was searched: ${final.searchNote}.` : '';
      say(`Done: ${final.matched} of ${final.total} photos show you${final.failed ? ` (${final.failed} could not be checked)` : ''}.${note}`);
    }
    showExports(hashtag, matches);
  } catch (error) {
    if (controller.signal.aborted) return;
    if (error instanceof FollowTimeoutError) showTimedOut(jobId, hashtag, error);
    else showError(error);
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

function wireSearchForm(api: FindmeApi): void {
  const input = byId<HTMLInputElement>('hashtag');
  input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
  byId<HTMLFormElement>('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const hashtag = input.value.trim();
    if (!hashtag) {
      input.setAttribute('aria-invalid', 'true');
      sayError('Type a hashtag first, like #jsconfeu.');
      input.focus();
      return;
    }
    input.removeAttribute('aria-invalid');
    clearError();
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
}

async function boot(): Promise<void> {
  const config = await loadPageConfig(location.href);
  const session = await startSession(config.auth0);
  const api = new FindmeApi(config.apiBase, session.token);
  showUser(session);
  if (session.loginError) sayError(session.loginError);
  // The job in the address goes through the login and comes back as the session's resumeJob.
  byId('login').addEventListener('click', () => void session.login(jobInAddress()));
  byId('logout').addEventListener('click', () => void session.logout());
  if (config.demoHashtag) {
    byId('hashtag-hint').textContent = `Try #${config.demoHashtag}: the local demo has photos there.`;
    byId<HTMLInputElement>('hashtag').placeholder = `#${config.demoHashtag}`;
  }
  wireSearchForm(api);
  const job = session.resumeJob ?? jobInAddress();
  if (job && session.user) await watch(api, job, '');
}

boot().catch((error: unknown) => sayError(`findme could not start: ${error instanceof Error ? error.message : String(error)}`));
