//! Configuration: one [`Settings`] struct read from `BURNBOX_*` variables or matching
//! flags, validated at start. Every error names the variable at fault and never repeats
//! a value that may be secret (the server key, a Redis URL with a password).

use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use clap::{Parser, Subcommand};

use crate::crypto::KdfParams;
use crate::domain::limits::RatePolicy;
use crate::domain::{CodePurpose, Email, Password, TtlPolicy};
use crate::network::{ClientIpPolicy, ForwardedHeader, Networks};
use crate::store::redis::RedisTopology;

/// Bytes of key material required in `BURNBOX_SERVER_KEY`.
pub const SERVER_KEY_BYTES: usize = 32;

/// Command line: an optional subcommand and the settings.
#[derive(Debug, Parser)]
#[command(
    name = "burnbox",
    version,
    about = "One-time secrets over Redis: the server, and its command-line client",
    after_help = "Serve: `burnbox` (settings below). Share: `echo hunter2 | burnbox share --ttl 10m`.\nOpen: `burnbox open - < link.txt` (or `burnbox open <link>`). `burnbox <command> --help` tells more.",
    args_override_self = true
)]
pub struct Cli {
    /// What to do; serving is the default.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// The service's settings.
    #[command(
        flatten,
        next_help_heading = "Server settings (for serving; each also a BURNBOX_* variable)"
    )]
    pub settings: Settings,
}

/// The subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Share a secret from stdin or a file, encrypted on this machine: prints the link.
    #[command(
        after_help = "Example:\n  echo hunter2 | burnbox share --ttl 10m\n  burnbox share --passphrase-prompt < key.pem"
    )]
    Share(crate::cli::ShareArgs),
    /// Open a link: the secret goes to stdout, once.
    #[command(
        after_help = "Example:\n  printf '%s\\n' \"$LINK\" | burnbox open - | docker login --password-stdin registry.example\n\nWith `-`, the link comes from stdin, out of sight of other local users (`ps`) and of\nshell history (printf is a shell builtin: no process of its own shows the link).\n\nExit codes: 0 done, 1 not found (already read, burned or expired), 2 usage,\n3 wrong or missing passphrase, 4 rate limited or unavailable."
    )]
    Open(crate::cli::OpenArgs),
    /// Show what happened to a shared secret, or burn it unread.
    Receipt(crate::cli::ReceiptArgs),
    /// Ask someone for a secret: prints the link to send them; the link that reads their
    /// answer (its key made on this machine) goes to stderr.
    #[command(after_help = "Example:\n  burnbox request --note 'the staging DB password' --ttl 1d")]
    Request(crate::cli::RequestArgs),
    /// Fill a request from stdin or a file, sealed on this machine to the requester's key.
    #[command(
        after_help = "Example:\n  printf '%s\\n' \"$REQUEST_LINK\" | burnbox answer - password.txt\n\nWith `-`, the link comes from stdin and the secret from FILE: a link on the command\nline is visible to other local users (`ps`), who could answer first, and stays in\nshell history."
    )]
    Answer(crate::cli::AnswerArgs),
    /// Exit 0 when the server at BURNBOX_BIND answers `GET /health` (for container checks).
    Healthcheck,
    /// Print the OpenAPI document and exit.
    Openapi,
}

