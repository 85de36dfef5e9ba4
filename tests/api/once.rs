//! Exactly once, for the reader too: a reveal whose answer is lost on the way is recovered
//! by retrying with the same `Idempotency-Key`, and an `e2e2` link opens only with the key
//! in its fragment.

use std::time::Duration;

use burnbox::e2e::{self, E2eKey};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{
    Backend, RedisServer, Reply, SHARED_CLUSTER, TestApp, spawn_app, spawn_app_on, spawn_app_with,
    spawn_cluster_apps,
};
use crate::replication::{ARGS, caught_up, fail_over};

/// `POST /api/secrets/{key}/reveal` with the headers a careful client sends.
async fn reveal(app: &TestApp, secret_key: &str, idempotency: &str, proof: Option<&str>) -> Reply {
    let mut request = app
        .client
        .post(app.url(&format!("/api/secrets/{secret_key}/reveal")))
        .header("idempotency-key", idempotency);
    if let Some(proof) = proof {
        request = request.header("burnbox-reveal-proof", proof);
    }
    Reply::from_response(request.send().await.expect("request")).await
}

/// What a receipt says: its state and the views taken.
async fn receipt(app: &TestApp, receipt_key: &str) -> (String, u64) {
    let reply = app.get(&format!("/api/receipts/{receipt_key}")).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let views = reply.body["views"].as_u64().unwrap_or_default();
    (reply.field("state"), views)
}

#[tokio::test]
async fn a_retry_with_the_same_key_gets_the_same_view_and_counts_none() {
    for backend in [Backend::Memory, Backend::Redis] {
        let app = spawn_app(backend).await;
        let created = app
            .create_secret(json!({"secret": "two views", "max_views": 2}))
            .await;
        let key = &created.secret_key;
        let first = reveal(&app, key, "first-reader-key-01", None).await;
        assert_eq!(
            (first.status, first.field("secret")),
            (200, "two views".into())
        );
        assert_eq!(first.body["views_left"], 1);
        // The answer was lost: the same key gets it again, and no view is counted.
        let again = reveal(&app, key, "first-reader-key-01", None).await;
        assert_eq!(again.body, first.body, "{backend:?}");
        let second = reveal(&app, key, "second-reader-key-2", None).await;
        assert_eq!(second.body["views_left"], 0, "{}", second.body);
        // Gone for everyone else; still there for each key that took a view.
        reveal(&app, key, "a-third-reader-key3", None)
            .await
            .assert_error(404, "not_found");
        assert_eq!(
            reveal(&app, key, "first-reader-key-01", None).await.body,
            first.body
        );
        assert_eq!(
            receipt(&app, &created.receipt_key).await,
            ("revealed".into(), 2)
        );
    }
}

