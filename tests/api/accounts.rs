//! Accounts end to end, with codes read from a real SMTP exchange: registration and
//! confirmation, sessions, API keys, blocking, the account's receipts, the authorization
//! matrix, the audit log, and no credential in clear in Redis or the log.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    Backend, CAPTURED_LOGS, Reply, TestApp, api_key, capture_logs, client_from, session,
    spawn_app_with,
};
use crate::on_both_backends;
use crate::smtp::SmtpSink;

pub(crate) const ADMIN_EMAIL: &str = "root@example.org";
pub(crate) const ADMIN_PASSWORD: &str = "admin password 1";
const PASSWORD: &str = "correct horse battery";

/// An app mailing through a fresh sink, with a configured admin.
pub(crate) async fn app_with_mail(backend: Backend, extra: &[&str]) -> (TestApp, SmtpSink) {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let mut args = vec![
        "--smtp-url",
        url.as_str(),
        "--admin-email",
        ADMIN_EMAIL,
        "--admin-password",
        ADMIN_PASSWORD,
        "--rate-limit-per-minute",
        "0",
        "--passphrase-failures-per-hour",
        "0",
    ];
    args.extend_from_slice(extra);
    (spawn_app_with(backend, &args).await, sink)
}

/// Every key and value under the app's prefix, of every type, as one text to search.
async fn redis_dump(app: &TestApp) -> String {
    let mut redis = app.redis().await;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{}*", app.key_prefix))
        .query_async(&mut redis)
        .await
        .expect("keys");
    assert!(keys.len() >= 4, "{keys:?}");
    let mut dump = keys.join("\n");
    for name in &keys {
        let kind: String = redis::cmd("TYPE")
            .arg(name)
            .query_async(&mut redis)
            .await
            .expect("type");
        let value: Value = match kind.as_str() {
            "string" => json!(
                redis::cmd("GET")
                    .arg(name)
                    .query_async::<Vec<u8>>(&mut redis)
                    .await
                    .map(|v| String::from_utf8_lossy(&v).into_owned())
                    .ok()
            ),
            "hash" => json!(
                redis::cmd("HGETALL")
                    .arg(name)
                    .query_async::<std::collections::HashMap<String, String>>(&mut redis)
                    .await
                    .ok()
            ),
            "zset" => json!(
                redis::cmd("ZRANGE")
                    .arg(name)
                    .arg(0)
                    .arg(-1)
                    .query_async::<Vec<String>>(&mut redis)
                    .await
                    .ok()
            ),
            "stream" => json!(format!(
                "{:?}",
                redis::cmd("XRANGE")
                    .arg(name)
                    .arg("-")
                    .arg("+")
                    .query_async::<redis::Value>(&mut redis)
                    .await
            )),
            other => json!(other),
        };
        dump.push_str(&value.to_string());
    }
    dump
}

/// `POST /api/codes` for `recipient`.
async fn send_code(app: &TestApp, recipient: &str) -> Reply {
    call(
        app,
        Method::POST,
        "/api/codes",
        None,
        Some(json!({ "recipient": recipient })),
    )
    .await
}

/// `POST /api/codes/verify` of `code` for `recipient`.
async fn verify_code(app: &TestApp, recipient: &str, code: &str) -> Reply {
    call(
        app,
        Method::POST,
        "/api/codes/verify",
        None,
        Some(json!({"recipient": recipient, "code": code})),
    )
    .await
}

pub(crate) fn unique_email(name: &str) -> String {
    format!(
        "{name}.{}@example.org",
        burnbox::domain::ClientKey::generate([0, 0])
            .encode()
            .to_lowercase()
            .replace(['-', '_'], "x")
    )
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    bearer: Option<&str>,
    body: Option<Value>,
) -> Reply {
    app.send(method, path, bearer, body).await
}

async fn register(app: &TestApp, sink: &SmtpSink, email: &str, nth_mail: usize) -> String {
    let reply = call(
        app,
        Method::POST,
        "/api/accounts",
        None,
        Some(json!({"email": email, "password": PASSWORD})),
    )
    .await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    assert_eq!(reply.body["status"], "pending");
    sink.code(email, nth_mail).await
}

async fn confirm(app: &TestApp, email: &str, code: &str) -> Reply {
    confirm_with(app, email, code, PASSWORD).await
}

/// Confirms with the code and sets `password`, the account's password from now on.
async fn confirm_with(app: &TestApp, email: &str, code: &str, password: &str) -> Reply {
    call(
        app,
        Method::POST,
        "/api/accounts/verify",
        None,
        Some(json!({"email": email, "code": code, "password": password})),
    )
    .await
}

async fn login(app: &TestApp, email: &str, password: &str) -> Reply {
    call(
        app,
        Method::POST,
        "/api/sessions",
        None,
        Some(json!({"email": email, "password": password})),
    )
    .await
}

/// A confirmed user and a session of theirs.
pub(crate) async fn signed_up(app: &TestApp, sink: &SmtpSink, name: &str) -> (String, String) {
    let email = unique_email(name);
    let code = register(app, sink, &email, 0).await;
    assert_eq!(confirm(app, &email, &code).await.status, 200);
    let token = session(app, &email, PASSWORD).await;
    (email, token)
}

async fn registration_is_confirmed_by_the_mailed_code_then_sessions_work(backend: Backend) {
    let (app, sink) = app_with_mail(backend, &[]).await;
    let email = unique_email("ada");
    let code = register(&app, &sink, &email, 0).await;
    let mail = &sink.mails_to(&email)[0];
    assert!(mail.data.contains("expires in 15 minutes"), "{}", mail.data);

    // Pending accounts cannot log in; the answer is the one for a wrong password.
    login(&app, &email, PASSWORD)
        .await
        .assert_error(401, "invalid_credentials");
    let confirmed = confirm(&app, &email, &code).await;
    assert_eq!(
        (confirmed.status, confirmed.field("status")),
        (200, "active".into())
    );
    // The code worked once; confirming an active address is the answer for a wrong code.
    let again = confirm(&app, &email, &code).await;
    again.assert_error(403, "invalid_confirmation");
    let unknown = confirm(&app, &unique_email("nobody"), &code).await;
    assert_eq!(unknown.body, again.body);
    assert!(again.body.get("attempts_left").is_none());

    let first = session(&app, &email, PASSWORD).await;
    let second = session(&app, &email, PASSWORD).await;
    assert!(first.starts_with("bbs_") && first != second);
    let me = call(&app, Method::GET, "/api/me", Some(&first), None).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.field("email"), email);
    assert_eq!(
        (me.field("role"), me.field("state")),
        ("user".into(), "active".into())
    );

    // Logout ends one session; logout everywhere ends the rest at once.
    let third = session(&app, &email, PASSWORD).await;
    assert_eq!(
        call(
            &app,
            Method::DELETE,
            "/api/sessions/current",
            Some(&third),
            None
        )
        .await
        .status,
        204
    );
    call(&app, Method::GET, "/api/me", Some(&third), None)
        .await
        .assert_error(401, "unauthorized");
    assert_eq!(
        call(&app, Method::DELETE, "/api/sessions", Some(&first), None)
            .await
            .status,
        204
    );
    for token in [&first, &second] {
        call(&app, Method::GET, "/api/me", Some(token), None)
            .await
            .assert_error(401, "unauthorized");
    }
    // A new login works after logout everywhere.
    let fresh = session(&app, &email, PASSWORD).await;
    assert_eq!(
        call(&app, Method::GET, "/api/me", Some(&fresh), None)
            .await
            .status,
        200
    );
}
on_both_backends!(registration_is_confirmed_by_the_mailed_code_then_sessions_work);

