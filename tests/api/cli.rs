//! `burnbox share`, `open` and `receipt`: the real binary, run as a shell would run it,
//! against a real server — pipes in and out, exit codes, and what it prints on stderr.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use burnbox::e2e::{self, E2eKey};
use serde_json::{Value, json};

use crate::helpers::{
    Backend, Certificates, LossyProxy, Nginx, TestApp, api_key, free_port, session, spawn_app,
    spawn_app_with,
};
use crate::on_both_backends;

/// What a run of the binary left behind.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `burnbox <args>` with `stdin` piped in and a clean client environment.
pub async fn burnbox(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Run {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    let stdin = stdin.to_vec();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_burnbox"))
            .args(&args)
            .env_remove("BURNBOX_URL")
            .env_remove("BURNBOX_API_KEY")
            .envs(env)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        // A run that fails before reading (a usage error) closes its stdin: not our error.
        if let Err(error) = child.stdin.take().expect("stdin").write_all(&stdin) {
            assert_eq!(error.kind(), std::io::ErrorKind::BrokenPipe, "writes stdin");
        }
        let output = child.wait_with_output().expect("finishes");
        Run {
            code: output.status.code().expect("exited"),
            stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
            stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
        }
    })
    .await
    .expect("ran")
}

/// `burnbox share` against `app`, asserting success; returns the link and the receipt link.
pub async fn share(app: &TestApp, extra: &[&str], stdin: &[u8]) -> (String, String) {
    let mut args = vec!["share", "--server", &app.address];
    args.extend_from_slice(extra);
    let run = burnbox(&args, stdin, &[]).await;
    assert_eq!(run.code, 0, "share failed: {}", run.stderr);
    let receipt = run
        .stderr
        .lines()
        .find_map(|line| line.strip_prefix("receipt: "))
        .expect("a receipt line")
        .to_owned();
    (run.stdout.trim_end().to_owned(), receipt)
}

fn secret_key_of(link: &str) -> String {
    link.split('#')
        .next()
        .and_then(|base| base.rsplit('/').next())
        .expect("a key")
        .to_owned()
}

fn assert_no_panic(run: &Run) {
    assert!(
        !run.stderr.contains("panicked") && run.stderr.lines().count() <= 2,
        "stderr: {}",
        run.stderr
    );
}

async fn a_piped_secret_opens_once_from_its_link(backend: Backend) {
    let app = spawn_app(backend).await;
    let (link, receipt) = share(&app, &["--ttl", "10m"], b"hunter2\n").await;
    assert!(link.starts_with(&format!("{}/s/", app.address)), "{link}");
    let fragment = link.split_once('#').expect("a key in the fragment").1;
    assert_eq!(fragment.len(), 43);
    // The server holds an envelope, not the text: the key never left this side.
    let status = app
        .get(&format!("/api/secrets/{}", secret_key_of(&link)))
        .await;
    assert_eq!(status.body["e2e"], json!(true));

    let opened = burnbox(&["open", &link], b"", &[]).await;
    assert_eq!(
        (opened.code, opened.stdout.as_str()),
        (0, "hunter2\n"),
        "{}",
        opened.stderr
    );
    let again = burnbox(&["open", &link], b"", &[]).await;
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert!(
        again.stderr.starts_with("burnbox: not found"),
        "{}",
        again.stderr
    );
    assert!(again.stdout.is_empty());
    assert_no_panic(&again);

    let read = burnbox(&["receipt", &receipt], b"", &[]).await;
    assert_eq!(read.code, 0, "{}", read.stderr);
    assert!(
        read.stdout.starts_with("state: revealed\ncreated: "),
        "{}",
        read.stdout
    );
    assert!(read.stdout.contains("\nrevealed: "));
}
on_both_backends!(a_piped_secret_opens_once_from_its_link);

