//! `/api/requests`: ask someone for a secret, show what is asked, answer once.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::time::rfc3339;
use crate::domain::{RequestKey, SecretText};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{Json, optional_integer};
use crate::http::pages::Links;
use crate::requests::{Answer, RequestService, parse_note};
use crate::secrets::SecretService;

/// A new request for a secret.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequestBody {
    /// What you ask for, shown to whoever fills it in (at most 1000 characters).
    #[schema(example = "the staging database password", max_length = 1000)]
    pub note: Option<String>,
    /// Seconds the request waits, and then its answer (default `BURNBOX_TTL_DEFAULT`).
    #[schema(example = 86400)]
    #[serde(default, deserialize_with = "optional_integer")]
    pub ttl: Option<i64>,
    /// Your X25519 public key, base64url (43 characters), for end-to-end use; without
    /// it the server makes the pair and answers the private half once.
    #[schema(
        example = "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo",
        pattern = "^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$"
    )]
    pub public_key: Option<String>,
}

/// A request made: one link to send, one to keep.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedRequestResponse {
    /// Goes in the link you send: `/q/{request_key}` is where the secret is filled in, once.
    #[schema(example = "q7Zc1m0b8yX3kP2sW9vR4tL6nJ5hG0fD")]
    pub request_key: String,
    /// Your receipt: `revealed` once the request is filled.
    #[schema(example = "q7Zc8aQp3LmN1vB6xK0sD4fG7hJ2wE9r")]
    pub receipt_key: String,
    /// Where the answer will be: read it once at `/s/{answer_key}#{private_key}`.
    #[schema(example = "Wm4pT2vQ8sR1xL6kN3bH9cF0jD5gY7eA")]
    pub answer_key: String,
    /// The private half of the key pair the server made (none when you sent `public_key`);
    /// shown this once, kept nowhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        nullable = false,
        example = "yB8c0xJb3m1s0aF0m7mZp4uWj6V2nq9eXk5tR1hL0dE"
    )]
    pub private_key: Option<String>,
    /// The TTL in seconds.
    #[schema(example = 86400)]
    pub ttl: u64,
    /// When the request expires (RFC 3339).
    #[schema(example = "2026-11-24T04:10:18Z")]
    pub expires_at: String,
    /// The page that fills the request, when `BURNBOX_PUBLIC_URL` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        nullable = false,
        example = "https://secrets.example.org/q/q7Zc1m0b8yX3kP2sW9vR4tL6nJ5hG0fD"
    )]
    pub request_url: Option<String>,
}

/// What whoever fills a request sees.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenRequestResponse {
    /// What the requester asks for.
    #[schema(example = "the staging database password")]
    pub note: Option<String>,
    /// The requester's X25519 public key, base64url: seal the answer to it.
    #[schema(example = "hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo")]
    pub public_key: String,
    /// When the request expires (RFC 3339).
    #[schema(example = "2026-11-24T04:10:18Z")]
    pub expires_at: String,
}

/// The answer as text: the server seals it to the requester's public key.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextAnswer {
    /// The secret, up to `BURNBOX_MAX_SECRET_BYTES` bytes of UTF-8.
    #[schema(example = "correct horse battery staple", min_length = 1)]
    pub secret: String,
}

/// The answer sealed to the requester's public key by your client (see the README).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SealedAnswer {
    /// `sb1.` and base64url of the ephemeral key, nonce, ciphertext and tag.
    #[schema(
        min_length = 86,
        pattern = "^sb1\\.(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-][AQgw]|[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048])?$"
    )]
    pub sealed: String,
}

/// The answer: the text, or the text sealed to the requester's key by your client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum AnswerBody {
    /// The text.
    Text(TextAnswer),
    /// Sealed by the answerer's client.
    Sealed(SealedAnswer),
}

/// Filled: the answer waits for the requester.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnsweredResponse {
    /// When the answer expires (RFC 3339).
    #[schema(example = "2026-11-24T04:10:18Z")]
    pub expires_at: String,
}

fn request_key(path: &str) -> Result<RequestKey, ApiError> {
    RequestKey::parse(path).ok_or(ApiError::NotFound)
}

