/**
 * findme's services on one machine, composed in one place: Redis (private unless given), the platform running
 * serverless.yml with package parameters resolved from an environment that points at the given identity
 * provider and X API, and the image hosts they serve pictures from. `findme start`, `findme search`, the
 * benchmarks and the integration tests all start findme through here.
 */
import { imageHostsConfig } from '../actions/lib/config';
import { startPlatform, type Platform, type PlatformOptions } from './platform';
import { startRedisServer, type RedisServer } from './redis-server';

export interface StackOptions {
  projectRoot: string;
  /** The environment serverless.yml's `${env:…}` read; the settings below are laid over it. */
  env?: NodeJS.ProcessEnv;
  /** A Redis to use; unset: a private redis-server. */
  redisUrl?: string;
  persistentRedis?: boolean;
  /** Where the private Redis keeps its append-only file, kept across starts (`findme start --data-dir`). */
  redisDataDir?: string;
  identity: { domain: string; audience: string; clientId?: string; host?: string };
  x: { baseUrl: string; bearerToken: string; host?: string };
  /** More hosts photos and pictures may come from (loopback servers of tests and demos). */
  imageHosts?: string[];
  platform?: Partial<Omit<PlatformOptions, 'projectRoot' | 'env' | 'manifest'>>;
}

export interface Stack {
  platform: Platform;
  /** The private Redis, when this stack started one. */
  redis: RedisServer | undefined;
  redisUrl: string;
  /** The environment the package parameters were resolved from. */
  env: NodeJS.ProcessEnv;
  /** Base URL of findme's web actions. */
  apiBase: string;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const redis = options.redisUrl ? undefined : await startRedisServer({ persistent: options.persistentRedis ?? false, ...(options.redisDataDir ? { dataDir: options.redisDataDir } : {}) });
  const redisUrl = options.redisUrl ?? redis!.url;
  const base = options.env ?? process.env;
  const configured = imageHostsConfig(base);
  const hosts = [...configured, ...(options.imageHosts ?? []), options.x.host, options.identity.host].filter((h): h is string => Boolean(h));
  const env: NodeJS.ProcessEnv = {
    ...base,
    REDIS_URL: redisUrl,
    AUTH0_DOMAIN: options.identity.domain,
    AUTH0_AUDIENCE: options.identity.audience,
    AUTH0_CLIENT_ID: options.identity.clientId ?? base.AUTH0_CLIENT_ID ?? '',
    X_API_BASE_URL: options.x.baseUrl,
    X_BEARER_TOKEN: options.x.bearerToken,
    FINDME_IMAGE_HOSTS: [...new Set(hosts.map((h) => h.trim().toLowerCase()))].join(','),
  };
  let platform: Platform;
  try {
    platform = await startPlatform({ projectRoot: options.projectRoot, env, ...options.platform });
  } catch (error) {
    await redis?.close();
    throw error;
  }
  return {
    platform,
    redis,
    redisUrl,
    env,
    apiBase: platform.webBase('findme'),
    async close() {
      await platform.close();
      await redis?.close();
    },
  };
}
