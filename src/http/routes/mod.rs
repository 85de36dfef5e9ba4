//! The route table, used by `main` and the tests alike. Handlers are thin: extract,
//! validate into domain types, call the service, map the result.

pub mod accounts;
pub mod admin;
pub mod files;
pub mod health;
pub mod pwpush;
pub mod receipts;
pub mod requests;
pub mod secrets;
pub mod tokens;
pub mod v1;

use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::http::Method;
use actix_web::http::header::{ALLOW, CACHE_CONTROL, HeaderValue};
use actix_web::middleware::{DefaultHeaders, from_fn};
use actix_web::{FromRequest, Handler, HttpResponse, Resource, Responder, ResponseError, web};

use crate::http::auth::authenticate;
use crate::http::error::ApiError;
use crate::http::middleware::rate_limit;
use crate::http::pages;

/// Registers every route.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        // First the static routes and the API: actix tries routes in order, and each
        // pattern with a `{…}` segment is a regex match; API requests met six of them (the
        // pages') before their own scope, 8% of the service's CPU in a profile of
        // create→reveal load.
        .service(resource("/health").get(health::health))
        .service(resource("/ready").get(health::ready))
        .service(resource("/metrics").get(health::metrics))
        .service(
            web::scope("/api")
                // Innermost: credentials are checked once the rate limiter let the request in.
                .wrap(from_fn(authenticate))
                .wrap(from_fn(rate_limit))
                // onetimesecret's clients read its error shape under /api/v1.
                .wrap(from_fn(v1::error_shape))
                // Everything under /api may carry a secret or a key: never cache it.
                .wrap(no_store())
                .service(resource("/secrets").post(secrets::create_secret))
                .service(resource("/secrets/generate").post(secrets::generate_secret))
                .service(
                    resource("/secrets/{secret_key}")
                        .get(secrets::secret_status)
                        .delete(secrets::burn_secret),
                )
                .service(resource("/secrets/{secret_key}/reveal").post(secrets::reveal_secret))
                .service(resource("/files").post(files::start_upload))
                .service(resource("/files/uploads/{upload}/chunks/{index}").put(files::put_chunk))
                .service(resource("/files/uploads/{upload}").delete(files::abort_upload))
                .service(resource("/files/uploads/{upload}/finish").post(files::finish_upload))
                .service(resource("/files/{ticket}").get(files::download))
                .service(resource("/receipts/{receipt_key}").get(receipts::read_receipt))
                .service(resource("/receipts/{receipt_key}/burn").post(receipts::burn_receipt))
                .service(resource("/requests").post(requests::create_request))
                .service(resource("/requests/{request_key}").get(requests::open_request))
                .service(resource("/requests/{request_key}/answer").post(requests::answer_request))
                .service(resource("/tokens").post(tokens::mint_token))
                .service(resource("/tokens/verify").post(tokens::verify_token))
                .service(resource("/codes").post(accounts::send_code))
                .service(resource("/codes/verify").post(accounts::verify_code))
                .service(resource("/accounts").post(accounts::register))
                .service(resource("/accounts/verify").post(accounts::confirm))
                .service(resource("/accounts/reset").post(accounts::request_reset))
                .service(resource("/accounts/reset/verify").post(accounts::reset_password))
                .service(resource("/me/password").post(accounts::change_password))
                .service(
                    resource("/sessions")
                        .post(accounts::login)
                        .delete(accounts::logout_everywhere),
                )
                .service(resource("/sessions/current").delete(accounts::logout))
                .service(resource("/me").get(accounts::me))
                .service(
                    resource("/me/api-keys")
                        .post(accounts::create_api_key)
                        .get(accounts::list_api_keys),
                )
                .service(resource("/me/api-keys/{id}").delete(accounts::revoke_api_key))
                .service(resource("/me/receipts").get(accounts::my_receipts))
                .service(
                    resource("/admin/users")
                        .get(admin::list_users)
                        .post(admin::create_user),
                )
                .service(resource("/admin/users/{id}").patch(admin::update_user))
                .service(resource("/admin/audit").get(admin::audit_log))
                .service(resource("/v1/status").get(v1::status))
                .service(resource("/v1/authcheck").get(v1::authcheck))
                .service(resource("/v1/share").post(v1::share))
                .service(resource("/v1/generate").post(v1::generate))
                .service(resource("/v1/secret/{secret_key}").post(v1::retrieve))
                // Before `{metadata_key}`, which would match `recent` too.
                .service(resource("/v1/private/recent").get(v1::recent))
                .service(
                    resource("/v1/private/{metadata_key}")
                        .get(v1::private)
                        .post(v1::private),
                )
                .service(resource("/v1/private/{metadata_key}/burn").post(v1::burn))
                // Password Pusher's v2 profile.
                .service(resource("/v2/version").get(pwpush::version))
                .service(resource("/v2/pushes").post(pwpush::create_v2))
                // Before `{url_token}`, which would match them too.
                .service(resource("/v2/pushes/active").get(pwpush::active))
                .service(resource("/v2/pushes/expired").get(pwpush::expired))
                .service(resource("/v2/pushes/{url_token}").delete(pwpush::expire))
                .service(resource("/v2/pushes/{url_token}/preview").get(pwpush::preview))
                .service(resource("/v2/pushes/{url_token}/audit").get(pwpush::audit_v2))
                .service(resource("/v2/requests").post(pwpush::requests_unsupported))
                .service(
                    resource("/v2/requests/{url_token}/preview").get(pwpush::requests_unsupported),
                )
                .default_service(web::to(not_found)),
        )
        // Password Pusher's legacy profile, with the same credentials and limits as /api.
        .service(
            resource("/p.json")
                .post(pwpush::create_legacy)
                .build()
                .wrap(from_fn(authenticate))
                .wrap(from_fn(rate_limit))
                .wrap(no_store()),
        )
        .service(
            resource("/f.json")
                .post(pwpush::create_legacy_file)
                .build()
                .wrap(from_fn(authenticate))
                .wrap(from_fn(rate_limit))
                .wrap(no_store()),
        )
        .service(
            resource("/r.json")
                .post(pwpush::requests_unsupported)
                .build()
                .wrap(from_fn(rate_limit)),
        )
        .service(
            web::scope("/p")
                .wrap(from_fn(authenticate))
                .wrap(from_fn(rate_limit))
                .wrap(no_store())
                .service(resource("/active.json").get(pwpush::active))
                .service(resource("/expired.json").get(pwpush::expired))
                .service(resource("/{url_token}/preview.json").get(pwpush::preview))
                .service(resource("/{url_token}/audit.json").get(pwpush::audit_legacy))
                // The link a push gives, and its click-through form: the reveal page.
                .service(resource("/{url_token}/r").get(pages::reveal))
                .service(
                    resource("/{url_token}")
                        .get(push_page)
                        .delete(pwpush::expire),
                )
                .default_service(web::to(not_found)),
        )
        // The legacy profile's file pushes: the same API under /f (no pages: a file push's
        // link is /p/{url_token}, as Password Pusher's links are now).
        .service(
            web::scope("/f")
                .wrap(from_fn(authenticate))
                .wrap(from_fn(rate_limit))
                .wrap(no_store())
                .service(resource("/active.json").get(pwpush::active))
                .service(resource("/expired.json").get(pwpush::expired))
                .service(resource("/{url_token}/preview.json").get(pwpush::preview))
                .service(resource("/{url_token}/audit.json").get(pwpush::audit_legacy))
                .service(
                    resource("/{url_token}.json")
                        .get(pwpush::retrieve)
                        .delete(pwpush::expire),
                )
                .default_service(web::to(not_found)),
        )
        .service(resource("/").get(pages::share))
        .service(resource("/s/{secret_key}").get(pages::reveal))
        .service(resource("/q").get(pages::request))
        .service(resource("/q/{request_key}").get(pages::fill))
        // onetimesecret's links, as its clients build them, open the same pages.
        .service(resource("/secret/{secret_key}").get(pages::reveal))
        .service(
            resource("/r/{receipt_key}")
                .get(pages::receipt)
                .build()
                .wrap(from_fn(rate_limit)),
        )
        .service(
            resource("/private/{metadata_key}")
                .get(pages::receipt)
                .build()
                .wrap(from_fn(rate_limit)),
        )
        .service(
            resource("/r/{receipt_key}/burn")
                .post(pages::burn)
                .build()
                .wrap(from_fn(rate_limit)),
        )
        .service(resource("/assets/{file}").get(pages::asset));
}

