//! The app under test: spawned in process (port 0) or as the real binary, and a client
//! for it.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use burnbox::config::Settings;
use burnbox::startup::Application;
use serde_json::Value;

use super::redis::SHARED_REDIS_URL;
use super::{Backend, capture_logs, free_port, hex, tls_provider};

/// A running app and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub key_prefix: String,
    pub redis_url: Option<String>,
}

/// Arguments every test app gets: port 0, one worker, cheap Argon2 (tests check the flow,
/// not the cost), and its own key prefix.
fn base_args(backend: Backend, key_prefix: &str, redis_url: &str) -> Vec<String> {
    let mut args: Vec<String> = [
        "burnbox",
        "--bind",
        "127.0.0.1:0",
        "--workers",
        "1",
        "--argon2-memory-kib",
        "64",
        "--argon2-iterations",
        "1",
        "--key-prefix",
        key_prefix,
        "--server-key",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
        "--redis-timeout-ms",
        "500",
    ]
    .iter()
    .map(|arg| (*arg).to_owned())
    .collect();
    if backend == Backend::Redis {
        args.extend(["--redis-url".to_owned(), redis_url.to_owned()]);
    }
    args
}

/// A fresh app on `backend` with default settings.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

/// A fresh app on `backend` with extra flags.
pub async fn spawn_app_with(backend: Backend, extra: &[&str]) -> TestApp {
    let redis_url = SHARED_REDIS_URL.clone();
    spawn_app_on(backend, &redis_url, extra).await
}

/// A fresh app on the Redis at `redis_url` (or memory) with extra flags.
pub async fn spawn_app_on(backend: Backend, redis_url: &str, extra: &[&str]) -> TestApp {
    capture_logs();
    tls_provider();
    let key_prefix = format!("test{}:", hex(&burnbox::crypto::random_array::<6>()));
    let mut args = base_args(backend, &key_prefix, redis_url);
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    let settings = Settings::from_args(args).expect("test settings parse");
    let application = Application::build(settings).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
        key_prefix,
        redis_url: (backend == Backend::Redis).then(|| redis_url.to_owned()),
    }
}

/// The real binary, serving in a process of its own (so its metrics registry and its log
/// are its own), on the shared test Redis; killed on drop.
pub struct ServedBinary {
    child: Child,
    log: std::path::PathBuf,
    pub app: TestApp,
}

impl ServedBinary {
    /// Everything the process wrote so far (its log: stdout and stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ServedBinary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Starts `burnbox` (the binary) on a free port, with `extra` variables on top of the
/// test defaults, and waits until it answers `/health`.
pub async fn serve_binary(extra: &[(&str, &str)]) -> ServedBinary {
    tls_provider();
    let redis_url = SHARED_REDIS_URL.clone();
    let port = free_port();
    let key_prefix = format!("bin{}:", hex(&burnbox::crypto::random_array::<6>()));
    let log =
        std::env::temp_dir().join(format!("burnbox-{}.log", key_prefix.trim_end_matches(':')));
    let output = std::fs::File::create(&log).expect("a log file");
    let child = Command::new(env!("CARGO_BIN_EXE_burnbox"))
        .env_clear()
        .env("BURNBOX_BIND", format!("127.0.0.1:{port}"))
        .env("BURNBOX_REDIS_URL", &redis_url)
        .env(
            "BURNBOX_SERVER_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
        )
        .env("BURNBOX_KEY_PREFIX", &key_prefix)
        .env("BURNBOX_WORKERS", "1")
        .env("BURNBOX_ARGON2_MEMORY_KIB", "64")
        .env("BURNBOX_ARGON2_ITERATIONS", "1")
        .envs(extra.iter().copied())
        .stdout(Stdio::from(output.try_clone().expect("the log file")))
        .stderr(Stdio::from(output))
        .spawn()
        .expect("the burnbox binary runs");
    let app = TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
        key_prefix,
        redis_url: Some(redis_url),
    };
    let served = ServedBinary { child, log, app };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let health = served
            .app
            .client
            .get(served.app.url("/health"))
            .send()
            .await;
        if health.is_ok_and(|response| response.status().is_success()) {
            return served;
        }
        assert!(Instant::now() < deadline, "the binary did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `count` app instances on the Redis Cluster at `nodes`, sharing one key prefix: what a
/// load balancer spreads requests over.
pub async fn spawn_cluster_apps(nodes: &[String], count: usize, extra: &[&str]) -> Vec<TestApp> {
    let key_prefix = format!("cluster{}:", hex(&burnbox::crypto::random_array::<6>()));
    let nodes = nodes.join(",");
    let mut apps = Vec::new();
    for _ in 0..count {
        let mut args = extra.to_vec();
        args.extend(["--redis-cluster-nodes", &nodes, "--key-prefix", &key_prefix]);
        let mut app = spawn_app_on(Backend::Memory, "", &args).await;
        app.key_prefix.clone_from(&key_prefix);
        apps.push(app);
    }
    apps
}

/// A response's status, headers and JSON body (`Null` when empty).
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Reads a response made outside the [`TestApp`] helpers.
    pub async fn from_response(response: reqwest::Response) -> Self {
        Self::from(response).await
    }

    async fn from(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        Self {
            status,
            headers,
            body,
        }
    }

    /// The header's value, or "" when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
    }

    /// A string field of the body.
    pub fn field(&self, name: &str) -> String {
        self.body[name]
            .as_str()
            .unwrap_or_else(|| panic!("no string field {name} in {}", self.body))
            .to_owned()
    }

