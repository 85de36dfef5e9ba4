//! Password Pusher's API, as its CLI (`pwpush` on PyPI) speaks it: the v2 profile under
//! `/api/v2` and the legacy one under `/p.json` and `/p/…`. A push is a burnbox secret and
//! its `url_token` is the secret key, so every promise holds as for any secret; where
//! Password Pusher would break one (it keeps payloads the server and the owner can read
//! again), burnbox keeps the promise and docs/compatibility.md says so.

mod form;

use std::future::Future;
use std::pin::Pin;

use actix_multipart::Multipart;
use actix_web::dev::Payload;
use actix_web::http::header::{CONTENT_LENGTH, LINK};
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, mime, web};
use serde_json::{Map, Value, json};

use self::form::{FORM_BYTES, FileForm};
use super::secrets::RevealedFile;
use super::secrets::SecretOwner;
use crate::accounts::{Account, AccountService};
use crate::crypto::Views;
use crate::domain::file::max_upload_bytes;
use crate::domain::time::{now_unix, rfc3339};
use crate::domain::{
    DeclaredBytes, OwnedReceipt, Passphrase, ReceiptRecord, SecretFate, SecretKey, SecretText,
    ValidationError, parse_views,
};
use crate::files::{FileLabel, FileService};
use crate::http::error::ApiError;
use crate::http::extract::{Json, RevealHeaders, client_address};
use crate::http::middleware::GuessBudget;
use crate::http::pages::Links;
use crate::rate_limit::RateLimiter;
use crate::secrets::{CreatedSecret, Presented, SecretService, SecretStatus};

const DAY: u64 = 86_400;

/// Which of Password Pusher's two API profiles a request came in by: they differ in the
/// body's root (`push` or `password`) and in the audit's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Profile {
    V2,
    Legacy,
}

/// `GET /api/v2/version`: answering 200 makes `pwpush` use the v2 profile.
pub async fn version() -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "application": "burnbox",
        "application_version": env!("CARGO_PKG_VERSION"),
        "api_version": "2.1",
        // The tier `pwpush` checks before it offers requests; burnbox has no editions.
        "edition": "oss",
        "features": {
            "pushes": {
                "enabled": true,
                "kinds": ["text", "url", "file"],
                "files": true,
                "qr": false,
                "email_auto_dispatch": false,
            },
            "requests": {"enabled": false, "email_auto_dispatch": false},
            "accounts": {"enabled": false},
        },
    }))
}

/// `POST /api/v2/requests`, `POST /r.json` and their previews: burnbox's requests seal
/// the answer to a key whose private half must reach the requester in a link, and
/// Password Pusher's CLI shows the requester only the link for the answerer. Keeping the
/// private half to show it later would let the server read every answer.
pub async fn requests_unsupported() -> Result<HttpResponse, ApiError> {
    Err(ValidationError::invalid(
        "requests_not_supported",
        "Password Pusher's requests are not supported: use burnbox's POST /api/requests, \
         the /q page or `burnbox request`, whose links carry the key that opens the answer",
    )
    .into())
}

/// A push's body: JSON for text and URLs, a multipart form for a file (`pwpush
/// push-file`), whose file is read as a stream by the handler.
pub enum PushBody {
    /// `{"<root>": {…}}`.
    Json(Value),
    /// `<root>[…]` fields, then the file in `<root>[files][]`.
    Form(Multipart),
}

impl FromRequest for PushBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_form = request
            .mime_type()
            .ok()
            .flatten()
            .is_some_and(|mime| mime.type_() == mime::MULTIPART);
        if is_form {
            let form = Multipart::new(request.headers(), payload.take());
            return Box::pin(async move { Ok(Self::Form(form)) });
        }
        let json = Json::<Value>::from_request(request, payload);
        Box::pin(async move { Ok(Self::Json(json.await?.into_inner())) })
    }
}

/// What a create needs besides its body.
pub struct Creating {
    request: HttpRequest,
    service: web::Data<SecretService>,
    files: web::Data<FileService>,
    limiter: Option<web::Data<RateLimiter>>,
    owner: SecretOwner,
}

