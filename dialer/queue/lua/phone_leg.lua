-- Move a volunteer's "call me" phone leg forward (web/call_me.py): only the leg now on record, and only to a
-- later state, so replayed, late or forged-but-signed callbacks about another leg change nothing.
-- KEYS: [1] phoneleg:<volunteer> (hash)
-- ARGV: [1] call_sid  [2] state  [3] rank  [4] now
-- Returns the state it was in before when it moved, else false.
local sid = redis.call('HGET', KEYS[1], 'call_sid')
if sid ~= ARGV[1] then
  return false
end
local rank = tonumber(redis.call('HGET', KEYS[1], 'rank') or '-1')
if tonumber(ARGV[3]) <= rank then
  return false
end
local before = redis.call('HGET', KEYS[1], 'state') or ''
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'rank', ARGV[3], 'since', ARGV[4])
return before
