//! What the settings mean together: [`Settings::validate`], and the policies the
//! services are built from (TTLs, rate limits, client addresses, Argon2, workers).

use std::time::Duration;

use clap::Parser;

use super::{ConfigError, Settings, config_error};
use crate::crypto::KdfParams;
use crate::domain::limits::RatePolicy;
use crate::domain::{Email, Password, TtlPolicy};
use crate::network::ClientIpPolicy;

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
        // A create's or take's acknowledgments (WAIT, then WAITAOF) are awaited within
        // the operation's own bound, with room to spare.
        let acks = self.acks();
        let waits = if acks.fsync { 2 } else { 1 };
        if acks.timeout_ms.saturating_mul(4 * waits) >= self.redis_timeout_ms.saturating_mul(3) {
            return Err(config_error(
                self.ack_timeout_variable(),
                format!(
                    "times {waits} must be below three quarters of BURNBOX_REDIS_TIMEOUT_MS \
                     ({} ms): a create or take waits that long at most for its acknowledgments",
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
            file_kib_per_hour: kib(self.file_bytes_per_hour),
            account_file_kib_per_hour: kib(self.account_file_bytes_per_hour),
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

/// The value, unless it is missing or blank.
pub(super) fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|value| !value.is_empty())
}

/// The non-empty items of a comma-separated list.
pub(super) fn list(text: &str) -> Vec<String> {
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

/// A byte budget in whole KiB (rounded up, so a small budget is not switched off), capped
/// at what a rate-limit counter holds.
fn kib(bytes: u64) -> u32 {
    u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX)
}
