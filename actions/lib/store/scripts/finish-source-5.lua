--[[
  One source's search is over, finished (its count final) or failed (with its reason). Once every source the job
  asked for is over, the job's search is: its total is final and the job is comparing (done at once when every
  photo is already recorded), its note naming what each source left out; or, when every source failed, the job
  fails with their reasons.
  Input:
    KEYS[1..5] the job's five keys (see job-helpers.lua)
    ARGV[1]    now (ms)
    ARGV[2]    ttl (s)
    ARGV[3]    source
    ARGV[4]    'done' | 'failed'
    ARGV[5]    posts read
    ARGV[6]    note: why it read fewer posts than the hashtag has, or why it failed ('' for none)
  Output:
     1 recorded
     0 the source was already over (a redelivered event)
    -1 unknown job
    -2 job already finished
    -7 the job did not ask for this source
]]
--@include job-helpers
local job, expected = KEYS[1], KEYS[2]
local now, ttl, source, outcome, posts, note = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local status = redis.call('HGET', job, 'status')
if not status then return -1 end
if is_terminal(status) then return -2 end
local current = source_status(job, source)
if not current then return -7 end
if current == 'done' or current == 'failed' then return 0 end
local prefix = 'src:' .. source .. ':'
redis.call('HSET', job, prefix .. 'status', outcome, prefix .. 'posts', posts)
if note ~= '' then redis.call('HSET', job, prefix .. 'note', note) end
touch(job, now)
local sources = sources_of(job)
local notes, any_done = {}, false
for _, s in ipairs(sources) do
  local state = source_status(job, s)
  if state ~= 'done' and state ~= 'failed' then
    expire_job(ttl)
    return 1
  end
  if state == 'done' then any_done = true end
  local text = redis.call('HGET', job, 'src:' .. s .. ':note')
  if text then notes[#notes + 1] = #sources == 1 and text or (LABEL[s] or s) .. ': ' .. text end
end
local summary = table.concat(notes, '; ')
if any_done then
  redis.call('HSET', job, 'searchDone', '1', 'total', redis.call('SCARD', expected), 'status', 'comparing')
  if summary ~= '' then redis.call('HSET', job, 'searchNote', summary) end
  complete_if_finished(job)
else
  redis.call('HSET', job, 'status', 'failed', 'error', #sources == 1 and summary or 'every source failed: ' .. summary)
end
expire_job(ttl)
return 1
