/**
 * my_searches called as OpenWhisk calls a web action, against a real redis-server and a test identity provider:
 * the owner's searches newest first, nobody else's; cancel stops a running search and keeps what it found.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Params } from '../actions/lib/config';
import { FinishedJobError, JobStore } from '../actions/lib/store/jobs';
import { makeKeys } from '../actions/lib/store/keys';
import { closeRedis } from '../actions/lib/store/redis';
import type { CancelSearchResponse, ErrorBody, MatchRecord, MySearchesResponse, PhotoRef } from '../actions/lib/types';
import { main } from '../actions/my_searches';
import { useIssuer } from './helpers/issuer';
import { connectRedis, useRedis } from './helpers/redis';

const server = await useRedis();
const redis = connectRedis(server.url);
const issuer = await useIssuer();
after(() => closeRedis());

const alice = { sub: 'auth0|alice-list', name: 'Alice', picture: 'https://pbs.twimg.com/profile_images/1/alice_400x400.jpg' };
const mallory = { sub: 'auth0|mallory-list', name: 'Mallory', picture: 'https://pbs.twimg.com/profile_images/2/m_400x400.jpg' };

function call(token: string, method: 'get' | 'post' | 'delete', body: Params = {}): Promise<{ statusCode: number; body: unknown }> {
  return main({ __ow_method: method, __ow_headers: { authorization: `Bearer ${token}` }, ...body, REDIS_URL: server.url, FINDME_KEY_PREFIX: server.prefix, AUTH0_DOMAIN: issuer.domain, AUTH0_AUDIENCE: issuer.audience });
}

/** A store whose clock is `at` (ms): jobs created through it are that old. */
const storeAt = (at: number, jobTtlS = 3600) => new JobStore(redis, makeKeys(server.prefix), { jobTtlS, now: () => at });
const photo = (n: number): PhotoRef => ({ source: 'x', postId: `${n}`, postUrl: `https://x.com/a/status/${n}`, imageUrl: `https://pbs.twimg.com/media/${n}.jpg` });
const match = (n: number): MatchRecord => ({ source: 'x', postId: `${n}`, postUrl: photo(n).postUrl, imageUrl: photo(n).imageUrl, box: { x: 1, y: 1, width: 10, height: 10 }, imageWidth: 100, imageHeight: 100, distance: 0.3 });

test("lists the owner's searches newest first with their counts, and nobody else's", async () => {
  const now = Date.now();
  const first = await storeAt(now - 2000).create({ owner: alice.sub, hashtag: 'jsconfeu', pictureUrl: alice.picture });
  const second = await storeAt(now - 1000).create({ owner: alice.sub, hashtag: 'nodeconf', pictureUrl: alice.picture });
  await storeAt(now).create({ owner: mallory.sub, hashtag: 'secret', pictureUrl: mallory.picture });
  const store = storeAt(now);
  await store.startSource(second.id, 'x');
  await store.addPhotos(second.id, [photo(1), photo(2)]);

  const own = await call(await issuer.issue(alice), 'get');
  assert.equal(own.statusCode, 200);
  const { searches } = own.body as MySearchesResponse;
  assert.deepEqual(searches.map((s) => [s.hashtag, s.status, s.total]), [['nodeconf', 'searching', 2], ['jsconfeu', 'queued', 0]]);
  assert.deepEqual(searches.map((s) => s.id), [second.id, first.id]);
  assert.equal(searches[0]!.created, now - 1000);
  assert.equal('owner' in searches[0]! || 'pictureUrl' in searches[0]!, false, 'no owner or picture in the list');

  const other = (await call(await issuer.issue(mallory), 'get')).body as MySearchesResponse;
  assert.deepEqual(other.searches.map((s) => s.hashtag), ['secret']);
});

test('a search that expired is no longer listed', async () => {
  const owner = { ...alice, sub: 'auth0|alice-expiring' };
  const store = storeAt(Date.now(), 60);
  const job = await store.create({ owner: owner.sub, hashtag: 'gone', pictureUrl: owner.picture });
  await redis.del(makeKeys(server.prefix).job(job.id));
  const { searches } = (await call(await issuer.issue(owner), 'get')).body as MySearchesResponse;
  assert.deepEqual(searches, []);
});

test('cancel: the remaining photos are skipped, what was found stays; only the owner may cancel', async () => {
  const store = storeAt(Date.now());
  const job = await store.create({ owner: alice.sub, hashtag: 'cancelme', pictureUrl: alice.picture });
  await store.startSource(job.id, 'x');
  await store.addPhotos(job.id, [photo(1), photo(2), photo(3)]);
  await store.finishSource(job.id, 'x');
  await store.recordPhoto(job.id, photo(1), { matches: [match(1)] });

  const refused = await call(await issuer.issue(mallory), 'post', { cancel: job.id });
  assert.equal(refused.statusCode, 404);
  assert.equal((await store.require(job.id)).status, 'comparing', "someone else's cancel changes nothing");

  const cancelled = await call(await issuer.issue(alice), 'post', { cancel: job.id });
  assert.equal(cancelled.statusCode, 200);
  assert.deepEqual(cancelled.body as CancelSearchResponse, { jobId: job.id, status: 'cancelled' });
  // A photo delivered after the cancel is not recorded: the job has ended.
  await assert.rejects(store.recordPhoto(job.id, photo(2), { matches: [] }), FinishedJobError);
  const after = await store.require(job.id);
  assert.deepEqual([after.status, after.processed, after.matched], ['cancelled', 1, 1]);
  assert.equal((await store.matchesAfter(job.id, undefined)).matches.length, 1, 'the match found stays');

  const again = await call(await issuer.issue(alice), 'post', { cancel: job.id });
  assert.deepEqual(again.body as CancelSearchResponse, { jobId: job.id, status: 'cancelled' }, 'cancelling twice is harmless');
});

test('bad requests say what is wrong', async () => {
  const token = await issuer.issue(alice);
  const missing = await call(token, 'post', {});
  assert.equal(missing.statusCode, 400);
  assert.match((missing.body as ErrorBody).error, /^Say which search to cancel/);
  assert.equal((await call(token, 'post', { cancel: 'x'.repeat(300) })).statusCode, 404);
  assert.equal((await call(token, 'delete')).statusCode, 405);
  assert.equal((await main({ __ow_method: 'get', __ow_headers: {}, REDIS_URL: server.url, FINDME_KEY_PREFIX: server.prefix, AUTH0_DOMAIN: issuer.domain, AUTH0_AUDIENCE: issuer.audience })).statusCode, 401);
});
