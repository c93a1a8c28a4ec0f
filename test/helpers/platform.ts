/**
 * A local platform per test file, with the real `openwhisk` client pointed at it. Call at the top level of a
 * test file (top-level await) or inside a test; it is closed by an `after()` of that scope. Without `manifest`
 * it runs the project's serverless.yml with variables from `env` (the bundles must be built: `npm test` builds).
 *
 *   const { ow, webBase } = await usePlatform({ manifest: fixtureManifest([fixtureAction('echo')]) });
 *   await ow.actions.invoke({ name: 'fixtures/echo', blocking: true, result: true, params: { a: 1 } });
 */
import { join } from 'node:path';
import { after } from 'node:test';
import openwhisk from 'openwhisk';
import type { ActionSpec, Manifest } from '../../local/manifest/types';
import { startPlatform, type Platform, type PlatformOptions } from '../../local/platform';
import type { TweetImageEvent } from '../../actions/lib/types';

export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

export type OpenWhiskClient = ReturnType<typeof openwhisk>;

export interface TestPlatform {
  /** The platform itself: its activation store, container pool and core, for assertions. */
  platform: Platform;
  /** The real `openwhisk` npm client, authenticated with the platform's API key. */
  ow: OpenWhiskClient;
  apiHost: string;
  apiKey: string;
  namespace: string;
  /** Base URL of a package's web actions. */
  webBase: (pkg: string) => string;
  /** Stops it now (it is stopped after the test scope anyway). */
  close: () => Promise<void>;
}

export async function usePlatform(options: Partial<PlatformOptions> = {}): Promise<TestPlatform> {
  const platform = await startPlatform({ projectRoot: PROJECT_ROOT, ...options });
  after(() => platform.close());
  return {
    platform,
    ow: openwhisk({ apihost: platform.apiHost, api_key: platform.apiKey, namespace: platform.namespace }),
    apiHost: platform.apiHost,
    apiKey: platform.apiKey,
    namespace: platform.namespace,
    webBase: (pkg) => platform.webBase(pkg),
    close: () => platform.close(),
  };
}

/** An action running a file from test/fixtures/actions/, in package `fixtures`. */
export function fixtureAction(name: string, overrides: Partial<ActionSpec> = {}): ActionSpec {
  return {
    name: `fixtures/${name}`,
    functionName: name,
    handlerFile: `test/fixtures/actions/${name}.js`,
    main: 'main',
    kind: 'nodejs:20',
    image: undefined,
    limits: { timeout: 10_000, memory: 128, concurrency: 1 },
    parameters: {},
    annotations: {},
    ...overrides,
  };
}

export function fixtureManifest(actions: ActionSpec[], extra: Partial<Manifest> = {}): Manifest {
  return { service: 'fixtures', packages: { fixtures: {} }, actions, triggers: [], rules: [], ...extra };
}

/** The Basic authorization header of a platform's API key, for raw HTTP tests. */
export function basicAuth(apiKey: string): string {
  return `Basic ${Buffer.from(apiKey).toString('base64')}`;
}

/**
 * A platform for a search action run in-process: `tweet_image` has a rule to the echo fixture, so fires succeed
 * and their payloads are recorded, and the environment the runtime would set per activation points at it (the
 * openwhisk client in fireTrigger reads it). `fired(jobId)` lists the photos fired for a job, in order.
 */
export async function useFirePlatform(): Promise<TestPlatform & { fired(jobId: string): TweetImageEvent[] }> {
  const test = await usePlatform({
    manifest: fixtureManifest([fixtureAction('echo')], {
      triggers: [{ name: 'tweet_image', parameters: {} }],
      rules: [{ name: 'fixtures_tweet_image_to_echo', trigger: 'tweet_image', action: 'fixtures/echo' }],
    }),
  });
  process.env.__OW_API_HOST = test.apiHost;
  process.env.__OW_API_KEY = test.apiKey;
  const fired = (jobId: string) =>
    test.platform.store
      .all()
      .filter((r) => r.name === 'tweet_image' && (r.response.result as TweetImageEvent).jobId === jobId)
      .map((r) => r.response.result as TweetImageEvent);
  return { ...test, fired };
}
