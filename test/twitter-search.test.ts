/**
 * twitter_search in-process against real parts: a private Redis, the X stand-in, and a local platform whose
 * `tweet_image` trigger has a rule (so fires succeed and their payloads are recorded). The activation's deadline
 * is a Deadline whose time runs out once X has answered, so cutting a search short is tested without timing.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { main, runSearch, WRITE_BUDGET_MS } from '../actions/twitter_search';
import { deliveryConfig, redisConfig, xConfig } from '../actions/lib/config';
import { Deadline } from '../actions/lib/ow/deadline';
import { FIRE_TIMEOUT_MS } from '../actions/lib/ow/fire';
import { openDeliveryStore, openJobStore } from '../actions/lib/store';
import { closeRedis } from '../actions/lib/store/redis';
import type { PhotoRef } from '../actions/lib/types';
import { REQUEST_TIMEOUT_MS } from '../actions/lib/x/search';
import { startFakeX, type FakeTweet } from '../local/standins/x-api';
import { useFirePlatform } from './helpers/platform';
import { useRedis } from './helpers/redis';

const redis = await useRedis();
const { fired: firedEvents } = await useFirePlatform();
after(() => closeRedis());

/** 250 posts with a photo each: three pages of X search. */
const tweets: FakeTweet[] = Array.from({ length: 250 }, (_, i) => ({ id: String(5_000_000 - i), username: `u${i % 3}`, media: [{ type: 'photo', key: `3_t${i}` }] }));
const x = await startFakeX({ tweets: { big: tweets } });
after(() => x.close());
const params = { REDIS_URL: redis.url, X_API_BASE_URL: x.baseUrl, X_BEARER_TOKEN: x.bearerToken, FINDME_PHOTOS_PER_EVENT: 20 };
const store = openJobStore(redisConfig(params));
const delivery = openDeliveryStore(redisConfig(params));
const stores = { jobs: store, delivery };
const settings = { ...xConfig(params), ...deliveryConfig(params) };

/** Plenty of time until X has answered `searches` requests in all, then `left` ms. */
function runsOutAfter(searches: number, left: number): Deadline {
  return new (class extends Deadline {
    override remaining(): number {
      return x.searches.length < searches ? 10 * REQUEST_TIMEOUT_MS : left;
    }
  })();
}

async function searching() {
  const job = await store.create({ owner: 'auth0|t', hashtag: 'big', pictureUrl: 'https://pbs.twimg.com/p.jpg' });
  assert.equal(await store.startSource(job.id, 'x'), 'started');
  return job;
}

function fired(jobId: string): PhotoRef[] {
  return firedEvents(jobId).flatMap((e) => e.photos);
}

test('time running out between pages: the search stops, records what it found as the total, fires it, and the job can finish', async () => {
  const job = await searching();
  const before = x.searches.length;
  // After the first page: time for fires and the writes after them, not for another page.
  const summary = await runSearch(stores, job, settings, x.bearerToken, runsOutAfter(before + 1, FIRE_TIMEOUT_MS + WRITE_BUDGET_MS));
  assert.equal(x.searches.length, before + 1, 'one page read');
  assert.equal(summary.error, undefined);
  assert.equal(summary.photos, 100);
  assert.equal(summary.events, 5);
  assert.match(summary.stopped ?? '', /^the activation's time ran out after 1 page \(100 posts\)$/);
  const finished = await store.require(job.id);
  assert.deepEqual({ searchDone: finished.searchDone, total: finished.total, status: finished.status }, { searchDone: true, total: 100, status: 'comparing' });
  const events = firedEvents(job.id);
  const photos = events.flatMap((e) => e.photos);
  assert.equal(photos.length, 100, 'every photo found was fired');
  for (const event of events) {
    assert.equal(typeof event.batchId, 'string', 'each event names its outstanding batch');
    assert.equal((await delivery.settle(job.id, event.batchId!)).kind, 'outstanding', 'recorded as outstanding until its photos are');
  }
  for (const photo of photos) await store.recordPhoto(job.id, photo, { matches: [] });
  assert.equal((await store.require(job.id)).status, 'done', 'compare_images finishing every photo finishes the job');
  for (const event of events) await delivery.settle(job.id, event.batchId!);
  assert.deepEqual((await delivery.due(1000)).filter((d) => d.jobId === job.id), [], 'nothing left to deliver');
});

test('no time left for a fire: the batches stay outstanding and due at once, for sweep_jobs; the job is not failed', async () => {
  const job = await searching();
  const summary = await runSearch(stores, job, settings, x.bearerToken, runsOutAfter(x.searches.length + 1, 0));
  assert.equal(summary.photos, 100);
  assert.equal(fired(job.id).length, 0);
  const finished = await store.require(job.id);
  assert.deepEqual({ status: finished.status, total: finished.total, failed: finished.failed }, { status: 'comparing', total: 100, failed: 0 });
  const due = (await delivery.due(1000)).filter((d) => d.jobId === job.id);
  assert.equal(due.length, 5, 'five batches of 20, each due now');
});

test('a search_request for a job that is already done or failed is skipped, not an error', async () => {
  const failed = await store.create({ owner: 'auth0|t', hashtag: 'big', pictureUrl: 'https://pbs.twimg.com/p.jpg' });
  await store.fail(failed.id, 'could not start the search: test');
  const done = await searching();
  await store.finishSource(done.id, 'x');
  assert.equal((await store.require(done.id)).status, 'done');
  const searches = x.searches.length;
  for (const [job, status] of [
    [failed, 'failed'],
    [done, 'done'],
  ] as const) {
    const summary = await main({ ...params, jobId: job.id });
    assert.deepEqual(summary, { jobId: job.id, skipped: `job is already ${status}: nothing to search` });
    assert.equal((await store.require(job.id)).status, status, 'the job is unchanged');
  }
  assert.equal(x.searches.length, searches, 'X was not asked');
});

test('a search_request event without a usable jobId is an error naming the field, and nothing is read', async () => {
  assert.deepEqual(await main({}), { jobId: 'undefined', error: 'the search_request event cannot be used: jobId must be a non-empty string, got nothing' });
  assert.deepEqual(await main({ jobId: ' ' }), { jobId: ' ', error: 'the search_request event cannot be used: jobId must be a non-empty string, got " "' });
});
