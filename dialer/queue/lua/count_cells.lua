-- count_cells (read only): the cell phones among the contacts due now in the open zones, for a power or
-- predictive campaign's stats when the pacer has not counted them lately (dialing/take.py counts them at
-- each take). Stale entries (no longer pending) are not counted. At most ARGV[4] entries read per zone.
-- KEYS: [1] {c}:counters (not read: it routes the script to the campaign's slot on a cluster)
-- ARGV: [1] key prefix "{c:<id>}:"  [2] now  [3] entries read at a time  [4] at most, per zone  [5..] zones
-- Returns the count.
local P = ARGV[1]
local page, cap = tonumber(ARGV[3]), tonumber(ARGV[4])
local cells = 0
for i = 5, #ARGV do
  local pk = P .. 'pending:' .. ARGV[i]
  local offset = 0
  while offset < cap do
    local ids = redis.call('ZRANGEBYSCORE', pk, '-inf', ARGV[2], 'LIMIT', offset, page)
    for _, cid in ipairs(ids) do
      if redis.call('HGET', P .. 'contact:' .. cid, 'phone_type') == 'cell'
          and redis.call('HGET', P .. 'lease_of', cid) == 'pending' then
        cells = cells + 1
      end
    end
    offset = offset + #ids
    if #ids < page then break end
  end
end
return cells
