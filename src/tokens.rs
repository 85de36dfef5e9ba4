//! One-time tokens for backends: mint with optional subject and claims, verify once.
//!
//! A token is stored under a one-way hash of itself; its subject and claims are sealed
//! under a key derived from the token, so a Redis dump shows neither. Verifying is one
//! `GETDEL`: exactly once across all instances.

use std::sync::Arc;

use crate::crypto::{self, Header, Sealed};
use crate::domain::time::now_unix;
use crate::domain::{
    Claims, ClientKey, IdempotencyKey, KeptAnswer, Subject, TokenKey, TokenPayload, Ttl, TtlPolicy,
};
use crate::error::ApiError;
use crate::metrics::METRICS;
use crate::store::Store;

/// The operator's rules for tokens.
#[derive(Debug, Clone, Copy)]
pub struct TokenPolicy {
    /// TTL bounds (default 900 s, at most `BURNBOX_TOKEN_TTL_MAX`).
    pub ttl: TtlPolicy,
    /// Largest serialized claims object.
    pub max_claims_bytes: usize,
    /// Seconds a verify's answer is kept for a retry with the same idempotency key.
    pub reveal_retry_seconds: u64,
}

/// A token just minted.
#[derive(Debug)]
pub struct MintedToken {
    /// The token to hand out.
    pub token: TokenKey,
    /// Its TTL.
    pub ttl: Ttl,
    /// When it expires (unix seconds).
    pub expires_at: u64,
}

/// A token's content, handed out once on verification.
#[derive(Debug)]
pub struct VerifiedToken {
    /// What was sealed.
    pub payload: TokenPayload,
    /// When it would have expired (unix seconds).
    pub expires_at: u64,
}

/// Tokens over a store.
#[derive(Clone)]
pub struct TokenService {
    store: Arc<dyn Store>,
    policy: TokenPolicy,
}

impl TokenService {
    /// A service over `store`.
    pub fn new(store: Arc<dyn Store>, policy: TokenPolicy) -> Self {
        Self { store, policy }
    }

    /// The policy in force.
    pub fn policy(&self) -> &TokenPolicy {
        &self.policy
    }

    /// Mints and stores a token.
    pub async fn mint(
        &self,
        subject: Option<Subject>,
        claims: Option<Claims>,
        ttl: Ttl,
    ) -> Result<MintedToken, ApiError> {
        let issued_at = now_unix();
        let expires_at = issued_at + ttl.seconds();
        let token = TokenKey::new(ClientKey::generate(ClientKey::generate_tag()));
        let record = token.record();
        let payload = serde_json::to_vec(&TokenPayload {
            subject: subject.map(Subject::into_string),
            claims: claims.map(Claims::into_map),
            issued_at,
        })
        .map_err(|error| ApiError::Internal(format!("token payload: {error}")))?;
        let header = Header {
            expires_at,
            passphrase: None,
            e2e: false,
            views: crate::crypto::Views::ONCE,
            reveal_verifier: None,
        };
        let sealed = crypto::seal(
            Sealed::Token,
            token.key().as_bytes(),
            None,
            &header,
            &record.lookup,
            &payload,
        );
        self.store
            .store_token(&record, &sealed, ttl.seconds())
            .await?;
        METRICS.tokens_minted.inc();
        Ok(MintedToken {
            token,
            ttl,
            expires_at,
        })
    }

    /// Consumes a token and returns what it carried; unknown, used and expired are alike.
    /// With an idempotency key, the answer is kept for the window and the same key gets
    /// it again.
    pub async fn verify(
        &self,
        token: &TokenKey,
        idempotency: Option<&IdempotencyKey>,
    ) -> Result<VerifiedToken, ApiError> {
        let record = token.record();
        let window_ms = self.policy.reveal_retry_seconds.saturating_mul(1000);
        let kept = idempotency
            .filter(|_| window_ms > 0)
            .map(|idempotency| KeptAnswer::of(token, idempotency, window_ms));
        let sealed = self
            .store
            .take_token_kept(&record, kept.as_ref())
            .await
            .map_err(|error| ApiError::from_take(error, kept.is_some()))?
            .ok_or(ApiError::NotFound)?;
        let corrupt = |error: &dyn std::fmt::Display| {
            ApiError::Internal(format!("stored token could not be opened: {error}"))
        };
        let (header, _) = Header::decode(&sealed).map_err(|error| corrupt(&error))?;
        let payload = crypto::open(
            Sealed::Token,
            token.key().as_bytes(),
            None,
            &record.lookup,
            &sealed,
        )
        .map_err(|error| corrupt(&error))?;
        let payload = serde_json::from_slice(&payload).map_err(|error| corrupt(&error))?;
        METRICS.tokens_verified.inc();
        Ok(VerifiedToken {
            payload,
            expires_at: header.expires_at,
        })
    }
}
