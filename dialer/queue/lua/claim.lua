-- claim: give a volunteer their open batch again, or up to batch_size contacts callable now as a new
-- batch. Reaps expired batches first so their contacts can be handed out in the same call.
-- A contact is taken only from the pending sets of the open time zones passed in (the caller computes
-- them with calling_hours.open_zones), only when due (score <= now) and under max_attempts.
-- A contact whose phone is in the campaign's mirror of the do-not-call list ({c}:dnc, kept by dnc.py) is
-- finished on the spot instead of handed out. A call-back the volunteer arranged comes to them first once
-- due (into their open batch too); one another volunteer arranged is left for them until it is
-- `reserved_until` (record.lua), then it is anyone's.
-- KEYS: [1] {c}:leases  [2] {c}:holder:<volunteer>  [3] {c}:counters  [4] {c}:zones  [5] {c}:dnc
--       [6] {c}:callbacks:<volunteer>
-- ARGV: [1] key prefix "{c:<id>}:"  [2] volunteer  [3] new batch id  [4] batch_size  [5] deadline
--       [6] now  [7] max_attempts  [8] reap limit  [9] closed-batch TTL seconds  [10..] open time zones
-- Lease state is per campaign (keys_lease.py): {c}:lease_of (contact -> pending|done|batch id), {c}:tries
-- (attempts), {c}:reserved (call-backs kept for a volunteer), {c}:phone_of, so that a claim of n reads and
-- writes them with one command each rather than two per contact. A pending set holds only contacts whose
-- lease_of is `pending`: every script that moves a contact out of `pending` takes it out of its zone's set
-- in the same step (tests/integration/test_pending_sets.py), and lease_layout.py cleans stores written
-- before once, so the page taken from a pending set is not read back from lease_of. The contacts' cards (written once at
-- import, never changed) are read by the caller after the script, not moved through Lua.
-- Returns {"open"|"new", batch_id, expires_at, "<contact id> <contact id> ...", "<attempts> <attempts> ..."
-- ('' when no contact has any), skips used} or {"none", reason}.
-- Cost (docs/performance.md): a claim's time goes less to the commands than to what crosses between Redis
-- and Lua. So the usual page of a new batch is leased as the very tables Redis returned (no per-contact
-- table is built), counts go to redis.call as strings, the reply is two strings rather than 40 elements, and
-- one EXISTS stands for the four reads that usually find nothing.
local P = ARGV[1]
local volunteer = ARGV[2]
local now = tonumber(ARGV[6])
local max_attempts = tonumber(ARGV[7])
-- Small counts as strings: each Lua number passed to redis.call is formatted by snprintf("%.17g").
local NUM = {'1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15', '16', '17',
  '18', '19', '20'}
local function str(n)
  if n == 0 then return '0' elseif n < 0 then return '-' .. str(-n) end
  return NUM[n] or n
end
local LO, TRIES, RES = P .. 'lease_of', P .. 'tries', P .. 'reserved'
-- Usually the volunteer holds no batch nor call-backs, and the campaign has no phone on the do-not-call
-- mirror and no call-back kept for anyone: one EXISTS then spares the four reads that would find so.
local quiet = redis.call('EXISTS', KEYS[2], KEYS[5], KEYS[6], RES) == 0
local check_dnc = not quiet and redis.call('EXISTS', KEYS[5]) == 1 -- then no phone lookups
local any_reserved = not quiet and redis.call('EXISTS', RES) == 1 -- then no reservations to read

-- Puts a contact still held by batch `bid` back in its zone's pending set, at its old due time.
local function requeue(bid, cid)
  if redis.call('HGET', LO, cid) ~= bid then return 0 end
  local fields = redis.call('HMGET', P .. 'contact:' .. cid, 'tz', 'due')
  redis.call('HSET', LO, cid, 'pending')
  redis.call('ZADD', P .. 'pending:' .. fields[1], fields[2], cid)
  return 1
end

