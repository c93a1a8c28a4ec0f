/**
 * A local platform per test file, with the real `openwhisk` client pointed at it. Call at the top level of a
 * test file (top-level await); it is closed by an `after()` on the file's root.
 */
import { join } from 'node:path';
import { after } from 'node:test';
import openwhisk from 'openwhisk';
import type { ActionSpec, Manifest } from '../../local/manifest/types';
import { startPlatform, type Platform, type PlatformOptions } from '../../local/platform';

export const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

export interface TestPlatform {
  platform: Platform;
  ow: ReturnType<typeof openwhisk>;
  apiHost: string;
  apiKey: string;
  webBase: (pkg: string) => string;
}

export async function usePlatform(options: Partial<PlatformOptions> = {}): Promise<TestPlatform> {
  const platform = await startPlatform({ projectRoot: PROJECT_ROOT, ...options });
  after(() => platform.close());
  return {
    platform,
    ow: openwhisk({ apihost: platform.apiHost, api_key: platform.apiKey, namespace: platform.namespace }),
    apiHost: platform.apiHost,
    apiKey: platform.apiKey,
    webBase: (pkg) => platform.webBase(pkg),
  };
}

/** An action running a file from test/fixtures/actions/. */
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
