/**
 * `findme bench flood [--photos N] [--rate R] [--seconds S]`: a whole search of N demo photos (distinct URLs and
 * bytes, via the X stand-in) while R anonymous GETs a second hit search_status for S seconds — the attack of issue 14. The
 * flood eats the namespace's invocation budget, so fires behind it are refused and compare_images batches are
 * lost; fireTrigger's re-fires and sweep_jobs must still bring every photo in, each recorded once. Figures:
 * photos recorded, redeliveries, time to done, and how the owner's own polls (once a second, with a token) fared.
 * Progress for "done" is read from Redis directly, so measuring costs the platform no activations.
 * `floodedSearch` is the measurement itself; test/pipeline-flood.test.ts runs a shorter one and asserts on it.
 */
import { Worker } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { JobStore } from '../actions/lib/store/jobs';
import { makeKeys } from '../actions/lib/store/keys';
import { parseRegisterSearchResponse, type JobRecord } from '../actions/lib/types';
import { build } from '../build/build';
import { PROJECT_ROOT } from '../build/weights';
import { DEMO_USERS, demoPosts } from '../local/standins/demo';
import { startIdentityProvider } from '../local/standins/identity';
import { startFakeX } from '../local/standins/x-api';
import { startStack, type Stack } from '../local/stack';
import { demoProfile } from './demo-photos';
import { describe, finish, machine } from './machine';
import { saveResult } from './results';

export interface FloodOptions {
  token: string;
  hashtag: string;
  /** Photos the search must find. */
  expected: number;
  /** Anonymous requests a second, and for how long, from just after the search is registered. */
  rate: number;
  seconds: number;
  /** Bound on the whole search. */
  timeoutMs: number;
  /** Called about once a second while waiting (a test drives the alarm feed with it instead of the clock). */
  onTick?: () => void;
}

export interface FloodRun {
  jobId: string;
  status: JobRecord['status'];
  error?: string;
  total: number;
  /** processed + failed as the job counts them, and the photos in its recorded set: equal when none is counted twice. */
  counted: number;
  recordedOnce: number;
  matched: number;
  timeToDoneMs: number;
  flood: { sent: number; byStatus: Record<string, number> };
  owner: { polls: number; ok: number; throttled: number; other: number; unanswered: number; longestMs: number };
  /** Batches and photos sweep_jobs fired again, the sweeps that ran, and twitter_search's re-fires (429 or refused rule). */
  redeliveries: { batches: number; photos: number; sweeps: number; refires: number };
  compareActivations: number;
}

const REQUEST_TIMEOUT_MS = 10_000;
/** Requests of the flood waiting for an answer at once: beyond, the flood skips a beat rather than pile up sockets. */
const MAX_FLOOD_IN_FLIGHT = 500;

/**
 * The flood's client, run in a worker thread: plain JavaScript, since a worker does not inherit the TypeScript
 * loader. Requests start on a steady schedule; beyond `maxInFlight` unanswered ones it skips a beat instead.
 */
const FLOOD_CLIENT = `
const { parentPort, workerData: o } = require('node:worker_threads');
const flood = { sent: 0, byStatus: {} };
const count = (k) => { flood.byStatus[k] = (flood.byStatus[k] || 0) + 1; };
(async () => {
  const started = performance.now();
  const total = Math.round(o.rate * o.seconds);
  const pending = new Set();
  for (let i = 0; i < total && performance.now() < started + o.seconds * 1000 + 1000; i++) {
    const wait = started + (i * 1000) / o.rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (pending.size >= o.maxInFlight) continue;
    flood.sent += 1;
    const request = fetch(o.url, { signal: AbortSignal.timeout(o.timeoutMs) }).then(
      async (r) => { count(String(r.status)); await r.arrayBuffer(); },
      () => count('no answer'),
    );
    pending.add(request);
    request.finally(() => pending.delete(request));
  }
  await Promise.all(pending);
  parentPort.postMessage(flood);
})();
`;