async fn a_wrong_code_counts_down_and_the_code_dies_at_the_limit(backend: Backend) {
    // No cooldown here: the test asks for a second code at once.
    let (app, sink) = app_with_mail(backend, &["--code-cooldown", "0"]).await;
    let recipient = unique_email("grace");
    let send = || {
        call(
            &app,
            Method::POST,
            "/api/codes",
            None,
            Some(json!({ "recipient": recipient })),
        )
    };
    let verify = |code: String| {
        call(
            &app,
            Method::POST,
            "/api/codes/verify",
            None,
            Some(json!({"recipient": recipient, "code": code})),
        )
    };
    assert_eq!(send().await.status, 202);
    let code = sink.code(&recipient, 0).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (0..5).rev() {
        let reply = verify(wrong.into()).await;
        reply.assert_error(403, "wrong_code");
        assert_eq!(reply.body["attempts_left"], left);
    }
    // This client is done: even the right code is refused to it now.
    let spent = verify(code).await;
    spent.assert_error(403, "wrong_code");
    assert_eq!(spent.body["attempts_left"], 0);
    // A fresh code buys no fresh guesses while the count lives (the code's lifetime).
    assert_eq!(send().await.status, 202);
    let fresh = sink.code(&recipient, 1).await;
    let refused = verify(fresh).await;
    refused.assert_error(403, "wrong_code");
    assert_eq!(refused.body["attempts_left"], 0);
    verify("12345".into())
        .await
        .assert_error(422, "invalid_code");
}
on_both_backends!(a_wrong_code_counts_down_and_the_code_dies_at_the_limit);

/// A stranger's wrong guesses spend the stranger's budget, not the code: one client can
/// take at most `BURNBOX_CODE_ATTEMPTS` (5) of the code's `BURNBOX_CODE_ATTEMPTS_TOTAL`
/// (10), and the code dies only when the total is spent.
async fn strangers_cannot_kill_someone_elses_code_alone(backend: Backend) {
    let (app, sink) = app_with_mail(backend, &["--code-cooldown", "0"]).await;
    let recipient = unique_email("owner");
    let verify = |source: &'static str, code: String| {
        let request = client_from(source)
            .post(app.url("/api/codes/verify"))
            .json(&json!({"recipient": recipient, "code": code}));
        async move { Reply::from_response(request.send().await.expect("verify")).await }
    };
    let send = || {
        call(
            &app,
            Method::POST,
            "/api/codes",
            None,
            Some(json!({ "recipient": recipient })),
        )
    };
    assert_eq!(send().await.status, 202);
    let code = sink.code(&recipient, 0).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for left in (0..5).rev() {
        let reply = verify("127.0.0.21", wrong.into()).await;
        reply.assert_error(403, "wrong_code");
        assert_eq!(reply.body["attempts_left"], left);
    }
    let more = verify("127.0.0.21", wrong.into()).await;
    assert_eq!(more.body["attempts_left"], 0, "the stranger is done");
    // The owner still has guesses, and the code.
    let owner_wrong = verify("127.0.0.22", wrong.into()).await;
    owner_wrong.assert_error(403, "wrong_code");
    assert_eq!(owner_wrong.body["attempts_left"], 4);
    assert_eq!(verify("127.0.0.22", code).await.status, 200);

    // Two strangers together spend the code's total budget: then it is dead for all.
    assert_eq!(send().await.status, 202);
    let code = sink.code(&recipient, 1).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for source in ["127.0.0.23", "127.0.0.24"] {
        for _ in 0..5 {
            verify(source, wrong.into())
                .await
                .assert_error(403, "wrong_code");
        }
    }
    verify("127.0.0.25", code)
        .await
        .assert_error(404, "not_found");
}
on_both_backends!(strangers_cannot_kill_someone_elses_code_alone);

/// An unconfirmed registration lapses after `BURNBOX_PENDING_ACCOUNT_TTL` and frees its
/// address; a confirmed one is kept for good.
async fn pending_registrations_lapse_and_free_their_address(backend: Backend) {
    let (app, sink) = app_with_mail(
        backend,
        &[
            "--pending-account-ttl",
            "2",
            "--code-ttl",
            "2",
            "--code-cooldown",
            "0",
        ],
    )
    .await;
    let admin = session(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let users = || async {
        let reply = call(
            &app,
            Method::GET,
            "/api/admin/users?limit=100",
            Some(&admin),
            None,
        )
        .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply.body
    };
    let before = users().await["total"].as_u64().expect("total");
    let user_keys = || async {
        let Some(_) = &app.redis_url else {
            return Vec::new();
        };
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}*", app.key_prefix))
            .query_async(&mut app.redis().await)
            .await
            .expect("keys");
        keys.into_iter()
            .filter(|key| key.contains("}u:") || key.contains("}e:"))
            .collect::<Vec<_>>()
    };
    let existing = user_keys().await;
    let email = unique_email("lapsing");
    register(&app, &sink, &email, 0).await;
    assert_eq!(users().await["total"].as_u64(), Some(before + 1));
    let new_keys: Vec<String> = user_keys()
        .await
        .into_iter()
        .filter(|key| !existing.contains(key))
        .collect();
    if app.redis_url.is_some() {
        assert_eq!(new_keys.len(), 2, "the user and its address: {new_keys:?}");
    }
    for key in &new_keys {
        let ttl: i64 = redis::cmd("TTL")
            .arg(key)
            .query_async(&mut app.redis().await)
            .await
            .expect("ttl");
        assert!((1..=2).contains(&ttl), "{key} lives {ttl} s");
    }
    tokio::time::sleep(std::time::Duration::from_millis(2600)).await;
    // Gone: not listed, and the address registers afresh with a new code.
    let listed = users().await;
    assert_eq!(listed["total"].as_u64(), Some(before), "{listed}");
    assert!(!listed.to_string().contains(&email));
    let code = register(&app, &sink, &email, 1).await;
    assert_eq!(confirm(&app, &email, &code).await.status, 200);
    // Confirmed: kept past the pending lifetime.
    tokio::time::sleep(std::time::Duration::from_millis(2600)).await;
    session(&app, &email, PASSWORD).await;
}
on_both_backends!(pending_registrations_lapse_and_free_their_address);

