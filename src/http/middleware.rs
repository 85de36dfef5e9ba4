//! Cross-cutting HTTP behaviour: rate limiting under `/api` (with [`GuessBudget`], its
//! contract with the handlers that check passphrases), and one error shape for responses
//! that actix or another middleware (CORS) produce with a body of their own.

use std::future::{Ready, ready};
use std::sync::{Arc, Mutex};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::{ErrorHandlerResponse, Next};
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest, HttpResponse, ResponseError, web};
use serde::Serialize;

use crate::domain::limits::{Decision, RequestClass};
use crate::http::error::{ApiError, ErrorBody, FailedPassphrase};
use crate::http::extract::client_address;
use crate::http::route_table::{classify, needs_credentials, pattern_of};
use crate::metrics::METRICS;
use crate::network::ClientAddress;
use crate::rate_limit::{self, RateLimiter};

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

/// The client's budget of wrong guesses, for a handler to reserve a guess from before it
/// spends Argon2 time checking it (a passphrase reveal). The middleware settles it: a guess
/// that was not wrong is refunded. Without a limiter it reserves nothing.
#[derive(Clone, Default)]
pub struct GuessBudget(Option<Arc<GuessReservation>>);

struct GuessReservation {
    limiter: web::Data<RateLimiter>,
    client: ClientAddress,
    charged_at: Mutex<Option<u64>>,
}

impl GuessBudget {
    /// Reserves one guess; 429 when the client's budget of wrong guesses is spent.
    pub async fn reserve(&self) -> Result<(), ApiError> {
        let Some(reservation) = &self.0 else {
            return Ok(());
        };
        let charged_at = reservation
            .limiter
            .reserve_guess(reservation.client)
            .await?;
        *reservation
            .charged_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = charged_at;
        Ok(())
    }

    fn charged_at(&self) -> Option<u64> {
        self.0.as_ref().and_then(|reservation| {
            *reservation
                .charged_at
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        })
    }
}

impl FromRequest for GuessBudget {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(request
            .extensions()
            .get::<Self>()
            .cloned()
            .unwrap_or_default()))
    }
}

/// Checks the client's limits (429 when one is spent), reports them in `RateLimit-*`
/// headers, and settles the client's budget of wrong guesses afterwards: a guess reserved
/// before it was checked ([`GuessBudget`]) is refunded unless it was wrong.
///
/// Every request is checked before its handler runs, so a refused one does no work — no
/// store command, no Argon2 — beyond the limiter's own. Most checks spend a lease held
/// by this instance and cost no round trip at all (see `rate_limit`).
pub async fn rate_limit(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let Some(limiter) = request.app_data::<web::Data<RateLimiter>>().cloned() else {
        return Ok(next.call(request).await?.map_into_left_body());
    };
    // The path as routing read it (`%73essions` is `sessions`): the raw path would let
    // an encoded route escape its class of limits.
    let pattern = pattern_of(request.match_info().as_str());
    if needs_credentials(request.method(), pattern)
        && !request.headers().contains_key(header::AUTHORIZATION)
        && !request
            .headers()
            .contains_key(crate::http::auth::X_USER_TOKEN)
    {
        return Ok(next.call(request).await?.map_into_left_body());
    }
    let client = client_address(request.request());
    let class = classify(request.method(), pattern);
    let decision = match limiter.check(client, class).await {
        Ok(decision) => decision,
        Err(error) => return Ok(request.error_response(error).map_into_right_body()),
    };
    if let Some(refused) = decision.filter(|decision| !decision.allowed) {
        return Ok(request
            .into_response(refusal(&refused))
            .map_into_right_body());
    }
    // A backend's calls draw on no budget of guesses (see `RequestClass::Backend`).
    let budget = (class != RequestClass::Backend).then(|| {
        GuessBudget(Some(Arc::new(GuessReservation {
            limiter: limiter.clone(),
            client,
            charged_at: Mutex::new(None),
        })))
    });
    if let Some(budget) = &budget {
        request.extensions_mut().insert(budget.clone());
        // A login or code check is a guess through and through: reserve it up front.
        if class == RequestClass::Guess
            && let Err(error) = budget.reserve().await
        {
            if matches!(error, ApiError::RateLimited { .. }) {
                METRICS.rate_limited.inc();
            }
            return Ok(request.error_response(error).map_into_right_body());
        }
    }
    let mut response = next.call(request).await?;
    if let Some(decision) = decision {
        set_rate_headers(response.headers_mut(), &decision);
    }
    if let Some(budget) = budget {
        let failed_guess = response
            .response()
            .extensions()
            .contains::<FailedPassphrase>();
        let settled = match (budget.charged_at(), failed_guess) {
            (Some(charged_at), false) => limiter.refund_guess(client, charged_at).await,
            (None, true) => limiter.charge_passphrase_failure(client).await,
            _ => Ok(()),
        };
        if let Err(error) = settled {
            log::warn!("could not settle a guess with its client's budget: {error}");
        }
    }
    Ok(response.map_into_left_body())
}

/// The 429 for a refused request, with its headers.
fn refusal(decision: &Decision) -> HttpResponse {
    METRICS.rate_limited.inc();
    let mut response = rate_limit::refusal(decision).error_response();
    set_rate_headers(response.headers_mut(), decision);
    response
}

/// Gives error responses that are not JSON (actix-cors' refusals, say) the error shape,
/// keeping their status and headers.
pub fn json_error_shape<B>(
    response: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // JSON errors are shaped already; the pages' errors are pages of their own.
    let shaped = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| {
            value.as_bytes().starts_with(b"application/json")
                || value.as_bytes().starts_with(b"text/html")
        });
    if shaped {
        return Ok(ErrorHandlerResponse::Response(
            response.map_into_left_body(),
        ));
    }
    let status = response.status();
    let reason = status.canonical_reason().unwrap_or("error");
    let body = ErrorBody {
        error: error_code(status),
        message: reason.to_lowercase(),
        attempts_left: None,
    };
    Ok(ErrorHandlerResponse::Response(
        with_body(response, &body).map_into_right_body(),
    ))
}

/// `response` with `body` as its JSON body instead, keeping its status and every other
/// header (`Retry-After`, `Allow`, `RateLimit-*`, `Cache-Control`, …).
pub fn with_body<B>(response: ServiceResponse<B>, body: &impl Serialize) -> ServiceResponse {
    let (request, original) = response.into_parts();
    let mut shaped = HttpResponse::build(original.status()).json(body);
    for (name, value) in original.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            shaped.headers_mut().append(name.clone(), value.clone());
        }
    }
    ServiceResponse::new(request, shaped)
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
    fn codes_follow_the_status() {
        assert_eq!(error_code(StatusCode::BAD_REQUEST), "bad_request");
        assert_eq!(
            error_code(StatusCode::TOO_MANY_REQUESTS),
            "too_many_requests"
        );
    }
}