/// Every setting, with its variable and default. A flag given twice takes the last value.
#[derive(Debug, Clone, Parser)]
#[command(args_override_self = true)]
pub struct Settings {
    /// Address to listen on.
    #[arg(
        long,
        env = "BURNBOX_BIND",
        value_name = "BURNBOX_BIND",
        default_value = "127.0.0.1:8080"
    )]
    pub bind: SocketAddr,
    /// Redis URL (`redis://[:password@]host:port[/db]`, `rediss://` for TLS); unset = in-memory store.
    #[arg(
        long,
        env = "BURNBOX_REDIS_URL",
        value_name = "BURNBOX_REDIS_URL",
        hide_env_values = true
    )]
    pub redis_url: Option<String>,
    /// Redis Cluster seed nodes, comma-separated URLs (`redis://h1:7000,redis://h2:7001`);
    /// replaces BURNBOX_REDIS_URL.
    #[arg(
        long,
        env = "BURNBOX_REDIS_CLUSTER_NODES",
        value_name = "BURNBOX_REDIS_CLUSTER_NODES",
        hide_env_values = true
    )]
    pub redis_cluster_nodes: Option<String>,
    /// Redis Sentinels that name the master, comma-separated `host:port` (or
    /// `redis://[user:password@]host:port`, `rediss://` for TLS); BURNBOX_REDIS_URL, when
    /// set, then gives only the scheme, user, password and db for the master.
    #[arg(
        long,
        env = "BURNBOX_REDIS_SENTINELS",
        value_name = "BURNBOX_REDIS_SENTINELS",
        hide_env_values = true
    )]
    pub redis_sentinels: Option<String>,
    /// The name the Sentinels monitor the master under (`sentinel monitor <name> …`).
    #[arg(
        long,
        env = "BURNBOX_REDIS_SENTINEL_MASTER",
        value_name = "BURNBOX_REDIS_SENTINEL_MASTER"
    )]
    pub redis_sentinel_master: Option<String>,
    /// PEM file of the CA that signed the Redis server's certificate (`rediss://` with a
    /// private CA); unset = the system's trusted roots.
    #[arg(
        long,
        env = "BURNBOX_REDIS_CA_FILE",
        value_name = "BURNBOX_REDIS_CA_FILE"
    )]
    pub redis_ca_file: Option<std::path::PathBuf>,
    /// Prefix of every Redis key.
    #[arg(
        long,
        env = "BURNBOX_KEY_PREFIX",
        value_name = "BURNBOX_KEY_PREFIX",
        default_value = "burnbox:"
    )]
    pub key_prefix: String,
    /// Server key, base64 of at least 32 bytes (e.g. `openssl rand -base64 32`); required
    /// with Redis; unset with the memory store = random per process.
    #[arg(
        long,
        env = "BURNBOX_SERVER_KEY",
        value_name = "BURNBOX_SERVER_KEY",
        hide_env_values = true
    )]
    pub server_key: Option<String>,
    /// Default secret TTL in seconds.
    #[arg(
        long,
        env = "BURNBOX_TTL_DEFAULT",
        value_name = "BURNBOX_TTL_DEFAULT",
        default_value_t = 604_800
    )]
    pub ttl_default: u64,
    /// Shortest TTL a client may ask for, in seconds.
    #[arg(
        long,
        env = "BURNBOX_TTL_MIN",
        value_name = "BURNBOX_TTL_MIN",
        default_value_t = 60
    )]
    pub ttl_min: u64,
    /// Longest TTL a client may ask for, in seconds.
    #[arg(
        long,
        env = "BURNBOX_TTL_MAX",
        value_name = "BURNBOX_TTL_MAX",
        default_value_t = 2_592_000
    )]
    pub ttl_max: u64,
    /// How long a receipt outlives its secret, in seconds.
    #[arg(
        long,
        env = "BURNBOX_RECEIPT_GRACE",
        value_name = "BURNBOX_RECEIPT_GRACE",
        default_value_t = 604_800
    )]
    pub receipt_grace: u64,
    /// Largest secret in bytes (UTF-8).
    #[arg(
        long,
        env = "BURNBOX_MAX_SECRET_BYTES",
        value_name = "BURNBOX_MAX_SECRET_BYTES",
        default_value_t = 65_536
    )]
    pub max_secret_bytes: usize,
    /// Wrong passphrases allowed per secret (all callers together) before it is burned.
    #[arg(
        long,
        env = "BURNBOX_PASSPHRASE_ATTEMPTS",
        value_name = "BURNBOX_PASSPHRASE_ATTEMPTS",
        default_value_t = 5
    )]
    pub passphrase_attempts: u32,
    /// Default token TTL in seconds.
    #[arg(
        long,
        env = "BURNBOX_TOKEN_TTL_DEFAULT",
        value_name = "BURNBOX_TOKEN_TTL_DEFAULT",
        default_value_t = 900
    )]
    pub token_ttl_default: u64,
    /// Longest token TTL in seconds (the shortest is BURNBOX_TTL_MIN).
    #[arg(
        long,
        env = "BURNBOX_TOKEN_TTL_MAX",
        value_name = "BURNBOX_TOKEN_TTL_MAX",
        default_value_t = 86_400
    )]
    pub token_ttl_max: u64,
    /// Largest token claims object, serialized, in bytes.
    #[arg(
        long,
        env = "BURNBOX_MAX_CLAIMS_BYTES",
        value_name = "BURNBOX_MAX_CLAIMS_BYTES",
        default_value_t = 4096
    )]
    pub max_claims_bytes: usize,
    /// Networks (CIDRs, comma-separated) allowed to mint and verify tokens and codes.
    #[arg(
        long,
        env = "BURNBOX_TRUSTED_NETWORKS",
        value_name = "BURNBOX_TRUSTED_NETWORKS",
        default_value = "127.0.0.0/8,::1/128"
    )]
    pub trusted_networks: Networks,
    /// Reverse proxies (CIDRs, comma-separated) whose forwarding header is believed.
    #[arg(
        long,
        env = "BURNBOX_TRUSTED_PROXIES",
        value_name = "BURNBOX_TRUSTED_PROXIES",
        default_value = ""
    )]
    pub trusted_proxies: Networks,
    /// The header the trusted proxies write.
    #[arg(long, env = "BURNBOX_FORWARDED_HEADER", value_name = "BURNBOX_FORWARDED_HEADER", value_enum, default_value_t = ForwardedHeader::XForwardedFor)]
    pub forwarded_header: ForwardedHeader,
    /// Requests per minute per client address over all /api routes (0 = no limit).
    #[arg(
        long,
        env = "BURNBOX_RATE_LIMIT_PER_MINUTE",
        value_name = "BURNBOX_RATE_LIMIT_PER_MINUTE",
        default_value_t = 600
    )]
    pub rate_limit_per_minute: u32,
    /// Secret creations per minute per client address (0 = no limit).
    #[arg(
        long,
        env = "BURNBOX_RATE_LIMIT_CREATE_PER_MINUTE",
        value_name = "BURNBOX_RATE_LIMIT_CREATE_PER_MINUTE",
        default_value_t = 60
    )]
    pub rate_limit_create_per_minute: u32,
    /// Reveal attempts per minute per client address (0 = no limit).
    #[arg(
        long,
        env = "BURNBOX_RATE_LIMIT_REVEAL_PER_MINUTE",
        value_name = "BURNBOX_RATE_LIMIT_REVEAL_PER_MINUTE",
        default_value_t = 60
    )]
    pub rate_limit_reveal_per_minute: u32,
    /// Wrong passphrases per hour per client address, across all secrets (0 = no limit).
    #[arg(
        long,
        env = "BURNBOX_PASSPHRASE_FAILURES_PER_HOUR",
        value_name = "BURNBOX_PASSPHRASE_FAILURES_PER_HOUR",
        default_value_t = 30
    )]
    pub passphrase_failures_per_hour: u32,
    /// IPv6 clients are limited per network of this prefix length, not per address
    /// (IPv4 clients per address).
    #[arg(
        long,
        env = "BURNBOX_RATE_LIMIT_IPV6_PREFIX",
        value_name = "BURNBOX_RATE_LIMIT_IPV6_PREFIX",
        default_value_t = 64
    )]
    pub rate_limit_ipv6_prefix: u8,
    /// Origins (comma-separated, e.g. https://app.example) allowed cross-origin access.
    #[arg(
        long,
        env = "BURNBOX_CORS_ORIGINS",
        value_name = "BURNBOX_CORS_ORIGINS",
        default_value = ""
    )]
    pub cors_origins: CorsOrigins,
    /// The address people open (e.g. https://secrets.example.org); when set, created
    /// secrets also answer `share_url` and `receipt_url`. Never taken from `Host`.
    #[arg(long, env = "BURNBOX_PUBLIC_URL", value_name = "BURNBOX_PUBLIC_URL")]
    pub public_url: Option<PublicUrl>,
    /// Milliseconds a client has to send its request head; slower clients are dropped.
    #[arg(
        long,
        env = "BURNBOX_CLIENT_TIMEOUT_MS",
        value_name = "BURNBOX_CLIENT_TIMEOUT_MS",
        default_value_t = 5000
    )]
    pub client_timeout_ms: u64,
    /// Seconds an idle keep-alive connection stays open.
    #[arg(
        long,
        env = "BURNBOX_KEEP_ALIVE_SECS",
        value_name = "BURNBOX_KEEP_ALIVE_SECS",
        default_value_t = 15
    )]
    pub keep_alive_secs: u64,
    /// Concurrent connections per HTTP worker; more wait in the accept backlog.
    #[arg(
        long,
        env = "BURNBOX_MAX_CONNECTIONS",
        value_name = "BURNBOX_MAX_CONNECTIONS",
        default_value_t = 10_000
    )]
    pub max_connections: usize,
    /// Argon2id memory cost in KiB.
    #[arg(long, env = "BURNBOX_ARGON2_MEMORY_KIB", value_name = "BURNBOX_ARGON2_MEMORY_KIB", default_value_t = KdfParams::OWASP.memory_kib)]
    pub argon2_memory_kib: u32,
    /// Argon2id iterations.
    #[arg(long, env = "BURNBOX_ARGON2_ITERATIONS", value_name = "BURNBOX_ARGON2_ITERATIONS", default_value_t = KdfParams::OWASP.iterations)]
    pub argon2_iterations: u32,
    /// Argon2id lanes.
    #[arg(long, env = "BURNBOX_ARGON2_PARALLELISM", value_name = "BURNBOX_ARGON2_PARALLELISM", default_value_t = KdfParams::OWASP.parallelism)]
    pub argon2_parallelism: u32,
    /// Argon2 hashes run at once (0 = number of cores).
    #[arg(
        long,
        env = "BURNBOX_ARGON2_WORKERS",
        value_name = "BURNBOX_ARGON2_WORKERS",
        default_value_t = 0
    )]
    pub argon2_workers: usize,
    /// Argon2 requests allowed to wait for a worker; beyond that: 503 with Retry-After.
    #[arg(
        long,
        env = "BURNBOX_ARGON2_QUEUE",
        value_name = "BURNBOX_ARGON2_QUEUE",
        default_value_t = 64
    )]
    pub argon2_queue: usize,
    /// Upper bound in milliseconds for one Redis operation, connecting included.
    #[arg(
        long,
        env = "BURNBOX_REDIS_TIMEOUT_MS",
        value_name = "BURNBOX_REDIS_TIMEOUT_MS",
        default_value_t = 1000
    )]
    pub redis_timeout_ms: u64,
    /// Replicas that must acknowledge a reveal, burn, token or code use (Redis `WAIT`)
    /// before the answer leaves: `auto` (every replica the masters report, never lowered;
    /// 0 while none was seen) or a number (takes answer 503 `not_durable` when fewer
    /// acknowledge, and take nothing when fewer are online).
    #[arg(
        long,
        env = "BURNBOX_CONSUME_ACK_REPLICAS",
        value_name = "BURNBOX_CONSUME_ACK_REPLICAS",
        default_value = "auto"
    )]
    pub consume_ack_replicas: crate::store::redis::AckReplicas,
    /// Milliseconds a take waits for those acknowledgments before answering 503.
    #[arg(
        long,
        env = "BURNBOX_CONSUME_ACK_TIMEOUT_MS",
        value_name = "BURNBOX_CONSUME_ACK_TIMEOUT_MS",
        default_value_t = 100
    )]
    pub consume_ack_timeout_ms: u64,
    /// Also wait until the master has written each take to its append-only file (Redis
    /// `WAITAOF`, 7.2 or newer, with `appendonly yes`): exactly once through a restart
    /// even with `appendfsync everysec`. Refused at start on a Redis without `WAITAOF`.
    #[arg(
        long,
        env = "BURNBOX_CONSUME_ACK_FSYNC",
        value_name = "BURNBOX_CONSUME_ACK_FSYNC",
        default_value = "false",
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::Set
    )]
    pub consume_ack_fsync: bool,
    /// SMTP server for verification codes (`smtp://host:587?tls=required`,
    /// `smtps://user:pass@host`, `smtp://127.0.0.1:2525` for a local relay); unset = codes
    /// are written to the log (development only).
    #[arg(
        long,
        env = "BURNBOX_SMTP_URL",
        value_name = "BURNBOX_SMTP_URL",
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
    /// Sender of the mails (`burnbox <no-reply@example.com>`).
    #[arg(
        long,
        env = "BURNBOX_MAIL_FROM",
        value_name = "BURNBOX_MAIL_FROM",
        default_value = "burnbox <burnbox@localhost>"
    )]
    pub mail_from: String,
    /// Seconds a verification code lives.
    #[arg(
        long,
        env = "BURNBOX_CODE_TTL",
        value_name = "BURNBOX_CODE_TTL",
        default_value_t = 900
    )]
    pub code_ttl: u64,
    /// Wrong entries one client (address, or IPv6 network) may make at a code.
    #[arg(
        long,
        env = "BURNBOX_CODE_ATTEMPTS",
        value_name = "BURNBOX_CODE_ATTEMPTS",
        default_value_t = 5
    )]
    pub code_attempts: u32,
    /// Wrong entries from all clients together before a code dies (at most 10).
    #[arg(
        long,
        env = "BURNBOX_CODE_ATTEMPTS_TOTAL",
        value_name = "BURNBOX_CODE_ATTEMPTS_TOTAL",
        default_value_t = 10
    )]
    pub code_attempts_total: u32,
    /// Seconds before another code may be sent to the same recipient and purpose.
    #[arg(
        long,
        env = "BURNBOX_CODE_COOLDOWN",
        value_name = "BURNBOX_CODE_COOLDOWN",
        default_value_t = 60
    )]
    pub code_cooldown: u64,
    /// Purposes (comma-separated) that /api/codes takes and names in its mails; unset:
    /// any purpose, named in no mail (a caller's words never reach a recipient).
    #[arg(
        long,
        env = "BURNBOX_CODE_PURPOSES",
        value_name = "BURNBOX_CODE_PURPOSES",
        default_value = ""
    )]
    pub code_purposes: CodePurposes,
    /// Seconds a login session lives.
    #[arg(
        long,
        env = "BURNBOX_SESSION_TTL",
        value_name = "BURNBOX_SESSION_TTL",
        default_value_t = 28_800
    )]
    pub session_ttl: u64,
    /// Seconds an unconfirmed registration lives; then its address is free again.
    #[arg(
        long,
        env = "BURNBOX_PENDING_ACCOUNT_TTL",
        value_name = "BURNBOX_PENDING_ACCOUNT_TTL",
        default_value_t = 86_400
    )]
    pub pending_account_ttl: u64,
    /// Wrong passwords per account address (known or not) within BURNBOX_LOGIN_LOCKOUT_SECONDS,
    /// from all clients together, before its logins are refused (0 = no limit).
    #[arg(
        long,
        env = "BURNBOX_LOGIN_FAILURES_PER_ACCOUNT",
        value_name = "BURNBOX_LOGIN_FAILURES_PER_ACCOUNT",
        default_value_t = 10
    )]
    pub login_failures_per_account: u32,
    /// The sliding window of that budget, in seconds.
    #[arg(
        long,
        env = "BURNBOX_LOGIN_LOCKOUT_SECONDS",
        value_name = "BURNBOX_LOGIN_LOCKOUT_SECONDS",
        default_value_t = 900
    )]
    pub login_lockout_seconds: u64,
    /// Shortest account password, in characters.
    #[arg(
        long,
        env = "BURNBOX_PASSWORD_MIN_LENGTH",
        value_name = "BURNBOX_PASSWORD_MIN_LENGTH",
        default_value_t = 10
    )]
    pub password_min_length: usize,
    /// Email of the first admin, created at start when no account has it (with
    /// BURNBOX_ADMIN_PASSWORD); an existing account is never changed.
    #[arg(long, env = "BURNBOX_ADMIN_EMAIL", value_name = "BURNBOX_ADMIN_EMAIL")]
    pub admin_email: Option<String>,
    /// Password of that admin account when it is created.
    #[arg(
        long,
        env = "BURNBOX_ADMIN_PASSWORD",
        value_name = "BURNBOX_ADMIN_PASSWORD",
        hide_env_values = true
    )]
    pub admin_password: Option<String>,
    /// Audit log entries kept in each of its two parts, admin actions and activity (the
    /// oldest go first).
    #[arg(
        long,
        env = "BURNBOX_AUDIT_MAX_ENTRIES",
        value_name = "BURNBOX_AUDIT_MAX_ENTRIES",
        default_value_t = 100_000
    )]
    pub audit_max_entries: usize,
    /// Seconds a stopping server (SIGTERM) waits for requests in flight before it exits.
    #[arg(
        long,
        env = "BURNBOX_SHUTDOWN_TIMEOUT",
        value_name = "BURNBOX_SHUTDOWN_TIMEOUT",
        default_value_t = 30
    )]
    pub shutdown_timeout: u64,
    /// HTTP worker threads (0 = number of cores).
    #[arg(
        long,
        env = "BURNBOX_WORKERS",
        value_name = "BURNBOX_WORKERS",
        default_value_t = 0
    )]
    pub workers: usize,
}

