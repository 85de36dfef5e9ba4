//! The pages over HTTP, and what the API does for them: `e2e` secrets, `share_url` and
//! `receipt_url`. (`browser.rs` drives the same pages in Chromium.)

use burnbox::e2e::{self, E2eKey};
use burnbox::pages::i18n;
use serde_json::json;

use crate::helpers::{Backend, Reply, TestApp, spawn_app, spawn_app_with};
use crate::on_both_backends;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// GETs a page: status, a header lookup and the HTML.
async fn page(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let response = app.client.get(app.url(path)).send().await.expect("GET");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("body"))
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
}

async fn an_e2e_secret_is_stored_as_sent_and_says_so(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = E2eKey::generate();
    let envelope = e2e::seal(&key, "only the reader's browser opens this");
    let created = app
        .create_secret(json!({"secret": envelope, "e2e": true, "passphrase": "pw"}))
        .await;
    let status = app
        .get(&format!("/api/secrets/{}", created.secret_key))
        .await;
    assert_eq!(status.body["e2e"], json!(true), "{}", status.body);
    assert_eq!(status.body["passphrase_required"], json!(true));

    // An e2e2 secret goes only to a reveal with the proof its key derives.
    app.reveal(&created.secret_key, Some("pw"))
        .await
        .assert_error(403, "reveal_proof_refused");
    let revealed = Reply::from_response(
        app.client
            .post(app.url(&format!("/api/secrets/{}/reveal", created.secret_key)))
            .header("burnbox-reveal-proof", key.reveal_proof().encode())
            .json(&json!({"passphrase": "pw"}))
            .send()
            .await
            .expect("reveal"),
    )
    .await;
    assert_eq!(revealed.status, 200, "{}", revealed.body);
    assert_eq!(revealed.body["e2e"], json!(true));
    assert_eq!(revealed.field("secret"), envelope);
    assert_eq!(
        e2e::open(&key, &revealed.field("secret")).as_deref(),
        Ok("only the reader's browser opens this")
    );

    // A plain secret says e2e: false, on both reads.
    let plain = app
        .create_secret(json!({"secret": "plain", "e2e": false}))
        .await;
    let status = app.get(&format!("/api/secrets/{}", plain.secret_key)).await;
    assert_eq!(status.body["e2e"], json!(false));
    assert_eq!(
        app.reveal(&plain.secret_key, None).await.body["e2e"],
        json!(false)
    );
}
on_both_backends!(an_e2e_secret_is_stored_as_sent_and_says_so);

async fn e2e_needs_an_envelope(backend: Backend) {
    let app = spawn_app(backend).await;
    for secret in [
        "plain text",
        "e2e1.",
        "e2e1.not base64!",
        "e2e2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        app.post("/api/secrets", json!({"secret": secret, "e2e": true}))
            .await
            .assert_error(422, "invalid_e2e");
    }
    app.post("/api/secrets", json!({"secret": "x", "e2e": "yes"}))
        .await
        .assert_error(400, "bad_request");
}
on_both_backends!(e2e_needs_an_envelope);

async fn links_come_from_the_public_url_and_never_from_host(backend: Backend) {
    let app = spawn_app_with(backend, &["--public-url", "https://secrets.example.org/"]).await;
    let reply = app
        .client
        .post(app.url("/api/secrets"))
        .header("Host", "evil.example")
        .header("X-Forwarded-Host", "evil.example")
        .json(&json!({"secret": "s"}))
        .send()
        .await
        .expect("POST");
    let created: serde_json::Value = reply.json().await.expect("JSON");
    assert_eq!(
        created["share_url"],
        json!(format!(
            "https://secrets.example.org/s/{}",
            created["secret_key"].as_str().expect("key")
        ))
    );
    assert_eq!(
        created["receipt_url"],
        json!(format!(
            "https://secrets.example.org/r/{}",
            created["receipt_key"].as_str().expect("key")
        ))
    );
    let generated = app.post("/api/secrets/generate", json!({})).await;
    assert!(
        generated
            .field("share_url")
            .starts_with("https://secrets.example.org/s/")
    );
    assert!(
        generated
            .field("receipt_url")
            .starts_with("https://secrets.example.org/r/")
    );

    // Without the setting, no links: clients build them from what they know.
    let plain = spawn_app(backend).await;
    let reply = plain.post("/api/secrets", json!({"secret": "s"})).await;
    assert!(reply.body.get("share_url").is_none() && reply.body.get("receipt_url").is_none());
}
on_both_backends!(links_come_from_the_public_url_and_never_from_host);