/// What `share` makes is `e2e2`: the link's path alone (a scanner's, a log's, curl's)
/// cannot consume it, and `open`, which derives the reveal proof from the key after `#`,
/// can.
async fn a_shared_secret_opens_only_with_the_proof_from_its_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let (link, receipt) = share(&app, &["--views", "2"], b"proof needed\n").await;
    let key = E2eKey::decode(link.split_once('#').expect("a fragment").1).expect("a key");
    let path = format!("/api/secrets/{}/reveal", secret_key_of(&link));
    app.post_empty(&path)
        .await
        .assert_error(403, "reveal_proof_refused");
    // With the proof, the envelope the CLI made: e2e2, and it opens with the link's key.
    let revealed = app
        .client
        .post(app.url(&path))
        .header("burnbox-reveal-proof", key.reveal_proof().encode())
        .send()
        .await
        .expect("reveal");
    assert_eq!(revealed.status().as_u16(), 200);
    let envelope = revealed.json::<Value>().await.expect("JSON")["secret"]
        .as_str()
        .expect("a secret")
        .to_owned();
    assert!(envelope.starts_with("e2e2."), "{envelope}");
    assert_eq!(e2e::open(&key, &envelope).as_deref(), Ok("proof needed\n"));
    // The refused reveal took nothing: the CLI gets the second view, and then none is left.
    let opened = burnbox(&["open", &link], b"", &[]).await;
    assert_eq!(
        (opened.code, opened.stdout.as_str()),
        (0, "proof needed\n"),
        "{}",
        opened.stderr
    );
    let read = burnbox(&["receipt", &receipt], b"", &[]).await;
    assert!(read.stdout.ends_with("views: 2 of 2\n"), "{}", read.stdout);
    // A 4xx is an answer, never retried.
    let again = burnbox(&["open", &link], b"", &[]).await;
    assert_eq!(again.code, 1, "{}", again.stderr);
    assert!(!again.stderr.contains("retrying"), "{}", again.stderr);
}
on_both_backends!(a_shared_secret_opens_only_with_the_proof_from_its_key);

/// Links that older clients made (`e2e1`, no proof) still open.
async fn an_e2e1_link_still_opens(backend: Backend) {
    let app = spawn_app(backend).await;
    let key = E2eKey::generate();
    let envelope =
        e2e::seal_v1_with_nonce(&key, burnbox::crypto::random_array(), "made before e2e2");
    let created = app
        .create_secret(json!({"secret": envelope, "e2e": true}))
        .await;
    let link = app.url(&format!("/s/{}#{}", created.secret_key, key.encode()));
    let opened = burnbox(&["open", &link], b"", &[]).await;
    assert_eq!(
        (opened.code, opened.stdout.as_str()),
        (0, "made before e2e2"),
        "{}",
        opened.stderr
    );
    assert_eq!(burnbox(&["open", &link], b"", &[]).await.code, 1);
}
on_both_backends!(an_e2e1_link_still_opens);

