/**
 * Redelivery against a real Redis: batches recorded as outstanding with their photos, sweep_jobs's sweep firing
 * the overdue ones again (only their unrecorded photos), backing off, and failing the job once the bound is spent.
 * The store's clock is a variable, so "overdue" needs no waiting; fires go to a recording function. The action's
 * own main is run once against a controller with a self-signed certificate, through the real openwhisk client.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { DEFAULTS } from '../actions/lib/config';
import { Deadline } from '../actions/lib/ow/deadline';
import { DeliveryStore, newBatch } from '../actions/lib/store/batches';
import { JobStore } from '../actions/lib/store/jobs';
import { makeKeys } from '../actions/lib/store/keys';
import type { PhotoRef, TweetImageEvent } from '../actions/lib/types';
import { closeRedis } from '../actions/lib/store/redis';
import { main, sweepDue, type SweepSettings } from '../actions/sweep_jobs';
import { connectRedis, useRedis } from './helpers/redis';
import { asController, useSelfSignedController } from './helpers/self-signed';

let clock = 10_000_000;
const server = await useRedis();
const redis = connectRedis(server.url);
after(() => closeRedis());
const keys = makeKeys(server.prefix);
const jobs = new JobStore(redis, keys, { jobTtlS: 3600, now: () => clock });
const delivery = new DeliveryStore(redis, keys, { jobTtlS: 3600, now: () => clock });
const settings: SweepSettings = { redeliverS: 60, deliveryAttempts: 3, sweepBatches: DEFAULTS.sweepBatches, photosPerEvent: DEFAULTS.photosPerEvent, jobStallS: 300 };

function photo(n: number): PhotoRef {
  return { source: 'x', postId: String(2000 + n), postUrl: `https://x.com/u/status/${2000 + n}`, imageUrl: `https://pbs.twimg.com/media/q${n}.jpg` };
}

/** A job whose search found photos 0..n-1 in batches of `size`, each recorded as outstanding, due in 60 s. */
async function searched(n: number, size: number) {
  const job = await jobs.create({ owner: 'auth0|s', hashtag: 'sweep', pictureUrl: 'https://pbs.twimg.com/p.jpg' });
  await jobs.startSource(job.id, 'x');
  const photos = Array.from({ length: n }, (_, i) => photo(i));
  const batches = Array.from({ length: Math.ceil(n / size) }, (_, i) => newBatch(photos.slice(i * size, (i + 1) * size)));
  await jobs.addPhotos(job.id, photos, batches, clock + 60_000);
  await jobs.finishSource(job.id, 'x');
  return { job, photos, batches };
}

/** Records the fires of one job's batches (the due set is shared: other tests' batches are swept too). */
function recorder(jobId: string) {
  const fired: TweetImageEvent[] = [];
  const fire = (_trigger: string, params: object) => {
    if ((params as TweetImageEvent).jobId === jobId) fired.push(params as TweetImageEvent);
    return Promise.resolve('id');
  };
  return { fired, fire };
}

const ours = (jobId: string) => async () => (await delivery.due(1000)).filter((d) => d.jobId === jobId);

test('photos and their batches are recorded in one step; a batch is due only after its time, and settled once recorded', async () => {
  const { job, photos, batches } = await searched(5, 2);
  const due = ours(job.id);
  assert.equal((await jobs.require(job.id)).total, 5);
  assert.deepEqual(await due(), [], 'nothing due before its time');
  clock += 60_000;
  assert.equal((await due()).length, 3);
  for (const p of photos.slice(0, 2)) await jobs.recordPhoto(job.id, p, { matches: [] });
  assert.deepEqual(await delivery.settle(job.id, batches[0]!.id), { kind: 'settled' });
  assert.deepEqual(await delivery.settle(job.id, batches[1]!.id), { kind: 'outstanding', unrecorded: 2 });
  assert.equal((await due()).length, 2);
  console.log(`# 5 photos in 3 batches: after 2 photos recorded, ${(await due()).length} batches outstanding`);
});

