
if redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('INFO', 'replication')
  if not string.find(info, 'role:master', 1, true) then
    return redis.error_reply('BBNOTMASTER this server is not a master')
  end
  local online = 0
  for state, lag in string.gmatch(info, 'state=(%a+),offset=%d+,lag=(%d+)') do
    if state == 'online' and tonumber(lag) <= 2 then online = online + 1 end
  end
  if online < tonumber(ARGV[#ARGV]) then
    return redis.error_reply('BBNOREPLICAS fewer replicas online than takes wait for')
  end
end
