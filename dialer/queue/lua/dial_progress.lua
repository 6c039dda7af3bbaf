-- dial_progress: note when a server-dialed line was first heard ringing, or answered (the first time only:
-- a late or repeated callback changes nothing). Lines that are not ours (no hash) are left alone.
-- KEYS: [1] {c}:dial:line:<sid>   ARGV: [1] field (ringing_at | picked_up_at)  [2] now
-- Returns 1 when the field was set.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
