//! [`ApiError`]: the one error type of the API, and the only place status codes are chosen.
//!
//! Handlers and the service return `Result<_, ApiError>`. Infrastructure errors convert with
//! `#[from]`; they are logged with their cause here and shown to clients only as a generic
//! message. Client-facing messages never repeat a submitted value that may be secret.
//! Errors produced by actix itself (bad JSON, wrong content type, oversized body, unknown
//! route, wrong method) are routed through here too, so every error has the same shape.

use actix_web::error::{PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, HeaderValue, RETRY_AFTER};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::ValidationError;
use crate::store::StoreError;

/// Seconds a client is asked to wait after a 503.
const RETRY_AFTER_SECONDS: u64 = 1;

/// Marks a response made from an [`ApiError`], with its client message, so that an API
/// with an error shape of its own (onetimesecret's `/api/v1`) can re-shape it.
#[derive(Debug, Clone)]
pub struct ErrorMessage(pub String);

/// Marks a response to a wrong passphrase, so the rate limiter can charge the client.
#[derive(Debug, Clone, Copy)]
pub struct FailedPassphrase;

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request could not be read (bad JSON, wrong shape).
    #[error("{0}")]
    Malformed(String),
    /// The body is not `application/json`.
    #[error("expected Content-Type: application/json")]
    UnsupportedMediaType,
    /// The body is larger than allowed.
    #[error("request body is larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A value was read but refused.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The caller may not use this endpoint.
    #[error("{0}")]
    Forbidden(&'static str),
    /// No credentials where they are needed, or credentials that are not valid (unknown,
    /// expired, revoked, or of a blocked account).
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Login refused: the same answer for an unknown address, a wrong password and an
    /// account that may not log in, so the answer tells nothing.
    #[error("email or password is wrong, or the account is not confirmed or is blocked")]
    InvalidCredentials,
    /// An account confirmation failed: no pending registration for the address, or a
    /// wrong or dead code — one answer for all.
    #[error("no pending registration with this code: check the address and the latest code")]
    BadConfirmation,
    /// A password reset failed: no active account for the address, or a wrong or dead
    /// code — one answer for all.
    #[error("no reset with this code: check the address and the latest code")]
    BadReset,
    /// A signed-in caller's current password was wrong.
    #[error("the current password is wrong")]
    WrongPassword,
    /// The code did not match.
    #[error("wrong code")]
    WrongCode {
        /// Attempts left before the code dies (0: it just did).
        attempts_left: u32,
    },
    /// A code was sent to this recipient moments ago.
    #[error("a code was sent recently; retry in {retry_after_seconds} s")]
    CoolingDown {
        /// Seconds until another code may be sent.
        retry_after_seconds: u64,
    },
    /// The email address belongs to another account.
    #[error("this email address is taken")]
    EmailTaken,
    /// The mail could not be sent.
    #[error("mail could not be sent, retry shortly")]
    MailUnavailable(String),
    /// Unknown, consumed or expired: deliberately not saying which.
    #[error("not found, already read, burned or expired")]
    NotFound,
    /// The route exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The passphrase did not open the secret.
    #[error("wrong passphrase")]
    WrongPassphrase {
        /// Attempts left before the secret is burned (0: it just was).
        attempts_left: u32,
    },
    /// A wrong passphrase whose count no replica confirmed in time: answered as any
    /// unconfirmed change (the guesser learns nothing), and charged as a wrong guess.
    #[error("a wrong passphrase's count was not confirmed by a replica")]
    UnconfirmedWrongPassphrase,
    /// The secret needs a passphrase and none was given.
    #[error("this secret needs a passphrase")]
    PassphraseRequired,
    /// The secret's creator did not let its viewers burn it.
    #[error("this secret's creator did not allow its viewers to burn it")]
    BurnNotAllowed,
    /// The client used up a rate limit.
    #[error("too many requests; retry in {retry_after_seconds} s")]
    RateLimited {
        /// Seconds until a retry can succeed.
        retry_after_seconds: u64,
    },
    /// A bounded resource (the Argon2 pool) is full.
    #[error("server busy, retry shortly")]
    Busy,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bug or corrupted data; details go to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"error": "not_found", "message": "not found, already read, burned or expired"}))]
pub struct ErrorBody {
    /// Machine-readable code.
    pub error: String,
    /// Human-readable explanation.
    pub message: String,
    /// With `wrong_passphrase` or `wrong_code`: attempts left before the secret is burned
    /// or the code dies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
}

