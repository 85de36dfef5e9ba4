//! Takes acknowledged by a replica (Redis `WAIT`): replication is asynchronous, so without
//! this a master that dies right after a reveal leaves the secret alive on the replica that
//! replaces it — and a second reader gets it again.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{
    Backend, RedisServer, TestApp, assert_one_winner, redis_cli, spawn_app, spawn_app_on,
    spawn_app_with,
};

const ARGS: &[&str] = &[
    "--redis-timeout-ms",
    "2000",
    "--rate-limit-per-minute",
    "0",
    "--rate-limit-reveal-per-minute",
    "0",
];

/// Waits until the replica holds as many keys as the master: it has caught up.
fn caught_up(master: u16, replica: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while redis_cli(master, &["DBSIZE"]) != redis_cli(replica, &["DBSIZE"]) {
        assert!(Instant::now() < deadline, "the replica did not catch up");
        std::thread::sleep(Duration::from_millis(20));
    }
}

async fn verify(app: &TestApp, token: &str) -> crate::helpers::Reply {
    app.post("/api/tokens/verify", json!({ "token": token }))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_take_the_replica_did_not_acknowledge_is_never_handed_out_and_a_failover_hands_it_out_once()
 {
    let master = RedisServer::start();
    let replica = RedisServer::replica_of(master.port());
    let app = spawn_app_on(Backend::Redis, &master.url(), ARGS).await;
    // `auto`: the master has a replica, so every take waits for it; /ready says so.
    let ready = app.get("/ready").await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert_eq!(ready.body["exactly_once_through_failover"], json!(true));
    assert_eq!(ready.body["consume_ack_replicas"], json!(1));

    // With the replica healthy, reveals and token checks just work, exactly once.
    let healthy = app.create_secret(json!({"secret": "acknowledged"})).await;
    let racers = (0..24).map(|_| {
        let (client, url) = (
            app.client.clone(),
            app.url(&format!("/api/secrets/{}/reveal", healthy.secret_key)),
        );
        tokio::spawn(async move {
            let response = client.post(url).send().await.expect("request");
            let status = response.status().as_u16();
            (status, response.text().await.expect("body"))
        })
    });
    let mut results = Vec::new();
    for racer in racers {
        results.push(racer.await.expect("task"));
    }
    assert_one_winner(&results, "acknowledged", None);

    let guarded = app.create_secret(json!({"secret": "the vault code"})).await;
    let token = app
        .post("/api/tokens", json!({"subject": "user:7"}))
        .await
        .field("token");
    caught_up(master.port(), replica.port());

    // The replica is cut off (frozen, and its link dropped, as in a partition: nothing the
    // master writes from now on reaches it). The take happens on the master; the answer
    // is held back.
    replica.freeze();
    redis_cli(master.port(), &["CLIENT", "KILL", "TYPE", "replica"]);
    let started = Instant::now();
    let reply = app.reveal(&guarded.secret_key, None).await;
    reply.assert_error(503, "not_durable");
    assert!(!reply.body.to_string().contains("the vault code"));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    verify(&app, &token).await.assert_error(503, "not_durable");
    // Taken on the master for good: nobody else gets it from there, and the receipt says
    // it was burned (nobody read it).
    app.reveal(&guarded.secret_key, None)
        .await
        .assert_error(404, "not_found");
    assert_eq!(app.receipt_state(&guarded.receipt_key).await, "burned");

    // The master dies before the replica saw the take; the replica is promoted and an
    // instance serves from it. The secret is handed out there — the first and only time.
    let _ = master.stop();
    replica.thaw();
    assert!(redis_cli(replica.port(), &["REPLICAOF", "NO", "ONE"]).contains("OK"));
    let mut promoted_args = ARGS.to_vec();
    promoted_args.extend(["--key-prefix", &app.key_prefix]);
    let promoted = spawn_app_on(Backend::Redis, &replica.url(), &promoted_args).await;
    let revealed = promoted.reveal(&guarded.secret_key, None).await;
    assert_eq!(revealed.status, 200, "{}", revealed.body);
    assert_eq!(revealed.field("secret"), "the vault code");
    promoted
        .reveal(&guarded.secret_key, None)
        .await
        .assert_error(404, "not_found");
    assert_eq!(verify(&promoted, &token).await.status, 200);
    verify(&promoted, &token)
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn without_replicas_auto_waits_for_none_and_a_forced_count_refuses_to_hand_out() {
    let app = spawn_app(Backend::Redis).await;
    let ready = app.get("/ready").await;
    assert_eq!(ready.body["exactly_once_through_failover"], json!(false));
    assert_eq!(ready.body["consume_ack_replicas"], json!(0));
    let created = app.create_secret(json!({"secret": "s"})).await;
    assert_eq!(app.reveal(&created.secret_key, None).await.status, 200);

    let forced = spawn_app_with(
        Backend::Redis,
        &[
            "--consume-ack-replicas",
            "1",
            "--consume-ack-timeout-ms",
            "50",
        ],
    )
    .await;
    let created = forced
        .create_secret(json!({"secret": "never handed out"}))
        .await;
    let reply = forced.reveal(&created.secret_key, None).await;
    reply.assert_error(503, "not_durable");
    assert_eq!(reply.header("retry-after"), "1");
    assert_eq!(forced.receipt_state(&created.receipt_key).await, "burned");
    // Nothing to take, nothing to wait for: unknown secrets are a plain 404.
    forced
        .reveal(&created.secret_key, None)
        .await
        .assert_error(404, "not_found");
}
