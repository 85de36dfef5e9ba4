//! Password Pusher's API: the `pwpush` CLI from PyPI, unchanged, against burnbox (the v2
//! profile it picks when `/api/v2/version` answers), and the legacy profile over HTTP
//! with the bodies the CLI sends when v2 is absent.

use serde_json::{Value, json};

use crate::helpers::{Backend, Reply, TestApp, api_key, free_port, session, spawn_app_with};
use crate::on_both_backends;

const EMAIL: &str = "pusher@example.org";
const PASSWORD: &str = "pusher admin password";

/// An app with a configured admin, and an API key of theirs with the `secrets` scope.
/// Its `BURNBOX_PUBLIC_URL` is its own address, as a deployment's would be: previews
/// answer links on it (and without it, only paths).
async fn app_with_key(backend: Backend) -> (TestApp, String) {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let public_url = format!("http://{bind}");
    app_with_key_and(backend, &["--bind", &bind, "--public-url", &public_url]).await
}

/// Like [`app_with_key`], with `extra` flags instead of its address and public URL.
async fn app_with_key_and(backend: Backend, extra: &[&str]) -> (TestApp, String) {
    let mut args = vec!["--admin-email", EMAIL, "--admin-password", PASSWORD];
    args.extend_from_slice(extra);
    let app = spawn_app_with(backend, &args).await;
    let token = session(&app, EMAIL, PASSWORD).await;
    let key = api_key(&app, &token, json!(["secrets"])).await;
    (app, key)
}

/// The body rows of the tables `pwpush` prints in text mode (its box-drawn rows).
fn table_rows(stdout: &str) -> Vec<&str> {
    stdout
        .lines()
        .filter(|line| line.starts_with('│'))
        .collect()
}

