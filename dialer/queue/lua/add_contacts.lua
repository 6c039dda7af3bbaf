-- add_contacts: add a chunk of parsed contacts to a campaign, skipping phones it already has. Contact ids
-- come from the campaign's sequence; each new contact is due at once in its time zone's pending set.
-- KEYS: [1] {c}:phones  [2] {c}:seq  [3] {c}:zones  [4] {c}:counters
-- ARGV: [1] key prefix "{c:<id>}:"  [2] now (due time)  then 10 values per contact: phone, external_id,
--       first_name, last_name, state, zip, tz, phone_type, fields (JSON), card (JSON object of what a
--       volunteer sees, without the id, which is prepended here)
-- Returns {imported, duplicates, first new id (0 when none), then per duplicate: its 1-based position in
-- the chunk and the id of the contact that has its phone}. The new contacts' ids are consecutive (the
-- script runs alone), in the order the contacts came. Their lease state (`pending`) goes to {c}:lease_of
-- their cards to {c}:cards and their phones to {c}:phone_of (keys_lease.py), where claim reads 20 at once.
local P = ARGV[1]
local imported, duplicates, first = 0, 0, 0
local dups = {}
-- The chunk's lease state, cards, phones and pending entries are written with one command per key after
-- the loop, not one per contact: the entries of consecutive contacts are then allocated together, and a
-- claim, which takes a page of consecutive ids, reads and writes them in fewer cache misses
-- (docs/performance.md).
local states, cards, phones, queued, zones = {}, {}, {}, {}, {}
for i = 3, #ARGV, 10 do
  local phone = ARGV[i]
  local existing = redis.call('HGET', KEYS[1], phone)
  if existing then
    duplicates = duplicates + 1
    dups[#dups + 1] = (i - 3) / 10 + 1
    dups[#dups + 1] = existing
  else
    local cid = tostring(redis.call('INCR', KEYS[2]))
    if first == 0 then first = tonumber(cid) end
    local tz = ARGV[i + 6]
    redis.call('HSET', KEYS[1], phone, cid)
    redis.call('HSET', P .. 'contact:' .. cid, 'id', cid, 'phone', phone, 'external_id', ARGV[i + 1],
      'first_name', ARGV[i + 2], 'last_name', ARGV[i + 3], 'state', ARGV[i + 4], 'zip', ARGV[i + 5],
      'tz', tz, 'phone_type', ARGV[i + 7], 'fields', ARGV[i + 8], 'due', ARGV[2],
      'attempts', 0)
    local n = #states
    states[n + 1], states[n + 2] = cid, 'pending'
    cards[n + 1], cards[n + 2] = cid, '{"id":"' .. cid .. '",' .. string.sub(ARGV[i + 9], 2)
    phones[n + 1], phones[n + 2] = cid, phone
    local zone = queued[tz]
    if not zone then
      zone = {}
      queued[tz] = zone
      zones[#zones + 1] = tz
    end
    zone[#zone + 1] = ARGV[2]
    zone[#zone + 1] = cid
    imported = imported + 1
  end
end
if imported > 0 then
  redis.call('HSET', P .. 'lease_of', unpack(states))
  redis.call('HSET', P .. 'cards', unpack(cards))
  redis.call('HSET', P .. 'phone_of', unpack(phones))
  for _, tz in ipairs(zones) do
    redis.call('ZADD', P .. 'pending:' .. tz, unpack(queued[tz]))
    redis.call('SADD', KEYS[3], tz)
  end
  redis.call('HINCRBY', KEYS[4], 'contacts', imported)
  redis.call('HINCRBY', KEYS[4], 'pending', imported)
end
local reply = {imported, duplicates, first}
for _, value in ipairs(dups) do reply[#reply + 1] = value end
return reply
