/**
 * One action container: a child process running the runtime (dist/local/runtime.cjs), spoken to over HTTP on
 * 127.0.0.1 exactly as an invoker speaks to a runtime container. A container that crashed, timed out or failed
 * to initialise is never reused.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { stopChild, trackChild } from '../children';
import { ContainerLogs } from './logs';

export type ContainerState = 'starting' | 'ready' | 'dead';

export interface ContainerOptions {
  runtimeFile: string;
  env: Record<string, string>;
  /** Node's heap limit in MB (the action's memory limit; WASM and buffers are outside it). */
  memoryMb: number;
  echo?: (line: string) => void;
}

export interface HttpReply {
  status: number;
  body: unknown;
}

/** The child died or stopped answering mid-request. */
export class ContainerGoneError extends Error {
  override readonly name = 'ContainerGoneError';
}

export class ContainerTimeoutError extends Error {
  override readonly name = 'ContainerTimeoutError';
}

let sequence = 0;

export class Container {
  readonly id = `c${++sequence}`;
  state: ContainerState = 'starting';
  /** Activations running now. */
  active = 0;
  lastUsed = Date.now();
  initialized = false;
  readonly logs: ContainerLogs;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    echo?: (line: string) => void,
  ) {
    this.logs = new ContainerLogs(child.stdout!, child.stderr!, echo);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => (this.state = 'dead'));
  }

  static async start(options: ContainerOptions): Promise<Container> {
    const child = spawn(process.execPath, [`--max-old-space-size=${Math.max(64, options.memoryMb)}`, options.runtimeFile], {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    trackChild(child);
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the action container did not start within 10 s')), 10_000);
      child.once('message', (message: { port?: number }) => {
        clearTimeout(timer);
        if (typeof message?.port === 'number') resolve(message.port);
        else reject(new Error('the action container sent no port'));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the action container exited while starting (${signal ?? code})`));
      });
      child.once('error', reject);
    }).catch(async (error: unknown) => {
      await stopChild(child, 0);
      throw error;
    });
    const container = new Container(child, port, options.echo);
    container.state = 'ready';
    return container;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Peak resident memory of the process so far, in bytes (Linux), for activation records and benchmarks. */
  peakRssBytes(): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
      return kb ? Number(kb) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  /** POSTs to the runtime; a timeout kills the container (the only way to stop a running action). */
  async post(path: '/init' | '/run', body: unknown, timeoutMs: number): Promise<HttpReply> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const died = this.exited.then(() => {
      throw new ContainerGoneError('the container exited');
    });
    try {
      const request = fetch(`http://127.0.0.1:${this.port}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: controller.signal,
      }).then(async (response) => ({ status: response.status, body: await response.json().catch(() => undefined) }));
      return await Promise.race([request, died]);
    } catch (error) {
      if (timedOut) {
        await this.kill();
        throw new ContainerTimeoutError(`${path} took longer than ${timeoutMs} ms`);
      }
      if (error instanceof ContainerGoneError || this.isDead()) throw new ContainerGoneError('the container exited');
      // A connection reset means the process is going down: wait for it briefly to classify the failure.
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 500))]);
      throw this.isDead() ? new ContainerGoneError('the container exited') : error;
    } finally {
      clearTimeout(timer);
    }
  }

  isDead(): boolean {
    return this.state === 'dead';
  }

  async kill(): Promise<void> {
    this.state = 'dead';
    await stopChild(this.child, 0);
  }
}
