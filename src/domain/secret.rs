//! A secret's text and passphrase, validated once at the edge.

use super::ValidationError;
use crate::crypto::Views;

/// Longest passphrase accepted, in characters: long enough for any passphrase, short enough
/// that hashing it is cheap.
pub const MAX_PASSPHRASE_CHARS: usize = 1024;

/// The text of a secret: not empty, and at most the configured number of bytes; either
/// plain text or an end-to-end envelope ([`crate::crypto::e2e`]) that only the reader's client opens.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretText {
    text: String,
    e2e: bool,
    /// The reveal verifier of an envelope this text carries inside (a file's manifest).
    carried_verifier: Option<[u8; crate::crypto::VERIFIER_BYTES]>,
}

impl SecretText {
    /// Validates `text` against the size limit.
    pub fn parse(text: String, max_bytes: usize) -> Result<Self, ValidationError> {
        if text.is_empty() {
            return Err(ValidationError::invalid(
                "empty_secret",
                "secret must not be empty",
            ));
        }
        if text.len() > max_bytes {
            return Err(ValidationError::too_large(
                "secret_too_large",
                format!(
                    "secret is {} bytes; the limit is {max_bytes} bytes",
                    text.len()
                ),
            ));
        }
        Ok(Self {
            text,
            e2e: false,
            carried_verifier: None,
        })
    }

    /// Validates an end-to-end envelope: the size limit, and the shape of the format (the
    /// server cannot open it, but it can refuse what no client could).
    pub fn parse_envelope(text: String, max_bytes: usize) -> Result<Self, ValidationError> {
        let text = Self::parse(text, max_bytes)?;
        if !crate::crypto::e2e::is_envelope(text.as_str()) {
            return Err(ValidationError::invalid(
                "invalid_e2e",
                "with e2e, secret must be an e2e2 envelope (`e2e2.` and base64url of verifier, nonce, ciphertext and tag) or an e2e1 one",
            ));
        }
        Ok(Self { e2e: true, ..text })
    }

    /// Validates an answer its answerer's client sealed to a request's public key
    /// ([`crate::crypto::sealed_box`]): the size limit, and the shape.
    pub fn parse_sealed_answer(text: String, max_bytes: usize) -> Result<Self, ValidationError> {
        let text = Self::parse(text, max_bytes)?;
        if !crate::crypto::sealed_box::is_envelope(text.as_str()) {
            return Err(ValidationError::invalid(
                "invalid_sealed_answer",
                "sealed must be an sb1 answer: `sb1.` and base64url of an ephemeral key, nonce, ciphertext and tag",
            ));
        }
        Ok(Self { e2e: true, ..text })
    }

    /// A text read back from storage, marked as its header says.
    pub fn stored(text: String, e2e: bool) -> Self {
        Self {
            text,
            e2e,
            carried_verifier: None,
        }
    }

    /// A file secret's text: its manifest, which carries the sender's envelope (if any),
    /// and with it that envelope's reveal verifier.
    pub fn file_manifest(manifest: String, envelope: Option<&Self>) -> Self {
        Self {
            text: manifest,
            e2e: envelope.is_some_and(Self::is_e2e),
            carried_verifier: envelope.and_then(Self::reveal_verifier),
        }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the text is an end-to-end envelope.
    pub fn is_e2e(&self) -> bool {
        self.e2e
    }

    /// For an `e2e2` envelope: the verifier of the proof its reveals must present.
    pub fn reveal_verifier(&self) -> Option<[u8; crate::crypto::VERIFIER_BYTES]> {
        self.carried_verifier.or_else(|| {
            self.e2e
                .then(|| crate::crypto::e2e::envelope_verifier(&self.text))
                .flatten()
        })
    }

    /// Gives the text up.
    pub fn into_string(self) -> String {
        self.text
    }
}

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretText(<{} bytes redacted>)", self.text.len())
    }
}

/// A passphrase that protects a secret: not empty, at most [`MAX_PASSPHRASE_CHARS`] characters.
#[derive(Clone, PartialEq, Eq)]
pub struct Passphrase(String);

impl Passphrase {
    /// Validates a passphrase; the message never repeats it.
    pub fn parse(text: String) -> Result<Self, ValidationError> {
        if text.is_empty() {
            return Err(ValidationError::invalid(
                "invalid_passphrase",
                "passphrase must not be empty; leave it out for no passphrase",
            ));
        }
        if text.chars().count() > MAX_PASSPHRASE_CHARS {
            return Err(ValidationError::invalid(
                "invalid_passphrase",
                format!("passphrase must be at most {MAX_PASSPHRASE_CHARS} characters"),
            ));
        }
        Ok(Self(text))
    }

    /// Validates an optional passphrase.
    pub fn parse_optional(text: Option<String>) -> Result<Option<Self>, ValidationError> {
        text.map(Self::parse).transpose()
    }

    /// The bytes to stretch.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

/// Length in characters of a generated secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenerateLength(usize);

impl GenerateLength {
    /// Length used when the request names none.
    pub const DEFAULT: usize = 32;
    /// Shortest generated secret: shorter ones are guessable.
    pub const MIN: usize = 8;
    /// Longest generated secret.
    pub const MAX: usize = 1024;

