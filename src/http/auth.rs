//! Who is calling: `Authorization: Bearer <session token or API key>` on any `/api`
//! request. [`authenticate`] checks the credential once per request and remembers the
//! [`Account`]; handlers then take [`Caller`] (anyone), [`SignedIn`] (401 without valid
//! credentials), [`SessionCaller`] (a session, not an API key) or [`AdminCaller`] (403 for
//! non-admins). A credential that is sent must be valid: a wrong one is 401, never
//! silently anonymous.

use std::future::{Ready, ready};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest, ResponseError, web};

use crate::accounts::{Account, AccountService, Credential};
use crate::domain::Scope;
use crate::http::error::ApiError;
use crate::http::extract::client_address;
use crate::network::ClientAddress;

/// Authenticates the request's bearer credential, if it has one.
pub async fn authenticate(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let text = |name| {
        request
            .headers()
            .get(name)
            .map(|value: &actix_web::http::header::HeaderValue| {
                value.to_str().unwrap_or_default().to_owned()
            })
    };
    // Password Pusher's clients send the API key as `X-User-Token` too, with the
    // account's address in `X-User-Email`: the address must then be the key's account's.
    let email = text(X_USER_EMAIL);
    let header = text(AUTHORIZATION.as_str())
        .or_else(|| text(X_USER_TOKEN).map(|token| format!("Bearer {token}")));
    let Some(header) = header else {
        return Ok(next.call(request).await?.map_into_left_body());
    };
    let Some(service) = request.app_data::<web::Data<AccountService>>().cloned() else {
        return Ok(next.call(request).await?.map_into_left_body());
    };
    let verdict = match header.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => match &email {
            Some(email) => service.authenticate_basic(email, token.trim()).await,
            None => service.authenticate(token.trim()).await,
        },
        // onetimesecret's clients send `email:api_key` (the v1 API); any route accepts it.
        Some((scheme, encoded)) if scheme.eq_ignore_ascii_case("basic") => {
            match basic_credentials(encoded.trim()) {
                Some((email, key)) => service.authenticate_basic(&email, &key).await,
                None => Err(ApiError::Unauthorized("malformed Basic credentials")),
            }
        }
        _ => Err(ApiError::Unauthorized(
            "use Authorization: Bearer <session token or API key>",
        )),
    };
    match verdict {
        Ok(account) => {
            request.extensions_mut().insert(account);
            Ok(next.call(request).await?.map_into_left_body())
        }
        Err(error) => Ok(request
            .into_response(error.error_response())
            .map_into_right_body()),
    }
}

/// Password Pusher's header for the API key.
pub const X_USER_TOKEN: &str = "x-user-token";
/// Password Pusher's header for the account's email address.
const X_USER_EMAIL: &str = "x-user-email";

/// `base64(user:password)` → (user, password).
fn basic_credentials(encoded: &str) -> Option<(String, String)> {
    use base64::Engine;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// The caller, if it sent valid credentials, and its address.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account, when the request was authenticated.
    pub account: Option<Account>,
    /// The client's address.
    pub ip: ClientAddress,
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self {
            account: request.extensions().get::<Account>().cloned(),
            ip: client_address(request),
        }))
    }
}

/// An authenticated caller (session or API key).
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The account.
    pub account: Account,
    /// The client's address.
    pub ip: ClientAddress,
}

fn signed_in(request: &HttpRequest) -> Result<SignedIn, ApiError> {
    let account = request
        .extensions()
        .get::<Account>()
        .cloned()
        .ok_or(ApiError::Unauthorized(
            "sign in: send Authorization: Bearer <session token or API key>",
        ))?;
    Ok(SignedIn {
        account,
        ip: client_address(request),
    })
}

impl FromRequest for SignedIn {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(signed_in(request))
    }
}

/// A caller with a login session: what only the person may do (manage API keys, log out).
#[derive(Debug, Clone)]
pub struct SessionCaller(pub SignedIn);

impl FromRequest for SessionCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            signed_in(request).and_then(|caller| match caller.account.credential {
                Credential::Session(_) => Ok(Self(caller)),
                Credential::ApiKey { .. } => Err(ApiError::Forbidden(
                    "this needs a login session, not an API key",
                )),
            }),
        )
    }
}

/// A caller that may do admin work: an admin's session, or an admin's API key with the
/// `admin` scope.
#[derive(Debug, Clone)]
pub struct AdminCaller(pub SignedIn);

impl FromRequest for AdminCaller {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(signed_in(request).and_then(|caller| {
            if caller.account.may(Scope::Admin) {
                Ok(Self(caller))
            } else {
                Err(ApiError::Forbidden("admins only"))
            }
        }))
    }
}
