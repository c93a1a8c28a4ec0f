/**
 * Invoking actions through the real `openwhisk` client: results, statuses and HTTP codes as OpenWhisk gives them,
 * warm and cold containers, timeouts, crashes, memory, logs and activation records.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { annotation, type ActivationRecord } from '../local/activations';
import { eventually } from './helpers/eventually';
import { basicAuth, fixtureAction, fixtureManifest, usePlatform } from './helpers/platform';

const short = { timeout: 1000, memory: 128, concurrency: 1 };
const { ow, apiHost, apiKey, platform } = await usePlatform({
  manifest: fixtureManifest(
    [
      fixtureAction('echo', { parameters: { fromAction: 'a', shared: 'action' }, annotations: { 'provide-api-key': true } }),
      fixtureAction('keyless', { handlerFile: 'test/fixtures/actions/echo.js' }),
      fixtureAction('guarded', { handlerFile: 'test/fixtures/actions/echo.js', parameters: { secret: 'kept', unset: null }, annotations: { final: true } }),
      fixtureAction('counter'),
      fixtureAction('throws'),
      fixtureAction('rejects'),
      fixtureAction('application-error'),
      fixtureAction('not-object'),
      fixtureAction('chatty'),
      fixtureAction('array'),
      fixtureAction('big-result'),
      fixtureAction('init-throws'),
      fixtureAction('slow', { limits: short }),
      fixtureAction('slow-init', { limits: short }),
      fixtureAction('misbehave', { limits: short }),
      fixtureAction('crash'),
      fixtureAction('oom'),
      fixtureAction('logs'),
      fixtureAction('no-newline'),
      fixtureAction('unbuilt', { handlerFile: 'dist/actions/not-built-yet.js' }),
    ],
    { packages: { fixtures: { fromPackage: 'p', shared: 'package' } } },
  ),
});

type Record = ActivationRecord & { response: { result: { [key: string]: number } } };

interface OwError extends Error {
  statusCode: number;
  error: { [key: string]: unknown };
}

/** A blocking invoke's activation record. */
async function run(name: string, params: object = {}): Promise<Record> {
  return (await ow.actions.invoke({ name: `fixtures/${name}`, blocking: true, params })) as Record;
}

/** The client's error for an invoke that OpenWhisk answers with an error status. */
async function refused(name: string, params: object = {}): Promise<OwError> {
  try {
    await ow.actions.invoke({ name: `fixtures/${name}`, blocking: true, params });
  } catch (error) {
    return error as OwError;
  }
  assert.fail(`${name} should have failed`);
}

/** The activation record in a refused blocking invoke. */
async function failed(name: string, params: object = {}): Promise<{ status: number; record: Record }> {
  const error = await refused(name, params);
  return { status: error.statusCode, record: error.error as unknown as Record };
}

test('a blocking invoke with result returns the result: package < action < request parameters, __OW_* set', async () => {
  const result = await ow.actions.invoke({ name: 'fixtures/echo', blocking: true, result: true, params: { fromRequest: 'r', shared: 'request' } });
  assert.deepEqual(result.params, { fromPackage: 'p', fromAction: 'a', fromRequest: 'r', shared: 'request' });
  assert.equal(result.env.__OW_NAMESPACE, 'guest');
  assert.equal(result.env.__OW_ACTION_NAME, '/guest/fixtures/echo');
  assert.equal(result.env.__OW_API_HOST, apiHost);
  assert.equal(result.env.__OW_API_KEY, apiKey);
  assert.match(result.env.__OW_ACTIVATION_ID, /^[0-9a-f]{32}$/);
  assert.match(result.env.__OW_TRANSACTION_ID, /^[0-9a-f]{32}$/);
  assert.ok(Number(result.env.__OW_DEADLINE) > Date.now() && Number(result.env.__OW_DEADLINE) <= Date.now() + 10_000, 'the deadline is the action timeout from now');
  assert.match(result.cwd, /action-/, 'a zipped action runs in its unpacked directory');
  assert.match(result.nodePath, /node_modules$/, "the project's modules stand in for the runtime's");
});

