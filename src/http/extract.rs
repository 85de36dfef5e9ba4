//! Request extraction shared by handlers and middleware: [`client_address`], and
//! [`OptionalJson`], a JSON body that may be left out entirely.
//!
//! `POST /api/secrets/{secret_key}/reveal` needs no body unless a passphrase is sent, so
//! `curl -X POST <url>` must work; but a body that *is* sent must be valid JSON, and bad
//! JSON is a 400, not silently "no body" as actix's `Option<Json<T>>` would make it.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr};
use std::pin::Pin;
use std::sync::Once;

use actix_web::mime;
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};
use serde::de::{DeserializeOwned, Error as _, Visitor};
use serde::{Deserialize, Deserializer};

use crate::crypto::e2e::RevealProof;
use crate::domain::{IdempotencyKey, ValidationError};
use crate::http::error::ApiError;
use crate::metrics::METRICS;
use crate::network::{ClientAddress, ClientIpPolicy, is_proxy_header};

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
            let headers = request.headers();
            let values: Vec<&str> = headers
                .get_all(policy.header.name())
                // A value that is not visible ASCII cannot be an address: a broken chain.
                .map(|value| value.to_str().unwrap_or("\u{0}"))
                .collect();
            let forwarded = headers.keys().any(|name| is_proxy_header(name.as_str()));
            policy.client(peer, &values, forwarded)
        }
        None => ClientAddress::Ip(peer.to_canonical()),
    };
    if let ClientAddress::UntrustedForwarder(peer) = client {
        untrusted_forwarder_seen(peer);
    }
    request.extensions_mut().insert(client);
    client
}

/// The request header that carries a reveal's idempotency key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// The request header that carries the proof an `e2e2` secret's reveal (or a viewer's
/// burn) presents.
pub const REVEAL_PROOF: &str = "burnbox-reveal-proof";
/// The header by which a reveal says it downloads files.
pub const ACCEPT_FILES: &str = "burnbox-accept-files";

/// What a reveal may carry in its headers: an `Idempotency-Key` (a retry with it gets the
/// same answer) and a `Burnbox-Reveal-Proof`. Malformed values are refused (422), never
/// ignored: a client that meant to send one must learn it did not.
#[derive(Debug, Default)]
pub struct RevealHeaders {
    /// The reader's key for this reveal.
    pub idempotency: Option<IdempotencyKey>,
    /// The proof derived from the key in the link's fragment.
    pub proof: Option<RevealProof>,
    /// Whether the client downloads files (`Burnbox-Accept-Files: 1`): without it a file's
    /// view is not taken, since a client that knows nothing of files would spend it and
    /// never fetch the file.
    pub accepts_files: bool,
}

impl RevealHeaders {
    fn read(request: &HttpRequest) -> Result<Self, ApiError> {
        let text = |name: &str| -> Result<Option<&str>, ValidationError> {
            request
                .headers()
                .get(name)
                .map(|value| value.to_str().map_err(|_| invalid_header(name)))
                .transpose()
        };
        let idempotency = text(IDEMPOTENCY_KEY)?
            .map(IdempotencyKey::parse)
            .transpose()?;
        let proof = text(REVEAL_PROOF)?
            .map(|value| RevealProof::decode(value).map_err(|_| invalid_header(REVEAL_PROOF)))
            .transpose()?;
        let accepts_files = text(ACCEPT_FILES).ok().flatten() == Some("1");
        Ok(Self {
            idempotency,
            proof,
            accepts_files,
        })
    }
}

fn invalid_header(name: &str) -> ValidationError {
    if name == IDEMPOTENCY_KEY {
        return ValidationError::invalid(
            "invalid_idempotency_key",
            "Idempotency-Key must be 16–64 visible ASCII characters",
        );
    }
    ValidationError::invalid(
        "invalid_reveal_proof",
        "Burnbox-Reveal-Proof must be 43 characters of base64url (32 bytes)",
    )
}

impl FromRequest for RevealHeaders {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Self::read(request))
    }
}

/// Counts a request whose forwarding header came from a peer that is not a trusted proxy,
/// and warns about the first one: the usual cause is a proxy left out of
/// `BURNBOX_TRUSTED_PROXIES`, which would otherwise go unnoticed (it fails closed).
fn untrusted_forwarder_seen(peer: IpAddr) {
    static WARNED: Once = Once::new();
    METRICS.untrusted_forwarded_requests.inc();
    // Only the peer's address is logged: header values are whatever a client wrote.
    WARNED.call_once(|| {
        log::warn!(
            "a request from {peer} carried a proxy's header (X-Forwarded-*, Forwarded, Via, \
             X-Real-IP, …), but {peer} is not in BURNBOX_TRUSTED_PROXIES: such requests are never \
             in BURNBOX_TRUSTED_NETWORKS and are rate-limited by {peer}. If burnbox runs behind \
             a reverse proxy, list it in BURNBOX_TRUSTED_PROXIES. Logged once; \
             burnbox_untrusted_forwarded_requests_total counts them all."
        );
    });
}

/// Largest optional body accepted: a passphrase and some JSON around it.
pub const OPTIONAL_BODY_LIMIT: usize = 16 * 1024;