/// Anyone can fill the log with failed logins; what admins did stays: the two are
/// capped apart (`BURNBOX_AUDIT_MAX_ENTRIES` each).
async fn anonymous_events_cannot_push_admin_actions_out_of_the_audit_log(backend: Backend) {
    let (app, sink) = app_with_mail(backend, &["--audit-max-entries", "5"]).await;
    let admin = session(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, token) = signed_up(&app, &sink, "flooded").await;
    let me = call(&app, Method::GET, "/api/me", Some(&token), None).await;
    let id = me.field("id");
    let blocked = call(
        &app,
        Method::PATCH,
        &format!("/api/admin/users/{id}"),
        Some(&admin),
        Some(json!({"blocked": true})),
    )
    .await;
    assert_eq!(blocked.status, 200, "{}", blocked.body);
    // Redis trims capped streams by whole nodes (100 entries): flood well past that.
    for n in 0..250 {
        let reply = login(&app, &format!("nobody{n}@example.org"), "wrong password").await;
        assert_eq!(reply.status, 401);
    }
    let log = call(
        &app,
        Method::GET,
        "/api/admin/audit?limit=1000",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(log.status, 200, "{}", log.body);
    let entries = log.body["entries"].as_array().expect("entries");
    let count = |action: &str| {
        entries
            .iter()
            .filter(|entry| entry["action"] == action)
            .count()
    };
    assert_eq!(count("block"), 1, "the admin's block was pushed out");
    assert!(count("failed_login") >= 5, "the flood is logged too");
    assert!(count("failed_login") < 250, "the flood is capped");
    // Newest first across both parts.
    assert_eq!(entries[0]["action"], "failed_login");
}
on_both_backends!(anonymous_events_cannot_push_admin_actions_out_of_the_audit_log);

/// Wrong passwords are counted per address, across clients and instances: once the
/// budget is spent even the right password is refused until the window has passed, and a
/// right password in between resets nothing.
async fn an_accounts_wrong_passwords_lock_its_logins_for_a_window(backend: Backend) {
    let limits = [
        "--login-failures-per-account",
        "3",
        "--login-lockout-seconds",
        "2",
    ];
    let (app, sink) = app_with_mail(backend, &limits).await;
    let (email, _) = signed_up(&app, &sink, "guessed").await;
    let login_from = |source: &'static str, email: String, password: &'static str| {
        let request = crate::helpers::client_from(source)
            .post(app.url("/api/sessions"))
            .json(&json!({"email": email, "password": password}));
        async move { Reply::from_response(request.send().await.expect("login")).await }
    };
    // Two wrong, one right (which resets nothing), one wrong: the budget of three is spent.
    for (source, password, status) in [
        ("127.0.0.31", "wrong password 1", 401),
        ("127.0.0.32", "wrong password 2", 401),
        ("127.0.0.33", PASSWORD, 201),
        ("127.0.0.34", "wrong password 3", 401),
    ] {
        let reply = login_from(source, email.clone(), password).await;
        assert_eq!(reply.status, status, "{}", reply.body);
    }
    login_from("127.0.0.35", email.clone(), PASSWORD)
        .await
        .assert_error(401, "invalid_credentials");
    // An address without an account locks the same way: the lock tells nothing.
    let nobody = unique_email("nobody");
    for n in 0..3 {
        let reply = login_from(
            "127.0.0.36",
            nobody.clone(),
            ["a wrong one", "b wrong one", "c wrong one"][n],
        )
        .await;
        reply.assert_error(401, "invalid_credentials");
    }
    let locked_nobody = login_from("127.0.0.37", nobody.clone(), PASSWORD).await;
    let locked_user = login_from("127.0.0.37", email.clone(), PASSWORD).await;
    assert_eq!(locked_nobody.body, locked_user.body);
    if backend == Backend::Redis {
        // Shared by every instance on the same Redis.
        let mut args = vec!["--key-prefix", app.key_prefix.as_str()];
        args.extend_from_slice(&limits);
        let other = spawn_app_with(backend, &args).await;
        login(&other, &email, PASSWORD)
            .await
            .assert_error(401, "invalid_credentials");
    }
    // The window slides past: the right password works again.
    tokio::time::sleep(std::time::Duration::from_millis(4200)).await;
    let reply = login_from("127.0.0.38", email.clone(), PASSWORD).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}
on_both_backends!(an_accounts_wrong_passwords_lock_its_logins_for_a_window);

/// Changing the password needs the current one and ends every session (the caller gets a
/// fresh one) and every API key: a key minted with a stolen session must not outlive it.
async fn a_password_change_ends_every_session_and_api_key(backend: Backend) {
    let (app, sink) = app_with_mail(backend, &[]).await;
    let (email, first) = signed_up(&app, &sink, "changer").await;
    let second = session(&app, &email, PASSWORD).await;
    let key = api_key(&app, &first, json!(["secrets"])).await;
    let change = |token: String, current: &'static str| {
        let token = token.clone();
        let app = &app;
        async move {
            call(
                app,
                Method::POST,
                "/api/me/password",
                Some(&token),
                Some(json!({"current_password": current, "new_password": "a brand new password"})),
            )
            .await
        }
    };
    change(first.clone(), "not the password")
        .await
        .assert_error(403, "wrong_password");
    change(key.clone(), PASSWORD)
        .await
        .assert_error(403, "forbidden");
    let changed = change(first.clone(), PASSWORD).await;
    assert_eq!(changed.status, 201, "{}", changed.body);
    assert_eq!(changed.header("cache-control"), "no-store");
    let fresh = changed.field("session_token");
    for ended in [&first, &second, &key] {
        call(&app, Method::GET, "/api/me", Some(ended), None)
            .await
            .assert_error(401, "unauthorized");
    }
    assert_eq!(
        call(&app, Method::GET, "/api/me", Some(&fresh), None)
            .await
            .status,
        200
    );
    // The fresh session lists no key, and the keys it makes work.
    let listed = call(&app, Method::GET, "/api/me/api-keys", Some(&fresh), None).await;
    assert_eq!(listed.body["api_keys"], json!([]), "{}", listed.body);
    let new_key = api_key(&app, &fresh, json!(["secrets"])).await;
    assert_eq!(
        call(&app, Method::GET, "/api/me", Some(&new_key), None)
            .await
            .status,
        200
    );
    login(&app, &email, PASSWORD)
        .await
        .assert_error(401, "invalid_credentials");
    session(&app, &email, "a brand new password").await;
}
on_both_backends!(a_password_change_ends_every_session_and_api_key);

