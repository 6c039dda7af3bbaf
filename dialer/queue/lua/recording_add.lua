-- Keep a finished call recording's metadata once (Twilio retries its callback): the recording, the
-- campaign's expiry index and the contact's list, together.
-- KEYS: 1 recording hash, 2 campaign recordings zset (by expiry), 3 contact recordings set
-- ARGV: 1 RecordingSid, 2 expires_at, 3.. field, value pairs
-- Returns 1 when kept, 0 when it was already kept.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local fields = {}
for i = 3, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return 1
