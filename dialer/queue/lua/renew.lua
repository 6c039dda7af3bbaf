-- renew: extend the lease of an open batch (ZADD XX: an expired, reaped batch is never revived); with
-- ARGV[5] = "shorten", only ever bring its deadline closer (a page left: hand the batch back soon unless
-- the same volunteer comes back, as a reload does, within the grace).
-- KEYS: [1] {c}:leases  [2] {c}:batch:<bid>
-- ARGV: [1] batch id  [2] volunteer  [3] new deadline  [4] now  [5] "shorten" or absent
-- Returns {"ok", expires_at} or {"error", "lease_expired" | "not_holder"}.
local holder = redis.call('HGET', KEYS[2], 'volunteer')
if not holder then return {'error', 'lease_expired'} end
if holder ~= ARGV[2] then return {'error', 'not_holder'} end
local deadline = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not deadline or tonumber(deadline) <= tonumber(ARGV[4]) then return {'error', 'lease_expired'} end
if ARGV[5] == 'shorten' then
  if tonumber(ARGV[3]) >= tonumber(deadline) then return {'ok', deadline} end
end
redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
redis.call('HSET', KEYS[2], 'expires_at', ARGV[3])
return {'ok', ARGV[3]}
