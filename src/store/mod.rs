//! Storage: the only module that knows Redis exists.
//!
//! [`Store`] speaks in domain terms (create, take, burn, count a failed attempt, read a
//! receipt) so that each operation that must be atomic is one step in either backend: one
//! command or a Lua script in [`RedisStore`] (no `MULTI` where a plain pipeline is as
//! safe), one critical section in [`MemoryStore`]. The contract
//! tests in `tests/api/store_contract.rs` hold both to the same behaviour.
//!
//! A secret owns up to five keys, all under its routing tag (one cluster hash slot):
//! `s:` the sealed secret, `ah:` its attempts (a hash: `f` failures, `p` guesses being
//! checked), `o:` its outcome (revealed or burned, with the time), written by the same
//! atomic step that removes the secret, for a secret of several views, `v:` the
//! views taken, counted by the step that hands each view out (it lives as long as the
//! outcome, so the receipt can tell), and for a file secret `f:` its chunks (a hash of
//! index → sealed chunk, kept for a download window after a view, unlinked by a burn).
//! A file upload under way is one `u:` hash under the same tag, gone when it finishes.
//! A receipt is one immutable `r:` key that outlives the secret by the receipt grace.
//! A one-time token is one `t:` key, taken with `GETDEL`. Rate-limit state is one key per
//! client, period and window (the counters of all limits of that period, packed), under
//! the client's own hash tag.

pub mod accounts;
mod memory;
pub mod redis;

use std::sync::Arc;

use async_trait::async_trait;

pub use self::memory::MemoryStore;
pub use self::redis::RedisStore;
use crate::crypto::VERIFIER_BYTES;
use crate::domain::limits::{CLIENT_ID_BYTES, Limit, LimitState};
use crate::domain::{KeptAnswer, ReceiptRecord, RecordRef, SecretFate};

/// Everything needed to store a new secret and its receipt in one step.
#[derive(Debug)]
pub struct NewSecret<'a> {
    /// Where the secret lives.
    pub secret: RecordRef,
    /// Where its receipt lives.
    pub receipt: RecordRef,
    /// The sealed bytes.
    pub sealed: &'a [u8],
    /// The receipt's content.
    pub receipt_record: ReceiptRecord,
    /// Seconds until the secret expires.
    pub ttl_seconds: u64,
}

/// Which secrets a take may remove.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TakeGuard {
    /// Take whatever is there (the caller has checked the passphrase).
    Any,
    /// Leave passphrase-protected secrets in place and report [`Taken::Protected`].
    Unprotected,
}

/// What a reveal brings to a take besides the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Take {
    /// Which secrets it may remove.
    pub guard: TakeGuard,
    /// The verifier (SHA-256) of the reveal proof presented, if any: an `e2e2` secret is
    /// taken only when it matches the one it keeps (compared in constant time).
    pub proof: Option<[u8; VERIFIER_BYTES]>,
    /// Where to keep the answer for a retry with the same idempotency key; when an answer
    /// is kept there already, it is the answer, and nothing else is taken.
    pub kept: Option<KeptAnswer>,
    /// Whether this reveal may hand out a file secret (header flag bit 6), and for how many
    /// milliseconds its chunks stay downloadable after the take; `None`: a file secret is
    /// left in place and the take answers [`Taken::FileRefused`].
    pub file_window_ms: Option<u64>,
}

impl From<TakeGuard> for Take {
    fn from(guard: TakeGuard) -> Self {
        Self {
            guard,
            proof: None,
            kept: None,
            file_window_ms: None,
        }
    }
}

/// Who may burn: a viewer must present the reveal proof of an `e2e2` secret, its owner not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BurnBy {
    /// The owner (through the receipt or the account).
    Owner,
    /// A link holder, with the verifier of the proof it presented, if any.
    Viewer(Option<[u8; VERIFIER_BYTES]>),
}

