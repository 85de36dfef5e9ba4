//! Redis trouble — stopped, restarted, failed over, crashed mid-flight — gets a fast 503
//! in the error shape, never a hang or a panic; service resumes by itself, and nothing is
//! revealed twice.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{
    Backend, RedisCluster, RedisServer, free_port, redis_cli, spawn_app_on, spawn_cluster_apps,
};

#[tokio::test]
async fn a_stopped_redis_gives_a_fast_503_and_recovery_follows() {
    let redis = RedisServer::start();
    let app = spawn_app_on(Backend::Redis, &redis.url(), &["--redis-timeout-ms", "500"]).await;
    let created = app
        .create_secret(json!({"secret": "before the outage"}))
        .await;
    let port = redis.stop();
    // The share and reveal pages need no Redis to load: they say what the API answers.
    for path in ["/".to_owned(), format!("/s/{}", created.secret_key)] {
        let page = app.client.get(app.url(&path)).send().await.expect("GET");
        assert_eq!(page.status().as_u16(), 200, "{path}");
    }

    for _ in 0..2 {
        let started = Instant::now();
        let reply = app.post("/api/secrets", json!({"secret": "during"})).await;
        reply.assert_error(503, "store_unavailable");
        assert_eq!(reply.header("retry-after"), "1");
        assert!(
            !reply.body.to_string().contains("127.0.0.1"),
            "no internals shown"
        );
        app.reveal(&created.secret_key, None)
            .await
            .assert_error(503, "store_unavailable");
        app.get("/ready")
            .await
            .assert_error(503, "store_unavailable");
        let receipt_page = app
            .client
            .get(app.url(&format!("/r/{}", created.receipt_key)))
            .send()
            .await
            .expect("GET");
        assert_eq!(receipt_page.status().as_u16(), 503);
        let elapsed = started.elapsed();
        // Four requests, each bounded by the 500 ms Redis timeout; generous for a busy CI box.
        assert!(elapsed < Duration::from_secs(5), "503s took {elapsed:?}");
    }

    let _restarted = RedisServer::start_on(port);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if app.get("/ready").await.status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "did not reconnect after Redis came back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let again = app.create_secret(json!({"secret": "after"})).await;
    assert_eq!(
        app.reveal(&again.secret_key, None).await.field("secret"),
        "after"
    );
}

/// Fault tests retry through outages: the per-client limits are not what they are about.
const FAULT_TEST_ARGS: &[&str] = &[
    "--redis-timeout-ms",
    "500",
    "--rate-limit-per-minute",
    "0",
    "--rate-limit-reveal-per-minute",
    "0",
];