-- Closes a batch: its contacts without a result go back; its sets stay a while for late results.
local function close(bid)
  local ttl = tonumber(ARGV[9])
  local bk = P .. 'batch:' .. bid
  local n = 0
  for _, cid in ipairs(redis.call('SMEMBERS', bk .. ':contacts')) do
    n = n + requeue(bid, cid)
  end
  if n > 0 then
    redis.call('HINCRBY', KEYS[3], 'leased', -n)
    redis.call('HINCRBY', KEYS[3], 'pending', n)
  end
  redis.call('ZREM', KEYS[1], bid)
  local holder = redis.call('HGET', bk, 'volunteer')
  if holder and redis.call('GET', P .. 'holder:' .. holder) == bid then
    redis.call('DEL', P .. 'holder:' .. holder)
  end
  redis.call('HSET', bk, 'state', 'closed')
  redis.call('EXPIRE', bk, ttl)
  redis.call('EXPIRE', bk .. ':contacts', ttl)
  redis.call('EXPIRE', bk .. ':done', ttl)
end

-- Which of the contacts `ids` have a phone on the campaign's do-not-call mirror (1/0 each; none when the
-- mirror is empty).
local function dnc_listed(ids)
  if not check_dnc or #ids == 0 then return {} end
  local phones = redis.call('HMGET', P .. 'phone_of', unpack(ids))
  for j = 1, #ids do phones[j] = phones[j] or '' end
  return redis.call('SMISMEMBER', KEYS[5], unpack(phones))
end

