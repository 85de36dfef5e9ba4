redis.call('HSET', KEYS[1], 'st', ARGV[1], 'B', ARGV[2], 'n', 0, 'b', 0, 'l', 0)
redis.call('EXPIREAT', KEYS[1], ARGV[3])
return 0