impl ApiError {
    /// The machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "bad_request",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::BodyTooLarge { .. } => "payload_too_large",
            Self::Invalid(invalid) => invalid.code,
            Self::Forbidden(_) => "forbidden",
            Self::Unauthorized(_) => "unauthorized",
            Self::InvalidCredentials => "invalid_credentials",
            Self::WrongCode { .. } => "wrong_code",
            Self::BadConfirmation => "invalid_confirmation",
            Self::BadReset => "invalid_reset",
            Self::WrongPassword => "wrong_password",
            Self::CoolingDown { .. } => "cooling_down",
            Self::EmailTaken => "email_taken",
            Self::MailUnavailable(_) => "mail_unavailable",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::WrongPassphrase { .. } => "wrong_passphrase",
            Self::PassphraseRequired => "passphrase_required",
            Self::BurnNotAllowed => "burn_not_allowed",
            Self::RateLimited { .. } => "rate_limited",
            Self::Busy => "busy",
            Self::Store(StoreError::Corrupt(_)) | Self::Internal(_) => "internal",
            Self::Store(StoreError::NotDurable | StoreError::NoReplicas)
            | Self::UnconfirmedWrongPassphrase => "not_durable",
            Self::Store(_) => "store_unavailable",
        }
    }

    /// The message shown to clients: never internals (Redis errors, corrupt records).
    pub fn client_message(&self) -> String {
        match self {
            Self::Store(StoreError::Corrupt(_)) | Self::Internal(_) => {
                "internal error; it has been logged".to_owned()
            }
            Self::Store(StoreError::NotDurable) | Self::UnconfirmedWrongPassphrase => {
                "no replica confirmed the change in time, so nothing was handed out; what was \
                 taken stays taken"
                    .to_owned()
            }
            Self::Store(StoreError::NoReplicas) => "too few replicas are online to confirm a \
                change, so nothing was taken; retry shortly"
                .to_owned(),
            Self::Store(_) => "storage is unavailable, retry shortly".to_owned(),
            // The cause (SMTP server, address) goes to the log only.
            Self::MailUnavailable(_) => "mail could not be sent, retry shortly".to_owned(),
            other => other.to_string(),
        }
    }

    /// A serde error, with any submitted value cut out of the message.
    pub fn from_json(error: &serde_json::Error) -> Self {
        Self::Malformed(format!(
            "invalid JSON body: {}",
            redact_serde_message(&error.to_string())
        ))
    }
}

/// serde repeats offending values (`invalid type: integer `1234``); a passphrase sent as a
/// number must not come back in an error. Keep the kind, drop the value.
fn redact_serde_message(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: ", "invalid length "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            // The last ", expected": the submitted value, before it, may contain one.
            let (found, expected) = rest.rsplit_once(", expected").unwrap_or((rest, ""));
            let kind: Vec<&str> = found
                .split(' ')
                .take_while(|word| !word.starts_with(['`', '"', '\'']))
                .collect();
            let separator = if expected.is_empty() {
                ""
            } else {
                ", expected"
            };
            return format!("{prefix}{}{separator}{expected}", kind.join(" "));
        }
    }
    message.to_owned()
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Malformed(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Invalid(invalid) if invalid.too_large => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Forbidden(_)
            | Self::WrongPassphrase { .. }
            | Self::PassphraseRequired
            | Self::BurnNotAllowed
            | Self::WrongCode { .. }
            | Self::BadConfirmation
            | Self::BadReset
            | Self::WrongPassword => StatusCode::FORBIDDEN,
            Self::Unauthorized(_) | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::EmailTaken => StatusCode::CONFLICT,
            Self::RateLimited { .. } | Self::CoolingDown { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Busy | Self::MailUnavailable(_) | Self::UnconfirmedWrongPassphrase => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Store(StoreError::Corrupt(_)) | Self::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
            Self::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        match self {
            Self::MailUnavailable(cause) => log::error!("request failed: mail: {cause}"),
            _ if status.is_server_error() => log::error!("request failed: {self}"),
            _ => {}
        }
        let mut response = HttpResponse::build(status);
        response.insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")));
        let retry_after = match self {
            Self::RateLimited {
                retry_after_seconds,
            }
            | Self::CoolingDown {
                retry_after_seconds,
            } => Some(*retry_after_seconds),
            _ if status == StatusCode::SERVICE_UNAVAILABLE => Some(RETRY_AFTER_SECONDS),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            response.insert_header((RETRY_AFTER, HeaderValue::from(seconds)));
        }
        // Wrong guesses at anything secret (passphrase, code, password) count against the
        // client's hourly budget of failures.
        if matches!(
            self,
            Self::WrongPassphrase { .. }
                | Self::UnconfirmedWrongPassphrase
                | Self::WrongCode { .. }
                | Self::InvalidCredentials
                | Self::BadConfirmation
                | Self::BadReset
                | Self::WrongPassword
        ) {
            response.extensions_mut().insert(FailedPassphrase);
        }
        let message = self.client_message();
        response
            .extensions_mut()
            .insert(ErrorMessage(message.clone()));
        response.json(ErrorBody {
            error: self.code().to_owned(),
            message,
            attempts_left: match self {
                Self::WrongPassphrase { attempts_left } | Self::WrongCode { attempts_left } => {
                    Some(*attempts_left)
                }
                _ => None,
            },
        })
    }
}

