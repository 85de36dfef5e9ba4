//! Abuse resistance: limits shared through Redis, a bounded Argon2 pool, CORS, headers,
//! slow clients.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{Backend, spawn_app, spawn_app_with};

/// Two instances on one Redis and one key prefix (returned), `per_minute` requests each
/// minute per client.
async fn two_instances_per_minute(
    per_minute: u32,
) -> (crate::helpers::TestApp, crate::helpers::TestApp, String) {
    let prefix = format!(
        "shared{}:",
        u64::from_be_bytes(burnbox::crypto::random_array())
    );
    let per_minute = per_minute.to_string();
    let args = [
        "--key-prefix",
        prefix.as_str(),
        "--rate-limit-per-minute",
        per_minute.as_str(),
    ];
    (
        spawn_app_with(Backend::Redis, &args).await,
        spawn_app_with(Backend::Redis, &args).await,
        prefix,
    )
}

#[tokio::test]
async fn two_instances_on_one_redis_share_one_budget() {
    let (first, second, _) = two_instances_per_minute(6).await;
    let mut statuses = Vec::new();
    for round in 0..4 {
        for app in [&first, &second] {
            statuses.push((round, app.get("/api/secrets/unknown-key").await.status));
        }
    }
    let allowed = statuses.iter().filter(|(_, status)| *status == 404).count();
    assert_eq!(
        allowed, 6,
        "six requests in all, whichever instance: {statuses:?}"
    );
    let refused = first.get("/api/secrets/unknown-key").await;
    refused.assert_error(429, "rate_limited");
    let retry_after: u64 = refused
        .header("retry-after")
        .parse()
        .expect("Retry-After seconds");
    assert!(
        (1..=90).contains(&retry_after),
        "within a window and a half: {retry_after}"
    );
    assert_eq!(refused.header("ratelimit-remaining"), "0");
    assert_eq!(refused.header("cache-control"), "no-store");
}

/// Waits, if need be, until the current minute has `seconds` left: windows are whole
/// minutes of the clock, and a test that counts one window's budget must stay inside it.
async fn with_a_minute_left(seconds: u64) {
    let into = burnbox::domain::time::now_micros() % 60_000_000;
    if into > (60 - seconds) * 1_000_000 {
        tokio::time::sleep(Duration::from_micros(60_000_000 - into + 100_000)).await;
    }
}

/// Instances count requests in Redis ahead of use, a lease at a time, and spend them
/// locally. Every request admitted was counted first, so two instances under concurrent
/// load together admit exactly the budget: none over it, and, once both have spent what
/// they leased, none short of it.
#[tokio::test]
async fn leased_budgets_never_overshoot_across_instances() {
    let (first, second, prefix) = two_instances_per_minute(80).await;
    with_a_minute_left(20).await;
    // One request leases eight (80 / 8): Redis already counts them.
    assert_eq!(first.get("/api/secrets/unknown-key").await.status, 404);
    let mut redis = first.redis().await;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}{{rl*"))
        .query_async(&mut redis)
        .await
        .expect("keys");
    assert_eq!(keys.len(), 1, "one key per client and window: {keys:?}");
    let counted: Vec<u32> = redis::cmd("BITFIELD")
        .arg(&keys[0])
        .arg("GET")
        .arg("u32")
        .arg("#0")
        .query_async(&mut redis)
        .await
        .expect("bitfield");
    assert_eq!(counted, [8]);
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&keys[0])
        .query_async(&mut redis)
        .await
        .expect("pttl");
    assert!(ttl > 60_000 && ttl <= 120_000, "two windows: {ttl}");

    // 159 more, 16 at a time, alternating instances.
    let mut statuses = vec![404];
    for round in 0..10 {
        let batch = (0..16)
            .filter(|index| round * 16 + index < 159)
            .map(|index| {
                let app = if index % 2 == 0 { &first } else { &second };
                app.get("/api/secrets/unknown-key")
            });
        for reply in futures_util::future::join_all(batch).await {
            statuses.push(reply.status);
        }
    }
    let admitted = statuses.iter().filter(|status| **status == 404).count();
    let refused = statuses.iter().filter(|status| **status == 429).count();
    assert_eq!((admitted, refused), (80, 80), "{statuses:?}");
    // Both have spent their leases: neither admits one more.
    for app in [&first, &second] {
        app.get("/api/secrets/unknown-key")
            .await
            .assert_error(429, "rate_limited");
    }
}

