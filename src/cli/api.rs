//! The client side of burnbox's JSON API, over reqwest with rustls (ring, as the server
//! uses), certificates always verified.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use crate::crypto::e2e::RevealProof;

/// Why a command failed, and the exit code that says so to a script.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// Unknown, already read, burned or expired (exit 1).
    #[error("{0}")]
    NotFound(String),
    /// The command line or its input cannot work (exit 2).
    #[error("{0}")]
    Usage(String),
    /// A wrong or missing passphrase (exit 3).
    #[error("{0}")]
    Passphrase(String),
    /// Rate limited, or the server cannot be reached or cannot answer now (exit 4).
    #[error("{0}")]
    Unavailable(String),
}

impl Failure {
    /// The process's exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::NotFound(_) => 1,
            Self::Usage(_) => 2,
            Self::Passphrase(_) => 3,
            Self::Unavailable(_) => 4,
        }
    }
}

/// A burnbox server.
pub struct Api {
    base: String,
    client: reqwest::Client,
    api_key: Option<String>,
    /// How long a request that may be sent again is retried after a lost answer.
    retry_for: Duration,
    /// Whether "retrying" was said already (once per command is enough).
    retry_told: AtomicBool,
}

/// The first wait before a retry; each next one is twice as long, up to [`LONGEST_WAIT`].
const FIRST_WAIT: Duration = Duration::from_millis(500);
/// The longest wait between two retries.
const LONGEST_WAIT: Duration = Duration::from_secs(4);
/// How often a chunk is sent before its upload gives up.
const CHUNK_TRIES: u32 = 5;
/// How long one chunk (1 MiB) may take to send: about 35 kbit/s at the slowest.
const CHUNK_TIMEOUT: Duration = Duration::from_secs(300);

/// Why one attempt failed: an answer to act on, or none (a transport error, a 5xx, a body
/// that broke off), which a retry may still get.
pub(super) enum Attempt {
    /// The server answered: no retry will change that.
    Answered(Failure),
    /// No answer (a transport error, a 5xx, a body that broke off): a retry may get one.
    Lost(Failure),
}

/// Paces the retries of one request: 0.5 s, then twice as long each time up to 4 s,
/// while the [`Api`]'s `retry_for` lasts.
pub(super) struct Backoff<'a> {
    api: &'a Api,
    started: Instant,
    wait: Duration,
}

impl Backoff<'_> {
    /// After a failed attempt: waits and answers `Ok` when it is worth another, or the
    /// failure to give up with (an answer, or a loss when the time is up).
    pub(super) async fn after(&mut self, attempt: Attempt) -> Result<(), Failure> {
        let failure = match attempt {
            Attempt::Answered(failure) => return Err(failure),
            Attempt::Lost(failure) => failure,
        };
        let retry_for = self.api.retry_for;
        if self.started.elapsed() + self.wait > retry_for {
            return Err(if retry_for.is_zero() {
                failure
            } else {
                gave_up(failure, self.started.elapsed())
            });
        }
        if !self.api.retry_told.swap(true, Ordering::Relaxed) {
            eprintln!("burnbox: connection lost, retrying…");
        }
        tokio::time::sleep(self.wait).await;
        self.wait = (self.wait * 2).min(LONGEST_WAIT);
        Ok(())
    }
}

/// What `POST /api/secrets` (and `/generate`) answer.
#[derive(Debug, Deserialize)]
pub struct Created {
    /// The key of the reveal link.
    pub secret_key: String,
    /// The key of the receipt.
    pub receipt_key: String,
    /// When the secret expires.
    pub expires_at: String,
    /// The reveal page, when the server knows its public address.
    pub share_url: Option<String>,
    /// The receipt page, likewise.
    pub receipt_url: Option<String>,
    /// The generated secret, for `/generate`.
    pub value: Option<String>,
}

/// What `GET /api/secrets/{key}` answers.
#[derive(Debug, Deserialize)]
pub struct Status {
    /// Whether a passphrase is needed.
    pub passphrase_required: bool,
    /// Whether the secret is an end-to-end envelope.
    #[serde(default)]
    pub e2e: bool,
    /// Whether it is the answer to a request (sealed to the requester's key pair, whose
    /// private half is the fragment: no e2e key, no reveal proof).
    #[serde(default)]
    pub answer: bool,
    /// Whether it is a file.
    #[serde(default)]
    pub file: bool,
}

