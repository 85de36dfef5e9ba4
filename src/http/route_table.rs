//! The route table as data: which pattern a path belongs to, what kind of request the
//! rate limiter counts it as, and which routes need credentials. The routes, the
//! middleware and the access log all read it here, so none of them imports another.

use actix_web::http::Method;

use crate::domain::limits::RequestClass;

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
        ("q", []) => "/q",
        ("q", [key]) if !key.is_empty() => "/q/{request_key}",
        ("secret", [key]) if !key.is_empty() => "/secret/{secret_key}",
        ("r", [key]) if !key.is_empty() => "/r/{receipt_key}",
        ("r", [key, "burn"]) if !key.is_empty() => "/r/{receipt_key}/burn",
        ("private", [key]) if !key.is_empty() => "/private/{metadata_key}",
        ("p.json", []) => "/p.json",
        ("r.json", []) => "/r.json",
        ("p", ["active.json"]) => "/p/active.json",
        ("p", ["expired.json"]) => "/p/expired.json",
        ("p", [key]) if key.len() > ".json".len() && key.ends_with(".json") => {
            "/p/{url_token}.json"
        }
        ("p", [key]) if !key.is_empty() => "/p/{url_token}",
        ("p", [key, "r"]) if !key.is_empty() => "/p/{url_token}/r",
        ("p", [key, "preview.json"]) if !key.is_empty() => "/p/{url_token}/preview.json",
        ("p", [key, "audit.json"]) if !key.is_empty() => "/p/{url_token}/audit.json",
        ("f.json", []) => "/f.json",
        ("f", ["active.json"]) => "/f/active.json",
        ("f", ["expired.json"]) => "/f/expired.json",
        ("f", [key]) if key.len() > ".json".len() && key.ends_with(".json") => {
            "/f/{url_token}.json"
        }
        ("f", [key, "preview.json"]) if !key.is_empty() => "/f/{url_token}/preview.json",
        ("f", [key, "audit.json"]) if !key.is_empty() => "/f/{url_token}/audit.json",
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
        ("api", ["files"]) => "/api/files",
        ("api", ["files", "uploads", key, "chunks", index])
            if !key.is_empty() && !index.is_empty() =>
        {
            "/api/files/uploads/{upload}/chunks/{index}"
        }
        ("api", ["files", "uploads", key]) if !key.is_empty() => "/api/files/uploads/{upload}",
        ("api", ["files", "uploads", key, "finish"]) if !key.is_empty() => {
            "/api/files/uploads/{upload}/finish"
        }
        ("api", ["files", ticket]) if !ticket.is_empty() => "/api/files/{ticket}",
        ("api", ["receipts", key]) if !key.is_empty() => "/api/receipts/{receipt_key}",
        ("api", ["receipts", key, "burn"]) if !key.is_empty() => "/api/receipts/{receipt_key}/burn",
        ("api", ["requests"]) => "/api/requests",
        ("api", ["requests", key]) if !key.is_empty() => "/api/requests/{request_key}",
        ("api", ["requests", key, "answer"]) if !key.is_empty() => {
            "/api/requests/{request_key}/answer"
        }
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
        ("api", ["v2", "version"]) => "/api/v2/version",
        ("api", ["v2", "pushes"]) => "/api/v2/pushes",
        ("api", ["v2", "requests"]) => "/api/v2/requests",
        ("api", ["v2", "requests", key, "preview"]) if !key.is_empty() => {
            "/api/v2/requests/{url_token}/preview"
        }
        ("api", ["v2", "pushes", "active"]) => "/api/v2/pushes/active",
        ("api", ["v2", "pushes", "expired"]) => "/api/v2/pushes/expired",
        ("api", ["v2", "pushes", key]) if !key.is_empty() => "/api/v2/pushes/{url_token}",
        ("api", ["v2", "pushes", key, "preview"]) if !key.is_empty() => {
            "/api/v2/pushes/{url_token}/preview"
        }
        ("api", ["v2", "pushes", key, "audit"]) if !key.is_empty() => {
            "/api/v2/pushes/{url_token}/audit"
        }
        _ => return None,
    })
}

