//! The Redis backend: one multiplexed connection, atomic steps as one command or Lua.
//!
//! Connection arrangement, chosen by measurement (`examples/redis_arrangements.rs`, 32
//! concurrent `SET EX`/`GETDEL` pairs on the 2-core development machine): requests share
//! a multiplexed connection, a [`ConnectionManager`], which pipelines concurrent commands
//! onto one socket (83k–99k pairs/s). Handing each request its own pooled connection
//! (deadpool's exclusive checkout) serialises requests per connection and measured 3–5×
//! slower (25k–26k pairs/s). Clones of one deadpool-managed multiplexed connection
//! measured within the run-to-run noise of the manager; the manager wins on reconnecting
//! by itself after Redis comes back. Each HTTP worker gets its own manager
//! ([`Store::for_this_worker`]): a manager's I/O task runs on the runtime that first uses
//! it, so one shared manager made every worker wait on one thread (measured in the README,
//! "Performance notes"). Figures: README, "Performance notes".

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::StreamExt;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::{ClusterClient, ClusterClientBuilder, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{RoutingInfo, SingleNodeRoutingInfo};
use redis::sentinel::{SentinelClient, SentinelClientBuilder, SentinelServerType};
use redis::{
    AsyncConnectionConfig, Cmd, ConnectionAddr, FromRedisValue, IntoConnectionInfo, Pipeline,
    RedisFuture, Script, TlsCertificates, TlsMode, Value,
};

use super::{
    Attempt, NewSecret, Reservation, Store, StoreError, TakeGuard, Taken, decode_outcome,
    views_seen,
};
use crate::crypto::{EXPIRES_AT_OFFSET, PROTECTED_FLAG_OFFSET, VIEWS_OFFSET};
use crate::domain::limits::{CLIENT_ID_BYTES, Limit, LimitState, Recent, assess};
use crate::domain::time::now_micros;
use crate::domain::{ReceiptRecord, RecordRef, SecretFate};
use crate::metrics::METRICS;
// Settings types that live in `config`; named here too, for code written against this path.
pub use crate::config::{AckReplicas, RedisTopology};

/// Hands out a view of a secret, or burns it, in one atomic step. A secret whose header
/// allows several views (flag bit 2, then the views byte) counts each view in its views
/// key and stays until its last. The last view, or a burn, removes it and records its
/// outcome. The outcome lives until the secret's own expiry (read from its header, not
/// asked with `PTTL`) plus the receipt grace; the views count as long as the secret (by
/// its `PTTL`) plus the grace. A protected secret the take must
/// leave is left untouched (read, not removed and put back); only a protected secret has
/// attempts to delete.
/// KEYS: secret, attempts, outcome, views. ARGV: outcome letter (`r` reveal, `b` burn),
/// unix now, receipt grace in seconds, `1` to leave passphrase-protected secrets in place,
/// flag offset, expiry offset, views offset.
/// Returns {sealed bytes, views left} (reveal), 0 (burned), 1 (protected, left alone),
/// nil (missing).
const FINISH_SCRIPT: &str = r"
local sealed = redis.call('GET', KEYS[1])
if not sealed then return false end
local flags = string.byte(sealed, tonumber(ARGV[5]) + 1) or 0
local protected = flags % 2 == 1
if protected and ARGV[4] == '1' then return 1 end
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
  if views < allowed then return {sealed, allowed - views} end
end
if protected then redis.call('DEL', KEYS[1], KEYS[2]) else redis.call('DEL', KEYS[1]) end
redis.call('SET', KEYS[3], ARGV[1] .. ARGV[2], 'EXAT', kept_until)
if ARGV[1] == 'r' then return {sealed, 0} end
return 0
";

/// Runs first in a take whose answer waits for replicas (prepended to its script; the count
/// it waits for is the script's last argument). When what is to be taken (`KEYS[1]`)
/// exists but this server is not a master, or has fewer replicas online and heard from in
/// the last two seconds than the take will wait for, it refuses with nothing consumed: a
/// take there could not be acknowledged, and a master left without its replica may be the
/// stale side of a failover that promoted it.
pub(super) const ACK_GUARD: &str = r"
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
";

/// Takes a token. KEYS: the token.
const TAKE_TOKEN_SCRIPT: &str = "return redis.call('GETDEL', KEYS[1])";

/// Reserves a passphrase attempt. The attempts hash holds `f` (failures) and `p`
/// (attempts in flight). KEYS: secret, attempts. ARGV: limit.
/// Returns 1 (reserved), 0 (failures and attempts in flight fill the limit), -1 (gone).
const RESERVE_ATTEMPT_SCRIPT: &str = r"
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -2 then return -1 end
local counts = redis.call('HMGET', KEYS[2], 'f', 'p')
if (tonumber(counts[1]) or 0) + (tonumber(counts[2]) or 0) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('HINCRBY', KEYS[2], 'p', 1)
redis.call('PEXPIRE', KEYS[2], math.max(ttl, 1))
return 1
";

/// Settles a reserved attempt; a failure burns the secret at the limit.
/// KEYS: secret, attempts, outcome. ARGV: `1` failed / `0` released, limit, unix now,
/// receipt grace in ms. Returns attempts left (0 = burned now), -1 when the secret was
/// already gone, -2 when released.
const SETTLE_ATTEMPT_SCRIPT: &str = r"
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
redis.call('SET', KEYS[3], 'b' .. ARGV[3], 'PX', ttl + tonumber(ARGV[4]))
return 0
";

/// Takes one back from a rate counter that still exists (a missing one stays missing:
/// `BITFIELD` would create it without an expiry). KEYS: the client's counters for the
/// window. ARGV: the counter's field (`#slot`).
const REFUND_SCRIPT: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('BITFIELD', KEYS[1], 'OVERFLOW', 'SAT', 'INCRBY', 'u32', ARGV[1], -1)
end
return 0
";

/// What this instance has read of each client's previous window, per period: a rate
/// check reads it only on its first check of the window; later checks are one
/// `BITFIELD` (and the counter's `PEXPIRE`). Requests another instance counts in the
/// previous window after that read (at the boundary, within the clocks' skew) are missed.
/// A window forgotten (pushed out by more recent clients) is read again.
#[derive(Debug, Default)]
struct RateWindows(Recent<RateWindowKey, (u64, Arc<[u8]>)>);

/// A client and a period (µs).
type RateWindowKey = ([u8; CLIENT_ID_BYTES], u64);

impl RateWindows {
    /// The previous window's counters, once read in `window`.
    fn previous(&self, key: &RateWindowKey, window: u64) -> Option<Arc<[u8]>> {
        self.0
            .lock()
            .get(key)
            .filter(|(read_in, _)| *read_in == window)
            .map(|(_, previous)| previous.clone())
    }

    fn remember(&self, key: RateWindowKey, window: u64, previous: Arc<[u8]>) {
        self.0.lock().put(key, (window, previous));
    }
}

/// What became of a secret, from whether it is still stored and its outcome record.
fn fate_of(pending: bool, outcome: Option<Vec<u8>>) -> Result<SecretFate, StoreError> {
    match (pending, outcome) {
        (true, _) => Ok(SecretFate::Pending),
        (false, Some(outcome)) => decode_outcome(&outcome),
        (false, None) => Ok(SecretFate::Expired),
    }
}

/// One 32-bit counter of a client's packed counters (`BITFIELD … u32 #slot`); absent is 0.
fn packed_count(counters: &[u8], slot: u8) -> u64 {
    let at = usize::from(slot) * 4;
    counters.get(at..at + 4).map_or(0, |bytes| {
        u64::from(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    })
}

/// Connections per worker for takes that wait for replicas (measured: README,
/// "What waiting for a replica costs").
const TAKE_CONNECTIONS: usize = 4;

/// The oldest Redis burnbox runs on: `GETDEL` arrived in 6.2.
pub const MIN_REDIS_VERSION: (u32, u32) = (6, 2);

/// What burnbox checks about the Redis it talks to (every master, in a cluster).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerFacts {
    /// `redis_version` of each master; `None` when the ACL user may not run `INFO`.
    pub versions: Option<Vec<String>>,
    /// Whether the server knows `GETDEL` (it may be renamed away).
    pub has_getdel: bool,
    /// Whether the server knows `WAITAOF` (Redis and Valkey 7.2 and newer).
    pub has_waitaof: bool,
    /// The masters (by address) without an append-only file; `None` when the ACL user may
    /// not run `INFO`.
    pub masters_without_aof: Option<Vec<String>>,
    /// `maxmemory-policy` of each master; `None` when the ACL user may not read it.
    pub eviction_policies: Option<Vec<String>>,
    /// The masters (by port) that keep neither an append-only file nor a replica: a
    /// restart there brings back what was consumed and loses what was new. `None` when
    /// the ACL user may not run `INFO`.
    pub undurable_masters: Option<Vec<String>>,
}

impl ServerFacts {
    /// Why burnbox cannot run on this Redis, if it cannot; `fsync` when takes are to wait
    /// for the append-only file (`BURNBOX_CONSUME_ACK_FSYNC`).
    pub fn unsupported(&self, fsync: bool) -> Option<String> {
        if let Some(old) = self
            .versions
            .iter()
            .flatten()
            .find(|version| parse_version(version).is_none_or(|v| v < MIN_REDIS_VERSION))
        {
            let (major, minor) = MIN_REDIS_VERSION;
            return Some(format!(
                "Redis {old} is too old: burnbox needs Redis {major}.{minor} or newer (or Valkey) for GETDEL"
            ));
        }
        if !self.has_getdel {
            return Some(
                "this Redis does not offer GETDEL (renamed or disabled): burnbox needs it"
                    .to_owned(),
            );
        }
        if !fsync {
            return None;
        }
        if !self.has_waitaof {
            let versions = self.versions.as_deref().unwrap_or_default().join(", ");
            return Some(format!(
                "BURNBOX_CONSUME_ACK_FSYNC needs WAITAOF, which Redis (and Valkey) have from \
                 7.2 on; this server ({versions}) has none: upgrade Redis, or unset \
                 BURNBOX_CONSUME_ACK_FSYNC and use `appendfsync always`"
            ));
        }
        self.masters_without_aof
            .iter()
            .flatten()
            .next()
            .map(|master| {
                format!(
                    "BURNBOX_CONSUME_ACK_FSYNC needs `appendonly yes`: Redis ({master}) keeps \
                     no append-only file"
                )
            })
    }
}

/// `major.minor` of a version string such as `7.0.15`.
fn parse_version(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// A node-wide reply split by node (one entry for a single server), each as its text.
fn per_node(value: &Value) -> Vec<(String, String)> {
    match value {
        Value::Map(pairs) => pairs
            .iter()
            .map(|(node, answer)| (texts_of(node).join(""), texts_of(answer).join("\n")))
            .collect(),
        other => vec![(String::new(), texts_of(other).join("\n"))],
    }
}

/// A field of an `INFO` text (`name:value` lines).
fn info_field<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .map(str::trim)
}

/// The masters, by address (empty for a single server), whose `INFO persistence` and `INFO replication` show
/// neither an append-only file nor a connected replica.
fn undurable(persistence: &Value, replication: &Value) -> Vec<String> {
    let replicas = per_node(replication);
    per_node(persistence)
        .into_iter()
        .filter(|(node, text)| {
            let aof = info_field(text, "aof_enabled") == Some("1");
            let replicated = replicas
                .iter()
                .filter(|(other, _)| other == node)
                .filter_map(|(_, text)| info_field(text, "connected_slaves"))
                .any(|count| count != "0");
            !aof && !replicated
        })
        .map(|(node, _)| node)
        .collect()
}

/// Every text leaf of a reply, in order: map keys, values and array items alike. Cluster
/// answers to node-wide commands come as a map of node address to that node's answer.
fn texts_of(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    texts(value, &mut out);
    out
}

fn texts(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::BulkString(bytes) => out.push(String::from_utf8_lossy(bytes).into_owned()),
        Value::SimpleString(text) => out.push(text.clone()),
        Value::VerbatimString { text, .. } => out.push(text.clone()),
        Value::Array(items) | Value::Set(items) => items.iter().for_each(|item| texts(item, out)),
        Value::Map(pairs) => pairs.iter().for_each(|(key, value)| {
            texts(key, out);
            texts(value, out);
        }),
        _ => {}
    }
}

