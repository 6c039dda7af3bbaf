-- dial_ready: a volunteer joins the dialing pool as free (or says they are alive), or leaves it.
-- Ready: a voter already answered and waiting (not past the deadline) is bridged to them at once, the same
-- way dial_event bridges; else they join the ready set, keeping their place if they were already in it.
-- Ready while still talking ends that conversation: the pacer hangs up the voter's leg.
-- Alive (the waiting page's heartbeat): as ready, except that a volunteer the server has already bridged to
-- a voter (talking, or in wrap-up after them) keeps that call: the heartbeat left before the page heard of
-- the bridge, and as "ready" it hung up the voter who had just been put through.
-- Gone (the volunteer's call socket closed): away, but only if they were ready; a talking volunteer keeps
-- their voter (the browser may just be reconnecting). A socket noticed closed only after the page opened a
-- newer one (a phone's silently dropped connection) leaves the volunteer as they are: the page is back.
-- KEYS: [1] {c}:dial:agent:<v>  [2] {c}:dial:ready  [3] {c}:dial:pool  [4] {c}:dial:waiting
--       [5] {c}:dial:counters  [6] {c}:leases  [7] {c}:dial:actions  [8] {c}:holder:<v>
--       [9] {c}:dial:socket:<v> (the id of the volunteer's latest call socket)
-- ARGV: [1] key prefix "{c:<id>}:"  [2] volunteer  [3] ready|alive|away|gone  [4] now  [5] new batch id
--       [6] that batch's deadline  [7] calls channel  [8] (gone) the closed socket's id, or 
-- Returns {'away'} | {'ready'} | {'bridged', call sid, contact id} | {'kept'} (gone while not ready)
--   | {'talking', call sid, contact id} (alive while on a call)
local P = ARGV[1]
local v = ARGV[2]
local now = tonumber(ARGV[4])
local a = redis.call('HMGET', KEYS[1], 'state', 'call_sid', 'contact_id')

if ARGV[3] == 'gone' and a[1] ~= 'ready' then return {'kept'} end
if ARGV[3] == 'gone' and ARGV[8] ~= '' then
  local latest = redis.call('GET', KEYS[9])
  if latest and latest ~= ARGV[8] then return {'kept'} end
end
if ARGV[3] == 'alive' and (a[1] == 'talking' or a[1] == 'wrap_up') then
  redis.call('HSET', KEYS[1], 'seen', ARGV[4])
  return {'talking', a[2] or '', a[3] or ''}
end
if ARGV[3] ~= 'ready' and ARGV[3] ~= 'alive' then
  redis.call('ZREM', KEYS[2], v)
  redis.call('ZREM', KEYS[3], v)
  redis.call('HSET', KEYS[1], 'state', 'away', 'since', ARGV[4], 'seen', ARGV[4])
  return {'away'}
end

if a[1] == 'talking' and a[2] and a[2] ~= '' then
  redis.call('RPUSH', KEYS[7], 'hangup|' .. a[2])
end
redis.call('ZADD', KEYS[3], 'NX', ARGV[4], v)
if a[1] == 'ready' and redis.call('ZSCORE', KEYS[2], v) then
  redis.call('HSET', KEYS[1], 'seen', ARGV[4])
  return {'ready'}
end
redis.call('HSET', KEYS[1], 'state', 'ready', 'since', ARGV[4], 'seen', ARGV[4], 'ready_since', ARGV[4],
  'call_sid', '', 'contact_id', '')

-- The oldest waiting voter whose deadline has not passed.
local waiting = redis.call('ZRANGEBYSCORE', KEYS[4], ARGV[4], '+inf', 'LIMIT', 0, 1)
if #waiting == 0 then
  redis.call('ZADD', KEYS[2], ARGV[4], v)
  return {'ready'}
end
local sid = waiting[1]
redis.call('ZREM', KEYS[4], sid)
local lk = P .. 'dial:line:' .. sid
local cid = redis.call('HGET', lk, 'contact_id')
redis.call('HINCRBY', KEYS[5], 'bridged', 1)
redis.call('HSET', KEYS[1], 'state', 'talking', 'since', ARGV[4], 'call_sid', sid, 'contact_id', cid)
redis.call('HSET', lk, 'state', 'bridged', 'volunteer', v, 'bridged_at', ARGV[4])
local vb = redis.call('GET', KEYS[8])
local deadline = vb and redis.call('ZSCORE', KEYS[6], vb)
if not vb or not deadline or tonumber(deadline) <= now then
  vb = ARGV[5]
  redis.call('HSET', P .. 'batch:' .. vb, 'volunteer', v, 'expires_at', ARGV[6], 'created_at', ARGV[4],
    'state', 'open')
  redis.call('ZADD', KEYS[6], ARGV[6], vb)
  redis.call('SET', KEYS[8], vb)
end
local ck = P .. 'contact:' .. cid
local held = redis.call('HGET', P .. 'lease_of', cid)
if held == 'pending' or held == 'done' then held = nil end -- not leased: held by no batch
if held and held ~= '' and held ~= vb then redis.call('SREM', P .. 'batch:' .. held .. ':contacts', cid) end
redis.call('SADD', P .. 'batch:' .. vb .. ':contacts', cid)
if held then redis.call('HSET', P .. 'lease_of', cid, vb) end
local ak = P .. 'attempt:' .. sid
if redis.call('EXISTS', ak) == 1 then redis.call('HSET', ak, 'volunteer', v) end
redis.call('RPUSH', KEYS[7], 'bridge|' .. sid .. '|' .. v)
redis.call('PUBLISH', ARGV[7], cjson.encode({type = 'bridged', volunteer = v, contact_id = cid, call_sid = sid}))
return {'bridged', sid, cid}
