//! `/api/v1`: onetimesecret's REST API v1, so its clients work unchanged. A thin adapter
//! over the same services as the native API — no second implementation of secrets:
//! `metadata_key` is the receipt key, `secret_key` the secret key, and every take is the
//! same atomic step. Bodies are form-encoded (JSON accepted); errors are onetimesecret's
//! `{"message": …}`, with 404 for anything unknown, consumed or refused.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, HeaderValue, RETRY_AFTER};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::AccountService;
use crate::domain::time::now_unix;
use crate::domain::{
    GenerateLength, Passphrase, ReceiptKey, Scope, SecretFate, SecretKey, SecretText, Ttl,
};
use crate::http::auth::{Caller, SignedIn};
use crate::http::error::{ApiError, ErrorMessage, FailedPassphrase};
use crate::http::extract::{FormOrJson, RevealHeaders};
use crate::http::middleware::{GuessBudget, with_body};
use crate::http::routes::secrets::SecretOwner;
use crate::secrets::{CreatedSecret, Presented, SecretService};

/// Characters of a secret made by `/api/v1/generate` (onetimesecret's length).
const GENERATED_LENGTH: i64 = 12;

/// An error as onetimesecret v1 answers it.
#[derive(Debug)]
pub struct V1Error(ApiError);

impl From<ApiError> for V1Error {
    fn from(error: ApiError) -> Self {
        Self(error)
    }
}

impl From<crate::domain::ValidationError> for V1Error {
    fn from(error: crate::domain::ValidationError) -> Self {
        Self(error.into())
    }
}

impl From<crate::store::StoreError> for V1Error {
    fn from(error: crate::store::StoreError) -> Self {
        Self(error.into())
    }
}

impl std::fmt::Display for V1Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// onetimesecret's error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct V1ErrorBody {
    /// What went wrong.
    #[schema(example = "Unknown secret")]
    pub message: String,
}

impl ResponseError for V1Error {
    fn status_code(&self) -> StatusCode {
        match &self.0 {
            ApiError::NotFound
            | ApiError::WrongPassphrase { .. }
            | ApiError::PassphraseRequired
            | ApiError::Invalid(_)
            | ApiError::Malformed(_) => StatusCode::NOT_FOUND,
            other => other.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let inner = self.0.error_response();
        // onetimesecret's API answers a wrong or missing passphrase as it answers an
        // unknown secret (its web page, not its API, says "Double check that passphrase").
        let message = match &self.0 {
            ApiError::NotFound
            | ApiError::WrongPassphrase { .. }
            | ApiError::PassphraseRequired => "Unknown secret".to_owned(),
            other => other.client_message(),
        };
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")));
        if let Some(retry_after) = inner.headers().get(RETRY_AFTER) {
            response.insert_header((RETRY_AFTER, retry_after.clone()));
        }
        if inner.extensions().contains::<FailedPassphrase>() {
            response.extensions_mut().insert(FailedPassphrase);
        }
        response.json(V1ErrorBody { message })
    }
}

type V1Result = Result<HttpResponse, V1Error>;

/// Gives the errors that middleware (rate limiter, credentials) or extractors answer under
/// `/api/v1` onetimesecret's shape, `{"message": …}`, keeping status and headers.
pub async fn error_shape(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    // As routing read it: `/api/%761/…` is a v1 call too.
    let v1 = request.match_info().as_str().starts_with("/api/v1/");
    let response = next.call(request).await?;
    let message = response
        .response()
        .extensions()
        .get::<ErrorMessage>()
        .filter(|_| v1)
        .map(|message| message.0.clone());
    let Some(message) = message else {
        return Ok(response.map_into_left_body());
    };
    Ok(with_body(response, &V1ErrorBody { message }).map_into_right_body())
}

/// `GET /api/v1/status`.
#[derive(Debug, Serialize, ToSchema)]
pub struct V1Status {
    /// Always `nominal`.
    #[schema(example = "nominal")]
    pub status: &'static str,
    /// Always `en`.
    #[schema(example = "en")]
    pub locale: &'static str,
}

/// The service is up.
#[utoipa::path(get, path = "/api/v1/status", tag = "onetimesecret v1",
    responses((status = 200, description = "Up", body = V1Status)))]
