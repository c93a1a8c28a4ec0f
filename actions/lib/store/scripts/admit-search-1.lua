--[[
  Admits a new search for one user, or says why not: at most ARGV[3] started in the last ARGV[2] ms, at most
  ARGV[4] of the user's jobs not yet finished. Admitted, the new job id is recorded at once, so concurrent
  requests cannot all pass the check before any is counted.
  Input:
    KEYS[1] the user's searches: sorted set of job ids scored by when they were admitted (ms)
    ARGV[1] now (ms)
    ARGV[2] the window of the per-minute limit (ms)
    ARGV[3] searches allowed in the window
    ARGV[4] searches allowed running at once
    ARGV[5] the new job id
    ARGV[6] the job key with "{id}" where the job id goes (keys.ts builds it)
    ARGV[7] how long entries are kept (ms): the job TTL
  Output (a list):
    {1, job id}        admitted: ARGV[5]
    {2, retry after ms} too many in the window
    {3, running}       too many running
]]
--@include job-helpers
local searches = KEYS[1]
local now, window, per_window, max_running = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local job_id, job_key, keep = ARGV[5], ARGV[6], tonumber(ARGV[7])
redis.call('ZREMRANGEBYSCORE', searches, '-inf', now - keep)
local recent = redis.call('ZRANGEBYSCORE', searches, now - window, '+inf', 'WITHSCORES')
if #recent / 2 >= per_window then
  return {2, tonumber(recent[2]) + window - now}
end
-- A job admitted in the last window but not created yet (its request is still at the identity provider) runs too.
local running = 0
local all = redis.call('ZRANGE', searches, 0, -1, 'WITHSCORES')
for i = 1, #all, 2 do
  local status = redis.call('HGET', (string.gsub(job_key, '{id}', all[i])), 'status')
  if (status and not is_terminal(status)) or (not status and tonumber(all[i + 1]) > now - window) then running = running + 1 end
end
if running >= max_running then return {3, running} end
redis.call('ZADD', searches, now, job_id)
redis.call('PEXPIRE', searches, keep)
return {1, job_id}
