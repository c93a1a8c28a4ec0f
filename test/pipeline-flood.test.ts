/**
 * Nothing lost under an anonymous flood, on the real stack (redis-server, the local platform running
 * serverless.yml, the X stand-in serving demo photos under distinct URLs): a search runs while anonymous GETs hit
 * search_status far faster than the namespace's invocation budget allows. Fires behind the flood are refused;
 * fireTrigger's re-fires and sweep_jobs (its alarm driven with fireDue, not the minute clock) bring every photo
 * in, each recorded once, and the owner's polls are answered throughout. Issue 14's attack at its size (300
 * photos, 100/s for 10 s, the flood from a thread of its own), as `findme bench flood` runs it, but with the
 * throttles' window at 10 s instead of OpenWhisk's 60 s and most photos one small blank picture under 300 URLs
 * (a download each, and after its first run in a container the cache of faces by bytes), so that the test stays
 * short: the delivery is what is measured here, not the face engine (`findme bench flood` gives every photo bytes
 * of its own).
 */
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { floodedSearch, floodLine } from '../bench/flood';
import { demoPosts } from '../local/standins/demo';
import { startIdentityProvider } from '../local/standins/identity';
import { useStack } from './helpers/stack';

const PHOTOS = 300;
const RATE = 100;
const SECONDS = 10;
// Every tenth photo a demo photo shrunk to 640 px (the owner has matches to see), the others one small blank
// picture: each photo still one download and one record; the engine runs once per file and container.
const blank = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#8899aa' } }).jpeg().toBuffer();
const small = new Map<string, Buffer>();
const posts = demoPosts('flooded', PHOTOS);
for (const [i, post] of posts.entries()) {
  post.media = await Promise.all(
    post.media.map(async (m) => {
      if (!m.file) return m;
      if (!small.has(m.file)) small.set(m.file, await sharp(readFileSync(m.file)).resize(640, 640, { fit: 'inside' }).jpeg().toBuffer());
      return { type: m.type, key: m.key, body: i % 10 === 0 ? small.get(m.file)! : blank };
    }),
  );
}
const identity = await startIdentityProvider({ pageOrigins: ['http://127.0.0.1:9'] });
after(() => identity.close());
const { stack } = await useStack({
  x: { tweets: { flooded: posts } },
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
