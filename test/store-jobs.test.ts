import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CursorError, FinishedJobError, JobStore, PhotoNotInJobError, type NewJob } from '../actions/lib/store/jobs';
import { makeKeys } from '../actions/lib/store/keys';
import type { MatchRecord, PhotoRef } from '../actions/lib/types';
import { connectRedis, useRedis } from './helpers/redis';

let clock = 1_000_000;
const server = await useRedis();
const redis = connectRedis(server.url);
const keys = makeKeys(server.prefix);
const store = new JobStore(redis, keys, { jobTtlS: 3600, now: () => clock });
const input: NewJob = { owner: 'auth0|alice', hashtag: 'jsconfeu', pictureUrl: 'https://pbs.twimg.com/profile_images/1/a_400x400.jpg' };

function photo(n: number): PhotoRef {
  return { source: 'x', postId: String(1000 + n), postUrl: `https://x.com/u/status/${1000 + n}`, imageUrl: `https://pbs.twimg.com/media/p${n}.jpg` };
}

function match(n: number, distance = 0.4): MatchRecord {
  const p = photo(n);
  return { ...p, box: { x: 1, y: 2, width: 30, height: 40 }, distance, imageWidth: 640, imageHeight: 480 };
}


test('a new job reads back exactly, queued, with zero counters and a TTL', async () => {
  const job = await store.create(input);
  assert.deepEqual(await store.get(job.id), job);
  assert.equal(job.status, 'queued');
  const ttl = await redis.ttl(keys.job(job.id));
  assert.ok(ttl > 3500 && ttl <= 3600, `ttl ${ttl}`);
  assert.equal(await store.get('no-such-job'), null);
});

test('the search starts once: a redelivered search_request does not move the job', async () => {
  const job = await store.create(input);
  assert.equal(await store.startSource(job.id, 'x'), 'started');
  assert.equal(await store.startSource(job.id, 'x'), 'handled');
  assert.equal((await store.require(job.id)).status, 'searching');
});

test('total counts distinct photos across batches', async () => {
  const job = await store.create(input);
  await store.startSource(job.id, 'x');
  assert.equal(await store.addPhotos(job.id, [photo(1), photo(2), photo(2)]), 2);
  assert.equal(await store.addPhotos(job.id, [photo(2), photo(3)]), 1);
  assert.equal((await store.require(job.id)).total, 3);
});

test('a job is done exactly when the search finished and every photo is recorded, each counted once', async () => {
  const job = await store.create(input);
  await store.startSource(job.id, 'x');
  await store.addPhotos(job.id, [photo(1), photo(2), photo(3)]);
  const first = await store.recordPhoto(job.id, photo(1), { matches: [match(1)] });
  assert.equal(first.recorded, true);
  const again = await store.recordPhoto(job.id, photo(1), { matches: [match(1)] });
  assert.equal(again.recorded, false, 'a duplicate delivery is not recorded');
  assert.deepEqual([again.job.processed, again.job.matched], [1, 1]);
  await store.recordPhoto(job.id, photo(2), { error: 'HTTP 404' });
  await store.recordPhoto(job.id, photo(2), { error: 'HTTP 404 again' });
  assert.deepEqual(await store.failures(job.id), [{ postUrl: photo(2).postUrl, imageUrl: photo(2).imageUrl, reason: 'HTTP 404', source: 'x' }], 'a failure is kept once, with its reason');
  await store.recordPhoto(job.id, photo(3), { matches: [] });
  assert.equal((await store.require(job.id)).status, 'searching', 'not done before the search finished');
  const finished = await store.finishSource(job.id, 'x');
  assert.deepEqual([finished.status, finished.total, finished.processed, finished.failed, finished.matched], ['done', 3, 2, 1, 1]);
  assert.equal(finished.searchNote, undefined, 'a search that read every post has no note');
});

test('a search that stopped early keeps why, for the page to say', async () => {
  const job = await store.create(input);
  await store.startSource(job.id, 'x');
  await store.addPhotos(job.id, [photo(1)]);
  const finished = await store.finishSource(job.id, 'x', { note: 'only the newest 1000 posts were read (FINDME_MAX_TWEETS is 1000)' });
  assert.equal(finished.searchNote, 'only the newest 1000 posts were read (FINDME_MAX_TWEETS is 1000)');
  assert.equal((await store.require(job.id)).searchNote, finished.searchNote);
});

