//! Accounts: registration confirmed by a mailed code, login sessions, API keys, the
//! account's receipt list, admin work on users, and the audit log of it all. No HTTP
//! here, no Redis: storage goes through [`crate::store::accounts::AccountStore`],
//! passwords through the Argon2 pool.
//!
//! Sessions are opaque tokens (`bbs_…`) whose one-way lookup names a Redis record with a
//! TTL — not JWTs — because they must end at once: logout, "log out everywhere" and
//! blocking bump the user's generation, and a session of an older generation is void on
//! its next use. Every credential is written only while its user is still at the
//! generation it was authorised under (atomically, in the store), so none authorised
//! before a bump appears after it.

mod admin;
mod api_keys;
mod owned;
mod sign_in;

use std::sync::Arc;

use crate::codes::CodeService;
use crate::config::ServerKey;
use crate::crypto::{KdfParams, PassphraseSalt, PasswordHash};
use crate::domain::time::now_unix;
use crate::domain::{
    ApiKeyRecord, AuditAction, AuditEvent, OwnedReceipt, Password, ReceiptRecord, ReceiptView,
    RecordRef, Role, Scope, SecretFate, UserId, UserRecord,
};
use crate::error::ApiError;
use crate::kdf_pool::KdfPool;
use crate::network::ClientAddress;
use crate::store::Store;

/// Text prefix of session tokens.
pub const SESSION_PREFIX: &str = "bbs_";
/// Text prefix of API keys.
pub const API_KEY_PREFIX: &str = "bbk_";
/// The purpose named in registration mails.
const CONFIRM_PURPOSE: &str = "confirm";
/// The purpose of password reset codes (in their own namespace).
const RESET_PURPOSE: &str = "reset";

/// The operator's rules for accounts.
#[derive(Debug, Clone, Copy)]
pub struct AccountPolicy {
    /// Seconds a session lives.
    pub session_ttl_seconds: u64,
    /// Shortest password, in characters.
    pub password_min_length: usize,
    /// Argon2id costs for password hashes.
    pub kdf: KdfParams,
    /// How long a receipt outlives its secret (so the account's list entry does too).
    pub receipt_grace_seconds: u64,
    /// Longest secret TTL, which bounds how long a receipt list can matter.
    pub ttl_max_seconds: u64,
    /// Receipts kept per account list.
    pub receipts_kept: usize,
    /// Audit entries kept.
    pub audit_kept: usize,
    /// Seconds an unconfirmed registration (and its claim on the address) lives.
    pub pending_ttl_seconds: u64,
    /// Wrong passwords allowed per address within `login_window_seconds` (0: no limit).
    pub login_failures: u32,
    /// The sliding window of that budget, in seconds.
    pub login_window_seconds: u64,
}

/// How a request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A login session: everything the account may do.
    Session(RecordRef),
    /// An API key: what its scopes allow.
    ApiKey {
        /// The key's public id.
        id: String,
        /// What it may do.
        scopes: Vec<Scope>,
    },
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Account {
    /// The user, as stored when the request arrived.
    pub user: UserRecord,
    /// How they proved it.
    pub credential: Credential,
}

impl Account {
    /// Whether this caller may act with `scope`: a session may do what its user may; an
    /// API key what its scopes name. Admin work needs the admin role as well.
    pub fn may(&self, scope: Scope) -> bool {
        let granted = match &self.credential {
            Credential::Session(_) => true,
            Credential::ApiKey { scopes, .. } => scopes.contains(&scope),
        };
        granted && (scope != Scope::Admin || self.user.role == Role::Admin)
    }
}

/// A new API key: its text is shown once, here.
#[derive(Debug)]
pub struct NewApiKey {
    /// The key, `bbk_…`.
    pub key: String,
    /// Its record.
    pub record: ApiKeyRecord,
}

/// An account's list entry with its receipt's record, its secret's fate and the views
/// taken.
pub type OwnedSecret = (OwnedReceipt, ReceiptRecord, SecretFate, u32);

/// One entry of an account's receipt list, with the receipt's current state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedReceiptView {
    /// The entry's id (a one-way reference, not a working link).
    pub id: String,
    /// The receipt.
    pub receipt: ReceiptView,
    /// When the secret was created (unix seconds).
    pub created_at: u64,
    /// When it expires (unix seconds).
    pub expires_at: u64,
    /// What became of it.
    pub fate: SecretFate,
}

/// Accounts, sessions, API keys and the audit log, over a store.
#[derive(Clone)]
pub struct AccountService {
    store: Arc<dyn Store>,
    kdf: KdfPool,
    codes: CodeService,
    policy: AccountPolicy,
    server_key: ServerKey,
}

impl AccountService {
    /// A service over `store`, hashing on `kdf`, confirming with `codes`, keying the
    /// per-address login budget under `server_key`.
    pub fn new(
        store: Arc<dyn Store>,
        kdf: KdfPool,
        codes: CodeService,
        policy: AccountPolicy,
        server_key: ServerKey,
    ) -> Self {
        Self {
            store,
            kdf,
            codes,
            policy,
            server_key,
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> &AccountPolicy {
        &self.policy
    }

    /// The code service it confirms registrations with (also serving `/api/codes`).
    pub fn codes(&self) -> &CodeService {
        &self.codes
    }

    /// Seconds a mailed code lives.
    pub fn code_ttl_seconds(&self) -> u64 {
        self.codes.ttl_seconds()
    }

    async fn hash(&self, password: &Password) -> Result<String, ApiError> {
        let salt = PassphraseSalt::generate(self.policy.kdf);
        let stretched = self.kdf.stretch_password(salt, password).await?;
        Ok(PasswordHash::new(salt, &stretched).encode())
    }

    /// Records an audit event.
    pub async fn audit(
        &self,
        action: AuditAction,
        actor: Option<UserId>,
        subject: Option<String>,
        ip: ClientAddress,
    ) -> Result<(), ApiError> {
        let event = AuditEvent {
            at: now_unix(),
            action,
            actor,
            subject,
            ip: ip.to_string(),
        };
        self.store
            .accounts()
            .append_audit(&event, self.policy.audit_kept)
            .await?;
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Which of its user's generations a credential is valid in.
#[derive(Debug, Clone, Copy)]
enum Valid {
    /// A session: only the one it was opened in.
    At(u64),
    /// An API key: the one it was made in, until its keys are ended (`keys_from`).
    From(u64),
}
