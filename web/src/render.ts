/** Renders the search's progress and its matches. */
import type { FailureRecord, MatchRecord, SearchStatusResponse } from '../../actions/lib/types';
import { boxPercent } from './box';
import { byId, el, externalLink } from './dom';
import { similarity } from '../../client/export';
import { progressOf } from '../../client/follow';

export function renderProgress(status: SearchStatusResponse): void {
  const value = progressOf(status);
  const bar = byId('progress');
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
}

/** Each failed photo with its reason and a link to its post, so people can see what went wrong. */
export function renderFailures(failures: FailureRecord[]): void {
  const box = byId('failures');
  box.hidden = failures.length === 0;
  byId('failure-list').replaceChildren(
    ...failures.map((f) => el('li', {}, externalLink(f.tweetUrl, 'post'), `: ${f.reason}`)),
  );
}

/** A match: the photo with the face outlined, the similarity, a link to the post. Newest first. */
export function renderMatch(match: MatchRecord): void {
  const list = byId('matches');
  const box = boxPercent(match.box, match.imageWidth, match.imageHeight);
  const outline = el('span', { class: 'face', 'aria-hidden': 'true' });
  outline.style.left = `${box.left}%`;
  outline.style.top = `${box.top}%`;
  outline.style.width = `${box.width}%`;
  outline.style.height = `${box.height}%`;
  const img = el('img', { src: match.imageUrl, alt: `Photo from post ${match.tweetId}`, loading: 'lazy', referrerpolicy: 'no-referrer' });
  const frame = el('div', { class: 'frame' }, img, outline);
  const score = similarity(match.distance);
  const caption = el(
    'figcaption',
    {},
    el('span', { class: 'similarity', title: `face distance ${match.distance.toFixed(3)}` }, `${score}% similar`),
    ' · ',
    externalLink(match.tweetUrl, 'View post'),
  );
  const item = el('li', { class: 'match', 'data-tweet-id': match.tweetId }, el('figure', {}, frame, caption));
  list.prepend(item);
  byId('no-matches').hidden = true;
}

export function clearMatches(): void {
  byId('matches').replaceChildren();
  byId('no-matches').hidden = false;
  renderFailures([]);
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
