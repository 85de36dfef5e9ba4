//! The Redis backend: [`RedisStore`], the only code that knows Redis. Atomic steps are one
//! command or one Lua script. This file holds the store, its key names and the [`Store`]
//! impl; the rest is by concern: `take` (a view handed out or burned, and passphrase
//! attempts, with their scripts in `scripts/`), `files` (uploads and chunks), `replication` (the guard and `WAIT` before
//! a take's answer leaves, and `WAIT` before a create's), `limits` (rate windows),
//! `accounts` (the [`AccountStore`]), `connection` (single, cluster or Sentinel;
//! connections per worker), `sentinel`, `server` (version and durability checks) and
//! `reply` (reading replies).
//!
//! Connection arrangement, chosen by measurement (`examples/redis_arrangements.rs`, 32
//! concurrent `SET EX`/`GETDEL` pairs on the 2-core development machine): requests share
//! a multiplexed connection, a [`ConnectionManager`](redis::aio::ConnectionManager), which
//! pipelines concurrent commands onto one socket (83k–99k pairs/s). Handing each request
//! its own pooled connection (deadpool's exclusive checkout) serialises requests per
//! connection and measured 3–5× slower (25k–26k pairs/s). Clones of one deadpool-managed
//! multiplexed connection measured within the run-to-run noise of the manager; the manager
//! wins on reconnecting by itself after Redis comes back. Each HTTP worker gets its own
//! manager ([`Store::for_this_worker`]): a manager's I/O task runs on the runtime that
//! first uses it, so one shared manager made every worker wait on one thread. Figures:
//! docs/performance.md, "One multiplexed Redis connection per worker".
//!
//! [`AccountStore`]: crate::store::accounts::AccountStore

mod accounts;
mod connection;
mod files;
mod limits;
mod replication;
mod reply;
mod sentinel;
mod server;
mod take;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use redis::cluster::ClusterClientBuilder;
use redis::{FromRedisValue, Script, TlsCertificates, Value};

use self::connection::{Client, Connection};
use self::limits::{REFUND_SCRIPT, RateWindows};
use self::sentinel::SentinelSetup;
pub use self::server::{MIN_REDIS_VERSION, ServerFacts};
use self::take::{
    FINISH_SCRIPT, RESERVE_ATTEMPT_SCRIPT, SETTLE_ATTEMPT_SCRIPT, TAKE_TOKEN_SCRIPT, fate_of,
};
use super::{
    Attempt, Burn, BurnBy, ChunkStored, NewChunk, NewSecret, NewUpload, Reservation, Store,
    StoreError, Take, TakeGuard, Taken, Upload, UploadFinished, views_seen,
};
// Settings types that live in `config`; named here too, for code written against this path.
pub use crate::config::{AckReplicas, RedisTopology};
use crate::domain::limits::{CLIENT_ID_BYTES, Limit, LimitState};
use crate::domain::{KeptAnswer, ReceiptRecord, RecordRef, SecretFate};
use crate::metrics::METRICS;

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
    take_token: Script,
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
            take_token: Script::new(TAKE_TOKEN_SCRIPT),
            reserve_attempt: Script::new(RESERVE_ATTEMPT_SCRIPT),
            settle_attempt: Script::new(SETTLE_ATTEMPT_SCRIPT),
            refund: Script::new(REFUND_SCRIPT),
            rate_windows: Arc::default(),
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

    /// A kept answer's key (of `kind`) and its window in ms, as the take scripts take
    /// them; without one, `stand_in` (a key of the same slot, never written then) and `0`.
    pub(super) fn kept_args(
        &self,
        kept: Option<&KeptAnswer>,
        kind: &str,
        stand_in: &str,
    ) -> (String, String) {
        match kept {
            Some(kept) => (self.name(&kept.record, kind), kept.window_ms.to_string()),
            None => (stand_in.to_owned(), "0".to_owned()),
        }
    }

    /// The secret's own keys: sealed value, attempt counter, outcome, views taken, and a
    /// file secret's chunks.
    fn secret_names(&self, secret: &RecordRef) -> [String; 5] {
        [
            self.name(secret, "s"),
            // A hash since attempts are reserved; `a:` held a plain counter before.
            self.name(secret, "ah"),
            self.name(secret, "o"),
            self.name(secret, "v"),
            self.chunks_name(secret),
        ]
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
}

/// Counts a failed operation in the metrics on its way out.
/// Reads a view as the take script returns it: {sealed, views left} when taken now,
/// {sealed, views left, 1} when kept by an earlier take with the same idempotency key.
fn view_of(reply: Vec<Value>) -> Result<(Vec<u8>, u32, bool), StoreError> {
    let corrupt = || StoreError::Corrupt("take script reply");
    let mut reply = reply.into_iter();
    let (Some(Value::BulkString(sealed)), Some(Value::Int(left))) = (reply.next(), reply.next())
    else {
        return Err(corrupt());
    };
    let replayed = match reply.next() {
        None => false,
        Some(Value::Int(1)) => true,
        Some(_) => return Err(corrupt()),
    };
    let left = u32::try_from(left).map_err(|_| corrupt())?;
    Ok((sealed, left, replayed))
}