/// Result of a burn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Burn {
    /// Burned now.
    Burned,
    /// Already gone.
    Missing,
    /// An `e2e2` secret, and the proof was missing or wrong: nothing burned.
    ProofRefused,
}

/// Result of an atomic take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// The caller won a view: these are the sealed bytes, gone from the store once
    /// `views_left` is 0.
    Sealed {
        /// The sealed bytes.
        sealed: Vec<u8>,
        /// Views the secret still allows after this one.
        views_left: u32,
        /// Whether this is the answer a take with the same idempotency key kept: no view
        /// was taken now.
        replayed: bool,
    },
    /// Nothing there (unknown, already taken, burned or expired).
    Missing,
    /// The secret needs a passphrase and the guard refused to take it.
    Protected,
    /// An `e2e2` secret, and the proof was missing or wrong: nothing taken.
    ProofRefused,
    /// A file secret, and the take did not allow files: nothing taken.
    FileRefused,
}

/// A file upload to start: its state and the chunks' key live until the secret's expiry.
#[derive(Debug)]
pub struct NewUpload<'a> {
    /// Where the upload's state lives (from the upload key).
    pub upload: RecordRef,
    /// The service's sealed state, kept as it is and handed back by [`Store::upload`].
    pub state: &'a [u8],
    /// Bytes the chunks will carry in all.
    pub declared_bytes: u64,
    /// When the upload, its chunks and the secret they become expire (unix seconds).
    pub expires_at: u64,
}

/// An upload under way, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The service's sealed state.
    pub state: Vec<u8>,
    /// Bytes the chunks will carry in all.
    pub declared_bytes: u64,
    /// Chunks received.
    pub chunks: u32,
    /// Bytes received (the chunks' plain lengths, as given to [`Store::put_chunk`]).
    pub bytes: u64,
}

/// One chunk to store.
#[derive(Debug)]
pub struct NewChunk<'a> {
    /// The upload it belongs to.
    pub upload: RecordRef,
    /// The secret it will be part of (names the chunks' hash: `f:` beside `s:`).
    pub secret: RecordRef,
    /// Its index, from 0.
    pub index: u32,
    /// The sealed chunk.
    pub sealed: &'a [u8],
    /// Bytes it carries for the upload's count (the body as received, before sealing).
    pub plain_len: u64,
    /// When the chunks expire (unix seconds): set with the first chunk.
    pub expires_at: u64,
}

/// Result of storing a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkStored {
    /// Stored (or, for the last index again, replaced): the counts so far.
    Stored {
        /// Chunks received.
        chunks: u32,
        /// Bytes received.
        bytes: u64,
    },
    /// Not the next index (nor the last again): nothing stored.
    OutOfOrder {
        /// The index expected next.
        expected: u32,
    },
    /// It would carry the upload past its declared bytes: nothing stored.
    ExceedsDeclared,
    /// No such upload (unknown, expired or finished).
    Missing,
}

/// Result of finishing an upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UploadFinished {
    /// The secret and its receipt exist now; the upload's state is gone.
    Created,
    /// The chunks received do not carry the declared bytes: nothing created.
    Incomplete {
        /// Chunks received.
        chunks: u32,
        /// Bytes received.
        bytes: u64,
    },
    /// No such upload (unknown, expired or finished).
    Missing,
}

/// Result of reserving a passphrase attempt before the Argon2 work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Reserved: settle it with [`Store::settle_attempt`].
    Reserved,
    /// Failures and attempts in flight already fill the limit.
    Exhausted,
    /// The secret is gone.
    Missing,
}

/// Result of counting a failed passphrase attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attempt {
    /// The secret survives; this many attempts remain.
    Remaining(u32),
    /// That was the last attempt: the secret is burned.
    Burned,
    /// The secret was already gone.
    Missing,
}

