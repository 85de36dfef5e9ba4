//! `GET /metrics`: Prometheus' text format, and counts that move with traffic.

use std::collections::HashMap;

use serde_json::json;

use crate::helpers::TestApp;

/// Parses the exposition strictly: `# HELP`/`# TYPE` comments, `# EOF` last, and samples
/// `name{label="value",…} number`. Returns each sample's value by its full name.
fn parse(text: &str) -> HashMap<String, f64> {
    let mut samples = HashMap::new();
    let mut lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.pop(),
        Some("# EOF"),
        "the exposition must end with # EOF"
    );
    for line in lines {
        if let Some(comment) = line.strip_prefix("# ") {
            assert!(
                comment.starts_with("HELP ")
                    || comment.starts_with("TYPE ")
                    || comment.starts_with("UNIT "),
                "unexpected comment: {line}"
            );
            continue;
        }
        let (name, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("no value: {line}"));
        let value: f64 = value
            .parse()
            .unwrap_or_else(|_| panic!("bad value: {line}"));
        let bare = name.split('{').next().expect("a name");
        assert!(
            !bare.is_empty()
                && bare
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "bad metric name: {line}"
        );
        let labels = &name[bare.len()..];
        if !labels.is_empty() {
            assert!(
                labels.starts_with('{') && labels.ends_with('}'),
                "bad labels: {line}"
            );
            for pair in labels[1..labels.len() - 1].split(',') {
                let (key, quoted) = pair
                    .split_once('=')
                    .unwrap_or_else(|| panic!("bad label: {line}"));
                assert!(
                    !key.is_empty() && quoted.starts_with('"') && quoted.ends_with('"'),
                    "bad label: {line}"
                );
            }
        }
        samples.insert(name.to_owned(), value);
    }
    samples
}

