/**
 * `npm run package`, `deploy` and `remove` as a fresh clone runs them: the real `sls` and serverless-openwhisk,
 * no credentials but the deploy target's, a recording OpenWhisk controller on 127.0.0.1, and a guard that refuses
 * (and reports) any other connection. The tests share one checkout and run in order.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import JSZip from 'jszip';
import { ACTION_SECRETS, VARIABLES } from '../actions/lib/config';
import { readServerlessYml } from '../local/manifest/serverless';
import { startPlatform } from '../local/platform';
import { freshCheckout } from './helpers/checkout';
import { isBinaryCode, useOwRecorder, type OwRecorder } from './helpers/ow-recorder';
import { PROJECT_ROOT } from './helpers/platform';

const ACTIONS = ['bluesky_search', 'compare_images', 'mastodon_search', 'my_searches', 'reference_face', 'references', 'register_search', 'review_match', 'search_status', 'sweep_jobs', 'twitter_search'] as const;
/** Actions on the face engine's image. */
const ON_IMAGE: readonly string[] = ['compare_images', 'reference_face'];
type ActionKey = (typeof ACTIONS)[number];

/** What serverless.yml must declare, stated independently of it. Timeouts in ms, as OpenWhisk takes them. */
const EXPECTED: Record<ActionKey, { kind: string; limits: { timeout: number; memory: number; concurrency: number }; web: boolean; fires: boolean }> = {
  register_search: { kind: 'nodejs:20', limits: { timeout: 30_000, memory: 256, concurrency: 1 }, web: true, fires: true },
  search_status: { kind: 'nodejs:20', limits: { timeout: 30_000, memory: 256, concurrency: 1 }, web: true, fires: false },
  my_searches: { kind: 'nodejs:20', limits: { timeout: 30_000, memory: 256, concurrency: 1 }, web: true, fires: false },
  twitter_search: { kind: 'nodejs:20', limits: { timeout: 300_000, memory: 256, concurrency: 1 }, web: false, fires: true },
  bluesky_search: { kind: 'nodejs:20', limits: { timeout: 300_000, memory: 256, concurrency: 1 }, web: false, fires: true },
  mastodon_search: { kind: 'nodejs:20', limits: { timeout: 300_000, memory: 256, concurrency: 1 }, web: false, fires: true },
  compare_images: { kind: 'blackbox', limits: { timeout: 120_000, memory: 512, concurrency: 1 }, web: false, fires: false },
  sweep_jobs: { kind: 'nodejs:20', limits: { timeout: 60_000, memory: 128, concurrency: 1 }, web: false, fires: true },
  // `fires`: has the API key; references uses it to invoke reference_face, not to fire.
  references: { kind: 'nodejs:20', limits: { timeout: 60_000, memory: 256, concurrency: 1 }, web: true, fires: true },
  review_match: { kind: 'nodejs:20', limits: { timeout: 30_000, memory: 256, concurrency: 1 }, web: true, fires: false },
  reference_face: { kind: 'blackbox', limits: { timeout: 60_000, memory: 512, concurrency: 1 }, web: false, fires: false },
};
const SWEEP_TRIGGER = 'findme_sweep_jobs_schedule_trigger';
const TRIGGERS = ['search_request', 'tweet_image', SWEEP_TRIGGER];
const RULES = [
  'findme_search_request_to_bluesky_search: search_request -> findme/bluesky_search',
  'findme_search_request_to_mastodon_search: search_request -> findme/mastodon_search',
  'findme_search_request_to_twitter_search: search_request -> findme/twitter_search',
  `findme_sweep_jobs_schedule_rule: ${SWEEP_TRIGGER} -> findme/sweep_jobs`,
  'findme_tweet_image_to_compare_images: tweet_image -> findme/compare_images',
];
const IMAGE = 'registry.example/findme-compare:0123456789abcdef';
/** Which action gets which secret, stated independently of serverless.yml and config.ts. */
const SECRETS_OF: Record<ActionKey, string[]> = {
  register_search: ['REDIS_URL'],
  search_status: ['REDIS_URL'],
  my_searches: ['REDIS_URL'],
  references: ['REDIS_URL'],
  review_match: ['REDIS_URL'],
  reference_face: [],
  twitter_search: ['REDIS_URL', 'X_BEARER_TOKEN'],
  mastodon_search: ['MASTODON_ACCESS_TOKEN', 'REDIS_URL'],
  bluesky_search: ['BLUESKY_APP_PASSWORD', 'BLUESKY_IDENTIFIER', 'REDIS_URL'],
  compare_images: ['REDIS_URL'],
  sweep_jobs: ['REDIS_URL'],
};
const SECRET_SETTINGS = {
  REDIS_URL: 'rediss://:secret-pass@redis.example:6380',
  X_BEARER_TOKEN: 'x-token-AAAA%2Fsecret',
  MASTODON_ACCESS_TOKEN: 'masto-token-secret',
  BLUESKY_IDENTIFIER: 'findme.bsky.social',
  BLUESKY_APP_PASSWORD: 'abcd-efgh-ijkl-mnop',
};
const PACKAGE_VARIABLES = VARIABLES.filter((v) => !(v in ACTION_SECRETS));
const DEPLOY_SETTINGS = {
  ...SECRET_SETTINGS,
  AUTH0_DOMAIN: 'findme.eu.auth0.com',
  AUTH0_CLIENT_ID: 'client-id',
  AUTH0_AUDIENCE: 'https://findme.example/api',
};

