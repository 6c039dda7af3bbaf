-- dial_return: contacts the pacer took but did not dial (a guardrail said no at dial time, or the carrier
-- refused the call) go back to their pending sets at their old due time.
-- KEYS: [1] {c}:counters
-- ARGV: [1] key prefix "{c:<id>}:"  [2] batch id  [3..] contact ids
-- Returns the number of contacts returned.
local P = ARGV[1]
local bid = ARGV[2]
local n = 0
for i = 3, #ARGV do
  local ck = P .. 'contact:' .. ARGV[i]
  local c = redis.call('HMGET', ck, 'batch', 'tz', 'due', 'status')
  if c[1] == bid and c[4] == 'leased' then
    redis.call('HSET', ck, 'status', 'pending', 'batch', '')
    redis.call('ZADD', P .. 'pending:' .. c[2], c[3], ARGV[i])
    redis.call('SREM', P .. 'batch:' .. bid .. ':contacts', ARGV[i])
    n = n + 1
  end
end
if n > 0 then
  redis.call('HINCRBY', KEYS[1], 'leased', -n)
  redis.call('HINCRBY', KEYS[1], 'pending', n)
end
return n
