-- After a counted sign-in attempt: a success clears the email and address's count and takes the attempt
-- back from the email's and the address's (successes are not limited); an attempt that was never checked
-- (the server was too busy to hash) is taken back from all three. A failure stays counted and does not
-- come here.
-- KEYS: [1] ratelimit:login-pair:<hash>  [2] ratelimit:login-email:<hash>  [3] ratelimit:login-addr:<address>
-- ARGV: [1] "success" | "unchecked"
local first = 1
if ARGV[1] == 'success' then
  redis.call('DEL', KEYS[1])
  first = 2
end
for i = first, 3 do
  if tonumber(redis.call('GET', KEYS[i]) or '0') > 0 then redis.call('DECR', KEYS[i]) end
end
return 1