/// A reset by mailed code: the same answer for any address, a code of its own kind, and
/// afterwards no session or API key of the account survives.
async fn a_password_reset_by_mailed_code_ends_sessions_and_keys(backend: Backend) {
    let (app, sink) = app_with_mail(backend, &["--code-cooldown", "0"]).await;
    let (email, token) = signed_up(&app, &sink, "forgetful").await;
    let key = api_key(&app, &token, json!(["secrets"])).await;
    let ask = |address: String| {
        let app = &app;
        async move {
            call(
                app,
                Method::POST,
                "/api/accounts/reset",
                None,
                Some(json!({"email": address})),
            )
            .await
        }
    };
    let nobody = unique_email("nobody");
    let unknown = ask(nobody.clone()).await;
    let known = ask(email.clone()).await;
    assert_eq!((unknown.status, known.status), (202, 202));
    assert_eq!(unknown.body, known.body);
    let reset = |code: String, password: &'static str| {
        let (app, email) = (&app, email.clone());
        async move {
            call(
                app,
                Method::POST,
                "/api/accounts/reset/verify",
                None,
                Some(json!({"email": email, "code": code, "new_password": password})),
            )
            .await
        }
    };
    // The registration code was mail 0; the reset code is mail 1.
    let code = sink.code(&email, 1).await;
    assert!(
        sink.mails_to(&nobody).is_empty(),
        "nothing is mailed to an unknown address"
    );
    // A code for another purpose never stands in for a reset code.
    let other = call(
        &app,
        Method::POST,
        "/api/codes",
        None,
        Some(json!({"recipient": email, "purpose": "reset"})),
    )
    .await;
    assert_eq!(other.status, 202, "{}", other.body);
    let other_code = sink.code(&email, 2).await;
    if other_code != code {
        reset(other_code, "another new password")
            .await
            .assert_error(403, "invalid_reset");
    }
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = reset(wrong.into(), "another new password").await;
    refused.assert_error(403, "invalid_reset");
    assert!(refused.body.get("attempts_left").is_none());
    let done = reset(code.clone(), "another new password").await;
    assert_eq!(done.status, 200, "{}", done.body);
    reset(code, "yet another password")
        .await
        .assert_error(403, "invalid_reset");
    for ended in [&token, &key] {
        call(&app, Method::GET, "/api/me", Some(ended), None)
            .await
            .assert_error(401, "unauthorized");
    }
    login(&app, &email, PASSWORD)
        .await
        .assert_error(401, "invalid_credentials");
    session(&app, &email, "another new password").await;
    // An unknown address gets the same refusal.
    let stranger = call(
        &app,
        Method::POST,
        "/api/accounts/reset/verify",
        None,
        Some(json!({"email": nobody, "code": "123456", "new_password": "another new password"})),
    )
    .await;
    stranger.assert_error(403, "invalid_reset");
    let logs = CAPTURED_LOGS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .join("\n");
    for credential in ["another new password", "yet another password", key.as_str()] {
        assert!(!logs.contains(credential), "a credential reached the log");
    }
    if app.redis_url.is_some() {
        let dump = redis_dump(&app).await;
        assert!(
            !dump.contains("another new password"),
            "a password reached Redis"
        );
    }
}
on_both_backends!(a_password_reset_by_mailed_code_ends_sessions_and_keys);

/// An answer never waits for SMTP: mail leaves through a queue in the store.
#[tokio::test]
async fn answers_never_wait_for_smtp() {
    // An SMTP server that accepts connections and never answers: a request that waited
    // for it would hang until the mailer's timeout (10 s).
    let black_hole = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let stuck = format!(
        "smtp://127.0.0.1:{}",
        black_hole.local_addr().expect("address").port()
    );
    let app = spawn_app_with(Backend::Redis, &["--smtp-url", &stuck]).await;
    let started = std::time::Instant::now();
    for (path, body) in [
        ("/api/codes", json!({ "recipient": unique_email("code") })),
        (
            "/api/accounts",
            json!({"email": unique_email("new"), "password": PASSWORD}),
        ),
        (
            "/api/accounts",
            json!({"email": ADMIN_EMAIL, "password": PASSWORD}),
        ),
        (
            "/api/accounts/reset",
            json!({"email": unique_email("nobody")}),
        ),
    ] {
        let reply = call(&app, Method::POST, path, None, Some(body)).await;
        assert_eq!(reply.status, 202, "{}", reply.body);
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "an answer waited for SMTP: {:?}",
        started.elapsed()
    );
    drop(black_hole);
}

/// A mail its instance could not send before it stopped is sent by another instance, and
/// while it waits in the queue it holds neither the code nor the address in clear.
#[tokio::test]
async fn a_stopped_instances_queued_mail_is_sent_by_another() {
    let refused = format!("smtp://127.0.0.1:{}", crate::helpers::free_port());
    let recipient = unique_email("queued");
    let asked = recipient.clone();
    // The first instance lives in a runtime of its own; dropping that runtime stops it.
    let (key_prefix, queued) = std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async move {
            let first = spawn_app_with(Backend::Redis, &["--smtp-url", &refused]).await;
            let reply = send_code(&first, &asked).await;
            assert_eq!(reply.status, 202, "{}", reply.body);
            // Its first try fails at once (nothing listens) and the mail goes back to the
            // queue, due again in 2 s; a second is ample for that.
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            (first.key_prefix.clone(), redis_dump(&first).await)
        })
    })
    .join()
    .expect("first instance");
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let second = spawn_app_with(
        Backend::Redis,
        &["--key-prefix", &key_prefix, "--smtp-url", &url],
    )
    .await;
    let code = sink.code(&recipient, 0).await;
    assert!(queued.contains("outbox"), "the queue was dumped: {queued}");
    assert!(!queued.contains(&code), "a queued code in clear");
    assert!(!queued.contains(&recipient), "a queued address in clear");
    let verified = verify_code(&second, &recipient, &code).await;
    assert_eq!(verified.status, 200, "{}", verified.body);
}

/// A mail that could not be sent is tried again once SMTP is back (both stores).
async fn mail_is_retried_until_smtp_is_back(backend: Backend) {
    let port = crate::helpers::free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(backend, &["--smtp-url", &url]).await;
    let recipient = unique_email("retried");
    let sent = send_code(&app, &recipient).await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let sink = SmtpSink::start_on(port).await;
    let code = sink.code(&recipient, 0).await;
    let verified = verify_code(&app, &recipient, &code).await;
    assert_eq!(verified.status, 200, "{}", verified.body);
}
on_both_backends!(mail_is_retried_until_smtp_is_back);

async fn codes_for_anyone_are_mailed_good_once_and_cool_down(backend: Backend) {
    let (app, sink) = app_with_mail(backend, &[]).await;
    let recipient = unique_email("bob");
    let send = |purpose: &'static str| {
        call(
            &app,
            Method::POST,
            "/api/codes",
            None,
            Some(json!({"recipient": recipient, "purpose": purpose})),
        )
    };
    let sent = send("newsletter").await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    assert_eq!(sent.body["expires_in"], 900);
    let code = sink.code(&recipient, 0).await;
    // Another purpose is another code; the same purpose cools down.
    // The cooldown is per recipient, across purposes: rotating the purpose floods nothing.
    let cooling = send("another-purpose").await;
    cooling.assert_error(429, "cooling_down");
    send("newsletter").await.assert_error(429, "cooling_down");
    assert!(
        cooling
            .header("retry-after")
            .parse::<u64>()
            .is_ok_and(|s| (1..=60).contains(&s))
    );
    let verify = |purpose: &'static str, code: String| {
        call(
            &app,
            Method::POST,
            "/api/codes/verify",
            None,
            Some(json!({"recipient": recipient, "purpose": purpose, "code": code})),
        )
    };
    verify("other", code.clone())
        .await
        .assert_error(404, "not_found");
    let verified = verify("newsletter", code.clone()).await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    assert_eq!(verified.body["verified"], true);
    verify("newsletter", code)
        .await
        .assert_error(404, "not_found");
    // Account confirmation codes and API codes never stand in for each other.
    call(
        &app,
        Method::POST,
        "/api/codes",
        None,
        Some(json!({"recipient": "not-an-address"})),
    )
    .await
    .assert_error(422, "invalid_email");
    // A mailbox with a display name would be mailed to another address than the one kept.
    call(
        &app,
        Method::POST,
        "/api/codes",
        None,
        Some(json!({"recipient": "x<a@evil.org>"})),
    )
    .await
    .assert_error(422, "invalid_email");
}
on_both_backends!(codes_for_anyone_are_mailed_good_once_and_cool_down);

