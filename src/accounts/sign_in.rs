//! Signing in and out: registration confirmed by a mailed code, login with its guess
//! budgets, sessions, password changes and resets, and authenticating a bearer.

use std::time::Duration;

use super::{
    API_KEY_PREFIX, Account, AccountService, CONFIRM_PURPOSE, Credential, RESET_PURPOSE,
    SESSION_PREFIX, Valid,
};
use crate::codes::{ACCOUNT_NAMESPACE, RESET_NAMESPACE};
use crate::crypto::{self, PassphraseSalt, PasswordHash};
use crate::domain::limits::{CLIENT_ID_BYTES, Limit};
use crate::domain::time::{now_micros, now_unix};
use crate::domain::{
    AccountState, ApiKey, AuditAction, ClientKey, Code, CodePurpose, Email, Password, Role,
    SessionKey, SessionRecord, UserId, UserRecord,
};
use crate::error::ApiError;
use crate::network::ClientAddress;

impl AccountService {
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
            .verify(ACCOUNT_NAMESPACE, &purpose, email, code, ip, None)
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
    pub(super) async fn within_login_budget<T>(
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
    pub(super) fn login_guard(&self, email: &Email) -> Option<([u8; CLIENT_ID_BYTES], Limit)> {
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
    pub(super) async fn check_password(
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
    pub(super) async fn open_session(
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
    pub(super) async fn end_credentials(&self, user: UserId) -> Result<u64, ApiError> {
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
            .verify(RESET_NAMESPACE, &purpose, email, code, ip, None)
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
}
