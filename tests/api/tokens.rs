//! One-time tokens: mint, verify exactly once, expiry, and who may use them.

use serde_json::json;

use crate::helpers::{Backend, TestApp, spawn_app, spawn_app_with};
use crate::on_both_backends;

async fn mint(app: &TestApp, body: serde_json::Value) -> String {
    let reply = app.post("/api/tokens", body).await;
    assert_eq!(reply.status, 201, "mint: {}", reply.body);
    assert_eq!(reply.header("cache-control"), "no-store");
    reply.field("token")
}

async fn verify(app: &TestApp, token: &str) -> crate::helpers::Reply {
    app.post("/api/tokens/verify", json!({ "token": token }))
        .await
}

async fn a_token_verifies_once_with_its_subject_and_claims(backend: Backend) {
    let app = spawn_app(backend).await;
    let claims =
        json!({"action": "login", "redirect": "/inbox", "nested": {"ids": [1, 2]}, "名": "ü"});
    let reply = app
        .post(
            "/api/tokens",
            json!({"subject": "user:42", "claims": claims, "ttl": 300}),
        )
        .await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.body["ttl"], 300);
    assert!(reply.field("expires_at").ends_with('Z'));
    let token = reply.field("token");
    assert_eq!(token.len(), 32);

    let verified = verify(&app, &token).await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    assert_eq!(verified.header("cache-control"), "no-store");
    assert_eq!(verified.body["subject"], "user:42");
    assert_eq!(verified.body["claims"], claims);
    assert!(verified.field("issued_at") < verified.field("expires_at"));
    assert_eq!(verified.field("expires_at"), reply.field("expires_at"));

    verify(&app, &token).await.assert_error(404, "not_found");
}
on_both_backends!(a_token_verifies_once_with_its_subject_and_claims);

async fn a_bare_token_carries_nothing_and_defaults_to_fifteen_minutes(backend: Backend) {
    let app = spawn_app(backend).await;
    let reply = app.post("/api/tokens", json!({})).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["ttl"], 900);
    let verified = verify(&app, &reply.field("token")).await;
    // An error body has no subject either: the status is what says it verified.
    assert_eq!(verified.status, 200, "{}", verified.body);
    assert!(verified.body["subject"].is_null());
    assert!(verified.body["claims"].is_null());
}
on_both_backends!(a_bare_token_carries_nothing_and_defaults_to_fifteen_minutes);

async fn concurrent_verifiers_consume_a_token_exactly_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = mint(&app, json!({"subject": "race"})).await;
    let racers: Vec<_> = (0..32)
        .map(|_| {
            let (client, url, token) = (
                app.client.clone(),
                app.url("/api/tokens/verify"),
                token.clone(),
            );
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&json!({ "token": token }))
                    .send()
                    .await
                    .expect("request")
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for racer in racers {
        statuses.push(racer.await.expect("task"));
    }
    assert_eq!(
        statuses.iter().filter(|status| **status == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|status| *status == 200 || *status == 404),
        "{statuses:?}"
    );
}
on_both_backends!(concurrent_verifiers_consume_a_token_exactly_once);

async fn tokens_expire_on_time(backend: Backend) {
    let app = spawn_app_with(backend, &["--ttl-min", "1"]).await;
    let token = mint(&app, json!({"ttl": 1})).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    verify(&app, &token).await.assert_error(404, "not_found");
}
on_both_backends!(tokens_expire_on_time);

