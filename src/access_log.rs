//! The access log: client address, route pattern (never the path, so no key in a URL
//! reaches a log), status and duration.

use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

use crate::extract::client_ip;
use crate::routes::pattern_of;

/// Logs `client method pattern status duration` for every request at `info`.
pub async fn access_log(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = request.method().clone();
    let client = client_ip(request.request());
    let response = next.call(request).await?;
    // Unmatched paths log as "-": an unknown URL may still hold a key.
    let pattern = pattern_of(response.request().path()).unwrap_or("-");
    log::info!(
        target: "burnbox::access",
        "{client} {method} {pattern} {} {:.1}ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(response)
}
