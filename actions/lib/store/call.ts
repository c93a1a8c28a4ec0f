/**
 * Call tokens, so a write runs once however often it is sent. A connection that drops after Redis ran a script
 * but before its reply arrived leaves the caller not knowing; ioredis sends the command again on reconnect and
 * retry.ts calls the store method again. A script that is not idempotent by construction would then count,
 * push or admit twice. Each logical store call has one token, shared by every attempt of it; a "once" script
 * stores its reply under the token (scripts/once.lua) and answers a repeat with that reply.
 *
 * The token travels in AsyncLocalStorage rather than as an argument: retry.ts's Proxy wraps every store method,
 * and the scripts a method runs take their tokens in order, so every attempt names the same writes the same way.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

interface Call {
  token: string;
  /** Once-scripts this attempt has run so far: the next one's number within the call. */
  scripts: number;
}

const current = new AsyncLocalStorage<Call>();

export function newCallToken(): string {
  return randomUUID();
}

/** Runs one attempt of the logical call `token`; its once-scripts are numbered from 0 again, as in every attempt. */
export function attemptOf<T>(token: string, attempt: () => T): T {
  return current.run({ token, scripts: 0 }, attempt);
}

/**
 * The token of a once-script about to run: the call's, numbered in order, or a new one outside any call (a
 * store used without retry.ts: still one token for ioredis's own resend of the same command).
 */
export function nextOnceToken(): string {
  const call = current.getStore();
  if (!call) return newCallToken();
  const token = `${call.token}.${call.scripts}`;
  call.scripts += 1;
  return token;
}
