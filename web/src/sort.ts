/** The order of the matches: newest post first, or most similar face first. */
import type { MatchRecord } from '../../actions/lib/types';

export type MatchOrder = 'date' | 'similarity';

/**
 * Post ids of X are snowflakes: a longer digit string is a later post, and equal lengths compare as text. Ids that
 * are not digits keep their arrival order (newest first).
 */
function byPostDate(a: MatchRecord, b: MatchRecord): number {
  if (!/^\d+$/.test(a.postId) || !/^\d+$/.test(b.postId)) return 0;
  if (a.postId.length !== b.postId.length) return b.postId.length - a.postId.length;
  return a.postId < b.postId ? 1 : a.postId > b.postId ? -1 : 0;
}

/** A sorted copy; `matches` is newest first as they arrived, and ties keep that order (the sort is stable). */
export function sortMatches(matches: readonly MatchRecord[], order: MatchOrder): MatchRecord[] {
  return [...matches].sort(order === 'similarity' ? (a, b) => a.distance - b.distance : byPostDate);
}

export function parseOrder(value: string): MatchOrder {
  return value === 'similarity' ? 'similarity' : 'date';
}