pub async fn status() -> HttpResponse {
    HttpResponse::Ok().json(V1Status {
        status: "nominal",
        locale: "en",
    })
}

/// `GET /api/v1/authcheck` for valid credentials.
#[derive(Debug, Serialize, ToSchema)]
pub struct V1Customer {
    /// The account's email.
    pub custid: String,
    /// `customer`, or `colonel` for admins (onetimesecret's names).
    pub role: &'static str,
    /// Always `true`: only confirmed accounts authenticate.
    pub verified: bool,
    /// Always `true`.
    pub active: bool,
    /// When the account was registered (epoch seconds).
    pub created: u64,
    /// Same as `created`.
    pub updated: u64,
}

/// Check the credentials (HTTP Basic `email:api_key`).
#[utoipa::path(get, path = "/api/v1/authcheck", tag = "onetimesecret v1",
    security(("basic" = [])),
    responses(
        (status = 200, description = "Valid credentials", body = V1Customer),
        (status = 401, description = "Invalid credentials", body = V1ErrorBody),
        (status = 404, description = "No credentials", body = V1ErrorBody),
    ))]
pub async fn authcheck(caller: Caller) -> V1Result {
    let account = caller
        .account
        .ok_or(V1Error(ApiError::NotFound))
        .map_err(|_| V1Error(ApiError::Unauthorized("Not authorized")))?;
    let user = account.user;
    Ok(HttpResponse::Ok().json(V1Customer {
        custid: user.email.as_str().to_owned(),
        role: if user.role == crate::domain::Role::Admin {
            "colonel"
        } else {
            "customer"
        },
        verified: true,
        active: true,
        created: user.created_at,
        updated: user.created_at,
    }))
}

/// `POST /api/v1/share` parameters.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ShareRequest {
    /// The secret.
    #[schema(required = true, min_length = 1)]
    pub secret: Option<String>,
    /// Optional passphrase (empty: none), at most 1024 characters.
    pub passphrase: Option<String>,
    /// Seconds to live; clamped into the server's range as onetimesecret does.
    #[schema(value_type = Option<f64>)]
    pub ttl: Option<String>,
    /// Recipient address (echoed, obscured; burnbox does not mail links).
    pub recipient: Option<String>,
}

/// `POST /api/v1/generate` parameters.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GenerateRequest {
    /// Optional passphrase (empty: none), at most 1024 characters.
    pub passphrase: Option<String>,
    /// Seconds to live; clamped.
    #[schema(value_type = Option<f64>)]
    pub ttl: Option<String>,
    /// Recipient address (echoed, obscured).
    pub recipient: Option<String>,
}

