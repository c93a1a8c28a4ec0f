/**
 * The compare_images image (docker/). No Docker engine runs here, so the Dockerfile is held to what can be
 * checked: its pins against package.json, its own lock file and the project's, its ENV against what the local
 * platform gives image actions (local/image.ts), its context against .dockerignore, its build-time check script
 * run for real, and build-push.sh run against a recording `docker`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { IMAGE_ENV } from '../local/image';
import { PROJECT_ROOT } from './helpers/platform';

const dockerfile = readFileSync(join(PROJECT_ROOT, 'docker', 'Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; peerDependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
const imagePkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'docker', 'image', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const imageLock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'docker', 'image', 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
};
const CHECK = join(PROJECT_ROOT, 'docker', 'check-image.mjs');

/** Instructions with their continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'))
  .map((line) => line.replace(/\s+/g, ' ').trim());

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the base image is the stock OpenWhisk Node.js 20 runtime pinned to a release, its entry point and user untouched', () => {
  assert.deepEqual(instructions.filter((i) => i.startsWith('FROM ')), ['FROM openwhisk/action-nodejs-v20:1.23.0']);
  assert.ok(instructions[0]!.startsWith('FROM '));
  const kinds = new Set(instructions.map((i) => i.split(' ')[0]));
  for (const kept of ['CMD', 'ENTRYPOINT', 'USER', 'WORKDIR', 'EXPOSE']) assert.ok(!kinds.has(kept), `${kept} is the runtime's own`);
});

test('the image installs exactly the versions package.json pins, from a lock file of its own, linked into the /node_modules the runtime resolves from', () => {
  const pins = {
    '@tensorflow/tfjs': pkg.dependencies['@tensorflow/tfjs'],
    '@tensorflow/tfjs-backend-wasm': pkg.dependencies['@tensorflow/tfjs-backend-wasm'],
    '@tensorflow/tfjs-node': pkg.peerDependencies['@tensorflow/tfjs-node'],
    '@vladmandic/face-api': pkg.dependencies['@vladmandic/face-api'],
    sharp: pkg.dependencies.sharp,
  };
  assert.deepEqual(imagePkg.dependencies, pins, 'docker/image/package.json names the five at the versions package.json pins');
  assert.deepEqual(imageLock.packages['']?.dependencies, pins, 'its lock file is in sync with it (npm ci would refuse otherwise)');
  for (const [name, version] of Object.entries(pins)) assert.equal(imageLock.packages[`node_modules/${name}`]?.version, version, `${name}: locked at the pin`);
  for (const name of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@vladmandic/face-api', 'sharp'] as const) assert.equal(lock.packages[`node_modules/${name}`]?.version, pins[name], `${name}: the project's lock file agrees`);
  assert.equal(pins['@tensorflow/tfjs'], pins['@tensorflow/tfjs-node'], 'tfjs-node pins its tfjs exactly: one tfjs-core');
  const cores = Object.keys(imageLock.packages).filter((path) => path.endsWith('node_modules/@tensorflow/tfjs-core'));
  assert.deepEqual(cores, ['node_modules/@tensorflow/tfjs-core'], 'one tfjs-core, the one tfjs-node registers its backend into');
  assert.equal(imageLock.packages[cores[0]!]!.version, lock.packages['node_modules/@tensorflow/tfjs-core']?.version, 'the tfjs-core the WASM fallback runs here');

  assert.ok(instructions.includes('COPY docker/image/package.json docker/image/package-lock.json /opt/findme/modules/'));
  const install = instructions.find((i) => i.includes('npm ci'));
  assert.ok(install, 'an npm ci');
  assert.match(install, /^RUN cd \/opt\/findme\/modules && npm ci --omit=dev /, 'installed from the lock, in a folder of its own (the stock /node_modules untouched)');
  assert.ok(!instructions.some((i) => / npm (install|i) /.test(i)), 'nothing installed past the lock file');
  const linked = /for module in ([^;]+); do ln -sT "\/opt\/findme\/modules\/node_modules\/\$module" "\/node_modules\/\$module" \|\| exit 1; done/.exec(install);
  assert.ok(linked, 'each package is linked into /node_modules, failing if the name is taken');
  assert.deepEqual(linked[1]!.trim().split(' ').sort(), Object.keys(pins).sort());
});

test("the image's ENV is what the local platform gives image actions; the weights and the check land where it says", () => {
  const env = Object.fromEntries(instructions.filter((i) => i.startsWith('ENV ')).map((i) => /^ENV (\w+)=(\S+)$/.exec(i)!.slice(1)));
  assert.deepEqual(env, IMAGE_ENV);
  const copies = instructions.filter((i) => i.startsWith('COPY ')).map((i) => i.split(' ').slice(1));
  assert.deepEqual(copies, [
    ['docker/image/package.json', 'docker/image/package-lock.json', '/opt/findme/modules/'],
    ['weights/', `${IMAGE_ENV.FINDME_WEIGHTS_DIR}/`],
    ['docker/check-image.mjs', '/opt/findme/check-image.mjs'],
  ]);
  assert.equal(instructions.at(-1), 'RUN node /opt/findme/check-image.mjs /nodejsAction/probe /opt/findme/modules/package.json', 'the check runs last, with the ENV set, against the engines the image claims');
  // The context is the project root: .dockerignore keeps out everything but what is copied.
  const ignore = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  assert.deepEqual(ignore, ['*', ...copies.flatMap((copy) => copy.slice(0, -1)).map((source) => `!${source}`)]);
});

/** The Node.js 20 minor a range asks for (`^20.19.0 || ^22.13.0` → 19), or undefined when it names no 20.x. */
function node20Minor(range: string): number | undefined {
  const minors = [...range.matchAll(/(?:\^|>=|~)?\s*20\.(\d+)/g)].map((m) => Number(m[1]));
  return minors.length ? Math.max(...minors) : undefined;
}

