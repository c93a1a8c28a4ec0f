/**
 * Every child process findme starts locally is registered here, so that however the parent ends (Ctrl-C,
 * SIGTERM, an uncaught error, a normal exit) no redis-server or action container is left behind; and, for the
 * one ending no handler sees (`kill -9`, the OOM killer), with the reaper (reaper.ts), which kills them then.
 */
import type { ChildProcess } from 'node:child_process';
import { guard, release } from './reaper';

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
  // A group is forgotten only once swept (stopChild): what its leader started may outlive the leader.
  if (child.pid !== undefined) guard(options.group ? -child.pid : child.pid);
  child.once('exit', () => {
    live.delete(child);
    if (!options.group && child.pid !== undefined) release(child.pid);
  });
  return child;
}

/** Asks a child to stop, waits up to `graceMs`, then kills it. Resolves once it has exited. */
export function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  // A group outlives its leader: what the leader started may still run.
  const sweep = () => {
    if (!groups.has(child)) return;
    signal(child, 'SIGKILL');
    if (child.pid !== undefined) release(-child.pid);
  };
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
