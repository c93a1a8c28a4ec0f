import assert from 'node:assert/strict';
import test from 'node:test';
import { MAX_TEXT_CHARS, parseBatchRecord, parseFailureRecord, parseMatchRecord, parseTweetImageEvent, WireError } from '../actions/lib/types';

const photo = { source: 'mastodon', postId: 'https://m.example/users/ada/statuses/1', postUrl: 'https://m.example/@ada/1', imageUrl: 'https://files.m.example/a.jpg' };

test('a tweet_image photo carries its source, post, author, text excerpt and time', () => {
  const long = 'x'.repeat(MAX_TEXT_CHARS + 50);
  const event = parseTweetImageEvent({ jobId: 'j', photos: [{ ...photo, author: 'ada@m.example', text: long, createdAt: '2026-03-01T10:00:00.000Z' }] });
  const parsed = event.photos[0]!;
  assert.equal(parsed.source, 'mastodon');
  assert.equal(parsed.author, 'ada@m.example');
  assert.equal([...parsed.text!].length, MAX_TEXT_CHARS, 'the text is cut to an excerpt');
  assert.ok(parsed.text!.endsWith('…'));
  assert.equal(parsed.createdAt, '2026-03-01T10:00:00.000Z');
});

test('a photo with no source, an unknown one, or a time that is not one is refused, naming the field', () => {
  const { source: _, ...noSource } = photo;
  assert.throws(() => parseTweetImageEvent({ jobId: 'j', photos: [noSource] }), (e: unknown) => e instanceof WireError && /photos\[0\]\.source must be one of x, mastodon, bluesky, got nothing/.test(e.message));
  assert.throws(() => parseTweetImageEvent({ jobId: 'j', photos: [{ ...photo, source: 'myspace' }] }), /photos\[0\]\.source must be one of/);
  assert.throws(() => parseTweetImageEvent({ jobId: 'j', photos: [{ ...photo, createdAt: 'yesterday' }] }), /photos\[0\]\.createdAt must be an ISO 8601 time/);
  assert.throws(() => parseTweetImageEvent({ jobId: 'j', photos: [{ ...photo, author: 7 }] }), /photos\[0\]\.author must be a string/);
});

test('a batch stored before the fields were source-neutral is read as X photos', () => {
  const json = JSON.stringify({ photos: [{ tweetId: '19', tweetUrl: 'https://x.com/a/status/19', imageUrl: 'https://pbs.twimg.com/media/a.jpg' }], hashes: ['h'], attempts: 0 });
  assert.deepEqual(parseBatchRecord(json, 'batch').photos, [{ source: 'x', postId: '19', postUrl: 'https://x.com/a/status/19', imageUrl: 'https://pbs.twimg.com/media/a.jpg' }]);
});

test('a stored match reads back with its band and descriptor; one from before bands and renames still reads; a damaged one names the field', () => {
  const match = { ...photo, box: { x: 1, y: 2, width: 30, height: 40 }, distance: 0.41, imageWidth: 800, imageHeight: 600, band: 'maybe', descriptor: '0000803f' };
  assert.deepEqual(parseMatchRecord(JSON.stringify(match), 'm'), match);
  const old = { tweetId: '19', tweetUrl: 'https://x.com/a/status/19', imageUrl: 'https://pbs.twimg.com/media/a.jpg', box: { x: 0, y: 0, width: 9, height: 9 }, distance: 0.3, imageWidth: 10, imageHeight: 10 };
  assert.deepEqual(parseMatchRecord(JSON.stringify(old), 'm'), { source: 'x', postId: '19', postUrl: 'https://x.com/a/status/19', imageUrl: 'https://pbs.twimg.com/media/a.jpg', box: old.box, distance: 0.3, imageWidth: 10, imageHeight: 10 });
  assert.throws(() => parseMatchRecord(JSON.stringify({ ...match, distance: 'near' }), 'm[3]'), (e: unknown) => e instanceof WireError && /^m\[3\]\.distance must be a number/.test(e.message));
  assert.throws(() => parseMatchRecord(JSON.stringify({ ...match, band: 'sure' }), 'm'), /m\.band must be one of match, maybe/);
  assert.throws(() => parseMatchRecord(JSON.stringify({ ...match, box: { x: 1 } }), 'm'), /m\.box\.y must be a number/);
  assert.throws(() => parseMatchRecord('{oops', 'm'), /m is not JSON/);
  const failure = { source: 'bluesky', postUrl: '', imageUrl: 'https://cdn.bsky.app/a', reason: 'the photo is no longer on its site (HTTP 404)' };
  assert.deepEqual(parseFailureRecord(JSON.stringify(failure), 'f'), failure);
  assert.throws(() => parseFailureRecord(JSON.stringify({ ...failure, reason: '' }), 'f'), /f\.reason must be a non-empty string/);
});
