//! File secrets over plain HTTP: start an upload, `PUT` its chunks in order, finish it
//! (then it is a secret like any other, revealed by `POST /api/secrets/{key}/reveal`), and
//! download what a reveal handed out, streamed.

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::stream;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::secrets::{CreatedSecretResponse, SecretOwner};
use crate::domain::file::MAX_CHUNK_BYTES;
use crate::domain::time::rfc3339;
use crate::domain::{
    ChunkIndex, DeclaredBytes, FileName, MediaType, Passphrase, SecretText, UploadKey, parse_views,
};
use crate::files::{FileLabel, FileService, NewFile};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::extract::{Json, client_address, read_body};
use crate::http::pages::Links;
use crate::rate_limit::RateLimiter;

/// A file about to be uploaded.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartUploadRequest {
    /// Bytes the chunks will carry in all (the sum of the `PUT` bodies): 1 to
    /// `BURNBOX_MAX_FILE_BYTES`, plus 32 bytes per started 64 KiB for a client's encryption.
    #[schema(example = 1_048_464, minimum = 1, nullable = false)]
    #[serde(default, deserialize_with = "crate::http::extract::optional_integer")]
    pub bytes: Option<i64>,
    /// With `e2e`: the e2e2 envelope of the file's name, type and size (see
    /// docs/security.md); the server never sees them.
    pub secret: Option<String>,
    /// `true` when `secret` is an e2e2 envelope and the chunks were encrypted by the
    /// sender's client (the pages, `burnbox share FILE`).
    #[serde(default)]
    #[schema(default = false)]
    pub e2e: bool,
    /// Without `e2e`: the file's name (1–255 bytes of UTF-8, no `/`, `\` or control characters).
    #[schema(example = "report.pdf")]
    pub name: Option<String>,
    /// Without `e2e`: its media type.
    #[serde(rename = "type")]
    #[schema(example = "application/pdf")]
    pub media_type: Option<String>,
    /// Optional passphrase the reader must give as well (1–1024 characters).
    pub passphrase: Option<String>,
    /// Seconds until the file expires, counted from now (default `BURNBOX_TTL_DEFAULT`).
    #[schema(example = 3600)]
    #[serde(default, deserialize_with = "crate::http::extract::optional_integer")]
    pub ttl: Option<i64>,
    /// Views allowed (1–100, default 1).
    #[schema(example = 1, minimum = 1, maximum = 100)]
    #[serde(default, deserialize_with = "crate::http::extract::optional_integer")]
    pub max_views: Option<i64>,
    /// Whether a link holder may burn what is left (default: `true` for one view).
    pub viewer_may_burn: Option<bool>,
}

/// An upload under way: nothing can be revealed until it is finished.
#[derive(Debug, Serialize, ToSchema)]
pub struct StartedUploadResponse {
    /// The upload's key: its chunks and its finish name it. Keep it to yourself.
    #[schema(example = "q7Zc3UPl0adK3yW9vR4tL6nJ5hG0fDxA")]
    pub upload: String,
    /// Bytes declared.
    #[schema(example = 1_048_464)]
    pub bytes: u64,
    /// Most bytes one chunk may carry.
    #[schema(example = 1_048_512)]
    pub chunk_bytes_max: usize,
    /// When the upload, and the secret it becomes, expire (RFC 3339).
    #[schema(example = "2026-12-07T16:10:18Z")]
    pub expires_at: String,
    /// Where its chunks go: append the index (0, 1, …) and `PUT` each.
    #[schema(example = "/api/files/uploads/q7Zc3UPl0adK3yW9vR4tL6nJ5hG0fDxA/chunks/")]
    pub chunks_url: String,
}

/// What has arrived of an upload.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadProgressResponse {
    /// Chunks received.
    #[schema(example = 1)]
    pub chunks: u32,
    /// Bytes received.
    #[schema(example = 1_048_464)]
    pub bytes: u64,
}

/// A finished upload: the keys of its secret, as for `POST /api/secrets`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FinishedUploadResponse {
    /// The keys and links.
    #[serde(flatten)]
    pub created: CreatedSecretResponse,
    /// The file.
    pub file: FinishedFile,
}

/// The file of a finished upload.
#[derive(Debug, Serialize, ToSchema)]
pub struct FinishedFile {
    /// Bytes of its content.
    #[schema(example = 1_048_464)]
    pub bytes: u64,
}

