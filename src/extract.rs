//! Request extraction shared by handlers and middleware: [`client_address`], and
//! [`OptionalJson`], a JSON body that may be left out entirely.
//!
//! `POST /api/secrets/{secret_key}/reveal` needs no body unless a passphrase is sent, so
//! `curl -X POST <url>` must work; but a body that *is* sent must be valid JSON, and bad
//! JSON is a 400, not silently "no body" as actix's `Option<Json<T>>` would make it.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::pin::Pin;

use actix_web::mime;
use actix_web::web::{Bytes, PayloadConfig};
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::network::{ClientAddress, ClientIpPolicy};

/// The client's address as [`ClientIpPolicy`] defines it (the TCP peer when no policy is
/// registered, which only unit tests do). Resolved once per request and remembered: the
/// access log, the rate limiter, the token guard and the audit log all ask.
pub fn client_address(request: &HttpRequest) -> ClientAddress {
    if let Some(client) = request.extensions().get::<ClientAddress>().copied() {
        return client;
    }
    let peer = request
        .peer_addr()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |address| address.ip());
    let client = match request.app_data::<ClientIpPolicy>() {
        Some(policy) => {
            let values: Vec<&str> = request
                .headers()
                .get_all(policy.header.name())
                // A value that is not visible ASCII cannot be an address: a broken chain.
                .map(|value| value.to_str().unwrap_or("\u{0}"))
                .collect();
            policy.client(peer, &values)
        }
        None => ClientAddress::Ip(peer.to_canonical()),
    };
    request.extensions_mut().insert(client);
    client
}

/// Largest optional body accepted: a passphrase and some JSON around it.
pub const OPTIONAL_BODY_LIMIT: usize = 16 * 1024;

/// The payload limit to register with the app so that [`OptionalJson`] enforces it.
pub fn payload_config() -> PayloadConfig {
    PayloadConfig::new(OPTIONAL_BODY_LIMIT)
}

/// A JSON body, or `T::default()` when the body is empty.
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json =
            request.mime_type().ok().flatten().is_some_and(|mime| {
                mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON)
            });
        let body = Bytes::from_request(request, payload);
        Box::pin(async move {
            let body = body.await.map_err(|error| {
                if error.as_response_error().status_code().as_u16() == 413 {
                    ApiError::BodyTooLarge {
                        limit: OPTIONAL_BODY_LIMIT,
                    }
                } else {
                    ApiError::Malformed("could not read the request body".into())
                }
            })?;
            if body.is_empty() {
                return Ok(Self(T::default()));
            }
            if !is_json {
                return Err(ApiError::UnsupportedMediaType);
            }
            serde_json::from_slice(&body)
                .map(Self)
                .map_err(|error| ApiError::from_json(&error))
        })
    }
}

/// The largest body [`FormOrJson`] reads (registered by the app: the JSON limit).
#[derive(Debug, Clone, Copy)]
pub struct FormBodyLimit(pub usize);

/// A body as onetimesecret clients send it: form-encoded (their default), or JSON when the
/// `Content-Type` says so. An empty body is an empty form.
#[derive(Debug)]
pub struct FormOrJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for FormOrJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        use futures_util::StreamExt;
        let is_json =
            request.mime_type().ok().flatten().is_some_and(|mime| {
                mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON)
            });
        let limit = request
            .app_data::<FormBodyLimit>()
            .map_or(OPTIONAL_BODY_LIMIT, |limit| limit.0);
        let mut payload = payload.take();
        Box::pin(async move {
            let mut body = Vec::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk
                    .map_err(|_| ApiError::Malformed("could not read the request body".into()))?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::BodyTooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            if is_json && !body.is_empty() {
                return serde_json::from_slice(&body)
                    .map(Self)
                    .map_err(|error| ApiError::from_json(&error));
            }
            serde_urlencoded::from_bytes(&body)
                .map(Self)
                .map_err(|_| ApiError::Malformed("invalid form body".into()))
        })
    }
}
