import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { PageConfig } from '../actions/lib/types';
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

/** `findme start` on embedded defaults with a data folder of its own; its whole tree is killed when the test ends. */
function startFindme(t: TestContext, args: string[] = []) {
  const env = { ...process.env };
  for (const name of ['REDIS_URL', 'X_BEARER_TOKEN', 'AUTH0_DOMAIN', 'FINDME_IMAGE_HOSTS']) delete env[name];
  // A data folder of its own: the default one (the user's cache) may be another findme's.
  const dataDir = mkdtempSync(join(tmpdir(), 'findme-start-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [join(root, 'bin', 'findme.js'), 'start', '--port', '0', '--data-dir', dataDir, ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // However the test ends, the whole tree goes (also what was seen before the parent died): no platform is left running.
  const seen = new Set<number>();
  t.after(() => {
    for (const pid of [...seen, ...descendants(child.pid!), child.pid!]) {
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
  const url = new Promise<string>((resolve, reject) => {
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
  return { child, url, output: () => output, seen };
}

test('findme start serves the page and its config on embedded defaults, and SIGTERM leaves no process behind', { timeout: 120_000 }, async (t) => {
  const { child, url: ready, output: said } = startFindme(t, ['--verbose']);
  const url = await ready;
  let output = said();
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
  await eventually(() => /register_search\s+success\s+\d+ ms cold/.test((output = said())), 10_000, () => `--verbose prints each activation:\n${output}`);

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
  const { child, url: ready, seen } = startFindme(t);
  const url = await ready;
  // A web action runs, so an action container is up beside redis-server and the prewarmed stem cells.
  const config = (await (await fetch(`${url}config.json`)).json()) as PageConfig;
  assert.equal((await fetch(`${config.apiBase}/register_search`, { method: 'POST' })).status, 401);
  const names = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  const tree = descendants(child.pid!).map((pid) => ({ pid, start: startTime(pid), cmd: names(pid) }));
  for (const p of tree) seen.add(p.pid);
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