test('an action created without provide-api-key gets no API key, as OpenWhisk (require-api-key-annotation) creates it', async () => {
  const result = await ow.actions.invoke({ name: 'fixtures/keyless', blocking: true, result: true });
  assert.equal(result.env.__OW_API_KEY, undefined);
  assert.equal(result.env.__OW_API_HOST, apiHost, 'the API host is still there');
  assert.equal(platform.core.actions.get('fixtures/keyless')!.annotations['provide-api-key'], false, 'annotated on create');
});

test('the activation record has OpenWhisk shape: response, duration, annotations in its order', async () => {
  const activation = await run('echo');
  assert.equal(activation.name, 'echo');
  assert.equal(activation.namespace, 'guest');
  assert.match(activation.activationId, /^[0-9a-f]{32}$/);
  assert.deepEqual(Object.keys(activation.response).sort(), ['result', 'status', 'statusCode', 'success']);
  assert.equal(activation.response.status, 'success');
  assert.equal(activation.response.success, true);
  assert.equal(activation.duration, activation.end - activation.start);
  assert.equal('statusCode' in activation, false, 'the status lives in response, as in `wsk activation get`');
  const keys = activation.annotations.map((a) => a.key);
  assert.deepEqual(keys.slice(0, 4), ['limits', 'path', 'kind', 'timeout']);
  assert.ok(keys.includes('waitTime'));
  assert.deepEqual(annotation(activation, 'limits'), { concurrency: 1, logs: 10, memory: 128, timeout: 10_000 });
  assert.equal(annotation(activation, 'path'), 'guest/fixtures/echo');
  assert.equal(annotation(activation, 'kind'), 'nodejs:20');
  assert.equal(annotation(activation, 'timeout'), false);
  assert.equal(typeof annotation(activation, 'waitTime'), 'number');
  const fetched = await ow.activations.get({ name: activation.activationId });
  assert.deepEqual(fetched, activation, 'GET /activations/{id} answers the same record');
});

test('warm reuse: module state survives in a warm container and is gone after a cold start', async () => {
  const first = await run('counter');
  const second = await run('counter');
  assert.equal(second.response.result.count, first.response.result.count! + 1);
  assert.equal(second.response.result.pid, first.response.result.pid);
  assert.equal(typeof annotation(first, 'initTime'), 'number', 'the first run was cold');
  assert.equal(annotation(second, 'initTime'), undefined, 'the second run was warm');
  assert.equal(await platform.pool.evictIdle('fixtures/counter'), 1);
  const cold = await run('counter');
  assert.equal(cold.response.result.count, 1, 'module state is gone after a cold start');
  assert.notEqual(cold.response.result.pid, first.response.result.pid);
  assert.equal(typeof annotation(cold, 'initTime'), 'number');
});

test('an action that throws: 502, action developer error, a fresh container next time', async () => {
  const { status, record } = await failed('throws');
  assert.equal(status, 502);
  assert.equal(record.response.status, 'action developer error');
  assert.deepEqual(record.response.result, { error: 'An error has occurred: Error: thrown synchronously' });
  const again = await failed('throws');
  assert.equal(again.record.response.status, 'action developer error');
  assert.equal(typeof annotation(again.record, 'initTime'), 'number', 'the failed container was not reused');
});

