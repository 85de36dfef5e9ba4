//! The pages people open: `/` to share, `/s/{secret_key}` to reveal, `/r/{receipt_key}`
//! for the owner (and onetimesecret's `/secret/…` and `/private/…` links to the same).
//!
//! Plain HTML and CSS and one small JavaScript module, all embedded in the binary and
//! served under a strict Content-Security-Policy (nothing inline, nothing from elsewhere).
//! Encryption happens in the browser ([`crate::crypto::e2e`] describes the format); a GET here
//! never consumes anything: revealing is the page's POST to the API.

mod assets;
pub mod i18n;
mod render;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError, web};

pub use assets::{Asset, ICON, QRCODE, SCRIPT, STYLE, asset};
use i18n::{Arg, Catalogue, LANGUAGES};
pub use render::Reader;

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

/// `GET /`: the share page.
pub async fn share(
    reader: Reader,
    service: web::Data<SecretService>,
    files: web::Data<FileService>,
) -> HttpResponse {
    let policy = service.policy();
    let text = reader.catalogue;
    let views_options = options([1, 2, 3, 5, 10], 1, |count| {
        text.html("share-views-option", &[("count", Arg::Number(count))])
    });
    let main = render::fill(
        include_str!("share.html"),
        text,
        &[
            ("max_bytes", &policy.max_secret_bytes.to_string()),
            ("max_file_bytes", &files.policy().max_file_bytes.to_string()),
            ("ttl_options", &ttl_options(text, policy.ttl)),
            ("views_options", &views_options),
            (
                "file_hint",
                &text.html_with(
                    "share-file-hint",
                    &[("limit", r#"<span id="file-limit"></span>"#)],
                ),
            ),
            (
                "share_link",
                &text.html("share-link", &[("count", Arg::Number(1))]),
            ),
            ("query", &reader.query()),
        ],
    );
    page(StatusCode::OK, reader, "share-title", &main)
}

/// `GET /q`: the page that asks someone for a secret.
pub async fn request(reader: Reader) -> HttpResponse {
    let main = render::fill(include_str!("request.html"), reader.catalogue, &[]);
    page(StatusCode::OK, reader, "request-title", &main)
}

/// `GET /q/{request_key}`: the page that answers a request, once. Like the reveal page it
/// never looks at the store: the page asks the API.
pub async fn fill(reader: Reader) -> HttpResponse {
    let main = render::fill(include_str!("fill.html"), reader.catalogue, &[]);
    page(StatusCode::OK, reader, "fill-title", &main)
}

/// `GET /s/{secret_key}` (and `/secret/{secret_key}`): the reveal page. It never looks at
/// the store: the page asks the API, and reveals only when its reader presses the button.
pub async fn reveal(reader: Reader) -> HttpResponse {
    let main = render::fill(include_str!("reveal.html"), reader.catalogue, &[]);
    page(StatusCode::OK, reader, "reveal-title", &main)
}

/// `GET /r/{receipt_key}` (and `/private/{metadata_key}`): the receipt, rendered here so
/// that it needs no script.
pub async fn receipt(
    reader: Reader,
    service: web::Data<SecretService>,
    path: web::Path<String>,
) -> HttpResponse {
    let Some(key) = ReceiptKey::parse(&path) else {
        return error_page(reader, &ApiError::NotFound);
    };
    match service.receipt(&key).await {
        Ok(view) => page(
            StatusCode::OK,
            reader,
            "receipt-title",
            &receipt_main(reader, &key, &view),
        ),
        Err(error) => error_page(reader, &error),
    }
}

/// `POST /r/{receipt_key}/burn`: the receipt page's button; back to the receipt after
/// (in the language the reader chose, if they chose one).
pub async fn burn(
    reader: Reader,
    service: web::Data<SecretService>,
    path: web::Path<String>,
) -> HttpResponse {
    // A failed burn is shown at the burn's address, which answers only POST: the
    // picker reloads the receipt instead (escaped where the page writes it).
    let Some(key) = ReceiptKey::parse(&path) else {
        return error_page_at(reader, &ApiError::NotFound, &format!("/r/{path}"));
    };
    let receipt = format!("/r/{}", key.key().encode());
    match service.burn_by_receipt(&key).await {
        Ok(_) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("{receipt}{}", reader.query())))
            .finish(),
        Err(error) => error_page_at(reader, &error, &receipt),
    }
}

fn receipt_main(reader: Reader, key: &ReceiptKey, view: &ReceiptView) -> String {
    let text = reader.catalogue;
    let (name, at) = match view.state {
        ReceiptState::Pending => ("pending", view.expires_at.as_str()),
        ReceiptState::Revealed => ("revealed", view.revealed_at.as_deref().unwrap_or_default()),
        ReceiptState::Burned => ("burned", view.burned_at.as_deref().unwrap_or_default()),
        ReceiptState::Expired => ("expired", view.expires_at.as_str()),
    };
    let burn = if view.state == ReceiptState::Pending {
        format!(
            r#"<form method="post" action="/r/{}/burn{}">
      <button type="submit" class="danger">{}</button>
      <p class="hint">{}</p>
    </form>"#,
            key.key().encode(),
            reader.query(),
            text.html("receipt-burn", &[]),
            text.html("receipt-burn-hint", &[]),
        )
    } else {
        String::new()
    };
    render::fill(
        include_str!("receipt.html"),
        text,
        &[
            ("state_name", name),
            ("state", &text.html(&format!("receipt-{name}"), &[])),
            (
                "detail",
                &text.html_with(&format!("receipt-{name}-detail"), &[("time", &time(at))]),
            ),
            (
                "created",
                &text.html_with("receipt-created", &[("time", &time(&view.created_at))]),
            ),
            ("burn", &burn),
        ],
    )
}

