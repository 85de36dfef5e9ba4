//! The client address behind a real nginx, configured as docs/operations.md's "Behind a
//! reverse proxy" shows: clients connect to nginx from distinct loopback addresses (`127.0.0.x`)
//! and nginx appends the address it received each request from.

use serde_json::json;

use crate::helpers::{
    Backend, CAPTURED_LOGS, Nginx, Reply, TestApp, client_from, serve_binary, spawn_app_with,
};
use crate::on_both_backends;

/// An app that believes nginx on 127.0.0.1 and trusts only one backend host, 127.0.0.2,
/// for tokens (the other loopback addresses play remote clients; the proxy's own host is
/// never a client).
async fn app_behind_nginx(backend: Backend, extra: &[&str]) -> (TestApp, Nginx) {
    let mut args = vec![
        "--trusted-proxies",
        "127.0.0.1/32",
        "--trusted-networks",
        "127.0.0.2/32",
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
    // The trusted backend host mints through nginx.
    assert_eq!(mint_through(&nginx, "127.0.0.2", None).await.status, 201);
    for forged in [
        "x",
        "unknown",
        "999.1.1.1",
        "x, 127.0.0.1",
        "127.0.0.1, x",
        "127.0.0.1",
        "127.0.0.2",
        "x, 127.0.0.2",
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
        mint_through(&nginx, "127.0.0.1", Some("127.0.0.2"))
            .await
            .status,
        201
    );
    // A chain of nothing but trusted proxies names no client: a proxy is never one.
    for itself in [None, Some("127.0.0.1")] {
        mint_through(&nginx, "127.0.0.1", itself)
            .await
            .assert_error(403, "forbidden");
    }
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
    // The proxy speaking for itself is no client of its own: it is unidentified too.
    get("127.0.0.1", None)
        .await
        .assert_error(429, "rate_limited");
    // An ordinary client keeps its own budget.
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

/// `burnbox_untrusted_forwarded_requests_total` as the binary serving `app` reports it.
async fn untrusted_forwarded_requests(app: &TestApp) -> String {
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("scrape")
        .text()
        .await
        .expect("metrics text");
    text.lines()
        .find_map(|line| line.strip_prefix("burnbox_untrusted_forwarded_requests_total "))
        .unwrap_or_else(|| panic!("the counter is exported: {text}"))
        .to_owned()
}

/// The documented nginx set-up with `BURNBOX_TRUSTED_PROXIES` forgotten: nginx on the same
/// host makes every client 127.0.0.1, which the default trusted networks (loopback)
/// contain. Requests that carry a forwarding header from a peer that is not a trusted
/// proxy are never in a trusted network, so token calls fail closed, and they are counted.
#[tokio::test]
async fn a_forgotten_trusted_proxy_fails_closed_behind_nginx() {
    let served = serve_binary(&[]).await;
    let nginx = Nginx::start(&served.app.address);
    for (source, forged) in [
        ("127.0.0.9", None),
        ("127.0.0.9", Some("127.0.0.1")),
        ("127.0.0.1", None),
    ] {
        mint_through(&nginx, source, forged)
            .await
            .assert_error(403, "forbidden");
    }
    // Straight to burnbox, with no forwarding header, loopback is trusted as before.
    let direct = served.app.post("/api/tokens", json!({})).await;
    assert_eq!(direct.status, 201, "{:?}", direct.body);
    assert_eq!(untrusted_forwarded_requests(&served.app).await, "3");
}

/// The documented nginx set-up as it stands: nginx's clients are themselves (loopback
/// clients, trusted for tokens by default), nginx's own host is nobody, and nothing is
/// counted as an untrusted forwarder.
#[tokio::test]
async fn the_readme_nginx_set_up_names_each_client() {
    let served = serve_binary(&[("BURNBOX_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    let nginx = Nginx::start(&served.app.address);
    for (source, forged) in [("127.0.0.9", None), ("127.0.0.9", Some("198.51.100.7"))] {
        assert_eq!(mint_through(&nginx, source, forged).await.status, 201);
    }
    // The proxy's own host (no client named) and a remote client nginx vouches for.
    mint_through(&nginx, "127.0.0.1", None)
        .await
        .assert_error(403, "forbidden");
    mint_through(&nginx, "127.0.0.1", Some("198.51.100.7"))
        .await
        .assert_error(403, "forbidden");
    assert_eq!(untrusted_forwarded_requests(&served.app).await, "0");
}

/// Every forwarding header counts, not only the configured one; the first such request
/// logs one warning naming the setting to fix, and no header's content.
#[tokio::test]
async fn a_forwarding_header_from_an_untrusted_peer_warns_once_naming_the_fix() {
    let app = spawn_app_with(Backend::Memory, &[]).await;
    for (name, value) in [
        ("x-forwarded-for", "203.0.113.77"),
        ("forwarded", "for=203.0.113.78"),
        ("x-real-ip", "203.0.113.79"),
        // A proxy that names only the scheme or itself shows itself all the same.
        ("x-forwarded-proto", "https"),
        ("via", "1.1 203.0.113.76"),
        ("x-forwarded-prefix", "/burnbox"),
        ("true-client-ip", "203.0.113.75"),
    ] {
        let reply = app
            .client
            .post(app.url("/api/tokens"))
            .header(name, value)
            .json(&json!({}))
            .send()
            .await
            .expect("request");
        assert_eq!(reply.status().as_u16(), 403, "{name}");
    }
    let logs = CAPTURED_LOGS.lock().expect("logs").clone();
    let warnings: Vec<&String> = logs
        .iter()
        .filter(|line| line.starts_with("WARN") && line.contains("BURNBOX_TRUSTED_PROXIES"))
        .collect();
    assert_eq!(warnings.len(), 1, "once per process: {warnings:?}");
    assert!(
        logs.iter().all(|line| !line.contains("203.0.113.7")),
        "a header's content is never logged"
    );
}
