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

use std::sync::Arc;
use std::time::Duration;

use crate::codes::{ACCOUNT_NAMESPACE, CodeService, RESET_NAMESPACE};
use crate::config::ServerKey;
use crate::crypto::{self, KdfParams, PassphraseSalt, PasswordHash};
use crate::domain::limits::{CLIENT_ID_BYTES, Limit};
use crate::domain::time::{now_micros, now_unix};
use crate::domain::{
    AccountState, ApiKey, ApiKeyRecord, AuditAction, AuditEvent, ClientKey, Code, CodePurpose,
    Email, KeyName, OwnedReceipt, Password, ReceiptKey, ReceiptRecord, ReceiptView, RecordRef,
    Role, Scope, SecretFate, SessionKey, SessionRecord, UserChange, UserId, UserRecord,
};
use crate::error::ApiError;
use crate::kdf_pool::KdfPool;
use crate::network::ClientAddress;
use crate::store::Store;
use crate::store::accounts::Page;

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

    /// Registers an account (pending) and mails its confirmation code. An address that is
    /// already registered gets the same answer — and, if still pending, a fresh code — so
    /// the answer never says whether an address has an account.
    pub async fn register(
        &self,
        email: Email,
        password: &Password,
        ip: ClientAddress,
    ) -> Result<(), ApiError> {
        let password_hash = self.hash(password).await?;
        let user = UserRecord {
            id: UserId::generate(),
            email,
            role: Role::User,
            state: AccountState::Pending,
            password_hash,
            created_at: now_unix(),
            generation: 0,
            keys_from: 0,
        };
        let accounts = self.store.accounts();
        let lapse = Some(self.policy.pending_ttl_seconds);
        let target = if accounts.create_user(&user, lapse).await? {
            self.audit(AuditAction::Register, Some(user.id), None, ip)
                .await?;
            Some(user)
        } else {
            accounts
                .user_by_email(&user.email)
                .await?
                .filter(|existing| existing.state == AccountState::Pending)
        };
        if let Some(user) = target {
            let purpose = CodePurpose::parse(Some(CONFIRM_PURPOSE))?;
            match self
                .codes
                .send(ACCOUNT_NAMESPACE, &purpose, &user.email)
                .await
            {
                // A resend inside the cooldown: the earlier code is still on its way.
                Ok(()) | Err(ApiError::CoolingDown { .. }) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Confirms a registration with the mailed code and sets the password given with it.
    ///
    /// The password is taken here, from whoever holds the code (the mailbox), not from
    /// the registration: otherwise someone could register a stranger's address first and
    /// own the account the stranger confirms. Every failure — unknown or already
    /// confirmed address, wrong or dead code — is the same answer, so confirming never
    /// tells whether an address has an account.
    pub async fn confirm(
        &self,
        email: &Email,
        code: &Code,
        password: &Password,
        ip: ClientAddress,
    ) -> Result<(), ApiError> {
        let accounts = self.store.accounts();
        let user = accounts
            .user_by_email(email)
            .await?
            .filter(|user| user.state == AccountState::Pending)
            .ok_or(ApiError::BadConfirmation)?;
        let purpose = CodePurpose::parse(Some(CONFIRM_PURPOSE))?;
        match self
            .codes
            .verify(ACCOUNT_NAMESPACE, &purpose, email, code, ip)
            .await
        {
            Ok(()) => {}
            Err(ApiError::WrongCode { .. } | ApiError::NotFound) => {
                return Err(ApiError::BadConfirmation);
            }
            Err(error) => return Err(error),
        }
        let hash = self.hash(password).await?;
        // Only a still-pending account: a block that came first stays.
        if !accounts.activate_pending(user.id, &hash).await? {
            return Err(ApiError::BadConfirmation);
        }
        self.audit(AuditAction::Confirm, Some(user.id), None, ip)
            .await
    }

    /// Logs in: a new session token and its expiry. Unknown address, wrong password,
    /// pending or blocked account: one answer, after the same Argon2 work.
    pub async fn login(
        &self,
        email: &Email,
        password: &Password,
        ip: ClientAddress,
    ) -> Result<(String, u64), ApiError> {
        // The address's budget of wrong passwords, shared by every instance and every
        // client: a login is charged before its Argon2 work and refunded when right, so
        // once spent, logins to this address answer 401 at once until the window passes.
        match self
            .within_login_budget(email, self.check_password(email, password, ip))
            .await?
        {
            Some(session) => Ok(session),
            None => {
                self.audit(AuditAction::FailedLogin, None, None, ip).await?;
                Err(ApiError::InvalidCredentials)
            }
        }
    }

    /// Runs `check`, a password check, charged to `email`'s budget of wrong passwords: the
    /// charge is given back when it succeeds. `None` when the budget is spent: then `check`
    /// never runs, so no Argon2 work is spent on a locked address.
    async fn within_login_budget<T>(
        &self,
        email: &Email,
        check: impl Future<Output = Result<T, ApiError>>,
    ) -> Result<Option<T>, ApiError> {
        let Some((id, limit)) = self.login_guard(email) else {
            return check.await.map(Some);
        };
        let charged_at = now_micros();
        let states = self.store.check_rate(&id, &[limit]).await?;
        if !states.iter().all(|state| state.allowed) {
            return Ok(None);
        }
        let checked = check.await?;
        self.store.refund_rate(&id, &limit, charged_at).await?;
        Ok(Some(checked))
    }

    /// The login budget's store id and limit for `email`, unless it is switched off.
    fn login_guard(&self, email: &Email) -> Option<([u8; CLIENT_ID_BYTES], Limit)> {
        (self.policy.login_failures > 0).then(|| {
            (
                crypto::login_guard_id(self.server_key.as_bytes(), email.as_str()),
                Limit {
                    name: "login",
                    slot: 0,
                    limit: self.policy.login_failures,
                    period: Duration::from_secs(self.policy.login_window_seconds.max(1)),
                    charge: 1,
                },
            )
        })
    }

    /// Checks the password (Argon2 work even for unknown addresses) and opens a session.
    async fn check_password(
        &self,
        email: &Email,
        password: &Password,
        ip: ClientAddress,
    ) -> Result<(String, u64), ApiError> {
        let user = self.store.accounts().user_by_email(email).await?;
        let stored = user
            .as_ref()
            .and_then(|user| PasswordHash::decode(&user.password_hash));
        // Without a user, hash against a throwaway salt: the answer takes as long.
        let salt = stored.as_ref().map_or_else(
            || PassphraseSalt::generate(self.policy.kdf),
            PasswordHash::salt,
        );
        let stretched = self.kdf.stretch_password(salt, password).await?;
        let matches = stored.is_some_and(|stored| stored.matches(&stretched));
        let known = user.as_ref().map(|user| user.id.to_string());
        let Some(user) = user.filter(|user| matches && user.state == AccountState::Active) else {
            self.audit(AuditAction::FailedLogin, None, known, ip)
                .await?;
            return Err(ApiError::InvalidCredentials);
        };
        // A reset or "log out everywhere" between the read and the write: the password
        // checked may be the old one, and the session would be void anyway.
        let Some(session) = self.open_session(user.id, user.generation).await? else {
            return Err(ApiError::InvalidCredentials);
        };
        self.audit(AuditAction::Login, Some(user.id), None, ip)
            .await?;
        Ok(session)
    }

    /// A new session of `user` at `generation`: its token and when it ends; `None` (nothing
    /// stored) when the user is no longer at that generation.
    async fn open_session(
        &self,
        user: UserId,
        generation: u64,
    ) -> Result<Option<(String, u64)>, ApiError> {
        let token = SessionKey::new(ClientKey::generate(user.tag()));
        let expires_at = now_unix() + self.policy.session_ttl_seconds;
        let stored = self
            .store
            .accounts()
            .create_session(
                &token.record(),
                &SessionRecord {
                    user,
                    generation,
                    expires_at,
                },
                self.policy.session_ttl_seconds,
            )
            .await?;
        Ok(stored.then(|| (token.encode_prefixed(SESSION_PREFIX), expires_at)))
    }

    /// Ends every credential of `user`: bumps its generation — every session and every
    /// API key of an older generation is void, and no credential authorised before is
    /// written after — then deletes the keys of older generations (tidying: should that
    /// stop half-way, the keys left are void all the same). Race-free because a key is written only at its owner's current
    /// generation: one written before the bump is in the list read after it. Keys of the
    /// new generation (made since, with a new session) stay. Returns the new generation.
    async fn end_credentials(&self, user: UserId) -> Result<u64, ApiError> {
        let accounts = self.store.accounts();
        let generation = accounts.bump_generation(user, true).await?;
        for key in accounts.api_keys(user).await? {
            if key.generation.is_none_or(|made| made < generation) {
                accounts.delete_api_key(user, &key.id).await?;
            }
        }
        Ok(generation)
    }

    /// Changes the signed-in person's password, given the current one (charged to the
    /// address's budget of wrong passwords like a login). Every session and every API key
    /// ends — the caller gets a fresh session — so whoever else knew the old password, or
    /// held a session, keeps nothing: a key minted with a stolen session would otherwise
    /// outlive the change.
    pub async fn change_password(
        &self,
        account: &Account,
        current: &Password,
        new: &Password,
        ip: ClientAddress,
    ) -> Result<(String, u64), ApiError> {
        let user = &account.user;
        let check = async {
            let stored = PasswordHash::decode(&user.password_hash)
                .ok_or_else(|| ApiError::Internal("stored password hash unreadable".into()))?;
            let stretched = self.kdf.stretch_password(stored.salt(), current).await?;
            if stored.matches(&stretched) {
                Ok(())
            } else {
                Err(ApiError::WrongPassword)
            }
        };
        if self
            .within_login_budget(&user.email, check)
            .await?
            .is_none()
        {
            return Err(ApiError::WrongPassword);
        }
        self.store
            .accounts()
            .set_password_hash(user.id, &self.hash(new).await?)
            .await?;
        let generation = self.end_credentials(user.id).await?;
        // Another bump came first (a reset, "log out everywhere"): no session survives it.
        let session =
            self.open_session(user.id, generation)
                .await?
                .ok_or(ApiError::Unauthorized(
                    "invalid, expired or revoked credentials",
                ))?;
        self.audit(AuditAction::PasswordChanged, Some(user.id), None, ip)
            .await?;
        Ok(session)
    }

    /// Mails a reset code to an active account's address. Any address gets the same
    /// answer, so asking tells nothing about which have accounts.
    pub async fn request_reset(&self, email: &Email) -> Result<(), ApiError> {
        let active = self
            .store
            .accounts()
            .user_by_email(email)
            .await?
            .is_some_and(|user| user.state == AccountState::Active);
        if active {
            let purpose = CodePurpose::parse(Some(RESET_PURPOSE))?;
            match self.codes.send(RESET_NAMESPACE, &purpose, email).await {
                // A resend inside the cooldown: the earlier code is still on its way.
                Ok(()) | Err(ApiError::CoolingDown { .. }) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    /// Sets a new password with a mailed reset code. Every session and every API key of
    /// the account ends: a reset is what someone does whose password may be known to
    /// others. A blocked account stays blocked. Every failure is one answer.
    pub async fn reset_password(
        &self,
        email: &Email,
        code: &Code,
        new: &Password,
        ip: ClientAddress,
    ) -> Result<(), ApiError> {
        // Hashed first, whatever follows: every answer costs the same Argon2 work.
        let hash = self.hash(new).await?;
        let accounts = self.store.accounts();
        let user = accounts
            .user_by_email(email)
            .await?
            .filter(|user| user.state == AccountState::Active)
            .ok_or(ApiError::BadReset)?;
        let purpose = CodePurpose::parse(Some(RESET_PURPOSE))?;
        match self
            .codes
            .verify(RESET_NAMESPACE, &purpose, email, code, ip)
            .await
        {
            Ok(()) => {}
            Err(ApiError::WrongCode { .. } | ApiError::NotFound) => return Err(ApiError::BadReset),
            Err(error) => return Err(error),
        }
        accounts.set_password_hash(user.id, &hash).await?;
        self.end_credentials(user.id).await?;
        self.audit(AuditAction::PasswordReset, Some(user.id), None, ip)
            .await
    }

    /// Who a bearer credential belongs to: a live session of the current generation or an
    /// existing API key, of an active account. Anything else is 401.
    pub async fn authenticate(&self, bearer: &str) -> Result<Account, ApiError> {
        let invalid = || ApiError::Unauthorized("invalid, expired or revoked credentials");
        let accounts = self.store.accounts();
        let (user_id, credential, generation) = if let Some(session) =
            SessionKey::parse_prefixed(bearer, SESSION_PREFIX)
        {
            let record = session.record();
            let stored = accounts.session(&record).await?.ok_or_else(invalid)?;
            (
                stored.user,
                Credential::Session(record),
                Valid::At(stored.generation),
            )
        } else if let Some(key) = ApiKey::parse_prefixed(bearer, API_KEY_PREFIX) {
            let stored = accounts.api_key(&key.record()).await?.ok_or_else(invalid)?;
            let user = stored
                .user
                .ok_or(ApiError::Store(crate::store::StoreError::Corrupt(
                    "api key owner",
                )))?;
            let credential = Credential::ApiKey {
                id: stored.id,
                scopes: stored.scopes,
            };
            // Keys written before they recorded a generation are of the first.
            (
                user,
                credential,
                Valid::From(stored.generation.unwrap_or(0)),
            )
        } else {
            return Err(invalid());
        };
        let user = accounts
            .user(user_id)
            .await?
            .filter(|user| user.state == AccountState::Active)
            .filter(|user| match generation {
                Valid::At(generation) => generation == user.generation,
                Valid::From(generation) => user.keys_from <= generation,
            })
            .ok_or_else(invalid)?;
        Ok(Account { user, credential })
    }

    /// HTTP Basic as onetimesecret clients send it: the account's email and one of its API
    /// keys. Both must match.
    pub async fn authenticate_basic(&self, email: &str, key: &str) -> Result<Account, ApiError> {
        let invalid = || ApiError::Unauthorized("invalid, expired or revoked credentials");
        if ApiKey::parse_prefixed(key, API_KEY_PREFIX).is_none() {
            return Err(invalid());
        }
        let account = self.authenticate(key).await?;
        let email = Email::parse(email).map_err(|_| invalid())?;
        if account.user.email == email {
            Ok(account)
        } else {
            Err(invalid())
        }
    }

    /// Ends the session the request came with.
    pub async fn logout(&self, account: &Account, ip: ClientAddress) -> Result<(), ApiError> {
        let Credential::Session(session) = &account.credential else {
            return Err(ApiError::Forbidden("an API key is not a session"));
        };
        self.store.accounts().delete_session(session).await?;
        self.audit(AuditAction::Logout, Some(account.user.id), None, ip)
            .await
    }

    /// Ends every session and every API key of the account at once: it is what someone
    /// does who fears a session was stolen, and a stolen session can mint keys.
    pub async fn logout_everywhere(
        &self,
        account: &Account,
        ip: ClientAddress,
    ) -> Result<(), ApiError> {
        self.end_credentials(account.user.id).await?;
        self.audit(
            AuditAction::LogoutEverywhere,
            Some(account.user.id),
            None,
            ip,
        )
        .await
    }

    /// Creates an API key; its text is in the answer and nowhere else.
    pub async fn create_api_key(
        &self,
        account: &Account,
        name: KeyName,
        mut scopes: Vec<Scope>,
        ip: ClientAddress,
    ) -> Result<NewApiKey, ApiError> {
        // `tokens` and `codes` pass the trusted-network guard from anywhere (`codes` mails
        // any address), and `admin` is admin work: with open registration, only admins may
        // hand any of them out.
        if [Scope::Admin, Scope::Tokens, Scope::Codes]
            .iter()
            .any(|scope| scopes.contains(scope))
            && account.user.role != Role::Admin
        {
            return Err(ApiError::Forbidden(
                "only admins may create keys with the tokens, codes or admin scope",
            ));
        }
        scopes.sort_by_key(|scope| *scope as u8);
        scopes.dedup();
        let key = ApiKey::new(ClientKey::generate(account.user.id.tag()));
        let record = ApiKeyRecord {
            id: hex(&crypto::random_array::<6>()),
            name: name.as_str().to_owned(),
            scopes,
            created_at: now_unix(),
            user: None,
            lookup: None,
            generation: None,
        };
        // Only at the generation the request was authorised under: a reset or "log out
        // everywhere" since then has voided the session, and its keys must not appear.
        if !self
            .store
            .accounts()
            .create_api_key(
                &key.record(),
                account.user.id,
                account.user.generation,
                &record,
            )
            .await?
        {
            return Err(ApiError::Unauthorized(
                "invalid, expired or revoked credentials",
            ));
        }
        self.audit(
            AuditAction::ApiKeyCreated,
            Some(account.user.id),
            Some(record.id.clone()),
            ip,
        )
        .await?;
        Ok(NewApiKey {
            key: key.encode_prefixed(API_KEY_PREFIX),
            record,
        })
    }

    /// The account's API keys (never their text), newest first.
    pub async fn api_keys(&self, account: &Account) -> Result<Vec<ApiKeyRecord>, ApiError> {
        let mut keys = self.store.accounts().api_keys(account.user.id).await?;
        keys.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(keys)
    }

    /// Revokes one of the account's keys.
    pub async fn revoke_api_key(
        &self,
        account: &Account,
        id: &str,
        ip: ClientAddress,
    ) -> Result<(), ApiError> {
        if !self
            .store
            .accounts()
            .delete_api_key(account.user.id, id)
            .await?
        {
            return Err(ApiError::NotFound);
        }
        self.audit(
            AuditAction::ApiKeyRevoked,
            Some(account.user.id),
            Some(id.to_owned()),
            ip,
        )
        .await
    }

    /// Puts a secret the account created on its receipt list, and in the audit log.
    pub async fn record_secret(
        &self,
        account: &Account,
        receipt: &ReceiptKey,
        secret: &RecordRef,
        expires_at: u64,
        ip: ClientAddress,
    ) -> Result<(), ApiError> {
        let id = receipt.record().to_text();
        let entry = OwnedReceipt {
            receipt: id.clone(),
            created_at: now_unix(),
            expires_at,
            gone_at: expires_at + self.policy.receipt_grace_seconds,
            secret: Some(secret.to_text()),
        };
        let list_ttl = self.policy.ttl_max_seconds + self.policy.receipt_grace_seconds;
        self.store
            .accounts()
            .add_owned_receipt(account.user.id, &entry, self.policy.receipts_kept, list_ttl)
            .await?;
        self.audit(
            AuditAction::SecretCreated,
            Some(account.user.id),
            Some(id),
            ip,
        )
        .await
    }

    /// The account's receipts, newest first, with what became of each secret.
    pub async fn receipts(
        &self,
        account: &Account,
        offset: usize,
        limit: usize,
    ) -> Result<Page<OwnedReceiptView>, ApiError> {
        let page = self.owned_page(account, offset, limit).await?;
        let items = page
            .items
            .into_iter()
            .map(|(entry, record, fate, views)| OwnedReceiptView {
                id: entry.receipt,
                receipt: ReceiptView::new(&record, fate, views),
                created_at: record.created_at,
                expires_at: record.expires_at,
                fate,
            })
            .collect();
        Ok(Page {
            items,
            total: page.total,
        })
    }

    /// A page of the account's receipt list, each entry with its receipt's record, its
    /// secret's fate and the views taken (entries whose receipt is gone are left out).
    /// The entries' reads go out together: one round trip for the page.
    pub async fn owned_page(
        &self,
        account: &Account,
        offset: usize,
        limit: usize,
    ) -> Result<Page<OwnedSecret>, ApiError> {
        let page = self
            .store
            .accounts()
            .owned_receipts(account.user.id, now_unix(), offset, limit)
            .await?;
        let reads = page.items.into_iter().map(|entry| self.read_owned(entry));
        let items = futures_util::future::try_join_all(reads)
            .await?
            .into_iter()
            .flatten()
            .collect();
        Ok(Page {
            items,
            total: page.total,
        })
    }

    /// The account's receipt of the secret at `secret`, if the account owns it: one
    /// lookup in the account's index, however many secrets it has.
    pub async fn owned_secret(
        &self,
        account: &Account,
        secret: &RecordRef,
    ) -> Result<Option<OwnedSecret>, ApiError> {
        let entry = self
            .store
            .accounts()
            .owned_receipt(account.user.id, secret, now_unix())
            .await?;
        match entry {
            Some(entry) => self.read_owned(entry).await,
            None => Ok(None),
        }
    }

    /// An entry of an account's list with its receipt, if the receipt is still there.
    async fn read_owned(&self, entry: OwnedReceipt) -> Result<Option<OwnedSecret>, ApiError> {
        let Some(receipt) = RecordRef::parse_text(&entry.receipt) else {
            return Ok(None);
        };
        let secret = entry.secret.as_deref().and_then(RecordRef::parse_text);
        let read = match secret {
            Some(secret) => self.store.read_receipt_of(&receipt, &secret).await?,
            // Entries written before they named their secret.
            None => self.store.read_receipt(&receipt).await?,
        };
        Ok(read.map(|(record, fate, views)| (entry, record, fate, views)))
    }

    /// Users for the admin, newest first.
    pub async fn users(&self, offset: usize, limit: usize) -> Result<Page<UserRecord>, ApiError> {
        Ok(self.store.accounts().list_users(offset, limit).await?)
    }

    /// An admin creates a confirmed account.
    pub async fn create_user(
        &self,
        admin: &Account,
        email: Email,
        password: &Password,
        role: Role,
        ip: ClientAddress,
    ) -> Result<UserRecord, ApiError> {
        let user = UserRecord {
            id: UserId::generate(),
            email,
            role,
            state: AccountState::Active,
            password_hash: self.hash(password).await?,
            created_at: now_unix(),
            generation: 0,
            keys_from: 0,
        };
        if !self.store.accounts().create_user(&user, None).await? {
            return Err(ApiError::EmailTaken);
        }
        self.audit(
            AuditAction::UserCreated,
            Some(admin.user.id),
            Some(user.id.to_string()),
            ip,
        )
        .await?;
        Ok(user)
    }

    /// An admin changes a user. Blocking voids every session at once and suspends the API
    /// keys (an unblock gives them back; ending them is the account's own remedy).
    pub async fn update_user(
        &self,
        admin: &Account,
        id: UserId,
        blocked: Option<bool>,
        role: Option<Role>,
        email: Option<Email>,
        ip: ClientAddress,
    ) -> Result<UserRecord, ApiError> {
        let accounts = self.store.accounts();
        let before = accounts.user(id).await?.ok_or(ApiError::NotFound)?;
        let state = blocked.map(|blocked| {
            if blocked {
                AccountState::Blocked
            } else if before.state == AccountState::Blocked {
                AccountState::Active
            } else {
                before.state
            }
        });
        let change = UserChange {
            email: email.clone(),
            role,
            state,
        };
        if !accounts.change_user(id, &change).await? {
            return Err(ApiError::EmailTaken);
        }
        let subject = Some(id.to_string());
        let actor = Some(admin.user.id);
        if blocked == Some(true) && before.state != AccountState::Blocked {
            accounts.bump_generation(id, false).await?;
            self.audit(AuditAction::Block, actor, subject.clone(), ip)
                .await?;
        }
        if blocked == Some(false) && before.state == AccountState::Blocked {
            self.audit(AuditAction::Unblock, actor, subject.clone(), ip)
                .await?;
        }
        if role.is_some_and(|role| role != before.role) {
            self.audit(AuditAction::RoleChange, actor, subject.clone(), ip)
                .await?;
        }
        if email.is_some_and(|email| email != before.email) {
            self.audit(AuditAction::EmailChange, actor, subject, ip)
                .await?;
        }
        accounts.user(id).await?.ok_or(ApiError::NotFound)
    }

    /// The audit log, newest first, optionally about one user.
    pub async fn audit_log(
        &self,
        user: Option<UserId>,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(String, AuditEvent)>, ApiError> {
        Ok(self.store.accounts().audit(user, before, limit).await?)
    }

    /// Makes sure the configured admin exists, is confirmed and is an admin (idempotent:
    /// an existing account keeps its password).
    pub async fn ensure_admin(&self, email: Email, password: &Password) -> Result<(), ApiError> {
        let accounts = self.store.accounts();
        match accounts.user_by_email(&email).await? {
            // An unconfirmed registration is nobody's account yet (whoever typed the address
            // never proved the mailbox): it becomes the admin, with the configured password.
            // A pending account cannot have signed in, so nothing issued to it survives.
            Some(user) if user.state == AccountState::Pending => {
                let hash = self.hash(password).await?;
                // Activated (and kept) as a confirmed registration would be; should a
                // block have come first, it stays.
                if accounts.activate_pending(user.id, &hash).await? {
                    let change = UserChange {
                        role: Some(Role::Admin),
                        ..UserChange::default()
                    };
                    accounts.change_user(user.id, &change).await?;
                }
            }
            // An account exists: the bootstrap is not a standing credential. It never
            // unblocks, re-promotes or resets a password; admins manage accounts.
            Some(user) => {
                if user.state != AccountState::Active || user.role != Role::Admin {
                    log::warn!(
                        "BURNBOX_ADMIN_EMAIL names an existing account that is not an active admin; \
                         the bootstrap leaves it as it is (an admin can change it)"
                    );
                }
            }
            None => {
                let user = UserRecord {
                    id: UserId::generate(),
                    email,
                    role: Role::Admin,
                    state: AccountState::Active,
                    password_hash: self.hash(password).await?,
                    created_at: now_unix(),
                    generation: 0,
                    keys_from: 0,
                };
                if !accounts.create_user(&user, None).await? {
                    // Another instance created it in the meantime: check again next start.
                    log::warn!("the admin account was created concurrently; not changed here");
                }
            }
        }
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
