-- Apply one carrier callback to a call attempt: once per callback, and the status only moves forward.
-- Callbacks arrive out of order and are retried; a repeated one (same dedupe key) changes nothing, and an
-- older status than the one known is kept as a seen callback but does not move the attempt back.
-- KEYS: [1] attempt:<attempt sid>  [2] attempts (zset)  [3] {c}:daily:<day> (the volunteers' numbers today)
-- ARGV: [1] attempt sid  [2] dedupe key  [3] status ('' for an AMD verdict)  [4] status rank  [5] now
--       [6] duration ('' if none)  [7] answered_by ('' if none)  [8] leg sid  [9] contact_id from the URL
--       [10] channel to publish progress on  [11] ttl seconds  [12] '1' to count talk time in KEYS[3]
-- Returns: {'duplicate'} | {'stale', status} | {'applied', status, volunteer, contact_id, answered_by}
local key = KEYS[1]
if redis.call('HSETNX', key, 'cb:' .. ARGV[2], ARGV[5]) == 0 then
  return {'duplicate'}
end
if redis.call('HEXISTS', key, 'started_at') == 0 then
  -- A callback for an attempt we did not see start (e.g. its start was lost): keep what it tells.
  redis.call('HSET', key, 'call_sid', ARGV[1], 'started_at', ARGV[5], 'contact_id', ARGV[9], 'rank', '-1')
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
end
redis.call('EXPIRE', key, ARGV[11])
local changed = false
local status = redis.call('HGET', key, 'status') or ''
if ARGV[3] ~= '' then
  local rank = tonumber(redis.call('HGET', key, 'rank') or '-1')
  if tonumber(ARGV[4]) > rank then
    status = ARGV[3]
    redis.call('HSET', key, 'status', status, 'rank', ARGV[4])
    if status == 'in-progress' then redis.call('HSET', key, 'answered_at', ARGV[5]) end
    if tonumber(ARGV[4]) >= 4 then
      redis.call('HSET', key, 'ended_at', ARGV[5])
      local answered, who = unpack(redis.call('HMGET', key, 'answered_at', 'volunteer'))
      if ARGV[12] == '1' and answered and who and who ~= '' then
        -- The conversation's length, for the volunteer's talk time today on the organizers' roster.
        redis.call('HINCRBYFLOAT', KEYS[3], 'talk:' .. who, math.max(0, tonumber(ARGV[5]) - tonumber(answered)))
        redis.call('EXPIRE', KEYS[3], 3 * 86400)
      end
    end
    changed = true
  elseif tonumber(ARGV[4]) == 1 and rank == 1 and ARGV[3] == status
      and redis.call('HSETNX', key, 'heard_initiated', ARGV[5]) == 1 then
    -- Starting the dial stored 'initiated' before the carrier said it: the carrier's own first report
    -- of it changes nothing stored, but it is progress the volunteer's page is told of (API.md).
    changed = true
  end
end
if ARGV[6] ~= '' then redis.call('HSET', key, 'duration', ARGV[6]) end
if ARGV[7] ~= '' and redis.call('HEXISTS', key, 'answered_by') == 0 then
  redis.call('HSET', key, 'answered_by', ARGV[7])
  changed = true
end
if ARGV[8] ~= '' and ARGV[8] ~= ARGV[1] then redis.call('HSET', key, 'leg_sid', ARGV[8]) end
if not changed then
  return {'stale', status}
end
local volunteer = redis.call('HGET', key, 'volunteer') or ''
local contact = redis.call('HGET', key, 'contact_id') or ARGV[9]
local answered_by = redis.call('HGET', key, 'answered_by') or ''
redis.call('PUBLISH', ARGV[10], cjson.encode({
  type = 'call_status', volunteer = volunteer, contact_id = contact, status = status,
  call_sid = ARGV[1], answered_by = answered_by}))
return {'applied', status, volunteer, contact, answered_by}