test('each way an action fails gives OpenWhisk status and HTTP code, and the next invocation still works', async () => {
  const cases: Array<[string, number, string, string]> = [
    ['throw', 502, 'action developer error', 'An error has occurred: Error: thrown synchronously'],
    ['string', 502, 'action developer error', 'The action did not return a dictionary.'],
    ['hang', 502, 'action developer error', 'The action exceeded its time limits of 1000 milliseconds.'],
    ['crash', 502, 'action developer error', 'The action did not produce a valid response and exited unexpectedly.'],
  ];
  for (const [mode, httpStatus, status, error] of cases) {
    const warm = await run('misbehave');
    const { status: code, record } = await failed('misbehave', { mode });
    assert.deepEqual([code, record.response.status, record.response.result], [httpStatus, status, { error }], mode);
    const next = await run('misbehave');
    assert.equal(next.response.status, 'success', `after ${mode}`);
    assert.notEqual(next.response.result.pid, warm.response.result.pid, `after ${mode}: a new container`);
    assert.equal(next.response.result.runs, 1, `after ${mode}: the failed container's state is gone`);
  }
});

test('a rejected promise and an {error} result are application errors (502); the container is kept', async () => {
  const rejected = await failed('rejects');
  assert.equal(rejected.status, 502);
  assert.equal(rejected.record.response.status, 'application error');
  const error = (rejected.record.response.result as unknown as { error: { message: string; name: string } }).error;
  assert.deepEqual([error.name, error.message], ['Error', 'rejected on purpose']);
  const again = await failed('rejects');
  assert.equal(annotation(again.record, 'initTime'), undefined, 'an application error keeps the container warm');
  const application = await failed('application-error');
  assert.equal(application.status, 502);
  assert.deepEqual(application.record.response.result, { error: { reason: 'an application error', code: 42 } });
  // The client's `result: true` gives the whole record of a failure, as it does against OpenWhisk.
  const viaResult = await ow.actions.invoke({ name: 'fixtures/application-error', blocking: true, result: true }).catch((e: OwError) => e);
  assert.equal((viaResult as OwError).statusCode, 502);
});

test('a result that is not an object: developer error with the runtime message; its logs end with the warning', async () => {
  const { status, record } = await failed('not-object');
  assert.equal(status, 502);
  assert.equal(record.response.status, 'action developer error');
  assert.deepEqual(record.response.result, { error: 'The action did not return a dictionary.' });
  const chatty = await failed('chatty');
  const lines = chatty.record.logs.map((l) => l.replace(/^\S+\s+/, ''));
  assert.ok(lines.includes('stdout: before the bad result'), lines.join('\n'));
  assert.equal(lines.at(-1), 'stderr: The action did not initialize or run as expected. Log data might be missing.');
});

test('an array result is returned as it is, with or without result=true', async () => {
  assert.deepEqual(await ow.actions.invoke({ name: 'fixtures/array', blocking: true }), [1, 'two', { three: 3 }]);
  const response = await fetch(`${apiHost}/api/v1/namespaces/_/actions/fixtures/array?blocking=true&result=true`, { method: 'POST', headers: { authorization: basicAuth(apiKey) } });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), [1, 'two', { three: 3 }]);
});

