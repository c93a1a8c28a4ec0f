import assert from 'node:assert/strict';
import test from 'node:test';
import { MAX_TEXT_CHARS, parseBatchRecord, parseTweetImageEvent, WireError } from '../actions/lib/types';

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
