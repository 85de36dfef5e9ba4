//! The onetimesecret v1 API: exact field names and types, form and JSON bodies, the same
//! exactly-once core, Basic auth with API keys, onetimesecret's error shape — and the
//! `onetimesecret` client from PyPI, unchanged.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::{Backend, Reply, TestApp, api_key, session, spawn_app, spawn_app_with};
use crate::on_both_backends;

const ADMIN_EMAIL: &str = "ots@example.org";
const ADMIN_PASSWORD: &str = "ots admin password";

async fn form(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    basic: Option<(&str, &str)>,
) -> Reply {
    let mut request = app.client.post(app.url(path)).form(fields);
    if let Some((user, key)) = basic {
        request = request.basic_auth(user, Some(key));
    }
    Reply::from_response(request.send().await.expect("request")).await
}

async fn get(app: &TestApp, path: &str, basic: Option<(&str, &str)>) -> Reply {
    let mut request = app.client.get(app.url(path));
    if let Some((user, key)) = basic {
        request = request.basic_auth(user, Some(key));
    }
    Reply::from_response(request.send().await.expect("request")).await
}

/// An app with a configured admin, and an API key of theirs with the `secrets` scope.
async fn app_with_key(backend: Backend) -> (TestApp, String) {
    let app = spawn_app_with(
        backend,
        &[
            "--admin-email",
            ADMIN_EMAIL,
            "--admin-password",
            ADMIN_PASSWORD,
        ],
    )
    .await;
    let token = session(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let key = api_key(&app, &token, json!(["secrets"])).await;
    (app, key)
}

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect()
}

fn assert_v1_error(reply: &Reply, status: u16, message: &str) {
    assert_eq!(reply.status, status, "{}", reply.body);
    assert_eq!(reply.body, json!({ "message": message }));
}

/// Asserts onetimesecret's metadata object: every field, with its type.
fn assert_metadata(body: &Value, state: &str, with_secret_key: bool) {
    let mut expected: BTreeSet<String> = [
        "custid",
        "metadata_key",
        "ttl",
        "metadata_ttl",
        "secret_ttl",
        "state",
        "updated",
        "created",
        "recipient",
        "passphrase_required",
        "share_domain",
    ]
    .iter()
    .map(|key| (*key).to_owned())
    .collect();
    if with_secret_key {
        expected.insert("secret_key".into());
    }
    if state == "received" {
        expected.insert("received".into());
    }
    let mut actual = keys(body);
    actual.remove("value");
    assert_eq!(actual, expected, "{body}");
    assert_eq!(body["state"], state);
    for number in ["ttl", "metadata_ttl", "secret_ttl", "updated", "created"] {
        assert!(body[number].is_u64(), "{number} is not a number: {body}");
    }
    assert!(body["recipient"].is_array() && body["passphrase_required"].is_boolean());
    assert_eq!(body["share_domain"], "");
    assert_eq!(body["metadata_key"].as_str().map(str::len), Some(32));
}