const checkout = freshCheckout();
/** One controller for deploy and remove: remove must find what deploy made. */
const recorder: OwRecorder = await useOwRecorder();

interface KeyValue {
  key: string;
  value: unknown;
}
interface CompiledFunction {
  actionName: string;
  action: { exec: Record<string, unknown>; limits: Record<string, number>; parameters: KeyValue[]; annotations: KeyValue[] };
}

/** `Compiled <Kind> (<name>): <json>` lines of `sls package --verbose`. */
function compiled<T>(output: string, kind: string): Record<string, T> {
  const found: Record<string, T> = {};
  for (const m of output.matchAll(new RegExp(`^Compiled ${kind} \\(([^)]+)\\): (.+)$`, 'gm'))) found[m[1]!] = JSON.parse(m[2]!) as T;
  return found;
}

const asObject = (pairs: KeyValue[]) => Object.fromEntries(pairs.map((p) => [p.key, p.value]));
/**
 * Web actions exported and final; the two that fire triggers ask for the API key, which OpenWhisk withholds from
 * an action created without `provide-api-key` (require-api-key-annotation, on by default).
 */
const expectedAnnotations = ({ web, fires }: { web: boolean; fires: boolean }) => ({
  ...(web ? { 'web-export': true, final: true } : {}),
  ...(fires ? { 'provide-api-key': true } : {}),
});

/** The real bundles, built by the checkout's own `npm run build`. */
function requireBundles(): void {
  for (const action of ACTIONS) {
    const bundle = join(checkout.dir, 'dist', 'actions', `${action}.js`);
    assert.ok(existsSync(bundle), `${bundle} was not built: is actions/${action}.ts missing? sls needs every bundle`);
  }
}

async function zipFiles(zip: JSZip): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (const file of Object.values(zip.files)) if (!file.dir) files[file.name] = await file.async('nodebuffer');
  return files;
}

let packaged: Record<string, CompiledFunction> = {};

