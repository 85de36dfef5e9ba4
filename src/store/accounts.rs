//! The storage contract of accounts, codes, sessions, API keys, account receipt lists and
//! the audit log. Records are JSON; what is secret (passwords, session tokens, API keys,
//! codes) is stored only as a one-way hash or lookup.
//!
//! Redis layout (all under the key prefix; `{…}` is the cluster hash tag):
//! - `{<user tag>}u:<id>` hash of the user record's fields (changed field by field);
//!   `{<hash tag>}e:<hash>` the email index → user id; `{users}all` sorted set of ids by
//!   registration time, for the admin list.
//! - `{<slot tag>}c:<slot>` a code's keyed digest, `…ca:` its wrong-attempt counter,
//!   `…cx:<slot><client>` one client's wrong attempts at it, `…cc:` its resend cooldown:
//!   one slot per (namespace, purpose, recipient).
//! - `{<user tag>}ss:<lookup>` a session; `{<user tag>}ak:<lookup>` an API key and
//!   `{<user tag>}ai:<id>` the user's keys by id; `{<user tag>}ur:<id>` the user's
//!   receipt list. A user's records share the user's tag: one slot per user.
//! - `{audit}log` and `{audit}activity`, capped streams of [`AuditEvent`]s.
//! - `{outbox}due` a sorted set of queued mail ids by due time (ms), `{outbox}mail` a hash
//!   of their sealed bytes.

use async_trait::async_trait;

use super::StoreError;
use crate::domain::limits::CLIENT_ID_BYTES;
use crate::domain::{
    ApiKeyRecord, AuditEvent, Email, KeptAnswer, OwnedReceipt, RecordRef, SessionRecord,
    UserChange, UserId, UserRecord,
};

/// Result of storing a fresh code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeIssue {
    /// Stored; the previous code for the slot, if any, is replaced.
    Stored,
    /// A code was sent too recently; retry after this many seconds.
    CoolingDown(u64),
}

/// Result of checking a submitted code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// It matched, and is now consumed.
    Matched,
    /// It did not match; this many attempts remain (0: the code is now dead).
    Wrong(u32),
    /// No live code for this slot.
    Missing,
}

/// Wrong entries a code allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeLimits {
    /// From one client (rate-limit bucket).
    pub per_client: u32,
    /// From all clients together; the code dies there.
    pub total: u32,
}

impl CodeLimits {
    /// Attempts left after `mine` wrong entries from this client and `total` from all.
    pub fn left(self, mine: u32, total: u32) -> u32 {
        self.per_client
            .saturating_sub(mine)
            .min(self.total.saturating_sub(total))
    }
}

/// Where a code lives and the rules it lives by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeSlot {
    /// Keyed hash of (namespace, purpose, recipient).
    pub slot: [u8; 16],
    /// Keyed hash of (namespace, recipient): the resend cooldown is per recipient, across
    /// purposes, so rotating the purpose cannot flood a mailbox. Its first two bytes are
    /// the hash tag of all the slot's keys.
    pub recipient: [u8; 16],
    /// Seconds the code lives.
    pub ttl_seconds: u64,
    /// Seconds before another code may be sent to the slot.
    pub cooldown_seconds: u64,
}

/// A page of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// How many there are in all.
    pub total: usize,
}