#[tokio::test]
async fn pages_carry_a_strict_policy_and_are_never_cached() {
    let app = spawn_app(Backend::Memory).await;
    let created = app.create_secret(json!({"secret": "s"})).await;
    for path in [
        "/".to_owned(),
        format!("/s/{}", created.secret_key),
        format!("/secret/{}", created.secret_key),
        format!("/r/{}", created.receipt_key),
        format!("/private/{}", created.receipt_key),
    ] {
        let (status, headers, html) = page(&app, &path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            header(&headers, "content-type").starts_with("text/html"),
            "{path}"
        );
        assert_eq!(header(&headers, "content-security-policy"), CSP, "{path}");
        assert_eq!(header(&headers, "cache-control"), "no-store", "{path}");
        assert_eq!(header(&headers, "referrer-policy"), "no-referrer", "{path}");
        assert_eq!(header(&headers, "x-robots-tag"), "noindex", "{path}");
        // Nothing inline for the policy to refuse, nothing from elsewhere.
        for forbidden in [
            "<script>", "style=", "<style", "onclick", "http://", "https://",
        ] {
            assert!(!html.contains(forbidden), "{path} has {forbidden}");
        }
        assert!(html.contains("<noscript>") || path.contains("/r/") || path.contains("/private/"));
    }
    // Opening the pages consumed nothing.
    assert_eq!(app.receipt_state(&created.receipt_key).await, "pending");
    assert_eq!(app.reveal(&created.secret_key, None).await.status, 200);
}

