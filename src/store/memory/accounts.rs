//! [`AccountStore`] in process memory ([`MemoryAccounts`], a part of the memory store),
//! with the Redis backend's semantics: each operation is one critical section; sessions,
//! codes and cooldowns expire on their deadlines.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::domain::limits::CLIENT_ID_BYTES;
use crate::domain::time::now_micros;
use crate::domain::{
    AccountState, ApiKeyRecord, AuditEvent, Email, KeptAnswer, OwnedReceipt, RecordRef,
    SessionRecord, UserChange, UserId, UserRecord,
};
use crate::store::StoreError;
use crate::store::accounts::{AccountStore, CodeCheck, CodeIssue, CodeLimits, CodeSlot, Page};

struct Code {
    digest: [u8; 32],
    deadline: Instant,
}

/// Everything the accounts need, under one lock.
#[derive(Default)]
pub(super) struct Accounts {
    users: HashMap<UserId, UserRecord>,
    /// When each unconfirmed registration lapses.
    lapses: HashMap<UserId, Instant>,
    emails: HashMap<Email, UserId>,
    codes: HashMap<[u8; 16], Code>,
    cooldowns: HashMap<[u8; 16], Instant>,
    failures: HashMap<[u8; 16], (u32, Instant)>,
    client_failures: HashMap<([u8; 16], [u8; CLIENT_ID_BYTES]), (u32, Instant)>,
    /// Matches kept for a verify's retry with the same idempotency key and code.
    kept_matches: HashMap<RecordRef, Instant>,
    sessions: HashMap<RecordRef, (SessionRecord, Instant)>,
    api_keys: HashMap<RecordRef, (UserId, ApiKeyRecord)>,
    receipts: HashMap<UserId, Vec<OwnedReceipt>>,
    audit: VecDeque<(u64, AuditEvent)>,
    next_audit_id: u64,
    /// Queued mail: when due (unix ms) and its sealed bytes.
    mails: HashMap<[u8; 16], (u64, Vec<u8>)>,
}

/// The accounts part of the memory store: users, sessions, keys, codes, audit and mail
/// queue under one lock.
#[derive(Default)]
pub(super) struct MemoryAccounts(Mutex<Accounts>);

impl Accounts {
    /// Whether `user` exists at `generation` (a credential write's condition).
    fn at_generation(&self, user: UserId, generation: u64) -> bool {
        self.users
            .get(&user)
            .is_some_and(|user| user.generation == generation)
    }
}

impl MemoryAccounts {
    /// The accounts, with lapsed registrations (and their addresses) gone, as in Redis.
    fn accounts_lock(&self) -> MutexGuard<'_, Accounts> {
        // A panic while holding the lock leaves only fully written entries behind.
        let mut accounts = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        let lapsed: Vec<UserId> = accounts
            .lapses
            .iter()
            .filter(|(_, deadline)| **deadline <= now)
            .map(|(id, _)| *id)
            .collect();
        for id in lapsed {
            accounts.lapses.remove(&id);
            if let Some(user) = accounts.users.remove(&id) {
                accounts.emails.remove(&user.email);
            }
        }
        accounts
    }
}

#[async_trait]
impl AccountStore for MemoryAccounts {
    async fn create_user(
        &self,
        user: &UserRecord,
        lapse_seconds: Option<u64>,
    ) -> Result<bool, StoreError> {
        let mut accounts = self.accounts_lock();
        if accounts.emails.contains_key(&user.email) {
            return Ok(false);
        }
        accounts.emails.insert(user.email.clone(), user.id);
        accounts.users.insert(user.id, user.clone());
        if let Some(seconds) = lapse_seconds {
            accounts
                .lapses
                .insert(user.id, Instant::now() + Duration::from_secs(seconds));
        }
        Ok(true)
    }

    async fn user(&self, id: UserId) -> Result<Option<UserRecord>, StoreError> {
        Ok(self.accounts_lock().users.get(&id).cloned())
    }

    async fn user_by_email(&self, email: &Email) -> Result<Option<UserRecord>, StoreError> {
        let accounts = self.accounts_lock();
        Ok(accounts
            .emails
            .get(email)
            .and_then(|id| accounts.users.get(id))
            .cloned())
    }

