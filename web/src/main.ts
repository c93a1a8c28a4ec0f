/**
 * The page: log in, search a hashtag, watch the photos with your face arrive, export them for the trip report.
 */
import { checkHashtag } from '../../actions/lib/hashtag-rule';
import { isTerminal, type FailureRecord, type MatchView, type ReviewDecision, type SearchListItem, type Source } from '../../actions/lib/types';
import { ApiError, FindmeApi, loadPageConfig } from '../../client/api';
import { toCsv, toMarkdown } from '../../client/export';
import { FollowTimeoutError, followSearch } from '../../client/follow';
import { noMatchesMessage, outcomeMessage, progressMessage, sentence } from '../../client/outcome';
import { csvAppendix, markdownAppendix, toHtmlReport } from '../../client/report';
import { sourceLabel } from '../../client/post';
import { maybes, photosOfYou } from '../../client/review';
import { startSession, type Session } from './auth';
import { byId, el } from './dom';
import { wireFaces } from './faces';
import { renderHistory } from './history';
import { wireLightbox } from './lightbox';
import { clearError, clearMatches, renderMatches, renderProgress, renderToCheck, say, sayError, showNoMatches } from './render';
import { parseOrder, sortMatches } from './sort';

let current: AbortController | undefined;
/** The search the results panel shows (what Cancel cancels), and its matches as they arrived, newest first. */
let watched: string | undefined;
let shown: MatchView[] = [];
/** Once the watched search has ended: its hashtag and failures, so a decision afterwards renews the exports. */
let ended: { hashtag: string; failures: FailureRecord[] } | undefined;
/** Set once logged in: the API, and a reload of "Your face" (after "Add this face to my references"). */
let reviewer: { api: FindmeApi; reloadFaces: ReturnType<typeof wireFaces> } | undefined;
/** Photos whose face was added to the references from this page: their button says so. */
const addedFaces = new Set<string>();

const order = () => parseOrder(byId<HTMLSelectElement>('sort').value);

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
  byId('history').hidden = true;
}

/** Says what went wrong; when the login has ended, offers to log in again right there. */
function showError(error: unknown): void {
  if (error instanceof ApiError && error.status === 401) showLoggedOut();
  sayError(sentence(error instanceof Error ? error.message : String(error)));
}

function offerDownload(link: HTMLAnchorElement, text: string, type: string, filename: string): void {
  if (link.href.startsWith('blob:')) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = filename;
}

/** The exports hold the photos of you (sure and confirmed), never a rejected one. */
function showExports(hashtag: string, all: MatchView[], failures: FailureRecord[]): void {
  const matches = photosOfYou(all);
  const box = byId('exports');
  box.hidden = matches.length === 0;
  offerDownload(byId<HTMLAnchorElement>('export-html'), toHtmlReport(hashtag, matches, failures), 'text/html', `findme-${hashtag}.html`);
  offerDownload(byId<HTMLAnchorElement>('export-md'), toMarkdown(hashtag, matches) + markdownAppendix(failures), 'text/markdown', `findme-${hashtag}.md`);
  offerDownload(byId<HTMLAnchorElement>('export-csv'), toCsv(matches) + csvAppendix(failures), 'text/csv', `findme-${hashtag}.csv`);
}

/** Following gave up, not the search: offer what came so far and a way to pick the search up again. */
function showTimedOut(jobId: string, hashtag: string, error: FollowTimeoutError): void {
  const minutes = Math.round(error.timeoutMs / 60_000);
  say(`Stopped watching after ${minutes} minutes with ${error.matches.length} ${error.matches.length === 1 ? 'photo' : 'photos'} found; the search may still be running.`);
  byId<HTMLAnchorElement>('resume-link').href = `?job=${encodeURIComponent(jobId)}`;
  byId('resume').hidden = false;
  showExports(hashtag, error.matches, error.last?.failures ?? []);
}

