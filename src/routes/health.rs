//! Liveness and readiness.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::store::Store;

/// Body of `/health` and `/ready`.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthResponse {
    /// `ok` or `ready`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(get, path = "/health", tag = "operations",
    responses((status = 200, description = "The process is up", body = HealthResponse)))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(HealthResponse { status: "ok" })
}

/// The store answers.
#[utoipa::path(get, path = "/ready", tag = "operations", responses(
    (status = 200, description = "The store answers", body = HealthResponse,
        example = json!({"status": "ready"})),
    (status = 503, description = "The store does not answer", body = ErrorBody,
        example = json!({"error": "store_unavailable", "message": "storage is unavailable, retry shortly"})),
))]
pub async fn ready(store: web::Data<dyn Store>) -> Result<HttpResponse, ApiError> {
    store.ping().await?;
    Ok(HttpResponse::Ok().json(HealthResponse { status: "ready" }))
}
