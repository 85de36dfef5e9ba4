//! Redis trouble gets a fast 503 in the error shape, never a hang; service resumes after.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{Backend, RedisServer, spawn_app_on};

#[tokio::test]
async fn a_stopped_redis_gives_a_fast_503_and_recovery_follows() {
    let redis = RedisServer::start();
    let app = spawn_app_on(Backend::Redis, &redis.url(), &["--redis-timeout-ms", "500"]).await;
    let created = app
        .create_secret(json!({"secret": "before the outage"}))
        .await;
    let port = redis.stop();

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
        let elapsed = started.elapsed();
        // Three requests, each bounded by the 500 ms Redis timeout; generous for a busy CI box.
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
