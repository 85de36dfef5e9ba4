local counts = redis.call('HMGET', KEYS[1], 'B', 'n', 'b', 'l')
if not counts[1] then return false end
local declared, received = tonumber(counts[1]), tonumber(counts[2])
local index, length = tonumber(ARGV[1]), tonumber(ARGV[3])
-- The next chunk, or the last one again (a retry whose answer was lost): it replaces
-- that chunk, and its bytes replace that chunk's bytes in the count.
local again = received > 0 and index == received - 1
if index ~= received and not again then return {2, received} end
local bytes = tonumber(counts[3]) + length
if again then bytes = bytes - tonumber(counts[4]) end
if bytes > declared then return {3} end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
-- The first chunk sets the secret's expiry on the hash; no later one moves it.
if redis.call('TTL', KEYS[2]) == -1 then redis.call('EXPIREAT', KEYS[2], ARGV[4]) end
if not again then received = received + 1 end
redis.call('HSET', KEYS[1], 'n', received, 'b', bytes, 'l', length)
return {1, received, bytes}
