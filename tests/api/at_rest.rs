//! Promise 2: nothing readable at rest, and nothing secret in a log.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use redis::AsyncCommands;
use serde_json::json;

use burnbox::e2e::{self, E2eKey};

use crate::helpers::{Backend, CAPTURED_LOGS, TestApp, spawn_app};

/// Runs a varied flow and returns every sensitive string a client saw or sent.
async fn run_flow(app: &TestApp) -> Vec<String> {
    let mut sensitive = Vec::new();
    for index in 0..6 {
        let plaintext = format!("plaintext-{index}-Zq8wLm3v");
        let passphrase = format!("passphrase-{index}-Kx7pQ2");
        let protected = index % 2 == 0;
        let created = app
            .create_secret(if protected {
                json!({"secret": plaintext, "passphrase": passphrase})
            } else {
                json!({"secret": plaintext})
            })
            .await;
        match index {
            0 => {
                app.reveal(&created.secret_key, Some("wrong-guess-Hn4r"))
                    .await
                    .assert_error(403, "wrong_passphrase");
                let revealed = app.reveal(&created.secret_key, Some(&passphrase)).await;
                assert_eq!(
                    revealed.body["secret"],
                    plaintext.as_str(),
                    "{}",
                    revealed.body
                );
                sensitive.push("wrong-guess-Hn4r".into());
            }
            1 => {
                let revealed = app.reveal(&created.secret_key, None).await;
                assert_eq!(
                    revealed.body["secret"],
                    plaintext.as_str(),
                    "{}",
                    revealed.body
                );
            }
            2 => {
                let burned = app
                    .delete(&format!("/api/secrets/{}", created.secret_key))
                    .await;
                assert_eq!(burned.status, 204, "{}", burned.body);
            }
            _ => {} // left pending: live ciphertext must not be readable either
        }
        let expected = ["revealed", "revealed", "burned"]
            .get(index)
            .copied()
            .unwrap_or("pending");
        assert_eq!(app.receipt_state(&created.receipt_key).await, expected);
        sensitive.extend([
            plaintext,
            passphrase,
            created.secret_key,
            created.receipt_key,
        ]);
    }
    for index in 0..4 {
        let subject = format!("subject-{index}-Pw9sQ");
        let claim = format!("claim-{index}-Vn2kR");
        let minted = app
            .post(
                "/api/tokens",
                json!({"subject": subject, "claims": {"secret_claim": claim}}),
            )
            .await;
        let token = minted.field("token");
        if index % 2 == 0 {
            let verified = app
                .post("/api/tokens/verify", json!({ "token": token }))
                .await;
            assert_eq!(
                verified.body["subject"],
                subject.as_str(),
                "{}",
                verified.body
            );
        }
        sensitive.extend([subject, claim, token]);
    }
    // Requests: one answered (the server sealed the text), one waiting.
    for index in 0..2 {
        let note = format!("note-{index}-Gh5tY");
        let answer = format!("answer-{index}-Lp0zX");
        let made = app.post("/api/requests", json!({ "note": note })).await;
        if index == 0 {
            let answered = app
                .post(
                    &format!("/api/requests/{}/answer", made.field("request_key")),
                    json!({ "secret": answer }),
                )
                .await;
            assert_eq!(answered.status, 201, "{}", answered.body);
        }
        sensitive.extend([note, answer]);
        sensitive.extend(
            ["request_key", "receipt_key", "answer_key", "private_key"]
                .map(|field| made.field(field)),
        );
    }
    let generated = app
        .post("/api/secrets/generate", json!({"length": 24}))
        .await;
    sensitive.extend(["value", "secret_key", "receipt_key"].map(|field| generated.field(field)));
    // A passphrase sent with the wrong type, and a malformed reveal body.
    app.post(
        "/api/secrets",
        json!({"secret": "x", "passphrase": 31_415_926_535_u64}),
    )
    .await
    .assert_error(400, "bad_request");
    sensitive.push("31415926535".into());
    app.post_raw(
        "/api/secrets/abc/reveal",
        "application/json",
        "{\"passphrase\": \"leak-me-Rt5\"",
    )
    .await
    .assert_error(400, "bad_request");
    sensitive.push("leak-me-Rt5".into());
    sensitive.extend(reveal_e2e2_with_a_retry(app).await);
    sensitive
}

/// An `e2e2` secret revealed with its proof and an idempotency key, then again with the
/// same key (its kept answer): the fragment key, the proof and the idempotency key.
async fn reveal_e2e2_with_a_retry(app: &TestApp) -> Vec<String> {
    let key = E2eKey::generate();
    let created = app
        .create_secret(json!({"secret": e2e::seal(&key, "e2e2 text"), "e2e": true}))
        .await;
    let (proof, idempotency) = (key.reveal_proof().encode(), "retry-key-Vb3kQ9zLm2");
    for _ in 0..2 {
        let reply = app
            .client
            .post(app.url(&format!("/api/secrets/{}/reveal", created.secret_key)))
            .header("burnbox-reveal-proof", &proof)
            .header("idempotency-key", idempotency)
            .send()
            .await
            .expect("request");
        assert_eq!(reply.status(), 200);
    }
    vec![key.encode(), proof, idempotency.to_owned()]
}

/// The raw bytes a key's text stands for that must not show: a client key's (32
/// characters) but its public routing tag, or all 32 bytes of an end-to-end key or proof
/// (43 characters).
fn as_raw_key(text: &str) -> Option<Vec<u8>> {
    let raw = URL_SAFE_NO_PAD.decode(text).ok()?;
    match text.len() {
        32 => Some(raw[2..].to_vec()),
        43 => Some(raw),
        _ => None,
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[tokio::test]
async fn a_redis_dump_holds_no_plaintext_passphrase_or_key() {
    let app = spawn_app(Backend::Redis).await;
    let sensitive = run_flow(&app).await;
    let mut redis = app.redis().await;
    let keys: Vec<Vec<u8>> = redis
        .keys(format!("{}*", app.key_prefix))
        .await
        .expect("keys");
    assert!(
        keys.len() >= 12,
        "expected secrets, receipts and outcomes: {}",
        keys.len()
    );
    for key in keys {
        let kind: String = redis::cmd("TYPE")
            .arg(&key)
            .query_async(&mut redis)
            .await
            .expect("type");
        assert_eq!(kind, "string", "burnbox stores only strings");
        let value: Vec<u8> = redis.get(&key).await.expect("value");
        for secret in &sensitive {
            for (what, bytes) in [("name", &key), ("value", &value)] {
                assert!(
                    !contains(bytes, secret.as_bytes()),
                    "a key's {what} contains a sensitive string"
                );
                if let Some(raw) = as_raw_key(secret) {
                    assert!(
                        !contains(bytes, &raw),
                        "a key's {what} contains raw key bytes"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn logs_hold_no_plaintext_passphrase_or_key() {
    let app = spawn_app(Backend::Redis).await;
    let sensitive = run_flow(&app).await;
    let memory_app = spawn_app(Backend::Memory).await;
    let memory_sensitive = run_flow(&memory_app).await;
    let logs = CAPTURED_LOGS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    assert!(
        logs.iter()
            .any(|line| line.contains("POST /api/secrets/{secret_key}/reveal")),
        "the access log records route patterns"
    );
    for line in &logs {
        for secret in sensitive.iter().chain(&memory_sensitive) {
            assert!(
                !line.contains(secret.as_str()),
                "a log line leaks a sensitive string: {line}"
            );
        }
    }
}
