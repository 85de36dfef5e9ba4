//! Every state of every page in a real Chromium (`browser.rs` has the harness), in three
//! languages (English, German, and Arabic written right to left): axe-core's WCAG 2 A/AA
//! rules at no serious or critical violation in the light and the dark scheme at 360 px
//! and 1280 px, the texts from the language's own catalogue, the QR code decoded back to
//! the link, and a share and a reveal done with the keyboard alone.

use std::sync::OnceLock;

use burnbox::e2e::{self, E2eKey};
use burnbox::pages::i18n::{self, Arg, Catalogue};
use chromiumoxide::cdp::browser_protocol::emulation::{
    MediaFeature, SetDeviceMetricsOverrideParams, SetEmulatedMediaParams,
};
use chromiumoxide::cdp::browser_protocol::input::{
    DispatchKeyEventParams, DispatchKeyEventType, InsertTextParams,
};
use chromiumoxide::cdp::browser_protocol::page::{CaptureScreenshotFormat, Viewport};
use chromiumoxide::page::ScreenshotParams;
use serde_json::json;

use crate::browser::{Chromium, Tab, share};
use crate::helpers::{Backend, TestApp, npm_package, spawn_app};

/// The widths every state is checked at: a small phone, and a desktop.
const WIDTHS: [i64; 2] = [360, 1280];

async fn set_scheme(tab: &Tab, scheme: &str) {
    tab.page
        .execute(
            SetEmulatedMediaParams::builder()
                .features(vec![MediaFeature::new("prefers-color-scheme", scheme)])
                .build(),
        )
        .await
        .expect("a colour scheme");
    assert_eq!(
        tab.eval(&format!(
            "matchMedia('(prefers-color-scheme: {scheme})').matches"
        ))
        .await,
        json!(true)
    );
}

async fn set_width(tab: &Tab, width: i64) {
    tab.page
        .execute(SetDeviceMetricsOverrideParams::new(width, 800, 1.0, false))
        .await
        .expect("a width");
}

/// axe-core's WCAG 2 A/AA violations that are serious or critical, on the page as it is
/// now, in the light and the dark scheme, at each of [`WIDTHS`]: none, or the test fails
/// and names them.
pub(crate) async fn assert_accessible(tab: &Tab, state: &str) {
    static AXE: OnceLock<String> = OnceLock::new();
    let source = AXE.get_or_init(|| {
        let package = npm_package("axe-core", "4.14.1");
        std::fs::read_to_string(package.join("axe.min.js")).expect("axe.min.js")
    });
    if tab.eval("typeof axe === 'undefined'").await == json!(true) {
        tab.eval(&format!("{source}\n;true")).await;
    }
    for width in WIDTHS {
        set_width(tab, width).await;
        for scheme in ["light", "dark"] {
            set_scheme(tab, scheme).await;
            let violations = tab
                .eval(
                    "axe.run(document, { runOnly: { type: 'tag', values: \
                       ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, \
                       resultTypes: ['violations'] }).then((r) => r.violations \
                       .filter((v) => v.impact === 'serious' || v.impact === 'critical') \
                       .map((v) => ({ id: v.id, impact: v.impact, help: v.help, \
                         nodes: v.nodes.map((n) => n.target.join(' ')) })))",
                )
                .await;
            assert_eq!(
                violations,
                json!([]),
                "axe-core on {state} ({scheme}, {width} px): {violations:#}"
            );
        }
    }
    set_scheme(tab, "light").await;
    tab.page
        .execute(chromiumoxide::cdp::browser_protocol::emulation::ClearDeviceMetricsOverrideParams::default())
        .await
        .expect("no width");
}

/// The page is in `catalogue`'s language, and the visible heading (or `selector`) says
/// the message `id` from it.
async fn assert_says(tab: &Tab, catalogue: &Catalogue, selector: &str, id: &str) {
    let code = catalogue.language.code;
    assert_eq!(
        tab.eval("[document.documentElement.lang, document.documentElement.dir]")
            .await,
        json!([code, if catalogue.language.rtl { "rtl" } else { "ltr" }])
    );
    let shown = tab
        .eval(&format!(
            "[...document.querySelectorAll('{selector}')].filter((e) => e.offsetParent !== null) \
               .map((e) => e.innerText.trim())"
        ))
        .await;
    let expected = catalogue.text(id, &[]);
    assert!(
        shown
            .as_array()
            .is_some_and(|texts| texts.iter().any(|text| text == &json!(expected))),
        "{code}: {selector} shows {shown}, not {id} = {expected:?}"
    );
}