function anonymousFlood(options: { url: string; rate: number; seconds: number; timeoutMs: number; maxInFlight: number }): Promise<FloodRun['flood']> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(FLOOD_CLIENT, { eval: true, workerData: options });
    worker.once('message', (flood: FloodRun['flood']) => resolve(flood));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the flood's client exited (${code}) before it reported`)));
  });
}

export async function floodedSearch(stack: Stack, options: FloodOptions): Promise<FloodRun> {
  const redis = new Redis(stack.redisUrl);
  const keys = makeKeys();
  const store = new JobStore(redis, keys, { jobTtlS: 3600 });
  const before = new Set(stack.platform.store.all().map((r) => r.activationId));
  const auth = { authorization: `Bearer ${options.token}` };
  try {
    const started = performance.now();
    const response = await fetch(`${stack.apiBase}/register_search`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ hashtag: options.hashtag }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (response.status !== 202) throw new Error(`register_search answered ${response.status}: ${await response.text()}`);
    const { jobId } = parseRegisterSearchResponse(await response.json());
    const statusUrl = `${stack.apiBase}/search_status?${new URLSearchParams({ jobId })}`;

    // The flood: anonymous GETs at a steady rate, from a thread of its own (so that its sockets and the platform
    // do not share one event loop, as a real attacker's would not), each bounded in time; answers are only counted.
    const floodDone = anonymousFlood({ url: statusUrl, rate: options.rate, seconds: options.seconds, timeoutMs: REQUEST_TIMEOUT_MS, maxInFlight: MAX_FLOOD_IN_FLIGHT });

    // The owner polls once a second, as the page does, and never gives up on a 429 (it waits a second and asks again).
    const owner: FloodRun['owner'] = { polls: 0, ok: 0, throttled: 0, other: 0, unanswered: 0, longestMs: 0 };
    let job: JobRecord | undefined;
    for (;;) {
      const asked = performance.now();
      owner.polls += 1;
      try {
        const poll = await fetch(statusUrl, { headers: auth, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        await poll.arrayBuffer();
        if (poll.ok) owner.ok += 1;
        else if (poll.status === 429) owner.throttled += 1;
        else owner.other += 1;
      } catch {
        owner.unanswered += 1;
      }
      owner.longestMs = Math.max(owner.longestMs, performance.now() - asked);
      options.onTick?.();
      job = (await store.get(jobId)) ?? undefined;
      if (job && (job.status === 'done' || job.status === 'failed' || job.status === 'cancelled')) break;
      if (performance.now() - started > options.timeoutMs) break;
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (performance.now() - asked))));
    }
    const timeToDoneMs = performance.now() - started;
    const flood = await floodDone;
    // Activation records land when each activation ends; the last compare_images may still be writing its.
    await new Promise((r) => setTimeout(r, 500));
    const records = stack.platform.store.all().filter((r) => !before.has(r.activationId));
    const sweeps = records.filter((r) => r.name === 'sweep_jobs');
    const sweepResult = (r: (typeof records)[number]) => r.response.result as { redelivered?: number; photos?: number };
    const ofJob = (r: (typeof records)[number]) => (r.response.result as { jobId?: string } | undefined)?.jobId === jobId;
    const search = records.filter((r) => r.name === 'twitter_search' && ofJob(r));
    return {
      jobId,
      status: job?.status ?? 'failed',
      ...(job?.error ? { error: job.error } : job ? {} : { error: 'the job was not found' }),
      total: job?.total ?? 0,
      counted: (job?.processed ?? 0) + (job?.failed ?? 0),
      recordedOnce: await redis.scard(keys.jobPhotos(jobId)),
      matched: job?.matched ?? 0,
      timeToDoneMs,
      flood,
      owner,
      redeliveries: {
        batches: sweeps.reduce((n, r) => n + (sweepResult(r).redelivered ?? 0), 0),
        photos: sweeps.reduce((n, r) => n + (sweepResult(r).photos ?? 0), 0),
        sweeps: sweeps.length,
        refires: search.reduce((n, r) => n + r.logs.filter((line) => /fire answered \d+, retry \d+/.test(line)).length, 0),
      },
      compareActivations: records.filter((r) => r.name === 'compare_images' && ofJob(r)).length,
    };
  } finally {
    redis.disconnect();
  }
}

