//! The pages people open: `/` to share, `/s/{secret_key}` to reveal, `/r/{receipt_key}`
//! for the owner (and onetimesecret's `/secret/…` and `/private/…` links to the same).
//!
//! Plain HTML and CSS and one small JavaScript module, all embedded in the binary and
//! served under a strict Content-Security-Policy (nothing inline, nothing from elsewhere).
//! Encryption happens in the browser ([`crate::crypto::e2e`] describes the format); a GET here
//! never consumes anything: revealing is the page's POST to the API.

use std::sync::LazyLock;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use crate::config::PublicUrl;
use crate::domain::{ReceiptKey, ReceiptState, ReceiptView, SecretKey, TtlPolicy};
use crate::files::FileService;
use crate::http::error::ApiError;
use crate::secrets::SecretService;

/// The Content-Security-Policy of every page: only this origin's script, style and API.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Where links point: `BURNBOX_PUBLIC_URL`, never the request's `Host` (a client, or a
/// proxy passing `X-Forwarded-Host` on, could point a link at any site). Without it the
/// server builds no absolute link: clients resolve paths against the origin they reached,
/// as the pages' script does with `location.origin`. The one rule for every link.
#[derive(Debug, Clone, Default)]
pub struct Links(Option<PublicUrl>);

impl Links {
    /// Links on `public_url`, or none when it is not configured.
    pub fn new(public_url: Option<PublicUrl>) -> Self {
        Self(public_url)
    }

    /// `path` (starting with `/`) on the public URL, when there is one.
    fn absolute(&self, path: &str) -> Option<String> {
        self.0
            .as_ref()
            .map(|base| format!("{}{path}", base.as_str()))
    }

    /// The reveal page of a secret (without the e2e key, which the server never has).
    pub fn share(&self, key: &SecretKey) -> Option<String> {
        self.absolute(&format!("/s/{}", key.key().encode()))
    }

    /// The configured origin, when there is one.
    pub fn origin(&self) -> Option<String> {
        self.absolute("")
    }

    /// The receipt page of a secret.
    pub fn receipt(&self, key: &ReceiptKey) -> Option<String> {
        self.absolute(&format!("/r/{}", key.key().encode()))
    }

    /// A link for an API that must answer one: `path` on the public URL, or the path
    /// alone (for the client to resolve) when none is configured.
    pub fn absolute_or_path(&self, path: &str) -> String {
        self.absolute(path).unwrap_or_else(|| path.to_owned())
    }
}

/// A static file, named after a hash of its content so that it can be cached for good.
pub struct Asset {
    /// The file's path, `/assets/<stem>.<hash>.<extension>`.
    pub path: String,
    content_type: &'static str,
    etag: String,
    body: &'static str,
}

impl Asset {
    fn new(stem: &str, extension: &str, content_type: &'static str, body: &'static str) -> Self {
        let hash = blake3::hash(body.as_bytes()).to_hex();
        let short = &hash.as_str()[..16];
        Self {
            path: format!("/assets/{stem}.{short}.{extension}"),
            content_type,
            etag: format!("\"{short}\""),
            body,
        }
    }
}

/// The page's script.
pub static SCRIPT: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "burnbox",
        "js",
        "text/javascript; charset=utf-8",
        include_str!("assets/burnbox.js"),
    )
});

/// The pages' style sheet.
pub static STYLE: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "burnbox",
        "css",
        "text/css; charset=utf-8",
        include_str!("assets/burnbox.css"),
    )
});

/// The pages' icon.
pub static ICON: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "burnbox",
        "svg",
        "image/svg+xml",
        include_str!("assets/burnbox.svg"),
    )
});

