//! `/api/tokens`: one-time tokens for other backends (trusted networks only).

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::domain::time::rfc3339;
use crate::domain::{Claims, Subject, TokenKey};
use crate::http::access::TokenAccess;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{Json, RevealHeaders};
use crate::tokens::TokenService;

/// A token to mint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MintTokenRequest {
    /// Seconds until the token expires (default `BURNBOX_TOKEN_TTL_DEFAULT`, 900).
    #[schema(example = 900)]
    #[serde(default, deserialize_with = "crate::http::extract::optional_integer")]
    pub ttl: Option<i64>,
    /// Who or what the token is for (1–256 characters).
    #[schema(example = "user:42", min_length = 1, max_length = 256)]
    pub subject: Option<String>,
    /// Any JSON object, up to `BURNBOX_MAX_CLAIMS_BYTES` serialized.
    #[schema(value_type = Option<Object>, example = json!({"action": "login", "redirect": "/inbox"}))]
    pub claims: Option<Value>,
}

/// A minted token.
#[derive(Debug, Serialize, ToSchema)]
pub struct MintedTokenResponse {
    /// The token: put it in the magic link.
    #[schema(example = "Zk3wq9Tn1Bv6Lp0Xc8Rm2Ys7Hd4Jf5Ga")]
    pub token: String,
    /// The TTL in seconds.
    #[schema(example = 900)]
    pub ttl: u64,
    /// When the token expires (RFC 3339).
    #[schema(example = "2026-11-22T03:25:18Z")]
    pub expires_at: String,
}

/// A token to verify (and consume).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyTokenRequest {
    /// The token from the link.
    #[schema(example = "Zk3wq9Tn1Bv6Lp0Xc8Rm2Ys7Hd4Jf5Ga")]
    pub token: String,
}

/// What a verified token carried; the token is gone now.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerifiedTokenResponse {
    /// The subject given at minting, if any.
    #[schema(example = "user:42")]
    pub subject: Option<String>,
    /// The claims given at minting, if any.
    #[schema(value_type = Option<Object>, example = json!({"action": "login", "redirect": "/inbox"}))]
    pub claims: Option<Map<String, Value>>,
    /// When it was minted (RFC 3339).
    #[schema(example = "2026-11-22T03:10:18Z")]
    pub issued_at: String,
    /// When it would have expired (RFC 3339).
    #[schema(example = "2026-11-22T03:25:18Z")]
    pub expires_at: String,
}

/// Mint a one-time token.
#[utoipa::path(post, path = "/api/tokens", tag = "tokens", request_body = MintTokenRequest,
    responses(
        (status = 201, description = "Minted", body = MintedTokenResponse),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 403, description = "The caller is not in a trusted network", body = ErrorBody,
            example = json!({"error": "forbidden", "message": "tokens can be minted and verified only from trusted networks"})),
        (status = 413, description = "Claims or body too large", body = ErrorBody,
            example = json!({"error": "claims_too_large", "message": "claims are 5000 bytes serialized; the limit is 4096 bytes"})),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "TTL out of range, bad subject, claims not an object", body = ErrorBody,
            example = json!({"error": "ttl_out_of_range", "message": "ttl must be between 60 and 86400 seconds, got 100000"})),
        (status = 429, description = "Rate limited: see Retry-After and the RateLimit-* headers", body = ErrorBody,
            example = json!({"error": "rate_limited", "message": "too many requests; retry in 7 s"})),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn mint_token(
    _access: TokenAccess,
    service: web::Data<TokenService>,
    body: Json<MintTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let policy = service.policy();
    let ttl = policy.ttl.parse(body.ttl)?;
    let subject = Subject::parse(body.subject)?;
    let claims = Claims::parse(body.claims, policy.max_claims_bytes)?;
    let minted = service.mint(subject, claims, ttl).await?;
    Ok(HttpResponse::Created().json(MintedTokenResponse {
        token: minted.token.key().encode(),
        ttl: minted.ttl.seconds(),
        expires_at: rfc3339(minted.expires_at),
    }))
}

/// Verify a token: answers what it carried, once; then it is gone.
#[utoipa::path(post, path = "/api/tokens/verify", tag = "tokens", request_body = VerifyTokenRequest,
    params(("Idempotency-Key" = Option<String>, Header, nullable = false, pattern = "^[!-~]{16,64}$", description = "16–64 visible ASCII characters, fresh per verify: a retry with the same key within `BURNBOX_REVEAL_RETRY_SECONDS` gets the same answer")),
    responses(
        (status = 200, description = "Valid; the token is consumed", body = VerifiedTokenResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 403, description = "The caller is not in a trusted network", body = ErrorBody),
        (status = 404, description = "Unknown, already used or expired", body = ErrorBody,
            example = json!({"error": "not_found", "message": "not found, already read, burned or expired"})),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "Malformed Idempotency-Key", body = ErrorBody),
        (status = 429, description = "Rate limited: see Retry-After and the RateLimit-* headers", body = ErrorBody,
            example = json!({"error": "rate_limited", "message": "too many requests; retry in 7 s"})),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn verify_token(
    _access: TokenAccess,
    service: web::Data<TokenService>,
    headers: RevealHeaders,
    body: Json<VerifyTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = TokenKey::parse(&body.token).ok_or(ApiError::NotFound)?;
    let verified = service.verify(&token, headers.idempotency.as_ref()).await?;
    Ok(HttpResponse::Ok().json(VerifiedTokenResponse {
        subject: verified.payload.subject,
        claims: verified.payload.claims,
        issued_at: rfc3339(verified.payload.issued_at),
        expires_at: rfc3339(verified.expires_at),
    }))
}
