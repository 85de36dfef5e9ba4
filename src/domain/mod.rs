//! Domain types: validated once at the edge, trusted everywhere after. No HTTP, no Redis.

pub mod account;
pub mod file;
pub mod keys;
pub mod limits;
pub mod receipt;
pub mod retry;
pub mod secret;
pub mod time;
pub mod token;
pub mod ttl;

pub use account::{
    AccountState, ApiKeyRecord, AuditAction, AuditEvent, AuditStream, Code, CodePurpose, Email,
    KeyName, OwnedReceipt, Password, Role, Scope, SessionRecord, UserChange, UserId, UserRecord,
};
pub use file::{ChunkIndex, DeclaredBytes, FileManifest, FileName, MediaType};
pub use keys::{
    ApiKey, ClientKey, ReceiptKey, RecordRef, RequestKey, SecretKey, SessionKey, TokenKey,
    TypedKey, UploadKey,
};
pub use receipt::{ReceiptRecord, ReceiptState, ReceiptView, SecretFate};
pub use retry::{IdempotencyKey, KeptAnswer};
pub use secret::{GenerateLength, Passphrase, SecretText, parse_views};
pub use token::{Claims, Subject, TokenPayload};
pub use ttl::{Ttl, TtlPolicy};

/// Why a value from a client was refused; `error.rs` turns it into a status code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValidationError {
    /// Machine-readable code, e.g. `ttl_out_of_range`.
    pub code: &'static str,
    /// Human text; never contains the refused value when that value could be secret.
    pub message: String,
    /// Whether the value was refused for its size (413) or its content (422).
    pub too_large: bool,
}

impl ValidationError {
    /// A value that is well-formed but not acceptable.
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            too_large: false,
        }
    }

    /// A value refused because it is larger than allowed.
    pub fn too_large(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            too_large: true,
        }
    }
}
