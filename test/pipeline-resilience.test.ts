import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import sharp from 'sharp';
import type { RegisterSearchResponse, SearchStatusResponse } from '../actions/lib/types';
import { startIdentityProvider } from '../local/standins/identity';
import { DEMO_HASHTAG, demoTweets } from '../local/standins/demo';
import type { FakeTweet } from '../local/standins/x-api';
import { useStack } from './helpers/stack';

const identity = await startIdentityProvider({ pageOrigins: ['http://127.0.0.1:9'] });
after(() => identity.close());
const blank = await sharp({ create: { width: 48, height: 32, channels: 3, background: '#a0b0c0' } }).jpeg().toBuffer();
const few: FakeTweet[] = Array.from({ length: 30 }, (_, i) => ({ id: String(4_000_000 - i), username: 'few', media: [{ type: 'photo', key: `3_few${i}`, body: blank }] }));

const { stack, register, status, activations } = await useStack({
  x: { tweets: { ...demoTweets(), few } },
  stack: {
    identity: { domain: identity.domain, audience: identity.audience, host: identity.host },
    persistentRedis: true,
    env: { FINDME_JOB_STALL_S: '20', FINDME_PHOTOS_PER_EVENT: '2' },
    // A fire limit small enough that twitter_search runs into it, on a short window so the test stays short.
    platform: { limits: { firesPerMinute: 4, windowMs: 4000 } },
  },
});

async function start(hashtag: string): Promise<{ token: string; jobId: string }> {
  const token = await identity.issueAccessToken({ sub: 'local|ada' });
  const response = await register(token, { hashtag });
  assert.equal(response.status, 202, await response.clone().text());
  return { token, jobId: ((await response.json()) as RegisterSearchResponse).jobId };
}

/** Polls through outages: a failed poll (Redis down) is retried, not fatal. */
async function pollUntil(token: string, jobId: string, stop: (s: SearchStatusResponse) => boolean, timeoutMs: number): Promise<SearchStatusResponse> {
  const deadline = Date.now() + timeoutMs;
  let last: SearchStatusResponse | undefined;
  while (Date.now() < deadline) {
    const response = await status(token, jobId).catch(() => undefined);
    if (response?.ok) {
      last = (await response.json()) as SearchStatusResponse;
      if (stop(last)) return last;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`job ${jobId} did not get there in ${timeoutMs} ms; last seen ${JSON.stringify(last)}`);
}

const ended = (s: SearchStatusResponse) => s.status === 'done' || s.status === 'failed';

test('trigger fires answered 429 are retried with backoff: every photo arrives', { timeout: 180_000 }, async () => {
  const { token, jobId } = await start('few');
  const final = await pollUntil(token, jobId, ended, 170_000);
  assert.equal(final.status, 'done', JSON.stringify(final));
  assert.equal(final.total, 30);
  assert.equal(final.processed + final.failed, 30);
  const [search] = await activations('twitter_search', jobId);
  assert.ok(search?.logs.some((line) => /tweet_image fire answered 429, retry \d+/.test(line)), 'twitter_search met the limit and retried');
  const fires = stack.platform.store.all().filter((r) => r.name === 'tweet_image' && (r.response.result as { jobId?: string }).jobId === jobId);
  assert.equal(fires.length, 15, 'two photos per event, none fired twice');
});

test('Redis killed mid-search and started again: the job ends done or failed with a reason, and the next search works', { timeout: 240_000 }, async () => {
  const { token, jobId } = await start(DEMO_HASHTAG);
  await pollUntil(token, jobId, (s) => s.total > 0, 60_000);
  await stack.redis!.kill();
  await new Promise((r) => setTimeout(r, 3000));
  await stack.redis!.restart();
  const final = await pollUntil(token, jobId, ended, 150_000);
  assert.ok(final.status === 'done' || (final.status === 'failed' && typeof final.error === 'string' && final.error.length > 0), JSON.stringify(final));
  assert.ok(final.processed + final.failed <= final.total, 'progress never passes the total');

  const next = await start(DEMO_HASHTAG);
  const after = await pollUntil(next.token, next.jobId, ended, 150_000);
  assert.equal(after.status, 'done', JSON.stringify(after));
  assert.deepEqual(after.matches.map((m) => m.postId), ['1900000000000000005']);
});
