import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { IMAGE_ENV } from '../local/image';
import { PROJECT_ROOT } from './helpers/platform';

const dockerfile = readFileSync(join(PROJECT_ROOT, 'docker', 'Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; peerDependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };

test('the base image is the stock OpenWhisk Node.js 20 runtime, pinned to a release', () => {
  const from = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
  assert.deepEqual(from, ['openwhisk/action-nodejs-v20:1.23.0']);
  assert.doesNotMatch(dockerfile, /^(CMD|ENTRYPOINT)/m, "the runtime's own entry point is kept");
});

test('the image installs exactly the versions package.json pins, where the stock runtime keeps its modules', () => {
  const install = /npm install([\s\S]*?)&& npm cache clean/.exec(dockerfile)?.[1] ?? '';
  const installed = Object.fromEntries([...install.matchAll(/(@?[\w./-]+)@(\d+\.\d+\.\d+)\b/g)].map((m) => [m[1], m[2]]));
  assert.deepEqual(installed, {
    '@tensorflow/tfjs-node': pkg.peerDependencies['@tensorflow/tfjs-node'],
    '@vladmandic/face-api': pkg.dependencies['@vladmandic/face-api'],
    sharp: pkg.dependencies.sharp,
  });
  assert.equal(lock.packages['node_modules/@vladmandic/face-api']!.version, installed['@vladmandic/face-api']);
  assert.equal(lock.packages['node_modules/sharp']!.version, installed.sharp);
  assert.equal(lock.packages['node_modules/@tensorflow/tfjs']!.version, installed['@tensorflow/tfjs-node'], 'tfjs-node brings the tfjs version the wasm fallback uses');
  assert.match(dockerfile, /RUN cd \/ \\\n\s+&& npm install --no-save/);
});

test("the image's ENV is what the local platform gives image actions, and the weights land there, verified", () => {
  const env = Object.fromEntries([...dockerfile.matchAll(/^ENV\s+(\w+)=(\S+)/gm)].map((m) => [m[1], m[2]]));
  assert.deepEqual(env, IMAGE_ENV);
  assert.match(dockerfile, new RegExp(`^COPY weights/ ${IMAGE_ENV.FINDME_WEIGHTS_DIR}/$`, 'm'));
  assert.match(dockerfile, /manifest\.json/);
  const ignore = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8');
  assert.match(ignore, /^\*$/m);
  assert.match(ignore, /^!weights\/$/m);
});

test('build-push.sh builds the weights, then builds, tags by content hash, and pushes the image', { timeout: 120_000 }, () => {
  const bin = mkdtempSync(join(tmpdir(), 'findme-docker-'));
  after(() => rmSync(bin, { recursive: true, force: true }));
  const log = join(bin, 'calls.log');
  writeFileSync(join(bin, 'docker'), `#!/bin/sh\necho "$@" >> ${log}\n`);
  chmodSync(join(bin, 'docker'), 0o755);
  const usage = spawnSync(join(PROJECT_ROOT, 'docker', 'build-push.sh'), [], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, FINDME_REPOSITORY: '' } });
  assert.equal(usage.status, 2);
  const run = spawnSync(join(PROJECT_ROOT, 'docker', 'build-push.sh'), ['registry.example/findme-compare'], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  assert.equal(run.status, 0, run.stderr);
  const tag = /FINDME_IMAGE=registry\.example\/findme-compare:([0-9a-f]{16})$/m.exec(run.stdout)?.[1];
  assert.ok(tag, run.stdout);
  const expected = spawnSync('sh', ['-c', 'cat package-lock.json docker/Dockerfile weights/manifest.json | sha256sum | cut -c1-16'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).stdout.trim();
  assert.equal(tag, expected);
  assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [
    `build --file docker/Dockerfile --tag registry.example/findme-compare:${tag} .`,
    `push registry.example/findme-compare:${tag}`,
  ]);
});
