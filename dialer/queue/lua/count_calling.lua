-- count_calling (read only): power and predictive stats' "volunteers with a list": the people holding a
-- live list who are still taking calls. A list held for someone who left the pool (away) or went quiet
-- (ready or wrapping up with no sign of life for ARGV[4] seconds) is not counted; neither is the server's
-- own batch. A holder never in the pool (a list taken through the API) is. Each holder counts once.
-- KEYS: [1] {c}:leases
-- ARGV: [1] key prefix "{c:<id>}:"  [2] now  [3] the server's pseudo-volunteer  [4] the pool's timeout
-- Returns the count.
local P = ARGV[1]
local now, timeout = tonumber(ARGV[2]), tonumber(ARGV[4])
local seen_holders = {}
local count = 0
for _, b in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[2], '+inf')) do
  local v = redis.call('HGET', P .. 'batch:' .. b, 'volunteer')
  if v and v ~= ARGV[3] and not seen_holders[v] then
    seen_holders[v] = true
    local a = redis.call('HMGET', P .. 'dial:agent:' .. v, 'state', 'since', 'seen')
    local state = a[1]
    local alive = math.max(tonumber(a[2]) or 0, tonumber(a[3]) or 0) >= now - timeout
    if not state or state == 'talking' or (state ~= 'away' and alive) then count = count + 1 end
  end
end
return count