    async fn change_user(&self, id: UserId, change: &UserChange) -> Result<bool, StoreError> {
        let mut accounts = self.accounts_lock();
        let Some(current) = accounts.users.get(&id).map(|user| user.email.clone()) else {
            return Ok(false);
        };
        if let Some(email) = change.email.as_ref().filter(|email| **email != current) {
            if accounts.emails.contains_key(email) {
                return Ok(false);
            }
            accounts.emails.remove(&current);
            accounts.emails.insert(email.clone(), id);
        }
        if let Some(user) = accounts.users.get_mut(&id) {
            if let Some(email) = &change.email {
                user.email = email.clone();
            }
            if let Some(role) = change.role {
                user.role = role;
            }
            if let Some(state) = change.state {
                user.state = state;
            }
        }
        Ok(true)
    }

    async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<(), StoreError> {
        if let Some(user) = self.accounts_lock().users.get_mut(&id) {
            hash.clone_into(&mut user.password_hash);
        }
        Ok(())
    }

    async fn activate_pending(&self, id: UserId, hash: &str) -> Result<bool, StoreError> {
        let mut accounts = self.accounts_lock();
        match accounts.users.get_mut(&id) {
            Some(user) if user.state == AccountState::Pending => {
                user.state = AccountState::Active;
                hash.clone_into(&mut user.password_hash);
                accounts.lapses.remove(&id);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn bump_generation(&self, id: UserId, end_keys: bool) -> Result<u64, StoreError> {
        let mut accounts = self.accounts_lock();
        let user = accounts
            .users
            .get_mut(&id)
            .ok_or(StoreError::Corrupt("no such user"))?;
        user.generation += 1;
        if end_keys {
            user.keys_from = user.generation;
        }
        Ok(user.generation)
    }

    async fn list_users(
        &self,
        offset: usize,
        limit: usize,
    ) -> Result<Page<UserRecord>, StoreError> {
        let accounts = self.accounts_lock();
        let mut users: Vec<UserRecord> = accounts.users.values().cloned().collect();
        users.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.id.to_string().cmp(&a.id.to_string()))
        });
        let total = users.len();
        Ok(Page {
            items: users.into_iter().skip(offset).take(limit).collect(),
            total,
        })
    }

    async fn issue_code(
        &self,
        slot: &CodeSlot,
        digest: &[u8; 32],
    ) -> Result<CodeIssue, StoreError> {
        let now = Instant::now();
        let mut accounts = self.accounts_lock();
        if let Some(until) = accounts
            .cooldowns
            .get(&slot.recipient)
            .filter(|until| **until > now)
        {
            return Ok(CodeIssue::CoolingDown(
                (*until - now).as_millis().div_ceil(1000) as u64,
            ));
        }
        accounts.codes.insert(
            slot.slot,
            Code {
                digest: *digest,
                deadline: now + Duration::from_secs(slot.ttl_seconds),
            },
        );
        if slot.cooldown_seconds > 0 {
            accounts.cooldowns.insert(
                slot.recipient,
                now + Duration::from_secs(slot.cooldown_seconds),
            );
        }
        Ok(CodeIssue::Stored)
    }

