--[[
  Marks a job that has not finished as alive (a search waiting out a rate limit is not stalled).
  Input:
    KEYS[1] job hash
    ARGV[1] now (ms)
  Output:
     1 touched
    -1 unknown job
    -2 job already finished
]]
--@include job-helpers
local job = KEYS[1]
local status = redis.call('HGET', job, 'status')
if not status then return -1 end
if is_terminal(status) then return -2 end
touch(job, tonumber(ARGV[1]))
return 1
