//! `/api/receipts`: the owner's view of a secret.

use actix_web::{HttpResponse, web};

use crate::domain::{ReceiptKey, ReceiptState, ReceiptView};
use crate::http::error::{ApiError, ErrorBody};
use crate::http::routes::secrets::SecretOwner;
use crate::secrets::SecretService;

fn receipt_key(path: &str) -> Result<ReceiptKey, ApiError> {
    ReceiptKey::parse(path).ok_or(ApiError::NotFound)
}

/// What happened to a secret: pending, revealed, burned or expired.
#[utoipa::path(get, path = "/api/receipts/{receipt_key}", tag = "receipts",
    params(("receipt_key" = String, Path, description = "The owner's receipt key")),
    responses(
        (status = 200, description = "The receipt", body = ReceiptView),
        (status = 404, description = "Unknown receipt, or its grace period has passed", body = ErrorBody),
        (status = 429, description = "Rate limited: see Retry-After and the RateLimit-* headers", body = ErrorBody,
            example = json!({"error": "rate_limited", "message": "too many requests; retry in 7 s"})),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn read_receipt(
    service: web::Data<SecretService>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let view = service.receipt(&receipt_key(&path)?).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Burn the secret if it is still pending; answers with the receipt afterwards.
#[utoipa::path(post, path = "/api/receipts/{receipt_key}/burn", tag = "receipts",
    params(("receipt_key" = String, Path, description = "The owner's receipt key")),
    responses(
        (status = 200, description = "The receipt after the burn (`burned`, or what happened first)", body = ReceiptView),
        (status = 404, description = "Unknown receipt, or its grace period has passed", body = ErrorBody),
        (status = 429, description = "Rate limited: see Retry-After and the RateLimit-* headers", body = ErrorBody,
            example = json!({"error": "rate_limited", "message": "too many requests; retry in 7 s"})),
        (status = 503, description = "Storage unavailable", body = ErrorBody),
    ))]
pub async fn burn_receipt(
    service: web::Data<SecretService>,
    owner: SecretOwner,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = receipt_key(&path)?;
    let view = service.burn_by_receipt(&key).await?;
    if view.state == ReceiptState::Burned {
        owner.burned_receipt(&key).await?;
    }
    Ok(HttpResponse::Ok().json(view))
}
