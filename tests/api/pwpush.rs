//! Password Pusher's API: the `pwpush` CLI from PyPI, unchanged, against burnbox (the v2
//! profile it picks when `/api/v2/version` answers), and the legacy profile over HTTP
//! with the bodies the CLI sends when v2 is absent.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::helpers::{
    Backend, Reply, TestApp, api_key, free_port, session, spawn_app, spawn_app_with,
};
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
async fn pwpush(config: &Path, args: &[&str]) -> (i32, String, String) {
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

/// A fresh `pwpush` configuration directory pointing at `app` with `key`.
async fn cli_config(app: &TestApp, key: &str) -> PathBuf {
    let port = app.address.rsplit(':').next().expect("a port");
    let config = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("pwpush-{port}"));
    let _ = std::fs::remove_dir_all(&config);
    std::fs::create_dir_all(&config).expect("a config directory");
    for (name, value) in [
        ("url", app.address.as_str()),
        ("email", EMAIL),
        ("token", key),
    ] {
        let (code, _, stderr) = pwpush(&config, &["config", "set", name, value]).await;
        assert_eq!(code, 0, "{stderr}");
    }
    config
}

/// The URL a text-mode `pwpush push` or `push-file` printed.
fn printed_url(stdout: &str) -> String {
    stdout
        .lines()
        .find(|line| line.starts_with("http"))
        .unwrap_or_else(|| panic!("a URL in {stdout}"))
        .trim()
        .to_owned()
}

async fn the_pwpush_cli_pushes_expires_audits_and_lists(backend: Backend) {
    let (app, key) = app_with_key(backend).await;
    let config = cli_config(&app, &key).await;
    let config = config.as_path();

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

    // Not supported, said clearly: QR codes, requests.
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
            "invalid_file",
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
    // The file pushes' retrieve draws on the same budget.
    for path in [path, format!("/f/{token}.json")] {
        send(&app, reqwest::Method::GET, &path, None, None)
            .await
            .assert_error(429, "rate_limited");
    }
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

/// `len` bytes holding every byte value, in an order no chunk boundary lines up with.
fn every_byte(len: usize) -> Vec<u8> {
    let bytes: Vec<u8> = (0..len as u64)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
        .collect();
    let mut seen = [false; 256];
    for byte in &bytes {
        seen[usize::from(*byte)] = true;
    }
    assert!(seen.iter().all(|seen| *seen), "every byte value");
    bytes
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .to_vec()
}

/// Keys of `kind` (`f` chunks, `u` uploads or users, `s` secrets) under the app's prefix.
async fn stored(app: &TestApp, kind: &str) -> Vec<String> {
    let mut redis = app.redis().await;
    redis::cmd("KEYS")
        .arg(format!("{}*}}{kind}:*", app.key_prefix))
        .query_async(&mut redis)
        .await
        .expect("KEYS")
}

/// Retrieves a file push through a legacy `…/{token}.json` path, checks its file's name,
/// type and bytes, and returns the retrieve's body.
async fn retrieve_file(
    app: &TestApp,
    path: &str,
    name: &str,
    media_type: &str,
    file: &[u8],
) -> Value {
    let retrieved = send(app, reqwest::Method::GET, path, None, None).await;
    assert_eq!(retrieved.status, 200, "{}", retrieved.body);
    assert_eq!(
        (
            &retrieved.body["kind"],
            &retrieved.body["payload"],
            &retrieved.body["files"][0]["filename"],
            &retrieved.body["files"][0]["content_type"],
        ),
        (&json!("file"), &json!(""), &json!(name), &json!(media_type)),
        "{}",
        retrieved.body
    );
    assert_eq!(retrieved.body["files"].as_array().map(Vec::len), Some(1));
    // On BURNBOX_PUBLIC_URL when it is set, else the path alone (as every link).
    let url = retrieved.body["files"][0]["url"].as_str().expect("a url");
    let url = match url.strip_prefix('/') {
        Some(_) => app.url(url),
        None => url.to_owned(),
    };
    assert!(
        url.starts_with(&format!("{}/api/files/", app.address)),
        "{url}"
    );
    let download = app.client.get(&url).send().await.expect("download");
    assert_eq!(download.status().as_u16(), 200);
    let disposition = download
        .headers()
        .get("content-disposition")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        disposition.contains(&format!("filename=\"{name}\"")),
        "{disposition}"
    );
    let body = download.bytes().await.expect("the file");
    assert_eq!(body.len(), file.len());
    assert_eq!(sha256(&body), sha256(file), "the file as it was pushed");
    retrieved.body
}

