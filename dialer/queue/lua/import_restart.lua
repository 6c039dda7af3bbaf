-- An import whose job stopped beating (its worker was killed) goes back to the queue, or fails after
-- too many tries. KEYS: the import's status hash, its alive key. ARGV: max restarts, the failure message.
-- Returns 1 when it should be queued again, 2 when it failed for good, 0 when it is not abandoned.
if redis.call('HGET', KEYS[1], 'status') ~= 'running' or redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
local restarts = redis.call('HINCRBY', KEYS[1], 'restarts', 1)
if restarts > tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'status', 'failed', 'error', ARGV[2])
  return 2
end
redis.call('HSET', KEYS[1], 'status', 'queued')
return 1
