//! `burnbox share`, `burnbox open`, `burnbox receipt`: the terminal client, speaking the
//! JSON API of any burnbox server and the same end-to-end format as the web pages.
//!
//! Secrets come from stdin or a file, never from argv (which `ps` shows); a named file is
//! shared as a file (its bytes, name and type, [`files`]); passphrases from a file or a
//! prompt without echo; links, which open what they point at, from argv or — given as
//! `-` — from stdin. Exit codes: 0 done, 1 not found (already read, burned, expired),
//! 2 usage (also: a file that did not decrypt, or would overwrite one), 3 wrong or
//! missing passphrase, 4 rate limited or unavailable.

pub mod api;
mod command;
pub mod files;
pub mod link;

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use clap::Args;
use serde_json::json;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::crypto::e2e::{self, E2eKey};
use api::{Api, Failure};
pub use command::{Cli, Command};
use link::Page;

/// Where the server is, and how to reach it.
#[derive(Debug, Clone, Args)]
pub struct Connection {
    /// The burnbox server.
    #[arg(long, env = "BURNBOX_URL", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// PEM file of a private CA that signed the server's certificate (TLS is always verified).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
}

/// Where a passphrase comes from.
#[derive(Debug, Clone, Args)]
#[group(multiple = false)]
pub struct PassphraseSource {
    /// Read the passphrase from FILE (one trailing newline is dropped).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Ask for the passphrase on the terminal, without echo.
    #[arg(long)]
    pub passphrase_prompt: bool,
}

/// `burnbox share`.
#[derive(Debug, Clone, Args)]
pub struct ShareArgs {
    /// Share FILE as a file: its exact bytes, its name and its type, encrypted here
    /// (without FILE: the text on stdin).
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Share FILE's content as a text secret (UTF-8) instead of as a file: it opens as
    /// text, on the reader's stdout or page.
    #[arg(long, requires = "file")]
    pub text: bool,
    /// How long the secret waits: 90s, 15m, 1h, 7d (default: the server's).
    #[arg(long, value_parser = parse_ttl)]
    pub ttl: Option<u64>,
    /// How many times the link may be opened (1-100; default 1).
    #[arg(long, value_name = "N")]
    pub views: Option<u8>,
    /// Let a reader of a secret of several views burn what is left.
    #[arg(long, requires = "views")]
    pub viewer_may_burn: bool,
    /// Let the server make up a secret of N characters instead, and print it once.
    #[arg(long, value_name = "N", conflicts_with = "file")]
    pub generate: Option<u32>,
    /// Print the links (and a generated secret) as one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub(crate) passphrase: PassphraseSource,
    #[command(flatten)]
    pub(crate) connection: Connection,
}

/// `burnbox open`.
#[derive(Debug, Clone, Args)]
pub struct OpenArgs {
    /// The link, as shared: <server>/s/<secret_key>#<key>; `-` reads it from stdin,
    /// which is safer: other local users see a command line (`ps`), and shell history
    /// keeps it.
    pub link: String,
    #[command(flatten)]
    pub(crate) passphrase: PassphraseSource,
    /// PEM file of a private CA that signed the server's certificate.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// How long to keep retrying when the connection is lost or the server fails (5xx):
    /// 30s, 2m; 0 does not retry. A retried reveal is the same reveal: the server answers
    /// it as it answered the first, and counts no second view.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub retry_for: u64,
    /// Where a file goes: a new PATH, a directory to save it in under its own name, or
    /// `-` for stdout (default: its own name in the current directory; never over an
    /// existing file). A text goes to stdout unless PATH is given.
    #[arg(short = 'o', long, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// `burnbox receipt`.
#[derive(Debug, Clone, Args)]
pub struct ReceiptArgs {
    /// The receipt link (<server>/r/<receipt_key>), or the bare receipt key with --server;
    /// `-` reads either from stdin, out of `ps` and shell history.
    // A key may begin with `-`: it is still the key, not a flag.
    #[arg(allow_hyphen_values = true)]
    pub receipt: String,
    /// Burn the secret if nobody has read it yet.
    #[arg(long)]
    pub burn: bool,
    #[command(flatten)]
    pub(crate) connection: Connection,
}

fn parse_ttl(text: &str) -> Result<u64, String> {
    let seconds = parse_duration(text)?;
    if seconds == 0 {
        return Err("the TTL must be at least a second".into());
    }
    Ok(seconds)
}

/// Seconds, written as people write them: `600`, `90s`, `15m`, `1h`, `7d`.
fn parse_duration(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(seconds) => Ok(seconds),
        Err(_) => humantime::parse_duration(text)
            .map(|duration| duration.as_secs())
            .map_err(|_| format!("`{text}` is not a duration such as 90s, 15m, 1h or 7d")),
    }
}

