--[[
  Helpers shared by the job scripts; each script includes this file once with a `--@include job-helpers` line,
  which the script loader (index.ts) expands. A script that writes a job takes the job's five keys, in this order
  (JobStore.jobKeys): KEYS[1] job hash, KEYS[2] expected-photos set, KEYS[3] recorded-photos set, KEYS[4] matches
  list, KEYS[5] failures list. The delivery scripts take two more: KEYS[6] the job's batches hash, KEYS[7] the
  due-batches sorted set shared by all jobs.
]]

-- TERMINAL (status -> true) is written by the loader from types.ts's TERMINAL_STATUSES: one list for both languages.
local function is_terminal(status)
  return TERMINAL[status] == true
end

-- A job is done exactly when its search has finished and every photo found is processed or failed.
local function complete_if_finished(job)
  local h = redis.call('HMGET', job, 'searchDone', 'total', 'processed', 'failed')
  if h[1] == '1' and tonumber(h[3]) + tonumber(h[4]) >= tonumber(h[2]) then
    redis.call('HSET', job, 'status', 'done')
  end
end

local function touch(job, now)
  local updated = tonumber(redis.call('HGET', job, 'updated') or '0')
  if now > updated then redis.call('HSET', job, 'updated', now) end
end

-- Every write moves all of a job's keys to the same expiry, so none outlives the others (a status saying
-- "3 matched" beside an expired matches list). A key not created yet gets the TTL when it is. last: the last
-- KEYS index that belongs to the job (a script may also take keys shared by all jobs, which must not expire).
local function expire_job(ttl, last)
  for i = 1, (last or #KEYS) do redis.call('EXPIRE', KEYS[i], ttl) end
end

-- A job's sources, as register_search recorded them ("x,mastodon"); a job from before sources were recorded
-- searched X only. LABEL (source -> name people read) is written by the loader from types.ts's SOURCE_LABELS.
local function sources_of(job)
  local list = {}
  for source in string.gmatch(redis.call('HGET', job, 'sources') or 'x', '[^,]+') do list[#list + 1] = source end
  return list
end

-- One source's state: pending | searching | done | failed, or nil when the job did not ask for it. A job from
-- before sources were recorded has no such field: its X search is pending while the job is queued.
local function source_status(job, source)
  local recorded = redis.call('HGET', job, 'src:' .. source .. ':status')
  if recorded then return recorded end
  if redis.call('HEXISTS', job, 'sources') == 1 or source ~= 'x' then return nil end
  local status = redis.call('HGET', job, 'status')
  if status == 'queued' then return 'pending' end
  return redis.call('HGET', job, 'searchDone') == '1' and 'done' or 'searching'
end