/** The run's figures in one line, as the bench and the test print them. */
export function floodLine(run: FloodRun, expected: number, rate: number, seconds: number): string {
  const { owner, redeliveries: r } = run;
  const answered = owner.polls - owner.unanswered;
  return (
    `flood ${rate}/s for ${seconds} s (${run.flood.sent} sent: ${Object.entries(run.flood.byStatus).map(([k, v]) => `${v}× ${k}`).join(', ')}): ` +
    `job ${run.status}, ${run.recordedOnce}/${expected} photos recorded once (counted ${run.counted}), ${run.matched} matched, ` +
    `redeliveries: ${r.photos} photos in ${r.batches} batches by ${r.sweeps} sweeps + ${r.refires} re-fires by twitter_search, ` +
    `${run.compareActivations} compare_images activations, time to done ${(run.timeToDoneMs / 1000).toFixed(1)} s; ` +
    `owner polls: ${owner.polls}, answered ${answered} (${((100 * answered) / owner.polls).toFixed(0)} %), ` +
    `200 for ${owner.ok} (${((100 * owner.ok) / owner.polls).toFixed(0)} % success), 429 for ${owner.throttled}, other ${owner.other}, slowest ${(owner.longestMs / 1000).toFixed(1)} s`
  );
}

export interface BenchFloodOptions {
  photos: number;
  rate: number;
  seconds: number;
  quick: boolean;
  log?: (line: string) => void;
}

export async function benchFlood(options: BenchFloodOptions): Promise<unknown> {
  const log = options.log ?? console.log;
  const m = machine();
  const hashtag = `flood${options.photos}`;
  const user = DEMO_USERS[0]!;
  const identity = await startIdentityProvider({ pageOrigins: [], users: [{ sub: user.sub, username: user.username, password: '', name: user.name, pictureBytes: await demoProfile() }] });
  const x = await startFakeX({ tweets: { [hashtag]: demoPosts(hashtag, options.photos, { distinctBytes: true }) } });
  const env = { ...process.env };
  for (const name of ['REDIS_URL', 'X_BEARER_TOKEN', 'AUTH0_DOMAIN', 'FINDME_IMAGE_HOSTS']) delete env[name];
  try {
    await build();
    const stack = await startStack({
      projectRoot: PROJECT_ROOT,
      env,
      identity: { domain: identity.domain, audience: identity.audience, clientId: identity.clientId, host: identity.host },
      x: { baseUrl: x.baseUrl, bearerToken: x.bearerToken, host: x.host },
    });
    try {
      const token = await identity.issueAccessToken({ sub: user.sub });
      log(`search over ${options.photos} photos while ${options.rate} anonymous requests a second hit search_status for ${options.seconds} s (OpenWhisk's default limits, sweep_jobs on its minute alarm)…`);
      const run = await floodedSearch(stack, { token, hashtag, expected: options.photos, rate: options.rate, seconds: options.seconds, timeoutMs: 20 * 60_000 });
      log(floodLine(run, options.photos, options.rate, options.seconds));
      log(`settings: FINDME_REDELIVER_S ${env.FINDME_REDELIVER_S || 120}, FINDME_JOB_STALL_S ${env.FINDME_JOB_STALL_S || 300}, FINDME_PHOTOS_PER_EVENT ${env.FINDME_PHOTOS_PER_EVENT || 10}`);
      log(`machine: ${describe(finish(m))}`);
      const result = { benchmark: 'flood', machine: finish(m), photos: options.photos, rate: options.rate, seconds: options.seconds, run };
      if (!options.quick) saveResult(options.photos === 300 && options.rate === 100 && options.seconds === 10 ? 'flood' : `flood-${options.photos}-${options.rate}-${options.seconds}`, result);
      if (run.status !== 'done' || run.recordedOnce !== options.photos || run.counted !== options.photos) throw new Error(`the flooded search did not end done with every photo recorded once: ${JSON.stringify(run)}`);
      return result;
    } finally {
      await stack.close();
    }
  } finally {
    await x.close();
    await identity.close();
  }
}