test('engines is the Node.js the image ships (checked by check-image at build); devEngines the newer one the dev tooling needs', () => {
  const project = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; devEngines: { runtime: { name: string; version: string } } };
  const image = JSON.parse(readFileSync(join(PROJECT_ROOT, 'docker', 'image', 'package.json'), 'utf8')) as { engines?: { node: string } };
  assert.equal(image.engines?.node, project.engines.node, "the image's package.json claims the project's engines, which check-image holds the base image to");
  assert.deepEqual((imageLock.packages[''] as { engines?: unknown }).engines, image.engines);
  assert.deepEqual((lock.packages[''] as { engines?: unknown }).engines, project.engines);
  // What each side of the lock needs: the runtime dependencies no more than engines, the dev tools exactly devEngines.
  const needs = (dev: boolean) =>
    Math.max(...Object.entries(lock.packages as Record<string, { dev?: boolean; engines?: unknown }>)
      .filter(([path, entry]) => path !== '' && Boolean(entry.dev) === dev && typeof (entry.engines as { node?: unknown } | undefined)?.node === 'string')
      .map(([, entry]) => node20Minor((entry.engines as { node: string }).node) ?? 0));
  assert.ok(needs(false) <= node20Minor(project.engines.node)!, `a runtime dependency needs Node 20.${needs(false)}, past engines ${project.engines.node}`);
  assert.equal(project.devEngines.runtime.name, 'node');
  assert.equal(node20Minor(project.devEngines.runtime.version), needs(true), `devEngines ${project.devEngines.runtime.version} is what the dev tools need (20.${needs(true)})`);
  assert.ok(needs(true) > node20Minor(project.engines.node)!, 'they need more than the image ships, which is why there are two fields');

  const run = (packageJson: string) => spawnSync(process.execPath, [CHECK, PROJECT_ROOT, packageJson], { encoding: 'utf8', env: { PATH: process.env.PATH, FINDME_WEIGHTS_DIR: join(PROJECT_ROOT, 'weights') } });
  const here = run(join(PROJECT_ROOT, 'docker', 'image', 'package.json'));
  assert.match(here.stdout, new RegExp(`Node\\.js ${process.versions.node.replaceAll('.', '\\.')} satisfies engines\\.node >=20\\.17`));
  const dir = tempDir('findme-engines-');
  const claim = (node: string) => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ engines: { node } }));
    return run(join(dir, 'package.json'));
  };
  const [major, minor] = process.versions.node.split('.').map(Number);
  const newer = claim(`>=${major}.${minor! + 1}.0`);
  assert.equal(newer.status, 1);
  assert.match(newer.stderr, new RegExp(`runs Node\\.js ${process.versions.node.replaceAll('.', '\\.')}, below engines\\.node >=${major}\\.${minor! + 1}\\.0`));
  assert.doesNotMatch(newer.stdout, /model files/, 'refused before anything else is checked');
  assert.match(claim('^20').stderr, /engines\.node must be a ">=X\.Y\.Z" floor, got "\^20"/);
});

test('check-image passes verified weights and refuses a wrong or missing model file, naming it', () => {
  const run = (weights: string, actionDir = PROJECT_ROOT) => spawnSync(process.execPath, [CHECK, actionDir], { encoding: 'utf8', env: { PATH: process.env.PATH, FINDME_WEIGHTS_DIR: weights } });
  // Here the weights pass and the modules do not: tfjs-node is never installed on this machine.
  const here = run(join(PROJECT_ROOT, 'weights'));
  assert.match(here.stdout, /10 model files in .* match manifest\.json/);
  assert.equal(here.status, 1);
  assert.match(here.stderr, /@tensorflow\/tfjs-node does not load from/);

  const weights = tempDir('findme-weights-');
  cpSync(join(PROJECT_ROOT, 'weights'), weights, { recursive: true });
  const bin = join(weights, 'face_recognition_model.bin');
  const bytes = readFileSync(bin);
  bytes[100] = bytes[100]! ^ 0xff;
  writeFileSync(bin, bytes);
  const tampered = run(weights);
  assert.equal(tampered.status, 1);
  assert.match(tampered.stderr, /face_recognition_model\.bin: sha256 [0-9a-f]{64}, manifest\.json says/);
  rmSync(bin);
  assert.match(run(weights).stderr, /face_recognition_model\.bin is missing/);
});