test('finishing the search first leaves the job comparing until the last photo lands', async () => {
  const job = await store.create(input);
  await store.startSource(job.id, 'x');
  await store.addPhotos(job.id, [photo(1), photo(2)]);
  assert.equal((await store.finishSource(job.id, 'x')).status, 'comparing');
  await store.recordPhoto(job.id, photo(1), { matches: [] });
  assert.equal((await store.require(job.id)).status, 'comparing');
  const last = await store.recordPhoto(job.id, photo(2), { matches: [] });
  assert.equal(last.job.status, 'done');
});

test('a search that found nothing is done at once', async () => {
  const job = await store.create(input);
  await store.startSource(job.id, 'x');
  assert.equal((await store.finishSource(job.id, 'x')).status, 'done');
});

test('photos outside the search and photos after the end are refused; progress never passes the total', async () => {
  const job = await store.create(input);
  await store.startSource(job.id, 'x');
  await store.addPhotos(job.id, [photo(1)]);
  await assert.rejects(store.recordPhoto(job.id, photo(9), { matches: [] }), PhotoNotInJobError);
  await store.recordPhoto(job.id, photo(1), { matches: [] });
  await store.finishSource(job.id, 'x');
  await assert.rejects(store.addPhotos(job.id, [photo(2)]), FinishedJobError);
  const done = await store.require(job.id);
  assert.equal(done.processed + done.failed, done.total);
});

test('concurrent deliveries with duplicates count every photo exactly once', async () => {
  const job = await store.create(input);
  await store.startSource(job.id, 'x');
  const photos = Array.from({ length: 40 }, (_, i) => photo(i));
  await store.addPhotos(job.id, photos);
  await store.finishSource(job.id, 'x');
  const deliveries = [...photos, ...photos, ...photos.slice(0, 10)].map((p, i) =>
    store.recordPhoto(job.id, p, i % 5 === 0 ? { error: 'boom' } : { matches: i % 3 === 0 ? [match(i)] : [] }),
  );
  const results = await Promise.all(deliveries);
  assert.equal(results.filter((r) => r.recorded).length, 40);
  const done = await store.require(job.id);
  assert.equal(done.status, 'done');
  assert.equal(done.processed + done.failed, 40);
  assert.equal((await store.failures(job.id)).length, done.failed, 'every failure has its reason (fewer than the cap here)');
  assert.equal(await redis.llen(keys.jobMatches(job.id)), done.matched);
});

test('failing is final, keeps the reason, and a finished job never changes', async () => {
  const job = await store.create(input);
  await store.startSource(job.id, 'x');
  await store.addPhotos(job.id, [photo(1)]);
  await store.fail(job.id, 'X API: 401 Unauthorized');
  await store.fail(job.id, 'a later reason');
  const failed = await store.require(job.id);
  assert.deepEqual([failed.status, failed.error], ['failed', 'X API: 401 Unauthorized']);
  await assert.rejects(store.recordPhoto(job.id, photo(1), { matches: [] }), FinishedJobError);
  await store.fail('unknown-job', 'ignored');
});

test('a job with no progress for the stall time fails with a reason; a moving one does not', async () => {
  const job = await store.create(input);
  await store.startSource(job.id, 'x');
  await store.addPhotos(job.id, [photo(1), photo(2)]);
  await store.finishSource(job.id, 'x');
  clock += 4_000;
  assert.equal((await store.failIfStalled(await store.require(job.id), 5))?.status, 'comparing');
  await store.recordPhoto(job.id, photo(1), { matches: [] });
  clock += 4_000;
  assert.equal((await store.failIfStalled(await store.require(job.id), 5))?.status, 'comparing', 'progress resets the stall clock');
  clock += 4_000;
  await store.touch(job.id);
  clock += 4_000;
  assert.equal((await store.failIfStalled(await store.require(job.id), 5))?.status, 'comparing', 'a touch (work still going on) resets it too');
  clock += 2_000;
  const stalled = await store.failIfStalled(await store.require(job.id), 5);
  assert.equal(stalled?.status, 'failed');
  assert.match(stalled?.error ?? '', /^stalled: no progress for 5 s \(1 of 2 photos unprocessed\)$/);
  await assert.rejects(store.touch(job.id), FinishedJobError);
});