/// onetimesecret's receipt ("metadata") object.
#[derive(Debug, Serialize, ToSchema)]
pub struct V1Metadata {
    /// The creator: the account's email, or `anon`.
    pub custid: String,
    /// The receipt key.
    pub metadata_key: String,
    /// The secret key, while the secret is unread and known to this receipt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<String>,
    /// The secret's TTL as created, seconds.
    pub ttl: u64,
    /// Seconds the receipt has left.
    pub metadata_ttl: u64,
    /// Seconds the secret has left (0 once gone).
    pub secret_ttl: u64,
    /// `new`, `received`, `burned` or `expired`.
    pub state: &'static str,
    /// Last change (epoch seconds).
    pub updated: u64,
    /// Creation (epoch seconds).
    pub created: u64,
    /// When it was received (epoch seconds), once it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received: Option<u64>,
    /// Recipients, obscured.
    pub recipient: Vec<String>,
    /// Whether revealing needs a passphrase.
    pub passphrase_required: bool,
    /// Always `""`.
    pub share_domain: String,
    /// With `/generate`: the generated secret (shown this once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

fn obscure(recipient: Option<&str>) -> Vec<String> {
    recipient
        .filter(|recipient| !recipient.trim().is_empty())
        .map(|recipient| {
            let recipient = recipient.trim();
            match recipient.split_once('@') {
                Some((local, domain)) => {
                    let first: String = local.chars().take(1).collect();
                    format!("{first}*****@{domain}")
                }
                None => "*****".to_owned(),
            }
        })
        .into_iter()
        .collect()
}

fn custid(caller: &Caller) -> String {
    caller.account.as_ref().map_or_else(
        || "anon".to_owned(),
        |account| account.user.email.as_str().to_owned(),
    )
}

/// The TTL as onetimesecret takes it: any number, clamped into the allowed range.
fn clamped_ttl(service: &SecretService, ttl: Option<&str>) -> Result<Ttl, ApiError> {
    let policy = service.policy().ttl;
    let Some(ttl) = ttl else {
        return Ok(policy.parse(None)?);
    };
    // A number, as onetimesecret reads it; anything else is refused, not defaulted.
    let seconds = ttl
        .parse::<f64>()
        .ok()
        .filter(|ttl| ttl.is_finite())
        .ok_or_else(|| ApiError::Malformed("ttl must be a number of seconds".into()))?;
    Ok(policy.parse(Some(
        (seconds as i64).clamp(policy.min as i64, policy.max as i64),
    ))?)
}

/// The metadata object for a secret created at `created_at`, expiring at `expires_at`,
/// whose fate is `fate`.
fn metadata(
    custid: String,
    metadata_key: String,
    (created_at, expires_at): (u64, u64),
    fate: SecretFate,
    secret_key: Option<String>,
    grace: u64,
) -> V1Metadata {
    let now = now_unix();
    let (state, updated, received) = match fate {
        SecretFate::Pending => ("new", created_at, None),
        SecretFate::Revealed(at) => ("received", at, Some(at)),
        SecretFate::Burned(at) => ("burned", at, None),
        SecretFate::Expired => ("expired", expires_at, None),
    };
    V1Metadata {
        custid,
        metadata_key,
        secret_key,
        ttl: expires_at.saturating_sub(created_at),
        metadata_ttl: (expires_at + grace).saturating_sub(now),
        secret_ttl: if fate == SecretFate::Pending {
            expires_at.saturating_sub(now)
        } else {
            0
        },
        state,
        updated,
        created: created_at,
        received,
        recipient: Vec::new(),
        passphrase_required: false,
        share_domain: String::new(),
        value: None,
    }
}

/// The metadata of a secret just created.
async fn created(
    service: &SecretService,
    caller: &Caller,
    created: &CreatedSecret,
    recipient: Option<&str>,
    value: Option<String>,
) -> V1Result {
    // Just stored and still pending: no need to read the receipt back.
    let created_at = created.expires_at - created.ttl.seconds();
    let mut body = metadata(
        custid(caller),
        created.receipt_key.key().encode(),
        (created_at, created.expires_at),
        SecretFate::Pending,
        Some(created.secret_key.key().encode()),
        service.receipt_grace_seconds(),
    );
    body.passphrase_required = created.passphrase_required;
    body.recipient = obscure(recipient);
    body.value = value;
    Ok(HttpResponse::Ok().json(body))
}

/// Share a secret.
#[utoipa::path(post, path = "/api/v1/share", tag = "onetimesecret v1",
    request_body(content = ShareRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The receipt, with `secret_key`", body = V1Metadata),
        (status = 404, description = "Nothing to share, or an invalid value", body = V1ErrorBody,
            example = json!({"message": "You did not provide anything to share"})),
        (status = 503, description = "Storage unavailable", body = V1ErrorBody),
    ))]
pub async fn share(
    service: web::Data<SecretService>,
    caller: Caller,
    owner: SecretOwner,
    body: FormOrJson<ShareRequest>,
) -> V1Result {
    let body = body.0;
    let secret = body
        .secret
        .filter(|secret| !secret.is_empty())
        .ok_or(ApiError::Malformed(
            "You did not provide anything to share".into(),
        ))?;
    let text = SecretText::parse(secret, service.policy().max_secret_bytes)?;
    let passphrase = Passphrase::parse_optional(body.passphrase.filter(|p| !p.is_empty()))?;
    let ttl = clamped_ttl(&service, body.ttl.as_deref())?;
    let made = service.create_keeping_key(&text, passphrase, ttl).await?;
    owner.record(&made).await?;
    created(&service, &caller, &made, body.recipient.as_deref(), None).await
}

