/**
 * The built bundle, as OpenWhisk runs it: dist/actions/compare_images.js unpacked with a package.json of its own
 * (as serverless-openwhisk zips it) in a fresh Node process with the image's environment, `main(params)` called
 * once. Proves that the bundle finds the runtime-provided packages and the weights the way the image provides them.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { localImageEnv } from '../local/image';
import { JobStore } from '../actions/lib/store/jobs';
import { makeKeys } from '../actions/lib/store/keys';
import type { PhotoRef } from '../actions/lib/types';
import { demoBytes, sample1Profile, serve, startPhotoHost } from './helpers/images';
import { connectRedis, useRedis } from './helpers/redis';

const root = join(import.meta.dirname, '..');
const unpacked = mkdtempSync(join(tmpdir(), 'findme-bundle-'));
after(() => rmSync(unpacked, { recursive: true, force: true }));
const bundle = join(unpacked, 'compare_images.js');
copyFileSync(join(root, 'dist', 'actions', 'compare_images.js'), bundle);
writeFileSync(join(unpacked, 'package.json'), JSON.stringify({ main: 'compare_images.js' }));
const server = await useRedis();
const redis = connectRedis(server.url);
const host = await startPhotoHost();

test('the compare_images bundle matches a photo in a fresh process', async () => {
  // The bundle reads its key prefix from FINDME_KEY_PREFIX, like every action.
  const jobs = new JobStore(redis, makeKeys(server.prefix), { jobTtlS: 600 });
  const photo: PhotoRef = { source: 'x', postId: '1', postUrl: 'https://x.com/a/status/1', imageUrl: host.route('/bundle/sample1.jpg', serve.bytes(demoBytes(1))) };
  const job = await jobs.create({ owner: 'auth0|bundle', hashtag: 'findmedemo', pictureUrl: host.route('/bundle/me.jpg', serve.bytes(await sample1Profile(2, 400))) });
  await jobs.startSource(job.id, 'x');
  await jobs.addPhotos(job.id, [photo]);
  await jobs.finishSource(job.id, 'x');

  const params = { jobId: job.id, photos: [photo], REDIS_URL: server.url, FINDME_KEY_PREFIX: server.prefix, FINDME_IMAGE_HOSTS: '127.0.0.1' };
  const script = `require(${JSON.stringify(bundle)}).main(JSON.parse(process.argv[1])).then((r) => { console.log(JSON.stringify(r)); process.exit(0); }, (e) => { console.error(e); process.exit(1); });`;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...localImageEnv(root) };
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-e', script, JSON.stringify(params)], { env, cwd: unpacked, timeout: 120_000 });
  const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  assert.deepEqual(summary, { jobId: job.id, photos: 1, matched: 1, maybe: 0, failed: 0, duplicates: 0, cached: 0, sameBytes: 0 });
  assert.match(stderr, /face engine: backend wasm, SIMD on/);
  const done = await jobs.require(job.id);
  assert.deepEqual([done.status, done.matched], ['done', 1]);
});
