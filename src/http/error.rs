//! Errors to responses: the status code, headers and JSON body each [`ApiError`] answers
//! with, the only place status codes are chosen. Errors produced by actix itself (bad
//! JSON, wrong content type, oversized body, unknown route, wrong method) are routed
//! through here too, so every error has the same shape.

use actix_web::error::{PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, HeaderValue, RETRY_AFTER};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub use crate::error::ApiError;
use crate::error::redact_serde_message;
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

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Malformed(_) => StatusCode::BAD_REQUEST,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::LengthRequired => StatusCode::LENGTH_REQUIRED,
            Self::Invalid(invalid) if invalid.too_large => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Invalid(_) | Self::FileSecret => StatusCode::UNPROCESSABLE_ENTITY,
            // What the upload holds so far decides: the same request may succeed later.
            Self::ChunkOutOfOrder { .. }
            | Self::ChunkTooSmall { .. }
            | Self::UploadExceedsDeclared
            | Self::UploadIncomplete { .. } => StatusCode::CONFLICT,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Forbidden(_)
            | Self::WrongPassphrase { .. }
            | Self::PassphraseRequired
            | Self::ProofRefused
            | Self::BurnNotAllowed
            | Self::WrongCode { .. }
            | Self::BadConfirmation
            | Self::BadReset
            | Self::WrongPassword => StatusCode::FORBIDDEN,
            Self::Unauthorized(_) | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::EmailTaken => StatusCode::CONFLICT,
            Self::RateLimited { .. } | Self::CoolingDown { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Busy
            | Self::MailUnavailable(_)
            | Self::UnconfirmedWrongPassphrase
            | Self::UnconfirmedReveal => StatusCode::SERVICE_UNAVAILABLE,
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
                | Self::ProofRefused
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
    use crate::domain::ValidationError;

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
            (ApiError::ProofRefused, 403),
            (ApiError::UnconfirmedReveal, 503),
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
}