/// Runs `pwpush` with its own config directory; returns (exit code, stdout, stderr).
async fn pwpush(config: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let venv = tokio::task::spawn_blocking(|| {
        crate::helpers::python_venv("pwpush-venv", &["pwpush==0.16.7"])
    })
    .await
    .expect("venv");
    let output = tokio::process::Command::new(venv.join("bin/pwpush"))
        .args(args)
        .env("XDG_CONFIG_HOME", config)
        .env("HOME", config)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "200")
        .output()
        .await
        .expect("pwpush runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The last line of a `--json` run that is a JSON document (the CLI adds blank lines).
fn json_of(stdout: &str) -> Value {
    let start = stdout.find(['{', '[']).expect("JSON in the output");
    serde_json::from_str(stdout[start..].trim()).unwrap_or_else(|_| panic!("JSON: {stdout}"))
}

fn token_of(url: &str) -> String {
    url.trim_end_matches("/r")
        .rsplit('/')
        .next()
        .expect("a token")
        .to_owned()
}

async fn reveal(app: &TestApp, token: &str) -> Reply {
    app.reveal(token, None).await
}

async fn the_pwpush_cli_pushes_expires_audits_and_lists(backend: Backend) {
    let (app, key) = app_with_key(backend).await;
    let port = app.address.rsplit(':').next().expect("a port");
    let config = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("pwpush-{port}"));
    let _ = std::fs::remove_dir_all(&config);
    std::fs::create_dir_all(&config).expect("a config directory");
    let config = config.as_path();
    for (name, value) in [
        ("url", app.address.as_str()),
        ("email", EMAIL),
        ("token", key.as_str()),
    ] {
        let (code, _, stderr) = pwpush(config, &["config", "set", name, value]).await;
        assert_eq!(code, 0, "{stderr}");
    }

    // A push of two views for a day: the URL opens burnbox's page, twice, then it is gone.
    let (code, stdout, stderr) = pwpush(
        config,
        &[
            "push",
            "--secret",
            "two looks",
            "--views",
            "2",
            "--days",
            "1",
        ],
    )
    .await;
    assert_eq!(code, 0, "{stdout} {stderr}");
    let url = stdout
        .lines()
        .find(|line| line.starts_with("http"))
        .expect("a URL")
        .trim()
        .to_owned();
    assert!(url.starts_with(&format!("{}/p/", app.address)), "{url}");
    let token = token_of(&url);
    let page = app.client.get(&url).send().await.expect("GET the page");
    assert_eq!(page.status().as_u16(), 200);
    let status = app.get(&format!("/api/secrets/{token}")).await;
    assert_eq!(status.body["views_left"], 2, "a GET counts no view");
    for left in [1, 0] {
        let revealed = reveal(&app, &token).await;
        assert_eq!(
            (&revealed.body["secret"], &revealed.body["views_left"]),
            (&json!("two looks"), &json!(left))
        );
    }
    reveal(&app, &token).await.assert_error(404, "not_found");

    // The audit shows the creation and the last view, by the owner's key.
    let (code, stdout, _) = pwpush(config, &["--json", "audit", &token]).await;
    assert_eq!(code, 0, "{stdout}");
    let audit = json_of(&stdout);
    let kinds: Vec<&str> = audit["logs"]
        .as_array()
        .expect("logs")
        .iter()
        .filter_map(|log| log["kind"].as_str())
        .collect();
    assert_eq!(
        (kinds, &audit["view_count"]),
        (vec!["creation", "view"], &json!(2))
    );
    let (code, stdout, stderr) = pwpush(config, &["audit", &token]).await;
    assert_eq!(code, 0, "text mode: {stdout} {stderr}");
    assert!(
        stdout.contains(&format!("Audit Log for {token}")),
        "{stdout}"
    );
    let operations: Vec<&str> = table_rows(&stdout)
        .iter()
        .filter_map(|row| row.split('│').rev().nth(1).map(str::trim))
        .collect();
    assert_eq!(operations, ["Creation", "View"], "{stdout}");

    // With a retrieval step and a passphrase: the click-through link, which opens the
    // same page, and the passphrase is checked by the server.
    let (code, stdout, stderr) = pwpush(
        config,
        &[
            "--json",
            "push",
            "--secret",
            "stepped",
            "--retrieval-step",
            "--passphrase",
            "open sesame",
        ],
    )
    .await;
    assert_eq!(code, 0, "{stdout} {stderr}");
    let url = json_of(&stdout)["url"].as_str().expect("url").to_owned();
    assert!(url.ends_with("/r"), "{url}");
    let stepped = token_of(&url);
    let page = app.client.get(&url).send().await.expect("GET the page");
    assert_eq!(page.status().as_u16(), 200);
    app.reveal(&stepped, None)
        .await
        .assert_error(403, "passphrase_required");
    assert_eq!(
        app.reveal(&stepped, Some("open sesame")).await.body["secret"],
        "stepped"
    );

    // Expire, then list: the active list holds what is waiting, the expired one the rest.
    let (code, stdout, _) = pwpush(config, &["push", "--secret", "to expire"]).await;
    assert_eq!(code, 0);
    let waiting = token_of(stdout.lines().find(|l| l.starts_with("http")).expect("URL"));
    let (code, stdout, _) = pwpush(config, &["push", "--secret", "stays"]).await;
    assert_eq!(code, 0);
    assert!(stdout.contains("/p/"));
    let (code, _, stderr) = pwpush(config, &["expire", &waiting]).await;
    assert_eq!(code, 0, "{stderr}");
    reveal(&app, &waiting).await.assert_error(404, "not_found");
    let (code, out, _) = pwpush(config, &["--json", "list"]).await;
    assert_eq!(code, 0, "{out}");
    let active = json_of(&out);
    assert_eq!(active.as_array().map(Vec::len), Some(1), "{active}");
    assert_eq!(active[0]["views_remaining"], 1);
    let (code, out, _) = pwpush(config, &["--json", "list", "--expired"]).await;
    assert_eq!(code, 0, "{out}");
    let gone = json_of(&out);
    assert_eq!(gone.as_array().map(Vec::len), Some(3), "{out}");
    let first = gone
        .as_array()
        .and_then(|items| items.last())
        .expect("the first push");
    assert_eq!(
        (
            &first["expire_after_days"],
            &first["expire_after_views"],
            &first["views_remaining"]
        ),
        (&json!(1), &json!(2), &json!(0))
    );
    // Text mode lists the same one push: one view of one left, 7 days.
    let (code, out, err) = pwpush(config, &["list"]).await;
    assert_eq!(code, 0, "text mode: {out} {err}");
    assert!(out.contains("Active Pushes"), "{out}");
    let rows = table_rows(&out);
    assert_eq!(rows.len(), 1, "{out}");
    let cells: Vec<&str> = rows[0].split('│').map(str::trim).collect();
    assert_eq!(cells.get(3..5), Some(&["0/1", "0/7"][..]), "{out}");

    // Not supported, said clearly: files, QR codes, requests.
    let file = config.join("file.txt");
    std::fs::write(&file, "a file").expect("a file");
    let path = file.to_str().expect("a path");
    let (code, out, _) = pwpush(config, &["--json", "push-file", path]).await;
    assert_eq!(code, 1);
    assert_eq!(json_of(&out)["error"], "files_not_supported", "{out}");
    let (code, out, _) = pwpush(config, &["--json", "push", "--secret", "x", "--kind", "qr"]).await;
    assert_eq!(
        (code, json_of(&out)["error"].as_str()),
        (1, Some("qr_not_supported"))
    );
    let (code, out, _) = pwpush(config, &["--json", "request", "send me the key"]).await;
    assert_eq!(code, 1);
    assert!(out.contains("not available"), "{out}");

    // A wrong key is refused, and the email must be the key's account's.
    let (_, _, _) = pwpush(config, &["config", "set", "email", "someone@example.org"]).await;
    let (code, out, _) = pwpush(config, &["--json", "audit", &token]).await;
    assert_eq!(
        (code, json_of(&out)["status_code"].as_u64()),
        (1, Some(401))
    );
}
on_both_backends!(the_pwpush_cli_pushes_expires_audits_and_lists);

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> Reply {
    let mut request = app.client.request(method, app.url(path));
    if let Some(key) = key {
        request = request
            .bearer_auth(key)
            .header("X-User-Email", EMAIL)
            .header("X-User-Token", key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    Reply::from_response(request.send().await.expect("request")).await
}

/// The legacy profile, with the bodies `pwpush` sends when `/api/v2/version` is absent.
async fn the_legacy_profile_answers_as_password_pusher_did(backend: Backend) {
    let (app, key) = app_with_key(backend).await;
    let get = reqwest::Method::GET;
    let created = send(
        &app,
        reqwest::Method::POST,
        "/p.json",
        Some(&key),
        Some(
            json!({"password": {"kind": "text", "payload": "legacy", "expire_after_days": "2",
            "expire_after_views": "2", "deletable_by_viewer": "False", "retrieval_step": "true"}}),
        ),
    )
    .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.header("cache-control"), "no-store");
    let token = created.field("url_token");
    assert_eq!(
        (
            &created.body["expire_after_views"],
            &created.body["expire_after_days"]
        ),
        (&json!(2), &json!(2))
    );
    let preview = send(
        &app,
        get.clone(),
        &format!("/p/{token}/preview.json"),
        Some(&key),
        None,
    )
    .await;
    assert_eq!(preview.field("url"), format!("{}/p/{token}/r", app.address));

    // The legacy retrieve counts a view; the page does not.
    let page = app
        .client
        .get(app.url(&format!("/p/{token}")))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status().as_u16(), 200);
    let retrieved = send(&app, get.clone(), &format!("/p/{token}.json"), None, None).await;
    assert_eq!(
        (
            &retrieved.body["payload"],
            &retrieved.body["views_remaining"]
        ),
        (&json!("legacy"), &json!(1))
    );
    assert_eq!(retrieved.header("cache-control"), "no-store");

    // A viewer may not expire it; its owner may.
    send(
        &app,
        reqwest::Method::DELETE,
        &format!("/p/{token}.json"),
        None,
        None,
    )
    .await
    .assert_error(403, "burn_not_allowed");
    let expired = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/p/{token}.json"),
        Some(&key),
        None,
    )
    .await;
    assert_eq!(
        (expired.status, &expired.body["expired"]),
        (200, &json!(true))
    );
    let audit = send(
        &app,
        get.clone(),
        &format!("/p/{token}/audit.json"),
        Some(&key),
        None,
    )
    .await;
    let views = audit.body["views"].as_array().expect("views");
    assert_eq!(
        views.last().expect("an event")["kind"],
        1,
        "{:?}",
        audit.body
    );
    assert_eq!(audit.body["view_count"], 1);
    send(
        &app,
        get.clone(),
        &format!("/p/{token}/audit.json"),
        None,
        None,
    )
    .await
    .assert_error(401, "unauthorized");
    let listed = send(&app, get.clone(), "/p/expired.json", Some(&key), None).await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(1));
    assert_eq!(listed.body[0]["url_token"], Value::Null);
    send(&app, get.clone(), "/p/active.json", None, None)
        .await
        .assert_error(401, "unauthorized");

    // Wrong input: clear 4xx, never a 500.
    for (body, status, code) in [
        (
            json!({"password": {"payload": "x", "expire_after_views": 0}}),
            422,
            "max_views_out_of_range",
        ),
        (
            json!({"password": {"payload": "x", "expire_after_days": 400}}),
            422,
            "ttl_out_of_range",
        ),
        (
            json!({"password": {"payload": "x", "expire_after_views": "many"}}),
            400,
            "bad_request",
        ),
        (json!({"password": {"payload": ""}}), 422, "empty_secret"),
        (
            json!({"password": {"kind": "file", "payload": ""}}),
            422,
            "files_not_supported",
        ),
        (json!({"push": {"payload": "x"}}), 400, "bad_request"),
    ] {
        send(&app, reqwest::Method::POST, "/p.json", None, Some(body))
            .await
            .assert_error(status, code);
    }
    send(
        &app,
        reqwest::Method::POST,
        "/api/v2/pushes",
        None,
        Some(json!({"push": {"payload": "x", "expire_after_duration": 3}})),
    )
    .await
    .assert_error(422, "duration_not_supported");
    for path in ["/r.json", "/api/v2/requests"] {
        send(
            &app,
            reqwest::Method::POST,
            path,
            None,
            Some(json!({"request": {"request": "x"}})),
        )
        .await
        .assert_error(422, "requests_not_supported");
    }
    send(&app, get.clone(), "/p/nonsense.json", None, None)
        .await
        .assert_error(404, "not_found");
}
on_both_backends!(the_legacy_profile_answers_as_password_pusher_did);