/// The client for the configured topology.
// One per process and cloned only when a worker starts: its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum Client {
    Single(redis::Client),
    Cluster(ClusterClient),
    Sentinel(SentinelSetup),
}

/// How to reach the Sentinels and, through them, the master.
#[derive(Clone)]
struct SentinelSetup {
    sentinels: Vec<redis::ConnectionInfo>,
    master_name: String,
    /// Scheme, user, password and db for the master (its host and port come from Sentinel).
    master: Option<redis::ConnectionInfo>,
    certificates: Option<TlsCertificates>,
    /// Numbers the store's master connections, in the order they were looked up.
    generations: Arc<std::sync::atomic::AtomicU64>,
    /// Connections numbered below this may be to a former master: one of the store's
    /// connections met a sign of a failover, so all of them ask the Sentinels again
    /// (most requests use one connection and takes others; each would else meet the
    /// failover again, as an error of its own).
    suspect_below: Arc<std::sync::atomic::AtomicU64>,
}

impl SentinelSetup {
    fn new(
        sentinels: &[String],
        master_name: &str,
        url: Option<&str>,
        certificates: Option<TlsCertificates>,
    ) -> redis::RedisResult<Self> {
        let sentinels = sentinels
            .iter()
            .map(|sentinel| {
                if sentinel.contains("://") {
                    sentinel.as_str().into_connection_info()
                } else {
                    format!("redis://{sentinel}").into_connection_info()
                }
            })
            .collect::<redis::RedisResult<Vec<_>>>()?;
        // One set of credentials and one scheme for all Sentinels (the client applies them
        // to each): a password meant for a TLS Sentinel must not go to another in clear.
        let tls =
            |info: &redis::ConnectionInfo| matches!(info.addr(), ConnectionAddr::TcpTls { .. });
        if let Some(first) = sentinels.first()
            && sentinels.iter().any(|info| {
                info.redis_settings().username() != first.redis_settings().username()
                    || info.redis_settings().password() != first.redis_settings().password()
                    || tls(info) != tls(first)
            })
        {
            return Err(redis::RedisError::from(std::io::Error::other(
                "the Sentinels must share one scheme and one user and password",
            )));
        }
        let master = url
            .map(IntoConnectionInfo::into_connection_info)
            .transpose()?;
        if master.is_none() {
            log::warn!(
                "BURNBOX_REDIS_URL is not set: the master Sentinel names is reached without a \
                 password and without TLS"
            );
        }
        let setup = Self {
            sentinels,
            master_name: master_name.to_owned(),
            master,
            certificates,
            generations: Arc::default(),
            suspect_below: Arc::default(),
        };
        setup.client()?;
        Ok(setup)
    }

    /// A client of its own (each worker's connection asks the Sentinels by itself).
    fn client(&self) -> redis::RedisResult<SentinelClient> {
        let addresses = self.sentinels.iter().map(|info| info.addr().clone());
        let mut builder =
            SentinelClientBuilder::new(addresses, &self.master_name, SentinelServerType::Master)?;
        // Sentinels usually share their credentials: the first given is used for all.
        if let Some(info) = self
            .sentinels
            .iter()
            .find(|info| info.redis_settings().password().is_some())
        {
            if let Some(username) = info.redis_settings().username() {
                builder = builder.set_client_to_sentinel_username(username);
            }
            if let Some(password) = info.redis_settings().password() {
                builder = builder.set_client_to_sentinel_password(password);
            }
        }
        let tls_sentinels = self
            .sentinels
            .iter()
            .any(|info| matches!(info.addr(), ConnectionAddr::TcpTls { .. }));
        if let (true, Some(certificates)) = (tls_sentinels, &self.certificates) {
            builder = builder.set_client_to_sentinel_certificates(certificates.clone());
        }
        if let Some(master) = &self.master {
            builder = builder.set_client_to_redis_db(master.redis_settings().db());
            if let Some(username) = master.redis_settings().username() {
                builder = builder.set_client_to_redis_username(username);
            }
            if let Some(password) = master.redis_settings().password() {
                builder = builder.set_client_to_redis_password(password);
            }
            if matches!(master.addr(), ConnectionAddr::TcpTls { .. }) {
                builder = builder.set_client_to_redis_tls_mode(TlsMode::Secure);
                if let Some(certificates) = &self.certificates {
                    builder = builder.set_client_to_redis_certificates(certificates.clone());
                }
            }
        }
        builder.build()
    }
}

/// A connection to whichever server the Sentinels name as master now. A connection error,
/// a timeout or a `READONLY` answer (the old master, demoted to a replica, refuses
/// writes) drops it, and the next command asks the Sentinels again: a failover is followed
/// without a restart. A take sent to a demoted master fails there, so it is never
/// answered from a node that is no longer authoritative.
#[derive(Clone)]
struct SentinelConnection {
    sentinel: Arc<tokio::sync::Mutex<SentinelClient>>,
    /// The master's connection, numbered so that a late error on an older one cannot
    /// drop a newer one.
    current: Arc<std::sync::Mutex<Option<(u64, redis::aio::MultiplexedConnection)>>>,
    /// Shared by the store's connections: see [`SentinelSetup`].
    generations: Arc<std::sync::atomic::AtomicU64>,
    suspect_below: Arc<std::sync::atomic::AtomicU64>,
    config: AsyncConnectionConfig,
    /// With [`AckReplicas::Auto`], the store's acknowledgment count: re-read from each new
    /// master before it serves a take (after a failover it may have no replica yet).
    auto_acks: Option<Arc<std::sync::atomic::AtomicU32>>,
}

impl SentinelConnection {
    fn cached(&self) -> Option<(u64, redis::aio::MultiplexedConnection)> {
        let suspect_below = self
            .suspect_below
            .load(std::sync::atomic::Ordering::Relaxed);
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if current
            .as_ref()
            .is_some_and(|(generation, _)| *generation < suspect_below)
        {
            *current = None;
        }
        current.clone()
    }