/// The kind of request the rate limiter counts this one as.
pub fn classify(method: &Method, pattern: Option<&str>) -> RequestClass {
    match (method, pattern) {
        (
            &Method::POST,
            Some(
                "/api/secrets"
                | "/api/secrets/generate"
                | "/api/files"
                | "/api/v1/share"
                | "/api/v1/generate"
                | "/api/v2/pushes"
                | "/p.json"
                | "/f.json"
                | "/api/requests"
                | "/api/requests/{request_key}/answer",
            ),
        ) => RequestClass::Create,
        // Password Pusher's legacy retrieve is a GET that counts a view.
        (&Method::GET, Some("/p/{url_token}.json" | "/f/{url_token}.json")) => RequestClass::Reveal,
        (
            &Method::POST,
            Some("/api/secrets/{secret_key}/reveal" | "/api/v1/secret/{secret_key}"),
        ) => RequestClass::Reveal,
        (
            &Method::POST,
            Some(
                "/api/sessions"
                | "/api/accounts/verify"
                | "/api/accounts/reset/verify"
                | "/api/me/password",
            ),
        ) => RequestClass::Guess,
        (&Method::POST, Some("/api/accounts" | "/api/accounts/reset")) => RequestClass::Mail,
        (&Method::POST, Some("/api/codes" | "/api/codes/verify")) => RequestClass::Backend,
        _ => RequestClass::Other,
    }
}

/// Whether a route answers only callers with credentials: without an `Authorization`
/// header it refuses at once (401), touching nothing, so the limiter need not count it
/// (and a client learns that it must sign in, not that it must wait). The OpenAPI
/// document's `security` says the same; a test holds the two together.
pub fn needs_credentials(method: &Method, pattern: Option<&str>) -> bool {
    matches!(
        (method, pattern),
        (
            _,
            Some(
                "/api/me"
                    | "/api/me/api-keys"
                    | "/api/me/api-keys/{id}"
                    | "/api/me/receipts"
                    | "/api/me/password"
                    | "/api/sessions/current"
                    | "/api/admin/users"
                    | "/api/admin/users/{id}"
                    | "/api/admin/audit"
                    | "/api/v1/authcheck"
                    | "/api/v1/private/recent"
                    | "/api/v2/pushes/active"
                    | "/api/v2/pushes/expired"
                    | "/api/v2/pushes/{url_token}/audit"
                    | "/p/active.json"
                    | "/p/expired.json"
                    | "/p/{url_token}/audit.json"
                    | "/f/active.json"
                    | "/f/expired.json"
                    | "/f/{url_token}/audit.json"
            )
        ) | (&Method::DELETE, Some("/api/sessions"))
    )
}

#[cfg(test)]
mod tests {
    use utoipa::OpenApi;

    use super::*;

    #[test]
    fn every_documented_path_maps_to_its_own_pattern() {
        let document = crate::http::openapi::ApiDoc::openapi();
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
        // Password Pusher's legacy file pushes count as its text pushes do.
        assert_eq!(
            classify(&Method::POST, pattern_of("/f.json")),
            RequestClass::Create
        );
        assert_eq!(
            classify(
                &Method::GET,
                pattern_of("/f/q7Zc1m0b8yX3kP2sW9vR4tL6nJ5hG0fD.json")
            ),
            RequestClass::Reveal
        );
        assert_eq!(
            classify(&Method::GET, pattern_of("/f/k/preview.json")),
            RequestClass::Other
        );
    }

    #[test]
    fn the_routes_that_need_credentials_are_the_documented_ones() {
        let document = crate::http::openapi::ApiDoc::openapi();
        let mut checked = 0;
        for (path, item) in &document.paths.paths {
            for (method, operation) in [
                (Method::GET, &item.get),
                (Method::POST, &item.post),
                (Method::PATCH, &item.patch),
                (Method::DELETE, &item.delete),
            ] {
                let Some(operation) = operation else { continue };
                assert_eq!(
                    needs_credentials(&method, Some(path)),
                    operation.security.is_some(),
                    "{method} {path}"
                );
                checked += 1;
            }
        }
        assert!(checked > 35);
    }
}
