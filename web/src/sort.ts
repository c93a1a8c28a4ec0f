/** The order of the matches: newest post first, or most similar face first. */
import type { MatchRecord } from '../../actions/lib/types';
import { postedAt } from '../../client/post';

export type MatchOrder = 'date' | 'similarity';

/** Newest post first, by its time (recorded, or an X id's); posts of unknown time keep their arrival order. */
function byPostDate(a: MatchRecord, b: MatchRecord): number {
  const [ta, tb] = [postedAt(a), postedAt(b)];
  if (ta === undefined || tb === undefined) return 0;
  if (ta !== tb) return tb - ta;
  // Two X posts in the same millisecond: their snowflakes still order them.
  if (a.source === 'x' && b.source === 'x' && /^\d+$/.test(a.postId) && /^\d+$/.test(b.postId)) return BigInt(b.postId) > BigInt(a.postId) ? 1 : BigInt(b.postId) < BigInt(a.postId) ? -1 : 0;
  return 0;
}

/** A sorted copy; `matches` is newest first as they arrived, and ties keep that order (the sort is stable). */
export function sortMatches<T extends MatchRecord>(matches: readonly T[], order: MatchOrder): T[] {
  return [...matches].sort(order === 'similarity' ? (a, b) => a.distance - b.distance : byPostDate);
}

export function parseOrder(value: string): MatchOrder {
  return value === 'similarity' ? 'similarity' : 'date';
}
