-- A recorded call's next step, only in order: the disclosure first, then (once) the recording's start.
-- KEYS: 1 the call's recording steps hash
-- ARGV: 1 step ("disclosed" | "started"), 2 now, 3 TTL seconds
-- Returns 1 when the step is taken now, 0 when it was already taken, -1 when it would come too early
-- (recording before the disclosure).
if ARGV[1] == 'disclosed' then
  local set = redis.call('HSETNX', KEYS[1], 'disclosed_at', ARGV[2])
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  return set
end
if redis.call('HEXISTS', KEYS[1], 'disclosed_at') == 0 then
  return -1
end
return redis.call('HSETNX', KEYS[1], 'started_at', ARGV[2])