test('check-image loads the modules from where an unpacked action runs, and refuses a second tfjs-core', () => {
  // A stand-in for the image's /node_modules: just enough of each package for the check to load.
  const root = tempDir('findme-image-root-');
  const put = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  put('node_modules/@tensorflow/tfjs-node/package.json', '{"name":"@tensorflow/tfjs-node","main":"index.js"}');
  put('node_modules/@tensorflow/tfjs-node/index.js', "let backend;\nmodule.exports = { ready: async () => { backend = 'tensorflow'; }, getBackend: () => backend, version: { tfjs: '4.22.0' } };\n");
  put('node_modules/@vladmandic/face-api/package.json', '{"name":"@vladmandic/face-api"}');
  put('node_modules/@vladmandic/face-api/dist/face-api.node.js', "module.exports = { version: '1.7.15' };\n");
  put('node_modules/sharp/package.json', '{"name":"sharp","main":"index.js"}');
  put('node_modules/sharp/index.js', "module.exports = { versions: { vips: '8.17.0' } };\n");
  put('node_modules/@tensorflow/tfjs-core/package.json', '{"name":"@tensorflow/tfjs-core"}');
  const run = () => spawnSync(process.execPath, [CHECK, join(root, 'nodejsAction', 'probe')], { encoding: 'utf8', env: { PATH: process.env.PATH, FINDME_WEIGHTS_DIR: join(PROJECT_ROOT, 'weights') } });

  const good = run();
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stdout, /tfjs 4\.22\.0 on tensorflow, face-api 1\.7\.15, sharp with libvips 8\.17\.0/);

  put('node_modules/@tensorflow/tfjs-node/node_modules/@tensorflow/tfjs-core/package.json', '{"name":"@tensorflow/tfjs-core"}');
  const twoCores = run();
  assert.equal(twoCores.status, 1);
  assert.match(twoCores.stderr, /expected one @tensorflow\/tfjs-core in .*node_modules, found 2/);
  rmSync(join(root, 'node_modules/@tensorflow/tfjs-node/node_modules'), { recursive: true });

  // The image's layout: installed under /opt/findme/modules, each package linked into /node_modules.
  const installed = join(root, 'opt', 'findme', 'modules', 'node_modules');
  mkdirSync(dirname(installed), { recursive: true });
  renameSync(join(root, 'node_modules'), installed);
  for (const name of ['@tensorflow/tfjs-node', '@vladmandic/face-api', 'sharp']) {
    mkdirSync(dirname(join(root, 'node_modules', name)), { recursive: true });
    symlinkSync(join(installed, name), join(root, 'node_modules', name));
  }
  const linked = run();
  assert.equal(linked.status, 0, linked.stderr);
  assert.match(linked.stdout, /tfjs 4\.22\.0 on tensorflow/);
});

test('build-push.sh builds the weights first, then builds for amd64, tags by content hash, pushes, and prints only FINDME_IMAGE', { timeout: 60_000 }, () => {
  const bin = tempDir('findme-docker-');
  const log = join(bin, 'calls.log');
  for (const tool of ['docker', 'npm']) {
    writeFileSync(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> ${log}\necho "${tool} output"\n${tool === 'npm' ? 'exit ${FAKE_NPM_STATUS:-0}\n' : ''}`);
    chmodSync(join(bin, tool), 0o755);
  }
  const script = join(PROJECT_ROOT, 'docker', 'build-push.sh');
  const env = { PATH: `${bin}:${process.env.PATH}` };
  const usage = spawnSync(script, [], { encoding: 'utf8', env });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /usage: docker\/build-push\.sh <registry\/repository>/);

  const run = spawnSync(script, ['registry.example/findme-compare'], { encoding: 'utf8', env });
  assert.equal(run.status, 0, run.stderr);
  const expected = spawnSync('sh', ['-c', 'cat docker/image/package-lock.json docker/Dockerfile docker/check-image.mjs weights/manifest.json | sha256sum | cut -c1-16'], { cwd: PROJECT_ROOT, encoding: 'utf8' }).stdout.trim();
  assert.match(expected, /^[0-9a-f]{16}$/);
  const image = `registry.example/findme-compare:${expected}`;
  assert.equal(run.stdout, `FINDME_IMAGE=${image}\n`, 'stdout is the one line to export');
  assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), ['npm run build', `docker build --platform linux/amd64 --file docker/Dockerfile --tag ${image} .`, `docker push ${image}`]);

  rmSync(log);
  const failedBuild = spawnSync(script, ['registry.example/findme-compare'], { encoding: 'utf8', env: { ...env, FAKE_NPM_STATUS: '1' } });
  assert.notEqual(failedBuild.status, 0);
  assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), ['npm run build'], 'no image without verified weights');
});