impl FromRequest for Creating {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let owner = SecretOwner::from_request(request, payload);
        let request = request.clone();
        Box::pin(async move {
            let data = |what| ApiError::Internal(format!("{what} is not configured"));
            Ok(Self {
                service: request
                    .app_data::<web::Data<SecretService>>()
                    .cloned()
                    .ok_or_else(|| data("the secret service"))?,
                files: request
                    .app_data::<web::Data<FileService>>()
                    .cloned()
                    .ok_or_else(|| data("the file service"))?,
                limiter: request.app_data::<web::Data<RateLimiter>>().cloned(),
                owner: owner.await?,
                request,
            })
        })
    }
}

/// `POST /api/v2/pushes`.
pub async fn create_v2(creating: Creating, body: PushBody) -> Result<HttpResponse, ApiError> {
    create("push", creating, body).await
}

/// `POST /p.json`.
pub async fn create_legacy(creating: Creating, body: PushBody) -> Result<HttpResponse, ApiError> {
    create("password", creating, body).await
}

/// `POST /f.json`: the legacy profile's file pushes.
pub async fn create_legacy_file(
    creating: Creating,
    body: PushBody,
) -> Result<HttpResponse, ApiError> {
    create("file_push", creating, body).await
}

/// A push under `root` (`push`, `password` or `file_push`, as the route's profile names
/// it): a text or URL push from JSON, a file push from a form.
async fn create(
    root: &'static str,
    creating: Creating,
    body: PushBody,
) -> Result<HttpResponse, ApiError> {
    let (created, kind, days) = match body {
        PushBody::Json(body) => {
            let Some(Value::Object(push)) = body.get(root) else {
                return Err(ApiError::Malformed(format!(
                    "the body must be {{\"{root}\": {{\"payload\": …}}}}"
                )));
            };
            let push = PushRequest::parse(push, root, &creating.service)?;
            let created = creating
                .service
                .create(
                    &push.text,
                    push.options.passphrase,
                    push.options.ttl,
                    push.options.views,
                )
                .await?;
            (created, push.kind, push.options.days)
        }
        PushBody::Form(form) => {
            let (created, days) = create_file(root, &creating, form).await?;
            (created, "file", days)
        }
    };
    creating.owner.record(&created).await?;
    let status = SecretStatus {
        passphrase_required: created.passphrase_required,
        expires_at: created.expires_at,
        e2e: false,
        views: created.views,
        views_left: u32::from(created.views.max),
    };
    let mut body = push_view(Some(&created.secret_key), now_unix(), &status, kind, false);
    body.insert("expire_after_days".into(), json!(days));
    Ok(HttpResponse::Created().json(body))
}

/// A file push: its size bounded by `Content-Length` before anything is read, its
/// fields parsed as a JSON push's, its bytes charged to the budgets as a file upload's,
/// then its file streamed into the file service, one sealed chunk at a time.
async fn create_file(
    root: &'static str,
    creating: &Creating,
    form: Multipart,
) -> Result<(CreatedSecret, u64), ApiError> {
    let files = &creating.files;
    let max_file_bytes = files.policy().max_file_bytes;
    let bound = form_bound(&creating.request, max_file_bytes)?;
    let FileForm { fields, file } = FileForm::read(form, root).await?;
    match fields.get("kind").and_then(Value::as_str) {
        None | Some("file") => {}
        Some(_) => {
            return Err(ValidationError::invalid(
                "invalid_kind",
                "a push with a file has kind \"file\"",
            )
            .into());
        }
    }
    if fields
        .get("payload")
        .is_some_and(|payload| payload.as_str() != Some(""))
    {
        return Err(ValidationError::invalid(
            "invalid_file",
            "a file push carries no payload in burnbox: push the text apart",
        )
        .into());
    }
    let options = PushOptions::parse(&fields, &creating.service)?;
    let name = file.name()?;
    let media_type = file.media_type(name.as_ref())?;
    if let Some(limiter) = &creating.limiter {
        let account = creating
            .owner
            .account()
            .map(|account| account.user.id.to_string());
        limiter
            .charge_file_bytes(
                client_address(&creating.request),
                account.as_deref().map(str::as_bytes),
                bound.get(),
            )
            .await?;
    }
    let (created, _) = files
        .upload_stream(
            FileLabel::Plain {
                name,
                media_type: Some(media_type),
            },
            options.passphrase,
            options.ttl,
            options.views,
            bound,
            file.into_stream(max_file_bytes),
        )
        .await?;
    Ok((created, options.days))
}