function button(text: string, onClick: (self: HTMLButtonElement) => void, secondary = false): HTMLButtonElement {
  const b = el('button', { type: 'button', class: secondary ? 'secondary small' : 'small' }, text);
  b.addEventListener('click', () => onClick(b));
  return b;
}

/** Both lists again from the decided state: a rejected photo is in neither, a confirmed one is of you. */
function rerender(): void {
  const all = shown;
  renderMatches(sortMatches(photosOfYou(all), order()), sortMatches(maybes(all), order()), controlsFor);
  renderToCheck(all);
  if (ended) showExports(ended.hashtag, all, ended.failures);
}

function review(match: MatchView, decision: ReviewDecision, self: HTMLButtonElement): void {
  if (!reviewer || !watched) return;
  const jobId = watched;
  self.disabled = true;
  reviewer.api.review(jobId, match.imageUrl, decision).then(
    () => {
      if (watched !== jobId) return;
      for (const m of shown) if (m.imageUrl === match.imageUrl) m.decision = decision;
      rerender();
      say(decision === 'me' ? 'Moved to the photos of you.' : 'Hidden for good: not you.');
    },
    (error: unknown) => {
      self.disabled = false;
      showError(error);
    },
  );
}

function addFace(match: MatchView, self: HTMLButtonElement): void {
  if (!reviewer || !watched) return;
  const { api, reloadFaces } = reviewer;
  self.disabled = true;
  api.addReferenceFromMatch(watched, match.imageUrl).then(
    (listing) => {
      addedFaces.add(match.imageUrl);
      reloadFaces(listing);
      self.textContent = 'Added to your references';
    },
    (error: unknown) => {
      self.disabled = false;
      showError(error);
    },
  );
}

/** A card's buttons: undecided, "That's me" and "Not me"; confirmed, the offer to add its face to the references. */
function controlsFor(match: MatchView): Node[] {
  if (!reviewer) return [];
  if (match.decision === 'me') {
    const added = addedFaces.has(match.imageUrl);
    const b = button(added ? 'Added to your references' : 'Add this face to my references', (self) => addFace(match, self), true);
    b.disabled = added;
    return [b];
  }
  return [button("That's me", (self) => review(match, 'me', self)), button('Not me', (self) => review(match, 'not-me', self), true)];
}

/** A reopened search (reload, link) shows its hashtag in the field, as if just typed; a typed value stays. */
function keepHashtag(hashtag: string): void {
  const input = byId<HTMLInputElement>('hashtag');
  if (input.value.trim() === '') input.value = `#${hashtag}`;
}

/** Reloads "My searches"; a failure there leaves the list as it was and says so in its place. */
function refreshHistory(api: FindmeApi): void {
  api.searches().then(
    ({ searches }) => renderHistory(searches, (search) => reopen(api, search)),
    () => {
      byId('history').hidden = false;
      byId('history-empty').hidden = false;
      byId('history-empty').textContent = 'My searches could not be loaded just now.';
    },
  );
}

/** A search picked from "My searches": its results, its hashtag in the field. */
function reopen(api: FindmeApi, search: SearchListItem): void {
  byId<HTMLInputElement>('hashtag').value = `#${search.hashtag}`;
  void watch(api, search.id, search.hashtag);
  byId('results').scrollIntoView({ block: 'start' });
}

