-- skip: the holder hands one contact of their batch back to the queue without calling it (no attempt is
-- counted); at most `limit` per batch, so a list cannot be cherry-picked.
-- KEYS: [1] {c}:batch:<bid>  [2] {c}:contact:<cid>  [3] {c}:counters
-- ARGV: [1] key prefix "{c:<id>}:"  [2] batch id  [3] volunteer  [4] contact id  [5] now  [6] limit
-- Returns {"ok", skips left} or {"error", "not_found" | "not_holder" | "lease_expired" | "not_in_batch" |
-- "already_completed" | "skip_limit"}.
local P = ARGV[1]
local bid = ARGV[2]
local cid = ARGV[4]
local b = redis.call('HMGET', KEYS[1], 'volunteer', 'state', 'expires_at', 'skips')
if not b[1] then return {'error', 'not_found'} end
if b[1] ~= ARGV[3] then return {'error', 'not_holder'} end
if b[2] ~= 'open' or tonumber(b[3]) <= tonumber(ARGV[5]) then return {'error', 'lease_expired'} end
if redis.call('SISMEMBER', KEYS[1] .. ':contacts', cid) == 0 then return {'error', 'not_in_batch'} end
if redis.call('SISMEMBER', KEYS[1] .. ':done', cid) == 1 then return {'error', 'already_completed'} end
if redis.call('HGET', P .. 'lease_of', cid) ~= bid then return {'error', 'not_in_batch'} end -- not leased to it
local tz = redis.call('HGET', KEYS[2], 'tz')
local used = tonumber(b[4] or '0')
if used >= tonumber(ARGV[6]) then return {'error', 'skip_limit'} end
redis.call('HSET', KEYS[1], 'skips', used + 1)
redis.call('SREM', KEYS[1] .. ':contacts', cid)
redis.call('HSET', P .. 'lease_of', cid, 'pending')
redis.call('ZADD', P .. 'pending:' .. tz, ARGV[5], cid) -- behind the contacts already due
redis.call('HINCRBY', KEYS[3], 'leased', -1)
redis.call('HINCRBY', KEYS[3], 'pending', 1)
redis.call('HINCRBY', KEYS[3], 'skipped', 1)
redis.call('PUBLISH', P .. 'events', '{"type":"skip"}')
return {'ok', tonumber(ARGV[6]) - used - 1}
