import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import JSZip from 'jszip';
import { useOwRecorder } from './helpers/ow-recorder';
import { PROJECT_ROOT } from './helpers/platform';

const ACTIONS = ['compare_images', 'register_search', 'search_status', 'twitter_search'];

/** A service directory with this project's serverless.yml and build, and no credentials anywhere. */
function serviceDir(): { dir: string; home: string } {
  const dir = mkdtempSync(join(tmpdir(), 'findme-sls-'));
  const home = mkdtempSync(join(tmpdir(), 'findme-home-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });
  copyFileSync(join(PROJECT_ROOT, 'serverless.yml'), join(dir, 'serverless.yml'));
  copyFileSync(join(PROJECT_ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(dir, 'node_modules'));
  symlinkSync(join(PROJECT_ROOT, 'dist'), join(dir, 'dist'));
  return { dir, home };
}

function sls(args: string[], dir: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const clean: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: env.HOME, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', SLS_DEPRECATION_DISABLE: 'CLI_OPTIONS_SCHEMA_V3', ...env };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'serverless', 'bin', 'serverless.js'), ...args], { cwd: dir, env: clean, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => resolve({ code, output }));
  });
}

function compiled(output: string, kind: string): Record<string, unknown> {
  const found: Record<string, unknown> = {};
  for (const match of output.matchAll(new RegExp(`^Compiled ${kind} \\(([^)]+)\\): (.+)$`, 'gm'))) found[match[1]!] = JSON.parse(match[2]!);
  return found;
}

test('sls package works offline with no credentials: four actions in findme, two triggers, two rules, web actions final, compare_images on the image', { timeout: 120_000 }, async () => {
  const { dir, home } = serviceDir();
  const result = await sls(['package', '--verbose'], dir, { HOME: home, FINDME_IMAGE: 'registry.example/findme-compare:abc123' });
  assert.equal(result.code, 0, result.output);
  const functions = compiled(result.output, 'Function') as Record<string, { actionName: string; action: { exec: Record<string, string>; limits: Record<string, number>; annotations: Array<{ key: string; value: unknown }> } }>;
  assert.deepEqual(Object.values(functions).map((f) => f.actionName).sort(), ACTIONS.map((a) => `findme/${a}`));
  for (const web of ['register_search', 'search_status']) {
    const annotations = Object.fromEntries(functions[web]!.action.annotations.map((a) => [a.key, a.value]));
    assert.deepEqual(annotations, { 'web-export': true, final: true }, web);
    assert.equal(functions[web]!.action.exec.kind, 'nodejs:20');
  }
  assert.deepEqual(functions.compare_images!.action.exec, { main: 'main', kind: 'blackbox', image: 'registry.example/findme-compare:abc123', code: '<hidden>' });
  assert.equal(functions.compare_images!.action.limits.memory, 512);
  const rules = Object.values(compiled(result.output, 'Rule')).flat() as Array<{ ruleName: string; trigger: string; action: string }>;
  assert.deepEqual(rules.map((r) => `${r.ruleName} ${r.trigger} ${r.action}`).sort(), [
    'findme_search_request_to_twitter_search /_/search_request /_/findme/twitter_search',
    'findme_tweet_image_to_compare_images /_/tweet_image /_/findme/compare_images',
  ]);
  assert.deepEqual(Object.keys(compiled(result.output, 'Trigger')).sort(), ['search_request', 'tweet_image']);
  const pkg = compiled(result.output, 'Package').findme as { package: { parameters: Array<{ key: string; value: unknown }> } };
  assert.ok(pkg.package.parameters.every((p) => p.value === ''), 'unset variables deploy as empty strings, not literal ${env:…} text');
});

test('every packaged artifact holds only its bundle: no node_modules, no weights', async () => {
  const dir = join(PROJECT_ROOT, 'dist', 'packages');
  assert.deepEqual(readdirSync(dir).sort(), ACTIONS.map((a) => `${a}.zip`));
  for (const action of ACTIONS) {
    const zip = await JSZip.loadAsync(readFileSync(join(dir, `${action}.zip`)));
    const files = Object.values(zip.files).filter((f) => !f.dir).map((f) => f.name);
    assert.deepEqual(files, [`dist/actions/${action}.js`], action);
  }
});

test('sls deploy makes the OpenWhisk REST calls that create the package, actions, triggers and rules', { timeout: 120_000 }, async () => {
  const recorder = await useOwRecorder();
  const { dir, home } = serviceDir();
  const result = await sls(['deploy'], dir, { HOME: home, OW_APIHOST: recorder.apihost, OW_AUTH: 'user-uuid:secret-key', REDIS_URL: 'rediss://redis.example:6380', FINDME_IMAGE: 'registry.example/findme-compare:abc123' });
  assert.equal(result.code, 0, result.output);
  const puts = recorder.calls.filter((c) => c.method === 'PUT');
  assert.ok(recorder.calls.every((c) => c.authorization === `Basic ${Buffer.from('user-uuid:secret-key').toString('base64')}`), 'every call authenticates with OW_AUTH');
  const byPath = new Map(puts.map((c) => [c.path, c]));

  const pkg = byPath.get('/api/v1/namespaces/_/packages/findme');
  assert.ok(pkg, 'the package is created');
  const parameters = Object.fromEntries((pkg.body as { parameters: Array<{ key: string; value: unknown }> }).parameters.map((p) => [p.key, p.value]));
  assert.equal(parameters.REDIS_URL, 'rediss://redis.example:6380');
  assert.equal(parameters.X_BEARER_TOKEN, '');

  for (const action of ACTIONS) {
    const call = byPath.get(`/api/v1/namespaces/_/actions/findme/${action}`);
    assert.ok(call, `${action} is created`);
    assert.equal(call.query.overwrite, 'true');
    const body = call.body as { exec: { kind: string; code: string; main: string; image?: string; binary?: boolean }; annotations: Array<{ key: string; value: unknown }> };
    const zip = await JSZip.loadAsync(Buffer.from(body.exec.code, 'base64'));
    assert.deepEqual(Object.values(zip.files).filter((f) => !f.dir).map((f) => f.name).sort(), [`dist/actions/${action}.js`, 'package.json'].sort(), action);
    assert.deepEqual(JSON.parse(await zip.file('package.json')!.async('string')), { main: `dist/actions/${action}.js` });
    assert.equal(body.exec.main, 'main');
    if (action === 'compare_images') assert.deepEqual([body.exec.kind, body.exec.image], ['blackbox', 'registry.example/findme-compare:abc123']);
    else assert.equal(body.exec.kind, 'nodejs:20');
  }
  for (const trigger of ['search_request', 'tweet_image']) assert.ok(byPath.get(`/api/v1/namespaces/_/triggers/${trigger}`), trigger);
  for (const [rule, trigger, action] of [
    ['findme_search_request_to_twitter_search', 'search_request', 'findme/twitter_search'],
    ['findme_tweet_image_to_compare_images', 'tweet_image', 'findme/compare_images'],
  ] as const) {
    const call = byPath.get(`/api/v1/namespaces/_/rules/${rule}`);
    assert.ok(call, rule);
    const body = call.body as { trigger: string; action: string };
    assert.equal(body.trigger, `/_/${trigger}`);
    assert.equal(body.action, `/_/${action}`);
  }
});

test('the local platform reads this same serverless.yml: there is no second manifest', async () => {
  const { execFileSync } = await import('node:child_process');
  const tracked = execFileSync('git', ['ls-files'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).split('\n');
  assert.deepEqual(tracked.filter((f) => /(^|\/)(serverless\.(ya?ml|json)|manifest\.ya?ml)$/.test(f)), ['serverless.yml']);
  const platform = readFileSync(join(PROJECT_ROOT, 'local', 'platform.ts'), 'utf8');
  assert.match(platform, /readServerlessYml\(join\(options\.projectRoot, 'serverless\.yml'\)/);
});
