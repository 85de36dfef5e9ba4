//! Password Pusher's API, as its CLI (`pwpush` on PyPI) speaks it: the v2 profile under
//! `/api/v2` and the legacy one under `/p.json` and `/p/…`. A push is a burnbox secret and
//! its `url_token` is the secret key, so every promise holds as for any secret; where
//! Password Pusher would break one (it keeps payloads the server and the owner can read
//! again), burnbox keeps the promise and docs/compatibility.md says so.

use actix_web::http::header::{CONTENT_TYPE, LINK};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Map, Value, json};

use super::secrets::SecretOwner;
use crate::accounts::{Account, AccountService};
use crate::crypto::Views;
use crate::domain::time::{now_unix, rfc3339};
use crate::domain::{
    OwnedReceipt, Passphrase, ReceiptRecord, SecretFate, SecretKey, SecretText, ValidationError,
    parse_views,
};
use crate::http::error::ApiError;
use crate::http::extract::{Json, RevealHeaders};
use crate::http::middleware::GuessBudget;
use crate::http::pages::Links;
use crate::secrets::{Presented, SecretService, SecretStatus};

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
                "kinds": ["text", "url"],
                "files": false,
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

/// `POST /api/v2/pushes`.
pub async fn create_v2(
    request: HttpRequest,
    body: Result<Json<Value>, ApiError>,
    service: web::Data<SecretService>,
    owner: SecretOwner,
) -> Result<HttpResponse, ApiError> {
    create(Profile::V2, &request, body, &service, &owner).await
}

/// `POST /p.json`.
pub async fn create_legacy(
    request: HttpRequest,
    body: Result<Json<Value>, ApiError>,
    service: web::Data<SecretService>,
    owner: SecretOwner,
) -> Result<HttpResponse, ApiError> {
    create(Profile::Legacy, &request, body, &service, &owner).await
}

async fn create(
    profile: Profile,
    request: &HttpRequest,
    body: Result<Json<Value>, ApiError>,
    service: &SecretService,
    owner: &SecretOwner,
) -> Result<HttpResponse, ApiError> {
    let body = match body {
        Ok(body) => body.into_inner(),
        Err(ApiError::UnsupportedMediaType) if is_multipart(request) => {
            return Err(unsupported_files().into());
        }
        Err(error) => return Err(error),
    };
    let root = match profile {
        Profile::V2 => "push",
        Profile::Legacy => "password",
    };
    let Some(Value::Object(push)) = body.get(root) else {
        return Err(ApiError::Malformed(format!(
            "the body must be {{\"{root}\": {{\"payload\": …}}}}"
        )));
    };
    let push = PushRequest::parse(push, service)?;
    let created = service
        .create(&push.text, push.passphrase, push.ttl, push.views)
        .await?;
    owner.record(&created).await?;
    let status = SecretStatus {
        passphrase_required: created.passphrase_required,
        expires_at: created.expires_at,
        e2e: false,
        views: created.views,
        views_left: u32::from(created.views.max),
    };
    let mut body = push_view(
        Some(&created.secret_key),
        now_unix(),
        &status,
        push.kind,
        false,
    );
    body.insert("expire_after_days".into(), json!(push.days));
    Ok(HttpResponse::Created().json(body))
}

/// A push as a client asked for it, validated.
struct PushRequest {
    text: SecretText,
    passphrase: Option<Passphrase>,
    ttl: crate::domain::Ttl,
    days: u64,
    views: Views,
    kind: &'static str,
}

impl PushRequest {
    fn parse(push: &Map<String, Value>, service: &SecretService) -> Result<Self, ApiError> {
        let kind = match push.get("kind").and_then(Value::as_str) {
            None | Some("text") => "text",
            Some("url") => "url",
            Some("file") => return Err(unsupported_files().into()),
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
                    "kind must be \"text\" or \"url\"",
                )
                .into());
            }
        };
        if push.contains_key("files") {
            return Err(unsupported_files().into());
        }
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
        let payload = push
            .get("payload")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::Malformed("payload must be a string".into()))?;
        let policy = service.policy();
        let text = SecretText::parse(payload.to_owned(), policy.max_secret_bytes)?;
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
        let ttl = policy
            .ttl
            .parse(days.map(|days| i64::try_from(days.saturating_mul(DAY)).unwrap_or(i64::MAX)))?;
        let days = ttl.seconds().div_ceil(DAY);
        let mut views = parse_views(
            integer(push, "expire_after_views")?,
            boolean(push, "deletable_by_viewer")?,
        )?;
        views.retrieval_step = boolean(push, "retrieval_step")?.unwrap_or(false);
        Ok(Self {
            text,
            passphrase,
            ttl,
            days,
            views,
            kind,
        })
    }
}

fn unsupported_files() -> ValidationError {
    ValidationError::invalid(
        "files_not_supported",
        "burnbox does not store files; push text or a URL (kind \"text\" or \"url\")",
    )
}

fn is_multipart(request: &HttpRequest) -> bool {
    request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("multipart/"))
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

/// `GET /p/{url_token}.json`: the legacy API's retrieve, which counts a view as Password
/// Pusher's does. A passphrase comes in the query (`?passphrase=`), as there.
pub async fn retrieve(
    path: web::Path<String>,
    query: web::Query<Vec<(String, String)>>,
    service: web::Data<SecretService>,
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
    Ok(HttpResponse::Ok().json(json!({
        "url_token": key.key().encode(),
        "payload": revealed.text.into_string(),
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
        "text",
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
        "text",
        fate != SecretFate::Pending,
    );
    view.remove("passphrase_required");
    Value::Object(view)
}
