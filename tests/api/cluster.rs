//! Scale-out: two app instances on one 3-master Redis Cluster behave as one service.
//! Exactly-once, receipts, tokens and rate limits hold across instances, and every step
//! that touches two keys stays in one hash slot (the cluster refuses anything else).

use serde_json::json;

use crate::helpers::{SHARED_CLUSTER, assert_one_winner, redis_cli, spawn_cluster_apps};

#[tokio::test]
async fn a_secret_is_revealed_once_whichever_instance_is_asked() {
    let apps = spawn_cluster_apps(
        &SHARED_CLUSTER.nodes(),
        2,
        &["--rate-limit-reveal-per-minute", "0"],
    )
    .await;
    for passphrase in [None, Some("open sesame")] {
        let created = apps[0]
            .create_secret(json!({"secret": "only once", "passphrase": passphrase}))
            .await;
        let racers: Vec<_> = (0..32)
            .map(|index| {
                let app = &apps[index % 2];
                let request = app
                    .client
                    .post(app.url(&format!("/api/secrets/{}/reveal", created.secret_key)));
                let request = match passphrase {
                    Some(passphrase) => request.json(&json!({ "passphrase": passphrase })),
                    None => request,
                };
                tokio::spawn(async move {
                    let response = request.send().await.expect("request");
                    let status = response.status().as_u16();
                    (status, response.text().await.expect("body"))
                })
            })
            .collect();
        let mut results = Vec::new();
        for racer in racers {
            results.push(racer.await.expect("racer"));
        }
        assert_one_winner(&results, "only once", passphrase);
    }
}

/// A secret of 4 views, 48 readers spread over two instances on the cluster: exactly 4
/// get it, each told a different number of views left, and the receipt counts 4.
#[tokio::test]
async fn a_secret_of_several_views_gives_exactly_that_many_across_instances() {
    let apps = spawn_cluster_apps(
        &SHARED_CLUSTER.nodes(),
        2,
        &["--rate-limit-reveal-per-minute", "0"],
    )
    .await;
    let created = apps[0]
        .post(
            "/api/secrets",
            json!({"secret": "four times", "max_views": 4}),
        )
        .await;
    let (secret_key, receipt_key) = (created.field("secret_key"), created.field("receipt_key"));
    let racers: Vec<_> = (0..48)
        .map(|index| {
            let app = &apps[index % 2];
            let request = app
                .client
                .post(app.url(&format!("/api/secrets/{secret_key}/reveal")));
            tokio::spawn(async move {
                let response = request.send().await.expect("request");
                let status = response.status().as_u16();
                let body: serde_json::Value = response.json().await.expect("JSON");
                (status, body)
            })
        })
        .collect();
    let mut left = Vec::new();
    for racer in racers {
        let (status, body) = racer.await.expect("racer");
        match status {
            200 => {
                assert_eq!(body["secret"], "four times");
                left.push(body["views_left"].as_u64().expect("views_left"));
            }
            404 => {}
            other => panic!("{other}: {body}"),
        }
    }
    left.sort_unstable();
    assert_eq!(left, vec![0, 1, 2, 3]);
    let receipt = apps[1].get(&format!("/api/receipts/{receipt_key}")).await;
    assert_eq!(
        (&receipt.body["state"], &receipt.body["views"]),
        (&json!("revealed"), &json!(4))
    );
}

/// A request made on one instance, raced for by answerers on both, read on the other: one
/// answer, read once, on the cluster.
#[tokio::test]
async fn a_request_is_filled_once_across_instances() {
    let apps = spawn_cluster_apps(
        &SHARED_CLUSTER.nodes(),
        2,
        &["--rate-limit-create-per-minute", "0"],
    )
    .await;
    let made = apps[0].post("/api/requests", json!({"note": "n"})).await;
    let pair =
        burnbox::sealed_box::KeyPair::decode(&made.field("private_key")).expect("a private key");
    let request_key = made.field("request_key");
    let racers: Vec<_> = (0..16)
        .map(|index| {
            let app = &apps[index % 2];
            let request = app
                .client
                .post(app.url(&format!("/api/requests/{request_key}/answer")))
                .json(&json!({ "secret": format!("answer {index}") }));
            tokio::spawn(async move { request.send().await.expect("request").status().as_u16() })
        })
        .collect();
    let mut statuses = Vec::new();
    for racer in racers {
        statuses.push(racer.await.expect("racer"));
    }
    statuses.sort_unstable();
    assert_eq!(
        statuses.iter().filter(|status| **status == 201).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|status| matches!(status, 201 | 404)),
        "{statuses:?}"
    );
    let answer = apps[1].reveal(&made.field("answer_key"), None).await;
    assert!(
        pair.open(&answer.field("secret"))
            .expect("opens")
            .starts_with("answer ")
    );
    apps[0]
        .reveal(&made.field("answer_key"), None)
        .await
        .assert_error(404, "not_found");
    assert_eq!(
        apps[0].receipt_state(&made.field("receipt_key")).await,
        "revealed"
    );
}

