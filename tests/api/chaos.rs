//! The failover chaos scenario of issue #28, as an operator would run it: two burnbox
//! instances on Redis Sentinel (`appendfsync always`, takes and creates acknowledged by a
//! replica), six clients creating secrets and racing three readers at each, the master
//! SIGKILLed again and again and restarted. Readers retry with their own
//! `Idempotency-Key`. Nothing may be handed out twice, no acknowledged create lost, and
//! no secret gone after a failed reveal. `BURNBOX_CHAOS_SECONDS` runs it longer; run with
//! `--nocapture` for the figures (requests answered, the longest outage a client saw).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{Backend, RedisServer, Sentinel, TestApp, free_port, spawn_app_on};
use crate::sentinel::{NAME, PASSWORD, cli, protect};

/// A Redis that appends every write before answering, in a directory of its own.
fn durable(port: u16, dir: &std::path::Path) -> RedisServer {
    let dir = dir.join(port.to_string());
    std::fs::create_dir_all(&dir).expect("a data directory");
    let dir = dir.display().to_string();
    let args = [
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--dir",
        &dir,
    ];
    let server = RedisServer::start_with(port, &args);
    protect(port);
    server
}

/// What the clients saw.
#[derive(Debug, Default)]
struct Tally {
    /// Creates answered 201.
    created: usize,
    /// Requests sent, and those answered 5xx or not at all.
    requests: usize,
    failed: usize,
    /// Secrets more than one reader got, and secrets no reader got.
    doubles: usize,
    lost: usize,
    /// The longest a client went from its first failed request to its next answer.
    longest_outage: Duration,
    /// Failures by what they said.
    kinds: HashMap<String, usize>,
}

