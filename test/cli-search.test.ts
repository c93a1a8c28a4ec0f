import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import type { SearchStatusResponse } from '../actions/lib/types';
import { startLocal } from '../local/start';
import { demoPhoto } from '../local/standins/demo';
import { PROJECT_ROOT } from './helpers/platform';

function findme(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'findme.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const cleanEnv = { ...process.env };
for (const name of ['REDIS_URL', 'X_BEARER_TOKEN', 'AUTH0_DOMAIN', 'FINDME_IMAGE_HOSTS', 'FINDME_TOKEN']) delete cleanEnv[name];

test('findme search --profile runs a whole search locally and prints the final status as JSON', { timeout: 180_000 }, async (t) => {
  mkdirSync(join(PROJECT_ROOT, 'test', 'output'), { recursive: true });
  const profile = join(PROJECT_ROOT, 'test', 'output', 'cli-profile.jpg');
  await sharp(demoPhoto(1)).extract({ left: 286, top: 259, width: 432, height: 432 }).resize(400, 400).jpeg().toFile(profile);
  const result = await findme(['search', '#findmedemo', '--profile', profile, '--json'], cleanEnv);
  t.diagnostic(result.stderr);
  assert.equal(result.code, 0, result.stderr);
  const final = JSON.parse(result.stdout) as SearchStatusResponse;
  assert.equal(final.status, 'done');
  assert.equal(final.total, 6);
  assert.deepEqual(final.matches.map((m) => m.tweetId), ['1900000000000000005']);
});

test('findme search --api follows a search on a running findme, printing matches as they arrive', { timeout: 180_000 }, async () => {
  const running = await startLocal({ projectRoot: PROJECT_ROOT, port: 0, verbose: false, env: cleanEnv, log: () => undefined });
  after(() => running.close());
  const token = await running.identity!.issueAccessToken({ sub: 'local|ada' });
  const result = await findme(['search', 'findmedemo', '--api', running.url], { ...cleanEnv, FINDME_TOKEN: token });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^match\s+\d+% similar {2}https:\/\/x\.com\/bo\/status\/1900000000000000005 {2}http:\/\/127\.0\.0\.1:\d+\/media\/3_101\.jpg\n$/);
  assert.match(result.stderr, /done: 1 of 6 photos match/);
  const bad = await findme(['search', 'findmedemo', '--api', running.url, '--token', 'not-a-token'], cleanEnv);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Your session has expired\. Log in again\./);
});

test('findme search explains its usage errors with exit code 2', async () => {
  for (const [args, message] of [
    [['search'], /name the hashtag/],
    [['search', '../x', '--profile', 'a.jpg'], /one hashtag of letters/],
    [['search', 'tag'], /give --profile/],
    [['search', 'tag', '--api', 'http://127.0.0.1:1'], /needs an access token/],
    [['search', 'tag', '--profile', 'a.jpg', '--api', 'http://x'], /--profile is for embedded mode/],
  ] as Array<[string[], RegExp]>) {
    const result = await findme(args, cleanEnv);
    assert.equal(result.code, 2, args.join(' '));
    assert.match(result.stderr, message);
  }
  const missing = await findme(['search', 'tag', '--profile', '/nonexistent.jpg'], cleanEnv);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read the profile picture \/nonexistent\.jpg: no such file/);
});
