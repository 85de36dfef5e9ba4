//! The end-to-end format: a secret encrypted by its sender's client (the share page, the
//! CLI), which the server stores and hands out without ever holding the key.
//!
//! - The key is 32 random bytes (AES-256), written base64url without padding (43
//!   characters). It travels only in the link's fragment: `<origin>/s/<secret_key>#<key>`.
//! - The envelope, which is the `secret` the server stores, is the text
//!   `e2e1.` followed by base64url without padding of `nonce ‖ ciphertext ‖ tag`: a fresh
//!   12-byte random nonce, then AES-256-GCM of the UTF-8 text with its 16-byte tag. There
//!   is no associated data.
//!
//! Browsers do the same with WebCrypto (`assets/burnbox.js`). No HTTP and no Redis here.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// What every envelope starts with: the format and its version.
pub const PREFIX: &str = "e2e1.";
/// Bytes of the AES-256 key.
pub const KEY_BYTES: usize = 32;
/// Bytes of the AES-GCM nonce.
pub const NONCE_BYTES: usize = 12;
/// Bytes of the AES-GCM tag.
pub const TAG_BYTES: usize = 16;

/// Why an envelope would not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum E2eError {
    /// Not `e2e1.` and base64url of at least a nonce, one byte and a tag.
    #[error("not an e2e1 envelope")]
    Malformed,
    /// The key is not 43 characters of base64url (32 bytes).
    #[error("the key is not 32 bytes of base64url")]
    BadKey,
    /// The key does not open the envelope, or the text was altered.
    #[error("the key does not open this secret")]
    Unauthentic,
    /// It opened, but the text is not UTF-8.
    #[error("the decrypted text is not UTF-8")]
    NotText,
}

/// An end-to-end key.
#[derive(Clone, PartialEq, Eq)]
pub struct E2eKey([u8; KEY_BYTES]);

impl E2eKey {
    /// A fresh random key.
    pub fn generate() -> Self {
        Self(crate::crypto::random_array())
    }

    /// Reads a key as it appears in a link's fragment.
    pub fn decode(text: &str) -> Result<Self, E2eError> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| E2eError::BadKey)?;
        bytes.try_into().map(Self).map_err(|_| E2eError::BadKey)
    }

    /// The key as it goes in a link's fragment.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }
}

impl std::fmt::Debug for E2eKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("E2eKey(<redacted>)")
    }
}

/// [`is_envelope`] as the OpenAPI document says it (ECMA-262 syntax): `e2e1.` and the
/// canonical unpadded base64url of more than nonce and tag (29 bytes or more: 39 or more
/// characters, and a last character that carries no stray bits).
pub const ENVELOPE_PATTERN: &str = "^e2e1\\.(?:[A-Za-z0-9_-]{4}){9}(?:[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048]|(?:[A-Za-z0-9_-]{4})+(?:[A-Za-z0-9_-][AQgw]|[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048])?)$";

/// Whether `text` has the shape of an envelope (the server's check: it cannot open one).
pub fn is_envelope(text: &str) -> bool {
    envelope_bytes(text).is_ok()
}

fn envelope_bytes(text: &str) -> Result<Vec<u8>, E2eError> {
    let body = text.strip_prefix(PREFIX).ok_or(E2eError::Malformed)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| E2eError::Malformed)?;
    if bytes.len() <= NONCE_BYTES + TAG_BYTES {
        return Err(E2eError::Malformed);
    }
    Ok(bytes)
}

/// Encrypts `text` under `key` with a fresh random nonce.
pub fn seal(key: &E2eKey, text: &str) -> String {
    seal_with_nonce(key, crate::crypto::random_array(), text)
}

