-- release: the holder gives the batch back; contacts not yet called return to the queue at once and
-- leave the batch (a result for them through this batch is then refused as not_in_batch).
-- KEYS: [1] {c}:leases  [2] {c}:batch:<bid>  [3] {c}:counters
-- ARGV: [1] key prefix "{c:<id>}:"  [2] batch id  [3] volunteer  [4] closed-batch TTL seconds
-- Returns {"ok", released} or {"error", "not_found" | "not_holder"}.
local P = ARGV[1]
local bid = ARGV[2]
local holder = redis.call('HGET', KEYS[2], 'volunteer')
if not holder then return {'error', 'not_found'} end
if holder ~= ARGV[3] then return {'error', 'not_holder'} end
if redis.call('HGET', KEYS[2], 'state') ~= 'open' then return {'ok', 0} end
local ck_set = KEYS[2] .. ':contacts'
local n = 0
for _, cid in ipairs(redis.call('SMEMBERS', ck_set)) do
  if redis.call('HGET', P .. 'lease_of', cid) == bid then
    local c = redis.call('HMGET', P .. 'contact:' .. cid, 'tz', 'due')
    redis.call('HSET', P .. 'lease_of', cid, 'pending')
    redis.call('ZADD', P .. 'pending:' .. c[1], c[2], cid)
    redis.call('SREM', ck_set, cid)
    n = n + 1
  end
end
if n > 0 then
  redis.call('HINCRBY', KEYS[3], 'leased', -n)
  redis.call('HINCRBY', KEYS[3], 'pending', n)
end
redis.call('ZREM', KEYS[1], bid)
if redis.call('GET', P .. 'holder:' .. holder) == bid then redis.call('DEL', P .. 'holder:' .. holder) end
local ttl = tonumber(ARGV[4])
redis.call('HSET', KEYS[2], 'state', 'closed')
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('EXPIRE', ck_set, ttl)
redis.call('EXPIRE', KEYS[2] .. ':done', ttl)
redis.call('PUBLISH', P .. 'events', '{"type":"release"}')
return {'ok', n}
