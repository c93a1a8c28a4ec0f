/**
 * Nothing lost under an anonymous flood, on the real stack (redis-server, the local platform running
 * serverless.yml, the X stand-in serving demo photos under distinct URLs): a search runs while anonymous GETs hit
 * search_status far faster than the namespace's invocation budget allows. Fires behind the flood are refused;
 * fireTrigger's re-fires and sweep_jobs (its alarm driven with fireDue, not the minute clock) bring every photo
 * in, each recorded once, and the owner's polls are answered throughout. A shorter run of `findme bench flood`
 * (300 photos, 100/s for 10 s, OpenWhisk's 60 s window): 60 photos, 100/s for 3 s, the throttles' window 10 s.
 */
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { after, test } from 'node:test';
import { floodedSearch, floodLine } from '../bench/flood';
import { demoPosts } from '../local/standins/demo';
import { startIdentityProvider } from '../local/standins/identity';
import { useStack } from './helpers/stack';

const PHOTOS = 60;
const RATE = 100;
const SECONDS = 3;
const identity = await startIdentityProvider({ pageOrigins: ['http://127.0.0.1:9'] });
after(() => identity.close());
const { stack } = await useStack({
  x: { tweets: { flooded: demoPosts('flooded', PHOTOS) } },
  stack: {
    identity: { domain: identity.domain, audience: identity.audience, host: identity.host },
    env: { FINDME_JOB_STALL_S: '60', FINDME_REDELIVER_S: '4' },
    // OpenWhisk's budget (120 invocations, 60 fires, 100 in flight), on a 10 s window so that the test stays short.
    platform: { alarmClock: false, limits: { windowMs: 10_000 } },
  },
});

test(`a ${PHOTOS}-photo search while ${RATE} anonymous requests a second hit search_status for ${SECONDS} s ends done, every photo recorded once`, { timeout: 240_000 }, async () => {
  const token = await identity.issueAccessToken({ sub: 'local|ada' });
  const run = await floodedSearch(stack, {
    token,
    hashtag: 'flooded',
    expected: PHOTOS,
    rate: RATE,
    seconds: SECONDS,
    timeoutMs: 200_000,
    onTick: () => stack.platform.core.alarms.fireDue(new Date()),
  });
  console.log(`# ${floodLine(run, PHOTOS, RATE, SECONDS)}; CPU ${cpus()[0]?.model}`);
  assert.ok((run.flood.byStatus['429'] ?? 0) > 0, `the flood spent the invocation budget: ${JSON.stringify(run.flood)}`);
  assert.equal(run.status, 'done', JSON.stringify(run));
  assert.equal(run.total, PHOTOS);
  assert.equal(run.recordedOnce, PHOTOS, 'the recorded set holds every photo');
  assert.equal(run.counted, PHOTOS, 'processed + failed counts each photo once');
  assert.equal(run.owner.unanswered, 0, 'every owner poll was answered in time');
  assert.equal(run.owner.other, 0, 'owner polls answered 200, or 429 while the budget was spent, nothing else');
  assert.ok(run.owner.ok > 0, 'owner polls succeed');
});
