/**
 * The container pool: warm containers are reused per action; a new (cold) one starts only when no warm one is
 * free and the pool's memory allows it, evicting the longest-idle container of another action when it does not;
 * otherwise the activation waits its turn (FIFO). Idle containers are reaped after `idleTimeoutMs`, like
 * OpenWhisk's 10-minute keep-alive.
 */
import type { ActionSpec } from '../manifest/types';
import { Container, type ContainerOptions } from './container';

export interface PoolOptions {
  /** Memory the pool may hand out to containers, in MB (OpenWhisk's invoker "user memory"). */
  userMemoryMb: number;
  idleTimeoutMs: number;
  /** Activations that may wait for a container before new ones are refused. */
  maxQueue: number;
  containerOptions: (action: ActionSpec) => ContainerOptions;
}

export interface Lease {
  container: Container;
  cold: boolean;
  waitMs: number;
}

/** The pool's queue is full. */
export class PoolBusyError extends Error {
  override readonly name = 'PoolBusyError';
}

interface Waiter {
  action: ActionSpec;
  resolve: (lease: Lease) => void;
  reject: (error: unknown) => void;
  since: number;
}

export class ContainerPool {
  private readonly containers = new Map<Container, ActionSpec>();
  private readonly queue: Waiter[] = [];
  private starting = 0;
  private readonly reaper: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly options: PoolOptions) {
    this.reaper = setInterval(() => this.reap(), Math.min(30_000, options.idleTimeoutMs)).unref();
  }

  private usedMemory(): number {
    let used = 0;
    for (const action of this.containers.values()) used += action.limits.memory;
    return used + this.starting;
  }

  /** Containers alive now, by action name. */
  snapshot(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [container, action] of this.containers) if (!container.isDead()) counts[action.name] = (counts[action.name] ?? 0) + 1;
    return counts;
  }

  acquire(action: ActionSpec): Promise<Lease> {
    if (this.closed) return Promise.reject(new Error('the platform is shutting down'));
    return new Promise((resolve, reject) => {
      if (this.queue.length >= this.options.maxQueue) {
        reject(new PoolBusyError(`${this.queue.length} activations are already waiting for a container`));
        return;
      }
      this.queue.push({ action, resolve, reject, since: Date.now() });
      this.dispatch();
    });
  }

  /** Returns a container after an activation; a dead one is dropped for good. */
  release(container: Container): void {
    container.active = Math.max(0, container.active - 1);
    container.lastUsed = Date.now();
    if (container.isDead()) this.containers.delete(container);
    this.dispatch();
  }

  /** Kills and forgets a container (it timed out, crashed, or failed to initialise). */
  async discard(container: Container): Promise<void> {
    this.containers.delete(container);
    await container.kill();
    this.dispatch();
  }

  private warmFor(action: ActionSpec): Container | undefined {
    for (const [container, spec] of this.containers) {
      if (spec.name === action.name && !container.isDead() && container.active < action.limits.concurrency) return container;
    }
    return undefined;
  }

  private evictableIdle(): Container | undefined {
    let oldest: Container | undefined;
    for (const container of this.containers.keys()) {
      if (container.active === 0 && (!oldest || container.lastUsed < oldest.lastUsed)) oldest = container;
    }
    return oldest;
  }

  private dispatch(): void {
    for (let i = 0; i < this.queue.length; ) {
      const waiter = this.queue[i]!;
      const warm = this.warmFor(waiter.action);
      if (warm) {
        this.queue.splice(i, 1);
        warm.active += 1;
        waiter.resolve({ container: warm, cold: false, waitMs: Date.now() - waiter.since });
        continue;
      }
      const memory = waiter.action.limits.memory;
      while (this.usedMemory() + memory > this.options.userMemoryMb) {
        const idle = this.evictableIdle();
        if (!idle) break;
        this.containers.delete(idle);
        void idle.kill();
      }
      if (this.usedMemory() + memory > this.options.userMemoryMb) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.startFor(waiter);
    }
  }

  private startFor(waiter: Waiter): void {
    const memory = waiter.action.limits.memory;
    this.starting += memory;
    Container.start(this.options.containerOptions(waiter.action)).then(
      (container) => {
        this.starting -= memory;
        container.active = 1;
        this.containers.set(container, waiter.action);
        if (this.closed) void container.kill();
        waiter.resolve({ container, cold: true, waitMs: Date.now() - waiter.since });
      },
      (error: unknown) => {
        this.starting -= memory;
        waiter.reject(error);
        this.dispatch();
      },
    );
  }

  /** Kills the idle containers (of one action, or all): the next activation starts cold. */
  async evictIdle(actionName?: string): Promise<number> {
    const victims = [...this.containers].filter(([c, a]) => c.active === 0 && (!actionName || a.name === actionName)).map(([c]) => c);
    for (const container of victims) this.containers.delete(container);
    await Promise.all(victims.map((c) => c.kill()));
    return victims.length;
  }

  private reap(): void {
    const now = Date.now();
    for (const [container] of this.containers) {
      if (container.isDead() || (container.active === 0 && now - container.lastUsed > this.options.idleTimeoutMs)) {
        this.containers.delete(container);
        void container.kill();
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    for (const waiter of this.queue.splice(0)) waiter.reject(new Error('the platform is shutting down'));
    await Promise.allSettled([...this.containers.keys()].map((c) => c.kill()));
    this.containers.clear();
  }
}
