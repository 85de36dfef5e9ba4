
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -2 then return -1 end
local counts = redis.call('HMGET', KEYS[2], 'f', 'p')
if (tonumber(counts[1]) or 0) + (tonumber(counts[2]) or 0) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('HINCRBY', KEYS[2], 'p', 1)
redis.call('PEXPIRE', KEYS[2], math.max(ttl, 1))
return 1
