//! `burnbox share FILE` and `burnbox open` of a file: the real binary against a real
//! server — bytes kept exactly, names made safe, nothing overwritten, nothing written
//! that did not decrypt.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use burnbox::crypto::e2e_file::{self, FileKey, FileMetadata};
use burnbox::e2e::E2eKey;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app};
use crate::on_both_backends;

/// What a run of the binary left behind; stdout as bytes (a file may go there).
struct Run {
    code: i32,
    stdout: Vec<u8>,
    stderr: String,
}

/// Runs `burnbox <args>` in `directory`, with nothing on stdin and a clean environment.
async fn burnbox_in(directory: &Path, args: &[&str]) -> Run {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    let directory = directory.to_owned();
    tokio::task::spawn_blocking(move || {
        let output = Command::new(env!("CARGO_BIN_EXE_burnbox"))
            .args(&args)
            .current_dir(&directory)
            .env_remove("BURNBOX_URL")
            .env_remove("BURNBOX_API_KEY")
            .stdin(Stdio::null())
            .output()
            .expect("the binary runs");
        Run {
            code: output.status.code().expect("exited"),
            stdout: output.stdout,
            stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
        }
    })
    .await
    .expect("ran")
}

/// A fresh directory, removed with everything in it when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let path = std::env::temp_dir().join(format!(
            "burnbox-files-{}",
            burnbox::crypto::random_alphanumeric(12)
        ));
        std::fs::create_dir_all(&path).expect("a directory");
        Self(path)
    }

    fn subdirectory(&self, name: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(&path).expect("a directory");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The names in `directory`, sorted (temporary files included).
fn listing(directory: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(directory)
        .expect("lists")
        .map(|entry| {
            entry
                .expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .to_vec()
}

/// `burnbox share FILE` (run in `directory`), asserting success: the link.
async fn share_file(app: &TestApp, directory: &Path, file: &str, extra: &[&str]) -> String {
    let mut args = vec!["share", "--server", &app.address, file];
    args.extend_from_slice(extra);
    let run = burnbox_in(directory, &args).await;
    assert_eq!(run.code, 0, "share failed: {}", run.stderr);
    assert!(run.stderr.contains("receipt: "), "{}", run.stderr);
    String::from_utf8(run.stdout)
        .expect("a link")
        .trim_end()
        .to_owned()
}

fn secret_key_of(link: &str) -> &str {
    link.split('#')
        .next()
        .and_then(|base| base.rsplit('/').next())
        .expect("a key")
}

/// Uploads `chunks` through the HTTP API with the start body `start` (`bytes` added),
/// asserting every step: the secret key.
async fn upload(app: &TestApp, mut start: Value, chunks: &[Vec<u8>]) -> String {
    start["bytes"] = json!(chunks.iter().map(Vec::len).sum::<usize>());
    let started = app.post("/api/files", start).await;
    assert_eq!(started.status, 201, "{}", started.body);
    let upload = started.field("upload");
    for (index, chunk) in chunks.iter().enumerate() {
        let put = app
            .client
            .put(app.url(&format!("/api/files/uploads/{upload}/chunks/{index}")))
            .header("content-type", "application/octet-stream")
            .body(chunk.clone())
            .send()
            .await
            .expect("PUT");
        assert_eq!(put.status().as_u16(), 200, "chunk {index}");
    }
    let finished = app
        .post_empty(&format!("/api/files/uploads/{upload}/finish"))
        .await;
    assert_eq!(finished.status, 201, "{}", finished.body);
    finished.field("secret_key")
}

/// The chunks of `content` in the e2e2 file format, as the CLI and the pages make them.
fn sealed_chunks(key: &E2eKey, content: &[u8]) -> Vec<Vec<u8>> {
    let file_key = FileKey::derive(key);
    let verifier = key.reveal_proof().verifier();
    let count = e2e_file::chunk_count(content.len() as u64) as usize;
    (0..count)
        .map(|index| {
            let start = index * e2e_file::CHUNK_PLAIN_BYTES;
            let end = (start + e2e_file::CHUNK_PLAIN_BYTES).min(content.len());
            e2e_file::seal_chunk(
                &file_key,
                index as u64,
                index + 1 == count,
                &verifier,
                &content[start..end],
            )
        })
        .collect()
}

/// An end-to-end file uploaded through the API, as a client other than the CLI would:
/// its link.
async fn upload_e2e(app: &TestApp, name: &str, content: &[u8], tamper: bool) -> String {
    let key = E2eKey::generate();
    let metadata = FileMetadata {
        name: name.to_owned(),
        media_type: "application/octet-stream".into(),
        size: content.len() as u64,
    };
    let mut chunks = sealed_chunks(&key, content);
    if tamper {
        let chunk = chunks.last_mut().expect("a chunk");
        chunk[3] ^= 0x01;
    }
    let secret_key = upload(
        app,
        json!({"secret": e2e_file::seal_metadata(&key, &metadata), "e2e": true}),
        &chunks,
    )
    .await;
    app.url(&format!("/s/{secret_key}#{}", key.encode()))
}

/// 2.5 MiB of every byte value, over and over: three chunks, the last a half.
fn every_byte() -> Vec<u8> {
    (0..=255u8).cycle().take(5 * 512 * 1024).collect()
}

async fn a_binary_file_opens_byte_for_byte_under_its_own_name(backend: Backend) {
    let app = spawn_app(backend).await;
    let scratch = Scratch::new();
    let sender = scratch.subdirectory("sender");
    let reader = scratch.subdirectory("reader");
    let content = every_byte();
    std::fs::write(sender.join("every-byte.bin"), &content).expect("writes");
    let link = share_file(&app, &sender, "every-byte.bin", &["--views", "2"]).await;
    let key = E2eKey::decode(link.split_once('#').expect("a key").1).expect("a key");
    let status = app
        .get(&format!("/api/secrets/{}", secret_key_of(&link)))
        .await;
    assert_eq!(
        (&status.body["file"], &status.body["e2e"]),
        (&json!(true), &json!(true)),
        "{}",
        status.body
    );

    // The first view, through the API: the server saw neither the name nor the bytes.
    let revealed = app
        .client
        .post(app.url(&format!("/api/secrets/{}/reveal", secret_key_of(&link))))
        .header("burnbox-accept-files", "1")
        .header("burnbox-reveal-proof", key.reveal_proof().encode())
        .send()
        .await
        .expect("reveal")
        .json::<Value>()
        .await
        .expect("JSON");
    let file = &revealed["file"];
    assert_eq!(file["name"], Value::Null, "{revealed}");
    assert_eq!(
        file["bytes"],
        json!(e2e_file::sealed_len(content.len() as u64))
    );
    let (metadata, _) =
        e2e_file::open_metadata(&key, revealed["secret"].as_str().expect("an envelope"))
            .expect("the metadata opens");
    assert_eq!(
        (metadata.name.as_str(), metadata.size),
        ("every-byte.bin", content.len() as u64)
    );
    assert_eq!(metadata.media_type, "application/octet-stream");

    // The second, with the CLI: saved in the current directory under its name.
    let opened = burnbox_in(&reader, &["open", &link]).await;
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    assert!(opened.stdout.is_empty());
    assert_eq!(
        opened.stderr, "saved: ./every-byte.bin (2621440 bytes)\n",
        "what was saved, on stderr"
    );
    assert_eq!(listing(&reader), ["every-byte.bin"]);
    let saved = std::fs::read(reader.join("every-byte.bin")).expect("saved");
    assert!(sha256(&saved) == sha256(&content), "the bytes changed");
    let again = burnbox_in(&reader, &["open", &link]).await;
    assert_eq!(again.code, 1, "{}", again.stderr);
}
on_both_backends!(a_binary_file_opens_byte_for_byte_under_its_own_name);

#[tokio::test]
async fn open_never_overwrites_a_file() {
    let app = spawn_app(Backend::Redis).await;
    let scratch = Scratch::new();
    let sender = scratch.subdirectory("sender");
    let reader = scratch.subdirectory("reader");
    std::fs::write(sender.join("same.txt"), "first\n").expect("writes");
    let first = share_file(&app, &sender, "same.txt", &[]).await;
    std::fs::write(sender.join("same.txt"), "second\n").expect("writes");
    let second = share_file(&app, &sender, "same.txt", &["--views", "2"]).await;

    let opened = burnbox_in(&reader, &["open", &first]).await;
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    // The view is spent once the name is known: the file is kept under a free name.
    let numbered = burnbox_in(&reader, &["open", &second]).await;
    assert_eq!(numbered.code, 0, "{}", numbered.stderr);
    assert!(
        numbered.stderr.contains("same (1).txt"),
        "{}",
        numbered.stderr
    );
    assert_eq!(
        std::fs::read_to_string(reader.join("same.txt")).expect("reads"),
        "first\n"
    );
    assert_eq!(
        std::fs::read_to_string(reader.join("same (1).txt")).expect("reads"),
        "second\n"
    );
    assert_eq!(
        listing(&reader),
        ["same (1).txt", "same.txt"],
        "no temporary file is left"
    );

    // `-o PATH` names a new file; an existing one is refused before anything is revealed.
    let taken = reader.join("same.txt");
    let refused = burnbox_in(&reader, &["open", &second, "-o", "same.txt"]).await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("nothing was revealed"),
        "{}",
        refused.stderr
    );
    let elsewhere = burnbox_in(&reader, &["open", &second, "-o", "other.txt"]).await;
    assert_eq!(elsewhere.code, 0, "{}", elsewhere.stderr);
    assert_eq!(elsewhere.stderr, "saved: other.txt (7 bytes)\n");
    assert_eq!(
        std::fs::read_to_string(reader.join("other.txt")).expect("reads"),
        "second\n"
    );
    assert_eq!(std::fs::read_to_string(taken).expect("reads"), "first\n");
    // The second view was left: one refused open took none.
    assert_eq!(burnbox_in(&reader, &["open", &second]).await.code, 1);
}

#[tokio::test]
async fn hostile_names_never_write_outside_the_directory() {
    let app = spawn_app(Backend::Redis).await;
    let scratch = Scratch::new();
    let reader = scratch.subdirectory("reader");
    let outside = format!("burnbox-evil-{}", burnbox::crypto::random_alphanumeric(8));
    let absolute = std::env::temp_dir().join(&outside);
    for (name, saved_as) in [
        (format!("../{outside}"), outside.clone()),
        (absolute.display().to_string(), outside.clone()),
        ("..".to_owned(), "burnbox-file".to_owned()),
        (".profile".to_owned(), "profile".to_owned()),
        (
            "bell\u{7}\u{202e}txt.exe".to_owned(),
            "burnbox-file".to_owned(),
        ),
    ] {
        let link = upload_e2e(&app, &name, b"payload", false).await;
        let opened = burnbox_in(&reader, &["open", &link]).await;
        assert_eq!(opened.code, 0, "{name:?}: {}", opened.stderr);
        assert_eq!(
            listing(&reader),
            std::slice::from_ref(&saved_as),
            "{name:?}"
        );
        assert!(!opened.stderr.contains('\u{7}'), "{}", opened.stderr);
        std::fs::remove_file(reader.join(&saved_as)).expect("removes");
    }
    assert_eq!(
        listing(&scratch.0),
        ["reader"],
        "nothing beside the directory"
    );
    assert!(!absolute.exists(), "nothing at the absolute path");

    // A file the server may see (made with curl): its clear name, made safe the same way.
    for (name, saved_as) in [(".bashrc", "bashrc"), ("txt.\u{202e}fdp", "burnbox-file")] {
        let secret_key = upload(
            &app,
            json!({"name": name, "type": "text/plain"}),
            &[b"in the clear".to_vec()],
        )
        .await;
        let opened = burnbox_in(&reader, &["open", &app.url(&format!("/s/{secret_key}"))]).await;
        assert_eq!(opened.code, 0, "{}", opened.stderr);
        assert_eq!(listing(&reader), [saved_as], "{name:?}");
        std::fs::remove_file(reader.join(saved_as)).expect("removes");
    }
    let secret_key = upload(
        &app,
        json!({"name": "notes.txt"}),
        &[b"in the clear".to_vec()],
    )
    .await;
    let opened = burnbox_in(&reader, &["open", &app.url(&format!("/s/{secret_key}"))]).await;
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    assert_eq!(
        std::fs::read(reader.join("notes.txt")).expect("saved"),
        b"in the clear"
    );
}

#[tokio::test]
async fn output_goes_to_a_path_a_directory_or_stdout() {
    let app = spawn_app(Backend::Memory).await;
    let scratch = Scratch::new();
    let sender = scratch.subdirectory("sender");
    let reader = scratch.subdirectory("reader");
    let content: Vec<u8> = (0..=255u8).rev().cycle().take(1_048_576 + 7).collect();
    std::fs::write(sender.join("photo.jpg"), &content).expect("writes");
    let link = share_file(&app, &sender, "photo.jpg", &["--views", "3"]).await;

    let to_path = burnbox_in(&reader, &["open", &link, "-o", "renamed.bin"]).await;
    assert_eq!(to_path.code, 0, "{}", to_path.stderr);
    assert!(std::fs::read(reader.join("renamed.bin")).expect("saved") == content);

    let into = scratch.subdirectory("into");
    let into_directory = burnbox_in(
        &reader,
        &["open", &link, "-o", into.to_str().expect("path")],
    )
    .await;
    assert_eq!(into_directory.code, 0, "{}", into_directory.stderr);
    assert!(std::fs::read(into.join("photo.jpg")).expect("saved") == content);

    let to_stdout = burnbox_in(&reader, &["open", &link, "-o", "-"]).await;
    assert_eq!(to_stdout.code, 0, "{}", to_stdout.stderr);
    assert!(to_stdout.stdout == content, "stdout holds the exact bytes");
    assert_eq!(listing(&reader), ["renamed.bin"]);

    // The type is guessed from the name.
    std::fs::write(sender.join("page.html"), "<p>hi</p>").expect("writes");
    let link = share_file(&app, &sender, "page.html", &[]).await;
    let fragment = E2eKey::decode(link.split_once('#').expect("key").1).expect("a key");
    let revealed = app
        .client
        .post(app.url(&format!("/api/secrets/{}/reveal", secret_key_of(&link))))
        .header("burnbox-accept-files", "1")
        .header("burnbox-reveal-proof", fragment.reveal_proof().encode())
        .send()
        .await
        .expect("reveal")
        .json::<Value>()
        .await
        .expect("JSON");
    let (metadata, _) =
        e2e_file::open_metadata(&fragment, revealed["secret"].as_str().expect("envelope"))
            .expect("opens");
    assert_eq!(
        (metadata.name.as_str(), metadata.media_type.as_str()),
        ("page.html", "text/html")
    );
}

#[tokio::test]
async fn an_empty_file_is_shared_and_saved() {
    let app = spawn_app(Backend::Redis).await;
    let scratch = Scratch::new();
    let sender = scratch.subdirectory("sender");
    let reader = scratch.subdirectory("reader");
    std::fs::write(sender.join("empty"), b"").expect("writes");
    let link = share_file(&app, &sender, "empty", &[]).await;
    let opened = burnbox_in(&reader, &["open", &link]).await;
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    assert_eq!(opened.stderr, "saved: ./empty (0 bytes)\n");
    assert_eq!(listing(&reader), ["empty"]);
    assert!(
        std::fs::read(reader.join("empty"))
            .expect("saved")
            .is_empty()
    );
}

#[tokio::test]
async fn a_tampered_upload_fails_to_decrypt_and_leaves_nothing() {
    let app = spawn_app(Backend::Redis).await;
    let scratch = Scratch::new();
    let reader = scratch.subdirectory("reader");
    let content = every_byte();
    // The same upload untampered opens: only the flipped byte makes the difference.
    let intact = upload_e2e(&app, "intact.bin", &content, false).await;
    let opened = burnbox_in(&reader, &["open", &intact]).await;
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    std::fs::remove_file(reader.join("intact.bin")).expect("removes");

    let tampered = upload_e2e(&app, "tampered.bin", &content, true).await;
    let opened = burnbox_in(&reader, &["open", &tampered]).await;
    assert_eq!(opened.code, 2, "{}", opened.stderr);
    assert_eq!(
        opened.stderr,
        "burnbox: the file was handed out but did not decrypt: chunk 2 did not authenticate: \
         it was altered, reordered, cut off or lengthened; nothing was saved\n"
    );
    assert_eq!(listing(&reader), Vec::<String>::new(), "no partial file");
    // To stdout, nothing of the bad chunk reaches it, and stderr and the exit code say so.
    let tampered = upload_e2e(&app, "tampered.bin", &content, true).await;
    let piped = burnbox_in(&reader, &["open", &tampered, "-o", "-"]).await;
    assert_eq!(piped.code, 2, "{}", piped.stderr);
    assert!(
        piped
            .stderr
            .ends_with("stdout got only what came before it\n"),
        "{}",
        piped.stderr
    );
    assert_eq!(piped.stdout.len(), 2 * e2e_file::CHUNK_PLAIN_BYTES);
}

#[tokio::test]
async fn text_reads_a_file_as_a_text_secret() {
    let app = spawn_app(Backend::Memory).await;
    let scratch = Scratch::new();
    std::fs::write(scratch.0.join("password.txt"), "hunter2\n").expect("writes");
    let link = share_file(
        &app,
        &scratch.0,
        "password.txt",
        &["--text", "--views", "2"],
    )
    .await;
    let status = app
        .get(&format!("/api/secrets/{}", secret_key_of(&link)))
        .await;
    assert_eq!(status.body["file"], Value::Null, "{}", status.body);
    let reader = scratch.subdirectory("reader");
    let opened = burnbox_in(&reader, &["open", &link]).await;
    assert_eq!(
        (opened.code, opened.stdout.as_slice()),
        (0, &b"hunter2\n"[..]),
        "{}",
        opened.stderr
    );
    assert_eq!(listing(&reader), Vec::<String>::new());
    // `-o PATH` writes a text there, exactly; a directory is for files only.
    let refused = burnbox_in(&reader, &["open", &link, "-o", "."]).await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    let saved = burnbox_in(&reader, &["open", &link, "-o", "password.txt"]).await;
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    assert!(saved.stdout.is_empty());
    assert_eq!(
        std::fs::read(reader.join("password.txt")).expect("saved"),
        b"hunter2\n"
    );
    // A binary file is a file; as a text it is refused before anything is sent.
    std::fs::write(scratch.0.join("binary"), [0xff, 0xfe, 0]).expect("writes");
    let refused = burnbox_in(
        &scratch.0,
        &["share", "--server", &app.address, "--text", "binary"],
    )
    .await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    let help = burnbox_in(&scratch.0, &["share", "--help"]).await;
    let help = String::from_utf8(help.stdout).expect("text");
    assert!(help.contains("--text"), "{help}");
    // A directory is not a file.
    let directory = burnbox_in(&scratch.0, &["share", "--server", &app.address, "reader"]).await;
    assert_eq!(directory.code, 2, "{}", directory.stderr);
}

/// A proxy that breaks off the answers to the first `cuts` requests that start with
/// `request` after `after` bytes (the connection closed), and counts those requests.
struct BreakingProxy {
    address: String,
    requests: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// What a file download's request starts with.
const DOWNLOAD: &[u8] = b"GET /api/files/";

impl BreakingProxy {
    fn start(upstream: &str, request: &'static [u8], cuts: usize, after: u64) -> Self {
        use std::io::{Read, Write};
        use std::net::{Shutdown, TcpListener, TcpStream};
        use std::sync::Arc;
        use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

        let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
        let address = format!("http://{}", listener.local_addr().expect("an address"));
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let cuts = Arc::new(AtomicUsize::new(cuts));
        let requests = Arc::new(AtomicUsize::new(0));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                // Bytes of the answer still to pass before the cut (none planned: MAX).
                let budget = Arc::new(AtomicU64::new(u64::MAX));
                let (mut from_client, mut to_server) = (
                    client.try_clone().expect("clones"),
                    server.try_clone().expect("clones"),
                );
                let (cuts, seen, planned) = (cuts.clone(), seen.clone(), budget.clone());
                std::thread::spawn(move || {
                    let mut buffer = vec![0; 65_536];
                    while let Ok(read) = from_client.read(&mut buffer) {
                        if read == 0 {
                            break;
                        }
                        if buffer[..read].starts_with(request) {
                            seen.fetch_add(1, Ordering::SeqCst);
                            if cuts
                                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                                    left.checked_sub(1)
                                })
                                .is_ok()
                            {
                                planned.store(after, Ordering::SeqCst);
                            }
                        }
                        if to_server.write_all(&buffer[..read]).is_err() {
                            break;
                        }
                    }
                    let _ = to_server.shutdown(Shutdown::Write);
                });
                let (mut from_server, mut to_client) = (server, client);
                std::thread::spawn(move || {
                    let mut buffer = vec![0; 65_536];
                    while let Ok(read) = from_server.read(&mut buffer) {
                        if read == 0 {
                            break;
                        }
                        let left = budget.load(Ordering::SeqCst);
                        let pass = (read as u64).min(left) as usize;
                        if to_client.write_all(&buffer[..pass]).is_err() {
                            break;
                        }
                        if left != u64::MAX {
                            budget.store(left - pass as u64, Ordering::SeqCst);
                            if pass < read || left == pass as u64 {
                                let _ = to_client.shutdown(Shutdown::Both);
                                let _ = from_server.shutdown(Shutdown::Both);
                                break;
                            }
                        }
                    }
                    let _ = to_client.shutdown(Shutdown::Write);
                });
            }
        });
        Self { address, requests }
    }
}

