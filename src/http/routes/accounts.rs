//! `/api/codes`, `/api/accounts`, `/api/sessions` and `/api/me`: verification codes,
//! registration, login, and what an account holds.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::{AccountService, OwnedReceiptView};
use crate::codes::{API_NAMESPACE, CodeService};
use crate::domain::time::rfc3339;
use crate::domain::{
    AccountState, ApiKeyRecord, Code, Email, KeyName, Password, ReceiptView, Role, Scope,
    UserRecord,
};
use crate::http::access::CodeAccess;
use crate::http::auth::{Caller, SessionCaller, SignedIn};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{Json, RevealHeaders};

/// Largest page a list returns.
pub const MAX_PAGE: usize = 200;
/// Largest offset a list accepts.
pub const MAX_OFFSET: usize = 1_000_000;

/// `?offset=&limit=` of a list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Entries to skip (default 0).
    #[param(maximum = 18_446_744_073_709_551_615_usize)]
    pub offset: Option<usize>,
    /// Entries to return (default 50; fewer than 1 or more than 200 are clamped).
    #[param(maximum = 18_446_744_073_709_551_615_usize)]
    pub limit: Option<usize>,
}

impl PageQuery {
    /// Offset and limit, defaulted and bounded.
    pub fn bounds(&self) -> (usize, usize) {
        // Bounded so that offset + limit stays a small, positive Redis range.
        (
            self.offset.unwrap_or(0).min(MAX_OFFSET),
            self.limit.unwrap_or(50).clamp(1, MAX_PAGE),
        )
    }
}

/// A code to send.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendCodeRequest {
    /// Where the code is mailed.
    #[schema(example = "ada@example.org")]
    pub recipient: String,
    /// What it is for (`[a-z0-9_.-]`, default `verify`); a code only verifies for its
    /// purpose. With `BURNBOX_CODE_PURPOSES` set, one of those (named in the mail);
    /// otherwise any, and the mail does not name it.
    #[schema(example = "verify")]
    pub purpose: Option<String>,
}

/// A code sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeSentResponse {
    /// Always `sent`.
    #[schema(example = "sent")]
    pub status: &'static str,
    /// Seconds the code lives.
    #[schema(example = 900)]
    pub expires_in: u64,
}

/// A code to check.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyCodeRequest {
    /// The recipient it was mailed to.
    #[schema(example = "ada@example.org")]
    pub recipient: String,
    /// Its purpose (default `verify`).
    pub purpose: Option<String>,
    /// The six digits.
    #[schema(example = "123456")]
    pub code: String,
}

/// A code verified (and consumed).
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeVerifiedResponse {
    /// The recipient.
    pub recipient: String,
    /// The purpose.
    pub purpose: String,
    /// Always `true`.
    pub verified: bool,
}

/// Send a six-digit code by mail.
#[utoipa::path(post, path = "/api/codes", tag = "codes", request_body = SendCodeRequest,
    responses(
        (status = 202, description = "Mailed", body = CodeSentResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 403, description = "Neither in a trusted network nor an admin's API key with the `codes` scope", body = ErrorBody,
            example = json!({"error": "forbidden", "message": "codes can be sent and checked only from trusted networks or with an API key that has the codes scope"})),
        (status = 422, description = "Invalid recipient or purpose, or a purpose BURNBOX_CODE_PURPOSES does not list", body = ErrorBody,
            example = json!({"error": "purpose_not_listed", "message": "purpose must be one of those the operator lists in BURNBOX_CODE_PURPOSES"})),
        (status = 429, description = "A code went to this recipient and purpose moments ago, or rate limited", body = ErrorBody,
            example = json!({"error": "cooling_down", "message": "a code was sent recently; retry in 42 s"})),
        (status = 503, description = "Storage or mail unavailable", body = ErrorBody),
    ))]
pub async fn send_code(
    _access: CodeAccess,
    codes: web::Data<CodeService>,
    accounts: web::Data<AccountService>,
    body: Json<SendCodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let recipient = Email::parse(&body.recipient)?;
    let purpose = codes.requested_purpose(body.purpose.as_deref())?;
    codes.send_requested(&purpose, &recipient).await?;
    Ok(HttpResponse::Accepted().json(CodeSentResponse {
        status: "sent",
        expires_in: accounts.code_ttl_seconds(),
    }))
}

