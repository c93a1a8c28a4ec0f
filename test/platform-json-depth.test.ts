/**
 * JSON bodies nested past spray-json's depth limit (1000, what OpenWhisk's controller parses with) are refused
 * with 400 naming the limit, on the REST invoke, a trigger fire and a web action alike; before the bound a
 * 100,000-level body overflowed the invoker's JSON.stringify and the warm container was killed for it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { annotation, type ActivationRecord } from '../local/activations';
import { MAX_JSON_DEPTH } from '../local/controller/http';
import { basicAuth, fixtureAction, fixtureManifest, usePlatform } from './helpers/platform';

const { ow, apiHost, apiKey, webBase, platform } = await usePlatform({
  manifest: fixtureManifest([fixtureAction('echo'), fixtureAction('web-echo', { annotations: { 'web-export': true } })], {
    triggers: [{ name: 'deep', parameters: {} }],
    rules: [{ name: 'fixtures_deep_to_echo', trigger: 'deep', action: 'fixtures/echo' }],
  }),
});

/** An object nested `levels` deep (`{"text":…,"deep":{"a":{"a":…1}}}`), with a string of brackets that does not count. */
const nested = (levels: number) => `{"text":"[[[{{{\\"}}}", "deep":${'{"a":'.repeat(levels - 1)}1${'}'.repeat(levels - 1)}}`;
const post = (path: string, body: string) =>
  fetch(`${apiHost}/api/v1/namespaces/_/${path}`, { method: 'POST', headers: { authorization: basicAuth(apiKey), 'content-type': 'application/json' }, body });
const limitMessage = `The request content was malformed:\nJSON input nested too deeply:JSON input was nested more deeply than the configured limit of maxDepth = ${MAX_JSON_DEPTH}`;

test('a 100,000-level body is refused with 400 naming the depth limit; the warm container survives and runs the next request', async () => {
  const first = (await ow.actions.invoke({ name: 'fixtures/echo', blocking: true, params: { n: 1 } })) as ActivationRecord;
  assert.equal(typeof annotation(first, 'initTime'), 'number', 'cold: a container is now warm');
  const pids = platform.pool.pids();
  const before = platform.store.all().length;

  const deep = nested(100_000);
  const refused = [
    await post('actions/fixtures/echo?blocking=true', deep),
    await post('triggers/deep', deep),
    await fetch(`${webBase('fixtures')}/web-echo.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep }),
  ];
  for (const response of refused) {
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: string }).error, limitMessage);
  }
  assert.equal(platform.store.all().length, before, 'nothing ran, no trigger was recorded');

  const next = (await ow.actions.invoke({ name: 'fixtures/echo', blocking: true, params: { n: 2 } })) as ActivationRecord;
  assert.equal(next.response.status, 'success');
  assert.equal(annotation(next, 'initTime'), undefined, 'warm: the same container ran it');
  assert.deepEqual(platform.pool.pids(), pids);
});

test('a body exactly at the limit goes through whole, over REST and to a web action', async () => {
  const atLimit = nested(MAX_JSON_DEPTH);
  const response = await post('actions/fixtures/echo?blocking=true&result=true', atLimit);
  assert.equal(response.status, 200, await response.clone().text());
  let level = ((await response.json()) as { params: { deep: unknown } }).params.deep;
  let depth = 1; // the outer object
  while (typeof level === 'object' && level !== null) {
    level = (level as { a: unknown }).a;
    depth++;
  }
  assert.equal(depth, MAX_JSON_DEPTH, 'every level arrived');
  const web = await fetch(`${webBase('fixtures')}/web-echo.json`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: atLimit });
  assert.equal(web.status, 200);
  assert.equal(((await web.json()) as { response: { text: string } }).response.text, '[[[{{{"}}}', 'brackets inside strings are text, not depth');
  const over = await post('actions/fixtures/echo?blocking=true', nested(MAX_JSON_DEPTH + 1));
  assert.equal(over.status, 400, 'one level more is refused');
});
