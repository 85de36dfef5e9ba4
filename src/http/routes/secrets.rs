//! `/api/secrets`: create, generate, look, reveal, burn.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::{Account, AccountService};
use crate::domain::FileManifest;
use crate::domain::time::rfc3339;
use crate::domain::{
    AuditAction, GenerateLength, Passphrase, Scope, SecretKey, SecretText, parse_views,
};
use crate::files::{DownloadTicket, FileService};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{Json, OptionalJson, RevealHeaders, client_address, optional_integer};
use crate::http::middleware::GuessBudget;
use crate::http::pages::Links;
use crate::secrets::{CreatedSecret, Presented, SecretService};

/// A new secret.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSecretRequest {
    /// The text to share, up to `BURNBOX_MAX_SECRET_BYTES` bytes of UTF-8.
    #[schema(example = "correct horse battery staple", min_length = 1)]
    pub secret: String,
    /// Optional passphrase the reader must give as well (1–1024 characters).
    #[schema(example = "tr0ub4dor")]
    pub passphrase: Option<String>,
    /// Seconds until the secret expires (default `BURNBOX_TTL_DEFAULT`).
    #[schema(example = 3600)]
    #[serde(default, deserialize_with = "optional_integer")]
    pub ttl: Option<i64>,
    /// Views allowed (1–100, default 1): each reveal hands the secret out and counts one,
    /// and the last one burns it.
    #[schema(example = 1, minimum = 1, maximum = 100)]
    #[serde(default, deserialize_with = "optional_integer")]
    pub max_views: Option<i64>,
    /// Whether a link holder may burn what is left (default: `true` for one view, `false`
    /// for several).
    pub viewer_may_burn: Option<bool>,
    /// `true` when `secret` is an end-to-end envelope (`e2e2.…`, see docs/security.md) that the
    /// sender's client encrypted; the server stores it as it is and cannot open it.
    #[serde(default)]
    #[schema(default = false)]
    pub e2e: bool,
}

/// A random secret to create.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateSecretRequest {
    /// Characters of `[A-Za-z0-9]` to generate (8–1024, default 32).
    #[schema(example = 32, minimum = 8, maximum = 1024)]
    #[serde(default, deserialize_with = "optional_integer")]
    pub length: Option<i64>,
    /// Optional passphrase the reader must give as well (1–1024 characters).
    pub passphrase: Option<String>,
    /// Seconds until the secret expires (default `BURNBOX_TTL_DEFAULT`).
    #[schema(example = 3600)]
    #[serde(default, deserialize_with = "optional_integer")]
    pub ttl: Option<i64>,
    /// Views allowed (1–100, default 1): each reveal hands the secret out and counts one,
    /// and the last one burns it.
    #[schema(example = 1, minimum = 1, maximum = 100)]
    #[serde(default, deserialize_with = "optional_integer")]
    pub max_views: Option<i64>,
    /// Whether a link holder may burn what is left (default: `true` for one view, `false`
    /// for several).
    pub viewer_may_burn: Option<bool>,
}

/// The keys of a created secret: the link's and the owner's.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedSecretResponse {
    /// Goes in the link: reveals the secret once.
    #[schema(example = "q7Zc1m0b8yX3kP2sW9vR4tL6nJ5hG0fD")]
    pub secret_key: String,
    /// Keep it: shows whether the secret was read, and burns it.
    #[schema(example = "q7Zc8aQp3LmN1vB6xK0sD4fG7hJ2wE9r")]
    pub receipt_key: String,
    /// The TTL in seconds.
    #[schema(example = 3600)]
    pub ttl: u64,
    /// When the secret expires (RFC 3339).
    #[schema(example = "2026-11-22T04:10:18Z")]
    pub expires_at: String,
    /// Whether revealing needs a passphrase.
    pub passphrase_required: bool,
    /// Views allowed.
    #[schema(example = 1)]
    pub max_views: u8,
    /// The page that reveals the secret, when `BURNBOX_PUBLIC_URL` is set. For an `e2e`
    /// secret the sender appends `#` and the key: the server never has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        nullable = false,
        example = "https://secrets.example.org/s/q7Zc1m0b8yX3kP2sW9vR4tL6nJ5hG0fD"
    )]
    pub share_url: Option<String>,
    /// The owner's receipt page, when `BURNBOX_PUBLIC_URL` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        nullable = false,
        example = "https://secrets.example.org/r/q7Zc8aQp3LmN1vB6xK0sD4fG7hJ2wE9r"
    )]
    pub receipt_url: Option<String>,
}