#[tokio::test]
async fn malformed_keys_are_refused_and_consume_nothing() {
    let app = spawn_app(Backend::Memory).await;
    let created = app.create_secret(json!({"secret": "kept whole"})).await;
    for bad in [
        "short",
        &"x".repeat(65),
        "sixteen chars with spaces",
        "sixteen-chars-\u{e9}\u{e9}",
    ] {
        let reply = Reply::from_response(
            app.client
                .post(app.url(&format!("/api/secrets/{}/reveal", created.secret_key)))
                .header("idempotency-key", bad.as_bytes())
                .send()
                .await
                .expect("request"),
        )
        .await;
        reply.assert_error(422, "invalid_idempotency_key");
    }
    reveal(
        &app,
        &created.secret_key,
        "a-well-formed-key",
        Some("not a proof"),
    )
    .await
    .assert_error(422, "invalid_reveal_proof");
    assert_eq!(
        app.get(&format!("/api/secrets/{}", created.secret_key))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn with_no_retry_window_a_key_changes_nothing() {
    let app = spawn_app_with(Backend::Redis, &["--reveal-retry-seconds", "0"]).await;
    let created = app.create_secret(json!({"secret": "once"})).await;
    let key = "the-same-key-twice";
    assert_eq!(
        reveal(&app, &created.secret_key, key, None).await.status,
        200
    );
    reveal(&app, &created.secret_key, key, None)
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn tokens_v1_and_password_pusher_reveals_are_retry_safe_too() {
    let app = spawn_app(Backend::Redis).await;
    let token = app
        .post("/api/tokens", json!({"subject": "user:7"}))
        .await
        .field("token");
    let verify = |key: &'static str| {
        let request = app
            .client
            .post(app.url("/api/tokens/verify"))
            .header("idempotency-key", key)
            .json(&json!({ "token": token }));
        async move { Reply::from_response(request.send().await.expect("request")).await }
    };
    let verified = verify("token-verify-key-1").await;
    assert_eq!(verified.body["subject"], "user:7", "{}", verified.body);
    assert_eq!(verify("token-verify-key-1").await.body, verified.body);
    verify("token-verify-key-2")
        .await
        .assert_error(404, "not_found");

    let v1 = app
        .create_secret(json!({"secret": "for onetimesecret"}))
        .await;
    let retrieve = || {
        let request = app
            .client
            .post(app.url(&format!("/api/v1/secret/{}", v1.secret_key)))
            .header("idempotency-key", "onetimesecret-key-1");
        async move { Reply::from_response(request.send().await.expect("request")).await }
    };
    let first = retrieve().await;
    assert_eq!(first.body["value"], "for onetimesecret", "{}", first.body);
    assert_eq!(retrieve().await.body, first.body);

    let push = app.create_secret(json!({"secret": "for pwpush"})).await;
    let fetch = |key: &'static str| {
        let request = app
            .client
            .get(app.url(&format!("/p/{}.json", push.secret_key)))
            .header("idempotency-key", key);
        async move { Reply::from_response(request.send().await.expect("request")).await }
    };
    let pushed = fetch("password-pusher-key").await;
    assert_eq!(pushed.body["payload"], "for pwpush", "{}", pushed.body);
    assert_eq!(fetch("password-pusher-key").await.body, pushed.body);
    assert_eq!(fetch("another-pusher-key1").await.status, 404);
}

/// A proxy in front of `app` that forwards one request, waits for the whole answer, and
/// then hangs up on its client without passing a byte of it on: the take provably ran
/// (its answer was written), and the reader never saw it.
async fn proxy_that_drops_answers(app: &TestApp) -> (String, tokio::task::JoinHandle<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = format!("http://{}", listener.local_addr().expect("address"));
    let upstream = app.address.trim_start_matches("http://").to_owned();
    let dropped = tokio::spawn(async move {
        let (mut client, _) = listener.accept().await.expect("accept");
        let mut server = TcpStream::connect(&upstream).await.expect("upstream");
        let mut request = vec![0; 8192];
        let read = client.read(&mut request).await.expect("request");
        server.write_all(&request[..read]).await.expect("forward");
        let mut answer = Vec::new();
        let mut chunk = [0; 4096];
        // The app answers with a length and keeps the connection open: read until the
        // body is complete.
        while !complete(&answer) {
            let read = server.read(&mut chunk).await.expect("answer");
            assert!(read > 0, "the app closed before answering");
            answer.extend_from_slice(&chunk[..read]);
        }
        drop(client);
        answer.len()
    });
    (address, dropped)
}

/// Whether `answer` holds a whole HTTP/1.1 response with a `content-length` body.
fn complete(answer: &[u8]) -> bool {
    let text = String::from_utf8_lossy(answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    let length = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())
                .flatten()
        })
        .unwrap_or(0);
    body.len() >= length
}