test('an overdue batch is fired again with only its unrecorded photos, later each time; every photo is counted once', async () => {
  const { job, photos, batches } = await searched(4, 4);
  const { fired, fire } = recorder(job.id);
  await jobs.recordPhoto(job.id, photos[1]!, { matches: [] });
  clock += 60_000;
  await sweepDue(delivery, settings, new Deadline(Date.now() + 60_000), fire);
  assert.equal(fired.length, 1);
  assert.deepEqual(fired[0], { jobId: job.id, batchId: batches[0]!.id, photos: [photos[0], photos[2], photos[3]] });
  const status = await delivery.retrying(job.id);
  assert.equal(status, 3, 'search_status shows 3 photos retrying');
  // Not due again until its (doubled) wait has passed: a second sweep at once fires nothing.
  const sweep = async () => {
    const before = fired.length;
    await sweepDue(delivery, settings, new Deadline(Date.now() + 60_000), fire);
    return fired.length - before;
  };
  assert.equal(await sweep(), 0);
  clock += 60_000;
  assert.equal(await sweep(), 1, 'due again 60 s after the first redelivery');
  clock += 60_000;
  assert.equal(await sweep(), 0, 'then the wait doubles: 120 s');
  clock += 60_000;
  assert.equal(await sweep(), 1);
  // Both deliveries arrive (at-least-once now): the photos are counted once.
  const outcomes = [];
  for (const event of fired) for (const p of event.photos) outcomes.push((await jobs.recordPhoto(job.id, p, { matches: [] })).recorded);
  assert.deepEqual(outcomes, [true, true, true, false, false, false, false, false, false]);
  const end = await jobs.require(job.id);
  assert.deepEqual({ status: end.status, processed: end.processed, failed: end.failed, total: end.total }, { status: 'done', processed: 4, failed: 0, total: 4 });
  assert.equal(await sweep(), 0);
  assert.deepEqual(await ours(job.id)(), [], 'the batch of a finished job is dropped');
  console.log(`# 4 photos, 1 lost batch: ${fired.length} redeliveries, ${end.processed} of ${end.total} recorded once`);
});

test('once the bound on deliveries is spent, the job fails naming how many photos were lost', async () => {
  const { job } = await searched(3, 3);
  const { fired, fire } = recorder(job.id);
  for (let i = 0; i < 10 && (await jobs.require(job.id)).status !== 'failed'; i++) {
    clock += 600_000;
    await sweepDue(delivery, settings, new Deadline(Date.now() + 60_000), fire);
  }
  assert.equal(fired.length, settings.deliveryAttempts, 'delivered again exactly as often as allowed');
  const end = await jobs.require(job.id);
  assert.equal(end.status, 'failed');
  assert.equal(end.error, '3 photos could not be checked: they were delivered for comparison 4 times and never recorded');
  assert.deepEqual(await ours(job.id)(), []);
});

test('no wait is as long as the stall limit: the sweeper, not the stall check, ends a job', async () => {
  const { job } = await searched(1, 1);
  const { fired, fire } = recorder(job.id);
  const short: SweepSettings = { ...settings, deliveryAttempts: 6, jobStallS: 100 };
  const dueTimes: number[] = [];
  for (let i = 0; i < 6; i++) {
    clock += 300_000;
    await sweepDue(delivery, short, new Deadline(Date.now() + 60_000), fire);
    dueTimes.push(Number(await redis.zscore(keys.batchesDue(), `${job.id} ${(await ours(job.id)())[0]?.batchId ?? ''}`)) - clock);
  }
  assert.equal(fired.length, 6);
  assert.ok(dueTimes.every((wait) => wait <= 50_000), `waits ${dueTimes.join(', ')} ms`);
});

test('a batch of a job that is gone is dropped, never fired', async () => {
  const { job } = await searched(2, 2);
  await redis.del(keys.job(job.id));
  clock += 60_000;
  const { fired, fire } = recorder(job.id);
  await sweepDue(delivery, settings, new Deadline(Date.now() + 60_000), fire);
  assert.equal(fired.length, 0);
  assert.deepEqual(await ours(job.id)(), []);
});

test('__OW_IGNORE_CERTS: sweep_jobs fires its redeliveries to a controller with a self-signed certificate', async () => {
  // A prefix of its own, on the real clock (main's): the other tests' batches are not swept here. The job was
  // last active 10 minutes ago, longer than FINDME_REDELIVER_S, so its batch is fired again rather than waited for.
  const prefix = `${server.prefix}certs:`;
  const realKeys = makeKeys(prefix);
  const realJobs = new JobStore(redis, realKeys, { jobTtlS: 3600, now: () => Date.now() - 600_000 });
  const realDelivery = new DeliveryStore(redis, realKeys, { jobTtlS: 3600 });
  const job = await realJobs.create({ owner: 'auth0|s', hashtag: 'certs', pictureUrl: 'https://pbs.twimg.com/p.jpg' });
  const batch = newBatch([photo(0)]);
  await realJobs.addPhotos(job.id, [photo(0)], [batch], Date.now() - 1);
  const controller = await useSelfSignedController();
  const params = { REDIS_URL: server.url, FINDME_KEY_PREFIX: prefix };
  await asController(controller, async () => {
    const refused = await main(params);
    assert.deepEqual({ due: refused.due, redelivered: refused.redelivered, fireErrors: refused.fireErrors }, { due: 1, redelivered: 0, fireErrors: 1 });
    assert.deepEqual(controller.calls, [], 'without __OW_IGNORE_CERTS the certificate check stops the fire');
    await realDelivery.setDue(job.id, batch.id, Date.now() - 1);
    const swept = await main({ ...params, __OW_IGNORE_CERTS: 'true' });
    assert.deepEqual({ due: swept.due, redelivered: swept.redelivered, photos: swept.photos, fireErrors: swept.fireErrors }, { due: 1, redelivered: 1, photos: 1, fireErrors: 0 });
  });
  assert.equal(controller.calls[0], 'POST /api/v1/namespaces/_/triggers/tweet_image');
});