async fn shares_reveal_once_through_the_same_core(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(
        get(&app, "/api/v1/status", None).await.body,
        json!({"status": "nominal", "locale": "en"})
    );

    let shared = form(
        &app,
        "/api/v1/share",
        &[
            ("secret", "form encoded"),
            ("ttl", "3600"),
            ("recipient", "ada@example.org"),
        ],
        None,
    )
    .await;
    assert_eq!(shared.status, 200, "{}", shared.body);
    assert_metadata(&shared.body, "new", true);
    assert_eq!(shared.body["custid"], "anon");
    assert_eq!(shared.body["ttl"], 3600);
    assert_eq!(shared.body["recipient"], json!(["a*****@example.org"]));
    assert_eq!(shared.body["passphrase_required"], false);
    let secret_key = shared.field("secret_key");
    let metadata_key = shared.field("metadata_key");

    // The receipt shows the secret key while unread, by GET and by POST.
    let before = get(&app, &format!("/api/v1/private/{metadata_key}"), None).await;
    assert_metadata(&before.body, "new", true);
    assert_eq!(before.field("secret_key"), secret_key);

    let revealed = form(&app, &format!("/api/v1/secret/{secret_key}"), &[], None).await;
    assert_eq!(
        revealed.body,
        json!({"value": "form encoded", "secret_key": secret_key, "share_domain": ""})
    );
    assert_eq!(revealed.header("cache-control"), "no-store");
    assert_v1_error(
        &form(&app, &format!("/api/v1/secret/{secret_key}"), &[], None).await,
        404,
        "Unknown secret",
    );
    // The native API sees the same secret, consumed.
    app.reveal(&secret_key, None)
        .await
        .assert_error(404, "not_found");

    let after = form(&app, &format!("/api/v1/private/{metadata_key}"), &[], None).await;
    assert_metadata(&after.body, "received", false);
    assert_eq!(after.body["secret_ttl"], 0);

    // JSON bodies work too, and a native secret reveals through v1.
    let json_share = app
        .client
        .post(app.url("/api/v1/share"))
        .json(&json!({"secret": "as json"}))
        .send()
        .await
        .expect("request");
    let json_share = Reply::from_response(json_share).await;
    assert_eq!(json_share.status, 200, "{}", json_share.body);
    let native = app.create_secret(json!({"secret": "native"})).await;
    let through_v1 = form(
        &app,
        &format!("/api/v1/secret/{}", native.secret_key),
        &[],
        None,
    )
    .await;
    assert_eq!(through_v1.body["value"], "native");
    // A native receipt read through v1 never shows the secret key (it does not keep it).
    let native_receipt = get(
        &app,
        &format!("/api/v1/private/{}", native.receipt_key),
        None,
    )
    .await;
    assert_metadata(&native_receipt.body, "received", false);
}
on_both_backends!(shares_reveal_once_through_the_same_core);

