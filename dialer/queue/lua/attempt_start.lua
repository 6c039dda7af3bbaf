-- Record a call attempt when it starts (the browser's call reached /twilio/voice, or the pacer placed one).
-- Idempotent: Twilio retries webhooks, and a repeated start changes nothing.
-- KEYS: [1] attempt:<call_sid>  [2] attempts (zset)
-- ARGV: [1] call_sid  [2] contact_id  [3] volunteer  [4] phone  [5] now  [6] ttl seconds  [7] mode
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'call_sid', ARGV[1], 'contact_id', ARGV[2], 'volunteer', ARGV[3],
  'phone', ARGV[4], 'started_at', ARGV[5], 'status', 'initiated', 'rank', '1', 'mode', ARGV[7])
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
return 1