#[tokio::test]
async fn the_share_page_offers_the_operators_ttls() {
    let app = spawn_app_with(
        Backend::Memory,
        &[
            "--ttl-min",
            "600",
            "--ttl-max",
            "90000",
            "--ttl-default",
            "3600",
            "--max-secret-bytes",
            "4096",
        ],
    )
    .await;
    let (_, _, html) = page(&app, "/").await;
    assert!(
        html.contains(r#"<option value="3600" selected>1 hour</option>"#),
        "{html}"
    );
    assert!(html.contains(r#"<option value="86400">1 day</option>"#));
    assert!(!html.contains(r#"value="300""#) && !html.contains(r#"value="604800""#));
    assert!(html.contains(r#"data-max-bytes="4096""#));
}

#[tokio::test]
async fn assets_are_named_by_content_and_cached() {
    let app = spawn_app(Backend::Memory).await;
    let (_, _, html) = page(&app, "/").await;
    for (needle, kind) in [
        (".js\"", "text/javascript"),
        (".css\"", "text/css"),
        (".svg\"", "image/svg+xml"),
    ] {
        let end = html.find(needle).expect("an asset") + needle.len() - 1;
        let start = html[..end].rfind("/assets/").expect("asset path");
        let path = &html[start..end];
        let (status, headers, body) = page(&app, path).await;
        assert_eq!(status, 200, "{path}");
        assert!(header(&headers, "content-type").starts_with(kind));
        assert_eq!(
            header(&headers, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        assert!(!body.is_empty());
        let etag = header(&headers, "etag").to_owned();
        let again = app
            .client
            .get(app.url(path))
            .header("If-None-Match", &etag)
            .send()
            .await
            .expect("GET");
        assert_eq!(again.status().as_u16(), 304);
    }
    app.get("/assets/burnbox.0000000000000000.js")
        .await
        .assert_error(404, "not_found");
}

async fn the_receipt_page_tells_the_story_and_burns(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create_secret(json!({"secret": "s"})).await;
    let path = format!("/r/{}", created.receipt_key);
    let (_, _, html) = page(&app, &path).await;
    // (Every message is in the page, for its script: the form is what shows the button.)
    let form = format!(r#"<form method="post" action="{path}/burn">"#);
    assert!(html.contains(r#"data-state="pending""#) && html.contains(&form));

    // The form's POST burns, and sends the browser back to the receipt.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let burned = no_redirects
        .post(app.url(&format!("{path}/burn")))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send()
        .await
        .expect("POST");
    assert_eq!(burned.status().as_u16(), 303);
    assert_eq!(header(burned.headers(), "location"), path);
    let (_, _, html) = page(&app, &path).await;
    assert!(html.contains(r#"data-state="burned""#) && !html.contains(r#"/burn">"#));
    assert_eq!(app.reveal(&created.secret_key, None).await.status, 404);

    let read = app.create_secret(json!({"secret": "s"})).await;
    app.reveal(&read.secret_key, None).await;
    let (_, _, html) = page(&app, &format!("/private/{}", read.receipt_key)).await;
    assert!(html.contains(r#"data-state="revealed""#) && html.contains("<time datetime="));

    // Unknown receipts and secret keys are a 404 page, not a JSON body.
    for unknown in [
        "/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
        format!("/r/{}", created.secret_key),
        "/r/not-a-key".to_owned(),
    ] {
        let (status, headers, html) = page(&app, &unknown).await;
        assert_eq!(status, 404, "{unknown}");
        assert!(header(&headers, "content-type").starts_with("text/html"));
        assert!(html.contains("Nothing here"));
    }
    let missing = no_redirects
        .post(app.url("/r/not-a-key/burn"))
        .send()
        .await
        .expect("POST");
    assert_eq!(missing.status().as_u16(), 404);
}
on_both_backends!(the_receipt_page_tells_the_story_and_burns);

/// The messages a page hands its script, parsed.
fn script_messages(html: &str) -> serde_json::Map<String, serde_json::Value> {
    let start = html.find(r#"id="messages">"#).expect("the messages") + 14;
    let end = start + html[start..].find("</script>").expect("their end");
    serde_json::from_str(&html[start..end]).expect("JSON")
}

/// Every page in every language: `lang` and `dir` on `<html>`, the title and texts from
/// the language's catalogue, every placeholder filled, the script's messages whole.
#[tokio::test]
async fn every_page_speaks_every_language() {
    let app = spawn_app(Backend::Memory).await;
    let created = app.create_secret(json!({"secret": "s"})).await;
    let english = i18n::english();
    for catalogue in i18n::catalogues() {
        let code = catalogue.language.code;
        for (path, title) in [
            ("/".to_owned(), "share-title"),
            ("/q".to_owned(), "request-title"),
            ("/q/AAAAAAAAAAAAAAAAAAAAAA".to_owned(), "fill-title"),
            (format!("/s/{}", created.secret_key), "reveal-title"),
            (format!("/r/{}", created.receipt_key), "receipt-title"),
            (
                "/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
                "gone-title",
            ),
        ] {
            let (status, headers, html) = page(&app, &format!("{path}?lang={code}")).await;
            assert!(status == 200 || status == 404, "{path}: {status}");
            let dir = if catalogue.language.rtl { "rtl" } else { "ltr" };
            assert!(
                html.contains(&format!(r#"<html lang="{code}" dir="{dir}">"#)),
                "{code} {path}"
            );
            assert!(
                html.contains(&format!(
                    "<title>{} · burnbox</title>",
                    catalogue.html(title, &[])
                )),
                "{code} {path}"
            );
            assert!(!html.contains("{{"), "{code} {path} has a placeholder left");
            assert!(header(&headers, "vary").contains("Accept-Language"));
            assert!(
                html.contains(&format!(r#"<a href="/?lang={code}">"#)),
                "links keep the choice"
            );
            assert!(html.contains(&format!(r#"value="{code}" lang="{code}" selected"#)));
            let messages = script_messages(&html);
            assert_eq!(messages.len(), english.ids().len(), "{code}");
            assert_eq!(
                messages["site-tagline"],
                json!(catalogue.text("site-tagline", &[]))
            );
        }
    }
}

/// Without `?lang=`, `Accept-Language` chooses; a language the pages do not speak, or a
/// header that is nonsense, gives English, never an error.
#[tokio::test]
async fn accept_language_chooses_the_language_and_lang_overrides_it() {
    let app = spawn_app(Backend::Memory).await;
    let lang_of = |html: &str| {
        let start = html.find("<html lang=\"").expect("lang") + 12;
        html[start..start + html[start..].find('"').expect("end")].to_owned()
    };
    for (query, accept, expected) in [
        ("", "de-CH,de;q=0.9,en;q=0.5", "de"),
        ("", "pt-PT,pt;q=0.9", "pt-BR"),
        ("", "ar-EG", "ar"),
        ("", "xx-YY", "en"),
        ("", "", "en"),
        ("?lang=ar", "de", "ar"),
        ("?lang=xx", "fr-FR", "fr"),
        ("?lang=%3Cscript%3E", "", "en"),
        ("?lang=ja&lang=de", "", "ja"),
    ] {
        let response = app
            .client
            .get(app.url(&format!("/{query}")))
            .header("accept-language", accept)
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status().as_u16(), 200);
        let html = response.text().await.expect("HTML");
        assert_eq!(lang_of(&html), expected, "{query} {accept}");
        assert!(!html.contains("<script>"));
        // Negotiated, not chosen: the page's own links add no `?lang=`.
        if query.is_empty() || query == "?lang=xx" || query.contains("script") {
            assert!(html.contains(r#"<a href="/">"#), "{query}");
            assert!(html.contains(r#"<option value="" selected>"#));
        }
    }
    let garbage = format!("{};q=0.5,", "é-😀".repeat(2000));
    let response = app
        .client
        .get(app.url("/"))
        .header("accept-language", garbage.as_str())
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status().as_u16(), 200);
}

/// The receipt's button keeps the reader's choice: back to the receipt in their language.
#[tokio::test]
async fn burning_from_the_receipt_keeps_the_chosen_language() {
    let app = spawn_app(Backend::Memory).await;
    let created = app.create_secret(json!({"secret": "s"})).await;
    let (_, _, html) = page(&app, &format!("/r/{}?lang=de", created.receipt_key)).await;
    let action = format!("/r/{}/burn?lang=de", created.receipt_key);
    assert!(html.contains(&format!(r#"action="{action}""#)), "{html}");
    let de = i18n::find("de").expect("German");
    assert!(html.contains(&de.html("receipt-pending", &[])));
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let response = no_redirects
        .post(app.url(&action))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(
        header(response.headers(), "location"),
        format!("/r/{}?lang=de", created.receipt_key)
    );
    let (_, _, burned) = page(&app, &format!("/r/{}?lang=de", created.receipt_key)).await;
    assert!(burned.contains(&de.html("receipt-burned", &[])));

    // A burn that fails is shown at the burn's address, which answers only POST: its
    // language picker reloads the receipt instead.
    let missing = "/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let failed = no_redirects
        .post(app.url(&format!("{missing}/burn?lang=de")))
        .send()
        .await
        .expect("POST");
    assert_eq!(failed.status().as_u16(), 404);
    let html = failed.text().await.expect("HTML");
    assert!(
        html.contains(&format!(r#"method="get" action="{missing}">"#)),
        "{html}"
    );
    assert!(html.contains(&de.html("error-receipt-not-found", &[])));
}