async fn passphrases_burns_generate_and_errors_look_like_onetimesecret(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_v1_error(
        &form(&app, "/api/v1/share", &[("ttl", "60")], None).await,
        404,
        "You did not provide anything to share",
    );

    let guarded = form(
        &app,
        "/api/v1/share",
        &[("secret", "guarded"), ("passphrase", "open sesame")],
        None,
    )
    .await;
    assert_eq!(guarded.body["passphrase_required"], true);
    let key = guarded.field("secret_key");
    let path = format!("/api/v1/secret/{key}");
    assert_v1_error(&form(&app, &path, &[], None).await, 404, "Unknown secret");
    assert_v1_error(
        &form(&app, &path, &[("passphrase", "wrong")], None).await,
        404,
        "Unknown secret",
    );
    let opened = form(&app, &path, &[("passphrase", "open sesame")], None).await;
    assert_eq!(opened.body["value"], "guarded");

    // A TTL that is no number is refused, not defaulted; a body that is no form is a 400;
    // both in onetimesecret's shape.
    assert_v1_error(
        &form(
            &app,
            "/api/v1/share",
            &[("secret", "s"), ("ttl", "abc")],
            None,
        )
        .await,
        404,
        "ttl must be a number of seconds",
    );
    let not_a_form = app
        .client
        .post(app.url("/api/v1/generate"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("AAA")
        .send()
        .await
        .expect("request");
    assert_v1_error(
        &Reply::from_response(not_a_form).await,
        400,
        "a form body is `name=value` fields joined by `&`",
    );
    // TTLs are clamped, not refused.
    let short = form(
        &app,
        "/api/v1/share",
        &[("secret", "s"), ("ttl", "1")],
        None,
    )
    .await;
    assert_eq!(short.body["ttl"], 60);
    let long = form(
        &app,
        "/api/v1/share",
        &[("secret", "l"), ("ttl", "99999999999")],
        None,
    )
    .await;
    assert_eq!(long.body["ttl"], 2_592_000);
    let default = form(&app, "/api/v1/share", &[("secret", "d")], None).await;
    assert_eq!(default.body["ttl"], 604_800);

    let doomed = form(&app, "/api/v1/share", &[("secret", "burn me")], None).await;
    let metadata_key = doomed.field("metadata_key");
    let burned = form(
        &app,
        &format!("/api/v1/private/{metadata_key}/burn"),
        &[],
        None,
    )
    .await;
    assert_eq!(burned.status, 200, "{}", burned.body);
    assert_eq!(
        keys(&burned.body),
        ["secret_shortkey", "state"]
            .iter()
            .map(|k| (*k).to_owned())
            .collect()
    );
    assert_metadata(&burned.body["state"], "burned", false);
    assert_eq!(
        burned.field("secret_shortkey"),
        doomed.field("secret_key")[..6]
    );
    assert_v1_error(
        &form(
            &app,
            &format!("/api/v1/secret/{}", doomed.field("secret_key")),
            &[],
            None,
        )
        .await,
        404,
        "Unknown secret",
    );
    assert_v1_error(
        &get(&app, "/api/v1/private/unknown", None).await,
        404,
        "Unknown secret",
    );

    let generated = form(&app, "/api/v1/generate", &[("ttl", "600")], None).await;
    assert_eq!(generated.status, 200, "{}", generated.body);
    assert_metadata(&generated.body, "new", true);
    let value = generated.field("value");
    assert_eq!(value.len(), 12);
    let revealed = form(
        &app,
        &format!("/api/v1/secret/{}", generated.field("secret_key")),
        &[],
        None,
    )
    .await;
    assert_eq!(revealed.field("value"), value);
}
on_both_backends!(passphrases_burns_generate_and_errors_look_like_onetimesecret);

async fn basic_auth_with_an_api_key_owns_shares_and_lists_them(backend: Backend) {
    let (app, key) = app_with_key(backend).await;
    let basic = Some((ADMIN_EMAIL, key.as_str()));

    let check = get(&app, "/api/v1/authcheck", basic).await;
    assert_eq!(check.status, 200, "{}", check.body);
    assert_eq!(
        (check.field("custid"), check.field("role")),
        (ADMIN_EMAIL.to_owned(), "colonel".to_owned())
    );
    assert_v1_error(
        &get(&app, "/api/v1/authcheck", None).await,
        401,
        "Not authorized",
    );
    // A bad credential is refused before the handler, in onetimesecret's shape too.
    assert_v1_error(
        &get(
            &app,
            "/api/v1/authcheck",
            Some(("someone@example.org", key.as_str())),
        )
        .await,
        401,
        "invalid, expired or revoked credentials",
    );
    assert_v1_error(
        &get(
            &app,
            "/api/v1/authcheck",
            Some((ADMIN_EMAIL, "bbk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")),
        )
        .await,
        401,
        "invalid, expired or revoked credentials",
    );

    let shared = form(&app, "/api/v1/share", &[("secret", "owned")], basic).await;
    assert_eq!(shared.field("custid"), ADMIN_EMAIL);
    form(
        &app,
        &format!(
            "/api/v1/secret/{}",
            form(&app, "/api/v1/share", &[("secret", "read")], basic)
                .await
                .field("secret_key")
        ),
        &[],
        None,
    )
    .await;

    let recent = get(&app, "/api/v1/private/recent", basic).await;
    assert_eq!(recent.status, 200, "{}", recent.body);
    let items = recent.body.as_array().expect("a list");
    assert_eq!(items.len(), 2, "{}", recent.body);
    assert_eq!(items[0]["state"], "received");
    assert_eq!(items[1]["state"], "new");
    assert!(
        !recent
            .body
            .to_string()
            .contains(&shared.field("secret_key")),
        "a working link in recent"
    );
    assert!(
        !recent
            .body
            .to_string()
            .contains(&shared.field("metadata_key")),
        "a working receipt in recent"
    );
    assert_v1_error(
        &get(&app, "/api/v1/private/recent", None).await,
        401,
        "sign in: send Authorization: Bearer <session token or API key>",
    );
}
on_both_backends!(basic_auth_with_an_api_key_owns_shares_and_lists_them);

/// The `onetimesecret` package from PyPI, unchanged, in a virtualenv: it shares through
/// `/api/v1/share` and the link it prints reveals through `/api/v1/secret/{key}`.
#[tokio::test]
async fn the_onetimesecret_client_from_pypi_works_unchanged() {
    let (app, key) = app_with_key(Backend::Redis).await;
    let address = app.address.clone();
    let output = tokio::task::spawn_blocking(move || {
        let venv = crate::helpers::python_venv("onetimesecret-venv", &["onetimesecret==1"]);
        let python = venv.join("bin/python");
        let script = r#"
import sys
from onetimesecret import OneTimeSecretCli
url, user, key = sys.argv[1:4]
print(OneTimeSecretCli(url=url).create_link("from the PyPI client", ttl=3600))
print(OneTimeSecretCli(user=user, key=key, url=url).create_link("with basic auth"))
"#;
        std::process::Command::new(python)
            .args(["-c", script, &address, ADMIN_EMAIL, &key])
            .output()
            .expect("python runs")
    })
    .await
    .expect("ran");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("utf-8");
    let links: Vec<&str> = stdout.lines().collect();
    assert_eq!(links.len(), 2, "{stdout}");
    for (link, secret) in links
        .iter()
        .zip(["from the PyPI client", "with basic auth"])
    {
        let secret_key = link.rsplit('/').next().expect("a key");
        assert!(
            link.starts_with(&format!("{}/secret/", app.address)),
            "{link}"
        );
        let revealed = form(&app, &format!("/api/v1/secret/{secret_key}"), &[], None).await;
        assert_eq!(revealed.field("value"), secret);
    }
}

async fn racing_v1_retrievals_get_the_secret_once_and_redis_keeps_no_key(backend: Backend) {
    let app = spawn_app_with(backend, &["--rate-limit-reveal-per-minute", "0"]).await;
    let shared = form(&app, "/api/v1/share", &[("secret", "only once")], None).await;
    let secret_key = shared.field("secret_key");
    let racers: Vec<_> = (0..24)
        .map(|_| {
            let request = app
                .client
                .post(app.url(&format!("/api/v1/secret/{secret_key}")));
            tokio::spawn(async move {
                let response = request.send().await.expect("request");
                (
                    response.status().as_u16(),
                    response.text().await.expect("body"),
                )
            })
        })
        .collect();
    let mut results = Vec::new();
    for racer in racers {
        results.push(racer.await.expect("racer"));
    }
    crate::helpers::assert_one_winner(&results, "only once", None);

    if backend == Backend::Redis {
        // The receipt keeps the secret key only sealed under the receipt key.
        let other = form(&app, "/api/v1/share", &[("secret", "at rest")], None).await;
        let (secret_key, metadata_key) = (other.field("secret_key"), other.field("metadata_key"));
        let mut redis = app.redis().await;
        let names: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}*", app.key_prefix))
            .query_async(&mut redis)
            .await
            .expect("keys");
        let raw_key = burnbox::domain::ClientKey::parse(&secret_key).expect("key");
        for name in names {
            let value: Option<Vec<u8>> = redis::cmd("GET")
                .arg(&name)
                .query_async(&mut redis)
                .await
                .unwrap_or(None);
            let value = value.unwrap_or_default();
            let text = String::from_utf8_lossy(&value);
            for shown in [&secret_key, &metadata_key] {
                assert!(
                    !name.contains(shown.as_str()) && !text.contains(shown.as_str()),
                    "{name}"
                );
            }
            assert!(
                !value
                    .windows(raw_key.as_bytes().len())
                    .any(|window| window == raw_key.as_bytes()),
                "the secret key's bytes in {name}"
            );
        }
    }
}
on_both_backends!(racing_v1_retrievals_get_the_secret_once_and_redis_keeps_no_key);

/// The rate limiter's 429 under `/api/v1` is onetimesecret's shape, with the headers.
#[tokio::test]
async fn a_v1_client_is_limited_in_its_own_error_shape() {
    let app = spawn_app_with(Backend::Redis, &["--rate-limit-per-minute", "1"]).await;
    assert_eq!(get(&app, "/api/v1/status", None).await.status, 200);
    let limited = get(&app, "/api/v1/status", None).await;
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert!(
        limited.body["message"]
            .as_str()
            .is_some_and(|message| message.starts_with("too many requests"))
            && limited.body.get("error").is_none(),
        "{}",
        limited.body
    );
    assert!(!limited.header("retry-after").is_empty());
    assert_eq!(limited.header("ratelimit-remaining"), "0");
}