impl CreatedSecretResponse {
    /// The answer for `created`, with links when the public URL is known.
    pub fn new(created: &CreatedSecret, links: &Links) -> Self {
        Self {
            secret_key: created.secret_key.key().encode(),
            receipt_key: created.receipt_key.key().encode(),
            ttl: created.ttl.seconds(),
            expires_at: rfc3339(created.expires_at),
            passphrase_required: created.passphrase_required,
            max_views: created.views.max,
            share_url: links.share(&created.secret_key),
            receipt_url: links.receipt(&created.receipt_key),
        }
    }
}

/// A generated secret: the keys, and the value itself (shown this once).
#[derive(Debug, Serialize, ToSchema)]
pub struct GeneratedSecretResponse {
    /// The keys, as for a created secret.
    #[serde(flatten)]
    pub created: CreatedSecretResponse,
    /// The generated secret.
    #[schema(example = "Vb3kQ9zLm2Xp7Rt1Yc8Nw4Hs6Jd0Gf5A")]
    pub value: String,
}

/// What the link holder may know without consuming the secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct SecretStatusResponse {
    /// Whether revealing needs a passphrase.
    pub passphrase_required: bool,
    /// When the secret expires (RFC 3339).
    #[schema(example = "2026-11-22T04:10:18Z")]
    pub expires_at: String,
    /// Whether the secret is an end-to-end envelope, opened by the key in the link's fragment.
    pub e2e: bool,
    /// Views still allowed.
    #[schema(example = 1)]
    pub views_left: u32,
    /// Whether the link holder may burn it (`DELETE`).
    pub viewer_may_burn: bool,
    /// Present and `true` when it is the answer to a request: the key in the link's
    /// fragment is an X25519 private key (see the README), which the reader must be able
    /// to use before revealing.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[schema(nullable = false)]
    pub answer: bool,
    /// Present and `true` when it is a file: its reveal answers with a `file` to download.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[schema(nullable = false)]
    pub file: bool,
}

/// Reveal options; the body may be left out when there is no passphrase.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealRequest {
    /// The passphrase, when the secret has one.
    #[schema(example = "tr0ub4dor")]
    pub passphrase: Option<String>,
}

/// A revealed secret: it is gone from the server now.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevealedSecretResponse {
    /// The secret.
    #[schema(example = "correct horse battery staple")]
    pub secret: String,
    /// Whether `secret` is an end-to-end envelope to open with the key from the link.
    pub e2e: bool,
    /// Views the secret still allows (0: it is gone from the server).
    #[schema(example = 0)]
    pub views_left: u32,
    /// For a file: its content's download (`secret` is then the e2e2 envelope of its
    /// name, type and size, or empty when the server may see them).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub file: Option<RevealedFile>,
}

/// A revealed file: download its content with `download` before `download_expires_at`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevealedFile {
    /// Bytes of the content.
    #[schema(example = 1_048_464)]
    pub bytes: u64,
    /// The file's name, when its sender let the server see it (else it is in `secret`).
    #[schema(example = "report.pdf")]
    pub name: Option<String>,
    /// Its media type, likewise.
    #[serde(rename = "type")]
    #[schema(example = "application/pdf")]
    pub media_type: Option<String>,
    /// Where the content downloads (a bearer link: keep it to yourself).
    #[schema(example = "/api/files/Zm9vYmFy")]
    pub download: String,
    /// Until when `download` works (RFC 3339); it may be fetched again until then.
    #[schema(example = "2026-12-07T16:20:18Z")]
    pub download_expires_at: String,
}