/// `open` started while nothing listens, and whose first reveal's answer is then lost
/// after the server took the secret: it retries with the same Idempotency-Key, gets the
/// answer the server kept for it, and one view is counted.
#[tokio::test]
async fn open_rides_out_a_lost_connection_and_counts_one_view() {
    let app = spawn_app(Backend::Redis).await;
    let (link, receipt) = share(&app, &["--views", "2"], b"worth the wait\n").await;
    let fragment = link.split_once('#').expect("a fragment").1.to_owned();
    let port = free_port();
    let moved = link.replace(&app.address, &format!("http://127.0.0.1:{port}"));
    let opening = tokio::spawn(async move { burnbox(&["open", &moved], b"", &[]).await });
    tokio::time::sleep(Duration::from_secs(2)).await;
    let proxy = LossyProxy::start_on(port, &app.address, 1);
    let opened = opening.await.expect("ran");
    assert_eq!(
        (opened.code, opened.stdout.as_str()),
        (0, "worth the wait\n"),
        "{}",
        opened.stderr
    );
    assert_eq!(
        opened.stderr, "burnbox: connection lost, retrying…\n",
        "said once, and nothing secret"
    );

    let reveals = proxy.reveals();
    assert_eq!(reveals.len(), 2, "{reveals:?}");
    assert!(
        reveals[0].lost && reveals[0].status == 200,
        "the server took it: {reveals:?}"
    );
    assert_eq!(reveals[1].status, 200);
    let idempotency = reveals[0]
        .idempotency_key
        .clone()
        .expect("an Idempotency-Key");
    assert_eq!(idempotency.len(), 32);
    assert_eq!(
        reveals[1].idempotency_key.as_deref(),
        Some(idempotency.as_str())
    );
    let proof = E2eKey::decode(&fragment)
        .expect("a key")
        .reveal_proof()
        .encode();
    for reveal in &reveals {
        assert_eq!(reveal.reveal_proof.as_deref(), Some(proof.as_str()));
    }
    let read = burnbox(&["receipt", &receipt], b"", &[]).await;
    assert!(read.stdout.ends_with("views: 1 of 2\n"), "{}", read.stdout);

    // The next open is a reveal of its own: a fresh key, and the second view.
    let through_proxy = link.replace(&app.address, &proxy.address);
    let second = burnbox(&["open", &through_proxy], b"", &[]).await;
    assert_eq!((second.code, second.stderr.as_str()), (0, ""));
    let reveals = proxy.reveals();
    assert_eq!(reveals.len(), 3);
    assert_ne!(
        reveals[2].idempotency_key.as_deref(),
        Some(idempotency.as_str())
    );
    let read = burnbox(&["receipt", &receipt], b"", &[]).await;
    assert!(read.stdout.ends_with("views: 2 of 2\n"), "{}", read.stdout);
}

async fn a_link_of_two_views_opens_twice(backend: Backend) {
    let app = spawn_app(backend).await;
    let (link, receipt) = share(&app, &["--views", "2"], b"twice\n").await;
    for _ in 0..2 {
        let opened = burnbox(&["open", &link], b"", &[]).await;
        assert_eq!((opened.code, opened.stdout.as_str()), (0, "twice\n"));
    }
    assert_eq!(burnbox(&["open", &link], b"", &[]).await.code, 1);
    let read = burnbox(&["receipt", &receipt], b"", &[]).await;
    assert!(
        read.stdout.starts_with("state: revealed\n"),
        "{}",
        read.stdout
    );
    assert!(read.stdout.ends_with("views: 2 of 2\n"), "{}", read.stdout);
    let refused = burnbox(
        &["share", "--server", &app.address, "--views", "101"],
        b"x",
        &[],
    )
    .await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
}
on_both_backends!(a_link_of_two_views_opens_twice);

async fn any_utf8_up_to_64_kib_round_trips_byte_for_byte(backend: Backend) {
    let app = spawn_app_with(backend, &["--max-secret-bytes", "100000"]).await;
    // Every kind of UTF-8: ASCII with control characters, two-, three- and four-byte
    // characters, no trailing newline.
    let alphabet = [
        '\0',
        '\t',
        '\n',
        '\r',
        'a',
        '"',
        '\\',
        'é',
        'Ж',
        '€',
        '漢',
        '🔐',
        '\u{10FFFF}',
    ];
    let mut secret = String::new();
    let mut index = 0usize;
    while secret.len() < 64 * 1024 - 4 {
        secret.push(alphabet[index % alphabet.len()]);
        index = index.wrapping_mul(31).wrapping_add(7);
    }
    let file = std::env::temp_dir().join(format!("burnbox-cli-{}", free_port()));
    std::fs::write(&file, &secret).expect("writes");
    let path = file.to_str().expect("a path");
    let (link, _) = share(&app, &["--text", path], b"").await;
    let opened = burnbox(&["open", &link], b"", &[]).await;
    std::fs::remove_file(&file).expect("removes");
    assert_eq!(opened.code, 0, "{}", opened.stderr);
    assert!(opened.stdout == secret, "the secret changed on the way");

    // Not text: refused before anything is sent.
    let binary = burnbox(
        &["share", "--server", &app.address],
        &[0xff, 0xfe, 0x00],
        &[],
    )
    .await;
    assert_eq!(binary.code, 2);
    assert!(binary.stderr.contains("not UTF-8"), "{}", binary.stderr);
    let empty = burnbox(&["share", "--server", &app.address], b"", &[]).await;
    assert_eq!(empty.code, 2);
    assert!(empty.stderr.contains("empty"), "{}", empty.stderr);
}
on_both_backends!(any_utf8_up_to_64_kib_round_trips_byte_for_byte);

