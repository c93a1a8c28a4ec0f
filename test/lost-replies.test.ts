/**
 * Lost replies: a real redis-server behind a TCP proxy (helpers/drop-proxy.ts) that lets one write through and
 * closes the connection before its reply arrives. The actions' own client (createRedis: ioredis resends what was
 * unanswered once it has reconnected) and their stores wrapped in retry.ts send the write again; each write that
 * is not idempotent by construction must still have happened once and answer as it did the first time.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { redisConfig } from '../actions/lib/config';
import { Deadline } from '../actions/lib/ow/deadline';
import { newBatch } from '../actions/lib/store/batches';
import { openDeliveryStore, openJobStore, openReferenceStore } from '../actions/lib/store/index';
import { makeKeys } from '../actions/lib/store/keys';
import { closeRedis } from '../actions/lib/store/redis';
import { retrying } from '../actions/lib/store/retry';
import addPhotosLua from '../actions/lib/store/scripts/add-photos-7.lua';
import addReferenceLua from '../actions/lib/store/scripts/add-reference-2.lua';
import admitSearchLua from '../actions/lib/store/scripts/admit-search-1.lua';
import finishSourceLua from '../actions/lib/store/scripts/finish-source-5.lua';
import recordPhotoLua from '../actions/lib/store/scripts/record-photo-5.lua';
import removeReferenceLua from '../actions/lib/store/scripts/remove-reference-2.lua';
import startSourceLua from '../actions/lib/store/scripts/start-source-5.lua';
import sweepBatchLua from '../actions/lib/store/scripts/sweep-batch-7.lua';
import type { PhotoRef } from '../actions/lib/types';
import { sweepDue, type SweepSettings } from '../actions/sweep_jobs';
import { scriptCall, startDropProxy } from './helpers/drop-proxy';
import { connectRedis, useRedis } from './helpers/redis';

const server = await useRedis();
const proxy = await startDropProxy(server.url);
after(() => proxy.close());
// Root hooks run in registration order: the actions' client goes before the proxy and the server.
after(() => closeRedis());
const config = redisConfig({ REDIS_URL: proxy.url, FINDME_KEY_PREFIX: server.prefix });
const keys = makeKeys(server.prefix);
const direct = connectRedis(server.url);
const deadline = () => new Deadline(Date.now() + 60_000);
const jobs = () => retrying(openJobStore(config), deadline(), config.redisTimeoutMs);

/** A script is known by its header comment: the text its file starts with, up to the end of the comment. */
function script(lua: string): ReturnType<typeof scriptCall> {
  return scriptCall(lua.slice(0, lua.indexOf(']]')));
}

/**
 * Runs `call` with the reply of the first call of `lua` dropped, and checks that one was dropped. `downMs`: Redis
 * then stays unreachable that long, so the write is sent again by retry.ts rather than by ioredis.
 */
async function withLostReply<T>(lua: string, call: () => Promise<T>, downMs = 0): Promise<T> {
  const before = proxy.dropped;
  const logged: string[] = [];
  const log = console.error;
  console.error = (...args: unknown[]) => logged.push(args.join(' '));
  proxy.arm(script(lua), downMs);
  try {
    const result = await call();
    assert.equal(proxy.dropped, before + 1, 'the reply was dropped (the test would prove nothing otherwise)');
    if (downMs > 0) assert.ok(logged.some((line) => /^redis unavailable at .* retry 1 /.test(line)), `retry.ts called again: ${logged.join(' | ')}`);
    return result;
  } finally {
    console.error = log;
  }
}

function photo(n: number): PhotoRef {
  return { source: 'x', postId: String(n), postUrl: `https://x.com/u/status/${n}`, imageUrl: `https://pbs.twimg.com/media/lost${n}.jpg` };
}

async function newJob(): Promise<string> {
  const store = jobs();
  const admission = await store.admit(`local|${Math.random()}`, { userRunning: 3, userPerMinute: 10 });
  assert.ok('jobId' in admission);
  return (await store.create({ owner: 'local|ada', hashtag: 'lost', pictureUrl: 'https://pbs.twimg.com/p.jpg', id: admission.jobId })).id;
}

