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

#[tokio::test]
async fn a_405_names_the_methods_the_resource_answers() {
    let app = spawn_app(Backend::Memory).await;
    for (method, path, allow) in [
        ("TRACE", "/health", "GET"),
        ("PUT", "/api/secrets", "POST"),
        (
            "PATCH",
            "/api/secrets/q7Zc1m0b8yX3kP2sW9vR4tL6nJ5hG0fD",
            "GET, DELETE",
        ),
        (
            "DELETE",
            "/api/v1/private/q7Zc8aQp3LmN1vB6xK0sD4fG7hJ2wE9r",
            "GET, POST",
        ),
        ("PUT", "/api/me/api-keys", "POST, GET"),
        ("POST", "/r/q7Zc8aQp3LmN1vB6xK0sD4fG7hJ2wE9r", "GET"),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("a method");
        let reply = crate::helpers::Reply::from_response(
            app.client
                .request(method.clone(), app.url(path))
                .send()
                .await
                .expect("request"),
        )
        .await;
        assert_eq!(reply.status, 405, "{method} {path}");
        assert_eq!(reply.header("allow"), allow, "{method} {path}");
    }
}

#[tokio::test]
async fn bodies_are_read_as_json_schema_reads_them() {
    let app = spawn_app(Backend::Memory).await;
    // A struct is never read from an array, wherever a JSON body is taken.
    for (path, body) in [
        ("/api/secrets", r#"["x", null, 3600]"#),
        ("/api/secrets/generate", "[null, null]"),
        ("/api/tokens", "[900]"),
    ] {
        app.post_raw(path, "application/json", body)
            .await
            .assert_error(400, "bad_request");
    }
    // 60.0 is the integer 60; 60.5 is no integer.
    let created = app
        .post("/api/secrets", json!({"secret": "x", "ttl": 3600.0}))
        .await;
    assert_eq!(
        (created.status, created.body["ttl"].clone()),
        (201, json!(3600))
    );
    app.post("/api/secrets", json!({"secret": "x", "ttl": 3600.5}))
        .await
        .assert_error(400, "bad_request");
    app.post("/api/secrets/generate", json!({"length": 1e300}))
        .await
        .assert_error(422, "length_out_of_range");
    app.post(
        "/api/tokens",
        json!({"ttl": 18_446_744_073_709_551_615_u64}),
    )
    .await
    .assert_error(422, "ttl_out_of_range");
    // Characters, not bytes: 1024 of them may take four bytes each.
    let passphrase = "🔑".repeat(1024);
    let guarded = app
        .post(
            "/api/secrets",
            json!({"secret": "x", "passphrase": passphrase}),
        )
        .await;
    assert_eq!(guarded.status, 201, "{}", guarded.body);
    // An address is what the document's pattern says: no spaces around it.
    app.post("/api/codes", json!({"recipient": " ada@example.org"}))
        .await
        .assert_error(422, "invalid_email");
}

#[tokio::test]
async fn queries_are_read_as_the_document_says() {
    let (email, password) = ("root@example.org", "a long admin password");
    let app = spawn_app_with(
        Backend::Redis,
        &["--admin-email", email, "--admin-password", password],
    )
    .await;
    // A login address may come with spaces around it (registration refuses those).
    let session = app
        .post(
            "/api/sessions",
            json!({"email": format!(" {email}\t"), "password": password}),
        )
        .await
        .field("session_token");
    let get = |path: &'static str| app.send(reqwest::Method::GET, path, Some(&session), None);
    // A query that does not parse names what is wrong, in the error shape.
    let paged = get("/api/admin/users?offset=-1").await;
    paged.assert_error(400, "bad_request");
    assert!(
        paged.field("message").contains("invalid query string"),
        "{}",
        paged.body
    );
    // A cursor that is no entry id is refused, not handed to Redis (which answered 503).
    for path in [
        "/api/admin/audit?before=",
        "/api/admin/audit?before=99999999999999999999-0",
    ] {
        get(path).await.assert_error(422, "invalid_cursor");
    }
    let empty = get("/api/admin/audit?before=0-0").await;
    assert_eq!(
        (empty.status, empty.body["entries"].clone()),
        (200, json!([]))
    );
    let first = get("/api/admin/audit?limit=1").await;
    let next = first.body["next"].as_str().expect("a next page").to_owned();
    assert_eq!(
        get_owned(&app, &session, format!("/api/admin/audit?before={next}"))
            .await
            .status,
        200
    );
}

async fn get_owned(
    app: &crate::helpers::TestApp,
    session: &str,
    path: String,
) -> crate::helpers::Reply {
    app.send(reqwest::Method::GET, &path, Some(session), None)
        .await
}
