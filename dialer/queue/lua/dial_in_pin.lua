-- Issue a volunteer's dial-in PIN (web/dial_in.py): the new PIN is theirs, their previous one stops working.
-- KEYS: [1] dialin:of:<volunteer>  [2] dialin:pin:<new pin>
-- ARGV: [1] the PIN keys' prefix ({c:<id>}:dialin:pin:)  [2] the new PIN  [3] its record  [4] ttl seconds
-- Returns 0 when the new PIN is taken (another volunteer's: draw again), else 1.
if redis.call('EXISTS', KEYS[2]) == 1 then
  return 0
end
local old = redis.call('GET', KEYS[1])
if old then
  redis.call('DEL', ARGV[1] .. old)
end
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[4])
return 1
