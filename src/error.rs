//! [`ApiError`]: every way a request can fail, as the services and handlers return it.
//!
//! Plain `thiserror`, no actix: each variant carries its machine code ([`ApiError::code`])
//! and the text a client may see ([`ApiError::client_message`]); `http::error` alone turns
//! it into a status code and a JSON body. Infrastructure errors convert with `#[from]`;
//! they are logged with their cause there and shown to clients only as a generic message.
//! Client-facing messages never repeat a submitted value that may be secret.

use crate::domain::ValidationError;
use crate::store::StoreError;

/// Every way a request can fail.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request could not be read (bad JSON, wrong shape).
    #[error("{0}")]
    Malformed(String),
    /// The body is not `application/json`.
    #[error("expected Content-Type: application/json")]
    UnsupportedMediaType,
    /// The body is larger than allowed.
    #[error("request body is larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A body whose size must be known before it is read came without `Content-Length`.
    #[error("send Content-Length: this upload's size is checked before it is read")]
    LengthRequired,
    /// A value was read but refused.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The caller may not use this endpoint.
    #[error("{0}")]
    Forbidden(&'static str),
    /// No credentials where they are needed, or credentials that are not valid (unknown,
    /// expired, revoked, or of a blocked account).
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Login refused: the same answer for an unknown address, a wrong password and an
    /// account that may not log in, so the answer tells nothing.
    #[error("email or password is wrong, or the account is not confirmed or is blocked")]
    InvalidCredentials,
    /// An account confirmation failed: no pending registration for the address, or a
    /// wrong or dead code — one answer for all.
    #[error("no pending registration with this code: check the address and the latest code")]
    BadConfirmation,
    /// A password reset failed: no active account for the address, or a wrong or dead
    /// code — one answer for all.
    #[error("no reset with this code: check the address and the latest code")]
    BadReset,
    /// A signed-in caller's current password was wrong.
    #[error("the current password is wrong")]
    WrongPassword,
    /// The code did not match.
    #[error("wrong code")]
    WrongCode {
        /// Attempts left before the code dies (0: it just did).
        attempts_left: u32,
    },
    /// A code was sent to this recipient moments ago.
    #[error("a code was sent recently; retry in {retry_after_seconds} s")]
    CoolingDown {
        /// Seconds until another code may be sent.
        retry_after_seconds: u64,
    },
    /// The email address belongs to another account.
    #[error("this email address is taken")]
    EmailTaken,
    /// The mail could not be sent.
    #[error("mail could not be sent, retry shortly")]
    MailUnavailable(String),
    /// Unknown, consumed or expired: deliberately not saying which.
    #[error("not found, already read, burned or expired")]
    NotFound,
    /// The route exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The passphrase did not open the secret.
    #[error("wrong passphrase")]
    WrongPassphrase {
        /// Attempts left before the secret is burned (0: it just was).
        attempts_left: u32,
    },
    /// A wrong passphrase whose count no replica confirmed in time: answered as any
    /// unconfirmed change (the guesser learns nothing), and charged as a wrong guess.
    #[error("a wrong passphrase's count was not confirmed by a replica")]
    UnconfirmedWrongPassphrase,
    /// A reveal whose take no replica confirmed in time, kept for a retry with the same
    /// idempotency key (which gets it once a replica has it).
    #[error("the reveal was not confirmed by a replica; retry with the same Idempotency-Key")]
    UnconfirmedReveal,
    /// The secret needs a passphrase and none was given.
    #[error("this secret needs a passphrase")]
    PassphraseRequired,
    /// An `e2e2` secret, and the reveal (or a viewer's burn) did not present the proof
    /// derived from the key in its link, or a wrong one: nothing was taken.
    #[error(
        "this secret opens only with the key in its link: the reveal proof is missing or wrong, \
         and nothing was taken"
    )]
    ProofRefused,
    /// The secret's creator did not let its viewers burn it.
    #[error("this secret's creator did not allow its viewers to burn it")]
    BurnNotAllowed,
    /// A file secret asked for through an API that hands out text only: nothing taken.
    #[error(
        "this secret is a file: open its link in the page or with `burnbox open`, or reveal it \
         with the header `Burnbox-Accept-Files: 1` and download it; nothing was taken"
    )]
    FileSecret,
    /// A chunk that is neither the next one nor the last one again.
    #[error("chunks go in order: the next one is {expected}")]
    ChunkOutOfOrder {
        /// The index expected next.
        expected: u32,
    },
    /// A chunk short of the smallest size, and not the upload's last.
    #[error("every chunk but the last carries at least {min} bytes")]
    ChunkTooSmall {
        /// The smallest size.
        min: usize,
    },
    /// A chunk that would carry an upload past the bytes it declared.
    #[error("this chunk carries the upload past the bytes it declared; nothing was stored")]
    UploadExceedsDeclared,
    /// A finish before every declared byte arrived.
    #[error(
        "{bytes} of the {declared} bytes declared arrived (in {chunks} chunks); send the rest, \
         then finish again: nothing was created"
    )]
    UploadIncomplete {
        /// Chunks received.
        chunks: u32,
        /// Bytes received.
        bytes: u64,
        /// Bytes declared.
        declared: u64,
    },
    /// The client used up a rate limit.
    #[error("too many requests; retry in {retry_after_seconds} s")]
    RateLimited {
        /// Seconds until a retry can succeed.
        retry_after_seconds: u64,
    },
    /// A bounded resource (the Argon2 pool) is full.
    #[error("server busy, retry shortly")]
    Busy,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A bug or corrupted data; details go to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// The machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "bad_request",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::BodyTooLarge { .. } => "payload_too_large",
            Self::LengthRequired => "length_required",
            Self::Invalid(invalid) => invalid.code,
            Self::Forbidden(_) => "forbidden",
            Self::Unauthorized(_) => "unauthorized",
            Self::InvalidCredentials => "invalid_credentials",
            Self::WrongCode { .. } => "wrong_code",
            Self::BadConfirmation => "invalid_confirmation",
            Self::BadReset => "invalid_reset",
            Self::WrongPassword => "wrong_password",
            Self::CoolingDown { .. } => "cooling_down",
            Self::EmailTaken => "email_taken",
            Self::MailUnavailable(_) => "mail_unavailable",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::WrongPassphrase { .. } => "wrong_passphrase",
            Self::PassphraseRequired => "passphrase_required",
            Self::ProofRefused => "reveal_proof_refused",
            Self::BurnNotAllowed => "burn_not_allowed",
            Self::FileSecret => "file_secret",
            Self::ChunkOutOfOrder { .. } => "chunk_out_of_order",
            Self::ChunkTooSmall { .. } => "chunk_too_small",
            Self::UploadExceedsDeclared => "upload_exceeds_declared",
            Self::UploadIncomplete { .. } => "upload_incomplete",
            Self::RateLimited { .. } => "rate_limited",
            Self::Busy => "busy",
            Self::Store(StoreError::Corrupt(_)) | Self::Internal(_) => "internal",
            Self::Store(
                StoreError::NotDurable | StoreError::CreateNotDurable | StoreError::NoReplicas,
            )
            | Self::UnconfirmedWrongPassphrase
            | Self::UnconfirmedReveal => "not_durable",
            Self::Store(_) => "store_unavailable",
        }
    }

    /// The message shown to clients: never internals (Redis errors, corrupt records).
    pub fn client_message(&self) -> String {
        match self {
            Self::Store(StoreError::Corrupt(_)) | Self::Internal(_) => {
                "internal error; it has been logged".to_owned()
            }
            Self::Store(StoreError::NotDurable) | Self::UnconfirmedWrongPassphrase => {
                "no replica confirmed the change in time, so nothing was handed out; what was \
                 taken stays taken"
                    .to_owned()
            }
            Self::Store(StoreError::CreateNotDurable) => "no replica confirmed the new record \
                in time, so nothing was created and no key was handed out; retry shortly"
                .to_owned(),
            Self::Store(StoreError::NoReplicas) => "too few replicas are online to confirm a \
                change, so nothing was taken; retry shortly"
                .to_owned(),
            Self::Store(_) => "storage is unavailable, retry shortly".to_owned(),
            // The cause (SMTP server, address) goes to the log only.
            Self::MailUnavailable(_) => "mail could not be sent, retry shortly".to_owned(),
            other => other.to_string(),
        }
    }

    /// A failed take's error for its caller: one that kept its answer for a retry with the
    /// same idempotency key (`kept`) and was not acknowledged says so; any other is as the
    /// store said (without a key, such a take is lost to its caller).
    pub fn from_take(error: StoreError, kept: bool) -> Self {
        match error {
            StoreError::NotDurable if kept => Self::UnconfirmedReveal,
            error => error.into(),
        }
    }

    /// A serde error, with any submitted value cut out of the message.
    pub fn from_json(error: &serde_json::Error) -> Self {
        Self::Malformed(format!(
            "invalid JSON body: {}",
            redact_serde_message(&error.to_string())
        ))
    }
}