/// A download that breaks off is fetched again (its ticket holds), and the file is whole:
/// what was written before the break is not written twice.
#[tokio::test]
async fn a_download_that_breaks_off_is_fetched_again() {
    let app = spawn_app(Backend::Redis).await;
    let scratch = Scratch::new();
    let sender = scratch.subdirectory("sender");
    let reader = scratch.subdirectory("reader");
    let content = every_byte();
    std::fs::write(sender.join("big.bin"), &content).expect("writes");
    let link = share_file(&app, &sender, "big.bin", &[]).await;
    let proxy = BreakingProxy::start(&app.address, DOWNLOAD, 1, 1_500_000);
    let through = link.replace(&app.address, &proxy.address);
    let opened = burnbox_in(&reader, &["open", &through]).await;
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    assert_eq!(
        opened.stderr,
        "burnbox: connection lost, retrying…\nsaved: ./big.bin (2621440 bytes)\n"
    );
    assert_eq!(proxy.requests.load(std::sync::atomic::Ordering::SeqCst), 2);
    let saved = std::fs::read(reader.join("big.bin")).expect("saved");
    assert!(sha256(&saved) == sha256(&content), "the bytes changed");
    assert_eq!(listing(&reader), ["big.bin"]);

    // A file the server may see comes in pieces that do not end where the break did:
    // the retry skips exactly what was written.
    let chunks: Vec<Vec<u8>> = content.chunks(1_000_000).map(<[u8]>::to_vec).collect();
    let secret_key = upload(&app, json!({"name": "clear.bin"}), &chunks).await;
    let proxy = BreakingProxy::start(&app.address, DOWNLOAD, 1, 1_234_567);
    let opened = burnbox_in(
        &reader,
        &["open", &format!("{}/s/{secret_key}", proxy.address)],
    )
    .await;
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    assert_eq!(proxy.requests.load(std::sync::atomic::Ordering::SeqCst), 2);
    let saved = std::fs::read(reader.join("clear.bin")).expect("saved");
    assert!(sha256(&saved) == sha256(&content), "the bytes changed");

    // With no time to retry, the break is the end, and nothing is left behind.
    let link = share_file(&app, &sender, "big.bin", &[]).await;
    let proxy = BreakingProxy::start(&app.address, DOWNLOAD, 1, 1_500_000);
    let through = link.replace(&app.address, &proxy.address);
    let other = scratch.subdirectory("other");
    let broken = burnbox_in(&other, &["open", "--retry-for", "0", &through]).await;
    assert_eq!(broken.code, 4, "{}", broken.stderr);
    assert!(
        broken.stderr.starts_with("burnbox: the download broke off"),
        "{}",
        broken.stderr
    );
    assert_eq!(listing(&other), Vec::<String>::new());
}

