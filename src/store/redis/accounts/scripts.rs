//! The accounts' Lua scripts: each multi-key step on a user's records, atomic in Redis.

use std::sync::LazyLock;

use redis::Script;

/// Stores a code unless the slot cools down. KEYS: code, attempts, cooldown.
/// ARGV: digest, ttl s, cooldown s. Returns 0 (stored) or the cooldown's ms left.
pub(super) const ISSUE_CODE_SCRIPT: &str = r"
local left = redis.call('PTTL', KEYS[3])
if left > 0 then return left end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[3], '1', 'EX', ARGV[3]) end
return 0
";
pub(super) static ISSUE_CODE: LazyLock<Script> = LazyLock::new(|| Script::new(ISSUE_CODE_SCRIPT));

/// Checks a code. KEYS: code, all attempts, this client's attempts, the match kept for a
/// retry. ARGV: digest, per-client limit, total limit, code ttl s, retry window ms (`0`:
/// none). Returns -2 (matched, consumed; or kept from an earlier match with the same
/// idempotency key and code), -1 (no code), else attempts left for this client (0: none).
/// A spent budget refuses even the right code — the client's own for that client, the
/// total for everyone (the code dies); the counts survive reissued codes.
pub(super) const CHECK_CODE_SCRIPT: &str = r"
local window = tonumber(ARGV[5])
if window > 0 and redis.call('EXISTS', KEYS[4]) == 1 then
  -- Written again as it is, so that the acknowledgement that follows covers it.
  redis.call('PEXPIRE', KEYS[4], math.max(redis.call('PTTL', KEYS[4]), 1))
  return -2
end
local stored = redis.call('GET', KEYS[1])
if not stored then return -1 end
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1])
  return 0
end
if tonumber(redis.call('GET', KEYS[3]) or '0') >= tonumber(ARGV[2]) then return 0 end
if stored == ARGV[1] then
  redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
  if window > 0 then redis.call('SET', KEYS[4], '1', 'PX', window) end
  return -2
end
local total = redis.call('INCR', KEYS[2])
if total == 1 then redis.call('EXPIRE', KEYS[2], ARGV[4]) end
local mine = redis.call('INCR', KEYS[3])
if mine == 1 then redis.call('EXPIRE', KEYS[3], ARGV[4]) end
if total >= tonumber(ARGV[3]) then redis.call('DEL', KEYS[1]) end
return math.max(0, math.min(tonumber(ARGV[2]) - mine, tonumber(ARGV[3]) - total))
";
pub(super) static CHECK_CODE: LazyLock<Script> = LazyLock::new(|| Script::new(CHECK_CODE_SCRIPT));

/// Frees an address whose claim names a user that is gone (a lapsed registration), if it
/// still names that user. KEYS: email index. ARGV: the stale user id.
pub(super) static RELEASE_STALE_CLAIM: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
",
    )
});

/// Claims the oldest due mail. KEYS: due set, mail hash. ARGV: now ms, lease ms.
/// Returns {id, sealed}, or nil when nothing is due.
pub(super) static CLAIM_MAIL: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1)
if #due == 0 then return false end
local sealed = redis.call('HGET', KEYS[2], due[1])
if not sealed then
  redis.call('ZREM', KEYS[1], due[1])
  return false
end
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), due[1])
return {due[1], sealed}
",
    )
});

/// Activates a pending user with its password hash. KEYS: user. ARGV: hash.
/// Returns 1 when it was pending, else 0 (a block or an earlier confirm stays).
pub(super) static ACTIVATE_PENDING: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('HGET', KEYS[1], 'state') ~= 'pending' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'active', 'password_hash', ARGV[1])
redis.call('PERSIST', KEYS[1])
return 1
",
    )
});

/// Stores a session if its user is still at the generation it was authorised under (a
/// bump in between voids it: never written). KEYS: user, session (one slot: the session
/// has its user's tag). ARGV: generation, record, ttl s. Returns 1 (stored) or 0.
pub(super) static CREATE_SESSION: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('HGET', KEYS[1], 'generation') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[3])
return 1
",
    )
});

/// Stores an API key if its owner is still at the generation the request was authorised
/// under. KEYS: user, key, the user's key index (one slot: the user's tag). ARGV:
/// generation, record, key id. Returns 1 (stored) or 0.
pub(super) static CREATE_API_KEY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('HGET', KEYS[1], 'generation') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[3], ARGV[2])
return 1
",
    )
});

/// The start of every script on a user's receipt list (KEYS: list, gone, index): a list
/// written before it had a gone-time set and a secret index gets both, once, for its
/// (at most a few thousand) entries, with the list's own expiry. Every later step keeps
/// the three together, so a list without a gone-time set is such a list, or empty.
pub(super) const INDEX_UNINDEXED_LIST: &str = r"
if redis.call('EXISTS', KEYS[2]) == 0 then
  for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    local entry = cjson.decode(member)
    redis.call('ZADD', KEYS[2], entry.gone_at, member)
    if entry.secret then redis.call('HSET', KEYS[3], entry.secret, member) end
  end
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then
    redis.call('PEXPIRE', KEYS[2], ttl)
    redis.call('PEXPIRE', KEYS[3], ttl)
  end
end
";

/// The entry of a user's list for one secret. KEYS: list, gone, index. ARGV: the secret's
/// reference. Returns the entry's JSON, or nil.
pub(super) static OWNED_ENTRY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{INDEX_UNINDEXED_LIST}return redis.call('HGET', KEYS[3], ARGV[1])"
    ))
});

/// Adds an entry to a user's receipt list, its gone-time index and its secret index, and
/// trims the list to the newest `keep` (the trimmed leave both indexes too). KEYS: list,
/// gone, index. ARGV: entry JSON, score (ms), gone at (s), secret reference (may be
/// empty), keep, list TTL (s).
pub(super) static ADD_OWNED: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{INDEX_UNINDEXED_LIST}{}",
        r"
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[3], ARGV[4], ARGV[1]) end
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[5])
if over > 0 then
  for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, over - 1)) do
    redis.call('ZREM', KEYS[2], member)
    local secret = cjson.decode(member).secret
    if secret then redis.call('HDEL', KEYS[3], secret) end
  end
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, over - 1)
end
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[6]) end
"
    ))
});

/// A page of a user's receipt list, newest first, after removing (from the list and
/// both indexes) at most 256 entries whose receipts are gone: cleaned on access, in
/// bounded steps. KEYS: list, gone, index. ARGV: now (s), first and last rank. Returns
/// `[total, members]`.
pub(super) static OWNED_PAGE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{INDEX_UNINDEXED_LIST}{}",
        r"
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 256)) do
  redis.call('ZREM', KEYS[1], member)
  redis.call('ZREM', KEYS[2], member)
  local secret = cjson.decode(member).secret
  if secret then redis.call('HDEL', KEYS[3], secret) end
end
return {redis.call('ZCARD', KEYS[1]), redis.call('ZREVRANGE', KEYS[1], ARGV[2], ARGV[3])}
"
    ))
});

/// Bumps a user's generation and, with ARGV[1] = 1, voids the keys of older ones in the
/// same step. KEYS: the user. Returns the new generation.
pub(super) static BUMP_GENERATION: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local generation = redis.call('HINCRBY', KEYS[1], 'generation', 1)
if ARGV[1] == '1' then redis.call('HSET', KEYS[1], 'keys_from', generation) end
return generation
",
    )
});