/// Sends `request` until it is answered with something other than 503, within `bound`;
/// every 503 on the way must be in the error shape and come back quickly.
async fn until_answered<F, Fut>(bound: Duration, mut request: F) -> crate::helpers::Reply
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = crate::helpers::Reply>,
{
    let deadline = Instant::now() + bound;
    loop {
        let started = Instant::now();
        let reply = request().await;
        if reply.status != 503 {
            return reply;
        }
        // Unreachable, or (a replica briefly unheard of during the failover) a take the
        // guard refused before it ran: either way nothing was taken.
        // Or taken and not acknowledged, and kept for the same idempotency key.
        let refused = reply.field("error") == "not_durable"
            && (reply.field("message").contains("nothing was taken")
                || reply.field("message").contains("same Idempotency-Key"));
        if !refused {
            reply.assert_error(503, "store_unavailable");
        }
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "a 503 took {:?}",
            started.elapsed()
        );
        assert!(Instant::now() < deadline, "still 503 after {bound:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// Multi-threaded, so that the reveals are really waiting on the app while the test
// starts the failover.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cluster_failover_mid_reveal_loses_nothing_untaken_and_reveals_nothing_twice() {
    let cluster = RedisCluster::start(3, 1);
    // Redis calls wait up to 2 s: the reveals held by the paused master outlast the pause.
    let mut args = FAULT_TEST_ARGS.to_vec();
    args.extend(["--redis-timeout-ms", "2000"]);
    // Creates wait for a replica (`auto`): a slow moment on a shared machine must not
    // turn one into a 503.
    args.extend(["--ack-timeout-ms", "1000"]);
    let apps = spawn_cluster_apps(&cluster.nodes(), 1, &args).await;
    let app = &apps[0];
    let (mut secrets, mut receipts) = (Vec::new(), Vec::new());
    for index in 0..30 {
        let text = format!("before failover {index}");
        let created = app.create_secret(json!({ "secret": text })).await;
        secrets.push((format!("/api/secrets/{}/reveal", created.secret_key), text));
        receipts.push(created.receipt_key);
    }
    // Promote every replica, one after the other (a coordinated failover: nothing
    // acknowledged is lost). The first starts with reveals in flight: its master holds
    // its clients' writes (CLIENT PAUSE), every secret's reveal is sent, and those on that
    // master's slots are proved waiting.
    let replicas = cluster.with_role("slave");
    assert_eq!(replicas.len(), 3);
    let master_of_first = redis_cli(replicas[0], &["ROLE"])
        .lines()
        .nth(2)
        .and_then(|port| port.trim().parse::<u16>().ok())
        .expect("the replica's master");
    let paused = redis_cli(master_of_first, &["CLIENT", "PAUSE", "1500", "WRITE"]);
    assert!(paused.contains("OK"), "{paused}");
    let paths: Vec<String> = secrets.iter().map(|(path, _)| path.clone()).collect();
    let racers = reveal_all(app, &paths);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let waiting = racers.iter().filter(|racer| !racer.is_finished()).count();
    assert!(waiting > 0, "no reveal was in flight on the paused master");
    let mut racers = Some(racers);
    let mut handed_out = vec![0; secrets.len()];
    // Taken on the master, but no replica acknowledged in time: 503 `not_durable`, the
    // take stands (docs/operations.md, "never twice, possibly never").
    let mut taken_unacknowledged = vec![false; secrets.len()];
    for replica in &replicas {
        // A manual failover that does not finish within Redis' own 5 s limit is dropped
        // by Redis (a busy machine); ask again.
        let deadline = Instant::now() + Duration::from_secs(30);
        'promoted: while Instant::now() < deadline {
            assert!(redis_cli(*replica, &["CLUSTER", "FAILOVER"]).contains("OK"));
            if let Some(racers) = racers.take() {
                for (index, racer) in racers.into_iter().enumerate() {
                    let (status, body, took) = racer.await.expect("no panic");
                    assert!(took < Duration::from_secs(5), "took {took:?}");
                    match status {
                        200 => {
                            assert_eq!(body["secret"], secrets[index].1.as_str(), "{body}");
                            handed_out[index] += 1;
                        }
                        503 => {
                            let message = body["message"].as_str().unwrap_or_default();
                            let error = body["error"].as_str().unwrap_or_default();
                            match (error, message.contains("stays taken")) {
                                ("not_durable", true) => taken_unacknowledged[index] = true,
                                // Refused before the take: nothing was taken.
                                ("not_durable" | "store_unavailable", false) => {}
                                _ => panic!("503 for a reveal in flight: {body}"),
                            }
                        }
                        other => panic!("{other} for a reveal in flight: {body}"),
                    }
                }
            }
            let asked = Instant::now();
            while asked.elapsed() < Duration::from_secs(6) {
                if cluster.with_role("master").contains(replica) {
                    break 'promoted;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        assert!(
            cluster.with_role("master").contains(replica),
            "failover to {replica} did not complete"
        );
    }

    // What was handed out in flight is gone. What a 503 said stays taken is either gone
    // with its receipt saying burned, or (the take lost with the old master before its
    // replica saw it) still there. Everything else is still there. What is there goes
    // out now, once; every secret is accounted for.
    let mut burned = 0;
    for (index, (path, secret)) in secrets.iter().enumerate() {
        let reply = until_answered(Duration::from_secs(15), || app.post_empty(path)).await;
        if handed_out[index] == 1 {
            reply.assert_error(404, "not_found");
        } else if reply.status == 200 {
            assert_eq!(&reply.field("secret"), secret);
            handed_out[index] += 1;
        } else {
            reply.assert_error(404, "not_found");
            assert!(
                taken_unacknowledged[index],
                "lost in the failover, never taken: {secret}"
            );
            assert_eq!(app.receipt_state(&receipts[index]).await, "burned");
            burned += 1;
        }
        app.post_empty(path).await.assert_error(404, "not_found");
    }
    let once = handed_out.iter().filter(|count| **count == 1).count();
    assert_eq!(once + burned, secrets.len(), "{handed_out:?}");
    assert!(handed_out.iter().all(|count| *count <= 1), "{handed_out:?}");
    let after = app.create_secret(json!({"secret": "after failover"})).await;
    assert_eq!(app.receipt_state(&after.receipt_key).await, "pending");
}

/// Reveals `paths` at once; each answer's status, body and time taken, in order.
fn reveal_all(
    app: &crate::helpers::TestApp,
    paths: &[String],
) -> Vec<tokio::task::JoinHandle<(u16, serde_json::Value, Duration)>> {
    paths
        .iter()
        .enumerate()
        .map(|(index, path)| {
            let (client, url) = (app.client.clone(), app.url(path));
            tokio::spawn(async move {
                let started = Instant::now();
                let response = client
                    .post(url)
                    .header("idempotency-key", reader_key(index))
                    .send()
                    .await
                    .expect("answered");
                let status = response.status().as_u16();
                let body = response.json().await.expect("a JSON body");
                (status, body, started.elapsed())
            })
        })
        .collect()
}

/// The idempotency key the reader of secret `index` sends with each try.
fn reader_key(index: usize) -> String {
    format!("crash-test-reader-{index:04}")
}

// Multi-threaded, so that the reveals are really waiting on the app while the test
// freezes and kills the master.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_crashed_cluster_master_gives_bounded_503s_and_loses_no_secret_to_its_reader() {
    let mut cluster = RedisCluster::start(3, 1);
    // Redis calls wait up to 2 s: the reveals sent to the frozen master are surely still
    // waiting when it is killed.
    let mut args = FAULT_TEST_ARGS.to_vec();
    args.extend(["--redis-timeout-ms", "2000"]);
    // Creates and takes wait for a replica (`auto`): a slow moment on a shared machine
    // must not turn one into a 503.
    args.extend(["--ack-timeout-ms", "1000"]);
    let apps = spawn_cluster_apps(&cluster.nodes(), 1, &args).await;
    let app = &apps[0];
    let mut secrets = Vec::new();
    for index in 0..30 {
        // A create answers 201 only once a replica holds it (`auto`): none is lost below.
        let text = format!("crash {index}");
        let created = app.create_secret(json!({ "secret": text })).await;
        secrets.push((format!("/api/secrets/{}/reveal", created.secret_key), text));
    }
    // A first reveal counts the replicas takes wait for (asking every master), so that
    // the reveals below reach their masters rather than wait on that count.
    // (Retried with its key: a replica fresh from its first sync may be slow to answer.)
    let first = app.create_secret(json!({"secret": "first"})).await;
    let path = format!("/api/secrets/{}/reveal", first.secret_key);
    let counted =
        until_answered(Duration::from_secs(10), || {
            let request = app
                .client
                .post(app.url(&path))
                .header("idempotency-key", "the-first-readers-key");
            async move {
                crate::helpers::Reply::from_response(request.send().await.expect("sent")).await
            }
        })
        .await;
    assert_eq!(counted.status, 200, "{}", counted.body);
    // One master freezes; every secret's reveal is sent, each by its own reader with a key
    // of its own; those on the frozen master's slots are proved in flight, and the master
    // is killed under them.
    let masters = cluster.with_role("master");
    cluster.freeze(masters[0]);
    let paths: Vec<String> = secrets.iter().map(|(path, _)| path.clone()).collect();
    let racers = reveal_all(app, &paths);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let waiting = racers.iter().filter(|racer| !racer.is_finished()).count();
    assert!(waiting > 0, "no reveal was in flight on the frozen master");
    cluster.kill(masters[0]);
    let mut answered = vec![false; secrets.len()];
    let mut failed = 0;
    let mut in_flight = Vec::new();
    for (index, racer) in racers.into_iter().enumerate() {
        let (status, body, took) = racer.await.expect("no panic");
        in_flight.push(format!("{status} {body} after {took:?}"));
        assert!(took < Duration::from_secs(5), "took {took:?}");
        match status {
            200 => {
                assert_eq!(body["secret"], secrets[index].1.as_str(), "{body}");
                answered[index] = true;
            }
            // Unreachable, timed out, or taken and not acknowledged: the reader retries.
            503 => failed += 1,
            other => panic!("{other} for a reveal in flight: {body}"),
        }
    }
    assert!(failed > 0, "no reveal failed in flight");
    // With a master gone (its replica needs 2 s to be promoted), the instance is not ready.
    let started = Instant::now();
    app.get("/ready")
        .await
        .assert_error(503, "store_unavailable");
    assert!(started.elapsed() < Duration::from_secs(5));
    // Once its replica has taken over, the crashed master comes back as the replica's
    // replica: takes there wait for one. (Back before that, with no data of its own, it
    // would still be the master, and empty: a failure no client can help.)
    let deadline = Instant::now() + Duration::from_secs(30);
    while cluster.with_role("master").len() < 3 {
        assert!(Instant::now() < deadline, "no replica took over");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    cluster.restart(masters[0]);

    // Every request is answered (or refused with 503) within the bound, and service
    // resumes once the replica is promoted (cluster-node-timeout 2 s) and has a replica. Each reader retries
    // with its key and gets its secret, whatever happened in flight — taken and answered,
    // taken and the answer lost, never taken — and nobody else ever does.
    for (index, (path, text)) in secrets.iter().enumerate() {
        let retry = || {
            let request = app
                .client
                .post(app.url(path))
                .header("idempotency-key", reader_key(index));
            async move {
                crate::helpers::Reply::from_response(request.send().await.expect("sent")).await
            }
        };
        let reply = until_answered(Duration::from_secs(30), retry).await;
        assert_eq!(
            reply.status, 200,
            "{text} was lost to its reader: {}; in flight it was told {}",
            reply.body, in_flight[index]
        );
        assert_eq!(&reply.field("secret"), text);
        app.post_empty(path).await.assert_error(404, "not_found");
    }
    eprintln!(
        "{failed} of {} reveals failed in flight; {} answered; every reader got theirs",
        secrets.len(),
        answered.iter().filter(|answered| **answered).count()
    );
    let after = until_answered(Duration::from_secs(30), || {
        app.post("/api/secrets", json!({"secret": "after the crash"}))
    })
    .await;
    assert_eq!(after.status, 201, "{}", after.body);
    let ready = until_answered(Duration::from_secs(30), || app.get("/ready")).await;
    assert_eq!(
        ready.status, 200,
        "ready again once the replica took over: {}",
        ready.body
    );
}

/// A Redis that writes every command to its append-only file before answering, in a
/// directory of its own, so that a restart brings back exactly what it had acknowledged.
fn durable_redis_args(dir: &std::path::Path) -> Vec<String> {
    let dir = dir.display().to_string();
    // DEBUG (for DEBUG SLEEP, which freezes it) is refused by default since Redis 7.
    [
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--dir",
        &dir,
        "--enable-debug-command",
        "local",
    ]
    .iter()
    .map(|arg| (*arg).to_owned())
    .collect()
}

// Multi-threaded, so that the reveals really are in flight on the app while the test
// stops Redis; the Redis keeps its data across the restart, so that a second reveal of
// anything would succeed if exactly-once were broken.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_stopped_mid_flight_gives_answers_or_fast_503s_and_no_second_reveal() {
    let dir = std::env::temp_dir().join(format!("burnbox-aof-{}", free_port()));
    std::fs::create_dir_all(&dir).expect("a directory");
    let args = durable_redis_args(&dir);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let port = free_port();
    let redis = RedisServer::start_with(port, &args);
    // Redis calls wait up to 2 s here: long enough that the reveals are surely still
    // waiting when Redis dies, short enough for the bound below.
    let app = spawn_app_on(
        Backend::Redis,
        &redis.url(),
        &[
            "--redis-timeout-ms",
            "2000",
            "--rate-limit-per-minute",
            "0",
            "--rate-limit-reveal-per-minute",
            "0",
        ],
    )
    .await;
    let mut created = Vec::new();
    for index in 0..40 {
        created.push(
            app.create_secret(json!({ "secret": format!("in flight {index}") }))
                .await,
        );
    }
    let (before, in_flight) = created.split_at(20);
    // Half are revealed while Redis is healthy: their takes are on disk.
    for secret in before {
        assert_eq!(app.reveal(&secret.secret_key, None).await.status, 200);
    }

    // Redis freezes (DEBUG SLEEP); the other half's reveals pile up in flight behind it…
    let sleeper = std::thread::spawn(move || redis_cli(port, &["DEBUG", "SLEEP", "3"]));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let racers: Vec<_> = in_flight
        .iter()
        .map(|secret| {
            let (client, url) = (
                app.client.clone(),
                app.url(&format!("/api/secrets/{}/reveal", secret.secret_key)),
            );
            tokio::spawn(async move {
                let started = Instant::now();
                let response = client.post(url).send().await.expect("answered");
                let status = response.status().as_u16();
                (
                    status,
                    response.text().await.expect("body"),
                    started.elapsed(),
                )
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        racers.iter().all(|racer| !racer.is_finished()),
        "every reveal must still be waiting on the frozen Redis"
    );
    // …and Redis dies under them.
    let port = redis.stop();
    let _ = sleeper.join();
    let mut handed_out = std::collections::HashMap::new();
    for (racer, secret) in racers.into_iter().zip(in_flight) {
        let (status, body, took) = racer.await.expect("no panic");
        assert!(matches!(status, 200 | 503), "status {status}: {body}");
        assert!(took < Duration::from_secs(5), "took {took:?}");
        if status == 200 {
            *handed_out.entry(secret.secret_key.clone()).or_insert(0) += 1;
        }
    }

    let _restarted = RedisServer::start_with(port, &args);
    // What was revealed stays revealed: the 20 taken before the freeze, and any the stop
    // let through. What was not handed out is still there, and goes out exactly once now.
    for secret in before {
        let path = format!("/api/secrets/{}/reveal", secret.secret_key);
        let reply = until_answered(Duration::from_secs(15), || app.post_empty(&path)).await;
        reply.assert_error(404, "not_found");
    }
    for secret in in_flight {
        let path = format!("/api/secrets/{}/reveal", secret.secret_key);
        let reply = until_answered(Duration::from_secs(15), || app.post_empty(&path)).await;
        if reply.status == 200 {
            *handed_out.entry(secret.secret_key.clone()).or_insert(0) += 1;
        } else {
            reply.assert_error(404, "not_found");
        }
        assert!(
            handed_out.get(&secret.secret_key).copied().unwrap_or(0) <= 1,
            "handed out twice"
        );
    }
    // The frozen reveals never ran: after the restart each one's secret is still there.
    assert_eq!(handed_out.len(), in_flight.len(), "{handed_out:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