fn upload_key(path: &str) -> Result<UploadKey, ApiError> {
    UploadKey::parse(path).ok_or(ApiError::NotFound)
}

/// Start a file upload.
#[utoipa::path(post, path = "/api/files", tag = "files", request_body = StartUploadRequest,
    responses(
        (status = 201, description = "Started: `PUT` the chunks, then finish", body = StartedUploadResponse),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 413, description = "The file is larger than `BURNBOX_MAX_FILE_BYTES`", body = ErrorBody,
            example = json!({"error": "file_too_large", "message": "the file is 30000000 bytes; the limit is 26214400 bytes (and 12832 of encryption overhead)"})),
        (status = 415, description = "Body is not application/json", body = ErrorBody),
        (status = 422, description = "No `bytes`, a bad name or type, not an e2e2 envelope with `e2e`, bad passphrase or TTL out of range", body = ErrorBody,
            example = json!({"error": "invalid_file", "message": "bytes must be a positive integer"})),
        (status = 429, description = "Rate limited, or the hourly byte budget of the client or account is spent: see Retry-After", body = ErrorBody),
        (status = 503, description = "Storage unavailable or Argon2 pool full", body = ErrorBody),
    ))]
pub async fn start_upload(
    request: HttpRequest,
    files: web::Data<FileService>,
    limiter: Option<web::Data<RateLimiter>>,
    owner: SecretOwner,
    body: Json<StartUploadRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let secrets = files.secrets().policy();
    let bytes = DeclaredBytes::parse(body.bytes, files.policy().max_file_bytes)?;
    let label = match (body.e2e, body.secret) {
        (true, Some(secret)) if body.name.is_none() && body.media_type.is_none() => {
            FileLabel::Envelope(SecretText::parse_envelope(
                secret,
                secrets.max_secret_bytes,
            )?)
        }
        (false, None) => FileLabel::Plain {
            name: body.name.map(FileName::parse).transpose()?,
            media_type: body.media_type.map(MediaType::parse).transpose()?,
        },
        _ => {
            return Err(crate::domain::ValidationError::invalid(
                "invalid_file",
                "send either `secret` (an e2e2 envelope of name, type and size) with `e2e: true`, or `name` and `type` without them",
            )
            .into());
        }
    };
    let passphrase = Passphrase::parse_optional(body.passphrase)?;
    let ttl = secrets.ttl.parse(body.ttl)?;
    let views = parse_views(body.max_views, body.viewer_may_burn)?;
    if let Some(limiter) = limiter {
        let account = owner.account().map(|account| account.user.id.to_string());
        limiter
            .charge_file_bytes(
                client_address(&request),
                account.as_deref().map(str::as_bytes),
                bytes.get(),
            )
            .await?;
    }
    let started = files
        .start(NewFile {
            bytes,
            label,
            passphrase,
            ttl,
            views,
        })
        .await?;
    let upload = started.upload_key.key().encode();
    Ok(HttpResponse::Created().json(StartedUploadResponse {
        chunks_url: format!("/api/files/uploads/{upload}/chunks/"),
        upload,
        bytes: started.bytes,
        chunk_bytes_max: MAX_CHUNK_BYTES,
        expires_at: rfc3339(started.expires_at),
    }))
}

