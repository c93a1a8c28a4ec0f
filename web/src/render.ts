/** Renders the search's progress and its matches. */
import { isTerminal, type FailureRecord, type MatchView, type SearchStatusResponse, type SourceProgress } from '../../actions/lib/types';
import { postedDay, sourceLabel } from '../../client/post';
import { maybes, unreviewedLabel } from '../../client/review';
import { byId, el, externalLink } from './dom';
import { openLightbox, placeOutline } from './lightbox';
import { similarity } from '../../client/export';
import { progressOf } from '../../client/follow';

export function renderProgress(status: SearchStatusResponse): void {
  const value = progressOf(status);
  const bar = byId('progress');
  bar.classList.toggle('ended', isTerminal(status.status));
  bar.setAttribute('aria-valuenow', String(value));
  bar.setAttribute('aria-valuetext', `${value}% of photos checked`);
  byId('progress-fill').style.width = `${value}%`;
  byId('count-checked').textContent = String(status.processed + status.failed);
  byId('count-total').textContent = status.searchDone ? String(status.total) : `${status.total}+`;
  byId('count-failed').textContent = String(status.failed);
  byId('count-matched').textContent = String(status.matched);
  // A lost batch is being delivered again: say so, rather than look stuck.
  const retrying = byId('retrying');
  retrying.hidden = !status.retrying;
  retrying.textContent = status.retrying ? `Retrying ${status.retrying} photo${status.retrying === 1 ? '' : 's'} that did not arrive the first time…` : '';
  renderFailures(status.failures);
  renderSources(status.sources ?? []);
}

const SOURCE_STATES: Record<SourceProgress['status'], string> = { pending: 'waiting to start', searching: 'searching', done: 'done', failed: 'failed' };

/** One line per source: where it stands, posts read, photos found, and its note (why it stopped or failed). */
function renderSources(sources: SourceProgress[]): void {
  const list = byId('source-progress');
  list.hidden = sources.length === 0;
  list.replaceChildren(
    ...sources.map((s) => {
      const counts = `${s.posts} post${s.posts === 1 ? '' : 's'} read, ${s.photos} photo${s.photos === 1 ? '' : 's'}`;
      const item = el('li', { class: `source ${s.status}`, 'data-source': s.source }, el('strong', {}, sourceLabel(s.source)), `: ${SOURCE_STATES[s.status] ?? s.status} · ${counts}`);
      if (s.note) item.append(el('span', { class: 'note' }, ` — ${s.note}`));
      return item;
    }),
  );
}

/** Each failed photo with its reason and a link to its post, so people can see what went wrong. */
export function renderFailures(failures: FailureRecord[]): void {
  const box = byId('failures');
  box.hidden = failures.length === 0;
  byId('failure-list').replaceChildren(
    ...failures.map((f) => el('li', {}, externalLink(f.postUrl, 'post'), `: ${f.reason}`)),
  );
}

/** The buttons under a card ("That's me", "Not me", …): main.ts decides which, from the decided state. */
export type Controls = (match: MatchView) => Node[];

/**
 * A match's card: the photo with the face outlined (a button that opens the lightbox), the similarity, the post,
 * and the review buttons.
 */
function matchCard(match: MatchView, controls?: Controls): HTMLLIElement {
  const outline = el('span', { class: 'face', 'aria-hidden': 'true' });
  placeOutline(outline, match);
  const img = el('img', { src: match.imageUrl, alt: `Photo from post ${match.postId}`, loading: 'lazy', referrerpolicy: 'no-referrer' });
  const frame = el('button', { type: 'button', class: 'frame', 'aria-label': `Open the photo from post ${match.postId} at full size` }, img, outline);
  frame.addEventListener('click', () => openLightbox(match, frame));
  const score = similarity(match.distance);
  const caption = el(
    'figcaption',
    {},
    el('span', { class: 'similarity', title: `face distance ${match.distance.toFixed(3)}` }, `${score}% similar`),
    ' · ',
    el('span', { class: 'source' }, sourceLabel(match.source)),
    ...(match.author ? [' · ', el('span', { class: 'author' }, match.author)] : []),
    ...(postedDay(match) ? [' · ', el('time', { datetime: postedDay(match) }, postedDay(match))] : []),
    ' · ',
    externalLink(match.postUrl, 'View post'),
    // Text nodes only (el): whatever the post says is shown, never parsed.
    ...(match.text ? [el('q', { class: 'text' }, match.text)] : []),
  );
  const buttons = controls ? controls(match) : [];
  const review = buttons.length > 0 ? [el('div', { class: 'review' }, ...buttons)] : [];
  return el('li', { class: 'match', 'data-post-id': match.postId, 'data-image-url': match.imageUrl }, el('figure', {}, frame, caption, ...review));
}

/**
 * "Photos of you" and "Maybe you — check these", each in the order given (sort.ts). Both lists are rebuilt from
 * what is passed: a photo rejected with "Not me" is simply not passed, so its card is gone.
 */
export function renderMatches(ofYou: readonly MatchView[], toCheck: readonly MatchView[] = [], controls?: Controls): void {
  byId('matches').replaceChildren(...ofYou.map((m) => matchCard(m, controls)));
  byId('no-matches').hidden = ofYou.length > 0;
  byId('sort-row').hidden = ofYou.length + toCheck.length < 2;
  byId('maybes').replaceChildren(...toCheck.map((m) => matchCard(m, controls)));
  byId('maybe-section').hidden = toCheck.length === 0;
  byId('count-maybe').textContent = unreviewedLabel(toCheck);
}

/** How many maybes wait for a decision, for the counts row. */
export function renderToCheck(all: readonly MatchView[]): void {
  byId('count-to-check').textContent = String(maybes(all).length);
}

export function clearMatches(): void {
  renderMatches([]);
  renderToCheck([]);
  showNoMatches('No photos of you so far.');
  renderFailures([]);
}

/** The line in place of the matches while there are none; `undefined` hides it (the status line says it all). */
export function showNoMatches(text: string | undefined): void {
  const line = byId('no-matches');
  line.hidden = text === undefined || byId('matches').childElementCount > 0;
  if (text !== undefined) line.textContent = text;
}

/**
 * Writes `text` into a live region only when it differs from what is there: screen readers announce every
 * write, and polling would otherwise repeat "Checking photos…" once a second.
 */
function write(region: HTMLElement, text: string): void {
  if (region.textContent !== text) region.textContent = text;
}

/** Progress and outcomes, in the polite role=status region. */
export function say(message: string): void {
  write(byId('status'), message);
}

/**
 * Errors, in the role=alert region (announced at once); the status line is emptied so that it does not go on
 * saying "Searching posts…" beside the error.
 */
export function sayError(message: string): void {
  write(byId('status'), '');
  write(byId('alert'), message);
}

/** A new attempt (search, login) starts: the last error no longer applies. */
export function clearError(): void {
  write(byId('alert'), '');
}