/// A server that knows its public address answers the download as a full URL.
#[tokio::test]
async fn a_download_given_as_a_full_url_is_followed() {
    let bind = format!("127.0.0.1:{}", crate::helpers::free_port());
    let public_url = format!("http://{bind}");
    let app = crate::helpers::spawn_app_with(
        Backend::Memory,
        &["--bind", &bind, "--public-url", &public_url],
    )
    .await;
    let scratch = Scratch::new();
    std::fs::write(scratch.0.join("a.txt"), "absolute\n").expect("writes");
    let link = share_file(&app, &scratch.0, "a.txt", &["--views", "2"]).await;
    assert!(link.starts_with(&format!("{public_url}/s/")), "{link}");
    let key = E2eKey::decode(link.split_once('#').expect("key").1).expect("a key");
    let revealed = app
        .client
        .post(app.url(&format!("/api/secrets/{}/reveal", secret_key_of(&link))))
        .header("burnbox-accept-files", "1")
        .header("burnbox-reveal-proof", key.reveal_proof().encode())
        .send()
        .await
        .expect("reveal")
        .json::<Value>()
        .await
        .expect("JSON");
    let download = revealed["file"]["download"].as_str().expect("a download");
    assert!(
        download.starts_with(&format!("{public_url}/api/files/")),
        "{download}"
    );
    let reader = scratch.subdirectory("reader");
    let opened = burnbox_in(&reader, &["open", &link]).await;
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    assert_eq!(
        std::fs::read(reader.join("a.txt")).expect("saved"),
        b"absolute\n"
    );
}

