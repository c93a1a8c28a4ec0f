--[[
  Moves an outstanding batch's due time (compare_images claims it for its activation's time; a fire that failed
  makes it due at once). A batch already settled stays gone.
  Input:
    KEYS[1] the job's batches hash
    KEYS[2] the due-batches sorted set
    ARGV[1] job id
    ARGV[2] batch id
    ARGV[3] due (ms)
  Output:
    1 moved
    0 no such batch
]]
if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], 'XX', ARGV[3], ARGV[1] .. ' ' .. ARGV[2])
return 1
