--[[
  Records one photo's outcome, once: a photo delivered twice is counted once, a photo the search did not find
  is refused, so progress never runs backwards or past the total. A failure's reason is kept (the first
  ARGV[6] of a job), so people can see why a photo was not checked.
  Input:
    KEYS[1..5] the job's five keys (see job-helpers.lua)
    ARGV[1]    now (ms)
    ARGV[2]    ttl (s)
    ARGV[3]    photo hash
    ARGV[4]    'ok' | 'failed'
    ARGV[5..]  for 'ok': one match JSON each (none: no match); one whose band is "maybe" counts in `maybe`
    ARGV[5]    for 'failed': the failure JSON
    ARGV[6]    for 'failed': how many failures a job keeps
  Output:
     1 recorded
     0 duplicate (already recorded)
    -1 unknown job
    -2 job already finished
    -3 photo not part of the job
]]
--@include job-helpers
local job, expected, recorded, matches, failures = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local now, ttl, photo, outcome = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4]
local status = redis.call('HGET', job, 'status')
if not status then return -1 end
if redis.call('SISMEMBER', recorded, photo) == 1 then return 0 end
if is_terminal(status) then return -2 end
if redis.call('SISMEMBER', expected, photo) == 0 then return -3 end
redis.call('SADD', recorded, photo)
if outcome == 'failed' then
  redis.call('HINCRBY', job, 'failed', 1)
  if ARGV[5] and redis.call('LLEN', failures) < tonumber(ARGV[6]) then redis.call('RPUSH', failures, ARGV[5]) end
else
  redis.call('HINCRBY', job, 'processed', 1)
  if #ARGV >= 5 then
    -- `matched` counts sure matches; a maybe (shown for review) is counted apart, so "3 show you" stays true.
    local maybe = 0
    for i = 5, #ARGV do
      redis.call('RPUSH', matches, ARGV[i])
      if cjson.decode(ARGV[i]).band == 'maybe' then maybe = maybe + 1 end
    end
    if #ARGV - 4 - maybe > 0 then redis.call('HINCRBY', job, 'matched', #ARGV - 4 - maybe) end
    if maybe > 0 then redis.call('HINCRBY', job, 'maybe', maybe) end
  end
end
touch(job, now)
complete_if_finished(job)
expire_job(ttl)
return 1
