/**
 * A private redis-server for `findme start` and the tests when REDIS_URL is unset: loopback only, no
 * persistence, its own temp dir, stopped with its parent.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild, trackChild } from './children';
import { freePort } from './free-port';

export const REDIS_INSTALL_HINT =
  'redis-server was not found on PATH. Install it with `sudo apt-get install -y redis-server` ' +
  '(or run `npm run setup`), or set REDIS_URL to a Redis you run yourself.';

export class RedisServerError extends Error {
  override readonly name = 'RedisServerError';
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** Stops the server (for tests that take Redis away mid-flight). */
  stop(): Promise<void>;
  /** Kills it with SIGKILL, as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port: empty, or with its data when persistent. */
  restart(): Promise<void>;
  /** Stops it for good and removes its directory (not a given dataDir). */
  close(): Promise<void>;
}

export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).error === undefined;
}

/** A RESP command, its arguments as bulk strings (so a password may hold any character). */
function command(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

function ping(port: number, timeoutMs: number, password?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    let answer = '';
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write((password === undefined ? '' : command('AUTH', password)) + command('PING')));
    socket.on('data', (data) => {
      answer += data.toString();
      if (answer.includes('+PONG')) done(true);
      else if (answer.startsWith('-') || answer.length > 1024) done(false);
    });
  });
}

export interface RedisServerOptions {
  /** Log every write to an append-only file, so a killed server restarts with its data (as production Redis). */
  persistent?: boolean;
  /**
   * Keep the data (an append-only file) in this folder, created if missing and kept on close: a server started
   * again on it has every job it had. Implies persistent.
   */
  dataDir?: string;
  /** Clients must AUTH with this (requirepass); the url then carries it, as a deployment's REDIS_URL does. */
  password?: string;
}

async function launch(port: number, dir: string, options: RedisServerOptions): Promise<ChildProcess> {
  const persistence = options.persistent || options.dataDir ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--protected-mode', 'yes', '--save', '', ...persistence, '--dir', dir, '--loglevel', 'warning', ...(options.password === undefined ? [] : ['--requirepass', options.password])],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  trackChild(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const spawnError = await new Promise<Error | undefined>((resolve) => {
    child.once('error', resolve);
    child.once('spawn', () => resolve(undefined));
  });
  if (spawnError) {
    throw new RedisServerError((spawnError as NodeJS.ErrnoException).code === 'ENOENT' ? REDIS_INSTALL_HINT : spawnError.message);
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new RedisServerError(`redis-server exited with code ${child.exitCode}: ${stderr.trim()}`);
    if (await ping(port, 500, options.password)) return child;
    await new Promise((r) => setTimeout(r, 50));
  }
  await stopChild(child);
  throw new RedisServerError(`redis-server did not answer on 127.0.0.1:${port} within 10 s: ${stderr.trim()}`);
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'findme-redis-'));
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  let port = 0;
  let child: ChildProcess | undefined;
  // Another process may take the free port between the probe and redis binding it: try a few.
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    try {
      child = await launch(port, dir, options);
    } catch (error) {
      if (error instanceof RedisServerError && error.message === REDIS_INSTALL_HINT) throw error;
      if (attempt === 4) throw error;
    }
  }
  let current: ChildProcess | undefined = child;
  return {
    url: `redis://${options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`}127.0.0.1:${port}`,
    port,
    async stop() {
      if (current) await stopChild(current);
      current = undefined;
    },
    async kill() {
      const child = current;
      current = undefined;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    async restart() {
      if (current) await stopChild(current);
      current = await launch(port, dir, options);
    },
    async close() {
      if (current) await stopChild(current);
      current = undefined;
      if (!options.dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
