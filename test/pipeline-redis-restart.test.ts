/**
 * Outages waited out, on the real stack (a persistent redis-server with an append-only file, the local platform
 * running serverless.yml, the X stand-in): Redis killed mid-search and started again from its file a few seconds
 * later. The actions retry their Redis calls within the deadline (actions/lib/store/retry.ts), sweep_jobs (its
 * alarm driven with fireDue) covers any batch lost anyway, and the job ends done with every photo recorded once.
 *
 * The test watches progress in Redis itself and fires the alarm every few seconds: its own traffic must not spend
 * the namespace's budget (120 invocations, 60 fires a minute) that the pipeline needs. Polling search_status
 * every 50 ms and firing the alarm every 500 ms did: from ≈ 20 s on, search_status answered 429 and rule
 * activations were refused for the rest of the minute, so under load the kill found a 429 where it expected 503,
 * or the pipeline starved until the test's bound ran out.
 */
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { makeKeys } from '../actions/lib/store/keys';
import type { RegisterSearchResponse } from '../actions/lib/types';
import { startIdentityProvider } from '../local/standins/identity';
import type { FakeTweet } from '../local/standins/x-api';
import { jobProgress, waitEndedSweeping, type Progress } from './helpers/job-progress';
import { connectRedis } from './helpers/redis';
import { useStack } from './helpers/stack';

const identity = await startIdentityProvider({ pageOrigins: ['http://127.0.0.1:9'] });
after(() => identity.close());
const PHOTOS = 40;
const OUTAGE_MS = 6000;
/** The alarm fires this often (the real one fires every minute); batches are overdue after FINDME_REDELIVER_S. */
const SWEEP_EVERY_MS = 5000;
/** How long the job may take to end after Redis is back, on a loaded CI machine. */
const AFTER_RESTART_MS = 150_000;
// Distinct photos (each its own bytes and URL, so no cache makes a second delivery free).
const tweets: FakeTweet[] = await Promise.all(
  Array.from({ length: PHOTOS }, async (_, i) => ({
    id: String(7_000_000 - i),
    username: 'outage',
    media: [{ type: 'photo', key: `3_outage${i}`, body: await sharp({ create: { width: 96 + i, height: 64, channels: 3, background: '#708090' } }).jpeg().toBuffer() }],
  })),
);

const { stack, register, status, waitForEnd, activations } = await useStack({
  x: { tweets: { outage: tweets } },
  stack: {
    identity: { domain: identity.domain, audience: identity.audience, host: identity.host },
    persistentRedis: true,
    env: { FINDME_JOB_STALL_S: '60', FINDME_PHOTOS_PER_EVENT: '5', FINDME_REDELIVER_S: '10' },
    platform: { alarmClock: false },
  },
});
const keys = makeKeys();

test('Redis killed mid-search and restarted from its append-only file: the job ends done, every photo recorded once', { timeout: 240_000 }, async () => {
  const started = Date.now();
  const token = await identity.issueAccessToken({ sub: 'local|ada' });
  const response = await register(token, { hashtag: 'outage' });
  assert.equal(response.status, 202, await response.clone().text());
  const { jobId } = (await response.json()) as RegisterSearchResponse;
  const redis = connectRedis(stack.redisUrl);
  // Its reconnect failures while Redis is down are the outage itself, not news.
  redis.on('error', () => undefined);
  // Kill Redis while compare_images is at work: some photos recorded, not all (≈ 2 min at most to get there).
  let killedAt: Progress | undefined;
  for (let i = 0; i < 2400 && !killedAt; i++) {
    const job = await jobProgress(redis, keys, jobId);
    if (job && stack.platform.pool.busyPids('findme/compare_images').length > 0 && job.recorded >= 3 && job.recorded < PHOTOS - 10) {
      await stack.redis!.kill();
      killedAt = job;
    } else await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(killedAt, 'Redis was killed mid-search');
  const outageStatus = await status(token, jobId);
  assert.equal(outageStatus.status, 503, 'search_status answers 503 while Redis is down');
  await new Promise((r) => setTimeout(r, OUTAGE_MS));
  await stack.redis!.restart();
  const ended = await waitEndedSweeping(redis, keys, jobId, { withinMs: AFTER_RESTART_MS, sweepEveryMs: SWEEP_EVERY_MS, sweep: () => stack.platform.core.alarms.fireDue(new Date()) });
  assert.ok(ended, `the job ended within ${AFTER_RESTART_MS / 1000} s of Redis being back: ${JSON.stringify(await jobProgress(redis, keys, jobId))}`);
  // What the owner sees: search_status's answer, not the store's fields.
  const final = await waitForEnd(token, jobId, 30_000);
  assert.equal(final.status, 'done', JSON.stringify(final));
  assert.equal(final.total, PHOTOS);
  assert.equal(final.processed + final.failed, PHOTOS, 'processed + failed counts each photo once');
  assert.equal(await redis.scard(keys.jobPhotos(jobId)), PHOTOS, 'the recorded set holds every photo once');
  await activations('compare_images', jobId);
  const records = stack.platform.store.all();
  const retries = records.flatMap((r) => r.logs.filter((line) => /redis unavailable at \w+\.\w+ .*retry \d+/.test(line)).map((line) => `${r.name}: ${line}`));
  const failedOnRedis = records.filter((r) => r.name === 'compare_images' && r.response.success === false);
  const sweeps = records.filter((r) => r.name === 'sweep_jobs');
  const redelivered = sweeps.reduce((n, r) => n + ((r.response.result as { photos?: number }).photos ?? 0), 0);
  assert.ok(retries.length > 0, 'an action waited Redis out');
  console.log(
    `# Redis killed at ${killedAt.recorded}/${PHOTOS} photos for ${OUTAGE_MS / 1000} s: ${final.processed + final.failed}/${PHOTOS} recorded once, ` +
      `${retries.length} Redis retries in activations (${[...new Set(retries.map((l) => l.split(':')[0]))].join(', ')}), ${failedOnRedis.length} compare_images activations failed, ` +
      `${redelivered} photos redelivered by sweep_jobs, done in ${((Date.now() - started) / 1000).toFixed(1)} s; CPU ${cpus()[0]?.model}`,
  );
});
