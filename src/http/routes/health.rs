//! Liveness, readiness and metrics.

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::error::{ApiError, ErrorBody};
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

/// Prometheus metrics (OpenMetrics text).
#[utoipa::path(get, path = "/metrics", tag = "operations", responses(
    (status = 200, description = "Counters, gauges and latency histograms in the OpenMetrics text format",
        content_type = "application/openmetrics-text", body = String,
        example = "# HELP burnbox_secrets_created Secrets stored.\n# TYPE burnbox_secrets_created counter\nburnbox_secrets_created_total 42\n# EOF\n"),
))]
pub async fn metrics() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(crate::metrics::CONTENT_TYPE)
        .body(crate::metrics::encode())
}

/// Body of `/ready`: the store answers, and which guarantees hold.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadyResponse {
    /// `ready`.
    #[schema(example = "ready")]
    pub status: &'static str,
    /// Replicas acknowledge every take and create before its answer leaves (`WAIT`), so a
    /// failover to one of them cannot bring a consumed secret, token or code back, nor
    /// lose one that was created.
    pub exactly_once_through_failover: bool,
    /// How many replicas each take and create waits for now (`BURNBOX_ACK_REPLICAS`).
    pub consume_ack_replicas: u32,
}

/// The store answers.
#[utoipa::path(get, path = "/ready", tag = "operations", responses(
    (status = 200, description = "The store answers", body = ReadyResponse,
        example = json!({"status": "ready", "exactly_once_through_failover": true, "consume_ack_replicas": 1})),
    (status = 503, description = "The store does not answer", body = ErrorBody,
        example = json!({"error": "store_unavailable", "message": "storage is unavailable, retry shortly"})),
))]
pub async fn ready(store: web::Data<dyn Store>) -> Result<HttpResponse, ApiError> {
    store.ping().await?;
    let replicas = store.acknowledging_replicas();
    Ok(HttpResponse::Ok().json(ReadyResponse {
        status: "ready",
        exactly_once_through_failover: replicas > 0,
        consume_ack_replicas: replicas,
    }))
}