/// Serves `/assets/{file}`: immutable, as the name changes with the content.
pub async fn asset(request: HttpRequest, file: web::Path<String>) -> HttpResponse {
    let wanted = format!("/assets/{file}");
    let Some(asset) = [&*SCRIPT, &*STYLE, &*ICON]
        .into_iter()
        .find(|asset| asset.path == wanted)
    else {
        return ApiError::NotFound.error_response();
    };
    let mut response = if request
        .headers()
        .get(header::IF_NONE_MATCH)
        .is_some_and(|tag| tag.as_bytes() == asset.etag.as_bytes())
    {
        HttpResponse::NotModified().finish()
    } else {
        HttpResponse::Ok()
            .content_type(asset.content_type)
            .body(asset.body)
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    if let Ok(etag) = HeaderValue::from_str(&asset.etag) {
        headers.insert(header::ETAG, etag);
    }
    response
}

/// `GET /`: the share page.
pub async fn share(
    service: web::Data<SecretService>,
    files: web::Data<FileService>,
) -> HttpResponse {
    let policy = service.policy();
    let main = include_str!("share.html")
        .replace("{{max_bytes}}", &policy.max_secret_bytes.to_string())
        .replace(
            "{{max_file_bytes}}",
            &files.policy().max_file_bytes.to_string(),
        )
        .replace("{{ttl_options}}", &ttl_options(policy.ttl));
    page(StatusCode::OK, "Share a secret", &main)
}

/// `GET /q`: the page that asks someone for a secret.
pub async fn request() -> HttpResponse {
    page(
        StatusCode::OK,
        "Ask for a secret",
        include_str!("request.html"),
    )
}

/// `GET /q/{request_key}`: the page that answers a request, once. Like the reveal page it
/// never looks at the store: the page asks the API.
pub async fn fill() -> HttpResponse {
    page(
        StatusCode::OK,
        "A request for a secret",
        include_str!("fill.html"),
    )
}

/// `GET /s/{secret_key}` (and `/secret/{secret_key}`): the reveal page. It never looks at
/// the store: the page asks the API, and reveals only when its reader presses the button.
pub async fn reveal() -> HttpResponse {
    page(
        StatusCode::OK,
        "A secret for you",
        include_str!("reveal.html"),
    )
}

/// `GET /r/{receipt_key}` (and `/private/{metadata_key}`): the receipt, rendered here so
/// that it needs no script.
pub async fn receipt(service: web::Data<SecretService>, path: web::Path<String>) -> HttpResponse {
    let Some(key) = ReceiptKey::parse(&path) else {
        return error_page(&ApiError::NotFound);
    };
    match service.receipt(&key).await {
        Ok(view) => page(StatusCode::OK, "Receipt", &receipt_main(&key, &view)),
        Err(error) => error_page(&error),
    }
}

/// `POST /r/{receipt_key}/burn`: the receipt page's button; back to the receipt after.
pub async fn burn(service: web::Data<SecretService>, path: web::Path<String>) -> HttpResponse {
    let Some(key) = ReceiptKey::parse(&path) else {
        return error_page(&ApiError::NotFound);
    };
    match service.burn_by_receipt(&key).await {
        Ok(_) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/r/{}", key.key().encode())))
            .finish(),
        Err(error) => error_page(&error),
    }
}

fn receipt_main(key: &ReceiptKey, view: &ReceiptView) -> String {
    let (name, state, detail) = match view.state {
        ReceiptState::Pending => (
            "pending",
            "Waiting to be read",
            format!(
                "Nobody has opened it yet. It expires at {}.",
                time(&view.expires_at)
            ),
        ),
        ReceiptState::Revealed => (
            "revealed",
            "Read",
            format!(
                "It was revealed at {} and is gone from the server.",
                time(view.revealed_at.as_deref().unwrap_or_default())
            ),
        ),
        ReceiptState::Burned => (
            "burned",
            "Burned",
            format!(
                "It was burned unread at {}.",
                time(view.burned_at.as_deref().unwrap_or_default())
            ),
        ),
        ReceiptState::Expired => (
            "expired",
            "Expired",
            format!(
                "Nobody read it before it expired at {}.",
                time(&view.expires_at)
            ),
        ),
    };
    let burn = if view.state == ReceiptState::Pending {
        format!(
            r#"<form method="post" action="/r/{}/burn">
      <button type="submit" class="danger">Burn it now</button>
      <p class="hint">Nobody will be able to read it afterwards.</p>
    </form>"#,
            key.key().encode()
        )
    } else {
        String::new()
    };
    include_str!("receipt.html")
        .replace("{{state_name}}", name)
        .replace("{{state}}", state)
        .replace("{{detail}}", &detail)
        .replace("{{created_at}}", &time(&view.created_at))
        .replace("{{burn}}", &burn)
}

/// An RFC 3339 time as people read it, in UTC.
fn time(rfc3339: &str) -> String {
    let trimmed = rfc3339.trim_end_matches('Z');
    format!(
        "<time datetime=\"{rfc3339}\">{} UTC</time>",
        trimmed.replace('T', " ")
    )
}

fn error_page(error: &ApiError) -> HttpResponse {
    let status = error.status_code();
    let (title, text) = match status {
        StatusCode::NOT_FOUND => (
            "Nothing here",
            "This receipt does not exist: the link is wrong, or the receipt has expired.",
        ),
        StatusCode::TOO_MANY_REQUESTS => (
            "Slow down",
            "Too many requests from your address. Wait a minute and reload.",
        ),
        StatusCode::SERVICE_UNAVAILABLE => (
            "Try again shortly",
            "The service cannot reach its storage right now. Reload in a moment.",
        ),
        _ => (
            "Something went wrong",
            "The server could not answer. Reload to try again.",
        ),
    };
    let main = format!("<section>\n  <h1>{title}</h1>\n  <p>{text}</p>\n</section>");
    let mut response = page(status, title, &main);
    if let ApiError::RateLimited {
        retry_after_seconds,
    } = error
        && let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The TTL presets that the operator's bounds allow, the default selected.
fn ttl_options(policy: TtlPolicy) -> String {
    let mut choices: Vec<u64> = [300, 3600, 86_400, 604_800]
        .into_iter()
        .filter(|seconds| (policy.min..=policy.max).contains(seconds))
        .collect();
    if !choices.contains(&policy.default) {
        choices.push(policy.default);
        choices.sort_unstable();
    }
    choices
        .into_iter()
        .map(|seconds| {
            let selected = if seconds == policy.default {
                " selected"
            } else {
                ""
            };
            format!(
                "<option value=\"{seconds}\"{selected}>{}</option>",
                duration_label(seconds)
            )
        })
        .collect::<Vec<_>>()
        .join("\n          ")
}

fn duration_label(seconds: u64) -> String {
    let (count, unit) = match seconds {
        s if s % 86_400 == 0 => (s / 86_400, "day"),
        s if s % 3600 == 0 => (s / 3600, "hour"),
        s if s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural}")
}

fn page(status: StatusCode, title: &str, main: &str) -> HttpResponse {
    let html = include_str!("layout.html")
        .replace("{{title}}", title)
        .replace("{{style}}", &STYLE.path)
        .replace("{{script}}", &SCRIPT.path)
        .replace("{{icon}}", &ICON.path)
        .replace("{{main}}", main);
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        // The pages hold keys (in the path, and in what the script shows): keep no copy.
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Robots-Tag", "noindex"))
        .body(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_follow_the_operators_bounds() {
        let policy = TtlPolicy {
            min: 60,
            max: 2_592_000,
            default: 604_800,
        };
        let options = ttl_options(policy);
        assert!(options.contains(r#"<option value="300">5 minutes</option>"#));
        assert!(options.contains(r#"<option value="604800" selected>7 days</option>"#));
        let narrow = ttl_options(TtlPolicy {
            min: 600,
            max: 7200,
            default: 5400,
        });
        assert_eq!(
            narrow,
            "<option value=\"3600\">1 hour</option>\n          <option value=\"5400\" selected>90 minutes</option>"
        );
        assert_eq!(duration_label(61), "61 seconds");
    }

    #[test]
    fn links_use_the_public_url_only() {
        let key = SecretKey::new(crate::domain::ClientKey::generate(
            crate::domain::ClientKey::generate_tag(),
        ));
        assert_eq!(Links::default().share(&key), None);
        assert_eq!(Links::default().origin(), None);
        assert_eq!(Links::default().absolute_or_path("/p/x"), "/p/x");
        let links = Links::new(Some("https://s.example".parse().expect("url")));
        assert_eq!(
            links.share(&key),
            Some(format!("https://s.example/s/{}", key.key().encode()))
        );
        assert_eq!(links.origin().as_deref(), Some("https://s.example"));
        assert_eq!(links.absolute_or_path("/p/x"), "https://s.example/p/x");
    }
}
