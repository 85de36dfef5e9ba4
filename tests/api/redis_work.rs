//! What a request costs Redis, counted by Redis itself (`INFO commandstats` on a server of
//! the test's own): a request the limiter refuses does no work beyond the limiter's, and
//! finding or listing an account's pushes costs the same however many it has.

use serde_json::json;

use crate::helpers::{Backend, RedisServer, TestApp, api_key, session, spawn_app_on};

const EMAIL: &str = "counted@example.org";
const PASSWORD: &str = "counted admin password";

/// An app alone on a Redis of its own, with an admin and an API key of theirs.
async fn counted_app(redis: &RedisServer, extra: &[&str]) -> (TestApp, String) {
    let mut args = vec!["--admin-email", EMAIL, "--admin-password", PASSWORD];
    args.extend_from_slice(extra);
    let app = spawn_app_on(Backend::Redis, &redis.url(), &args).await;
    let token = session(&app, EMAIL, PASSWORD).await;
    let key = api_key(&app, &token, json!(["secrets"])).await;
    (app, key)
}

/// The commands the limiter uses: its counters (`BITFIELD`, `PEXPIRE`) and, once per
/// window, the previous window's counts (`GET`).
const LIMITER_COMMANDS: [&str; 3] = ["bitfield", "pexpire", "get"];

#[tokio::test]
async fn a_refused_request_does_no_store_work_beyond_the_limiters() {
    let redis = RedisServer::start();
    let (app, key) = counted_app(&redis, &["--rate-limit-per-minute", "12"]).await;
    let bearer = Some(key.as_str());
    let created = app.create_secret(json!({"secret": "left alone"})).await;
    for _ in 0..3 {
        app.send(
            reqwest::Method::POST,
            "/api/v2/pushes",
            bearer,
            Some(json!({"push": {"payload": "p"}})),
        )
        .await;
    }
    // Spend what is left of the budget.
    while app.get("/api/secrets/unknown").await.status != 429 {}

    app.reset_command_stats().await;
    let peek = format!("/api/secrets/{}", created.secret_key);
    let reveal = format!("/api/secrets/{}/reveal", created.secret_key);
    for _ in 0..5 {
        app.get(&peek).await.assert_error(429, "rate_limited");
        app.post("/api/secrets", json!({"secret": "refused"}))
            .await
            .assert_error(429, "rate_limited");
        app.post(&reveal, json!({}))
            .await
            .assert_error(429, "rate_limited");
        for path in [
            "/api/v2/pushes/active",
            "/api/v2/pushes/expired",
            "/api/v2/pushes/x/audit",
        ] {
            let reply = app.send(reqwest::Method::GET, path, bearer, None).await;
            reply.assert_error(429, "rate_limited");
        }
    }
    let ran = app.commands_since_reset().await;
    let other: Vec<_> = ran
        .iter()
        .filter(|(name, _)| !LIMITER_COMMANDS.contains(&name.as_str()))
        .collect();
    assert!(
        other.is_empty(),
        "refused requests ran {other:?} (all: {ran:?})"
    );
    // Each refusal counts once per period and gives the counts back (two periods at most
    // here); the previous windows were read before.
    assert_eq!(ran.get("get"), None, "{ran:?}");
    assert!(
        ran.get("bitfield").copied().unwrap_or(0) <= 4 * 30,
        "{ran:?}"
    );
}

/// How many pushes an account has, for the test of what finding one costs.
const PUSHES: usize = 240;

#[tokio::test]
async fn finding_and_listing_pushes_costs_the_same_however_many_the_account_has() {
    let redis = RedisServer::start();
    let unlimited = [
        "--rate-limit-per-minute",
        "0",
        "--rate-limit-create-per-minute",
        "0",
    ];
    let (app, key) = counted_app(&redis, &unlimited).await;
    let bearer = Some(key.as_str());
    let mut tokens = Vec::new();
    for index in 0..PUSHES {
        let body = json!({"push": {"payload": format!("push {index}")}});
        let reply = app
            .send(reqwest::Method::POST, "/api/v2/pushes", bearer, Some(body))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        tokens.push(reply.field("url_token"));
    }
    // One of them read, so that both lists have some.
    let opened = format!("/p/{}.json", tokens[PUSHES - 1]);
    assert_eq!(app.get(&opened).await.status, 200);

    let cost = |path: String| {
        let app = &app;
        async move {
            app.reset_command_stats().await;
            let reply = app.send(reqwest::Method::GET, &path, bearer, None).await;
            let ran: u64 = app.commands_since_reset().await.values().sum();
            (reply, ran)
        }
    };
    let unowned = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let (reply, unowned_cost) = cost(format!("/api/v2/pushes/{unowned}/audit")).await;
    reply.assert_error(404, "not_found");
    let (reply, owned_cost) = cost(format!("/api/v2/pushes/{}/audit", tokens[0])).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["view_count"], 0);
    // The API key's lookup, the account's, the index, and one pipeline for the receipt.
    assert!(
        unowned_cost <= 8,
        "an unowned audit ran {unowned_cost} commands"
    );
    assert!(owned_cost <= 12, "an owned audit ran {owned_cost} commands");

    let (reply, list_cost) = cost("/api/v2/pushes/active".to_owned()).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let page = reply.body.as_array().expect("a list");
    assert_eq!(page.len(), 49, "the newest 50, less the one read");
    assert_eq!(
        reply.header("link"),
        r#"</api/v2/pushes/active?page=2>; rel="next""#
    );
    // Per push: the receipt and its secret's state (4), its header (1); and a few for
    // the caller and the page.
    assert!(list_cost <= 10 + 5 * 50, "a page ran {list_cost} commands");

    let (reply, _) = cost("/api/v2/pushes/expired".to_owned()).await;
    assert_eq!(reply.body.as_array().map(Vec::len), Some(1));
    let (reply, _) = cost(format!("/api/v2/pushes/active?page={}", PUSHES / 50 + 1)).await;
    let last = PUSHES % 50;
    assert_eq!(reply.body.as_array().map(Vec::len), Some(last));
    assert_eq!(reply.header("link"), "");
    let (reply, _) = cost("/api/v2/pushes/active?page=0".to_owned()).await;
    reply.assert_error(422, "invalid_page");
}