test('result=true over raw HTTP answers only the result; a result past 1 MB is an application error', async () => {
  const response = await fetch(`${apiHost}/api/v1/namespaces/guest/actions/fixtures/echo?blocking=true&result=true`, {
    method: 'POST',
    headers: { authorization: basicAuth(apiKey), 'content-type': 'application/json' },
    body: JSON.stringify({ x: 1 }),
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('x-openwhisk-activation-id') ?? '', /^[0-9a-f]{32}$/);
  assert.equal(((await response.json()) as { params: { x: number } }).params.x, 1);
  const big = await failed('big-result');
  assert.equal(big.record.response.status, 'application error');
  assert.match(String((big.record.response.result as unknown as { error: string }).error), /^The action produced a response that exceeded the allowed length: 10485\d\d > 1048576 bytes\. The truncated response was: \{"blob":"xxx/);
});

test('an action past its timeout is killed: developer error with OpenWhisk message, timeout annotation; the next run works', async () => {
  const { status, record } = await failed('slow', { ms: 5000 });
  assert.equal(status, 502);
  assert.equal(record.response.status, 'action developer error');
  assert.deepEqual(record.response.result, { error: 'The action exceeded its time limits of 1000 milliseconds.' });
  assert.equal(annotation(record, 'timeout'), true);
  assert.deepEqual(await ow.actions.invoke({ name: 'fixtures/slow', blocking: true, result: true, params: { ms: 10 } }), { waited: 10 });
  const init = await failed('slow-init');
  assert.deepEqual(init.record.response.result, { error: 'The action exceeded its time limits of 1000 milliseconds during initialization.' });
  assert.equal(annotation(init.record, 'timeout'), true);
});

test('a crashed container: developer error, never reused, logs up to the crash kept; the next run works', async () => {
  const { status, record } = await failed('crash');
  assert.equal(status, 502);
  assert.equal(record.response.status, 'action developer error');
  assert.deepEqual(record.response.result, { error: 'The action did not produce a valid response and exited unexpectedly.' });
  assert.ok(record.logs.some((l) => l.endsWith('stdout: about to crash')), record.logs.join('\n'));
  assert.deepEqual(platform.pool.snapshot()['fixtures/crash'], undefined, 'the dead container is gone from the pool');
  assert.ok((await ow.actions.invoke({ name: 'fixtures/echo', blocking: true, result: true })).params);
});

test('an action that outgrows its memory limit is aborted with OpenWhisk message', async () => {
  const { record } = await failed('oom');
  assert.equal(record.response.status, 'action developer error');
  assert.deepEqual(record.response.result, { error: 'The action exhausted its memory and was aborted.' });
});

test('an action whose module fails to load: developer error with the init failure', async () => {
  const { status, record } = await failed('init-throws');
  assert.equal(status, 502);
  assert.match(String((record.response.result as unknown as { error: string }).error), /^Initialization has failed due to: Error: cannot load this action/);
  assert.equal(typeof annotation(record, 'initTime'), 'number');
});

test('a function whose bundle was not built fails when invoked, naming the file and `npm run build`', async () => {
  const { status, record } = await failed('unbuilt');
  assert.equal(status, 502);
  assert.equal(record.response.status, 'action developer error');
  assert.match(String((record.response.result as unknown as { error: string }).error), /dist\/actions\/not-built-yet\.js does not exist .*run `npm run build`/);
  assert.equal(platform.pool.snapshot()['fixtures/unbuilt'], undefined, 'no container was started for it');
});

test('logs are captured per activation in OpenWhisk format, without the markers', async () => {
  const activation = await run('logs', { name: 'ada' });
  assert.equal(activation.logs.length, 2);
  assert.match(activation.logs[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout: hello ada$/);
  assert.match(activation.logs[1]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stderr: to stderr$/);
  const second = await run('logs', { name: 'bob' });
  assert.deepEqual(
    second.logs.map((l) => l.slice(31)),
    ['stdout: hello bob', 'stderr: to stderr'],
  );
  assert.deepEqual((await ow.activations.logs({ name: second.activationId })).logs, second.logs);
  const unterminated = await run('no-newline');
  assert.deepEqual(unterminated.logs.map((l) => l.slice(31)), ['stdout: no newline at the end'], 'output sharing the marker line is kept, the marker is not');
  assert.deepEqual((await run('no-newline')).logs.map((l) => l.slice(31)), ['stdout: no newline at the end'], 'and the next activation starts clean');
});

test('a request may not set a final parameter (400), and the invocation still counts', async () => {
  const error = await refused('guarded', { secret: 'mine' });
  assert.equal(error.statusCode, 400);
  assert.equal(error.error.error, 'Request defines parameters that are not allowed (e.g., reserved properties).');
  const allowed = await ow.actions.invoke({ name: 'fixtures/guarded', blocking: true, result: true, params: { unset: 'a null parameter has no value to protect', other: 1 } });
  assert.equal(allowed.params.secret, 'kept');
  assert.equal(allowed.params.unset, 'a null parameter has no value to protect');
});

test('a non-blocking invoke answers 202 with an activation id at once; the record appears when it ends, and the platform counts it running until then', async () => {
  const { activationId } = await ow.actions.invoke({ name: 'fixtures/slow', params: { ms: 200 } });
  assert.match(activationId, /^[0-9a-f]{32}$/);
  assert.equal(platform.running('fixtures/slow'), 1, 'the activation is counted running before it is recorded');
  let record: ActivationRecord | undefined;
  await eventually(async () => {
    record = (await ow.activations.get({ name: activationId }).catch(() => undefined)) as ActivationRecord | undefined;
    return record !== undefined;
  }, 10_000, () => `the record of ${activationId} appeared`);
  assert.deepEqual(record?.response.result, { waited: 200 });
  assert.equal(platform.running('fixtures/slow'), 0, 'recorded: no longer running');
  assert.deepEqual(await ow.activations.result({ name: activationId }), { ...record!.response });
});

test('malformed requests are refused before anything runs, with OpenWhisk messages', async () => {
  const post = (query: string, body?: string) =>
    fetch(`${apiHost}/api/v1/namespaces/_/actions/fixtures/echo?${query}`, { method: 'POST', headers: { authorization: basicAuth(apiKey), 'content-type': 'application/json' }, ...(body !== undefined ? { body } : {}) });
  const cases: Array<[Response, number, string]> = [
    [await post('blocking=true&timeout=soon'), 400, "The query parameter 'timeout' was malformed:\nTimeout must be number of milliseconds up to 60000."],
    [await post('blocking=true&timeout=60001'), 400, "The query parameter 'timeout' was malformed:\nTimeout must be number of milliseconds up to 60000."],
    [await post('blocking=maybe'), 400, "The query parameter 'blocking' was malformed:\n'maybe' is not a valid Boolean value"],
    [await post('blocking=true', '[1, 2]'), 400, "The request content was malformed:\nObject expected in field 'body'"],
  ];
  for (const [response, status, message] of cases) {
    assert.equal(response.status, status, message);
    assert.equal(((await response.json()) as { error: string }).error, message);
  }
  const tooBig = await ow.actions.invoke({ name: 'fixtures/echo', blocking: true, params: { blob: 'x'.repeat(1024 * 1024) } }).catch((e: OwError) => e);
  assert.equal((tooBig as OwError).statusCode, 413);
  assert.match(String((tooBig as OwError).error.error), /^Request larger than allowed: 10485\d\d > 1048576 bytes\.$/);
  const missing = await ow.actions.invoke({ name: 'fixtures/nope', blocking: true }).catch((e: OwError) => e);
  assert.equal((missing as OwError).statusCode, 404);
  assert.equal((missing as OwError).error.error, 'The requested resource does not exist.');
});

test('a blocking invoke that outlasts the blocking wait answers 202 with the activation id', async () => {
  const patient = await usePlatform({ manifest: fixtureManifest([fixtureAction('slow')]), maxBlockingWaitMs: 300 });
  const started = Date.now();
  const answer = await patient.ow.actions.invoke({ name: 'fixtures/slow', blocking: true, params: { ms: 2000 } });
  assert.match(answer.activationId, /^[0-9a-f]{32}$/);
  assert.equal(answer.response, undefined, 'no record yet');
  assert.ok(Date.now() - started < 2000, 'it did not wait for the action');
  const shorter = await fetch(`${patient.apiHost}/api/v1/namespaces/_/actions/fixtures/slow?blocking=true&timeout=50`, {
    method: 'POST',
    headers: { authorization: basicAuth(patient.apiKey), 'content-type': 'application/json' },
    body: JSON.stringify({ ms: 1000 }),
  });
  assert.equal(shorter.status, 202);
  const { activationId } = (await shorter.json()) as { activationId: string };
  assert.equal(shorter.headers.get('x-openwhisk-activation-id'), activationId);
});
