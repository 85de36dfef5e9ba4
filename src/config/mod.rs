//! Configuration: one [`Settings`] struct read from `BURNBOX_*` variables or matching
//! flags, validated at start. Every error names the variable at fault and never repeats
//! a value that may be secret (the server key, a Redis URL with a password). Plain data:
//! no HTTP, no Redis connection; the store and the services are built from it.

mod policies;
mod redis;
mod server_key;
mod settings;
#[cfg(test)]
mod tests;
mod values;

use self::policies::{list, non_empty};
pub use self::redis::{AckReplicas, Acks, RedisTopology};
pub use self::server_key::{SERVER_KEY_BYTES, ServerKey};
pub use self::settings::Settings;
pub use self::values::{CodePurposes, CorsOrigins, PublicUrl};

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
