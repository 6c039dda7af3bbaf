-- roster: one volunteer's entry on the organizers' roster (dialer/roster.py), changed by their call socket.
-- Ops: join (a page opened: counts its sockets), state, hand, seen (a sign of life), leave (a page closed:
-- the entry goes with the volunteer's last socket). Entries not seen since `stale` are dropped on the way
-- (a web process that died cannot say its sockets closed). Every visible change is published.
-- KEYS: [1] {c}:roster  [2] {c}:roster:seen  [3] {c}:roster:sockets
-- ARGV: [1] op  [2] volunteer  [3] now  [4] state (join, state) or '1'/'0' (hand)  [5] name  [6] team
--       [7] stale: entries last seen before this are gone  [8] the campaign's events channel
-- Returns 1 when something visible changed, else 0.
local op, v, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local changed = 0

for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[7], 'LIMIT', 0, 20)) do
  redis.call('HDEL', KEYS[1], gone)
  redis.call('HDEL', KEYS[3], gone)
  redis.call('ZREM', KEYS[2], gone)
  changed = 1
end

local function load()
  local raw = redis.call('HGET', KEYS[1], v)
  if raw then
    local ok, e = pcall(cjson.decode, raw)
    if ok and type(e) == 'table' then return e end
  end
  return {}
end

if op == 'leave' then
  if redis.call('HINCRBY', KEYS[3], v, -1) <= 0 then
    redis.call('HDEL', KEYS[1], v)
    redis.call('HDEL', KEYS[3], v)
    redis.call('ZREM', KEYS[2], v)
    changed = 1
  end
elseif op == 'seen' then
  if redis.call('HEXISTS', KEYS[1], v) == 1 then redis.call('ZADD', KEYS[2], now, v) end
else
  local e = load()
  if op ~= 'join' and e.state == nil then
    -- Not on the roster (the page closed meanwhile): nothing to change, and no entry without a name.
    if changed == 1 then redis.call('PUBLISH', ARGV[8], '{"type":"roster"}') end
    return changed
  end
  if op == 'join' then
    local last = redis.call('ZSCORE', KEYS[2], v)
    if last and tonumber(last) >= tonumber(ARGV[7]) then
      redis.call('HINCRBY', KEYS[3], v, 1)
    else
      redis.call('HSET', KEYS[3], v, 1) -- its earlier sockets' count died with their process
    end
    e.name, e.team = ARGV[5], ARGV[6]
    changed = 1
  end
  if (op == 'join' or op == 'state') and e.state ~= ARGV[4] then
    e.state, e.since = ARGV[4], now
    changed = 1
  end
  if op == 'hand' then
    local raised = ARGV[4] == '1'
    if (e.hand == true) ~= raised then
      e.hand = raised
      changed = 1
    end
  end
  if e.state then
    redis.call('HSET', KEYS[1], v, cjson.encode(e))
    redis.call('ZADD', KEYS[2], now, v)
  end
end
if changed == 1 then redis.call('PUBLISH', ARGV[8], '{"type":"roster"}') end
return changed