#[tokio::test]
async fn receipts_and_burns_are_seen_by_every_instance() {
    let apps = spawn_cluster_apps(&SHARED_CLUSTER.nodes(), 2, &[]).await;
    let (a, b) = (&apps[0], &apps[1]);

    let revealed = a.create_secret(json!({"secret": "seen by both"})).await;
    assert_eq!(b.receipt_state(&revealed.receipt_key).await, "pending");
    assert_eq!(
        b.reveal(&revealed.secret_key, None).await.field("secret"),
        "seen by both"
    );
    assert_eq!(a.receipt_state(&revealed.receipt_key).await, "revealed");

    let burned = b.create_secret(json!({"secret": "burn me"})).await;
    let reply = a
        .post_empty(&format!("/api/receipts/{}/burn", burned.receipt_key))
        .await;
    assert_eq!(reply.field("state"), "burned");
    b.reveal(&burned.secret_key, None)
        .await
        .assert_error(404, "not_found");

    let guarded = a
        .create_secret(json!({"secret": "guarded", "passphrase": "right"}))
        .await;
    let wrong = b.reveal(&guarded.secret_key, Some("wrong")).await;
    wrong.assert_error(403, "wrong_passphrase");
    assert_eq!(wrong.body["attempts_left"], 4);
    // The attempt counter lives in Redis: the other instance continues the count.
    let again = a.reveal(&guarded.secret_key, Some("wrong")).await;
    assert_eq!(again.body["attempts_left"], 3);
    assert_eq!(
        a.reveal(&guarded.secret_key, Some("right"))
            .await
            .field("secret"),
        "guarded"
    );
}

#[tokio::test]
async fn a_token_minted_on_one_instance_verifies_once_on_another() {
    let apps = spawn_cluster_apps(&SHARED_CLUSTER.nodes(), 2, &[]).await;
    let minted = apps[0]
        .post(
            "/api/tokens",
            json!({"subject": "user:42", "claims": {"a": 1}}),
        )
        .await;
    assert_eq!(minted.status, 201, "{}", minted.body);
    let token = json!({ "token": minted.field("token") });
    let verified = apps[1].post("/api/tokens/verify", token.clone()).await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    assert_eq!(verified.body["subject"], "user:42");
    apps[0]
        .post("/api/tokens/verify", token)
        .await
        .assert_error(404, "not_found");
}

#[tokio::test]
async fn rate_limits_are_shared_by_the_instances() {
    let apps = spawn_cluster_apps(
        &SHARED_CLUSTER.nodes(),
        2,
        &["--rate-limit-create-per-minute", "3"],
    )
    .await;
    for index in 0..3 {
        let reply = apps[index % 2]
            .post("/api/secrets", json!({"secret": "counted"}))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
    apps[1]
        .post("/api/secrets", json!({"secret": "one too many"}))
        .await
        .assert_error(429, "rate_limited");
}

#[tokio::test]
async fn secrets_spread_over_the_masters_and_ready_checks_them_all() {
    let apps = spawn_cluster_apps(&SHARED_CLUSTER.nodes(), 1, &[]).await;
    assert_eq!(apps[0].get("/ready").await.status, 200);
    for _ in 0..24 {
        apps[0].create_secret(json!({"secret": "spread"})).await;
    }
    let pattern = format!("{}*", apps[0].key_prefix);
    let holding = SHARED_CLUSTER
        .ports()
        .iter()
        .filter(|port| {
            !redis_cli(**port, &["--scan", "--pattern", &pattern])
                .trim()
                .is_empty()
        })
        .count();
    // 48 keys on random hash tags: all on one master would be a 1-in-3^23 event.
    assert_eq!(holding, 3, "keys did not spread over the three masters");
}

#[tokio::test]
async fn accounts_work_across_instances_on_the_cluster() {
    use reqwest::Method;
    let sink = crate::smtp::SmtpSink::start().await;
    let smtp = sink.url();
    let apps = spawn_cluster_apps(&SHARED_CLUSTER.nodes(), 2, &["--smtp-url", &smtp]).await;
    let (a, b) = (&apps[0], &apps[1]);
    let email = format!("{}@example.org", a.key_prefix.trim_end_matches(':'));
    let password = "cluster password";
    let registered = a
        .post(
            "/api/accounts",
            json!({"email": email, "password": password}),
        )
        .await;
    assert_eq!(registered.status, 202, "{}", registered.body);
    let code = sink.code(&email, 0).await;
    let confirmed = b
        .post(
            "/api/accounts/verify",
            json!({"email": email, "code": code, "password": password}),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    let token = a
        .post(
            "/api/sessions",
            json!({"email": email, "password": password}),
        )
        .await
        .field("session_token");
    let key = b
        .send(
            Method::POST,
            "/api/me/api-keys",
            Some(&token),
            Some(json!({"name": "k", "scopes": ["secrets"]})),
        )
        .await
        .field("key");
    let created = a
        .send(
            Method::POST,
            "/api/secrets",
            Some(&key),
            Some(json!({"secret": "owned on a cluster"})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let listed = b
        .send(Method::GET, "/api/me/receipts", Some(&token), None)
        .await;
    assert_eq!(listed.body["total"], 1, "{}", listed.body);
    assert_eq!(
        b.send(Method::DELETE, "/api/sessions", Some(&token), None)
            .await
            .status,
        204
    );
    a.send(Method::GET, "/api/me", Some(&token), None)
        .await
        .assert_error(401, "unauthorized");
}