/// Ask someone for a secret.
#[utoipa::path(post, path = "/api/requests", tag = "requests", request_body = CreateRequestBody,
    responses(
        (status = 201, description = "Made; send `/q/{request_key}`, keep the rest", body = CreatedRequestResponse),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "Invalid credentials were sent", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "Note too long, bad public key or TTL out of range", body = ErrorBody,
            example = json!({"error": "invalid_public_key", "message": "public_key must be 32 bytes of base64url (43 characters)"})),
        (status = 429, description = "Rate limited: see Retry-After and the RateLimit-* headers", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn create_request(
    requests: web::Data<RequestService>,
    secrets: web::Data<SecretService>,
    links: web::Data<Links>,
    body: Json<CreateRequestBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let note = parse_note(body.note)?;
    let ttl = secrets.policy().ttl.parse(body.ttl)?;
    let created = requests.create(note, ttl, body.public_key).await?;
    Ok(HttpResponse::Created().json(CreatedRequestResponse {
        request_key: created.request_key.key().encode(),
        receipt_key: created.receipt_key.key().encode(),
        answer_key: created.answer_key.key().encode(),
        private_key: created.private_key.clone(),
        ttl: created.ttl.seconds(),
        expires_at: rfc3339(created.expires_at),
        request_url: links
            .origin()
            .map(|origin| format!("{origin}/q/{}", created.request_key.key().encode())),
    }))
}

/// See what a request asks for, without filling it (safe for link scanners).
#[utoipa::path(get, path = "/api/requests/{request_key}", tag = "requests",
    params(("request_key" = String, Path, description = "The key from the request's link")),
    responses(
        (status = 200, description = "The request is waiting", body = OpenRequestResponse),
        (status = 401, description = "Invalid credentials were sent", body = ErrorBody),
        (status = 404, description = "Unknown, already filled or expired", body = ErrorBody),
        (status = 429, description = "Rate limited: see Retry-After and the RateLimit-* headers", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn open_request(
    requests: web::Data<RequestService>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let open = requests.open(&request_key(&path)?).await?;
    Ok(HttpResponse::Ok().json(OpenRequestResponse {
        note: open.note,
        public_key: open.public_key,
        expires_at: rfc3339(open.expires_at),
    }))
}

/// Fill a request: once, whoever comes first.
#[utoipa::path(post, path = "/api/requests/{request_key}/answer", tag = "requests",
    params(("request_key" = String, Path, description = "The key from the request's link")),
    request_body = AnswerBody,
    responses(
        (status = 201, description = "Filled; only the requester can read the answer", body = AnsweredResponse),
        (status = 400, description = "Malformed JSON, unknown field, or not exactly one of `secret` and `sealed`", body = ErrorBody),
        (status = 401, description = "Invalid credentials were sent", body = ErrorBody),
        (status = 404, description = "Unknown, already filled or expired", body = ErrorBody),
        (status = 413, description = "Body or answer too large", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "Empty answer, or `sealed` not an sb1 answer", body = ErrorBody),
        (status = 429, description = "Rate limited: see Retry-After and the RateLimit-* headers", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn answer_request(
    requests: web::Data<RequestService>,
    secrets: web::Data<SecretService>,
    path: web::Path<String>,
    body: Json<AnswerBody>,
) -> Result<HttpResponse, ApiError> {
    let key = request_key(&path)?;
    // An unknown request is 404 whatever the body; looking consumes nothing.
    requests.open(&key).await?;
    let limit = secrets.policy().max_secret_bytes;
    let answer = match body.into_inner() {
        AnswerBody::Text(TextAnswer { secret }) => Answer::Text(SecretText::parse(secret, limit)?),
        AnswerBody::Sealed(SealedAnswer { sealed }) => {
            Answer::Sealed(SecretText::parse_sealed_answer(
                sealed,
                // The text's limit, after sealing: base64 of the key, nonce and tag around it.
                (limit + 60).div_ceil(3) * 4 + 4,
            )?)
        }
    };
    let expires_at = requests.answer(&key, answer).await?;
    Ok(HttpResponse::Created().json(AnsweredResponse {
        expires_at: rfc3339(expires_at),
    }))
}