#[tokio::test]
async fn every_api_response_reports_the_budget() {
    let app = spawn_app_with(Backend::Memory, &["--rate-limit-per-minute", "100"]).await;
    let first = app.get("/api/secrets/unknown").await;
    let second = app.get("/api/secrets/unknown").await;
    assert_eq!(first.header("ratelimit-limit"), "100");
    assert_eq!(first.header("ratelimit-remaining"), "99");
    assert_eq!(second.header("ratelimit-remaining"), "98");
    assert!(
        first
            .header("ratelimit-reset")
            .parse::<u64>()
            .expect("seconds")
            >= 1
    );
    let created = app.post("/api/secrets", json!({"secret": "x"})).await;
    // Creation is the tighter limit (60 per minute), so it is the one reported.
    assert_eq!(created.header("ratelimit-limit"), "60");
    assert_eq!(created.header("ratelimit-remaining"), "59");
}

#[tokio::test]
async fn creation_has_its_own_tighter_limit() {
    let app = spawn_app_with(Backend::Redis, &["--rate-limit-create-per-minute", "2"]).await;
    for _ in 0..2 {
        assert_eq!(
            app.post("/api/secrets", json!({"secret": "x"}))
                .await
                .status,
            201
        );
    }
    app.post("/api/secrets/generate", json!({}))
        .await
        .assert_error(429, "rate_limited");
    // Other routes still answer: only creation is spent.
    assert_eq!(app.get("/api/secrets/unknown").await.status, 404);
}

