import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Faces } from '../actions/lib/face/engine';
import { FaceCache, decodePhotoFaces, toPhotoFaces } from '../actions/lib/store/caches';
import { makeKeys } from '../actions/lib/store/keys';
import { connectRedis, useRedis } from './helpers/redis';

const server = await useRedis();
const redis = connectRedis(server.url);
const keys = makeKeys(server.prefix);
const cache = new FaceCache(redis, keys, { ttlS: 600, signature: 'ssd-c0.5-s640' });

function descriptor(seed: number): Float32Array {
  return Float32Array.from({ length: 128 }, (_, i) => Math.sin(seed * 1000 + i));
}

const faces: Faces = {
  width: 1920,
  height: 1280,
  faces: [
    { box: { x: 412, y: 353, width: 180, height: 239 }, descriptor: descriptor(1) },
    { box: { x: 0, y: 0, width: 20, height: 30 }, descriptor: descriptor(2) },
  ],
};

test('photo faces and profile descriptors read back exactly, with the TTL', async () => {
  const url = 'https://pbs.twimg.com/media/a.jpg';
  assert.equal(await cache.getPhoto(url), null);
  await cache.setPhoto(url, faces);
  assert.deepEqual(await cache.getPhoto(url), faces);
  await cache.setProfile('auth0|a', url, descriptor(3));
  assert.deepEqual(await cache.getProfile('auth0|a', url), descriptor(3));
  assert.equal(await cache.getProfile('auth0|b', url), null, 'per owner');
  const stored = await redis.keys(`${server.prefix}*`);
  assert.equal(stored.length, 2);
  for (const key of stored) {
    const ttl = await redis.ttl(key);
    assert.ok(ttl > 590 && ttl <= 600, `${key} ttl ${ttl}`);
  }
});

test('entries of another engine signature are not seen', async () => {
  const url = 'https://pbs.twimg.com/media/b.jpg';
  await cache.setPhoto(url, faces);
  const tiny = new FaceCache(redis, keys, { ttlS: 600, signature: 'tiny416-c0.5-s640' });
  assert.equal(await tiny.getPhoto(url), null);
});

test('faces stored with their bytes are found by those bytes under any URL, only by the same signature, each with the TTL', async () => {
  const bytes = Buffer.from('the bytes of one photo');
  assert.equal(await cache.getPhotoBytes(bytes), null);
  await cache.setPhoto('https://files.mastodon.social/a.jpg', faces);
  assert.equal(await cache.getPhotoBytes(bytes), null, 'stored without its bytes: found by URL only');
  await cache.setPhoto('https://cdn.example/b.jpg', faces, bytes);
  assert.deepEqual(await cache.getPhotoBytes(bytes), faces);
  assert.deepEqual(await cache.getPhoto('https://cdn.example/b.jpg'), faces);
  assert.equal(await cache.getPhotoBytes(Buffer.from('the bytes of one photo!')), null);
  assert.equal(await new FaceCache(redis, keys, { ttlS: 600, signature: 'tiny416-c0.5-s640' }).getPhotoBytes(bytes), null);
  const stored = await redis.keys(`${server.prefix}photo:*`);
  for (const key of stored) assert.ok((await redis.ttl(key)) > 590, `${key} expires`);
});

test('anything but what setPhoto writes parses as a miss', () => {
  const good = toPhotoFaces(faces);
  assert.deepEqual(decodePhotoFaces(JSON.stringify(good)), faces);
  const face = good.faces[0]!;
  const broken: unknown[] = [
    'not json',
    JSON.stringify(good).slice(0, 100),
    'null',
    '[]',
    JSON.stringify({ ...good, width: -1 }),
    JSON.stringify({ ...good, height: '1280' }),
    JSON.stringify({ ...good, faces: {} }),
    JSON.stringify({ ...good, faces: [null] }),
    JSON.stringify({ ...good, faces: [{ ...face, box: { x: 1, y: 2, width: 3 } }] }),
    JSON.stringify({ ...good, faces: [{ ...face, box: { ...face.box, x: Number.NaN } }] }),
    JSON.stringify({ ...good, faces: [{ ...face, descriptor: face.descriptor.slice(0, 8) }] }),
    JSON.stringify({ ...good, faces: [{ ...face, descriptor: face.descriptor.toUpperCase() }] }),
    JSON.stringify({ ...good, faces: [{ box: face.box }] }),
  ];
  for (const text of broken) assert.equal(decodePhotoFaces(text as string), null, String(text).slice(0, 80));
});

test('a corrupted profile entry is a miss', async () => {
  const url = 'https://pbs.twimg.com/profile_images/1/me_400x400.jpg';
  await cache.setProfile('auth0|c', url, descriptor(4));
  const [key] = await redis.keys(`${server.prefix}profile:auth0%7Cc:*`);
  assert.ok(key);
  await redis.set(key, 'zz');
  assert.equal(await cache.getProfile('auth0|c', url), null);
});
