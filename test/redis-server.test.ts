import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { Redis } from 'ioredis';
import { REDIS_INSTALL_HINT, startRedisServer } from '../local/redis-server';

test('a private redis-server starts on loopback, restarts empty, and stops', async () => {
  const server = await startRedisServer();
  const client = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    assert.match(server.url, /^redis:\/\/127\.0\.0\.1:\d+$/);
    await client.connect();
    await client.set('k', 'v');
    assert.equal(await client.get('k'), 'v');
    await client.quit();
    await server.restart();
    const again = new Redis(server.url, { maxRetriesPerRequest: 1 });
    assert.equal(await again.get('k'), null, 'no persistence: a restart starts empty');
    await again.quit();
  } finally {
    client.disconnect();
    await server.close();
  }
  const probe = spawnSync('sh', ['-c', `redis-cli -p ${server.port} ping`], { encoding: 'utf8' });
  assert.notEqual(probe.stdout.trim(), 'PONG', 'the server is gone after close()');
});

test('a missing redis-server binary is a clear error that says how to install it', async () => {
  const path = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    await assert.rejects(startRedisServer(), (error: Error) => error.message === REDIS_INSTALL_HINT);
  } finally {
    process.env.PATH = path;
  }
  assert.match(REDIS_INSTALL_HINT, /apt-get install -y redis-server/);
});

test('a persistent server keeps its data across a kill and restart', async () => {
  const server = await startRedisServer({ persistent: true });
  try {
    const client = new Redis(server.url, { maxRetriesPerRequest: 1 });
    await client.set('survives', 'yes');
    client.disconnect();
    await server.kill();
    await server.restart();
    const again = new Redis(server.url, { maxRetriesPerRequest: 1 });
    assert.equal(await again.get('survives'), 'yes');
    await again.quit();
  } finally {
    await server.close();
  }
});

test('a server on a data folder keeps its data across close and a new start (findme start --data-dir), and leaves the folder', async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'findme-data-')), 'redis');
  try {
    const first = await startRedisServer({ dataDir });
    const client = new Redis(first.url, { maxRetriesPerRequest: 1 });
    await client.set('job', 'kept');
    await client.quit();
    await first.close();
    assert.ok(existsSync(dataDir), 'close keeps a given data folder');
    const second = await startRedisServer({ dataDir });
    try {
      const again = new Redis(second.url, { maxRetriesPerRequest: 1 });
      assert.equal(await again.get('job'), 'kept');
      await again.quit();
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dirname(dataDir), { recursive: true, force: true });
  }
});
