--[[
  Wraps a script that is not idempotent by construction so that it runs once per call token (store/call.ts):
  the caller appends the token's key to KEYS and a TTL (s) to ARGV. A repeat of the call (its reply lost on a
  dropped connection, then sent again) gets the reply the first run stored, and changes nothing; the script
  itself sees KEYS and ARGV without the two. The check, the script and the stored reply are one atomic step.
]]
local once_key = table.remove(KEYS)
local once_ttl = tonumber(table.remove(ARGV))
local stored = redis.call('GET', once_key)
if stored then return cjson.decode(stored) end
local function body()
--@body
end
local reply = body()
redis.call('SET', once_key, cjson.encode(reply), 'EX', once_ttl)
return reply
