import assert from 'node:assert/strict';
import { test } from 'node:test';
import { annotation, type ActivationRecord } from '../local/activations';
import { fixtureAction, fixtureManifest, usePlatform } from './helpers/platform';

const { ow, apiHost, platform } = await usePlatform({
  manifest: fixtureManifest([
    fixtureAction('echo', { parameters: { fromAction: 'a', shared: 'action' } }),
    fixtureAction('counter'),
    fixtureAction('throws'),
    fixtureAction('rejects'),
    fixtureAction('application-error'),
    fixtureAction('not-object'),
    fixtureAction('slow', { limits: { timeout: 1000, memory: 128, concurrency: 1 } }),
    fixtureAction('crash'),
    fixtureAction('logs'),
  ], { packages: { fixtures: { fromPackage: 'p', shared: 'package' } } }),
});

/** A blocking invoke's activation record, typed as this platform records it. */
async function run(name: string, params: object = {}): Promise<ActivationRecord & { response: { result: Record<string, number> } }> {
  return (await ow.actions.invoke({ name: `fixtures/${name}`, blocking: true, params })) as never;
}

interface OwError extends Error {
  statusCode: number;
  error: Record<string, unknown>;
}

async function invokeFailing(name: string, params: object = {}): Promise<OwError> {
  try {
    await ow.actions.invoke({ name: `fixtures/${name}`, blocking: true, params });
  } catch (error) {
    return error as OwError;
  }
  assert.fail(`${name} should have failed`);
}

test('a blocking invoke returns the result, with package < action < request parameters', async () => {
  const result = await ow.actions.invoke({ name: 'fixtures/echo', blocking: true, result: true, params: { fromRequest: 'r', shared: 'request' } });
  assert.deepEqual(result.params, { fromPackage: 'p', fromAction: 'a', fromRequest: 'r', shared: 'request' });
  assert.equal(result.env.__OW_NAMESPACE, 'guest');
  assert.equal(result.env.__OW_ACTION_NAME, '/guest/fixtures/echo');
  assert.equal(result.env.__OW_API_HOST, apiHost);
  assert.match(result.env.__OW_ACTIVATION_ID, /^[0-9a-f]{32}$/);
  assert.match(result.env.__OW_API_KEY, /^[0-9a-f-]{36}:/);
  assert.ok(Number(result.env.__OW_DEADLINE) > Date.now(), 'the deadline is in the future');
  assert.match(result.cwd, /action-/, 'a zipped action runs in its unpacked directory');
});

test('a blocking invoke without result=true returns the whole activation record', async () => {
  const activation = await run('echo');
  assert.equal(activation.response.status, 'success');
  assert.equal(activation.response.success, true);
  assert.equal(activation.name, 'echo');
  assert.equal(annotation(activation, 'path'), 'guest/fixtures/echo');
  const fetched = await ow.activations.get({ name: activation.activationId });
  assert.equal(fetched.activationId, activation.activationId);
});

test('warm reuse: module state survives in a warm container and is gone after a cold start', async () => {
  const first = await run('counter');
  const second = await run('counter');
  assert.equal(second.response.result.count, first.response.result.count! + 1);
  assert.equal(second.response.result.pid, first.response.result.pid);
  assert.equal(typeof annotation(second, 'initTime'), 'undefined', 'the second run was warm');
  assert.equal(typeof annotation(first, 'initTime'), 'number', 'the first run was cold');
  assert.equal(await platform.pool.evictIdle('fixtures/counter'), 1);
  const cold = await run('counter');
  assert.equal(cold.response.result.count, 1, 'module state is gone after a cold start');
  assert.notEqual(cold.response.result.pid, first.response.result.pid);
  assert.equal(typeof annotation(cold, 'initTime'), 'number');
});

test('an action that throws: 502, action developer error, and the next invocation still works', async () => {
  const error = await invokeFailing('throws');
  assert.equal(error.statusCode, 502);
  const activation = error.error as unknown as ActivationRecord;
  assert.equal(activation.response.status, 'action developer error');
  assert.match(String((activation.response.result as { error: string }).error), /^An error has occurred: Error: thrown synchronously/);
  const again = await invokeFailing('throws');
  assert.equal((again.error as unknown as ActivationRecord).response.status, 'action developer error', 'a fresh container ran it again');
  assert.equal(typeof annotation(again.error as unknown as ActivationRecord, 'initTime'), 'number', 'the failed container was not reused');
});

