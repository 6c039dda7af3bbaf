-- lease_pending: drops from a zone's pending set the entries whose contact is not `pending` in {c}:lease_of
-- (leased, done or unknown), among the entries of ranks start .. start + count - 1. Run once per pending set
-- by lease_layout.py over stores written before claim.lua stopped reading lease_of for the contacts it
-- takes from a pending set (every script now keeps the set to pending contacts by itself).
-- KEYS: [1] {c}:pending:<tz>  [2] {c}:lease_of
-- ARGV: [1] start rank  [2] count
-- Returns {entries read, entries dropped}.
local found = redis.call('ZRANGE', KEYS[1], ARGV[1], tonumber(ARGV[1]) + tonumber(ARGV[2]) - 1)
if #found == 0 then return {0, 0} end
local states = redis.call('HMGET', KEYS[2], unpack(found))
local stale = {}
for j, cid in ipairs(found) do
  if states[j] ~= 'pending' then stale[#stale + 1] = cid end
end
if #stale > 0 then redis.call('ZREM', KEYS[1], unpack(stale)) end
return {#found, #stale}
