--[[
  Looks at one outstanding batch: drops it once every photo of it is recorded (or its job is gone or finished);
  with 'redeliver', counts one more delivery of the photos still unrecorded and makes it due again later, or, once
  the bound on deliveries is spent, drops it and fails the job, naming how many photos were lost.
  Input:
    KEYS[1..5] the job's five keys, KEYS[6] its batches hash, KEYS[7] the due-batches sorted set (job-helpers.lua)
    ARGV[1]    now (ms)
    ARGV[2]    ttl (s)
    ARGV[3]    job id
    ARGV[4]    batch id
    ARGV[5]    'settle' | 'redeliver'
    ARGV[6]    deliveries allowed after the first
    ARGV[7]    wait before the batch is due again after its first redelivery (ms), doubled with each further one
    ARGV[8]    the longest such wait (ms)
  Output (a list):
    {0}                 gone: no such batch, or its job is gone or finished
    {1}                 settled: every photo recorded
    {2, unrecorded}     still outstanding ('settle')
    {3, unrecorded}     bound spent: the job has failed
    {4, attempts, json} to be fired again: JSON of the 0-based indexes of the unrecorded photos
    {5}                 not yet: the job recorded a photo less than ARGV[7] ms ago, so its batches are arriving
                        (a batch queued behind the others is late, not lost); due again then
]]
--@include job-helpers
local job, recorded, batches, due = KEYS[1], KEYS[3], KEYS[6], KEYS[7]
local now, ttl, job_id, batch_id, mode = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local allowed, first_wait, longest_wait = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local member = job_id .. ' ' .. batch_id
local function drop()
  redis.call('HDEL', batches, batch_id)
  redis.call('ZREM', due, member)
end
local status = redis.call('HGET', job, 'status')
local raw = redis.call('HGET', batches, batch_id)
if not status or is_terminal(status) or not raw then
  drop()
  return {0}
end
local batch = cjson.decode(raw)
local left = {}
for i, hash in ipairs(batch.hashes) do
  if redis.call('SISMEMBER', recorded, hash) == 0 then left[#left + 1] = i - 1 end
end
if #left == 0 then
  drop()
  return {1}
end
if mode == 'settle' then return {2, #left} end
-- 'swept' is the job's 'updated' as this script last left it: a touch of the sweeper's own is not progress.
local moved = redis.call('HMGET', job, 'updated', 'swept')
local updated = tonumber(moved[1] or '0')
if moved[1] ~= moved[2] and now - updated < first_wait then
  redis.call('ZADD', due, updated + first_wait, member)
  return {5}
end
if batch.attempts >= allowed then
  drop()
  redis.call('HSET', job, 'status', 'failed', 'error', string.format(
    '%d photos could not be checked: they were delivered for comparison %d times and never recorded', #left, batch.attempts + 1))
  touch(job, now)
  expire_job(ttl, 6)
  return {3, #left}
end
batch.attempts = batch.attempts + 1
redis.call('HSET', batches, batch_id, cjson.encode(batch))
redis.call('ZADD', due, now + math.min(first_wait * 2 ^ (batch.attempts - 1), longest_wait), member)
touch(job, now)
redis.call('HSET', job, 'swept', redis.call('HGET', job, 'updated'))
expire_job(ttl, 6)
return {4, batch.attempts, cjson.encode(left)}
