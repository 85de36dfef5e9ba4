local counts = redis.call('HMGET', KEYS[1], 'n', 'b')
if not counts[1] then return false end
local received, bytes = tonumber(counts[1]), tonumber(counts[2])
if received == 0 or bytes ~= tonumber(ARGV[5]) then return {received, bytes} end
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[4])
-- The chunks live at least as long as their secret (their expiry came from the same
-- instant, rounded to the second).
local ttl, wanted = redis.call('PTTL', KEYS[4]), tonumber(ARGV[2]) * 1000
if ttl >= 0 and ttl < wanted then redis.call('PEXPIRE', KEYS[4], wanted) end
redis.call('DEL', KEYS[1])
return 0