/// Runs a client command on a small runtime of its own; one line on stderr if it fails.
pub fn run(command: impl std::future::Future<Output = Result<(), Failure>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("burnbox: cannot start: {error}");
            return ExitCode::from(4);
        }
    };
    match runtime.block_on(command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // The message may come from whatever server a link named: no escape sequences
            // reach a terminal through it.
            let message = failure.to_string();
            if std::io::stderr().is_terminal() {
                eprintln!("burnbox: {}", escape_controls(&message));
            } else {
                eprintln!("burnbox: {message}");
            }
            ExitCode::from(failure.exit_code())
        }
    }
}

fn api_key() -> Option<String> {
    std::env::var("BURNBOX_API_KEY")
        .ok()
        .filter(|key| !key.trim().is_empty())
}

fn passphrase(source: &PassphraseSource) -> Result<Option<String>, Failure> {
    if let Some(path) = &source.passphrase_file {
        let mut text = std::fs::read_to_string(path).map_err(|error| {
            Failure::Usage(format!(
                "cannot read --passphrase-file {}: {error}",
                path.display()
            ))
        })?;
        if text.ends_with('\n') {
            text.pop();
            if text.ends_with('\r') {
                text.pop();
            }
        }
        if text.is_empty() {
            return Err(Failure::Usage(format!(
                "{} holds no passphrase",
                path.display()
            )));
        }
        return Ok(Some(text));
    }
    if source.passphrase_prompt {
        let text = rpassword::prompt_password("Passphrase: ")
            .map_err(|error| Failure::Usage(format!("cannot read the passphrase: {error}")))?;
        if text.is_empty() {
            return Err(Failure::Usage("the passphrase is empty".into()));
        }
        return Ok(Some(text));
    }
    Ok(None)
}

/// The secret: all of FILE, or all of stdin up to EOF.
fn read_secret(file: Option<&Path>) -> Result<String, Failure> {
    let bytes = match file {
        Some(path) => std::fs::read(path)
            .map_err(|error| Failure::Usage(format!("cannot read {}: {error}", path.display())))?,
        None => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                eprintln!("Type or paste the secret, then press Ctrl-D on a line of its own:");
            }
            let mut bytes = Vec::new();
            stdin
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|error| Failure::Usage(format!("cannot read stdin: {error}")))?;
            bytes
        }
    };
    if bytes.is_empty() {
        return Err(Failure::Usage(
            "the secret is empty: pipe it in, or name a file".into(),
        ));
    }
    String::from_utf8(bytes).map_err(|_| {
        Failure::Usage("the secret is not UTF-8 text (base64-encode binary data first)".into())
    })
}

/// `burnbox request`.
#[derive(Debug, Clone, Args)]
pub struct RequestArgs {
    /// What you ask for, shown to whoever fills the request in.
    #[arg(long)]
    pub note: Option<String>,
    /// How long the request (and then its answer) waits: 90s, 15m, 1h, 7d.
    #[arg(long, value_parser = parse_ttl)]
    pub ttl: Option<u64>,
    #[command(flatten)]
    pub(crate) connection: Connection,
}

/// `burnbox answer`.
#[derive(Debug, Clone, Args)]
pub struct AnswerArgs {
    /// The request's link: <server>/q/<request_key>; `-` reads it from stdin (then name
    /// the secret's FILE), which is safer: while this waits for the secret, any local
    /// user could read the link from `ps` and answer first; shell history keeps it too.
    pub link: String,
    /// Read the secret from FILE instead of stdin.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// PEM file of a private CA that signed the server's certificate.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
}

/// `burnbox request`: makes the key pair here, so only this side can open the answer.
/// Prints the link to send on stdout; the link to read the answer (with the private key
/// in its fragment) and the receipt on stderr.
pub async fn request(args: RequestArgs) -> Result<(), Failure> {
    let api = Api::new(
        &args.connection.server,
        args.connection.ca_file.as_deref(),
        api_key(),
    )?;
    let pair = crate::crypto::sealed_box::KeyPair::generate();
    let mut body = json!({ "public_key": pair.encode_public() });
    if let Some(note) = &args.note {
        body["note"] = json!(note);
    }
    if let Some(ttl) = args.ttl {
        body["ttl"] = json!(ttl);
    }
    let created = api.request(body).await?;
    let field = |name: &str| created[name].as_str().unwrap_or_default().to_owned();
    let base = api.base();
    eprintln!(
        "answer: {base}/s/{}#{}\nreceipt: {base}/r/{}",
        field("answer_key"),
        pair.encode_private(),
        field("receipt_key")
    );
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{base}/q/{}", field("request_key"))
        .map_err(|error| Failure::Usage(format!("cannot write: {error}")))
}