/// Generate a random secret and share it.
#[utoipa::path(post, path = "/api/v1/generate", tag = "onetimesecret v1",
    request_body(content = Option<GenerateRequest>, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The receipt, with `secret_key` and the generated `value`", body = V1Metadata),
        (status = 404, description = "An invalid value", body = V1ErrorBody),
        (status = 503, description = "Storage unavailable", body = V1ErrorBody),
    ))]
pub async fn generate(
    service: web::Data<SecretService>,
    caller: Caller,
    owner: SecretOwner,
    body: FormOrJson<GenerateRequest>,
) -> V1Result {
    let body = body.0;
    let passphrase = Passphrase::parse_optional(body.passphrase.filter(|p| !p.is_empty()))?;
    let ttl = clamped_ttl(&service, body.ttl.as_deref())?;
    let length = GenerateLength::parse(Some(GENERATED_LENGTH))?;
    let value = crate::crypto::random_alphanumeric(length.get());
    let text = SecretText::parse(value.clone(), service.policy().max_secret_bytes)?;
    let made = service.create_keeping_key(&text, passphrase, ttl).await?;
    owner.record(&made).await?;
    created(
        &service,
        &caller,
        &made,
        body.recipient.as_deref(),
        Some(value),
    )
    .await
}

/// `POST /api/v1/secret/{secret_key}` parameters.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RetrieveRequest {
    /// The passphrase, if the secret has one.
    pub passphrase: Option<String>,
}

/// A revealed secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct V1Secret {
    /// The secret; gone from the server now.
    pub value: String,
    /// Its key.
    pub secret_key: String,
    /// Always `""`.
    pub share_domain: String,
}

/// Reveal a secret, once.
#[utoipa::path(post, path = "/api/v1/secret/{secret_key}", tag = "onetimesecret v1",
    params(("secret_key" = String, Path, description = "The secret key"),
        ("Idempotency-Key" = Option<String>, Header, nullable = false, pattern = "^[!-~]{16,64}$", description = "16–64 visible ASCII characters, fresh per reveal: a retry with the same key within `BURNBOX_REVEAL_RETRY_SECONDS` gets the same answer")),
    request_body(content = Option<RetrieveRequest>, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "The secret; it no longer exists on the server", body = V1Secret),
        (status = 404, description = "Unknown, consumed, expired, or a wrong passphrase", body = V1ErrorBody,
            example = json!({"message": "Unknown secret"})),
        (status = 422, description = "Malformed Idempotency-Key", body = V1ErrorBody),
        (status = 503, description = "Storage unavailable", body = V1ErrorBody),
    ))]
pub async fn retrieve(
    service: web::Data<SecretService>,
    path: web::Path<String>,
    body: FormOrJson<RetrieveRequest>,
    headers: RevealHeaders,
    guesses: GuessBudget,
) -> V1Result {
    let key = SecretKey::parse(&path).ok_or(ApiError::NotFound)?;
    let passphrase = Passphrase::parse_optional(body.0.passphrase.filter(|p| !p.is_empty()))?;
    if passphrase.is_some() {
        guesses.reserve().await?;
    }
    let presented = Presented {
        passphrase,
        proof: headers.proof,
        idempotency: headers.idempotency,
        files: false,
    };
    let secret = service.reveal(&key, presented).await?;
    Ok(HttpResponse::Ok().json(V1Secret {
        value: secret.text.into_string(),
        secret_key: key.key().encode(),
        share_domain: String::new(),
    }))
}

fn receipt_key(path: &str) -> Result<ReceiptKey, ApiError> {
    ReceiptKey::parse(path).ok_or(ApiError::NotFound)
}