async fn scrape(app: &TestApp) -> HashMap<String, f64> {
    let response = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("scrape");
    assert_eq!(response.status(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/openmetrics-text"),
        "{content_type}"
    );
    parse(&response.text().await.expect("body"))
}

fn value(samples: &HashMap<String, f64>, name: &str) -> f64 {
    samples.get(name).copied().unwrap_or(0.0)
}

#[tokio::test]
async fn metrics_parse_and_move_with_traffic() {
    // A process of its own: the registry is process-wide, and here nothing else moves it,
    // so every count below is exact.
    let served = crate::helpers::serve_binary(&[]).await;
    let app = &served.app;
    let before = scrape(app).await;

    let mut created = Vec::new();
    for _ in 0..3 {
        created.push(app.create_secret(json!({"secret": "counted"})).await);
    }
    app.reveal(&created[0].secret_key, None).await;
    app.reveal(&created[1].secret_key, None).await;
    app.delete(&format!("/api/secrets/{}", created[2].secret_key))
        .await;
    let minted = app.post("/api/tokens", json!({})).await;
    app.post(
        "/api/tokens/verify",
        json!({"token": minted.field("token")}),
    )
    .await;
    app.get("/api/secrets/not-a-key").await;

    let after = scrape(app).await;
    for (name, moved) in [
        ("burnbox_secrets_created_total", 3.0),
        ("burnbox_secrets_revealed_total", 2.0),
        ("burnbox_secrets_burned_total", 1.0),
        ("burnbox_tokens_minted_total", 1.0),
        ("burnbox_tokens_verified_total", 1.0),
        (
            r#"burnbox_http_requests_total{method="POST",route="/api/secrets",status="201"}"#,
            3.0,
        ),
        (
            r#"burnbox_http_requests_total{method="GET",route="/api/secrets/{secret_key}",status="404"}"#,
            1.0,
        ),
        (
            r#"burnbox_http_request_duration_seconds_count{route="/api/secrets/{secret_key}/reveal"}"#,
            2.0,
        ),
    ] {
        assert_eq!(
            value(&after, name) - value(&before, name),
            moved,
            "{name}: {} → {}",
            value(&before, name),
            value(&after, name)
        );
    }
    assert!(after.contains_key("burnbox_argon2_queue_depth"));
    assert!(
        after
            .keys()
            .all(|name| !name.contains(&created[0].secret_key)),
        "a key reached a metric label"
    );
}

// Each app here is a process of its own: the registry is process-wide, and other tests'
// apps in this binary would move its counts (a count that stays still here could pass on
// another test's refusals).
#[tokio::test]
async fn refused_requests_and_redis_errors_are_counted() {
    let served =
        crate::helpers::serve_binary(&[("BURNBOX_RATE_LIMIT_CREATE_PER_MINUTE", "1")]).await;
    let limited = &served.app;
    let before = scrape(limited).await;
    limited.create_secret(json!({"secret": "one"})).await;
    limited
        .post("/api/secrets", json!({"secret": "two"}))
        .await
        .assert_error(429, "rate_limited");
    let after = scrape(limited).await;
    assert_eq!(
        value(&after, "burnbox_rate_limited_total") - value(&before, "burnbox_rate_limited_total"),
        1.0
    );

    let redis = crate::helpers::RedisServer::start();
    let url = redis.url();
    let served = crate::helpers::serve_binary(&[
        ("BURNBOX_REDIS_URL", &url),
        ("BURNBOX_REDIS_TIMEOUT_MS", "300"),
    ])
    .await;
    let app = &served.app;
    redis.stop();
    let name = r#"burnbox_redis_errors_total{kind="unavailable"}"#;
    let timeouts = r#"burnbox_redis_errors_total{kind="timeout"}"#;
    let before = scrape(app).await;
    app.get("/ready")
        .await
        .assert_error(503, "store_unavailable");
    let after = scrape(app).await;
    let moved = value(&after, name) + value(&after, timeouts)
        - value(&before, name)
        - value(&before, timeouts);
    assert!(moved >= 1.0, "a Redis error was not counted");
}

#[tokio::test]
async fn secrets_redis_expires_are_counted_from_keyspace_notifications() {
    let redis = crate::helpers::RedisServer::start_with(
        crate::helpers::free_port(),
        &["--notify-keyspace-events", "Ex"],
    );
    let url = redis.url();
    let served =
        crate::helpers::serve_binary(&[("BURNBOX_REDIS_URL", &url), ("BURNBOX_TTL_MIN", "1")])
            .await;
    let app = &served.app;
    let name = "burnbox_secrets_expired_total";
    let before = value(&scrape(app).await, name);
    // Give the subscriber a moment to subscribe before the secret is stored.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let created = app
        .create_secret(json!({"secret": "expires", "ttl": 1}))
        .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while value(&scrape(app).await, name) < before + 1.0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the expiry was not counted"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    app.reveal(&created.secret_key, None)
        .await
        .assert_error(404, "not_found");
    // Exactly this one: nothing else expires in this process.
    assert_eq!(value(&scrape(app).await, name), before + 1.0);
}

#[tokio::test]
async fn invented_methods_do_not_grow_the_exposition() {
    // A process of its own: its "other" label comes from these requests alone.
    let served = crate::helpers::serve_binary(&[("BURNBOX_RATE_LIMIT_PER_MINUTE", "0")]).await;
    let app = &served.app;
    for n in 0..300 {
        let method = reqwest::Method::from_bytes(format!("AAAA{n}").as_bytes()).expect("a token");
        let response = app
            .client
            .request(method, app.url("/api/secrets"))
            .send()
            .await
            .expect("answered");
        assert_eq!(response.status(), 405);
    }
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("scrape")
        .text()
        .await
        .expect("body");
    let methods: std::collections::BTreeSet<&str> = text
        .split("method=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    let closed = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "other",
    ];
    assert!(
        methods.iter().all(|method| closed.contains(method)),
        "labels outside the closed set: {methods:?}"
    );
    assert!(methods.contains("other"), "{methods:?}");
}
