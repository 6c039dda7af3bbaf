-- record: store a call's result, fenced by the batch id, idempotent per idempotency key within the batch
-- (the holder is checked first: a key another volunteer used is no duplicate of theirs). In one step it
-- applies the retry policy, appends to the results stream, updates the counters and the leaderboard and
-- publishes a change. A late result (the batch expired, the call happened) is kept if the contact has no
-- final result yet; the contact then leaves whichever batch or pending set holds it.
-- KEYS: [1] {c}:contact:<cid>  [2] {c}:batch:<bid>  [3] {c}:idem (fields "<bid>|<key>")  [4] {c}:results
--       [5] {c}:counters
--       [6] {c}:board  [7] {c}:names  [8] {c}:calls-per-minute  [9] {c}:dnc (the DNC mirror)
--       [10] {c}:team-board  [11] {c}:contact:<cid>:results  [12] {c}:callbacks:<volunteer>
--       [13] {c}:survey  [14] {c}:survey:team:<tid>  [15] {c}:daily:<day>  [16] {c}:hourly
-- ARGV: [1] key prefix "{c:<id>}:"  [2] batch id  [3] volunteer  [4] volunteer name  [5] contact id
--       [6] result code  [7] kind: final|retry|callback  [8] idempotency key  [9] now  [10] due time if
--       the contact is to be called again  [11] max_attempts  [12] answers (JSON)  [13] notes  [14] call sid
--       [15] script version  [16] channel to publish on  [17] the volunteer's team id ('' for none)
--       [18] seconds a call-back stays reserved for the volunteer who arranged it, after it is due
--       [19] the answers the survey tallies, JSON {question: value} ('' when the result is no conversation)
--       [20] the campaign's day ('' for none): the volunteer's (and their team's) calls and conversations today
-- The contact's lease state is in {c}:lease_of, its call-back reservation in {c}:reserved, and its attempts
-- in {c}:tries as well as its own hash (keys_lease.py).
-- Returns {"recorded", entry id, phone, attempt} | {"duplicate", entry id, phone, code} | {"error", code}
-- (not_holder: the batch is another volunteer's, checked before the idempotency key; idempotency_key_reused:
-- the key was first used in this batch for another contact).
local P = ARGV[1]
local bid = ARGV[2]
local cid = ARGV[5]
local code = ARGV[6]
local kind = ARGV[7]
local now = tonumber(ARGV[9])

local bk = KEYS[2]
local holder = redis.call('HGET', bk, 'volunteer')
if not holder then return {'error', 'not_in_batch'} end
-- Someone else's batch: refused as renew and release refuse it (API.md: results are the holder's).
if holder ~= ARGV[3] then return {'error', 'not_holder'} end

local idem = bid .. '|' .. ARGV[8]
local seen = redis.call('HGET', KEYS[3], idem)
if seen then
  -- Written again, unchanged: a repeat after a 503 not_replicated may come on another connection (or web
  -- process) that wrote nothing yet, and WAIT counts only the connection's own writes. This write is
  -- replicated after the first recording, so WAIT confirms the first is on a replica before the 200.
  redis.call('HSET', KEYS[3], idem, seen)
  -- Answer with the first recording's phone and code, never the repeated request's.
  local first = redis.call('XRANGE', KEYS[4], seen, seen)[1]
  local phone, code, first_cid = '', '', cid
  if first then
    for i = 1, #first[2], 2 do
      if first[2][i] == 'phone' then phone = first[2][i + 1] end
      if first[2][i] == 'result' then code = first[2][i + 1] end
      if first[2][i] == 'contact_id' then first_cid = first[2][i + 1] end
    end
  end
  -- The key was first used for another contact: no repeat of that request, and answering "duplicate"
  -- would drop this contact's result while telling the client it was recorded.
  if first_cid ~= cid then return {'error', 'idempotency_key_reused'} end
  return {'duplicate', seen, phone, code}
end

if redis.call('SISMEMBER', bk .. ':contacts', cid) == 0 then return {'error', 'not_in_batch'} end
if redis.call('SISMEMBER', bk .. ':done', cid) == 1 then return {'error', 'already_completed'} end
local state = redis.call('HGET', P .. 'lease_of', cid)
local f = redis.call('HMGET', KEYS[1], 'tz', 'attempts', 'phone', 'external_id', 'first_name', 'last_name')
-- As {status, batch, tz, attempts, phone, external_id, first_name, last_name}.
local c = {state, '', f[1], f[2], f[3], f[4], f[5], f[6]}
if state and state ~= 'pending' and state ~= 'done' then c[1], c[2] = 'leased', state end
if not c[1] then return {'error', 'not_in_batch'} end
if c[1] == 'done' then return {'error', 'already_completed'} end

-- Leave wherever the contact is now: this batch, another batch (after a late result), or a pending set.
if c[1] == 'leased' then
  redis.call('HINCRBY', KEYS[5], 'leased', -1)
  if c[2] ~= bid then redis.call('SREM', P .. 'batch:' .. c[2] .. ':contacts', cid) end
