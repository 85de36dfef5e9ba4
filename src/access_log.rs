//! The access log: route pattern, never the path, so no key in a URL reaches a log.

use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;

/// Logs `peer method pattern status duration` for every request at `info`.
pub async fn access_log(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = request.method().clone();
    let peer = request
        .peer_addr()
        .map_or_else(|| "-".to_owned(), |address| address.ip().to_string());
    let response = next.call(request).await?;
    // Unmatched paths log as "-": an unknown URL may still hold a key.
    let pattern = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "-".to_owned());
    log::info!(
        target: "burnbox::access",
        "{peer} {method} {pattern} {} {:.1}ms",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    Ok(response)
}
