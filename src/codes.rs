//! Verification codes: six digits mailed to a recipient, good once, dead after a few wrong
//! tries, with a resend cooldown. Stored only as a keyed hash under the server key: 10^6
//! codes are too few for a plain hash. No HTTP here, no Redis.

use std::sync::Arc;

use crate::config::ServerKey;
use crate::crypto;
use crate::domain::{Code, CodePurpose, Email, IdempotencyKey, KeptAnswer, ValidationError};
use crate::error::ApiError;
use crate::network::ClientAddress;
use crate::outbox::Outbox;
use crate::rate_limit::client_id;
use crate::store::Store;
use crate::store::accounts::{CodeCheck, CodeIssue, CodeLimits, CodeSlot};

/// Codes asked for through `/api/codes`; account confirmation uses its own namespace so
/// the two can never stand in for each other.
pub const API_NAMESPACE: &str = "api";
/// Codes that confirm a registration.
pub const ACCOUNT_NAMESPACE: &str = "account";
/// Codes that reset a password.
pub const RESET_NAMESPACE: &str = "reset";

/// The operator's rules for codes.
#[derive(Debug, Clone)]
pub struct CodePolicy {
    /// Seconds a code lives.
    pub ttl_seconds: u64,
    /// Wrong entries one client may make at a code.
    pub attempts: u32,
    /// Wrong entries from all clients together before a code dies.
    pub total_attempts: u32,
    /// IPv6 clients are one client per network of this prefix length.
    pub ipv6_prefix: u8,
    /// Seconds between two codes to one recipient and purpose.
    pub cooldown_seconds: u64,
    /// `BURNBOX_CODE_PURPOSES`: the only purposes `/api/codes` takes, and the only ones
    /// its mails name; `None`: any purpose, named in no mail.
    pub purposes: Option<Arc<[CodePurpose]>>,
    /// Seconds a match is kept for a verify's retry with the same idempotency key.
    pub reveal_retry_seconds: u64,
}

/// Sends and checks codes.
#[derive(Clone)]
pub struct CodeService {
    store: Arc<dyn Store>,
    outbox: Outbox,
    server_key: ServerKey,
    policy: CodePolicy,
}

impl CodeService {
    /// A service over `store`, queueing mail in `outbox`, hashing under `server_key`.
    pub fn new(
        store: Arc<dyn Store>,
        outbox: Outbox,
        server_key: ServerKey,
        policy: CodePolicy,
    ) -> Self {
        Self {
            store,
            outbox,
            server_key,
            policy,
        }
    }

    fn slot(&self, namespace: &str, purpose: &CodePurpose, recipient: &Email) -> CodeSlot {
        CodeSlot {
            slot: crypto::code_slot(
                self.server_key.as_bytes(),
                namespace,
                purpose.as_str(),
                recipient.as_str(),
            ),
            // Purposes are never empty, so "" names the recipient as a whole.
            recipient: crypto::code_slot(
                self.server_key.as_bytes(),
                namespace,
                "",
                recipient.as_str(),
            ),
            ttl_seconds: self.policy.ttl_seconds,
            cooldown_seconds: self.policy.cooldown_seconds,
        }
    }

    /// Seconds a code lives.
    pub fn ttl_seconds(&self) -> u64 {
        self.policy.ttl_seconds
    }

    /// The purpose of an `/api/codes` request: any valid one, or only a listed one when
    /// the operator lists them (422 otherwise).
    pub fn requested_purpose(&self, text: Option<&str>) -> Result<CodePurpose, ApiError> {
        let purpose = CodePurpose::parse(text)?;
        match &self.policy.purposes {
            Some(listed) if !listed.contains(&purpose) => Err(ValidationError::invalid(
                "purpose_not_listed",
                "purpose must be one of those the operator lists in BURNBOX_CODE_PURPOSES",
            )
            .into()),
            _ => Ok(purpose),
        }
    }

    /// Sends a code asked for through `/api/codes`. Its mail names the purpose only when
    /// the operator listed it: otherwise the purpose is the caller's text, and a mail from
    /// this server must not carry a caller's words (a look-alike domain, a lure).
    pub async fn send_requested(
        &self,
        purpose: &CodePurpose,
        recipient: &Email,
    ) -> Result<(), ApiError> {
        let named = self.policy.purposes.is_some().then(|| purpose.as_str());
        self.issue(API_NAMESPACE, purpose, recipient, named).await
    }

    /// Stores a fresh code (replacing an earlier one) and queues its mail, which names
    /// the purpose: for this server's own codes (confirm, reset), chosen by this server.
    pub async fn send(
        &self,
        namespace: &str,
        purpose: &CodePurpose,
        recipient: &Email,
    ) -> Result<(), ApiError> {
        self.issue(namespace, purpose, recipient, Some(purpose.as_str()))
            .await
    }

    async fn issue(
        &self,
        namespace: &str,
        purpose: &CodePurpose,
        recipient: &Email,
        named: Option<&str>,
    ) -> Result<(), ApiError> {
        let slot = self.slot(namespace, purpose, recipient);
        let code = Code::generate();
        let digest = crypto::code_digest(self.server_key.as_bytes(), &slot.slot, code.as_str());
        match self.store.accounts().issue_code(&slot, &digest).await? {
            CodeIssue::Stored => {}
            CodeIssue::CoolingDown(retry_after_seconds) => {
                return Err(ApiError::CoolingDown {
                    retry_after_seconds,
                });
            }
        }
        self.outbox
            .queue_code(recipient, named, &code, self.policy.ttl_seconds)
            .await
    }

    /// Checks a code entered by `client`: `Ok` once when it matches; wrong → attempts left
    /// (to this client); none → not found.
    pub async fn verify(
        &self,
        namespace: &str,
        purpose: &CodePurpose,
        recipient: &Email,
        code: &Code,
        client: ClientAddress,
        idempotency: Option<&IdempotencyKey>,
    ) -> Result<(), ApiError> {
        let slot = self.slot(namespace, purpose, recipient);
        let digest = crypto::code_digest(self.server_key.as_bytes(), &slot.slot, code.as_str());
        let client = client_id(&self.server_key, client, self.policy.ipv6_prefix);
        let limits = CodeLimits {
            per_client: self.policy.attempts,
            total: self.policy.total_attempts,
        };
        // A match is kept for the same key and the same code only: the key alone, or the
        // code alone, finds nothing.
        let window_ms = self.policy.reveal_retry_seconds.saturating_mul(1000);
        let tag = [slot.recipient[0], slot.recipient[1]];
        let kept = idempotency.filter(|_| window_ms > 0).map(|key| {
            KeptAnswer::beside(tag, &[&slot.slot[..], &digest].concat(), key, window_ms)
        });
        match self
            .store
            .accounts()
            .check_code(&slot, &client, &digest, limits, kept.as_ref())
            .await
            .map_err(|error| ApiError::from_take(error, kept.is_some()))?
        {
            CodeCheck::Matched => Ok(()),
            CodeCheck::Wrong(attempts_left) => Err(ApiError::WrongCode { attempts_left }),
            CodeCheck::Missing => Err(ApiError::NotFound),
        }
    }
}
