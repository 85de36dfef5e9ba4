//! The client side of burnbox's JSON API, over reqwest with rustls (ring, as the server
//! uses), certificates always verified.

use std::path::Path;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;

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
        })
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
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        // reqwest's errors name the URL, and a URL here holds a key: never show it.
        let response = request.send().await.map_err(|error| {
            Failure::Unavailable(format!(
                "cannot reach {}: {}",
                self.base,
                describe(&error.without_url())
            ))
        })?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.map_err(|error| {
            Failure::Unavailable(format!(
                "the answer broke off: {}",
                describe(&error.without_url())
            ))
        })?;
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(body);
        }
        Err(failure(status, &body, retry_after.as_deref()))
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

    /// `GET /api/secrets/{key}`: never consumes.
    pub async fn status(&self, key: &str) -> Result<Status, Failure> {
        decode(
            self.call(Method::GET, &format!("/api/secrets/{key}"), None)
                .await?,
        )
    }

    /// `POST /api/secrets/{key}/reveal`: consumes.
    pub async fn reveal(&self, key: &str, passphrase: Option<&str>) -> Result<Revealed, Failure> {
        let body = match passphrase {
            Some(passphrase) => serde_json::json!({ "passphrase": passphrase }),
            None => serde_json::json!({}),
        };
        decode(
            self.call(
                Method::POST,
                &format!("/api/secrets/{key}/reveal"),
                Some(body),
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
