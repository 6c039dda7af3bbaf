-- Take one try at a volunteer's phone verification code (web/call_me.py) before the code is compared, so
-- that codes typed at once (a brute force in parallel) never get more comparisons than the tries allowed.
-- KEYS: [1] phonecheck:<user> (hash: phone, digest, expires_at, tries_left)
-- ARGV: (none)
-- Returns {phone, digest, expires_at, tries_left before this try}, or false when no verification is
-- waiting or it has no try left (a missing key is never created).
local row = redis.call('HMGET', KEYS[1], 'phone', 'digest', 'expires_at', 'tries_left')
if not row[1] or not row[2] or not row[3] or not row[4] then
  return false
end
local left = tonumber(row[4]) or 0
if left <= 0 then
  return false
end
redis.call('HINCRBY', KEYS[1], 'tries_left', -1)
return {row[1], row[2], row[3], tostring(left)}