/// Upload one chunk.
#[utoipa::path(put, path = "/api/files/uploads/{upload}/chunks/{index}", tag = "files",
    params(("upload" = String, Path, description = "The upload's key"),
        ("index" = u32, Path, maximum = 8191, description = "The chunk's index: 0, 1, … in order; the last one again replaces it (a retry)")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The chunk's bytes: 1 to 1048512"),
    responses(
        (status = 200, description = "Stored", body = UploadProgressResponse),
        (status = 404, description = "Unknown, expired or finished upload", body = ErrorBody),
        (status = 409, description = "Not the next chunk (nor the last one again), more bytes than the upload declared (`upload_exceeds_declared`), or a chunk below 65536 bytes that is not the upload's last (`chunk_too_small`)", body = ErrorBody,
            example = json!({"error": "chunk_out_of_order", "message": "chunks go in order: the next one is 3"})),
        (status = 413, description = "The chunk is larger than 1048512 bytes", body = ErrorBody),
        (status = 422, description = "Empty chunk or bad index", body = ErrorBody),
        (status = 429, description = "Rate limited: see Retry-After", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn put_chunk(
    request: HttpRequest,
    files: web::Data<FileService>,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (upload, index) = path.into_inner();
    let upload = upload_key(&upload)?;
    let index = ChunkIndex::parse(&index)?;
    // Refused before a byte of the body is read: too long a body, an unknown upload.
    let declared_length = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > MAX_CHUNK_BYTES as u64) {
        return Err(ApiError::BodyTooLarge {
            limit: MAX_CHUNK_BYTES,
        });
    }
    let opened = files.open_upload(&upload).await?;
    let body = read_body(payload, MAX_CHUNK_BYTES).await?;
    if body.is_empty() {
        return Err(crate::domain::ValidationError::invalid(
            "empty_chunk",
            "a chunk carries at least one byte",
        )
        .into());
    }
    let (chunks, bytes) = files
        .put_opened_chunk(&upload, &opened, index, &body)
        .await?;
    Ok(HttpResponse::Ok().json(UploadProgressResponse { chunks, bytes }))
}

/// Finish an upload: the file becomes a secret.
#[utoipa::path(post, path = "/api/files/uploads/{upload}/finish", tag = "files",
    params(("upload" = String, Path, description = "The upload's key")),
    responses(
        (status = 201, description = "Created; share `secret_key`, keep `receipt_key`", body = FinishedUploadResponse),
        (status = 404, description = "Unknown, expired or already finished upload", body = ErrorBody),
        (status = 409, description = "Not every declared byte arrived: nothing was created", body = ErrorBody,
            example = json!({"error": "upload_incomplete", "message": "1048464 of the 2096928 bytes declared arrived (in 1 chunks); send the rest, then finish again: nothing was created"})),
        (status = 429, description = "Rate limited: see Retry-After", body = ErrorBody),
        (status = 503, description = "Storage unavailable, or the replicas did not confirm in time", body = ErrorBody),
    ))]
pub async fn finish_upload(
    files: web::Data<FileService>,
    owner: SecretOwner,
    links: web::Data<Links>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (created, bytes) = files.finish(&upload_key(&path)?).await?;
    owner.record(&created).await?;
    Ok(HttpResponse::Created().json(FinishedUploadResponse {
        created: CreatedSecretResponse::new(&created, &links),
        file: FinishedFile { bytes },
    }))
}

/// Abandon an upload: its chunks go now, not at its expiry.
#[utoipa::path(delete, path = "/api/files/uploads/{upload}", tag = "files",
    params(("upload" = String, Path, description = "The upload's key")),
    responses(
        (status = 204, description = "Dropped, with its chunks"),
        (status = 404, description = "Unknown, expired or already finished upload", body = ErrorBody),
        (status = 429, description = "Rate limited: see Retry-After", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn abort_upload(
    files: web::Data<FileService>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    files.abort(&upload_key(&path)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Download a revealed file's content, streamed.
#[utoipa::path(get, path = "/api/files/{ticket}", tag = "files",
    params(("ticket" = String, Path, description = "From the reveal's `file.download`")),
    responses(
        (status = 200, description = "The content as uploaded (for an e2e file, its encrypted chunks)", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, description = "Unknown or expired ticket, or the file is gone", body = ErrorBody),
        (status = 429, description = "Rate limited: see Retry-After", body = ErrorBody),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn download(
    files: web::Data<FileService>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let download = files.download(&path).await?;
    let disposition = match &download.name {
        Some(name) => content_disposition(name.as_str()),
        None => HeaderValue::from_static("attachment"),
    };
    let length = download.bytes;
    let chunks = stream::unfold(Some(download), |download| async move {
        let mut download = download?;
        match download.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(Bytes::from(chunk)), Some(download))),
            Ok(None) => None,
            // The length is promised already: ending short tells the reader.
            Err(error) => {
                log::warn!("a file download ended early: {error}");
                Some((Err(actix_web::error::ErrorInternalServerError("")), None))
            }
        }
    });
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/octet-stream"))
        .insert_header((CONTENT_DISPOSITION, disposition))
        .no_chunking(length)
        .streaming(chunks))
}

/// `attachment` with the file's name: ASCII as `filename`, and RFC 5987's UTF-8
/// `filename*` (percent-encoded) for the rest.
fn content_disposition(name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_safely_in_the_disposition() {
        let value = content_disposition("a \"b\"\\é.txt");
        assert_eq!(
            value.to_str().ok(),
            Some("attachment; filename=\"a _b___.txt\"; filename*=UTF-8''a%20%22b%22%5C%C3%A9.txt")
        );
    }
}
