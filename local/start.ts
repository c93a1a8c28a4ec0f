/**
 * `findme start`: everything on this machine, on embedded defaults. Reads top to bottom: build, page server,
 * identity provider (local unless AUTH0_DOMAIN is set), X, Mastodon and Bluesky (each a stand-in with the demo
 * hashtag unless X_BEARER_TOKEN, FINDME_MASTODON_INSTANCES or BLUESKY_IDENTIFIER is set), Redis and the platform, then the live activation log. `close()` stops all of it.
 */
import { join } from 'node:path';
import { authConfig, checkAllConfig, imageHostsConfig, sourcesConfig, xConfig } from '../actions/lib/config';
import { ConfigError } from '../actions/lib/errors';
import { SOURCES, type PageConfig } from '../actions/lib/types';
import { build } from '../build/build';
import { startFakeBluesky, type FakeBluesky } from './standins/bluesky';
import { DEMO_HASHTAG, DEMO_STAGE_HASHTAG, demoBlueskyPosts, demoStageTweets, demoStatuses, demoTweets } from './standins/demo';
import { startFakeMastodon, type FakeMastodon } from './standins/mastodon';
import { startFakeX, type FakeX } from './standins/x-api';
import { annotation, entityPath, type ActivationRecord } from './activations';
import { startIdentityProvider, type IdentityProvider } from './standins/identity';
import { startPageServer } from './page-server';
import { standinPorts, type StandinPorts } from './standin-ports';
import { startStack, type Stack } from './stack';