/// What went wrong in the storage layer; never shown to clients in detail.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend could not be reached or answered with an error.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The backend did not answer in time.
    #[error("store timed out after {0:?}")]
    Timeout(std::time::Duration),
    /// The backend returned data this code did not write.
    #[error("store returned unexpected data: {0}")]
    Corrupt(&'static str),
    /// The backend lacks something burnbox needs (too old a Redis, `GETDEL` renamed).
    #[error("store unsupported: {0}")]
    Unsupported(String),
    /// A take was done but not acknowledged by the replicas in time: its answer is held
    /// back (nothing handed out), and what was taken stays taken.
    #[error("take not acknowledged by the replicas in time")]
    NotDurable,
    /// A create was written but not acknowledged by the replicas in time: no key is handed
    /// out, and what was written expires unreachable with its TTL.
    #[error("create not acknowledged by the replicas in time")]
    CreateNotDurable,
    /// A take refused before it consumed anything: the server was not a master, or had
    /// fewer replicas online than takes wait for.
    #[error("take refused: too few replicas online")]
    NoReplicas,
}

impl StoreError {
    /// The short name `/metrics` counts this error under (`burnbox_redis_errors_total`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Unavailable(_) => "unavailable",
            Self::Timeout(_) => "timeout",
            Self::Corrupt(_) => "corrupt",
            Self::Unsupported(_) => "unsupported",
            Self::NotDurable | Self::CreateNotDurable | Self::NoReplicas => "not_durable",
        }
    }
}

/// The storage contract both backends implement.
#[async_trait]
pub trait Store: Send + Sync {
    /// A handle for the calling thread: Redis opens a connection of its own on this
    /// thread's runtime (one per HTTP worker, so no worker waits on another's I/O); the
    /// memory store, which holds the data, shares itself.
    fn for_this_worker(self: Arc<Self>) -> Arc<dyn Store>;

