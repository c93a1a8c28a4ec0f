import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileServerless, readServerlessYml } from '../local/manifest/serverless';
import { ManifestError, resolveVariables } from '../local/manifest/variables';
import { PROJECT_ROOT } from './helpers/platform';

test("the project's serverless.yml: four actions in package findme, two triggers, two rules named as the plugin names them", () => {
  const manifest = readServerlessYml(join(PROJECT_ROOT, 'serverless.yml'), { FINDME_IMAGE: 'registry.example/findme:abc' });
  assert.equal(manifest.service, 'findme');
  assert.deepEqual(manifest.actions.map((a) => a.name).sort(), ['findme/compare_images', 'findme/register_search', 'findme/search_status', 'findme/twitter_search']);
  assert.deepEqual(manifest.triggers.map((t) => t.name).sort(), ['search_request', 'tweet_image']);
  assert.deepEqual(manifest.rules.map((r) => `${r.name}: ${r.trigger} -> ${r.action}`).sort(), [
    'findme_search_request_to_twitter_search: search_request -> findme/twitter_search',
    'findme_tweet_image_to_compare_images: tweet_image -> findme/compare_images',
  ]);
  const byName = Object.fromEntries(manifest.actions.map((a) => [a.functionName, a]));
  for (const web of ['register_search', 'search_status']) {
    assert.equal(byName[web]!.annotations['web-export'], true);
    assert.equal(byName[web]!.annotations.final, true, 'web-export implies final, as the plugin does');
  }
  assert.equal(byName.compare_images!.kind, 'blackbox');
  assert.equal(byName.compare_images!.image, 'registry.example/findme:abc');
  assert.equal(byName.compare_images!.handlerFile, 'dist/actions/compare_images.js');
  assert.equal(byName.compare_images!.main, 'main');
  assert.ok(byName.compare_images!.limits.timeout >= 60_000, 'timeouts are seconds in the YAML, ms here');
  assert.equal(byName.register_search!.kind, 'nodejs:20');
  assert.equal(manifest.packages.findme!.REDIS_URL, '', 'an unset variable with an empty default resolves to ""');
});

test('${env:…} resolves from the given environment, with quoted, bare and empty defaults', () => {
  const env = { SET: 'value' };
  assert.deepEqual(resolveVariables({ a: '${env:SET}', b: "${env:UNSET, 'quoted'}", c: '${env:UNSET, bare}', d: "${env:UNSET, ''}", e: 'x-${env:SET}-y', f: '${env:UNSET, false}' }, env), {
    a: 'value',
    b: 'quoted',
    c: 'bare',
    d: '',
    e: 'x-value-y',
    f: false,
  });
});

test('unsupported variables and keys are errors naming where they stand', () => {
  assert.throws(() => resolveVariables({ functions: { a: { image: '${self:custom.image}' } } }, {}), (e: Error) => e instanceof ManifestError && e.message.includes('functions.a.image') && e.message.includes('${self:custom.image}'));
  assert.throws(() => resolveVariables({ x: '${env:MISSING}' }, {}), /x: environment variable MISSING is not set and has no default/);
  const base = { service: 's', provider: { name: 'openwhisk' } };
  assert.throws(() => compileServerless({ ...base, functions: { f: { handler: 'a.main', events: [{ http: 'GET /' }] } } }, {}), /functions\.f\.events\[0\]: only `trigger:` events/);
  assert.throws(() => compileServerless({ ...base, functions: { f: { handler: 'a.main', layers: [] } } }, {}), /functions\.f\.layers: is not supported/);
  assert.throws(() => compileServerless({ ...base, functions: { f: { handler: 'nomain' } } }, {}), /functions\.f\.handler/);
  assert.throws(() => compileServerless({ service: 's', provider: { name: 'aws' } }, {}), /provider\.name: must be openwhisk/);
  assert.throws(() => compileServerless({ ...base, functions: { f: { handler: 'a.main', timeout: -1 } } }, {}), /functions\.f\.timeout: must be a positive whole number/);
});

test('defaults as the plugin has them: <service>_<function> names, 256 MB, 60 s, concurrency 1', () => {
  const manifest = compileServerless({ service: 'svc', provider: { name: 'openwhisk' }, functions: { hello: { handler: 'src/hello.main', events: [{ trigger: 'tick' }] } } }, {});
  const [action] = manifest.actions;
  assert.deepEqual(
    { name: action!.name, memory: action!.limits.memory, timeout: action!.limits.timeout, concurrency: action!.limits.concurrency, file: action!.handlerFile },
    { name: 'svc_hello', memory: 256, timeout: 60_000, concurrency: 1, file: 'src/hello.js' },
  );
  assert.deepEqual(manifest.rules, [{ name: 'svc_tick_to_hello', trigger: 'tick', action: 'svc_hello' }]);
  assert.deepEqual(manifest.triggers, [{ name: 'tick', parameters: {} }], 'a trigger named only in events is created');
});