test('a rejected promise and an {error} result are application errors (502)', async () => {
  for (const name of ['rejects', 'application-error']) {
    const error = await invokeFailing(name);
    assert.equal(error.statusCode, 502, name);
    assert.equal((error.error as unknown as ActivationRecord).response.status, 'application error', name);
  }
  const rejected = await invokeFailing('rejects');
  const result = (rejected.error as unknown as ActivationRecord).response.result as { error: { message: string; name: string } };
  assert.equal(result.error.message, 'rejected on purpose');
  assert.equal(result.error.name, 'Error');
});

test('a result that is not an object is a developer error', async () => {
  const error = await invokeFailing('not-object');
  assert.equal(error.statusCode, 502);
  const activation = error.error as unknown as ActivationRecord;
  assert.equal(activation.response.status, 'action developer error');
  assert.deepEqual(activation.response.result, { error: 'The action did not return a dictionary.' });
});

test('an action past its timeout is killed: developer error with OpenWhisk message; the next run works', async () => {
  const error = await invokeFailing('slow', { ms: 5000 });
  const activation = error.error as unknown as ActivationRecord;
  assert.equal(error.statusCode, 502);
  assert.equal(activation.response.status, 'action developer error');
  assert.deepEqual(activation.response.result, { error: 'The action exceeded its time limits of 1000 milliseconds.' });
  assert.equal(annotation(activation, 'timeout'), true);
  const ok = await ow.actions.invoke({ name: 'fixtures/slow', blocking: true, result: true, params: { ms: 10 } });
  assert.deepEqual(ok, { waited: 10 });
});

test('a crashed container: developer error, never reused, and the next run works', async () => {
  const error = await invokeFailing('crash');
  const activation = error.error as unknown as ActivationRecord;
  assert.equal(activation.response.status, 'action developer error');
  assert.deepEqual(activation.response.result, { error: 'The action did not produce a valid response and exited unexpectedly.' });
  assert.ok(activation.logs.some((l) => l.endsWith('stdout: about to crash')), 'logs up to the crash are kept');
  const echo = await ow.actions.invoke({ name: 'fixtures/echo', blocking: true, result: true });
  assert.ok(echo.params);
});

test('logs are captured per activation in OpenWhisk format, without the markers', async () => {
  const activation = await run('logs', { name: 'ada' });
  assert.equal(activation.logs.length, 2);
  assert.match(activation.logs[0]!, /^\d{4}-\d\d-\d\dT[\d:.]+Z stdout: hello ada$/);
  assert.match(activation.logs[1]!, /^\d{4}-\d\d-\d\dT[\d:.]+Z stderr: to stderr$/);
  const second = await run('logs', { name: 'bob' });
  assert.deepEqual(second.logs.map((l: string) => l.replace(/^\S+ /, '')), ['stdout: hello bob', 'stderr: to stderr']);
});

test('a non-blocking invoke answers an activation id at once; the record appears when it ends', async () => {
  const { activationId } = await ow.actions.invoke({ name: 'fixtures/slow', params: { ms: 200 } });
  assert.match(activationId, /^[0-9a-f]{32}$/);
  let record: ActivationRecord | undefined;
  for (let i = 0; i < 100 && !record; i++) {
    record = (await ow.activations.get({ name: activationId }).catch(() => undefined)) as ActivationRecord | undefined;
    if (!record) await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(record?.response.result, { waited: 200 });
  const listed = await ow.activations.list({ name: 'fixtures/slow', limit: 5 });
  assert.ok(listed.some((a: { activationId: string }) => a.activationId === activationId));
});

test('requests without the API key are refused with 401', async () => {
  const anonymous = await fetch(`${apiHost}/api/v1/namespaces/_/actions/fixtures/echo?blocking=true`, { method: 'POST' });
  assert.equal(anonymous.status, 401);
  assert.match(((await anonymous.json()) as { error: string }).error, /requires authentication/);
  const wrong = await fetch(`${apiHost}/api/v1/namespaces/_/actions/fixtures/echo?blocking=true`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from('x:y').toString('base64')}` } });
  assert.equal(wrong.status, 401);
  const missing = await ow.actions.invoke({ name: 'fixtures/nope', blocking: true }).catch((e: OwError) => e);
  assert.equal((missing as OwError).statusCode, 404);
});