/// Check a code; it is consumed when right.
#[utoipa::path(post, path = "/api/codes/verify", tag = "codes", request_body = VerifyCodeRequest,
    params(("Idempotency-Key" = Option<String>, Header, nullable = false, pattern = "^[!-~]{16,64}$", description = "16–64 visible ASCII characters, fresh per check: a retry with the same key and the same code within `BURNBOX_REVEAL_RETRY_SECONDS` gets the same 200")),
    responses(
        (status = 200, description = "Right: the code is consumed", body = CodeVerifiedResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 403, description = "Wrong code (it dies when no attempts are left); or neither in a trusted network nor an admin's API key with the `codes` scope (`forbidden`)", body = ErrorBody,
            example = json!({"error": "wrong_code", "message": "wrong code", "attempts_left": 4})),
        (status = 404, description = "No live code for this recipient and purpose", body = ErrorBody),
        (status = 422, description = "Not six digits, or invalid recipient or purpose, a purpose BURNBOX_CODE_PURPOSES does not list, or a malformed Idempotency-Key", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn verify_code(
    access: CodeAccess,
    codes: web::Data<CodeService>,
    headers: RevealHeaders,
    body: Json<VerifyCodeRequest>,
) -> Result<HttpResponse, ApiError> {
    let recipient = Email::parse(&body.recipient)?;
    let purpose = codes.requested_purpose(body.purpose.as_deref())?;
    let code = Code::parse(&body.code)?;
    let idempotency = headers.idempotency.as_ref();
    codes
        .verify(
            API_NAMESPACE,
            &purpose,
            &recipient,
            &code,
            access.client,
            idempotency,
        )
        .await?;
    Ok(HttpResponse::Ok().json(CodeVerifiedResponse {
        recipient: recipient.as_str().to_owned(),
        purpose: purpose.as_str().to_owned(),
        verified: true,
    }))
}

/// Email and password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialsRequest {
    /// The login address.
    #[schema(example = "ada@example.org")]
    pub email: String,
    /// The password: at least `BURNBOX_PASSWORD_MIN_LENGTH` characters, at most 1024.
    #[schema(example = "a long passphrase")]
    pub password: String,
}

/// Email and password, to log in: any text may be tried (a wrong one is a 401).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The login address.
    #[schema(example = "ada@example.org")]
    pub email: String,
    /// The password.
    #[schema(example = "a long passphrase")]
    pub password: String,
}

/// Registration taken.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegisteredResponse {
    /// Always `pending`: confirm with the mailed code.
    #[schema(example = "pending")]
    pub status: &'static str,
}

/// Register an account; a code is mailed to confirm it.
#[utoipa::path(post, path = "/api/accounts", tag = "accounts", request_body = CredentialsRequest,
    responses(
        (status = 202, description = "Pending: confirm with the mailed code. The same answer when the address is already registered", body = RegisteredResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 422, description = "Invalid email or too short a password", body = ErrorBody,
            example = json!({"error": "weak_password", "message": "password must be at least 10 characters"})),
        (status = 429, description = "Rate limited", body = ErrorBody),
        (status = 503, description = "Storage or mail unavailable, or Argon2 pool full", body = ErrorBody),
    ))]
pub async fn register(
    accounts: web::Data<AccountService>,
    caller: crate::http::auth::Caller,
    body: Json<CredentialsRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let email = Email::parse(&body.email)?;
    let password = Password::parse(body.password, accounts.policy().password_min_length)?;
    accounts.register(email, &password, caller.ip).await?;
    Ok(HttpResponse::Accepted().json(RegisteredResponse { status: "pending" }))
}

/// A registration's code, and the account's password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    /// The registered address.
    #[schema(example = "ada@example.org")]
    pub email: String,
    /// The mailed code.
    #[schema(example = "123456")]
    pub code: String,
    /// The password, set now by whoever holds the code (the mailbox's owner).
    #[schema(example = "a long passphrase")]
    pub password: String,
}

/// An account's state.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountStateResponse {
    /// `active` once confirmed.
    pub status: AccountState,
}

