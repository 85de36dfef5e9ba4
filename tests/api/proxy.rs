//! The client address behind a real nginx, configured as the README's "Behind a reverse
//! proxy" shows: clients connect to nginx from distinct loopback addresses (`127.0.0.x`)
//! and nginx appends the address it received each request from.

use serde_json::json;

use crate::helpers::{Backend, Nginx, Reply, TestApp, client_from, spawn_app_with};
use crate::on_both_backends;

/// An app that believes nginx on 127.0.0.1 and trusts only that host for tokens (the
/// other loopback addresses play remote clients).
async fn app_behind_nginx(backend: Backend, extra: &[&str]) -> (TestApp, Nginx) {
    let mut args = vec![
        "--trusted-proxies",
        "127.0.0.1/32",
        "--trusted-networks",
        "127.0.0.1/32",
    ];
    args.extend_from_slice(extra);
    let app = spawn_app_with(backend, &args).await;
    let nginx = Nginx::start(&app.address);
    (app, nginx)
}

/// A request through nginx from `source`, with the client's own `X-Forwarded-For`.
async fn through(
    nginx: &Nginx,
    source: &str,
    forwarded_for: Option<&str>,
    method: reqwest::Method,
    path: &str,
) -> Reply {
    let mut request = client_from(source).request(method, format!("{}{path}", nginx.address()));
    if let Some(header) = forwarded_for {
        request = request.header("x-forwarded-for", header);
    }
    if path == "/api/tokens" {
        request = request.json(&json!({"subject": "user:42", "claims": {"action": "login"}}));
    }
    Reply::from_response(request.send().await.expect("request through nginx")).await
}

async fn mint_through(nginx: &Nginx, source: &str, forwarded_for: Option<&str>) -> Reply {
    through(
        nginx,
        source,
        forwarded_for,
        reqwest::Method::POST,
        "/api/tokens",
    )
    .await
}

#[tokio::test]
async fn a_forged_forwarding_entry_never_makes_a_remote_client_the_proxy() {
    let (_app, nginx) = app_behind_nginx(Backend::Redis, &[]).await;
    // The proxy's own host is trusted: the route works through nginx.
    assert_eq!(mint_through(&nginx, "127.0.0.1", None).await.status, 201);
    for forged in [
        "x",
        "unknown",
        "999.1.1.1",
        "x, 127.0.0.1",
        "127.0.0.1, x",
        "127.0.0.1",
        "_hidden",
        "",
    ] {
        mint_through(&nginx, "127.0.0.9", Some(forged))
            .await
            .assert_error(403, "forbidden");
    }
    mint_through(&nginx, "127.0.0.9", None)
        .await
        .assert_error(403, "forbidden");
}

#[tokio::test]
async fn a_broken_chain_behind_a_trusted_front_proxy_is_never_trusted() {
    let (_app, nginx) = app_behind_nginx(Backend::Redis, &[]).await;
    // 127.0.0.1 is a trusted proxy too: a front proxy that passed on a broken chain.
    for broken in ["x", "unknown", "_hidden", "999.1.1.1", "127.0.0.1, x"] {
        mint_through(&nginx, "127.0.0.1", Some(broken))
            .await
            .assert_error(403, "forbidden");
    }
    // A well-formed chain through the same front proxy names its client.
    mint_through(&nginx, "127.0.0.1", Some("198.51.100.7"))
        .await
        .assert_error(403, "forbidden");
    assert_eq!(
        mint_through(&nginx, "127.0.0.1", Some("127.0.0.1"))
            .await
            .status,
        201
    );
}

/// Unidentifiable clients share one bucket: neither the proxy's nor anyone else's.
async fn unidentified_clients_share_one_bucket_of_their_own(backend: Backend) {
    let (_app, nginx) = app_behind_nginx(backend, &["--rate-limit-per-minute", "3"]).await;
    let get = |source: &'static str, header: Option<&'static str>| {
        let nginx = &nginx;
        async move {
            through(
                nginx,
                source,
                header,
                reqwest::Method::GET,
                "/api/secrets/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            )
            .await
        }
    };
    for _ in 0..3 {
        assert_eq!(get("127.0.0.1", Some("unknown")).await.status, 404);
    }
    get("127.0.0.1", Some("unknown"))
        .await
        .assert_error(429, "rate_limited");
    get("127.0.0.1", Some("_other, garbage"))
        .await
        .assert_error(429, "rate_limited");
    // The proxy speaking for itself and an ordinary client keep their own budgets.
    assert_eq!(get("127.0.0.1", None).await.status, 404);
    assert_eq!(get("127.0.0.5", Some("unknown")).await.status, 404);
}
on_both_backends!(unidentified_clients_share_one_bucket_of_their_own);

/// Addresses of one IPv6 /64 are one client for every limit: the general one and the
/// budget of wrong passphrases alike. Clients reach nginx through a trusted front proxy
/// on 127.0.0.1 that names them in `X-Forwarded-For`.
async fn ipv6_clients_are_limited_per_64(backend: Backend) {
    let (app, nginx) = app_behind_nginx(
        backend,
        &[
            "--rate-limit-per-minute",
            "4",
            "--passphrase-failures-per-hour",
            "2",
        ],
    )
    .await;
    let get = |client: &'static str| {
        through(
            &nginx,
            "127.0.0.1",
            Some(client),
            reqwest::Method::GET,
            "/api/secrets/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )
    };
    for client in [
        "2001:db8:1:2::1",
        "2001:db8:1:2::2",
        "2001:db8:1:2:ffff::9",
        "2001:db8:1:2::4",
    ] {
        assert_eq!(get(client).await.status, 404, "{client}");
    }
    get("2001:db8:1:2:abcd::1")
        .await
        .assert_error(429, "rate_limited");
    // The next /64 and an IPv4 client have budgets of their own.
    assert_eq!(get("2001:db8:1:3::1").await.status, 404);
    assert_eq!(get("198.51.100.7").await.status, 404);

    // Wrong passphrases from rotating addresses of one /64 share one hourly budget.
    let secret = app
        .create_secret(json!({"secret": "s", "passphrase": "right one"}))
        .await;
    let reveal = |client: &'static str| {
        let url = format!(
            "{}/api/secrets/{}/reveal",
            nginx.address(),
            secret.secret_key
        );
        async move {
            let response = client_from("127.0.0.1")
                .post(url)
                .header("x-forwarded-for", client)
                .json(&json!({"passphrase": "wrong"}))
                .send()
                .await
                .expect("reveal through nginx");
            Reply::from_response(response).await
        }
    };
    reveal("2001:db8:9:9::1")
        .await
        .assert_error(403, "wrong_passphrase");
    reveal("2001:db8:9:9::2")
        .await
        .assert_error(403, "wrong_passphrase");
    reveal("2001:db8:9:9::3")
        .await
        .assert_error(429, "rate_limited");
    reveal("2001:db8:9:8::3")
        .await
        .assert_error(403, "wrong_passphrase");
}
on_both_backends!(ipv6_clients_are_limited_per_64);