    /// Stores a sealed secret and its receipt, both with their TTLs, in one round trip
    /// (with the replicas' acknowledgments, when takes wait for them). Should one write
    /// fail, or go unacknowledged ([`StoreError::CreateNotDurable`]), the create fails;
    /// what was written expires unreachable (its key was never handed out).
    async fn create_secret(&self, new: &NewSecret<'_>) -> Result<(), StoreError>;

    /// Reads a secret's sealed bytes without consuming them.
    async fn peek_secret(&self, secret: &RecordRef) -> Result<Option<Vec<u8>>, StoreError>;

    /// Hands out one view of a secret: removes and returns it, recording it as revealed
    /// at `now`, on its last allowed view (the first, unless its header allows more).
    /// Never more views than allowed, whoever is racing. With `take.kept`, the view is
    /// kept there in the same atomic step (acknowledged with it), and a take that finds
    /// one kept there answers with it instead. An `e2e2` secret needs its proof.
    async fn take_secret_with(
        &self,
        secret: &RecordRef,
        take: &Take,
        now: u64,
    ) -> Result<Taken, StoreError>;

    /// [`Self::take_secret_with`] with nothing but a guard.
    async fn take_secret(
        &self,
        secret: &RecordRef,
        guard: TakeGuard,
        now: u64,
    ) -> Result<Taken, StoreError> {
        self.take_secret_with(secret, &guard.into(), now).await
    }

    /// The answer a take kept for `kept`'s idempotency key, and the views it left, without
    /// taking anything (for a reveal that must check a passphrase first). Acknowledged
    /// like a take: a kept answer a failover could lose is not handed out. With
    /// `file_window_ms`, a file secret's chunks are kept for at least that long (the
    /// replay hands out a new download), as a replay by [`Self::take_secret_with`] does.
    async fn kept_answer_with(
        &self,
        secret: &RecordRef,
        kept: &KeptAnswer,
        file_window_ms: Option<u64>,
    ) -> Result<Option<(Vec<u8>, u32)>, StoreError>;

    /// [`Self::kept_answer_with`], leaving a file's chunks as they are.
    async fn kept_answer(
        &self,
        secret: &RecordRef,
        kept: &KeptAnswer,
    ) -> Result<Option<(Vec<u8>, u32)>, StoreError> {
        self.kept_answer_with(secret, kept, None).await
    }

    /// Removes a secret unread, recording it as burned at `now`.
    async fn burn_secret_by(
        &self,
        secret: &RecordRef,
        by: BurnBy,
        now: u64,
    ) -> Result<Burn, StoreError>;

    /// [`Self::burn_secret_by`] its owner. `false` if it was gone.
    async fn burn_secret(&self, secret: &RecordRef, now: u64) -> Result<bool, StoreError> {
        Ok(self.burn_secret_by(secret, BurnBy::Owner, now).await? == Burn::Burned)
    }

    /// Reserves one passphrase attempt at a secret, atomically across all instances: refused
    /// while the failures plus the attempts in flight fill `limit`, so no more guesses can
    /// be tested at once than the secret has left.
    async fn reserve_attempt(
        &self,
        secret: &RecordRef,
        limit: u32,
    ) -> Result<Reservation, StoreError>;

    /// Gives a reserved attempt back (the passphrase was right, or the check never ran).
    async fn release_attempt(&self, secret: &RecordRef) -> Result<(), StoreError>;

    /// Turns a reserved attempt into a failure; at `limit` failures the secret is burned.
    async fn record_failed_attempt(
        &self,
        secret: &RecordRef,
        limit: u32,
        now: u64,
    ) -> Result<Attempt, StoreError>;

    /// Views of a secret of several views taken so far (0 for an unknown one).
    async fn views_taken(&self, secret: &RecordRef) -> Result<u32, StoreError>;

    /// Reads a receipt, what became of its secret, and how many views were taken.
    async fn read_receipt(
        &self,
        receipt: &RecordRef,
    ) -> Result<Option<(ReceiptRecord, SecretFate, u32)>, StoreError>;

    /// [`Self::read_receipt`] for a receipt whose secret is known beforehand (an account's
    /// list names both), in one round trip; `None` also when the receipt names another.
    async fn read_receipt_of(
        &self,
        receipt: &RecordRef,
        secret: &RecordRef,
    ) -> Result<Option<(ReceiptRecord, SecretFate, u32)>, StoreError> {
        Ok(self
            .read_receipt(receipt)
            .await?
            .filter(|(record, ..)| record.secret == *secret))
    }

    /// Stores a sealed token with its TTL, acknowledged as [`Self::create_secret`] is.
    async fn store_token(
        &self,
        token: &RecordRef,
        sealed: &[u8],
        ttl_seconds: u64,
    ) -> Result<(), StoreError>;

    /// Removes and returns a token's sealed bytes — exactly once. With `kept`, they are
    /// kept there in the same step for a retry with the same idempotency key, which gets
    /// them again.
    async fn take_token_kept(
        &self,
        token: &RecordRef,
        kept: Option<&KeptAnswer>,
    ) -> Result<Option<Vec<u8>>, StoreError>;

    /// [`Self::take_token_kept`] with no retry.
    async fn take_token(&self, token: &RecordRef) -> Result<Option<Vec<u8>>, StoreError> {
        self.take_token_kept(token, None).await
    }

    /// Counts requests against every limit of one client (sliding-window counters, see
    /// [`crate::rate_limit`]): charges each limit its `charge` only if all allow. Returns
    /// each limit's state, in order.
    async fn check_rate(
        &self,
        client: &[u8; CLIENT_ID_BYTES],
        limits: &[Limit],
    ) -> Result<Vec<LimitState>, StoreError>;

    /// Gives back one request charged to `limit` at `charged_at_us` (a guess that turned
    /// out right); nothing when that window's count is gone.
    async fn refund_rate(
        &self,
        client: &[u8; CLIENT_ID_BYTES],
        limit: &Limit,
        charged_at_us: u64,
    ) -> Result<(), StoreError>;

    /// Starts a file upload: stores its state with nothing received.
    async fn start_upload(&self, new: &NewUpload<'_>) -> Result<(), StoreError>;

    /// An upload's state and counts; `None` when unknown, expired or finished.
    async fn upload(&self, upload: &RecordRef) -> Result<Option<Upload>, StoreError>;

    /// Stores one chunk of an upload, atomically with its counts: the next index, or the
    /// last one again (a retry, replacing it), never past the declared bytes. The chunks'
    /// hash gets the secret's expiry with its first chunk.
    async fn put_chunk(&self, chunk: &NewChunk<'_>) -> Result<ChunkStored, StoreError>;

    /// Finishes an upload in one atomic step: when exactly `bytes` were received (the
    /// declared bytes, or fewer for a stream the server read itself) in at least one chunk,
    /// stores the secret and its receipt as [`Self::create_secret`] does (acknowledged
    /// alike) and removes the upload's state.
    async fn finish_upload(
        &self,
        upload: &RecordRef,
        new: &NewSecret<'_>,
        bytes: u64,
    ) -> Result<UploadFinished, StoreError>;

    /// Drops an upload under way and the chunks it stored for `secret`, in one step;
    /// `false` (nothing touched) when there is no such upload, finished ones included.
    async fn abort_upload(
        &self,
        upload: &RecordRef,
        secret: &RecordRef,
    ) -> Result<bool, StoreError>;

    /// One sealed chunk of a file secret, while its chunks are kept (until the secret's
    /// expiry, a burn, or the download window after its last view).
    async fn read_chunk(
        &self,
        secret: &RecordRef,
        index: u32,
    ) -> Result<Option<Vec<u8>>, StoreError>;

    /// Checks that the backend answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Replicas that acknowledge each take and create before its answer leaves (0: none
    /// are waited for, as on the memory store).
    fn acknowledging_replicas(&self) -> u32 {
        0
    }

    /// The same backend's accounts storage.
    fn accounts(&self) -> &dyn accounts::AccountStore;
}

/// An upload, its secret and the receipt live under one routing tag, so that one script
/// may touch them all (and a cluster route them to one slot): the service makes their
/// keys with one tag. Both backends refuse otherwise, so the memory store catches what
/// a cluster would.
fn same_slot(record: &RecordRef, secret: &RecordRef) -> Result<(), StoreError> {
    if record.tag == secret.tag {
        Ok(())
    } else {
        Err(StoreError::Unsupported(
            "an upload's and a receipt's keys must carry their secret's routing tag".into(),
        ))
    }
}

/// Views taken, as a receipt reports them: a secret of one view keeps no count, and was
/// viewed once if it was revealed.
pub(crate) fn views_seen(fate: SecretFate, counted: Option<u32>) -> u32 {
    match (counted, fate) {
        (Some(views), _) => views,
        (None, SecretFate::Revealed(_)) => 1,
        (None, _) => 0,
    }
}

/// Reads an outcome as the Redis scripts write it: `r` (revealed) or `b` (burned), then
/// the unix time in decimal.
fn decode_outcome(bytes: &[u8]) -> Result<SecretFate, StoreError> {
    let corrupt = || StoreError::Corrupt("outcome");
    let (kind, at) = bytes.split_first().ok_or_else(corrupt)?;
    let at: u64 = std::str::from_utf8(at)
        .ok()
        .and_then(|text| text.parse().ok())
        .ok_or_else(corrupt)?;
    match kind {
        b'r' => Ok(SecretFate::Revealed(at)),
        b'b' => Ok(SecretFate::Burned(at)),
        _ => Err(corrupt()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_decode() {
        assert_eq!(decode_outcome(b"r42").ok(), Some(SecretFate::Revealed(42)));
        assert_eq!(decode_outcome(b"b7").ok(), Some(SecretFate::Burned(7)));
    }

    #[test]
    fn foreign_outcomes_are_corrupt() {
        for bytes in [&b""[..], b"x12", b"r", b"rabc"] {
            assert!(matches!(decode_outcome(bytes), Err(StoreError::Corrupt(_))));
        }
    }
}
