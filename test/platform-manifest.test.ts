import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkManifest, InvalidManifestError } from '../local/manifest/check';
import { compileServerless, readServerlessYml } from '../local/manifest/serverless';
import { ManifestError, resolveVariables } from '../local/manifest/variables';
import { fixtureAction, fixtureManifest, PROJECT_ROOT } from './helpers/platform';

const minimal = (functions: object, extra: object = {}) => ({ service: 'svc', provider: { name: 'openwhisk', runtime: 'nodejs:20' }, functions, ...extra });

/** The ManifestError a document raises, for assertions on where and what. */
function refusal(document: unknown, env: NodeJS.ProcessEnv = {}): ManifestError {
  try {
    compileServerless(document, env);
  } catch (error) {
    assert.ok(error instanceof ManifestError, `a ManifestError, got ${String(error)}`);
    return error;
  }
  assert.fail('the manifest should have been refused');
}

test("the project's serverless.yml: eleven actions in package findme, three triggers, five rules named as the plugin names them", () => {
  const manifest = readServerlessYml(join(PROJECT_ROOT, 'serverless.yml'), { FINDME_IMAGE: 'registry.example/findme:abc', REDIS_URL: 'redis://r:1' });
  assert.equal(manifest.service, 'findme');
  assert.deepEqual(manifest.actions.map((a) => a.name).sort(), ['findme/bluesky_search', 'findme/compare_images', 'findme/mastodon_search', 'findme/my_searches', 'findme/reference_face', 'findme/references', 'findme/register_search', 'findme/review_match', 'findme/search_status', 'findme/sweep_jobs', 'findme/twitter_search']);
  assert.deepEqual(manifest.triggers.map((t) => t.name).sort(), ['findme_sweep_jobs_schedule_trigger', 'search_request', 'tweet_image']);
  assert.deepEqual(manifest.rules.map((r) => `${r.name}: ${r.trigger} -> ${r.action}`).sort(), [
    'findme_search_request_to_bluesky_search: search_request -> findme/bluesky_search',
    'findme_search_request_to_mastodon_search: search_request -> findme/mastodon_search',
    'findme_search_request_to_twitter_search: search_request -> findme/twitter_search',
    'findme_sweep_jobs_schedule_rule: findme_sweep_jobs_schedule_trigger -> findme/sweep_jobs',
    'findme_tweet_image_to_compare_images: tweet_image -> findme/compare_images',
  ]);
  const byName = Object.fromEntries(manifest.actions.map((a) => [a.functionName, a]));
  for (const web of ['register_search', 'search_status', 'my_searches']) {
    assert.equal(byName[web]!.annotations['web-export'], true);
    assert.equal(byName[web]!.annotations.final, true, 'web-export implies final, as the plugin does');
  }
  for (const notWeb of ['twitter_search', 'mastodon_search', 'bluesky_search', 'compare_images', 'reference_face', 'sweep_jobs']) assert.equal(byName[notWeb]!.annotations.final, undefined);
  const compare = byName.compare_images!;
  assert.equal(compare.kind, 'blackbox');
  assert.equal(compare.image, 'registry.example/findme:abc');
  assert.equal(compare.handlerFile, 'dist/actions/compare_images.js');
  assert.equal(compare.main, 'main');
  assert.equal(compare.limits.timeout, 120_000, 'timeouts are seconds in the YAML, ms here');
  assert.equal(compare.limits.memory, 512);
  assert.equal(compare.limits.concurrency, 1);
  assert.equal(byName.register_search!.kind, 'nodejs:20');
  assert.equal(byName.register_search!.limits.concurrency, 1, 'concurrency defaults to 1');
  assert.equal(manifest.packages.findme!.REDIS_URL, undefined, 'secrets are not package parameters');
  assert.equal(byName.sweep_jobs!.parameters.REDIS_URL, 'redis://r:1', "but the parameters of the actions that use them");
  assert.equal(byName.twitter_search!.parameters.X_BEARER_TOKEN, '', 'an unset variable with an empty default resolves to ""');
  assert.equal(byName.search_status!.parameters.X_BEARER_TOKEN, undefined, 'a web action never holds the X token');
  assert.equal(manifest.packages.findme!.FINDME_SOURCES, '');
  assert.equal(readServerlessYml(join(PROJECT_ROOT, 'serverless.yml'), {}).actions.find((a) => a.functionName === 'compare_images')!.image, 'findme-compare:unset', 'the quoted default');
});

