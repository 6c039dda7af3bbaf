-- A sign-in attempt, counted before its password is checked: refused when the email has had too many
-- attempts from this address in the window, or from everywhere (a much higher bar), or the address is past
-- its much higher bar; else counted against all three, in one step so that concurrent guesses cannot all
-- slip past a limit they read before any of them counted.
-- Each counter's window starts with its first count (EXPIRE ... NX would do, but needs Redis 7).
-- KEYS: [1] ratelimit:login-pair:<hash of email and address>  [2] ratelimit:login-email:<hash>
--       [3] ratelimit:login-addr:<address>
-- ARGV: [1] attempts allowed per email and address  [2] attempts allowed per email
--       [3] failures allowed per address (the hard bar)  [4] window seconds
-- Returns {1, pair count, email count, address count} when counted, {0, seconds until the limit lifts}
-- when refused.
local over = false
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[i]) then over = true end
end
if over then
  local wait = 1
  for i, key in ipairs(KEYS) do
    local ttl = redis.call('TTL', key)
    if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[i]) and ttl > wait then wait = ttl end
  end
  return {0, wait}
end
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCR', key)
  if counts[i] == 1 then redis.call('EXPIRE', key, ARGV[4]) end
end
return {1, counts[1], counts[2], counts[3]}