    async fn check_code(
        &self,
        slot: &CodeSlot,
        client: &[u8; CLIENT_ID_BYTES],
        digest: &[u8; 32],
        limits: CodeLimits,
        kept: Option<&KeptAnswer>,
    ) -> Result<CodeCheck, StoreError> {
        let now = Instant::now();
        let mut accounts = self.accounts_lock();
        let accounts = &mut *accounts;
        accounts.kept_matches.retain(|_, until| *until > now);
        if kept.is_some_and(|kept| accounts.kept_matches.contains_key(&kept.record)) {
            return Ok(CodeCheck::Matched);
        }
        let Some(stored) = accounts
            .codes
            .get(&slot.slot)
            .filter(|code| code.deadline > now)
            .map(|code| code.digest)
        else {
            accounts.codes.remove(&slot.slot);
            return Ok(CodeCheck::Missing);
        };
        // The failure counts outlive reissued codes, for a code's lifetime.
        let client_slot = (slot.slot, *client);
        let live = |entry: Option<&(u32, Instant)>| {
            entry
                .filter(|(_, until)| *until > now)
                .map_or(0, |(count, _)| *count)
        };
        if live(accounts.failures.get(&slot.slot)) >= limits.total {
            accounts.codes.remove(&slot.slot);
            return Ok(CodeCheck::Wrong(0));
        }
        if live(accounts.client_failures.get(&client_slot)) >= limits.per_client {
            return Ok(CodeCheck::Wrong(0));
        }
        if stored == *digest {
            accounts.codes.remove(&slot.slot);
            accounts.failures.remove(&slot.slot);
            accounts.client_failures.remove(&client_slot);
            if let Some(kept) = kept {
                let until = now + Duration::from_millis(kept.window_ms);
                accounts.kept_matches.insert(kept.record, until);
            }
            return Ok(CodeCheck::Matched);
        }
        let until = now + Duration::from_secs(slot.ttl_seconds.max(1));
        let count = |entry: &mut (u32, Instant)| {
            if entry.1 <= now {
                *entry = (0, until);
            }
            entry.0 += 1;
            entry.0
        };
        let total = count(accounts.failures.entry(slot.slot).or_insert((0, until)));
        let mine = count(
            accounts
                .client_failures
                .entry(client_slot)
                .or_insert((0, until)),
        );
        if total >= limits.total {
            accounts.codes.remove(&slot.slot);
        }
        Ok(CodeCheck::Wrong(limits.left(mine, total)))
    }

    async fn enqueue_mail(&self, id: &[u8; 16], sealed: &[u8]) -> Result<(), StoreError> {
        self.reschedule_mail(id, sealed, 0).await
    }

    async fn claim_mail(&self, lease_ms: u64) -> Result<Option<([u8; 16], Vec<u8>)>, StoreError> {
        let now = now_micros() / 1000;
        let mut accounts = self.accounts_lock();
        let due = accounts
            .mails
            .iter()
            .filter(|(_, (due, _))| *due <= now)
            .min_by_key(|(_, (due, _))| *due)
            .map(|(id, _)| *id);
        Ok(due.and_then(|id| {
            accounts.mails.get_mut(&id).map(|(due, sealed)| {
                *due = now + lease_ms;
                (id, sealed.clone())
            })
        }))
    }

    async fn remove_mail(&self, id: &[u8; 16]) -> Result<(), StoreError> {
        self.accounts_lock().mails.remove(id);
        Ok(())
    }

    async fn reschedule_mail(
        &self,
        id: &[u8; 16],
        sealed: &[u8],
        delay_ms: u64,
    ) -> Result<(), StoreError> {
        let due = now_micros() / 1000 + delay_ms;
        self.accounts_lock()
            .mails
            .insert(*id, (due, sealed.to_vec()));
        Ok(())
    }

    async fn create_session(
        &self,
        session: &RecordRef,
        record: &SessionRecord,
        ttl_seconds: u64,
    ) -> Result<bool, StoreError> {
        let deadline = Instant::now() + Duration::from_secs(ttl_seconds.max(1));
        let mut accounts = self.accounts_lock();
        if !accounts.at_generation(record.user, record.generation) {
            return Ok(false);
        }
        accounts
            .sessions
            .retain(|_, (_, until)| *until > Instant::now());
        accounts
            .sessions
            .insert(*session, (record.clone(), deadline));
        Ok(true)
    }

    async fn session(&self, session: &RecordRef) -> Result<Option<SessionRecord>, StoreError> {
        Ok(self
            .accounts_lock()
            .sessions
            .get(session)
            .filter(|(_, deadline)| *deadline > Instant::now())
            .map(|(record, _)| record.clone()))
    }

    async fn delete_session(&self, session: &RecordRef) -> Result<(), StoreError> {
        self.accounts_lock().sessions.remove(session);
        Ok(())
    }