async fn metadata_of(
    service: &SecretService,
    caller: &Caller,
    key: &ReceiptKey,
) -> Result<V1Metadata, ApiError> {
    let (record, fate, secret_key) = service.receipt_detail(key).await?;
    let mut body = metadata(
        custid(caller),
        key.key().encode(),
        (record.created_at, record.expires_at),
        fate,
        secret_key.map(|key| key.key().encode()),
        service.receipt_grace_seconds(),
    );
    body.passphrase_required = service.passphrase_required(&record.secret).await?;
    Ok(body)
}

/// A receipt: what became of the secret (`secret_key` only while unread).
#[utoipa::path(method(get, post), path = "/api/v1/private/{metadata_key}", tag = "onetimesecret v1",
    params(("metadata_key" = String, Path, description = "The receipt key")),
    responses(
        (status = 200, description = "The receipt", body = V1Metadata),
        (status = 404, description = "Unknown receipt", body = V1ErrorBody),
        (status = 503, description = "Storage unavailable", body = V1ErrorBody),
    ))]
pub async fn private(
    service: web::Data<SecretService>,
    caller: Caller,
    path: web::Path<String>,
) -> V1Result {
    let key = receipt_key(&path)?;
    Ok(HttpResponse::Ok().json(metadata_of(&service, &caller, &key).await?))
}

/// A burned receipt.
#[derive(Debug, Serialize, ToSchema)]
pub struct V1Burned {
    /// The receipt after the burn.
    pub state: V1Metadata,
    /// The first 6 characters of the secret key, when this receipt knows it.
    pub secret_shortkey: String,
}

/// Burn the secret if it is still unread.
#[utoipa::path(post, path = "/api/v1/private/{metadata_key}/burn", tag = "onetimesecret v1",
    params(("metadata_key" = String, Path, description = "The receipt key")),
    responses(
        (status = 200, description = "The receipt after the burn", body = V1Burned),
        (status = 404, description = "Unknown receipt", body = V1ErrorBody),
        (status = 503, description = "Storage unavailable", body = V1ErrorBody),
    ))]
pub async fn burn(
    service: web::Data<SecretService>,
    caller: Caller,
    owner: SecretOwner,
    path: web::Path<String>,
) -> V1Result {
    let key = receipt_key(&path)?;
    let (_, _, secret_key) = service.receipt_detail(&key).await?;
    let view = service.burn_by_receipt(&key).await?;
    if view.state == crate::domain::ReceiptState::Burned {
        owner.burned_receipt(&key).await?;
    }
    let state = metadata_of(&service, &caller, &key).await?;
    Ok(HttpResponse::Ok().json(V1Burned {
        state,
        secret_shortkey: secret_key
            .map(|key| key.key().encode().chars().take(6).collect())
            .unwrap_or_default(),
    }))
}

/// The caller's recent receipts (authenticated). `metadata_key` here is a one-way id, not a
/// working receipt key: burnbox keeps no working links for an account.
#[utoipa::path(get, path = "/api/v1/private/recent", tag = "onetimesecret v1",
    security(("basic" = [])),
    responses(
        (status = 200, description = "Newest first", body = [V1Metadata]),
        (status = 401, description = "Not authenticated", body = V1ErrorBody),
        (status = 503, description = "Storage unavailable", body = V1ErrorBody),
    ))]
pub async fn recent(accounts: web::Data<AccountService>, caller: SignedIn) -> V1Result {
    if !caller.account.may(Scope::Secrets) {
        return Err(ApiError::Forbidden("this API key lacks the secrets scope").into());
    }
    let page = accounts.receipts(&caller.account, 0, 100).await?;
    let grace = accounts.policy().receipt_grace_seconds;
    let custid = caller.account.user.email.as_str();
    let items: Vec<V1Metadata> = page
        .items
        .into_iter()
        .map(|entry| {
            metadata(
                custid.to_owned(),
                entry.id,
                (entry.created_at, entry.expires_at),
                entry.fate,
                None,
                grace,
            )
        })
        .collect();
    Ok(HttpResponse::Ok().json(items))
}