#[tokio::test]
async fn passphrases_come_from_files_and_are_checked_by_the_server() {
    let app = spawn_app(Backend::Redis).await;
    let directory = std::env::temp_dir().join(format!("burnbox-pw-{}", free_port()));
    std::fs::create_dir_all(&directory).expect("a directory");
    let right = directory.join("right");
    let wrong = directory.join("wrong");
    std::fs::write(&right, "open sesame\n").expect("writes");
    std::fs::write(&wrong, "open sesam\n").expect("writes");
    let right = right.to_str().expect("path");
    let wrong = wrong.to_str().expect("path");

    let (link, _) = share(&app, &["--passphrase-file", right], b"guarded").await;
    let key = secret_key_of(&link);

    let missing = burnbox(&["open", &link], b"", &[]).await;
    assert_eq!(missing.code, 3, "{}", missing.stderr);
    assert!(missing.stderr.contains("nothing was revealed"));
    let guessed = burnbox(&["open", &link, "--passphrase-file", wrong], b"", &[]).await;
    assert_eq!(guessed.code, 3, "{}", guessed.stderr);
    assert_eq!(
        guessed.stderr,
        "burnbox: wrong passphrase; 4 attempts left\n"
    );
    assert_eq!(app.get(&format!("/api/secrets/{key}")).await.status, 200);

    let opened = burnbox(&["open", &link, "--passphrase-file", right], b"", &[]).await;
    assert_eq!(
        (opened.code, opened.stdout.as_str()),
        (0, "guarded"),
        "{}",
        opened.stderr
    );
    // The passphrase went to the server (to be checked), never into argv or the output.
    assert!(!opened.stderr.contains("sesame"));

    let unreadable = burnbox(
        &["open", &link, "--passphrase-file", "/nonexistent/pw"],
        b"",
        &[],
    )
    .await;
    assert_eq!(unreadable.code, 2);
    std::fs::remove_dir_all(&directory).expect("cleans up");
}

#[tokio::test]
async fn a_link_without_its_key_consumes_nothing() {
    let app = spawn_app(Backend::Memory).await;
    let (link, receipt) = share(&app, &[], b"keep me").await;
    let (base, key) = link.split_once('#').expect("a fragment");
    for cut in [
        base.to_owned(),
        format!("{base}#"),
        format!("{base}#{}", &key[..30]),
    ] {
        let run = burnbox(&["open", &cut], b"", &[]).await;
        assert_eq!(run.code, 2, "{cut}: {}", run.stderr);
        assert!(run.stderr.contains("incomplete"), "{}", run.stderr);
    }
    let state = burnbox(&["receipt", &receipt], b"", &[]).await;
    assert!(
        state.stdout.starts_with("state: pending"),
        "{}",
        state.stdout
    );
    let opened = burnbox(&["open", &link], b"", &[]).await;
    assert_eq!(opened.stdout, "keep me");

    // A plain secret from the JSON API opens from its /s/ link (and onetimesecret's).
    let plain = app.create_secret(json!({"secret": "from the API"})).await;
    let run = burnbox(
        &["open", &app.url(&format!("/secret/{}", plain.secret_key))],
        b"",
        &[],
    )
    .await;
    assert_eq!((run.code, run.stdout.as_str()), (0, "from the API"));
}