/// A JSON body, or `T::default()` when the body is empty.
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = says_json(request);
        let payload = payload.take();
        Box::pin(async move {
            let body = read_body(payload, OPTIONAL_BODY_LIMIT).await?;
            if body.is_empty() {
                return Ok(Self(T::default()));
            }
            if !is_json {
                return Err(ApiError::UnsupportedMediaType);
            }
            from_json_object(&body).map(Self)
        })
    }
}

/// The largest body [`Json`] and [`FormOrJson`] read (registered by the app).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A body as onetimesecret clients send it: form-encoded (their default), or JSON when the
/// `Content-Type` says so. An empty body is an empty form.
#[derive(Debug)]
pub struct FormOrJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for FormOrJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = says_json(request);
        let limit = body_limit(request);
        let payload = payload.take();
        Box::pin(async move {
            let body = read_body(payload, limit).await?;
            if is_json && !body.is_empty() {
                return from_json_object(&body).map(Self);
            }
            // `AAA` would read as a field named `AAA` with no value: not a form.
            if body
                .split(|byte| *byte == b'&')
                .any(|field| !field.is_empty() && !field.contains(&b'='))
            {
                return Err(ApiError::Malformed(
                    "a form body is `name=value` fields joined by `&`".into(),
                ));
            }
            serde_urlencoded::from_bytes(&body)
                .map(Self)
                .map_err(|_| ApiError::Malformed("invalid form body".into()))
        })
    }
}

/// A JSON body that must be an object: `application/json`, at most the app's
/// [`BodyLimit`]. actix's own `Json` would also read a struct from an array
/// (`["x", null]`), which no request schema allows.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = says_json(request);
        let limit = body_limit(request);
        let payload = payload.take();
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType);
            }
            let body = read_body(payload, limit).await?;
            from_json_object(&body).map(Self)
        })
    }
}

/// Whether the request says its body is JSON (`application/json` or `…+json`).
fn says_json(request: &HttpRequest) -> bool {
    request
        .mime_type()
        .ok()
        .flatten()
        .is_some_and(|mime| mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON))
}

/// The app's [`BodyLimit`].
fn body_limit(request: &HttpRequest) -> usize {
    request
        .app_data::<BodyLimit>()
        .map_or(OPTIONAL_BODY_LIMIT, |limit| limit.0)
}

/// Reads a body of at most `limit` bytes.
/// Reads a body of at most `limit` bytes (more: 413).
pub(crate) async fn read_body<E>(
    mut payload: impl futures_util::Stream<Item = Result<actix_web::web::Bytes, E>> + Unpin,
    limit: usize,
) -> Result<Vec<u8>, ApiError> {
    use futures_util::StreamExt;
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk =
            chunk.map_err(|_| ApiError::Malformed("could not read the request body".into()))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::BodyTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Deserializes a struct from a JSON object, and from nothing else.
fn from_json_object<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = T::deserialize(ObjectOnly(&mut deserializer))
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|error| ApiError::from_json(&error))?;
    Ok(value)
}

/// Hands a struct's deserializer a map, never a sequence; everything else passes through.
struct ObjectOnly<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// An optional JSON integer, read as JSON Schema counts integers: `60` and `60.0` are the
/// same number; `60.5` is not an integer. Whole numbers past `i64` saturate, so that the
/// caller's range check answers them.
pub fn optional_integer<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<i64>, D::Error> {
    let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else {
        return Ok(None);
    };
    if let Some(integer) = number.as_i64() {
        return Ok(Some(integer));
    }
    if number.is_u64() {
        return Ok(Some(i64::MAX));
    }
    match number.as_f64() {
        // `as` saturates: a whole float past i64's range becomes its bound.
        Some(float) if float.fract() == 0.0 => Ok(Some(float as i64)),
        _ => Err(D::Error::custom(
            "invalid type: number with a fraction, expected an integer",
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::{from_json_object, optional_integer};

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Body {
        text: String,
        #[serde(default, deserialize_with = "optional_integer")]
        ttl: Option<i64>,
    }

    #[test]
    fn a_struct_is_read_from_an_object_only() {
        let body: Body = from_json_object(br#"{"text": "x", "ttl": null}"#).expect("an object");
        assert_eq!(
            body,
            Body {
                text: "x".into(),
                ttl: None
            }
        );
        assert!(from_json_object::<Body>(br#"["x", 5]"#).is_err());
        assert!(from_json_object::<Body>(br#"{"text": "x"} trailing"#).is_err());
        // What is not a struct passes through untouched.
        let any: serde_json::Value = from_json_object(b"[1, 2]").expect("any JSON");
        assert_eq!(any, serde_json::json!([1, 2]));
    }

    #[test]
    fn integers_are_read_as_json_schema_counts_them() {
        let ttl = |json: &str| {
            from_json_object::<Body>(format!(r#"{{"text": "x", "ttl": {json}}}"#).as_bytes())
                .map(|body| body.ttl)
        };
        assert_eq!(ttl("60").ok(), Some(Some(60)));
        assert_eq!(ttl("60.0").ok(), Some(Some(60)));
        assert_eq!(ttl("-1e300").ok(), Some(Some(i64::MIN)));
        assert_eq!(ttl("18446744073709551615").ok(), Some(Some(i64::MAX)));
        assert!(ttl("60.5").is_err() && ttl("\"60\"").is_err());
    }
}
