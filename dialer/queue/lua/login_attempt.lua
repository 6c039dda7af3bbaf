-- A sign-in attempt, counted before its password is checked: refused when the email has had too many
-- attempts in the window (or the address is past its much higher bar), else counted against both, all in
-- one step so that concurrent guesses cannot all slip past a limit they read before any of them counted.
-- Each counter's window starts with its first count (EXPIRE ... NX would do, but needs Redis 7).
-- KEYS: [1] ratelimit:login-email:<hash>  [2] ratelimit:login-addr:<address>
-- ARGV: [1] attempts allowed per email  [2] failures allowed per address (the hard bar)  [3] window seconds
-- Returns {1, email count, address count} when counted, {0, seconds until the limit lifts} when refused.
local email = tonumber(redis.call('GET', KEYS[1]) or '0')
local addr = tonumber(redis.call('GET', KEYS[2]) or '0')
if email >= tonumber(ARGV[1]) or addr >= tonumber(ARGV[2]) then
  local wait = 1
  for _, key in ipairs(KEYS) do
    local ttl = redis.call('TTL', key)
    if ttl > wait then wait = ttl end
  end
  return {0, wait}
end
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[3]) end
end
return {1, counts[1], counts[2]}
