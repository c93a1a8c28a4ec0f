/**
 * One action container: a child process running the runtime (dist/local/runtime.cjs) with its own temp dir,
 * spoken to over HTTP on 127.0.0.1 exactly as an invoker speaks to a runtime container. A request that outlives
 * its time limit kills the container (the only way to stop a running action); a container that died is reported,
 * with whether V8 ran out of the action's memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopChild, trackChild } from '../children';
import { ContainerLogs } from './logs';
import { MAX_RESULT_BYTES, type ContainerAnswer } from './responses';

export interface ContainerOptions {
  runtimeFile: string;
  env: Record<string, string>;
  /** The action's memory limit, applied as Node's heap limit (WASM memory and buffers are outside it). */
  memoryMb: number;
  startTimeoutMs: number;
  echo?: (line: string) => void;
}

export class ContainerStartError extends Error {
  override readonly name = 'ContainerStartError';
}

let sequence = 0;

/**
 * One request to the runtime. Of the answer only the first MAX_RESULT_BYTES + 1 bytes are kept (enough to tell an
 * oversized result and to quote its start); the rest is counted and dropped, so a runaway action cannot make the
 * platform's own process hold hundreds of megabytes.
 */
function post(port: number, path: string, body: string, signal: AbortSignal): Promise<{ status: number; text: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false, signal, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      let kept = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (kept > MAX_RESULT_BYTES) return;
        const part = chunk.subarray(0, MAX_RESULT_BYTES + 1 - kept);
        chunks.push(part);
        kept += part.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export class Container {
  readonly id = `c${++sequence}`;
  /** Activations running now. */
  active = 0;
  lastUsed = Date.now();
  initialized = false;
  readonly logs: ContainerLogs;
  private dead = false;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly dir: string,
    logs: ContainerLogs,
  ) {
    this.logs = logs;
    this.exited = new Promise((resolve) => {
      const gone = () => {
        this.dead = true;
        rmSync(this.dir, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) gone();
      else child.once('exit', gone);
    });
  }

  static async start(options: ContainerOptions): Promise<Container> {
    // The runtime unpacks the action under TMPDIR: one dir per container, removed with it.
    const dir = mkdtempSync(join(tmpdir(), 'findme-container-'));
    const child = spawn(process.execPath, ['--expose-gc', `--max-old-space-size=${options.memoryMb}`, options.runtimeFile], {
      env: { ...options.env, TMPDIR: dir },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // A process group of its own, so that killing the container kills what its action started too, as
      // destroying an OpenWhisk container does.
      detached: true,
    });
    trackChild(child, { group: true });
    // Output is read from the first byte: an action's module scope may log before /init answers.
    const logs = new ContainerLogs(child.stdout!, child.stderr!, options.echo);
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new ContainerStartError(`the action container did not start within ${options.startTimeoutMs} ms`)), options.startTimeoutMs);
        child.once('message', (message: { port?: unknown }) => {
          clearTimeout(timer);
          if (typeof message?.port === 'number') resolve(message.port);
          else reject(new ContainerStartError('the action container did not say which port it listens on'));
        });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(new ContainerStartError(`the action container exited while starting (${signal ?? `code ${code}`})`));
        });
        child.once('error', (error) => {
          clearTimeout(timer);
          reject(new ContainerStartError(`the action container could not be started: ${error.message}`));
        });
      });
      return new Container(child, port, dir, logs);
    } catch (error) {
      await stopChild(child, 0);
      rmSync(dir, { recursive: true, force: true });
      // What the process said before it went is usually the reason (a missing module, a bad flag): keep its end.
      await logs.drainPending(500);
      const said = logs
        .takeAll()
        .map((line) => line.replace(/^\S+\s+(?:stdout|stderr): /, '').trim())
        .filter(Boolean)
        .slice(-5)
        .join(' | ');
      if (error instanceof ContainerStartError && said) error.message += `; it wrote: ${said.slice(-2000)}`;
      throw error;
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  isDead(): boolean {
    return this.dead;
  }

  /** Peak resident memory of the process so far, in bytes (Linux), for activation records and benchmarks. */
  peakRssBytes(): number | undefined {
    try {
      const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'))?.[1];
      return kb ? Number(kb) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  /** POSTs to the runtime: its answer, or why there was none. Past `timeoutMs` the container is killed. */
  async post(path: '/init' | '/run', body: unknown, timeoutMs: number): Promise<ContainerAnswer> {
    if (this.dead) return { failure: 'gone' };
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const died = this.exited.then(() => 'died' as const);
    try {
      const answer = await Promise.race([post(this.port, path, JSON.stringify(body), controller.signal), died]);
      if (answer !== 'died') return answer;
    } catch {
      if (controller.signal.aborted) {
        await this.kill();
        return { failure: 'timeout' };
      }
      // A reset connection means the process is going down: give it a moment to be seen exiting.
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 500))]);
    } finally {
      clearTimeout(timer);
    }
    await this.kill();
    // stderr is complete once the process is gone: V8's out-of-memory report tells a memory kill from a crash.
    await this.logs.drainPending();
    return { failure: this.logs.outOfMemory ? 'memory' : 'gone' };
  }

  async kill(): Promise<void> {
    this.dead = true;
    await stopChild(this.child, 0);
    await this.exited;
  }
}
