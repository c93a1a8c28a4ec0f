/** What the page and the exports say about a match's post: where it is from, who posted it, and when. */
import { SOURCE_LABELS, type PhotoRef } from '../actions/lib/types';

/** X's post ids are snowflakes: the post's time is in their upper bits (ms since X's epoch, 2010-11-04). */
const X_EPOCH_MS = 1288834974657;

/** When the post was made, read from its id; undefined for an id that is not an X snowflake. */
export function postTime(postId: string): number | undefined {
  if (!/^\d{15,20}$/.test(postId)) return undefined;
  const ms = Number(BigInt(postId) >> 22n) + X_EPOCH_MS;
  return Number.isFinite(ms) && ms > X_EPOCH_MS ? ms : undefined;
}

/** When the post was made: its recorded time, else (an X post from before times were recorded) from its id. */
export function postedAt(photo: Pick<PhotoRef, 'postId' | 'createdAt' | 'source'>): number | undefined {
  const recorded = photo.createdAt ? Date.parse(photo.createdAt) : NaN;
  if (Number.isFinite(recorded)) return recorded;
  return photo.source === 'x' ? postTime(photo.postId) : undefined;
}

/** "2026-03-01", or '' when the time is not known. */
export function postedDay(photo: Pick<PhotoRef, 'postId' | 'createdAt' | 'source'>): string {
  const at = postedAt(photo);
  return at === undefined ? '' : new Date(at).toISOString().slice(0, 10);
}

/** "X", "Mastodon", "Bluesky" (a source this page does not know is shown as it came). */
export function sourceLabel(source: string): string {
  return (SOURCE_LABELS as Record<string, string>)[source] ?? source;
}