-- The contacts batch `bid` still holds (ids, attempts); any whose phone went on the do-not-call list
-- meanwhile are dropped.
local function held(bid)
  local out, out_tries = {}, {}
  local bk = P .. 'batch:' .. bid .. ':contacts'
  local members = redis.call('SMEMBERS', bk)
  if #members == 0 then return out, out_tries end
  local states = redis.call('HMGET', LO, unpack(members))
  local ids = {}
  for j, cid in ipairs(members) do
    if states[j] == bid then ids[#ids + 1] = cid end
  end
  if #ids == 0 then return out, out_tries end
  local tries = redis.call('HMGET', TRIES, unpack(ids))
  local listed = dnc_listed(ids)
  local dropped = 0
  for j, cid in ipairs(ids) do
    if listed[j] == 1 then
      redis.call('HSET', LO, cid, 'done')
      redis.call('HSET', P .. 'contact:' .. cid, 'result', 'dnc')
      redis.call('SREM', bk, cid)
      dropped = dropped + 1
    else
      out[#out + 1] = cid
      out_tries[#out_tries + 1] = tries[j]
    end
  end
  if dropped > 0 then
    redis.call('HINCRBY', KEYS[3], 'leased', -dropped)
    redis.call('HINCRBY', KEYS[3], 'completed', dropped)
  end
  return out, out_tries
end

-- The reply's contacts: their ids, and their attempts ('0' for none), each as one space-separated string
-- (a string is handed to Redis at once; a table is converted element by element). `tries` is changed.
local function listed_out(ids, tries)
  local any = false
  for j = 1, #ids do
    if tries[j] then any = true else tries[j] = '0' end
  end
  return table.concat(ids, ' '), any and table.concat(tries, ' ', 1, #ids) or ''
end

-- A reservation "<until>|<volunteer>" (record.lua) as (until, volunteer); (0, nil) for none.
local function reservation(r)
  if not r then return 0, nil end
  local untl, who = string.match(r, '^([^|]*)|(.*)$')
  return tonumber(untl) or 0, who
end

-- The volunteer's own call-backs that are due now in an open zone, taken into batch `bid` (at most `room`),
-- appended to `ids` and `attempts`; returns how many. Entries no longer theirs to call (done, taken, moved)
-- are dropped.
local function own_callbacks(bid, room, ids, attempts)
  if room <= 0 or quiet then return 0 end
  local found = redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', ARGV[6], 'LIMIT', '0', '50')
  if #found == 0 then return 0 end
  local open_zone = {}
  for i = 10, #ARGV do open_zone[ARGV[i]] = true end
  local states = redis.call('HMGET', LO, unpack(found))
  local held_for = redis.call('HMGET', RES, unpack(found))
  local taken = 0
  for j, cid in ipairs(found) do
    if taken >= room then break end
    local _, who = reservation(held_for[j])
    local c = redis.call('HMGET', P .. 'contact:' .. cid, 'tz', 'due')
    if states[j] ~= 'pending' or who ~= volunteer or tonumber(c[2] or '0') > now then
      redis.call('ZREM', KEYS[6], cid)
    elseif open_zone[c[1]] then
      local tries = redis.call('HGET', TRIES, cid)
      if tonumber(tries or '0') < max_attempts and (not check_dnc
          or redis.call('SISMEMBER', KEYS[5], redis.call('HGET', P .. 'phone_of', cid) or '') == 0) then
        redis.call('ZREM', KEYS[6], cid)
        redis.call('ZREM', P .. 'pending:' .. c[1], cid)
        redis.call('HSET', LO, cid, bid)
        redis.call('HDEL', RES, cid)
        ids[#ids + 1] = cid
        attempts[#attempts + 1] = tries
        taken = taken + 1
      end
    end
  end
  if taken > 0 then
    redis.call('SADD', P .. 'batch:' .. bid .. ':contacts', unpack(ids, #ids - taken + 1))
    redis.call('HINCRBY', KEYS[3], 'pending', str(-taken))
    redis.call('HINCRBY', KEYS[3], 'leased', str(taken))
  end
  return taken
end

for _, bid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[6], 'LIMIT', '0', ARGV[8])) do
  close(bid)
end

local size = tonumber(ARGV[4])
local open = not quiet and redis.call('GET', KEYS[2])
if open then
  local deadline = redis.call('ZSCORE', KEYS[1], open)
  if deadline and tonumber(deadline) > now then
    local ids, attempts = held(open)
    own_callbacks(open, size, ids, attempts)
    if #ids > 0 then
      local expires = redis.call('HGET', P .. 'batch:' .. open, 'expires_at')
      local skips = redis.call('HGET', P .. 'batch:' .. open, 'skips') or '0'
      local id_list, tries_list = listed_out(ids, attempts)
      return {'open', open, expires, id_list, tries_list, skips}
    end
  end
  close(open) -- used up or expired: the volunteer gets a fresh batch
end

local bid = ARGV[3]
local taken_ids, taken_tries = {}, {}
local own = own_callbacks(bid, size, taken_ids, taken_tries) -- already counted as leased
local need = size - own
local finished = 0
local done_args, unreserve = {}, {}
for i = 10, #ARGV do
  local pk = P .. 'pending:' .. ARGV[i]
  local kept = 0 -- call-backs reserved for someone else stay at the front of the range: skip past them
  while need > 0 do
    local found = redis.call('ZRANGEBYSCORE', pk, '-inf', ARGV[6], 'LIMIT', str(kept), str(need))
    if #found == 0 then break end
    local held_for, ids, pos = {}, found, nil -- pos[j]: where ids[j] is in found (nil: the same place)
    if any_reserved then
      held_for = redis.call('HMGET', RES, unpack(found))
      ids, pos = {}, {}
      for j, cid in ipairs(found) do
        local untl, who = reservation(held_for[j])
        if who and who ~= '' and who ~= volunteer and untl > now then
          kept = kept + 1
        else
          ids[#ids + 1] = cid
          pos[#ids] = j
        end
      end
      if #ids == 0 then break end
    end
    if #ids == #found then -- the page is ranks kept .. kept + #found - 1 of the set: cheaper than by name
      redis.call('ZREMRANGEBYRANK', pk, str(kept), str(kept + #found - 1))
    else
      redis.call('ZREM', pk, unpack(ids))
    end
    local tries = redis.call('HMGET', TRIES, unpack(ids))
    local listed = dnc_listed(ids)
    -- The usual page: none listed or out of attempts, nothing taken before it: then the page itself is
    -- the batch (no per-contact tables built).
    local plain = #taken_ids == 0
    for j = 1, plain and #ids or 0 do
      local t = tries[j]
      if listed[j] == 1 or (t and tonumber(t) >= max_attempts) then
        plain = false
        break
      end
    end
    if plain then
      taken_ids, taken_tries = ids, tries
      need = need - #ids
      if pos then
        for j = 1, #ids do
          if held_for[pos[j]] then unreserve[#unreserve + 1] = ids[j] end
        end
      end
    else
      for j, cid in ipairs(ids) do
        local t = tries[j]
        if listed[j] == 1 then
          done_args[#done_args + 1] = cid
          done_args[#done_args + 1] = 'done'
          redis.call('HSET', P .. 'contact:' .. cid, 'result', 'dnc')
          finished = finished + 1
        elseif t and tonumber(t) >= max_attempts then
          -- max_attempts was lowered since the last result: this contact is finished.
          done_args[#done_args + 1] = cid
          done_args[#done_args + 1] = 'done'
          finished = finished + 1
        else
          if held_for[pos and pos[j] or j] then unreserve[#unreserve + 1] = cid end
          taken_ids[#taken_ids + 1] = cid
          taken_tries[#taken_tries + 1] = t
          need = need - 1
        end
      end
    end
  end
  if need <= 0 then break end
end
if #done_args > 0 then redis.call('HSET', LO, unpack(done_args)) end
local n = #taken_ids - own
if n > 0 then
  local a = taken_ids
  local kv
  if own == 0 and n <= 20 then -- one allocation of the table instead of growing it pair by pair
    kv = {a[1], bid, a[2], bid, a[3], bid, a[4], bid, a[5], bid, a[6], bid, a[7], bid, a[8], bid,
      a[9], bid, a[10], bid, a[11], bid, a[12], bid, a[13], bid, a[14], bid, a[15], bid, a[16], bid,
      a[17], bid, a[18], bid, a[19], bid, a[20], bid}
  else
    kv = {}
    for j = own + 1, #a do
      kv[#kv + 1] = a[j]
      kv[#kv + 1] = bid
    end
  end
  redis.call('HSET', LO, unpack(kv, 1, 2 * n))
end
if #unreserve > 0 then redis.call('HDEL', RES, unpack(unreserve)) end
if finished > 0 then
  redis.call('HINCRBY', KEYS[3], 'pending', str(-finished))
  redis.call('HINCRBY', KEYS[3], 'completed', str(finished))
end

if #taken_ids == 0 then
  for _, tz in ipairs(redis.call('SMEMBERS', KEYS[4])) do
    if redis.call('ZCOUNT', P .. 'pending:' .. tz, '-inf', now) > 0 then
      return {'none', 'outside_calling_hours'}
    end
  end
  return {'none', 'exhausted'}
end

if #taken_ids > own then
  redis.call('SADD', P .. 'batch:' .. bid .. ':contacts', unpack(taken_ids, own + 1))
  redis.call('HINCRBY', KEYS[3], 'pending', str(own - #taken_ids))
  redis.call('HINCRBY', KEYS[3], 'leased', str(#taken_ids - own))
end
redis.call('ZADD', KEYS[1], ARGV[5], bid)
redis.call('HSET', P .. 'batch:' .. bid, 'volunteer', volunteer, 'expires_at', ARGV[5], 'created_at', ARGV[6],
  'state', 'open')
redis.call('SET', KEYS[2], bid)
redis.call('PUBLISH', P .. 'events', '{"type":"batch"}') -- pending/leased moved: dashboards refresh
local id_list, tries_list = listed_out(taken_ids, taken_tries)
return {'new', bid, ARGV[5], id_list, tries_list, '0'}