/// Confirm a registration with the mailed code, and set the password.
#[utoipa::path(post, path = "/api/accounts/verify", tag = "accounts", request_body = ConfirmRequest,
    responses(
        (status = 200, description = "Confirmed: the account may log in with this password", body = AccountStateResponse),
        (status = 403, description = "No pending registration for the address, or a wrong or dead code (one answer for all)", body = ErrorBody,
            example = json!({"error": "invalid_confirmation", "message": "no pending registration with this code: check the address and the latest code"})),
        (status = 422, description = "Invalid email, code or password", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn confirm(
    accounts: web::Data<AccountService>,
    caller: crate::http::auth::Caller,
    body: Json<ConfirmRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let email = Email::parse(&body.email)?;
    let code = Code::parse(&body.code)?;
    let password = Password::parse(body.password, accounts.policy().password_min_length)?;
    accounts
        .confirm(&email, &code, &password, caller.ip)
        .await?;
    Ok(HttpResponse::Ok().json(AccountStateResponse {
        status: AccountState::Active,
    }))
}

/// A new session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    /// Send as `Authorization: Bearer <session_token>`.
    #[schema(example = "bbs_q7Zc1m0b8yX3kP2sW9vR4tL6nJ5hG0fD")]
    pub session_token: String,
    /// When it ends (RFC 3339).
    pub expires_at: String,
}

/// Log in.
#[utoipa::path(post, path = "/api/sessions", tag = "accounts", request_body = LoginRequest,
    responses(
        (status = 201, description = "Logged in", body = SessionResponse),
        (status = 401, description = "Wrong email or password, or an unconfirmed or blocked account (one answer for all)", body = ErrorBody,
            example = json!({"error": "invalid_credentials", "message": "email or password is wrong, or the account is not confirmed or is blocked"})),
        (status = 429, description = "Rate limited (wrong passwords count against the client)", body = ErrorBody),
        (status = 503, description = "Storage unavailable or Argon2 pool full", body = ErrorBody),
    ))]
pub async fn login(
    accounts: web::Data<AccountService>,
    caller: crate::http::auth::Caller,
    body: Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    // Typed or autofilled, a login address may come with spaces around it; registration
    // refuses those (422), so no account has them.
    let email = Email::parse(body.email.trim_ascii()).map_err(|_| ApiError::InvalidCredentials)?;
    // Any length may be tried; only registration enforces the minimum.
    let password = Password::parse(body.password, 0).map_err(|_| ApiError::InvalidCredentials)?;
    let (session_token, expires_at) = accounts.login(&email, &password, caller.ip).await?;
    Ok(HttpResponse::Created().json(SessionResponse {
        session_token,
        expires_at: rfc3339(expires_at),
    }))
}

/// Log out of this session.
#[utoipa::path(delete, path = "/api/sessions/current", tag = "accounts", security(("bearer" = [])),
    responses(
        (status = 204, description = "This session has ended"),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "An API key, not a session", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn logout(
    accounts: web::Data<AccountService>,
    caller: SessionCaller,
) -> Result<HttpResponse, ApiError> {
    let SessionCaller(caller) = caller;
    accounts.logout(&caller.account, caller.ip).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Log out everywhere: every session and every API key of the account ends at once.
#[utoipa::path(delete, path = "/api/sessions", tag = "accounts", security(("bearer" = [])),
    responses(
        (status = 204, description = "Every session and API key has ended"),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "An API key, not a session", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn logout_everywhere(
    accounts: web::Data<AccountService>,
    caller: SessionCaller,
) -> Result<HttpResponse, ApiError> {
    let SessionCaller(caller) = caller;
    accounts
        .logout_everywhere(&caller.account, caller.ip)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// An account as its owner and admins see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    /// The id.
    #[schema(example = "3fa2c1d07b9e4a11")]
    pub id: String,
    /// The login address.
    pub email: String,
    /// `user` or `admin`.
    pub role: Role,
    /// `pending`, `active` or `blocked`.
    pub state: AccountState,
    /// When it registered (RFC 3339).
    pub created_at: String,
}

impl From<&UserRecord> for UserView {
    fn from(user: &UserRecord) -> Self {
        Self {
            id: user.id.to_string(),
            email: user.email.as_str().to_owned(),
            role: user.role,
            state: user.state,
            created_at: rfc3339(user.created_at),
        }
    }
}

/// Who I am.
#[utoipa::path(get, path = "/api/me", tag = "accounts", security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = UserView),
        (status = 401, description = "No valid credentials", body = ErrorBody),
    ))]
pub async fn me(caller: SignedIn) -> HttpResponse {
    HttpResponse::Ok().json(UserView::from(&caller.account.user))
}

/// A key to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    /// Its name in the owner's list.
    #[schema(
        example = "ci",
        min_length = 1,
        max_length = 64,
        pattern = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
    )]
    pub name: String,
    /// What it may do: `tokens` (mint and verify tokens from any network), `secrets`
    /// (create secrets owned by the account, list their receipts), `admin`.
    pub scopes: Vec<Scope>,
}

