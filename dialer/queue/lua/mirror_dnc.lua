-- mirror_dnc: copy into a campaign's do-not-call mirror those of the given phones that the campaign has,
-- so claim.lua can check the list without leaving the campaign's slot.
-- KEYS: [1] {c}:phones  [2] {c}:dnc
-- ARGV: [1..] E.164 phones just added to the organization's list
-- Returns how many were new to the mirror.
local n = 0
for i = 1, #ARGV do
  if redis.call('HEXISTS', KEYS[1], ARGV[i]) == 1 then
    n = n + redis.call('SADD', KEYS[2], ARGV[i])
  end
end
return n
