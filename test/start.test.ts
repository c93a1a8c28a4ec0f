import assert from 'node:assert/strict';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { JobStore } from '../actions/lib/store/jobs';
import { makeKeys } from '../actions/lib/store/keys';
import { isTerminal, type JobRecord, type PageConfig, type RegisterSearchResponse, type SearchStatusResponse } from '../actions/lib/types';
import { DEMO_HASHTAG } from '../local/standins/demo';
import { loginWithPassword } from './helpers/oidc-client';
import { eventually } from './helpers/eventually';

const root = join(import.meta.dirname, '..');

/** Every descendant of a process, from /proc via ps. */
function descendants(pid: number): number[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [child, ppid] of table) {
      if (ppid !== parent) continue;
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Running, as opposed to gone or a zombie (exited, waiting for a parent that no longer exists to reap it). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

interface Launched {
  child: ChildProcess;
  url: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
}

/** `findme start` on `port` with `dataDir`, killed with its whole tree when the test ends; resolves once it runs. */
async function launch(t: TestContext, dataDir: string, env: NodeJS.ProcessEnv, port = 0): Promise<Launched> {
  const child = spawn(process.execPath, [join(root, 'bin', 'findme.js'), 'start', '--port', String(port), '--data-dir', dataDir, '--verbose'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // However this test ends, the whole tree goes: a failing assertion must not leave a platform running.
  t.after(() => {
    for (const pid of [...descendants(child.pid!), child.pid!]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 90 s:\n${output}`)), 90_000);
    const check = () => {
      const match = /findme is running: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve(match[1]!);
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`findme start exited with ${code}:\n${output}`)));
  });
  return { child, url, output: () => output };
}

/** The environment of a `findme start` on embedded defaults. */
function embeddedEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of ['REDIS_URL', 'X_BEARER_TOKEN', 'AUTH0_DOMAIN', 'FINDME_IMAGE_HOSTS']) delete env[name];
  return env;
}

test('findme start serves the page and its config on embedded defaults, and SIGTERM leaves no process behind', { timeout: 120_000 }, async (t) => {
  // A data folder of its own: the default one (the user's cache) may be another findme's.
  const dataDir = mkdtempSync(join(tmpdir(), 'findme-start-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const { child, url, output: printed } = await launch(t, dataDir, embeddedEnv());
  const output = printed();
  assert.doesNotMatch(output, /WARNING/, 'no alarming warnings on a normal start');
  const page = await fetch(url);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  const config = (await (await fetch(`${url}config.json`)).json()) as PageConfig;
  assert.match(config.apiBase, /^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/web\/guest\/findme$/);
  assert.match(config.auth0.domain, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(config.demoHashtag, 'findmedemo');
  // The platform answers: an unauthenticated search is refused by the real action.
  const refused = await fetch(`${config.apiBase}/register_search`, { method: 'POST' });
  assert.equal(refused.status, 401);
  // The activation line is printed once the record is complete, a moment after the response.
  await eventually(() => /register_search\s+success\s+\d+ ms cold/.test(printed()), 10_000, () => `--verbose prints each activation:\n${printed()}`);

  const started = descendants(child.pid!);
  assert.ok(started.length >= 2, `redis-server and an action container run under findme start (${started.length})`);
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0);
  await eventually(() => started.filter(alive).length === 0, 5_000, () => `every child process is gone (left: ${started.filter(alive).join(', ')})`);
});

/** A process's start time (field 22 of /proc/<pid>/stat), so a pid reused by another process is not mistaken for it. */
function startTime(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[19];
  } catch {
    return undefined;
  }
}

test('kill -9 of findme start leaves no process behind: redis-server, the containers and the reaper all go', { timeout: 120_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'findme-start-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const { child, url } = await launch(t, dataDir, embeddedEnv());
  // A web action runs, so an action container is up beside redis-server and the prewarmed stem cells.
  const config = (await (await fetch(`${url}config.json`)).json()) as PageConfig;
  assert.equal((await fetch(`${config.apiBase}/register_search`, { method: 'POST' })).status, 401);
  const names = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  const tree = descendants(child.pid!).map((pid) => ({ pid, start: startTime(pid), cmd: names(pid) }));
  // Orphans are no longer the child's descendants once it dies: the test itself kills whatever of them is left.
  t.after(() => {
    for (const p of tree) if (alive(p.pid) && startTime(p.pid) === p.start) process.kill(p.pid, 'SIGKILL');
  });
  assert.ok(tree.some((p) => p.cmd.startsWith('redis-server')), `redis-server runs: ${JSON.stringify(tree)}`);
  assert.ok(tree.filter((p) => p.cmd.includes('runtime.cjs')).length >= 2, `action containers run: ${JSON.stringify(tree)}`);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  const left = () => tree.filter((p) => alive(p.pid) && startTime(p.pid) === p.start);
  await eventually(() => left().length === 0, 5_000, () => `left behind: ${JSON.stringify(left())}`);
});

test('findme start with a malformed setting exits 2 naming it, before it says it is running', { timeout: 60_000 }, async () => {
  const env = { ...process.env, FINDME_MAX_TWEETS: 'abc' };
  const child = spawn(process.execPath, [join(root, 'bin', 'findme.js'), 'start', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 2, stderr);
  assert.match(stderr, /^findme: FINDME_MAX_TWEETS must be a whole number from 10 to 100000, got "abc"\. Fix or unset FINDME_MAX_TWEETS, then start again\.$/m);
  assert.doesNotMatch(stdout, /findme is running/);
});

test('findme start stopped mid-search and started again on the same --data-dir: the search ends done, every photo recorded once', { timeout: 300_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'findme-restart-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  // One photo a batch, so that a stop lands between batches; lost batches are due again 3 s after their lease.
  const env = embeddedEnv({ FINDME_PHOTOS_PER_EVENT: '1', FINDME_REDELIVER_S: '3' });
  const keys = makeKeys();
  const login = async (url: string) => {
    const config = (await (await fetch(`${url}config.json`)).json()) as PageConfig;
    const { accessToken } = await loginWithPassword({ ...config.auth0, redirectUri: url, username: 'ada', password: 'findme-demo' });
    return { config, token: accessToken };
  };
  const redisOf = (output: string) => new Redis(/Redis\s+(redis:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!, { maxRetriesPerRequest: 1 });

  const first = await launch(t, dataDir, env);
  const portsBefore = readFileSync(join(dataDir, 'findme-standins.json'), 'utf8');
  const { config, token } = await login(first.url);
  const registered = await fetch(`${config.apiBase}/register_search`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ hashtag: DEMO_HASHTAG }) });
  assert.equal(registered.status, 202, await registered.clone().text());
  const { jobId } = (await registered.json()) as RegisterSearchResponse;
  const firstRedis = redisOf(first.output());
  const firstStore = new JobStore(firstRedis, keys, { jobTtlS: 3600 });
  let stoppedAt: JobRecord | null = null;
  for (let i = 0; i < 2400 && !stoppedAt; i++) {
    const job = await firstStore.get(jobId);
    if (job && job.total > 0 && job.processed + job.failed >= 1 && job.processed + job.failed < job.total) stoppedAt = job;
    else await new Promise((r) => setTimeout(r, 50));
  }
  firstRedis.disconnect();
  assert.ok(stoppedAt, 'findme start was stopped mid-search');
  first.child.kill('SIGTERM');
  assert.equal(await new Promise<number | null>((resolve) => first.child.once('exit', resolve)), 0);

  const restarted = Date.now();
  const second = await launch(t, dataDir, env);
  assert.equal(readFileSync(join(dataDir, 'findme-standins.json'), 'utf8'), portsBefore, 'the stand-ins kept their ports');
  const again = await login(second.url);
  const redis = redisOf(second.output());
  t.after(() => redis.disconnect());
  const store = new JobStore(redis, keys, { jobTtlS: 3600 });
  const kept = await store.get(jobId);
  assert.ok(kept, 'the job outlived the restart');
  let final: JobRecord | null = null;
  for (let i = 0; i < 240; i++) {
    final = await store.get(jobId);
    if (final && isTerminal(final.status)) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  assert.equal(final?.status, 'done', JSON.stringify(final));
  assert.equal(final.processed + final.failed, final.total, 'processed + failed counts each photo once');
  assert.equal(await redis.scard(keys.jobPhotos(jobId)), final.total, 'the recorded set holds every photo once');
  assert.equal(final.failed, 0, `every photo was compared: its URL still works after the restart; failures: ${JSON.stringify(await store.failures(jobId))}`);
  // The owner, logged in again, sees the same search.
  const seen = (await (await fetch(`${again.config.apiBase}/search_status?jobId=${jobId}`, { headers: { authorization: `Bearer ${again.token}` } })).json()) as SearchStatusResponse;
  assert.equal(seen.status, 'done');
  // Ada's team photo on each of the three sources findme start searches.
  assert.deepEqual(seen.matches.map((m) => [m.source, m.postId]).sort(), [
    ['bluesky', 'at://did:plc:6172692e62736b792e736f63/app.bsky.feed.post/3lfindme0003'],
    ['mastodon', 'https://social.example/users/ari/statuses/113000000000000004'],
    ['x', '1900000000000000005'],
  ]);
  const sweeps = second.output().split('\n').filter((line) => /sweep_jobs\s+success/.test(line)).length;
  console.log(
    `# findme start stopped at ${stoppedAt.processed + stoppedAt.failed}/${stoppedAt.total} photos and started again: job kept (${kept.processed + kept.failed}/${kept.total}), ` +
      `done ${((Date.now() - restarted) / 1000).toFixed(1)} s after the restart, ${final.processed + final.failed}/${final.total} recorded once, ${final.failed} failed, ${sweeps} sweeps; CPU ${cpus()[0]?.model}`,
  );
  second.child.kill('SIGTERM');
  await new Promise((resolve) => second.child.once('exit', resolve));
});
