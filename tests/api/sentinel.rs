//! Redis Sentinel: burnbox asks the Sentinels which server is the master and follows a
//! failover without a restart. With takes acknowledged by the replica (`auto`), every
//! secret is handed out exactly once across a coordinated failover and a crash.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{Backend, RedisServer, Sentinel, TestApp, redis_cli, spawn_app_on};

pub(crate) const NAME: &str = "burnbox";
pub(crate) const PASSWORD: &str = "s3ntinel-pw";

/// `redis-cli` as a client that knows the password.
pub(crate) fn cli(port: u16, args: &[&str]) -> String {
    let mut all = vec!["-a", PASSWORD, "--no-auth-warning"];
    all.extend(args);
    redis_cli(port, &all)
}

/// Puts the password on a server, for its clients and for its own link to a master.
pub(crate) fn protect(port: u16) {
    for (name, value) in [("masterauth", PASSWORD), ("requirepass", PASSWORD)] {
        let answer = redis_cli(port, &["CONFIG", "SET", name, value]);
        assert!(answer.contains("OK"), "{answer}");
    }
}

/// Waits until the master's replica holds everything written so far.
fn replicated(master: u16) {
    let answer = cli(master, &["WAIT", "1", "20000"]);
    assert_eq!(answer.trim(), "1", "the replica did not acknowledge");
}