for (const [how, downMs] of [['ioredis resends it', 0], ['Redis stays unreachable past the command timeout and retry.ts calls again', 7000]] as const) {
  test(`admitSearch (${how}): one admission, not refused by itself, and the id answered is the one admitted`, async () => {
    const owner = `local|admit-${downMs}`;
    // One search allowed at once: the repeat of the call, if it ran, would find the first and refuse.
    const admission = await withLostReply(admitSearchLua, () => jobs().admit(owner, { userRunning: 1, userPerMinute: 10 }), downMs);
    assert.ok('jobId' in admission, JSON.stringify(admission));
    assert.deepEqual(await direct.zrange(keys.userSearches(owner), 0, -1), [admission.jobId]);
  });

  test(`addReference (${how}): one reference added, and the record answered is the one stored`, async () => {
    const owner = `local|refs-${downMs}`;
    const references = retrying(openReferenceStore(config, { referenceTtlS: 3600, invokeTimeoutMs: 1000 }), deadline(), config.redisTimeoutMs);
    const record = await withLostReply(addReferenceLua, () => references.add(owner, { source: 'upload', descriptor: 'ab', thumbnail: 'data:image/jpeg;base64,AA==' }), downMs);
    const stored = await direct.hgetall(keys.references(owner));
    assert.deepEqual(Object.keys(stored), [record?.id]);
    assert.deepEqual(JSON.parse(stored[record!.id]!), record);
  });
}

test('startSource: the search that started it is told "started", so it searches', async () => {
  const jobId = await newJob();
  assert.equal(await withLostReply(startSourceLua, () => jobs().startSource(jobId, 'x')), 'started');
  assert.equal(await direct.hget(keys.job(jobId), 'src:x:status'), 'searching');
});

test('addPhotos: the photos count as new once, and the answer says so', async () => {
  const jobId = await newJob();
  const store = jobs();
  await store.startSource(jobId, 'x');
  const photos = [photo(1), photo(2), photo(3)];
  const added = await withLostReply(addPhotosLua, () => store.addPhotos(jobId, photos, [newBatch(photos)], Date.now() + 3_600_000, { source: 'x', posts: 3 }));
  assert.equal(added, 3);
  assert.equal(await direct.hget(keys.job(jobId), 'src:x:photos'), '3');
  assert.equal(await direct.hlen(keys.jobBatches(jobId)), 1);
});

test('recordPhoto: recorded once, and the caller is told it recorded it (not a duplicate)', async () => {
  const jobId = await newJob();
  const store = jobs();
  await store.startSource(jobId, 'x');
  await store.addPhotos(jobId, [photo(1), photo(2)]);
  const { recorded, job } = await withLostReply(recordPhotoLua, () => store.recordPhoto(jobId, photo(1), { error: 'unreadable' }));
  assert.equal(recorded, true);
  assert.equal(job.failed, 1);
  assert.equal(await direct.llen(keys.jobFailures(jobId)), 1);
});

test('finishSource: the search that finished the job gets the finished job, not "already finished"', async () => {
  const jobId = await newJob();
  const store = jobs();
  await store.startSource(jobId, 'x');
  await store.addPhotos(jobId, [photo(1)]);
  await store.recordPhoto(jobId, photo(1), { matches: [] });
  const job = await withLostReply(finishSourceLua, () => store.finishSource(jobId, 'x', { posts: 1 }));
  assert.equal(job.status, 'done');
});

test('sweepBatch: a redelivery whose reply was lost is counted once against the bound, and fired once', async () => {
  const jobId = await newJob();
  const store = jobs();
  await store.startSource(jobId, 'x');
  const batch = newBatch([photo(1), photo(2)]);
  await store.addPhotos(jobId, batch.record.photos, [batch], Date.now(), { source: 'x', posts: 2 });
  // The job last moved over a second ago: the batch is overdue, not merely queued behind others.
  await new Promise((r) => setTimeout(r, 1100));
  const settings: SweepSettings = { redeliverS: 1, deliveryAttempts: 3, sweepBatches: 10, photosPerEvent: 5, jobStallS: 300 };
  const fired: Array<{ jobId: string }> = [];
  const delivery = retrying(openDeliveryStore(config), deadline(), config.redisTimeoutMs);
  const summary = await withLostReply(sweepBatchLua, () => sweepDue(delivery, settings, deadline(), async (_trigger, params) => fired.push(params as { jobId: string })));
  assert.equal(summary.redelivered, 1, 'this job\'s is the one batch due');
  assert.deepEqual(fired.map((event) => event.jobId), [jobId]);
  const record = JSON.parse((await direct.hget(keys.jobBatches(jobId), batch.id)) ?? '{}') as { attempts?: number };
  assert.equal(record.attempts, 1, 'one redelivery counted');
});

test('removeReference: a removal whose reply was lost is a removal, not "no such reference"', async () => {
  const owner = 'local|remove';
  const references = retrying(openReferenceStore(config, { referenceTtlS: 3600, invokeTimeoutMs: 1000 }), deadline(), config.redisTimeoutMs);
  const record = await references.add(owner, { source: 'upload', descriptor: 'cd', thumbnail: 'data:image/jpeg;base64,AA==' });
  await withLostReply(removeReferenceLua, () => references.remove(owner, record!.id));
  assert.equal(await direct.hlen(keys.references(owner)), 0);
});
