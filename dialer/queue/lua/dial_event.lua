-- dial_event: apply one carrier verdict to a server-dialed line, atomically with the volunteer it needs.
-- 'human': a person answered (AMD said human, or could not tell). The longest-waiting ready volunteer is
--   reserved, the line is bridged to them and the contact moves into their batch (so that they record the
--   result); with nobody free the voter waits until the deadline, then is abandoned by the pacer.
-- 'machine': an answering machine or fax. 'end': the line's final status. 'unheard': a person answered and
--   the call ended, both verdicts lost on the way (the carrier told us when asked): abandoned.
-- Each kind acts only on the state it expects, so retried and out-of-order callbacks change nothing.
-- KEYS: [1] {c}:dial:line:<sid>  [2] {c}:dial:lines  [3] {c}:dial:waiting  [4] {c}:dial:ready
--       [5] {c}:dial:counters  [6] {c}:leases  [7] {c}:dial:actions  [8] {c}:attempt:<sid>  [9] {c}:dial:talk
--       [10] {c}:dial:settling (outcomes by dial time: the pacer counts an outcome once its dial has settled)
-- ARGV: [1] key prefix "{c:<id>}:"  [2] call sid  [3] kind human|machine|end|unheard  [4] final status ('' unless end)
--       [5] now  [6] waiting deadline  [7] new batch id (if the volunteer has no open batch)
--       [8] that batch's deadline  [9] seen-since limit: a ready volunteer not seen since is away
--       [10] calls channel  [11] talk seconds ('' if unknown)
-- Returns {'unknown'} | {'noop', state} | {'bridged', volunteer, contact, batch} | {'waiting', contact}
--       | {'machine', contact, batch} | {'unanswered', contact, batch, outcome} | {'abandoned', contact, batch}
--       | {'talk_ended', volunteer, contact}
local P = ARGV[1]
local sid = ARGV[2]
local kind = ARGV[3]
local now = tonumber(ARGV[5])

local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {'unknown'} end
local line = redis.call('HMGET', KEYS[1], 'contact_id', 'batch', 'volunteer')
local cid, auto_batch = line[1], line[2]

-- The longest-waiting volunteer still ready and alive; stale ones are set away on the way.
-- Each outcome the pacer's answer-rate estimate learns from, scored by when its line was dialed.
local function settling(outcome)
  redis.call('ZADD', KEYS[10], redis.call('HGET', KEYS[1], 'dialed_at') or ARGV[5], outcome .. '|' .. sid)
end

-- The field prefix of the abandonment cap's 30-day period a person answering now belongs to
-- (dialer/abandon_periods.py), from the campaign's first dial; nil before the pacer has set it.
local function period()
  local start = tonumber(redis.call('HGET', KEYS[5], 'period_start') or '')
  if not start then return nil end
  return 'p' .. math.max(0, math.floor((now - start) / 2592000)) .. ':'
end

