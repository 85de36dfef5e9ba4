//! The server's own key: decoded from `BURNBOX_SERVER_KEY`, never printed.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

use super::{ConfigError, Settings, config_error, non_empty};

/// Bytes of key material required in `BURNBOX_SERVER_KEY`.
pub const SERVER_KEY_BYTES: usize = 32;

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
}