/// A chunk whose answer is lost is sent again, and the server takes it as the same chunk.
#[tokio::test]
async fn a_chunk_whose_answer_is_lost_is_sent_again() {
    let app = spawn_app(Backend::Redis).await;
    let scratch = Scratch::new();
    let sender = scratch.subdirectory("sender");
    let reader = scratch.subdirectory("reader");
    let content = every_byte();
    std::fs::write(sender.join("big.bin"), &content).expect("writes");
    // The answers to the first two PUTs are lost after the server stored their chunks.
    let proxy = BreakingProxy::start(&app.address, b"PUT /api/files/uploads/", 2, 0);
    let run = burnbox_in(&sender, &["share", "--server", &proxy.address, "big.bin"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let chunks = e2e_file::chunk_count(content.len() as u64) as usize;
    assert_eq!(
        proxy.requests.load(std::sync::atomic::Ordering::SeqCst),
        chunks + 2
    );
    let link = String::from_utf8(run.stdout).expect("a link");
    let link = link.trim_end().replace(&proxy.address, &app.address);
    let opened = burnbox_in(&reader, &["open", &link]).await;
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    let saved = std::fs::read(reader.join("big.bin")).expect("saved");
    assert!(sha256(&saved) == sha256(&content), "the bytes changed");
}
