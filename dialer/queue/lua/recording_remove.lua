-- Forget a call recording: its metadata, and its entries in the campaign's and the contact's indexes.
-- KEYS: 1 recording hash, 2 campaign recordings zset, 3 contact recordings set
-- ARGV: 1 RecordingSid
-- Returns 1 when it was there.
local existed = redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
return existed