    /// The current master's connection and its number. When there is none, a lookup (the
    /// Sentinels, then the master they name) runs on a task of its own, so a request that
    /// stops waiting does not cancel it: a dead or frozen Sentinel early in the list costs
    /// the lookup its timeouts once, instead of every request's whole budget forever. One
    /// lookup runs at a time; requests meanwhile wait for its result.
    async fn connection(&self) -> redis::RedisResult<(u64, redis::aio::MultiplexedConnection)> {
        if let Some(found) = self.cached() {
            return Ok(found);
        }
        match self.sentinel.clone().try_lock_owned() {
            Ok(sentinel) => {
                let this = self.clone();
                tokio::spawn(async move { this.look_up(sentinel).await })
                    .await
                    .map_err(|_| std::io::Error::other("the master lookup stopped"))?
            }
            Err(_) => {
                drop(self.sentinel.lock().await);
                self.cached().ok_or_else(|| {
                    std::io::Error::other("the Sentinels named no reachable master").into()
                })
            }
        }
    }

    async fn look_up(
        &self,
        mut sentinel: tokio::sync::OwnedMutexGuard<SentinelClient>,
    ) -> redis::RedisResult<(u64, redis::aio::MultiplexedConnection)> {
        if let Some(found) = self.cached() {
            return Ok(found);
        }
        let client = sentinel.async_get_client().await?;
        log::info!(
            "Sentinel names {} as master",
            client.get_connection_info().addr()
        );
        let mut connection = client
            .get_multiplexed_async_connection_with_config(&self.config)
            .await?;
        if let Some(acks) = &self.auto_acks {
            let info: redis::RedisResult<Value> = redis::cmd("INFO")
                .arg("replication")
                .query_async(&mut connection)
                .await;
            match info {
                Ok(info) => update_auto_acks(acks, &info),
                Err(error) if error.code() == Some("NOPERM") => {}
                Err(error) => return Err(error),
            }
        }
        let generation = self
            .generations
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        *self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((generation, connection.clone()));
        Ok((generation, connection))
    }

    /// Forgets the connection `generation` after an error, or an answer, that says the
    /// master may have changed (a newer connection is left alone).
    fn after<T>(
        &self,
        generation: u64,
        result: redis::RedisResult<T>,
        answers: impl Fn(&T) -> Vec<&Value>,
    ) -> redis::RedisResult<T> {
        let changed = match &result {
            Err(error) => {
                error.is_io_error()
                    || error.is_timeout()
                    || error.is_connection_dropped()
                    || error.is_connection_refusal()
                    || error.is_unrecoverable_error()
                    || error.code().is_some_and(not_the_master)
            }
            // The connection hands server errors back as values.
            Ok(values) => answers(values).into_iter().any(
                |value| matches!(value, Value::ServerError(error) if not_the_master(error.code())),
            ),
        };
        if changed {
            // This connection and those looked up before it: a newer one is left alone.
            self.suspect_below
                .fetch_max(generation + 1, std::sync::atomic::Ordering::Relaxed);
            let mut current = self
                .current
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if current
                .as_ref()
                .is_some_and(|(cached, _)| *cached == generation)
            {
                *current = None;
            }
        }
        result
    }
}

impl ConnectionLike for SentinelConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            let (generation, mut connection) = self.connection().await?;
            let result = connection.req_packed_command(cmd).await;
            self.after(generation, result, |value| vec![value])
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let (generation, mut connection) = self.connection().await?;
            let result = connection
                .req_packed_commands(pipeline, offset, count)
                .await;
            self.after(generation, result, |values| values.iter().collect())
        })
    }

    fn get_db(&self) -> i64 {
        self.cached()
            .map_or(0, |(_, connection)| connection.get_db())
    }
}

/// One worker's connection: a reconnecting manager for one server, a cluster connection
/// that follows the slot map (MOVED/ASK, failover) by itself, or the master Sentinel names.
#[derive(Clone)]
enum Connection {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
    Sentinel(SentinelConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Single(connection) => connection.req_packed_command(cmd),
            Self::Cluster(connection) => connection.req_packed_command(cmd),
            Self::Sentinel(connection) => connection.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Single(connection) => connection.req_packed_commands(pipeline, offset, count),
            Self::Cluster(connection) => connection.req_packed_commands(pipeline, offset, count),
            Self::Sentinel(connection) => connection.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(connection) => connection.get_db(),
            Self::Cluster(connection) => connection.get_db(),
            Self::Sentinel(connection) => connection.get_db(),
        }
    }
}

/// Connection and timing settings for [`RedisStore`].
#[derive(Debug, Clone)]
pub struct RedisOptions {
    /// Prefix of every key, e.g. `burnbox:`.
    pub key_prefix: String,
    /// How long a receipt outlives its secret.
    pub receipt_grace: Duration,
    /// Upper bound for any one operation, including reconnecting.
    pub timeout: Duration,
    /// PEM of a private CA for `rediss://`; `None` trusts the system's roots.
    pub ca_pem: Option<Vec<u8>>,
    /// Replicas that must acknowledge a take before its answer leaves.
    pub ack_replicas: AckReplicas,
    /// How long a take waits for those acknowledgments.
    pub ack_timeout: Duration,
    /// Whether a take also waits for the master's append-only file (`WAITAOF`).
    pub ack_fsync: bool,
}

/// The Redis implementation of [`Store`].
#[derive(Clone)]
pub struct RedisStore {
    client: Client,
    connection: Connection,
    /// Connections of their own for takes that wait for replicas: Redis holds back a
    /// client's later commands while its `WAIT` blocks, so on the shared connection every
    /// request of the worker would queue behind each acknowledgment. Used in turn.
    take_connections: Arc<[Connection]>,
    next_take: Arc<std::sync::atomic::AtomicUsize>,
    options: RedisOptions,
    /// Set once the server has been found fit (version, `GETDEL`); shared by workers.
    fit: Arc<std::sync::atomic::AtomicBool>,
    /// Replicas each take waits for now (see [`AckReplicas`]); shared by workers.
    acks: Arc<std::sync::atomic::AtomicU32>,
    /// With [`AckReplicas::Auto`]: whether the replicas have been counted yet. Until they
    /// have, a take counts them first (and fails if it cannot) rather than go unguarded.
    acks_known: Arc<std::sync::atomic::AtomicBool>,
    finish: Script,
    reserve_attempt: Script,
    settle_attempt: Script,
    refund: Script,
    /// Shared by workers.
    rate_windows: Arc<RateWindows>,
}

impl RedisStore {
    /// Prepares a connection to `url`. Connecting happens on first use, so the service
    /// starts (and reports not-ready) while Redis is down.
    pub fn connect(topology: &RedisTopology, options: RedisOptions) -> Result<Self, StoreError> {
        let certificates = options.ca_pem.clone().map(|root| TlsCertificates {
            client_tls: None,
            root_cert: Some(root),
        });
        let client = match topology {
            RedisTopology::Single(url) => Client::Single(
                match certificates {
                    Some(certificates) => redis::Client::build_with_tls(url.as_str(), certificates),
                    None => redis::Client::open(url.as_str()),
                }
                .map_err(unavailable)?,
            ),
            RedisTopology::Cluster(nodes) => {
                let timeout_ms = u64::try_from(options.timeout.as_millis()).unwrap_or(u64::MAX);
                let mut builder = ClusterClientBuilder::new(nodes.iter().map(String::as_str))
                    .retries(2)
                    .min_retry_wait(50)
                    .max_retry_wait(timeout_ms);
                if let Some(certificates) = certificates {
                    builder = builder.certs(certificates);
                }
                Client::Cluster(builder.build().map_err(unavailable)?)
            }
            RedisTopology::Sentinel {
                sentinels,
                master,
                url,
            } => Client::Sentinel(
                SentinelSetup::new(sentinels, master, url.as_deref(), certificates)
                    .map_err(unavailable)?,
            ),
        };
        let acks = Arc::new(std::sync::atomic::AtomicU32::new(
            match options.ack_replicas {
                AckReplicas::Auto => 0,
                AckReplicas::Exactly(replicas) => replicas,
            },
        ));
        let connection = Self::open(&client, &options, &acks)?;
        let take_connections = Self::open_for_takes(&client, &options, &acks)?;
        let known = options.ack_replicas != AckReplicas::Auto;
        Ok(Self {
            client,
            connection,
            take_connections,
            next_take: Arc::default(),
            options,
            fit: Arc::default(),
            acks_known: Arc::new(std::sync::atomic::AtomicBool::new(known)),
            acks,
            finish: Script::new(FINISH_SCRIPT),
            reserve_attempt: Script::new(RESERVE_ATTEMPT_SCRIPT),
            settle_attempt: Script::new(SETTLE_ATTEMPT_SCRIPT),
            refund: Script::new(REFUND_SCRIPT),
            rate_windows: Arc::default(),
        })
    }

