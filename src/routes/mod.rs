//! The route table, used by `main` and the tests alike. Handlers are thin: extract,
//! validate into domain types, call the service, map the result.

pub mod accounts;
pub mod admin;
pub mod health;
pub mod receipts;
pub mod secrets;
pub mod tokens;
pub mod v1;

use actix_web::http::header::{CACHE_CONTROL, HeaderValue};
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{HttpResponse, Resource, ResponseError, web};

use crate::auth::authenticate;
use crate::error::ApiError;
use crate::middleware::rate_limit;
use crate::pages;

/// Registers every route.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .service(resource("/").route(web::get().to(pages::share)))
        .service(resource("/s/{secret_key}").route(web::get().to(pages::reveal)))
        // onetimesecret's links, as its clients build them, open the same pages.
        .service(resource("/secret/{secret_key}").route(web::get().to(pages::reveal)))
        .service(
            resource("/r/{receipt_key}")
                .wrap(from_fn(rate_limit))
                .route(web::get().to(pages::receipt)),
        )
        .service(
            resource("/private/{metadata_key}")
                .wrap(from_fn(rate_limit))
                .route(web::get().to(pages::receipt)),
        )
        .service(
            resource("/r/{receipt_key}/burn")
                .wrap(from_fn(rate_limit))
                .route(web::post().to(pages::burn)),
        )
        .service(resource("/assets/{file}").route(web::get().to(pages::asset)))
        .service(resource("/health").route(web::get().to(health::health)))
        .service(resource("/ready").route(web::get().to(health::ready)))
        .service(resource("/metrics").route(web::get().to(health::metrics)))
        .service(
            web::scope("/api")
                // Innermost: credentials are checked once the rate limiter let the request in.
                .wrap(from_fn(authenticate))
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
                .service(resource("/codes").route(web::post().to(accounts::send_code)))
                .service(resource("/codes/verify").route(web::post().to(accounts::verify_code)))
                .service(resource("/accounts").route(web::post().to(accounts::register)))
                .service(resource("/accounts/verify").route(web::post().to(accounts::confirm)))
                .service(resource("/accounts/reset").route(web::post().to(accounts::request_reset)))
                .service(
                    resource("/accounts/reset/verify")
                        .route(web::post().to(accounts::reset_password)),
                )
                .service(resource("/me/password").route(web::post().to(accounts::change_password)))
                .service(
                    resource("/sessions")
                        .route(web::post().to(accounts::login))
                        .route(web::delete().to(accounts::logout_everywhere)),
                )
                .service(resource("/sessions/current").route(web::delete().to(accounts::logout)))
                .service(resource("/me").route(web::get().to(accounts::me)))
                .service(
                    resource("/me/api-keys")
                        .route(web::post().to(accounts::create_api_key))
                        .route(web::get().to(accounts::list_api_keys)),
                )
                .service(
                    resource("/me/api-keys/{id}").route(web::delete().to(accounts::revoke_api_key)),
                )
                .service(resource("/me/receipts").route(web::get().to(accounts::my_receipts)))
                .service(
                    resource("/admin/users")
                        .route(web::get().to(admin::list_users))
                        .route(web::post().to(admin::create_user)),
                )
                .service(resource("/admin/users/{id}").route(web::patch().to(admin::update_user)))
                .service(resource("/admin/audit").route(web::get().to(admin::audit_log)))
                .service(resource("/v1/status").route(web::get().to(v1::status)))
                .service(resource("/v1/authcheck").route(web::get().to(v1::authcheck)))
                .service(resource("/v1/share").route(web::post().to(v1::share)))
                .service(resource("/v1/generate").route(web::post().to(v1::generate)))
                .service(resource("/v1/secret/{secret_key}").route(web::post().to(v1::retrieve)))
                // Before `{metadata_key}`, which would match `recent` too.
                .service(resource("/v1/private/recent").route(web::get().to(v1::recent)))
                .service(
                    resource("/v1/private/{metadata_key}")
                        .route(web::post().to(v1::private))
                        .route(web::get().to(v1::private)),
                )
                .service(
                    resource("/v1/private/{metadata_key}/burn").route(web::post().to(v1::burn)),
                )
                .default_service(web::to(not_found)),
        );
}