/// Never cache: everything under /api, and Password Pusher's routes, may carry a secret
/// or a key.
fn no_store() -> DefaultHeaders {
    DefaultHeaders::new().add((CACHE_CONTROL, HeaderValue::from_static("no-store")))
}

/// `GET /p/{url_token}`: the reveal page, or with `.json` the legacy API's retrieve.
#[allow(clippy::too_many_arguments)] // Two handlers' extractors: the retrieve's and the page's.
async fn push_page(
    reader: pages::Reader,
    path: web::Path<String>,
    query: web::Query<Vec<(String, String)>>,
    service: web::Data<crate::secrets::SecretService>,
    files: web::Data<crate::files::FileService>,
    links: web::Data<pages::Links>,
    headers: crate::http::extract::RevealHeaders,
    guesses: crate::http::middleware::GuessBudget,
) -> Result<HttpResponse, ApiError> {
    if path.ends_with(".json") {
        return pwpush::retrieve(path, query, service, files, links, headers, guesses).await;
    }
    Ok(pages::reveal(reader).await)
}

/// A resource being built: its routes, and the methods they answer, which any other
/// method's 405 lists in `Allow` (RFC 9110 requires it).
pub struct Routes {
    resource: Resource,
    methods: Vec<Method>,
}

fn resource(path: &str) -> Routes {
    Routes {
        resource: web::resource(path),
        methods: Vec::new(),
    }
}