/// Origins allowed cross-origin access, e.g. `https://app.example,http://localhost:3000`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsOrigins(pub Vec<String>);

impl std::str::FromStr for CorsOrigins {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|origin| !origin.is_empty())
            .map(|origin| {
                let rest = origin
                    .strip_prefix("https://")
                    .or_else(|| origin.strip_prefix("http://"))
                    .filter(|host| !host.is_empty() && !host.contains(['/', ' ', '*']))
                    .ok_or_else(|| {
                        format!("`{origin}` is not an origin such as https://app.example (scheme and host, no path)")
                    })?;
                Ok(format!("{}{rest}", &origin[..origin.len() - rest.len()]))
            })
            .collect::<Result<_, String>>()
            .map(Self)
    }
}

/// `BURNBOX_CODE_PURPOSES`: the purposes `/api/codes` accepts; empty when any is taken.
#[derive(Debug, Clone, Default)]
pub struct CodePurposes(pub Vec<CodePurpose>);

impl std::str::FromStr for CodePurposes {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|purpose| !purpose.is_empty())
            .map(|purpose| {
                CodePurpose::parse(Some(purpose)).map_err(|error| {
                    format!("`{purpose}` is not a code purpose: {}", error.message)
                })
            })
            .collect::<Result<_, String>>()
            .map(Self)
    }
}