    async fn create_api_key(
        &self,
        key: &RecordRef,
        user: UserId,
        generation: u64,
        record: &ApiKeyRecord,
    ) -> Result<bool, StoreError> {
        let mut accounts = self.accounts_lock();
        if !accounts.at_generation(user, generation) {
            return Ok(false);
        }
        let record = ApiKeyRecord {
            generation: Some(generation),
            ..record.clone()
        };
        accounts.api_keys.insert(*key, (user, record));
        Ok(true)
    }

    async fn api_key(&self, key: &RecordRef) -> Result<Option<ApiKeyRecord>, StoreError> {
        Ok(self
            .accounts_lock()
            .api_keys
            .get(key)
            .map(|(user, record)| ApiKeyRecord {
                user: Some(*user),
                ..record.clone()
            }))
    }

    async fn api_keys(&self, user: UserId) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let keys: Vec<ApiKeyRecord> = self
            .accounts_lock()
            .api_keys
            .values()
            .filter(|(owner, _)| *owner == user)
            .map(|(_, record)| record.clone())
            .collect();
        Ok(keys)
    }

    async fn delete_api_key(&self, user: UserId, id: &str) -> Result<bool, StoreError> {
        let mut accounts = self.accounts_lock();
        let before = accounts.api_keys.len();
        accounts
            .api_keys
            .retain(|_, (owner, record)| !(*owner == user && record.id == id));
        Ok(accounts.api_keys.len() < before)
    }

    async fn add_owned_receipt(
        &self,
        user: UserId,
        entry: &OwnedReceipt,
        keep: usize,
        _list_ttl_seconds: u64,
    ) -> Result<(), StoreError> {
        let mut accounts = self.accounts_lock();
        let list = accounts.receipts.entry(user).or_default();
        list.insert(0, entry.clone());
        list.truncate(keep);
        Ok(())
    }

    async fn owned_receipts(
        &self,
        user: UserId,
        now: u64,
        offset: usize,
        limit: usize,
    ) -> Result<Page<OwnedReceipt>, StoreError> {
        let mut accounts = self.accounts_lock();
        let list = accounts.receipts.entry(user).or_default();
        list.retain(|entry| entry.gone_at > now);
        Ok(Page {
            total: list.len(),
            items: list.iter().skip(offset).take(limit).cloned().collect(),
        })
    }

    async fn owned_receipt(
        &self,
        user: UserId,
        secret: &RecordRef,
        now: u64,
    ) -> Result<Option<OwnedReceipt>, StoreError> {
        let wanted = secret.to_text();
        let accounts = self.accounts_lock();
        // In process, a scan of the (capped) list costs no round trip.
        Ok(accounts.receipts.get(&user).and_then(|list| {
            list.iter()
                .find(|entry| entry.gone_at > now && entry.secret.as_deref() == Some(&wanted))
                .cloned()
        }))
    }

    async fn append_audit(&self, event: &AuditEvent, keep: usize) -> Result<(), StoreError> {
        let mut accounts = self.accounts_lock();
        accounts.next_audit_id += 1;
        let id = accounts.next_audit_id;
        accounts.audit.push_front((id, event.clone()));
        // Each part of the log keeps its own `keep` newest entries.
        let stream = event.action.stream();
        if let Some((oldest, _)) = accounts
            .audit
            .iter()
            .filter(|(_, kept)| kept.action.stream() == stream)
            .nth(keep)
        {
            let oldest = *oldest;
            accounts
                .audit
                .retain(|(id, kept)| kept.action.stream() != stream || *id > oldest);
        }
        Ok(())
    }

    async fn audit(
        &self,
        user: Option<UserId>,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, AuditEvent)>, StoreError> {
        let before: u64 = before.and_then(|id| id.parse().ok()).unwrap_or(u64::MAX);
        let user_text = user.map(|user| user.to_string());
        Ok(self
            .accounts_lock()
            .audit
            .iter()
            .filter(|(id, _)| *id < before)
            .filter(|(_, event)| {
                user.is_none_or(|user| {
                    event.actor == Some(user) || event.subject.as_deref() == user_text.as_deref()
                })
            })
            .take(limit)
            .map(|(id, event)| (id.to_string(), event.clone()))
            .collect())
    }
}
