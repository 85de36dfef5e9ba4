//! The pages in a real browser: Debian's headless Chromium, driven over the DevTools
//! protocol. A secret is shared from `/` in one browser context and opened from its link
//! in another, as two people would; every console error (a CSP violation, a script error)
//! fails the test, and every request body the browser sent is checked for the plaintext.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use burnbox::e2e::{self, E2eKey};
use chromiumoxide::Page;
use chromiumoxide::browser::{Browser, BrowserConfig};
use chromiumoxide::cdp::browser_protocol::browser::{
    BrowserContextId, SetDownloadBehaviorBehavior, SetDownloadBehaviorParams,
};
use chromiumoxide::cdp::browser_protocol::input::InsertTextParams;
use chromiumoxide::cdp::browser_protocol::log::{EventEntryAdded, LogEntrySource};
use chromiumoxide::cdp::browser_protocol::network::EventRequestWillBeSent;
use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::cdp::browser_protocol::target::{
    CreateBrowserContextParams, CreateTargetParams,
};
use chromiumoxide::cdp::js_protocol::runtime::EventExceptionThrown;
use chromiumoxide::page::ScreenshotParams;
use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::helpers::{Backend, LossyProxy, spawn_app};

/// Debian's Chromium (`BURNBOX_TEST_CHROMIUM` names another).
fn chromium() -> PathBuf {
    std::env::var_os("BURNBOX_TEST_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// [`chromium`] started at idle priority (`chrt --idle`, util-linux), with every process it
/// forks: the tests run side by side on small machines, and a browser busy with axe-core
/// must not starve the `redis-server` and the apps of other tests, whose Redis calls time
/// out at 500 ms. (`nice` is not enough: run as root, Chromium sets its renderers' nice
/// values back.)
fn idle_chromium() -> PathBuf {
    static WRAPPER: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    WRAPPER
        .get_or_init(|| {
            use std::os::unix::fs::PermissionsExt;
            assert!(
                chromium().exists(),
                "{} is missing (apt-get install chromium)",
                chromium().display()
            );
            let directory = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
            std::fs::create_dir_all(directory).expect("the target directory is writable");
            let path = directory.join(format!("chromium-idle-{}", std::process::id()));
            let script = format!(
                "#!/bin/sh\nexec chrt --idle 0 '{}' \"$@\"\n",
                chromium().display()
            );
            std::fs::write(&path, script).expect("the target directory is writable");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .expect("an executable wrapper");
            path
        })
        .clone()
}

/// One headless Chromium with its own profile; killed when dropped.
pub(crate) struct Chromium {
    browser: Browser,
    _profile: TempDir,
}

/// A page in a browser context of its own, with what it logged and sent.
pub(crate) struct Tab {
    pub(crate) page: Page,
    /// The browser context the tab has to itself.
    context: BrowserContextId,
    errors: Arc<Mutex<Vec<String>>>,
    /// How many log entries and exceptions arrived, errors or not (to wait for quiet).
    events: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<(String, String, String)>>>,
}

/// An error that arrives after the last [`Tab::assert_clean_console`] (a late fetch, a
/// timer) still fails the test: checked again when the tab goes.
impl Drop for Tab {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            assert_eq!(self.errors(), Vec::<String>::new(), "console errors");
        }
    }
}