/// A created key: the only time its text is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKeyResponse {
    /// The key: send as `Authorization: Bearer <key>`. Shown once; stored only hashed.
    #[schema(example = "bbk_q7Zc1m0b8yX3kP2sW9vR4tL6nJ5hG0fD")]
    pub key: String,
    /// Its id, its name, its scopes, when it was created.
    #[serde(flatten)]
    pub record: ApiKeyView,
}

/// An API key, without its text.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyView {
    /// The id, to revoke it.
    #[schema(example = "a1b2c3d4e5f6")]
    pub id: String,
    /// Its name.
    pub name: String,
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// When it was created (RFC 3339).
    pub created_at: String,
}

impl From<&ApiKeyRecord> for ApiKeyView {
    fn from(record: &ApiKeyRecord) -> Self {
        Self {
            id: record.id.clone(),
            name: record.name.clone(),
            scopes: record.scopes.clone(),
            created_at: rfc3339(record.created_at),
        }
    }
}

/// The account's keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyList {
    /// Newest first.
    pub api_keys: Vec<ApiKeyView>,
}

/// Create an API key (with a login session).
#[utoipa::path(post, path = "/api/me/api-keys", tag = "accounts", request_body = CreateApiKeyRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; `key` is shown this once", body = CreatedApiKeyResponse),
        (status = 400, description = "Malformed JSON or unknown scope", body = ErrorBody),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "An API key cannot make keys; only admins may grant `admin`", body = ErrorBody),
        (status = 422, description = "Invalid name", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn create_api_key(
    accounts: web::Data<AccountService>,
    caller: SessionCaller,
    body: Json<CreateApiKeyRequest>,
) -> Result<HttpResponse, ApiError> {
    let SessionCaller(caller) = caller;
    let body = body.into_inner();
    let name = KeyName::parse(&body.name)?;
    let created = accounts
        .create_api_key(&caller.account, name, body.scopes, caller.ip)
        .await?;
    Ok(HttpResponse::Created().json(CreatedApiKeyResponse {
        key: created.key,
        record: ApiKeyView::from(&created.record),
    }))
}

/// List the account's API keys (never their text).
#[utoipa::path(get, path = "/api/me/api-keys", tag = "accounts", security(("bearer" = [])),
    responses(
        (status = 200, description = "The keys", body = ApiKeyList),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "An API key, not a session", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn list_api_keys(
    accounts: web::Data<AccountService>,
    caller: SessionCaller,
) -> Result<HttpResponse, ApiError> {
    let keys = accounts.api_keys(&caller.0.account).await?;
    Ok(HttpResponse::Ok().json(ApiKeyList {
        api_keys: keys.iter().map(ApiKeyView::from).collect(),
    }))
}

/// Revoke an API key: it stops working at once.
#[utoipa::path(delete, path = "/api/me/api-keys/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path, description = "The key's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "An API key, not a session", body = ErrorBody),
        (status = 404, description = "No such key on this account", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn revoke_api_key(
    accounts: web::Data<AccountService>,
    caller: SessionCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let SessionCaller(caller) = caller;
    accounts
        .revoke_api_key(&caller.account, &path, caller.ip)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One of the account's receipts.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnedReceiptResponse {
    /// The entry's id (not a receipt key: the list never holds working links).
    pub id: String,
    /// The receipt.
    #[serde(flatten)]
    pub receipt: ReceiptView,
}

impl From<OwnedReceiptView> for OwnedReceiptResponse {
    fn from(view: OwnedReceiptView) -> Self {
        Self {
            id: view.id,
            receipt: view.receipt,
        }
    }
}

/// A page of the account's receipts.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnedReceiptPage {
    /// Newest first.
    pub receipts: Vec<OwnedReceiptResponse>,
    /// Receipts in all.
    pub total: usize,
    /// This page's offset.
    pub offset: usize,
    /// This page's limit.
    pub limit: usize,
}

/// The receipts of secrets the account created (never their values), newest first.
#[utoipa::path(get, path = "/api/me/receipts", tag = "accounts", security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "A page of receipts", body = OwnedReceiptPage),
        (status = 401, description = "No valid credentials", body = ErrorBody),
        (status = 403, description = "An API key without the `secrets` scope", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn my_receipts(
    accounts: web::Data<AccountService>,
    caller: SignedIn,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    if !caller.account.may(Scope::Secrets) {
        return Err(ApiError::Forbidden("this API key lacks the secrets scope"));
    }
    let (offset, limit) = query.bounds();
    let page = accounts.receipts(&caller.account, offset, limit).await?;
    Ok(HttpResponse::Ok().json(OwnedReceiptPage {
        receipts: page.items.into_iter().map(Into::into).collect(),
        total: page.total,
        offset,
        limit,
    }))
}

/// The current password and a new one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The password in use now.
    #[schema(example = "correct horse battery")]
    pub current_password: String,
    /// The new password (at least `BURNBOX_PASSWORD_MIN_LENGTH` characters).
    #[schema(example = "a longer passphrase now")]
    pub new_password: String,
}

/// Change the password. Every session and every API key ends; the answer carries a fresh
/// session for the caller.
#[utoipa::path(post, path = "/api/me/password", tag = "accounts", security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 201, description = "Changed: every earlier session and API key has ended; use this session", body = SessionResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid session", body = ErrorBody),
        (status = 403, description = "An API key, not a session; or the current password is wrong (or too many wrong passwords for this account: retry later)", body = ErrorBody,
            example = json!({"error": "wrong_password", "message": "the current password is wrong"})),
        (status = 422, description = "Too short a new password", body = ErrorBody),
        (status = 429, description = "Rate limited (wrong passwords count against the client)", body = ErrorBody),
        (status = 503, description = "Storage unavailable or Argon2 pool full", body = ErrorBody),
    ))]