#[tokio::test]
async fn every_exit_code_means_one_thing() {
    let app = spawn_app_with(Backend::Memory, &["--ttl-min", "60"]).await;
    let server = app.address.as_str();
    // 2: usage, from clap or from the server's 4xx.
    for args in [
        vec!["open", "not-a-link"],
        vec!["share", "--server", server, "--ttl", "soon"],
        vec!["share", "--server", server, "--ttl", "5s"],
        vec!["receipt", "https://x.example/s/abc"],
        vec![
            "share",
            "--server",
            server,
            "--passphrase-file",
            "f",
            "--passphrase-prompt",
        ],
    ] {
        let run = burnbox(&args, b"text", &[]).await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"));
    }
    let refused = burnbox(
        &["share", "--server", server],
        b"x",
        &[("BURNBOX_API_KEY", "bbk_not_a_key")],
    )
    .await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    // 1: not found.
    let receipt = burnbox(
        &[
            "receipt",
            "--server",
            server,
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ],
        b"",
        &[],
    )
    .await;
    assert_eq!(receipt.code, 1, "{}", receipt.stderr);
    // 4: nobody listening — fast, one line, no panic.
    let down = format!("http://127.0.0.1:{}", free_port());
    let run = burnbox(&["share", "--server", &down], b"x", &[]).await;
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with(&format!("burnbox: cannot reach {down}")),
        "{}",
        run.stderr
    );
    assert_no_panic(&run);
    let run = burnbox(
        &["open", "--retry-for", "0", &format!("{down}/s/abc#def")],
        b"",
        &[],
    )
    .await;
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(!run.stderr.contains("retrying"), "{}", run.stderr);
    // `open` retries a lost connection for as long as --retry-for says, then gives up.
    let started = std::time::Instant::now();
    let run = burnbox(
        &["open", "--retry-for", "1s", &format!("{down}/s/abc#def")],
        b"",
        &[],
    )
    .await;
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.starts_with(&format!(
            "burnbox: connection lost, retrying…\nburnbox: cannot reach {down}"
        )) && run.stderr.trim_end().ends_with(" s)"),
        "{}",
        run.stderr
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_no_panic(&run);
    // BURNBOX_URL names the server when --server does not.
    let (_, receipt_link) = share(&app, &[], b"y").await;
    let key = receipt_link.rsplit('/').next().expect("key");
    let run = burnbox(&["receipt", key, "--burn"], b"", &[("BURNBOX_URL", server)]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("state: burned"), "{}", run.stdout);
    // A bare key that begins with `-` is a key, not a flag (one in 64 keys does).
    let run = burnbox(
        &[
            "receipt",
            "--server",
            server,
            "-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ],
        b"",
        &[],
    )
    .await;
    assert_eq!(run.code, 1, "{}", run.stderr);
}

