-- lease_layout: moves contacts imported before the per-campaign lease keys (keys_lease.py) to them: their
-- `status`/`batch` become one {c}:lease_of field (pending|done|the batch id), their `card` a {c}:cards
-- field (and their phone a {c}:phone_of field), their attempts a {c}:tries field and their call-back
-- reservation a {c}:reserved field. A contact
-- already moved (no `status` in its hash) or missing is left alone: running it again changes nothing.
-- Each contact moves in one step, so a crash part-way leaves every contact in one layout or the other.
-- KEYS: [1] {c}:lease_of  [2] {c}:cards  [3] {c}:tries  [4] {c}:reserved  [5] {c}:phone_of
-- ARGV: [1] key prefix "{c:<id>}:"  [2..] contact ids
-- Returns the number of contacts moved.
local P = ARGV[1]
local moved = 0
for i = 2, #ARGV do
  local cid = ARGV[i]
  local ck = P .. 'contact:' .. cid
  local o = redis.call('HMGET', ck, 'status', 'batch', 'card', 'attempts', 'reserved_for', 'reserved_until',
    'phone')
  if o[1] then
    local state = o[1]
    if state == 'leased' then state = o[2] or '' end
    redis.call('HSET', KEYS[1], cid, state)
    if o[3] then redis.call('HSET', KEYS[2], cid, o[3]) end
    if o[7] then redis.call('HSET', KEYS[5], cid, o[7]) end
    if o[4] and tonumber(o[4]) ~= 0 then redis.call('HSET', KEYS[3], cid, o[4]) end
    if o[5] and o[5] ~= '' then redis.call('HSET', KEYS[4], cid, (o[6] or '0') .. '|' .. o[5]) end
    redis.call('HDEL', ck, 'status', 'batch', 'card', 'reserved_for', 'reserved_until')
    moved = moved + 1
  end
end
return moved