/// `burnbox answer`: seals the secret here to the requester's public key and fills the
/// request; the server never sees the text.
pub async fn answer(args: AnswerArgs) -> Result<(), Failure> {
    if args.link == STDIN && args.file.is_none() {
        return Err(Failure::Usage(
            "the link and the secret cannot both come from stdin: name the secret's FILE (burnbox answer - FILE)".into(),
        ));
    }
    let link = link::parse(&link_text(&args.link)?, Page::Request).ok_or_else(|| {
        Failure::Usage("not a request link: expected <server>/q/<request_key>".into())
    })?;
    let api = Api::new(&link.server, args.ca_file.as_deref(), None)?;
    let request = api.open_request(&link.key).await?;
    let public = request["public_key"]
        .as_str()
        .and_then(|key| crate::crypto::sealed_box::decode_public(key).ok())
        .ok_or_else(|| Failure::Unavailable("the server sent no usable public key".into()))?;
    if let Some(note) = request["note"].as_str() {
        eprintln!("request: {}", escape_controls(note));
    }
    let text = read_secret(args.file.as_deref())?;
    let sealed = crate::crypto::sealed_box::seal(&public, &text);
    api.answer(&link.key, json!({ "sealed": sealed })).await?;
    eprintln!("answered: only the requester can read it");
    Ok(())
}

/// `burnbox share`: encrypts here, sends the envelope, prints the links.
pub async fn share(args: ShareArgs) -> Result<(), Failure> {
    let api = Api::new(
        &args.connection.server,
        args.connection.ca_file.as_deref(),
        api_key(),
    )?;
    let passphrase = passphrase(&args.passphrase)?;
    let mut body = json!({});
    if let Some(ttl) = args.ttl {
        body["ttl"] = json!(ttl);
    }
    if let Some(passphrase) = &passphrase {
        body["passphrase"] = json!(passphrase);
    }
    if let Some(views) = args.views {
        body["max_views"] = json!(views);
    }
    if args.viewer_may_burn {
        body["viewer_may_burn"] = json!(true);
    }
    let (created, key) = match args.generate {
        Some(length) => {
            body["length"] = json!(length);
            (api.generate(body).await?, None)
        }
        None if args.file.is_some() && !args.text => {
            let path = args.file.as_deref().unwrap_or(Path::new("-"));
            let (created, key) = files::share_file(&api, path, body).await?;
            (created, Some(key))
        }
        None => {
            let text = read_secret(args.file.as_deref())?;
            let key = E2eKey::generate();
            body["secret"] = json!(e2e::seal(&key, &text));
            body["e2e"] = json!(true);
            (api.create(body).await.map_err(too_large_hint)?, Some(key))
        }
    };
    let share_base = created
        .share_url
        .clone()
        .unwrap_or_else(|| format!("{}/s/{}", api.base(), created.secret_key));
    let share_link = match &key {
        Some(key) => format!("{share_base}#{}", key.encode()),
        None => share_base,
    };
    let receipt_link = created
        .receipt_url
        .clone()
        .unwrap_or_else(|| format!("{}/r/{}", api.base(), created.receipt_key));
    let mut stdout = std::io::stdout().lock();
    let written = if args.json {
        let mut out = json!({
            "share_url": share_link,
            "receipt_url": receipt_link,
            "secret_key": created.secret_key,
            "receipt_key": created.receipt_key,
            "expires_at": created.expires_at,
        });
        if let Some(value) = &created.value {
            out["value"] = json!(value);
        }
        writeln!(stdout, "{out}")
    } else {
        if let Some(value) = &created.value {
            eprintln!("secret (shown once): {value}");
        }
        eprintln!("receipt: {receipt_link}");
        eprintln!("expires: {}", created.expires_at);
        writeln!(stdout, "{share_link}")
    };
    written.map_err(|error| Failure::Usage(format!("cannot write the link: {error}")))
}

fn too_large_hint(failure: Failure) -> Failure {
    match failure {
        Failure::Usage(message) if message.contains("limit") => Failure::Usage(format!(
            "{message} (after encryption, which adds about a third)"
        )),
        other => other,
    }
}

