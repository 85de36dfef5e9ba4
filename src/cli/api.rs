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

/// Why one attempt failed: an answer to act on, or none (a transport error, a 5xx, a body
/// that broke off), which a retry may still get.
enum Attempt {
    Answered(Failure),
    Lost(Failure),
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
}

/// What a reveal answers.
#[derive(Debug, Deserialize)]
pub struct Revealed {
    /// The secret, or its envelope.
    pub secret: String,
    /// Whether `secret` is an envelope.
    #[serde(default)]
    pub e2e: bool,
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
        let started = Instant::now();
        let mut wait = FIRST_WAIT;
        loop {
            match self
                .attempt(method.clone(), path, body.as_ref(), headers)
                .await
            {
                Ok(value) => return Ok(value),
                Err(Attempt::Answered(failure)) => return Err(failure),
                Err(Attempt::Lost(failure)) if started.elapsed() + wait > self.retry_for => {
                    return Err(if self.retry_for.is_zero() {
                        failure
                    } else {
                        gave_up(failure, started.elapsed())
                    });
                }
                Err(Attempt::Lost(_)) => {
                    if !self.retry_told.swap(true, Ordering::Relaxed) {
                        eprintln!("burnbox: connection lost, retrying…");
                    }
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(LONGEST_WAIT);
                }
            }
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
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        // reqwest's errors name the URL, and a URL here holds a key: never show it.
        let response = request.send().await.map_err(|error| {
            Attempt::Lost(Failure::Unavailable(format!(
                "cannot reach {}: {}",
                self.base,
                describe(&error.without_url())
            )))
        })?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.map_err(|error| {
            Attempt::Lost(Failure::Unavailable(format!(
                "the answer broke off: {}",
                describe(&error.without_url())
            )))
        })?;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(body);
        }
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
        let mut headers = vec![("Idempotency-Key", idempotency)];
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
fn describe(error: &reqwest::Error) -> String {
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
