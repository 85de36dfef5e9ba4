//! [`Settings`]: every setting, with its variable, flag and default, as clap reads them.

use std::net::SocketAddr;

use clap::Parser;

use super::{CodePurposes, CorsOrigins, PublicUrl};
use crate::crypto::KdfParams;
use crate::network::{ForwardedHeader, Networks};

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
    /// Seconds the answer to a reveal that carried an `Idempotency-Key` is kept (sealed)
    /// for a retry with the same key; 0 keeps none (0–600).
    #[arg(
        long,
        env = "BURNBOX_REVEAL_RETRY_SECONDS",
        value_name = "BURNBOX_REVEAL_RETRY_SECONDS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u64).range(0..=600)
    )]
    pub reveal_retry_seconds: u64,
    /// Largest secret in bytes (UTF-8).
    #[arg(
        long,
        env = "BURNBOX_MAX_SECRET_BYTES",
        value_name = "BURNBOX_MAX_SECRET_BYTES",
        default_value_t = 65_536
    )]
    pub max_secret_bytes: usize,
    /// Largest file secret in bytes (at most 512 MiB); encryption overhead of 32 bytes per
    /// started 64 KiB is allowed on top.
    #[arg(
        long,
        env = "BURNBOX_MAX_FILE_BYTES",
        value_name = "BURNBOX_MAX_FILE_BYTES",
        default_value_t = 26_214_400,
        value_parser = clap::value_parser!(u64).range(1..=crate::domain::file::MAX_FILE_BYTES_LIMIT)
    )]
    pub max_file_bytes: u64,
    /// Bytes of files one client may upload per hour (0: no limit).
    #[arg(
        long,
        env = "BURNBOX_FILE_BYTES_PER_HOUR",
        value_name = "BURNBOX_FILE_BYTES_PER_HOUR",
        default_value_t = 268_435_456
    )]
    pub file_bytes_per_hour: u64,
    /// Bytes of files one account may upload per hour, from all its clients (0: no limit).
    #[arg(
        long,
        env = "BURNBOX_ACCOUNT_FILE_BYTES_PER_HOUR",
        value_name = "BURNBOX_ACCOUNT_FILE_BYTES_PER_HOUR",
        default_value_t = 1_073_741_824
    )]
    pub account_file_bytes_per_hour: u64,
    /// Seconds a revealed file stays downloadable by its reader (1–3600).
    #[arg(
        long,
        env = "BURNBOX_FILE_DOWNLOAD_SECONDS",
        value_name = "BURNBOX_FILE_DOWNLOAD_SECONDS",
        default_value_t = 600,
        value_parser = clap::value_parser!(u64).range(1..=3600)
    )]
    pub file_download_seconds: u64,
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
    /// Replicas that must acknowledge each create (secret, request, token, code) and take
    /// (reveal, burn, wrong passphrase, token or code use) with Redis `WAIT` before the
    /// answer leaves: `auto` (every replica the masters report, never lowered; 0 while none
    /// was seen) or a number. Fewer acknowledgments: 503 `not_durable`, and takes take
    /// nothing when fewer are online. [default: auto] (old name, read when
    /// this is unset: BURNBOX_CONSUME_ACK_REPLICAS)
    #[arg(
        long,
        env = "BURNBOX_ACK_REPLICAS",
        value_name = "BURNBOX_ACK_REPLICAS"
    )]
    pub ack_replicas: Option<super::AckReplicas>,
    /// The old name of BURNBOX_ACK_REPLICAS, read only when that is unset.
    #[arg(
        long,
        env = "BURNBOX_CONSUME_ACK_REPLICAS",
        value_name = "BURNBOX_CONSUME_ACK_REPLICAS",
        hide = true
    )]
    pub consume_ack_replicas: Option<super::AckReplicas>,
    /// Milliseconds a create or take waits for those acknowledgments before answering
    /// 503. [default: 100] (old name, read when this is unset:
    /// BURNBOX_CONSUME_ACK_TIMEOUT_MS)
    #[arg(
        long,
        env = "BURNBOX_ACK_TIMEOUT_MS",
        value_name = "BURNBOX_ACK_TIMEOUT_MS"
    )]
    pub ack_timeout_ms: Option<u64>,
    /// The old name of BURNBOX_ACK_TIMEOUT_MS, read only when that is unset.
    #[arg(
        long,
        env = "BURNBOX_CONSUME_ACK_TIMEOUT_MS",
        value_name = "BURNBOX_CONSUME_ACK_TIMEOUT_MS",
        hide = true
    )]
    pub consume_ack_timeout_ms: Option<u64>,
    /// Also wait until the master has written each create and take to its append-only
    /// file (Redis `WAITAOF`, 7.2 or newer, with `appendonly yes`): exactly once through a
    /// restart even with `appendfsync everysec`. Refused at start on a Redis without
    /// `WAITAOF`. [default: false] (old name, read when this is unset:
    /// BURNBOX_CONSUME_ACK_FSYNC)
    #[arg(
        long,
        env = "BURNBOX_ACK_FSYNC",
        value_name = "BURNBOX_ACK_FSYNC",
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::Set
    )]
    pub ack_fsync: Option<bool>,
    /// The old name of BURNBOX_ACK_FSYNC, read only when that is unset.
    #[arg(
        long,
        env = "BURNBOX_CONSUME_ACK_FSYNC",
        value_name = "BURNBOX_CONSUME_ACK_FSYNC",
        value_parser = clap::builder::BoolishValueParser::new(),
        action = clap::ArgAction::Set,
        hide = true
    )]
    pub consume_ack_fsync: Option<bool>,
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
