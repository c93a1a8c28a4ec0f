/**
 * The local stand-in for OpenWhisk: controller (REST API and web actions), invoker and container pool, triggers
 * and rules, all from serverless.yml or a Manifest built in code. `startPlatform` resolves once it serves on
 * 127.0.0.1; `close()` stops the controller and every container, once.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ActivationStore, type ActivationRecord } from './activations';
import { startController } from './controller/server';
import { localImageEnv } from './image';
import { Invoker } from './invoker/invoker';
import type { ContainerOptions } from './invoker/container';
import { ContainerPool } from './invoker/pool';
import { checkManifest } from './manifest/check';
import { readServerlessYml } from './manifest/serverless';
import type { ActionSpec, Manifest } from './manifest/types';
import { PlatformCore } from './platform-core';
import { DEFAULT_LIMITS, Throttles, type LimitOptions } from './throttles';

export interface PlatformOptions {
  projectRoot: string;
  /** The entities to run; default: `<projectRoot>/serverless.yml` with variables resolved from `env`. */
  manifest?: Manifest;
  /** Environment for serverless.yml's `${env:…}`. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default `guest`; `_` in a REST URL means this namespace too. */
  namespace?: string;
  /** `uuid:key` for Basic authentication; default: random per platform. */
  apiKey?: string;
  /** Controller port on 127.0.0.1; default 0 (a free one). */
  port?: number;
  /** Namespace throttles; default OpenWhisk's: 60 fires and 120 invocations a minute, 100 concurrent. */
  limits?: Partial<LimitOptions>;
  /**
   * Memory the container pool may hand out (MB); default 512 MB per core plus 512 MB (1.5 GB on 2 cores): the
   * image budget below, and beside it room for two 256 MB actions of the stock runtime (the search and a web
   * action) that image actions can never take (idle ones are evicted).
   */
  userMemoryMb?: number;
  /**
   * Of userMemoryMb, what image (blackbox) actions may hold together, as OpenWhisk runs them on invokers of their
   * own; default 512 MB per core: one full-size compare_images container per core, since each keeps a core busy
   * (more were slower end to end on 2 cores, bench/README.md, search).
   */
  imageMemoryMb?: number;
  /**
   * Prewarmed containers of the stock runtime kept ready, as OpenWhisk's nodejs kind has them (2 stem cells of
   * 256 MB): a cold start of a matching action then pays only /init. Default 2; 0 turns them off.
   */
  stemCells?: number;
  /** Containers alive at once; default 2 per core plus 2 (6 on 2 cores). */
  maxContainers?: number;
  /** An idle container is removed after this long; default 10 minutes, as OpenWhisk. */
  idleTimeoutMs?: number;
  /** Activations that may wait for a container; default 1000. */
  maxQueue?: number;
  /** How long a blocking invoke or a web action waits for its result before answering 202; default 60 s. */
  maxBlockingWaitMs?: number;
  /** How long a web request's body may take to arrive before it is refused with 408; default 10 s. */
  webBodyTimeoutMs?: number;
  /** How long a container may take to start listening; default 10 s. */
  containerStartTimeoutMs?: number;
  /** Activation records kept (oldest dropped first); default 10 000. */
  activationRecords?: number;
  /** Every line an action writes, as it is written (for debugging). */
  echo?: (line: string) => void;
  /**
   * Whether the alarm feed fires its triggers on the clock (each minute its cron matches); default true. Tests
   * turn it off and call `core.alarms.fireDue()` themselves.
   */
  alarmClock?: boolean;
  /** Default: dist/local/runtime.cjs under projectRoot (`npm run build` writes it). */
  runtimeFile?: string;
}

export interface Platform {
  apiHost: string;
  apiKey: string;
  namespace: string;
  manifest: Manifest;
  /** Base URL of a package's web actions, e.g. `http://127.0.0.1:PORT/api/v1/web/guest/findme`. */
  webBase(pkg: string): string;
  store: ActivationStore;
  core: PlatformCore;
  pool: ContainerPool;
  /** Activations of an action (`package/name`) begun and not yet in `store`: see Invoker.running. */
  running(actionName: string): number;
  /** Calls `listener` with every finished activation (actions and triggers); returns a function that stops it. */
  onActivation(listener: (record: ActivationRecord) => void): () => void;
  close(): Promise<void>;
}

export class PlatformOptionsError extends Error {
  override readonly name = 'PlatformOptionsError';
}

const cores = availableParallelism();

/** Pool memory for `containers` full-size (512 MB) image containers, and two 256 MB stock actions beside them. */
export function poolMemoryFor(containers: number): { userMemoryMb: number; imageMemoryMb: number } {
  return { userMemoryMb: containers * 512 + 2 * 256, imageMemoryMb: containers * 512 };
}

export const PLATFORM_DEFAULTS = Object.freeze({
  namespace: 'guest' as string,
  port: 0,
  ...poolMemoryFor(cores),
  maxContainers: cores * 2 + 2,
  idleTimeoutMs: 10 * 60_000,
  maxQueue: 1000,
  maxBlockingWaitMs: 60_000,
  webBodyTimeoutMs: 10_000,
  containerStartTimeoutMs: 10_000,
  activationRecords: 10_000,
  stemCells: 2,
});

/** OpenWhisk's stem cells for its nodejs kind: 256 MB, one activation at a time (the timeout plays no part). */
const STEM_CELL_LIMITS = Object.freeze({ memory: 256, concurrency: 1, timeout: 60_000 });

type Settings = { -readonly [K in keyof typeof PLATFORM_DEFAULTS]: (typeof PLATFORM_DEFAULTS)[K] } & { limits: LimitOptions };

