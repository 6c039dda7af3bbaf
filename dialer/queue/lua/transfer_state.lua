-- transfer_state: a warm transfer's state, changed only as the caller expects it to be, so that repeated,
-- late and out-of-order staff-leg callbacks change nothing.
-- KEYS: [1] {c}:transfer:<voter sid>
-- ARGV: [1] op "claim" | "fill" | "advance" | "release"
--   claim:   [2] ttl seconds, then field/value pairs: start the transfer unless one exists (a voter is
--            handed on once); returns 1, or 0 with nothing changed
--   fill:    [2] staff leg sid [3] conference sid: the placed staff leg, while still ringing and unfilled
--   advance: [2] staff leg sid [3] from status [4] to status: move only from `from`, for that staff leg
--   release: [2] staff leg sid ('' = not yet placed): drop a ringing transfer whose staff leg failed to place
-- Returns 1 when something changed, else 0.
local op = ARGV[1]
if op == 'claim' then
  if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
  local pairs = {}
  for i = 3, #ARGV do pairs[#pairs + 1] = ARGV[i] end
  redis.call('HSET', KEYS[1], unpack(pairs))
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
local t = redis.call('HMGET', KEYS[1], 'status', 'staff_sid')
if not t[1] then return 0 end
if op == 'fill' then
  if t[1] ~= 'ringing' or t[2] ~= '' then return 0 end
  redis.call('HSET', KEYS[1], 'staff_sid', ARGV[2], 'conference_sid', ARGV[3])
  return 1
elseif op == 'advance' then
  if t[1] ~= ARGV[3] or t[2] ~= ARGV[2] or ARGV[2] == '' then return 0 end
  redis.call('HSET', KEYS[1], 'status', ARGV[4])
  return 1
elseif op == 'release' then
  if t[1] ~= 'ringing' or t[2] ~= ARGV[2] then return 0 end
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
