-- A volunteer's call to a contact reached the voice webhook (preview mode) and passed the guardrails:
-- count the dial against the contact and record the attempt, or refuse it, in one step (twelve signed
-- requests for one contact at once must not all dial). Attempts (results) are counted by record.lua;
-- this bounds the dials themselves: at most ARGV[8] per contact overall and ARGV[9] within one batch
-- (a redial after a busy signal or a dropped line). A repeat of the same CallSid (Twilio retries the
-- webhook) counts nothing and dials the same call again.
-- A contact dialed as often as allowed overall has its attempts used up ({c}:tries raised to max_attempts):
-- a result for its last dial still counts, but once it leaves this list without one (skipped, handed back,
-- expired) the next claim finishes it instead of handing it out again, refused at every volunteer's page.
-- One call to a voter at a time: while the contact's latest dial (its `live_sid`) is not yet final, another
-- dial is refused (-2), whoever asks; a final callback that never comes (lost, or this server was down) holds
-- the voter only for a bound: ARGV[12] seconds while it has not been answered (it rings out by then), ARGV[13]
-- once answered (the carrier's own limit on a call's length).
-- KEYS: [1] {c}:contact:<cid>  [2] {c}:attempt:<call_sid>  [3] {c}:attempts (zset)
--       [4] {c}:lease_of (the batch holding the contact, if leased)  [5] {c}:tries
-- ARGV: [1] call_sid  [2] contact_id  [3] volunteer  [4] phone  [5] now  [6] attempt ttl seconds  [7] mode
--       [8] dials allowed per contact  [9] dials allowed per contact within one batch  [10] max_attempts
--       [11] key prefix "{c:<id>}:"  [12] seconds an unanswered dial may stay live  [13] same, answered
-- Returns 1 (dial: counted), 0 (dial: a repeat of this call), -1 (refused: dialed as often as allowed),
-- -2 (refused: another call to this voter is still live).
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
local c = redis.call('HMGET', KEYS[1], 'dials', 'dial_batch', 'batch_dials', 'live_sid')
if c[4] and c[4] ~= '' and c[4] ~= ARGV[1] then
  local live = redis.call('HMGET', ARGV[11] .. 'attempt:' .. c[4], 'rank', 'started_at', 'answered_at')
  local rank = tonumber(live[1] or '4') or 4
  local age = tonumber(ARGV[5]) - (tonumber(live[2] or '0') or 0)
  local bound = tonumber(ARGV[12])
  if live[3] or rank >= 3 then bound = tonumber(ARGV[13]) end
  if rank < 4 and age < bound then
    return -2
  end
end
local dials = tonumber(c[1] or '0')
local batch = redis.call('HGET', KEYS[4], ARGV[2]) or ''
if batch == 'pending' or batch == 'done' then batch = '' end -- not leased: in no batch
local in_batch = 0
if c[2] == batch then in_batch = tonumber(c[3] or '0') end
if dials >= tonumber(ARGV[8]) then
  if tonumber(redis.call('HGET', KEYS[5], ARGV[2]) or '0') < tonumber(ARGV[10]) then
    redis.call('HSET', KEYS[5], ARGV[2], ARGV[10])
  end
  return -1
end
if in_batch >= tonumber(ARGV[9]) then
  return -1
end
redis.call('HSET', KEYS[1], 'dials', dials + 1, 'dial_batch', batch, 'batch_dials', in_batch + 1,
  'live_sid', ARGV[1])
redis.call('HSET', KEYS[2], 'call_sid', ARGV[1], 'contact_id', ARGV[2], 'volunteer', ARGV[3],
  'phone', ARGV[4], 'started_at', ARGV[5], 'status', 'initiated', 'rank', '1', 'mode', ARGV[7])
redis.call('EXPIRE', KEYS[2], ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
return 1
