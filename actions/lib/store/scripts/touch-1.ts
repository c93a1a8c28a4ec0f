import { Script } from '../script';
import { LUA_HELPERS } from './common';

/**
 * Marks a job that has not finished as alive (a search waiting out a rate limit is not stalled).
 * KEYS[1] job hash
 * ARGV[1] now (ms)
 * Returns 1 touched, -1 unknown job, -2 job already finished.
 */
export const touchJob = new Script(
  'touchJob',
  1,
  LUA_HELPERS +
    `
local job = KEYS[1]
local status = redis.call('HGET', job, 'status')
if not status then return -1 end
if is_terminal(status) then return -2 end
touch(job, tonumber(ARGV[1]))
return 1
`,
);
