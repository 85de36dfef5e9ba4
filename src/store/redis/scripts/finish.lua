
-- Whether the caller may have these sealed bytes: an e2e2 secret (flag bit 5, its
-- verifier after the views byte) only with the same verifier, compared in constant time.
local function admits(sealed)
  local flags = string.byte(sealed, tonumber(ARGV[5]) + 1) or 0
  if math.floor(flags / 32) % 2 == 0 or ARGV[9] == '*' then return true end
  local at = tonumber(ARGV[7]) + math.floor(flags / 4) % 2
  local stored, presented = string.sub(sealed, at + 1, at + 32), ARGV[9]
  if #stored ~= 32 or #presented ~= 32 then return false end
  local differ = 0
  for i = 1, 32 do
    differ = bit.bor(differ, bit.bxor(string.byte(stored, i), string.byte(presented, i)))
  end
  return differ == 0
end
local function protected_left_alone(sealed)
  local flags = string.byte(sealed, tonumber(ARGV[5]) + 1) or 0
  return flags % 2 == 1 and ARGV[4] == '1'
end
-- A file secret (flag bit 6) goes only to a take that allows files (a download window).
local file_window = tonumber(ARGV[10])
local function is_file(sealed)
  local flags = string.byte(sealed, tonumber(ARGV[5]) + 1) or 0
  return math.floor(flags / 64) % 2 == 1
end
local function file_refused(sealed)
  return ARGV[1] == 'r' and not file_window and is_file(sealed)
end
-- Each view of a file hands out a download: its chunks stay for the window after the
-- last view, and a view before it (or a replay) lengthens their life, never shortens it
-- (`GT`, spelled out for Redis 6.2).
local function keep_chunks(sealed, last)
  if not file_window or not is_file(sealed) then return end
  if last then
    redis.call('PEXPIRE', KEYS[6], file_window)
    return
  end
  local ttl = redis.call('PTTL', KEYS[6])
  if ttl >= 0 and ttl < file_window then redis.call('PEXPIRE', KEYS[6], file_window) end
end
local window = tonumber(ARGV[8])
if window > 0 then
  local kept = redis.call('GET', KEYS[5])
  if kept then
    -- The same checks as a take: a replay needs the passphrase and the proof again.
    local bytes = string.sub(kept, 2)
    if protected_left_alone(bytes) then return 1 end
    if not admits(bytes) then return 2 end
    if file_refused(bytes) then return 3 end
    keep_chunks(bytes, false)
    -- Written again as it is, so that the acknowledgement that follows covers it.
    redis.call('PEXPIRE', KEYS[5], math.max(redis.call('PTTL', KEYS[5]), 1))
    return {bytes, string.byte(kept, 1), 1}
  end
end
if ARGV[1] == 'k' then return false end
local sealed = redis.call('GET', KEYS[1])
if not sealed then return false end
local flags = string.byte(sealed, tonumber(ARGV[5]) + 1) or 0
local protected = flags % 2 == 1
if protected_left_alone(sealed) then return 1 end
if not admits(sealed) then return 2 end
if file_refused(sealed) then return 3 end
local function keep(left)
  keep_chunks(sealed, left == 0)
  if window > 0 then
    redis.call('SET', KEYS[5], string.char(left) .. sealed, 'PX', window)
  end
  return {sealed, left}
end
local expires = 0
for at = tonumber(ARGV[6]) + 1, tonumber(ARGV[6]) + 8 do
  expires = expires * 256 + (string.byte(sealed, at) or 0)
end
local kept_until = math.max(expires + tonumber(ARGV[3]), 1)
local allowed = 1
if math.floor(flags / 4) % 2 == 1 then
  allowed = (string.byte(sealed, tonumber(ARGV[7]) + 1) or 1) % 128
end
if ARGV[1] == 'r' and allowed > 1 then
  local views = redis.call('INCR', KEYS[4])
  -- As long as the secret, by Redis's own clock, and the grace: never shorter, or a
  -- count gone before its secret would hand out views anew.
  redis.call('PEXPIRE', KEYS[4], math.max(redis.call('PTTL', KEYS[1]), 1) + tonumber(ARGV[3]) * 1000)
  if views < allowed then return keep(allowed - views) end
end
if protected then redis.call('DEL', KEYS[1], KEYS[2]) else redis.call('DEL', KEYS[1]) end
redis.call('SET', KEYS[3], ARGV[1] .. ARGV[2], 'EXAT', kept_until)
if ARGV[1] == 'r' then return keep(0) end
redis.call('UNLINK', KEYS[6])
return 0
