--[[
  Adds photos the search found to a job and sets its total to the number of distinct photos.
  Input:
    KEYS[1..5] the job's five keys (see job-helpers.lua)
    ARGV[1]    now (ms)
    ARGV[2]    ttl (s)
    ARGV[3..]  photo hashes
  Output:
    >= 0 how many photos were new to the job
    -1   unknown job
    -2   job already finished (or its search already finished)
]]
--@include job-helpers
local job, expected = KEYS[1], KEYS[2]
local now, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
local status = redis.call('HGET', job, 'status')
if not status then return -1 end
if is_terminal(status) or redis.call('HGET', job, 'searchDone') == '1' then return -2 end
local added = 0
for i = 3, #ARGV do added = added + redis.call('SADD', expected, ARGV[i]) end
redis.call('HSET', job, 'total', redis.call('SCARD', expected))
touch(job, now)
expire_job(ttl)
return added
