//! How burnbox meets its Redis: TLS with a private CA, an ACL user, any start order, and
//! servers it must refuse or warn about.

use std::time::{Duration, Instant};

use burnbox::config::Settings;
use burnbox::startup::{Application, StartupError};
use serde_json::json;

use crate::helpers::{
    Backend, CAPTURED_LOGS, Certificates, RedisServer, TestApp, capture_logs, free_port, redis_cli,
    spawn_app_on,
};

async fn ready_within(app: &TestApp, bound: Duration) -> bool {
    let deadline = Instant::now() + bound;
    while Instant::now() < deadline {
        if app.get("/ready").await.status == 200 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn rediss_with_a_private_ca_works_and_an_untrusted_certificate_does_not() {
    let certificates = Certificates::new();
    let tls_port = free_port();
    let tls_port_text = tls_port.to_string();
    let (cert, key, ca) = (
        certificates.path("server.pem"),
        certificates.path("server.key"),
        certificates.path("ca.pem"),
    );
    let _redis = RedisServer::spawn_unchecked(
        0,
        &[
            "--tls-port",
            &tls_port_text,
            "--tls-cert-file",
            &cert,
            "--tls-key-file",
            &key,
            "--tls-ca-cert-file",
            &ca,
            "--tls-auth-clients",
            "no",
        ],
    );
    let url = format!("rediss://127.0.0.1:{tls_port}");

    let trusted = spawn_app_on(Backend::Redis, &url, &["--redis-ca-file", &ca]).await;
    assert!(
        ready_within(&trusted, Duration::from_secs(10)).await,
        "not ready over TLS"
    );
    let created = trusted.create_secret(json!({"secret": "over TLS"})).await;
    assert_eq!(
        trusted
            .reveal(&created.secret_key, None)
            .await
            .field("secret"),
        "over TLS"
    );

    // Without the CA the server's certificate is not trusted: no connection, no readiness.
    let untrusted = spawn_app_on(Backend::Redis, &url, &[]).await;
    untrusted
        .get("/ready")
        .await
        .assert_error(503, "store_unavailable");
}

#[tokio::test]
async fn an_acl_user_in_the_url_is_used_and_its_password_never_logged() {
    capture_logs();
    let redis = RedisServer::start();
    let port = redis.url().rsplit(':').next().expect("port").to_owned();
    let port: u16 = port.parse().expect("port");
    // The least-privilege user docs/operations.md documents, without the optional INFO and
    // CONFIG GET.
    let created = redis_cli(
        port,
        &[
            "ACL",
            "SETUSER",
            "burnbox",
            "on",
            ">Zq7-acl-pass",
            "~test*",
            "&__keyevent@*__:expired",
            "+@read",
            "+@write",
            "+@transaction",
            "+@scripting",
            "+@connection",
            "+@pubsub",
        ],
    );
    assert!(created.contains("OK"), "{created}");

    let url = format!("redis://burnbox:Zq7-acl-pass@127.0.0.1:{port}");
    let app = spawn_app_on(Backend::Redis, &url, &[]).await;
    assert_eq!(app.get("/ready").await.status, 200);
    // Every kind of Redis work burnbox does, under that user.
    let secret = app.create_secret(json!({"secret": "as burnbox"})).await;
    assert_eq!(
        app.reveal(&secret.secret_key, None).await.field("secret"),
        "as burnbox"
    );
    assert_eq!(app.receipt_state(&secret.receipt_key).await, "revealed");
    let guarded = app
        .create_secret(json!({"secret": "guarded", "passphrase": "right"}))
        .await;
    app.reveal(&guarded.secret_key, Some("wrong"))
        .await
        .assert_error(403, "wrong_passphrase");
    let burned = app
        .post_empty(&format!("/api/receipts/{}/burn", guarded.receipt_key))
        .await;
    assert_eq!(burned.field("state"), "burned");
    let token = app.post("/api/tokens", json!({"subject": "acl"})).await;
    let verified = app
        .post("/api/tokens/verify", json!({"token": token.field("token")}))
        .await;
    assert_eq!(verified.status, 200, "{}", verified.body);

    let wrong = format!("redis://burnbox:not-the-password@127.0.0.1:{port}");
    let refused = spawn_app_on(Backend::Redis, &wrong, &[]).await;
    refused
        .get("/ready")
        .await
        .assert_error(503, "store_unavailable");

    let logs = CAPTURED_LOGS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .join("\n");
    assert!(
        logs.contains("may not run INFO"),
        "the missing check is said"
    );
    for password in ["Zq7-acl-pass", "not-the-password"] {
        assert!(!logs.contains(password), "a Redis password reached the log");
    }
}

#[tokio::test]
async fn burnbox_starts_before_redis_and_becomes_ready_when_it_arrives() {
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let started = Instant::now();
    let app = spawn_app_on(Backend::Redis, &url, &["--redis-timeout-ms", "300"]).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "start-up waited for Redis"
    );
    app.get("/ready")
        .await
        .assert_error(503, "store_unavailable");
    let _redis = RedisServer::start_on(port);
    assert!(
        ready_within(&app, Duration::from_secs(15)).await,
        "not ready after Redis arrived"
    );
}

fn settings_for(url: &str) -> Settings {
    Settings::from_args([
        "burnbox",
        "--bind",
        "127.0.0.1:0",
        "--workers",
        "1",
        "--redis-url",
        url,
        "--server-key",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
    ])
    .expect("settings")
}

#[tokio::test]
async fn a_redis_without_getdel_is_refused_at_start_with_a_clear_message() {
    let redis = RedisServer::start_with(free_port(), &["--rename-command", "GETDEL", ""]);
    let refused = Application::build(settings_for(&redis.url())).await;
    let Err(StartupError::UnsupportedRedis(reason)) = refused else {
        panic!("a Redis without GETDEL was accepted");
    };
    assert!(reason.contains("GETDEL"), "{reason}");
}

#[tokio::test]
async fn waiting_for_the_append_only_file_is_refused_at_start_where_redis_cannot() {
    let redis = RedisServer::start();
    let has_waitaof = !redis_cli(redis.port(), &["COMMAND", "INFO", "WAITAOF"])
        .trim()
        .is_empty();
    let mut settings = settings_for(&redis.url());
    settings.ack_fsync = Some(true);
    let refused = Application::build(settings).await;
    let Err(StartupError::UnsupportedRedis(reason)) = refused else {
        panic!("BURNBOX_ACK_FSYNC was accepted by a Redis that cannot honour it");
    };
    if has_waitaof {
        // Redis 7.2 and newer: refused for want of an append-only file (this one has none).
        assert!(reason.contains("appendonly yes"), "{reason}");
    } else {
        assert!(
            reason.contains("WAITAOF") && reason.contains("7.2") && !reason.contains("redis://"),
            "{reason}"
        );
    }
}

#[tokio::test]
async fn an_evicting_redis_gets_a_warning_at_start() {
    capture_logs();
    let redis = RedisServer::start_with(free_port(), &["--maxmemory-policy", "allkeys-lru"]);
    let app = spawn_app_on(Backend::Redis, &redis.url(), &[]).await;
    assert_eq!(app.get("/ready").await.status, 200);
    let logs = CAPTURED_LOGS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .join("\n");
    assert!(
        logs.contains("maxmemory-policy is allkeys-lru"),
        "no eviction warning"
    );
}

#[tokio::test]
async fn a_redis_that_would_lose_takes_on_restart_gets_a_warning_at_start() {
    capture_logs();
    let bare = RedisServer::start();
    let app = spawn_app_on(Backend::Redis, &bare.url(), &[]).await;
    assert_eq!(app.get("/ready").await.status, 200);
    let dir = std::env::temp_dir().join(format!("burnbox-aof-setup-{}", free_port()));
    std::fs::create_dir_all(&dir).expect("a directory");
    let dir_arg = dir.display().to_string();
    let durable = RedisServer::start_with(
        free_port(),
        &["--appendonly", "yes", "--dir", dir_arg.as_str()],
    );
    let app = spawn_app_on(Backend::Redis, &durable.url(), &[]).await;
    assert_eq!(app.get("/ready").await.status, 200);
    let logs = CAPTURED_LOGS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .join("\n");
    let warned = |url: &str| {
        let address = url.trim_start_matches("redis://");
        logs.contains(&format!(
            "Redis ({address}) keeps neither an append-only file nor a replica"
        ))
    };
    assert!(
        warned(&bare.url()),
        "no warning for a Redis without AOF or replica"
    );
    assert!(
        !warned(&durable.url()),
        "a warning for a Redis with an append-only file"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn argon2_costs_below_owasp_get_a_warning_naming_the_variables() {
    // Test apps run Argon2 with 64 KiB and one pass: far below OWASP's minimum. The binary
    // in a process of its own, so the warning read is this app's, not another test's.
    let served = crate::helpers::serve_binary(&[]).await;
    assert_eq!(served.app.get("/health").await.status, 200);
    let logs = served.log();
    assert!(
        logs.lines().any(|line| line.contains("WARN")
            && line
                .contains("BURNBOX_ARGON2_MEMORY_KIB / BURNBOX_ARGON2_ITERATIONS are below OWASP")),
        "no warning about weak Argon2 costs: {logs}"
    );
    // And only when they are: with OWASP's costs, no such warning.
    let strong = crate::helpers::serve_binary(&[
        ("BURNBOX_ARGON2_MEMORY_KIB", "19456"),
        ("BURNBOX_ARGON2_ITERATIONS", "2"),
    ])
    .await;
    assert_eq!(strong.app.get("/health").await.status, 200);
    assert!(!strong.log().contains("below OWASP"), "{}", strong.log());
}
