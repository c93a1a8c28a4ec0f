/**
 * The job store's Lua scripts, one `<name>-<number of keys>.lua` file each (its header says what every KEYS[i]
 * and ARGV[i] is and what each return code means), run by SHA (EVALSHA, then EVAL on NOSCRIPT, so a restarted
 * Redis loads them again). Not ioredis `defineCommand`: on the actions' client (auto-pipelining, command timeout)
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

const SCRIPTS = {
  addPhotos: { numberOfKeys: 7, lua: addPhotos },
  addReference: { numberOfKeys: 2, lua: addReference },
  admitSearch: { numberOfKeys: 1, lua: admitSearch },
  finishSource: { numberOfKeys: 5, lua: finishSource },
  recordPhoto: { numberOfKeys: 5, lua: recordPhoto },
  removeReference: { numberOfKeys: 2, lua: removeReference },
  reviewMatch: { numberOfKeys: 3, lua: reviewMatch },
  setBatchDue: { numberOfKeys: 2, lua: setBatchDue },
  setStatus: { numberOfKeys: 5, lua: setStatus },
  startSource: { numberOfKeys: 5, lua: startSource },
  sweepBatch: { numberOfKeys: 7, lua: sweepBatch },
  touchJob: { numberOfKeys: 1, lua: touchJob },
} as const;

export type ScriptName = keyof typeof SCRIPTS;
type ScriptArg = string | number;

interface LoadedScript {
  numberOfKeys: number;
  lua: string;
  sha: string;
}

const LOADED = Object.fromEntries(
  Object.entries(SCRIPTS).map(([name, s]) => {
    const lua = expandIncludes(name, s.lua);
    return [name, { numberOfKeys: s.numberOfKeys, lua, sha: createHash('sha1').update(lua).digest('hex') }];
  }),
) as Record<ScriptName, LoadedScript>;

/** Runs script `name` and returns its reply as Redis gave it (a list stays a list); `keys` as its file name says. */
export async function runScriptReply(redis: Redis, name: ScriptName, keys: string[], args: ScriptArg[]): Promise<unknown> {
  const { numberOfKeys, lua, sha } = LOADED[name];
  if (keys.length !== numberOfKeys) throw new Error(`${name} takes ${numberOfKeys} keys, got ${keys.length}`);
  try {
    return await redis.evalsha(sha, numberOfKeys, ...keys, ...args);
  } catch (error) {
    // Not loaded yet (or Redis restarted): EVAL loads it, later calls run by SHA again.
    if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
    return redis.eval(lua, numberOfKeys, ...keys, ...args);
  }
}

/** Runs script `name`, whose reply is a number. */
export async function runScript(redis: Redis, name: ScriptName, keys: string[], args: ScriptArg[]): Promise<number> {
  return Number(await runScriptReply(redis, name, keys, args));
}