impl RevealedFile {
    /// The file part of a reveal's answer, with a fresh download ticket.
    pub fn new(
        files: &FileService,
        links: &Links,
        key: &SecretKey,
        manifest: &FileManifest,
    ) -> Self {
        let DownloadTicket { ticket, expires_at } = files.ticket(key, manifest);
        Self {
            bytes: manifest.bytes,
            name: manifest.name.as_ref().map(|name| name.as_str().to_owned()),
            media_type: manifest
                .media_type
                .as_ref()
                .map(|media_type| media_type.as_str().to_owned()),
            download: links.absolute_or_path(&format!("/api/files/{ticket}")),
            download_expires_at: rfc3339(expires_at),
        }
    }
}

/// The account a secret belongs to: the caller, when signed in with a session or an API
/// key with the `secrets` scope.
pub struct SecretOwner {
    account: Option<Account>,
    ip: crate::network::ClientAddress,
    accounts: Option<web::Data<AccountService>>,
}

impl SecretOwner {
    /// Whether the secret will belong to an account.
    pub fn is_some(&self) -> bool {
        self.account.is_some()
    }

    /// The account the secret will belong to, if any.
    pub fn account(&self) -> Option<&Account> {
        self.account.as_ref()
    }

    /// Puts a created secret on the owner's receipt list.
    pub async fn record(&self, created: &CreatedSecret) -> Result<(), ApiError> {
        match (&self.account, &self.accounts) {
            (Some(account), Some(accounts)) => {
                accounts
                    .record_secret(
                        account,
                        &created.receipt_key,
                        &created.secret_key.record(),
                        created.expires_at,
                        self.ip,
                    )
                    .await
            }
            _ => Ok(()),
        }
    }

    /// Notes in the audit log that the owner burned a secret through its receipt.
    pub async fn burned_receipt(&self, key: &crate::domain::ReceiptKey) -> Result<(), ApiError> {
        self.burned(format!("receipt {}", key.record().to_text()))
            .await
    }

    /// Notes in the audit log that the owner burned a secret.
    pub async fn burned(&self, subject: String) -> Result<(), ApiError> {
        match (&self.account, &self.accounts) {
            (Some(account), Some(accounts)) => {
                accounts
                    .audit(
                        AuditAction::SecretBurned,
                        Some(account.user.id),
                        Some(subject),
                        self.ip,
                    )
                    .await
            }
            _ => Ok(()),
        }
    }
}

impl FromRequest for SecretOwner {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        let account = request
            .extensions()
            .get::<Account>()
            .filter(|account| account.may(Scope::Secrets))
            .cloned();
        ready(Ok(Self {
            account,
            ip: client_address(request),
            accounts: request.app_data::<web::Data<AccountService>>().cloned(),
        }))
    }
}

fn secret_key(path: &str) -> Result<SecretKey, ApiError> {
    SecretKey::parse(path).ok_or(ApiError::NotFound)
}

/// Create a secret.
#[utoipa::path(post, path = "/api/secrets", tag = "secrets", request_body = CreateSecretRequest,
    responses(
        (status = 201, description = "Created; share `secret_key`, keep `receipt_key`", body = CreatedSecretResponse),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody,
            example = json!({"error": "bad_request", "message": "invalid JSON body: missing field `secret` at line 1 column 2"})),
        (status = 413, description = "Body or secret too large", body = ErrorBody,
            example = json!({"error": "secret_too_large", "message": "secret is 70000 bytes; the limit is 65536 bytes"})),
        (status = 415, description = "Body is not application/json", body = ErrorBody,
            example = json!({"error": "unsupported_media_type", "message": "expected Content-Type: application/json"})),
        (status = 422, description = "Empty secret, not an e2e envelope with `e2e`, bad passphrase or TTL out of range", body = ErrorBody,
            example = json!({"error": "ttl_out_of_range", "message": "ttl must be between 60 and 2592000 seconds, got 5"})),
        (status = 429, description = "Rate limited: see Retry-After and the RateLimit-* headers", body = ErrorBody,
            example = json!({"error": "rate_limited", "message": "too many requests; retry in 7 s"})),
        (status = 503, description = "Storage unavailable or Argon2 pool full; see Retry-After", body = ErrorBody,
            example = json!({"error": "store_unavailable", "message": "storage is unavailable, retry shortly"})),
    ))]
