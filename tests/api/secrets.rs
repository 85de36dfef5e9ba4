//! The secrets flow: create, look, reveal exactly once, passphrases, burn, expiry.

use serde_json::json;

use crate::helpers::{Backend, TestApp, assert_one_winner, spawn_app, spawn_app_with};
use crate::on_both_backends;

async fn a_created_secret_is_revealed_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let reply = app
        .post("/api/secrets", json!({"secret": "hunter2", "ttl": 3600}))
        .await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.header("cache-control"), "no-store");
    assert_eq!(reply.body["ttl"], 3600);
    assert_eq!(reply.body["passphrase_required"], false);
    assert!(reply.field("expires_at").ends_with('Z'));
    let secret_key = reply.field("secret_key");
    assert_eq!(secret_key.len(), 32);
    assert_ne!(secret_key, reply.field("receipt_key"));

    let revealed = app.reveal(&secret_key, None).await;
    assert_eq!(revealed.status, 200);
    assert_eq!(
        revealed.body,
        json!({"secret": "hunter2", "e2e": false, "views_left": 0})
    );
    assert_eq!(revealed.header("cache-control"), "no-store");

    app.reveal(&secret_key, None)
        .await
        .assert_error(404, "not_found");
}
on_both_backends!(a_created_secret_is_revealed_once);

async fn looking_at_a_secret_never_consumes_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create_secret(json!({"secret": "still here"})).await;
    for _ in 0..5 {
        let status = app
            .get(&format!("/api/secrets/{}", created.secret_key))
            .await;
        assert_eq!(status.status, 200);
        assert_eq!(status.body["passphrase_required"], false);
        assert!(status.field("expires_at").ends_with('Z'));
    }
    assert_eq!(
        app.reveal(&created.secret_key, None).await.body["secret"],
        "still here"
    );
    app.get(&format!("/api/secrets/{}", created.secret_key))
        .await
        .assert_error(404, "not_found");
}
on_both_backends!(looking_at_a_secret_never_consumes_it);

/// Meaningful on the memory store too: the service awaits between reading a secret and
/// taking it (the passphrase path peeks, stretches off the event loop, then takes), so a
/// reveal written as read-then-delete would hand the secret out twice here on either store.
async fn concurrent_reveals_hand_the_secret_out_exactly_once(backend: Backend) {
    // 64 reveals from one address: the per-client reveal limit is not what this is about.
    // Four HTTP workers (threads): with one, the memory store's takes could never overlap.
    let app = spawn_app_with(backend, &RACING).await;
    for passphrase in [None, Some("open sesame")] {
        let created = app
            .create_secret(json!({"secret": "only once", "passphrase": passphrase}))
            .await;
        let results = race_reveals(&app, &created.secret_key, passphrase, 32).await;
        assert_one_winner(&results, "only once", passphrase);
    }
}
on_both_backends!(concurrent_reveals_hand_the_secret_out_exactly_once);

/// An app for races: four HTTP workers, so reveals run on several threads at once (one
/// worker would run the memory store's takes one after another), and no per-client limit.
const RACING: [&str; 4] = ["--workers", "4", "--rate-limit-reveal-per-minute", "0"];

/// `readers` reveals of `secret_key` at once; each answer's status and body.
async fn race_reveals(
    app: &TestApp,
    secret_key: &str,
    passphrase: Option<&'static str>,
    readers: usize,
) -> Vec<(u16, String)> {
    let racers = (0..readers).map(|_| {
        let (client, url) = (
            app.client.clone(),
            app.url(&format!("/api/secrets/{secret_key}/reveal")),
        );
        tokio::spawn(async move {
            let request = client.post(url);
            let request = match passphrase {
                Some(passphrase) => request.json(&json!({"passphrase": passphrase})),
                None => request,
            };
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            (status, response.text().await.expect("body"))
        })
    });
    futures_join_all(racers).await
}

async fn futures_join_all<T: std::fmt::Debug>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut results = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        results.push(handle.await.expect("task"));
    }
    results
}

