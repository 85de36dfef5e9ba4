
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('BITFIELD', KEYS[1], 'OVERFLOW', 'SAT', 'INCRBY', 'u32', ARGV[1], -1)
end
return 0