/// `pwpush push-file`, unchanged, on both of its profiles: v2 (`POST /api/v2/pushes`, the
/// default against burnbox) and legacy (`POST /f.json`, `GET /f/{token}/preview.json`).
/// The file (2.5 MiB of every byte value, so several chunks) comes back whole, once.
async fn the_pwpush_cli_pushes_a_file_on_both_profiles(backend: Backend) {
    let (app, key) = app_with_key(backend).await;
    let config = cli_config(&app, &key).await;
    let config = config.as_path();
    let file = every_byte(5 * 1024 * 1024 / 2);
    let path = config.join("quarterly report.pdf");
    std::fs::write(&path, &file).expect("a file");
    let path = path.to_str().expect("a path");

    let (code, stdout, stderr) = pwpush(config, &["push-file", path, "--days", "2"]).await;
    assert_eq!(code, 0, "{stdout} {stderr}");
    let url = printed_url(&stdout);
    assert!(url.starts_with(&format!("{}/p/", app.address)), "{url}");
    let token = token_of(&url);
    // A GET of the link counts nothing; the list shows it as any push, of kind file.
    let page = app.client.get(&url).send().await.expect("GET the page");
    assert_eq!(page.status().as_u16(), 200);
    let (code, out, _) = pwpush(config, &["--json", "list"]).await;
    assert_eq!(code, 0, "{out}");
    let active = json_of(&out);
    assert_eq!(active.as_array().map(Vec::len), Some(1), "{active}");
    assert_eq!(
        (
            &active[0]["kind"],
            &active[0]["views_remaining"],
            &active[0]["expire_after_days"]
        ),
        (&json!("file"), &json!(1), &json!(2)),
        "{active}"
    );
    let (code, out, _) = pwpush(config, &["list"]).await;
    assert_eq!((code, table_rows(&out).len()), (0, 1), "{out}");
    // Password Pusher's show: no payload, the file with its name, type and link.
    let retrieved = retrieve_file(
        &app,
        &format!("/p/{token}.json"),
        "quarterly report.pdf",
        "application/pdf",
        &file,
    )
    .await;
    assert_eq!(
        (&retrieved["views_remaining"], &retrieved["expired"]),
        (&json!(0), &json!(true))
    );
    send(
        &app,
        reqwest::Method::GET,
        &format!("/p/{token}.json"),
        None,
        None,
    )
    .await
    .assert_error(404, "not_found");
    let (_, out, _) = pwpush(config, &["--json", "list"]).await;
    assert_eq!(json_of(&out), json!([]));

    // The legacy profile, as the CLI remembers it for a server without /api/v2.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock")
        .as_secs()
        .to_string();
    for (name, value) in [("api_profile", "legacy"), ("api_profile_checked_at", &now)] {
        let (code, _, stderr) = pwpush(config, &["config", "set", name, value]).await;
        assert_eq!(code, 0, "{stderr}");
    }
    let (code, stdout, stderr) =
        pwpush(config, &["--debug", "push-file", path, "--views", "2"]).await;
    assert_eq!(code, 0, "{stdout} {stderr}");
    assert!(stdout.contains("/f.json"), "the legacy create: {stdout}");
    let token = token_of(&printed_url(&stdout));
    assert!(
        stdout.contains(&format!("/f/{token}/preview.json")),
        "the legacy preview: {stdout}"
    );
    // Password Pusher's legacy file retrieve, then its push retrieve: two views.
    let first = retrieve_file(
        &app,
        &format!("/f/{token}.json"),
        "quarterly report.pdf",
        "application/pdf",
        &file,
    )
    .await;
    assert_eq!(first["views_remaining"], 1);
    retrieve_file(
        &app,
        &format!("/p/{token}.json"),
        "quarterly report.pdf",
        "application/pdf",
        &file,
    )
    .await;
    send(
        &app,
        reqwest::Method::GET,
        &format!("/f/{token}.json"),
        None,
        None,
    )
    .await
    .assert_error(404, "not_found");
    let (code, out, _) = pwpush(config, &["--json", "list", "--expired"]).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(json_of(&out).as_array().map(Vec::len), Some(2), "{out}");
}
on_both_backends!(the_pwpush_cli_pushes_a_file_on_both_profiles);

