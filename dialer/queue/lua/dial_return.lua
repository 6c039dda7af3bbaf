-- dial_return: contacts the pacer took but did not dial. 'return': a guardrail said not now (calling hours
-- closed meanwhile, the campaign paused) or the carrier refused the call: back to their pending sets at
-- their old due time. 'drop': the phone is on the do-not-call list: finished for good, never dialed.
-- KEYS: [1] {c}:counters
-- ARGV: [1] key prefix "{c:<id>}:"  [2] batch id  [3] return|drop  [4..] contact ids
-- Returns the number of contacts moved.
local P = ARGV[1]
local bid = ARGV[2]
local drop = ARGV[3] == 'drop'
local n = 0
for i = 4, #ARGV do
  local ck = P .. 'contact:' .. ARGV[i]
  if redis.call('HGET', P .. 'lease_of', ARGV[i]) == bid then -- leased, to this batch
    if drop then
      redis.call('HSET', P .. 'lease_of', ARGV[i], 'done')
      redis.call('HSET', ck, 'result', 'dnc')
    else
      local c = redis.call('HMGET', ck, 'tz', 'due')
      redis.call('HSET', P .. 'lease_of', ARGV[i], 'pending')
      redis.call('ZADD', P .. 'pending:' .. c[1], c[2], ARGV[i])
    end
    redis.call('SREM', P .. 'batch:' .. bid .. ':contacts', ARGV[i])
    n = n + 1
  end
end
if n > 0 then
  redis.call('HINCRBY', KEYS[1], 'leased', -n)
  redis.call('HINCRBY', KEYS[1], drop and 'completed' or 'pending', n)
end
return n
