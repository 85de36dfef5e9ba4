//! The pages' static files: named after a hash of their content, so cached for good.

use std::sync::LazyLock;

use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use crate::http::error::ApiError;

/// A static file, named after a hash of its content so that it can be cached for good.
pub struct Asset {
    /// The file's path, `/assets/<stem>.<hash>.<extension>`.
    pub path: String,
    content_type: &'static str,
    etag: String,
    body: Bytes,
}

impl Asset {
    fn new(stem: &str, extension: &str, content_type: &'static str, body: String) -> Self {
        let hash = blake3::hash(body.as_bytes()).to_hex();
        let short = &hash.as_str()[..16];
        Self {
            path: format!("/assets/{stem}.{short}.{extension}"),
            content_type,
            etag: format!("\"{short}\""),
            body: Bytes::from(body),
        }
    }
}

/// The pages' script. It imports the QR code library (on the share page, when a link is
/// made) by the name the server gives it, so the script's own hash changes with the
/// library's.
pub static SCRIPT: LazyLock<Asset> = LazyLock::new(|| {
    let source = include_str!("assets/burnbox.js")
        .replace("\"./vendor/qrcodegen.js\"", &format!("\"{}\"", QRCODE.path));
    Asset::new("burnbox", "js", "text/javascript; charset=utf-8", source)
});

/// Project Nayuki's QR code generator (MIT; npm's `nayuki-qr-code-generator@1.8.0` build,
/// vendored byte for byte with its licence in `assets/vendor/`): the link's QR code is made in the browser, from the key the server
/// never sees.
pub static QRCODE: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "qrcodegen",
        "js",
        "text/javascript; charset=utf-8",
        include_str!("assets/vendor/qrcodegen.js").to_owned(),
    )
});

/// The pages' style sheet.
pub static STYLE: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "burnbox",
        "css",
        "text/css; charset=utf-8",
        include_str!("assets/burnbox.css").to_owned(),
    )
});

/// The pages' icon.
pub static ICON: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "burnbox",
        "svg",
        "image/svg+xml",
        include_str!("assets/burnbox.svg").to_owned(),
    )
});

/// Serves `/assets/{file}`: immutable, as the name changes with the content.
pub async fn asset(request: HttpRequest, file: web::Path<String>) -> HttpResponse {
    let wanted = format!("/assets/{file}");
    let Some(asset) = [&*SCRIPT, &*QRCODE, &*STYLE, &*ICON]
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
            .body(asset.body.clone())
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
