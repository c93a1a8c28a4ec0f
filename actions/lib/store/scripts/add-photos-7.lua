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
    ARGV[5]     n: how many photo hashes follow
    ARGV[6..5+n] photo hashes, then pairs of batch id and BatchRecord JSON
  Output:
    >= 0 how many photos were new to the job
    -1   unknown job
    -2   job already finished (or its search already finished)
]]
--@include job-helpers
local job, expected, batches, due = KEYS[1], KEYS[2], KEYS[6], KEYS[7]
local now, ttl, due_at, job_id, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5])
local status = redis.call('HGET', job, 'status')
if not status then return -1 end
if is_terminal(status) or redis.call('HGET', job, 'searchDone') == '1' then return -2 end
local added = 0
for i = 6, 5 + n do added = added + redis.call('SADD', expected, ARGV[i]) end
for i = 6 + n, #ARGV, 2 do
  redis.call('HSET', batches, ARGV[i], ARGV[i + 1])
  redis.call('ZADD', due, due_at, job_id .. ' ' .. ARGV[i])
end
redis.call('HSET', job, 'total', redis.call('SCARD', expected))
touch(job, now)
expire_job(ttl, 6)
return added
