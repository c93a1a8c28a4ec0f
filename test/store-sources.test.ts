/** Per-source job state in a real Redis: each source starts and ends on its own; the job ends when all have. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JobStore, type NewJob } from '../actions/lib/store/jobs';
import { makeKeys } from '../actions/lib/store/keys';
import type { PhotoRef, Source } from '../actions/lib/types';
import { connectRedis, useRedis } from './helpers/redis';

const server = await useRedis();
const redis = connectRedis(server.url);
const keys = makeKeys(server.prefix);
const store = new JobStore(redis, keys, { jobTtlS: 3600 });
const input: NewJob = { owner: 'auth0|alice', hashtag: 'jsconfeu', pictureUrl: 'https://pbs.twimg.com/profile_images/1/a_400x400.jpg', sources: ['x', 'mastodon', 'bluesky'] };

const photo = (source: Source, n: number, image = `https://media.example/p${n}.jpg`): PhotoRef => ({ source, postId: `${source}-${n}`, postUrl: `https://${source}.example/p/${n}`, imageUrl: image });

test('three sources: counts per source, a photo two sources found is one, the job ends once every source has', async () => {
  const job = await store.create(input);
  assert.deepEqual(job.sources.map((s) => [s.source, s.status]), [['x', 'pending'], ['mastodon', 'pending'], ['bluesky', 'pending']]);
  assert.equal(await store.startSource(job.id, 'x'), 'started');
  assert.equal((await store.require(job.id)).status, 'searching', 'the first source to start moves the job');
  assert.equal(await store.startSource(job.id, 'x'), 'handled', 'a redelivered search_request changes nothing');
  assert.equal(await store.startSource(job.id, 'mastodon'), 'started');
  assert.equal(await store.startSource(job.id, 'bluesky'), 'started');
  assert.equal(await store.addPhotos(job.id, [photo('x', 1), photo('x', 2)], [], Date.now(), { source: 'x', posts: 5 }), 2);
  // The same image on Mastodon (a cross-post) is the same photo: counted for the source that found it first.
  assert.equal(await store.addPhotos(job.id, [photo('mastodon', 3, 'https://media.example/p1.jpg'), photo('mastodon', 4)], [], Date.now(), { source: 'mastodon', posts: 40 }), 1);
  await store.finishSource(job.id, 'x', { posts: 5 });
  await store.finishSource(job.id, 'mastodon', { posts: 40, note: 'stopped at FINDME_MAX_POSTS (40 posts)' });
  let now = await store.require(job.id);
  assert.equal(now.searchDone, false, 'Bluesky is still searching');
  assert.equal(now.status, 'searching');
  await assert.rejects(store.addPhotos(job.id, [photo('x', 9)], [], Date.now(), { source: 'x', posts: 6 }), /has already finished/, 'a source that is over adds nothing');
  await store.finishSource(job.id, 'bluesky', { failed: true, note: "refused findme's login" });
  assert.equal((await store.finishSource(job.id, 'bluesky', { posts: 100 })).sources[2]!.status, 'failed', 'a second end of a source is ignored');
  now = await store.require(job.id);
  assert.deepEqual(
    now.sources,
    [
      { source: 'x', status: 'done', posts: 5, photos: 2 },
      { source: 'mastodon', status: 'done', posts: 40, photos: 1, note: 'stopped at FINDME_MAX_POSTS (40 posts)' },
      { source: 'bluesky', status: 'failed', posts: 0, photos: 0, note: "refused findme's login" },
    ],
  );
  assert.deepEqual([now.status, now.searchDone, now.total], ['comparing', true, 3]);
  assert.equal(now.searchNote, "Mastodon: stopped at FINDME_MAX_POSTS (40 posts); Bluesky: refused findme's login");
  for (const p of [photo('x', 1), photo('x', 2), photo('mastodon', 4)]) await store.recordPhoto(job.id, p, { matches: [] });
  assert.equal((await store.require(job.id)).status, 'done');
});

test('every source failing fails the job with each reason; a source the job did not ask for is refused', async () => {
  const job = await store.create({ ...input, sources: ['mastodon', 'bluesky'] });
  assert.equal(await store.startSource(job.id, 'x'), 'not-requested');
  await assert.rejects(store.finishSource(job.id, 'x'), /did not ask for source x/);
  await store.startSource(job.id, 'mastodon');
  await store.finishSource(job.id, 'mastodon', { failed: true, note: 'mastodon.social had a server error' });
  await store.finishSource(job.id, 'bluesky', { failed: true, note: 'is not set up on this findme' });
  const failed = await store.require(job.id);
  assert.equal(failed.status, 'failed');
  assert.equal(failed.error, 'every source failed: Mastodon: mastodon.social had a server error; Bluesky: is not set up on this findme');
  const single = await store.create({ ...input, sources: ['x'] });
  await store.finishSource(single.id, 'x', { failed: true, note: 'is not set up on this findme' });
  assert.equal((await store.require(single.id)).error, 'is not set up on this findme', 'one source: its reason as it is');
});

test('a job stored before sources were recorded is an X search, and its X part can still start and finish', async () => {
  const id = '00000000-0000-4000-8000-000000000001';
  await redis.hset(keys.job(id), { id, owner: 'o', hashtag: 'old', pictureUrl: 'p', status: 'queued', created: 1, updated: Date.now(), total: 0, searchDone: '0', processed: 0, failed: 0, matched: 0 });
  assert.deepEqual((await store.require(id)).sources, [{ source: 'x', status: 'pending', posts: 0, photos: 0 }]);
  assert.equal(await store.startSource(id, 'x'), 'started');
  assert.equal(await store.startSource(id, 'mastodon'), 'not-requested');
  await store.finishSource(id, 'x', { posts: 3 });
  const job = await store.require(id);
  assert.deepEqual([job.status, job.sources[0]!.status, job.sources[0]!.posts], ['done', 'done', 3]);
});
