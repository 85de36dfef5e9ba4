//! Prometheus metrics at `GET /metrics`, in the OpenMetrics text format Prometheus scrapes.
//!
//! `prometheus-client` is the Prometheus project's own Rust client: typed label sets, no
//! global state of its own, and the text encoder. One registry serves the process; every
//! count is this instance's (sum over instances), except `burnbox_secrets_expired_total`
//! (see [`Metrics::secrets_expired`]).

use std::sync::LazyLock;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The content type of [`encode`]'s output.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Labels of an HTTP request: method, route pattern (never the path: it may hold a key),
/// status.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// HTTP method: one of the nine standard ones, or `other`.
    pub method: &'static str,
    /// Route pattern, `-` for unknown paths.
    pub route: &'static str,
    /// Response status.
    pub status: u16,
}

/// Labels of a request's latency: its route pattern.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// Route pattern, `-` for unknown paths.
    pub route: &'static str,
}

/// Labels of a Redis error: what kind it was.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RedisErrorLabels {
    /// `unavailable`, `timeout`, `corrupt` or `unsupported`.
    pub kind: &'static str,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// Every metric burnbox exports.
pub struct Metrics {
    registry: Registry,
    /// Requests by method, route pattern and status.
    pub requests: Family<RequestLabels, Counter>,
    /// Request latency by route pattern, in seconds.
    pub latency: LatencyFamily,
    /// Secrets stored.
    pub secrets_created: Counter,
    /// Secrets handed out.
    pub secrets_revealed: Counter,
    /// Views handed out again to a retry with the idempotency key that took them.
    pub reveals_replayed: Counter,
    /// Secrets destroyed unread (link holder, owner, or too many wrong passphrases).
    pub secrets_burned: Counter,
    /// Secrets Redis expired unread, from its keyspace notifications (single-server Redis
    /// with `notify-keyspace-events Ex`). Every instance hears every expiry: aggregate
    /// with `max`, not `sum`.
    pub secrets_expired: Counter,
    /// Tokens minted.
    pub tokens_minted: Counter,
    /// Tokens verified (and so consumed).
    pub tokens_verified: Counter,
    /// Requests refused by a rate limit.
    pub rate_limited: Counter,
    /// Requests with a forwarding header from a peer that is not a trusted proxy (never
    /// in a trusted network): usually a proxy missing from `BURNBOX_TRUSTED_PROXIES`.
    pub untrusted_forwarded_requests: Counter,
    /// Failed Redis operations by kind.
    pub redis_errors: Family<RedisErrorLabels, Counter>,
    /// Argon2 hashes admitted and not yet finished (queued or running).
    pub argon2_queue_depth: Gauge,
    /// Takes the replicas acknowledged in time.
    pub consume_acknowledged: Counter,
    /// Takes the replicas did not acknowledge in time (answered 503 `not_durable`).
    pub consume_ack_timeouts: Counter,
    /// Creates the replicas did not acknowledge in time (answered 503 `not_durable`, no
    /// key handed out).
    pub create_ack_timeouts: Counter,
    /// Takes refused before consuming anything: the server was not a master, or had fewer
    /// replicas online than takes wait for (answered 503 `not_durable`).
    pub consume_refused: Counter,
    /// Seconds a take waited for its acknowledgments.
    pub consume_ack_wait: Histogram,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms … ~8 s.
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

impl Metrics {
    fn new() -> Self {
        let mut registry = Registry::with_prefix("burnbox");
        let metrics = Self {
            registry: Registry::default(),
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
            secrets_created: Counter::default(),
            secrets_revealed: Counter::default(),
            reveals_replayed: Counter::default(),
            secrets_burned: Counter::default(),
            secrets_expired: Counter::default(),
            tokens_minted: Counter::default(),
            tokens_verified: Counter::default(),
            rate_limited: Counter::default(),
            untrusted_forwarded_requests: Counter::default(),
            redis_errors: Family::default(),
            argon2_queue_depth: Gauge::default(),
            consume_acknowledged: Counter::default(),
            consume_ack_timeouts: Counter::default(),
            consume_refused: Counter::default(),
            create_ack_timeouts: Counter::default(),
            consume_ack_wait: Histogram::new(exponential_buckets(0.000_05, 2.0, 14)),
        };
        registry.register(
            "http_requests",
            "HTTP requests by method, route pattern and status",
            metrics.requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route pattern",
            metrics.latency.clone(),
        );
        for (name, help, counter) in [
            (
                "secrets_created",
                "Secrets stored",
                &metrics.secrets_created,
            ),
            (
                "secrets_revealed",
                "Secrets handed out",
                &metrics.secrets_revealed,
            ),
            (
                "reveals_replayed",
                "Views handed out again to a retry with the same idempotency key",
                &metrics.reveals_replayed,
            ),
            (
                "secrets_burned",
                "Secrets destroyed unread",
                &metrics.secrets_burned,
            ),
            (
                "secrets_expired",
                "Secrets expired unread, from Redis keyspace notifications (every instance counts every expiry)",
                &metrics.secrets_expired,
            ),
            (
                "tokens_minted",
                "One-time tokens minted",
                &metrics.tokens_minted,
            ),
            (
                "tokens_verified",
                "One-time tokens verified and consumed",
                &metrics.tokens_verified,
            ),
            (
                "rate_limited",
                "Requests refused by a rate limit",
                &metrics.rate_limited,
            ),
            (
                "untrusted_forwarded_requests",
                "Requests with a forwarding header from a peer not in BURNBOX_TRUSTED_PROXIES (never in a trusted network)",
                &metrics.untrusted_forwarded_requests,
            ),
            (
                "consume_acknowledged",
                "Takes (reveals, burns, token and code uses) acknowledged by the replicas in time",
                &metrics.consume_acknowledged,
            ),
            (
                "consume_ack_timeouts",
                "Takes not acknowledged by the replicas in time, answered 503 not_durable",
                &metrics.consume_ack_timeouts,
            ),
            (
                "consume_refused",
                "Takes refused before consuming anything (no master, or too few replicas online), answered 503 not_durable",
                &metrics.consume_refused,
            ),
            (
                "create_ack_timeouts",
                "Creates (secrets, requests, tokens, codes) not acknowledged by the replicas in time, answered 503 not_durable with no key handed out",
                &metrics.create_ack_timeouts,
            ),
        ] {
            registry.register(name, help, counter.clone());
        }
        registry.register(
            "redis_errors",
            "Failed Redis operations by kind",
            metrics.redis_errors.clone(),
        );
        registry.register(
            "consume_ack_wait_seconds",
            "Time a take waited for its replica acknowledgments",
            metrics.consume_ack_wait.clone(),
        );
        registry.register(
            "argon2_queue_depth",
            "Argon2 hashes admitted and not yet finished",
            metrics.argon2_queue_depth.clone(),
        );
        Self {
            registry,
            ..metrics
        }
    }