/// The legacy retrieve is a GET that counts a view: over the reveal limit it takes
/// nothing, so a refused reader costs the push no view.
async fn a_refused_legacy_retrieve_costs_no_view(backend: Backend) {
    let app = spawn_app_with(backend, &["--rate-limit-reveal-per-minute", "1"]).await;
    let created = send(
        &app,
        reqwest::Method::POST,
        "/p.json",
        None,
        Some(json!({"password": {"payload": "three", "expire_after_views": 3}})),
    )
    .await;
    let token = created.field("url_token");
    let path = format!("/p/{token}.json");
    let first = send(&app, reqwest::Method::GET, &path, None, None).await;
    assert_eq!(first.body["views_remaining"], 2);
    send(&app, reqwest::Method::GET, &path, None, None)
        .await
        .assert_error(429, "rate_limited");
    let status = app.get(&format!("/api/secrets/{token}")).await;
    assert_eq!(status.body["views_left"], 2);
}
on_both_backends!(a_refused_legacy_retrieve_costs_no_view);

/// The preview's link follows the pages' rule: on `BURNBOX_PUBLIC_URL`, else the path
/// alone; never on a `Host`, `X-Forwarded-Host` or `Forwarded` a client or proxy sent.
async fn a_forged_host_never_steers_the_preview_link(backend: Backend) {
    let forged = [
        ("host", "evil.example"),
        ("x-forwarded-host", "evil.example"),
        ("x-forwarded-proto", "https"),
        ("forwarded", "host=evil.example;proto=https"),
    ];
    for (public_url, origin) in [
        (None, ""),
        (
            Some("https://secrets.example.org/"),
            "https://secrets.example.org",
        ),
    ] {
        let extra = public_url.map_or_else(Vec::new, |url| vec!["--public-url", url]);
        let (app, key) = app_with_key_and(backend, &extra).await;
        let created = send(
            &app,
            reqwest::Method::POST,
            "/p.json",
            Some(&key),
            Some(json!({"password": {"payload": "steer me", "retrieval_step": "true"}})),
        )
        .await;
        assert_eq!(created.status, 201, "{:?}", created.body);
        let token = created.field("url_token");
        for path in [
            format!("/p/{token}/preview.json"),
            format!("/api/v2/pushes/{token}/preview"),
        ] {
            let mut request = app
                .client
                .get(app.url(&path))
                .bearer_auth(&key)
                .header("X-User-Email", EMAIL);
            for (name, value) in forged {
                request = request.header(name, value);
            }
            let preview = Reply::from_response(request.send().await.expect("preview")).await;
            assert_eq!(preview.status, 200, "{path}: {:?}", preview.body);
            assert_eq!(
                preview.field("url"),
                format!("{origin}/p/{token}/r"),
                "{path} with {public_url:?}"
            );
        }
    }
}
on_both_backends!(a_forged_host_never_steers_the_preview_link);