test('matches come newest first, and a cursor returns only what is new', async () => {
  const job = await store.create(input);
  await store.startSource(job.id, 'x');
  await store.addPhotos(job.id, [photo(1), photo(2), photo(3)]);
  await store.recordPhoto(job.id, photo(1), { matches: [match(1, 0.3)] });
  await store.recordPhoto(job.id, photo(2), { matches: [match(2, 0.35)] });
  const page = await store.matchesAfter(job.id, undefined);
  assert.deepEqual(page.matches.map((m) => m.postId), ['1002', '1001']);
  assert.deepEqual((await store.matchesAfter(job.id, page.cursor)).matches, []);
  await store.recordPhoto(job.id, photo(3), { matches: [match(3, 0.45)] });
  const next = await store.matchesAfter(job.id, page.cursor);
  assert.deepEqual(next.matches.map((m) => m.postId), ['1003']);
  assert.deepEqual(next.matches[0], match(3, 0.45));
  for (const bad of ['-1', 'abc', '1.5', '01', '1e3']) await assert.rejects(store.matchesAfter(job.id, bad), CursorError);
});

test('failure reasons are kept up to the cap, however many photos fail', async () => {
  const job = await store.create(input);
  await store.startSource(job.id, 'x');
  const photos = Array.from({ length: 60 }, (_, i) => photo(100 + i));
  await store.addPhotos(job.id, photos);
  await store.finishSource(job.id, 'x');
  for (const p of photos) await store.recordPhoto(job.id, p, { error: `reason ${p.postId}` });
  const failures = await store.failures(job.id);
  assert.equal(failures.length, 50);
  assert.equal(failures[0]!.reason, 'reason 1100');
  assert.equal((await store.require(job.id)).failed, 60, 'the count is exact even when the reasons are capped');
});

test("every write, a late failure included, moves all of a job's keys to the same expiry", async () => {
  const jobKeys = (id: string) => [keys.job(id), keys.jobExpected(id), keys.jobPhotos(id), keys.jobMatches(id), keys.jobFailures(id)];
  /** Writes after the job's keys were all about to expire (as if written long ago), then checks every key. */
  async function refreshes(id: string, write: () => Promise<unknown>, what: string): Promise<void> {
    for (const key of jobKeys(id)) await redis.expire(key, 10);
    await write();
    for (const key of jobKeys(id)) {
      const ttl = await redis.ttl(key);
      assert.ok(ttl > 3500, `after ${what}, ${key} expires in ${ttl} s`);
    }
  }
  const recorded = async () => {
    const job = await store.create(input);
    await store.startSource(job.id, 'x');
    await store.addPhotos(job.id, [photo(1), photo(2), photo(3)]);
    await store.recordPhoto(job.id, photo(1), { matches: [match(1)] });
    await store.recordPhoto(job.id, photo(2), { error: 'HTTP 404' });
    return job.id;
  };
  const job = await recorded();
  await refreshes(job, () => store.addPhotos(job, [photo(4)]), 'addPhotos');
  await refreshes(job, () => store.finishSource(job, 'x'), 'finishSearch');
  await refreshes(job, () => store.fail(job, 'stopped late'), 'fail');
  const stalled = await recorded();
  const later = new JobStore(redis, keys, { jobTtlS: 3600, now: () => clock + 3_600_000 });
  await refreshes(stalled, async () => later.failIfStalled(await later.require(stalled), 5), 'a stall');
  assert.equal((await store.require(stalled)).status, 'failed');
});

test('a damaged match or failure entry is left out of what is read, the rest reads, and nothing is rewritten', async () => {
  const job = await store.create(input);
  const good = JSON.stringify({ source: 'x', postId: '7', postUrl: 'https://x.com/a/status/7', imageUrl: 'https://pbs.twimg.com/media/7.jpg', box: { x: 1, y: 1, width: 5, height: 5 }, distance: 0.3, imageWidth: 10, imageHeight: 10 });
  await redis.rpush(keys.jobMatches(job.id), '{"postId":', good);
  await redis.rpush(keys.jobFailures(job.id), JSON.stringify({ source: 'x', postUrl: 'https://x.com/a/status/8', imageUrl: 'https://pbs.twimg.com/media/8.jpg', reason: 'gone' }), '42');
  const page = await store.matchesAfter(job.id, undefined);
  assert.deepEqual([page.matches.map((m) => m.postId), page.cursor], [['7'], '2'], 'the cursor still counts the damaged entry');
  assert.equal((await store.findMatch(job.id, 'https://pbs.twimg.com/media/7.jpg'))?.postId, '7');
  assert.deepEqual((await store.failures(job.id)).map((f) => f.reason), ['gone']);
  assert.equal(await redis.llen(keys.jobMatches(job.id)), 2, 'left in Redis as it was');
});
