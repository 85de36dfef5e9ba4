//! Cross-cutting HTTP behaviour: rate limiting under `/api`, and one error shape for
//! responses that actix or another middleware (CORS) produce with a body of their own.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::{ErrorHandlerResponse, Next};
use actix_web::{Error, HttpResponse, ResponseError, web};

use crate::error::{ApiError, ErrorBody, FailedPassphrase};
use crate::extract::client_ip;
use crate::rate_limit::{Decision, RateLimiter, RequestClass};

fn classify(method: &Method, pattern: Option<&str>) -> RequestClass {
    match (method, pattern) {
        (&Method::POST, Some("/api/secrets" | "/api/secrets/generate")) => RequestClass::Create,
        (&Method::POST, Some("/api/secrets/{secret_key}/reveal")) => RequestClass::Reveal,
        _ => RequestClass::Other,
    }
}

fn set_rate_headers(headers: &mut header::HeaderMap, decision: &Decision) {
    for (name, value) in [
        ("ratelimit-limit", decision.limit),
        ("ratelimit-remaining", decision.remaining),
        (
            "ratelimit-reset",
            u32::try_from(decision.reset_seconds).unwrap_or(u32::MAX),
        ),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
}

/// Checks the client's limits (429 when one is spent), reports them in `RateLimit-*`
/// headers, and charges a wrong passphrase to the client afterwards.
///
/// Requests with side effects are checked before the handler runs, so a refused request
/// changes nothing. Reads (`GET`, `HEAD`) are checked while the handler runs: both go out
/// on the one multiplexed Redis connection together, saving a round trip, and a refused
/// read's answer is dropped unseen.
pub async fn rate_limit(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some(limiter) = request.app_data::<web::Data<RateLimiter>>().cloned() else {
        return Ok(next.call(request).await?.map_into_left_body());
    };
    let client = client_ip(request.request());
    let class = classify(request.method(), request.match_pattern().as_deref());
    let (decision, mut response) = if matches!(*request.method(), Method::GET | Method::HEAD) {
        let (decision, response) = tokio::join!(limiter.check(client, class), next.call(request));
        let response = response?;
        match decision {
            Ok(decision) => (decision, response),
            Err(error) => return Ok(replace(response, error.error_response())),
        }
    } else {
        let decision = match limiter.check(client, class).await {
            Ok(decision) => decision,
            Err(error) => return Ok(request.error_response(error).map_into_right_body()),
        };
        if let Some(refused) = decision.filter(|decision| !decision.allowed) {
            return Ok(request
                .into_response(refusal(&refused))
                .map_into_right_body());
        }
        (decision, next.call(request).await?)
    };
    if let Some(refused) = decision.filter(|decision| !decision.allowed) {
        return Ok(replace(response, refusal(&refused)));
    }
    if let Some(decision) = decision {
        set_rate_headers(response.headers_mut(), &decision);
    }
    let failed_passphrase = response
        .response()
        .extensions()
        .contains::<FailedPassphrase>();
    if failed_passphrase && let Err(error) = limiter.charge_passphrase_failure(client).await {
        log::warn!("could not count a failed passphrase against its client: {error}");
    }
    Ok(response.map_into_left_body())
}

/// The 429 for a refused request, with its headers.
fn refusal(decision: &Decision) -> HttpResponse {
    let mut response = ApiError::RateLimited {
        retry_after_seconds: decision.retry_after_seconds.max(1),
    }
    .error_response();
    set_rate_headers(response.headers_mut(), decision);
    response
}

/// Drops a handler's answer in favour of `replacement`.
fn replace<B>(
    response: ServiceResponse<B>,
    replacement: HttpResponse,
) -> ServiceResponse<EitherBody<B>> {
    let (request, _) = response.into_parts();
    ServiceResponse::new(request, replacement).map_into_right_body()
}

/// Gives error responses that are not JSON (actix-cors' refusals, say) the error shape,
/// keeping their status and headers.
pub fn json_error_shape<B>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    if is_json {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    let (request, original) = response.into_parts();
    let reason = status.canonical_reason().unwrap_or("error");
    let mut shaped = HttpResponse::build(status).json(ErrorBody {
        error: error_code(status),
        message: reason.to_lowercase(),
        attempts_left: None,
    });
    for (name, value) in original.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            shaped.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(request, shaped).map_into_right_body(),
    ))
}

fn error_code(status: StatusCode) -> String {
    status
        .canonical_reason()
        .unwrap_or("error")
        .to_lowercase()
        .replace([' ', '-'], "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_classified_by_method_and_route_pattern() {
        assert_eq!(
            classify(&Method::POST, Some("/api/secrets")),
            RequestClass::Create
        );
        assert_eq!(
            classify(&Method::POST, Some("/api/secrets/generate")),
            RequestClass::Create
        );
        assert_eq!(
            classify(&Method::POST, Some("/api/secrets/{secret_key}/reveal")),
            RequestClass::Reveal
        );
        assert_eq!(
            classify(&Method::GET, Some("/api/secrets/{secret_key}")),
            RequestClass::Other
        );
        assert_eq!(
            classify(&Method::GET, Some("/api/secrets")),
            RequestClass::Other
        );
        assert_eq!(classify(&Method::POST, None), RequestClass::Other);
    }

    #[test]
    fn codes_follow_the_status() {
        assert_eq!(error_code(StatusCode::BAD_REQUEST), "bad_request");
        assert_eq!(
            error_code(StatusCode::TOO_MANY_REQUESTS),
            "too_many_requests"
        );
    }
}
