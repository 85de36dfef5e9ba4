//! File secrets in a real browser (`browser.rs` has the Chromium harness): a file shared
//! from `/` in one Chromium and opened in another, with its own profile, through a TCP
//! proxy that records every byte the browsers sent; files altered on the server, which the
//! page must refuse; and axe-core on every state a file gives the pages, light and dark.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use burnbox::crypto::e2e_file;
use burnbox::e2e::{self, E2eKey};
use chromiumoxide::cdp::browser_protocol::dom::SetFileInputFilesParams;
use chromiumoxide::cdp::browser_protocol::network::{
    EmulateNetworkConditionsByRuleParams, NetworkConditions,
};
use serde_json::json;

use crate::browser::{Chromium, Tab, TempDir, URL_SAFE, split_link};
use crate::browser_states::assert_accessible;
use crate::helpers::{Backend, LossyProxy, RecordingProxy, TestApp, spawn_app_with};

const MIB: usize = 1024 * 1024;
/// Room for the 25 MiB file (and its chunks' tags).
const MAX_FILE_BYTES: &str = "33554432";

/// The "e2e2 file" format of docs/security.md, written again here from the spec, so the
/// test checks the page against the document rather than against itself.
mod format {
    use super::*;

    pub const CHUNK_BYTES: usize = 1_048_448;

    /// HKDF-SHA256 (no salt) of the link's key: the file key.
    pub fn file_key(key: &E2eKey) -> [u8; 32] {
        struct Len;
        impl ring::hkdf::KeyType for Len {
            fn len(&self) -> usize {
                32
            }
        }
        let raw = URL_SAFE.decode(key.encode()).expect("a key");
        let mut out = [0; 32];
        ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, &[])
            .extract(&raw)
            .expand(&[b"burnbox e2e2 file"], Len)
            .and_then(|okm| okm.fill(&mut out))
            .expect("HKDF");
        out
    }

    /// Chunk `index` of a file under `key`.
    pub fn seal_chunk(key: &E2eKey, index: u64, last: bool, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        nonce[3..11].copy_from_slice(&index.to_be_bytes());
        nonce[11] = u8::from(last);
        let verifier = key.reveal_proof().verifier();
        Aes256Gcm::new_from_slice(&file_key(key))
            .expect("a 32-byte key")
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plain,
                    aad: &verifier,
                },
            )
            .expect("AES-GCM")
    }

    /// A file's chunks, as the page and the CLI upload them.
    pub fn seal_file(key: &E2eKey, plain: &[u8]) -> Vec<Vec<u8>> {
        let pieces: Vec<&[u8]> = if plain.is_empty() {
            vec![&[]]
        } else {
            plain.chunks(CHUNK_BYTES).collect()
        };
        let count = pieces.len();
        pieces
            .into_iter()
            .enumerate()
            .map(|(index, piece)| seal_chunk(key, index as u64, index + 1 == count, piece))
            .collect()
    }
}

/// `len` random bytes, saved as `name` in `directory`.
fn random_file(directory: &Path, name: &str, len: usize) -> (PathBuf, Vec<u8>) {
    let mut bytes = vec![0u8; len];
    let mut xof = blake3::Hasher::new()
        .update(&burnbox::crypto::random_array::<32>())
        .finalize_xof();
    xof.fill(&mut bytes);
    let path = directory.join(name);
    std::fs::write(&path, &bytes).expect("the file is written");
    (path, bytes)
}

fn temp_dir(what: &str) -> TempDir {
    let path = std::env::temp_dir().join(format!(
        "burnbox-{what}-{}",
        URL_SAFE.encode(burnbox::crypto::random_array::<9>())
    ));
    std::fs::create_dir_all(&path).expect("a temporary directory");
    TempDir(path)
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .to_vec()
}

/// Picks "A file" on the share page and chooses `path` in its file input.
async fn choose_file(tab: &Tab, path: &Path) {
    tab.wait_for("!document.getElementById('share-submit').disabled")
        .await;
    tab.click("input[name=kind][value=file]").await;
    tab.wait_shown("file-field").await;
    let input = tab.page.find_element("#file").await.expect("#file");
    tab.page
        .execute(
            SetFileInputFilesParams::builder()
                .file(path.to_string_lossy())
                .backend_node_id(input.backend_node_id)
                .build()
                .expect("a file input"),
        )
        .await
        .expect("a file is chosen");
}