    /// Asserts the error shape and code, and returns self for more checks.
    pub fn assert_error(&self, status: u16, code: &str) -> &Self {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.body["error"], code, "body: {}", self.body);
        assert!(
            self.body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "error without message: {}",
            self.body
        );
        assert!(
            self.header("content-type").starts_with("application/json"),
            "error is not JSON"
        );
        self
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Reply {
        Reply::from(
            self.client
                .get(self.url(path))
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        Reply::from(
            self.client
                .delete(self.url(path))
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        Reply::from(
            self.client
                .post(self.url(path))
                .json(&body)
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    pub async fn post_empty(&self, path: &str) -> Reply {
        Reply::from(
            self.client
                .post(self.url(path))
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        Reply::from(
            self.client
                .post(self.url(path))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    /// Any request, with an optional bearer credential and JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.client.request(method, self.url(path));
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Reply::from(request.send().await.expect("request")).await
    }

    /// Creates a secret and asserts 201.
    pub async fn create_secret(&self, body: Value) -> Created {
        let reply = self.post("/api/secrets", body).await;
        assert_eq!(reply.status, 201, "create failed: {}", reply.body);
        Created {
            secret_key: reply.field("secret_key"),
            receipt_key: reply.field("receipt_key"),
        }
    }

    /// Reveals with an optional passphrase.
    pub async fn reveal(&self, secret_key: &str, passphrase: Option<&str>) -> Reply {
        let path = format!("/api/secrets/{secret_key}/reveal");
        match passphrase {
            Some(passphrase) => {
                self.post(&path, serde_json::json!({ "passphrase": passphrase }))
                    .await
            }
            None => self.post_empty(&path).await,
        }
    }

    pub async fn receipt_state(&self, receipt_key: &str) -> String {
        let reply = self.get(&format!("/api/receipts/{receipt_key}")).await;
        assert_eq!(reply.status, 200, "receipt: {}", reply.body);
        reply.field("state")
    }

    /// A client connection to this app's Redis.
    pub async fn redis(&self) -> redis::aio::MultiplexedConnection {
        let url = self.redis_url.as_deref().expect("a Redis-backed app");
        redis::Client::open(url)
            .expect("url")
            .get_multiplexed_async_connection()
            .await
            .expect("connects")
    }

    /// Commands this app's Redis ran since the last [`Self::reset_command_stats`], by name
    /// (`get`, `bitfield`, …), as Redis counts them (`INFO commandstats`).
    pub async fn commands_since_reset(&self) -> std::collections::BTreeMap<String, u64> {
        let mut redis = self.redis().await;
        let info: String = redis::cmd("INFO")
            .arg("commandstats")
            .query_async(&mut redis)
            .await
            .expect("INFO");
        info.lines()
            .filter_map(|line| {
                let (name, stats) = line.strip_prefix("cmdstat_")?.split_once(':')?;
                let calls = stats
                    .split(',')
                    .find_map(|pair| pair.strip_prefix("calls="))?;
                Some((name.to_owned(), calls.parse().ok()?))
            })
            // The counting itself, and the test's own connection setup.
            .filter(|(name, _)| {
                !["info", "config|resetstat", "hello", "client|setinfo"].contains(&name.as_str())
            })
            .collect()
    }

    /// Zeroes the command counts of this app's Redis (`CONFIG RESETSTAT`).
    pub async fn reset_command_stats(&self) {
        let mut redis = self.redis().await;
        let _: () = redis::cmd("CONFIG")
            .arg("RESETSTAT")
            .query_async(&mut redis)
            .await
            .expect("RESETSTAT");
    }
}

/// Asserts that of racing reveals (status, body) exactly one got the secret — whose body
/// holds `secret` — and every other was told 404. With a passphrase, no more guesses are
/// checked at once than the secret has attempts: the rest are told 429, retry shortly.
pub fn assert_one_winner(results: &[(u16, String)], secret: &str, passphrase: Option<&str>) {
    let winners: Vec<_> = results
        .iter()
        .filter(|(status, _)| *status == 200)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(winners[0].1.contains(secret), "{results:?}");
    let busy = |status: u16, body: &str| {
        passphrase.is_some() && status == 429 && body.contains("rate_limited")
    };
    assert!(
        results
            .iter()
            .all(|(status, body)| *status == 200 || *status == 404 || busy(*status, body)),
        "{results:?}"
    );
}

/// The keys of a created secret.
pub struct Created {
    pub secret_key: String,
    pub receipt_key: String,
}

/// A client whose connections come from the loopback address `source` (`127.0.0.x`): a
/// distinct client as the proxy sees it.
pub fn client_from(source: &str) -> reqwest::Client {
    tls_provider();
    reqwest::Client::builder()
        .local_address(source.parse::<std::net::IpAddr>().expect("an address"))
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// A session of an account that may log in (asserted granted, never cached).
pub async fn session(app: &TestApp, email: &str, password: &str) -> String {
    let reply = app
        .post(
            "/api/sessions",
            serde_json::json!({"email": email, "password": password}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.header("cache-control"), "no-store");
    reply.field("session_token")
}

/// A new API key with `scopes` (a JSON array) for the account signed in with `token`.
pub async fn api_key(app: &TestApp, token: &str, scopes: Value) -> String {
    let reply = app
        .send(
            reqwest::Method::POST,
            "/api/me/api-keys",
            Some(token),
            Some(serde_json::json!({"name": "ci", "scopes": scopes})),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let key = reply.field("key");
    assert!(key.starts_with("bbk_"));
    key
}
