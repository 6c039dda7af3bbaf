-- The carrier refused (or never answered) a voter call that dial_start.lua counted under our own dial id:
-- give the dial back, so a carrier outage does not use up a contact's dials, and forget the attempt.
-- KEYS: [1] {c}:contact:<cid>  [2] {c}:attempt:<dial id>  [3] {c}:attempts (zset)
-- ARGV: [1] dial id
-- Returns 1 (given back), 0 (no such dial).
if redis.call('DEL', KEYS[2]) == 0 then
  return 0
end
redis.call('ZREM', KEYS[3], ARGV[1])
local c = redis.call('HMGET', KEYS[1], 'dials', 'batch_dials')
if tonumber(c[1] or '0') > 0 then redis.call('HINCRBY', KEYS[1], 'dials', -1) end
if tonumber(c[2] or '0') > 0 then redis.call('HINCRBY', KEYS[1], 'batch_dials', -1) end
return 1