/// The bytes of `name` once the browser has saved it whole into `directory`.
async fn saved(directory: &Path, name: &str, limit: Duration) -> Vec<u8> {
    let started = Instant::now();
    loop {
        let entries: Vec<String> = std::fs::read_dir(directory)
            .expect("the download directory")
            .filter_map(|entry| entry.ok())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        if entries.iter().any(|entry| entry == name)
            && !entries.iter().any(|entry| entry.ends_with(".crdownload"))
        {
            return std::fs::read(directory.join(name)).expect("the saved file");
        }
        assert!(
            started.elapsed() < limit,
            "{name} was not saved; the directory holds {entries:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Starts an upload through the API as a client of the e2e file format would, sends
/// `chunks` (`bytes` in all) and finishes it: the link to the page.
async fn upload(
    app: &TestApp,
    key: &E2eKey,
    name: &str,
    size: usize,
    chunks: &[Vec<u8>],
) -> String {
    let metadata = json!({"name": name, "type": "application/octet-stream", "size": size});
    let bytes: usize = chunks.iter().map(Vec::len).sum();
    let started = app
        .post(
            "/api/files",
            json!({"bytes": bytes, "secret": e2e::seal(key, &metadata.to_string()), "e2e": true}),
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    let chunks_url = started.field("chunks_url");
    for (index, chunk) in chunks.iter().enumerate() {
        let put = app
            .client
            .put(app.url(&format!("{chunks_url}{index}")))
            .header("content-type", "application/octet-stream")
            .body(chunk.clone())
            .send()
            .await
            .expect("PUT");
        assert_eq!(put.status().as_u16(), 200, "chunk {index}");
    }
    let finished = app
        .post_empty(&format!(
            "/api/files/uploads/{}/finish",
            started.field("upload")
        ))
        .await;
    assert_eq!(finished.status, 201, "{}", finished.body);
    app.url(&format!(
        "/s/{}#{}",
        finished.field("secret_key"),
        key.encode()
    ))
}

/// What `proxy` recorded of a share of `plaintext` as `name` under `key_text`: the whole
/// upload, as the format makes it, and neither the name, the key nor the plaintext.
fn assert_only_ciphertext_reached_the_server(
    proxy: &RecordingProxy,
    name: &str,
    key_text: &str,
    plaintext: &[u8],
) {
    // Everything the browsers sent went through the proxy: the whole upload, the chunks
    // exactly as the format makes them from the key (so the recording would show the
    // plaintext if it had been sent)…
    assert!(proxy.bytes_sent() > 25 * MIB, "{}", proxy.bytes_sent());
    let key = E2eKey::decode(key_text).expect("a key");
    let count = plaintext.len().div_ceil(format::CHUNK_BYTES);
    let chunks: Vec<Vec<u8>> = [0, count / 2, count - 1]
        .into_iter()
        .map(|index| {
            let piece = plaintext
                .chunks(format::CHUNK_BYTES)
                .nth(index)
                .expect("a chunk");
            format::seal_chunk(&key, index as u64, index + 1 == count, piece)
        })
        .collect();
    let expected: Vec<&[u8]> = chunks
        .iter()
        .flat_map(|chunk| [&chunk[..64], &chunk[chunk.len() - 64..]])
        .collect();
    assert_eq!(
        proxy.carried(&expected),
        vec![true; expected.len()],
        "chunks as the format makes them"
    );
    // … and never the file's bytes, its name, or the key in any spelling.
    let raw_key = URL_SAFE.decode(key_text).expect("a key");
    let mut secrets: Vec<(String, Vec<u8>)> = vec![
        ("the name".into(), name.as_bytes().to_vec()),
        (
            "the name, URL-encoded".into(),
            "Q3%20plan%20%E2%80%93%207QXz%20confidential.bin".into(),
        ),
        (
            "the name, JSON-escaped".into(),
            "Q3 plan \\u2013 7QXz confidential.bin".into(),
        ),
        ("the key".into(), key_text.as_bytes().to_vec()),
        ("the key's bytes".into(), raw_key.clone()),
        ("the key in base64".into(), STANDARD.encode(&raw_key).into()),
        ("the file key".into(), format::file_key(&key).to_vec()),
    ];
    for offset in [0, format::CHUNK_BYTES - 32, 12 * MIB + 5, 25 * MIB - 64] {
        secrets.push((
            format!("the plaintext at {offset}"),
            plaintext[offset..offset + 64].to_vec(),
        ));
    }
    let needles: Vec<&[u8]> = secrets.iter().map(|(_, bytes)| bytes.as_slice()).collect();
    for ((what, _), carried) in secrets.iter().zip(proxy.carried(&needles)) {
        assert!(!carried, "{what} reached the server");
    }
}

/// A 25 MiB file shared in one Chromium opens in another: the second saves exactly the
/// first's bytes, and nothing that reached the server (recorded by a TCP proxy in front of
/// it) carried the file's bytes, its name or the link's key.
#[tokio::test]
async fn a_file_shared_in_one_chromium_is_saved_whole_by_another_and_the_server_sees_only_ciphertext()
 {
    let app = spawn_app_with(Backend::Redis, &["--max-file-bytes", MAX_FILE_BYTES]).await;
    let proxy = RecordingProxy::start(&app.address);
    let files = temp_dir("files");
    let downloads = temp_dir("downloads");
    let name = "Q3 plan – 7QXz confidential.bin";
    let (path, plaintext) = random_file(&files.0, name, 25 * MIB);

    let sending = Chromium::launch().await;
    let sender = sending.open(&format!("{}/", proxy.address)).await;
    choose_file(&sender, &path).await;
    let started = Instant::now();
    sender.click("#share-submit").await;
    // Shown while it uploads, the live region polite, its text a tenth at a time.
    sender.wait_shown("share-progress").await;
    assert_eq!(
        sender
            .eval("document.getElementById('share-progress-text').getAttribute('aria-live')")
            .await,
        json!("polite")
    );
    sender
        .wait_for_within(
            "!document.getElementById('share-result').hidden \
             || !document.getElementById('share-error').hidden",
            Duration::from_secs(180),
        )
        .await;
    let shared_in = started.elapsed();
    assert_eq!(sender.text("#share-error").await, "");
    let link = sender.value("share-link").await;
    assert!(link.starts_with(&format!("{}/s/", proxy.address)), "{link}");
    let (secret_key, key_text) = split_link(&link);
    // What the sender's browser sent, before anyone opened the link.
    assert_only_ciphertext_reached_the_server(&proxy, name, &key_text, &plaintext);

    let opening = Chromium::launch().await;
    let recipient = opening.open("about:blank").await;
    opening.save_downloads(&recipient, &downloads.0).await;
    recipient.goto(&link).await;
    recipient.wait_shown("reveal-waiting").await;
    assert_eq!(
        recipient.text("#reveal-waiting h1").await,
        "A file is waiting for you"
    );
    let started = Instant::now();
    recipient.click("#reveal-submit").await;
    recipient.wait_shown("reveal-file").await;
    assert_eq!(recipient.text("#file-name").await, name);
    assert_eq!(recipient.text("#file-size").await, "25.0 MB");
    recipient
        .wait_for_within(
            "!document.getElementById('file-save-line').hidden \
             || !document.getElementById('reveal-file').offsetParent",
            Duration::from_secs(180),
        )
        .await;
    let bytes = saved(&downloads.0, name, Duration::from_secs(10)).await;
    let opened_in = started.elapsed();
    eprintln!("25 MiB: shared in {shared_in:?}, revealed and saved in {opened_in:?}");
    assert_eq!(
        sha256(&bytes),
        sha256(&plaintext),
        "the saved file is the file"
    );
    // The save link names the download only; the page shows the name as text.
    assert_eq!(
        recipient
            .eval("document.getElementById('file-save').getAttribute('download')")
            .await,
        json!(name)
    );
    assert_eq!(recipient.eval("location.hash").await, json!(""));
    assert_eq!(
        app.get(&format!("/api/secrets/{secret_key}")).await.status,
        404,
        "read once"
    );

    assert_only_ciphertext_reached_the_server(&proxy, name, &key_text, &plaintext);
    for tab in [&sender, &recipient] {
        tab.assert_clean_console().await;
    }
}

/// Chunks altered, dropped or moved on the server do not decrypt: the page says so and
/// offers nothing to save. The same file, unaltered, opens (made by the test from the
/// spec, so the page reads the documented format).
#[tokio::test]
async fn a_file_altered_cut_short_or_reordered_is_refused_and_nothing_is_offered() {
    let app = spawn_app_with(Backend::Redis, &["--max-file-bytes", MAX_FILE_BYTES]).await;
    let chromium = Chromium::launch().await;
    let downloads = temp_dir("downloads");
    let mut plaintext = vec![0u8; 2 * MIB + 1000];
    blake3::Hasher::new()
        .update(b"altered")
        .finalize_xof()
        .fill(&mut plaintext);
    let size = plaintext.len();

    type Alteration = fn(&mut Vec<Vec<u8>>);
    let alterations: [(&str, Alteration); 3] = [
        ("one byte flipped", |chunks| chunks[1][100] ^= 0x01),
        ("the last chunk dropped", |chunks| drop(chunks.pop())),
        ("two chunks swapped", |chunks| chunks.swap(0, 1)),
    ];
    for (what, alter) in alterations {
        let key = E2eKey::generate();
        let mut chunks = format::seal_file(&key, &plaintext);
        assert_eq!(chunks.len(), 3);
        alter(&mut chunks);
        // The metadata tells the size of what is left: only the chunks can tell.
        let left: usize = chunks.iter().map(|chunk| chunk.len() - 16).sum();
        let link = upload(&app, &key, "altered.bin", left, &chunks).await;
        let tab = chromium.open("about:blank").await;
        chromium.save_downloads(&tab, &downloads.0).await;
        tab.goto(&link).await;
        tab.wait_shown("reveal-waiting").await;
        tab.click("#reveal-submit").await;
        tab.wait_shown("reveal-file-failed").await;
        assert_eq!(
            tab.text("#reveal-file-failed h1").await,
            "The file could not be decrypted",
            "{what}"
        );
        assert_eq!(
            tab.eval(
                "document.getElementById('file-save-line').hidden \
                 && !document.getElementById('file-save').href.startsWith('blob:')"
            )
            .await,
            json!(true),
            "{what}: nothing to save"
        );
        tab.assert_clean_console().await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        std::fs::read_dir(&downloads.0)
            .expect("a directory")
            .count(),
        0,
        "nothing was saved"
    );

    // Unaltered, the same file opens and is saved whole.
    let key = E2eKey::generate();
    let chunks = format::seal_file(&key, &plaintext);
    let link = upload(&app, &key, "intact.bin", size, &chunks).await;
    let tab = chromium.open("about:blank").await;
    chromium.save_downloads(&tab, &downloads.0).await;
    tab.goto(&link).await;
    tab.wait_shown("reveal-waiting").await;
    tab.click("#reveal-submit").await;
    let bytes = saved(&downloads.0, "intact.bin", Duration::from_secs(30)).await;
    assert_eq!(sha256(&bytes), sha256(&plaintext));
    tab.assert_clean_console().await;

    // A file sent in the clear (by curl) opens on the same page, under the name it was
    // given.
    let started = app
        .post(
            "/api/files",
            json!({"bytes": plaintext.len(), "name": "in the clear.bin"}),
        )
        .await;
    assert_eq!(started.status, 201, "{}", started.body);
    for (index, piece) in plaintext.chunks(format::CHUNK_BYTES).enumerate() {
        let put = app
            .client
            .put(app.url(&format!("{}{index}", started.field("chunks_url"))))
            .body(piece.to_vec())
            .send()
            .await
            .expect("PUT");
        assert_eq!(put.status().as_u16(), 200);
    }
    let finished = app
        .post_empty(&format!(
            "/api/files/uploads/{}/finish",
            started.field("upload")
        ))
        .await;
    let tab = chromium.open("about:blank").await;
    chromium.save_downloads(&tab, &downloads.0).await;
    tab.goto(&app.url(&format!("/s/{}", finished.field("secret_key"))))
        .await;
    tab.wait_shown("reveal-file-note").await;
    tab.click("#reveal-submit").await;
    let bytes = saved(&downloads.0, "in the clear.bin", Duration::from_secs(30)).await;
    assert_eq!(sha256(&bytes), sha256(&plaintext));
    tab.assert_clean_console().await;
}

/// Slows what `tab` sends to `bytes_per_second` (-1: full speed again).
async fn throttle_uploads(tab: &Tab, bytes_per_second: f64) {
    tab.page
        .execute(EmulateNetworkConditionsByRuleParams::new(
            false,
            vec![NetworkConditions::new("", 0.0, -1.0, bytes_per_second)],
        ))
        .await
        .expect("network conditions");
}

/// Every state a file gives the pages passes axe-core with no serious or critical
/// violation, in light and dark: a file chosen (by dropping it), the upload's progress,
/// the link, the reveal page of a file, the file ready to save, and a file that does not
/// decrypt.
#[tokio::test]
async fn the_pages_of_a_file_pass_axe_core_in_light_and_dark() {
    let app = spawn_app_with(Backend::Redis, &["--max-file-bytes", MAX_FILE_BYTES]).await;
    let chromium = Chromium::launch().await;
    let downloads = temp_dir("downloads");

    // A file dropped on the page is chosen, as the picker would.
    let sender = chromium.open(&app.url("/")).await;
    sender
        .wait_for("!document.getElementById('share-submit').disabled")
        .await;
    let dropped = sender
        .eval(
            "(() => { const data = new DataTransfer(); \
               data.items.add(new File([new Uint8Array(3 * 1048576 + 7)], 'dropped.bin')); \
               for (const type of ['dragover', 'drop']) document.getElementById('secret') \
                 .dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true })); \
               return { kind: document.getElementById('share-form').elements.kind.value, \
                 name: document.getElementById('file').files[0]?.name, \
                 shown: !document.getElementById('file-field').hidden }; })()",
        )
        .await;
    assert_eq!(
        dropped,
        json!({"kind": "file", "name": "dropped.bin", "shown": true})
    );
    assert_accessible(&sender, "the share page with a file chosen").await;

    // Slowed down, the upload shows its progress.
    throttle_uploads(&sender, 500_000.0).await;
    sender.click("#share-submit").await;
    sender.wait_shown("share-progress").await;
    assert_accessible(&sender, "the share page uploading").await;
    throttle_uploads(&sender, -1.0).await;
    sender
        .wait_for_within(
            "!document.getElementById('share-result').hidden",
            Duration::from_secs(60),
        )
        .await;
    assert_accessible(&sender, "the share page with the link").await;
    let link = sender.value("share-link").await;

    let recipient = chromium.open("about:blank").await;
    chromium.save_downloads(&recipient, &downloads.0).await;
    recipient.goto(&link).await;
    recipient.wait_shown("reveal-file-note").await;
    assert_accessible(&recipient, "the reveal page of a file").await;
    recipient.click("#reveal-submit").await;
    recipient.wait_shown("file-save-line").await;
    assert_accessible(&recipient, "the reveal page with the file to save").await;

    let key = E2eKey::generate();
    let mut chunks = format::seal_file(&key, b"will not decrypt");
    chunks[0][0] ^= 0x80;
    let broken = upload(&app, &key, "broken.bin", 16, &chunks).await;
    let failed = chromium.open(&broken).await;
    failed.wait_shown("reveal-waiting").await;
    failed.click("#reveal-submit").await;
    failed.wait_shown("reveal-file-failed").await;
    assert_accessible(&failed, "the reveal page of a file that does not decrypt").await;

    for tab in [&sender, &recipient, &failed] {
        tab.assert_clean_console().await;
    }
}

/// The page's module makes and opens the chunks of the worked example (spec and
/// docs/security.md: key 00..1f, "hi\n", and a file of two chunks), and its metadata
/// envelope; a chunk opened with the wrong last flag does not decrypt.
#[tokio::test]
async fn the_page_seals_files_as_the_worked_example_says() {
    let app = spawn_app_with(Backend::Memory, &[]).await;
    let chromium = Chromium::launch().await;
    let tab = chromium.open(&app.url("/")).await;
    tab.wait_for("!document.getElementById('share-submit').disabled")
        .await;
    let script = tab
        .eval("document.querySelector('script[type=module]').getAttribute('src')")
        .await;
    let page = tab
        .eval(&format!(
            "import('{script}').then(async (m) => {{ \
               const key = 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8'; \
               const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(''); \
               const sealing = await m.fileCipher(key, 'encrypt'); \
               const small = await m.sealChunk(sealing, 0, true, new TextEncoder().encode('hi\\n')); \
               const content = Uint8Array.from({{ length: 1048451 }}, (_, j) => j % 251); \
               const first = await m.sealChunk(sealing, 0, false, content.subarray(0, 1048448)); \
               const second = await m.sealChunk(sealing, 1, true, content.subarray(1048448)); \
               const upload = new Uint8Array(first.length + second.length); \
               upload.set(first); upload.set(second, first.length); \
               const opening = await m.fileCipher(key, 'decrypt'); \
               const opened = new TextDecoder().decode(await m.openChunk(opening, 0, true, small)); \
               const notLast = await m.openChunk(opening, 0, false, small).then(() => 'opened', (e) => e.message); \
               return {{ small: hex(small), second: hex(second), first: first.length, \
                 upload: hex(new Uint8Array(await crypto.subtle.digest('SHA-256', upload))), \
                 envelope: await m.sealWithNonce(key, new Uint8Array(12).fill(7), \
                   JSON.stringify({{ name: 'hi.txt', type: 'text/plain', size: 3 }})), \
                 opened, notLast }}; }})",
            script = script.as_str().expect("a script path"),
        ))
        .await;
    assert_eq!(
        page,
        json!({
            "small": "84c727c8236d65c143f37e8cba13648d912e09",
            "second": "fd494cc550fb114668a0f825700d2e59bda7fb",
            "first": 1_048_464,
            "upload": "63c4ba4746bde8e99b4d72a0e8015788056a72e511b416375c33a5e328345605",
            "envelope": "e2e2.1V011vff_FnjKmkiFdtaJCBvXZiORbk9ClowbS4Y414HBwcHBwcHBwcHBwdj0gDDA0kV-jSlT5VuzhjWaBPNOSy2ii2n0zv7owALSXP3wzaF_kG9HA9Jwk6NOz2kScEaRTCLFHgITTNbFg",
            "opened": "hi\n",
            "notLast": "chunk 0 does not decrypt",
        })
    );
    // The test's own reading of the format agrees, and so does the CLI's.
    let key = E2eKey::decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8").expect("a key");
    let hex =
        |bytes: Vec<u8>| -> String { bytes.iter().map(|byte| format!("{byte:02x}")).collect() };
    assert_eq!(
        json!(hex(format::seal_chunk(&key, 0, true, b"hi\n"))),
        page["small"]
    );
    let cli = e2e_file::seal_chunk(
        &e2e_file::FileKey::derive(&key),
        0,
        true,
        &key.reveal_proof().verifier(),
        b"hi\n",
    );
    assert_eq!(json!(hex(cli)), page["small"]);
    assert_eq!(format::CHUNK_BYTES, e2e_file::CHUNK_PLAIN_BYTES);
    tab.assert_clean_console().await;
}

/// A file over `BURNBOX_MAX_FILE_BYTES` is refused before anything is sent, and an
/// upload the server refuses (here the hourly byte budget is spent) says why.
#[tokio::test]
async fn a_file_too_large_or_over_the_budget_is_refused_with_a_clear_error() {
    let app = spawn_app_with(
        Backend::Redis,
        &[
            "--max-file-bytes",
            "2097152",
            "--file-bytes-per-hour",
            "1048576",
        ],
    )
    .await;
    let chromium = Chromium::launch().await;
    let files = temp_dir("files");
    let tab = chromium.open(&app.url("/")).await;
    assert!(tab.text("#file-hint").await.contains("up to 2.0 MB"));

    let (too_large, _) = random_file(&files.0, "too-large.bin", 2 * MIB + 1);
    choose_file(&tab, &too_large).await;
    tab.click("#share-submit").await;
    tab.wait_shown("share-error").await;
    assert_eq!(
        tab.text("#share-error").await,
        "The file is too large: \u{2068}2,097,153 bytes\u{2069}, and at most \u{2068}2.0 MB\u{2069} can be shared."
    );
    assert!(
        !tab.requests()
            .iter()
            .any(|(_, url, _)| url.contains("/api/files")),
        "nothing was sent"
    );

    let (over_budget, _) = random_file(&files.0, "over-budget.bin", 2 * MIB);
    choose_file(&tab, &over_budget).await;
    tab.click("#share-submit").await;
    tab.wait_for(
        "document.getElementById('share-error').textContent.startsWith('Too many requests')",
    )
    .await;
    assert!(
        tab.eval("document.getElementById('share-result').hidden")
            .await
            == json!(true)
    );
    tab.assert_clean_console().await;
}

/// A file shared with `burnbox share FILE` opens on the reveal page, and one shared from
/// the page opens with `burnbox open`: the same bytes under the same name both ways.
#[tokio::test]
async fn a_file_from_the_terminal_opens_in_the_browser_and_back() {
    let app = spawn_app_with(Backend::Redis, &[]).await;
    let chromium = Chromium::launch().await;
    let files = temp_dir("files");
    let downloads = temp_dir("downloads");

    let (path, plaintext) = random_file(&files.0, "from the terminal ✓.bin", 2 * MIB + 3);
    let shared = crate::cli::burnbox(
        &["share", "--server", &app.address, &path.to_string_lossy()],
        b"",
        &[],
    )
    .await;
    assert_eq!(shared.code, 0, "{}", shared.stderr);
    let tab = chromium.open("about:blank").await;
    chromium.save_downloads(&tab, &downloads.0).await;
    tab.goto(shared.stdout.trim_end()).await;
    tab.wait_shown("reveal-file-note").await;
    tab.click("#reveal-submit").await;
    let bytes = saved(
        &downloads.0,
        "from the terminal ✓.bin",
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(sha256(&bytes), sha256(&plaintext));
    tab.assert_clean_console().await;

    let (path, plaintext) = random_file(&files.0, "from the browser ✓.bin", MIB + 5);
    let sender = chromium.open(&app.url("/")).await;
    choose_file(&sender, &path).await;
    sender.click("#share-submit").await;
    sender.wait_shown("share-result").await;
    let link = sender.value("share-link").await;
    let opened = temp_dir("opened");
    let run = crate::cli::burnbox(
        &["open", &link, "-o", &opened.0.to_string_lossy()],
        b"",
        &[],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = std::fs::read(opened.0.join("from the browser ✓.bin")).expect("saved by the CLI");
    assert_eq!(sha256(&bytes), sha256(&plaintext));
    sender.assert_clean_console().await;
}

/// The download link a reveal answers with names `BURNBOX_PUBLIC_URL`; a page opened at
/// another address of the same server (an internal name) fetches it from its own origin,
/// the only one its CSP allows.
#[tokio::test]
async fn a_file_downloads_from_the_pages_own_origin_whatever_the_public_url() {
    let app = spawn_app_with(
        Backend::Memory,
        &["--public-url", "https://secrets.example.org"],
    )
    .await;
    let chromium = Chromium::launch().await;
    let downloads = temp_dir("downloads");
    let key = E2eKey::generate();
    let plaintext = b"opened at an internal address".to_vec();
    let link = upload(
        &app,
        &key,
        "internal.txt",
        plaintext.len(),
        &format::seal_file(&key, &plaintext),
    )
    .await;
    let tab = chromium.open("about:blank").await;
    chromium.save_downloads(&tab, &downloads.0).await;
    tab.goto(&link).await;
    tab.wait_shown("reveal-waiting").await;
    tab.click("#reveal-submit").await;
    let bytes = saved(&downloads.0, "internal.txt", Duration::from_secs(30)).await;
    assert_eq!(bytes, plaintext);
    tab.assert_clean_console().await;
}

/// A chunk whose answer is lost after the server stored it (a proxy in front answers
/// 502) is sent again with the same index, which replaces it: the upload goes on and the
/// file arrives whole.
#[tokio::test]
async fn a_chunk_whose_answer_is_lost_is_sent_again_and_the_file_arrives_whole() {
    let app = spawn_app_with(Backend::Redis, &[]).await;
    let proxy = LossyProxy::start_losing(&app.address, 2, |method, path| {
        method == "PUT" && path.ends_with("/chunks/1")
    });
    let chromium = Chromium::launch().await;
    let files = temp_dir("files");
    let (path, plaintext) = random_file(&files.0, "resent.bin", 2 * MIB + 9);
    let sender = chromium.open(&format!("{}/", proxy.address)).await;
    choose_file(&sender, &path).await;
    sender.click("#share-submit").await;
    sender.wait_shown("share-result").await;
    let puts: Vec<(u16, bool)> = proxy
        .reveals()
        .iter()
        .map(|put| (put.status, put.lost))
        .collect();
    assert_eq!(
        puts,
        [(200, true), (200, true), (200, false)],
        "stored three times, answered once"
    );
    let link = sender.value("share-link").await;
    let opened = temp_dir("opened");
    let run = crate::cli::burnbox(
        &["open", &link, "-o", &opened.0.to_string_lossy()],
        b"",
        &[],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = std::fs::read(opened.0.join("resent.bin")).expect("saved");
    assert_eq!(sha256(&bytes), sha256(&plaintext));
    sender.assert_clean_console_but(&["status of 502"]).await;
}
