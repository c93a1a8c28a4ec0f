import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { xConfig } from '../actions/lib/config';
import { Deadline } from '../actions/lib/ow/deadline';
import type { PhotoRef } from '../actions/lib/types';
import { createXClient } from '../actions/lib/x/client';
import { REQUEST_TIMEOUT_MS, searchPhotos, searchQuery, XSearchError } from '../actions/lib/x/search';
import { DEMO_HASHTAG, demoTweets } from '../local/standins/demo';
import { startFakeX, type FakeTweet, type FakeXOptions } from '../local/standins/x-api';

const servers: Array<{ close(): Promise<void> }> = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function fake(options: FakeXOptions) {
  const x = await startFakeX(options);
  servers.push(x);
  const config = xConfig({ X_API_BASE_URL: x.baseUrl, X_BEARER_TOKEN: x.bearerToken, FINDME_MAX_TWEETS: 1000 });
  return { x, client: createXClient(config, x.bearerToken), config };
}

async function collect(iterable: AsyncIterable<{ photos: PhotoRef[]; posts: number }>): Promise<PhotoRef[][]> {
  const pages: PhotoRef[][] = [];
  for await (const page of iterable) pages.push(page.photos);
  return pages;
}

/**
 * 250 posts (3 pages of at most 100): every third repeats the photo of the post before it, every seventh also
 * has a video, every eleventh a GIF; 20 retweets that the query must exclude are mixed in.
 */
function manyTweets(): FakeTweet[] {
  const tweets: FakeTweet[] = [];
  for (let i = 0; i < 250; i++) {
    const id = String(2_000_000 + 1000 - i);
    const key = i % 3 === 2 ? `3_${i - 1}` : `3_${i}`;
    const media: FakeTweet['media'] = [{ type: 'photo', key, body: Buffer.from(`photo ${key}`) }];
    if (i % 7 === 6) media.push({ type: 'video', key: `7_${i}` });
    if (i % 11 === 10) media.push({ type: 'animated_gif', key: `16_${i}` });
    tweets.push({ id, username: `user${i % 5}`, media });
    if (i % 12 === 0 && tweets.length < 270) tweets.push({ id: `${id}9`, username: 'rt', retweetOf: id, media: [{ type: 'photo', key: `3_rt${i}`, body: Buffer.from('rt') }] });
  }
  return tweets;
}

test('the query asks X for original posts with images under the hashtag', () => {
  assert.equal(searchQuery('jsconfeu'), '#jsconfeu has:images -is:retweet');
});

