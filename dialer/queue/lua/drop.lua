-- drop: take contacts whose phone is on the do-not-call list out of a batch for good. The list is
-- organization-wide (one key outside the campaign's slot), so claim.lua cannot read it on Redis Cluster;
-- lease.py checks the claimed phones with SMISMEMBER and calls this for the listed ones.
-- KEYS: [1] {c}:counters  [2] {c}:batch:<bid>:contacts
-- ARGV: [1] key prefix "{c:<id>}:"  [2] batch id  [3..] contact ids
-- Returns the number of contacts dropped.
local P = ARGV[1]
local n = 0
for i = 3, #ARGV do
  local ck = P .. 'contact:' .. ARGV[i]
  if redis.call('HGET', ck, 'batch') == ARGV[2] then
    redis.call('HSET', ck, 'status', 'done', 'batch', '', 'result', 'dnc')
    redis.call('SREM', KEYS[2], ARGV[i])
    n = n + 1
  end
end
if n > 0 then
  redis.call('HINCRBY', KEYS[1], 'leased', -n)
  redis.call('HINCRBY', KEYS[1], 'completed', n)
end
return n