/// The origin links are built on: scheme, host and port, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(String);

impl PublicUrl {
    /// The origin, e.g. `https://secrets.example.org`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Plain `http://` on a host other than this machine: pages there can be rewritten
    /// on the way, and browsers offer no WebCrypto to them.
    pub fn is_plain_http_elsewhere(&self) -> bool {
        let Some(host) = self.0.strip_prefix("http://") else {
            return false;
        };
        let host = if host.ends_with(']') {
            host
        } else {
            host.rsplit_once(':').map_or(host, |(host, _port)| host)
        };
        !["localhost", "127.0.0.1", "[::1]"].contains(&host)
    }
}

impl std::str::FromStr for PublicUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let trimmed = text.trim().trim_end_matches('/');
        let host = trimmed
            .strip_prefix("https://")
            .or_else(|| trimmed.strip_prefix("http://"))
            .filter(|host| {
                !host.is_empty()
                    && host
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
            });
        match host {
            Some(_) => Ok(Self(trimmed.to_owned())),
            None => Err(format!(
                "`{text}` is not a URL such as https://secrets.example.org (scheme, host and port; no path, query or user)"
            )),
        }
    }
}

/// A setting that cannot be used; the message names its variable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    /// The variable at fault.
    pub variable: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

/// A configuration error naming `variable`.
pub fn config_error(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

/// The server's own key, decoded; used for keyed hashes (verification codes).
#[derive(Clone)]
pub struct ServerKey([u8; SERVER_KEY_BYTES]);

impl ServerKey {
    /// A random key, for development when none is configured.
    pub fn generate() -> Self {
        Self(crate::crypto::random_array())
    }

    /// The key bytes.
    pub fn as_bytes(&self) -> &[u8; SERVER_KEY_BYTES] {
        &self.0
    }
}

impl std::fmt::Debug for ServerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKey(<redacted>)")
    }
}