test('npm run package, offline and without credentials: eleven actions in package findme, three triggers (one fed by the alarm feed), five rules, web actions final, compare_images on the image', { timeout: 180_000 }, async () => {
  const result = await checkout.npmRun('package', ['--verbose'], SECRET_SETTINGS);
  requireBundles();
  assert.equal(result.code, 0, result.output);
  packaged = compiled<CompiledFunction>(result.output, 'Function');
  assert.deepEqual(Object.keys(packaged).sort(), [...ACTIONS]);
  for (const action of ACTIONS) {
    const { actionName, action: compiledAction } = packaged[action]!;
    assert.equal(actionName, `findme/${action}`);
    assert.equal(compiledAction.exec.kind, EXPECTED[action].kind, action);
    assert.equal(compiledAction.exec.main, 'main', action);
    assert.deepEqual(compiledAction.limits, EXPECTED[action].limits, action);
    assert.deepEqual(asObject(compiledAction.annotations), expectedAnnotations(EXPECTED[action]), `${action}: web actions are exported and final, the others neither; only actions that fire get the API key`);
    assert.deepEqual(compiledAction.parameters.map((p) => p.key).sort(), SECRETS_OF[action], `${action}: only the secrets it uses are its own parameters; the rest lives in the package`);
    for (const { key, value } of compiledAction.parameters) assert.equal(value, key === 'BLUESKY_IDENTIFIER' ? SECRET_SETTINGS.BLUESKY_IDENTIFIER : '***', `${action} ${key}: printed redacted`);
  }
  assert.equal(packaged.compare_images!.action.exec.image, 'findme-compare:unset', 'without FINDME_IMAGE the placeholder, never a stranger’s image');
  assert.equal(packaged.register_search!.action.exec.image, undefined);

  const pkg = compiled<{ package: { parameters: KeyValue[] } }>(result.output, 'Package');
  assert.deepEqual(Object.keys(pkg), ['findme']);
  const parameters = pkg.findme!.package.parameters;
  assert.deepEqual(parameters.map((p) => p.key).sort(), [...PACKAGE_VARIABLES].sort(), 'every variable of actions/lib/config.ts but the secrets is a package parameter');
  for (const [name, secret] of Object.entries(SECRET_SETTINGS)) {
    if (name !== 'BLUESKY_IDENTIFIER') assert.equal(result.output.includes(secret), false, `npm run package --verbose does not print ${name}`);
  }
  for (const { key, value } of parameters) assert.equal(value, '', `${key}: unset resolves to "" (a value final protects), not null or the \${env:…} text`);

  const triggers = compiled<{ feed?: { feedName: string; namespace: string; params: Record<string, unknown> } }>(result.output, 'Trigger');
  assert.deepEqual(Object.keys(triggers).sort(), [...TRIGGERS].sort());
  assert.deepEqual(triggers[SWEEP_TRIGGER]!.feed, { trigger: `/_/${SWEEP_TRIGGER}`, feedName: 'alarms/alarm', namespace: 'whisk.system', params: { cron: '* * * * *', trigger_payload: '{}' } }, 'sweep_jobs runs every minute on the alarm feed');
  const rules = Object.values(compiled<Array<{ ruleName: string; trigger: string; action: string }>>(result.output, 'Rule')).flat();
  assert.deepEqual(rules.map((r) => `${r.ruleName}: ${r.trigger.replace('/_/', '')} -> ${r.action.replace('/_/', '')}`).sort(), RULES);
  assert.deepEqual(checkout.refusedConnections(), [], 'packaging talks to no one');
});

test('each deployable zip holds only its bundle, byte for byte as built, and the package.json naming it: no node_modules, no weights', async () => {
  requireBundles();
  const dir = join(checkout.dir, 'dist', 'packages');
  assert.deepEqual(readdirSync(dir).sort(), ACTIONS.map((a) => `${a}.zip`));
  for (const action of ACTIONS) {
    const files = await zipFiles(await JSZip.loadAsync(readFileSync(join(dir, `${action}.zip`))));
    assert.deepEqual(Object.keys(files).sort(), [`dist/actions/${action}.js`, 'package.json'], action);
    assert.deepEqual(JSON.parse(files['package.json']!.toString()), { main: `dist/actions/${action}.js` }, `${action}: \`wsk action create\` of the zip alone must initialise`);
    assert.ok(files[`dist/actions/${action}.js`]!.equals(readFileSync(join(checkout.dir, 'dist', 'actions', `${action}.js`))), `${action}: the zip is stale`);
  }
});

