/** client/review.ts: which photos are of you, which wait for a look, and which are gone. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MatchView } from '../actions/lib/types';
import { maybes, photosOfYou, unreviewedLabel } from '../client/review';

function m(n: number, band: MatchView['band'], decision?: MatchView['decision']): MatchView {
  return { source: 'x', postId: String(n), postUrl: `https://x.com/u/status/${n}`, imageUrl: `https://pbs.twimg.com/media/${n}.jpg`, box: { x: 0, y: 0, width: 1, height: 1 }, distance: 0.5, imageWidth: 10, imageHeight: 10, ...(band ? { band } : {}), ...(decision ? { decision } : {}) };
}

test('photos of you are the sure and the confirmed; a rejected photo is in neither list; a record from before bands is sure', () => {
  const all = [m(1, 'match'), m(2, 'match', 'not-me'), m(3, 'maybe'), m(4, 'maybe', 'me'), m(5, 'maybe', 'not-me'), m(6, undefined)];
  assert.deepEqual(photosOfYou(all).map((x) => x.postId), ['1', '4', '6']);
  assert.deepEqual(maybes(all).map((x) => x.postId), ['3']);
  assert.equal(unreviewedLabel(all), '1 to check');
  assert.equal(unreviewedLabel([m(1, 'match')]), '');
});