#[tokio::test]
async fn rate_limits_exit_4_with_the_servers_retry_after() {
    let app = spawn_app_with(Backend::Memory, &["--rate-limit-create-per-minute", "1"]).await;
    share(&app, &[], b"first").await;
    // What the server tells any client from this address now, and what the CLI says.
    let refused = app.post("/api/secrets", json!({"secret": "x"})).await;
    refused.assert_error(429, "rate_limited");
    let told: u64 = refused
        .header("retry-after")
        .parse()
        .expect("Retry-After seconds");
    let run = burnbox(&["share", "--server", &app.address], b"second", &[]).await;
    assert_eq!(run.code, 4, "{}", run.stderr);
    let said: u64 = run
        .stderr
        .split("retry after ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|seconds| seconds.parse().ok())
        .unwrap_or_else(|| panic!("no 'retry after N s': {}", run.stderr));
    // The CLI ran a moment later: the same wait, or a second less.
    assert!(
        said == told || said + 1 == told,
        "server said {told} s, the CLI {said} s: {}",
        run.stderr
    );
}

#[tokio::test]
async fn generated_secrets_are_printed_once_and_json_is_for_scripts() {
    let app = spawn_app(Backend::Memory).await;
    let run = burnbox(
        &[
            "share",
            "--server",
            &app.address,
            "--generate",
            "20",
            "--json",
            "--ttl",
            "1h",
        ],
        b"",
        &[],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let created: Value = serde_json::from_str(&run.stdout).expect("one JSON object");
    let value = created["value"].as_str().expect("the value");
    assert_eq!(value.len(), 20);
    let link = created["share_url"].as_str().expect("a link");
    assert!(!link.contains('#'), "the server made it: no end-to-end key");
    let opened = burnbox(&["open", link], b"", &[]).await;
    assert_eq!(opened.stdout, value);
    assert!(
        created["receipt_url"]
            .as_str()
            .expect("receipt")
            .contains("/r/")
    );
}

#[tokio::test]
async fn https_is_verified_and_a_private_ca_can_be_named() {
    let app = spawn_app(Backend::Memory).await;
    let certificates = Certificates::new();
    let nginx = Nginx::start_tls(&app.address, &certificates);
    let server = nginx.address();
    assert!(server.starts_with("https://"));

    let untrusted = burnbox(&["share", "--server", &server], b"over TLS", &[]).await;
    assert_eq!(untrusted.code, 4, "{}", untrusted.stderr);
    assert!(
        untrusted.stderr.contains("certificate"),
        "{}",
        untrusted.stderr
    );
    assert_no_panic(&untrusted);

    let ca = certificates.path("ca.pem");
    let (link, _) = {
        let run = burnbox(
            &["share", "--server", &server, "--ca-file", &ca],
            b"over TLS",
            &[],
        )
        .await;
        assert_eq!(run.code, 0, "{}", run.stderr);
        (run.stdout.trim_end().to_owned(), ())
    };
    assert!(link.starts_with(&format!("{server}/s/")), "{link}");
    let opened = burnbox(&["open", &link, "--ca-file", &ca], b"", &[]).await;
    assert_eq!(
        (opened.code, opened.stdout.as_str()),
        (0, "over TLS"),
        "{}",
        opened.stderr
    );

    let bad = burnbox(
        &[
            "share",
            "--server",
            &server,
            "--ca-file",
            "/nonexistent.pem",
        ],
        b"x",
        &[],
    )
    .await;
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[tokio::test]
async fn with_an_api_key_shared_secrets_belong_to_the_account() {
    let app = spawn_app_with(
        Backend::Redis,
        &[
            "--admin-email",
            "ops@example.org",
            "--admin-password",
            "admin password 1",
        ],
    )
    .await;
    let token = session(&app, "ops@example.org", "admin password 1").await;
    let key = api_key(&app, &token, json!(["secrets"])).await;
    let run = burnbox(
        &["share", "--server", &app.address],
        b"owned",
        &[("BURNBOX_API_KEY", &key)],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let receipts = app
        .send(reqwest::Method::GET, "/api/me/receipts", Some(&token), None)
        .await;
    assert_eq!(receipts.status, 200, "{}", receipts.body);
    assert_eq!(receipts.body["total"], json!(1), "{}", receipts.body);
}

#[tokio::test]
async fn the_passphrase_prompt_reads_a_terminal_without_echo() {
    let app = spawn_app(Backend::Memory).await;
    let file = std::env::temp_dir().join(format!("burnbox-prompt-{}", free_port()));
    std::fs::write(&file, "typed in the dark\n").expect("writes");
    let (link, _) = share(
        &app,
        &["--passphrase-file", file.to_str().expect("path")],
        b"behind a prompt",
    )
    .await;
    std::fs::remove_file(&file).expect("removes");
    // `script` (util-linux) gives the command a terminal; the passphrase is typed into it
    // once the prompt has turned echo off.
    let command = format!(
        "(sleep 1; printf 'typed in the dark\\n') | script -qec \"{} open '{link}' --passphrase-prompt\" /dev/null",
        env!("CARGO_BIN_EXE_burnbox")
    );
    let output = tokio::task::spawn_blocking(move || {
        Command::new("bash")
            .arg("-c")
            .arg(command)
            .output()
            .expect("bash runs")
    })
    .await
    .expect("ran");
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(screen.starts_with("Passphrase: "), "{screen:?}");
    assert!(screen.contains("behind a prompt"), "{screen:?}");
    assert!(
        !screen.contains("typed in the dark"),
        "the passphrase was echoed: {screen:?}"
    );
}

#[tokio::test]
async fn a_terminal_sees_control_characters_escaped_and_a_pipe_gets_the_bytes() {
    let app = spawn_app(Backend::Memory).await;
    let hostile = "pass\u{1b}]0;owned\u{7}word";
    let (piped, _) = share(&app, &[], hostile.as_bytes()).await;
    let run = burnbox(&["open", &piped], b"", &[]).await;
    assert_eq!(run.stdout, hostile, "a pipe gets the exact bytes");

    let (shown, _) = share(&app, &[], hostile.as_bytes()).await;
    let command = format!(
        "script -qec \"{} open '{shown}'\" /dev/null",
        env!("CARGO_BIN_EXE_burnbox")
    );
    let output = tokio::task::spawn_blocking(move || {
        Command::new("bash")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::null())
            .output()
            .expect("bash runs")
    })
    .await
    .expect("ran");
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(
        screen.contains("pass\\u{1b}]0;owned\\u{7}word"),
        "{screen:?}"
    );
    assert!(!screen.contains('\u{1b}'), "{screen:?}");
}

#[tokio::test]
async fn an_api_key_goes_only_where_secrets_are_shared() {
    let app = spawn_app(Backend::Memory).await;
    let (link, receipt) = share(&app, &[], b"no key needed").await;
    // A key the server would refuse: had open or receipt sent it, they would fail with 401.
    let bogus = [("BURNBOX_API_KEY", "bbk_not_a_key_at_all")];
    let opened = burnbox(&["open", &link], b"", &bogus).await;
    assert_eq!(
        (opened.code, opened.stdout.as_str()),
        (0, "no key needed"),
        "{}",
        opened.stderr
    );
    let state = burnbox(&["receipt", &receipt], b"", &bogus).await;
    assert_eq!(state.code, 0, "{}", state.stderr);
    assert!(
        state.stdout.starts_with("state: revealed\n"),
        "{}",
        state.stdout
    );

    // Answering a request is not sharing: the key stays home there too.
    let made = burnbox(&["request", "--server", &app.address], b"", &[]).await;
    assert_eq!(made.code, 0, "{}", made.stderr);
    let request_link = made.stdout.trim().to_owned();
    let answer_link = made
        .stderr
        .lines()
        .find_map(|line| line.strip_prefix("answer: "))
        .expect("an answer link")
        .to_owned();
    let file = std::env::temp_dir().join(format!("burnbox-keyless-{}", free_port()));
    std::fs::write(&file, "answered keyless").expect("writes");
    let path = file.to_str().expect("path").to_owned();
    let answered = burnbox(&["answer", &request_link, &path], b"", &bogus).await;
    std::fs::remove_file(&file).expect("removes");
    assert_eq!(answered.code, 0, "{}", answered.stderr);
    let opened = burnbox(&["open", &answer_link], b"", &[]).await;
    assert_eq!(
        (opened.code, opened.stdout.as_str()),
        (0, "answered keyless"),
        "{}",
        opened.stderr
    );
}

#[tokio::test]
async fn a_terminal_sees_bidi_and_invisible_characters_escaped() {
    let app = spawn_app(Backend::Memory).await;
    // Shown raw, U+202E would turn this around into "invoice.exe" and hide the rest.
    let hostile = "invoice\u{202E}fdp.exe\u{200B}\u{2066}x";
    let (shown, _) = share(&app, &[], hostile.as_bytes()).await;
    let command = format!(
        "script -qec \"{} open '{shown}'\" /dev/null",
        env!("CARGO_BIN_EXE_burnbox")
    );
    let output = tokio::task::spawn_blocking(move || {
        Command::new("bash")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::null())
            .output()
            .expect("bash runs")
    })
    .await
    .expect("ran");
    let screen = String::from_utf8_lossy(&output.stdout);
    assert!(
        screen.contains("invoice\\u{202e}fdp.exe\\u{200b}\\u{2066}x"),
        "{screen:?}"
    );
    assert!(
        !screen.contains(['\u{202E}', '\u{200B}', '\u{2066}']),
        "{screen:?}"
    );
}

/// The arguments of a running process, as `ps` and every local user see them.
fn command_line(pid: u32) -> Vec<String> {
    // Right after spawning, the kernel may still be setting up the new program, and the
    // command line reads empty: wait until it is there.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let raw = std::fs::read(format!("/proc/{pid}/cmdline")).expect("reads /proc");
        if !raw.is_empty() || std::time::Instant::now() > deadline {
            return raw
                .split(|byte| *byte == 0)
                .filter(|arg| !arg.is_empty())
                .map(|arg| String::from_utf8_lossy(arg).into_owned())
                .collect();
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[tokio::test]
async fn a_link_on_stdin_opens_the_secret_and_is_in_no_command_line() {
    let app = spawn_app(Backend::Memory).await;
    let (link, receipt) = share(&app, &[], b"kept off argv").await;
    let fragment = link.split_once('#').expect("a key").1.to_owned();
    let secret_key = secret_key_of(&link);
    let given = link.clone();
    let (arguments, output) = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_burnbox"))
            .args(["open", "-"])
            .env_remove("BURNBOX_URL")
            .env_remove("BURNBOX_API_KEY")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        // It waits for the link on stdin: this is all another user can see of it now.
        let arguments = command_line(child.id());
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(format!("{given}\n").as_bytes())
            .expect("writes the link");
        drop(stdin);
        (arguments, child.wait_with_output().expect("finishes"))
    })
    .await
    .expect("ran");
    assert_eq!(
        arguments.get(1..),
        Some(&["open", "-"].map(String::from)[..])
    );
    assert!(
        !arguments
            .iter()
            .any(|arg| arg.contains(&fragment) || arg.contains(&secret_key))
    );
    assert_eq!(
        (output.status.code(), output.stdout.as_slice()),
        (Some(0), b"kept off argv".as_slice()),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // The receipt link, a credential too (it burns), comes the same way.
    let state = burnbox(&["receipt", "-"], format!("{receipt}\n").as_bytes(), &[]).await;
    assert_eq!(state.code, 0, "{}", state.stderr);
    assert!(
        state.stdout.starts_with("state: revealed"),
        "{}",
        state.stdout
    );
    let empty = burnbox(&["open", "-"], b"", &[]).await;
    assert_eq!(empty.code, 2, "{}", empty.stderr);

    // --help says why.
    let help = burnbox(&["open", "--help"], b"", &[]).await;
    assert!(
        help.stdout.contains("`-` reads it from stdin") && help.stdout.contains("(`ps`)"),
        "{}",
        help.stdout
    );
}

#[tokio::test]
async fn an_answer_takes_its_link_from_stdin_and_its_secret_from_a_file() {
    let app = spawn_app(Backend::Memory).await;
    let made = burnbox(&["request", "--server", &app.address], b"", &[]).await;
    assert_eq!(made.code, 0, "{}", made.stderr);
    let request_link = made.stdout.trim().to_owned();
    let answer_link = made
        .stderr
        .lines()
        .find_map(|line| line.strip_prefix("answer: "))
        .expect("an answer link")
        .to_owned();
    let on_stdin = format!("{request_link}\n");

    // Both from stdin cannot be: refused before anything is read or sent.
    let both = burnbox(&["answer", "-"], on_stdin.as_bytes(), &[]).await;
    assert_eq!(both.code, 2, "{}", both.stderr);
    assert!(both.stderr.contains("FILE"), "{}", both.stderr);

    let file = std::env::temp_dir().join(format!("burnbox-answer-{}", free_port()));
    std::fs::write(&file, "from a file").expect("writes");
    let path = file.to_str().expect("path").to_owned();
    let answered = burnbox(&["answer", "-", &path], on_stdin.as_bytes(), &[]).await;
    std::fs::remove_file(&file).expect("removes");
    assert_eq!(answered.code, 0, "{}", answered.stderr);

    let opened = burnbox(&["open", "-"], format!("{answer_link}\n").as_bytes(), &[]).await;
    assert_eq!(
        (opened.code, opened.stdout.as_str()),
        (0, "from a file"),
        "{}",
        opened.stderr
    );
}
