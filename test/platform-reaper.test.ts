/**
 * The parent-death guard (local/reaper.ts): a platform process killed with SIGKILL runs no exit handler, yet none
 * of its containers survives it — not one busy in synchronous code (which cannot see its parent go), nor what an
 * action started in its container's process group.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import openwhisk from 'openwhisk';
import { eventually } from './helpers/eventually';
import { PROJECT_ROOT } from './helpers/platform';

interface Proc {
  pid: number;
  ppid: number;
  /** Start time in clock ticks: a pid reused later is another process. */
  start: string;
  state: string;
}

function stat(pid: number): Proc | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return { pid, state: fields[0]!, ppid: Number(fields[1]), start: fields[19]! };
  } catch {
    return undefined;
  }
}

/** Every descendant of `root`, read from /proc. */
function descendants(root: number): Proc[] {
  const all = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map((name) => stat(Number(name))).filter((p): p is Proc => p !== undefined);
  const found: Proc[] = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const proc of all.filter((p) => p.ppid === parent)) {
      found.push(proc);
      queue.push(proc.pid);
    }
  }
  return found;
}

const running = (p: Proc) => {
  const now = stat(p.pid);
  return now !== undefined && now.start === p.start && now.state !== 'Z';
};

test('kill -9 of a platform takes a busy container, a hanging one and the process its action started with it', { timeout: 60_000 }, async (t) => {
  const child = spawn(process.execPath, ['--import', './bin/register.mjs', 'test/fixtures/platform-child.ts', 'spawn-and-hang', 'busy'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let tree: Proc[] = [];
  t.after(() => {
    for (const p of [...tree, ...descendants(child.pid!)]) if (running(p)) process.kill(p.pid, 'SIGKILL');
    child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const { apiHost, apiKey } = await new Promise<{ apiHost: string; apiKey: string }>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { apiHost: string; apiKey: string });
    });
    child.once('exit', (code) => reject(new Error(`the platform exited (${code}): ${stderr}`)));
  });
  const ow = openwhisk({ apihost: apiHost, api_key: apiKey, namespace: 'guest' });
  await ow.actions.invoke({ name: 'fixtures/spawn-and-hang' });
  await ow.actions.invoke({ name: 'fixtures/busy' });
  // Two containers and the action's `sleep 60`, besides the reaper.
  await eventually(
    () => {
      tree = descendants(child.pid!);
      return tree.some((p) => readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').startsWith('sleep')) && tree.filter((p) => readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes('runtime.cjs')).length === 2;
    },
    20_000,
    () => `the containers and the grandchild never all ran: ${JSON.stringify(tree)}`,
  );
  // The busy one has been spinning for a while: it is in its loop, not between events.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(tree.filter(running).length, tree.length, 'everything still runs before the kill');
  assert.ok(tree.length >= 4, `two containers, the grandchild and the reaper: ${tree.length}`);
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
  await eventually(() => tree.filter(running).length === 0, 5_000, () => `left behind: ${JSON.stringify(tree.filter(running))}`);
});