/// `burnbox open`: checks without consuming, then reveals and decrypts.
pub async fn open(args: OpenArgs) -> Result<(), Failure> {
    let link = link::parse(&link_text(&args.link)?, Page::Reveal).ok_or_else(|| {
        Failure::Usage("not a burnbox link: expected <server>/s/<secret_key>#<key>".into())
    })?;
    // The link names its server, which may not be yours: no API key goes there (a reveal
    // needs none).
    let api = Api::new(&link.server, args.ca_file.as_deref(), None)?
        .retrying_for(Duration::from_secs(args.retry_for));
    let passphrase = passphrase(&args.passphrase)?;
    let status = api.status(&link.key).await?;
    // Where it goes is settled, and a file there made, before anything is consumed.
    let destination = files::Destination::choose(args.output.as_deref(), status.file)?;
    let part = destination.part()?;
    let key = if status.e2e {
        let fragment = link.fragment.as_deref().unwrap_or_default();
        Some(E2eKey::decode(fragment).map_err(|_| {
            Failure::Usage(
                "the link is incomplete: the key after # is missing or cut off; nothing was revealed"
                    .into(),
            )
        })?)
    } else {
        None
    };
    if status.passphrase_required && passphrase.is_none() {
        return Err(Failure::Passphrase(
            "this secret needs a passphrase: --passphrase-file FILE or --passphrase-prompt; nothing was revealed"
                .into(),
        ));
    }
    // An e2e key proves the reveal; an answer's fragment is a private key, which does not.
    let proof = key
        .as_ref()
        .filter(|_| !status.answer)
        .map(E2eKey::reveal_proof);
    // One key for this reveal and its retries: fresh and random, so nobody else's reveal
    // can claim its answer.
    let idempotency = URL_SAFE_NO_PAD.encode(crate::crypto::random_array::<24>());
    let revealed = api
        .reveal(
            &link.key,
            passphrase.as_deref(),
            proof.as_ref(),
            &idempotency,
        )
        .await?;
    if let Some(file) = &revealed.file {
        let key = key.as_ref().filter(|_| revealed.e2e);
        if revealed.e2e && key.is_none() {
            return Err(Failure::Usage(
                "the file turned out to be end-to-end encrypted and the link has no key".into(),
            ));
        }
        return files::save_file(&api, key, &revealed.secret, file, destination, part).await;
    }
    let text = match (&key, revealed.e2e) {
        // The answer to a request: sealed to the requester's key pair, whose private half
        // is the fragment.
        (Some(_), true)
            if revealed
                .secret
                .starts_with(crate::crypto::sealed_box::PREFIX) =>
        {
            crate::crypto::sealed_box::KeyPair::decode(link.fragment.as_deref().unwrap_or_default())
                .and_then(|pair| pair.open(&revealed.secret))
                .map_err(|error| {
                    Failure::Usage(format!(
                        "the answer was handed out but {error}; it is gone: ask again"
                    ))
                })?
        }
        (Some(key), true) => e2e::open(key, &revealed.secret).map_err(|error| {
            Failure::Usage(format!(
                "the secret was handed out but {error}; it is gone: ask for it again"
            ))
        })?,
        (None, true) => {
            return Err(Failure::Usage(
                "the secret turned out to be end-to-end encrypted and the link has no key".into(),
            ));
        }
        (_, false) => revealed.secret,
    };
    if let (Some(part), files::Destination::Path(target)) = (part, &destination) {
        part.keep_text(&text, target)?;
        eprintln!(
            "saved: {} ({} bytes)",
            escape_controls(&target.display().to_string()),
            text.len()
        );
        return Ok(());
    }
    let mut stdout = std::io::stdout().lock();
    // A terminal would obey escape sequences hidden in a secret (retitle the window,
    // rewrite the screen): there, control characters are shown escaped. Pipes and files
    // get the exact bytes.
    let text = if stdout.is_terminal() && has_controls(&text) {
        eprintln!(
            "burnbox: control characters are shown escaped; pipe the output for the exact bytes"
        );
        escape_controls(&text)
    } else {
        text
    };
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|error| Failure::Usage(format!("cannot write the secret: {error}")))
}

/// Characters a terminal must not get raw: controls (C0, DEL, C1: escape sequences) and
/// format characters (`Cf`: bidi overrides and isolates, zero-width and invisible ones,
/// tags), which reorder or hide what is shown. Newlines and tabs pass.
fn is_control(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t')) || c.general_category() == GeneralCategory::Format
}

fn has_controls(text: &str) -> bool {
    text.chars().any(is_control)
}

