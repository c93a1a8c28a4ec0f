/**
 * The web actions while Redis is down (a real redis-server, stopped): 503 with Retry-After, saying to try again,
 * never a 500 "internal error"; once Redis is back, the same calls answer again.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { closeRedis } from '../actions/lib/store/redis';
import type { ErrorBody } from '../actions/lib/types';
import { main as searchStatus } from '../actions/search_status';
import { useIssuer } from './helpers/issuer';
import { useRedis } from './helpers/redis';

const redis = await useRedis();
const issuer = await useIssuer();
after(() => closeRedis());

const poll = (token: string) =>
  searchStatus({
    __ow_method: 'get',
    __ow_headers: { authorization: `Bearer ${token}` },
    jobId: '00000000-0000-4000-8000-000000000000',
    REDIS_URL: redis.url,
    AUTH0_DOMAIN: issuer.domain,
    AUTH0_AUDIENCE: issuer.audience,
  });

test('search_status while Redis is down: 503 with Retry-After; after it is back, the usual answer', { skip: redis.server ? false : 'needs a private redis-server', timeout: 60_000 }, async () => {
  const token = await issuer.issue({ sub: 'auth0|down', name: 'Down', picture: 'https://pbs.twimg.com/profile_images/1/d_400x400.jpg' });
  assert.equal((await poll(token)).statusCode, 404, 'no such job, Redis up');
  await redis.server!.stop();
  const down = await poll(token);
  assert.equal(down.statusCode, 503, JSON.stringify(down.body));
  assert.equal(down.headers['retry-after'], '5');
  assert.match((down.body as ErrorBody).error, /^findme's database cannot be reached just now; try again in 5 s$/);
  await redis.server!.restart();
  let again = await poll(token);
  for (let i = 0; i < 20 && again.statusCode === 503; i++) {
    await new Promise((r) => setTimeout(r, 500));
    again = await poll(token);
  }
  assert.equal(again.statusCode, 404);
});
