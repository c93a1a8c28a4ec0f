/**
 * findme's services on one machine, composed in one place: Redis (private unless given), the platform running
 * serverless.yml with package parameters resolved from an environment that points at the given identity
 * provider, X API, Mastodon instances and Bluesky service, and the image hosts they serve pictures from. `findme start`, `findme search`, the
 * benchmarks and the integration tests all start findme through here.
 */
import { imageHostsConfig } from '../actions/lib/config';
import type { Source } from '../actions/lib/types';
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
  /** Mastodon instances to search (stand-ins' origins); unset: FINDME_MASTODON_INSTANCES of `env`. */
  mastodon?: { origins: string[] };
  /** The Bluesky service and account; unset: BLUESKY_* of `env`. */
  bluesky?: { origin: string; identifier: string; appPassword: string };
  /** FINDME_SOURCES; unset: that of `env` (default x). */
  sources?: Source[];
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
  // The stand-ins serve their photos themselves: the page shows them, compare_images fetches them.
  const sourceHosts = [...(options.mastodon?.origins ?? []), ...(options.bluesky ? [options.bluesky.origin] : [])].map((o) => new URL(o).host);
  const hosts = [...configured, ...(options.imageHosts ?? []), options.x.host, options.identity.host, ...sourceHosts].filter((h): h is string => Boolean(h));
  const env: NodeJS.ProcessEnv = {
    ...base,
    REDIS_URL: redisUrl,
    AUTH0_DOMAIN: options.identity.domain,
    AUTH0_AUDIENCE: options.identity.audience,
    AUTH0_CLIENT_ID: options.identity.clientId ?? base.AUTH0_CLIENT_ID ?? '',
    X_API_BASE_URL: options.x.baseUrl,
    X_BEARER_TOKEN: options.x.bearerToken,
    FINDME_IMAGE_HOSTS: [...new Set(hosts.map((h) => h.trim().toLowerCase()))].join(','),
    ...(options.mastodon ? { FINDME_MASTODON_INSTANCES: options.mastodon.origins.join(',') } : {}),
    ...(options.bluesky ? { BLUESKY_SERVICE: options.bluesky.origin, BLUESKY_IDENTIFIER: options.bluesky.identifier, BLUESKY_APP_PASSWORD: options.bluesky.appPassword } : {}),
    ...(options.sources ? { FINDME_SOURCES: options.sources.join(',') } : {}),
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
