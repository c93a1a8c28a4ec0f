import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ErrorBody, RegisterSearchResponse, SearchStatusResponse } from '../actions/lib/types';
import { connectRedis } from './helpers/redis';
import { useStack } from './helpers/stack';

const alice = { sub: 'auth0|alice', name: 'Alice', picture: 'https://pbs.twimg.com/profile_images/1/alice_400x400.jpg' };
const bob = { sub: 'auth0|bob', name: 'Bob', picture: 'https://pbs.twimg.com/profile_images/2/bob_400x400.jpg' };
const { register, status, waitForEnd, issuer, stack } = await useStack();
const redis = connectRedis(stack.redisUrl);

async function jobCount(): Promise<number> {
  return (await redis.keys('findme:job:*')).filter((k) => /^findme:job:[^:]+$/.test(k)).length;
}

test('a logged-in user registers a search (202 {jobId}) and only they can read it', async () => {
  const token = await issuer.issue(alice);
  const response = await register(token, { hashtag: '#nothinghere' });
  assert.equal(response.status, 202);
  const { jobId } = (await response.json()) as RegisterSearchResponse;
  assert.match(jobId, /^[0-9a-f-]{36}$/);
  const final = await waitForEnd(token, jobId);
  assert.deepEqual({ status: final.status, hashtag: final.hashtag, total: final.total, matches: final.matches }, { status: 'done', hashtag: 'nothinghere', total: 0, matches: [] });

  const other = await status(await issuer.issue(bob), jobId);
  assert.equal(other.status, 404, "another user's token cannot read the job");
  const unknown = await status(token, '00000000-0000-4000-8000-000000000000');
  assert.equal(unknown.status, 404);
  assert.equal(((await unknown.json()) as ErrorBody).error.includes('no search'), true);
  assert.equal((await status(token, '../../etc/passwd')).status, 404);
});

test('a tampered, expired, wrong-audience, foreign-key or missing token gets 401 with WWW-Authenticate', async () => {
  const good = await issuer.issue(alice);
  const [header, payload, signature] = good.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  const tampered = [header, Buffer.from(JSON.stringify({ ...claims, sub: 'auth0|bob' })).toString('base64url'), signature].join('.');
  const cases: Array<[string, string | undefined, RegExp]> = [
    ['tampered', tampered, /signature/],
    ['expired', await issuer.issue(alice, { issuedAt: Math.floor(Date.now() / 1000) - 7200, expiresInS: 3600 }), /expired/],
    ['wrong audience', await issuer.issue(alice, { audience: 'https://someone-else/api' }), /"aud" claim/],
    ['foreign key', await issuer.forge(alice), /signature|key/],
    ['garbage', 'not.a.jwt', /malformed/],
    ['missing', undefined, /log in first/],
  ];
  const before = await jobCount();
  for (const [what, token, message] of cases) {
    for (const response of [await register(token, { hashtag: 'jsconfeu' }), await status(token, '00000000-0000-4000-8000-000000000000')]) {
      assert.equal(response.status, 401, what);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer realm="findme"/, what);
      if (token) assert.match(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/, what);
      assert.match(((await response.json()) as ErrorBody).error, message, what);
    }
  }
  assert.equal(await jobCount(), before, 'no job was created');
});

test('a hashtag that is not one hashtag gets 400 and creates no job', async () => {
  const token = await issuer.issue(alice);
  const before = await jobCount();
  for (const hashtag of ['#a b', '../x', 'a'.repeat(500), '', undefined, 42]) {
    const response = await register(token, hashtag === undefined ? {} : { hashtag });
    assert.equal(response.status, 400, String(hashtag));
    assert.match(((await response.json()) as ErrorBody).error, /hashtag/);
  }
  assert.equal(await jobCount(), before);
});

test('a user without a profile picture is told how to fix it; no job', async () => {
  const before = await jobCount();
  const response = await register(await issuer.issue({ sub: 'auth0|nopic', name: 'No Picture' }), { hashtag: 'jsconfeu' });
  assert.equal(response.status, 400);
  assert.match(((await response.json()) as ErrorBody).error, /^Your account has no profile picture\. Add one/);
  assert.equal(await jobCount(), before);
});

test('a profile picture findme may not download is refused with the allowed hosts (400), before any job exists', async () => {
  const before = await jobCount();
  const cases: Array<[string, RegExp]> = [
    ['https://evil.example/me.jpg', /^Your profile picture cannot be used: https:\/\/evil\.example\/me\.jpg: host evil\.example is not allowed \(allowed: pbs\.twimg\.com, abs\.twimg\.com, .*127\.0\.0\.1:\d+.*; see FINDME_IMAGE_HOSTS\)\.$/],
    ['http://pbs.twimg.com/profile_images/3/carol_normal.jpg', /plain http is only allowed to a loopback host; use https/],
    ['ftp://pbs.twimg.com/carol.jpg', /only https URLs are fetched/],
  ];
  for (const [i, [picture, message]] of cases.entries()) {
    // A user each: /userinfo answers are cached per token, and equal claims in the same second make equal tokens.
    const response = await register(await issuer.issue({ sub: `auth0|carol${i}`, name: 'Carol', picture }), { hashtag: 'jsconfeu' });
    assert.equal(response.status, 400, picture);
    assert.match(((await response.json()) as ErrorBody).error, message, picture);
  }
  assert.equal(await jobCount(), before, 'no job was created');
  const small = await register(await issuer.issue({ sub: 'auth0|dan', name: 'Dan', picture: 'https://pbs.twimg.com/profile_images/4/dan_normal.jpg' }), { hashtag: 'nothinghere' });
  assert.equal(small.status, 202, 'an allowed picture (its _400x400 variant is what is checked and fetched) is accepted');
});

test('the wrong method, a bad cursor and a missing jobId are clear 4xx answers', async () => {
  const token = await issuer.issue(alice);
  const get = await fetch(`${stack.apiBase}/register_search`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(get.status, 405);
  const missing = await status(token, '');
  assert.equal(missing.status, 400);
  const { jobId } = (await (await register(token, { hashtag: 'empty_tag' })).json()) as RegisterSearchResponse;
  await waitForEnd(token, jobId);
  const bad = await status(token, jobId, 'abc');
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as ErrorBody).error, /cursor/);
  const ok = (await (await status(token, jobId, '0')).json()) as SearchStatusResponse;
  assert.equal(ok.cursor, '0');
});

test('tokens never reach the activation records', async () => {
  const token = await issuer.issue(alice);
  await register(token, { hashtag: 'secretcheck' });
  const records = stack.platform.store.all();
  assert.ok(records.length > 0);
  for (const record of records) assert.ok(!JSON.stringify(record).includes(token.split('.')[2]!), `${record.name} leaks the token`);
});