-- A person answered: counted in the lifetime and the current period's live answers. The line keeps its
-- period, so that its drop, if it is dropped, counts in the same one (even after the period's end).
local function answered()
  redis.call('HINCRBY', KEYS[5], 'live_answers', 1)
  local p = period()
  if p then
    redis.call('HINCRBY', KEYS[5], p .. 'live_answers', 1)
    redis.call('HSET', KEYS[1], 'period', p)
  end
end

-- A person answered and nobody was connected: the lifetime and the answer's period's abandoned calls.
local function dropped()
  redis.call('HINCRBY', KEYS[5], 'abandoned', 1)
  local p = redis.call('HGET', KEYS[1], 'period') or period()
  if p then redis.call('HINCRBY', KEYS[5], p .. 'abandoned', 1) end
end

local function reserve()
  while true do
    local top = redis.call('ZRANGE', KEYS[4], 0, 0)
    if #top == 0 then return nil end
    local v = top[1]
    redis.call('ZREM', KEYS[4], v)
    local ak = P .. 'dial:agent:' .. v
    local a = redis.call('HMGET', ak, 'state', 'seen')
    if a[1] == 'ready' and tonumber(a[2] or '0') >= tonumber(ARGV[9]) then return v end
    if a[1] == 'ready' then
      redis.call('HSET', ak, 'state', 'away', 'since', ARGV[5])
      redis.call('ZREM', P .. 'dial:pool', v)
    end
  end
end

-- Bridge the line to volunteer v: v talks, the contact joins v's open batch (or a new one).
local function assign(v)
  local ak = P .. 'dial:agent:' .. v
  local ready_since = tonumber(redis.call('HGET', ak, 'ready_since') or ARGV[5])
  redis.call('HINCRBYFLOAT', KEYS[5], 'wait_total', math.max(0, now - ready_since))
  redis.call('HINCRBY', KEYS[5], 'bridged', 1)
  redis.call('HSET', ak, 'state', 'talking', 'since', ARGV[5], 'call_sid', sid, 'contact_id', cid)
  redis.call('HSET', KEYS[1], 'state', 'bridged', 'volunteer', v, 'bridged_at', ARGV[5])
  local hk = P .. 'holder:' .. v
  local vb = redis.call('GET', hk)
  local deadline = vb and redis.call('ZSCORE', KEYS[6], vb)
  if not vb or not deadline or tonumber(deadline) <= now then
    vb = ARGV[7]
    redis.call('HSET', P .. 'batch:' .. vb, 'volunteer', v, 'expires_at', ARGV[8], 'created_at', ARGV[5],
      'state', 'open')
    redis.call('ZADD', KEYS[6], ARGV[8], vb)
    redis.call('SET', hk, vb)
  end
  local ck = P .. 'contact:' .. cid
  local held = redis.call('HGET', P .. 'lease_of', cid)
  if held == 'pending' or held == 'done' then held = nil end -- not leased: held by no batch
  if held and held ~= '' and held ~= vb then redis.call('SREM', P .. 'batch:' .. held .. ':contacts', cid) end
  redis.call('SADD', P .. 'batch:' .. vb .. ':contacts', cid)
  if held then redis.call('HSET', P .. 'lease_of', cid, vb) end
  if redis.call('EXISTS', KEYS[8]) == 1 then redis.call('HSET', KEYS[8], 'volunteer', v) end
  redis.call('RPUSH', KEYS[7], 'bridge|' .. sid .. '|' .. v)
  redis.call('PUBLISH', ARGV[10], cjson.encode({type = 'bridged', volunteer = v, contact_id = cid,
    call_sid = sid}))
  return vb
end

if kind == 'human' then
  if state ~= 'dialing' then return {'noop', state} end
  redis.call('ZREM', KEYS[2], sid)
  answered()
  redis.call('HINCRBY', KEYS[5], 'human', 1)
  settling('human')
  local v = reserve()
  if v then
    local vb = assign(v)
    return {'bridged', v, cid, vb}
  end
  redis.call('HSET', KEYS[1], 'state', 'waiting', 'answered_at', ARGV[5])
  redis.call('ZADD', KEYS[3], ARGV[6], sid)
  redis.call('RPUSH', KEYS[7], 'wait|' .. sid) -- wakes the pacer: this deadline may be its next one
  return {'waiting', cid}
elseif kind == 'machine' then
  if state ~= 'dialing' then return {'noop', state} end
  redis.call('ZREM', KEYS[2], sid)
  redis.call('HINCRBY', KEYS[5], 'machine', 1)
  settling('machine')
  redis.call('HSET', KEYS[1], 'state', 'machine')
  redis.call('RPUSH', KEYS[7], 'machine|' .. sid)
  return {'machine', cid, auto_batch}
elseif kind == 'unheard' then
  -- The carrier says a person answered this line and the call is over, and neither verdict reached us (its
  -- callbacks were lost: dialing/quiet_lines.py). Nobody was connected to them: abandoned, and counted so.
  if state ~= 'dialing' then return {'noop', state} end
  redis.call('ZREM', KEYS[2], sid)
  answered()
  redis.call('HINCRBY', KEYS[5], 'human', 1)
  dropped()
  settling('human')
  redis.call('HSET', KEYS[1], 'state', 'ended')
  return {'abandoned', cid, auto_batch}
end

-- kind == 'end'
if state == 'dialing' then
  local final = ARGV[4]
  local outcome = 'no_answer'
  if final == 'busy' or final == 'failed' then outcome = 'failed' end
  redis.call('ZREM', KEYS[2], sid)
  if final == 'canceled' then
    -- The pacer hung up a line that rang out its 15 s with nobody free for it: whether it would have been
    -- answered is unknown, so no outcome is counted; how long it rang lets the estimate share it out.
    outcome = 'canceled'
    redis.call('HINCRBY', KEYS[5], 'canceled', 1)
    local dialed = tonumber(redis.call('HGET', KEYS[1], 'dialed_at') or ARGV[5])
    redis.call('HINCRBYFLOAT', KEYS[5], 'canceled_seconds', math.max(0, now - dialed))
  else
    redis.call('HINCRBY', KEYS[5], outcome, 1)
    settling(outcome)
  end
  redis.call('HSET', KEYS[1], 'state', 'ended')
  return {'unanswered', cid, auto_batch, outcome}
elseif state == 'waiting' then
  -- The voter hung up on the silence before a volunteer was free: abandoned all the same.
  redis.call('HSET', KEYS[1], 'state', 'ended')
  if redis.call('ZREM', KEYS[3], sid) == 1 then
    dropped()
    return {'abandoned', cid, auto_batch}
  end
  return {'noop', state}
elseif state == 'bridged' then
  redis.call('HSET', KEYS[1], 'state', 'ended')
  local v = line[3]
  local ak = P .. 'dial:agent:' .. v
  local a = redis.call('HMGET', ak, 'state', 'call_sid')
  if a[1] == 'talking' and a[2] == sid then
    redis.call('HSET', ak, 'state', 'wrap_up', 'since', ARGV[5], 'call_sid', '')
  end
  if ARGV[11] ~= '' and tonumber(ARGV[11]) > 0 then
    redis.call('LPUSH', KEYS[9], ARGV[11])
    redis.call('LTRIM', KEYS[9], 0, 199)
  end
  return {'talk_ended', v, cid}
end
if state == 'machine' or state == 'abandoned' then redis.call('HSET', KEYS[1], 'state', 'ended') end
return {'noop', state}
