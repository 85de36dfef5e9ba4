//! The in-process development backend: the same contract as Redis, in one mutex.
//!
//! Data is lost on restart and is not shared between instances; start-up says so loudly.
//! Expired entries are invisible from their deadline on and are swept out at most once a
//! second while secrets are being created, so memory stays bounded without a timer.

mod accounts;
mod files;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use self::accounts::MemoryAccounts;
use self::files::{Chunks, StoredUpload};
use super::accounts::AccountStore;
use super::{
    Attempt, Burn, BurnBy, ChunkStored, NewChunk, NewSecret, NewUpload, Reservation, Store,
    StoreError, Take, TakeGuard, Taken, Upload, UploadFinished, views_seen,
};
use crate::crypto::{is_file, is_protected, proof_admits, views_allowed};
use crate::domain::limits::{CLIENT_ID_BYTES, Limit, LimitState, assess};
use crate::domain::time::now_micros;
use crate::domain::{KeptAnswer, ReceiptRecord, RecordRef, SecretFate};

const SWEEP_INTERVAL: Duration = Duration::from_secs(1);

struct Expiring<T> {
    value: T,
    deadline: Instant,
}

struct StoredSecret {
    sealed: Vec<u8>,
    failures: u32,
    in_flight: u32,
}

struct Inner {
    secrets: HashMap<RecordRef, Expiring<StoredSecret>>,
    outcomes: HashMap<RecordRef, Expiring<SecretFate>>,
    views: HashMap<RecordRef, Expiring<u32>>,
    receipts: HashMap<RecordRef, Expiring<ReceiptRecord>>,
    tokens: HashMap<RecordRef, Expiring<Vec<u8>>>,
    /// Answers kept for a retry with the same idempotency key: bytes and views left.
    kept: HashMap<RecordRef, Expiring<(Vec<u8>, u32)>>,
    rates: HashMap<([u8; CLIENT_ID_BYTES], &'static str, u64), Expiring<u64>>,
    /// File uploads under way.
    uploads: HashMap<RecordRef, Expiring<StoredUpload>>,
    /// File secrets' chunks, by secret: apart from it, since they outlive its last view
    /// by the download window.
    chunks: HashMap<RecordRef, Expiring<Chunks>>,
    last_sweep: Instant,
}

/// The in-memory implementation of [`Store`].
pub struct MemoryStore {
    inner: Mutex<Inner>,
    receipt_grace: Duration,
    accounts: MemoryAccounts,
}

impl MemoryStore {
    /// An empty store whose receipts outlive their secrets by `receipt_grace`.
    pub fn new(receipt_grace: Duration) -> Self {
        Self {
            inner: Mutex::new(Inner {
                secrets: HashMap::new(),
                outcomes: HashMap::new(),
                views: HashMap::new(),
                receipts: HashMap::new(),
                tokens: HashMap::new(),
                kept: HashMap::new(),
                rates: HashMap::new(),
                uploads: HashMap::new(),
                chunks: HashMap::new(),
                last_sweep: Instant::now(),
            }),
            receipt_grace,
            accounts: MemoryAccounts::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves only fully written entries behind.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Number of live and expired-but-unswept entries, for tests of the sweep.
    pub fn entry_count(&self) -> usize {
        let inner = self.lock();
        inner.secrets.len()
            + inner.outcomes.len()
            + inner.views.len()
            + inner.receipts.len()
            + inner.tokens.len()
            + inner.kept.len()
            + inner.rates.len()
            + inner.uploads.len()
            + inner.chunks.len()
    }

    /// Stores a new secret and its receipt; returns the secret's deadline.
    fn insert_secret(&self, inner: &mut Inner, new: &NewSecret<'_>, now: Instant) -> Instant {
        let deadline = now + Duration::from_secs(new.ttl_seconds);
        inner.secrets.insert(
            new.secret,
            Expiring {
                value: StoredSecret {
                    sealed: new.sealed.to_vec(),
                    failures: 0,
                    in_flight: 0,
                },
                deadline,
            },
        );
        inner.receipts.insert(
            new.receipt,
            Expiring {
                value: new.receipt_record.clone(),
                deadline: deadline + self.receipt_grace,
            },
        );
        deadline
    }
}

impl Inner {
    fn live_secret(
        &mut self,
        secret: &RecordRef,
        now: Instant,
    ) -> Option<&mut Expiring<StoredSecret>> {
        if self
            .secrets
            .get(secret)
            .is_some_and(|entry| entry.deadline <= now)
        {
            self.secrets.remove(secret);
        }
        self.secrets.get_mut(secret)
    }

    /// Removes a live secret and records its outcome until the receipt is gone too.
    fn finish(
        &mut self,
        secret: &RecordRef,
        fate: SecretFate,
        grace: Duration,
        now: Instant,
    ) -> Option<StoredSecret> {
        self.live_secret(secret, now)?;
        let entry = self.secrets.remove(secret)?;
        self.outcomes.insert(
            *secret,
            Expiring {
                value: fate,
                deadline: entry.deadline + grace,
            },
        );
        Some(entry.value)
    }

    /// The answer kept at `kept`, while it lives.
    fn kept_answer(&self, kept: Option<&KeptAnswer>, now: Instant) -> Option<(Vec<u8>, u32)> {
        let entry = self.kept.get(&kept?.record)?;
        (entry.deadline > now).then(|| entry.value.clone())
    }

    /// Keeps a view handed out at `kept` for its window, and hands it out.
    fn keep(
        &mut self,
        kept: Option<&KeptAnswer>,
        sealed: Vec<u8>,
        left: u32,
        now: Instant,
    ) -> Taken {
        if let Some(kept) = kept {
            self.kept.insert(
                kept.record,
                Expiring {
                    value: (sealed.clone(), left),
                    deadline: now + Duration::from_millis(kept.window_ms),
                },
            );
        }
        Taken::Sealed {
            sealed,
            views_left: left,
            replayed: false,
        }
    }

    /// Views of `secret` taken so far.
    fn views_of(&self, secret: &RecordRef, now: Instant) -> Option<u32> {
        self.views
            .get(secret)
            .filter(|entry| entry.deadline > now)
            .map(|entry| entry.value)
    }

    fn sweep(&mut self, now: Instant) {
        if now.duration_since(self.last_sweep) < SWEEP_INTERVAL {
            return;
        }
        self.last_sweep = now;
        self.secrets.retain(|_, entry| entry.deadline > now);
        self.outcomes.retain(|_, entry| entry.deadline > now);
        self.views.retain(|_, entry| entry.deadline > now);
        self.receipts.retain(|_, entry| entry.deadline > now);
        self.tokens.retain(|_, entry| entry.deadline > now);
        self.kept.retain(|_, entry| entry.deadline > now);
        self.rates.retain(|_, entry| entry.deadline > now);
        self.uploads.retain(|_, entry| entry.deadline > now);
        self.chunks.retain(|_, entry| entry.deadline > now);
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn start_upload(&self, new: &NewUpload<'_>) -> Result<(), StoreError> {
        self.start_file_upload(new);
        Ok(())
    }

    async fn upload(&self, upload: &RecordRef) -> Result<Option<Upload>, StoreError> {
        Ok(self.file_upload(upload))
    }

    async fn put_chunk(&self, chunk: &NewChunk<'_>) -> Result<ChunkStored, StoreError> {
        self.put_file_chunk(chunk)
    }

    async fn finish_upload(
        &self,
        upload: &RecordRef,
        new: &NewSecret<'_>,
        bytes: u64,
    ) -> Result<UploadFinished, StoreError> {
        self.finish_file_upload(upload, new, bytes)
    }

    async fn abort_upload(
        &self,
        upload: &RecordRef,
        secret: &RecordRef,
    ) -> Result<bool, StoreError> {
        Ok(self.abort_file_upload(upload, secret))
    }

    async fn read_chunk(
        &self,
        secret: &RecordRef,
        index: u32,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.read_file_chunk(secret, index))
    }

    fn for_this_worker(self: Arc<Self>) -> Arc<dyn Store> {
        self
    }

    async fn create_secret(&self, new: &NewSecret<'_>) -> Result<(), StoreError> {
        let now = Instant::now();
        let mut inner = self.lock();
        inner.sweep(now);
        self.insert_secret(&mut inner, new, now);
        Ok(())
    }

    async fn peek_secret(&self, secret: &RecordRef) -> Result<Option<Vec<u8>>, StoreError> {
        let mut inner = self.lock();
        Ok(inner
            .live_secret(secret, Instant::now())
            .map(|entry| entry.value.sealed.clone()))
    }

    async fn take_secret_with(
        &self,
        secret: &RecordRef,
        take: &Take,
        now: u64,
    ) -> Result<Taken, StoreError> {
        let instant = Instant::now();
        let mut inner = self.lock();
        // The same checks as a take: a replay needs the passphrase and the proof again.
        let refused = |sealed: &[u8]| {
            if take.guard == TakeGuard::Unprotected && is_protected(sealed) {
                Some(Taken::Protected)
            } else if !proof_admits(sealed, take.proof.as_ref()) {
                Some(Taken::ProofRefused)
            } else if take.file_window_ms.is_none() && is_file(sealed) {
                Some(Taken::FileRefused)
            } else {
                None
            }
        };
        let window = take.file_window_ms;
        if let Some((sealed, views_left)) = inner.kept_answer(take.kept.as_ref(), instant) {
            if let Some(refusal) = refused(&sealed) {
                return Ok(refusal);
            }
            // A replay hands out a download again.
            inner.keep_chunks(secret, &sealed, window, false, instant);
            return Ok(Taken::Sealed {
                sealed,
                views_left,
                replayed: true,
            });
        }
        let Some(entry) = inner.live_secret(secret, instant) else {
            return Ok(Taken::Missing);
        };
        if let Some(refusal) = refused(&entry.value.sealed) {
            return Ok(refusal);
        }
        let allowed = u32::from(views_allowed(&entry.value.sealed));
        let kept_until = entry.deadline + self.receipt_grace;
        if allowed > 1 {
            let sealed = entry.value.sealed.clone();
            let taken = inner.views_of(secret, instant).unwrap_or(0) + 1;
            inner.views.insert(
                *secret,
                Expiring {
                    value: taken,
                    deadline: kept_until,
                },
            );
            if taken < allowed {
                inner.keep_chunks(secret, &sealed, window, false, instant);
                return Ok(inner.keep(take.kept.as_ref(), sealed, allowed - taken, instant));
            }
        }
        let Some(taken) = inner.finish(
            secret,
            SecretFate::Revealed(now),
            self.receipt_grace,
            instant,
        ) else {
            return Ok(Taken::Missing);
        };
        inner.keep_chunks(secret, &taken.sealed, window, true, instant);
        Ok(inner.keep(take.kept.as_ref(), taken.sealed, 0, instant))
    }

    async fn kept_answer_with(
        &self,
        secret: &RecordRef,
        kept: &KeptAnswer,
        file_window_ms: Option<u64>,
    ) -> Result<Option<(Vec<u8>, u32)>, StoreError> {
        let now = Instant::now();
        let mut inner = self.lock();
        let answer = inner.kept_answer(Some(kept), now);
        if let Some((sealed, _)) = &answer {
            inner.keep_chunks(secret, sealed, file_window_ms, false, now);
        }
        Ok(answer)
    }

    async fn burn_secret_by(
        &self,
        secret: &RecordRef,
        by: BurnBy,
        now: u64,
    ) -> Result<Burn, StoreError> {
        let instant = Instant::now();
        let mut inner = self.lock();
        if let BurnBy::Viewer(proof) = by {
            let admitted = inner
                .live_secret(secret, instant)
                .map(|entry| proof_admits(&entry.value.sealed, proof.as_ref()));
            if admitted == Some(false) {
                return Ok(Burn::ProofRefused);
            }
        }
        Ok(
            match inner.finish(secret, SecretFate::Burned(now), self.receipt_grace, instant) {
                Some(_) => {
                    inner.chunks.remove(secret);
                    Burn::Burned
                }
                None => Burn::Missing,
            },
        )
    }

    async fn reserve_attempt(
        &self,
        secret: &RecordRef,
        limit: u32,
    ) -> Result<Reservation, StoreError> {
        let mut inner = self.lock();
        let Some(entry) = inner.live_secret(secret, Instant::now()) else {
            return Ok(Reservation::Missing);
        };
        let stored = &mut entry.value;
        if stored.failures + stored.in_flight >= limit {
            return Ok(Reservation::Exhausted);
        }
        stored.in_flight += 1;
        Ok(Reservation::Reserved)
    }

    async fn release_attempt(&self, secret: &RecordRef) -> Result<(), StoreError> {
        let mut inner = self.lock();
        if let Some(entry) = inner.live_secret(secret, Instant::now()) {
            entry.value.in_flight = entry.value.in_flight.saturating_sub(1);
        }
        Ok(())
    }

    async fn record_failed_attempt(
        &self,
        secret: &RecordRef,
        limit: u32,
        now: u64,
    ) -> Result<Attempt, StoreError> {
        let instant = Instant::now();
        let mut inner = self.lock();
        let Some(entry) = inner.live_secret(secret, instant) else {
            return Ok(Attempt::Missing);
        };
        entry.value.in_flight = entry.value.in_flight.saturating_sub(1);
        entry.value.failures += 1;
        let left = limit.saturating_sub(entry.value.failures);
        if left > 0 {
            return Ok(Attempt::Remaining(left));
        }
        inner.finish(secret, SecretFate::Burned(now), self.receipt_grace, instant);
        inner.chunks.remove(secret);
        Ok(Attempt::Burned)
    }

    async fn views_taken(&self, secret: &RecordRef) -> Result<u32, StoreError> {
        Ok(self.lock().views_of(secret, Instant::now()).unwrap_or(0))
    }

    async fn read_receipt(
        &self,
        receipt: &RecordRef,
    ) -> Result<Option<(ReceiptRecord, SecretFate, u32)>, StoreError> {
        let now = Instant::now();
        let mut inner = self.lock();
        let Some(record) = inner
            .receipts
            .get(receipt)
            .filter(|entry| entry.deadline > now)
            .map(|entry| entry.value.clone())
        else {
            return Ok(None);
        };
        let fate = if inner.live_secret(&record.secret, now).is_some() {
            SecretFate::Pending
        } else {
            inner
                .outcomes
                .get(&record.secret)
                .filter(|entry| entry.deadline > now)
                .map_or(SecretFate::Expired, |entry| entry.value)
        };
        let views = views_seen(fate, inner.views_of(&record.secret, now));
        Ok(Some((record, fate, views)))
    }

    async fn store_token(
        &self,
        token: &RecordRef,
        sealed: &[u8],
        ttl_seconds: u64,
    ) -> Result<(), StoreError> {
        let now = Instant::now();
        let mut inner = self.lock();
        inner.sweep(now);
        inner.tokens.insert(
            *token,
            Expiring {
                value: sealed.to_vec(),
                deadline: now + Duration::from_secs(ttl_seconds),
            },
        );
        Ok(())
    }

    async fn take_token_kept(
        &self,
        token: &RecordRef,
        kept: Option<&KeptAnswer>,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let now = Instant::now();
        let mut inner = self.lock();
        if let Some((sealed, _)) = inner.kept_answer(kept, now) {
            return Ok(Some(sealed));
        }
        let Some(sealed) = inner
            .tokens
            .remove(token)
            .filter(|entry| entry.deadline > now)
            .map(|entry| entry.value)
        else {
            return Ok(None);
        };
        inner.keep(kept, sealed.clone(), 0, now);
        Ok(Some(sealed))
    }

    async fn check_rate(
        &self,
        client: &[u8; CLIENT_ID_BYTES],
        limits: &[Limit],
    ) -> Result<Vec<LimitState>, StoreError> {
        let instant = Instant::now();
        let now_us = now_micros();
        let mut inner = self.lock();
        inner.sweep(instant);
        let count = |inner: &Inner, limit: &Limit, window: u64| {
            inner
                .rates
                .get(&(*client, limit.name, window))
                .filter(|entry| entry.deadline > instant)
                .map_or(0, |entry| entry.value)
        };
        let states: Vec<LimitState> = limits
            .iter()
            .map(|limit| {
                let (window, elapsed) = limit.window(now_us);
                let previous = count(&inner, limit, window.saturating_sub(1));
                let current = count(&inner, limit, window) + u64::from(limit.charge.max(1));
                assess(limit, previous, current, elapsed)
            })
            .collect();
        // As in Redis: count the charged limits, unless the request is refused.
        if states.iter().all(|state| state.allowed) {
            for limit in limits.iter().filter(|limit| limit.charge > 0) {
                let window = limit.window(now_us).0;
                let entry = inner
                    .rates
                    .entry((*client, limit.name, window))
                    .or_insert(Expiring {
                        value: 0,
                        deadline: instant + 2 * limit.period,
                    });
                entry.value += u64::from(limit.charge);
            }
        }
        Ok(states)
    }

    async fn refund_rate(
        &self,
        client: &[u8; CLIENT_ID_BYTES],
        limit: &Limit,
        charged_at_us: u64,
    ) -> Result<(), StoreError> {
        let window = limit.window(charged_at_us).0;
        if let Some(entry) = self.lock().rates.get_mut(&(*client, limit.name, window)) {
            entry.value = entry.value.saturating_sub(1);
        }
        Ok(())
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(())
    }

    fn accounts(&self) -> &dyn AccountStore {
        &self.accounts
    }
}
