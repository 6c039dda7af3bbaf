-- Count one failure in a fixed window: the first failure starts the window's expiry.
-- (EXPIRE ... NX would do, but it needs Redis 7 and the embedded server is 6.2.)
-- KEYS: [1] the counter
-- ARGV: [1] window seconds
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
