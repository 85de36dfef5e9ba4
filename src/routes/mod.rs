//! The route table, used by `main` and the tests alike. Handlers are thin: extract,
//! validate into domain types, call the service, map the result.

pub mod health;
pub mod receipts;
pub mod secrets;
pub mod tokens;

use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{HttpResponse, Resource, ResponseError, web};

use crate::error::ApiError;
use crate::middleware::rate_limit;

/// Registers every route.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(resource("/health").route(web::get().to(health::health)))
        .service(resource("/ready").route(web::get().to(health::ready)))
        .service(
            web::scope("/api")
                .wrap(from_fn(rate_limit))
                // Everything under /api may carry a secret or a key: never cache it.
                .wrap(
                    DefaultHeaders::new()
                        .add((CACHE_CONTROL, HeaderValue::from_static("no-store"))),
                )
                .service(resource("/secrets").route(web::post().to(secrets::create_secret)))
                .service(
                    resource("/secrets/generate").route(web::post().to(secrets::generate_secret)),
                )
                .service(
                    resource("/secrets/{secret_key}")
                        .route(web::get().to(secrets::secret_status))
                        .route(web::delete().to(secrets::burn_secret)),
                )
                .service(
                    resource("/secrets/{secret_key}/reveal")
                        .route(web::post().to(secrets::reveal_secret)),
                )
                .service(
                    resource("/receipts/{receipt_key}")
                        .route(web::get().to(receipts::read_receipt)),
                )
                .service(
                    resource("/receipts/{receipt_key}/burn")
                        .route(web::post().to(receipts::burn_receipt)),
                )
                .service(resource("/tokens").route(web::post().to(tokens::mint_token)))
                .service(resource("/tokens/verify").route(web::post().to(tokens::verify_token)))
                .default_service(web::to(not_found)),
        );
}

/// A resource whose unmatched methods answer 405 in the common error shape.
fn resource(path: &str) -> Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

/// The app's fallback: 404 in the common error shape.
pub async fn not_found() -> HttpResponse {
    ApiError::NotFound.error_response()
}

async fn method_not_allowed() -> HttpResponse {
    ApiError::MethodNotAllowed.error_response()
}