/// The README's "a thousand readers": 1,000 reveals of one secret sent at once over HTTP
/// (1,000 connections) to an app with four workers on Redis. One gets the secret, every
/// other is told 404, and the receipt says revealed. (With a passphrase, all but the
/// secret's five guesses are told 429 before any take: the 32- and 40-reader races above
/// cover that path.) Takes a few seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_racing_readers_get_one_secret_once() {
    let mut args = RACING.to_vec();
    // No limit of all requests per client; Redis calls may queue behind 1,000 at once.
    args.extend(["--rate-limit-per-minute", "0", "--redis-timeout-ms", "5000"]);
    let app = spawn_app_with(Backend::Redis, &args).await;
    let created = app
        .create_secret(json!({"secret": "one of a thousand"}))
        .await;
    let results = race_reveals(&app, &created.secret_key, None, 1000).await;
    assert_eq!(results.len(), 1000);
    assert_one_winner(&results, "one of a thousand", None);
    assert_eq!(app.receipt_state(&created.receipt_key).await, "revealed");
}

async fn a_wrong_passphrase_keeps_the_secret(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app
        .create_secret(json!({"secret": "guarded", "passphrase": "right"}))
        .await;
    let status = app
        .get(&format!("/api/secrets/{}", created.secret_key))
        .await;
    assert_eq!(status.body["passphrase_required"], true);

    let wrong = app.reveal(&created.secret_key, Some("wrong")).await;
    wrong.assert_error(403, "wrong_passphrase");
    assert_eq!(wrong.body["attempts_left"], 4);
    assert!(!wrong.body.to_string().contains("right"));

    app.reveal(&created.secret_key, None)
        .await
        .assert_error(403, "passphrase_required");
    assert_eq!(app.receipt_state(&created.receipt_key).await, "pending");

    let revealed = app.reveal(&created.secret_key, Some("right")).await;
    assert_eq!(
        revealed.body,
        json!({"secret": "guarded", "e2e": false, "views_left": 0})
    );
    assert_eq!(app.receipt_state(&created.receipt_key).await, "revealed");
}
on_both_backends!(a_wrong_passphrase_keeps_the_secret);

async fn the_attempt_limit_burns_the_secret(backend: Backend) {
    let app = spawn_app_with(backend, &["--passphrase-attempts", "3"]).await;
    let created = app
        .create_secret(json!({"secret": "guarded", "passphrase": "right"}))
        .await;
    let mut left = Vec::new();
    for _ in 0..3 {
        let reply = app.reveal(&created.secret_key, Some("wrong")).await;
        reply.assert_error(403, "wrong_passphrase");
        left.push(reply.body["attempts_left"].as_u64().expect("attempts_left"));
    }
    assert_eq!(left, [2, 1, 0]);
    // Burned: even the right passphrase finds nothing now.
    app.reveal(&created.secret_key, Some("right"))
        .await
        .assert_error(404, "not_found");
    let receipt = app
        .get(&format!("/api/receipts/{}", created.receipt_key))
        .await;
    assert_eq!(receipt.body["state"], "burned");
    assert!(receipt.field("burned_at").ends_with('Z'));
}
on_both_backends!(the_attempt_limit_burns_the_secret);

async fn attempts_are_counted_across_all_callers(backend: Backend) {
    let app = spawn_app_with(backend, &["--passphrase-attempts", "5"]).await;
    let created = app
        .create_secret(json!({"secret": "guarded", "passphrase": "right"}))
        .await;
    let guesses = (0..5).map(|guess| {
        let (client, url) = (
            app.client.clone(),
            app.url(&format!("/api/secrets/{}/reveal", created.secret_key)),
        );
        tokio::spawn(async move {
            let response = client
                .post(url)
                .json(&json!({"passphrase": format!("guess {guess}")}))
                .send()
                .await
                .expect("request");
            let body: serde_json::Value = response.json().await.expect("json");
            body["attempts_left"].as_u64()
        })
    });
    let mut left: Vec<u64> = futures_join_all(guesses)
        .await
        .into_iter()
        .flatten()
        .collect();
    left.sort_unstable();
    assert_eq!(left, [0, 1, 2, 3, 4], "each failure counted once");
    assert_eq!(app.receipt_state(&created.receipt_key).await, "burned");
}
on_both_backends!(attempts_are_counted_across_all_callers);

async fn the_link_holder_can_burn_a_secret_unread(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create_secret(json!({"secret": "never mind"})).await;
    let path = format!("/api/secrets/{}", created.secret_key);
    let burned = app.delete(&path).await;
    assert_eq!(burned.status, 204);
    app.delete(&path).await.assert_error(404, "not_found");
    app.reveal(&created.secret_key, None)
        .await
        .assert_error(404, "not_found");
    assert_eq!(app.receipt_state(&created.receipt_key).await, "burned");
}
on_both_backends!(the_link_holder_can_burn_a_secret_unread);

