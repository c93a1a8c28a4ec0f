--[[
  Adds photos the search found to a job, sets its total to the number of distinct photos, and records the batches
  about to be fired as outstanding with a due time: in one step, so no photo is counted without a batch that the
  sweeper can deliver again.
  Input:
    KEYS[1..5]  the job's five keys, KEYS[6] its batches hash, KEYS[7] the due-batches sorted set (job-helpers.lua)
    ARGV[1]     now (ms)
    ARGV[2]     ttl (s)
    ARGV[3]     when the batches are due (ms)
    ARGV[4]     job id (due-set members are "<job id> <batch id>")
    ARGV[5]     the source that found them ('' for none: no per-source counts)
    ARGV[6]     posts that source has read so far
    ARGV[7]     n: how many photo hashes follow
    ARGV[8..7+n] photo hashes, then pairs of batch id and BatchRecord JSON
  Output:
    >= 0 how many photos were new to the job
    -1   unknown job
    -2   job already finished (or its search, or that source's, already finished)
]]
--@include job-helpers
local job, expected, batches, due = KEYS[1], KEYS[2], KEYS[6], KEYS[7]
local now, ttl, due_at, job_id = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local source, posts, n = ARGV[5], ARGV[6], tonumber(ARGV[7])
local status = redis.call('HGET', job, 'status')
if not status then return -1 end
if is_terminal(status) or redis.call('HGET', job, 'searchDone') == '1' then return -2 end
if source ~= '' then
  local state = source_status(job, source)
  if state == 'done' or state == 'failed' then return -2 end
end
local added = 0
-- The same photo found by two sources (or a post federated to two instances) is one photo: the set decides.
for i = 8, 7 + n do added = added + redis.call('SADD', expected, ARGV[i]) end
if source ~= '' then
  redis.call('HSET', job, 'src:' .. source .. ':posts', posts)
  redis.call('HINCRBY', job, 'src:' .. source .. ':photos', added)
end
for i = 8 + n, #ARGV, 2 do
  redis.call('HSET', batches, ARGV[i], ARGV[i + 1])
  redis.call('ZADD', due, due_at, job_id .. ' ' .. ARGV[i])
end
redis.call('HSET', job, 'total', redis.call('SCARD', expected))
touch(job, now)
expire_job(ttl, 6)
return added