impl Settings {
    /// Settings from flags and the environment; on error clap prints usage and exits.
    pub fn from_args<I, T>(args: I) -> Result<Self, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        Self::try_parse_from(args)
    }

    /// Checks what types alone cannot: bounds, relations between settings, formats.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.ttl_min == 0 {
            return Err(config_error("BURNBOX_TTL_MIN", "must be at least 1 second"));
        }
        if self.ttl_max < self.ttl_min {
            return Err(config_error(
                "BURNBOX_TTL_MAX",
                "must not be below BURNBOX_TTL_MIN",
            ));
        }
        if !(self.ttl_min..=self.ttl_max).contains(&self.ttl_default) {
            return Err(config_error(
                "BURNBOX_TTL_DEFAULT",
                "must lie between BURNBOX_TTL_MIN and BURNBOX_TTL_MAX",
            ));
        }
        if self.token_ttl_max < self.ttl_min {
            return Err(config_error(
                "BURNBOX_TOKEN_TTL_MAX",
                "must not be below BURNBOX_TTL_MIN",
            ));
        }
        if !(self.ttl_min..=self.token_ttl_max).contains(&self.token_ttl_default) {
            return Err(config_error(
                "BURNBOX_TOKEN_TTL_DEFAULT",
                "must lie between BURNBOX_TTL_MIN and BURNBOX_TOKEN_TTL_MAX",
            ));
        }
        if self.max_claims_bytes == 0 {
            return Err(config_error(
                "BURNBOX_MAX_CLAIMS_BYTES",
                "must be at least 1",
            ));
        }
        if self.max_secret_bytes == 0 || self.max_secret_bytes > 16 * 1024 * 1024 {
            return Err(config_error(
                "BURNBOX_MAX_SECRET_BYTES",
                "must be between 1 and 16777216",
            ));
        }
        if self.passphrase_attempts == 0 {
            return Err(config_error(
                "BURNBOX_PASSPHRASE_ATTEMPTS",
                "must be at least 1",
            ));
        }
        if self.key_prefix.contains(['{', '}']) {
            return Err(config_error(
                "BURNBOX_KEY_PREFIX",
                "must not contain '{' or '}': burnbox places its own cluster hash tags",
            ));
        }
        if !(1..=128).contains(&self.rate_limit_ipv6_prefix) {
            return Err(config_error(
                "BURNBOX_RATE_LIMIT_IPV6_PREFIX",
                "must be a prefix length from 1 to 128",
            ));
        }
        if self.client_timeout_ms == 0 {
            return Err(config_error(
                "BURNBOX_CLIENT_TIMEOUT_MS",
                "must be at least 1",
            ));
        }
        if self.max_connections == 0 {
            return Err(config_error(
                "BURNBOX_MAX_CONNECTIONS",
                "must be at least 1",
            ));
        }
        if self.redis_timeout_ms == 0 {
            return Err(config_error(
                "BURNBOX_REDIS_TIMEOUT_MS",
                "must be at least 1",
            ));
        }
        if self.kdf_params().validate().is_err() {
            return Err(config_error(
                "BURNBOX_ARGON2_MEMORY_KIB",
                "Argon2 rejects these costs (memory ≥ 8 × parallelism KiB, iterations ≥ 1, parallelism ≥ 1) \
                 — check BURNBOX_ARGON2_MEMORY_KIB, BURNBOX_ARGON2_ITERATIONS and BURNBOX_ARGON2_PARALLELISM",
            ));
        }
        self.redis_topology()?;
        if self.code_attempts == 0 {
            return Err(config_error("BURNBOX_CODE_ATTEMPTS", "must be at least 1"));
        }
        if !(self.code_attempts..=10).contains(&self.code_attempts_total) {
            // Six digits stay safe only while a code allows few guesses in all.
            return Err(config_error(
                "BURNBOX_CODE_ATTEMPTS_TOTAL",
                "must lie between BURNBOX_CODE_ATTEMPTS and 10",
            ));
        }
        if self.code_ttl == 0 {
            return Err(config_error("BURNBOX_CODE_TTL", "must be at least 1"));
        }
        if self.session_ttl < 60 {
            return Err(config_error("BURNBOX_SESSION_TTL", "must be at least 60"));
        }
        if self.pending_account_ttl < self.code_ttl {
            return Err(config_error(
                "BURNBOX_PENDING_ACCOUNT_TTL",
                "must not be below BURNBOX_CODE_TTL: the confirmation code must be usable",
            ));
        }
        if self.login_lockout_seconds == 0 {
            return Err(config_error(
                "BURNBOX_LOGIN_LOCKOUT_SECONDS",
                "must be at least 1",
            ));
        }
        if self.password_min_length == 0 {
            return Err(config_error(
                "BURNBOX_PASSWORD_MIN_LENGTH",
                "must be at least 1",
            ));
        }
        if self.audit_max_entries == 0 {
            return Err(config_error(
                "BURNBOX_AUDIT_MAX_ENTRIES",
                "must be at least 1",
            ));
        }
        // A take's acknowledgments (WAIT, then WAITAOF) are awaited within the
        // operation's own bound, with room to spare.
        let waits = if self.consume_ack_fsync { 2 } else { 1 };
        if self.consume_ack_timeout_ms.saturating_mul(4 * waits)
            >= self.redis_timeout_ms.saturating_mul(3)
        {
            return Err(config_error(
                "BURNBOX_CONSUME_ACK_TIMEOUT_MS",
                format!(
                    "times {waits} must be below three quarters of BURNBOX_REDIS_TIMEOUT_MS \
                     ({} ms): a take waits that long at most for its acknowledgments",
                    self.redis_timeout_ms
                ),
            ));
        }
        self.admin()?;
        let server_key = self.server_key()?;
        if server_key.is_none() && self.redis_topology()?.is_some() {
            // Instances sharing Redis must share the key: otherwise each keeps its own
            // rate budgets and none can verify a code another one mailed.
            return Err(config_error(
                "BURNBOX_SERVER_KEY",
                "must be set when Redis is (BURNBOX_REDIS_URL, _CLUSTER_NODES or _SENTINELS): every \
                 instance sharing Redis needs the same key (make one with `openssl rand -base64 32`)",
            ));
        }
        Ok(())
    }

    /// The admin to ensure at start: both variables or neither.
    pub fn admin(&self) -> Result<Option<(Email, Password)>, ConfigError> {
        match (
            non_empty(self.admin_email.as_deref()),
            non_empty(self.admin_password.as_deref()),
        ) {
            (None, None) => Ok(None),
            (Some(email), Some(password)) => {
                let email = Email::parse(email)
                    .map_err(|error| config_error("BURNBOX_ADMIN_EMAIL", error.message))?;
                let password = Password::parse(password.to_owned(), self.password_min_length)
                    .map_err(|error| config_error("BURNBOX_ADMIN_PASSWORD", error.message))?;
                Ok(Some((email, password)))
            }
            (Some(_), None) => Err(config_error(
                "BURNBOX_ADMIN_PASSWORD",
                "must be set with BURNBOX_ADMIN_EMAIL",
            )),
            (None, Some(_)) => Err(config_error(
                "BURNBOX_ADMIN_EMAIL",
                "must be set with BURNBOX_ADMIN_PASSWORD",
            )),
        }
    }

    /// The SMTP URL, or `None` to write mails to the log.
    pub fn smtp_url(&self) -> Option<&str> {
        non_empty(self.smtp_url.as_deref())
    }

    /// Where Redis is: one server, a cluster, or nowhere (the memory store).
    pub fn redis_topology(&self) -> Result<Option<RedisTopology>, ConfigError> {
        let nodes = non_empty(self.redis_cluster_nodes.as_deref());
        let sentinels = non_empty(self.redis_sentinels.as_deref());
        let master = non_empty(self.redis_sentinel_master.as_deref());
        match (sentinels, master) {
            (Some(_), _) if nodes.is_some() => {
                return Err(config_error(
                    "BURNBOX_REDIS_SENTINELS",
                    "set either it or BURNBOX_REDIS_CLUSTER_NODES, not both",
                ));
            }
            (Some(sentinels), Some(master)) => {
                let sentinels = list(sentinels);
                if sentinels.is_empty() {
                    return Err(config_error(
                        "BURNBOX_REDIS_SENTINELS",
                        "names no Sentinel (comma-separated host:port)",
                    ));
                }
                return Ok(Some(RedisTopology::Sentinel {
                    sentinels,
                    master: master.to_owned(),
                    url: self.redis_url().map(str::to_owned),
                }));
            }
            (Some(_), None) => {
                return Err(config_error(
                    "BURNBOX_REDIS_SENTINEL_MASTER",
                    "must be set with BURNBOX_REDIS_SENTINELS (the name Sentinel monitors)",
                ));
            }
            (None, Some(_)) => {
                return Err(config_error(
                    "BURNBOX_REDIS_SENTINELS",
                    "must be set with BURNBOX_REDIS_SENTINEL_MASTER",
                ));
            }
            (None, None) => {}
        }
        match (self.redis_url(), nodes) {
            (Some(_), Some(_)) => Err(config_error(
                "BURNBOX_REDIS_CLUSTER_NODES",
                "set either it or BURNBOX_REDIS_URL, not both",
            )),
            (Some(url), None) => Ok(Some(RedisTopology::Single(url.to_owned()))),
            (None, Some(nodes)) => {
                let nodes = list(nodes);
                if nodes.is_empty() {
                    return Err(config_error(
                        "BURNBOX_REDIS_CLUSTER_NODES",
                        "names no node (comma-separated redis:// URLs)",
                    ));
                }
                Ok(Some(RedisTopology::Cluster(nodes)))
            }
            (None, None) => Ok(None),
        }
    }

    /// The configured server key, or `None` when unset.
    pub fn server_key(&self) -> Result<Option<ServerKey>, ConfigError> {
        let Some(text) = non_empty(self.server_key.as_deref()) else {
            return Ok(None);
        };
        let decoded = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(text).ok())
            .ok_or_else(|| config_error("BURNBOX_SERVER_KEY", "is not base64"))?;
        if decoded.len() < SERVER_KEY_BYTES {
            return Err(config_error(
                "BURNBOX_SERVER_KEY",
                format!("must decode to at least {SERVER_KEY_BYTES} bytes"),
            ));
        }
        Ok(Some(ServerKey(*blake3::hash(&decoded).as_bytes())))
    }

    /// The Redis URL, or `None` for the memory store. Empty counts as unset, so a copied
    /// `.env.example` line `BURNBOX_REDIS_URL=` means what it looks like.
    pub fn redis_url(&self) -> Option<&str> {
        non_empty(self.redis_url.as_deref())
    }

    /// The TTL bounds.
    pub fn ttl_policy(&self) -> TtlPolicy {
        TtlPolicy {
            min: self.ttl_min,
            max: self.ttl_max,
            default: self.ttl_default,
        }
    }

    /// The token TTL bounds.
    pub fn token_ttl_policy(&self) -> TtlPolicy {
        TtlPolicy {
            min: self.ttl_min,
            max: self.token_ttl_max,
            default: self.token_ttl_default,
        }
    }

    /// The rate limits.
    pub fn rate_policy(&self) -> RatePolicy {
        RatePolicy {
            per_minute: self.rate_limit_per_minute,
            create_per_minute: self.rate_limit_create_per_minute,
            reveal_per_minute: self.rate_limit_reveal_per_minute,
            passphrase_failures_per_hour: self.passphrase_failures_per_hour,
            ipv6_prefix: self.rate_limit_ipv6_prefix,
        }
    }

    /// How the client address is found behind the trusted proxies.
    pub fn client_ip_policy(&self) -> ClientIpPolicy {
        ClientIpPolicy {
            trusted_proxies: self.trusted_proxies.clone(),
            header: self.forwarded_header,
        }
    }

    /// The Argon2id costs.
    pub fn kdf_params(&self) -> KdfParams {
        KdfParams {
            memory_kib: self.argon2_memory_kib,
            iterations: self.argon2_iterations,
            parallelism: self.argon2_parallelism,
        }
    }

    /// The receipt grace as a duration.
    pub fn receipt_grace(&self) -> Duration {
        Duration::from_secs(self.receipt_grace)
    }

    /// The Redis operation bound as a duration.
    pub fn redis_timeout(&self) -> Duration {
        Duration::from_millis(self.redis_timeout_ms)
    }

    /// How long a stopping server waits for requests in flight.
    pub fn shutdown_timeout(&self) -> Duration {
        Duration::from_secs(self.shutdown_timeout)
    }

    /// Number of Argon2 workers, resolving 0 to the number of cores.
    pub fn argon2_workers(&self) -> usize {
        resolve_cores(self.argon2_workers)
    }

    /// Number of HTTP workers, resolving 0 to the number of cores.
    pub fn http_workers(&self) -> usize {
        resolve_cores(self.workers)
    }
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|value| !value.is_empty())
}