/// The accounts storage contract both backends implement.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Stores a new user unless its email is taken (then `false`, nothing stored). With
    /// `lapse_seconds` (a pending registration) the user and its claim on the address are
    /// gone after that long unless [`Self::activate_pending`] makes them permanent first;
    /// a claim whose user has lapsed does not hold the address.
    async fn create_user(
        &self,
        user: &UserRecord,
        lapse_seconds: Option<u64>,
    ) -> Result<bool, StoreError>;

    /// A user by id.
    async fn user(&self, id: UserId) -> Result<Option<UserRecord>, StoreError>;

    /// A user by email.
    async fn user_by_email(&self, email: &Email) -> Result<Option<UserRecord>, StoreError>;

    /// Applies a change field by field; `false` when the new email is taken (nothing
    /// changed) or the user is unknown.
    async fn change_user(&self, id: UserId, change: &UserChange) -> Result<bool, StoreError>;

    /// Replaces the password hash.
    async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<(), StoreError>;

    /// Makes a pending user active with this password hash, in one step, and keeps it (and
    /// its address) for good; `false` when the user is not (or no longer) pending — a
    /// block that came first stays.
    async fn activate_pending(&self, id: UserId, hash: &str) -> Result<bool, StoreError>;

    /// Adds one to the user's generation, voiding every session (and refusing every
    /// credential write authorised before), and returns it; with `end_keys`, also voids
    /// every API key of an older generation, in the same step (`keys_from`).
    async fn bump_generation(&self, id: UserId, end_keys: bool) -> Result<u64, StoreError>;

    /// Users, newest first.
    async fn list_users(&self, offset: usize, limit: usize)
    -> Result<Page<UserRecord>, StoreError>;

    /// Stores a code's digest unless the slot is cooling down, acknowledged by the
    /// replicas as [`super::Store::create_secret`] is (else no mail may carry the code).
    async fn issue_code(&self, slot: &CodeSlot, digest: &[u8; 32])
    -> Result<CodeIssue, StoreError>;

    /// Checks a code's digest from `client` (its keyed id): consumed when it matches
    /// (exactly once), counted when it does not, per client and in total. A client that
    /// spent `limits.per_client` gets no more answers about the code (the code lives on for
    /// others); at `limits.total` the code dies. The counts outlive a reissued code (for
    /// the code's lifetime), so asking for a new code buys no new guesses. With `kept`, a
    /// match is kept there for its window (in the same step), and a check that finds it
    /// kept is a match again: a retry of a verify whose answer was lost.
    async fn check_code(
        &self,
        slot: &CodeSlot,
        client: &[u8; CLIENT_ID_BYTES],
        digest: &[u8; 32],
        limits: CodeLimits,
        kept: Option<&KeptAnswer>,
    ) -> Result<CodeCheck, StoreError>;

    /// Queues a sealed mail under `id`, due now.
    async fn enqueue_mail(&self, id: &[u8; 16], sealed: &[u8]) -> Result<(), StoreError>;

    /// Claims the oldest due mail for `lease_ms`: unless removed or rescheduled by then, it
    /// is due again, so a mail whose sender died is sent by another instance.
    async fn claim_mail(&self, lease_ms: u64) -> Result<Option<([u8; 16], Vec<u8>)>, StoreError>;

    /// Removes a queued mail (sent, or given up).
    async fn remove_mail(&self, id: &[u8; 16]) -> Result<(), StoreError>;

    /// Replaces a queued mail's bytes and makes it due in `delay_ms`.
    async fn reschedule_mail(
        &self,
        id: &[u8; 16],
        sealed: &[u8],
        delay_ms: u64,
    ) -> Result<(), StoreError>;

    /// Stores a session under its token's lookup if its user is still at `record`'s
    /// generation, in one atomic step (`false`, nothing stored, otherwise): a login that
    /// read the user before a reset or "log out everywhere" never writes a session after.
    async fn create_session(
        &self,
        session: &RecordRef,
        record: &SessionRecord,
        ttl_seconds: u64,
    ) -> Result<bool, StoreError>;

    /// A session by its token's lookup.
    async fn session(&self, session: &RecordRef) -> Result<Option<SessionRecord>, StoreError>;

    /// Ends one session.
    async fn delete_session(&self, session: &RecordRef) -> Result<(), StoreError>;

    /// Stores an API key under its lookup and in its owner's list, marked with
    /// `generation`, if the owner is still at that generation — the one the request was
    /// authorised under — in one atomic step (`false`, nothing stored, otherwise). So a
    /// key whose session was voided meanwhile is never written, and one written before
    /// the bump is in the list whoever revokes the older keys reads after it.
    async fn create_api_key(
        &self,
        key: &RecordRef,
        user: UserId,
        generation: u64,
        record: &ApiKeyRecord,
    ) -> Result<bool, StoreError>;

    /// An API key by its lookup.
    async fn api_key(&self, key: &RecordRef) -> Result<Option<ApiKeyRecord>, StoreError>;

    /// A user's API keys, in no particular order.
    async fn api_keys(&self, user: UserId) -> Result<Vec<ApiKeyRecord>, StoreError>;

    /// Revokes a user's key by id; `false` when there is none.
    async fn delete_api_key(&self, user: UserId, id: &str) -> Result<bool, StoreError>;

    /// Adds a receipt to a user's list (kept to the newest `keep`).
    async fn add_owned_receipt(
        &self,
        user: UserId,
        entry: &OwnedReceipt,
        keep: usize,
        list_ttl_seconds: u64,
    ) -> Result<(), StoreError>;

    /// A page of a user's receipts whose receipts still exist at `now`, newest first, in
    /// work proportional to the page (not to the list).
    async fn owned_receipts(
        &self,
        user: UserId,
        now: u64,
        offset: usize,
        limit: usize,
    ) -> Result<Page<OwnedReceipt>, StoreError>;

    /// The user's entry for the secret at `secret`, if the user created it and its receipt
    /// still exists at `now`: one lookup, however long the list.
    async fn owned_receipt(
        &self,
        user: UserId,
        secret: &RecordRef,
        now: u64,
    ) -> Result<Option<OwnedReceipt>, StoreError>;

    /// Appends to the audit log, keeping about the newest `keep` entries.
    async fn append_audit(&self, event: &AuditEvent, keep: usize) -> Result<(), StoreError>;

    /// Audit entries older than `before` (an entry id; `None`: the newest), newest first,
    /// optionally only those with `user` as actor or subject. Returns them with their ids.
    async fn audit(
        &self,
        user: Option<UserId>,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, AuditEvent)>, StoreError>;
}