fn with_lang(url: &str, code: &str) -> String {
    match url.split_once('#') {
        Some((base, fragment)) => format!("{base}?lang={code}#{fragment}"),
        None => format!("{url}?lang={code}"),
    }
}

/// Drives every state of the pages in `code`, checking each.
async fn every_state_in(code: &str) {
    let catalogue = i18n::find(code).expect("a language");
    let app = spawn_app(Backend::Redis).await;
    let chromium = Chromium::launch().await;
    let open = |path: String| {
        let chromium = &chromium;
        async move { chromium.open(&with_lang(&path, code)).await }
    };

    // Share: the empty form, then text with a passphrase, then the link.
    let sender = open(app.url("/")).await;
    sender
        .wait_for("!document.getElementById('share-submit').disabled")
        .await;
    assert_says(&sender, catalogue, "h1", "share-title").await;
    assert_accessible(&sender, "the share page").await;
    sender
        .type_into("#secret", "correct horse battery staple")
        .await;
    sender.type_into("#passphrase", "sesame").await;
    assert_accessible(&sender, "the share page, filled in").await;
    sender.click("#share-submit").await;
    sender.wait_shown("share-result").await;
    assert_says(&sender, catalogue, "h2", "share-result-title").await;
    assert_eq!(
        sender.text("#share-link-label").await,
        catalogue.text("share-link", &[("count", Arg::Number(1))])
    );
    assert_accessible(&sender, "the share page with the link").await;
    let link = sender.value("share-link").await;
    let receipt = sender.value("receipt-link").await;

    // Reveal: the prompt, a wrong passphrase, the secret.
    let reader = open(link.clone()).await;
    reader.wait_shown("reveal-passphrase-field").await;
    assert_says(&reader, catalogue, "h1", "reveal-waiting").await;
    assert_says(&reader, catalogue, "#reveal-once", "reveal-once").await;
    assert_accessible(&reader, "the reveal page asking for the passphrase").await;
    reader.type_into("#reveal-passphrase", "wrong").await;
    reader.click("#reveal-submit").await;
    reader.wait_shown("reveal-error").await;
    assert_eq!(
        reader.text("#reveal-error").await,
        catalogue.text("reveal-error-passphrase", &[("count", Arg::Number(4))])
    );
    assert_accessible(&reader, "the reveal page after a wrong passphrase").await;
    reader
        .eval("document.getElementById('reveal-passphrase').value = ''")
        .await;
    reader.type_into("#reveal-passphrase", "sesame").await;
    reader.click("#reveal-submit").await;
    reader.wait_shown("reveal-secret").await;
    assert_says(&reader, catalogue, "h1", "reveal-secret-title").await;
    assert_accessible(&reader, "the revealed secret").await;

    // Gone, and a link cut short.
    let gone = open(link.clone()).await;
    gone.wait_shown("reveal-gone").await;
    assert_says(&gone, catalogue, "h1", "gone-title").await;
    assert_accessible(&gone, "the reveal page of a secret that is gone").await;
    let key = E2eKey::generate();
    let waiting = app
        .create_secret(json!({"secret": e2e::seal(&key, "whole links only"), "e2e": true}))
        .await;
    let whole = open(app.url(&format!("/s/{}#{}", waiting.secret_key, key.encode()))).await;
    whole
        .wait_for("!document.getElementById('reveal-submit').disabled")
        .await;
    assert_says(&whole, catalogue, "h1", "reveal-waiting").await;
    assert_accessible(&whole, "the reveal page, before").await;
    let cut = open(app.url(&format!(
        "/s/{}#{}",
        waiting.secret_key,
        &key.encode()[..20]
    )))
    .await;
    cut.wait_shown("reveal-incomplete").await;
    assert_says(&cut, catalogue, "h1", "reveal-incomplete-title").await;
    assert_accessible(&cut, "the reveal page of a truncated link").await;

    // The receipts: revealed, pending, burned; and one that does not exist.
    let owner = open(receipt).await;
    assert_says(&owner, catalogue, ".state", "receipt-revealed").await;
    assert_accessible(&owner, "the receipt of a revealed secret").await;
    let pending = app.create_secret(json!({"secret": "waiting"})).await;
    let owner = open(app.url(&format!("/r/{}", pending.receipt_key))).await;
    assert_says(&owner, catalogue, ".state", "receipt-pending").await;
    assert_accessible(&owner, "the receipt of a pending secret").await;
    owner.click("form[action*='/burn'] button").await;
    owner
        .wait_for("document.getElementById('receipt')?.dataset.state === 'burned'")
        .await;
    assert_says(&owner, catalogue, ".state", "receipt-burned").await;
    assert_accessible(&owner, "the receipt of a burned secret").await;
    let missing = open(app.url("/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).await;
    assert_says(&missing, catalogue, "h1", "gone-title").await;
    assert_accessible(&missing, "the error page of a receipt that does not exist").await;
    missing.assert_clean_console_but(&["status of 404"]).await;

    // Asking for a secret, and answering.
    let asker = open(app.url("/q")).await;
    asker
        .wait_for("!document.getElementById('request-submit').disabled")
        .await;
    assert_says(&asker, catalogue, "h1", "request-title").await;
    assert_accessible(&asker, "the request page").await;
    asker.type_into("#request-note", "the Wi-Fi password").await;
    asker.click("#request-submit").await;
    asker.wait_shown("request-result").await;
    assert_accessible(&asker, "the request page with its links").await;
    let request_link = asker.value("request-link").await;
    let answerer = open(request_link.clone()).await;
    answerer.wait_shown("fill-waiting").await;
    assert_says(&answerer, catalogue, "h1", "fill-waiting").await;
    assert_accessible(&answerer, "the answer page").await;
    answerer.type_into("#fill-secret", "hunter2").await;
    answerer.click("#fill-submit").await;
    answerer.wait_shown("fill-done").await;
    assert_says(&answerer, catalogue, "h1", "fill-done-title").await;
    assert_accessible(&answerer, "the answer page, sent").await;
    let used = open(request_link).await;
    used.wait_shown("fill-gone").await;
    assert_accessible(&used, "the answer page of a used request").await;

    for tab in [
        &sender, &reader, &gone, &whole, &cut, &owner, &asker, &answerer, &used,
    ] {
        tab.assert_clean_console().await;
    }
}

#[tokio::test]
async fn every_state_passes_axe_core_in_english() {
    every_state_in("en").await;
}

#[tokio::test]
async fn every_state_passes_axe_core_in_german() {
    every_state_in("de").await;
}

#[tokio::test]
async fn every_state_passes_axe_core_in_arabic_right_to_left() {
    every_state_in("ar").await;
}

/// The script formats its messages as the server's Fluent does: plurals by the browser's
/// CLDR rules, for every count a page shows, in languages with two to six plural forms.
/// (Up to 102: past it, the Arabic rules of `intl_pluralrules`, which the server's Fluent
/// uses, differ from CLDR's and the browser's for 103–110, "few". The server words no
/// count that high.)
#[tokio::test]
async fn the_script_words_plurals_as_the_catalogue_does() {
    let app = spawn_app(Backend::Memory).await;
    let chromium = Chromium::launch().await;
    for code in ["en", "ar", "ru", "pl", "fr", "ja"] {
        let catalogue = i18n::find(code).expect("a language");
        let tab = chromium.open(&app.url(&format!("/?lang={code}"))).await;
        let script = tab
            .eval("document.querySelector('script[type=module]').getAttribute('src')")
            .await;
        for id in [
            "reveal-left",
            "reveal-error-passphrase",
            "share-link",
            "error-rate-limited",
        ] {
            let shown = tab
                .eval(&format!(
                    "import('{}').then((m) => Array.from({{ length: 103 }}, (_, n) => \
                       m.t('{id}', {{ count: n, seconds: n }})))",
                    script.as_str().expect("a path")
                ))
                .await;
            let expected: Vec<String> = (0..103)
                .map(|n| {
                    catalogue.text(
                        id,
                        &[("count", Arg::Number(n)), ("seconds", Arg::Number(n))],
                    )
                })
                .collect();
            assert_eq!(shown, json!(expected), "{code} {id}");
        }
        tab.assert_clean_console().await;
    }
}

/// The link's QR code, made in the browser, decodes to the link with its key, in either
/// scheme; it has a text alternative in the page's language.
#[tokio::test]
async fn the_qr_code_decodes_to_the_link() {
    let app = spawn_app(Backend::Memory).await;
    let chromium = Chromium::launch().await;
    let catalogue = i18n::find("fr").expect("French");
    let tab = chromium.open(&app.url("/?lang=fr")).await;
    let (link, _) = share(&tab, "scan me", None).await;
    assert_eq!(
        tab.eval("(() => { const s = document.querySelector('#share-qr svg'); return [s.getAttribute('role'), s.getAttribute('aria-label')]; })()")
            .await,
        json!(["img", catalogue.text("share-qr-alt", &[])])
    );
    for scheme in ["light", "dark"] {
        set_scheme(&tab, scheme).await;
        assert_eq!(decode_qr(&tab).await, link, "{scheme}");
    }
    tab.assert_clean_console().await;
}

/// A picture of the QR code as the page shows it, decoded by rqrr.
async fn decode_qr(tab: &Tab) -> String {
    let rect = tab
        .eval(
            "(() => { const r = document.querySelector('#share-qr svg').getBoundingClientRect(); \
               return [r.x + scrollX, r.y + scrollY, r.width, r.height]; })()",
        )
        .await;
    let number = |index: usize| rect[index].as_f64().expect("a number");
    let png = tab
        .page
        .screenshot(
            ScreenshotParams::builder()
                .format(CaptureScreenshotFormat::Png)
                .clip(Viewport {
                    x: number(0) - 8.0,
                    y: number(1) - 8.0,
                    width: number(2) + 16.0,
                    height: number(3) + 16.0,
                    scale: 1.0,
                })
                .capture_beyond_viewport(true)
                .build(),
        )
        .await
        .expect("a screenshot");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().expect("a size")];
    let frame = reader.next_frame(&mut pixels).expect("a frame");
    let channels = frame.color_type.samples();
    let (width, height) = (frame.width as usize, frame.height as usize);
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        let at = (y * width + x) * channels;
        let rgb = &pixels[at..at + channels.min(3)];
        (rgb.iter().map(|&c| u32::from(c)).sum::<u32>() / rgb.len() as u32) as u8
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the picture");
    let (_, content) = grids[0].decode().expect("the QR code decodes");
    content
}

async fn press(tab: &Tab, key: &str) {
    let (code, virtual_key, text) = match key {
        "Tab" => ("Tab", 9, None),
        "Enter" => ("Enter", 13, Some("\r")),
        "Space" => ("Space", 32, Some(" ")),
        "ArrowDown" => ("ArrowDown", 40, None),
        other => panic!("no key {other}"),
    };
    let name = if key == "Space" { " " } else { key };
    for kind in [DispatchKeyEventType::KeyDown, DispatchKeyEventType::KeyUp] {
        let mut event = DispatchKeyEventParams::builder()
            .r#type(kind.clone())
            .key(name)
            .code(code)
            .windows_virtual_key_code(virtual_key)
            .native_virtual_key_code(virtual_key);
        if let (Some(text), DispatchKeyEventType::KeyDown) = (text, &kind) {
            event = event.text(text);
        }
        tab.page
            .execute(event.build().expect("a key event"))
            .await
            .expect("a key");
    }
}

/// Presses Tab until `id` has the focus (at most 30 times), as a keyboard user would.
async fn tab_to(tab: &Tab, id: &str) {
    for _ in 0..30 {
        if tab.eval("document.activeElement.id").await == json!(id) {
            return;
        }
        press(tab, "Tab").await;
    }
    panic!("Tab never reached #{id}");
}

/// A secret shared and revealed with the keyboard alone: no click, no pointer. Focus moves
/// to the link once it is made and to the secret once it is revealed, and the live region
/// says so; the language picker works from the keyboard too, and the choice is kept.
#[tokio::test]
async fn a_secret_is_shared_and_revealed_with_the_keyboard_alone() {
    let app = spawn_app(Backend::Redis).await;
    let chromium = Chromium::launch().await;
    let en = i18n::english();
    let sender = chromium.open(&app.url("/")).await;
    sender
        .wait_for("!document.getElementById('share-submit').disabled")
        .await;
    tab_to(&sender, "secret").await;
    sender
        .page
        .execute(InsertTextParams::new("typed, never clicked"))
        .await
        .expect("types");
    tab_to(&sender, "share-submit").await;
    press(&sender, "Enter").await;
    sender.wait_shown("share-result").await;
    assert_eq!(
        sender.eval("document.activeElement.id").await,
        json!("share-link")
    );
    sender
        .wait_for(&format!(
            "document.getElementById('announce').textContent === {}",
            json!(en.text("share-result-title", &[]))
        ))
        .await;
    let link = sender.value("share-link").await;

    let reader = chromium.open(&link).await;
    reader
        .wait_for("!document.getElementById('reveal-submit').disabled")
        .await;
    tab_to(&reader, "reveal-submit").await;
    press(&reader, "Space").await;
    reader.wait_shown("reveal-secret").await;
    assert_eq!(
        reader.eval("document.activeElement.id").await,
        json!("revealed")
    );
    assert_eq!(reader.value("revealed").await, "typed, never clicked");
    reader
        .wait_for(&format!(
            "document.getElementById('announce').textContent === {}",
            json!(en.text("reveal-secret-title", &[]))
        ))
        .await;

    // The page holds a link shown once: the picker, which reloads, has gone. On a fresh
    // page it works by keyboard: the next language down from "the browser's language".
    assert_eq!(
        sender
            .eval("document.getElementById('language-form').hidden")
            .await,
        json!(true)
    );
    sender.goto(&app.url("/")).await;
    sender
        .wait_for("!document.getElementById('share-submit').disabled")
        .await;
    tab_to(&sender, "language").await;
    press(&sender, "ArrowDown").await;
    press(&sender, "ArrowDown").await;
    let chosen = sender.value("language").await;
    assert_eq!(chosen, i18n::catalogues()[1].language.code);
    tab_to(&sender, "language-change").await;
    press(&sender, "Enter").await;
    sender
        .wait_for(&format!("document.documentElement.lang === '{chosen}'"))
        .await;
    assert!(
        sender
            .eval("location.search")
            .await
            .as_str()
            .is_some_and(|q| q.contains(&chosen))
    );
    // Kept in this browser, not in a cookie: a page opened later, without `?lang=`, comes
    // back in the chosen language.
    assert_eq!(sender.eval("document.cookie").await, json!(""));
    sender.goto(&app.url("/q")).await;
    sender
        .wait_for(&format!("document.documentElement.lang === '{chosen}'"))
        .await;
    for tab in [&sender, &reader] {
        tab.assert_clean_console().await;
    }
}

/// Pictures for docs/: the share page and a revealed secret in English and Arabic, light
/// and dark (`BURNBOX_TEST_SCREENSHOTS=$PWD/docs`).
#[tokio::test]
async fn screenshots_of_the_pages_in_two_languages_and_both_schemes() {
    let app: TestApp = spawn_app(Backend::Memory).await;
    let chromium = Chromium::launch().await;
    for code in ["en", "ar"] {
        let sender = chromium.open(&app.url(&format!("/?lang={code}"))).await;
        set_width(&sender, 720).await;
        sender
            .wait_for("!document.getElementById('share-submit').disabled")
            .await;
        let reader_text = if code == "ar" {
            "كلمة المرور: 7-1-9-4"
        } else {
            "the vault code is 7-1-9-4"
        };
        sender.type_into("#secret", reader_text).await;
        for scheme in ["light", "dark"] {
            set_scheme(&sender, scheme).await;
            sender
                .screenshot(&format!("share-{code}-{scheme}.png"))
                .await;
        }
        sender.click("#share-submit").await;
        sender.wait_shown("share-result").await;
        let link = sender.value("share-link").await;
        let reader = chromium.open(&with_lang(&link, code)).await;
        set_width(&reader, 720).await;
        reader.wait_shown("reveal-waiting").await;
        reader.click("#reveal-submit").await;
        reader.wait_shown("reveal-secret").await;
        assert_eq!(reader.value("revealed").await, reader_text);
        for scheme in ["light", "dark"] {
            set_scheme(&reader, scheme).await;
            reader
                .screenshot(&format!("revealed-{code}-{scheme}.png"))
                .await;
        }
        for tab in [&sender, &reader] {
            tab.assert_clean_console().await;
        }
    }
}
