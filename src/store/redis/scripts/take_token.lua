
local window = tonumber(ARGV[1])
if window > 0 then
  local kept = redis.call('GET', KEYS[2])
  if kept then
    -- Written again as it is, so that the acknowledgement that follows covers it.
    redis.call('PEXPIRE', KEYS[2], math.max(redis.call('PTTL', KEYS[2]), 1))
    return kept
  end
end
local token = redis.call('GETDEL', KEYS[1])
if token and window > 0 then redis.call('SET', KEYS[2], token, 'PX', window) end
return token
