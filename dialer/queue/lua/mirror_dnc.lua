-- mirror_dnc: copy into a campaign's do-not-call mirror those of the given phones that the campaign has,
-- so claim.lua can check the list without leaving the campaign's slot. A contact of those phones still
-- waiting to be called (pending) is finished on the spot, as claim.lua would finish it when it came up:
-- out of its zone's pending set, result `dnc`, counted completed, so "still to call" drops at once.
-- A contact in a volunteer's batch is left to the batch (claim.lua drops it when the batch is asked for
-- again; the volunteer's result, if any, still counts).
-- KEYS: [1] {c}:phones  [2] {c}:dnc  [3] {c}:lease_of  [4] {c}:counters  [5] {c}:reserved
-- ARGV: [1] key prefix "{c:<id>}:"  [2..] E.164 phones just added to the organization's list
-- Returns how many were new to the mirror.
local P = ARGV[1]
local n, finished = 0, 0
for i = 2, #ARGV do
  local cid = redis.call('HGET', KEYS[1], ARGV[i])
  if cid then
    n = n + redis.call('SADD', KEYS[2], ARGV[i])
    if redis.call('HGET', KEYS[3], cid) == 'pending' then
      local ck = P .. 'contact:' .. cid
      redis.call('ZREM', P .. 'pending:' .. (redis.call('HGET', ck, 'tz') or ''), cid)
      redis.call('HSET', KEYS[3], cid, 'done')
      redis.call('HSET', ck, 'result', 'dnc')
      redis.call('HDEL', KEYS[5], cid)
      finished = finished + 1
    end
  end
end
if finished > 0 then
  redis.call('HINCRBY', KEYS[4], 'pending', -finished)
  redis.call('HINCRBY', KEYS[4], 'completed', finished)
  redis.call('PUBLISH', P .. 'events', '{"type":"batch"}') -- pending/completed moved: dashboards refresh
end
return n