export interface StartOptions {
  projectRoot: string;
  port: number;
  verbose: boolean;
  /** Where the private Redis keeps its data, so a restart keeps the jobs; unset: a temporary folder. */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface Running {
  url: string;
  stack: Stack;
  identity: IdentityProvider | undefined;
  x: FakeX | undefined;
  mastodon: FakeMastodon | undefined;
  bluesky: FakeBluesky | undefined;
  close(): Promise<void>;
}

/** One line per finished activation for `--verbose`: time, action, status, duration, cold or warm. */
export function activationLine(record: ActivationRecord): string {
  const time = new Date(record.start).toISOString().slice(11, 23);
  // A trigger's activation has no end: it only lists the rules it started.
  if (record.end === 0) return `${time} ${`${record.name} (trigger)`.padEnd(24)} fired ${record.logs.length} rule${record.logs.length === 1 ? '' : 's'}`;
  const cold = annotation(record, 'initTime') !== undefined ? 'cold' : 'warm';
  const path = entityPath(record).replace(/^[^/]+\//, '');
  return `${time} ${path.padEnd(24)} ${record.response.status.padEnd(22)} ${String(record.duration).padStart(6)} ms ${cold}`;
}

export async function startLocal(options: StartOptions): Promise<Running> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  // Before anything starts: a malformed setting stops here, naming it, instead of failing the first search.
  checkAllConfig(env);
  try {
    await build();

    const ready: { config?: PageConfig; connect: string[]; images: string[] } = { connect: [], images: [] };
    const page = await startPageServer({
      root: join(options.projectRoot, 'dist', 'web'),
      port: options.port,
      config: () => ready.config,
      connectOrigins: () => ready.connect,
      imageHosts: () => ready.images,
    });
    closers.push(() => page.close());

    // With a data folder, the stand-ins keep their ports across restarts, so kept jobs' URLs still work.
    const ports: Partial<StandinPorts> = options.dataDir ? await standinPorts(options.dataDir) : {};
    let identity: IdentityProvider | undefined;
    let auth0: PageConfig['auth0'];
    if (env.AUTH0_DOMAIN) {
      // Checked as the actions check it; the page also needs the client id.
      const { audience, clientId } = authConfig(env);
      if (!clientId) throw new ConfigError('AUTH0_CLIENT_ID', 'set too when AUTH0_DOMAIN is (see README, "Logging in with Auth0")');
      auth0 = { domain: env.AUTH0_DOMAIN.trim(), clientId, audience };
    } else {
      identity = await startIdentityProvider({ pageOrigins: [page.origin], ...(ports.identity ? { port: ports.identity } : {}) });
      closers.push(() => identity!.close());
      auth0 = { domain: identity.domain, clientId: identity.clientId, audience: identity.audience };
    }

    let x: FakeX | undefined;
    if (!env.X_BEARER_TOKEN) {
      // The stage composites take seconds of CPU to make: only once someone searches them.
      x = await startFakeX({ tweets: demoTweets(), lazyTweets: { [DEMO_STAGE_HASHTAG]: async () => (await demoStageTweets())[DEMO_STAGE_HASHTAG]! }, ...(ports.x ? { port: ports.x } : {}) });
      closers.push(() => x!.close());
    }

    let mastodon: FakeMastodon | undefined;
    if (!env.FINDME_MASTODON_INSTANCES) {
      mastodon = await startFakeMastodon({ statuses: demoStatuses(), ...(ports.mastodon ? { port: ports.mastodon } : {}) });
      closers.push(() => mastodon!.close());
    }
    let bluesky: FakeBluesky | undefined;
    if (!env.BLUESKY_IDENTIFIER) {
      bluesky = await startFakeBluesky({ posts: demoBlueskyPosts(), ...(ports.bluesky ? { port: ports.bluesky } : {}) });
      closers.push(() => bluesky!.close());
    }

    const stack = await startStack({
      projectRoot: options.projectRoot,
      env,
      ...(mastodon ? { mastodon: { origins: [mastodon.origin] } } : {}),
      ...(bluesky ? { bluesky: { origin: bluesky.origin, identifier: bluesky.identifier, appPassword: bluesky.appPassword } } : {}),
      // Locally every source is there (a stand-in, or the real one configured): all three unless FINDME_SOURCES says.
      sources: env.FINDME_SOURCES ? sourcesConfig(env) : [...SOURCES],
      ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
      ...(options.dataDir ? { redisDataDir: options.dataDir } : {}),
      identity: { ...auth0, ...(identity ? { host: identity.host } : {}) },
      x: x ? { baseUrl: x.baseUrl, bearerToken: x.bearerToken, host: x.host } : { baseUrl: xConfig(env).xApiBaseUrl, bearerToken: env.X_BEARER_TOKEN! },
    });
    closers.push(() => stack.close());

    const authOrigin = /^https?:\/\//.test(auth0.domain) ? new URL(auth0.domain).origin : `https://${auth0.domain}`;
    ready.connect = [new URL(stack.apiBase).origin, authOrigin];
    ready.images = imageHostsConfig(stack.env);
    ready.config = { apiBase: stack.apiBase, auth0, sources: sourcesConfig(stack.env), ...(x || mastodon || bluesky ? { demoHashtag: DEMO_HASHTAG } : {}) };
    if (options.verbose) stack.platform.onActivation((record) => log(activationLine(record)));

    log(`findme is running: ${page.url}`);
    log(`  OpenWhisk stand-in  ${stack.platform.apiHost} (namespace ${stack.platform.namespace})`);
    log(`  Redis               ${stack.redis ? `${stack.redisUrl} (private${options.dataDir ? `, data in ${options.dataDir}` : ''})` : 'REDIS_URL'}`);
    log(`  identity            ${identity ? `${identity.domain} (local; log in as ada or grace, password findme-demo)` : `Auth0 ${auth0.domain}`}`);
    log(`  X                   ${x ? `stand-in with demo photos: search #${DEMO_HASHTAG}, or #${DEMO_STAGE_HASHTAG} for photos from the audience` : 'X API v2 (X_BEARER_TOKEN)'}`);
    log(`  Mastodon            ${mastodon ? `stand-in ${mastodon.host} with demo posts` : stack.env.FINDME_MASTODON_INSTANCES}`);
    log(`  Bluesky             ${bluesky ? `stand-in ${bluesky.host} with demo posts` : `${stack.env.BLUESKY_IDENTIFIER} (BLUESKY_APP_PASSWORD)`}`);
    log('Press Ctrl-C to stop.');
    return { url: page.url, stack, identity, x, mastodon, bluesky, close };
  } catch (error) {
    await close();
    throw error;
  }
}