/// The non-empty items of a comma-separated list.
fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_owned)
        .collect()
}

fn resolve_cores(configured: usize) -> usize {
    if configured > 0 {
        return configured;
    }
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(args: &[&str]) -> Settings {
        Settings::from_args(std::iter::once("burnbox").chain(args.iter().copied())).expect("parses")
    }

    #[test]
    fn acknowledging_replicas_are_auto_or_a_number() {
        use crate::store::redis::AckReplicas;
        let error = settings(&["--consume-ack-timeout-ms", "750"])
            .validate()
            .expect_err("the wait must fit in the operation's bound");
        assert_eq!(error.variable, "BURNBOX_CONSUME_ACK_TIMEOUT_MS");
        assert!(
            settings(&["--consume-ack-timeout-ms", "749"])
                .validate()
                .is_ok()
        );
        let waits_twice = settings(&[
            "--consume-ack-fsync",
            "true",
            "--consume-ack-timeout-ms",
            "375",
        ]);
        assert!(waits_twice.validate().is_err());
        assert_eq!(settings(&[]).consume_ack_replicas, AckReplicas::Auto);
        assert_eq!(
            settings(&["--consume-ack-replicas", "2"]).consume_ack_replicas,
            AckReplicas::Exactly(2)
        );
        let error = Settings::from_args(["burnbox", "--consume-ack-replicas", "some"])
            .expect_err("neither");
        assert!(
            error.to_string().contains("neither `auto` nor a number"),
            "{error}"
        );
    }

    #[test]
    fn the_public_url_is_an_origin() {
        assert_eq!(settings(&[]).public_url, None);
        for (given, kept) in [
            ("https://secrets.example.org", "https://secrets.example.org"),
            (
                "https://secrets.example.org/",
                "https://secrets.example.org",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("http://[::1]:8080", "http://[::1]:8080"),
        ] {
            let parsed = settings(&["--public-url", given]).public_url.expect("set");
            assert_eq!(parsed.as_str(), kept);
        }
        let plain = |url: &str| {
            url.parse::<PublicUrl>()
                .expect("url")
                .is_plain_http_elsewhere()
        };
        assert!(plain("http://secrets.example.org") && plain("http://10.0.0.5:8080"));
        assert!(!plain("https://secrets.example.org") && !plain("http://127.0.0.1:8080"));
        assert!(!plain("http://localhost") && !plain("http://[::1]:8080"));
        for bad in [
            "secrets.example.org",
            "https://",
            "https://example.org/burnbox",
            "https://example.org?x=1",
            "https://user@example.org",
            "javascript:alert(1)",
            "https://exa mple.org",
        ] {
            let error = Settings::from_args(["burnbox", "--public-url", bad]).expect_err(bad);
            assert!(error.to_string().contains("is not a URL"), "{bad}: {error}");
        }
    }

    #[test]
    fn defaults_are_valid() {
        let defaults = settings(&[]);
        assert!(defaults.validate().is_ok());
        assert_eq!(defaults.ttl_policy().default, 604_800);
        assert_eq!(defaults.kdf_params(), KdfParams::OWASP);
        assert_eq!(defaults.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(defaults.token_ttl_policy().default, 900);
        assert_eq!(defaults.trusted_networks.to_string(), "127.0.0.0/8,::1/128");
        assert!(defaults.client_ip_policy().trusted_proxies.is_empty());
    }

    #[test]
    fn inconsistent_ttls_name_their_variable() {
        let cases = [
            (vec!["--ttl-min", "0"], "BURNBOX_TTL_MIN"),
            (
                vec!["--ttl-min", "100", "--ttl-max", "50", "--ttl-default", "60"],
                "BURNBOX_TTL_MAX",
            ),
            (vec!["--ttl-default", "10"], "BURNBOX_TTL_DEFAULT"),
            (vec!["--max-secret-bytes", "0"], "BURNBOX_MAX_SECRET_BYTES"),
            (
                vec!["--passphrase-attempts", "0"],
                "BURNBOX_PASSPHRASE_ATTEMPTS",
            ),
            (vec!["--key-prefix", "app{x}"], "BURNBOX_KEY_PREFIX"),
            (vec!["--redis-timeout-ms", "0"], "BURNBOX_REDIS_TIMEOUT_MS"),
            (
                vec!["--argon2-memory-kib", "1"],
                "BURNBOX_ARGON2_MEMORY_KIB",
            ),
            (vec!["--token-ttl-max", "30"], "BURNBOX_TOKEN_TTL_MAX"),
            (
                vec!["--token-ttl-default", "100000"],
                "BURNBOX_TOKEN_TTL_DEFAULT",
            ),
            (vec!["--max-claims-bytes", "0"], "BURNBOX_MAX_CLAIMS_BYTES"),
            (
                vec!["--client-timeout-ms", "0"],
                "BURNBOX_CLIENT_TIMEOUT_MS",
            ),
            (vec!["--max-connections", "0"], "BURNBOX_MAX_CONNECTIONS"),
            (
                vec!["--code-attempts-total", "11"],
                "BURNBOX_CODE_ATTEMPTS_TOTAL",
            ),
            (
                vec!["--code-attempts", "6", "--code-attempts-total", "5"],
                "BURNBOX_CODE_ATTEMPTS_TOTAL",
            ),
            (
                vec!["--pending-account-ttl", "10", "--code-ttl", "60"],
                "BURNBOX_PENDING_ACCOUNT_TTL",
            ),
            (
                vec!["--rate-limit-ipv6-prefix", "0"],
                "BURNBOX_RATE_LIMIT_IPV6_PREFIX",
            ),
            (
                vec!["--rate-limit-ipv6-prefix", "129"],
                "BURNBOX_RATE_LIMIT_IPV6_PREFIX",
            ),
        ];
        for (args, variable) in cases {
            let error = settings(&args).validate().expect_err("invalid");
            assert_eq!(error.variable, variable);
            assert!(error.to_string().starts_with(variable));
        }
    }

    #[test]
    fn shared_storage_needs_a_server_key() {
        let key = [
            "--server-key",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
        ];
        for storage in [
            ["--redis-url", "redis://127.0.0.1:6379"],
            ["--redis-cluster-nodes", "redis://127.0.0.1:7000"],
        ] {
            let error = settings(&storage).validate().expect_err("no server key");
            assert_eq!(error.variable, "BURNBOX_SERVER_KEY");
            assert!(error.problem.contains("openssl rand -base64 32"), "{error}");
            let with_key: Vec<&str> = storage.iter().chain(&key).copied().collect();
            assert!(settings(&with_key).validate().is_ok());
        }
        assert!(
            settings(&[]).validate().is_ok(),
            "the memory store draws its own"
        );
    }

    #[test]
    fn unparsable_values_name_their_variable() {
        let error = Settings::from_args(["burnbox", "--bind", "nowhere"]).expect_err("bad address");
        assert!(error.to_string().contains("BURNBOX_BIND"), "{error}");
        let error = Settings::from_args(["burnbox", "--ttl-max=-1"]).expect_err("negative");
        assert!(error.to_string().contains("BURNBOX_TTL_MAX"), "{error}");
        let error = Settings::from_args(["burnbox", "--trusted-proxies", "10.0.0.0/99"])
            .expect_err("bad CIDR");
        assert!(
            error.to_string().contains("BURNBOX_TRUSTED_PROXIES"),
            "{error}"
        );
        let error = Settings::from_args(["burnbox", "--forwarded-header", "via"])
            .expect_err("no such header");
        assert!(
            error.to_string().contains("BURNBOX_FORWARDED_HEADER"),
            "{error}"
        );
    }

    #[test]
    fn the_server_key_is_checked_without_being_repeated() {
        let short = "c2hvcnQ=";
        let error = settings(&["--server-key", short])
            .validate()
            .expect_err("short");
        assert_eq!(error.variable, "BURNBOX_SERVER_KEY");
        assert!(!error.to_string().contains(short));
        let error = settings(&["--server-key", "not base64!"])
            .validate()
            .expect_err("junk");
        assert!(!error.to_string().contains("not base64!"));

        let good = STANDARD.encode([5u8; 32]);
        let key = settings(&["--server-key", &good])
            .server_key()
            .expect("valid");
        assert!(key.is_some());
        assert!(settings(&[]).server_key().expect("unset").is_none());
        assert!(
            settings(&["--server-key", " "])
                .server_key()
                .expect("empty")
                .is_none()
        );
        assert!(!format!("{:?}", ServerKey::generate()).contains('5'));
    }

    #[test]
    fn cors_origins_are_scheme_and_host() {
        let error = Settings::from_args(["burnbox", "--cors-origins", "app.example/x"])
            .expect_err("no scheme");
        assert!(
            error.to_string().contains("BURNBOX_CORS_ORIGINS"),
            "{error}"
        );
        let origins = settings(&[
            "--cors-origins",
            "https://app.example, http://localhost:3000",
        ]);
        assert_eq!(
            origins.cors_origins.0,
            ["https://app.example", "http://localhost:3000"]
        );
        assert!(settings(&[]).cors_origins.0.is_empty());
        for bad in ["https://", "ftp://x", "https://a/b", "*"] {
            assert!(bad.parse::<CorsOrigins>().is_err(), "{bad}");
        }
        assert_eq!(settings(&[]).rate_policy().per_minute, 600);
    }

    #[test]
    fn code_purposes_are_a_comma_list_of_valid_purposes() {
        let listed = settings(&["--code-purposes", "login, signup,"]);
        let names: Vec<&str> = listed.code_purposes.0.iter().map(|p| p.as_str()).collect();
        assert_eq!(names, ["login", "signup"]);
        assert!(settings(&[]).code_purposes.0.is_empty());
        let error = Settings::from_args(["burnbox", "--code-purposes", "login,Paypa1.com/x"])
            .expect_err("not a purpose");
        assert!(
            error.to_string().contains("BURNBOX_CODE_PURPOSES"),
            "{error}"
        );
    }

    #[test]
    fn account_settings_are_checked_naming_their_variable() {
        let cases: [(&[&str], &str); 7] = [
            (&["--code-attempts", "0"], "BURNBOX_CODE_ATTEMPTS"),
            (&["--code-ttl", "0"], "BURNBOX_CODE_TTL"),
            (&["--session-ttl", "59"], "BURNBOX_SESSION_TTL"),
            (
                &["--password-min-length", "0"],
                "BURNBOX_PASSWORD_MIN_LENGTH",
            ),
            (&["--audit-max-entries", "0"], "BURNBOX_AUDIT_MAX_ENTRIES"),
            (
                &["--admin-email", "root@example.org"],
                "BURNBOX_ADMIN_PASSWORD",
            ),
            (
                &["--admin-password", "long enough password"],
                "BURNBOX_ADMIN_EMAIL",
            ),
        ];
        for (args, variable) in cases {
            let error = settings(args).validate().expect_err("invalid");
            assert_eq!(error.variable, variable, "{args:?}");
        }
        let bad_email = settings(&[
            "--admin-email",
            "root",
            "--admin-password",
            "long enough password",
        ]);
        assert_eq!(
            bad_email.validate().expect_err("invalid").variable,
            "BURNBOX_ADMIN_EMAIL"
        );
        let short = settings(&[
            "--admin-email",
            "root@example.org",
            "--admin-password",
            "short",
        ]);
        let error = short.validate().expect_err("too short");
        assert_eq!(error.variable, "BURNBOX_ADMIN_PASSWORD");
        assert!(
            !error.to_string().contains("short\""),
            "the password is not repeated"
        );
        let admin = settings(&[
            "--admin-email",
            "Root@Example.org",
            "--admin-password",
            "long enough password",
        ]);
        let (email, _) = admin.admin().expect("valid").expect("configured");
        assert_eq!(email.as_str(), "root@example.org");
        assert_eq!(settings(&["--smtp-url", ""]).smtp_url(), None);
    }

    #[test]
    fn sentinels_come_with_a_master_name_and_take_credentials_from_the_url() {
        let sentinel = settings(&[
            "--redis-sentinels",
            "127.0.0.1:26379, sentinel-b:26379,",
            "--redis-sentinel-master",
            "burnbox",
            "--redis-url",
            "redis://burnbox:pw@ignored/2",
        ]);
        assert_eq!(
            sentinel.redis_topology().expect("valid"),
            Some(RedisTopology::Sentinel {
                sentinels: vec!["127.0.0.1:26379".into(), "sentinel-b:26379".into()],
                master: "burnbox".into(),
                url: Some("redis://burnbox:pw@ignored/2".into()),
            })
        );
        let shown = format!("{:?}", sentinel.redis_topology().expect("valid"));
        assert!(
            !shown.contains("pw") && shown.contains("burnbox"),
            "{shown}"
        );
        for (args, variable) in [
            (
                &["--redis-sentinels", "a:1"][..],
                "BURNBOX_REDIS_SENTINEL_MASTER",
            ),
            (
                &["--redis-sentinel-master", "burnbox"][..],
                "BURNBOX_REDIS_SENTINELS",
            ),
            (
                &["--redis-sentinels", " , ", "--redis-sentinel-master", "m"][..],
                "BURNBOX_REDIS_SENTINELS",
            ),
            (
                &[
                    "--redis-sentinels",
                    "a:1",
                    "--redis-sentinel-master",
                    "m",
                    "--redis-cluster-nodes",
                    "redis://b:2",
                ][..],
                "BURNBOX_REDIS_SENTINELS",
            ),
        ] {
            let error = settings(args).redis_topology().expect_err("refused");
            assert_eq!(error.variable, variable, "{args:?}");
        }
        assert!(!settings(&[]).consume_ack_fsync);
        for (value, fsync) in [("true", true), ("1", true), ("no", false)] {
            assert_eq!(
                settings(&["--consume-ack-fsync", value]).consume_ack_fsync,
                fsync
            );
        }
    }

    #[test]
    fn cluster_nodes_are_a_list_and_exclude_a_single_url() {
        let nodes = settings(&["--redis-cluster-nodes", " redis://a:1, redis://b:2 ,"]);
        assert_eq!(
            nodes.redis_topology().expect("valid"),
            Some(RedisTopology::Cluster(vec![
                "redis://a:1".to_owned(),
                "redis://b:2".to_owned()
            ]))
        );
        let both = settings(&[
            "--redis-cluster-nodes",
            "redis://a:1",
            "--redis-url",
            "redis://c:3",
        ]);
        let error = both.validate().expect_err("both is ambiguous");
        assert_eq!(error.variable, "BURNBOX_REDIS_CLUSTER_NODES");
        let empty = settings(&["--redis-cluster-nodes", " , "]);
        assert!(empty.redis_topology().is_err());
        assert_eq!(
            settings(&["--redis-cluster-nodes", ""])
                .redis_topology()
                .expect("unset"),
            None
        );
        assert_eq!(
            settings(&["--redis-url", "redis://c:3"])
                .redis_topology()
                .expect("valid"),
            Some(RedisTopology::Single("redis://c:3".to_owned()))
        );
    }

    #[test]
    fn an_empty_redis_url_means_the_memory_store() {
        assert_eq!(settings(&["--redis-url", ""]).redis_url(), None);
        assert_eq!(
            settings(&["--redis-url", "redis://h:1"]).redis_url(),
            Some("redis://h:1")
        );
    }

    #[test]
    fn zero_workers_means_one_per_core() {
        let defaults = settings(&[]);
        assert!(defaults.http_workers() >= 1);
        assert!(defaults.argon2_workers() >= 1);
        assert_eq!(settings(&["--workers", "3"]).http_workers(), 3);
    }
}