async fn a_generated_secret_is_returned_once_and_revealed_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let reply = app
        .post(
            "/api/secrets/generate",
            json!({"length": 40, "passphrase": "pw", "ttl": 600}),
        )
        .await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.header("cache-control"), "no-store");
    let value = reply.field("value");
    assert_eq!(value.len(), 40);
    assert!(value.bytes().all(|byte| byte.is_ascii_alphanumeric()));
    assert_eq!(reply.body["passphrase_required"], true);
    assert_eq!(reply.body["ttl"], 600);
    let revealed = app.reveal(&reply.field("secret_key"), Some("pw")).await;
    assert_eq!(revealed.field("secret"), value);

    let defaults = app.post_empty("/api/secrets/generate").await;
    assert_eq!(defaults.status, 201);
    assert_eq!(defaults.field("value").len(), 32);
}
on_both_backends!(a_generated_secret_is_returned_once_and_revealed_once);

async fn a_passphrase_on_an_unprotected_secret_is_ignored(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create_secret(json!({"secret": "open"})).await;
    let revealed = app.reveal(&created.secret_key, Some("anything")).await;
    assert_eq!(
        revealed.body,
        json!({"secret": "open", "e2e": false, "views_left": 0})
    );
    app.reveal(&created.secret_key, Some("anything"))
        .await
        .assert_error(404, "not_found");
}
on_both_backends!(a_passphrase_on_an_unprotected_secret_is_ignored);

async fn secrets_expire_on_time(backend: Backend) {
    let app = spawn_app_with(backend, &["--ttl-min", "1"]).await;
    let created = app
        .create_secret(json!({"secret": "brief", "ttl": 1}))
        .await;
    assert_eq!(
        app.get(&format!("/api/secrets/{}", created.secret_key))
            .await
            .status,
        200
    );
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    app.get(&format!("/api/secrets/{}", created.secret_key))
        .await
        .assert_error(404, "not_found");
    app.reveal(&created.secret_key, None)
        .await
        .assert_error(404, "not_found");
    assert_eq!(app.receipt_state(&created.receipt_key).await, "expired");
}
on_both_backends!(secrets_expire_on_time);

#[tokio::test]
async fn redis_holds_the_ttl_for_every_key_it_stores() {
    use redis::AsyncCommands;
    let app = spawn_app(Backend::Redis).await;
    let created = app.create_secret(json!({"secret": "x", "ttl": 120})).await;
    let wrong = app.reveal(&created.secret_key, Some("nope")).await;
    assert_eq!(wrong.status, 200, "unprotected secret: passphrase ignored");
    let other = app
        .create_secret(json!({"secret": "y", "passphrase": "p", "ttl": 120}))
        .await;
    app.reveal(&other.secret_key, Some("wrong"))
        .await
        .assert_error(403, "wrong_passphrase");

    let mut redis = app.redis().await;
    let keys: Vec<String> = redis
        .keys(format!("{}*", app.key_prefix))
        .await
        .expect("keys");
    assert!(
        keys.len() >= 5,
        "secret, receipts, outcome, attempts: {keys:?}"
    );
    for key in keys {
        let ttl: i64 = redis.pttl(&key).await.expect("pttl");
        assert!(ttl > 0, "{key} has no expiry");
        // Receipts and outcomes live up to ttl + 7 days; nothing lives longer.
        assert!(ttl <= (120 + 604_800) * 1000, "{key} lives {ttl} ms");
    }
}

#[tokio::test]
async fn a_key_that_is_not_a_key_is_simply_not_found() {
    let app = spawn_app(Backend::Redis).await;
    for key in [
        "x",
        "not-base64-!!!!!!!!!!!!!!!!!!!!!!!!",
        &"A".repeat(32),
        &"A".repeat(400),
    ] {
        app.get(&format!("/api/secrets/{key}"))
            .await
            .assert_error(404, "not_found");
        app.reveal(key, None).await.assert_error(404, "not_found");
        app.get(&format!("/api/receipts/{key}"))
            .await
            .assert_error(404, "not_found");
    }
}

