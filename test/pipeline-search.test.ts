import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import sharp from 'sharp';
import type { RegisterSearchResponse } from '../actions/lib/types';
import { startIdentityProvider } from '../local/standins/identity';
import { DEMO_HASHTAG, DEMO_STAGE_HASHTAG, demoPhoto, demoStageTweets, demoTweets, SAMPLE1_FACES } from '../local/standins/demo';
import type { FakeTweet } from '../local/standins/x-api';
import { assertNowhere } from './helpers/secrets';
import { useStack } from './helpers/stack';

const identity = await startIdentityProvider({ pageOrigins: ['http://127.0.0.1:9'] });
after(() => identity.close());

/**
 * 300 posts, each with a photo of its own URL: a few real group photos, one that is not an image, the rest one
 * small picture of no one (its faces cached by its bytes after the first run: each is a download and a record).
 */
async function manyPhotos(count: number, real: number): Promise<FakeTweet[]> {
  const blank = await sharp({ create: { width: 48, height: 32, channels: 3, background: '#8899aa' } }).jpeg().toBuffer();
  return Array.from({ length: count }, (_, i) => {
    const key = `3_many${i}`;
    const media = i < real ? { file: demoPhoto(((i % 6) + 1) as 1) } : { body: i === count - 1 ? Buffer.from('<html>not a photo</html>') : blank };
    return { id: String(3_000_000 + count - i), username: `u${i % 7}`, media: [{ type: 'photo' as const, key, ...media }] };
  });
}

const stageTweets = await demoStageTweets();
const { stack, x, register, waitForEnd, status, activations } = await useStack({
  x: { tweets: { ...demoTweets(), ...stageTweets, many: await manyPhotos(300, 2) } },
  stack: { identity: { domain: identity.domain, audience: identity.audience, host: identity.host } },
});

async function search(hashtag: string, sub = 'local|ada') {
  const token = await identity.issueAccessToken({ sub });
  const response = await register(token, { hashtag });
  assert.equal(response.status, 202, await response.clone().text());
  const { jobId } = (await response.json()) as RegisterSearchResponse;
  return { token, jobId };
}

test('the demo hashtag finds exactly the photo with the demo user, with the face outlined', { timeout: 240_000 }, async () => {
  const { token, jobId } = await search(`#${DEMO_HASHTAG}`);
  const final = await waitForEnd(token, jobId, 200_000);
  assert.equal(final.status, 'done', JSON.stringify(final));
  assert.equal(final.total, 6, 'six distinct photos: the repost and the retweet of sample1 count once, videos and GIFs not at all');
  assert.equal(final.processed + final.failed, final.total);
  assert.equal(final.failed, 0);
  assert.deepEqual(
    final.matches.map((m) => m.postId),
    ['1900000000000000005'],
    'only the team photo (first seen in its newest post) shows Ada',
  );
  const [match] = final.matches;
  // Ada's picture was cropped around sample1's first face.
  const [face] = SAMPLE1_FACES;
  assert.ok(Math.abs(match!.box.x - face!.x) < 40 && Math.abs(match!.box.y - face!.y) < 40, JSON.stringify(match!.box));
  assert.equal(match!.imageWidth, 1920);
  assert.ok(match!.distance < 0.4);
  assert.equal(match!.postUrl, 'https://x.com/bo/status/1900000000000000005');

  // Polling with the cursor returns nothing new.
  const again = (await (await status(token, jobId, final.cursor)).json()) as { matches: unknown[] };
  assert.deepEqual(again.matches, []);
});

test('the stage demo finds Ada 64 px wide on stage and 56 px in a crowd, and no stranger as a sure match', { timeout: 240_000 }, async () => {
  const { token, jobId } = await search(`#${DEMO_STAGE_HASHTAG}`);
  const final = await waitForEnd(token, jobId, 200_000);
  assert.equal(final.status, 'done', JSON.stringify(final));
  assert.equal(final.total, 5);
  assert.equal(final.failed, 0);
  const posts = stageTweets[DEMO_STAGE_HASHTAG]!.map((t) => t.id);
  // Ada is in the first, second and fourth post (48 px, 64 px, 56 px among strangers); the others hold only strangers.
  const withAda = [posts[0], posts[1], posts[3]];
  const found = final.matches.map((m) => m.postId);
  // A look-alike stranger may be a maybe (the user reviews those: issue 15); never a sure match.
  const sure = final.matches.filter((m) => (m.band ?? 'match') === 'match').map((m) => m.postId);
  assert.ok(sure.every((id) => withAda.includes(id)), `a stranger matched for sure: ${JSON.stringify(final.matches)}`);
  assert.ok(found.includes(posts[1]!), `the 64 px speaker was not found: ${JSON.stringify(final)}`);
  assert.ok(found.includes(posts[3]!), `Ada in the crowd was not found: ${JSON.stringify(final)}`);
  for (const match of final.matches) assert.equal(match.imageWidth, 2048);
});

test("no action logs, returns or stores the namespace key that every rule-fired activation gets in __ow_headers", async () => {
  const key = stack.platform.apiKey;
  const fired = stack.platform.store.all().filter((r) => r.name === 'twitter_search' || r.name === 'compare_images');
  assert.ok(fired.length >= 2, 'the search above ran its rule-fired actions');
  await assertNowhere(stack, { 'the key': key, "the key's secret": key.split(':')[1]!, 'the key in base64': Buffer.from(key).toString('base64') });
});

test('the same search again runs no model: every photo comes from the cache', { timeout: 120_000 }, async () => {
  const served = x.mediaServed.length;
  const { token, jobId } = await search(DEMO_HASHTAG);
  const final = await waitForEnd(token, jobId, 100_000);
  assert.equal(final.status, 'done');
  assert.deepEqual(final.matches.map((m) => m.postId), ['1900000000000000005']);
  assert.equal(x.mediaServed.length, served, 'no photo was downloaded again');
  const compares = await activations('compare_images', jobId);
  const cached = compares.reduce((n, r) => n + Number((r.response.result as { cached?: number }).cached ?? 0), 0);
  assert.equal(cached, 6);
});

test('300 photos with the default 60 fires a minute: batching delivers every photo, none lost', { timeout: 240_000 }, async () => {
  const { token, jobId } = await search('many');
  const final = await waitForEnd(token, jobId, 220_000);
  assert.equal(final.status, 'done', JSON.stringify({ ...final, matches: final.matches.length }));
  assert.equal(final.total, 300);
  assert.equal(final.processed + final.failed, 300);
  assert.equal(final.failed, 1);
  assert.equal(final.failures.length, 1, 'the failed photo is listed with its reason');
  assert.match(final.failures[0]!.imageUrl, /3_many299\.jpg$/);
  assert.match(final.failures[0]!.reason, /not an image/i);
  const fires = stack.platform.store.all().filter((r) => r.name === 'tweet_image' && (r.response.result as { jobId?: string }).jobId === jobId);
  assert.equal(fires.length, 30, 'ten photos per tweet_image event');
});
