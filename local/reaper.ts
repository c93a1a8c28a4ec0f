/**
 * The parent-death guard of every child process the local platform starts. `process.on('exit')` in
 * children.ts covers every ending but one: a `kill -9` (or the OOM killer) runs no handler, and redis-server
 * cannot watch its parent, nor can an action container busy in synchronous code. So the first tracked child also
 * starts one reaper: a tiny idle Node process in a session of its own, told over a pipe each process id (or
 * process group, as `-pgid`) to kill and each to forget. The kernel closes that pipe however this process ends;
 * the reaper then SIGKILLs whatever is still registered and exits. On a normal ending it finds nothing left.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The reaper's whole program: lines `+<id>` / `-<id>` on stdin, where id is a pid or a negated process group;
 * at end of input, SIGKILL to each registered id. Never pid 0, 1 or -1 (this machine's every process).
 */
const PROGRAM = `
const ids = new Set();
let pending = '';
function reap() {
  for (const id of ids) { try { process.kill(id, 'SIGKILL'); } catch {} }
  process.exit(0);
}
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  for (let end = pending.indexOf('\\n'); end >= 0; end = pending.indexOf('\\n')) {
    const line = pending.slice(0, end);
    pending = pending.slice(end + 1);
    const id = Number(line.slice(1));
    if (!Number.isSafeInteger(id) || Math.abs(id) < 2) continue;
    if (line[0] === '+') ids.add(id); else if (line[0] === '-') ids.delete(id);
  }
});
process.stdin.on('end', reap);
process.stdin.on('close', reap);
process.stdin.on('error', reap);
`;

let reaper: ChildProcess | undefined;

function started(): ChildProcess | undefined {
  if (reaper) return reaper;
  try {
    // detached: a session of its own, so a terminal's Ctrl-C or a signal to this process group leaves it be and
    // it outlives this process just long enough to reap. Unref'd, it never keeps this process running.
    reaper = spawn(process.execPath, ['--max-old-space-size=16', '-e', PROGRAM], { stdio: ['pipe', 'ignore', 'ignore'], detached: true, cwd: '/', env: {} });
  } catch {
    return undefined;
  }
  reaper.on('error', () => undefined);
  reaper.stdin?.on('error', () => undefined);
  reaper.unref();
  (reaper.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  // A reaper that died (killed by someone) is replaced at the next registration.
  reaper.once('exit', () => (reaper = undefined));
  return reaper;
}

function tell(line: string): void {
  const stdin = started()?.stdin;
  if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
}

/** Registers a pid (or `-pgid` for a whole process group) to be killed if this process dies without cleaning up. */
export function guard(id: number): void {
  tell(`+${id}`);
}

/** Forgets an id once its process (or group) has been stopped, so the reaper never kills a reused pid. */
export function release(id: number): void {
  if (reaper) tell(`-${id}`);
}

/** The reaper's pid, for tests. */
export function reaperPid(): number | undefined {
  return reaper?.pid;
}
