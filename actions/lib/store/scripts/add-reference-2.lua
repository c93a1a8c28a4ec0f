--[[
  Adds one reference face to its owner's, unless they already have the most allowed: the count and the write are
  one step, so two uploads at once cannot make a sixth. The profile picture's reference is not added again once
  its owner removed it.
  Input:
    KEYS[1] the owner's references hash (id -> ReferenceRecord JSON)
    KEYS[2] the owner's "profile reference removed" flag
    ARGV[1] reference id
    ARGV[2] ReferenceRecord JSON
    ARGV[3] most references allowed
    ARGV[4] ttl (s) of the references
    ARGV[5] '1' when this is the profile picture's reference
  Output (a list):
    {1, ARGV[2]} added: the record as stored (a repeat of the call answers with the first one's)
    {0}          not added: that id is already there, or it is the profile reference and its owner removed it
    {-4}         the owner already has ARGV[3] references
]]
local refs, removed = KEYS[1], KEYS[2]
local id, record, most, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if ARGV[5] == '1' and redis.call('EXISTS', removed) == 1 then return {0} end
if redis.call('HEXISTS', refs, id) == 1 then return {0} end
if redis.call('HLEN', refs) >= most then return {-4} end
redis.call('HSET', refs, id, record)
-- Using findme keeps a user's faces: every change renews them all.
redis.call('EXPIRE', refs, ttl)
if redis.call('EXISTS', removed) == 1 then redis.call('EXPIRE', removed, ttl) end
return {1, record}