    /// Validates an optional requested length.
    pub fn parse(requested: Option<i64>) -> Result<Self, ValidationError> {
        let Some(requested) = requested else {
            return Ok(Self(Self::DEFAULT));
        };
        match usize::try_from(requested) {
            Ok(length) if (Self::MIN..=Self::MAX).contains(&length) => Ok(Self(length)),
            _ => Err(ValidationError::invalid(
                "length_out_of_range",
                format!(
                    "length must be between {} and {}, got {requested}",
                    Self::MIN,
                    Self::MAX
                ),
            )),
        }
    }

    /// The number of characters.
    pub fn get(self) -> usize {
        self.0
    }
}

/// Reads how many views a new secret allows (1–100, default 1) and whether its viewers
/// may burn it (default: yes for one view, no for several).
pub fn parse_views(
    max_views: Option<i64>,
    viewer_may_burn: Option<bool>,
) -> Result<Views, ValidationError> {
    let max = match max_views {
        None => 1,
        Some(views) => u8::try_from(views)
            .ok()
            .filter(|views| (1..=Views::MAX).contains(views))
            .ok_or_else(|| {
                ValidationError::invalid(
                    "max_views_out_of_range",
                    format!(
                        "max_views must be between 1 and {}, got {views}",
                        Views::MAX
                    ),
                )
            })?,
    };
    Ok(Views {
        max,
        viewer_may_burn: viewer_may_burn.unwrap_or(max == 1),
        ..Views::ONCE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_within_the_limit_is_kept_as_given() {
        let text = SecretText::parse("hunter2".into(), 7).expect("fits");
        assert_eq!(text.as_str(), "hunter2");
    }

    #[test]
    fn an_empty_secret_is_invalid() {
        let error = SecretText::parse(String::new(), 10).expect_err("empty");
        assert_eq!((error.code, error.too_large), ("empty_secret", false));
    }

    #[test]
    fn a_secret_over_the_limit_is_too_large() {
        let error = SecretText::parse("é".repeat(4), 7).expect_err("8 bytes");
        assert_eq!((error.code, error.too_large), ("secret_too_large", true));
    }

    #[test]
    fn an_envelope_must_have_the_e2e_shape() {
        let envelope = crate::crypto::e2e::seal(&crate::crypto::e2e::E2eKey::generate(), "hunter2");
        let text = SecretText::parse_envelope(envelope.clone(), 1000).expect("an envelope");
        assert!(text.is_e2e() && !SecretText::parse(envelope, 1000).expect("text").is_e2e());
        let error = SecretText::parse_envelope("hunter2".into(), 1000).expect_err("plain");
        assert_eq!((error.code, error.too_large), ("invalid_e2e", false));
        let error = SecretText::parse_envelope("e2e1.".repeat(10), 20).expect_err("big");
        assert_eq!(error.code, "secret_too_large");
    }

    #[test]
    fn passphrases_must_be_non_empty_and_bounded() {
        assert!(Passphrase::parse("x".into()).is_ok());
        assert!(Passphrase::parse(String::new()).is_err());
        assert!(Passphrase::parse("é".repeat(MAX_PASSPHRASE_CHARS)).is_ok());
        let long = "p".repeat(MAX_PASSPHRASE_CHARS + 1);
        let error = Passphrase::parse(long.clone()).expect_err("too long");
        assert!(!error.message.contains(&long));
        assert_eq!(Passphrase::parse_optional(None), Ok(None));
    }

    #[test]
    fn debug_output_hides_secret_and_passphrase() {
        let text = SecretText::parse("hunter2".into(), 100).expect("fits");
        let passphrase = Passphrase::parse("correct horse".into()).expect("valid");
        let shown = format!("{text:?} {passphrase:?}");
        assert!(!shown.contains("hunter2") && !shown.contains("correct horse"));
    }

    #[test]
    fn views_are_bounded_and_viewers_burn_only_single_views_by_default() {
        assert_eq!(parse_views(None, None), Ok(Views::ONCE));
        let several = parse_views(Some(100), None).expect("100 views");
        assert_eq!((several.max, several.viewer_may_burn), (100, false));
        assert!(parse_views(Some(3), Some(true)).expect("3").viewer_may_burn);
        assert!(
            !parse_views(Some(1), Some(false))
                .expect("1")
                .viewer_may_burn
        );
        for wrong in [0, 101, -1, 256, i64::MAX] {
            let error = parse_views(Some(wrong), None).expect_err("out of range");
            assert_eq!(error.code, "max_views_out_of_range");
        }
    }

    #[test]
    fn generated_length_is_bounded() {
        assert_eq!(GenerateLength::parse(None).map(GenerateLength::get), Ok(32));
        assert_eq!(
            GenerateLength::parse(Some(8)).map(GenerateLength::get),
            Ok(8)
        );
        assert!(GenerateLength::parse(Some(7)).is_err());
        assert!(GenerateLength::parse(Some(1025)).is_err());
        assert!(GenerateLength::parse(Some(-8)).is_err());
    }
}