#[tokio::test]
async fn an_answer_a_proxy_dropped_is_recovered_with_the_same_key() {
    let app = spawn_app(Backend::Redis).await;
    let created = app
        .create_secret(json!({"secret": "lost on the way"}))
        .await;
    let (proxy, dropped) = proxy_that_drops_answers(&app).await;
    let lost = reqwest::Client::new()
        .post(format!("{proxy}/api/secrets/{}/reveal", created.secret_key))
        .header("idempotency-key", "the-readers-own-key")
        .send()
        .await;
    assert!(lost.is_err(), "the proxy passed the answer on: {lost:?}");
    assert!(
        dropped.await.expect("proxy") > 0,
        "the app answered the proxy"
    );
    // Taken: the link alone no longer finds it.
    assert_eq!(
        app.get(&format!("/api/secrets/{}", created.secret_key))
            .await
            .status,
        404
    );
    let recovered = reveal(&app, &created.secret_key, "the-readers-own-key", None).await;
    assert_eq!(recovered.status, 200, "{}", recovered.body);
    assert_eq!(recovered.field("secret"), "lost on the way");
    reveal(&app, &created.secret_key, "somebody-elses-key", None)
        .await
        .assert_error(404, "not_found");
    assert_eq!(
        receipt(&app, &created.receipt_key).await,
        ("revealed".into(), 1)
    );
}