pub async fn change_password(
    accounts: web::Data<AccountService>,
    caller: SessionCaller,
    body: Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let SessionCaller(caller) = caller;
    let body = body.into_inner();
    let current = Password::parse(body.current_password, 0).map_err(|_| ApiError::WrongPassword)?;
    let new = Password::parse(body.new_password, accounts.policy().password_min_length)?;
    let (session_token, expires_at) = accounts
        .change_password(&caller.account, &current, &new, caller.ip)
        .await?;
    Ok(HttpResponse::Created().json(SessionResponse {
        session_token,
        expires_at: rfc3339(expires_at),
    }))
}

/// The address to mail a reset code to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The account's address.
    #[schema(example = "ada@example.org")]
    pub email: String,
}

/// Asked; a code is mailed if the address has an active account.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetRequestedResponse {
    /// Always `requested`, whether or not the address has an account.
    #[schema(example = "requested")]
    pub status: &'static str,
}

/// Ask for a password reset code by mail.
#[utoipa::path(post, path = "/api/accounts/reset", tag = "accounts", request_body = ResetRequest,
    responses(
        (status = 202, description = "A code is mailed if the address has an active account; the same answer for every address", body = ResetRequestedResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 422, description = "Invalid email", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
        (status = 503, description = "Storage or mail unavailable", body = ErrorBody),
    ))]
pub async fn request_reset(
    accounts: web::Data<AccountService>,
    body: Json<ResetRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = Email::parse(&body.email)?;
    accounts.request_reset(&email).await?;
    Ok(HttpResponse::Accepted().json(ResetRequestedResponse {
        status: "requested",
    }))
}

/// A reset code and the new password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The account's address.
    #[schema(example = "ada@example.org")]
    pub email: String,
    /// The mailed reset code.
    #[schema(example = "123456")]
    pub code: String,
    /// The new password.
    #[schema(example = "a longer passphrase now")]
    pub new_password: String,
}

/// Set a new password with the mailed code. Every session and API key of the account ends.
#[utoipa::path(post, path = "/api/accounts/reset/verify", tag = "accounts", request_body = ResetPasswordRequest,
    responses(
        (status = 200, description = "Changed: log in with the new password", body = AccountStateResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 403, description = "No active account for the address, or a wrong or dead code (one answer for all)", body = ErrorBody,
            example = json!({"error": "invalid_reset", "message": "no reset with this code: check the address and the latest code"})),
        (status = 422, description = "Invalid email, code or password", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
        (status = 503, description = "Storage unavailable or Argon2 pool full", body = ErrorBody),
    ))]
pub async fn reset_password(
    accounts: web::Data<AccountService>,
    caller: Caller,
    body: Json<ResetPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let email = Email::parse(&body.email)?;
    let code = Code::parse(&body.code)?;
    let new = Password::parse(body.new_password, accounts.policy().password_min_length)?;
    accounts
        .reset_password(&email, &code, &new, caller.ip)
        .await?;
    Ok(HttpResponse::Ok().json(AccountStateResponse {
        status: AccountState::Active,
    }))
}
