//! The access log and the request metrics: client address, route pattern (never the
//! path, so no key in a URL reaches a log or a label), status and duration.

use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

use crate::http::extract::client_address;
use crate::http::route_table::pattern_of;
use crate::metrics::{METRICS, RequestLabels, RouteLabels};

/// Logs `client method pattern status duration` for every request at `info`, and counts
/// it in the request metrics.
pub async fn access_log(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = request.method().clone();
    let client = client_address(request.request());
    let response = next.call(request).await?;
    // Unmatched paths log as "-": an unknown URL may still hold a key.
    let pattern = pattern_of(response.request().match_info().as_str()).unwrap_or("-");
    let status = response.status().as_u16();
    let seconds = started.elapsed().as_secs_f64();
    log::info!(
        target: "burnbox::access",
        "{client} {method} {pattern} {status} {:.1}ms",
        seconds * 1000.0
    );
    METRICS
        .requests
        .get_or_create(&RequestLabels {
            method: method_label(&method),
            route: pattern,
            status,
        })
        .inc();
    METRICS
        .latency
        .get_or_create(&RouteLabels { route: pattern })
        .observe(seconds);
    Ok(response)
}

/// The method as a metric label, from a closed set: a client inventing methods must not
/// grow the registry without bound.
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::TRACE,
        Method::CONNECT,
    ];
    KNOWN
        .iter()
        .find(|known| *known == method)
        .map_or("other", Method::as_str)
}
