-- dial_lock: take, keep or give up the campaign's pacer lock. Only the holder of the token extends or
-- releases it; anyone may take it once it has expired.
-- KEYS: [1] {c}:dial:lock
-- ARGV: [1] token  [2] expiry in milliseconds, or 0 to release
-- Returns 1 when the caller holds the lock (now until the expiry) or released it, else 0.
local holder = redis.call('GET', KEYS[1])
if ARGV[2] == '0' then
  if holder == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
  return 0
end
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
