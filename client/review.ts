/**
 * The user's review of a search's matches, shared by the page and the exports: which photos are "of you" (sure,
 * or confirmed with "That's me"), which wait for a look ("Maybe you"), and which are gone for good ("Not me").
 * Everything is computed from the matches and their decisions, so a re-render after a decision shows exactly the
 * decided state.
 */
import type { MatchView } from '../actions/lib/types';

/** Sure matches and confirmed ones, never a rejected one: the photos of you, what exports contain. */
export function photosOfYou<T extends MatchView>(matches: readonly T[]): T[] {
  return matches.filter((m) => m.decision === 'me' || (m.decision === undefined && (m.band ?? 'match') === 'match'));
}

/** Maybes nobody has decided on yet. */
export function maybes<T extends MatchView>(matches: readonly T[]): T[] {
  return matches.filter((m) => m.decision === undefined && m.band === 'maybe');
}

/** "3 to check" for the maybe list's count; '' when none are left. */
export function unreviewedLabel(matches: readonly MatchView[]): string {
  const n = maybes(matches).length;
  return n === 0 ? '' : `${n} to check`;
}
