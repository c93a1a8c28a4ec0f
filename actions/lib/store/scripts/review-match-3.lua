--[[
  Records the owner's decision on one photo of a job ("me" or "not-me"; a later decision replaces an earlier
  one). The reviews live exactly as long as the job: they get the job's remaining time to live.
  Input:
    KEYS[1] job hash
    KEYS[2] the job's recorded-photos set
    KEYS[3] the job's reviews hash (photo hash -> decision)
    ARGV[1] the caller (owner) id
    ARGV[2] photo hash
    ARGV[3] decision
  Output:
     1 recorded
    -1 unknown job (never created, or expired)
    -6 the job is someone else's
    -3 the photo is not one the job has checked
]]
local job, recorded, reviews = KEYS[1], KEYS[2], KEYS[3]
local owner = redis.call('HGET', job, 'owner')
if not owner then return -1 end
if owner ~= ARGV[1] then return -6 end
if redis.call('SISMEMBER', recorded, ARGV[2]) == 0 then return -3 end
redis.call('HSET', reviews, ARGV[2], ARGV[3])
local ttl = redis.call('PTTL', job)
if ttl > 0 then redis.call('PEXPIRE', reviews, ttl) end
return 1