impl Routes {
    fn on<F, Args>(mut self, method: Method, handler: F) -> Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.resource = self
            .resource
            .route(web::route().method(method.clone()).to(handler));
        self.methods.push(method);
        self
    }

    fn get<F: Handler<Args>, Args: FromRequest + 'static>(self, handler: F) -> Self
    where
        F::Output: Responder + 'static,
    {
        self.on(Method::GET, handler)
    }

    fn post<F: Handler<Args>, Args: FromRequest + 'static>(self, handler: F) -> Self
    where
        F::Output: Responder + 'static,
    {
        self.on(Method::POST, handler)
    }

    fn delete<F: Handler<Args>, Args: FromRequest + 'static>(self, handler: F) -> Self
    where
        F::Output: Responder + 'static,
    {
        self.on(Method::DELETE, handler)
    }

    fn put<F: Handler<Args>, Args: FromRequest + 'static>(self, handler: F) -> Self
    where
        F::Output: Responder + 'static,
    {
        self.on(Method::PUT, handler)
    }

    fn patch<F: Handler<Args>, Args: FromRequest + 'static>(self, handler: F) -> Self
    where
        F::Output: Responder + 'static,
    {
        self.on(Method::PATCH, handler)
    }

    /// The resource, answering any other method with 405 and `Allow`.
    fn build(self) -> Resource {
        let allow: Vec<&str> = self.methods.iter().map(Method::as_str).collect();
        // Method names are tokens, always valid in a header.
        #[allow(clippy::expect_used)]
        let allow = HeaderValue::from_str(&allow.join(", ")).expect("method names are tokens");
        self.resource.default_service(web::to(move || {
            let allow = allow.clone();
            async move {
                let mut response = ApiError::MethodNotAllowed.error_response();
                response.headers_mut().insert(ALLOW, allow);
                response
            }
        }))
    }
}

impl HttpServiceFactory for Routes {
    fn register(self, config: &mut AppService) {
        self.build().register(config);
    }
}

/// The app's fallback: 404 in the common error shape.
pub async fn not_found() -> HttpResponse {
    ApiError::NotFound.error_response()
}
