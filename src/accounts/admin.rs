//! Admin work on users and the audit log, and the first admin from the configuration.

use super::{Account, AccountService};
use crate::domain::time::now_unix;
use crate::domain::{
    AccountState, AuditAction, AuditEvent, Email, Password, Role, UserChange, UserId, UserRecord,
};
use crate::error::ApiError;
use crate::network::ClientAddress;
use crate::store::accounts::Page;

impl AccountService {
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