else
  redis.call('ZREM', P .. 'pending:' .. c[3], cid)
  redis.call('HINCRBY', KEYS[5], 'pending', -1)
end

local attempt = tonumber(c[4] or '0') + 1
redis.call('HDEL', P .. 'reserved', cid)
redis.call('HSET', P .. 'tries', cid, attempt)
if kind == 'final' or attempt >= tonumber(ARGV[11]) then
  redis.call('HSET', P .. 'lease_of', cid, 'done')
  redis.call('HSET', KEYS[1], 'attempts', attempt, 'result', code)
  redis.call('HINCRBY', KEYS[5], 'completed', 1)
else
  redis.call('HSET', P .. 'lease_of', cid, 'pending')
  redis.call('HSET', KEYS[1], 'attempts', attempt, 'result', code, 'due', ARGV[10])
  redis.call('ZADD', P .. 'pending:' .. c[3], ARGV[10], cid)
  redis.call('HINCRBY', KEYS[5], 'pending', 1)
  if kind == 'callback' then
    -- The voter asked for a time: the volunteer who spoke to them gets the call first (claim.lua), and
    -- anyone after the grace period.
    redis.call('HSET', P .. 'reserved', cid, (tonumber(ARGV[10]) + tonumber(ARGV[18])) .. '|' .. ARGV[3])
    redis.call('ZADD', KEYS[12], ARGV[10], cid)
  end
end

local id = redis.call('XADD', KEYS[4], '*', 'contact_id', cid, 'external_id', c[6] or '', 'phone', c[5] or '',
  'first_name', c[7] or '', 'last_name', c[8] or '', 'result', code, 'attempt', attempt,
  'volunteer', ARGV[3], 'recorded_at', ARGV[9], 'notes', ARGV[13], 'call_sid', ARGV[14],
  'script_version', ARGV[15], 'answers', ARGV[12], 'batch', bid, 'idempotency_key', ARGV[8])
redis.call('HSET', KEYS[3], idem, id)
redis.call('RPUSH', KEYS[11], id) -- the contact's history, for the next caller
redis.call('LTRIM', KEYS[11], -50, -1)
redis.call('SADD', bk .. ':done', cid)

if code == 'do_not_call' and c[5] then redis.call('SADD', KEYS[9], c[5]) end
local calls = redis.call('HINCRBY', KEYS[5], 'calls', 1)
redis.call('HINCRBY', KEYS[5], 'result:' .. code, 1)
if code == 'contacted' then
  redis.call('HINCRBY', KEYS[5], 'reached', 1)
  redis.call('HINCRBY', KEYS[8], 'r:' .. math.floor(now / 60), 1) -- the goal's pace: voters reached per minute
end
redis.call('ZINCRBY', KEYS[6], 1, ARGV[3])
if ARGV[17] and ARGV[17] ~= '' then redis.call('ZINCRBY', KEYS[10], 1, ARGV[17]) end -- the team board
if ARGV[4] ~= '' then redis.call('HSET', KEYS[7], ARGV[3], ARGV[4]) end
redis.call('HINCRBY', KEYS[8], tostring(math.floor(now / 60)), 1)
-- The campaign's pace: calls and conversations per hour over its whole life, conversations per minute.
local hour = tostring(math.floor(now / 3600))
redis.call('HINCRBY', KEYS[16], hour, 1)
if ARGV[19] ~= '' then
  redis.call('HINCRBY', KEYS[16], hour .. ':c', 1)
  redis.call('HINCRBY', KEYS[8], 'c:' .. math.floor(now / 60), 1)
end
local team = ARGV[17] or ''
if ARGV[19] ~= '' then
  -- A conversation: what the voter said, tallied per question for the organizers (survey.py).
  redis.call('HINCRBY', KEYS[13], 'conversations', 1)
  if team ~= '' then redis.call('HINCRBY', KEYS[14], 'conversations', 1) end
  for question, value in pairs(cjson.decode(ARGV[19])) do
    local field = question .. '\31' .. value
    redis.call('HINCRBY', KEYS[13], field, 1)
    if team ~= '' then redis.call('HINCRBY', KEYS[14], field, 1) end
  end
end
if ARGV[20] ~= '' then
  redis.call('HINCRBY', KEYS[15], 'calls:' .. ARGV[3], 1)
  redis.call('HSETNX', KEYS[15], 'first:' .. ARGV[3], ARGV[9]) -- since when they call today: their pace
  if ARGV[19] ~= '' then redis.call('HINCRBY', KEYS[15], 'conv:' .. ARGV[3], 1) end
  if team ~= '' then
    -- The team's day counts the calls made as its member, as its team board does (a member's own
    -- fields above follow them from team to team).
    redis.call('HINCRBY', KEYS[15], 'team-calls:' .. team, 1)
    if ARGV[19] ~= '' then redis.call('HINCRBY', KEYS[15], 'team-conv:' .. team, 1) end
  end
  redis.call('EXPIRE', KEYS[15], 3 * 86400)
end
redis.call('PUBLISH', ARGV[16], cjson.encode({type = 'result', contact_id = cid, result = code, calls = calls}))
return {'recorded', id, c[5] or '', attempt}