/** Options over frozen defaults, checked when the platform is wired rather than on first use. */
function resolveOptions(options: PlatformOptions): Settings {
  const settings = { ...PLATFORM_DEFAULTS, limits: { ...DEFAULT_LIMITS, ...options.limits } } as Settings;
  for (const key of Object.keys(PLATFORM_DEFAULTS) as Array<keyof typeof PLATFORM_DEFAULTS>) {
    if (options[key] !== undefined) Object.assign(settings, { [key]: options[key] });
  }
  const { namespace, port, limits, stemCells, ...counts } = settings;
  if (!Number.isInteger(stemCells) || stemCells < 0) throw new PlatformOptionsError(`platform option stemCells must be a whole number ≥ 0, got ${String(stemCells)}`);
  for (const [name, value] of Object.entries({ ...counts, ...limits })) {
    if (!Number.isInteger(value) || value <= 0) throw new PlatformOptionsError(`platform option ${name} must be a positive whole number, got ${String(value)}`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new PlatformOptionsError(`platform option port must be 0–65535, got ${port}`);
  if (!/^[\w@.-]+$/.test(namespace) || namespace === '_') throw new PlatformOptionsError(`platform option namespace "${namespace}" is not a namespace name`);
  return settings;
}

/**
 * A container's environment: nothing of this process leaks in, only what a runtime container has (its API host)
 * plus NODE_PATH to the project's node_modules, which stand in for the modules the stock runtime and the
 * compare_images image keep in /node_modules; image actions also get the image's variables.
 */
function containerEnv(action: Pick<ActionSpec, 'image' | 'limits'>, projectRoot: string, apiHost: string): Record<string, string> {
  const base: Record<string, string> = {
    NODE_PATH: join(projectRoot, 'node_modules'),
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    LANG: process.env.LANG ?? 'C.UTF-8',
    NODE_ENV: 'production',
    __OW_API_HOST: apiHost,
    ...(action.limits.concurrency > 1 ? { __OW_ALLOW_CONCURRENT: 'true' } : {}),
  };
  return action.image ? { ...base, ...localImageEnv(projectRoot) } : base;
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const settings = resolveOptions(options);
  const { namespace, limits, stemCells } = settings;
  const apiKey = options.apiKey ?? `${randomUUID()}:${randomBytes(32).toString('base64url')}`;
  const manifest = checkManifest(options.manifest ?? readServerlessYml(join(options.projectRoot, 'serverless.yml'), options.env ?? process.env));
  const runtimeFile = options.runtimeFile ?? join(options.projectRoot, 'dist', 'local', 'runtime.cjs');
  if (!existsSync(runtimeFile)) throw new PlatformOptionsError(`${runtimeFile} does not exist; run \`npm run build\` first`);
  // Actions call back to the controller, whose port is known only once it listens: filled in below.
  const endpoint = { apiHost: '' };
  const store = new ActivationStore(settings.activationRecords);
  const containerOptions = (action: Pick<ActionSpec, 'image' | 'limits'>): ContainerOptions => ({
    runtimeFile,
    env: containerEnv(action, options.projectRoot, endpoint.apiHost),
    memoryMb: action.limits.memory,
    startTimeoutMs: settings.containerStartTimeoutMs,
    ...(options.echo ? { echo: options.echo } : {}),
  });
  const pool = new ContainerPool({
    userMemoryMb: settings.userMemoryMb,
    imageMemoryMb: settings.imageMemoryMb,
    maxContainers: settings.maxContainers,
    idleTimeoutMs: settings.idleTimeoutMs,
    maxQueue: settings.maxQueue,
    containerOptions,
  });
  const invoker = new Invoker({ pool, store, projectRoot: options.projectRoot, namespace, endpoint, apiKey });
  const core = new PlatformCore(manifest, namespace, invoker, store, new Throttles(limits));
  const controller = await startController({ core, apiKey, port: settings.port, maxBlockingWaitMs: settings.maxBlockingWaitMs, webBodyTimeoutMs: settings.webBodyTimeoutMs }).catch(async (error: unknown) => {
    await pool.close();
    throw error;
  });
  const apiHost = `http://127.0.0.1:${controller.port}`;
  endpoint.apiHost = apiHost;
  // Stem cells carry the API host in their environment, so they start only now; none when nothing would use one.
  const cellOptions = containerOptions({ image: undefined, limits: { ...STEM_CELL_LIMITS } });
  const sameStart = (action: ActionSpec) => isDeepStrictEqual(containerOptions(action), cellOptions);
  if (stemCells > 0 && manifest.actions.some(sameStart)) pool.prewarm({ count: stemCells, options: cellOptions, serves: sameStart });
  // What a deploy does once the triggers exist: bind each feed (serverless-openwhisk's deployFeeds).
  for (const trigger of manifest.triggers) {
    if (trigger.feed) core.alarms.lifecycle({ ...trigger.feed.parameters, lifecycleEvent: 'CREATE', triggerName: `/${namespace}/${trigger.name}`, authKey: apiKey });
  }
  if (options.alarmClock ?? true) core.alarms.start();
  let closing: Promise<void> | undefined;
  return {
    apiHost,
    apiKey,
    namespace,
    manifest,
    webBase: (pkg) => `${apiHost}/api/v1/web/${namespace}/${pkg}`,
    store,
    core,
    pool,
    running: (actionName) => invoker.running(actionName),
    onActivation(listener) {
      store.on('activation', listener);
      return () => store.off('activation', listener);
    },
    close: () => {
      core.alarms.close();
      return (closing ??= Promise.allSettled([controller.close(), pool.close()]).then(() => undefined));
    },
  };
}