/// Turns actix's query extractor errors into [`ApiError`]s (names, never values).
pub fn query_error(error: QueryPayloadError, _request: &HttpRequest) -> actix_web::Error {
    let message = error.to_string();
    let detail = message
        .strip_prefix("Query deserialize error: ")
        .unwrap_or(&message);
    ApiError::Malformed(format!(
        "invalid query string: {}",
        redact_serde_message(detail)
    ))
    .into()
}

/// A path segment that does not parse is, to the client, an unknown record.
pub fn path_error(_error: PathError, _request: &HttpRequest) -> actix_web::Error {
    ApiError::NotFound.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_lose_the_submitted_value() {
        let error = serde_json::from_str::<String>("1234987").expect_err("not a string");
        let message = ApiError::from_json(&error).to_string();
        assert!(!message.contains("1234987"), "{message}");
        assert!(
            message.contains("invalid type: integer, expected a string"),
            "{message}"
        );

        let error = serde_json::from_str::<u64>("\"hunter2\"").expect_err("not a number");
        let message = ApiError::from_json(&error).to_string();
        assert!(!message.contains("hunter2"), "{message}");

        let error = serde_json::from_str::<u64>("\"hunter2, expected tail-of-secret\"")
            .expect_err("not a number");
        let message = ApiError::from_json(&error).to_string();
        assert!(!message.contains("tail-of-secret"), "{message}");
        assert!(message.contains("expected u64"), "{message}");
    }

    #[test]
    fn syntax_errors_keep_their_position() {
        let error = serde_json::from_str::<u64>("{").expect_err("broken");
        assert!(ApiError::from_json(&error).to_string().contains("line 1"));
    }

    #[test]
    fn each_error_has_its_status() {
        let cases = [
            (ApiError::Malformed("x".into()), 400),
            (ApiError::UnsupportedMediaType, 415),
            (ApiError::BodyTooLarge { limit: 1 }, 413),
            (ApiError::Invalid(ValidationError::too_large("a", "b")), 413),
            (ApiError::Invalid(ValidationError::invalid("a", "b")), 422),
            (ApiError::Forbidden("no"), 403),
            (ApiError::NotFound, 404),
            (ApiError::MethodNotAllowed, 405),
            (ApiError::WrongPassphrase { attempts_left: 1 }, 403),
            (ApiError::PassphraseRequired, 403),
            (ApiError::BurnNotAllowed, 403),
            (
                ApiError::RateLimited {
                    retry_after_seconds: 3,
                },
                429,
            ),
            (ApiError::Busy, 503),
            (
                ApiError::Store(StoreError::Timeout(std::time::Duration::ZERO)),
                503,
            ),
            (ApiError::Store(StoreError::Corrupt("x")), 500),
            (ApiError::Internal("x".into()), 500),
        ];
        for (error, status) in cases {
            assert_eq!(error.status_code().as_u16(), status, "{error:?}");
        }
    }

    #[test]
    fn internal_details_stay_out_of_the_response() {
        let error = ApiError::Store(StoreError::Unavailable("10.0.0.7:6379 refused".into()));
        assert!(!error.client_message().contains("10.0.0.7"));
        let error = ApiError::Internal("record abc is corrupt".into());
        assert!(!error.client_message().contains("abc"));
    }
}
