/**
 * One Redis per test file: a private redis-server when REDIS_URL is unset, else the given one. Each test file
 * uses its own key prefix, so files can share a server. Call it at the top level of a test file (top-level
 * await), not inside a hook: the server is stopped by an `after()` registered on the file's root.
 */
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServer } from '../../local/redis-server';

export interface TestRedis {
  url: string;
  /** A unique key prefix for this test file. */
  prefix: string;
  /** The private server, when this file started one (tests that stop/restart Redis need it). */
  server: RedisServer | undefined;
}

export async function useRedis(): Promise<TestRedis> {
  const prefix = `test:${randomBytes(4).toString('hex')}:`;
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, prefix, server: undefined };
  const server = await startRedisServer();
  after(() => server.close());
  return { url: server.url, prefix, server };
}

/**
 * A client for a test file's own reads and writes, closed when the file ends. It is disconnected rather than
 * QUIT: root `after()` hooks run in registration order, so the server (or the stack owning it) may already be
 * stopped, and QUIT on a closed connection rejects ("Connection is closed.") and fails the file.
 */
export function connectRedis(url: string): Redis {
  const client = new Redis(url);
  after(() => client.disconnect());
  return client;
}
