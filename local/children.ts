/**
 * Every child process findme starts locally is registered here, so that however the parent ends (Ctrl-C,
 * SIGTERM, an uncaught error, a normal exit) no redis-server or action container is left behind.
 */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
/** Children spawned `detached`, each leading a process group of its own: signalled as the whole group. */
const groups = new WeakSet<ChildProcess>();
let hooked = false;

/** Signals a child, or the whole group it leads (what an action started dies with it, as in a container). */
function signal(child: ChildProcess, name: NodeJS.Signals): void {
  try {
    if (groups.has(child) && child.pid !== undefined) process.kill(-child.pid, name);
    else child.kill(name);
  } catch {
    // already gone
  }
}

function killAll(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) signal(child, 'SIGKILL');
  live.clear();
}

/** Process ids of the tracked children that have not exited (for tests that check nothing is left behind). */
export function liveChildPids(): number[] {
  return [...live].map((c) => c.pid).filter((pid): pid is number => pid !== undefined);
}

/**
 * Registers a child to be killed with this process. `group`: it was spawned `detached` and leads a process group,
 * so everything it started is killed with it, even after it has exited itself.
 */
export function trackChild(child: ChildProcess, options: { group?: boolean } = {}): ChildProcess {
  if (options.group) groups.add(child);
  if (!hooked) {
    hooked = true;
    // 'exit' handlers run synchronously on every normal or process.exit() ending; signals are turned into one.
    process.on('exit', killAll);
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Asks a child to stop, waits up to `graceMs`, then kills it. Resolves once it has exited. */
export function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  // A group outlives its leader: what the leader started may still run.
  const sweep = () => groups.has(child) && signal(child, 'SIGKILL');
  if (child.exitCode !== null || child.signalCode !== null) {
    sweep();
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => signal(child, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      sweep();
      resolve();
    });
    signal(child, 'SIGTERM');
  });
}