#[tokio::test]
async fn a_call_without_the_credentials_it_needs_is_a_401_not_a_charge() {
    let app = spawn_app_with(Backend::Redis, &["--rate-limit-per-minute", "1"]).await;
    for _ in 0..5 {
        for path in ["/api/me", "/api/admin/audit", "/api/v1/private/recent"] {
            let reply = app.get(path).await;
            assert_eq!(reply.status, 401, "{path}: {}", reply.body);
        }
    }
    // Those cost nothing: the one request a minute is still there, and then spent.
    assert_eq!(app.get("/api/secrets/unknown").await.status, 404);
    app.get("/api/secrets/unknown")
        .await
        .assert_error(429, "rate_limited");
    // A credential, even a wrong one, is counted like any request.
    let reply = app
        .send(
            reqwest::Method::GET,
            "/api/me",
            Some("bbk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
            None,
        )
        .await;
    reply.assert_error(429, "rate_limited");
}

#[tokio::test]
async fn operational_routes_are_never_limited() {
    let app = spawn_app_with(Backend::Redis, &["--rate-limit-per-minute", "1"]).await;
    for _ in 0..5 {
        for path in ["/health", "/ready", "/openapi.json", "/docs/"] {
            let response = app.client.get(app.url(path)).send().await.expect("request");
            assert_eq!(response.status().as_u16(), 200, "{path}");
            assert!(
                response.headers().get("ratelimit-limit").is_none(),
                "{path}"
            );
        }
    }
    assert_eq!(app.get("/api/secrets/unknown").await.status, 404);
    app.get("/api/secrets/unknown")
        .await
        .assert_error(429, "rate_limited");
}

#[tokio::test]
async fn wrong_passphrases_are_limited_per_client_across_secrets() {
    let app = spawn_app_with(Backend::Redis, &["--passphrase-failures-per-hour", "2"]).await;
    let mut keys = Vec::new();
    for _ in 0..3 {
        keys.push(
            app.create_secret(json!({"secret": "s", "passphrase": "right"}))
                .await,
        );
    }
    for created in &keys[..2] {
        app.reveal(&created.secret_key, Some("wrong"))
            .await
            .assert_error(403, "wrong_passphrase");
    }
    // Two failures spent the hour's budget: no more guesses on any secret.
    let refused = app.reveal(&keys[2].secret_key, Some("another guess")).await;
    refused.assert_error(429, "rate_limited");
    assert!(
        refused
            .header("retry-after")
            .parse::<u64>()
            .expect("seconds")
            > 60
    );
    assert_eq!(
        app.receipt_state(&keys[2].receipt_key).await,
        "pending",
        "not consumed"
    );
    // Right passphrases do not spend it, but the client must wait like everyone else.
    app.reveal(&keys[2].secret_key, Some("right"))
        .await
        .assert_error(429, "rate_limited");
}

/// Guesses checked at once cannot overdraw the budget: each is charged before its Argon2
/// work and refunded only when it was right.
async fn parallel_wrong_guesses_cannot_overdraw_the_budget(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[
            "--passphrase-failures-per-hour",
            "3",
            // Slow enough that all guesses are in flight together.
            "--argon2-memory-kib",
            "8192",
            "--argon2-workers",
            "1",
        ],
    )
    .await;
    let mut secrets = Vec::new();
    for _ in 0..6 {
        secrets.push(
            app.create_secret(json!({"secret": "s", "passphrase": "right"}))
                .await,
        );
    }
    let guesses: Vec<_> = secrets
        .iter()
        .chain(&secrets)
        .map(|created| {
            let request = app
                .client
                .post(app.url(&format!("/api/secrets/{}/reveal", created.secret_key)))
                .json(&json!({"passphrase": "wrong"}));
            tokio::spawn(async move { request.send().await.expect("guess").status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for guess in guesses {
        statuses.push(guess.await.expect("guess"));
    }
    let checked = statuses.iter().filter(|status| **status == 403).count();
    let refused = statuses.iter().filter(|status| **status == 429).count();
    assert_eq!((checked, refused), (3, 9), "{statuses:?}");
    // A right guess is refunded: with the budget spent it is refused like any other, and
    // a fresh client's right guesses never spend its budget.
    let fresh = spawn_app_with(backend, &["--passphrase-failures-per-hour", "1"]).await;
    for _ in 0..3 {
        let created = fresh
            .create_secret(json!({"secret": "kept", "passphrase": "right"}))
            .await;
        assert_eq!(
            fresh
                .reveal(&created.secret_key, Some("right"))
                .await
                .status,
            200
        );
    }
    let created = fresh
        .create_secret(json!({"secret": "s", "passphrase": "right"}))
        .await;
    fresh
        .reveal(&created.secret_key, Some("wrong"))
        .await
        .assert_error(403, "wrong_passphrase");
}
crate::on_both_backends!(parallel_wrong_guesses_cannot_overdraw_the_budget);

/// Many clients guessing one secret at once: no more guesses are checked than the secret
/// has attempts (5); the rest are told to retry, and the secret burns at its limit.
async fn no_more_guesses_at_one_secret_are_checked_than_it_has_attempts(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &["--argon2-memory-kib", "8192", "--argon2-workers", "1"],
    )
    .await;
    let created = app
        .create_secret(json!({"secret": "s", "passphrase": "right"}))
        .await;
    let guesses: Vec<_> = (0..12)
        .map(|n| {
            let request = crate::helpers::client_from(&format!("127.0.0.{}", 40 + n))
                .post(app.url(&format!("/api/secrets/{}/reveal", created.secret_key)))
                .json(&json!({"passphrase": format!("guess {n}")}));
            tokio::spawn(async move { request.send().await.expect("guess").status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for guess in guesses {
        statuses.push(guess.await.expect("guess"));
    }
    let checked = statuses.iter().filter(|status| **status == 403).count();
    let busy = statuses.iter().filter(|status| **status == 429).count();
    assert_eq!(checked, 5, "{statuses:?}");
    assert!(
        busy >= 5,
        "guesses beyond the limit were checked: {statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|status| [403, 404, 429].contains(status))
    );
    assert_eq!(app.receipt_state(&created.receipt_key).await, "burned");
}
crate::on_both_backends!(no_more_guesses_at_one_secret_are_checked_than_it_has_attempts);

/// Logins (and code checks) are guesses through and through: each is charged to the
/// client's budget before it is checked, so parallel wrong passwords cannot overdraw it.
async fn parallel_wrong_passwords_cannot_overdraw_the_budget(backend: Backend) {
    let app = spawn_app_with(
        backend,
        &[
            "--passphrase-failures-per-hour",
            "3",
            "--argon2-memory-kib",
            "8192",
            "--argon2-workers",
            "1",
        ],
    )
    .await;
    let logins: Vec<_> = (0..12)
        .map(|n| {
            let request = app.client.post(app.url("/api/sessions")).json(
                &json!({"email": format!("nobody{n}@example.org"), "password": "not the password"}),
            );
            tokio::spawn(async move { request.send().await.expect("login").status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for login in logins {
        statuses.push(login.await.expect("login"));
    }
    let checked = statuses.iter().filter(|status| **status == 401).count();
    let refused = statuses.iter().filter(|status| **status == 429).count();
    assert_eq!((checked, refused), (3, 9), "{statuses:?}");
}
crate::on_both_backends!(parallel_wrong_passwords_cannot_overdraw_the_budget);

#[tokio::test]
async fn cors_admits_configured_origins_only() {
    let app = spawn_app_with(Backend::Memory, &["--cors-origins", "https://app.example"]).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/secrets"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,idempotency-key,burnbox-reveal-proof",
            )
            .send()
    };
    let allowed = preflight("https://app.example").await.expect("request");
    assert!(allowed.status().is_success());
    assert_eq!(
        allowed
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.as_bytes()),
        Some(&b"https://app.example"[..])
    );
    let refused = preflight("https://evil.example").await.expect("request");
    assert_eq!(refused.status().as_u16(), 400);
    assert!(
        refused
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    let body: serde_json::Value = refused.json().await.expect("the error shape");
    assert_eq!(body["error"], "bad_request");

    // Same-origin requests carry Origin too (Swagger UI's POSTs) and must pass.
    let own_origin = app.address.clone();
    let same = app
        .client
        .post(app.url("/api/secrets"))
        .header("origin", own_origin)
        .json(&json!({"secret": "from the docs page"}))
        .send()
        .await
        .expect("request");
    assert_eq!(same.status().as_u16(), 201);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app(Backend::Memory).await;
    for path in [
        "/health",
        "/api/secrets/unknown",
        "/nowhere",
        "/docs/",
        "/openapi.json",
    ] {
        let response = app.client.get(app.url(path)).send().await.expect("request");
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(
            header("content-security-policy"),
            "frame-ancestors 'none'",
            "{path}"
        );
    }
}

// Ordering, not timing: the pool is observed busy (its own process's gauge) before the
// second passphrase arrives, so the refusal cannot be a race; latency is the bench's job.
#[tokio::test]
async fn a_saturated_argon2_pool_refuses_at_once_while_plain_reveals_go_on() {
    let served = crate::helpers::serve_binary(&[
        ("BURNBOX_ARGON2_WORKERS", "1"),
        ("BURNBOX_ARGON2_QUEUE", "0"),
        ("BURNBOX_ARGON2_MEMORY_KIB", "65536"),
        ("BURNBOX_ARGON2_ITERATIONS", "3"),
        ("BURNBOX_RATE_LIMIT_PER_MINUTE", "0"),
        ("BURNBOX_RATE_LIMIT_CREATE_PER_MINUTE", "0"),
        ("BURNBOX_RATE_LIMIT_REVEAL_PER_MINUTE", "0"),
    ])
    .await;
    let app = &served.app;
    let plain: Vec<_> = futures_sequential(app, 10).await;

    let slow = {
        let (client, url) = (app.client.clone(), app.url("/api/secrets"));
        tokio::spawn(async move {
            client
                .post(url)
                .json(&json!({"secret": "s", "passphrase": "slow to stretch"}))
                .send()
                .await
                .expect("request")
                .status()
                .as_u16()
        })
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let metrics = app
            .client
            .get(app.url("/metrics"))
            .send()
            .await
            .expect("scrape");
        if metrics
            .text()
            .await
            .expect("body")
            .contains("burnbox_argon2_queue_depth 1")
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the slow passphrase never reached Argon2"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The pool's one worker is busy and it has no queue: the next passphrase is refused.
    let refused = app
        .post("/api/secrets", json!({"secret": "s", "passphrase": "p"}))
        .await;
    refused.assert_error(503, "busy");
    assert_eq!(refused.header("retry-after"), "1");
    // Reveals without a passphrase never wait for the pool.
    for created in &plain {
        assert_eq!(app.reveal(created, None).await.status, 200);
    }
    assert_eq!(slow.await.expect("task"), 201);
}

async fn futures_sequential(app: &crate::helpers::TestApp, count: usize) -> Vec<String> {
    let mut keys = Vec::new();
    for _ in 0..count {
        keys.push(
            app.create_secret(json!({"secret": "plain"}))
                .await
                .secret_key,
        );
    }
    keys
}

#[tokio::test]
async fn a_client_too_slow_to_send_its_request_is_dropped() {
    let app = spawn_app_with(Backend::Memory, &["--client-timeout-ms", "200"]).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).expect("connects");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            .expect("partial head");
        let started = Instant::now();
        let mut answer = Vec::new();
        let read = stream.read_to_end(&mut answer).map(|_| ());
        (
            read,
            String::from_utf8_lossy(&answer).into_owned(),
            started.elapsed(),
        )
    })
    .await
    .expect("client ran");
    let (read, text, held) = answer;
    // Closed by the server (not our 5 s read timeout), after its 200 ms, with a 408.
    read.expect("the server closed the connection");
    assert!(
        held < Duration::from_secs(4),
        "connection held for {held:?}"
    );
    assert!(
        held >= Duration::from_millis(150),
        "dropped before the timeout: {held:?}"
    );
    assert!(text.starts_with("HTTP/1.1 408"), "{text:?}");
}

#[tokio::test]
async fn a_refused_create_leaves_nothing_behind() {
    use redis::AsyncCommands;
    let app = spawn_app_with(Backend::Redis, &["--rate-limit-create-per-minute", "1"]).await;
    let kept = app.create_secret(json!({"secret": "kept"})).await;
    let refused = app.post("/api/secrets", json!({"secret": "refused"})).await;
    refused.assert_error(429, "rate_limited");
    assert!(refused.body.get("secret_key").is_none());
    app.post("/api/secrets/generate", json!({}))
        .await
        .assert_error(429, "rate_limited");
    let mut redis = app.redis().await;
    for kind in ["s", "r"] {
        let keys: Vec<String> = redis
            .keys(format!("{}*}}{kind}:*", app.key_prefix))
            .await
            .expect("keys");
        assert_eq!(
            keys.len(),
            1,
            "only the allowed create's {kind}: key: {keys:?}"
        );
    }
    assert_eq!(
        app.reveal(&kept.secret_key, None).await.field("secret"),
        "kept"
    );
}

#[tokio::test]
async fn a_refused_passphrase_create_spends_no_argon2_time() {
    let app = spawn_app_with(
        Backend::Redis,
        &[
            "--rate-limit-create-per-minute",
            "1",
            "--argon2-memory-kib",
            "16384",
            "--argon2-iterations",
            "3",
        ],
    )
    .await;
    let timed = |body: serde_json::Value| {
        let app = &app;
        async move {
            let started = Instant::now();
            let reply = app.post("/api/secrets", body).await;
            (reply.status, started.elapsed())
        }
    };
    let (allowed, hashing) = timed(json!({"secret": "s", "passphrase": "p"})).await;
    assert_eq!(allowed, 201);
    let (refused, refusing) = timed(json!({"secret": "s", "passphrase": "p"})).await;
    assert_eq!(refused, 429);
    assert!(
        refusing * 2 < hashing,
        "refused in {refusing:?}; a hashed create took {hashing:?}"
    );
}

/// Routing decodes `%73essions` to `sessions`; the limiter reads the path the same way, so
/// an encoded route keeps its class of limits (and a v1 route its error shape).
#[tokio::test]
async fn an_encoded_path_is_limited_as_the_route_it_reaches() {
    let app = spawn_app_with(Backend::Redis, &["--passphrase-failures-per-hour", "2"]).await;
    let login = json!({"email": "nobody@example.org", "password": "not the password"});
    for path in ["/api/sessions", "/api/%73essions", "/api/s%65ssions"] {
        let reply = app.post(path, login.clone()).await;
        if path == "/api/s%65ssions" {
            reply.assert_error(429, "rate_limited");
        } else {
            reply.assert_error(401, "invalid_credentials");
        }
    }
    let shaped = app
        .post_raw(
            "/api/%761/share",
            "application/x-www-form-urlencoded",
            "AAA",
        )
        .await;
    assert_eq!(shaped.status, 400, "{}", shaped.body);
    assert!(
        shaped.body.get("error").is_none() && shaped.body.get("message").is_some(),
        "{}",
        shaped.body
    );
}

/// An instance keeps the budget it leased per client in a bounded map. Many one-request
/// clients (cheap with IPv6 /64s) push out only entries nobody used since: a client in
/// the middle of its budget keeps all of it.
#[tokio::test]
async fn many_new_clients_cannot_take_another_clients_leased_budget() {
    let app = spawn_app_with(
        Backend::Redis,
        &[
            "--trusted-proxies",
            "127.0.0.1",
            "--rate-limit-per-minute",
            "1000",
            "--rate-limit-create-per-minute",
            "60",
        ],
    )
    .await;
    let create_as = |client: String, body: serde_json::Value| {
        let app = &app;
        async move {
            app.client
                .post(app.url("/api/secrets"))
                .header("x-forwarded-for", client)
                .json(&body)
                .send()
                .await
                .expect("request")
                .status()
                .as_u16()
        }
    };
    let victim = || "198.51.100.7".to_owned();
    with_a_minute_left(40).await;
    // 2,100 clients of one request each, between the victim's first 15: each counts
    // against two limits (all requests, creates), so 4,200 leases pass through.
    let mut created = 0;
    let mut others = 0u32;
    for _ in 0..15 {
        if create_as(victim(), json!({"secret": "mine"})).await == 201 {
            created += 1;
        }
        for _ in 0..140 {
            let other = format!("2001:db8:{:x}:{:x}::1", others >> 16, others & 0xffff);
            // Counted before the body is read: an empty one costs the store nothing.
            assert_eq!(create_as(other, json!({})).await, 400);
            others += 1;
        }
    }
    while create_as(victim(), json!({"secret": "mine"})).await == 201 {
        created += 1;
    }
    assert_eq!(
        created, 60,
        "the victim's whole budget of 60 creates a minute"
    );
}