test('the local platform reads this same serverless.yml, and sees what the plugin compiled; there is no second manifest', async () => {
  assert.ok(Object.keys(packaged).length > 0, 'needs the package test');
  const manifest = readServerlessYml(join(checkout.dir, 'serverless.yml'), {});
  for (const action of manifest.actions) {
    const plugin = packaged[action.functionName]!.action;
    assert.equal(action.name, packaged[action.functionName]!.actionName);
    assert.deepEqual([action.kind, action.image, action.main], [plugin.exec.kind, plugin.exec.image, plugin.exec.main], action.name);
    assert.deepEqual(action.limits, plugin.limits, action.name);
    assert.deepEqual(action.annotations, asObject(plugin.annotations), action.name);
  }
  assert.deepEqual(manifest.rules.map((r) => `${r.name}: ${r.trigger} -> ${r.action}`).sort(), RULES);

  // startPlatform takes <projectRoot>/serverless.yml: a change there is what it runs.
  const project = mkdtempSync(join(tmpdir(), 'findme-manifest-'));
  after(() => rmSync(project, { recursive: true, force: true }));
  const yml = readFileSync(join(checkout.dir, 'serverless.yml'), 'utf8');
  assert.match(yml, /^ {4}memory: 512$/m);
  writeFileSync(join(project, 'serverless.yml'), yml.replace(/^ {4}memory: 512$/m, '    memory: 384'));
  const platform = await startPlatform({ projectRoot: project, env: {}, runtimeFile: join(checkout.dir, 'dist', 'local', 'runtime.cjs') });
  try {
    assert.equal(platform.core.actions.get('findme/compare_images')?.limits.memory, 384);
  } finally {
    await platform.close();
  }

  const { execFileSync } = await import('node:child_process');
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).split('\n');
  // Serverless (any format at the root), wskdeploy, DigitalOcean/nim and Adobe App Builder manifests.
  const manifests = /^serverless\.(ya?ml|json|[cm]?[jt]s)$|(^|\/)(serverless\.ya?ml|manifest\.ya?ml|project\.ya?ml|app\.config\.ya?ml)$/;
  assert.deepEqual(files.filter((f) => manifests.test(f)), ['serverless.yml']);
});

test('npm run deploy refuses to deploy compare_images without FINDME_IMAGE, before building or calling anyone', { timeout: 60_000 }, async () => {
  const result = await checkout.npmRun('deploy', [], { OW_APIHOST: recorder.apihost, OW_AUTH: recorder.auth });
  assert.notEqual(result.code, 0);
  assert.match(result.output, /set FINDME_IMAGE to the image docker\/build-push\.sh printed/);
  assert.deepEqual(recorder.calls, []);
});

