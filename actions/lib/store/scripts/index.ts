/**
 * The job store's Lua scripts, one `<name>-<number of keys>.lua` file each (its header says what every KEYS[i]
 * and ARGV[i] is and what each return code means), run by SHA (EVALSHA, then EVAL on NOSCRIPT, so a restarted
 * Redis loads them again); those marked `once` run wrapped in once.lua (see SCRIPTS). Not ioredis `defineCommand`: on the actions' client (auto-pipelining, command timeout)
 * it left a stray "Command timed out" rejection after search_status's test; not yet understood. The files are imported as text: esbuild's text loader in the
 * bundles, `bin/register.mjs`'s hook under tsx.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { SOURCE_LABELS, TERMINAL_STATUSES } from '../../types';
import addPhotos from './add-photos-7.lua';
import addReference from './add-reference-2.lua';
import admitSearch from './admit-search-1.lua';
import finishSource from './finish-source-5.lua';
import jobHelpers from './job-helpers.lua';
import recordPhoto from './record-photo-5.lua';
import removeReference from './remove-reference-2.lua';
import reviewMatch from './review-match-3.lua';
import setBatchDue from './set-batch-due-2.lua';
import setStatus from './set-status-5.lua';
import startSource from './start-source-5.lua';
import sweepBatch from './sweep-batch-7.lua';
import onceWrapper from './once.lua';
import touchJob from './touch-1.lua';

/** What the scripts return; `jobs.ts`'s scriptResult turns the negative ones into errors. */
export enum ScriptCode {
  Duplicate = 0,
  Ok = 1,
  UnknownJob = -1,
  Terminal = -2,
  NotInJob = -3,
  /** The owner already has the most references allowed. */
  TooManyReferences = -4,
  /** No reference of that id among the owner's. */
  UnknownReference = -5,
  /** The job is someone else's. */
  NotOwner = -6,
  /** The job did not ask for this source. */
  NotRequested = -7,
}

const terminalTable = `local TERMINAL = { ${TERMINAL_STATUSES.map((s) => `['${s}'] = true`).join(', ')} }\n`;
const labelTable = `local LABEL = { ${Object.entries(SOURCE_LABELS).map(([s, label]) => `['${s}'] = '${label}'`).join(', ')} }\n`;
const INCLUDES: Record<string, string> = { 'job-helpers': terminalTable + labelTable + jobHelpers };

/** Each `--@include <name>` line replaced by that file (each at most once per script). */
export function expandIncludes(name: string, lua: string): string {
  const seen = new Set<string>();
  return lua.replace(/^--@include (\S+)$/gm, (_line, include: string) => {
    const text = INCLUDES[include];
    if (text === undefined) throw new Error(`script ${name} includes ${include}, which does not exist`);
    if (seen.has(include)) throw new Error(`script ${name} includes ${include} twice`);
    seen.add(include);
    return text;
  });
}

/**
 * `once`: the script is not idempotent by construction (a repeat would count, push or admit again, or answer
 * differently), so it runs wrapped in once.lua, under a call token; actions/README.md has the audit of each.
 */
const SCRIPTS = {
  addPhotos: { numberOfKeys: 7, lua: addPhotos, once: true },
  addReference: { numberOfKeys: 2, lua: addReference, once: true },
  admitSearch: { numberOfKeys: 1, lua: admitSearch, once: true },
  finishSource: { numberOfKeys: 5, lua: finishSource, once: true },
  recordPhoto: { numberOfKeys: 5, lua: recordPhoto, once: true },
  removeReference: { numberOfKeys: 2, lua: removeReference, once: true },
  reviewMatch: { numberOfKeys: 3, lua: reviewMatch, once: false },
  setBatchDue: { numberOfKeys: 2, lua: setBatchDue, once: false },
  setStatus: { numberOfKeys: 5, lua: setStatus, once: false },
  startSource: { numberOfKeys: 5, lua: startSource, once: true },
  sweepBatch: { numberOfKeys: 7, lua: sweepBatch, once: true },
  touchJob: { numberOfKeys: 1, lua: touchJob, once: false },
} as const;

export type ScriptName = keyof typeof SCRIPTS;
/** The scripts that run once per call token: runOnce's; the others are runScript's. */
export type OnceScriptName = { [K in ScriptName]: (typeof SCRIPTS)[K]['once'] extends true ? K : never }[ScriptName];
export type PlainScriptName = Exclude<ScriptName, OnceScriptName>;
type ScriptArg = string | number;

/**
 * How long a once-script's reply is kept: longer than any activation runs (300 s at most, serverless.yml), so no
 * retry of a call can outlive it, and short enough that the keys cost little (one per write of the last minutes).
 */
export const ONCE_TTL_S = 600;

/** A once-script's body inside once.lua (a function of its own, so its `return`s return from the body). */
export function wrapOnce(lua: string): string {
  if (!onceWrapper.includes('--@body')) throw new Error('once.lua has no --@body line');
  return onceWrapper.replace('--@body', () => lua);
}

interface LoadedScript {
  numberOfKeys: number;
  lua: string;
  sha: string;
}

const LOADED = Object.fromEntries(
  Object.entries(SCRIPTS).map(([name, s]) => {
    const expanded = expandIncludes(name, s.lua);
    const lua = s.once ? wrapOnce(expanded) : expanded;
    return [name, { numberOfKeys: s.numberOfKeys, lua, sha: createHash('sha1').update(lua).digest('hex') }];
  }),
) as Record<ScriptName, LoadedScript>;

async function run(redis: Redis, name: ScriptName, keys: string[], args: ScriptArg[]): Promise<unknown> {
  const { lua, sha } = LOADED[name];
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (error) {
    // Not loaded yet (or Redis restarted): EVAL loads it, later calls run by SHA again.
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(lua, keys.length, ...keys, ...args);
  }
}

function checkKeys(name: ScriptName, keys: string[]): void {
  const { numberOfKeys } = LOADED[name];
  if (keys.length !== numberOfKeys) throw new Error(`${name} takes ${numberOfKeys} keys, got ${keys.length}`);
}

/** Runs script `name` and returns its reply as Redis gave it (a list stays a list); `keys` as its file name says. */
export async function runScriptReply(redis: Redis, name: PlainScriptName, keys: string[], args: ScriptArg[]): Promise<unknown> {
  checkKeys(name, keys);
  return run(redis, name, keys, args);
}

/** Runs script `name`, whose reply is a number. */
export async function runScript(redis: Redis, name: PlainScriptName, keys: string[], args: ScriptArg[]): Promise<number> {
  return Number(await runScriptReply(redis, name, keys, args));
}

/**
 * Runs once-script `name` under `onceKey` (Keys.once of a call token, store/call.ts): the first run's reply, as
 * Redis gave it, however often the same call is sent.
 */
export async function runOnceReply(redis: Redis, name: OnceScriptName, onceKey: string, keys: string[], args: ScriptArg[]): Promise<unknown> {
  checkKeys(name, keys);
  return run(redis, name, [...keys, onceKey], [...args, ONCE_TTL_S]);
}

/** Runs once-script `name`, whose reply is a number. */
export async function runOnce(redis: Redis, name: OnceScriptName, onceKey: string, keys: string[], args: ScriptArg[]): Promise<number> {
  return Number(await runOnceReply(redis, name, onceKey, keys, args));
}
