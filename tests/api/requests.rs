//! Requests for a secret: someone fills it in once, and only the requester reads it.

use burnbox::sealed_box::{self, KeyPair};
use serde_json::json;

use crate::cli::burnbox;
use crate::helpers::{Backend, spawn_app, spawn_app_with};
use crate::on_both_backends;

async fn a_request_is_filled_once_and_only_its_requester_reads_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let made = app
        .post(
            "/api/requests",
            json!({"note": "the staging DB password", "ttl": 3600}),
        )
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    assert_eq!(made.header("cache-control"), "no-store");
    let (request_key, receipt_key, answer_key) = (
        made.field("request_key"),
        made.field("receipt_key"),
        made.field("answer_key"),
    );
    let pair = KeyPair::decode(&made.field("private_key")).expect("a private key");

    // Whoever fills it sees the note and the public key; looking consumes nothing.
    for _ in 0..2 {
        let open = app.get(&format!("/api/requests/{request_key}")).await;
        assert_eq!(open.body["note"], "the staging DB password");
        assert_eq!(open.field("public_key"), pair.encode_public());
    }
    assert_eq!(app.receipt_state(&receipt_key).await, "pending");
    // Not yet answered: nothing to read.
    app.reveal(&answer_key, None)
        .await
        .assert_error(404, "not_found");

    let path = format!("/api/requests/{request_key}/answer");
    let answered = app.post(&path, json!({"secret": "s3cr3t-db-pw"})).await;
    assert_eq!(answered.status, 201, "{:?}", answered.body);
    app.post(&path, json!({"secret": "a second answer"}))
        .await
        .assert_error(404, "not_found");
    app.get(&format!("/api/requests/{request_key}"))
        .await
        .assert_error(404, "not_found");
    assert_eq!(app.receipt_state(&receipt_key).await, "revealed");

    // The answer: sealed to the requester's key, handed out once; its status says what
    // opens it.
    let status = app.get(&format!("/api/secrets/{answer_key}")).await;
    assert_eq!(
        (&status.body["answer"], &status.body["viewer_may_burn"]),
        (&json!(true), &json!(false))
    );
    let revealed = app.reveal(&answer_key, None).await;
    assert_eq!(revealed.body["e2e"], true);
    let sealed = revealed.field("secret");
    assert!(sealed.starts_with(sealed_box::PREFIX) && !sealed.contains("s3cr3t"));
    assert_eq!(pair.open(&sealed).as_deref(), Ok("s3cr3t-db-pw"));
    app.reveal(&answer_key, None)
        .await
        .assert_error(404, "not_found");
    // The request key is not a secret key, nor the other way round.
    app.reveal(&request_key, None)
        .await
        .assert_error(404, "not_found");
}
on_both_backends!(a_request_is_filled_once_and_only_its_requester_reads_it);

async fn with_its_own_key_pair_the_server_never_sees_the_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    let pair = KeyPair::generate();
    let made = app
        .post("/api/requests", json!({"public_key": pair.encode_public()}))
        .await;
    assert_eq!(made.body.get("private_key"), None);
    let request_key = made.field("request_key");
    let public = sealed_box::decode_public(
        &app.get(&format!("/api/requests/{request_key}"))
            .await
            .field("public_key"),
    )
    .expect("a public key");
    let path = format!("/api/requests/{request_key}/answer");
    for (body, status, code) in [
        (json!({"sealed": "sb1.AAAA"}), 422, "invalid_sealed_answer"),
        (json!({"sealed": "x", "secret": "y"}), 400, "bad_request"),
        (json!({"secret": "y", "extra": 1}), 400, "bad_request"),
        (json!({}), 400, "bad_request"),
        (json!({"secret": ""}), 422, "empty_secret"),
    ] {
        app.post(&path, body).await.assert_error(status, code);
    }
    let sealed = sealed_box::seal(&public, "sealed on this side");
    assert_eq!(
        app.post(&path, json!({ "sealed": sealed })).await.status,
        201
    );
    let revealed = app.reveal(&made.field("answer_key"), None).await;
    assert_eq!(revealed.field("secret"), sealed);
    assert_eq!(
        pair.open(&revealed.field("secret")).as_deref(),
        Ok("sealed on this side")
    );

    for (body, code) in [
        (json!({"public_key": "AAAA"}), "invalid_public_key"),
        // All zeros: a low-order point anyone could open answers sealed to.
        (
            json!({"public_key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}),
            "invalid_public_key",
        ),
        (json!({"note": "n".repeat(1001)}), "invalid_note"),
        (json!({"ttl": 5}), "ttl_out_of_range"),
    ] {
        app.post("/api/requests", body)
            .await
            .assert_error(422, code);
    }
}
on_both_backends!(with_its_own_key_pair_the_server_never_sees_the_answer);

/// 24 people racing to fill one request: exactly one answer is kept.
async fn racing_answers_fill_a_request_once(backend: Backend) {
    // Four HTTP workers: with one, the memory store's fills could never overlap.
    let app = spawn_app_with(
        backend,
        &["--workers", "4", "--rate-limit-create-per-minute", "0"],
    )
    .await;
    let made = app.post("/api/requests", json!({})).await;
    let pair = KeyPair::decode(&made.field("private_key")).expect("a key");
    let url = app.url(&format!(
        "/api/requests/{}/answer",
        made.field("request_key")
    ));
    let racers: Vec<_> = (0..24)
        .map(|index| {
            let request = app
                .client
                .post(url.clone())
                .json(&json!({ "secret": format!("answer {index}") }));
            tokio::spawn(async move { request.send().await.expect("request").status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for racer in racers {
        statuses.push(racer.await.expect("racer"));
    }
    assert_eq!(statuses.iter().filter(|status| **status == 201).count(), 1);
    assert!(statuses.iter().all(|status| matches!(status, 201 | 404)));
    let revealed = app.reveal(&made.field("answer_key"), None).await;
    let text = pair.open(&revealed.field("secret")).expect("opens");
    assert!(text.starts_with("answer "), "{text}");
}
on_both_backends!(racing_answers_fill_a_request_once);

#[tokio::test]
async fn the_cli_requests_answers_and_opens_end_to_end() {
    let app = spawn_app(Backend::Memory).await;
    let made = burnbox(
        &[
            "request",
            "--server",
            &app.address,
            "--note",
            "your API key",
        ],
        b"",
        &[],
    )
    .await;
    assert_eq!(made.code, 0, "{}", made.stderr);
    let request_link = made.stdout.trim().to_owned();
    assert!(request_link.starts_with(&format!("{}/q/", app.address)));
    let answer_link = made
        .stderr
        .lines()
        .find_map(|line| line.strip_prefix("answer: "))
        .expect("an answer link")
        .to_owned();
    assert!(answer_link.contains('#'));

    let answered = burnbox(&["answer", &request_link], b"ak_live_42\n", &[]).await;
    assert_eq!(answered.code, 0, "{}", answered.stderr);
    assert!(answered.stderr.contains("your API key"));
    let again = burnbox(&["answer", &request_link], b"late", &[]).await;
    assert_eq!(again.code, 1, "{}", again.stderr);

    let opened = burnbox(&["open", &answer_link], b"", &[]).await;
    assert_eq!(
        (opened.code, opened.stdout.as_str()),
        (0, "ak_live_42\n"),
        "{}",
        opened.stderr
    );
    assert_eq!(burnbox(&["open", &answer_link], b"", &[]).await.code, 1);
}
