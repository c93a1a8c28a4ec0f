--[[
  Moves a job that has not finished to a new status (optionally with an error), e.g. queued → searching, or
  anything → failed. A finished job is never changed: a late failure cannot undo a result. With ARGV[5] > 0 it
  only changes the job when nothing has moved for that many ms (stall detection); with ARGV[6] set, only when
  the job is in that status (so a redelivered event cannot move a job backwards).
  Input:
    KEYS[1..5] the job's five keys (see job-helpers.lua)
    ARGV[1]    now (ms)
    ARGV[2]    new status
    ARGV[3]    error ('' for none)
    ARGV[4]    ttl (s)
    ARGV[5]    stall ms (0: change it whenever it last moved)
    ARGV[6]    required current status ('' for any)
  Output:
     1 changed
     0 condition not met (not in the required status, or moved too recently)
    -1 unknown job
    -2 job already finished
]]
--@include job-helpers
local job = KEYS[1]
local now, status, err, ttl, stall = tonumber(ARGV[1]), ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local required = ARGV[6]
local current = redis.call('HGET', job, 'status')
if not current then return -1 end
if is_terminal(current) then return -2 end
if required ~= '' and current ~= required then return 0 end
if stall > 0 and now - tonumber(redis.call('HGET', job, 'updated') or '0') < stall then return 0 end
redis.call('HSET', job, 'status', status)
if err ~= '' then redis.call('HSET', job, 'error', err) end
touch(job, now)
expire_job(ttl)
return 1