/// Waits until Sentinel names `master`.
fn switched(sentinel: &Sentinel, master: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while sentinel.master_port(NAME) != Some(master) {
        assert!(
            Instant::now() < deadline,
            "Sentinel did not switch to {master}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reveals `key` until it is handed out, as a client that retries 503s does. Anything but
/// a 503 before the 200 fails the test (a 404 would mean the secret was lost or taken).
async fn reveal_through(app: &TestApp, key: &str, secret: &str) -> (Duration, usize) {
    let started = Instant::now();
    let mut refused = 0;
    loop {
        let reply = app.reveal(key, None).await;
        match reply.status {
            200 => {
                assert_eq!(reply.field("secret"), secret);
                return (started.elapsed(), refused);
            }
            503 => {
                refused += 1;
                assert!(reply.body["error"].is_string(), "{}", reply.body);
            }
            other => {
                panic!("{other} while the master changed: {}", reply.body)
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "not served again within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Reveals `key` until a 503 says the take was refused with nothing taken; returns how
/// long and how many 503s that took (those before are the outage itself).
async fn reveal_until_refused(app: &TestApp, key: &str) -> (Duration, usize) {
    let started = Instant::now();
    let mut unavailable = 0;
    loop {
        let reply = app.reveal(key, None).await;
        assert_eq!(reply.status, 503, "{}", reply.body);
        if reply.field("message").contains("nothing was taken") {
            return (started.elapsed(), unavailable + 1);
        }
        unavailable += 1;
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{}",
            reply.body
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Reveals of `secrets` sent at once, proved still waiting 300 ms later (the server is
/// paused or frozen), to be collected with [`collect`] after the fault.
async fn in_flight(
    app: &TestApp,
    secrets: &[(String, String)],
) -> Vec<tokio::task::JoinHandle<(u16, serde_json::Value)>> {
    let racers: Vec<_> = secrets
        .iter()
        .map(|(key, _)| {
            let (client, url) = (
                app.client.clone(),
                app.url(&format!("/api/secrets/{key}/reveal")),
            );
            tokio::spawn(async move {
                let response = client.post(url).send().await.expect("answered");
                let status = response.status().as_u16();
                (status, response.json().await.expect("a JSON body"))
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        racers.iter().all(|racer| !racer.is_finished()),
        "every reveal must still be waiting when the fault hits"
    );
    racers
}

/// What became of a reveal in flight at a fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InFlight {
    /// 200 with its own text.
    HandedOut,
    /// 503, refused or unreachable: nothing was taken.
    NothingTaken,
    /// 503 `not_durable`, "what was taken stays taken": no replica acknowledged the take
    /// in time (docs/operations.md: never twice, possibly never).
    TakenUnacknowledged,
}

/// The answers of reveals that were in flight at a fault, checked one by one.
async fn collect(
    racers: Vec<tokio::task::JoinHandle<(u16, serde_json::Value)>>,
    secrets: &[(String, String)],
) -> Vec<InFlight> {
    let mut outcomes = Vec::new();
    for (racer, (_, text)) in racers.into_iter().zip(secrets) {
        let (status, body) = racer.await.expect("no panic");
        let outcome = match status {
            200 => {
                assert_eq!(body["secret"], text.as_str(), "{body}");
                InFlight::HandedOut
            }
            503 if body["message"]
                .as_str()
                .is_some_and(|message| message.contains("stays taken")) =>
            {
                assert_eq!(body["error"], "not_durable", "{body}");
                InFlight::TakenUnacknowledged
            }
            503 => {
                assert!(body["error"].is_string(), "{body}");
                InFlight::NothingTaken
            }
            other => panic!("{other} for a reveal in flight: {body}"),
        };
        outcomes.push(outcome);
    }
    outcomes
}

/// After a fault: what was handed out in flight is gone (404); what was not taken is
/// handed out now, exactly once; what was taken unacknowledged is either gone or (the
/// take lost with the old master) handed out now, once.
async fn hand_out_the_rest(app: &TestApp, secrets: &[(String, String)], outcomes: &[InFlight]) {
    for ((key, text), outcome) in secrets.iter().zip(outcomes) {
        match outcome {
            InFlight::HandedOut => {
                app.reveal(key, None).await.assert_error(404, "not_found");
            }
            InFlight::NothingTaken => {
                reveal_through(app, key, text).await;
            }
            InFlight::TakenUnacknowledged => {
                let started = Instant::now();
                let mut reply = app.reveal(key, None).await;
                while reply.status == 503 && started.elapsed() < Duration::from_secs(30) {
                    tokio::time::sleep(Duration::from_millis(25)).await;
                    reply = app.reveal(key, None).await;
                }
                if reply.status == 200 {
                    assert_eq!(reply.field("secret"), *text);
                } else {
                    reply.assert_error(404, "not_found");
                }
            }
        }
        app.reveal(key, None).await.assert_error(404, "not_found");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burnbox_follows_sentinel_failovers_and_hands_each_secret_out_once() {
    let first = RedisServer::start();
    let second = RedisServer::replica_of(first.port());
    protect(first.port());
    protect(second.port());
    let sentinel = Sentinel::start(NAME, first.port(), PASSWORD, 1);
    // The URL gives the password for whichever master Sentinel names; its host is unused.
    let app = spawn_app_on(
        Backend::Redis,
        &format!("redis://:{PASSWORD}@named-by-sentinel"),
        &[
            "--redis-sentinels",
            &sentinel.address(),
            "--redis-sentinel-master",
            NAME,
            "--redis-timeout-ms",
            "2000",
            // A slow moment on a shared machine must not burn a secret (a late
            // acknowledgment); a refusal that takes nothing is retried.
            "--ack-timeout-ms",
            "1000",
            "--rate-limit-per-minute",
            "0",
            "--rate-limit-reveal-per-minute",
            "0",
        ],
    )
    .await;
    let ready = app.get("/ready").await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert_eq!(ready.body["consume_ack_replicas"], json!(1));

    let secrets: Vec<(String, String)> = {
        let mut made = Vec::new();
        for n in 0..30 {
            let text = format!("secret number {n}");
            let created = app.create_secret(json!({ "secret": text })).await;
            made.push((created.secret_key, text));
        }
        made
    };
    let token = app
        .post("/api/tokens", json!({"subject": "user:1"}))
        .await
        .field("token");
    for (key, text) in &secrets[..10] {
        // A 503 that took nothing (a replica briefly behind) may come first; a 404 may not.
        reveal_through(&app, key, text).await;
    }
    replicated(first.port());

    // A coordinated failover: the replica is promoted and the old master is turned into
    // its replica. burnbox's connection still points at the old master, whose READONLY
    // answer sends it back to Sentinel.
    // Ten reveals are in flight when it starts: the master holds its clients' writes
    // (CLIENT PAUSE), so their takes are proved waiting, not yet run.
    let paused = cli(first.port(), &["CLIENT", "PAUSE", "1500", "WRITE"]);
    assert!(paused.contains("OK"), "{paused}");
    let failing_over = Instant::now();
    let racers = in_flight(&app, &secrets[11..21]).await;
    let answer = redis_cli(sentinel.port(), &["SENTINEL", "FAILOVER", NAME]);
    assert!(answer.contains("OK"), "{answer}");
    let handed_out = collect(racers, &secrets[11..21]).await;
    // Reveals start at once: while the old master still takes writes (its replica gone,
    // promoted), and while the new one's replica (the old master) resynchronises, takes
    // are refused with nothing consumed; none may answer 404.
    switched(&sentinel, second.port());
    let (took, refused) = reveal_through(&app, &secrets[10].0, &secrets[10].1).await;
    let served_again = failing_over.elapsed();
    eprintln!(
        "coordinated failover: served again after {served_again:?} ({took:?} after the \
         switch) and {refused} 503s"
    );
    // docs/operations.md: served again after about 15 s.
    assert!(
        served_again < Duration::from_secs(25),
        "served again only after {served_again:?}"
    );
    // A 503 that took nothing (a replica briefly behind) may come first; a 404 may not.
    hand_out_the_rest(&app, &secrets[11..21], &handed_out).await;
    for (key, _) in &secrets[..21] {
        app.reveal(key, None).await.assert_error(404, "not_found");
    }
    replicated(second.port());

    // A crash: the master dies; Sentinel notices (500 ms) and promotes the replica, which
    // has no replica of its own: takes there are refused with nothing consumed (it might
    // be the stale side of a split) until the old master is back as its replica.
    // Eight reveals are in flight when it dies: the master is frozen (SIGSTOP) first, so
    // their takes are proved waiting, never run, when it is killed.
    second.freeze();
    let racers = in_flight(&app, &secrets[22..]).await;
    let crashed = Instant::now();
    let second_port = second.stop();
    let handed_out = collect(racers, &secrets[22..]).await;
    assert_eq!(
        handed_out,
        vec![InFlight::NothingTaken; 8],
        "a frozen master ran nothing"
    );
    switched(&sentinel, first.port());
    let promoted_after = crashed.elapsed();
    // docs/operations.md: promoted after about 1.6 s (down after 500 ms).
    assert!(
        promoted_after < Duration::from_secs(5),
        "promoted only after {promoted_after:?}"
    );
    let (_, refused) = reveal_until_refused(&app, &secrets[21].0).await;
    let _second = RedisServer::spawn_unchecked(
        second_port,
        &[
            "--replicaof",
            "127.0.0.1",
            &first.port().to_string(),
            "--masterauth",
            PASSWORD,
            "--requirepass",
            PASSWORD,
        ],
    );
    let (took, more) = reveal_through(&app, &secrets[21].0, &secrets[21].1).await;
    eprintln!(
        "crashed master: promoted after {promoted_after:?}; {} 503s, served again {:?} \
         after the old master came back as a replica",
        refused + more,
        took
    );
    // docs/operations.md: served again about 5 s after the old master came back.
    assert!(
        took < Duration::from_secs(12),
        "served again only {took:?} after the old master came back"
    );
    // A 503 that took nothing (a replica briefly behind) may come first; a 404 may not.
    hand_out_the_rest(&app, &secrets[22..], &handed_out).await;
    for (key, _) in &secrets {
        app.reveal(key, None).await.assert_error(404, "not_found");
    }
    let verify = |token: String| {
        let app = &app;
        async move {
            app.post("/api/tokens/verify", json!({ "token": token }))
                .await
        }
    };
    assert_eq!(verify(token.clone()).await.status, 200);
    verify(token).await.assert_error(404, "not_found");
    let ready = app.get("/ready").await;
    assert_eq!(ready.status, 200, "{}", ready.body);
    // `auto` never goes back to 0: the replica is back, and takes wait for it.
    assert_eq!(ready.body["exactly_once_through_failover"], json!(true));
}
