import { Script } from '../script';
import { LUA_HELPERS } from './common';

/**
 * Marks a job's search finished: its total is final; the job is done now if every photo is already recorded,
 * else it is comparing.
 * KEYS: the job's five keys (see common.ts)
 * ARGV[1] now (ms), ARGV[2] ttl (s), ARGV[3] why the search read fewer posts than the hashtag has ('' if it did not)
 * Returns 1, or -1 unknown job, -2 job already finished.
 */
export const finishSearch = new Script(
  'finishSearch',
  5,
  LUA_HELPERS +
    `
local job, expected = KEYS[1], KEYS[2]
local now, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
local status = redis.call('HGET', job, 'status')
if not status then return -1 end
if is_terminal(status) then return -2 end
redis.call('HSET', job, 'searchDone', '1', 'total', redis.call('SCARD', expected), 'status', 'comparing')
if ARGV[3] ~= '' then redis.call('HSET', job, 'searchNote', ARGV[3]) end
touch(job, now)
complete_if_finished(job)
expire_job(ttl)
return 1
`,
);
