/**
 * Every child process findme starts locally is registered here, so that however the parent ends (Ctrl-C,
 * SIGTERM, an uncaught error, a normal exit) no redis-server or action container is left behind.
 */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  live.clear();
}

/** Process ids of the tracked children that have not exited (for tests that check nothing is left behind). */
export function liveChildPids(): number[] {
  return [...live].map((c) => c.pid).filter((pid): pid is number => pid !== undefined);
}

export function trackChild(child: ChildProcess): ChildProcess {
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
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
