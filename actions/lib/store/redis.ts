/**
 * One ioredis client per process and Redis URL, kept in module scope so warm activations reuse the connection.
 * Every command has a timeout and a bounded number of retries: an action never hangs on a Redis that is gone.
 */
import { Redis } from 'ioredis';
import { redactUrl, type RedisConfig } from '../config';

let current: { url: string; redis: Redis } | undefined;

export function createRedis(config: RedisConfig): Redis {
  const redis = new Redis(config.redisUrl, {
    connectTimeout: config.redisTimeoutMs,
    commandTimeout: config.redisTimeoutMs,
    maxRetriesPerRequest: 2,
    // Reconnect forever in the background (a container may outlive a Redis restart), but slowly.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    enableAutoPipelining: true,
  });
  let reported = false;
  redis.on('error', (error: Error) => {
    // Without a listener ioredis prints every reconnect failure; one line per outage is enough.
    if (!reported) console.error(`redis ${redactUrl(config.redisUrl)}: ${error.message}`);
    reported = true;
  });
  redis.on('ready', () => (reported = false));
  return redis;
}

export function getRedis(config: RedisConfig): Redis {
  if (current?.url === config.redisUrl) return current.redis;
  current?.redis.disconnect();
  current = { url: config.redisUrl, redis: createRedis(config) };
  return current.redis;
}

/** Closes the shared client (CLI commands and tests call this so the process can exit). */
export async function closeRedis(): Promise<void> {
  const client = current;
  current = undefined;
  if (client) await client.redis.quit().catch(() => client.redis.disconnect());
}

/** Retry-After for a caller who met an unreachable Redis: about how long a restart takes. */
export const REDIS_RETRY_AFTER_S = 5;

/**
 * Whether `error` says Redis could not be reached (refused, closed, timed out, retries spent), as opposed to a
 * command Redis answered with an error: the first is an outage to wait out, the second a bug.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT' || code === 'EPIPE') return true;
  return /^(Connection is closed|Command timed out|Stream isn't writeable)/.test(error.message);
}