/// The bytes a form's file may carry, from its `Content-Length`, checked before the body
/// is read: none, 411; more than a file of the limit and its form, 413 `file_too_large`.
fn form_bound(request: &HttpRequest, max_file_bytes: u64) -> Result<DeclaredBytes, ApiError> {
    let length = request
        .headers()
        .get(CONTENT_LENGTH)
        .ok_or(ApiError::LengthRequired)?
        .to_str()
        .ok()
        .and_then(|length| length.trim().parse::<u64>().ok())
        .ok_or_else(|| ApiError::Malformed("Content-Length must be a number".into()))?;
    let max_upload = max_upload_bytes(max_file_bytes);
    if length > max_upload + FORM_BYTES {
        return Err(ValidationError::too_large(
            "file_too_large",
            format!(
                "the upload is {length} bytes; a file may have {max_file_bytes}, and its form {FORM_BYTES} more"
            ),
        )
        .into());
    }
    if length == 0 {
        return Err(ApiError::Malformed("the form is empty".into()));
    }
    let bound = i64::try_from(length.min(max_upload)).unwrap_or(i64::MAX);
    Ok(DeclaredBytes::parse(Some(bound), max_file_bytes)?)
}

/// What every push says besides its content: its passphrase, how long and how often it
/// may be opened.
struct PushOptions {
    passphrase: Option<Passphrase>,
    ttl: crate::domain::Ttl,
    days: u64,
    views: Views,
}

impl PushOptions {
    fn parse(push: &Map<String, Value>, service: &SecretService) -> Result<Self, ApiError> {
        if push
            .get("notify_emails_to")
            .is_some_and(|to| to.as_str() != Some(""))
        {
            return Err(ValidationError::invalid(
                "notify_not_supported",
                "burnbox does not email pushes; /api/v2/version says so (email_auto_dispatch: false)",
            )
            .into());
        }
        let passphrase = match push.get("passphrase") {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) if text.is_empty() => None,
            Some(Value::String(text)) => Some(Passphrase::parse(text.clone())?),
            Some(_) => return Err(ApiError::Malformed("passphrase must be a string".into())),
        };
        let days = match (
            integer(push, "expire_after_duration")?,
            integer(push, "expire_after_days")?,
        ) {
            (Some(code), _) => Some(duration_days(code)?),
            (None, Some(days)) => Some(u64::try_from(days).map_err(|_| {
                ValidationError::invalid("ttl_out_of_range", "expire_after_days must be positive")
            })?),
            (None, None) => None,
        };
        // Without a duration, the operator's default TTL as it is (not rounded to days).
        let ttl = service
            .policy()
            .ttl
            .parse(days.map(|days| i64::try_from(days.saturating_mul(DAY)).unwrap_or(i64::MAX)))?;
        let days = ttl.seconds().div_ceil(DAY);
        let mut views = parse_views(
            integer(push, "expire_after_views")?,
            boolean(push, "deletable_by_viewer")?,
        )?;
        views.retrieval_step = boolean(push, "retrieval_step")?.unwrap_or(false);
        Ok(Self {
            passphrase,
            ttl,
            days,
            views,
        })
    }
}

/// A text or URL push as a client asked for it, validated.
struct PushRequest {
    text: SecretText,
    kind: &'static str,
    options: PushOptions,
}