#[tokio::test]
async fn a_reader_that_hung_up_right_after_asking_recovers_with_the_same_key() {
    let app = spawn_app(Backend::Redis).await;
    let created = app
        .create_secret(json!({"secret": "asked, then gone"}))
        .await;
    let mut stream = TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .expect("connect");
    let request = format!(
        "POST /api/secrets/{}/reveal HTTP/1.1\r\nhost: burnbox\r\nidempotency-key: \
         hung-up-reader-key\r\ncontent-length: 0\r\n\r\n",
        created.secret_key
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    drop(stream);
    // Whether the take ran before the app noticed or not, the same key gets the secret once.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let recovered = reveal(&app, &created.secret_key, "hung-up-reader-key", None).await;
    assert_eq!(
        recovered.field("secret"),
        "asked, then gone",
        "{}",
        recovered.body
    );
    reveal(&app, &created.secret_key, "somebody-elses-key", None)
        .await
        .assert_error(404, "not_found");
}

/// The apps an `e2e2` link is tried on: memory, Redis, and two instances on the cluster.
async fn every_store() -> Vec<TestApp> {
    let mut apps = vec![
        spawn_app(Backend::Memory).await,
        spawn_app(Backend::Redis).await,
    ];
    apps.extend(spawn_cluster_apps(&SHARED_CLUSTER.nodes(), 1, &[]).await);
    apps
}

#[tokio::test]
async fn an_e2e2_link_opens_and_burns_only_with_the_proof_of_its_key() {
    for app in every_store().await {
        let key = E2eKey::generate();
        let envelope = e2e::seal(&key, "only for the link's reader");
        let created = app
            .create_secret(json!({"secret": envelope, "e2e": true}))
            .await;
        let path = format!("/api/secrets/{}", created.secret_key);
        let wrong = E2eKey::generate().reveal_proof().encode();
        for proof in [None, Some(wrong.as_str())] {
            reveal(&app, &created.secret_key, "path-only-reader-1", proof)
                .await
                .assert_error(403, "reveal_proof_refused");
            let mut burn = app.client.delete(app.url(&path));
            if let Some(proof) = proof {
                burn = burn.header("burnbox-reveal-proof", proof);
            }
            Reply::from_response(burn.send().await.expect("request"))
                .await
                .assert_error(403, "reveal_proof_refused");
        }
        // Nothing was consumed, not even by the same idempotency key.
        assert_eq!(app.get(&path).await.status, 200);
        let proof = key.reveal_proof().encode();
        let revealed = reveal(
            &app,
            &created.secret_key,
            "path-only-reader-1",
            Some(&proof),
        )
        .await;
        assert_eq!(revealed.status, 200, "{}", revealed.body);
        assert_eq!(
            e2e::open(&key, &revealed.field("secret")).as_deref(),
            Ok("only for the link's reader")
        );
    }
}

#[tokio::test]
async fn wrong_passphrases_without_the_proof_cannot_burn_an_e2e2_secret() {
    let app = spawn_app(Backend::Redis).await;
    let key = E2eKey::generate();
    let created = app
        .create_secret(json!({
            "secret": e2e::seal(&key, "guarded twice"), "e2e": true, "passphrase": "right one"
        }))
        .await;
    for _ in 0..8 {
        let reply = app
            .client
            .post(app.url(&format!("/api/secrets/{}/reveal", created.secret_key)))
            .json(&json!({"passphrase": "a wrong guess"}))
            .send()
            .await
            .expect("request");
        Reply::from_response(reply)
            .await
            .assert_error(403, "reveal_proof_refused");
    }
    let proof = key.reveal_proof().encode();
    let reply = app
        .client
        .post(app.url(&format!("/api/secrets/{}/reveal", created.secret_key)))
        .header("burnbox-reveal-proof", &proof)
        .json(&json!({"passphrase": "right one"}))
        .send()
        .await
        .expect("request");
    let revealed = Reply::from_response(reply).await;
    assert_eq!(revealed.status, 200, "{}", revealed.body);
}

#[tokio::test]
async fn a_refused_proof_is_charged_to_the_guessers_budget_and_e2e1_needs_none() {
    let app = spawn_app_with(Backend::Redis, &["--passphrase-failures-per-hour", "3"]).await;
    let key = E2eKey::generate();
    let created = app
        .create_secret(json!({"secret": e2e::seal(&key, "budgeted"), "e2e": true}))
        .await;
    let wrong = E2eKey::generate().reveal_proof().encode();
    for proof in [None, None, Some(wrong.as_str())] {
        reveal(&app, &created.secret_key, "a-guessing-client-1", proof)
            .await
            .assert_error(403, "reveal_proof_refused");
    }
    // Three failures spent the budget: the next guess at anything secret from this client
    // (a passphrase here) is refused unchecked. A proof is not such a guess (256 bits):
    // the right one still opens.
    let protected = app
        .create_secret(json!({"secret": "p", "passphrase": "the right one"}))
        .await;
    app.reveal(&protected.secret_key, Some("the right one"))
        .await
        .assert_error(429, "rate_limited");
    let right = key.reveal_proof().encode();
    let revealed = reveal(
        &app,
        &created.secret_key,
        "a-guessing-client-1",
        Some(&right),
    )
    .await;
    assert_eq!(revealed.status, 200, "{}", revealed.body);

    let fresh = spawn_app(Backend::Redis).await;
    let old = e2e::seal_v1_with_nonce(&key, burnbox::crypto::random_array(), "made by 0.x");
    let created = fresh
        .create_secret(json!({"secret": old, "e2e": true}))
        .await;
    let revealed = fresh.reveal(&created.secret_key, None).await;
    assert_eq!(
        e2e::open(&key, &revealed.field("secret")).as_deref(),
        Ok("made by 0.x")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unacknowledged_reveal_goes_to_its_key_once_a_replica_has_it() {
    let master = RedisServer::start();
    let replica = RedisServer::replica_of(master.port());
    let app = spawn_app_on(Backend::Redis, &master.url(), ARGS).await;
    assert_eq!(app.get("/ready").await.body["consume_ack_replicas"], 1);
    let created = app.create_secret(json!({"secret": "held back"})).await;
    caught_up(master.port(), replica.port());

    // Taken on the master, never acknowledged: held back, and kept for its key.
    replica.freeze();
    let held = reveal(&app, &created.secret_key, "patient-readers-key", None).await;
    held.assert_error(503, "not_durable");
    assert!(
        held.field("message").contains("same Idempotency-Key"),
        "{}",
        held.body
    );
    reveal(&app, &created.secret_key, "somebody-elses-key", None)
        .await
        .assert_error(404, "not_found");

    // Once the replica has it, the same key gets it; nobody else ever does.
    replica.thaw();
    caught_up(master.port(), replica.port());
    let recovered = reveal(&app, &created.secret_key, "patient-readers-key", None).await;
    assert_eq!(recovered.status, 200, "{}", recovered.body);
    assert_eq!(recovered.field("secret"), "held back");
    assert_eq!(
        receipt(&app, &created.receipt_key).await,
        ("revealed".into(), 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reveal_whose_master_died_after_the_take_is_recovered_with_the_same_key() {
    let master = RedisServer::start();
    let replica = RedisServer::replica_of(master.port());
    // A long wait for the replica: the take is provably done, and its answer provably
    // still waiting, when the master is killed.
    let args = [
        "--redis-timeout-ms",
        "6000",
        "--consume-ack-timeout-ms",
        "4000",
        "--rate-limit-per-minute",
        "0",
    ];
    let app = spawn_app_on(Backend::Redis, &master.url(), &args).await;
    assert_eq!(app.get("/ready").await.body["consume_ack_replicas"], 1);
    let created = app
        .create_secret(json!({"secret": "outlived its master"}))
        .await;
    caught_up(master.port(), replica.port());
    replica.freeze();
    let request = app
        .client
        .post(app.url(&format!("/api/secrets/{}/reveal", created.secret_key)))
        .header("idempotency-key", "reader-of-a-dead-master")
        .send();
    let in_flight = tokio::spawn(request);
    // The take ran: the link alone finds nothing on the master now.
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    while app
        .get(&format!("/api/secrets/{}", created.secret_key))
        .await
        .status
        != 404
    {
        assert!(std::time::Instant::now() < deadline, "the take never ran");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        !in_flight.is_finished(),
        "the answer left before the replica acknowledged"
    );
    let promoted = fail_over(master, &replica, &app).await;
    let lost = in_flight.await.expect("task");
    assert!(
        lost.as_ref()
            .map_or(true, |response| response.status().is_server_error()),
        "{lost:?}"
    );
    // The promoted replica never saw the take: the same key takes it there, once.
    let recovered = reveal(
        &promoted,
        &created.secret_key,
        "reader-of-a-dead-master",
        None,
    )
    .await;
    assert_eq!(recovered.status, 200, "{}", recovered.body);
    assert_eq!(recovered.field("secret"), "outlived its master");
    assert_eq!(
        reveal(
            &promoted,
            &created.secret_key,
            "reader-of-a-dead-master",
            None
        )
        .await
        .body,
        recovered.body
    );
    reveal(&promoted, &created.secret_key, "somebody-elses-key", None)
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn a_retry_needs_the_passphrase_and_the_proof_again() {
    for backend in [Backend::Memory, Backend::Redis] {
        let app = spawn_app(backend).await;
        let key = E2eKey::generate();
        let created = app
            .create_secret(json!({
                "secret": e2e::seal(&key, "twice guarded"), "e2e": true, "passphrase": "pass"
            }))
            .await;
        let proof = key.reveal_proof().encode();
        let send = |passphrase: Option<&str>, proof: Option<&str>| {
            let mut request = app
                .client
                .post(app.url(&format!("/api/secrets/{}/reveal", created.secret_key)))
                .header("idempotency-key", "the-one-true-reader");
            if let Some(proof) = proof {
                request = request.header("burnbox-reveal-proof", proof);
            }
            if let Some(passphrase) = passphrase {
                request = request.json(&json!({ "passphrase": passphrase }));
            }
            async move { Reply::from_response(request.send().await.expect("request")).await }
        };
        let first = send(Some("pass"), Some(&proof)).await;
        assert_eq!(first.status, 200, "{}", first.body);
        // The secret is gone; its kept answer goes only to what opened it.
        send(None, Some(&proof))
            .await
            .assert_error(403, "passphrase_required");
        send(Some("pass"), None)
            .await
            .assert_error(403, "reveal_proof_refused");
        assert_eq!(send(Some("pass"), Some(&proof)).await.body, first.body);
    }
}
