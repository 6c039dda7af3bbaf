-- Create a user if the email is free: claim the email, write the user, index it. One step, no half-made user.
-- KEYS: [1] user-email:<email>  [2] user:<uid>  [3] users (zset)
-- ARGV: [1] uid  [2] now  [3..] user hash field/value pairs
if redis.call('SET', KEYS[1], ARGV[1], 'NX') == false then
  return 0
end
local fields = {}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], unpack(fields))
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
return 1
