//! `/api/codes` is a backend API: who may send and check codes, and what of the caller's
//! text may reach a recipient's mailbox.

use reqwest::Method;
use serde_json::{Value, json};

use crate::accounts::{ADMIN_EMAIL, ADMIN_PASSWORD, app_with_mail, signed_up, unique_email};
use crate::helpers::{Backend, Reply, TestApp, api_key, session};
use crate::on_both_backends;
use crate::smtp::SmtpSink;

async fn send(app: &TestApp, bearer: Option<&str>, body: Value) -> Reply {
    app.send(Method::POST, "/api/codes", bearer, Some(body))
        .await
}

async fn verify(app: &TestApp, bearer: Option<&str>, body: Value) -> Reply {
    app.send(Method::POST, "/api/codes/verify", bearer, Some(body))
        .await
}

/// The text of the `nth` mail to `recipient`, once it has arrived.
async fn mail_text(sink: &SmtpSink, recipient: &str, nth: usize) -> String {
    sink.code(recipient, nth).await;
    sink.mails_to(recipient)[nth].data.clone()
}

async fn codes_need_a_trusted_network_or_an_admins_codes_key(backend: Backend) {
    // Loopback is not trusted here: only a key can open the code endpoints.
    let (app, sink) = app_with_mail(backend, &["--trusted-networks", "10.9.0.0/16"]).await;
    let recipient = unique_email("guarded");
    let asked = json!({ "recipient": recipient });
    let checked = json!({"recipient": recipient, "code": "123456"});
    send(&app, None, asked.clone())
        .await
        .assert_error(403, "forbidden");
    verify(&app, None, checked.clone())
        .await
        .assert_error(403, "forbidden");
    assert!(
        sink.mails_to(&recipient).is_empty(),
        "a refused call mailed"
    );

    // The account flows send their own codes, past this guard: registration still works.
    let (_, user) = signed_up(&app, &sink, "self").await;
    // Registration is open: a self-registered user may not get a codes key.
    app.send(
        Method::POST,
        "/api/me/api-keys",
        Some(&user),
        Some(json!({"name": "c", "scopes": ["codes"]})),
    )
    .await
    .assert_error(403, "forbidden");
    let admin = session(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let codes_key = api_key(&app, &admin, json!(["codes"])).await;
    let tokens_key = api_key(&app, &admin, json!(["tokens"])).await;
    for refused in [&tokens_key, &admin] {
        send(&app, Some(refused), asked.clone())
            .await
            .assert_error(403, "forbidden");
        verify(&app, Some(refused), checked.clone())
            .await
            .assert_error(403, "forbidden");
    }

    let sent = send(&app, Some(&codes_key), asked.clone()).await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    let code = sink.code(&recipient, 0).await;
    let verified = verify(
        &app,
        Some(&codes_key),
        json!({"recipient": recipient, "code": code}),
    )
    .await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    assert_eq!(verified.body["verified"], json!(true));
}
on_both_backends!(codes_need_a_trusted_network_or_an_admins_codes_key);

async fn an_unlisted_purpose_keys_the_code_but_never_reaches_the_mail(backend: Backend) {
    let (app, sink) = app_with_mail(backend, &[]).await;
    let recipient = unique_email("lured");
    let lure = "paypal-security.example.com";
    let sent = send(&app, None, json!({"recipient": recipient, "purpose": lure})).await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    let mail = mail_text(&sink, &recipient, 0).await;
    assert!(
        !mail.contains(lure),
        "the caller's purpose was mailed: {mail}"
    );
    assert!(mail.contains("Your code is"), "{mail}");

    // The purpose still keys the code: it verifies for that purpose only.
    let code = sink.code(&recipient, 0).await;
    verify(&app, None, json!({"recipient": recipient, "code": code}))
        .await
        .assert_error(404, "not_found");
    let verified = verify(
        &app,
        None,
        json!({"recipient": recipient, "purpose": lure, "code": code}),
    )
    .await;
    assert_eq!(verified.status, 200, "{}", verified.body);
}
on_both_backends!(an_unlisted_purpose_keys_the_code_but_never_reaches_the_mail);

async fn listed_purposes_are_the_only_ones_taken_and_the_mail_names_them(backend: Backend) {
    let (app, sink) = app_with_mail(backend, &["--code-purposes", "login,signup"]).await;
    let recipient = unique_email("listed");
    for refused in [json!("paypal.example.com"), json!("verify")] {
        send(
            &app,
            None,
            json!({"recipient": recipient, "purpose": refused}),
        )
        .await
        .assert_error(422, "purpose_not_listed");
        verify(
            &app,
            None,
            json!({"recipient": recipient, "purpose": refused, "code": "123456"}),
        )
        .await
        .assert_error(422, "purpose_not_listed");
    }
    // No purpose is the default one, `verify`: not listed either.
    send(&app, None, json!({ "recipient": recipient }))
        .await
        .assert_error(422, "purpose_not_listed");
    assert!(
        sink.mails_to(&recipient).is_empty(),
        "a refused call mailed"
    );

    let sent = send(
        &app,
        None,
        json!({"recipient": recipient, "purpose": "login"}),
    )
    .await;
    assert_eq!(sent.status, 202, "{}", sent.body);
    let mail = mail_text(&sink, &recipient, 0).await;
    assert!(mail.contains("Your login code is"), "{mail}");

    // The account flows keep their own purposes, whatever the list says.
    let (email, _) = signed_up(&app, &sink, "member").await;
    let confirmation = mail_text(&sink, &email, 0).await;
    assert!(
        confirmation.contains("Your confirm code is"),
        "{confirmation}"
    );
}
on_both_backends!(listed_purposes_are_the_only_ones_taken_and_the_mail_names_them);

/// Every end user of a backend reaches `/api/codes/verify` from the backend's address:
/// their wrong codes are bounded per code, and never spend that address's budget of
/// wrong guesses, or one user's typos would lock every other user out.
async fn one_users_wrong_codes_never_lock_out_the_backends_other_users(backend: Backend) {
    let (app, sink) = app_with_mail(backend, &["--passphrase-failures-per-hour", "3"]).await;
    for user in 0..5 {
        let recipient = unique_email(&format!("typo{user}"));
        let sent = send(&app, None, json!({ "recipient": recipient })).await;
        assert_eq!(sent.status, 202, "{}", sent.body);
        sink.code(&recipient, 0).await;
        verify(
            &app,
            None,
            json!({"recipient": recipient, "code": "000000"}),
        )
        .await
        .assert_error(403, "wrong_code");
    }
    let recipient = unique_email("victim");
    send(&app, None, json!({ "recipient": recipient })).await;
    let code = sink.code(&recipient, 0).await;
    let verified = verify(&app, None, json!({"recipient": recipient, "code": code})).await;
    assert_eq!(verified.status, 200, "{}", verified.body);
}
on_both_backends!(one_users_wrong_codes_never_lock_out_the_backends_other_users);

/// A check whose answer was lost is asked again with the same `Idempotency-Key`: the same
/// code gets the same 200; another key, or another code, finds the code consumed.
async fn a_code_check_is_retry_safe_for_the_same_key_and_code_only(backend: Backend) {
    let (app, sink) = app_with_mail(backend, &[]).await;
    let recipient = unique_email("retry");
    send(&app, None, json!({ "recipient": recipient })).await;
    let code = sink.code(&recipient, 0).await;
    let check = |key: &'static str, code: &str| {
        let request = app
            .client
            .post(app.url("/api/codes/verify"))
            .header("idempotency-key", key)
            .json(&json!({"recipient": recipient, "code": code}));
        async move { Reply::from_response(request.send().await.expect("request")).await }
    };
    let first = check("a-backends-check-1", &code).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(check("a-backends-check-1", &code).await.body, first.body);
    let other_code = if code == "000000" { "111111" } else { "000000" };
    check("a-backends-check-1", other_code)
        .await
        .assert_error(404, "not_found");
    check("a-backends-check-2", &code)
        .await
        .assert_error(404, "not_found");
}
on_both_backends!(a_code_check_is_retry_safe_for_the_same_key_and_code_only);
