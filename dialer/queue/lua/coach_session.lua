-- coach_session: change or end a volunteer's coaching session only if it is still the one the caller
-- means (this coach's, or this coach leg's), so that an end applies once: a repeated or late callback
-- about a leg that already left finds nothing and changes nothing.
-- KEYS: [1] {c}:coach:<volunteer>
-- ARGV: [1] op "put" | "end"  [2] coach id ("" = any)  [3] coach leg CallSid ("" = any)  [4] new JSON (put)
-- Returns the session as it was before (JSON), or false when nothing matched.
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local ok, current = pcall(cjson.decode, raw)
if not ok or type(current) ~= 'table' then return false end
if ARGV[2] ~= '' and current['coach'] ~= ARGV[2] then return false end
if ARGV[3] ~= '' and current['call_sid'] ~= ARGV[3] then return false end
if ARGV[1] == 'end' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[4], 'KEEPTTL')
end
return raw
