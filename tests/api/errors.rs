//! Bad input of every class gets its status and the one error shape — never a 500.

use serde_json::json;

use crate::helpers::{Backend, spawn_app, spawn_app_with};

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let app = spawn_app(Backend::Redis).await;
    for body in [
        "{",
        "[]",
        "{\"secret\": 5}",
        "{\"ttl\": 60}",
        "null",
        "{\"secret\":\"x\",\"ttl\":\"soon\"}",
    ] {
        app.post_raw("/api/secrets", "application/json", body)
            .await
            .assert_error(400, "bad_request");
    }
    app.post_raw("/api/secrets/x/reveal", "application/json", "{oops")
        .await
        .assert_error(400, "bad_request");
}

#[tokio::test]
async fn a_misspelled_field_is_refused_rather_than_ignored() {
    // Ignoring "passphrse" would store the secret without the passphrase its owner meant.
    let app = spawn_app(Backend::Redis).await;
    let reply = app
        .post("/api/secrets", json!({"secret": "x", "passphrse": "pw"}))
        .await;
    reply.assert_error(400, "bad_request");
    assert!(reply.field("message").contains("passphrse"));
}

#[tokio::test]
async fn a_passphrase_of_the_wrong_type_is_not_echoed() {
    let app = spawn_app(Backend::Redis).await;
    let reply = app
        .post(
            "/api/secrets",
            json!({"secret": "x", "passphrase": 987_654_321}),
        )
        .await;
    reply.assert_error(400, "bad_request");
    assert!(!reply.body.to_string().contains("987654321"));
}

#[tokio::test]
async fn a_body_that_is_not_json_is_unsupported() {
    let app = spawn_app(Backend::Redis).await;
    app.post_raw("/api/secrets", "text/plain", "{\"secret\":\"x\"}")
        .await
        .assert_error(415, "unsupported_media_type");
    app.post_raw("/api/secrets/generate", "text/plain", "{}")
        .await
        .assert_error(415, "unsupported_media_type");
}

#[tokio::test]
async fn oversized_bodies_and_secrets_are_too_large() {
    let app = spawn_app_with(Backend::Redis, &["--max-secret-bytes", "100"]).await;
    app.post("/api/secrets", json!({"secret": "x".repeat(101)}))
        .await
        .assert_error(413, "secret_too_large");
    let exactly = app
        .post("/api/secrets", json!({"secret": "é".repeat(50)}))
        .await;
    assert_eq!(exactly.status, 201, "100 bytes fit: {}", exactly.body);
    let huge = format!("{{\"secret\": \"{}\"}}", "x".repeat(100 * 6 + 17 * 1024));
    app.post_raw("/api/secrets", "application/json", huge)
        .await
        .assert_error(413, "payload_too_large");
    let huge_reveal = format!("{{\"passphrase\": \"{}\"}}", "x".repeat(20 * 1024));
    app.post_raw("/api/secrets/x/reveal", "application/json", huge_reveal)
        .await
        .assert_error(413, "payload_too_large");
}

#[tokio::test]
async fn values_out_of_range_are_unprocessable() {
    let app = spawn_app(Backend::Redis).await;
    let cases = [
        (json!({"secret": ""}), "empty_secret"),
        (json!({"secret": "x", "ttl": 5}), "ttl_out_of_range"),
        (json!({"secret": "x", "ttl": -1}), "ttl_out_of_range"),
        (json!({"secret": "x", "ttl": 2_592_001}), "ttl_out_of_range"),
        (
            json!({"secret": "x", "passphrase": ""}),
            "invalid_passphrase",
        ),
        (
            json!({"secret": "x", "passphrase": "p".repeat(1025)}),
            "invalid_passphrase",
        ),
    ];
    for (body, code) in cases {
        app.post("/api/secrets", body).await.assert_error(422, code);
    }
    app.post("/api/secrets/generate", json!({"length": 4}))
        .await
        .assert_error(422, "length_out_of_range");
    app.post("/api/secrets/x/reveal", json!({"passphrase": ""}))
        .await
        .assert_error(422, "invalid_passphrase");
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_answer_in_the_error_shape() {
    let app = spawn_app(Backend::Redis).await;
    app.get("/nothing/here")
        .await
        .assert_error(404, "not_found");
    let under_api = app.get("/api/nothing").await;
    under_api.assert_error(404, "not_found");
    assert_eq!(under_api.header("cache-control"), "no-store");
    let reply = app
        .client
        .put(app.url("/api/secrets"))
        .send()
        .await
        .expect("request");
    assert_eq!(reply.status().as_u16(), 405);
    let body: serde_json::Value = reply.json().await.expect("json");
    assert_eq!(body["error"], "method_not_allowed");
    app.get("/api/secrets/generate")
        .await
        .assert_error(405, "method_not_allowed");
    app.post_empty("/health")
        .await
        .assert_error(405, "method_not_allowed");
}
