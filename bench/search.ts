/**
 * `findme bench search [--photos N]`: a whole search through the local platform (serverless.yml, private Redis,
 * the X stand-in serving N posts of the demo photos under distinct URLs): time to the first match, total time,
 * photos per second, activations, cold starts, peak memory of the compare_images containers — then the same
 * search again, with every descriptor cached. Progress is read from Redis directly, so measuring costs the
 * platform no activations.
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { RegisterSearchResponse } from '../actions/lib/types';
import { JobStore } from '../actions/lib/store/jobs';
import { makeKeys } from '../actions/lib/store/keys';
import { annotation, type ActivationRecord } from '../local/activations';
import { startEmbedded, type Embedded } from '../local/embedded';
import { PROJECT_ROOT } from '../scripts/weights';
import type { FakeTweet } from '../test/fakes/x-api';
import { lines } from './chart';
import { DEMO_PHOTOS, demoProfile } from './demo-photos';
import { describe, finish, machine } from './machine';
import { saveChart, saveResult } from './results';
import { table } from './stats';

function posts(hashtag: string, count: number): FakeTweet[] {
  return Array.from({ length: count }, (_, i) => ({
    id: String(5_000_000_000 + count - i),
    username: `guest${i % 17}`,
    media: [{ type: 'photo' as const, key: `3_${hashtag}_${i}`, file: DEMO_PHOTOS[i % DEMO_PHOTOS.length]! }],
  }));
}

interface Run {
  photos: number;
  firstMatchMs: number | undefined;
  totalMs: number;
  photosPerSecond: number;
  matched: number;
  failed: number;
  activations: Record<string, number>;
  coldStarts: number;
  peakCompareMemoryMb: number;
  containers: number;
}

async function runSearch(embedded: Embedded, hashtag: string, expected: number): Promise<Run> {
  const redis = new Redis(embedded.stack.redisUrl);
  const store = new JobStore(redis, makeKeys(), { jobTtlS: 3600 });
  const before = new Set(embedded.stack.platform.store.all().map((r) => r.activationId));
  let containers = 0;
  const sampler = setInterval(() => {
    containers = Math.max(containers, embedded.stack.platform.pool.snapshot()['findme/compare_images'] ?? 0);
  }, 200);
  try {
    const start = performance.now();
    const response = await fetch(`${embedded.stack.apiBase}/register_search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${embedded.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ hashtag }),
    });
    if (response.status !== 202) throw new Error(`register_search answered ${response.status}: ${await response.text()}`);
    const { jobId } = (await response.json()) as RegisterSearchResponse;
    let firstMatchMs: number | undefined;
    for (;;) {
      const job = await store.get(jobId);
      if (job && firstMatchMs === undefined && job.matched > 0) firstMatchMs = performance.now() - start;
      if (job?.status === 'done' || job?.status === 'failed') {
        if (job.status === 'failed') throw new Error(`the search failed: ${job.error}`);
        if (job.total !== expected) throw new Error(`the search found ${job.total} photos, expected ${expected}`);
        const totalMs = performance.now() - start;
        const records = embedded.stack.platform.store.all().filter((r: ActivationRecord) => !before.has(r.activationId));
        const activations: Record<string, number> = {};
        for (const r of records) activations[r.name] = (activations[r.name] ?? 0) + 1;
        const compare = records.filter((r) => r.name === 'compare_images');
        return {
          photos: job.total,
          firstMatchMs,
          totalMs,
          photosPerSecond: job.total / (totalMs / 1000),
          matched: job.matched,
          failed: job.failed,
          activations,
          coldStarts: records.filter((r) => annotation(r, 'initTime') !== undefined).length,
          peakCompareMemoryMb: Math.max(0, ...compare.map((r) => Number(annotation(r, 'peakMemory') ?? 0) / 2 ** 20)),
          containers,
        };
      }
      if (performance.now() - start > 20 * 60_000) throw new Error('the search did not finish in 20 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    clearInterval(sampler);
    redis.disconnect();
  }
}

const s = (ms: number | undefined) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);

export async function benchSearch(options: { photos: number; quick: boolean; log?: (line: string) => void }): Promise<unknown> {
  const log = options.log ?? console.log;
  const m = machine();
  const sizes = options.quick || options.photos < 40 ? [options.photos] : [Math.round(options.photos / 4), Math.round(options.photos / 2), options.photos];
  const profile = join(tmpdir(), `findme-bench-profile-${process.pid}.jpg`);
  writeFileSync(profile, await demoProfile());
  const tweets = Object.fromEntries(sizes.flatMap((n) => [[`bench${n}`, posts(`bench${n}`, n)]]));
  const env = { ...process.env };
  for (const name of ['REDIS_URL', 'X_BEARER_TOKEN', 'AUTH0_DOMAIN', 'FINDME_IMAGE_HOSTS']) delete env[name];
  const embedded = await startEmbedded({ projectRoot: PROJECT_ROOT, profileImage: profile, env, tweets });
  try {
    const runs: Array<{ size: number; first: Run; cached: Run }> = [];
    for (const size of sizes) {
      log(`search over ${size} photos…`);
      const first = await runSearch(embedded, `bench${size}`, size);
      log(`  ${s(first.totalMs)}, first match after ${s(first.firstMatchMs)}; again with every descriptor cached…`);
      const cached = await runSearch(embedded, `bench${size}`, size);
      runs.push({ size, first, cached });
    }
    log('');
    log(`Whole searches through the local platform (2 cores here; the compare_images pool ran up to ${Math.max(...runs.map((r) => r.first.containers))} containers)`);
    log(
      table(
        ['photos', 'first match', 'total', 'photos/s', 'cached rerun', 'activations', 'cold starts', 'peak memory'],
        runs.map(({ size, first, cached }) => [
          String(size),
          s(first.firstMatchMs),
          s(first.totalMs),
          first.photosPerSecond.toFixed(2),
          s(cached.totalMs),
          Object.entries(first.activations).map(([k, v]) => `${k} ${v}`).join(', '),
          String(first.coldStarts),
          `${Math.round(first.peakCompareMemoryMb)} MB`,
        ]),
      ),
    );
    log(`machine: ${describe(finish(m))}`);
    const result = { benchmark: 'search', machine: finish(m), runs, targets: { totalMs200: 45_000, firstMatchMs: 5_000, cachedMs: 2_000, peakMemoryMb: 400 } };
    if (!options.quick) {
      saveResult('search', result);
      saveChart('search', lines('Search throughput vs. photos', 'photos in the search', 'photos per second', [
        { name: 'first search', points: runs.map((r) => [r.size, r.first.photosPerSecond]) },
        { name: 'cached rerun', points: runs.map((r) => [r.size, r.cached.photosPerSecond]) },
      ]));
    }
    return result;
  } finally {
    await embedded.close();
  }
}