pub(crate) struct TempDir(pub(crate) PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Chromium {
    /// Lets `tab` save downloads, under their own names, into `directory`.
    pub(crate) async fn save_downloads(&self, tab: &Tab, directory: &std::path::Path) {
        self.browser
            .execute(
                SetDownloadBehaviorParams::builder()
                    .behavior(SetDownloadBehaviorBehavior::Allow)
                    .browser_context_id(tab.context.clone())
                    .download_path(directory.to_string_lossy())
                    .build()
                    .expect("download behaviour"),
            )
            .await
            .expect("downloads allowed");
    }

    pub(crate) async fn launch() -> Self {
        let profile = std::env::temp_dir().join(format!(
            "burnbox-chromium-{}",
            URL_SAFE.encode(burnbox::crypto::random_array::<9>())
        ));
        let config = BrowserConfig::builder()
            .chrome_executable(idle_chromium())
            .no_sandbox()
            .new_headless_mode()
            .user_data_dir(&profile)
            .window_size(1000, 860)
            .viewport(None)
            .arg("--disable-gpu")
            .arg("--disable-dev-shm-usage")
            .launch_timeout(Duration::from_secs(60))
            .request_timeout(Duration::from_secs(30))
            .build()
            .expect("browser config");
        let (browser, mut handler) = Browser::launch(config)
            .await
            .expect("Chromium starts (apt-get install chromium)");
        tokio::spawn(async move { while handler.next().await.is_some() {} });
        Self {
            browser,
            _profile: TempDir(profile),
        }
    }

    /// A fresh tab in a fresh browser context (no shared storage), opened at `url`.
    pub(crate) async fn open(&self, url: &str) -> Tab {
        let context = self
            .browser
            .create_browser_context(CreateBrowserContextParams::default())
            .await
            .expect("context");
        let params = CreateTargetParams::builder()
            .url("about:blank")
            .browser_context_id(context.clone())
            .build()
            .expect("target");
        let page = self.browser.new_page(params).await.expect("page");
        let errors = Arc::new(Mutex::new(Vec::new()));
        let requests = Arc::new(Mutex::new(Vec::new()));
        page.enable_log().await.expect("log domain");
        let mut logged = page.event_listener::<EventEntryAdded>().await.expect("log");
        let mut thrown = page
            .event_listener::<EventExceptionThrown>()
            .await
            .expect("exceptions");
        let mut sent = page
            .event_listener::<EventRequestWillBeSent>()
            .await
            .expect("requests");
        let events = Arc::new(AtomicUsize::new(0));
        let (sink, count) = (errors.clone(), events.clone());
        tokio::spawn(async move {
            while let Some(entry) = logged.next().await {
                count.fetch_add(1, Ordering::SeqCst);
                let level = format!("{:?}", entry.entry.level);
                if level == "Error" && !is_expected_api_refusal(&entry.entry) {
                    let url = entry.entry.url.clone().unwrap_or_default();
                    sink.lock().unwrap().push(format!(
                        "{:?} {url}: {}",
                        entry.entry.source, entry.entry.text
                    ));
                }
            }
        });
        let (sink, count) = (errors.clone(), events.clone());
        tokio::spawn(async move {
            while let Some(event) = thrown.next().await {
                count.fetch_add(1, Ordering::SeqCst);
                sink.lock()
                    .unwrap()
                    .push(format!("exception: {:?}", event.exception_details));
            }
        });
        let sink = requests.clone();
        tokio::spawn(async move {
            while let Some(event) = sent.next().await {
                let body: String = event
                    .request
                    .post_data_entries
                    .iter()
                    .flatten()
                    .filter_map(|entry| entry.bytes.as_ref())
                    .filter_map(|bytes| STANDARD.decode(AsRef::<str>::as_ref(bytes)).ok())
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                    .collect();
                sink.lock().unwrap().push((
                    event.request.method.clone(),
                    format!(
                        "{}{}",
                        event.request.url,
                        event.request.url_fragment.clone().unwrap_or_default()
                    ),
                    body,
                ));
            }
        });
        let tab = Tab {
            page,
            context,
            errors,
            events,
            requests,
        };
        tab.goto(url).await;
        tab
    }
}

pub(crate) const URL_SAFE: base64::engine::GeneralPurpose =
    base64::engine::general_purpose::URL_SAFE_NO_PAD;

impl Tab {
    pub(crate) async fn goto(&self, url: &str) {
        self.page.goto(url).await.expect("navigates");
        self.page.wait_for_navigation().await.expect("loads");
    }

    /// Evaluates a JavaScript expression (awaiting a promise) into JSON.
    pub(crate) async fn eval(&self, expression: &str) -> Value {
        self.page
            .evaluate(expression)
            .await
            .unwrap_or_else(|error| panic!("{expression}: {error}"))
            .value()
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// Waits until `expression` is true, for up to 15 s (through navigations, when the
    /// page has no context to evaluate in for a moment).
    pub(crate) async fn wait_for(&self, expression: &str) {
        self.wait_for_within(expression, Duration::from_secs(15))
            .await;
    }

    /// [`Self::wait_for`], for up to `limit`.
    pub(crate) async fn wait_for_within(&self, expression: &str, limit: Duration) {
        let started = Instant::now();
        loop {
            let value = self.page.evaluate(expression).await.ok();
            if value.as_ref().and_then(|value| value.value()) == Some(&json!(true)) {
                return;
            }
            assert!(
                started.elapsed() < limit,
                "timed out waiting for `{expression}`; page says: {}; errors: {:?}",
                self.eval("document.querySelector('main').innerText").await,
                self.errors()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the element with `id` is shown.
    pub(crate) async fn wait_shown(&self, id: &str) {
        self.wait_for(&format!(
            "(() => {{ const e = document.getElementById('{id}'); return !!e && !e.hidden && e.offsetParent !== null; }})()"
        ))
        .await;
    }

    /// Clicks into a field and types: key by key, and what no key makes (`Ü`, `🔐`) as
    /// an input method would.
    pub(crate) async fn type_into(&self, selector: &str, text: &str) {
        let field = self.page.find_element(selector).await.expect(selector);
        field.click().await.expect("focus");
        if text.is_ascii() {
            field.type_str(text).await.expect("types");
        } else {
            self.page
                .execute(InsertTextParams::new(text))
                .await
                .expect("inserts");
        }
    }

    pub(crate) async fn click(&self, selector: &str) {
        self.page
            .find_element(selector)
            .await
            .expect(selector)
            .click()
            .await
            .expect("clicks");
    }

    pub(crate) async fn value(&self, id: &str) -> String {
        self.eval(&format!("document.getElementById('{id}').value"))
            .await
            .as_str()
            .expect("a value")
            .to_owned()
    }

    pub(crate) async fn text(&self, selector: &str) -> String {
        self.eval(&format!("document.querySelector('{selector}').innerText"))
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub(crate) fn errors(&self) -> Vec<String> {
        self.errors.lock().unwrap().clone()
    }

    /// The errors so far, forgotten by the tab (for a test that provokes them).
    pub(crate) fn take_errors(&self) -> Vec<String> {
        std::mem::take(&mut *self.errors.lock().unwrap())
    }

    pub(crate) fn requests(&self) -> Vec<(String, String, String)> {
        self.requests.lock().unwrap().clone()
    }

    /// Fails on any console error the page produced so far. Log events arrive
    /// asynchronously: it waits until none has come for 300 ms (at most 3 s), and the
    /// tab checks again when dropped, so a later error fails the test too.
    pub(crate) async fn assert_clean_console(&self) {
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let before = self.events.load(Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(300)).await;
            if self.events.load(Ordering::SeqCst) == before || Instant::now() > deadline {
                break;
            }
        }
        assert_eq!(self.errors(), Vec::<String>::new(), "console errors");
    }

    /// [`Self::assert_clean_console`], once the errors that contain one of `expected` (those
    /// a test provoked) are taken away; fails if none of them came.
    pub(crate) async fn assert_clean_console_but(&self, expected: &[&str]) {
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let before = self.events.load(Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(300)).await;
            if self.events.load(Ordering::SeqCst) == before || Instant::now() > deadline {
                break;
            }
        }
        let (provoked, other): (Vec<String>, Vec<String>) = self
            .take_errors()
            .into_iter()
            .partition(|error| expected.iter().any(|text| error.contains(text)));
        assert!(!provoked.is_empty(), "none of {expected:?} was logged");
        assert_eq!(other, Vec::<String>::new(), "console errors");
    }

    /// Saves a PNG under `BURNBOX_TEST_SCREENSHOTS` (the pictures in docs/browser.md and the README), if set.
    pub(crate) async fn screenshot(&self, name: &str) {
        let Some(directory) = std::env::var_os("BURNBOX_TEST_SCREENSHOTS") else {
            let png = self
                .page
                .screenshot(
                    ScreenshotParams::builder()
                        .format(CaptureScreenshotFormat::Png)
                        .build(),
                )
                .await
                .expect("screenshot");
            assert!(png.starts_with(b"\x89PNG"), "a PNG");
            return;
        };
        let png = self
            .page
            .screenshot(
                ScreenshotParams::builder()
                    .format(CaptureScreenshotFormat::Png)
                    .full_page(true)
                    .build(),
            )
            .await
            .expect("screenshot");
        std::fs::write(PathBuf::from(directory).join(name), png).expect("writes the PNG");
    }
}

/// A fetch of the API answered with a client error the page shows its reader (404 for a
/// burned secret, 403 for a wrong passphrase, 429): the page's business, logged by Chromium
/// as a network error. Any other network error (a missing asset, a request the CSP
/// blocked, a 5xx) is not.
fn is_expected_api_refusal(entry: &chromiumoxide::cdp::browser_protocol::log::LogEntry) -> bool {
    let url = entry.url.as_deref().unwrap_or_default();
    entry.source == LogEntrySource::Network
        && url.contains("/api/")
        && ["403", "404", "429"]
            .iter()
            .any(|status| entry.text.contains(&format!("status of {status}")))
}

/// Shares `text` from `/` in `tab`; returns the share link and the receipt link.
pub(crate) async fn share(tab: &Tab, text: &str, passphrase: Option<&str>) -> (String, String) {
    tab.wait_for("!document.getElementById('share-submit').disabled")
        .await;
    tab.type_into("#secret", text).await;
    if let Some(passphrase) = passphrase {
        tab.type_into("#passphrase", passphrase).await;
    }
    tab.click("#share-submit").await;
    tab.wait_shown("share-result").await;
    (
        tab.value("share-link").await,
        tab.value("receipt-link").await,
    )
}

pub(crate) fn split_link(link: &str) -> (String, String) {
    let (base, key) = link.split_once('#').expect("a key fragment");
    let secret_key = base.rsplit('/').next().expect("a key").to_owned();
    (secret_key, key.to_owned())
}

#[tokio::test]
async fn a_secret_shared_in_one_browser_opens_once_in_another() {
    let app = spawn_app(Backend::Redis).await;
    let chromium = Chromium::launch().await;
    let plaintext = "the vault code is 7-1-9-4 (Ünïcødé too)";

    // The sender, on the share page.
    let sender = chromium.open(&app.url("/")).await;
    assert_eq!(
        sender.eval("document.activeElement.tagName").await,
        json!("BODY")
    );
    sender.type_into("#secret", plaintext).await;
    sender.screenshot("share.png").await;
    sender.click("#share-submit").await;
    sender.wait_shown("share-result").await;
    assert_eq!(
        sender.eval("document.activeElement.id").await,
        json!("share-link"),
        "focus moves to the link"
    );
    let link = sender.value("share-link").await;
    let receipt = sender.value("receipt-link").await;
    assert!(link.starts_with(&app.url("/s/")), "{link}");
    assert!(receipt.starts_with(&app.url("/r/")), "{receipt}");
    let (secret_key, key) = split_link(&link);

    // What left the browser: an envelope with e2e, never the text.
    let sent = sender.requests();
    let creates: Vec<_> = sent
        .iter()
        .filter(|(method, url, _)| method == "POST" && url.ends_with("/api/secrets"))
        .collect();
    assert_eq!(creates.len(), 1, "{sent:?}");
    let body: Value = serde_json::from_str(&creates[0].2).expect("a JSON body");
    assert_eq!(body["e2e"], json!(true));
    let envelope = body["secret"].as_str().expect("a secret");
    assert!(envelope.starts_with(e2e::PREFIX), "{envelope}");
    for (method, url, body) in &sent {
        assert!(
            !url.contains(&key) && !body.contains(plaintext) && !body.contains(&key),
            "{method} {url} carried the text or the key"
        );
    }
    // The browser's envelope is the documented format: Rust opens it with the link's key.
    let opened = e2e::open(&E2eKey::decode(&key).expect("a key"), envelope);
    assert_eq!(opened.as_deref(), Ok(plaintext));

    // A link scanner's GET (and curl's) consumes nothing.
    let scanned = app.client.get(&link).send().await.expect("GET");
    assert_eq!(scanned.status().as_u16(), 200);
    assert_eq!(
        app.get(&format!("/api/secrets/{secret_key}")).await.status,
        200
    );

    // The recipient, in another browser context.
    let recipient = chromium.open(&link).await;
    recipient.wait_shown("reveal-waiting").await;
    assert_eq!(
        recipient.text("#reveal-waiting h1").await,
        "A secret is waiting for you"
    );
    assert!(
        recipient
            .text("#reveal-waiting")
            .await
            .contains("read once")
    );
    recipient.click("#reveal-submit").await;
    recipient.wait_shown("reveal-secret").await;
    assert_eq!(recipient.value("revealed").await, plaintext);
    assert_eq!(
        recipient.eval("document.activeElement.id").await,
        json!("revealed"),
        "focus moves to the secret"
    );
    assert!(
        recipient
            .text("#reveal-secret")
            .await
            .contains("now gone from the server")
    );
    assert_eq!(recipient.eval("location.hash").await, json!(""));
    recipient.screenshot("revealed.png").await;

    // Gone: the API, a second opening, and the receipt all say so.
    assert_eq!(
        app.get(&format!("/api/secrets/{secret_key}")).await.status,
        404
    );
    let again = chromium.open(&link).await;
    again.wait_shown("reveal-gone").await;
    sender.goto(&receipt).await;
    assert_eq!(
        sender
            .eval("document.getElementById('receipt').dataset.state")
            .await,
        json!("revealed")
    );
    assert!(
        sender
            .text("#receipt")
            .await
            .contains("gone from the server")
    );

    for tab in [&sender, &recipient, &again] {
        tab.assert_clean_console().await;
    }
}

/// A request made in one browser, answered in another, read in the first: the key pair
/// is made in the requester's browser, the answer sealed in the answerer's, and the
/// server only ever holds the public half and the sealed answer.
#[tokio::test]
async fn a_request_made_in_a_browser_is_answered_in_another_and_read_once() {
    let app = spawn_app(Backend::Redis).await;
    let chromium = Chromium::launch().await;
    let requester = chromium.open(&app.url("/q")).await;
    requester
        .wait_for("!document.getElementById('request-submit').disabled")
        .await;
    requester
        .type_into("#request-note", "the VPN password")
        .await;
    requester.click("#request-submit").await;
    requester.wait_shown("request-result").await;
    let request_link = requester.value("request-link").await;
    let answer_link = requester.value("answer-link").await;
    assert!(request_link.starts_with(&app.url("/q/")), "{request_link}");
    let (_, private_key) = split_link(&answer_link);
    for (_, url, body) in requester.requests() {
        assert!(!url.contains(&private_key) && !body.contains(&private_key));
    }

    let answerer = chromium.open(&request_link).await;
    answerer.wait_shown("fill-waiting").await;
    assert_eq!(answerer.text("#fill-note").await, "the VPN password");
    answerer
        .type_into("#fill-secret", "vpn: Ünïcødé 4711")
        .await;
    answerer.click("#fill-submit").await;
    answerer.wait_shown("fill-done").await;
    for (method, url, body) in answerer.requests() {
        assert!(!body.contains("4711"), "{method} {url} carried the answer");
    }
    let again = chromium.open(&request_link).await;
    again.wait_shown("fill-gone").await;

    // The requester's browser opens it, once.
    let reader = chromium.open(&answer_link).await;
    reader.wait_shown("reveal-waiting").await;
    reader.click("#reveal-submit").await;
    reader.wait_shown("reveal-secret").await;
    assert_eq!(reader.value("revealed").await, "vpn: Ünïcødé 4711");
    let twice = chromium.open(&answer_link).await;
    twice.wait_shown("reveal-gone").await;
    // The browser's sealed answer is the documented format: Rust opens one too.
    let made = app.post("/api/requests", json!({})).await;
    let pair = burnbox::sealed_box::KeyPair::decode(&made.field("private_key")).expect("key");
    let filler = chromium
        .open(&app.url(&format!("/q/{}", made.field("request_key"))))
        .await;
    filler.wait_shown("fill-waiting").await;
    filler.type_into("#fill-secret", "from the browser").await;
    filler.click("#fill-submit").await;
    filler.wait_shown("fill-done").await;
    let sealed = app
        .reveal(&made.field("answer_key"), None)
        .await
        .field("secret");
    assert_eq!(pair.open(&sealed).as_deref(), Ok("from the browser"));
    for tab in [&requester, &answerer, &again, &reader, &twice, &filler] {
        tab.assert_clean_console().await;
    }
}

#[tokio::test]
async fn a_secret_of_two_views_opens_twice_then_is_gone() {
    let app = spawn_app(Backend::Memory).await;
    let chromium = Chromium::launch().await;
    let sender = chromium.open(&app.url("/")).await;
    sender
        .wait_for("!document.getElementById('share-submit').disabled")
        .await;
    sender.type_into("#secret", "shared with two").await;
    sender
        .eval("document.getElementById('views').value = '2'")
        .await;
    sender.click("#share-submit").await;
    sender.wait_shown("share-result").await;
    assert!(
        sender
            .text("#share-result")
            .await
            .contains("opened 2 times")
    );
    let link = sender.value("share-link").await;

    let first = chromium.open(&link).await;
    first.wait_shown("reveal-waiting").await;
    assert!(
        first
            .text("#reveal-waiting")
            .await
            .contains("still be read 2 times")
    );
    first.click("#reveal-submit").await;
    first.wait_shown("reveal-secret").await;
    assert_eq!(first.value("revealed").await, "shared with two");
    assert!(
        first
            .text("#reveal-secret")
            .await
            .contains("opened 1 more time;")
    );

    let second = chromium.open(&link).await;
    second.wait_shown("reveal-waiting").await;
    assert!(second.text("#reveal-waiting").await.contains("read once"));
    second.click("#reveal-submit").await;
    second.wait_shown("reveal-secret").await;
    assert_eq!(second.value("revealed").await, "shared with two");
    assert!(
        second
            .text("#reveal-secret")
            .await
            .contains("now gone from the server")
    );
    let third = chromium.open(&link).await;
    third.wait_shown("reveal-gone").await;
    for tab in [&sender, &first, &second, &third] {
        tab.assert_clean_console().await;
    }
}

#[tokio::test]
async fn the_passphrase_is_checked_by_the_server_and_wrong_ones_are_counted() {
    let app = spawn_app(Backend::Memory).await;
    let chromium = Chromium::launch().await;
    let sender = chromium.open(&app.url("/")).await;
    let (link, _) = share(&sender, "behind a passphrase 🔐", Some("open sesame")).await;
    let (secret_key, _) = split_link(&link);

    let recipient = chromium.open(&link).await;
    recipient.wait_shown("reveal-passphrase-field").await;
    recipient
        .type_into("#reveal-passphrase", "open sesam")
        .await;
    recipient.click("#reveal-submit").await;
    recipient.wait_shown("reveal-error").await;
    assert_eq!(
        recipient.text("#reveal-error").await,
        "Wrong passphrase. 4 attempts left."
    );
    assert_eq!(
        app.get(&format!("/api/secrets/{secret_key}")).await.status,
        200,
        "a wrong guess leaves the secret in place"
    );
    recipient
        .eval("document.getElementById('reveal-passphrase').value = ''")
        .await;
    recipient
        .type_into("#reveal-passphrase", "open sesame")
        .await;
    recipient.click("#reveal-submit").await;
    recipient.wait_shown("reveal-secret").await;
    assert_eq!(recipient.value("revealed").await, "behind a passphrase 🔐");
    for tab in [&sender, &recipient] {
        tab.assert_clean_console().await;
    }
}

#[tokio::test]
async fn a_truncated_link_reveals_nothing_and_api_secrets_open_on_the_same_page() {
    let app = spawn_app(Backend::Redis).await;
    let chromium = Chromium::launch().await;
    // An envelope made by the Rust side, opened by the browser's code.
    let key = E2eKey::generate();
    let created = app
        .create_secret(json!({"secret": e2e::seal(&key, "made in Rust"), "e2e": true}))
        .await;
    let page = app.url(&format!("/s/{}", created.secret_key));

    for truncated in [
        page.clone(),
        format!("{page}#"),
        format!("{page}#{}", &key.encode()[..20]),
    ] {
        let tab = chromium.open(&truncated).await;
        tab.wait_shown("reveal-incomplete").await;
        assert!(
            !tab.requests()
                .iter()
                .any(|(_, url, _)| url.contains("/reveal")),
            "no reveal was attempted"
        );
        tab.assert_clean_console().await;
    }
    assert_eq!(app.receipt_state(&created.receipt_key).await, "pending");

    // The whole link: the page presents the reveal proof its key derives (without it the
    // server refuses an e2e2 secret) and opens the envelope.
    let whole = chromium.open(&format!("{page}#{}", key.encode())).await;
    whole.wait_shown("reveal-waiting").await;
    whole.click("#reveal-submit").await;
    whole.wait_shown("reveal-secret").await;
    assert_eq!(whole.value("revealed").await, "made in Rust");
    whole.assert_clean_console().await;

    // A link an older client made (e2e1: no verifier, no proof) still opens.
    let old_key = E2eKey::generate();
    let old = app
        .create_secret(json!({
            "secret": e2e::seal_v1_with_nonce(&old_key, burnbox::crypto::random_array(), "made before e2e2"),
            "e2e": true,
        }))
        .await;
    let tab = chromium
        .open(&app.url(&format!("/s/{}#{}", old.secret_key, old_key.encode())))
        .await;
    tab.wait_shown("reveal-waiting").await;
    tab.click("#reveal-submit").await;
    tab.wait_shown("reveal-secret").await;
    assert_eq!(tab.value("revealed").await, "made before e2e2");
    tab.assert_clean_console().await;

    // A plain secret from the JSON API, opened from onetimesecret's link shape.
    let plain = app.create_secret(json!({"secret": "plain text"})).await;
    let tab = chromium
        .open(&app.url(&format!("/secret/{}", plain.secret_key)))
        .await;
    tab.wait_shown("reveal-waiting").await;
    tab.click("#reveal-submit").await;
    tab.wait_shown("reveal-secret").await;
    assert_eq!(tab.value("revealed").await, "plain text");
    tab.assert_clean_console().await;

    // The owner burns a pending secret from its receipt page, without any script.
    let pending = app.create_secret(json!({"secret": "never read"})).await;
    let owner = chromium
        .open(&app.url(&format!("/private/{}", pending.receipt_key)))
        .await;
    assert_eq!(
        owner
            .eval("document.getElementById('receipt').dataset.state")
            .await,
        json!("pending")
    );
    owner.click("form[action$='/burn'] button").await;
    owner
        .wait_for("document.getElementById('receipt')?.dataset.state === 'burned'")
        .await;
    assert_eq!(app.receipt_state(&pending.receipt_key).await, "burned");
    owner.assert_clean_console().await;
}

#[tokio::test]
async fn a_csp_violation_is_caught_and_the_browser_speaks_the_readme_format() {
    let app = spawn_app(Backend::Memory).await;
    let chromium = Chromium::launch().await;
    let tab = chromium.open(&app.url("/")).await;
    tab.wait_for("!document.getElementById('share-submit').disabled")
        .await;
    // The worked example from docs/security.md (key 00..1f, nonce 07 × 12, text `hello`),
    // derived, sealed and opened by the page's own module, is what the doc and the Rust
    // side say.
    let security = include_str!("../../docs/security.md");
    let key = E2eKey::decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8").expect("a key");
    let proof = key.reveal_proof();
    let v2 = e2e::seal_with_nonce(&key, [7; e2e::NONCE_BYTES], "hello");
    let v1 = e2e::seal_v1_with_nonce(&key, [7; e2e::NONCE_BYTES], "hello");
    let script = tab
        .eval("document.querySelector('script[type=module]').getAttribute('src')")
        .await;
    let page = tab
        .eval(&format!(
            "import('{script}').then(async (m) => {{ \
               const key = '{key}'; \
               const sealed = await m.sealWithNonce(key, new Uint8Array(12).fill(7), 'hello'); \
               return {{ ...(await m.derive(key)), proof: await m.revealProof(key), sealed, \
                 opened: await m.open('{v2}', key), openedV1: await m.open('{v1}', key) }}; }})",
            script = script.as_str().expect("a script path"),
            key = key.encode(),
        ))
        .await;
    assert_eq!(page["proof"], json!(proof.encode()));
    assert_eq!(page["verifier"], json!(URL_SAFE.encode(proof.verifier())));
    assert_eq!(page["sealed"], json!(v2));
    assert_eq!(
        (&page["opened"], &page["openedV1"]),
        (&json!("hello"), &json!("hello"))
    );
    for field in ["proof", "verifier", "textKey", "sealed"] {
        let value = page[field].as_str().expect(field);
        assert!(
            security.contains(&format!("`{value}`")),
            "docs/security.md lacks the {field} {value}"
        );
    }
    assert!(security.contains(&format!("`{v1}`")));
    tab.assert_clean_console().await;

    // What the policy forbids is refused, and the refusal reaches the collector.
    tab.eval(
        "(() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s); \
         const i = document.createElement('img'); i.src = 'https://example.invalid/x.png'; document.body.append(i); return true; })()",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(tab.eval("window.ran === undefined").await, json!(true));
    // Taken: these errors were provoked, the tab's last check must not count them.
    let errors = tab.take_errors();
    assert!(
        errors
            .iter()
            .any(|error| error.contains("Content Security Policy")),
        "{errors:?}"
    );
}

#[tokio::test]
async fn links_from_the_terminal_open_in_the_browser_and_back() {
    let app = spawn_app(Backend::Redis).await;
    let chromium = Chromium::launch().await;

    // `burnbox share` → the reveal page.
    let (link, _) =
        crate::cli::share(&app, &["--ttl", "10m"], "from the terminal ✓\n".as_bytes()).await;
    let tab = chromium.open(&link).await;
    tab.wait_shown("reveal-waiting").await;
    tab.click("#reveal-submit").await;
    tab.wait_shown("reveal-secret").await;
    assert_eq!(tab.value("revealed").await, "from the terminal ✓\n");
    tab.assert_clean_console().await;

    // The share page → `burnbox open`.
    let sender = chromium.open(&app.url("/")).await;
    let (link, _) = share(&sender, "from the browser ✓", None).await;
    let opened = crate::cli::burnbox(&["open", &link], b"", &[]).await;
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    assert_eq!(opened.stdout, "from the browser ✓");
    let again = crate::cli::burnbox(&["open", &link], b"", &[]).await;
    assert_eq!(again.code, 1);
    sender.assert_clean_console().await;
}

/// A reveal whose answer is lost on the way (the server took the secret, the page got a
/// 502 from the proxy in front) is sent again with the same Idempotency-Key and the reveal
/// proof: the page says it is retrying, then shows the secret, and one view is counted.
#[tokio::test]
async fn a_reveal_whose_answer_is_lost_is_retried_and_counts_one_view() {
    let app = spawn_app(Backend::Redis).await;
    let proxy = LossyProxy::start(&app.address, 2);
    let chromium = Chromium::launch().await;
    let key = E2eKey::generate();
    let created = app
        .create_secret(
            json!({"secret": e2e::seal(&key, "worth the wait"), "e2e": true, "max_views": 2}),
        )
        .await;
    let link = format!(
        "{}/s/{}#{}",
        proxy.address,
        created.secret_key,
        key.encode()
    );
    let tab = chromium.open(&link).await;
    tab.wait_shown("reveal-waiting").await;
    tab.click("#reveal-submit").await;
    // Said where a screen reader hears it, while the page retries.
    tab.wait_for(
        "(() => { const p = document.getElementById('reveal-progress'); \
         return p.getAttribute('role') === 'status' && p.offsetParent !== null \
           && p.textContent === 'Connection lost — retrying…'; })()",
    )
    .await;
    tab.wait_shown("reveal-secret").await;
    assert_eq!(tab.value("revealed").await, "worth the wait");

    let reveals = proxy.reveals();
    let lost: Vec<bool> = reveals.iter().map(|reveal| reveal.lost).collect();
    assert_eq!(lost, [true, true, false], "{reveals:?}");
    assert!(
        reveals.iter().all(|reveal| reveal.status == 200),
        "{reveals:?}"
    );
    let idempotency = reveals[0]
        .idempotency_key
        .clone()
        .expect("an Idempotency-Key");
    assert_eq!(idempotency.len(), 32);
    let proof = key.reveal_proof().encode();
    for reveal in &reveals {
        assert_eq!(
            reveal.idempotency_key.as_deref(),
            Some(idempotency.as_str())
        );
        assert_eq!(reveal.reveal_proof.as_deref(), Some(proof.as_str()));
    }
    let receipt = app
        .get(&format!("/api/receipts/{}", created.receipt_key))
        .await;
    assert_eq!(receipt.body["views"], json!(1), "{}", receipt.body);
    // Chromium logs the two 502s the page rode out; nothing else.
    tab.assert_clean_console_but(&["status of 502"]).await;

    // The next reveal, from another page, is a reveal of its own: a fresh key.
    let other = chromium.open(&link).await;
    other.wait_shown("reveal-waiting").await;
    other.click("#reveal-submit").await;
    other.wait_shown("reveal-secret").await;
    let reveals = proxy.reveals();
    assert_eq!(reveals.len(), 4);
    assert_ne!(
        reveals[3].idempotency_key.as_deref(),
        Some(idempotency.as_str())
    );
    other.assert_clean_console().await;
}

/// When the retries run out, the page says so and keeps the reveal's Idempotency-Key:
/// pressing Reveal again continues the same reveal, so the answer the server took the
/// secret for is handed to this page rather than burned.
#[tokio::test]
async fn when_retries_run_out_reveal_again_continues_the_same_reveal() {
    let app = spawn_app(Backend::Redis).await;
    let proxy = LossyProxy::start(&app.address, usize::MAX);
    let chromium = Chromium::launch().await;
    let key = E2eKey::generate();
    let created = app
        .create_secret(json!({"secret": e2e::seal(&key, "still yours"), "e2e": true}))
        .await;
    let tab = chromium
        .open(&format!(
            "{}/s/{}#{}",
            proxy.address,
            created.secret_key,
            key.encode()
        ))
        .await;
    tab.wait_shown("reveal-waiting").await;
    tab.click("#reveal-submit").await;
    let started = Instant::now();
    // About 30 s of retries (0.5, 1, 2, 4, 4, … s apart), then the failure.
    while !tab
        .eval("!document.getElementById('reveal-error').hidden")
        .await
        .as_bool()
        .unwrap_or(false)
    {
        assert!(
            started.elapsed() < Duration::from_secs(45),
            "still retrying"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        started.elapsed() > Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    assert!(
        tab.text("#reveal-error")
            .await
            .starts_with("The connection to the server was lost and the secret was not shown."),
        "{}",
        tab.text("#reveal-error").await
    );
    assert_eq!(
        tab.eval("document.getElementById('reveal-progress').textContent")
            .await,
        json!("")
    );
    let tried = proxy.reveals();
    assert!(tried.len() >= 6, "{tried:?}");
    // The server took the secret at the first attempt: a fresh reveal would find nothing.
    assert_eq!(tried[0].status, 200);
    assert!(tried[1..].iter().all(|reveal| reveal.status == 200));

    proxy.lose_next(0);
    tab.click("#reveal-submit").await;
    tab.wait_shown("reveal-secret").await;
    assert_eq!(tab.value("revealed").await, "still yours");
    let reveals = proxy.reveals();
    assert_eq!(reveals.len(), tried.len() + 1);
    assert!(
        reveals
            .iter()
            .all(|reveal| reveal.idempotency_key == tried[0].idempotency_key),
        "{reveals:?}"
    );
    tab.assert_clean_console_but(&["status of 502"]).await;
}
