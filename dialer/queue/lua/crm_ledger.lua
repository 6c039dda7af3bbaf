-- crm_ledger: move one results entry along its CRM sync (dialer/crm/ledger.py), keeping the per-status
-- counts, the failed list, the retry schedule and the consumer group's pending list in step.
-- KEYS: [1] {c}:crm:ledger  [2] {c}:crm:counts  [3] {c}:crm:failed  [4] {c}:crm:retry  [5] {c}:results
--       [6] {c}:crm:by-attempt
-- ARGV: [1] entry id  [2] op: seen|start|sent|skipped|failed|retry|requeue|take  [3] now
--       [4] message  [5] when (retry: its due time; take: the lease's end)  [6] consumer group
--       [7] contact id  [8] attempt  [9] retry: '1' when the request may have reached the CRM (no answer)
-- seen: a new entry's first state (pending); start: about to send (tries+1, sends+1; an entry found
-- `sending` was in flight when a worker died: in_doubt, doubt 'worker_stopped'); sent/skipped/failed:
-- settled, XACKed; retry: back to pending, due at ARGV[5], XACKed (the schedule holds it now), in_doubt with
-- doubt 'no_answer' when the request may have arrived (a timeout after sending it); requeue: an organizer's retry or
-- a replay, due now (only from failed, sent or skipped); take: claim a due retry for a lease (0 if not due).
-- Returns the entry's state as JSON (take: 1 or 0; requeue: 0 when the state does not allow it).
local id, op, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
local raw = redis.call('HGET', KEYS[1], id)
local e = raw and cjson.decode(raw) or {status = 'new', tries = 0, sends = 0}
local old = e.status

if op == 'take' then
  local due = redis.call('ZSCORE', KEYS[4], id)
  if not due or tonumber(due) > now then return 0 end
  redis.call('ZADD', KEYS[4], ARGV[5], id)
  return 1
end
if op == 'requeue' then
  if old ~= 'failed' and old ~= 'sent' and old ~= 'skipped' then return 0 end
end
if (op == 'seen' or op == 'start') and e.contact_id == nil and ARGV[7] ~= '' then
  e.contact_id, e.attempt = ARGV[7], tonumber(ARGV[8])
  local call = ARGV[7] .. '|' .. ARGV[8]
  local before = redis.call('HGET', KEYS[6], call)
  if before and before ~= id then e.corrects = before end
  if before ~= id then redis.call('HSET', KEYS[6], call, id) end
end

local new = old
if op == 'seen' then
  if old == 'new' then new = 'pending' end
elseif op == 'start' then
  if old == 'sending' then
    e.in_doubt = 1
    e.doubt = e.doubt or 'worker_stopped'
  end
  new = 'sending'
  e.tries = (e.tries or 0) + 1
  e.sends = (e.sends or 0) + 1
elseif op == 'sent' or op == 'skipped' or op == 'failed' then
  new = op
  e.message = ARGV[4]
  redis.call('XACK', KEYS[5], ARGV[6], id)
  redis.call('ZREM', KEYS[4], id)
  if op == 'failed' then redis.call('ZADD', KEYS[3], now, id) else redis.call('ZREM', KEYS[3], id) end
elseif op == 'retry' then
  new = 'pending'
  e.message = ARGV[4]
  e.retry_at = tonumber(ARGV[5])
  if ARGV[9] == '1' then
    e.in_doubt = 1
    e.doubt = e.doubt or 'no_answer'
  end
  redis.call('ZADD', KEYS[4], ARGV[5], id)
  redis.call('XACK', KEYS[5], ARGV[6], id)
elseif op == 'requeue' then
  new = 'pending'
  e.tries = 0
  e.retry_at = now
  redis.call('ZREM', KEYS[3], id)
  redis.call('ZADD', KEYS[4], now, id)
end
if op ~= 'retry' and op ~= 'requeue' then e.retry_at = nil end
e.status = new
e.at = now
if new ~= old then
  if old ~= 'new' then redis.call('HINCRBY', KEYS[2], old, -1) end
  redis.call('HINCRBY', KEYS[2], new, 1)
end
local out = cjson.encode(e)
redis.call('HSET', KEYS[1], id, out)
return out
