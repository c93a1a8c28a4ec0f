--[[
  Marks a job that has not finished as alive (a search waiting out a rate limit is not stalled) and adds any
  hosts given to the job's `imageHosts` (comma-separated, each once): hosts a source's photos of this job may be
  downloaded from besides FINDME_IMAGE_HOSTS (a Mastodon instance's media host).
  Input:
    KEYS[1]  job hash
    ARGV[1]  now (ms)
    ARGV[2..] hosts to add (lower case, host or host:port; none: only touched)
  Output:
     1 touched
    -1 unknown job
    -2 job already finished
]]
--@include job-helpers
local job = KEYS[1]
local status = redis.call('HGET', job, 'status')
if not status then return -1 end
if is_terminal(status) then return -2 end
touch(job, tonumber(ARGV[1]))
if #ARGV >= 2 then
  local hosts, known = {}, {}
  for host in string.gmatch(redis.call('HGET', job, 'imageHosts') or '', '[^,]+') do
    hosts[#hosts + 1] = host
    known[host] = true
  end
  for i = 2, #ARGV do
    if not known[ARGV[i]] then
      hosts[#hosts + 1] = ARGV[i]
      known[ARGV[i]] = true
    end
  end
  redis.call('HSET', job, 'imageHosts', table.concat(hosts, ','))
end
return 1
