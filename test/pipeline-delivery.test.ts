/**
 * Nothing lost, on the real stack (redis-server, the local platform running serverless.yml, the X stand-in): a
 * compare_images container killed mid-batch loses its batch's unrecorded photos, and sweep_jobs, fired through
 * the alarm trigger's feed (driven here with fireDue instead of waiting for the minute), delivers them again;
 * the job ends done with every photo recorded exactly once.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { makeKeys } from '../actions/lib/store/keys';
import type { RegisterSearchResponse, SearchStatusResponse } from '../actions/lib/types';
import { startIdentityProvider } from '../local/standins/identity';
import type { FakeTweet } from '../local/standins/x-api';
import { jobProgress, waitEndedSweeping } from './helpers/job-progress';
import { connectRedis } from './helpers/redis';
import { useStack } from './helpers/stack';

const identity = await startIdentityProvider({ pageOrigins: ['http://127.0.0.1:9'] });
after(() => identity.close());
const PHOTOS = 24;
// Distinct photos (each its own bytes, so no cache makes a redelivery free), small enough to compare quickly.
const tweets: FakeTweet[] = await Promise.all(
  Array.from({ length: PHOTOS }, async (_, i) => ({
    id: String(6_000_000 - i),
    username: 'lost',
    media: [{ type: 'photo', key: `3_lost${i}`, body: await sharp({ create: { width: 64 + i, height: 48, channels: 3, background: '#8090a0' } }).jpeg().toBuffer() }],
  })),
);

const { stack, register, status, waitForEnd, activations } = await useStack({
  x: { tweets: { lost: tweets } },
  stack: {
    identity: { domain: identity.domain, audience: identity.audience, host: identity.host },
    env: { FINDME_JOB_STALL_S: '60', FINDME_PHOTOS_PER_EVENT: '6', FINDME_REDELIVER_S: '4' },
    platform: { alarmClock: false },
  },
});
const redis = connectRedis(stack.redisUrl);
const keys = makeKeys();

async function poll(token: string, jobId: string): Promise<SearchStatusResponse | undefined> {
  const response = await status(token, jobId).catch(() => undefined);
  return response?.ok ? ((await response.json()) as SearchStatusResponse) : undefined;
}

test('a compare_images container killed mid-batch: its photos are delivered again by sweep_jobs, the job ends done, each photo counted once', { timeout: 150_000 }, async () => {
  const started = Date.now();
  const token = await identity.issueAccessToken({ sub: 'local|ada' });
  const response = await register(token, { hashtag: 'lost' });
  assert.equal(response.status, 202, await response.clone().text());
  const { jobId } = (await response.json()) as RegisterSearchResponse;
  // Kill the first compare_images container that has recorded a photo and is still at its batch (watched in
  // Redis: the test's own polls must not spend the invocation budget the pipeline needs, test/helpers/job-progress.ts).
  let killed: number | undefined;
  for (let i = 0; i < 1200 && killed === undefined; i++) {
    const [pid] = stack.platform.pool.busyPids('findme/compare_images');
    const job = await jobProgress(redis, keys, jobId);
    if (pid !== undefined && job && job.recorded > 0 && job.recorded < PHOTOS) {
      process.kill(-pid, 'SIGKILL');
      killed = pid;
    } else await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(killed, 'a compare_images container was killed mid-search');
  let sawRetrying = 0;
  const ended = await waitEndedSweeping(redis, keys, jobId, {
    withinMs: 120_000,
    // FINDME_REDELIVER_S is 4: a sweep every 2 s finds the lost batch overdue soon after it is.
    sweepEveryMs: 2000,
    sweep: () => stack.platform.core.alarms.fireDue(new Date()),
    watch: async () => {
      sawRetrying = Math.max(sawRetrying, (await poll(token, jobId))?.retrying ?? 0);
    },
  });
  assert.ok(ended, `the job ended: ${JSON.stringify(await jobProgress(redis, keys, jobId))}`);
  const final = await waitForEnd(token, jobId, 30_000);
  assert.equal(final.status, 'done', JSON.stringify(final));
  assert.equal(final.total, PHOTOS);
  assert.equal(final.processed + final.failed, PHOTOS, 'every photo recorded');
  assert.equal(await redis.scard(keys.jobPhotos(jobId)), PHOTOS, 'the recorded set holds each photo once');
  const compares = await activations('compare_images', jobId);
  const crashed = stack.platform.store.all().filter((r) => r.name === 'compare_images' && r.response.success === false);
  const sweeps = stack.platform.store.all().filter((r) => r.name === 'sweep_jobs');
  const redelivered = sweeps.reduce((n, r) => n + ((r.response.result as { photos?: number }).photos ?? 0), 0);
  assert.ok(redelivered > 0, 'sweep_jobs delivered photos again');
  assert.ok(crashed.length >= 1, 'the killed activation is recorded as failed');
  console.log(
    `# killed container ${killed}: ${final.processed + final.failed}/${PHOTOS} photos recorded once, ${redelivered} photos redelivered by ${sweeps.length} sweeps (max retrying shown ${sawRetrying}), ${compares.length} compare_images results, done in ${((Date.now() - started) / 1000).toFixed(1)} s; CPU ${(await import('node:os')).cpus()[0]?.model}`,
  );
});
