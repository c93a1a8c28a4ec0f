/**
 * The controller's REST API around invocations, with the real `openwhisk` client where it has a call for it:
 * authentication, namespaces, activation lists and their query parameters, entities, throttles.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { annotation, type ActivationRecord } from '../local/activations';
import { startPlatform } from '../local/platform';
import { eventually } from './helpers/eventually';
import { basicAuth, fixtureAction, fixtureManifest, PROJECT_ROOT, usePlatform } from './helpers/platform';

const { ow, apiHost, apiKey, platform } = await usePlatform({
  manifest: fixtureManifest([fixtureAction('echo'), fixtureAction('counter'), fixtureAction('slow')], {
    triggers: [{ name: 'tick', parameters: {} }],
    rules: [{ name: 'fixtures_tick_to_counter', trigger: 'tick', action: 'fixtures/counter' }],
  }),
});

interface OwError extends Error {
  statusCode: number;
  error: { error: string; code: string };
}

const get = (path: string, headers: Record<string, string> = { authorization: basicAuth(apiKey) }) => fetch(`${apiHost}/api/v1/${path}`, { headers });

test('without the API key every REST call is 401 with OpenWhisk body and a Basic challenge', async () => {
  const anonymous = await fetch(`${apiHost}/api/v1/namespaces/_/actions/fixtures/echo?blocking=true`, { method: 'POST' });
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="OpenWhisk secure realm"');
  const body = (await anonymous.json()) as { error: string; code: string };
  assert.equal(body.error, 'The resource requires authentication, which was not supplied with the request');
  assert.match(body.code, /^\w+$/);
  const wrong = await get('namespaces/_/activations', { authorization: basicAuth('x:y') });
  assert.equal(wrong.status, 401);
  assert.equal(((await wrong.json()) as { error: string }).error, 'The supplied authentication is invalid');
  const client = await import('openwhisk');
  const stranger = client.default({ apihost: apiHost, api_key: '23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP' });
  const refused = await stranger.actions.invoke({ name: 'fixtures/echo' }).catch((e: OwError) => e);
  assert.equal((refused as OwError).statusCode, 401);
  assert.equal(platform.store.all().length, 0, 'nothing ran');
});

test('namespaces: `_` and the platform namespace are the caller\'s; another is 403; the client trailing `?` is accepted', async () => {
  assert.deepEqual(await (await get('namespaces')).json(), ['guest']);
  assert.equal((await ow.namespaces.list())[0], 'guest');
  const other = await get('namespaces/someone/actions');
  assert.equal(other.status, 403);
  assert.equal(((await other.json()) as { error: string }).error, "The supplied authentication is not authorized to access 'someone/actions'.");
  const trailing = await fetch(`${apiHost}/api/v1/namespaces/guest/actions/fixtures/echo?`, { method: 'POST', headers: { authorization: basicAuth(apiKey) } });
  assert.equal(trailing.status, 202);
  assert.equal((await get('namespaces/_/actions/fixtures/echo?')).status, 200);
});

test('entities from the manifest can be read, not changed', async () => {
  const actions = (await ow.actions.list()) as Array<{ name: string; namespace: string; limits: { timeout: number } }>;
  assert.deepEqual(actions.map((a) => `${a.namespace}/${a.name}`).sort(), ['guest/fixtures/counter', 'guest/fixtures/echo', 'guest/fixtures/slow']);
  const echo = (await ow.actions.get({ name: 'fixtures/echo' })) as { name: string; exec: { kind: string } };
  assert.deepEqual([echo.name, echo.exec.kind], ['echo', 'nodejs:20']);
  assert.deepEqual(((await ow.triggers.list()) as Array<{ name: string }>).map((t) => t.name), ['tick']);
  const rule = (await ow.rules.get({ name: 'fixtures_tick_to_counter' })) as { status: string; trigger: { name: string }; action: { name: string; path: string } };
  assert.deepEqual([rule.status, rule.trigger.name, rule.action.path, rule.action.name], ['active', 'tick', 'guest/fixtures', 'counter']);
  assert.deepEqual(((await ow.packages.list()) as Array<{ name: string }>).map((p) => p.name), ['fixtures']);
  assert.deepEqual(await ow.actions.list({ count: true }), { actions: 3 });
  const change = await ow.actions.delete({ name: 'fixtures/echo' }).catch((e: OwError) => e);
  assert.equal((change as OwError).statusCode, 405);
  assert.match((change as OwError).error.error, /takes its entities from serverless\.yml/);
  assert.equal(((await ow.actions.get({ name: 'fixtures/missing' }).catch((e: OwError) => e)) as OwError).statusCode, 404);
});

test('activation lists: newest first, summaries unless docs, name/skip/limit/since/upto and count', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push(((await ow.actions.invoke({ name: 'fixtures/counter', blocking: true })) as ActivationRecord).activationId);
  await ow.actions.invoke({ name: 'fixtures/echo', blocking: true });
  const counters = (await ow.activations.list({ name: 'fixtures/counter' })) as unknown as Array<Record<string, unknown>>;
  assert.deepEqual(counters.slice(0, 3).map((a) => a.activationId), [...ids].reverse(), 'newest first');
  assert.deepEqual(Object.keys(counters[0]!).sort(), ['activationId', 'annotations', 'duration', 'end', 'name', 'namespace', 'publish', 'start', 'statusCode', 'version']);
  const docs = (await ow.activations.list({ name: 'fixtures/counter', docs: true, limit: 1 })) as ActivationRecord[];
  assert.equal(docs.length, 1);
  assert.equal(docs[0]!.activationId, ids[2]);
  assert.equal(docs[0]!.response.status, 'success', 'docs=true gives whole records');
  assert.deepEqual(((await ow.activations.list({ name: 'fixtures/counter', skip: 1, limit: 1 })) as ActivationRecord[]).map((a) => a.activationId), [ids[1]]);
  assert.deepEqual(await ow.activations.list({ name: 'fixtures/counter', count: true }), { activations: counters.length });
  const first = (await ow.activations.get({ name: ids[0]! })) as ActivationRecord;
  const since = (await ow.activations.list({ name: 'fixtures/counter', since: first.start })) as ActivationRecord[];
  assert.ok(since.every((a) => a.start >= first.start));
  assert.deepEqual(await ow.activations.list({ name: 'fixtures/counter', upto: first.start - 1 }), counters.filter((a) => Number(a.start) < first.start));
  assert.deepEqual(await ow.activations.list({ name: 'echo' }), [], 'a packaged action is listed by package/name, as on OpenWhisk');
  const all = (await ow.activations.list({ limit: 0 })) as ActivationRecord[];
  assert.ok(all.length >= 4, 'limit=0 means the maximum');
  assert.equal(typeof annotation(all[0]!, 'path'), 'string');
});

test('activation list parameters that OpenWhisk refuses are 400 with its messages; unknown ids are 404', async () => {
  const cases: Array<[string, string]> = [
    ['limit=201', "The query parameter 'limit' was malformed:\nThe value '201' is not in the range of 0 to 200 for activations."],
    ['limit=many', "The query parameter 'limit' was malformed:\nThe value 'many' is not an integer for activations."],
    ['skip=-1', "The query parameter 'skip' was malformed:\nThe value '-1' is not greater than or equal to 0 for activations."],
    ['since=yesterday', "The query parameter 'since' was malformed:\nParameter is not a valid value for epoch seconds: yesterday"],
    ['name=a/b/c', "The query parameter 'name' was malformed:\nParameter may be a 'simple' name or 'package-name/simple' name: a/b/c"],
    ['docs=true&count=true', "The parameter 'docs' is not permitted with 'count'."],
  ];
  for (const [query, message] of cases) {
    const response = await get(`namespaces/_/activations?${query}`);
    assert.equal(response.status, 400, query);
    assert.equal(((await response.json()) as { error: string }).error, message);
  }
  for (const path of ['activations/0123456789abcdef0123456789abcdef', 'activations/0123456789abcdef0123456789abcdef/logs']) {
    assert.equal((await get(`namespaces/_/${path}`)).status, 404, path);
  }
});

test('activations in flight over the concurrent limit are refused 429 with OpenWhisk message; the slot frees when one ends', async () => {
  const tight = await usePlatform({ manifest: fixtureManifest([fixtureAction('slow')]), limits: { concurrentActivations: 1 } });
  const running = await tight.ow.actions.invoke({ name: 'fixtures/slow', params: { ms: 800 } });
  const refused = await tight.ow.actions.invoke({ name: 'fixtures/slow', params: { ms: 1 } }).catch((e: OwError) => e);
  assert.equal((refused as OwError).statusCode, 429);
  assert.equal((refused as OwError).error.error, 'Too many concurrent requests in flight (count: 1, allowed: 1).');
  await eventually(() => Boolean(tight.platform.store.get(running.activationId)), 5_000, () => 'the first activation finished');
  assert.deepEqual(await tight.ow.actions.invoke({ name: 'fixtures/slow', blocking: true, result: true, params: { ms: 1 } }), { waited: 1 });
});

test('invocations past the per-minute limit are refused 429 until the window has passed', async () => {
  const windowMs = 1500;
  const tight = await usePlatform({ manifest: fixtureManifest([fixtureAction('echo')]), limits: { invocationsPerMinute: 2, windowMs } });
  await tight.ow.actions.invoke({ name: 'fixtures/echo' });
  const second = Date.now();
  await tight.ow.actions.invoke({ name: 'fixtures/echo' });
  const refused = await tight.ow.actions.invoke({ name: 'fixtures/echo' }).catch((e: OwError) => e);
  assert.equal((refused as OwError).statusCode, 429);
  assert.equal((refused as OwError).error.error, 'Too many requests in the last minute (count: 3, allowed: 2).');
  await new Promise((r) => setTimeout(r, Math.max(0, second + windowMs + 50 - Date.now())));
  assert.match((await tight.ow.actions.invoke({ name: 'fixtures/echo' })).activationId, /^[0-9a-f]{32}$/);
});

test('platform options are checked when it starts, naming the bad one', async () => {
  const manifest = fixtureManifest([fixtureAction('echo')]);
  await assert.rejects(startPlatform({ projectRoot: PROJECT_ROOT, manifest, limits: { firesPerMinute: 0 } }), /platform option firesPerMinute must be a positive whole number, got 0/);
  await assert.rejects(startPlatform({ projectRoot: PROJECT_ROOT, manifest, maxContainers: 1.5 }), /platform option maxContainers must be a positive whole number/);
  await assert.rejects(startPlatform({ projectRoot: PROJECT_ROOT, manifest, namespace: '_' }), /namespace "_" is not a namespace name/);
  await assert.rejects(startPlatform({ projectRoot: PROJECT_ROOT, manifest, runtimeFile: '/nonexistent/runtime.cjs' }), /\/nonexistent\/runtime\.cjs does not exist; run `npm run build` first/);
  const fromYml = await startPlatform({ projectRoot: PROJECT_ROOT, env: {} });
  await fromYml.close();
  assert.equal(fromYml.manifest.service, 'findme', "the project's serverless.yml starts with no variables set (all have defaults)");
});