test('${env:…} resolves from the given environment: quoted, literal and empty defaults, env fallbacks, types kept', () => {
  const env = { SET: 'value', EMPTY: '', PORT: '8080' };
  assert.deepEqual(
    resolveVariables(
      {
        a: '${env:SET}',
        b: "${env:UNSET, 'quoted, with a comma'}",
        c: '${env:UNSET, "double"}',
        d: "${env:UNSET, ''}",
        e: 'x-${env:SET}-y-${env:UNSET, 2}',
        f: '${env:UNSET, false}',
        g: '${env:UNSET, 30}',
        h: '${env:UNSET, env:SET}',
        i: '${env:EMPTY, "not used"}',
        j: '${env:PORT}',
        list: ['${env:SET}', 1, null],
      },
      env,
    ),
    { a: 'value', b: 'quoted, with a comma', c: 'double', d: '', e: 'x-value-y-2', f: false, g: 30, h: 'value', i: '', j: '8080', list: ['value', 1, null] },
  );
});

test('variables the local platform cannot resolve are errors naming the key and the variable', () => {
  const cases: Array<[object, string, RegExp]> = [
    [{ functions: { compare_images: { handler: 'a.main', image: '${self:foo}' } } }, 'functions.compare_images.image', /unsupported variable \$\{self:foo\}/],
    [{ x: '${opt:stage}' }, 'x', /unsupported variable \$\{opt:stage\}/],
    [{ x: '${env:MISSING}' }, 'x', /MISSING is not set and there is no default/],
    [{ x: '${env:A, bare}' }, 'x', /"bare" is not a valid default; quote a string \('bare'\)/],
    [{ x: '${env:A,}' }, 'x', /an empty default is not valid/],
    [{ x: '${env:A, ${env:B}}' }, 'x', /variables inside variables/],
    [{ nested: { list: ['ok', '${env:OPEN'] } }, 'nested.list[1]', /unterminated variable/],
  ];
  for (const [document, path, message] of cases) {
    assert.throws(
      () => resolveVariables(document, {}),
      (error: unknown) => error instanceof ManifestError && error.path === path && message.test(error.message),
      `${path} ${message}`,
    );
  }
});

test('defaults as the plugin has them: <service>_<function> names, nodejs:default, 256 MB, 60 s, concurrency 1', () => {
  const manifest = compileServerless({ service: 'svc', provider: { name: 'openwhisk' }, functions: { hello: { handler: 'src/hello.main', events: [{ trigger: 'tick' }] } } }, {});
  const [action] = manifest.actions;
  assert.deepEqual(
    { name: action!.name, kind: action!.kind, memory: action!.limits.memory, timeout: action!.limits.timeout, concurrency: action!.limits.concurrency, file: action!.handlerFile, main: action!.main },
    { name: 'svc_hello', kind: 'nodejs:default', memory: 256, timeout: 60_000, concurrency: 1, file: 'src/hello.js', main: 'main' },
  );
  assert.deepEqual(manifest.rules, [{ name: 'svc_tick_to_hello', trigger: 'tick', action: 'svc_hello' }]);
  assert.deepEqual(manifest.triggers, [{ name: 'tick', parameters: {} }], 'a trigger named only in events is created');
  assert.deepEqual(manifest.packages, {}, 'no package without a packaged action');
});

test('provider defaults, bare runtimes, long-form trigger events, packages implied and renamed', () => {
  const manifest = compileServerless(
    minimal(
      {
        one: { name: 'pkg/one', handler: 'lib/one.handler', runtime: 'nodejs', parameters: { a: 1 }, annotations: { 'web-export': true, 'raw-http': true }, events: [{ trigger: { name: 'go', rule: 'custom_rule' } }] },
        two: { handler: 'two.main', memory: 128, timeout: 0.5 },
      },
      { provider: { name: 'openwhisk', runtime: 'nodejs:20', memory: 512, timeout: 30 }, resources: { packages: { settings: { name: 'renamed', parameters: { p: 'v' } } } } },
    ),
    {},
  );
  const [one, two] = manifest.actions;
  assert.equal(one!.kind, 'nodejs:default', 'a bare runtime gets :default');
  assert.equal(one!.main, 'handler');
  assert.deepEqual(one!.limits, { timeout: 30_000, memory: 512, concurrency: 1 }, 'provider defaults');
  assert.deepEqual(one!.annotations, { 'web-export': true, 'raw-http': true, final: true });
  assert.deepEqual(one!.parameters, { a: 1 });
  assert.deepEqual(two!.limits, { timeout: 500, memory: 128, concurrency: 1 });
  assert.equal(two!.kind, 'nodejs:20');
  assert.deepEqual(manifest.rules, [{ name: 'custom_rule', trigger: 'go', action: 'pkg/one' }]);
  assert.deepEqual(manifest.packages, { renamed: { p: 'v' }, pkg: {} });
});

