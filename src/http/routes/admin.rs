//! `/api/admin`: users and the audit log, for admins.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::accounts::{PageQuery, UserView};
use crate::accounts::AccountService;
use crate::domain::time::rfc3339;
use crate::domain::{AuditAction, Email, Password, Role, UserId, ValidationError};
use crate::http::auth::AdminCaller;
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::Json;

/// A page of users.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    /// Newest first.
    pub users: Vec<UserView>,
    /// Users in all.
    pub total: usize,
    /// This page's offset.
    pub offset: usize,
    /// This page's limit.
    pub limit: usize,
}

/// List users, newest first.
#[utoipa::path(get, path = "/api/admin/users", tag = "admin", security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "A page of users", body = UserPage),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody,
            example = json!({"error": "forbidden", "message": "admins only"})),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn list_users(
    accounts: web::Data<AccountService>,
    _admin: AdminCaller,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (offset, limit) = query.bounds();
    let page = accounts.users(offset, limit).await?;
    Ok(HttpResponse::Ok().json(UserPage {
        users: page.items.iter().map(UserView::from).collect(),
        total: page.total,
        offset,
        limit,
    }))
}

/// A user an admin creates (confirmed at once).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// The login address.
    #[schema(example = "grace@example.org")]
    pub email: String,
    /// The password.
    pub password: String,
    /// `user` (default) or `admin`.
    pub role: Option<Role>,
}

/// Create a confirmed user.
#[utoipa::path(post, path = "/api/admin/users", tag = "admin", security(("bearer" = [])),
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "The email address is taken", body = ErrorBody),
        (status = 422, description = "Invalid email or too short a password", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn create_user(
    accounts: web::Data<AccountService>,
    admin: AdminCaller,
    body: Json<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let AdminCaller(admin) = admin;
    let body = body.into_inner();
    let email = Email::parse(&body.email)?;
    let password = Password::parse(body.password, accounts.policy().password_min_length)?;
    let user = accounts
        .create_user(
            &admin.account,
            email,
            &password,
            body.role.unwrap_or(Role::User),
            admin.ip,
        )
        .await?;
    Ok(HttpResponse::Created().json(UserView::from(&user)))
}

/// Changes to a user; fields left out stay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// Block (ends every session and disables every API key at once) or unblock.
    pub blocked: Option<bool>,
    /// `user` or `admin`.
    pub role: Option<Role>,
    /// A new login address.
    pub email: Option<String>,
}

/// An audit entry id as a page cursor: `<ms>-<seq>` (Redis) or `<n>` (memory), each part
/// at most 19 digits, so that it always fits the store's 64-bit numbers.
fn cursor(text: &str) -> Result<&str, ApiError> {
    let number =
        |part: &str| (1..=19).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_digit());
    let valid = match text.split_once('-') {
        Some((ms, seq)) => number(ms) && number(seq),
        None => number(text),
    };
    if valid {
        Ok(text)
    } else {
        Err(ValidationError::invalid(
            "invalid_cursor",
            "before must be an entry id from a previous page's `next`",
        )
        .into())
    }
}

fn user_id(path: &str) -> Result<UserId, ApiError> {
    UserId::parse(path).ok_or(ApiError::NotFound)
}

/// Block, unblock, change role or email.
#[utoipa::path(patch, path = "/api/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The user's id")),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "The user after the change", body = UserView),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "The new email address is taken", body = ErrorBody),
        (status = 422, description = "Invalid email", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn update_user(
    accounts: web::Data<AccountService>,
    admin: AdminCaller,
    path: web::Path<String>,
    body: Json<UpdateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    let AdminCaller(admin) = admin;
    let id = user_id(&path)?;
    let body = body.into_inner();
    let email = body.email.as_deref().map(Email::parse).transpose()?;
    let user = accounts
        .update_user(&admin.account, id, body.blocked, body.role, email, admin.ip)
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(&user)))
}

/// `?user=&before=&limit=` of the audit log.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Only entries by or about this user id.
    pub user: Option<String>,
    /// Only entries older than this entry id (the previous page's `next`).
    #[param(pattern = "^[0-9]{1,19}(-[0-9]{1,19})?$")]
    pub before: Option<String>,
    /// Entries to return (default 50; fewer than 1 or more than 200 are clamped).
    #[param(maximum = 18_446_744_073_709_551_615_usize)]
    pub limit: Option<usize>,
}

/// An audit log entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    /// The entry's id.
    pub id: String,
    /// When (RFC 3339).
    pub at: String,
    /// What happened.
    pub action: AuditAction,
    /// Who did it (a user id), if anyone known.
    pub actor: Option<String>,
    /// Whom or what it concerned.
    pub subject: Option<String>,
    /// From which client address.
    pub ip: String,
}

/// A page of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    /// Newest first.
    pub entries: Vec<AuditEntryView>,
    /// Pass as `before` for the next page; absent on the last.
    pub next: Option<String>,
}

/// Read the audit log, newest first.
#[utoipa::path(get, path = "/api/admin/audit", tag = "admin", security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of the audit log", body = AuditPage),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "`user` is not a user id", body = ErrorBody),
        (status = 422, description = "`before` is not an entry id", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn audit_log(
    accounts: web::Data<AccountService>,
    _admin: AdminCaller,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = query.user.as_deref().map(user_id).transpose()?;
    let limit = query
        .limit
        .unwrap_or(50)
        .clamp(1, super::accounts::MAX_PAGE);
    let before = query.before.as_deref().map(cursor).transpose()?;
    // Nothing is older than the first possible id (and Redis refuses that range).
    let entries = if before.is_some_and(|id| id.bytes().all(|byte| matches!(byte, b'0' | b'-'))) {
        Vec::new()
    } else {
        accounts.audit_log(user, before, limit).await?
    };
    let next = (entries.len() == limit)
        .then(|| entries.last().map(|(id, _)| id.clone()))
        .flatten();
    Ok(HttpResponse::Ok().json(AuditPage {
        entries: entries
            .into_iter()
            .map(|(id, event)| AuditEntryView {
                id,
                at: rfc3339(event.at),
                action: event.action,
                actor: event.actor.map(|actor| actor.to_string()),
                subject: event.subject,
                ip: event.ip,
            })
            .collect(),
        next,
    }))
}
