-- dial_take: the pacer takes up to k contacts to dial now into the server's own batch (held by the
-- pseudo-volunteer dialer:auto), renewing that batch's lease. Like claim.lua it takes only due contacts of
-- the open time zones under max_attempts; in addition it never takes a cell phone unless the campaign has
-- consent to autodial cells (those stay pending for a person to call in preview mode).
-- KEYS: [1] {c}:leases  [2] {c}:holder:dialer:auto  [3] {c}:counters
-- ARGV: [1] key prefix "{c:<id>}:"  [2] auto volunteer id  [3] new batch id  [4] k  [5] lease deadline
--       [6] now  [7] max_attempts  [8] cell consent 1|0  [9] entries read at a time
--       [10] entries left in place (cells) at most, per zone  [11] n, how many open zones follow
--       [12..11+n] open zones  [12+n..] the closed zones (read only when the take comes back short)
-- Returns {batch id, report, {contact hash as flat list}...}. The report says why the take came back short,
-- at no extra page (dialing/take.py): {cells paged over, short 1|0, first later due time in the open zones
-- or '', then per closed zone its first due time or ''}; the last two parts only when short.
local P = ARGV[1]
local now = tonumber(ARGV[6])
local max_attempts = tonumber(ARGV[7])
local consent = ARGV[8] == '1'
local bid = redis.call('GET', KEYS[2])
local deadline = bid and redis.call('ZSCORE', KEYS[1], bid)
if not bid or not deadline or tonumber(deadline) <= now then
  bid = ARGV[3]
  redis.call('HSET', P .. 'batch:' .. bid, 'volunteer', ARGV[2], 'created_at', ARGV[6], 'state', 'open')
  redis.call('SET', KEYS[2], bid)
end
redis.call('ZADD', KEYS[1], ARGV[5], bid)
redis.call('HSET', P .. 'batch:' .. bid, 'expires_at', ARGV[5])

local need = tonumber(ARGV[4])
local out = {bid}
local taken, finished, cells = 0, 0, 0
local n_open = tonumber(ARGV[11])
for i = 12, 11 + n_open do
  if need <= 0 then break end
  local pk = P .. 'pending:' .. ARGV[i]
  -- Entries left in place (cells without consent) are paged over; taken and stale ones leave the set.
  local kept = 0
  while need > 0 and kept < tonumber(ARGV[10]) do
    local ids = redis.call('ZRANGEBYSCORE', pk, '-inf', now, 'LIMIT', kept, tonumber(ARGV[9]))
    for _, cid in ipairs(ids) do
      if need <= 0 then break end
      local ck = P .. 'contact:' .. cid
      local c = redis.call('HMGET', ck, 'attempts', 'phone_type')
      if redis.call('HGET', P .. 'lease_of', cid) ~= 'pending' then
        redis.call('ZREM', pk, cid)
      elseif tonumber(c[1] or '0') >= max_attempts then
        redis.call('ZREM', pk, cid)
        redis.call('HSET', P .. 'lease_of', cid, 'done')
        finished = finished + 1
      elseif c[2] ~= 'cell' or consent then
        redis.call('ZREM', pk, cid)
        redis.call('HSET', P .. 'lease_of', cid, bid)
        redis.call('SADD', P .. 'batch:' .. bid .. ':contacts', cid)
        out[#out + 1] = redis.call('HGETALL', ck)
        taken = taken + 1
        need = need - 1
      else
        kept = kept + 1
      end
    end
    if #ids < tonumber(ARGV[9]) then break end
  end
  cells = cells + kept
end
if taken + finished > 0 then
  redis.call('HINCRBY', KEYS[3], 'pending', -(taken + finished))
  redis.call('HINCRBY', KEYS[3], 'leased', taken)
  redis.call('HINCRBY', KEYS[3], 'completed', finished)
end
local report = {cells, need > 0 and 1 or 0}
if need > 0 then
  -- One look per zone (O(log n)), only when nothing more was to be had.
  local first = nil
  for i = 12, 11 + n_open do
    local later = redis.call('ZRANGEBYSCORE', P .. 'pending:' .. ARGV[i], '(' .. ARGV[6], '+inf',
      'WITHSCORES', 'LIMIT', 0, 1)
    if later[2] and (not first or tonumber(later[2]) < tonumber(first)) then first = later[2] end
  end
  report[3] = first or ''
  for i = 12 + n_open, #ARGV do
    local head = redis.call('ZRANGE', P .. 'pending:' .. ARGV[i], 0, 0, 'WITHSCORES')
    report[#report + 1] = head[2] or ''
  end
end
table.insert(out, 2, report)
return out