async fn login_failures_all_look_alike(backend: Backend) {
    let (app, sink) = app_with_mail(backend, &[]).await;
    let (email, _) = signed_up(&app, &sink, "eve").await;
    let unknown = login(&app, &unique_email("nobody"), PASSWORD).await;
    let wrong = login(&app, &email, "wrong password!").await;
    for reply in [&unknown, &wrong] {
        reply.assert_error(401, "invalid_credentials");
    }
    assert_eq!(unknown.body, wrong.body);
    // Registering a taken address answers as if it were new, and mails nothing.
    let again = call(
        &app,
        Method::POST,
        "/api/accounts",
        None,
        Some(json!({"email": email, "password": PASSWORD})),
    )
    .await;
    assert_eq!(
        (again.status, again.body["status"].clone()),
        (202, json!("pending"))
    );
    assert_eq!(sink.mails_to(&email).len(), 1);
    call(
        &app,
        Method::POST,
        "/api/accounts",
        None,
        Some(json!({"email": unique_email("short"), "password": "short"})),
    )
    .await
    .assert_error(422, "weak_password");
}
on_both_backends!(login_failures_all_look_alike);

async fn a_blocked_user_loses_sessions_logins_and_api_keys_at_once(backend: Backend) {
    let (app, sink) = app_with_mail(backend, &[]).await;
    let admin = session(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (email, token) = signed_up(&app, &sink, "mallory").await;
    let key = api_key(&app, &token, json!(["secrets"])).await;
    let me = call(&app, Method::GET, "/api/me", Some(&key), None).await;
    let id = me.field("id");

    let blocked = call(
        &app,
        Method::PATCH,
        &format!("/api/admin/users/{id}"),
        Some(&admin),
        Some(json!({"blocked": true})),
    )
    .await;
    assert_eq!(
        (blocked.status, blocked.field("state")),
        (200, "blocked".into()),
        "{}",
        blocked.body
    );
    for credential in [&token, &key] {
        call(&app, Method::GET, "/api/me", Some(credential), None)
            .await
            .assert_error(401, "unauthorized");
    }
    login(&app, &email, PASSWORD)
        .await
        .assert_error(401, "invalid_credentials");

    let unblocked = call(
        &app,
        Method::PATCH,
        &format!("/api/admin/users/{id}"),
        Some(&admin),
        Some(json!({"blocked": false})),
    )
    .await;
    assert_eq!(unblocked.field("state"), "active");
    // The old session stays void (its generation is gone); the key works again.
    call(&app, Method::GET, "/api/me", Some(&token), None)
        .await
        .assert_error(401, "unauthorized");
    assert_eq!(
        call(&app, Method::GET, "/api/me", Some(&key), None)
            .await
            .status,
        200
    );
    // Revoked keys stop at once.
    let listed = call(
        &app,
        Method::GET,
        "/api/me/api-keys",
        Some(&session(&app, &email, PASSWORD).await),
        None,
    )
    .await;
    let key_id = listed.body["api_keys"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert!(
        !listed.body.to_string().contains(&key),
        "a listed key shows its text"
    );
    let fresh = session(&app, &email, PASSWORD).await;
    assert_eq!(
        call(
            &app,
            Method::DELETE,
            &format!("/api/me/api-keys/{key_id}"),
            Some(&fresh),
            None
        )
        .await
        .status,
        204
    );
    call(&app, Method::GET, "/api/me", Some(&key), None)
        .await
        .assert_error(401, "unauthorized");
}
on_both_backends!(a_blocked_user_loses_sessions_logins_and_api_keys_at_once);

async fn an_api_key_with_the_tokens_scope_mints_from_an_untrusted_network(backend: Backend) {
    // Loopback is not trusted here: only a key can open the token endpoints.
    let (app, sink) = app_with_mail(backend, &["--trusted-networks", "10.9.0.0/16"]).await;
    // Registration is open: a self-registered user may not get a tokens key.
    let (_, user) = signed_up(&app, &sink, "ci").await;
    call(
        &app,
        Method::POST,
        "/api/me/api-keys",
        Some(&user),
        Some(json!({"name": "t", "scopes": ["tokens"]})),
    )
    .await
    .assert_error(403, "forbidden");
    let token = session(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let with_scope = api_key(&app, &token, json!(["tokens"])).await;
    let without = api_key(&app, &token, json!(["secrets"])).await;
    let app = &app;
    let mint = |bearer: Option<String>| async move {
        call(
            app,
            Method::POST,
            "/api/tokens",
            bearer.as_deref(),
            Some(json!({"subject": "job"})),
        )
        .await
    };
    mint(None).await.assert_error(403, "forbidden");
    mint(Some(without)).await.assert_error(403, "forbidden");
    mint(Some(token.clone()))
        .await
        .assert_error(403, "forbidden");
    let minted = mint(Some(with_scope.clone())).await;
    assert_eq!(minted.status, 201, "{}", minted.body);
    let verified = call(
        app,
        Method::POST,
        "/api/tokens/verify",
        Some(&with_scope),
        Some(json!({"token": minted.field("token")})),
    )
    .await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    assert_eq!(verified.body["subject"], "job");
}
on_both_backends!(an_api_key_with_the_tokens_scope_mints_from_an_untrusted_network);

async fn secrets_created_signed_in_are_listed_as_receipts_newest_first(backend: Backend) {
    let (app, sink) = app_with_mail(backend, &[]).await;
    let (_, token) = signed_up(&app, &sink, "owner").await;
    let key = api_key(&app, &token, json!(["secrets"])).await;
    let mut created = Vec::new();
    for (index, bearer) in [&token, &key, &token].into_iter().enumerate() {
        let reply = call(
            &app,
            Method::POST,
            "/api/secrets",
            Some(bearer),
            Some(json!({"secret": format!("owned {index}")})),
        )
        .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        created.push((reply.field("secret_key"), reply.field("receipt_key")));
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    }
    // Anonymous secrets are nobody's.
    app.create_secret(json!({"secret": "anonymous"})).await;
    app.reveal(&created[0].0, None).await;

    let page = call(
        &app,
        Method::GET,
        "/api/me/receipts?limit=2",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.body["total"], 3);
    let receipts = page.body["receipts"].as_array().expect("receipts");
    assert_eq!(receipts.len(), 2);
    assert_eq!(receipts[0]["state"], "pending");
    let rest = call(
        &app,
        Method::GET,
        "/api/me/receipts?offset=2",
        Some(&key),
        None,
    )
    .await;
    let oldest = &rest.body["receipts"][0];
    assert_eq!(oldest["state"], "revealed");
    assert!(receipts[0]["created_at"].as_str() > oldest["created_at"].as_str());
    let text = format!("{}{}", page.body, rest.body);
    for (secret_key, receipt_key) in &created {
        assert!(
            !text.contains(secret_key.as_str()) && !text.contains(receipt_key.as_str()),
            "a working link in the list"
        );
    }
    assert!(!text.contains("owned"), "a secret value in the list");
    // A key without the secrets scope may not read the list.
    let admin = session(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let tokens_only = api_key(&app, &admin, json!(["tokens"])).await;
    call(
        &app,
        Method::GET,
        "/api/me/receipts",
        Some(&tokens_only),
        None,
    )
    .await
    .assert_error(403, "forbidden");
}
on_both_backends!(secrets_created_signed_in_are_listed_as_receipts_newest_first);

/// Every account and admin endpoint against anonymous, user, API key and admin callers.
async fn the_authorization_matrix_holds(backend: Backend) {
    let (app, sink) = app_with_mail(backend, &[]).await;
    let (_, user) = signed_up(&app, &sink, "matrix").await;
    let key = api_key(&app, &user, json!(["secrets"])).await;
    let admin = session(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let admin_key = api_key(&app, &admin, json!(["admin"])).await;
    let user_id = call(&app, Method::GET, "/api/me", Some(&user), None)
        .await
        .field("id");
    let new_user = || json!({"email": unique_email("made"), "password": PASSWORD});
    // (method, path, body, anonymous, user session, user API key, admin session, admin key)
    let rows: Vec<(Method, String, Option<Value>, [u16; 5])> = vec![
        (
            Method::GET,
            "/api/me".into(),
            None,
            [401, 200, 200, 200, 200],
        ),
        (
            Method::GET,
            "/api/me/receipts".into(),
            None,
            [401, 200, 200, 200, 403],
        ),
        (
            Method::GET,
            "/api/me/api-keys".into(),
            None,
            [401, 200, 403, 200, 403],
        ),
        (
            Method::POST,
            "/api/me/api-keys".into(),
            Some(json!({"name": "n", "scopes": []})),
            [401, 201, 403, 201, 403],
        ),
        (
            Method::DELETE,
            "/api/me/api-keys/none".into(),
            None,
            [401, 404, 403, 404, 403],
        ),
        (
            Method::GET,
            "/api/admin/users".into(),
            None,
            [401, 403, 403, 200, 200],
        ),
        (
            Method::POST,
            "/api/admin/users".into(),
            Some(new_user()),
            [401, 403, 403, 201, 201],
        ),
        (
            Method::PATCH,
            format!("/api/admin/users/{user_id}"),
            Some(json!({"role": "user"})),
            [401, 403, 403, 200, 200],
        ),
        (
            Method::GET,
            "/api/admin/audit".into(),
            None,
            [401, 403, 403, 200, 200],
        ),
    ];
    for (method, path, body, expected) in rows {
        let callers = [
            None,
            Some(&user),
            Some(&key),
            Some(&admin),
            Some(&admin_key),
        ];
        for (caller, want) in callers.into_iter().zip(expected) {
            let body = if path == "/api/admin/users" && method == Method::POST {
                Some(new_user())
            } else {
                body.clone()
            };
            let reply = call(
                &app,
                method.clone(),
                &path,
                caller.map(String::as_str),
                body,
            )
            .await;
            assert_eq!(
                reply.status, want,
                "{method} {path} as caller #{caller:?}: {}",
                reply.body
            );
        }
    }
    // A wrong credential is 401 even where anonymous callers are welcome.
    let bogus = call(
        &app,
        Method::GET,
        "/api/me",
        Some("bbs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
        None,
    )
    .await;
    bogus.assert_error(401, "unauthorized");
    let anonymous_ok = call(
        &app,
        Method::POST,
        "/api/secrets",
        Some("garbage"),
        Some(json!({"secret": "x"})),
    )
    .await;
    anonymous_ok.assert_error(401, "unauthorized");
    // Only admins may hand out the admin scope.
    call(
        &app,
        Method::POST,
        "/api/me/api-keys",
        Some(&user),
        Some(json!({"name": "n", "scopes": ["admin"]})),
    )
    .await
    .assert_error(403, "forbidden");
}
on_both_backends!(the_authorization_matrix_holds);

#[tokio::test]
async fn the_audit_log_tells_the_story_and_no_credential_is_kept_in_clear() {
    capture_logs();
    let (app, sink) = app_with_mail(Backend::Redis, &[]).await;
    let email = unique_email("story");
    let code = register(&app, &sink, &email, 0).await;
    assert_eq!(confirm(&app, &email, &code).await.status, 200);
    login(&app, &email, "not the password")
        .await
        .assert_error(401, "invalid_credentials");
    let token = session(&app, &email, PASSWORD).await;
    let key = api_key(&app, &token, json!(["secrets"])).await;
    let created = call(
        &app,
        Method::POST,
        "/api/secrets",
        Some(&key),
        Some(json!({"secret": "audited secret"})),
    )
    .await;
    let receipt_key = created.field("receipt_key");
    let burned = call(
        &app,
        Method::POST,
        &format!("/api/receipts/{receipt_key}/burn"),
        Some(&token),
        None,
    )
    .await;
    assert_eq!(burned.field("state"), "burned");
    assert_eq!(
        call(&app, Method::DELETE, "/api/sessions", Some(&token), None)
            .await
            .status,
        204
    );
    let admin = session(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let id = {
        let users = call(
            &app,
            Method::GET,
            "/api/admin/users?limit=200",
            Some(&admin),
            None,
        )
        .await;
        users.body["users"]
            .as_array()
            .expect("users")
            .iter()
            .find(|user| user["email"] == email.as_str())
            .expect("listed")["id"]
            .as_str()
            .expect("id")
            .to_owned()
    };
    call(
        &app,
        Method::PATCH,
        &format!("/api/admin/users/{id}"),
        Some(&admin),
        Some(json!({"blocked": true, "role": "admin"})),
    )
    .await;

    let log = call(
        &app,
        Method::GET,
        &format!("/api/admin/audit?user={id}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(log.status, 200, "{}", log.body);
    let mut actions: Vec<String> = log.body["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|entry| entry["action"].as_str().expect("action").to_owned())
        .collect();
    actions.reverse();
    assert_eq!(
        actions,
        [
            "register",
            "confirm",
            "failed_login",
            "login",
            "api_key_created",
            "secret_created",
            "secret_burned",
            "logout_everywhere",
            "block",
            "role_change",
        ]
    );
    assert!(
        log.body["entries"]
            .as_array()
            .expect("entries")
            .iter()
            .all(|entry| entry["ip"] == "127.0.0.1")
    );
    // Paging: one at a time walks the same story back.
    let first = call(
        &app,
        Method::GET,
        &format!("/api/admin/audit?user={id}&limit=1"),
        Some(&admin),
        None,
    )
    .await;
    let next = first.field("next");
    let second = call(
        &app,
        Method::GET,
        &format!("/api/admin/audit?user={id}&limit=1&before={next}"),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(second.body["entries"][0]["action"], "block");

    let credentials = [
        PASSWORD,
        "not the password",
        ADMIN_PASSWORD,
        token.as_str(),
        key.as_str(),
        admin.as_str(),
        code.as_str(),
    ];
    let trimmed: Vec<&str> = credentials
        .iter()
        .map(|c| {
            c.strip_prefix("bbs_")
                .or_else(|| c.strip_prefix("bbk_"))
                .unwrap_or(c)
        })
        .collect();
    assert!(
        !trimmed.iter().any(|c| log.body.to_string().contains(c)),
        "a credential in the audit log"
    );

    // Redis: every value under this app's prefix, of every type.
    let dump = redis_dump(&app).await;
    // The audit stream is not under the test's prefix only if shared; it is here.
    assert!(
        dump.contains("secret_created"),
        "the dump did not include the audit log"
    );
    for credential in &trimmed {
        assert!(!dump.contains(credential), "a credential in Redis in clear");
    }
    let logs = CAPTURED_LOGS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .join("\n");
    for credential in &trimmed {
        assert!(!logs.contains(credential), "a credential in the log");
    }
}

#[tokio::test]
async fn the_admin_bootstrap_is_idempotent() {
    let (app, _sink) = app_with_mail(Backend::Memory, &[]).await;
    let admin = session(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let me = call(&app, Method::GET, "/api/me", Some(&admin), None).await;
    assert_eq!(me.field("role"), "admin");
    // A second start on the same Redis and prefix finds the admin and keeps it single.
    let (first, _) = app_with_mail(Backend::Redis, &[]).await;
    let again = crate::helpers::spawn_app_with(
        Backend::Redis,
        &[
            "--key-prefix",
            &first.key_prefix,
            "--admin-email",
            ADMIN_EMAIL,
            "--admin-password",
            "another password",
        ],
    )
    .await;
    let token = session(&again, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let users = call(&again, Method::GET, "/api/admin/users", Some(&token), None).await;
    assert_eq!(users.body["total"], 1, "{}", users.body);
}

#[tokio::test]
async fn without_smtp_the_code_is_written_to_the_log_in_development() {
    capture_logs();
    let app = spawn_app_with(Backend::Memory, &[]).await;
    let recipient = unique_email("dev");
    let sent = send_code(&app, &recipient).await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    // The mail leaves through the queue: wait for the drainer to write it.
    let wanted = format!("mail to {recipient}: Your burnbox code: ");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let line = loop {
        let logs = CAPTURED_LOGS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .join("\n");
        if let Some(line) = logs.lines().find(|line| line.contains(&wanted)) {
            break line.to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the code is in the log"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    let code: String = line
        .chars()
        .rev()
        .take(6)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let verified = verify_code(&app, &recipient, &code).await;
    assert_eq!(verified.status, 200, "{}", verified.body);
}

/// With Redis (production) and no SMTP server, nothing is mailed and no code reaches the
/// log: the mail waits in the queue, and the log says why it was not sent.
#[tokio::test]
async fn without_smtp_a_real_store_never_logs_a_code() {
    capture_logs();
    let logs = || {
        CAPTURED_LOGS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .join("\n")
    };
    let unsent = |logs: &str| logs.matches(": BURNBOX_SMTP_URL is unset").count();
    let app = spawn_app_with(Backend::Redis, &[]).await;
    let before = unsent(&logs());
    let recipient = unique_email("prod");
    let sent = send_code(&app, &recipient).await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    // The drainer tried and said why it did not send; give a log mailer time to show up.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while unsent(&logs()) == before {
        assert!(
            std::time::Instant::now() < deadline,
            "no word of the unsent mail"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !logs().contains(&format!("mail to {recipient}")),
        "a code in the log"
    );
}

async fn whoever_confirms_sets_the_password_so_registering_first_hijacks_nothing(backend: Backend) {
    let (app, sink) = app_with_mail(backend, &[]).await;
    let victim = unique_email("victim");
    // Someone registers the victim's address with a password of their own …
    let attacker_password = "attacker chose this";
    let reply = call(
        &app,
        Method::POST,
        "/api/accounts",
        None,
        Some(json!({"email": victim, "password": attacker_password})),
    )
    .await;
    assert_eq!(reply.status, 202);
    // … the victim (who reads the mail) confirms, choosing their own password.
    let code = sink.code(&victim, 0).await;
    assert_eq!(
        confirm_with(&app, &victim, &code, "the victim's own one")
            .await
            .status,
        200
    );
    login(&app, &victim, attacker_password)
        .await
        .assert_error(401, "invalid_credentials");
    assert_eq!(
        login(&app, &victim, "the victim's own one").await.status,
        201
    );
}
on_both_backends!(whoever_confirms_sets_the_password_so_registering_first_hijacks_nothing);

/// The bootstrap creates the admin once; afterwards the account is the admins' to manage:
/// a restart never unblocks it, re-promotes it or resets its password.
#[tokio::test]
async fn the_admin_bootstrap_is_not_a_standing_credential() {
    let (first, _sink) = app_with_mail(Backend::Redis, &[]).await;
    let root = session(&first, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let root_id = call(&first, Method::GET, "/api/me", Some(&root), None)
        .await
        .field("id");
    let other_email = unique_email("second-admin");
    let created = call(
        &first,
        Method::POST,
        "/api/admin/users",
        Some(&root),
        Some(json!({"email": other_email, "password": PASSWORD, "role": "admin"})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let other = session(&first, &other_email, PASSWORD).await;
    let restart_args = [
        "--key-prefix",
        first.key_prefix.as_str(),
        "--admin-email",
        ADMIN_EMAIL,
        "--admin-password",
        "another password 2",
    ];
    let restart = || crate::helpers::spawn_app_with(Backend::Redis, &restart_args);
    let root_path = format!("/api/admin/users/{root_id}");
    let patch = |body: Value| call(&first, Method::PATCH, &root_path, Some(&other), Some(body));
    // Demoted by another admin: a restart does not promote it again, nor change its password.
    assert_eq!(patch(json!({"role": "user"})).await.status, 200);
    let again = restart().await;
    let token = session(&again, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let me = call(&again, Method::GET, "/api/me", Some(&token), None).await;
    assert_eq!(me.field("role"), "user");
    login(&again, ADMIN_EMAIL, "another password 2")
        .await
        .assert_error(401, "invalid_credentials");
    // Blocked by another admin: a restart does not unblock it.
    assert_eq!(patch(json!({"blocked": true})).await.status, 200);
    let again = restart().await;
    login(&again, ADMIN_EMAIL, ADMIN_PASSWORD)
        .await
        .assert_error(401, "invalid_credentials");
    login(&again, ADMIN_EMAIL, "another password 2")
        .await
        .assert_error(401, "invalid_credentials");
    let users = call(
        &again,
        Method::GET,
        "/api/admin/users?limit=100",
        Some(&other),
        None,
    )
    .await;
    let root_entry = users.body["users"]
        .as_array()
        .expect("items")
        .iter()
        .find(|user| user["id"] == root_id.as_str())
        .cloned()
        .expect("listed");
    assert_eq!(root_entry["state"], "blocked", "{root_entry}");
}

#[tokio::test]
async fn a_pending_account_squatting_the_admin_address_does_not_become_the_admin() {
    let sink = SmtpSink::start().await;
    let url = sink.url();
    let first = spawn_app_with(Backend::Redis, &["--smtp-url", &url]).await;
    let squatter = "squatter's password";
    let reply = call(
        &first,
        Method::POST,
        "/api/accounts",
        None,
        Some(json!({"email": ADMIN_EMAIL, "password": squatter})),
    )
    .await;
    assert_eq!(reply.status, 202);
    // The operator then configures that address as the admin and restarts.
    let admin_app = spawn_app_with(
        Backend::Redis,
        &[
            "--key-prefix",
            &first.key_prefix,
            "--admin-email",
            ADMIN_EMAIL,
            "--admin-password",
            ADMIN_PASSWORD,
        ],
    )
    .await;
    login(&admin_app, ADMIN_EMAIL, squatter)
        .await
        .assert_error(401, "invalid_credentials");
    let token = session(&admin_app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let me = call(&admin_app, Method::GET, "/api/me", Some(&token), None).await;
    assert_eq!(me.field("role"), "admin");
}

/// How the owner ends every credential in [`no_key_minted_with_a_stolen_session_survives`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Remedy {
    /// A password reset by mailed code.
    Reset,
    /// "Log out everywhere" with a session of the owner's own.
    LogoutEverywhere,
}

/// Rounds of the race, and creators racing in each.
const RACE_ROUNDS: usize = 20;
const RACE_CREATORS: usize = 16;

/// Round after round, creators mint API keys as fast as they can with a stolen session
/// while the owner ends every credential: afterwards none of the keys they got works. A
/// key whose session check passed before the generation moved on but whose write came
/// after the old keys were listed would otherwise survive. Keys made afterwards, with a
/// new session, work.
async fn no_key_minted_with_a_stolen_session_survives(backend: Backend, remedy: Remedy) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    // Several workers, so that requests (and the memory store's steps) run in parallel.
    let (app, sink) = app_with_mail(backend, &["--code-cooldown", "0", "--workers", "4"]).await;
    let (email, _) = signed_up(&app, &sink, "robbed").await;
    let mut password = PASSWORD.to_owned();
    // (round, keys of that round that survived)
    let (mut minted_in_all, mut survivors) = (0, Vec::new());
    for round in 0..RACE_ROUNDS {
        let stolen = session(&app, &email, &password).await;
        let owner = session(&app, &email, &password).await;
        let code = if remedy == Remedy::Reset {
            let asked = app
                .post("/api/accounts/reset", json!({"email": email}))
                .await;
            assert_eq!(asked.status, 202, "{}", asked.body);
            // The registration code was mail 0; round n's reset code is mail n + 1.
            Some(sink.code(&email, round + 1).await)
        } else {
            None
        };
        let minted = Arc::new(Mutex::new(Vec::new()));
        let count = Arc::new(AtomicUsize::new(0));
        let creators: Vec<_> = (0..RACE_CREATORS)
            .map(|_| {
                let (client, url) = (app.client.clone(), app.url("/api/me/api-keys"));
                let (stolen, minted, count) = (stolen.clone(), minted.clone(), count.clone());
                tokio::spawn(async move {
                    loop {
                        let response = client
                            .post(&url)
                            .bearer_auth(&stolen)
                            .json(&json!({"name": "innocent", "scopes": ["secrets"]}))
                            .send()
                            .await
                            .expect("request");
                        let status = response.status().as_u16();
                        let body: Value = response.json().await.expect("json");
                        match status {
                            201 => {
                                let key = body["key"].as_str().expect("key").to_owned();
                                minted
                                    .lock()
                                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                                    .push(key);
                                count.fetch_add(1, Ordering::Relaxed);
                            }
                            // The stolen session is void: the remedy has begun.
                            401 => return,
                            other => panic!("creating a key: {other} {body}"),
                        }
                    }
                })
            })
            .collect();
        // The owner acts once the creators are in full flight.
        while count.load(Ordering::Relaxed) < RACE_CREATORS
            && !creators.iter().any(tokio::task::JoinHandle::is_finished)
        {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        match code {
            Some(code) => {
                let new_password = format!("new password of round {round}");
                let reset = app
                    .post(
                        "/api/accounts/reset/verify",
                        json!({"email": email, "code": code, "new_password": new_password}),
                    )
                    .await;
                assert_eq!(reset.status, 200, "{}", reset.body);
                password = new_password;
            }
            None => {
                let ended = call(&app, Method::DELETE, "/api/sessions", Some(&owner), None).await;
                assert_eq!(ended.status, 204, "{}", ended.body);
            }
        }
        for creator in creators {
            creator.await.expect("creator");
        }
        let minted = std::mem::take(
            &mut *minted
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        minted_in_all += minted.len();
        let mut alive = 0;
        for key in minted {
            let me = call(&app, Method::GET, "/api/me", Some(&key), None).await;
            match me.status {
                401 => {}
                200 => alive += 1,
                other => panic!("checking a key: {other} {}", me.body),
            }
        }
        if alive > 0 {
            survivors.push((round, alive));
        }
        for ended in [&stolen, &owner] {
            call(&app, Method::GET, "/api/me", Some(ended), None)
                .await
                .assert_error(401, "unauthorized");
        }
    }
    assert!(minted_in_all >= RACE_ROUNDS * RACE_CREATORS);
    assert!(
        survivors.is_empty(),
        "of {minted_in_all} keys minted with a stolen session, {} survived {remedy:?} \
         ((round, survivors): {survivors:?})",
        survivors.iter().map(|(_, alive)| alive).sum::<usize>()
    );
    // Not everything dies: a key made afterwards, with a new session, works.
    let fresh = session(&app, &email, &password).await;
    let key = api_key(&app, &fresh, json!(["secrets"])).await;
    assert_eq!(
        call(&app, Method::GET, "/api/me", Some(&key), None)
            .await
            .status,
        200
    );
}

mod no_key_minted_with_a_stolen_session_survives {
    use super::{Backend, Remedy, no_key_minted_with_a_stolen_session_survives as race};

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_reset_on_redis() {
        race(Backend::Redis, Remedy::Reset).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_reset_on_memory() {
        race(Backend::Memory, Remedy::Reset).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn logging_out_everywhere_on_redis() {
        race(Backend::Redis, Remedy::LogoutEverywhere).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn logging_out_everywhere_on_memory() {
        race(Backend::Memory, Remedy::LogoutEverywhere).await;
    }
}

/// Ending every credential deletes the old API keys one by one; a key the deletion never
/// reached (Redis failed half-way through) is void all the same.
#[tokio::test]
async fn a_key_its_revocation_missed_is_void_all_the_same() {
    use redis::AsyncCommands;
    let (app, sink) = app_with_mail(Backend::Redis, &[]).await;
    let (_, token) = signed_up(&app, &sink, "halfway").await;
    let key = api_key(&app, &token, json!(["secrets"])).await;
    // The deletion will not find it: it is no longer on its user's list of keys.
    let mut redis = app.redis().await;
    let lists: Vec<String> = redis
        .keys(format!("{}*ai:*", app.key_prefix))
        .await
        .expect("keys");
    assert_eq!(lists.len(), 1, "{lists:?}");
    let _: i64 = redis.del(&lists[0]).await.expect("del");
    assert_eq!(
        call(&app, Method::GET, "/api/me", Some(&key), None)
            .await
            .status,
        200
    );
    let ended = call(&app, Method::DELETE, "/api/sessions", Some(&token), None).await;
    assert_eq!(ended.status, 204, "{}", ended.body);
    call(&app, Method::GET, "/api/me", Some(&key), None)
        .await
        .assert_error(401, "unauthorized");
}