    /// A connection for the calling runtime; it connects on first use, so the service
    /// starts while Redis is still down.
    fn open(
        client: &Client,
        options: &RedisOptions,
        acks: &Arc<std::sync::atomic::AtomicU32>,
    ) -> Result<Connection, StoreError> {
        match client {
            Client::Single(client) => {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(options.timeout))
                    .set_response_timeout(Some(options.timeout))
                    .set_number_of_retries(1)
                    .set_min_delay(Duration::from_millis(50))
                    .set_max_delay(options.timeout);
                ConnectionManager::new_lazy_with_config(client.clone(), config)
                    .map(Connection::Single)
                    .map_err(unavailable)
            }
            Client::Cluster(client) => {
                let config = ClusterConfig::new()
                    .set_connection_timeout(options.timeout)
                    .set_response_timeout(options.timeout);
                Ok(Connection::Cluster(
                    client.get_pending_async_connection_with_config(config),
                ))
            }
            Client::Sentinel(setup) => Ok(Connection::Sentinel(SentinelConnection {
                sentinel: Arc::new(tokio::sync::Mutex::new(
                    setup.client().map_err(unavailable)?,
                )),
                current: Arc::default(),
                generations: setup.generations.clone(),
                suspect_below: setup.suspect_below.clone(),
                // Shorter than the operation's own bound, so a master that stopped
                // answering (frozen, partitioned) is noticed and forgotten, not just
                // waited out: the next command asks the Sentinels again.
                config: AsyncConnectionConfig::new()
                    .set_connection_timeout(Some(options.timeout * 3 / 4))
                    .set_response_timeout(Some(options.timeout * 3 / 4)),
                auto_acks: (options.ack_replicas == AckReplicas::Auto).then(|| acks.clone()),
            })),
        }
    }

    /// The connections for acknowledged takes (see `take_connections`); opened lazily, so
    /// they cost nothing where takes do not wait.
    fn open_for_takes(
        client: &Client,
        options: &RedisOptions,
        acks: &Arc<std::sync::atomic::AtomicU32>,
    ) -> Result<Arc<[Connection]>, StoreError> {
        (0..TAKE_CONNECTIONS)
            .map(|_| Self::open(client, options, acks))
            .collect()
    }

    /// Runs a node-wide command on every master (the only node, outside a cluster).
    async fn on_every_master(&self, command: Cmd) -> Result<Value, StoreError> {
        self.run(self.on_every_master_raw(command)).await
    }

    async fn on_every_master_raw(&self, command: Cmd) -> redis::RedisResult<Value> {
        match &self.connection {
            Connection::Single(connection) => command.query_async(&mut connection.clone()).await,
            Connection::Sentinel(connection) => command.query_async(&mut connection.clone()).await,
            Connection::Cluster(connection) => {
                // Each master the slot map names, asked directly. (The client's fan-out to
                // all masters silently skips one it has lost its connection to, so a dead
                // master would go unnoticed until its replica took over.)
                let mut connection = connection.clone();
                let slots = connection
                    .route_command(
                        redis::cmd("CLUSTER").arg("SLOTS").clone(),
                        RoutingInfo::SingleNode(SingleNodeRoutingInfo::Random),
                    )
                    .await?;
                let mut answers = Vec::new();
                for (host, port) in slot_masters(&slots) {
                    let address = format!("{host}:{port}");
                    let routing =
                        RoutingInfo::SingleNode(SingleNodeRoutingInfo::ByAddress { host, port });
                    let answer = connection.route_command(command.clone(), routing).await?;
                    answers.push((Value::BulkString(address.into_bytes()), answer));
                }
                if answers.is_empty() {
                    return Err(redis::RedisError::from((
                        redis::ErrorKind::ClusterConnectionNotFound,
                        "the cluster maps no slots to any master",
                    )));
                }
                Ok(Value::Map(answers))
            }
        }
    }

    /// Like [`Self::on_every_master`], but a command the ACL user may not run (`NOPERM`)
    /// gives `None`: a least-privilege user need not be allowed `INFO` or `CONFIG`.
    async fn on_every_master_if_permitted(
        &self,
        command: Cmd,
    ) -> Result<Option<Value>, StoreError> {
        match tokio::time::timeout(self.options.timeout, self.on_every_master_raw(command)).await {
            Ok(Ok(value)) => Ok(Some(value)),
            Ok(Err(error)) if error.code() == Some("NOPERM") => Ok(None),
            Ok(Err(error)) => Err(counted(unavailable(error))),
            Err(_) => Err(counted(StoreError::Timeout(self.options.timeout))),
        }
    }

    /// Counts secrets that Redis expires unread (`burnbox_secrets_expired_total`) from
    /// its keyspace notifications, on a task of the calling runtime that reconnects by
    /// itself. Redis sends them only with `notify-keyspace-events` including `Ex`; on a
    /// cluster each node would need its own subscriber, so there the count stays 0.
    pub fn watch_expiries(&self) {
        let Client::Single(client) = &self.client else {
            log::info!(
                "burnbox_secrets_expired_total is counted on a single Redis server only, not \
                 on a cluster or behind Sentinel"
            );
            return;
        };
        let (client, prefix) = (client.clone(), self.options.key_prefix.clone());
        tokio::spawn(async move {
            loop {
                if let Err(error) = count_expiries(&client, &prefix).await {
                    log::debug!("expiry notifications interrupted: {error}");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    /// Checks, once per process, that the server can run burnbox; until it is found fit,
    /// readiness fails. Redis may first be reached long after start (any start order).
    pub async fn check_fit(&self) -> Result<(), StoreError> {
        use std::sync::atomic::Ordering;
        if self.fit.load(Ordering::Relaxed) {
            return Ok(());
        }
        let facts = self.server_facts().await?;
        if let Some(reason) = facts.unsupported(self.options.ack_fsync) {
            log::error!("{reason}");
            return Err(counted(StoreError::Unsupported(reason)));
        }
        match &facts.versions {
            Some(versions) => log::info!("Redis {}", versions.join(", ")),
            None => log::warn!(
                "the Redis user may not run INFO: cannot check the Redis version (burnbox needs \
                 6.2 or newer); GETDEL is available"
            ),
        }
        for master in facts.undurable_masters.iter().flatten() {
            log::warn!(
                "Redis ({master}) keeps neither an append-only file nor a replica: a restart \
                 brings back secrets already revealed and loses new ones. Set `appendonly yes` \
                 (with `appendfsync always` for exactly once through restarts) or add a replica."
            );
        }
        let Some(policies) = &facts.eviction_policies else {
            log::warn!(
                "the Redis user may not run CONFIG GET: cannot check maxmemory-policy; make \
                 sure it is noeviction"
            );
            self.fit.store(true, Ordering::Relaxed);
            return Ok(());
        };
        for policy in policies.iter().filter(|policy| *policy != "noeviction") {
            log::warn!(
                "Redis maxmemory-policy is {policy}: under memory pressure Redis may silently \
                 drop secrets. Set `maxmemory-policy noeviction`."
            );
        }
        self.fit.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Reads what burnbox must know of the server: versions, `GETDEL`, eviction policy.
    pub async fn server_facts(&self) -> Result<ServerFacts, StoreError> {
        let info = self
            .on_every_master_if_permitted(redis::cmd("INFO").arg("server").clone())
            .await?;
        let versions = info.map(|info| {
            texts_of(&info)
                .iter()
                .flat_map(|text| text.lines())
                .filter_map(|line| line.strip_prefix("redis_version:"))
                .map(|version| version.trim().to_owned())
                .collect()
        });
        let command: Value = self
            .query(
                redis::cmd("COMMAND")
                    .arg("INFO")
                    .arg("GETDEL")
                    .arg("WAITAOF"),
            )
            .await?;
        let config = self
            .on_every_master_if_permitted(
                redis::cmd("CONFIG")
                    .arg("GET")
                    .arg("maxmemory-policy")
                    .clone(),
            )
            .await?;
        let eviction_policies = config.map(|config| {
            texts_of(&config)
                .windows(2)
                .filter(|pair| pair[0] == "maxmemory-policy")
                .map(|pair| pair[1].clone())
                .collect()
        });
        let persistence = self
            .on_every_master_if_permitted(redis::cmd("INFO").arg("persistence").clone())
            .await?;
        let replication = self
            .on_every_master_if_permitted(redis::cmd("INFO").arg("replication").clone())
            .await?;
        let address = match &self.client {
            Client::Single(client) => client.get_connection_info().addr().to_string(),
            Client::Sentinel(setup) => format!("Sentinel master {}", setup.master_name),
            Client::Cluster(_) => String::new(),
        };
        let named = |node: String| {
            if node.is_empty() {
                address.clone()
            } else {
                node
            }
        };
        let masters_without_aof = persistence.as_ref().map(|persistence| {
            per_node(persistence)
                .into_iter()
                .filter(|(_, text)| info_field(text, "aof_enabled") != Some("1"))
                .map(|(node, _)| named(node))
                .collect()
        });
        let undurable_masters = match (persistence, replication) {
            (Some(persistence), Some(replication)) => Some(
                undurable(&persistence, &replication)
                    .into_iter()
                    .map(named)
                    .collect(),
            ),
            _ => None,
        };
        Ok(ServerFacts {
            versions,
            has_getdel: texts_of(&command)
                .iter()
                .any(|name| name.eq_ignore_ascii_case("getdel")),
            has_waitaof: texts_of(&command)
                .iter()
                .any(|name| name.eq_ignore_ascii_case("waitaof")),
            masters_without_aof,
            eviction_policies,
            undurable_masters,
        })
    }

    /// `prefix{<tag hex>}kind:id`: a name in the slot of `tag`.
    pub(super) fn tagged(&self, tag: [u8; 2], kind: &str, id: &str) -> String {
        let [high, low] = tag;
        format!(
            "{}{{{high:02x}{low:02x}}}{kind}:{id}",
            self.options.key_prefix
        )
    }

    /// `prefix{name}kind`: a name in a fixed slot (the user list, the audit log).
    pub(super) fn fixed(&self, slot: &str, kind: &str) -> String {
        format!("{}{{{slot}}}{kind}", self.options.key_prefix)
    }

    /// Invokes a script on this worker's connection, within the timeout.
    pub(super) async fn invoke<T: FromRedisValue>(
        &self,
        invocation: &redis::ScriptInvocation<'_>,
    ) -> Result<T, StoreError> {
        self.run(invocation.invoke_async(&mut self.connection.clone()))
            .await
    }

    fn name(&self, record: &RecordRef, kind: &str) -> String {
        let [high, low] = record.tag;
        format!(
            "{}{{{high:02x}{low:02x}}}{kind}:{}",
            self.options.key_prefix,
            URL_SAFE_NO_PAD.encode(record.lookup)
        )
    }

    /// The secret's own keys: sealed value, attempt counter, outcome, views taken.
    fn secret_names(&self, secret: &RecordRef) -> [String; 4] {
        [
            self.name(secret, "s"),
            // A hash since attempts are reserved; `a:` held a plain counter before.
            self.name(secret, "ah"),
            self.name(secret, "o"),
            self.name(secret, "v"),
        ]
    }

    /// The key of one client's counters for every limit of `period_us` in `window`.
    fn rate_name(&self, client: &[u8; CLIENT_ID_BYTES], period_us: u64, window: u64) -> String {
        let tag = URL_SAFE_NO_PAD.encode(client);
        format!(
            "{}{{rl{tag}}}p{}:{window}",
            self.options.key_prefix,
            period_us / 1000
        )
    }

    /// Runs the settle script: `failed` turns the reservation into a failure. A failure
    /// goes as a take does (guarded, then acknowledged): a failover that lost it would
    /// bring a burned secret back, or its count back down — more guesses than the limit.
    /// Returns the script's answer and whether it was acknowledged in time (a release,
    /// which counts nothing, waits for nothing).
    async fn settle(
        &self,
        secret: &RecordRef,
        failed: bool,
        limit: u32,
        now: u64,
    ) -> Result<(i64, bool), StoreError> {
        let [sealed, attempts, outcome, _] = self.secret_names(secret);
        let (limit, now, grace) = (
            limit.to_string(),
            now.to_string(),
            self.grace_ms().to_string(),
        );
        if !failed {
            let mut invocation = self.settle_attempt.key(sealed);
            invocation
                .key(attempts)
                .key(outcome)
                .arg("0")
                .arg(&limit)
                .arg(&now)
                .arg(&grace);
            let left = self
                .run(invocation.invoke_async(&mut self.connection.clone()))
                .await?;
            return Ok((left, true));
        }
        let (value, durable) = self
            .take_with(
                &self.settle_attempt,
                SETTLE_ATTEMPT_SCRIPT,
                &[&sealed, &attempts, &outcome],
                &[b"1", limit.as_bytes(), now.as_bytes(), grace.as_bytes()],
            )
            .await?;
        let left =
            redis::from_redis_value(value).map_err(|_| StoreError::Corrupt("settle reply"))?;
        Ok((left, durable))
    }

    fn grace_ms(&self) -> u128 {
        self.options.receipt_grace.as_millis()
    }

    pub(super) async fn run<T>(
        &self,
        operation: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(self.options.timeout, operation).await {
            Ok(result) => result.map_err(|error| counted(unavailable(error))),
            Err(_) => Err(counted(StoreError::Timeout(self.options.timeout))),
        }
    }

    /// Runs one command on this worker's connection, within the timeout.
    pub(super) async fn query<T: FromRedisValue>(
        &self,
        command: &redis::Cmd,
    ) -> Result<T, StoreError> {
        self.run(command.query_async(&mut self.connection.clone()))
            .await
    }

    /// Runs a pipeline on this worker's connection, within the timeout.
    pub(super) async fn query_pipe<T: FromRedisValue>(
        &self,
        pipe: &redis::Pipeline,
    ) -> Result<T, StoreError> {
        self.run(pipe.query_async(&mut self.connection.clone()))
            .await
    }

    /// The replicas takes wait for now.
    pub fn ack_replicas(&self) -> u32 {
        self.acks.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// With [`AckReplicas::Auto`]: waits for a replica while every master has one.
    async fn refresh_acks(&self) -> Result<(), StoreError> {
        if self.options.ack_replicas != AckReplicas::Auto {
            return Ok(());
        }
        let info = self
            .on_every_master_if_permitted(redis::cmd("INFO").arg("replication").clone())
            .await?;
        // Without `INFO` (an ACL user not allowed it) the count stays 0, as documented.
        if let Some(info) = info {
            update_auto_acks(&self.acks, &info);
        }
        self.acks_known
            .store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// The `EVAL` of a take's script for [`Self::consume`]: [`ACK_GUARD`] first.
    pub(super) fn guarded(script: &str) -> Cmd {
        redis::cmd("EVAL")
            .arg(format!("{ACK_GUARD}{script}"))
            .clone()
    }

    /// Runs a take built by [`Self::guarded`] (its arguments in place) and, on the same
    /// connection right after it, `WAIT` for the replicas and, with
    /// `BURNBOX_CONSUME_ACK_FSYNC`, `WAITAOF` for the master's append-only file. The
    /// answer says whether they acknowledged in time; a take the guard refused (nothing
    /// consumed) is `NotDurable` at once.
    pub(super) async fn consume(&self, mut take: Cmd) -> Result<(Value, bool), StoreError> {
        let replicas = self.ack_replicas();
        let timeout_ms = u64::try_from(self.options.ack_timeout.as_millis()).unwrap_or(u64::MAX);
        take.arg(replicas);
        let mut pipe = redis::pipe();
        pipe.ignore_errors().add_command(take);
        if replicas > 0 {
            pipe.cmd("WAIT").arg(replicas).arg(timeout_ms);
        }
        if self.options.ack_fsync {
            pipe.cmd("WAITAOF").arg(1).arg(0).arg(timeout_ms);
        }
        let started = std::time::Instant::now();
        let turn = self
            .next_take
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut connection = self.take_connections[turn % self.take_connections.len()].clone();
        let answers: Vec<redis::RedisResult<Value>> =
            self.run(pipe.query_async(&mut connection)).await?;
        let mut answers = answers.into_iter();
        let value = match answers.next() {
            Some(Ok(value)) => value,
            Some(Err(error)) if error.code().is_some_and(|code| code.starts_with("BB")) => {
                METRICS.consume_refused.inc();
                log::warn!("a take was refused before it consumed anything: {error}");
                return Err(StoreError::NoReplicas);
            }
            Some(Err(error)) => return Err(counted(unavailable(error))),
            None => return Err(StoreError::Corrupt("take reply")),
        };
        METRICS
            .consume_ack_wait
            .observe(started.elapsed().as_secs_f64());
        let mut missing = Vec::new();
        if replicas > 0 {
            match answers.next() {
                Some(Ok(Value::Int(acknowledged))) if acknowledged >= i64::from(replicas) => {}
                other => missing.push(format!("replicas: {other:?}")),
            }
        }
        if self.options.ack_fsync {
            match answers.next() {
                Some(Ok(answer)) if acknowledgments(&answer).0 => {}
                other => missing.push(format!("append-only file: {other:?}")),
            }
        }
        let durable = missing.is_empty();
        if durable {
            METRICS.consume_acknowledged.inc();
        } else {
            METRICS.consume_ack_timeouts.inc();
            log::warn!(
                "a take was not acknowledged in time ({})",
                missing.join("; ")
            );
        }
        Ok((value, durable))
    }

    /// Runs a take's `script` (`text` is its source) on `keys` and `args`: invoked as it is
    /// when takes wait for nothing, else guarded and pipelined with its acknowledgments
    /// ([`Self::consume`]). The answer says whether they came in time (always, unwaited).
    pub(super) async fn take_with(
        &self,
        script: &Script,
        text: &str,
        keys: &[&str],
        args: &[&[u8]],
    ) -> Result<(Value, bool), StoreError> {
        if !self.acknowledges().await? {
            let mut invocation = script.prepare_invoke();
            for key in keys {
                invocation.key(*key);
            }
            for arg in args {
                invocation.arg(*arg);
            }
            let value = self
                .run(invocation.invoke_async(&mut self.connection.clone()))
                .await?;
            return Ok((value, true));
        }
        // Pipelined with WAIT, the script goes as EVAL (Redis caches it by its hash all
        // the same): the take and the wait must share one connection.
        let mut command = Self::guarded(text);
        command.arg(keys.len()).arg(keys).arg(args);
        self.consume(command).await
    }

    /// Whether takes wait for anything (replicas or the append-only file). With `auto`,
    /// the first take counts the replicas if nothing has yet (start-up does not wait for
    /// Redis, and no `/ready` may ever come).
    pub(super) async fn acknowledges(&self) -> Result<bool, StoreError> {
        if !self.acks_known.load(std::sync::atomic::Ordering::Relaxed) {
            self.refresh_acks().await?;
        }
        Ok(self.ack_replicas() > 0 || self.options.ack_fsync)
    }

    async fn finish(
        &self,
        secret: &RecordRef,
        letter: &str,
        guard: TakeGuard,
        now: u64,
    ) -> Result<Value, StoreError> {
        let [sealed, attempts, outcome, views] = self.secret_names(secret);
        let (now_text, grace) = (
            now.to_string(),
            self.options.receipt_grace.as_secs().to_string(),
        );
        let unprotected = if guard == TakeGuard::Unprotected {
            "1"
        } else {
            "0"
        };
        let (offset, expires_at, views_at) = (
            PROTECTED_FLAG_OFFSET.to_string(),
            EXPIRES_AT_OFFSET.to_string(),
            VIEWS_OFFSET.to_string(),
        );
        let (value, durable) = self
            .take_with(
                &self.finish,
                FINISH_SCRIPT,
                &[&sealed, &attempts, &outcome, &views],
                &[
                    letter.as_bytes(),
                    now_text.as_bytes(),
                    grace.as_bytes(),
                    unprotected.as_bytes(),
                    offset.as_bytes(),
                    expires_at.as_bytes(),
                    views_at.as_bytes(),
                ],
            )
            .await?;
        // Missing, or protected and left alone: nothing changed, nothing to lose.
        if durable || matches!(value, Value::Nil | Value::Int(1)) {
            return Ok(value);
        }
        if letter == "r" && matches!(value, Value::Array(_)) {
            // Taken, never handed out: for the receipt it was burned. (A view that was
            // not the last leaves no outcome, so `XX` leaves it pending, one view less.)
            // XX: only the outcome the take wrote (never a new key without a TTL, should
            // the connection have moved to another master meanwhile).
            let burned = redis::cmd("SET")
                .arg(&outcome)
                .arg(format!("b{now}"))
                .arg("XX")
                .arg("KEEPTTL")
                .clone();
            if let Err(error) = self.query::<()>(&burned).await {
                log::warn!("could not mark an unacknowledged take as burned: {error}");
            }
        }
        Err(StoreError::NotDurable)
    }
}

/// Error codes that say a server is no longer the master (demoted, or cut off from its
/// master): worth asking the Sentinels again. (A master without its replica online is not
/// one of them: asking on every refused take would storm the Sentinels while a replica
/// resynchronises.)
fn not_the_master(code: &str) -> bool {
    matches!(code, "READONLY" | "MASTERDOWN" | "BBNOTMASTER")
}

/// With [`AckReplicas::Auto`]: as many replicas as every master in an `INFO replication`
/// answer has connected (the fewest, on a cluster), and never fewer than before. Every
/// replica, not one: a take acknowledged by one replica and then a failover to another
/// that never saw it would hand the secret out again.
fn update_auto_acks(acks: &std::sync::atomic::AtomicU32, info: &Value) {
    let counts: Vec<u32> = texts_of(info)
        .iter()
        .flat_map(|text| text.lines())
        .filter_map(|line| line.strip_prefix("connected_slaves:"))
        .filter_map(|count| count.trim().parse().ok())
        .collect();
    let wanted = counts.iter().copied().min().unwrap_or(0);
    // Never lowered: a master seen without its replica may be the stale side of a
    // failover that promoted it, and takes there must not stop waiting. (The guard in
    // each take refuses them, consuming nothing, until a replica is back.)
    let before = acks.fetch_max(wanted, std::sync::atomic::Ordering::Relaxed);
    if wanted > before {
        log::info!("takes now wait for {wanted} replica acknowledgment(s)");
    }
}

/// Reads a `WAIT` answer (replicas) or a `WAITAOF` answer (`[local fsynced, replicas]`) as
/// (the local append-only file has it, replicas that acknowledged).
fn acknowledgments(answer: &Value) -> (bool, i64) {
    match answer {
        Value::Int(replicas) => (false, *replicas),
        Value::Array(counts) => match counts.as_slice() {
            [Value::Int(local), Value::Int(replicas)] => (*local >= 1, *replicas),
            _ => (false, 0),
        },
        _ => (false, 0),
    }
}

/// Subscribes to expiry events and counts those of this prefix's secrets until the
/// connection ends.
async fn count_expiries(client: &redis::Client, prefix: &str) -> redis::RedisResult<()> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.psubscribe("__keyevent@*__:expired").await?;
    let mut messages = pubsub.into_on_message();
    while let Some(message) = messages.next().await {
        if is_secret_name(prefix, message.get_payload_bytes()) {
            METRICS.secrets_expired.inc();
        }
    }
    Ok(())
}

/// Whether a key name is a sealed secret's under `prefix` (`prefix{tag}s:lookup`).
fn is_secret_name(prefix: &str, name: &[u8]) -> bool {
    name.strip_prefix(prefix.as_bytes())
        .and_then(|rest| rest.get(6..))
        .is_some_and(|rest| rest.starts_with(b"s:"))
}

/// Counts a failed operation in the metrics on its way out.
fn counted(error: StoreError) -> StoreError {
    METRICS.redis_error(error.kind());
    error
}

/// The masters (host, port) of a `CLUSTER SLOTS` answer, each once.
fn slot_masters(slots: &Value) -> Vec<(String, u16)> {
    let mut masters: Vec<(String, u16)> = Vec::new();
    let Value::Array(ranges) = slots else {
        return masters;
    };
    for range in ranges {
        let Value::Array(fields) = range else {
            continue;
        };
        let Some(Value::Array(master)) = fields.get(2) else {
            continue;
        };
        let host = match master.first() {
            Some(Value::BulkString(host)) => String::from_utf8_lossy(host).into_owned(),
            Some(Value::SimpleString(host)) => host.clone(),
            _ => continue,
        };
        let Some(Value::Int(port)) = master.get(1) else {
            continue;
        };
        let Ok(port) = u16::try_from(*port) else {
            continue;
        };
        if !masters
            .iter()
            .any(|known| known.0 == host && known.1 == port)
        {
            masters.push((host, port));
        }
    }
    masters
}

fn unavailable(error: redis::RedisError) -> StoreError {
    StoreError::Unavailable(error.to_string())
}

#[async_trait]
impl Store for RedisStore {
    fn for_this_worker(self: Arc<Self>) -> Arc<dyn Store> {
        let opened = Self::open(&self.client, &self.options, &self.acks).and_then(|connection| {
            Ok((
                connection,
                Self::open_for_takes(&self.client, &self.options, &self.acks)?,
            ))
        });
        match opened {
            Ok((connection, take_connections)) => Arc::new(Self {
                connection,
                take_connections,
                ..(*self).clone()
            }),
            Err(error) => {
                log::warn!("sharing one Redis connection between workers: {error}");
                self
            }
        }
    }

    async fn create_secret(&self, new: &NewSecret<'_>) -> Result<(), StoreError> {
        let receipt_ttl = new.ttl_seconds + self.options.receipt_grace.as_secs();
        // No MULTI: should the receipt's write fail after the secret's, the create fails
        // and the secret, whose key was never handed out, expires unread.
        let mut pipe = redis::pipe();
        pipe.set_ex(self.name(&new.secret, "s"), new.sealed, new.ttl_seconds)
            .ignore()
            .set_ex(
                self.name(&new.receipt, "r"),
                new.receipt_record.encode(),
                receipt_ttl,
            )
            .ignore();
        self.query_pipe(&pipe).await
    }

    async fn peek_secret(&self, secret: &RecordRef) -> Result<Option<Vec<u8>>, StoreError> {
        let name = self.name(secret, "s");
        self.query(redis::cmd("GET").arg(name)).await
    }

    async fn take_secret(
        &self,
        secret: &RecordRef,
        guard: TakeGuard,
        now: u64,
    ) -> Result<Taken, StoreError> {
        match self.finish(secret, "r", guard, now).await? {
            Value::Nil => Ok(Taken::Missing),
            Value::Int(1) => Ok(Taken::Protected),
            Value::Array(reply) => match <[Value; 2]>::try_from(reply) {
                Ok([Value::BulkString(sealed), Value::Int(left)]) => Ok(Taken::Sealed {
                    sealed,
                    views_left: u32::try_from(left)
                        .map_err(|_| StoreError::Corrupt("views left"))?,
                }),
                _ => Err(StoreError::Corrupt("take script reply")),
            },
            _ => Err(StoreError::Corrupt("take script reply")),
        }
    }

    async fn burn_secret(&self, secret: &RecordRef, now: u64) -> Result<bool, StoreError> {
        match self.finish(secret, "b", TakeGuard::Any, now).await? {
            Value::Nil => Ok(false),
            Value::Int(0) => Ok(true),
            _ => Err(StoreError::Corrupt("burn script reply")),
        }
    }

    async fn reserve_attempt(
        &self,
        secret: &RecordRef,
        limit: u32,
    ) -> Result<Reservation, StoreError> {
        let [sealed, attempts, ..] = self.secret_names(secret);
        let mut invocation = self.reserve_attempt.key(sealed);
        invocation.key(attempts).arg(limit);
        let reserved: i64 = self
            .run(invocation.invoke_async(&mut self.connection.clone()))
            .await?;
        Ok(match reserved {
            1 => Reservation::Reserved,
            0 => Reservation::Exhausted,
            _ => Reservation::Missing,
        })
    }

    async fn release_attempt(&self, secret: &RecordRef) -> Result<(), StoreError> {
        self.settle(secret, false, 0, 0).await.map(|_| ())
    }

    async fn record_failed_attempt(
        &self,
        secret: &RecordRef,
        limit: u32,
        now: u64,
    ) -> Result<Attempt, StoreError> {
        let (left, durable) = match self.settle(secret, true, limit, now).await {
            // Refused before it counted anything: the reservation goes back, or it would
            // hold one of the secret's attempts until the secret expires.
            Err(StoreError::NoReplicas) => {
                if let Err(error) = self.settle(secret, false, 0, 0).await {
                    log::warn!("could not release a refused passphrase attempt: {error}");
                }
                return Err(StoreError::NoReplicas);
            }
            settled => settled?,
        };
        // Counted on the master but not acknowledged: no answer (not even "wrong"), since
        // a failover could forget the count and the guess would be free.
        if !durable && left >= 0 {
            return Err(StoreError::NotDurable);
        }
        Ok(match left {
            -1 | -2 => Attempt::Missing,
            0 => Attempt::Burned,
            left => Attempt::Remaining(
                u32::try_from(left).map_err(|_| StoreError::Corrupt("attempts left"))?,
            ),
        })
    }

    async fn views_taken(&self, secret: &RecordRef) -> Result<u32, StoreError> {
        let taken: Option<u32> = self
            .query(redis::cmd("GET").arg(self.name(secret, "v")))
            .await?;
        Ok(taken.unwrap_or(0))
    }

    async fn read_receipt(
        &self,
        receipt: &RecordRef,
    ) -> Result<Option<(ReceiptRecord, SecretFate, u32)>, StoreError> {
        let bytes: Option<Vec<u8>> = self
            .query(redis::cmd("GET").arg(self.name(receipt, "r")))
            .await?;
        let Some(bytes) = bytes else {
            return Ok(None);
        };
        let record = ReceiptRecord::decode(&bytes).ok_or(StoreError::Corrupt("receipt"))?;
        let [sealed, _, outcome, views] = self.secret_names(&record.secret);
        // No MULTI: the take writes the outcome in the step that removes the secret, so
        // asking in this order can never find neither of a secret that was taken.
        let mut pipe = redis::pipe();
        pipe.exists(sealed).get(outcome).get(views);
        let (pending, outcome, views): (bool, Option<Vec<u8>>, Option<u32>) =
            self.query_pipe(&pipe).await?;
        let fate = fate_of(pending, outcome)?;
        Ok(Some((record, fate, views_seen(fate, views))))
    }

    async fn read_receipt_of(
        &self,
        receipt: &RecordRef,
        secret: &RecordRef,
    ) -> Result<Option<(ReceiptRecord, SecretFate, u32)>, StoreError> {
        // A receipt shares its secret's hash tag: one pipeline, one slot.
        let [sealed, _, outcome, views] = self.secret_names(secret);
        let mut pipe = redis::pipe();
        pipe.get(self.name(receipt, "r"))
            .exists(sealed)
            .get(outcome)
            .get(views);
        let (bytes, pending, outcome, views): (
            Option<Vec<u8>>,
            bool,
            Option<Vec<u8>>,
            Option<u32>,
        ) = self.query_pipe(&pipe).await?;
        let Some(bytes) = bytes else {
            return Ok(None);
        };
        let record = ReceiptRecord::decode(&bytes).ok_or(StoreError::Corrupt("receipt"))?;
        if record.secret != *secret {
            return Ok(None);
        }
        let fate = fate_of(pending, outcome)?;
        Ok(Some((record, fate, views_seen(fate, views))))
    }

    async fn store_token(
        &self,
        token: &RecordRef,
        sealed: &[u8],
        ttl_seconds: u64,
    ) -> Result<(), StoreError> {
        let name = self.name(token, "t");
        self.query(
            redis::cmd("SET")
                .arg(name)
                .arg(sealed)
                .arg("EX")
                .arg(ttl_seconds),
        )
        .await
    }

    async fn take_token(&self, token: &RecordRef) -> Result<Option<Vec<u8>>, StoreError> {
        let name = self.name(token, "t");
        if !self.acknowledges().await? {
            let value: Option<Vec<u8>> = self.query(redis::cmd("GETDEL").arg(&name)).await?;
            return Ok(value);
        }
        let (value, durable) = self
            .consume(Self::guarded(TAKE_TOKEN_SCRIPT).arg(1).arg(&name).clone())
            .await?;
        if !durable && value != Value::Nil {
            return Err(StoreError::NotDurable);
        }
        redis::from_redis_value(value).map_err(|_| StoreError::Corrupt("token"))
    }

    async fn check_rate(
        &self,
        client: &[u8; CLIENT_ID_BYTES],
        limits: &[Limit],
    ) -> Result<Vec<LimitState>, StoreError> {
        let now_us = now_micros();
        // One key per period holds the client's counters for all limits of that period.
        // Members by their place in `limits`, where their counts go back to.
        let mut periods: Vec<(u64, Vec<(usize, &Limit)>)> = Vec::new();
        for member in limits.iter().enumerate() {
            let period_us = member.1.period_us();
            match periods.iter_mut().find(|(period, _)| *period == period_us) {
                Some((_, members)) => members.push(member),
                None => periods.push((period_us, vec![member])),
            }
        }
        let mut pipe = redis::pipe();
        let mut known = Vec::with_capacity(periods.len());
        for (period_us, members) in &periods {
            let window = now_us / period_us;
            let current = self.rate_name(client, *period_us, window);
            let previous = self.rate_windows.previous(&(*client, *period_us), window);
            if previous.is_none() {
                pipe.get(self.rate_name(client, *period_us, window.saturating_sub(1)));
            }
            let count = pipe
                .cmd("BITFIELD")
                .arg(&current)
                .arg("OVERFLOW")
                .arg("SAT");
            for (_, limit) in members {
                let field = format!("#{}", limit.slot);
                if limit.charge > 0 {
                    count.arg("INCRBY").arg("u32").arg(field).arg(limit.charge);
                } else {
                    count.arg("GET").arg("u32").arg(field);
                }
            }
            // After every count, not only the window's first here: a counter that vanished
            // (a failover that lost writes, eviction) is re-created by BITFIELD, and must
            // not live on without an expiry. Leased, a count is rare.
            pipe.cmd("PEXPIRE")
                .arg(&current)
                .arg(2 * period_us.div_ceil(1000))
                .ignore();
            known.push(previous);
        }
        let replies: Vec<Value> = self.query_pipe(&pipe).await?;
        let mut replies = replies.into_iter();
        let corrupt = || StoreError::Corrupt("rate counters");
        let mut counts = vec![(0, 0); limits.len()];
        for ((period_us, members), previous) in periods.iter().zip(known) {
            let window = now_us / period_us;
            let previous = match previous {
                Some(previous) => previous,
                None => {
                    let read: Option<Vec<u8>> =
                        redis::from_redis_value(replies.next().ok_or_else(corrupt)?)
                            .map_err(|_| corrupt())?;
                    let read: Arc<[u8]> = read.unwrap_or_default().into();
                    self.rate_windows
                        .remember((*client, *period_us), window, read.clone());
                    read
                }
            };
            let current: Vec<u64> = redis::from_redis_value(replies.next().ok_or_else(corrupt)?)
                .map_err(|_| corrupt())?;
            for ((index, limit), current) in members.iter().zip(current) {
                counts[*index] = (packed_count(&previous, limit.slot), current);
            }
        }
        let states: Vec<LimitState> = limits
            .iter()
            .zip(counts)
            .map(|(limit, (previous, current))| {
                let current = current + u64::from(limit.charge == 0);
                assess(limit, previous, current, limit.window(now_us).1)
            })
            .collect();
        if states.iter().any(|state| !state.allowed) {
            // A refused request costs no budget: take its counts back.
            let mut undo = redis::pipe();
            for (period_us, members) in &periods {
                let current = self.rate_name(client, *period_us, now_us / period_us);
                let count = undo.cmd("BITFIELD").arg(current).arg("OVERFLOW").arg("SAT");
                for (_, limit) in members.iter().filter(|(_, limit)| limit.charge > 0) {
                    count
                        .arg("INCRBY")
                        .arg("u32")
                        .arg(format!("#{}", limit.slot))
                        .arg(-i64::from(limit.charge));
                }
                count.ignore();
                undo.cmd("PEXPIRE")
                    .arg(self.rate_name(client, *period_us, now_us / period_us))
                    .arg(2 * period_us.div_ceil(1000))
                    .ignore();
            }
            self.query_pipe::<()>(&undo).await?;
        }
        Ok(states)
    }

    async fn refund_rate(
        &self,
        client: &[u8; CLIENT_ID_BYTES],
        limit: &Limit,
        charged_at_us: u64,
    ) -> Result<(), StoreError> {
        let name = self.rate_name(client, limit.period_us(), limit.window(charged_at_us).0);
        let mut invocation = self.refund.key(name);
        invocation.arg(format!("#{}", limit.slot));
        self.run(invocation.invoke_async::<()>(&mut self.connection.clone()))
            .await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.on_every_master(redis::cmd("PING")).await?;
        self.check_fit().await?;
        self.refresh_acks().await
    }

    fn acknowledging_replicas(&self) -> u32 {
        self.ack_replicas()
    }

    fn accounts(&self) -> &dyn super::accounts::AccountStore {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_masters_are_read_once_each_from_cluster_slots() {
        let node = |host: &str, port: i64| {
            Value::Array(vec![
                Value::BulkString(host.as_bytes().to_vec()),
                Value::Int(port),
                Value::BulkString(b"id".to_vec()),
            ])
        };
        let slots = Value::Array(vec![
            Value::Array(vec![
                Value::Int(0),
                Value::Int(5460),
                node("10.0.0.1", 7000),
                node("10.0.0.4", 7003),
            ]),
            Value::Array(vec![
                Value::Int(5461),
                Value::Int(10922),
                node("10.0.0.2", 7001),
            ]),
            Value::Array(vec![
                Value::Int(10923),
                Value::Int(16383),
                node("10.0.0.1", 7000),
            ]),
            Value::Array(vec![Value::Int(1)]),
            Value::Nil,
        ]);
        assert_eq!(
            slot_masters(&slots),
            vec![("10.0.0.1".to_owned(), 7000), ("10.0.0.2".to_owned(), 7001)]
        );
        assert!(slot_masters(&Value::Nil).is_empty());
    }

    fn facts(versions: &[&str], has_getdel: bool) -> ServerFacts {
        ServerFacts {
            versions: Some(versions.iter().map(|v| (*v).to_owned()).collect()),
            has_getdel,
            has_waitaof: false,
            masters_without_aof: None,
            eviction_policies: None,
            undurable_masters: None,
        }
    }

    #[test]
    fn redis_below_six_two_is_refused() {
        assert!(
            facts(&["6.2.0", "7.0.15"], true)
                .unsupported(false)
                .is_none()
        );
        assert!(facts(&["8.0.1"], true).unsupported(false).is_none());
        let old = facts(&["7.0.15", "6.0.16"], true)
            .unsupported(false)
            .expect("refused");
        assert!(old.contains("6.0.16") && old.contains("6.2"), "{old}");
        assert!(facts(&["unknown"], true).unsupported(false).is_some());
        assert!(
            facts(&["7.2.4"], false)
                .unsupported(false)
                .expect("refused")
                .contains("GETDEL")
        );
        let unknown_versions = ServerFacts {
            versions: None,
            has_getdel: true,
            has_waitaof: false,
            masters_without_aof: None,
            eviction_policies: None,
            undurable_masters: None,
        };
        assert!(unknown_versions.unsupported(false).is_none());
    }

    #[test]
    fn waiting_for_the_append_only_file_needs_waitaof_and_an_append_only_file() {
        let seven_oh = facts(&["7.0.15"], true);
        assert!(seven_oh.unsupported(false).is_none());
        let refused = seven_oh.unsupported(true).expect("refused");
        assert!(
            refused.contains("WAITAOF") && refused.contains("7.0.15") && refused.contains("7.2"),
            "{refused}"
        );
        let newer = ServerFacts {
            has_waitaof: true,
            masters_without_aof: Some(vec!["10.0.0.1:6379".into()]),
            ..facts(&["7.2.4"], true)
        };
        let refused = newer.unsupported(true).expect("refused");
        assert!(
            refused.contains("appendonly yes") && refused.contains("10.0.0.1:6379"),
            "{refused}"
        );
        let ready = ServerFacts {
            masters_without_aof: Some(Vec::new()),
            ..newer
        };
        assert!(ready.unsupported(true).is_none());
    }

    #[test]
    fn sentinels_share_one_scheme_and_one_set_of_credentials() {
        let setup = |sentinels: &[&str]| {
            let sentinels: Vec<String> = sentinels.iter().map(|s| (*s).to_owned()).collect();
            SentinelSetup::new(&sentinels, "burnbox", Some("redis://:pw@master/1"), None)
        };
        assert!(setup(&["10.0.0.1:26379", "redis://10.0.0.2:26379"]).is_ok());
        assert!(setup(&["redis://:s@10.0.0.1:26379", "redis://:s@10.0.0.2:26379"]).is_ok());
        for mixed in [
            &["redis://:s@10.0.0.1:26379", "10.0.0.2:26379"][..],
            &["redis://:s@10.0.0.1:26379", "redis://:t@10.0.0.2:26379"][..],
            &["rediss://:s@10.0.0.1:26379", "redis://:s@10.0.0.2:26379"][..],
        ] {
            let error = setup(mixed).err().expect("refused");
            assert!(!error.to_string().contains(":s@"), "{error}");
        }
    }

    #[test]
    fn wait_and_waitaof_answers_are_read_as_acknowledgments() {
        assert_eq!(acknowledgments(&Value::Int(2)), (false, 2));
        assert_eq!(
            acknowledgments(&Value::Array(vec![Value::Int(1), Value::Int(0)])),
            (true, 0)
        );
        assert_eq!(
            acknowledgments(&Value::Array(vec![Value::Int(0), Value::Int(1)])),
            (false, 1)
        );
        assert_eq!(acknowledgments(&Value::Nil), (false, 0));
    }

    #[test]
    fn masters_without_aof_or_replica_are_named() {
        let single = |text: &str| Value::VerbatimString {
            format: redis::VerbatimFormat::Text,
            text: text.to_owned(),
        };
        assert_eq!(
            undurable(
                &single("# Persistence\r\naof_enabled:0\r\n"),
                &single("# Replication\r\nconnected_slaves:0\r\n")
            ),
            vec![String::new()]
        );
        assert!(undurable(&single("aof_enabled:1"), &single("connected_slaves:0")).is_empty());
        assert!(undurable(&single("aof_enabled:0"), &single("connected_slaves:1")).is_empty());
        let node = |address: &str, text: &str| {
            (
                Value::SimpleString(address.into()),
                Value::BulkString(text.as_bytes().to_vec()),
            )
        };
        let persistence = Value::Map(vec![
            node("10.0.0.1:7000", "aof_enabled:0"),
            node("10.0.0.2:7001", "aof_enabled:0"),
        ]);
        let replication = Value::Map(vec![
            node("10.0.0.1:7000", "connected_slaves:1"),
            node("10.0.0.2:7001", "connected_slaves:0"),
        ]);
        assert_eq!(
            undurable(&persistence, &replication),
            vec!["10.0.0.2:7001".to_owned()]
        );
    }

    #[test]
    fn cluster_replies_are_read_node_by_node() {
        let reply = Value::Map(vec![
            (
                Value::SimpleString("127.0.0.1:7000".into()),
                Value::Array(vec![
                    Value::BulkString(b"maxmemory-policy".to_vec()),
                    Value::BulkString(b"noeviction".to_vec()),
                ]),
            ),
            (
                Value::SimpleString("127.0.0.1:7001".into()),
                Value::Map(vec![(
                    Value::BulkString(b"maxmemory-policy".to_vec()),
                    Value::VerbatimString {
                        format: redis::VerbatimFormat::Text,
                        text: "allkeys-lru".into(),
                    },
                )]),
            ),
        ]);
        let texts = texts_of(&reply);
        let policies: Vec<_> = texts
            .windows(2)
            .filter(|pair| pair[0] == "maxmemory-policy")
            .map(|pair| pair[1].as_str())
            .collect();
        assert_eq!(policies, ["noeviction", "allkeys-lru"]);
    }

    #[test]
    fn only_this_prefix_s_secrets_count_as_expired() {
        assert!(is_secret_name("burnbox:", b"burnbox:{0a1b}s:AAAA"));
        assert!(!is_secret_name("burnbox:", b"burnbox:{0a1b}r:AAAA"));
        assert!(!is_secret_name("burnbox:", b"other:{0a1b}s:AAAA"));
        assert!(!is_secret_name("burnbox:", b"burnbox:{0a"));
    }

    #[test]
    fn topologies_do_not_print_their_urls() {
        let single = RedisTopology::Single("redis://user:pw@host:1".into());
        let cluster = RedisTopology::Cluster(vec!["redis://u:pw@a:1".into()]);
        for shown in [format!("{single:?}"), format!("{cluster:?}")] {
            assert!(!shown.contains("pw"), "{shown}");
        }
    }
}