/// What a reveal answers.
#[derive(Debug, Deserialize)]
pub struct Revealed {
    /// The secret, or its envelope.
    pub secret: String,
    /// Whether `secret` is an envelope.
    #[serde(default)]
    pub e2e: bool,
    /// For a file: where its content is, and (when not end-to-end) its name and type.
    pub file: Option<RevealedFile>,
}

/// The `file` of a reveal's answer.
#[derive(Debug, Deserialize)]
pub struct RevealedFile {
    /// Bytes of the content as downloaded.
    pub bytes: u64,
    /// The name, for a file the server may see (untrusted: made safe before use).
    pub name: Option<String>,
    /// The content's path (a ticket valid for minutes), relative to the server.
    pub download: String,
}

/// What `POST /api/files` answers: an upload to send the chunks to.
#[derive(Debug, Deserialize)]
pub struct Upload {
    /// The upload's key.
    pub upload: String,
}

impl Api {
    /// A client of the server at `base`, trusting the system's roots and `ca_file`.
    pub fn new(
        base: &str,
        ca_file: Option<&Path>,
        api_key: Option<String>,
    ) -> Result<Self, Failure> {
        // reqwest is built without a default crypto provider: ring, as for the server.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("burnbox-cli/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = ca_file {
            let pem = std::fs::read(path).map_err(|error| {
                Failure::Usage(format!("cannot read --ca-file {}: {error}", path.display()))
            })?;
            let certificate = reqwest::Certificate::from_pem(&pem).map_err(|_| {
                Failure::Usage(format!(
                    "--ca-file {} is not a PEM certificate",
                    path.display()
                ))
            })?;
            builder = builder.add_root_certificate(certificate);
        }
        let client = builder
            .build()
            .map_err(|error| Failure::Usage(format!("cannot set up HTTPS: {error}")))?;
        Ok(Self {
            base: base.trim_end_matches('/').to_owned(),
            client,
            api_key,
            retry_for: Duration::ZERO,
            retry_told: AtomicBool::new(false),
        })
    }

    /// Retries [`Self::status`] and [`Self::reveal`] after a lost answer for up to
    /// `retry_for` (none by default).
    pub fn retrying_for(mut self, retry_for: Duration) -> Self {
        self.retry_for = retry_for;
        self
    }

    /// The server's address, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, Failure> {
        self.attempt(method, path, body.as_ref(), &[])
            .await
            .map_err(|(Attempt::Answered(failure) | Attempt::Lost(failure))| failure)
    }

    /// [`Self::call`] for a request that may be sent again (a GET, or a reveal with its
    /// Idempotency-Key): after a transport error or a 5xx it waits 0.5 s, then twice as
    /// long each time up to 4 s, and sends it again while `retry_for` lasts. A 4xx is an
    /// answer and is never sent again.
    async fn call_retrying(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Result<Value, Failure> {
        let mut backoff = self.backoff();
        loop {
            match self
                .attempt(method.clone(), path, body.as_ref(), headers)
                .await
            {
                Ok(value) => return Ok(value),
                Err(attempt) => backoff.after(attempt).await?,
            }
        }
    }

    /// The retries of one request, which [`Backoff::after`] paces within `retry_for`.
    pub(super) fn backoff(&self) -> Backoff<'_> {
        Backoff {
            api: self,
            started: Instant::now(),
            wait: FIRST_WAIT,
        }
    }

    /// One request: its JSON answer, or why there is none.
    async fn attempt(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Result<Value, Attempt> {
        let mut request = self.builder(method, &format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = self.send(request).await?;
        let text = response.text().await.map_err(|error| {
            Attempt::Lost(Failure::Unavailable(format!(
                "the answer broke off: {}",
                describe(&error.without_url())
            )))
        })?;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(body)
    }

    fn builder(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        let request = self.client.request(method, url);
        match &self.api_key {
            Some(key) => request.bearer_auth(key),
            None => request,
        }
    }

    /// Sends `request`: the response when it succeeded, else the failure its answer (or
    /// its lack of one) stands for.
    async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, Attempt> {
        // reqwest's errors name the URL, and a URL here holds a key: never show it.
        let response = request.send().await.map_err(|error| {
            Attempt::Lost(Failure::Unavailable(format!(
                "cannot reach {}: {}",
                self.base,
                describe(&error.without_url())
            )))
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let body: Value = response
            .text()
            .await
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(Value::Null);
        let failure = failure(status, &body, retry_after.as_deref());
        Err(if status.is_server_error() {
            Attempt::Lost(failure)
        } else {
            Attempt::Answered(failure)
        })
    }

    /// `POST /api/secrets`.
    pub async fn create(&self, body: Value) -> Result<Created, Failure> {
        decode(self.call(Method::POST, "/api/secrets", Some(body)).await?)
    }

    /// `POST /api/secrets/generate`.
    pub async fn generate(&self, body: Value) -> Result<Created, Failure> {
        decode(
            self.call(Method::POST, "/api/secrets/generate", Some(body))
                .await?,
        )
    }

    /// `GET /api/secrets/{key}`: never consumes, so it may be retried.
    pub async fn status(&self, key: &str) -> Result<Status, Failure> {
        decode(
            self.call_retrying(Method::GET, &format!("/api/secrets/{key}"), None, &[])
                .await?,
        )
    }

    /// `POST /api/secrets/{key}/reveal`: consumes. With the reveal's own `idempotency`
    /// key it is retried after a lost answer, and the server answers a retry as it
    /// answered the first; `proof` opens an `e2e2` secret.
    pub async fn reveal(
        &self,
        key: &str,
        passphrase: Option<&str>,
        proof: Option<&RevealProof>,
        idempotency: &str,
    ) -> Result<Revealed, Failure> {
        let body = match passphrase {
            Some(passphrase) => serde_json::json!({ "passphrase": passphrase }),
            None => serde_json::json!({}),
        };
        let proof = proof.map(RevealProof::encode);
        // This client downloads files: a file's view may be taken.
        let mut headers = vec![
            ("Idempotency-Key", idempotency),
            ("Burnbox-Accept-Files", "1"),
        ];
        if let Some(proof) = &proof {
            headers.push(("Burnbox-Reveal-Proof", proof));
        }
        decode(
            self.call_retrying(
                Method::POST,
                &format!("/api/secrets/{key}/reveal"),
                Some(body),
                &headers,
            )
            .await?,
        )
    }

    /// `POST /api/files`: starts an upload. A server without files answers 404.
    pub async fn start_upload(&self, body: Value) -> Result<Upload, Failure> {
        match self.call(Method::POST, "/api/files", Some(body)).await {
            Err(Failure::NotFound(_)) => Err(Failure::Usage(
                "this server takes no files (it has no /api/files): share the content as text with --text"
                    .into(),
            )),
            answer => decode(answer?),
        }
    }

    /// `PUT /api/files/uploads/{upload}/chunks/{index}`: sends one chunk, and again after a
    /// lost answer or a 5xx (up to [`CHUNK_TRIES`] times): the server replaces the last
    /// chunk it got when the same index comes again.
    pub async fn put_chunk(&self, upload: &str, index: u64, chunk: &[u8]) -> Result<(), Failure> {
        let url = format!("{}/api/files/uploads/{upload}/chunks/{index}", self.base);
        let mut wait = FIRST_WAIT;
        for tries_left in (0..CHUNK_TRIES).rev() {
            let request = self
                .builder(Method::PUT, &url)
                .timeout(CHUNK_TIMEOUT)
                .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
                .body(chunk.to_vec());
            match self.send(request).await {
                Ok(_) => return Ok(()),
                Err(Attempt::Answered(failure)) => return Err(failure),
                Err(Attempt::Lost(failure)) if tries_left == 0 => return Err(failure),
                Err(Attempt::Lost(_)) => {
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(LONGEST_WAIT);
                }
            }
        }
        Err(Failure::Unavailable("the chunk was not sent".into()))
    }

    /// `POST /api/files/uploads/{upload}/finish`: the file becomes a secret. Not sent
    /// again: a second finish finds no upload.
    pub async fn finish_upload(&self, upload: &str) -> Result<Created, Failure> {
        decode(
            self.call(
                Method::POST,
                &format!("/api/files/uploads/{upload}/finish"),
                None,
            )
            .await?,
        )
    }

    /// `GET` of a revealed file's content: `download` is a path on this server (under the
    /// link's path prefix, if any), or a full URL when the server knows its public
    /// address. The response, whose body comes in pieces.
    pub(super) async fn download(&self, download: &str) -> Result<reqwest::Response, Attempt> {
        let url = if download.starts_with("https://") || download.starts_with("http://") {
            download.to_owned()
        } else if download.starts_with('/') && !download.starts_with("//") {
            format!("{}{download}", self.base)
        } else {
            return Err(Attempt::Answered(Failure::Unavailable(
                "the server's answer is not burnbox's: the file's download is not a path or URL"
                    .into(),
            )));
        };
        // The ticket is the credential: the API key goes nowhere else (the download may
        // name another origin). The whole body may take long; a stalled one is caught
        // piece by piece.
        self.send(
            self.client
                .request(Method::GET, &url)
                .timeout(Duration::from_secs(24 * 3600)),
        )
        .await
    }

    /// `POST /api/requests`.
    pub async fn request(&self, body: Value) -> Result<Value, Failure> {
        self.call(Method::POST, "/api/requests", Some(body)).await
    }

    /// `GET /api/requests/{key}`: never consumes.
    pub async fn open_request(&self, key: &str) -> Result<Value, Failure> {
        self.call(Method::GET, &format!("/api/requests/{key}"), None)
            .await
    }

    /// `POST /api/requests/{key}/answer`: fills it, once.
    pub async fn answer(&self, key: &str, body: Value) -> Result<Value, Failure> {
        self.call(
            Method::POST,
            &format!("/api/requests/{key}/answer"),
            Some(body),
        )
        .await
    }

    /// `GET /api/receipts/{key}`, or its burn.
    pub async fn receipt(&self, key: &str, burn: bool) -> Result<Value, Failure> {
        if burn {
            self.call(Method::POST, &format!("/api/receipts/{key}/burn"), None)
                .await
        } else {
            self.call(Method::GET, &format!("/api/receipts/{key}"), None)
                .await
        }
    }
}

fn decode<T: serde::de::DeserializeOwned>(body: Value) -> Result<T, Failure> {
    serde_json::from_value(body).map_err(|_| {
        Failure::Unavailable(
            "the server's answer is not burnbox's: is this the right --server?".into(),
        )
    })
}

/// The last failure of a request retried for `elapsed`, saying so.
fn gave_up(failure: Failure, elapsed: Duration) -> Failure {
    let retried = format!("(gave up retrying after {:.1} s)", elapsed.as_secs_f64());
    match failure {
        Failure::Unavailable(message) => Failure::Unavailable(format!("{message} {retried}")),
        other => other,
    }
}

/// The error's own words and its causes', without the URL.
pub(super) fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The failure an error answer stands for; the message is the server's own.
fn failure(status: StatusCode, body: &Value, retry_after: Option<&str>) -> Failure {
    let message = body["message"]
        .as_str()
        .map_or_else(|| format!("the server answered {status}"), str::to_owned);
    match status.as_u16() {
        404 => Failure::NotFound("not found: already read, burned, expired, or never there".into()),
        403 if body["error"] == "wrong_passphrase" => {
            Failure::Passphrase(match body["attempts_left"].as_u64() {
                Some(0) => "wrong passphrase; no attempts are left, so the secret is burned".into(),
                Some(left) => format!(
                    "wrong passphrase; {left} attempt{} left",
                    if left == 1 { "" } else { "s" }
                ),
                None => "wrong passphrase".into(),
            })
        }
        403 if body["error"] == "passphrase_required" => Failure::Passphrase(
            "this secret needs a passphrase: --passphrase-file FILE or --passphrase-prompt".into(),
        ),
        429 | 503 => Failure::Unavailable(match retry_after {
            Some(seconds) => format!("{message}; retry after {seconds} s"),
            None => message,
        }),
        400..=499 => Failure::Usage(message),
        _ => Failure::Unavailable(format!("the server failed: {message}")),
    }
}