fn escape_controls(text: &str) -> String {
    text.chars()
        .map(|c| {
            if is_control(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// What `-` stands for where a link is expected: stdin.
const STDIN: &str = "-";

/// The link as given, or for `-` the first line of stdin (without echo on a terminal): a
/// command line is visible to every local user (`ps`, /proc) and kept in shell history.
fn link_text(argument: &str) -> Result<String, Failure> {
    if argument != STDIN {
        return Ok(argument.to_owned());
    }
    let unreadable =
        |error: std::io::Error| Failure::Usage(format!("cannot read the link: {error}"));
    let stdin = std::io::stdin();
    let line = if stdin.is_terminal() {
        rpassword::prompt_password("Link (not shown): ").map_err(unreadable)?
    } else {
        // A link is short: a line longer than this is not one, however long the input.
        let mut line = String::new();
        stdin
            .lock()
            .take(LONGEST_LINK_LINE)
            .read_line(&mut line)
            .map_err(unreadable)?;
        line
    };
    let line = line.trim();
    if line.is_empty() {
        return Err(Failure::Usage("no link on stdin".into()));
    }
    Ok(line.to_owned())
}

/// The most of stdin read for a link.
const LONGEST_LINK_LINE: u64 = 8192;

/// `burnbox receipt`: the state and times, or a burn.
pub async fn receipt(args: ReceiptArgs) -> Result<(), Failure> {
    let receipt = link_text(&args.receipt)?;
    let (server, key) = match link::parse(&receipt, Page::Receipt) {
        Some(link) => (link.server, link.key),
        None if receipt.contains('/') => {
            return Err(Failure::Usage(
                "not a receipt link: expected <server>/r/<receipt_key> or the bare key".into(),
            ));
        }
        None => (args.connection.server.clone(), receipt.trim().to_owned()),
    };
    let api = Api::new(&server, args.connection.ca_file.as_deref(), None)?;
    let view = api.receipt(&key, args.burn).await?;
    let field = |name: &str| view[name].as_str().map(str::to_owned);
    let mut lines = vec![format!("state: {}", field("state").unwrap_or_default())];
    for (label, name) in [
        ("created", "created_at"),
        ("expires", "expires_at"),
        ("revealed", "revealed_at"),
        ("burned", "burned_at"),
    ] {
        if let Some(value) = field(name) {
            lines.push(format!("{label}: {value}"));
        }
    }
    if view["max_views"].as_u64().is_some_and(|views| views > 1) {
        lines.push(format!(
            "views: {} of {}",
            view["views"].as_u64().unwrap_or_default(),
            view["max_views"]
        ));
    }
    let mut stdout = std::io::stdout().lock();
    let text = lines.join("\n");
    let text = if stdout.is_terminal() {
        escape_controls(&text)
    } else {
        text
    };
    writeln!(stdout, "{text}").map_err(|error| Failure::Usage(format!("cannot write: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_for_terminals() {
        let hostile = "pass\x1b]0;owned\x07word\r\n\ttab é";
        assert!(has_controls(hostile) && !has_controls("line\n\ttab é"));
        assert_eq!(
            escape_controls(hostile),
            "pass\\u{1b}]0;owned\\u{7}word\\u{d}\n\ttab é"
        );
    }

    #[test]
    fn format_characters_are_escaped_for_terminals() {
        // General category Cf: bidi marks, embeddings, overrides and isolates, zero-width
        // and invisible characters, the BOM, interlinear annotation, tags.
        let format = [
            0xAD..=0xAD,
            0x61C..=0x61C,
            0x180E..=0x180E,
            0x200B..=0x200F,
            0x202A..=0x202E,
            0x2060..=0x2064,
            0x2066..=0x206F,
            0xFEFF..=0xFEFF,
            0xFFF9..=0xFFFB,
            0xE0001..=0xE0001,
            0xE0020..=0xE007F,
        ];
        for c in format.into_iter().flatten().filter_map(char::from_u32) {
            let text = format!("a{c}b");
            assert!(has_controls(&text), "U+{:04X}", u32::from(c));
            assert_eq!(escape_controls(&text), format!("a{}b", c.escape_unicode()));
        }
        assert_eq!(escape_controls("txt.\u{202e}fdp"), "txt.\\u{202e}fdp");
        // Letters, marks and symbols of any script stay as they are.
        assert!(!has_controls("é ü 名 עברית العربية ✓ 🔑"));
    }

    #[test]
    fn ttls_read_as_people_write_them() {
        assert_eq!(parse_ttl("90s"), Ok(90));
        assert_eq!(parse_ttl("15m"), Ok(900));
        assert_eq!(parse_ttl("1h"), Ok(3600));
        assert_eq!(parse_ttl("7d"), Ok(604_800));
        assert_eq!(parse_ttl("600"), Ok(600));
        assert!(parse_ttl("0s").is_err());
        assert!(parse_ttl("soon").expect_err("bad").contains("soon"));
    }
}
