/**
 * The local stand-in for OpenWhisk: controller (REST API and web actions), invoker and container pool, triggers
 * and rules, all from serverless.yml (or a Manifest built in code). `startPlatform` resolves when it serves.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ActivationStore, type ActivationRecord } from './activations';
import { DEFAULT_LIMITS, Throttles, type LimitOptions } from './controller/limits';
import { startController } from './controller/server';
import { localImageEnv } from './image';
import { Invoker } from './invoker/invoker';
import { ContainerPool } from './invoker/pool';
import { readServerlessYml } from './manifest/serverless';
import type { ActionSpec, Manifest } from './manifest/types';
import { PlatformCore } from './platform-core';

export interface PlatformOptions {
  projectRoot: string;
  /** Default: `<projectRoot>/serverless.yml`, variables resolved from `env`. */
  manifest?: Manifest;
  /** Environment for `${env:…}` in serverless.yml. Default: process.env. */
  env?: NodeJS.ProcessEnv;
  namespace?: string;
  /** `uuid:key`; default random. */
  apiKey?: string;
  port?: number;
  limits?: Partial<LimitOptions>;
  /** Memory the container pool may hand out (MB). Default: 1 GB per core, at least 2 GB. */
  userMemoryMb?: number;
  idleTimeoutMs?: number;
  maxQueue?: number;
  /** Echo container output lines (for debugging). */
  echo?: (line: string) => void;
  /** Default: dist/local/runtime.cjs under projectRoot. */
  runtimeFile?: string;
}

export interface Platform {
  apiHost: string;
  apiKey: string;
  namespace: string;
  /** Base URL of a package's web actions, e.g. `http://127.0.0.1:PORT/api/v1/web/guest/findme`. */
  webBase(pkg: string): string;
  store: ActivationStore;
  core: PlatformCore;
  pool: ContainerPool;
  onActivation(listener: (record: ActivationRecord) => void): void;
  close(): Promise<void>;
}

/**
 * The environment of an action's container: no secrets of this process leak in, only what a runtime has. The
 * stock runtime serves its own modules (openwhisk, …) from /node_modules; here the project's node_modules play
 * that part for every action, and image actions get the image's variables too.
 */
function containerEnv(action: ActionSpec, projectRoot: string): Record<string, string> {
  const base: Record<string, string> = {
    NODE_PATH: join(projectRoot, 'node_modules'),
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    LANG: process.env.LANG ?? 'C.UTF-8',
    NODE_ENV: 'production',
    __OW_ALLOW_CONCURRENT: action.limits.concurrency > 1 ? 'true' : '',
  };
  if (process.env.TMPDIR) base.TMPDIR = process.env.TMPDIR;
  return action.image ? { ...base, ...localImageEnv(projectRoot) } : base;
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const namespace = options.namespace ?? 'guest';
  const apiKey = options.apiKey ?? `${randomUUID()}:${randomBytes(32).toString('base64url')}`;
  const manifest = options.manifest ?? readServerlessYml(join(options.projectRoot, 'serverless.yml'), options.env ?? process.env);
  const store = new ActivationStore();
  const throttles = new Throttles({ ...DEFAULT_LIMITS, ...options.limits });
  const runtimeFile = options.runtimeFile ?? join(options.projectRoot, 'dist', 'local', 'runtime.cjs');
  const pool = new ContainerPool({
    userMemoryMb: options.userMemoryMb ?? Math.max(2048, availableParallelism() * 1024),
    idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60_000,
    maxQueue: options.maxQueue ?? 1000,
    containerOptions: (action) => ({
      runtimeFile,
      env: containerEnv(action, options.projectRoot),
      memoryMb: action.limits.memory,
      ...(options.echo ? { echo: options.echo } : {}),
    }),
  });
  // Actions call back to the controller, whose port is known only once it listens: filled in below.
  const endpoint = { apiHost: '' };
  const invoker = new Invoker({ pool, store, projectRoot: options.projectRoot, namespace, endpoint, apiKey });
  const core = new PlatformCore(manifest, namespace, invoker, store, throttles);
  const controller = await startController(core, apiKey, options.port ?? 0);
  const apiHost = `http://127.0.0.1:${controller.port}`;
  endpoint.apiHost = apiHost;
  let closed = false;
  return {
    apiHost,
    apiKey,
    namespace,
    webBase: (pkg) => `${apiHost}/api/v1/web/${namespace}/${pkg}`,
    store,
    core,
    pool,
    onActivation: (listener) => store.on('activation', listener),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([controller.close(), pool.close()]);
    },
  };
}