/// The route pattern a path belongs to, for the access log and the rate limiter.
///
/// actix can say this too (`HttpRequest::match_pattern`), but it re-matches the path
/// against every pattern's regex on each call: 11% of the service's CPU in a profile of
/// create→reveal load. The route table is small and fixed, so plain segment matching
/// does it; a test holds it to the OpenAPI document's paths.
pub fn pattern_of(path: &str) -> Option<&'static str> {
    let mut segments = path.strip_prefix('/')?.split('/');
    let first = segments.next()?;
    let rest: Vec<&str> = segments.collect();
    Some(match (first, rest.as_slice()) {
        ("", []) => "/",
        ("s", [key]) if !key.is_empty() => "/s/{secret_key}",
        ("secret", [key]) if !key.is_empty() => "/secret/{secret_key}",
        ("r", [key]) if !key.is_empty() => "/r/{receipt_key}",
        ("r", [key, "burn"]) if !key.is_empty() => "/r/{receipt_key}/burn",
        ("private", [key]) if !key.is_empty() => "/private/{metadata_key}",
        ("assets", [file]) if !file.is_empty() => "/assets/{file}",
        ("health", []) => "/health",
        ("ready", []) => "/ready",
        ("metrics", []) => "/metrics",
        ("openapi.json", []) => "/openapi.json",
        ("docs", [..]) => "/docs/{_:.*}",
        ("api", ["secrets"]) => "/api/secrets",
        ("api", ["secrets", "generate"]) => "/api/secrets/generate",
        ("api", ["secrets", key]) if !key.is_empty() => "/api/secrets/{secret_key}",
        ("api", ["secrets", key, "reveal"]) if !key.is_empty() => {
            "/api/secrets/{secret_key}/reveal"
        }
        ("api", ["receipts", key]) if !key.is_empty() => "/api/receipts/{receipt_key}",
        ("api", ["receipts", key, "burn"]) if !key.is_empty() => "/api/receipts/{receipt_key}/burn",
        ("api", ["tokens"]) => "/api/tokens",
        ("api", ["tokens", "verify"]) => "/api/tokens/verify",
        ("api", ["codes"]) => "/api/codes",
        ("api", ["codes", "verify"]) => "/api/codes/verify",
        ("api", ["accounts"]) => "/api/accounts",
        ("api", ["accounts", "verify"]) => "/api/accounts/verify",
        ("api", ["accounts", "reset"]) => "/api/accounts/reset",
        ("api", ["accounts", "reset", "verify"]) => "/api/accounts/reset/verify",
        ("api", ["me", "password"]) => "/api/me/password",
        ("api", ["sessions"]) => "/api/sessions",
        ("api", ["sessions", "current"]) => "/api/sessions/current",
        ("api", ["me"]) => "/api/me",
        ("api", ["me", "api-keys"]) => "/api/me/api-keys",
        ("api", ["me", "api-keys", id]) if !id.is_empty() => "/api/me/api-keys/{id}",
        ("api", ["me", "receipts"]) => "/api/me/receipts",
        ("api", ["admin", "users"]) => "/api/admin/users",
        ("api", ["admin", "users", id]) if !id.is_empty() => "/api/admin/users/{id}",
        ("api", ["admin", "audit"]) => "/api/admin/audit",
        ("api", ["v1", "status"]) => "/api/v1/status",
        ("api", ["v1", "authcheck"]) => "/api/v1/authcheck",
        ("api", ["v1", "share"]) => "/api/v1/share",
        ("api", ["v1", "generate"]) => "/api/v1/generate",
        ("api", ["v1", "secret", key]) if !key.is_empty() => "/api/v1/secret/{secret_key}",
        ("api", ["v1", "private", "recent"]) => "/api/v1/private/recent",
        ("api", ["v1", "private", key]) if !key.is_empty() => "/api/v1/private/{metadata_key}",
        ("api", ["v1", "private", key, "burn"]) if !key.is_empty() => {
            "/api/v1/private/{metadata_key}/burn"
        }
        _ => return None,
    })
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

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    use super::pattern_of;

    #[test]
    fn every_documented_path_maps_to_its_own_pattern() {
        let document = crate::openapi::ApiDoc::openapi();
        for pattern in document.paths.paths.keys() {
            let path = pattern
                .replace("{secret_key}", "q7Zc1m0b8yX3kP2sW9vR4tL6nJ5hG0fD")
                .replace("{receipt_key}", "q7Zc8aQp3LmN1vB6xK0sD4fG7hJ2wE9r");
            assert_eq!(pattern_of(&path), Some(pattern.as_str()), "{path}");
        }
    }

    #[test]
    fn other_paths_have_no_pattern() {
        assert_eq!(pattern_of("/docs/index.html"), Some("/docs/{_:.*}"));
        assert_eq!(pattern_of("/"), Some("/"));
        assert_eq!(pattern_of("/s/k"), Some("/s/{secret_key}"));
        assert_eq!(pattern_of("/r/k/burn"), Some("/r/{receipt_key}/burn"));
        for path in [
            "",
            "/s/",
            "/s/k/x",
            "/r//burn",
            "/api",
            "/api/secrets/",
            "/api/secrets/k/reveal/x",
            "/nope",
            "/api/secrets//reveal",
        ] {
            assert_eq!(pattern_of(path), None, "{path}");
        }
    }
}