/// One client's request until it is answered with something but a 5xx, retried with
/// backoff for up to 55 s (within the 60 s an answer is kept: a reader that gives up
/// later than that may find its kept answer gone); `None` if it never was.
async fn answered(
    tally: &Mutex<Tally>,
    send: impl Fn() -> reqwest::RequestBuilder,
) -> Option<(u16, serde_json::Value)> {
    let started = Instant::now();
    let mut first_failure = None;
    let mut wait = Duration::from_millis(50);
    loop {
        let reply = send().send().await;
        let mut kind = String::from("no answer");
        let answer = match reply {
            Ok(response) if !response.status().is_server_error() => {
                let status = response.status().as_u16();
                Some((status, response.json().await.unwrap_or_default()))
            }
            Ok(response) => {
                let body: serde_json::Value = response.json().await.unwrap_or_default();
                kind = format!("{} {}", body["error"], body["message"]);
                None
            }
            Err(_) => None,
        };
        {
            let mut tally = tally.lock().expect("tally");
            tally.requests += 1;
            match answer {
                Some(answer) => {
                    if let Some(failed_at) = first_failure {
                        let outage = Instant::now().duration_since(failed_at);
                        tally.longest_outage = tally.longest_outage.max(outage);
                    }
                    return Some(answer);
                }
                None => {
                    tally.failed += 1;
                    *tally.kinds.entry(kind.clone()).or_default() += 1;
                    first_failure.get_or_insert_with(Instant::now);
                }
            }
        }
        if started.elapsed() > Duration::from_secs(55) {
            return None;
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(Duration::from_secs(1));
    }
}

/// One client: creates secrets on either instance until `until`, and races three readers
/// at each, each with a key of its own, on both instances.
async fn client(apps: Arc<Vec<TestApp>>, id: usize, until: Instant, tally: Arc<Mutex<Tally>>) {
    let mut made = 0;
    while Instant::now() < until {
        made += 1;
        let text = format!("client {id} secret {made}");
        let app = &apps[made % 2];
        let create = || {
            app.client
                .post(app.url("/api/secrets"))
                .json(&json!({ "secret": text }))
        };
        // A create not acknowledged (503) hands out no key: the client makes another.
        let Some((201, created)) = answered(&tally, create).await else {
            continue;
        };
        tally.lock().expect("tally").created += 1;
        let key = created["secret_key"].as_str().expect("a key").to_owned();
        let readers: Vec<_> = (0..3)
            .map(|reader| {
                let (apps, tally, key) = (apps.clone(), tally.clone(), key.clone());
                tokio::spawn(async move {
                    let idempotency = format!("client-{id}-secret-{made}-reader-{reader}");
                    let app = &apps[reader % 2];
                    let reveal = || {
                        app.client
                            .post(app.url(&format!("/api/secrets/{key}/reveal")))
                            .header("idempotency-key", &idempotency)
                    };
                    answered(&tally, reveal).await
                })
            })
            .collect();
        let mut got = 0;
        for reader in readers {
            match reader.await.expect("reader") {
                Some((200, body)) => {
                    assert_eq!(body["secret"], text.as_str(), "{body}");
                    got += 1;
                }
                Some((404, _)) => {}
                other => panic!("a reader of {text} was told {other:?}"),
            }
        }
        let mut tally = tally.lock().expect("tally");
        tally.doubles += usize::from(got > 1);
        tally.lost += usize::from(got == 0);
    }
}

/// Runs the scenario with `replicas` replicas for `seconds`, killing the master every
/// `period`, and returns what the clients saw and how many masters were killed.
async fn run(replicas: usize, seconds: u64, period: Duration) -> (Tally, usize) {
    let dir = std::env::temp_dir().join(format!("burnbox-chaos-{}", free_port()));
    let mut servers: HashMap<u16, RedisServer> = HashMap::new();
    let master = free_port();
    servers.insert(master, durable(master, &dir));
    for _ in 0..replicas {
        let port = free_port();
        let replica = durable(port, &dir);
        let answer = cli(port, &["REPLICAOF", "127.0.0.1", &master.to_string()]);
        assert!(answer.contains("OK"), "{answer}");
        servers.insert(port, replica);
    }
    let sentinel = Sentinel::start(NAME, master, PASSWORD, replicas);
    let args = [
        "--redis-sentinels",
        &sentinel.address(),
        "--redis-sentinel-master",
        NAME,
        "--redis-timeout-ms",
        "2000",
        // Every replica: with two, a create or take acknowledged by one could be lost to
        // a failover that promotes the other (Sentinel picks by offsets it last heard).
        "--ack-replicas",
        &replicas.to_string(),
        "--consume-ack-timeout-ms",
        "1000",
        "--rate-limit-per-minute",
        "0",
        "--rate-limit-create-per-minute",
        "0",
        "--rate-limit-reveal-per-minute",
        "0",
    ];
    let url = format!("redis://:{PASSWORD}@named-by-sentinel");
    let first = spawn_app_on(Backend::Redis, &url, &args).await;
    let mut second_args = args.to_vec();
    second_args.extend(["--key-prefix", &first.key_prefix]);
    let second = spawn_app_on(Backend::Redis, &url, &second_args).await;
    let apps = Arc::new(vec![first, second]);

    let tally = Arc::new(Mutex::new(Tally::default()));
    let until = Instant::now() + Duration::from_secs(seconds);
    let clients: Vec<_> = (0..6)
        .map(|id| tokio::spawn(client(apps.clone(), id, until, tally.clone())))
        .collect();
    let mut kills = 0;
    while Instant::now() + period < until {
        tokio::time::sleep(period).await;
        let Some(master) = sentinel.master_port(NAME) else {
            continue;
        };
        let Some(server) = servers.remove(&master) else {
            continue;
        };
        // A crash, then the same server back with its append-only file a second later:
        // Sentinel makes it a replica of whichever replica it promoted meanwhile.
        server.stop();
        kills += 1;
        tokio::time::sleep(Duration::from_secs(1)).await;
        servers.insert(master, durable(master, &dir));
    }
    for client in clients {
        client.await.expect("a client");
    }
    let _ = std::fs::remove_dir_all(&dir);
    let tally = std::mem::take(&mut *tally.lock().expect("tally"));
    (tally, kills)
}

async fn chaos(replicas: usize) {
    let seconds = std::env::var("BURNBOX_CHAOS_SECONDS")
        .ok()
        .and_then(|seconds| seconds.parse().ok())
        .unwrap_or(24);
    let (tally, kills) = run(replicas, seconds, Duration::from_secs(8)).await;
    eprintln!(
        "chaos, {replicas} replica(s), {seconds} s, {kills} masters killed: {} secrets \
         created, {} requests, {:.1}% answered, longest outage {:?}, {} handed out twice, \
         {} lost",
        tally.created,
        tally.requests,
        100.0 * (tally.requests - tally.failed) as f64 / tally.requests.max(1) as f64,
        tally.longest_outage,
        tally.doubles,
        tally.lost
    );
    assert!(kills >= 2, "only {kills} masters were killed");
    assert!(tally.created > 20, "{tally:?}");
    assert!(
        tally.failed > 0,
        "no request ever failed: the faults missed: {tally:?}"
    );
    assert_eq!((tally.doubles, tally.lost), (0, 0), "{tally:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_master_killed_again_and_again_loses_no_secret_with_one_replica() {
    chaos(1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_master_killed_again_and_again_loses_no_secret_with_two_replicas() {
    chaos(2).await;
}
