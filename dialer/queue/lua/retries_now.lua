-- retries_now: make contacts waiting for a retry in one zone callable at once (an organizer's "Call retries
-- now" at the end of a call day). Call-backs keep the time the voter asked for; attempts are not touched,
-- so the attempt limit still holds.
-- KEYS: [1] {c}:pending:<tz>
-- ARGV: [1] key prefix "{c:<id>}:"  [2] now  [3] zone  [4..] contact ids read from KEYS[1] with due > now
-- Returns the number of contacts made due.
local P = ARGV[1]
local now = tonumber(ARGV[2])
local made = 0
for i = 4, #ARGV do
  local cid = ARGV[i]
  local ck = P .. 'contact:' .. cid
  local c = redis.call('HMGET', ck, 'due', 'result', 'tz')
  if redis.call('HGET', P .. 'lease_of', cid) == 'pending' and c[3] == ARGV[3] and c[2] ~= 'call_back'
      and tonumber(c[1] or '0') > now
      and redis.call('ZSCORE', KEYS[1], cid) then
    redis.call('ZADD', KEYS[1], now, cid)
    redis.call('HSET', ck, 'due', ARGV[2])
    made = made + 1
  end
end
if made > 0 then
  redis.call('PUBLISH', P .. 'events', '{"type":"retries_due"}') -- dashboards refresh
end
return made
