-- dial_abandon: a voter answered and still waiting for a volunteer at their deadline is abandoned (the
-- pacer then plays the identification message and hangs up). Only the first caller wins.
-- KEYS: [1] {c}:dial:line:<sid>  [2] {c}:dial:waiting  [3] {c}:dial:counters
-- ARGV: [1] call sid  [2] now
-- Returns {'abandoned', contact id, batch} | {'no'}
local deadline = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not deadline or tonumber(deadline) > tonumber(ARGV[2]) then return {'no'} end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[3], 'abandoned', 1)
-- ... and in the abandonment cap's period of the answer (dial_event.lua keeps it on the line); a line
-- answered before the campaign had periods counts in the current one (dialer/abandon_periods.py).
local p = redis.call('HGET', KEYS[1], 'period')
local start = tonumber(redis.call('HGET', KEYS[3], 'period_start') or '')
if not p and start then p = 'p' .. math.max(0, math.floor((tonumber(ARGV[2]) - start) / 2592000)) .. ':' end
if p then redis.call('HINCRBY', KEYS[3], p .. 'abandoned', 1) end
redis.call('HSET', KEYS[1], 'state', 'abandoned', 'abandoned_at', ARGV[2])
local line = redis.call('HMGET', KEYS[1], 'contact_id', 'batch')
return {'abandoned', line[1] or '', line[2] or ''}
