-- reap: close batches whose lease deadline has passed; their contacts without a result go back to the
-- pending set of their time zone (at their old due time, so they are called first).
-- KEYS: [1] {c}:leases  [2] {c}:counters
-- ARGV: [1] key prefix "{c:<id>}:"  [2] now  [3] at most this many batches  [4] closed-batch TTL seconds
-- Returns {batches closed, contacts requeued}.
local P = ARGV[1]
local ttl = tonumber(ARGV[4])
local batches, contacts = 0, 0
for _, bid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))) do
  local bk = P .. 'batch:' .. bid
  for _, cid in ipairs(redis.call('SMEMBERS', bk .. ':contacts')) do
    if redis.call('HGET', P .. 'lease_of', cid) == bid then
      local c = redis.call('HMGET', P .. 'contact:' .. cid, 'tz', 'due')
      redis.call('HSET', P .. 'lease_of', cid, 'pending')
      redis.call('ZADD', P .. 'pending:' .. c[1], c[2], cid)
      contacts = contacts + 1
    end
  end
  redis.call('ZREM', KEYS[1], bid)
  local holder = redis.call('HGET', bk, 'volunteer')
  if holder and redis.call('GET', P .. 'holder:' .. holder) == bid then
    redis.call('DEL', P .. 'holder:' .. holder)
  end
  redis.call('HSET', bk, 'state', 'closed')
  redis.call('EXPIRE', bk, ttl)
  redis.call('EXPIRE', bk .. ':contacts', ttl)
  redis.call('EXPIRE', bk .. ':done', ttl)
  batches = batches + 1
end
if contacts > 0 then
  redis.call('HINCRBY', KEYS[2], 'leased', -contacts)
  redis.call('HINCRBY', KEYS[2], 'pending', contacts)
end
if batches > 0 then redis.call('PUBLISH', P .. 'events', '{"type":"reap"}') end
return {batches, contacts}