/// A file over `BURNBOX_MAX_FILE_BYTES` is refused from its `Content-Length`, before a
/// byte of it is stored, and `pwpush` says why; one of exactly the limit goes through.
#[tokio::test]
async fn an_oversized_push_file_is_refused_and_nothing_is_stored() {
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let public_url = format!("http://{bind}");
    let (app, key) = app_with_key_and(
        Backend::Redis,
        &[
            "--bind",
            &bind,
            "--public-url",
            &public_url,
            "--max-file-bytes",
            "1000000",
        ],
    )
    .await;
    let config = cli_config(&app, &key).await;
    let config = config.as_path();
    // `u:` names an account's user record too: compare with what is there before.
    let before = [
        stored(&app, "f").await,
        stored(&app, "u").await,
        stored(&app, "s").await,
    ];
    let too_big = config.join("too big.bin");
    std::fs::write(&too_big, every_byte(1_200_000)).expect("a file");
    let (code, out, _) = pwpush(
        config,
        &["--json", "push-file", too_big.to_str().expect("a path")],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        (
            json_of(&out)["error"].as_str(),
            json_of(&out)["status_code"].as_u64()
        ),
        (Some("file_too_large"), Some(413)),
        "{out}"
    );
    let (code, out, _) = pwpush(config, &["push-file", too_big.to_str().expect("a path")]).await;
    assert_eq!(code, 1);
    assert!(
        out.contains("413") && out.contains("file_too_large"),
        "{out}"
    );
    let after = [
        stored(&app, "f").await,
        stored(&app, "u").await,
        stored(&app, "s").await,
    ];
    assert_eq!(after, before, "nothing stored");
    assert_eq!(before[0], Vec::<String>::new());
    let (_, out, _) = pwpush(config, &["--json", "list"]).await;
    assert_eq!(json_of(&out), json!([]));

    let at_the_limit = config.join("just fits.bin");
    let file = every_byte(1_000_000);
    std::fs::write(&at_the_limit, &file).expect("a file");
    let (code, stdout, stderr) = pwpush(
        config,
        &["push-file", at_the_limit.to_str().expect("a path")],
    )
    .await;
    assert_eq!(code, 0, "{stdout} {stderr}");
    let token = token_of(&printed_url(&stdout));
    retrieve_file(
        &app,
        &format!("/p/{token}.json"),
        "just fits.bin",
        "application/octet-stream",
        &file,
    )
    .await;
}