test('npm run deploy against a controller without nodejs:20 (as openwhisk-deploy-kube ships) refuses with the fix before creating anything', { timeout: 60_000 }, async () => {
  const kube = await useOwRecorder(undefined, undefined, ['nodejs:14', 'nodejs:16']);
  const result = await checkout.npmRun('deploy', [], { OW_APIHOST: kube.apihost, OW_AUTH: kube.auth, FINDME_IMAGE: IMAGE, ...DEPLOY_SETTINGS });
  assert.notEqual(result.code, 0);
  assert.match(result.output, /the controller at http:\/\/127\.0\.0\.1:\d+ has no nodejs:20 runtime \(it lists nodejs:14, nodejs:16\)\. Nothing was created\./);
  assert.match(result.output, /helm\/openwhisk\/runtimes\.json.+\n +\{"kind": "nodejs:20", "default": true, "image": \{"prefix": "openwhisk", "name": "action-nodejs-v20", "tag": "1\.23\.0"\}/);
  // Every nodejs:20 action is named (EXPECTED states the kinds independently of serverless.yml).
  const nodeActions = ACTIONS.filter((a) => EXPECTED[a].kind === 'nodejs:20');
  assert.ok(result.output.includes(`findme's ${nodeActions.slice(0, -1).join(', ')} and ${nodeActions.at(-1)!} are nodejs:20 actions.`), result.output);
  assert.deepEqual(kube.calls.map((c) => `${c.method} ${c.path}`), ['GET /api/v1'], 'only the runtime list was read');
  assert.equal(kube.entities.size, 0);
});

let deployed = false;

test('npm run deploy creates the package with its parameters, the eleven actions, the triggers, the alarm feed and the enabled rules, in an order OpenWhisk accepts', { timeout: 180_000 }, async () => {
  const result = await checkout.npmRun('deploy', [], { OW_APIHOST: recorder.apihost, OW_AUTH: recorder.auth, FINDME_IMAGE: IMAGE, ...DEPLOY_SETTINGS });
  requireBundles();
  assert.equal(result.code, 0, result.output);
  assert.equal(recorder.unauthorized, 0, 'every call carries OW_AUTH');
  assert.deepEqual(checkout.refusedConnections(), [], 'deploying talks to the deploy target only (no telemetry)');
  const puts = recorder.calls.filter((c) => c.method === 'PUT');
  const at = (path: string) => puts.findIndex((c) => c.path === `/api/v1/namespaces/_/${path}`);

  const pkg = puts[at('packages/findme')];
  assert.ok(pkg, 'the package is created');
  const parameters = asObject((pkg.body as { parameters: KeyValue[] }).parameters);
  assert.deepEqual(Object.keys(parameters).sort(), [...PACKAGE_VARIABLES].sort(), 'no secret in the package');
  for (const name of PACKAGE_VARIABLES) assert.equal(parameters[name], DEPLOY_SETTINGS[name as keyof typeof DEPLOY_SETTINGS] ?? '', name);
  for (const [name, secret] of Object.entries(SECRET_SETTINGS)) {
    if (name !== 'BLUESKY_IDENTIFIER') assert.equal(result.output.includes(secret), false, `npm run deploy does not print ${name}`);
  }

  for (const action of ACTIONS) {
    const call = puts[at(`actions/findme/${action}`)];
    assert.ok(call, `${action} is created`);
    assert.ok(at(`actions/findme/${action}`) > at('packages/findme'), `${action} after its package`);
    assert.equal(call.query.overwrite, 'true');
    const body = call.body as { exec: { kind: string; code: string; main: string; image?: string }; limits: Record<string, number>; annotations: KeyValue[]; parameters?: KeyValue[] };
    const own = asObject(body.parameters ?? []);
    assert.deepEqual(own, Object.fromEntries(SECRETS_OF[action].map((name) => [name, SECRET_SETTINGS[name as keyof typeof SECRET_SETTINGS]])), `${action} receives exactly its secrets, with their values`);
    assert.deepEqual([body.exec.kind, body.exec.main, body.exec.image], [EXPECTED[action].kind, 'main', ON_IMAGE.includes(action) ? IMAGE : undefined], action);
    assert.deepEqual(body.limits, EXPECTED[action].limits, action);
    assert.deepEqual(asObject(body.annotations), expectedAnnotations(EXPECTED[action]), action);
    assert.ok(isBinaryCode(body.exec.code), `${action}: OpenWhisk must take the code for a zip`);
    const files = await zipFiles(await JSZip.loadAsync(Buffer.from(body.exec.code, 'base64')));
    assert.deepEqual(Object.keys(files).sort(), [`dist/actions/${action}.js`, 'package.json'], action);
    assert.deepEqual(JSON.parse(files['package.json']!.toString()), { main: `dist/actions/${action}.js` }, `${action}: the runtime requires the zip's package.json main`);
    assert.ok(files[`dist/actions/${action}.js`]!.equals(readFileSync(join(checkout.dir, 'dist', 'actions', `${action}.js`))), action);
  }
  for (const trigger of TRIGGERS) assert.ok(puts[at(`triggers/${trigger}`)], trigger);
  const sweepTrigger = puts[at(`triggers/${SWEEP_TRIGGER}`)]!.body as { annotations?: KeyValue[] };
  assert.deepEqual(sweepTrigger.annotations, [{ key: 'feed', value: '/whisk.system/alarms/alarm' }], "sweep_jobs's trigger is created as the alarm feed's");
  // serverless-openwhisk 0.18.4's deployTriggers clears each trigger's `feed` before deployFeeds reads it, so the
  // feed action is never invoked: README.md says how to bind the alarm after a deploy.
  assert.deepEqual([...recorder.feeds.keys()], [], 'the plugin does not bind the feed itself');
  for (const rule of RULES) {
    const [, name, trigger, action] = /^(\S+): (\S+) -> (\S+)$/.exec(rule)!;
    const call = puts[at(`rules/${name}`)];
    assert.ok(call, name);
    assert.deepEqual(call.body, { trigger: `/_/${trigger}`, action: `/_/${action}` }, name);
    assert.ok(at(`rules/${name}`) > at(`triggers/${trigger}`) && at(`rules/${name}`) > at(`actions/${action}`), `${name} after its trigger and action`);
    assert.equal(recorder.entities.get(`rules/${name}`)?.status, 'active', `${name} is enabled`);
  }
  const stored = recorder.entities.get('actions/findme/compare_images') as { exec: { binary: boolean } } | undefined;
  assert.equal(stored?.exec.binary, true, 'a blackbox action with a zip: the image runtime unpacks it');
  deployed = true;
});

test('npm run remove deletes the rules, actions, package and triggers deploy created', { timeout: 120_000 }, async () => {
  assert.ok(deployed, 'needs the deploy test');
  const before = recorder.calls.length;
  const result = await checkout.npmRun('remove', [], { OW_APIHOST: recorder.apihost, OW_AUTH: recorder.auth });
  assert.equal(result.code, 0, result.output);
  // The plugin logs a failed deletion and carries on, so the calls and what is left tell, not the exit code.
  assert.doesNotMatch(result.output, /Failed to delete/);
  assert.deepEqual([...recorder.entities.keys()], []);
  const deletes = recorder.calls.slice(before).filter((c) => c.method === 'DELETE').map((c) => c.path.replace('/api/v1/namespaces/_/', ''));
  assert.deepEqual(deletes.sort(), [...ACTIONS.map((a) => `actions/findme/${a}`), 'packages/findme', ...RULES.map((r) => `rules/${r.split(':')[0]}`), ...TRIGGERS.map((t) => `triggers/${t}`)].sort());
  assert.deepEqual(checkout.refusedConnections(), []);
});

test('the network guard these tests rely on does refuse and report a connection', { timeout: 30_000 }, async () => {
  const probe = join(checkout.dir, 'probe.mjs');
  writeFileSync(probe, "await fetch('https://registry.example/').catch(() => undefined);\n");
  const pkgFile = join(checkout.dir, 'package.json');
  const original = readFileSync(pkgFile, 'utf8');
  const pkg = JSON.parse(original) as { scripts: Record<string, string> };
  writeFileSync(pkgFile, JSON.stringify({ ...pkg, scripts: { ...pkg.scripts, probe: 'node probe.mjs' } }));
  try {
    const result = await checkout.npmRun('probe', [], {});
    assert.equal(result.code, 0, result.output);
  } finally {
    writeFileSync(pkgFile, original);
  }
  assert.ok(checkout.refusedConnections().some((line) => line.includes('registry.example:443')), checkout.refusedConnections().join('\n'));
});