/// Encrypts `text` under `key` and `nonce`; a nonce must never be used twice with a key,
/// so only [`seal`] and worked examples call this.
pub fn seal_with_nonce(key: &E2eKey, nonce: [u8; NONCE_BYTES], text: &str) -> String {
    let cipher = Aes256Gcm::new(&key.0.into());
    // AES-GCM refuses only texts over 64 GiB; secrets are limited to far less.
    #[allow(clippy::expect_used)]
    let ciphertext = cipher
        .encrypt(&Nonce::from(nonce), text.as_bytes())
        .expect("AES-GCM encrypts any text shorter than 64 GiB");
    let mut bytes = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&ciphertext);
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Decrypts an envelope with its key.
pub fn open(key: &E2eKey, envelope: &str) -> Result<String, E2eError> {
    let bytes = envelope_bytes(envelope)?;
    let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
    let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| E2eError::Malformed)?;
    let plaintext = Aes256Gcm::new(&key.0.into())
        .decrypt(&Nonce::from(nonce), ciphertext)
        .map_err(|_| E2eError::Unauthentic)?;
    String::from_utf8(plaintext).map_err(|_| E2eError::NotText)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed_key() -> E2eKey {
        E2eKey(std::array::from_fn(|index| index as u8))
    }

    #[test]
    fn the_documented_envelope_pattern_is_the_check() {
        let pattern = regex::Regex::new(ENVELOPE_PATTERN).expect("a valid pattern");
        let mut checked = 0;
        for length in 0..40 {
            let envelope = seal(&E2eKey::generate(), &"x".repeat(length));
            let mut variants = vec![envelope.clone(), format!("{envelope}\n")];
            // Every cut, and a stray last character of each kind.
            for cut in PREFIX.len()..envelope.len() {
                variants.push(envelope[..cut].to_owned());
            }
            let body = envelope.trim_end_matches(|c: char| c != '.').len();
            let stem = &envelope[..envelope.len() - 1];
            for last in [
                "A", "B", "Q", "R", "g", "w", "0", "4", "_", "-", "=", "+", "/",
            ] {
                variants.push(format!("{stem}{last}"));
            }
            variants.push(format!("e2e2{}", &envelope[4..]));
            variants.push(envelope[..body].to_owned());
            for text in variants {
                assert_eq!(is_envelope(&text), pattern.is_match(&text), "{text:?}");
                checked += 1;
            }
        }
        assert!(checked > 1000);
    }

    #[test]
    fn an_envelope_opens_with_its_key_only() {
        let key = E2eKey::generate();
        let envelope = seal(&key, "correct horse battery staple");
        assert!(envelope.starts_with(PREFIX) && is_envelope(&envelope));
        assert_eq!(
            open(&key, &envelope).as_deref(),
            Ok("correct horse battery staple")
        );
        assert_eq!(
            open(&E2eKey::generate(), &envelope),
            Err(E2eError::Unauthentic)
        );
        let mut altered = envelope.clone().into_bytes();
        let last = altered.len() - 2;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(altered).expect("ascii");
        assert_eq!(open(&key, &altered), Err(E2eError::Unauthentic));
    }

    #[test]
    fn each_seal_uses_a_fresh_nonce() {
        let key = fixed_key();
        assert_ne!(seal(&key, "same"), seal(&key, "same"));
    }

    #[test]
    fn the_worked_example_matches_the_security_doc() {
        let key = fixed_key();
        assert_eq!(key.encode(), "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
        let envelope = seal_with_nonce(&key, [7; NONCE_BYTES], "hello");
        let security = include_str!("../../docs/security.md");
        assert!(
            security.contains(&envelope),
            "docs/security.md lacks {envelope}"
        );
        assert_eq!(open(&key, &envelope).as_deref(), Ok("hello"));
    }

    #[test]
    fn malformed_envelopes_and_keys_are_told_apart() {
        let key = fixed_key();
        for text in [
            "",
            "hello",
            "e2e1.",
            "e2e1.!!!!",
            "e2e2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            // A nonce and a tag but no text.
            "e2e1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            assert!(!is_envelope(text), "{text:?}");
            assert_eq!(open(&key, text), Err(E2eError::Malformed), "{text:?}");
        }
        for text in [
            "",
            "short",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A",
            "***",
        ] {
            assert_eq!(E2eKey::decode(text), Err(E2eError::BadKey), "{text:?}");
        }
        assert_eq!(
            E2eKey::decode(&key.encode()).map(|decoded| decoded == key),
            Ok(true)
        );
        assert_eq!(format!("{key:?}"), "E2eKey(<redacted>)");
    }

    #[test]
    fn a_non_utf8_plaintext_is_refused() {
        let key = fixed_key();
        let cipher = Aes256Gcm::new(&key.0.into());
        let nonce = [1; NONCE_BYTES];
        let mut bytes = nonce.to_vec();
        bytes.extend(
            cipher
                .encrypt(&Nonce::from(nonce), &[0xff, 0xfe][..])
                .expect("encrypts"),
        );
        let envelope = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        assert_eq!(open(&key, &envelope), Err(E2eError::NotText));
    }
}