impl PushRequest {
    fn parse(
        push: &Map<String, Value>,
        root: &str,
        service: &SecretService,
    ) -> Result<Self, ApiError> {
        let kind = match push.get("kind").and_then(Value::as_str) {
            None | Some("text") => "text",
            Some("url") => "url",
            Some("file") => return Err(file_in_json(root).into()),
            Some("qr") => {
                return Err(ValidationError::invalid(
                    "qr_not_supported",
                    "burnbox does not make QR code pushes; push the text (kind \"text\") instead",
                )
                .into());
            }
            Some(_) => {
                return Err(ValidationError::invalid(
                    "invalid_kind",
                    "kind must be \"text\", \"url\" or (in a multipart form) \"file\"",
                )
                .into());
            }
        };
        if push.contains_key("files") {
            return Err(file_in_json(root).into());
        }
        let payload = push
            .get("payload")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::Malformed("payload must be a string".into()))?;
        let text = SecretText::parse(payload.to_owned(), service.policy().max_secret_bytes)?;
        let options = PushOptions::parse(push, service)?;
        Ok(Self {
            text,
            kind,
            options,
        })
    }
}

/// A file in a JSON body, which cannot carry one.
fn file_in_json(root: &str) -> ValidationError {
    ValidationError::invalid(
        "invalid_file",
        format!(
            "a file push is a multipart/form-data body with the file in {root}[files][] (as `pwpush push-file` sends it), not JSON"
        ),
    )
}

/// The days behind v2's `expire_after_duration` codes as `pwpush` sends them (6 is one
/// day … 17 is 90 days). The codes below 6 are shorter than a day and not documented
/// where `pwpush` reads them: refused rather than guessed.
fn duration_days(code: i64) -> Result<u64, ValidationError> {
    const DAYS: [u64; 12] = [1, 2, 3, 4, 5, 6, 7, 14, 21, 30, 60, 90];
    code.checked_sub(6)
        .and_then(|index| usize::try_from(index).ok())
        .and_then(|index| DAYS.get(index).copied())
        .ok_or_else(|| {
            ValidationError::invalid(
                "duration_not_supported",
                format!(
                    "expire_after_duration {code} is not one burnbox knows (6 = 1 day … 17 = 90 days); send expire_after_days"
                ),
            )
        })
}

/// An integer field, sent as a number or (from `pwpush`'s config defaults) as a string.
fn integer(push: &Map<String, Value>, name: &'static str) -> Result<Option<i64>, ApiError> {
    match push.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) if number.as_i64().is_some() => Ok(number.as_i64()),
        Some(Value::String(text)) if text.trim().parse::<i64>().is_ok() => {
            Ok(text.trim().parse().ok())
        }
        Some(_) => Err(ApiError::Malformed(format!("{name} must be an integer"))),
    }
}

/// A boolean field, sent as a boolean or (Rails-style) as a string.
fn boolean(push: &Map<String, Value>, name: &'static str) -> Result<Option<bool>, ApiError> {
    match push.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(value)) => Ok(Some(*value)),
        Some(Value::String(text)) => match text.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(Some(true)),
            "false" | "0" | "no" | "off" | "" => Ok(Some(false)),
            _ => Err(ApiError::Malformed(format!("{name} must be true or false"))),
        },
        Some(_) => Err(ApiError::Malformed(format!("{name} must be true or false"))),
    }
}

/// A push as Password Pusher's API shows one.
fn push_view(
    key: Option<&SecretKey>,
    created_at: u64,
    status: &SecretStatus,
    kind: &str,
    expired: bool,
) -> Map<String, Value> {
    let now = now_unix();
    let days = status.expires_at.saturating_sub(created_at).div_ceil(DAY);
    let days_remaining = status.expires_at.saturating_sub(now).div_ceil(DAY);
    let mut view = Map::new();
    view.insert(
        "url_token".into(),
        key.map_or(Value::Null, |key| json!(key.key().encode())),
    );
    for (name, value) in [
        ("kind", json!(kind)),
        ("expire_after_days", json!(days)),
        (
            "days_remaining",
            json!(if expired { 0 } else { days_remaining }),
        ),
        ("expire_after_views", json!(status.views.max)),
        (
            "views_remaining",
            json!(if expired { 0 } else { status.views_left }),
        ),
        ("deletable_by_viewer", json!(status.views.viewer_may_burn)),
        ("retrieval_step", json!(status.views.retrieval_step)),
        ("passphrase_required", json!(status.passphrase_required)),
        ("expired", json!(expired)),
        ("deleted", json!(false)),
        // Password Pusher's owner notes and names are not kept (docs/compatibility.md).
        ("note", json!("")),
        ("name", json!("")),
        ("created_at", json!(rfc3339(created_at))),
        ("expires_at", json!(rfc3339(status.expires_at))),
    ] {
        view.insert(name.into(), value);
    }
    view
}

