/**
 * search_status called as OpenWhisk calls a web action, against a real redis-server and a test identity provider
 * on 127.0.0.1: what a user who is not the owner can and cannot do to a job.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Params } from '../actions/lib/config';
import { JobStore } from '../actions/lib/store/jobs';
import { makeKeys } from '../actions/lib/store/keys';
import { closeRedis } from '../actions/lib/store/redis';
import type { ErrorBody, SearchStatusResponse } from '../actions/lib/types';
import { main } from '../actions/search_status';
import { useIssuer } from './helpers/issuer';
import { connectRedis, useRedis } from './helpers/redis';

const server = await useRedis();
const redis = connectRedis(server.url);
const issuer = await useIssuer();
after(() => closeRedis());

const STALL_S = 60;
const alice = { sub: 'auth0|alice', name: 'Alice', picture: 'https://pbs.twimg.com/profile_images/1/alice_400x400.jpg' };
const mallory = { sub: 'auth0|mallory', name: 'Mallory', picture: 'https://pbs.twimg.com/profile_images/2/m_400x400.jpg' };

function status(token: string, jobId: string): Promise<{ statusCode: number; body: unknown }> {
  const params: Params = {
    __ow_method: 'get',
    __ow_headers: { authorization: `Bearer ${token}` },
    jobId,
    REDIS_URL: server.url, FINDME_KEY_PREFIX: server.prefix,
    AUTH0_DOMAIN: issuer.domain,
    AUTH0_AUDIENCE: issuer.audience,
    FINDME_JOB_STALL_S: STALL_S,
  };
  return main(params);
}

/** Alice's job whose last progress was longer ago than the stall time (under this file's key prefix). */
async function stalledJob(): Promise<string> {
  const past = new JobStore(redis, makeKeys(server.prefix), { jobTtlS: 3600, now: () => Date.now() - 2 * STALL_S * 1000 });
  const job = await past.create({ owner: alice.sub, hashtag: 'jsconfeu', pictureUrl: alice.picture });
  await past.startSource(job.id, 'x');
  return job.id;
}

test("someone else's stalled job is a 404 and stays as it was; its owner's poll fails it as stalled", async () => {
  const jobId = await stalledJob();
  const store = new JobStore(redis, makeKeys(server.prefix), { jobTtlS: 3600 });
  const before = await store.require(jobId);
  const other = await status(await issuer.issue(mallory), jobId);
  assert.equal(other.statusCode, 404);
  assert.match((other.body as ErrorBody).error, /^no search .* for this user$/);
  assert.deepEqual(await store.require(jobId), before, 'nothing changed');

  const own = await status(await issuer.issue(alice), jobId);
  assert.equal(own.statusCode, 200);
  const body = own.body as SearchStatusResponse;
  assert.equal(body.status, 'failed');
  assert.match(body.error ?? '', /^stalled: no progress for 60 s/);
});

test("a search that read only part of the hashtag says so in its status; one that read it all says nothing", async () => {
  const store = new JobStore(redis, makeKeys(server.prefix), { jobTtlS: 3600 });
  const token = await issuer.issue(alice);
  const capped = await store.create({ owner: alice.sub, hashtag: 'jsconfeu', pictureUrl: alice.picture });
  await store.startSource(capped.id, 'x');
  await store.finishSource(capped.id, 'x', { note: 'only the newest 1000 posts were read (FINDME_MAX_TWEETS is 1000)' });
  const body = (await status(token, capped.id)).body as SearchStatusResponse;
  assert.deepEqual([body.status, body.searchNote], ['done', 'only the newest 1000 posts were read (FINDME_MAX_TWEETS is 1000)']);

  const whole = await store.create({ owner: alice.sub, hashtag: 'jsconfeu', pictureUrl: alice.picture });
  await store.startSource(whole.id, 'x');
  await store.finishSource(whole.id, 'x');
  assert.equal('searchNote' in ((await status(token, whole.id)).body as object), false);
});