async fn a_secret_of_three_views_is_revealed_three_times(backend: Backend) {
    let app = spawn_app(backend).await;
    let reply = app
        .post(
            "/api/secrets",
            json!({"secret": "team wifi", "max_views": 3}),
        )
        .await;
    assert_eq!((reply.status, &reply.body["max_views"]), (201, &json!(3)));
    let (secret_key, receipt_key) = (reply.field("secret_key"), reply.field("receipt_key"));
    let status_path = format!("/api/secrets/{secret_key}");
    for left in [2, 1, 0] {
        let status = app.get(&status_path).await;
        assert_eq!(status.body["views_left"], left + 1);
        assert_eq!(status.body["viewer_may_burn"], false);
        let revealed = app.reveal(&secret_key, None).await;
        assert_eq!(
            revealed.body,
            json!({"secret": "team wifi", "e2e": false, "views_left": left})
        );
        let receipt = app.get(&format!("/api/receipts/{receipt_key}")).await;
        assert_eq!(receipt.body["views"], 3 - left);
        assert_eq!(receipt.body["views_left"], left);
        assert_eq!(receipt.body["max_views"], 3);
    }
    app.reveal(&secret_key, None)
        .await
        .assert_error(404, "not_found");
    assert_eq!(app.receipt_state(&receipt_key).await, "revealed");
}
on_both_backends!(a_secret_of_three_views_is_revealed_three_times);

/// 40 readers racing over HTTP for a secret of 5 views, with and without a passphrase:
/// exactly 5 get it. (With a passphrase, readers beyond the guesses the secret has left
/// are told to retry: 429.)
async fn racing_readers_get_exactly_the_views_allowed(backend: Backend) {
    let app = spawn_app_with(backend, &RACING).await;
    for passphrase in [None, Some("open sesame")] {
        let created = app
            .post(
                "/api/secrets",
                json!({"secret": "five times", "passphrase": passphrase, "max_views": 5}),
            )
            .await;
        let results: Vec<(u16, serde_json::Value)> =
            race_reveals(&app, &created.field("secret_key"), passphrase, 40)
                .await
                .into_iter()
                .map(|(status, body)| (status, serde_json::from_str(&body).expect("json")))
                .collect();
        let mut left: Vec<u64> = results
            .iter()
            .filter(|(status, _)| *status == 200)
            .map(|(_, body)| {
                assert_eq!(body["secret"], "five times");
                body["views_left"].as_u64().expect("views_left")
            })
            .collect();
        left.sort_unstable();
        assert_eq!(left, vec![0, 1, 2, 3, 4], "{results:?}");
        assert!(
            results.iter().all(|(status, body)| *status == 200
                || body["error"] == "not_found"
                || (passphrase.is_some() && body["error"] == "rate_limited")),
            "{results:?}"
        );
    }
}
on_both_backends!(racing_readers_get_exactly_the_views_allowed);

async fn viewers_burn_a_secret_of_several_views_only_when_allowed(backend: Backend) {
    let app = spawn_app(backend).await;
    let kept = app
        .post("/api/secrets", json!({"secret": "a", "max_views": 2}))
        .await;
    let path = format!("/api/secrets/{}", kept.field("secret_key"));
    app.delete(&path)
        .await
        .assert_error(403, "burn_not_allowed");
    assert_eq!(app.get(&path).await.body["views_left"], 2);

    let burnable = app
        .post(
            "/api/secrets",
            json!({"secret": "b", "max_views": 2, "viewer_may_burn": true}),
        )
        .await;
    let path = format!("/api/secrets/{}", burnable.field("secret_key"));
    assert_eq!(
        app.reveal(&burnable.field("secret_key"), None).await.status,
        200
    );
    assert_eq!(app.delete(&path).await.status, 204);
    let receipt = app
        .get(&format!("/api/receipts/{}", burnable.field("receipt_key")))
        .await;
    assert_eq!(
        (&receipt.body["state"], &receipt.body["views"]),
        (&json!("burned"), &json!(1))
    );

    let single_kept = app
        .post(
            "/api/secrets",
            json!({"secret": "c", "viewer_may_burn": false}),
        )
        .await;
    let path = format!("/api/secrets/{}", single_kept.field("secret_key"));
    app.delete(&path)
        .await
        .assert_error(403, "burn_not_allowed");

    for wrong in [json!(0), json!(101), json!("many")] {
        let reply = app
            .post("/api/secrets", json!({"secret": "d", "max_views": wrong}))
            .await;
        assert!(
            matches!(reply.status, 400 | 422),
            "{wrong}: {}",
            reply.status
        );
    }
    app.post("/api/secrets", json!({"secret": "d", "max_views": 101}))
        .await
        .assert_error(422, "max_views_out_of_range");
    let generated = app
        .post("/api/secrets/generate", json!({"max_views": 4}))
        .await;
    assert_eq!(generated.body["max_views"], 4);
}
on_both_backends!(viewers_burn_a_secret_of_several_views_only_when_allowed);
