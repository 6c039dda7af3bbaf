-- After a counted sign-in attempt: a success clears the email's count and takes the attempt back from
-- the address's (successes are not limited per address); an attempt that was never checked (the server
-- was too busy to hash) is taken back from both. A failure stays counted and does not come here.
-- KEYS: [1] ratelimit:login-email:<hash>  [2] ratelimit:login-addr:<address>
-- ARGV: [1] "success" | "unchecked"
if ARGV[1] == 'success' then
  redis.call('DEL', KEYS[1])
end
local first = ARGV[1] == 'success' and 2 or 1
for i = first, 2 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 1