    /// Counts a failed Redis operation of `kind` (the store names its errors: see
    /// `StoreError::kind`), so this module needs no storage type.
    pub fn redis_error(&self, kind: &'static str) {
        self.redis_errors
            .get_or_create(&RedisErrorLabels { kind })
            .inc();
    }
}

/// The process's metrics.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// The metrics in the OpenMetrics text format.
pub fn encode() -> String {
    let mut text = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut text, &METRICS.registry);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_names_every_metric_and_ends_as_openmetrics_requires() {
        METRICS.redis_error("timeout");
        let route = "/health";
        METRICS
            .requests
            .get_or_create(&RequestLabels {
                method: "GET",
                route,
                status: 200,
            })
            .inc();
        METRICS
            .latency
            .get_or_create(&RouteLabels { route })
            .observe(0.001);
        let text = encode();
        for name in [
            "burnbox_http_requests_total",
            "burnbox_http_request_duration_seconds",
            "burnbox_secrets_created_total",
            "burnbox_secrets_revealed_total",
            "burnbox_reveals_replayed_total",
            "burnbox_secrets_burned_total",
            "burnbox_secrets_expired_total",
            "burnbox_tokens_minted_total",
            "burnbox_tokens_verified_total",
            "burnbox_rate_limited_total",
            "burnbox_untrusted_forwarded_requests_total",
            "burnbox_redis_errors_total{kind=\"timeout\"}",
            "burnbox_argon2_queue_depth",
        ] {
            assert!(text.contains(name), "{name} missing from:\n{text}");
        }
        assert!(text.ends_with("# EOF\n"));
    }
}
