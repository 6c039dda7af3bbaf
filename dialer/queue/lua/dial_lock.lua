-- dial_lock: take or keep the campaign's pacer lock. Only the holder of the token extends it.
-- KEYS: [1] {c}:dial:lock
-- ARGV: [1] token  [2] expiry in milliseconds
-- Returns 1 when the caller holds the lock (now until the expiry), else 0.
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