async function watch(api: FindmeApi, jobId: string, hashtag: string): Promise<void> {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  watched = jobId;
  const cancel = byId<HTMLButtonElement>('cancel');
  cancel.hidden = true;
  cancel.disabled = false;
  clearError();
  clearMatches();
  byId('exports').hidden = true;
  byId('resume').hidden = true;
  byId('results').hidden = false;
  history.replaceState(null, '', `?job=${encodeURIComponent(jobId)}`);
  const matches: MatchView[] = [];
  shown = matches;
  ended = undefined;
  try {
    const { final } = await followSearch(api, jobId, {
      signal: controller.signal,
      onMatch: (match) => {
        if (controller.signal.aborted) return;
        matches.unshift(match);
        rerender();
      },
      onStatus: (status) => {
        if (controller.signal.aborted) return;
        renderProgress(status);
        byId('results-title').textContent = `#${status.hashtag}`;
        keepHashtag(status.hashtag);
        if (!isTerminal(status.status)) say(progressMessage(status));
        cancel.hidden = isTerminal(status.status);
        hashtag = status.hashtag;
      },
    });
    // A newer search took over while this one's last answer was on its way: that answer is not for this page.
    if (controller.signal.aborted) return;
    cancel.hidden = true;
    refreshHistory(api);
    const outcome = outcomeMessage(final);
    if (outcome.failed) sayError(outcome.text);
    else say(outcome.text);
    showNoMatches(noMatchesMessage(final));
    ended = { hashtag, failures: final.failures };
    showExports(hashtag, matches, final.failures);
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

/** Cancel: the server skips the photos not yet checked; the next poll brings the outcome ("Cancelled after …"). */
function wireCancel(api: FindmeApi): void {
  const button = byId<HTMLButtonElement>('cancel');
  button.addEventListener('click', () => {
    if (!watched) return;
    button.disabled = true;
    say('Cancelling the search…');
    api
      .cancel(watched)
      .then(() => refreshHistory(api))
      .catch((error: unknown) => {
        button.disabled = false;
        showError(error);
      });
  });
}

/** A checkbox per source the deployment has set up (config.json), all checked; none listed, no picker. */
function showSourcePicker(sources: readonly Source[] | undefined): void {
  const picker = byId('source-picker');
  picker.hidden = !sources || sources.length < 2;
  byId('source-options').replaceChildren(
    ...(sources ?? []).map((source) => {
      const box = el('input', { type: 'checkbox', name: 'source', value: source, id: `source-${source}` });
      box.checked = true;
      return el('label', { for: `source-${source}`, class: 'source-option' }, box, ` ${sourceLabel(source)}`);
    }),
  );
}

/** The sources ticked, or undefined when there is no picker (the deployment's default then). */
function pickedSources(): Source[] | undefined {
  if (byId('source-picker').hidden) return undefined;
  return [...document.querySelectorAll<HTMLInputElement>('#source-options input[name=source]')].filter((b) => b.checked).map((b) => b.value as Source);
}

function wireSearchForm(api: FindmeApi): void {
  const input = byId<HTMLInputElement>('hashtag');
  input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
  byId<HTMLFormElement>('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    // The server's own rule, checked here first: the same limit and the same words, without a round trip.
    const checked = checkHashtag(input.value);
    if (!checked.ok) {
      input.setAttribute('aria-invalid', 'true');
      sayError(checked.message);
      input.focus();
      return;
    }
    const hashtag = checked.tag;
    const sources = pickedSources();
    if (sources?.length === 0) {
      sayError('Pick at least one place to search.');
      return;
    }
    input.removeAttribute('aria-invalid');
    clearError();
    const button = byId<HTMLButtonElement>('search-button');
    button.disabled = true;
    say(`Starting a search for #${hashtag}…`);
    // The button is back as soon as the search is registered: another search may replace the one being watched.
    api
      .register(hashtag, sources)
      .finally(() => (button.disabled = false))
      .then((jobId) => {
        refreshHistory(api);
        return watch(api, jobId, hashtag);
      })
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
    byId('hashtag-hint').textContent = `One hashtag: letters, digits and underscores. Try #${config.demoHashtag}: the local demo has photos there.`;
  }
  showSourcePicker(config.sources);
  wireSearchForm(api);
  wireCancel(api);
  wireLightbox();
  byId('sort').addEventListener('change', rerender);
  if (session.user) {
    reviewer = { api, reloadFaces: wireFaces(api) };
    refreshHistory(api);
  }
  const job = session.resumeJob ?? jobInAddress();
  if (job && session.user) await watch(api, job, '');
}

boot().catch((error: unknown) => sayError(`findme could not start: ${error instanceof Error ? error.message : String(error)}`));
