//! API keys: named, scoped, shown once at creation, revocable.

use super::{API_KEY_PREFIX, Account, AccountService, NewApiKey, hex};
use crate::crypto::{self};
use crate::domain::time::now_unix;
use crate::domain::{ApiKey, ApiKeyRecord, AuditAction, ClientKey, KeyName, Role, Scope};
use crate::error::ApiError;
use crate::network::ClientAddress;

impl AccountService {
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
}
