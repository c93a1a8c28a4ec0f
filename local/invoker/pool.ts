/**
 * The container pool, as an OpenWhisk invoker keeps one: warm containers are reused per action (up to the
 * action's concurrency each); a cold one starts only when no warm one is free and both the pool's memory and its
 * container cap allow it, evicting the longest-idle container of any action when they do not; otherwise the
 * activation waits in a bounded queue. Image (blackbox) actions share a budget of their own inside the pool's
 * memory, as OpenWhisk runs them on invokers of their own: a search's compare_images containers never take the room
 * its web actions need. Idle containers are reaped after `idleTimeoutMs` (OpenWhisk keeps them 10 minutes), and
 * all of them on close.
 */
import type { ActionSpec } from '../manifest/types';
import { Container, type ContainerOptions } from './container';

export interface PoolOptions {
  /** Memory the pool may hand out to containers, in MB (OpenWhisk's invoker "user memory"). */
  userMemoryMb: number;
  /** Of that, what image (blackbox) actions may hold together; the rest stays for the stock runtime's actions. */
  imageMemoryMb: number;
  /** Containers alive at once, whatever their memory: the machine's cores bound what runs well in parallel. */
  maxContainers: number;
  idleTimeoutMs: number;
  /** Activations that may wait for a container before new ones are refused. */
  maxQueue: number;
  containerOptions: (action: ActionSpec) => ContainerOptions;
}

/**
 * Prewarmed containers ("stem cells"), as an OpenWhisk invoker keeps for its default runtime kind: started
 * before any activation needs them and not yet initialised, so a cold start of a matching action skips the
 * container start and pays only /init. Taken cells are replaced in the background.
 */
export interface StemCells {
  count: number;
  /** How each cell is started. */
  options: ContainerOptions;
  /** Whether a cold start of `action` may take a cell: its container would be started exactly like one. */
  serves(action: ActionSpec): boolean;
}

export interface Lease {
  container: Container;
  cold: boolean;
}

/** The pool's queue is full. */
export class PoolBusyError extends Error {
  override readonly name = 'PoolBusyError';
}

export class PoolClosedError extends Error {
  override readonly name = 'PoolClosedError';
  constructor() {
    super('the platform is shutting down');
  }
}

interface Waiter {
  action: ActionSpec;
  resolve: (lease: Lease) => void;
  reject: (error: unknown) => void;
}

function memoryOf(actions: ActionSpec[]): number {
  return actions.reduce((sum, a) => sum + a.limits.memory, 0);
}

export class ContainerPool {
  private readonly containers = new Map<Container, ActionSpec>();
  private readonly queue: Waiter[] = [];
  /** Containers being started: their memory and count are taken already. */
  private starting: ActionSpec[] = [];
  private readonly reaper: NodeJS.Timeout;
  private closed = false;
  private stem: StemCells | undefined;
  /** Ready stem cells, and how many are starting. Outside the pool's memory and count until taken. */
  private cells: Container[] = [];
  private readonly cellStarts = new Set<Promise<void>>();
  /** Cold starts under way: close() waits for them, so no container process outlives the pool. */
  private readonly coldStarts = new Set<Promise<void>>();

  constructor(private readonly options: PoolOptions) {
    this.reaper = setInterval(() => this.reap(), Math.max(50, Math.min(30_000, options.idleTimeoutMs / 2))).unref();
  }

  /** The actions of the containers alive (only the busy ones, with `onlyBusy`) and of those starting. */
  private held(onlyBusy = false): ActionSpec[] {
    const kept = [...this.containers].filter(([c]) => !onlyBusy || c.active > 0).map(([, a]) => a);
    return [...kept, ...this.starting];
  }

  /** Whether `action` is an image action that the image budget has no room for beside `held`. */
  private imageBudgetFull(action: ActionSpec, held = this.held()): boolean {
    return action.image !== undefined && memoryOf(held.filter((a) => a.image !== undefined)) + action.limits.memory > this.options.imageMemoryMb;
  }

  private fits(action: ActionSpec, onlyBusy = false): boolean {
    const held = this.held(onlyBusy);
    return !this.imageBudgetFull(action, held) && memoryOf(held) + action.limits.memory <= this.options.userMemoryMb && held.length < this.options.maxContainers;
  }