pub async fn create_secret(
    service: web::Data<SecretService>,
    owner: SecretOwner,
    links: web::Data<Links>,
    body: Json<CreateSecretRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let policy = service.policy();
    let text = if body.e2e {
        SecretText::parse_envelope(body.secret, policy.max_secret_bytes)?
    } else {
        SecretText::parse(body.secret, policy.max_secret_bytes)?
    };
    let passphrase = Passphrase::parse_optional(body.passphrase)?;
    let ttl = policy.ttl.parse(body.ttl)?;
    let views = parse_views(body.max_views, body.viewer_may_burn)?;
    let created = service.create(&text, passphrase, ttl, views).await?;
    owner.record(&created).await?;
    Ok(HttpResponse::Created().json(CreatedSecretResponse::new(&created, &links)))
}

/// Generate a random secret and create it.
#[utoipa::path(post, path = "/api/secrets/generate", tag = "secrets",
    request_body(content = Option<GenerateSecretRequest>, description = "May be left out: all fields are optional"),
    responses(
        (status = 201, description = "Created; `value` is shown this once", body = GeneratedSecretResponse),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "Length, passphrase or TTL out of range", body = ErrorBody,
            example = json!({"error": "length_out_of_range", "message": "length must be between 8 and 1024, got 4"})),
        (status = 429, description = "Rate limited: see Retry-After and the RateLimit-* headers", body = ErrorBody,
            example = json!({"error": "rate_limited", "message": "too many requests; retry in 7 s"})),
        (status = 503, description = "Storage unavailable or Argon2 pool full", body = ErrorBody),
    ))]
pub async fn generate_secret(
    service: web::Data<SecretService>,
    owner: SecretOwner,
    links: web::Data<Links>,
    body: OptionalJson<GenerateSecretRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    let length = GenerateLength::parse(body.length)?;
    let passphrase = Passphrase::parse_optional(body.passphrase)?;
    let ttl = service.policy().ttl.parse(body.ttl)?;
    let views = parse_views(body.max_views, body.viewer_may_burn)?;
    let (created, value) = service.generate(length, passphrase, ttl, views).await?;
    owner.record(&created).await?;
    let body = GeneratedSecretResponse {
        created: CreatedSecretResponse::new(&created, &links),
        value: value.into_string(),
    };
    Ok(HttpResponse::Created().json(body))
}

/// Check a secret without consuming it (safe for link scanners).
#[utoipa::path(get, path = "/api/secrets/{secret_key}", tag = "secrets",
    params(("secret_key" = String, Path, description = "The key from the link")),
    responses(
        (status = 200, description = "The secret is waiting", body = SecretStatusResponse),
        (status = 404, description = "Unknown, already read, burned or expired", body = ErrorBody),
        (status = 429, description = "Rate limited: see Retry-After and the RateLimit-* headers", body = ErrorBody,
            example = json!({"error": "rate_limited", "message": "too many requests; retry in 7 s"})),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn secret_status(
    service: web::Data<SecretService>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let status = service.status(&secret_key(&path)?).await?;
    Ok(HttpResponse::Ok().json(SecretStatusResponse {
        passphrase_required: status.passphrase_required,
        expires_at: rfc3339(status.expires_at),
        e2e: status.e2e,
        views_left: status.views_left,
        viewer_may_burn: status.views.viewer_may_burn,
        answer: status.views.answer,
        file: status.views.file,
    }))
}

/// Reveal a secret: it is handed out once and then gone.
///
/// Send a fresh random `Idempotency-Key` with each reveal, and retry with the same one
/// when the answer is lost: the secret is not.
#[utoipa::path(post, path = "/api/secrets/{secret_key}/reveal", tag = "secrets",
    params(("secret_key" = String, Path, description = "The key from the link"),
        ("Idempotency-Key" = Option<String>, Header, nullable = false, pattern = "^[!-~]{16,64}$", description = "16–64 visible ASCII characters, fresh and random per reveal: a retry with the same key within `BURNBOX_REVEAL_RETRY_SECONDS` gets the same answer, and counts no view"),
        ("Burnbox-Reveal-Proof" = Option<String>, Header, nullable = false, pattern = "^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$", description = "For an `e2e2` secret: base64url of HKDF-SHA256(key from the link's fragment, info `burnbox reveal`); without it, or wrong, 403 and nothing is taken"),
        ("Burnbox-Accept-Files" = Option<String>, Header, nullable = false, description = "`1` from a client that downloads files: only then is a file's view taken (else 422 `file_secret`, nothing taken)")),
    request_body(content = Option<RevealRequest>, description = "May be left out when there is no passphrase"),
    responses(
        (status = 200, description = "The secret; it no longer exists on the server", body = RevealedSecretResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 403, description = "Wrong or missing passphrase (the secret survives until no attempts are left), or a missing or wrong reveal proof (`reveal_proof_refused`: nothing taken)", body = ErrorBody,
            example = json!({"error": "wrong_passphrase", "message": "wrong passphrase", "attempts_left": 4})),
        (status = 404, description = "Unknown, already read, burned or expired", body = ErrorBody,
            example = json!({"error": "not_found", "message": "not found, already read, burned or expired"})),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "Empty or overlong passphrase, malformed Idempotency-Key or reveal proof, or a file without `Burnbox-Accept-Files: 1` (`file_secret`: nothing taken)", body = ErrorBody),
        (status = 429, description = "Rate limited: see Retry-After and the RateLimit-* headers", body = ErrorBody,
            example = json!({"error": "rate_limited", "message": "too many requests; retry in 7 s"})),
        (status = 503, description = "Storage unavailable or Argon2 pool full", body = ErrorBody),
    ))]