/// A multipart form as Password Pusher's clients send one: `fields`, then `files` as
/// (part name, file name, media type, bytes). Returns its Content-Type and body.
fn form(fields: &[(&str, &str)], files: &[(&str, &str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "burnbox-test-boundary-7d1e";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (name, filename, media_type, content) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
            )
            .as_bytes(),
        );
        if let Some(media_type) = media_type {
            body.extend_from_slice(format!("Content-Type: {media_type}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn post_form(app: &TestApp, path: &str, (content_type, body): (String, Vec<u8>)) -> Reply {
    app.post_raw(path, &content_type, body).await
}

/// What the CLI never sends, answered clearly: a declared type kept, a passphrase
/// checked, fields after the file, two files, a file in JSON, no Content-Length.
async fn a_file_push_form_is_read_as_password_pusher_reads_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let version = app.get("/api/v2/version").await;
    assert_eq!(version.body["features"]["pushes"]["files"], true);
    let csv: &[u8] = b"name,secret\nroot,hunter2\n";
    // A declared type is kept; a passphrase in the form guards the file.
    let created = post_form(
        &app,
        "/f.json",
        form(
            &[
                ("file_push[payload]", ""),
                ("file_push[kind]", "file"),
                ("file_push[passphrase]", "open sesame"),
                ("file_push[expire_after_views]", "2"),
                ("account_id", "ignored"),
            ],
            // A directory in the name is the sender's, not the file's (RFC 7578 §4.2).
            &[(
                "file_push[files][]",
                "exports/keys.csv",
                Some("text/csv"),
                csv,
            )],
        ),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        (
            &created.body["kind"],
            &created.body["passphrase_required"],
            &created.body["expire_after_views"]
        ),
        (&json!("file"), &json!(true), &json!(2))
    );
    let token = created.field("url_token");
    send(
        &app,
        reqwest::Method::GET,
        &format!("/p/{token}.json"),
        None,
        None,
    )
    .await
    .assert_error(403, "passphrase_required");
    let retrieved = retrieve_file(
        &app,
        &format!("/f/{token}.json?passphrase=open%20sesame"),
        "keys.csv",
        "text/csv",
        csv,
    )
    .await;
    assert_eq!(retrieved["views_remaining"], 1);
    let preview = send(
        &app,
        reqwest::Method::GET,
        &format!("/f/{token}/preview.json"),
        None,
        None,
    )
    .await;
    assert_eq!(preview.field("url"), format!("/p/{token}"));
    // A text push's retrieve has no files, as Password Pusher's.
    let text = send(
        &app,
        reqwest::Method::POST,
        "/p.json",
        None,
        Some(json!({"password": {"payload": "words"}})),
    )
    .await;
    let text = send(
        &app,
        reqwest::Method::GET,
        &format!("/p/{}.json", text.field("url_token")),
        None,
        None,
    )
    .await;
    assert_eq!(
        (&text.body["kind"], &text.body["files"]),
        (&json!("text"), &json!([]))
    );

    // Refused, with nothing created.
    let file: &[u8] = b"one file";
    let long_name = format!("{}.txt", "n".repeat(300));
    for (fields, files, status, code) in [
        (
            vec![("push[kind]", "file")],
            vec![
                ("push[files][]", "a.txt", None, file),
                ("push[files][]", "b.txt", None, file),
            ],
            422,
            "too_many_files",
        ),
        (vec![("push[kind]", "file")], vec![], 422, "invalid_file"),
        (
            vec![("push[payload]", "text too")],
            vec![("push[files][]", "a.txt", None, file)],
            422,
            "invalid_file",
        ),
        (
            vec![("push[kind]", "qr")],
            vec![("push[files][]", "a.txt", None, file)],
            422,
            "invalid_kind",
        ),
        (
            vec![("push[expire_after_views]", "0")],
            vec![("push[files][]", "a.txt", None, file)],
            422,
            "max_views_out_of_range",
        ),
        (
            vec![],
            vec![("push[files][]", &long_name, None, file)],
            413,
            "file_name_too_long",
        ),
    ] {
        post_form(&app, "/api/v2/pushes", form(&fields, &files))
            .await
            .assert_error(status, code);
    }
    // A field after the file would change a push already stored: refused.
    let (content_type, mut body) = form(&[], &[("push[files][]", "a.txt", None, file)]);
    let (_, late) = form(&[("push[expire_after_views]", "5")], &[]);
    body.truncate(body.len() - "--burnbox-test-boundary-7d1e--\r\n".len());
    body.extend_from_slice(&late);
    post_form(&app, "/api/v2/pushes", (content_type, body))
        .await
        .assert_error(422, "invalid_file");
    send(
        &app,
        reqwest::Method::POST,
        "/api/v2/pushes",
        None,
        Some(json!({"push": {"kind": "file", "payload": "", "files": ["a.txt"]}})),
    )
    .await
    .assert_error(422, "invalid_file");

    if backend == Backend::Redis {
        assert_eq!(
            stored(&app, "s").await.len(),
            1,
            "only the CSV's one view left"
        );
    }

    // Without Content-Length (chunked), the size cannot be checked first: 411.
    let (content_type, body) = form(&[], &[("push[files][]", "a.txt", None, file)]);
    let mut request = format!(
        "POST /api/v2/pushes HTTP/1.1\r\nHost: burnbox\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);
    request.extend_from_slice(b"\r\n0\r\n\r\n");
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(&request).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 411"), "{answer}");
    assert!(answer.contains("length_required"), "{answer}");
}
on_both_backends!(a_file_push_form_is_read_as_password_pusher_reads_it);

/// A file push spends the client's hourly byte budget as any upload does, before its
/// file is read: over it, 429 and nothing stored.
#[tokio::test]
async fn a_file_push_spends_the_hourly_byte_budget() {
    let app = spawn_app_with(Backend::Redis, &["--file-bytes-per-hour", "3000000"]).await;
    let file = every_byte(2_000_000);
    let push = || {
        form(
            &[("push[kind]", "file")],
            &[("push[files][]", "a.bin", None, &file)],
        )
    };
    let created = post_form(&app, "/api/v2/pushes", push()).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let chunks = stored(&app, "f").await;
    let refused = post_form(&app, "/api/v2/pushes", push()).await;
    refused.assert_error(429, "rate_limited");
    assert!(!refused.header("retry-after").is_empty());
    assert_eq!(stored(&app, "f").await, chunks, "nothing stored");
}