#[tokio::test]
async fn unknown_and_malformed_tokens_are_not_found() {
    let app = spawn_app(Backend::Redis).await;
    for token in ["", "short", &"A".repeat(32), &"%".repeat(32)] {
        verify(&app, token).await.assert_error(404, "not_found");
    }
    app.post("/api/tokens/verify", json!({}))
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn bad_token_requests_get_their_status() {
    let app = spawn_app_with(Backend::Redis, &["--max-claims-bytes", "64"]).await;
    let big = json!({"blob": "x".repeat(64)});
    app.post("/api/tokens", json!({"claims": big}))
        .await
        .assert_error(413, "claims_too_large");
    app.post("/api/tokens", json!({"claims": [1, 2]}))
        .await
        .assert_error(422, "invalid_claims");
    app.post("/api/tokens", json!({"subject": "s".repeat(257)}))
        .await
        .assert_error(422, "invalid_subject");
    app.post("/api/tokens", json!({"ttl": 86_401}))
        .await
        .assert_error(422, "ttl_out_of_range");
    app.post("/api/tokens", json!({"ttl": 30}))
        .await
        .assert_error(422, "ttl_out_of_range");
    app.post("/api/tokens", json!({"sub": "typo"}))
        .await
        .assert_error(400, "bad_request");
    app.post_raw("/api/tokens", "text/plain", "{}")
        .await
        .assert_error(415, "unsupported_media_type");
}

/// An app whose trusted networks do not include the test client (127.0.0.1).
async fn app_trusting(networks: &str, proxies: &str, extra: &[&str]) -> TestApp {
    let mut args = vec!["--trusted-networks", networks, "--trusted-proxies", proxies];
    args.extend_from_slice(extra);
    spawn_app_with(Backend::Redis, &args).await
}

async fn post_from(
    app: &TestApp,
    path: &str,
    header: (&str, &str),
    body: serde_json::Value,
) -> u16 {
    app.client
        .post(app.url(path))
        .header(header.0, header.1)
        .json(&body)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

#[tokio::test]
async fn an_untrusted_caller_may_neither_mint_nor_verify() {
    let app = app_trusting("198.51.100.0/24", "", &[]).await;
    let reply = app.post("/api/tokens", json!({})).await;
    reply.assert_error(403, "forbidden");
    app.post("/api/tokens/verify", json!({"token": "A".repeat(32)}))
        .await
        .assert_error(403, "forbidden");
    // Secrets stay open to everyone.
    assert_eq!(
        app.post("/api/secrets", json!({"secret": "x"}))
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn a_forged_forwarding_header_from_an_untrusted_peer_is_ignored() {
    let app = app_trusting("198.51.100.0/24", "", &[]).await;
    let status = post_from(
        &app,
        "/api/tokens",
        ("x-forwarded-for", "198.51.100.7"),
        json!({}),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_trusted_proxys_header_names_the_client() {
    let app = app_trusting("198.51.100.0/24", "127.0.0.1/32", &[]).await;
    let minted = app
        .client
        .post(app.url("/api/tokens"))
        .header("x-forwarded-for", "198.51.100.7")
        .json(&json!({"subject": "via proxy"}))
        .send()
        .await
        .expect("request");
    assert_eq!(minted.status().as_u16(), 201);
    // Without the header no client is named: a proxy is never one, so never trusted.
    app.post("/api/tokens", json!({}))
        .await
        .assert_error(403, "forbidden");
    // A header that does not parse is a broken chain: no client, never trusted.
    let garbled = post_from(
        &app,
        "/api/tokens",
        ("x-forwarded-for", "198.51.100.7, ???"),
        json!({}),
    )
    .await;
    assert_eq!(garbled, 403);
    let logs = crate::helpers::CAPTURED_LOGS.lock().expect("logs").clone();
    assert!(
        logs.iter()
            .any(|line| line.contains("198.51.100.7 POST /api/tokens 201")),
        "the access log shows the client behind the proxy"
    );
}

#[tokio::test]
async fn the_rightmost_untrusted_hop_of_a_chain_is_the_client() {
    let chain = "198.51.100.7, 203.0.113.9, 10.1.2.3";
    // The forged leftmost entry is trusted, the real client (203.0.113.9) is not.
    let app = app_trusting("198.51.100.0/24", "127.0.0.1/32,10.0.0.0/8", &[]).await;
    assert_eq!(
        post_from(&app, "/api/tokens", ("x-forwarded-for", chain), json!({})).await,
        403
    );
    let app = app_trusting("203.0.113.0/24", "127.0.0.1/32,10.0.0.0/8", &[]).await;
    assert_eq!(
        post_from(&app, "/api/tokens", ("x-forwarded-for", chain), json!({})).await,
        201
    );
}

#[tokio::test]
async fn ipv6_networks_and_the_forwarded_header_work() {
    let app = app_trusting(
        "2001:db8::/32",
        "127.0.0.1/32",
        &["--forwarded-header", "forwarded"],
    )
    .await;
    let header = ("forwarded", "for=\"[2001:db8::5]:4711\";proto=https");
    assert_eq!(post_from(&app, "/api/tokens", header, json!({})).await, 201);
    let outside = ("forwarded", "for=\"[2001:db9::5]\"");
    assert_eq!(
        post_from(&app, "/api/tokens", outside, json!({})).await,
        403
    );
    // In `forwarded` mode an X-Forwarded-For header is not read at all.
    let other_header = ("x-forwarded-for", "2001:db8::5");
    assert_eq!(
        post_from(&app, "/api/tokens", other_header, json!({})).await,
        403
    );
}