pub async fn reveal_secret(
    service: web::Data<SecretService>,
    files: web::Data<crate::files::FileService>,
    links: web::Data<Links>,
    path: web::Path<String>,
    body: OptionalJson<RevealRequest>,
    headers: RevealHeaders,
    guesses: GuessBudget,
) -> Result<HttpResponse, ApiError> {
    let passphrase = Passphrase::parse_optional(body.0.passphrase)?;
    // A passphrase is a guess at something secret: the client's budget of wrong guesses
    // pays for it (and gets it back when it is right). A proof of 256 bits cannot be
    // guessed: only a refused one is charged (afterwards), so a neighbour's wrong proofs
    // cannot hold up every reveal from an address.
    if passphrase.is_some() {
        guesses.reserve().await?;
    }
    let presented = Presented {
        passphrase,
        proof: headers.proof,
        idempotency: headers.idempotency,
        files: headers.accepts_files,
    };
    let key = secret_key(&path)?;
    let revealed = service.reveal(&key, presented).await?;
    let file = revealed
        .file
        .as_ref()
        .map(|manifest| RevealedFile::new(&files, &links, &key, manifest));
    Ok(HttpResponse::Ok().json(RevealedSecretResponse {
        e2e: revealed.text.is_e2e(),
        secret: revealed.text.into_string(),
        views_left: revealed.views_left,
        file,
    }))
}

/// Burn a secret unread.
#[utoipa::path(delete, path = "/api/secrets/{secret_key}", tag = "secrets",
    params(("secret_key" = String, Path, description = "The key from the link"),
        ("Burnbox-Reveal-Proof" = Option<String>, Header, nullable = false, pattern = "^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$", description = "For an `e2e2` secret: the reveal proof, as for a reveal")),
    responses(
        (status = 204, description = "Burned"),
        (status = 403, description = "The secret's creator did not let its viewers burn it, or a missing or wrong reveal proof (`reveal_proof_refused`)", body = ErrorBody,
            example = json!({"error": "burn_not_allowed", "message": "this secret's creator did not allow its viewers to burn it"})),
        (status = 404, description = "Unknown, already read, burned or expired", body = ErrorBody),
        (status = 422, description = "Malformed reveal proof", body = ErrorBody),
        (status = 429, description = "Rate limited: see Retry-After and the RateLimit-* headers", body = ErrorBody,
            example = json!({"error": "rate_limited", "message": "too many requests; retry in 7 s"})),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn burn_secret(
    service: web::Data<SecretService>,
    owner: SecretOwner,
    path: web::Path<String>,
    headers: RevealHeaders,
) -> Result<HttpResponse, ApiError> {
    let key = secret_key(&path)?;
    service.burn(&key, headers.proof.as_ref()).await?;
    let record = key.record();
    owner
        .burned(format!("secret {}", URL_SAFE_NO_PAD.encode(record.lookup)))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
