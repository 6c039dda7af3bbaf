-- A voter call placed into a volunteer's phone leg (preview) was accepted by the carrier: the attempt that
-- dial_start.lua counted under our own dial id moves to the carrier's CallSid, which the status callbacks,
-- the result, "hang up" and "Leave voicemail" name. A callback that came first (it created the CallSid's
-- record without a volunteer) keeps what it said; the dial's facts are added to it.
-- KEYS: [1] {c}:attempt:<dial id>  [2] {c}:attempt:<CallSid>  [3] {c}:attempts (zset)
--       [4] {c}:session:<volunteer>:call:<cid>  [5] {c}:phoneleg:<volunteer>:call  [6] {c}:contact:<cid>
-- ARGV: [1] dial id  [2] CallSid  [3] attempt ttl seconds  [4] ttl of the two call pointers
-- Returns 1 (attached), 0 (no such dial: attached before, or given back).
local row = redis.call('HGETALL', KEYS[1])
if #row == 0 then
  return 0
end
local fields = {}
for i = 1, #row, 2 do fields[row[i]] = row[i + 1] end
local fresh = redis.call('EXISTS', KEYS[2]) == 0
for _, name in ipairs({'contact_id', 'volunteer', 'phone', 'mode'}) do
  redis.call('HSET', KEYS[2], name, fields[name] or '')
end
redis.call('HSET', KEYS[2], 'call_sid', ARGV[2], 'leg_sid', ARGV[2])
if fresh then
  redis.call('HSET', KEYS[2], 'started_at', fields['started_at'], 'status', 'initiated', 'rank', '1')
elseif tonumber(redis.call('HGET', KEYS[2], 'rank') or '-1') < 1 then
  redis.call('HSET', KEYS[2], 'status', 'initiated', 'rank', '1')
end
redis.call('EXPIRE', KEYS[2], ARGV[3])
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZADD', KEYS[3], fields['started_at'], ARGV[2])
redis.call('SET', KEYS[4], ARGV[2], 'EX', ARGV[4])
redis.call('SET', KEYS[5], ARGV[2], 'EX', ARGV[4])
-- The voter's live call (dial_start.lua refuses another until it is final) is now known by the CallSid.
if redis.call('HGET', KEYS[6], 'live_sid') == ARGV[1] then
  redis.call('HSET', KEYS[6], 'live_sid', ARGV[2])
end
return 1
