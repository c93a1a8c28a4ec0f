/**
 * register_search in-process, against real parts: a private Redis, a test identity provider (and broken ones:
 * answering 500, refusing connections, never answering) and a local platform whose `search_request` trigger has
 * no rule. Outages of what it depends on are 503s, never 401s or 500s.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { main } from '../actions/register_search';
import { openJobStore } from '../actions/lib/store';
import { closeRedis } from '../actions/lib/store/redis';
import { redisConfig } from '../actions/lib/config';
import type { ErrorBody } from '../actions/lib/types';
import { useIssuer } from './helpers/issuer';
import { fixtureManifest, usePlatform } from './helpers/platform';
import { connectRedis, useRedis } from './helpers/redis';

const redis = await useRedis();
const issuer = await useIssuer();
const platform = await usePlatform({ manifest: fixtureManifest([], { triggers: [{ name: 'search_request', parameters: {} }] }) });
// What the runtime sets per activation; the openwhisk client in fireTrigger reads them.
process.env.__OW_API_HOST = platform.apiHost;
process.env.__OW_API_KEY = platform.apiKey;
after(() => closeRedis());
const client = connectRedis(redis.url);
const alice = { sub: 'auth0|alice', name: 'Alice', picture: 'https://pbs.twimg.com/profile_images/1/alice_400x400.jpg' };

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; domain: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { server, domain: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function register(token: string, domain = issuer.domain) {
  return main({
    __ow_method: 'post',
    __ow_headers: { authorization: `Bearer ${token}` },
    hashtag: 'jsconfeu',
    REDIS_URL: redis.url,
    AUTH0_DOMAIN: domain,
    AUTH0_AUDIENCE: issuer.audience,
  });
}

async function jobIds(): Promise<string[]> {
  return (await client.keys('findme:job:*')).map((k) => /^findme:job:([^:]+)$/.exec(k)?.[1]).filter((id): id is string => Boolean(id));
}

test('an identity provider whose keys cannot be fetched is a 503 naming the outage, not a 401 or a 500; no job', async () => {
  const token = await issuer.issue(alice);
  const failing = await listen((_req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('down');
  });
  const silent = await listen(() => undefined);
  const closed = await listen(() => undefined);
  await new Promise<void>((resolve) => closed.server.close(() => resolve()));
  const before = await jobIds();
  for (const [what, domain, detail] of [
    ['HTTP 500', failing.domain, /Expected 200 OK/],
    ['connection refused', closed.domain, /ECONNREFUSED/],
    ['no answer', silent.domain, /no answer in 5000 ms/],
  ] as const) {
    const response = await register(token, domain);
    assert.equal(response.statusCode, 503, what);
    assert.equal(response.headers['www-authenticate'], undefined, what);
    const { error } = response.body as ErrorBody;
    assert.match(error, /^the identity provider could not be reached \(its keys at http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json: /, what);
    assert.match(error, detail, what);
  }
  assert.deepEqual(await jobIds(), before);
});

test('a bad token is still a 401 with the challenge', async () => {
  const response = await register(await issuer.forge(alice));
  assert.equal(response.statusCode, 401);
  assert.match(response.headers['www-authenticate'] ?? '', /error="invalid_token"/);
});

test('a search_request no rule takes up: 503, and the job is failed with that reason', async () => {
  const before = new Set(await jobIds());
  const response = await register(await issuer.issue(alice));
  assert.equal(response.statusCode, 503, JSON.stringify(response.body));
  assert.match((response.body as ErrorBody).error, /^could not start the search: firing search_request failed: no active rule for trigger search_request; try again later$/);
  const created = (await jobIds()).filter((id) => !before.has(id));
  assert.equal(created.length, 1);
  const job = await openJobStore(redisConfig({ REDIS_URL: redis.url })).get(created[0]!);
  assert.equal(job?.status, 'failed');
  assert.equal(job?.error, 'could not start the search: firing search_request failed: no active rule for trigger search_request');
});