/// serde repeats offending values (`invalid type: integer `1234``); a passphrase sent as a
/// number must not come back in an error. Keep the kind, drop the value.
pub fn redact_serde_message(message: &str) -> String {
    for prefix in ["invalid type: ", "invalid value: ", "invalid length "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            // The last ", expected": the submitted value, before it, may contain one.
            let (found, expected) = rest.rsplit_once(", expected").unwrap_or((rest, ""));
            let kind: Vec<&str> = found
                .split(' ')
                .take_while(|word| !word.starts_with(['`', '"', '\'']))
                .collect();
            let separator = if expected.is_empty() {
                ""
            } else {
                ", expected"
            };
            return format!("{prefix}{}{separator}{expected}", kind.join(" "));
        }
    }
    message.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_lose_the_submitted_value() {
        let error = serde_json::from_str::<String>("1234987").expect_err("not a string");
        let message = ApiError::from_json(&error).to_string();
        assert!(!message.contains("1234987"), "{message}");
        assert!(
            message.contains("invalid type: integer, expected a string"),
            "{message}"
        );

        let error = serde_json::from_str::<u64>("\"hunter2\"").expect_err("not a number");
        let message = ApiError::from_json(&error).to_string();
        assert!(!message.contains("hunter2"), "{message}");

        let error = serde_json::from_str::<u64>("\"hunter2, expected tail-of-secret\"")
            .expect_err("not a number");
        let message = ApiError::from_json(&error).to_string();
        assert!(!message.contains("tail-of-secret"), "{message}");
        assert!(message.contains("expected u64"), "{message}");
    }

    #[test]
    fn syntax_errors_keep_their_position() {
        let error = serde_json::from_str::<u64>("{").expect_err("broken");
        assert!(ApiError::from_json(&error).to_string().contains("line 1"));
    }

    #[test]
    fn internal_details_stay_out_of_the_response() {
        let error = ApiError::Store(StoreError::Unavailable("10.0.0.7:6379 refused".into()));
        assert!(!error.client_message().contains("10.0.0.7"));
        let error = ApiError::Internal("record abc is corrupt".into());
        assert!(!error.client_message().contains("abc"));
    }
}
