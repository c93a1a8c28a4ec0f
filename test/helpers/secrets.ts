/**
 * Where a secret must never end up: any activation's logs or result, any value in Redis. Read whole, every
 * record and every key whatever its type (a bounded scan: a test's database is small).
 */
import assert from 'node:assert/strict';
import type { Stack } from '../../local/stack';
import { connectRedis } from './redis';

/** Fails naming the first activation or Redis key that holds one of `secrets` (each named, for the message). */
export async function assertNowhere(stack: Stack, secrets: Record<string, string>): Promise<void> {
  const found = (text: string) => Object.entries(secrets).find(([, secret]) => secret !== '' && text.includes(secret))?.[0];
  for (const record of stack.platform.store.all()) {
    const text = JSON.stringify({ logs: record.logs, result: record.response.result });
    const which = found(text);
    assert.equal(which, undefined, `activation ${record.name} ${record.activationId} shows ${which}: ${text.slice(0, 300)}`);
  }
  const redis = connectRedis(stack.redisUrl);
  const keys = await redis.keys('*');
  assert.ok(keys.length > 0 && keys.length < 10_000, `${keys.length} keys`);
  for (const name of keys) {
    const type = await redis.type(name);
    const value =
      type === 'string' ? await redis.get(name) : type === 'hash' ? await redis.hgetall(name) : type === 'list' ? await redis.lrange(name, 0, -1) : type === 'set' ? await redis.smembers(name) : type === 'zset' ? await redis.zrange(name, 0, -1) : type;
    const which = found(JSON.stringify(value));
    assert.equal(which, undefined, `Redis key ${name} holds ${which}`);
  }
}