test('the demo hashtag yields every photo once: several per post, reposts deduplicated, videos, GIFs and retweets skipped', async () => {
  const { x, client } = await fake({ tweets: demoTweets() });
  const pages = await collect(searchPhotos(client, DEMO_HASHTAG, { maxTweets: 1000, deadline: new Deadline() }));
  const photos = pages.flat();
  assert.equal(photos.length, 6);
  assert.equal(new Set(photos.map((p) => p.imageUrl)).size, 6);
  const byTweet = photos.map((p) => p.postId);
  assert.deepEqual(byTweet.filter((id) => id === '1900000000000000004').length, 2, 'both photos of a two-photo post');
  assert.ok(!byTweet.includes('1900000000000000008'), 'the retweet is skipped');
  assert.ok(!byTweet.includes('1900000000000000007'), 'the video-only post is skipped');
  assert.ok(photos.every((p) => p.imageUrl.startsWith(`http://${x.host}/media/`)));
  const first = photos.find((p) => p.postId === '1900000000000000009');
  assert.equal(first?.postUrl, 'https://x.com/dana/status/1900000000000000009');
  assert.match(x.searches[0]!.query, /^#findmedemo has:images -is:retweet$/);
});

test('250 posts over 3 pages with duplicates, retweets, videos and a 429 in the middle: each distinct photo once', async () => {
  const { x, client } = await fake({ tweets: { big: manyTweets() }, rateLimitOn: [2], rateLimitResetS: 1 });
  const waits: number[] = [];
  const stopped: string[] = [];
  const pages = await collect(searchPhotos(client, 'big', { maxTweets: 1000, deadline: new Deadline(), onRateLimit: (ms) => waits.push(ms), onStopped: (why) => stopped.push(why) }));
  assert.deepEqual(stopped, [], 'every post was read: nothing to note');
  const photos = pages.flat();
  const expected = new Set(manyTweets().filter((t) => !t.retweetOf).map((t) => t.media[0]!.key));
  assert.equal(expected.size, 167, 'the data set has 167 distinct photos');
  assert.equal(photos.length, expected.size);
  assert.ok(photos.every((p) => /\/media\/3_\d+\.jpg$/.test(p.imageUrl)), 'no video, GIF or retweet media');
  assert.equal(new Set(photos.map((p) => p.imageUrl)).size, photos.length);
  assert.equal(waits.length, 1, 'waited once for the rate limit');
  assert.deepEqual(x.searches.map((s) => s.status), [200, 429, 200, 200]);
  assert.equal(x.searches[2]!.nextToken, x.searches[1]!.nextToken, 'the page after a 429 is asked again');
});

test('FINDME_MAX_TWEETS bounds how many posts are read', async () => {
  const { x, client } = await fake({ tweets: { big: manyTweets() } });
  const stopped: string[] = [];
  const photos = (await collect(searchPhotos(client, 'big', { maxTweets: 150, deadline: new Deadline(), onStopped: (why) => stopped.push(why) }))).flat();
  assert.equal(x.searches.length, 2);
  assert.ok(photos.length > 0 && photos.length < 150);
  assert.deepEqual(stopped, ['only the newest 150 posts were read (FINDME_MAX_TWEETS is 150)'], 'X had older posts: the search says it did not read them');
});

test('a rate limit longer than the activation can wait fails with when to try again', async () => {
  const { client } = await fake({ tweets: demoTweets(), rateLimitOn: [1], rateLimitResetS: 600 });
  await assert.rejects(collect(searchPhotos(client, DEMO_HASHTAG, { maxTweets: 100, deadline: new Deadline() })), (error: Error) => {
    assert.ok(error instanceof XSearchError);
    assert.match(error.message, /^its rate limit is reached; try again after \d\d:\d\d:\d\d UTC$/);
    return true;
  });
});

test('a 429 without x-rate-limit-reset is waited out with a backoff, not failed at once', async () => {
  const { x, client } = await fake({ tweets: demoTweets(), rateLimitOn: [1], rateLimitResetS: null });
  const waits: number[] = [];
  const photos = (await collect(searchPhotos(client, DEMO_HASHTAG, { maxTweets: 100, deadline: new Deadline(), onRateLimit: (ms) => waits.push(ms) }))).flat();
  assert.equal(photos.length, 6);
  assert.deepEqual(waits, [5000], 'the first fallback wait');
  assert.deepEqual(x.searches.map((s) => s.status), [429, 200]);
});

test("a reset sooner than the old 60 s cap still fails when the activation's deadline cannot wait for it and one more request", async () => {
  const { x, client } = await fake({ tweets: demoTweets(), rateLimitOn: [1], rateLimitResetS: 10 });
  // Time for a request, but not for a wait of at least 9.5 s and then another request.
  const deadline = new Deadline(Date.now() + 5000 + REQUEST_TIMEOUT_MS + 8000);
  await assert.rejects(collect(searchPhotos(client, DEMO_HASHTAG, { maxTweets: 100, deadline })), /^XSearchError: its rate limit is reached; try again after \d\d:\d\d:\d\d UTC$/);
  assert.equal(x.searches.length, 1, 'no second request');
});

test('no page is asked for once the deadline leaves no time for a request and the reserve: the search stops with what it found', async () => {
  const { x, client } = await fake({ tweets: { big: manyTweets() } });
  // Plenty of time until X has answered once, then less than a request and the reserve need.
  const deadline = new (class extends Deadline {
    override remaining(): number {
      return x.searches.length === 0 ? 10 * REQUEST_TIMEOUT_MS : REQUEST_TIMEOUT_MS + 999;
    }
  })();
  const stopped: string[] = [];
  const pages = await collect(searchPhotos(client, 'big', { maxTweets: 1000, deadline, reserveMs: 1000, onStopped: (reason) => stopped.push(reason) }));
  assert.equal(x.searches.length, 1);
  assert.equal(pages.length, 1);
  assert.ok(pages[0]!.length > 0);
  assert.deepEqual(stopped, ["the activation's time ran out after 1 page (100 posts)"]);
});

test('a wrong bearer token is a readable failure; the detail for the log names X_BEARER_TOKEN', async () => {
  const { x } = await fake({ tweets: demoTweets() });
  const client = createXClient(xConfig({ X_API_BASE_URL: x.baseUrl }), 'wrong-token');
  await assert.rejects(collect(searchPhotos(client, DEMO_HASHTAG, { maxTweets: 100, deadline: new Deadline() })), (error: XSearchError) => error.message === "refused findme's login" && /^X API: HTTP 401\b.*\(check X_BEARER_TOKEN\)$/.test(error.detail ?? ''));
});

test('an unreachable X API fails with the reason, in bounded time', async () => {
  const { x, config } = await fake({ tweets: demoTweets() });
  await x.close();
  const client = createXClient(config, x.bearerToken);
  await assert.rejects(collect(searchPhotos(client, DEMO_HASHTAG, { maxTweets: 100, deadline: new Deadline() })), (error: XSearchError) => error.message === 'could not be reached' && /^X API request failed: .*ECONNREFUSED/.test(error.detail ?? ''));
});

test('the X stand-in makes a lazy hashtag once, when it is searched or one of its photos is asked for', async () => {
  let makes = 0;
  const stage = async (): Promise<FakeTweet[]> => {
    makes += 1;
    await new Promise((r) => setTimeout(r, 50));
    return [{ id: '3000000000000000001', username: 'ari', media: [{ type: 'photo', key: '3_lazy1', body: Buffer.from('lazy photo') }] }];
  };
  const { x, client } = await fake({ tweets: demoTweets(), lazyTweets: { lazytag: stage } });
  assert.equal(makes, 0, 'nothing made at start');
  await collect(searchPhotos(client, DEMO_HASHTAG, { maxTweets: 100, deadline: new Deadline() }));
  assert.equal(makes, 0, 'another hashtag does not make it');
  const [first, second] = await Promise.all([0, 1].map(() => collect(searchPhotos(client, 'LazyTag', { maxTweets: 100, deadline: new Deadline() }))));
  assert.equal(makes, 1, 'two searches at once make it once');
  assert.deepEqual(first!.flat().map((p) => p.postId), ['3000000000000000001']);
  assert.deepEqual(second, first);
  const photo = await fetch(first![0]![0]!.imageUrl);
  assert.equal(await photo.text(), 'lazy photo');

  // A restarted stand-in: a job kept across the restart asks for the photo before anyone searches.
  let again = 0;
  const restarted = await fake({ tweets: {}, lazyTweets: { lazytag: () => ((again += 1), stage()) } });
  const served = await fetch(restarted.x.mediaUrl('3_lazy1'));
  assert.equal(served.status, 200);
  assert.equal(await served.text(), 'lazy photo');
  assert.equal((await fetch(restarted.x.mediaUrl('3_none'))).status, 404);
  assert.equal(again, 1);
  assert.equal(x.searches.length, 3);
});
