--[[
  Removes one of the owner's references at once; removing the profile picture's also records that it was removed,
  in the same step, so it is not offered again by the next request.
  Input:
    KEYS[1] the owner's references hash
    KEYS[2] the owner's "profile reference removed" flag
    ARGV[1] reference id
    ARGV[2] ttl (s) of the references
    ARGV[3] the profile reference's id
  Output:
     1 removed
    -5 no reference of that id among the owner's
]]
local refs, removed = KEYS[1], KEYS[2]
local id, ttl = ARGV[1], tonumber(ARGV[2])
if redis.call('HDEL', refs, id) == 0 then
  if id == ARGV[3] and redis.call('EXISTS', removed) == 0 then
    -- The profile reference was never computed (or expired): removing it still means "not this picture".
    redis.call('SET', removed, '1', 'EX', ttl)
    return 1
  end
  return -5
end
if id == ARGV[3] then redis.call('SET', removed, '1', 'EX', ttl) end
return 1