/// A push's kind as far as burnbox knows it: a URL push is text once stored.
fn kind_of(views: Views) -> &'static str {
    if views.file { "file" } else { "text" }
}

fn url_token(path: &str) -> Result<SecretKey, ApiError> {
    SecretKey::parse(path.strip_suffix(".json").unwrap_or(path)).ok_or(ApiError::NotFound)
}

/// `GET /api/v2/pushes/{url_token}/preview`, `GET /p/{url_token}/preview.json`: the link
/// to send, which opens burnbox's reveal page (a GET there never counts a view). It lies
/// on `BURNBOX_PUBLIC_URL` as every link does ([`Links`]); without it, the path alone.
pub async fn preview(
    path: web::Path<String>,
    service: web::Data<SecretService>,
    links: web::Data<Links>,
) -> Result<HttpResponse, ApiError> {
    let key = url_token(&path)?;
    let status = service.status(&key).await?;
    let step = if status.views.retrieval_step {
        "/r"
    } else {
        ""
    };
    Ok(HttpResponse::Ok().json(json!({
        "url": links.absolute_or_path(&format!("/p/{}{step}", key.key().encode())),
        "url_token": key.key().encode(),
        "retrieval_step": status.views.retrieval_step,
    })))
}

/// `GET /p/{url_token}.json`, `GET /f/{url_token}.json`: the legacy API's retrieve, which
/// counts a view as Password Pusher's does. A passphrase comes in the query
/// (`?passphrase=`), as there. A file push answers as Password Pusher's show does: an
/// empty `payload` and its file in `files`, whose `url` downloads it (for the download
/// window, `BURNBOX_FILE_DOWNLOAD_SECONDS`).
pub async fn retrieve(
    path: web::Path<String>,
    query: web::Query<Vec<(String, String)>>,
    service: web::Data<SecretService>,
    files: web::Data<FileService>,
    links: web::Data<Links>,
    headers: RevealHeaders,
    guesses: GuessBudget,
) -> Result<HttpResponse, ApiError> {
    let key = url_token(&path)?;
    // A GET's limits are checked beside its handler; this one consumes, so it waits for
    let passphrase = query
        .iter()
        .find(|(name, _)| name == "passphrase")
        .map(|(_, value)| Passphrase::parse(value.clone()))
        .transpose()?;
    if passphrase.is_some() {
        guesses.reserve().await?;
    }
    let presented = Presented {
        passphrase,
        proof: headers.proof,
        idempotency: headers.idempotency,
        files: true,
    };
    let revealed = service.reveal(&key, presented).await?;
    let files: Vec<Value> = revealed
        .file
        .iter()
        .map(|manifest| {
            let file = RevealedFile::new(&files, &links, &key, manifest);
            json!({
                "filename": file.name,
                "content_type": file.media_type,
                "url": file.download,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(json!({
        "url_token": key.key().encode(),
        "kind": if revealed.file.is_some() { "file" } else { "text" },
        "payload": revealed.text.into_string(),
        "files": files,
        "views_remaining": revealed.views_left,
        "expired": revealed.views_left == 0,
    })))
}

/// `DELETE /api/v2/pushes/{url_token}`, `DELETE /p/{url_token}.json`: the owner (by API
/// key) expires a push; anyone else only when its creator let viewers burn it.
pub async fn expire(
    path: web::Path<String>,
    owner: SecretOwner,
    service: web::Data<SecretService>,
    accounts: Option<web::Data<AccountService>>,
) -> Result<HttpResponse, ApiError> {
    let key = url_token(&path)?;
    let status = service.status(&key).await?;
    let owned = match (owner.account(), accounts.as_deref()) {
        (Some(account), Some(accounts)) => accounts
            .owned_secret(account, &key.record())
            .await?
            .map(|(entry, ..)| entry.created_at),
        _ => None,
    };
    match owned {
        Some(_) => service.burn_as_owner(&key).await?,
        None => service.burn(&key, None).await?,
    }
    owner
        .burned(format!("push {}", key.record().to_text()))
        .await?;
    let mut body = push_view(
        Some(&key),
        owned.unwrap_or_else(now_unix),
        &status,
        kind_of(status.views),
        true,
    );
    body.insert("deleted".into(), json!(true));
    Ok(HttpResponse::Ok().json(body))
}

/// The signed-in owner of a push, or 401: audits and lists are the owner's.
fn signed_in(owner: &SecretOwner) -> Result<&Account, ApiError> {
    owner.account().ok_or(ApiError::Unauthorized(
        "send Authorization: Bearer <API key> (or X-User-Email and X-User-Token)",
    ))
}

fn accounts_of(accounts: Option<&web::Data<AccountService>>) -> Result<&AccountService, ApiError> {
    accounts
        .map(|accounts| &***accounts)
        .ok_or(ApiError::Unauthorized("accounts are not enabled here"))
}

/// `GET /api/v2/pushes/{url_token}/audit`.
pub async fn audit_v2(
    path: web::Path<String>,
    owner: SecretOwner,
    accounts: Option<web::Data<AccountService>>,
) -> Result<HttpResponse, ApiError> {
    audit(Profile::V2, &path, &owner, accounts.as_ref()).await
}

/// `GET /p/{url_token}/audit.json`.
pub async fn audit_legacy(
    path: web::Path<String>,
    owner: SecretOwner,
    accounts: Option<web::Data<AccountService>>,
) -> Result<HttpResponse, ApiError> {
    audit(Profile::Legacy, &path, &owner, accounts.as_ref()).await
}

/// What burnbox knows of a push's life: its creation, its last view, its burn or expiry,
/// and how many views it gave. It keeps no viewer's address and no time of earlier views.
async fn audit(
    profile: Profile,
    path: &str,
    owner: &SecretOwner,
    accounts: Option<&web::Data<AccountService>>,
) -> Result<HttpResponse, ApiError> {
    let key = url_token(path)?;
    let account = signed_in(owner)?;
    let (_, record, fate, views) = accounts_of(accounts)?
        .owned_secret(account, &key.record())
        .await?
        .ok_or(ApiError::NotFound)?;
    let mut events = vec![("creation", 0, record.created_at)];
    match fate {
        SecretFate::Pending => {}
        SecretFate::Revealed(at) => events.push(("view", 0, at)),
        SecretFate::Burned(at) => events.push(("expire", 1, at)),
        SecretFate::Expired => events.push(("expire", 1, record.expires_at)),
    }
    let body = match profile {
        Profile::V2 => json!({
            "logs": events.iter().map(|(kind, _, at)| json!({
                "kind": kind,
                "created_at": rfc3339(*at),
                "ip": null,
                "user_agent": null,
                "referrer": null,
            })).collect::<Vec<_>>(),
            "view_count": views,
            "views_remaining": record.views_left(fate, views),
        }),
        // The legacy shape lists views only: kind 0 a view, 1 a deletion.
        Profile::Legacy => json!({
            "views": events.iter().filter(|(kind, ..)| *kind != "creation").map(|(_, code, at)| json!({
                "kind": code,
                "successful": true,
                "created_at": rfc3339(*at),
                "ip": null,
                "user_agent": null,
                "referrer": null,
            })).collect::<Vec<_>>(),
            "view_count": views,
        }),
    };
    Ok(HttpResponse::Ok().json(body))
}

/// `GET /api/v2/pushes/active`, `GET /p/active.json`.
pub async fn active(
    request: HttpRequest,
    query: web::Query<Vec<(String, String)>>,
    owner: SecretOwner,
    service: web::Data<SecretService>,
    accounts: Option<web::Data<AccountService>>,
) -> Result<HttpResponse, ApiError> {
    let page = list_page(&query)?;
    list(&request, true, page, &owner, &service, accounts.as_ref()).await
}

/// `GET /api/v2/pushes/expired`, `GET /p/expired.json`.
pub async fn expired(
    request: HttpRequest,
    query: web::Query<Vec<(String, String)>>,
    owner: SecretOwner,
    service: web::Data<SecretService>,
    accounts: Option<web::Data<AccountService>>,
) -> Result<HttpResponse, ApiError> {
    let page = list_page(&query)?;
    list(&request, false, page, &owner, &service, accounts.as_ref()).await
}

/// Pushes per page of a list: each page reads this many of the account's secrets.
pub const LIST_PAGE_SIZE: usize = 50;

/// Password Pusher's `page` (from 1, the default).
fn list_page(query: &[(String, String)]) -> Result<usize, ApiError> {
    let Some((_, page)) = query.iter().find(|(name, _)| name == "page") else {
        return Ok(1);
    };
    page.parse::<u32>()
        .ok()
        .filter(|page| *page >= 1)
        .map(|page| page as usize)
        .ok_or_else(|| {
            ValidationError::invalid("invalid_page", "page must be a whole number from 1").into()
        })
}

/// One page of the owner's pushes. A page is a window of [`LIST_PAGE_SIZE`] of the
/// account's secrets, newest first, with those of the other list left out, so that it
/// costs the same however many secrets the account keeps: it can hold fewer than the
/// window (even none) while a later page has more, and a `Link: …; rel="next"` header
/// names the next page while there is one. Their `url_token` is `null`: burnbox keeps
/// only a one-way reference to a secret's key, never the key (docs/compatibility.md).
async fn list(
    request: &HttpRequest,
    active: bool,
    page: usize,
    owner: &SecretOwner,
    service: &SecretService,
    accounts: Option<&web::Data<AccountService>>,
) -> Result<HttpResponse, ApiError> {
    let account = signed_in(owner)?;
    let offset = (page - 1).saturating_mul(LIST_PAGE_SIZE);
    let owned = accounts_of(accounts)?
        .owned_page(account, offset, LIST_PAGE_SIZE)
        .await?;
    let wanted: Vec<_> = owned
        .items
        .into_iter()
        .filter(|(_, _, fate, _)| (*fate == SecretFate::Pending) == active)
        .collect();
    // The headers of pending secrets, read together: one more round trip.
    let headers =
        futures_util::future::try_join_all(wanted.iter().map(|(_, record, fate, _)| async move {
            match fate {
                SecretFate::Pending => service.views_of(&record.secret).await,
                _ => Ok(None),
            }
        }))
        .await?;
    let items: Vec<Value> = wanted
        .iter()
        .zip(headers)
        .map(|((entry, record, fate, views), header)| listed(entry, record, *fate, *views, header))
        .collect();
    let mut response = HttpResponse::Ok();
    // The route's own pattern, never the path as sent (it could be spelled otherwise).
    if let Some(route) = request.match_pattern()
        && offset.saturating_add(LIST_PAGE_SIZE) < owned.total
    {
        response.insert_header((LINK, format!("<{route}?page={}>; rel=\"next\"", page + 1)));
    }
    Ok(response.json(items))
}

fn listed(
    entry: &OwnedReceipt,
    record: &ReceiptRecord,
    fate: SecretFate,
    views: u32,
    header_views: Option<Views>,
) -> Value {
    let status = SecretStatus {
        passphrase_required: false,
        expires_at: record.expires_at,
        e2e: false,
        views: header_views.unwrap_or(Views {
            max: record.max_views,
            viewer_may_burn: false,
            ..Views::ONCE
        }),
        views_left: record.views_left(fate, views),
    };
    let mut view = push_view(
        None,
        entry.created_at,
        &status,
        kind_of(status.views),
        fate != SecretFate::Pending,
    );
    view.remove("passphrase_required");
    Value::Object(view)
}
