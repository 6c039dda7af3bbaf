-- Store a new version of a script: allocate the next version number and write the document in one step,
-- so two uploads of one id at once get two different versions and neither overwrites the other.
-- KEYS: [1] script:<sid> (hash version -> document JSON)  [2] script-latest:<sid> (one hash tag: one slot)
-- ARGV: [1] script id  [2] document JSON
-- The index of script ids (another slot) is updated by the caller afterwards.
local version = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], tostring(version), ARGV[2])
return version
