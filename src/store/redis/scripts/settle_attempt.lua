
if redis.call('EXISTS', KEYS[2]) == 1 and redis.call('HINCRBY', KEYS[2], 'p', -1) < 0 then
  redis.call('HSET', KEYS[2], 'p', 0)
end
if ARGV[1] ~= '1' then return -2 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -2 then return -1 end
if ttl < 0 then ttl = 0 end
local failures = redis.call('HINCRBY', KEYS[2], 'f', 1)
redis.call('PEXPIRE', KEYS[2], math.max(ttl, 1))
local left = tonumber(ARGV[2]) - failures
if left > 0 then return left end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('UNLINK', KEYS[4])
redis.call('SET', KEYS[3], 'b' .. ARGV[3], 'PX', ttl + tonumber(ARGV[4]))
return 0
