//! Takes and creates acknowledged by a replica (Redis `WAIT`): replication is asynchronous,
//! so without this a master that dies right after a reveal leaves the secret alive on the
//! replica that replaces it — and a second reader gets it again — and one that dies right
//! after a create loses a secret whose link was already handed out.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{
    Backend, RedisServer, TestApp, assert_one_winner, redis_cli, spawn_app, spawn_app_on,
    spawn_app_with,
};

/// A shared CI machine can keep a healthy replica from answering for a while: 1 s for
/// its acknowledgment keeps the happy paths from burning secrets on a slow moment.
pub(crate) const ARGS: &[&str] = &[
    "--redis-timeout-ms",
    "2000",
    "--ack-timeout-ms",
    "1000",
    "--rate-limit-create-per-minute",
    "0",
    "--rate-limit-per-minute",
    "0",
    "--rate-limit-reveal-per-minute",
    "0",
];

/// Waits until the replica holds as many keys as the master: it has caught up.
pub(crate) fn caught_up(master: u16, replica: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while redis_cli(master, &["DBSIZE"]) != redis_cli(replica, &["DBSIZE"]) {
        assert!(Instant::now() < deadline, "the replica did not catch up");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The master dies; its (frozen) replica is thawed, sees it go, and is promoted; an
/// instance with `app`'s key prefix then serves from it.
pub(crate) async fn fail_over(
    master: RedisServer,
    replica: &RedisServer,
    app: &TestApp,
) -> TestApp {
    let _ = master.stop();
    replica.thaw();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !redis_cli(replica.port(), &["INFO", "replication"]).contains("master_link_status:down") {
        assert!(
            Instant::now() < deadline,
            "the replica never saw its master go"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(redis_cli(replica.port(), &["REPLICAOF", "NO", "ONE"]).contains("OK"));
    let mut promoted_args = ARGS.to_vec();
    promoted_args.extend(["--key-prefix", &app.key_prefix]);
    spawn_app_on(Backend::Redis, &replica.url(), &promoted_args).await
}

async fn verify(app: &TestApp, token: &str) -> crate::helpers::Reply {
    app.post("/api/tokens/verify", json!({ "token": token }))
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unacknowledged_take_is_never_handed_out_and_a_refused_one_is_handed_out_once_after_failover()
 {
    let master = RedisServer::start();
    let replica = RedisServer::replica_of(master.port());
    let app = spawn_app_on(Backend::Redis, &master.url(), ARGS).await;
    // `auto`: the master has a replica, so every take waits for it; /ready says so.
    let ready = app.get("/ready").await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert_eq!(ready.body["exactly_once_through_failover"], json!(true));
    assert_eq!(ready.body["consume_ack_replicas"], json!(1));

    // With the replica healthy, every take is acknowledged: 60 secrets, each raced by 24
    // readers split over two instances, each handed out exactly once (one 200, 23 × 404:
    // a refused or unacknowledged take would be a 503 and fail this).
    let mut second_args = ARGS.to_vec();
    second_args.extend(["--key-prefix", &app.key_prefix]);
    let second = spawn_app_on(Backend::Redis, &master.url(), &second_args).await;
    let mut secrets = Vec::new();
    for n in 0..60 {
        let text = format!("acknowledged <{n}>");
        secrets.push((app.create_secret(json!({ "secret": text })).await, text));
    }
    let mut races = Vec::new();
    for (created, _) in &secrets {
        let racers: Vec<_> = (0..24)
            .map(|reader| {
                let instance = if reader % 2 == 0 { &app } else { &second };
                let (client, url) = (
                    instance.client.clone(),
                    instance.url(&format!("/api/secrets/{}/reveal", created.secret_key)),
                );
                tokio::spawn(async move {
                    let response = client.post(url).send().await.expect("request");
                    let status = response.status().as_u16();
                    (status, response.text().await.expect("body"))
                })
            })
            .collect();
        races.push(racers);
    }
    for ((_, text), racers) in secrets.iter().zip(races) {
        let mut results = Vec::new();
        for racer in racers {
            results.push(racer.await.expect("task"));
        }
        // A loaded machine may hold the replica's acknowledgments back past two seconds:
        // the guard then refuses a reader with nothing taken (503). Never a second winner.
        results.retain(|(status, body)| !(*status == 503 && body.contains("nothing was taken")));
        assert_one_winner(&results, text, None);
    }

    let guarded = app.create_secret(json!({"secret": "the vault code"})).await;
    let token = app
        .post("/api/tokens", json!({"subject": "user:7"}))
        .await
        .field("token");
    let refused = app.create_secret(json!({"secret": "the door code"})).await;
    caught_up(master.port(), replica.port());

    // The replica freezes: for the master it is still online (it heard from it within two
    // seconds), so the take happens there, but no acknowledgment comes and the answer is
    // held back. Taken on the master for good: nobody gets it from there, and the receipt
    // says it was burned (nobody read it).
    // (An instance that waits 100 ms, as by default, and both takes at once: the master
    // must still count the frozen replica as online when they arrive.)
    let mut quick_args = ARGS.to_vec();
    quick_args.extend(["--key-prefix", &app.key_prefix, "--ack-timeout-ms", "100"]);
    let quick = spawn_app_on(Backend::Redis, &master.url(), &quick_args).await;
    assert_eq!(
        quick.get("/ready").await.body["consume_ack_replicas"],
        json!(1)
    );
    replica.freeze();
    let started = Instant::now();
    let (reply, verified) = tokio::join!(
        quick.reveal(&guarded.secret_key, None),
        verify(&quick, &token)
    );
    for answer in [&reply, &verified] {
        answer.assert_error(503, "not_durable");
        // Taken, not refused: this is the unacknowledged path.
        assert!(
            !answer.body.to_string().contains("nothing was taken"),
            "{}",
            answer.body
        );
    }
    assert!(!reply.body.to_string().contains("the vault code"));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    app.reveal(&guarded.secret_key, None)
        .await
        .assert_error(404, "not_found");
    assert_eq!(app.receipt_state(&guarded.receipt_key).await, "burned");
    verify(&app, &token).await.assert_error(404, "not_found");

    // Its link dropped (as in a partition), the master has no replica online: takes are
    // refused before they consume anything, again and again, and the secret stays.
    redis_cli(master.port(), &["CLIENT", "KILL", "TYPE", "replica"]);
    for _ in 0..2 {
        let reply = app.reveal(&refused.secret_key, None).await;
        reply.assert_error(503, "not_durable");
        assert!(
            reply.field("message").contains("nothing was taken"),
            "{}",
            reply.body
        );
    }
    assert_eq!(app.receipt_state(&refused.receipt_key).await, "pending");

    // The master dies; the replica is thawed and promoted, and an instance serves from it.
    // The unacknowledged take was already in flight to it and arrives late (a frozen
    // process still has its socket's bytes; only a lost packet would not): that secret
    // and the token were never handed out, here or anywhere — "never twice" can mean
    // never. The refused one was never taken: it is handed out there, once.
    let promoted = fail_over(master, &replica, &app).await;
    promoted
        .reveal(&guarded.secret_key, None)
        .await
        .assert_error(404, "not_found");
    verify(&promoted, &token)
        .await
        .assert_error(404, "not_found");
    let revealed = promoted.reveal(&refused.secret_key, None).await;
    assert_eq!(revealed.status, 200, "{}", revealed.body);
    assert_eq!(revealed.field("secret"), "the door code");
    promoted
        .reveal(&refused.secret_key, None)
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
        &["--ack-replicas", "1", "--ack-timeout-ms", "50"],
    )
    .await;
    // No replica online: a create is never acknowledged, so it hands no key out.
    forced
        .post("/api/secrets", json!({"secret": "never created"}))
        .await
        .assert_error(503, "not_durable");
    // A secret made by an instance that waits for nothing is refused before anything is
    // consumed, as often as asked.
    let redis_url = forced.redis_url.clone().expect("on Redis");
    let careless = spawn_app_on(
        Backend::Redis,
        &redis_url,
        &["--key-prefix", &forced.key_prefix, "--ack-replicas", "0"],
    )
    .await;
    let created = careless
        .create_secret(json!({"secret": "never handed out"}))
        .await;
    for _ in 0..2 {
        let reply = forced.reveal(&created.secret_key, None).await;
        reply.assert_error(503, "not_durable");
        assert_eq!(reply.header("retry-after"), "1");
    }
    assert_eq!(forced.receipt_state(&created.receipt_key).await, "pending");
    // Once it is gone (here: taken by the instance that does not wait), there is nothing
    // to take and nothing to wait for: a plain 404, not a 503.
    assert_eq!(careless.reveal(&created.secret_key, None).await.status, 200);
    forced
        .reveal(&created.secret_key, None)
        .await
        .assert_error(404, "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auto_waits_for_every_replica_from_the_first_take_without_a_readiness_probe() {
    let master = RedisServer::start();
    let first = RedisServer::replica_of(master.port());
    let second = RedisServer::replica_of(master.port());
    // No `/ready` here (a deployment may never probe it): the first take counts the
    // replicas itself (two) before deciding how to take.
    let app = spawn_app_on(Backend::Redis, &master.url(), ARGS).await;
    let created = app.create_secret(json!({"secret": "two witnesses"})).await;
    caught_up(master.port(), first.port());
    caught_up(master.port(), second.port());
    let warm = app.create_secret(json!({"secret": "first take"})).await;
    assert_eq!(app.reveal(&warm.secret_key, None).await.status, 200);

    // One of the two is gone. A take acknowledged by the other alone would come back if
    // this one were promoted: refused, nothing taken.
    let _ = second.stop();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !redis_cli(master.port(), &["INFO", "replication"]).contains("connected_slaves:1") {
        assert!(Instant::now() < deadline, "the master did not see it go");
        std::thread::sleep(Duration::from_millis(20));
    }
    let reply = app.reveal(&created.secret_key, None).await;
    reply.assert_error(503, "not_durable");
    assert!(
        reply.field("message").contains("nothing was taken"),
        "{}",
        reply.body
    );
    assert_eq!(
        app.get("/ready").await.body["consume_ack_replicas"],
        json!(2)
    );

    // A second replica again: handed out, once.
    let _again = RedisServer::replica_of(master.port());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reply = app.reveal(&created.secret_key, None).await;
        if reply.status == 200 {
            assert_eq!(reply.field("secret"), "two witnesses");
            break;
        }
        reply.assert_error(503, "not_durable");
        assert!(Instant::now() < deadline, "never handed out");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.reveal(&created.secret_key, None)
        .await
        .assert_error(404, "not_found");
}

/// A wrong passphrase is answered only once a replica has counted it: a failure the
/// master alone holds could be lost in a failover, giving the secret back with its count
/// down (or unburned) — more guesses than the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_passphrase_is_answered_only_once_a_replica_has_counted_it() {
    let master = RedisServer::start();
    let replica = RedisServer::replica_of(master.port());
    let mut args = ARGS.to_vec();
    args.extend([
        "--ack-timeout-ms",
        "100",
        "--passphrase-attempts",
        "2",
        "--passphrase-failures-per-hour",
        "0",
    ]);
    let app = spawn_app_on(Backend::Redis, &master.url(), &args).await;
    assert_eq!(
        app.get("/ready").await.body["consume_ack_replicas"],
        json!(1)
    );
    let burned = app
        .create_secret(json!({"secret": "burned at the limit", "passphrase": "the right one"}))
        .await;
    let kept = app
        .create_secret(json!({"secret": "never guessed at", "passphrase": "the right one"}))
        .await;
    // Acknowledged: an answer with the attempts left.
    let first = app.reveal(&burned.secret_key, Some("a wrong one")).await;
    first.assert_error(403, "wrong_passphrase");
    assert_eq!(first.body["attempts_left"], json!(1));
    caught_up(master.port(), replica.port());

    // The replica freezes (still online for the master): the last failure burns the secret
    // on the master, but nobody confirms it, so the guesser learns nothing — not even that
    // the passphrase was wrong.
    replica.freeze();
    let unacknowledged = app
        .reveal(&burned.secret_key, Some("another wrong one"))
        .await;
    unacknowledged.assert_error(503, "not_durable");
    assert!(unacknowledged.body.get("attempts_left").is_none());
    assert!(
        !unacknowledged
            .field("message")
            .contains("nothing was taken"),
        "{}",
        unacknowledged.body
    );

    // Its link dropped, the master has no replica online: guesses are refused before they
    // count, and give their reservation back (else the third would be a 429).
    redis_cli(master.port(), &["CLIENT", "KILL", "TYPE", "replica"]);
    for _ in 0..3 {
        let refused = app.reveal(&kept.secret_key, Some("a wrong one")).await;
        refused.assert_error(503, "not_durable");
        assert!(
            refused.field("message").contains("nothing was taken"),
            "{}",
            refused.body
        );
    }
    assert_eq!(app.receipt_state(&kept.receipt_key).await, "pending");

    // The replica is promoted: the burn was in flight to it and stays; the secret nobody
    // could guess at is handed out, once.
    let promoted = fail_over(master, &replica, &app).await;
    promoted
        .reveal(&burned.secret_key, Some("the right one"))
        .await
        .assert_error(404, "not_found");
    assert_eq!(promoted.receipt_state(&burned.receipt_key).await, "burned");
    let revealed = promoted
        .reveal(&kept.secret_key, Some("the right one"))
        .await;
    assert_eq!(revealed.status, 200, "{}", revealed.body);
    assert_eq!(revealed.field("secret"), "never guessed at");
}

/// A wrong passphrase that no replica confirmed is answered 503 like any unconfirmed
/// change, but it was counted on the master all the same: the guesser's own budget of
/// wrong guesses pays for it, so lagging replicas never make guessing free.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unconfirmed_wrong_passphrase_still_spends_the_guessers_budget() {
    let master = RedisServer::start();
    let replica = RedisServer::replica_of(master.port());
    let mut args = ARGS.to_vec();
    args.extend([
        "--ack-timeout-ms",
        "100",
        "--passphrase-failures-per-hour",
        "2",
    ]);
    let app = spawn_app_on(Backend::Redis, &master.url(), &args).await;
    let mut secrets = Vec::new();
    for _ in 0..3 {
        let body = json!({"secret": "guessed at", "passphrase": "the right one"});
        secrets.push(app.create_secret(body).await);
    }
    caught_up(master.port(), replica.port());
    replica.freeze();
    for secret in &secrets[..2] {
        app.reveal(&secret.secret_key, Some("a wrong one"))
            .await
            .assert_error(503, "not_durable");
    }
    app.reveal(&secrets[2].secret_key, Some("a wrong one"))
        .await
        .assert_error(429, "rate_limited");
    replica.thaw();
}

/// The app's keys on one server, sorted.
fn keys_of(port: u16, app: &TestApp) -> Vec<String> {
    let listed = redis_cli(port, &["KEYS", &format!("{}*", app.key_prefix)]);
    let mut keys: Vec<String> = listed.lines().map(str::to_owned).collect();
    keys.sort();
    keys
}

/// What Redis ran for the app since the last reset, without what the replica itself sends
/// its master (`REPLCONF ACK`, every second).
async fn commands_for(app: &TestApp) -> BTreeMap<String, u64> {
    let mut ran = app.commands_since_reset().await;
    ran.retain(|name, _| !name.starts_with("replconf"));
    ran
}

/// The creates an HTTP client can make, each of a kind of its own (`ttl` 2 s where the
/// route takes one): a secret, a token, a request, a code.
fn creates() -> [(&'static str, serde_json::Value); 4] {
    [
        (
            "/api/secrets",
            json!({"secret": "the new door code", "ttl": 2}),
        ),
        ("/api/tokens", json!({"subject": "user:9"})),
        (
            "/api/requests",
            json!({"note": "the staging password", "ttl": 2}),
        ),
        ("/api/codes", json!({"recipient": "someone@example.org"})),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_answers_only_once_its_replica_holds_it() {
    let master = RedisServer::start();
    let replica = RedisServer::replica_of(master.port());
    // Long enough for the replica to be thawed before the wait is over.
    let mut args = ARGS.to_vec();
    args.extend(["--ack-timeout-ms", "1400"]);
    let app = spawn_app_on(Backend::Redis, &master.url(), &args).await;
    assert_eq!(
        app.get("/ready").await.body["consume_ack_replicas"],
        json!(1)
    );

    // Healthy: the two writes and one WAIT, in one round trip; when the 201 arrives the
    // replica already holds everything the create wrote.
    caught_up(master.port(), replica.port());
    app.reset_command_stats().await;
    let created = app.create_secret(json!({"secret": "seen by two"})).await;
    assert_eq!(
        commands_for(&app).await,
        BTreeMap::from([("setex".to_owned(), 2), ("wait".to_owned(), 1)])
    );
    assert_eq!(keys_of(replica.port(), &app), keys_of(master.port(), &app));
    assert_eq!(
        keys_of(replica.port(), &app).len(),
        2,
        "a secret and its receipt"
    );

    // The replica freezes: the create waits, unanswered, until it is thawed and has it.
    replica.freeze();
    let (client, url) = (app.client.clone(), app.url("/api/secrets"));
    let pending = tokio::spawn(async move {
        let body = json!({"secret": "seen once thawed"});
        let response = client.post(url).json(&body).send().await.expect("request");
        response.status().as_u16()
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    let answered_early = pending.is_finished();
    replica.thaw();
    assert!(
        !answered_early,
        "answered before the replica had the secret"
    );
    assert_eq!(pending.await.expect("no panic"), 201);
    assert_eq!(keys_of(replica.port(), &app), keys_of(master.port(), &app));
    assert_eq!(keys_of(replica.port(), &app).len(), 4);
    let revealed = app.reveal(&created.secret_key, None).await;
    assert_eq!(revealed.field("secret"), "seen by two");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unacknowledged_create_hands_no_key_out_and_what_it_wrote_expires() {
    let master = RedisServer::start();
    let replica = RedisServer::replica_of(master.port());
    let mut args = ARGS.to_vec();
    args.extend(["--ack-timeout-ms", "100", "--ttl-min", "1"]);
    let app = spawn_app_on(Backend::Redis, &master.url(), &args).await;
    assert_eq!(
        app.get("/ready").await.body["consume_ack_replicas"],
        json!(1)
    );
    caught_up(master.port(), replica.port());

    // The replica freezes (still online for its master): each create is written on the
    // master, but no acknowledgment comes, so none answers with a key (or mails a code).
    replica.freeze();
    for (path, body) in creates() {
        let reply = app.post(path, body).await;
        reply.assert_error(503, "not_durable");
        assert!(
            reply.field("message").contains("nothing was created"),
            "{path}: {}",
            reply.body
        );
        let fields: Vec<&String> = reply.body.as_object().expect("an object").keys().collect();
        assert_eq!(fields, ["error", "message"], "{path}: {}", reply.body);
    }
    let outbox = format!("{}{{outbox}}due", app.key_prefix);
    assert_eq!(redis_cli(master.port(), &["ZCARD", &outbox]).trim(), "0");

    // What they wrote is on the master, unreachable (no key left it), and every key of
    // it expires: the secret's and the request's within their 2 s.
    let written = keys_of(master.port(), &app);
    for kind in ["s:", "r:", "t:", "c:"] {
        assert!(
            written.iter().any(|key| key.contains(&format!("}}{kind}"))),
            "no {kind} key in {written:?}"
        );
    }
    for key in &written {
        let ttl: i64 = redis_cli(master.port(), &["TTL", key])
            .trim()
            .parse()
            .expect("a TTL");
        assert!(ttl > 0, "{key} never expires ({ttl})");
    }
    replica.thaw();
    let deadline = Instant::now() + Duration::from_secs(10);
    while written
        .iter()
        .filter(|key| key.contains("}s:"))
        .any(|key| redis_cli(master.port(), &["EXISTS", key]).trim() != "0")
    {
        assert!(Instant::now() < deadline, "the unacknowledged secrets stay");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    caught_up(master.port(), replica.port());
    assert!(
        keys_of(replica.port(), &app)
            .iter()
            .all(|key| !key.contains("}s:")),
        "the replica still holds one"
    );
    // No mail went out for the unacknowledged code: asking again is not a resend.
    let [.., (path, body)] = creates();
    assert_eq!(app.post(path, body).await.status, 202);
}

#[tokio::test]
async fn without_replicas_a_create_costs_what_it_did_and_waits_for_nothing() {
    let redis = RedisServer::start();
    let mut args = ARGS.to_vec();
    args.extend(["--ttl-min", "1"]);
    let app = spawn_app_on(Backend::Redis, &redis.url(), &args).await;
    assert_eq!(
        app.get("/ready").await.body["consume_ack_replicas"],
        json!(0)
    );
    let expected = [
        Some(BTreeMap::from([("setex".to_owned(), 2)])),
        Some(BTreeMap::from([("set".to_owned(), 1)])),
        Some(BTreeMap::from([("setex".to_owned(), 2)])),
        // A code's script, and its mail queued (and perhaps sent): counted below.
        None,
    ];
    for ((path, body), expected) in creates().into_iter().zip(expected) {
        app.reset_command_stats().await;
        let reply = app.post(path, body).await;
        assert!([201, 202].contains(&reply.status), "{path}: {}", reply.body);
        let ran = app.commands_since_reset().await;
        assert!(
            !ran.contains_key("wait") && !ran.contains_key("waitaof"),
            "{path}: {ran:?}"
        );
        if let Some(expected) = expected {
            assert_eq!(ran, expected, "{path}");
        }
    }
}
