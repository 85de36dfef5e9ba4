//! Who may use the backend-only endpoints (`/api/tokens`).
//!
//! [`TokenAccess`] is the one guard: a handler that takes it runs only for callers whose
//! client address (see [`crate::network`]: never one an untrusted proxy speaks for, nor a
//! trusted proxy itself) lies in `BURNBOX_TRUSTED_NETWORKS`, or that
//! authenticated with an API key that has the `tokens` scope (from any network) and
//! belongs to an admin — registration is open, so a self-registered account must not get
//! past the trusted networks. A login session does not pass: tokens are for backends,
//! and backends use keys.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};

use crate::accounts::{Account, Credential};
use crate::domain::{Role, Scope};
use crate::error::ApiError;
use crate::extract::client_address;
use crate::network::{ClientAddress, Networks};

/// The networks allowed to mint and verify tokens.
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
        let client = client_address(request);
        let trusted = request
            .app_data::<TokenAccessPolicy>()
            .is_some_and(|policy| client.is_in(&policy.trusted_networks));
        // A key with the tokens scope, of an account that is (still) an admin.
        let keyed = request.extensions().get::<Account>().is_some_and(|account| {
            account.user.role == Role::Admin
                && matches!(&account.credential, Credential::ApiKey { scopes, .. } if scopes.contains(&Scope::Tokens))
        });
        let allowed = trusted || keyed;
        ready(if allowed {
            Ok(Self { client })
        } else {
            let why = match client {
                ClientAddress::UntrustedForwarder(_) => {
                    "it sent a forwarding header but is not in BURNBOX_TRUSTED_PROXIES"
                }
                ClientAddress::Unidentified => "the proxy chain names no client",
                ClientAddress::Ip(_) => "not in BURNBOX_TRUSTED_NETWORKS",
            };
            log::info!("token access refused for client {client}: {why}");
            Err(ApiError::Forbidden(
                "tokens can be minted and verified only from trusted networks or with an API key that has the tokens scope",
            ))
        })
    }
}
