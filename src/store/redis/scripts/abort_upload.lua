-- Drops an upload under way and its chunks; a finished upload (its state gone) is left
-- alone, so a file that became a secret never loses its chunks here.
-- KEYS: upload, chunks. Returns 1 (dropped), 0 (no such upload).
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('UNLINK', KEYS[1], KEYS[2])
return 1
