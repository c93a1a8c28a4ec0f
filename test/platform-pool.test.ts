/**
 * The container pool behind the invoker: a global container cap, per-container concurrency, a bounded queue,
 * idle reaping, and no container left once the platform is closed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { annotation, type ActivationRecord } from '../local/activations';
import { liveChildPids } from '../local/children';
import { eventually } from './helpers/eventually';
import { fixtureAction, fixtureManifest, PROJECT_ROOT, usePlatform, type TestPlatform } from './helpers/platform';

async function finished(tp: TestPlatform, id: string): Promise<ActivationRecord> {
  await eventually(() => Boolean(tp.platform.store.get(id)), 10_000, () => `activation ${id} finished`);
  return tp.platform.store.get(id)!;
}

/** Until the pool holds a container for `action` (it was started by a non-blocking invoke). */
function containerFor(tp: TestPlatform, action: string): Promise<void> {
  return eventually(() => Boolean(tp.platform.pool.snapshot()[action]), 5_000, () => `a container for ${action} in ${JSON.stringify(tp.platform.pool.snapshot())}`);
}

/** Alive, as opposed to gone or a zombie. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('at the container cap an activation of another action waits for a container to be freed', async () => {
  const tp = await usePlatform({ manifest: fixtureManifest([fixtureAction('pid-wait'), fixtureAction('echo')]), maxContainers: 1 });
  const slow = await tp.ow.actions.invoke({ name: 'fixtures/pid-wait', params: { ms: 600 } });
  const echo = (await tp.ow.actions.invoke({ name: 'fixtures/echo', blocking: true })) as ActivationRecord;
  const first = await finished(tp, slow.activationId);
  assert.ok(echo.start >= first.end, 'echo ran only after pid-wait had finished');
  assert.deepEqual(tp.platform.pool.snapshot(), { 'fixtures/echo': 1 }, 'the idle container made room');
});

test("image actions have a memory budget of their own: queued compare batches never take a web action's room", async () => {
  const image = fixtureAction('pid-wait', { image: 'fixture/image:1', limits: { timeout: 10_000, memory: 256, concurrency: 1 } });
  const tp = await usePlatform({ manifest: fixtureManifest([image, fixtureAction('echo')]), userMemoryMb: 512, imageMemoryMb: 256, stemCells: 0 });
  const [first, second] = await Promise.all([1, 2].map(() => tp.ow.actions.invoke({ name: 'fixtures/pid-wait', params: { ms: 1500 } })));
  await eventually(() => tp.platform.pool.snapshot()['fixtures/pid-wait'] === 1, 10_000, () => 'the first image activation never got its container');
  // 256 MB are free, but not for image actions: the second waits, and the echo starts at once beside the first.
  const echo = (await tp.ow.actions.invoke({ name: 'fixtures/echo', blocking: true })) as ActivationRecord;
  const [a, b] = await Promise.all([finished(tp, first!.activationId), finished(tp, second!.activationId)]);
  assert.ok(echo.end < Math.min(a.end, b.end), 'the web action did not wait for the image actions');
  assert.ok(Math.max(a.start, b.start) >= Math.min(a.end, b.end), 'the image actions ran one after the other, within their budget');
});

test("a container runs as many activations at once as the action's concurrency allows", async () => {
  // One container at most: the second activation can only run beside the first, in its container.
  const shared = await usePlatform({ manifest: fixtureManifest([fixtureAction('pid-wait', { limits: { timeout: 10_000, memory: 128, concurrency: 2 } })]), maxContainers: 1 });
  const long = await shared.ow.actions.invoke({ name: 'fixtures/pid-wait', params: { ms: 1500 } });
  const short = (await shared.ow.actions.invoke({ name: 'fixtures/pid-wait', blocking: true, params: { ms: 1 } })) as ActivationRecord;
  const longRecord = await finished(shared, long.activationId);
  assert.equal((short.response.result as { pid: number }).pid, (longRecord.response.result as { pid: number }).pid, 'both ran in one container');
  assert.ok(short.end < longRecord.end, 'side by side, not one after the other');
  const single = await usePlatform({ manifest: fixtureManifest([fixtureAction('pid-wait')]) });
  const [a, b] = await Promise.all([1, 2].map(() => single.ow.actions.invoke({ name: 'fixtures/pid-wait', blocking: true, result: true, params: { ms: 300 } })));
  assert.notEqual(a!.pid, b!.pid, 'concurrency 1: one activation per container');
});

test('the wait queue is bounded: past it an activation fails as a whisk internal error', async () => {
  const tp = await usePlatform({ manifest: fixtureManifest([fixtureAction('pid-wait')]), maxContainers: 1, maxQueue: 1 });
  const running = await tp.ow.actions.invoke({ name: 'fixtures/pid-wait', params: { ms: 800 } });
  await containerFor(tp, 'fixtures/pid-wait');
  const queued = await tp.ow.actions.invoke({ name: 'fixtures/pid-wait', params: { ms: 1 } });
  const refused = await tp.ow.actions.invoke({ name: 'fixtures/pid-wait', blocking: true, params: { ms: 1 } }).catch((e: { statusCode: number; error: ActivationRecord }) => e);
  assert.equal((refused as { statusCode: number }).statusCode, 500);
  const record = (refused as { error: ActivationRecord }).error;
  assert.equal(record.response.status, 'whisk internal error');
  assert.deepEqual(record.response.result, { error: 'Failed to provision resources to run the action.' });
  assert.equal((await finished(tp, running.activationId)).response.status, 'success');
  assert.equal((await finished(tp, queued.activationId)).response.status, 'success', 'the queued one ran when the container was free');
});

test('idle containers are reaped; closing the platform stops every container it started', async () => {
  const tp = await usePlatform({ manifest: fixtureManifest([fixtureAction('counter'), fixtureAction('pid-wait')]), idleTimeoutMs: 200 });
  const first = (await tp.ow.actions.invoke({ name: 'fixtures/counter', blocking: true })) as ActivationRecord;
  await eventually(() => Object.keys(tp.platform.pool.snapshot()).length === 0, 5_000, () => `reaped after being idle: ${JSON.stringify(tp.platform.pool.snapshot())}`);
  // The reaper forgets the container at once; its process is killed without the reaper waiting for the exit.
  const reaped = (first.response.result as { pid: number }).pid;
  await eventually(() => !alive(reaped), 5_000, () => `process ${reaped} of the reaped container is gone`);
  const again = (await tp.ow.actions.invoke({ name: 'fixtures/counter', blocking: true })) as ActivationRecord;
  assert.equal(typeof annotation(again, 'initTime'), 'number', 'the next activation starts cold');
  await tp.ow.actions.invoke({ name: 'fixtures/pid-wait', params: { ms: 5000 } });
  await containerFor(tp, 'fixtures/pid-wait');
  const pids = tp.platform.pool.pids();
  assert.ok(pids.length >= 1);
  await tp.close();
  assert.deepEqual(pids.filter(alive), [], 'no container outlives the platform, busy or not');
});

test('a cold start of a 256 MB stock-runtime action takes a prewarmed stem cell, still counted cold, and the cell is replaced', async () => {
  const tp = await usePlatform({
    manifest: fixtureManifest([fixtureAction('pid-wait', { limits: { timeout: 10_000, memory: 256, concurrency: 1 } }), fixtureAction('echo')]),
  });
  const pool = tp.platform.pool;
  await eventually(() => pool.readyCells() === 2, 10_000, () => `OpenWhisk's two stem cells for the nodejs kind (${pool.readyCells()} ready)`);
  const cells = pool.pids();
  const record = (await tp.ow.actions.invoke({ name: 'fixtures/pid-wait', blocking: true, params: { ms: 1 } })) as ActivationRecord;
  assert.ok(cells.includes((record.response.result as { pid: number }).pid), 'ran in a process started before it was asked for');
  assert.equal(typeof annotation(record, 'initTime'), 'number', 'a stem cell still has to be initialised: a cold start');
  await eventually(() => pool.readyCells() === 2, 10_000, () => `the taken cell was replaced (${pool.readyCells()} ready)`);
  // 128 MB is not a stem cell's size: this one starts a container of its own.
  const echo = (await tp.ow.actions.invoke({ name: 'fixtures/echo', blocking: true })) as ActivationRecord;
  assert.equal(echo.response.status, 'success');
  assert.equal(pool.readyCells(), 2);
  const pids = pool.pids();
  assert.equal(pids.length, 4, 'two cells and two containers');
  await tp.close();
  assert.deepEqual(pids.filter(alive), [], 'stem cells go with the platform');
});

test('stemCells 0 keeps none; a negative count is refused', async () => {
  const tp = await usePlatform({ manifest: fixtureManifest([fixtureAction('pid-wait', { limits: { timeout: 10_000, memory: 256, concurrency: 1 } })]), stemCells: 0 });
  await tp.ow.actions.invoke({ name: 'fixtures/pid-wait', blocking: true, params: { ms: 1 } });
  assert.equal(tp.platform.pool.readyCells(), 0);
  assert.equal(tp.platform.pool.pids().length, 1);
  await assert.rejects(usePlatform({ manifest: fixtureManifest([]), stemCells: -1 }), /platform option stemCells must be a whole number ≥ 0, got -1/);
});

test('closing the platform while a container is still starting leaves no process behind', async () => {
  const before = new Set(liveChildPids());
  const tp = await usePlatform({ manifest: fixtureManifest([fixtureAction('echo')]), stemCells: 0 });
  await tp.ow.actions.invoke({ name: 'fixtures/echo' });
  await eventually(() => liveChildPids().some((pid) => !before.has(pid)), 5000, () => 'the container never started');
  await tp.close();
  assert.deepEqual(liveChildPids().filter((pid) => !before.has(pid)), [], 'close() waited for the starting container and stopped it');
});

test('a container that fails to start is a whisk internal error whose logs say what it wrote', async () => {
  const tp = await usePlatform({ manifest: fixtureManifest([fixtureAction('echo')]), stemCells: 0, runtimeFile: join(PROJECT_ROOT, 'test/fixtures/runtimes/fails-to-start.cjs') });
  const refused = await tp.ow.actions.invoke({ name: 'fixtures/echo', blocking: true }).catch((e: { statusCode: number; error: ActivationRecord }) => e);
  const record = (refused as { error: ActivationRecord }).error;
  assert.equal(record.response.status, 'whisk internal error');
  assert.match(record.logs.join('\n'), /exited while starting \(code 1\); it wrote: Error: Cannot find module 'express' \(fixture\)/);
});

test("a container killed at its timeout takes what its action started with it, as destroying a container does", async () => {
  const tp = await usePlatform({ manifest: fixtureManifest([fixtureAction('spawn-and-hang', { limits: { timeout: 1500, memory: 128, concurrency: 1 } })]), stemCells: 0 });
  const refused = await tp.ow.actions.invoke({ name: 'fixtures/spawn-and-hang', blocking: true }).catch((e: { error: ActivationRecord }) => e);
  const record = (refused as { error: ActivationRecord }).error;
  assert.equal(record.response.status, 'action developer error');
  const pid = Number(/grandchild (\d+)/.exec(record.logs.join('\n'))?.[1]);
  assert.ok(pid > 0, `the action said its child's pid: ${record.logs.join(' | ')}`);
  await eventually(() => !alive(pid), 5000, () => `process ${pid}, started by the action, outlived its container`);
});
