/**
 * register_search's per-user limits, in-process against a real Redis, a test identity provider and a local
 * platform whose `search_request` rule takes the job (so the jobs stay running): concurrent calls from one user
 * are admitted up to the limit, the rest answered 429 with Retry-After, and other users are unaffected; the sources
 * a search may ask for.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { main } from '../actions/register_search';
import { redisConfig } from '../actions/lib/config';
import { openJobStore } from '../actions/lib/store';
import { closeRedis } from '../actions/lib/store/redis';
import type { ErrorBody } from '../actions/lib/types';
import { useIssuer } from './helpers/issuer';
import { fixtureAction, fixtureManifest, usePlatform } from './helpers/platform';
import { useRedis } from './helpers/redis';

const redis = await useRedis();
const issuer = await useIssuer();
const platform = await usePlatform({
  manifest: fixtureManifest([fixtureAction('echo')], {
    triggers: [{ name: 'search_request', parameters: {} }],
    rules: [{ name: 'fixtures_search_request_to_echo', trigger: 'search_request', action: 'fixtures/echo' }],
  }),
});
process.env.__OW_API_HOST = platform.apiHost;
process.env.__OW_API_KEY = platform.apiKey;
after(() => closeRedis());

const user = (name: string) => ({ sub: `auth0|${name}`, name, picture: `https://pbs.twimg.com/profile_images/1/${name}_400x400.jpg` });

function register(token: string, extra: Record<string, unknown> = {}) {
  return main({
    __ow_method: 'post',
    __ow_headers: { authorization: `Bearer ${token}` },
    hashtag: 'jsconfeu',
    REDIS_URL: redis.url,
    AUTH0_DOMAIN: issuer.domain,
    AUTH0_AUDIENCE: issuer.audience,
    ...extra,
  });
}

test('40 concurrent register_search calls of one user: 3 run, 37 are 429 with Retry-After; another user is unaffected', async () => {
  const token = await issuer.issue(user('flood'));
  const answers = await Promise.all(Array.from({ length: 40 }, () => register(token)));
  const statuses = answers.map((a) => a.statusCode);
  assert.equal(statuses.filter((s) => s === 202).length, 3, statuses.join(','));
  const refused = answers.filter((a) => a.statusCode === 429);
  assert.equal(refused.length, 37);
  for (const answer of refused) {
    assert.equal(answer.headers['retry-after'], '30');
    assert.match((answer.body as ErrorBody).error, /^you have 3 searches running, the most allowed at once: wait for one to finish; try again in 30 s$/);
  }
  const other = await register(await issuer.issue(user('bystander')));
  assert.equal(other.statusCode, 202, JSON.stringify(other.body));
  console.log(`# 40 concurrent calls of one user: ${statuses.filter((s) => s === 202).length} × 202, ${refused.length} × 429; another user: ${other.statusCode}`);
});

test('per minute: beyond FINDME_USER_PER_MINUTE a user is 429 with when the oldest search leaves the window', async () => {
  const token = await issuer.issue(user('busy'));
  const limits = { FINDME_USER_RUNNING: 100, FINDME_USER_PER_MINUTE: 4 };
  const statuses = [];
  let last;
  for (let i = 0; i < 6; i++) {
    last = await register(token, limits);
    statuses.push(last.statusCode);
  }
  assert.deepEqual(statuses, [202, 202, 202, 202, 429, 429]);
  const retryAfter = Number(last!.headers['retry-after']);
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
  assert.match((last!.body as ErrorBody).error, /^you started 4 searches in the last minute, the most allowed; try again in \d+ s$/);
});

test('sources: default every configured one; one not set up or not known is a 400 naming it, and no job', async () => {
  const token = await issuer.issue(user('sources'));
  const ask = (extra: Record<string, unknown>) => register(token, { FINDME_USER_PER_MINUTE: 100, FINDME_USER_RUNNING: 100, ...extra });
  const store = openJobStore(redisConfig({ REDIS_URL: redis.url }));
  const jobIds = async () => (await store.listOwned('auth0|sources')).map((j) => j.id);
  const created = await ask({ FINDME_SOURCES: 'mastodon,x' });
  assert.equal(created.statusCode, 202);
  const job = await store.require((created.body as { jobId: string }).jobId);
  assert.deepEqual(job.sources.map((s) => [s.source, s.status]), [['x', 'pending'], ['mastodon', 'pending']], 'every configured source, pending');
  const chosen = await ask({ FINDME_SOURCES: 'x,mastodon,bluesky', sources: ['bluesky'] });
  assert.deepEqual((await store.require((chosen.body as { jobId: string }).jobId)).sources.map((s) => s.source), ['bluesky']);
  const before = await jobIds();
  for (const [sources, message] of [
    [['bluesky', 'mastodon'], /^Mastodon and Bluesky are not set up on this findme \(it searches X\)\.$/],
    [['myspace'], /^sources must name x, mastodon, bluesky; "myspace" is not one$/],
    [[], /^sources must name at least one/],
  ] as const) {
    const response = await ask({ sources });
    assert.equal(response.statusCode, 400, JSON.stringify(sources));
    assert.match((response.body as ErrorBody).error, message);
  }
  assert.deepEqual(await jobIds(), before);
});