/// An RFC 3339 time, in UTC; the script shows it in the reader's language and zone.
fn time(rfc3339: &str) -> String {
    let trimmed = rfc3339.trim_end_matches('Z');
    format!(
        "<time datetime=\"{}\" dir=\"auto\">{} UTC</time>",
        i18n::escape(rfc3339),
        i18n::escape(&trimmed.replace('T', " "))
    )
}

fn error_page(reader: Reader, error: &ApiError) -> HttpResponse {
    error_page_at(reader, error, "")
}

/// [`error_page`], whose language picker reloads `picker` (empty: the page itself).
fn error_page_at(reader: Reader, error: &ApiError, picker: &str) -> HttpResponse {
    let status = error.status_code();
    let (title, text) = match status {
        StatusCode::NOT_FOUND => ("gone-title", "error-receipt-not-found"),
        StatusCode::TOO_MANY_REQUESTS => ("error-slow-down-title", "error-slow-down"),
        StatusCode::SERVICE_UNAVAILABLE => ("error-unavailable-title", "error-unavailable-page"),
        _ => ("error-title", "error-page"),
    };
    let main = format!(
        "<section>\n  <h1>{}</h1>\n  <p>{}</p>\n</section>",
        reader.catalogue.html(title, &[]),
        reader.catalogue.html(text, &[])
    );
    let mut response = page_at(status, reader, title, &main, picker);
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
fn ttl_options(text: &Catalogue, policy: TtlPolicy) -> String {
    let mut choices: Vec<u64> = [300, 3600, 86_400, 604_800]
        .into_iter()
        .filter(|seconds| (policy.min..=policy.max).contains(seconds))
        .collect();
    if !choices.contains(&policy.default) {
        choices.push(policy.default);
        choices.sort_unstable();
    }
    options(choices, policy.default, |seconds| {
        duration_label(text, seconds)
    })
}

/// A `<select>`'s options: each value with its label (already HTML), `selected` chosen.
fn options(
    values: impl IntoIterator<Item = u64>,
    selected: u64,
    label: impl Fn(u64) -> String,
) -> String {
    values
        .into_iter()
        .map(|value| {
            let chosen = if value == selected { " selected" } else { "" };
            format!(
                "<option value=\"{value}\"{chosen}>{}</option>",
                label(value)
            )
        })
        .collect::<Vec<_>>()
        .join("\n          ")
}

fn duration_label(text: &Catalogue, seconds: u64) -> String {
    let (count, unit) = match seconds {
        s if s % 86_400 == 0 => (s / 86_400, "duration-days"),
        s if s % 3600 == 0 => (s / 3600, "duration-hours"),
        s if s % 60 == 0 => (s / 60, "duration-minutes"),
        s => (s, "duration-seconds"),
    };
    text.html(unit, &[("count", Arg::Number(count))])
}

/// The language picker's choices: "the browser's language", then every language in its
/// own name; the reader's choice selected, if they made one.
fn language_options(reader: Reader) -> String {
    let mut options = vec![format!(
        "<option value=\"\"{}>{}</option>",
        if reader.chosen { "" } else { " selected" },
        reader.catalogue.html("language-browser", &[])
    )];
    for language in LANGUAGES {
        let selected = reader.chosen && language.code == reader.catalogue.language.code;
        options.push(format!(
            "<option value=\"{code}\" lang=\"{code}\"{selected}>{name}</option>",
            code = language.code,
            selected = if selected { " selected" } else { "" },
            name = i18n::escape(language.name),
        ));
    }
    options.join("\n        ")
}

fn page(status: StatusCode, reader: Reader, title: &str, main: &str) -> HttpResponse {
    page_at(status, reader, title, main, "")
}

fn page_at(
    status: StatusCode,
    reader: Reader,
    title: &str,
    main: &str,
    picker: &str,
) -> HttpResponse {
    let text = reader.catalogue;
    let picker_action = if picker.is_empty() {
        String::new()
    } else {
        format!(" action=\"{}\"", i18n::escape(picker))
    };
    let html = render::fill(
        include_str!("layout.html"),
        text,
        &[
            ("lang", text.language.code),
            ("dir", if text.language.rtl { "rtl" } else { "ltr" }),
            ("title", &text.html(title, &[])),
            ("style", &STYLE.path),
            ("script", &SCRIPT.path),
            ("icon", &ICON.path),
            ("messages", text.script_messages()),
            ("languages", &language_options(reader)),
            ("query", &reader.query()),
            ("picker_action", &picker_action),
            ("main", main),
        ],
    );
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        // The pages hold keys (in the path, and in what the script shows): keep no copy.
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::VARY, "Accept-Language"))
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
        let en = i18n::english();
        let options = ttl_options(en, policy);
        assert!(options.contains(r#"<option value="300">5 minutes</option>"#));
        assert!(options.contains(r#"<option value="604800" selected>7 days</option>"#));
        let narrow = ttl_options(
            en,
            TtlPolicy {
                min: 600,
                max: 7200,
                default: 5400,
            },
        );
        assert_eq!(
            narrow,
            "<option value=\"3600\">1 hour</option>\n          <option value=\"5400\" selected>90 minutes</option>"
        );
        assert_eq!(duration_label(en, 61), "61 seconds");
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
