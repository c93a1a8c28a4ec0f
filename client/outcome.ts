/**
 * What a search's status means, in sentences for people: one wording for the page and `findme search`.
 */
import type { SearchStatusResponse } from '../actions/lib/types';
import { sourceLabel } from './post';

/**
 * Where a search looked, said whenever nothing was found, so "nothing" is not a mystery: X's recent search
 * reaches back 7 days; the others' tag searches have no such window.
 */
export function searchedWhere(final: Pick<SearchStatusResponse, 'sources'>): string {
  const sources = final.sources?.length ? final.sources.map((s) => s.source) : ['x'];
  const places = sources.map((source) => (source === 'x' ? 'in the last 7 days on X' : `on ${sourceLabel(source)}`));
  return places.length === 1 ? places[0]! : `${places.slice(0, -1).join(', ')} or ${places.at(-1)!}`;
}

/** `text` as a sentence: a capital first letter and a closing full stop (server reasons come without them). */
export function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

const photos = (n: number) => `${n} ${n === 1 ? 'photo' : 'photos'}`;

/** The running search's state: searching posts, the face engine warming up (nothing checked yet), checking. */
export function progressMessage(status: Pick<SearchStatusResponse, 'searchDone' | 'total' | 'processed' | 'failed'>): string {
  if (!status.searchDone) return 'Searching posts…';
  return status.processed + status.failed === 0 && status.total > 0 ? 'Preparing the face engine…' : 'Checking photos…';
}

/**
 * Why a search failed. A search of one source fails with that source's note, which does not name the source (the
 * page shows it after the source's name, the job's note puts the name before it): it is named here.
 */
function failure(final: Pick<SearchStatusResponse, 'error' | 'sources'>): string {
  const error = final.error ?? 'no reason was given';
  const only = final.sources?.length === 1 ? final.sources[0] : undefined;
  return only?.status === 'failed' && only.note === final.error ? `${sourceLabel(only.source)}: ${error}` : error;
}

/** How a finished search ended. `failed` tells callers to show it as an error. */
export function outcomeMessage(final: SearchStatusResponse): { text: string; failed: boolean } {
  if (final.status === 'failed') return { text: `The search failed. ${sentence(failure(final))}`, failed: true };
  if (final.status === 'cancelled') {
    const checked = final.processed + final.failed;
    return { text: `Cancelled after ${checked} of ${photos(final.total)}: ${final.matched} ${final.matched === 1 ? 'shows' : 'show'} you.`, failed: false };
  }
  const note = final.searchNote ? ` Not every post was searched: ${sentence(final.searchNote)}` : '';
  if (final.total === 0) return { text: `No posts with photos under #${final.hashtag} ${searchedWhere(final)}.${note}`, failed: false };
  const unchecked = final.failed ? ` (${final.failed} could not be checked)` : '';
  const maybe = final.maybe ? ` ${final.maybe} more may show you: check ${final.maybe === 1 ? 'it' : 'them'}.` : '';
  return { text: `Done: ${final.matched} of ${photos(final.total)} show you${unchecked}.${maybe}${note}`, failed: false };
}

/** The line in place of the matches when a search ended with none. */
export function noMatchesMessage(final: SearchStatusResponse): string | undefined {
  if (final.status !== 'done' || final.total === 0) return undefined;
  return final.total === 1 ? 'The photo does not show you.' : `None of the ${photos(final.total)} show you.`;
}
