--[[
  Marks a job's search finished: its total is final; the job is done now if every photo is already recorded,
  else it is comparing.
  Input:
    KEYS[1..5] the job's five keys (see job-helpers.lua)
    ARGV[1]    now (ms)
    ARGV[2]    ttl (s)
    ARGV[3]    why the search read fewer posts than the hashtag has ('' if it did not)
  Output:
     1 finished
    -1 unknown job
    -2 job already finished
]]
--@include job-helpers
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