  /** Containers alive now, by action name. */
  snapshot(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [container, action] of this.containers) if (!container.isDead()) counts[action.name] = (counts[action.name] ?? 0) + 1;
    return counts;
  }

  /** Process ids of the containers alive now, stem cells included (for tests that check nothing is left behind). */
  pids(): number[] {
    return [...this.containers.keys(), ...this.cells].map((c) => c.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** Process ids of the containers of `actionName` running an activation now (for tests that kill one mid-batch). */
  busyPids(actionName: string): number[] {
    return [...this.containers]
      .filter(([c, a]) => a.name === actionName && c.active > 0 && !c.isDead())
      .map(([c]) => c.pid)
      .filter((pid): pid is number => pid !== undefined);
  }

  /** Stem cells ready now. */
  readyCells(): number {
    return this.cells.filter((c) => !c.isDead()).length;
  }

  /** Starts keeping `stem.count` stem cells ready (once the containers' environment is known). */
  prewarm(stem: StemCells): void {
    this.stem = stem;
    this.fillCells();
  }

  private fillCells(): void {
    const stem = this.stem;
    if (!stem || this.closed) return;
    this.cells = this.cells.filter((c) => !c.isDead());
    while (this.cells.length + this.cellStarts.size < stem.count) {
      const started: Promise<void> = Container.start(stem.options)
        .then(
          async (cell) => {
            if (this.closed) await cell.kill();
            else this.cells.push(cell);
          },
          (error: unknown) => {
            // Not retried until a cell is taken: cold starts simply start their own containers meanwhile.
            console.error(`a stem cell did not start: ${error instanceof Error ? error.message : String(error)}`);
          },
        )
        .finally(() => this.cellStarts.delete(started));
      this.cellStarts.add(started);
    }
  }

  private takeCell(action: ActionSpec): Container | undefined {
    if (!this.stem?.serves(action)) return undefined;
    let cell: Container | undefined;
    while ((cell = this.cells.shift()) && cell.isDead());
    if (cell) this.fillCells();
    return cell;
  }

  acquire(action: ActionSpec): Promise<Lease> {
    if (this.closed) return Promise.reject(new PoolClosedError());
    const room = action.image !== undefined ? Math.min(this.options.imageMemoryMb, this.options.userMemoryMb) : this.options.userMemoryMb;
    if (action.limits.memory > room) {
      return Promise.reject(new PoolBusyError(`${action.name} needs ${action.limits.memory} MB but the pool has ${room} MB${action.image !== undefined ? ' for image actions' : ''}`));
    }
    if (this.queue.length >= this.options.maxQueue) {
      return Promise.reject(new PoolBusyError(`${this.queue.length} activations are already waiting for a container`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ action, resolve, reject });
      this.dispatch();
    });
  }

  /** A cold container answered /init: from now on other activations of its action may share it. */
  markInitialized(container: Container): void {
    container.initialized = true;
    this.dispatch();
  }

  /** Returns a container after an activation that left it healthy. */
  release(container: Container): void {
    container.active = Math.max(0, container.active - 1);
    container.lastUsed = Date.now();
    if (container.isDead()) this.containers.delete(container);
    this.dispatch();
  }

  /** Kills and forgets a container that must not be reused (developer error, timeout, crash). */
  async discard(container: Container): Promise<void> {
    this.containers.delete(container);
    await container.kill();
    this.dispatch();
  }

  /** Kills the idle containers (of one action, or all): the next activation starts cold. */
  async evictIdle(actionName?: string): Promise<number> {
    const victims = [...this.containers].filter(([c, a]) => c.active === 0 && (!actionName || a.name === actionName)).map(([c]) => c);
    for (const container of victims) this.containers.delete(container);
    await Promise.all(victims.map((c) => c.kill()));
    return victims.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reaper);
    for (const waiter of this.queue.splice(0)) waiter.reject(new PoolClosedError());
    const all = [...this.containers.keys(), ...this.cells.splice(0)];
    this.containers.clear();
    await Promise.allSettled([...all.map((c) => c.kill()), ...this.cellStarts, ...this.coldStarts]);
  }

  private warmFor(action: ActionSpec): Container | undefined {
    for (const [container, spec] of this.containers) {
      // A container still initialising is not shared: its first activation owns it until /init answered.
      if (spec.name === action.name && container.initialized && !container.isDead() && container.active < action.limits.concurrency) return container;
    }
    return undefined;
  }

  /** Kills the longest-idle container (of an image action only, when `imagesOnly`): false when there is none. */
  private evictOneIdle(imagesOnly: boolean): boolean {
    let oldest: Container | undefined;
    for (const [container, spec] of this.containers) {
      if (imagesOnly && spec.image === undefined) continue;
      if (container.active === 0 && (!oldest || container.lastUsed < oldest.lastUsed)) oldest = container;
    }
    if (!oldest) return false;
    this.containers.delete(oldest);
    void oldest.kill();
    return true;
  }

  private dispatch(): void {
    if (this.closed) return;
    // FIFO, but an activation that cannot start now does not hold back a later one that can.
    for (let i = 0; i < this.queue.length; ) {
      const waiter = this.queue[i]!;
      const warm = this.warmFor(waiter.action);
      if (warm) {
        this.queue.splice(i, 1);
        warm.active += 1;
        waiter.resolve({ container: warm, cold: false });
        continue;
      }
      // Idle containers of other actions make room, but only when that is enough to start this one.
      // When the image budget is what is full, only an idle image container's memory helps.
      if (!this.fits(waiter.action) && this.fits(waiter.action, true)) while (!this.fits(waiter.action) && this.evictOneIdle(this.imageBudgetFull(waiter.action)));
      if (!this.fits(waiter.action)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.startFor(waiter);
    }
  }

  private startFor(waiter: Waiter): void {
    const cell = this.takeCell(waiter.action);
    if (cell) {
      cell.active = 1;
      this.containers.set(cell, waiter.action);
      waiter.resolve({ container: cell, cold: true });
      return;
    }
    this.starting.push(waiter.action);
    const started = () => this.starting.splice(this.starting.indexOf(waiter.action), 1);
    const start: Promise<void> = Container.start(this.options.containerOptions(waiter.action)).then(
      async (container) => {
        started();
        if (this.closed) {
          waiter.reject(new PoolClosedError());
          await container.kill();
          return;
        }
        container.active = 1;
        this.containers.set(container, waiter.action);
        waiter.resolve({ container, cold: true });
      },
      (error: unknown) => {
        started();
        waiter.reject(error);
        this.dispatch();
      },
    );
    this.coldStarts.add(start);
    void start.finally(() => this.coldStarts.delete(start));
  }

  private reap(): void {
    const now = Date.now();
    for (const [container] of this.containers) {
      if (container.isDead() || (container.active === 0 && now - container.lastUsed > this.options.idleTimeoutMs)) {
        this.containers.delete(container);
        void container.kill();
      }
    }
    this.dispatch();
  }
}