fn counted(error: StoreError) -> StoreError {
    METRICS.redis_error(error.kind());
    error
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
        // No MULTI: should the receipt's write fail after the secret's (or the replicas not
        // acknowledge both), the create fails and the secret, whose key was never handed
        // out, expires unread.
        let mut pipe = redis::pipe();
        pipe.set_ex(self.name(&new.secret, "s"), new.sealed, new.ttl_seconds)
            .ignore()
            .set_ex(
                self.name(&new.receipt, "r"),
                new.receipt_record.encode(),
                receipt_ttl,
            )
            .ignore();
        self.create(pipe).await.map(drop)
    }

    async fn peek_secret(&self, secret: &RecordRef) -> Result<Option<Vec<u8>>, StoreError> {
        let name = self.name(secret, "s");
        self.query(redis::cmd("GET").arg(name)).await
    }

    async fn take_secret_with(
        &self,
        secret: &RecordRef,
        take: &Take,
        now: u64,
    ) -> Result<Taken, StoreError> {
        match self.finish(secret, "r", take, false, now).await? {
            Value::Nil => Ok(Taken::Missing),
            Value::Int(1) => Ok(Taken::Protected),
            Value::Int(2) => Ok(Taken::ProofRefused),
            Value::Int(3) => Ok(Taken::FileRefused),
            Value::Array(reply) => {
                let (sealed, views_left, replayed) = view_of(reply)?;
                Ok(Taken::Sealed {
                    sealed,
                    views_left,
                    replayed,
                })
            }
            _ => Err(StoreError::Corrupt("take script reply")),
        }
    }

    async fn kept_answer_with(
        &self,
        secret: &RecordRef,
        kept: &KeptAnswer,
        file_window_ms: Option<u64>,
    ) -> Result<Option<(Vec<u8>, u32)>, StoreError> {
        let take = Take {
            kept: Some(*kept),
            file_window_ms,
            ..TakeGuard::Any.into()
        };
        match self.finish(secret, "k", &take, true, 0).await? {
            Value::Nil => Ok(None),
            Value::Array(reply) => {
                let (sealed, views_left, _) = view_of(reply)?;
                Ok(Some((sealed, views_left)))
            }
            _ => Err(StoreError::Corrupt("kept answer reply")),
        }
    }

    async fn burn_secret_by(
        &self,
        secret: &RecordRef,
        by: BurnBy,
        now: u64,
    ) -> Result<Burn, StoreError> {
        let (take, waive) = match by {
            BurnBy::Owner => (Take::from(TakeGuard::Any), true),
            BurnBy::Viewer(proof) => (
                Take {
                    proof,
                    ..TakeGuard::Any.into()
                },
                false,
            ),
        };
        match self.finish(secret, "b", &take, waive, now).await? {
            Value::Nil => Ok(Burn::Missing),
            Value::Int(0) => Ok(Burn::Burned),
            Value::Int(2) => Ok(Burn::ProofRefused),
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
        let [sealed, _, outcome, views, _] = self.secret_names(&record.secret);
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
        let [sealed, _, outcome, views, _] = self.secret_names(secret);
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
        let mut pipe = redis::pipe();
        pipe.cmd("SET")
            .arg(name)
            .arg(sealed)
            .arg("EX")
            .arg(ttl_seconds)
            .ignore();
        self.create(pipe).await.map(drop)
    }

    async fn take_token_kept(
        &self,
        token: &RecordRef,
        kept: Option<&KeptAnswer>,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let name = self.name(token, "t");
        let acknowledged = self.acknowledges().await?;
        if kept.is_none() && !acknowledged {
            let value: Option<Vec<u8>> = self.query(redis::cmd("GETDEL").arg(&name)).await?;
            return Ok(value);
        }
        let (kept_name, window) = self.kept_args(kept, "k", &name);
        let (value, durable) = self
            .take_with(
                &self.take_token,
                TAKE_TOKEN_SCRIPT,
                &[&name, &kept_name],
                &[window.as_bytes()],
            )
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
        self.count_in_windows(client, limits).await
    }

    async fn refund_rate(
        &self,
        client: &[u8; CLIENT_ID_BYTES],
        limit: &Limit,
        charged_at_us: u64,
    ) -> Result<(), StoreError> {
        self.refund_in_window(client, limit, charged_at_us).await
    }

    async fn start_upload(&self, new: &NewUpload<'_>) -> Result<(), StoreError> {
        self.start_file_upload(new).await
    }

    async fn upload(&self, upload: &RecordRef) -> Result<Option<Upload>, StoreError> {
        self.file_upload(upload).await
    }

    async fn put_chunk(&self, chunk: &NewChunk<'_>) -> Result<ChunkStored, StoreError> {
        self.put_file_chunk(chunk).await
    }

    async fn finish_upload(
        &self,
        upload: &RecordRef,
        new: &NewSecret<'_>,
        bytes: u64,
    ) -> Result<UploadFinished, StoreError> {
        self.finish_file_upload(upload, new, bytes).await
    }

    async fn abort_upload(
        &self,
        upload: &RecordRef,
        secret: &RecordRef,
    ) -> Result<bool, StoreError> {
        self.abort_file_upload(upload, secret).await
    }

    async fn read_chunk(
        &self,
        secret: &RecordRef,
        index: u32,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.read_file_chunk(secret, index).await
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