test('what OpenWhisk or the plugin would refuse, or the local platform cannot run, is an error naming the key', () => {
  const cases: Array<[object, string, RegExp]> = [
    [{ service: 'svc', provider: { name: 'aws' }, functions: {} }, 'provider.name', /must be openwhisk/],
    [{ provider: { name: 'openwhisk' } }, 'service', /is required/],
    [{ service: 'svc', provider: { name: 'openwhisk', namespace: 'other' }, functions: {} }, 'provider.namespace', /is not supported by the local platform/],
    [minimal({}, { resources: { apigw: { basepath: '/x' } } }), 'resources.apigw', /only packages and triggers/],
    [minimal({ f: { handler: 'nodot' } }), 'functions.f.handler', /<file without \.js>\.<exported function>/],
    [minimal({ f: { handler: 'a.main', memory: 1024 } }), 'functions.f.memory', /memory size 1024 MB exceeds allowed threshold of 512 MB/],
    [minimal({ f: { handler: 'a.main', memory: 64 } }), 'functions.f.memory', /below allowed threshold of 128 MB/],
    [minimal({ f: { handler: 'a.main', timeout: 301 } }), 'functions.f.timeout', /duration 301000 milliseconds exceeds allowed threshold of 300000 milliseconds/],
    [minimal({ f: { handler: 'a.main', timeout: 'soon' } }), 'functions.f.timeout', /must be a positive number/],
    [minimal({ f: { handler: 'a.main', runtime: 'python:3' } }), 'functions.f.runtime', /only nodejs actions/],
    [minimal({ f: { handler: 'my/image', runtime: 'docker' } }), 'functions.f.runtime', /docker actions/],
    [minimal({ f: { handler: 'a.main', sequence: ['x'] } }), 'functions.f.sequence', /sequences are not supported/],
    [minimal({ f: { handler: 'a.main', unknown: 1 } }), 'functions.f.unknown', /is not supported by the local platform/],
    [minimal({ f: { handler: 'a.main', events: [{ http: 'GET /x' }] } }), 'functions.f.events[0]', /http events are not supported/],
    [minimal({ f: { handler: 'a.main', events: [{ trigger: { name: 't' } }] } }), 'functions.f.events[0].trigger.rule', /is required in the long form/],
    [minimal({ f: { handler: 'a.main', name: 'a/b/c' } }), 'functions.f.name', /is not an action name/],
    [minimal({ f: { handler: 'a.main', name: 'x' }, g: { handler: 'b.main', name: 'x' } }), 'functions.g.name', /another function already deploys as x/],
    [minimal({}, { resources: { triggers: { t: { parameters: { a: 1 } } } } }), 'resources.triggers.t.parameters', /does not deploy trigger parameters/],
    [minimal({}, { resources: { triggers: { t: { feed: '/whisk.system/alarms/alarm' } } } }), 'resources.triggers.t.feed', /feeds declared here are not run/],
    [minimal({}, { resources: { packages: { p: { binding: '/ns/other' } } } }), 'resources.packages.p.binding', /bindings are not supported/],
    [minimal({}, { resources: { packages: { p: { parameters: ['not', 'a', 'mapping'] } } } }), 'resources.packages.p.parameters', /must be a mapping/],
  ];
  for (const [document, path, message] of cases) {
    const error = refusal(document);
    assert.equal(error.path, path, error.message);
    assert.match(error.message, message);
    assert.match(error.message, new RegExp(`^serverless\\.yml ${path.replace(/[.[\]]/g, '\\$&')}: `));
  }
  assert.throws(() => readServerlessYml(join(PROJECT_ROOT, 'no-such.yml')), /serverless\.yml \(file\): .*no-such\.yml cannot be read/);
});

test('a Manifest built in code is checked as OpenWhisk would check it when deployed', () => {
  assert.equal(checkManifest(fixtureManifest([fixtureAction('echo')])).actions.length, 1);
  const cases: Array<[ReturnType<typeof fixtureManifest>, RegExp]> = [
    [fixtureManifest([fixtureAction('echo'), fixtureAction('echo')]), /actions\[1\] \(fixtures\/echo\): another action has this name/],
    [fixtureManifest([fixtureAction('echo')], { packages: {} }), /package fixtures is not in manifest\.packages/],
    [fixtureManifest([fixtureAction('echo', { limits: { timeout: 0, memory: 128, concurrency: 1 } })]), /limits\.timeout: must be a positive whole number/],
    [fixtureManifest([fixtureAction('echo')], { rules: [{ name: 'r', trigger: 'nope', action: 'fixtures/echo' }] }), /rules\[0\] \(r\): trigger nope is not in manifest\.triggers/],
    [fixtureManifest([], { triggers: [{ name: 't', parameters: {} }], rules: [{ name: 'r', trigger: 't', action: 'fixtures/gone' }] }), /action fixtures\/gone is not in manifest\.actions/],
  ];
  for (const [manifest, message] of cases) assert.throws(() => checkManifest(manifest), (error: unknown) => error instanceof InvalidManifestError && message.test(error.message));
});
