//! Who may use the backend-only endpoints (`/api/tokens`, `/api/codes`).
//!
//! [`TokenAccess`] is the tokens guard: a handler that takes it runs only for callers whose
//! client address (see [`crate::network`]: never one an untrusted proxy speaks for, nor a
//! trusted proxy itself) lies in `BURNBOX_TRUSTED_NETWORKS`, or that
//! authenticated with an API key that has the `tokens` scope (from any network) and
//! belongs to an admin — registration is open, so a self-registered account must not get
//! past the trusted networks. A login session does not pass: tokens are for backends,
//! and backends use keys. [`CodeAccess`] is the same rule for `/api/codes`, with the
//! `codes` scope: sending a code mails any address.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};

use crate::accounts::{Account, Credential};
use crate::domain::{Role, Scope};
use crate::http::error::ApiError;
use crate::http::extract::client_address;
use crate::network::{ClientAddress, Networks};

/// The networks allowed to mint and verify tokens, and to send and check codes.
#[derive(Debug, Clone)]
pub struct TokenAccessPolicy {
    /// `BURNBOX_TRUSTED_NETWORKS`.
    pub trusted_networks: Networks,
}

/// Proof that the caller may mint and verify tokens.
#[derive(Debug, Clone, Copy)]
pub struct TokenAccess {
    /// The caller's client address.
    pub client: ClientAddress,
}

impl FromRequest for TokenAccess {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            backend_caller(
                request,
                Scope::Tokens,
                "tokens can be minted and verified only from trusted networks or with an API key that has the tokens scope",
            )
            .map(|client| Self { client }),
        )
    }
}

/// Proof that the caller may send and check codes through `/api/codes`: sending mails
/// any address, so it is a backend's call (trusted network, or an admin's key with the
/// `codes` scope), not the public's.
#[derive(Debug, Clone, Copy)]
pub struct CodeAccess {
    /// The caller's client address.
    pub client: ClientAddress,
}

impl FromRequest for CodeAccess {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            backend_caller(
                request,
                Scope::Codes,
                "codes can be sent and checked only from trusted networks or with an API key that has the codes scope",
            )
            .map(|client| Self { client }),
        )
    }
}

/// The one rule of the backend-only endpoints: the caller's client address lies in a
/// trusted network, or it signed in with an API key that has `scope` and belongs to an
/// account that is (still) an admin. Otherwise 403 with `refusal`.
fn backend_caller(
    request: &HttpRequest,
    scope: Scope,
    refusal: &'static str,
) -> Result<ClientAddress, ApiError> {
    let client = client_address(request);
    let trusted = request
        .app_data::<TokenAccessPolicy>()
        .is_some_and(|policy| client.is_in(&policy.trusted_networks));
    let keyed = request.extensions().get::<Account>().is_some_and(|account| {
        account.user.role == Role::Admin
            && matches!(&account.credential, Credential::ApiKey { scopes, .. } if scopes.contains(&scope))
    });
    if trusted || keyed {
        return Ok(client);
    }
    let why = match client {
        ClientAddress::UntrustedForwarder(_) => {
            "it sent a forwarding header but is not in BURNBOX_TRUSTED_PROXIES"
        }
        ClientAddress::Unidentified => "the proxy chain names no client",
        ClientAddress::Ip(_) => "not in BURNBOX_TRUSTED_NETWORKS",
    };
    log::info!("{scope:?} access refused for client {client}: {why}");
    Err(ApiError::Forbidden(refusal))
}
