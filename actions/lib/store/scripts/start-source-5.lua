--[[
  One source's search begins: its state goes pending → searching, and the job queued → searching (the first
  source to start moves it). A redelivered search_request finds the source already started and changes nothing.
  Input:
    KEYS[1..5] the job's five keys (see job-helpers.lua)
    ARGV[1]    now (ms)
    ARGV[2]    ttl (s)
    ARGV[3]    source (x | mastodon | bluesky)
  Output:
     1 started
     0 already started or finished (a redelivered event)
    -1 unknown job
    -2 job already finished
    -7 the job did not ask for this source
]]
--@include job-helpers
local job = KEYS[1]
local now, ttl, source = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local status = redis.call('HGET', job, 'status')
if not status then return -1 end
if is_terminal(status) then return -2 end
local current = source_status(job, source)
if not current then return -7 end
if current ~= 'pending' then return 0 end
redis.call('HSET', job, 'src:' .. source .. ':status', 'searching')
if status == 'queued' then redis.call('HSET', job, 'status', 'searching') end
touch(job, now)
expire_job(ttl)
return 1
