//! The end-to-end format: a secret encrypted by its sender's client (the share page, the
//! CLI), which the server stores and hands out without ever holding the key.
//!
//! - The key is 32 random bytes, written base64url without padding (43 characters). It
//!   travels only in the link's fragment: `<origin>/s/<secret_key>#<key>`.
//! - `e2e2` (what the pages and the CLI create): the envelope, which is the `secret` the
//!   server stores, is `e2e2.` followed by base64url without padding of
//!   `verifier ‖ nonce ‖ ciphertext ‖ tag`. From the key, HKDF-SHA256 (no salt) derives
//!   the text key (info `burnbox e2e2 text`) and the reveal proof (info `burnbox
//!   reveal`), 32 bytes each; the verifier is SHA-256 of the proof. The text is
//!   AES-256-GCM under the text key with a fresh 12-byte nonce and the verifier as
//!   associated data. The server keeps the verifier and hands the secret only to a reveal
//!   that presents the proof: knowing the link's path is not enough to consume it.
//! - `e2e1` (still opened): `e2e1.` and base64url of `nonce ‖ ciphertext ‖ tag`,
//!   AES-256-GCM under the key itself, with no associated data, and no proof.
//!
//! Browsers do the same with WebCrypto (`assets/burnbox.js`). No HTTP and no Redis here.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// What an envelope the pages and the CLI make starts with: the format and its version.
pub const PREFIX: &str = "e2e2.";
/// What a first-version envelope (no reveal proof) starts with.
pub const PREFIX_V1: &str = "e2e1.";
/// Bytes of the key.
pub const KEY_BYTES: usize = 32;
/// Bytes of a reveal proof, and of its verifier.
pub const PROOF_BYTES: usize = 32;
/// HKDF info of the text key of an `e2e2` envelope.
const TEXT_KEY_INFO: &[u8] = b"burnbox e2e2 text";
/// HKDF info of the reveal proof.
const PROOF_INFO: &[u8] = b"burnbox reveal";
/// Bytes of the AES-GCM nonce.
pub const NONCE_BYTES: usize = 12;
/// Bytes of the AES-GCM tag.
pub const TAG_BYTES: usize = 16;

/// Why an envelope would not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum E2eError {
    /// Not `e2e2.` (or `e2e1.`) and base64url of at least a nonce, one byte and a tag
    /// (after the verifier).
    #[error("not an e2e envelope")]
    Malformed,
    /// The key is not 43 characters of base64url (32 bytes).
    #[error("the key is not 32 bytes of base64url")]
    BadKey,
    /// The reveal proof is not 43 characters of base64url (32 bytes).
    #[error("the reveal proof is not 32 bytes of base64url")]
    BadProof,
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

    /// The proof a reveal of an `e2e2` secret presents.
    pub fn reveal_proof(&self) -> RevealProof {
        RevealProof(hkdf(&self.0, PROOF_INFO))
    }

    fn text_key(&self) -> [u8; KEY_BYTES] {
        hkdf(&self.0, TEXT_KEY_INFO)
    }

    /// Another key derived from this one (HKDF-SHA256, no salt) for `info`: the file
    /// format's key ([`super::e2e_file`]).
    pub(super) fn derive(&self, info: &[u8]) -> [u8; KEY_BYTES] {
        hkdf(&self.0, info)
    }
}

/// HKDF-SHA256 with no salt: 32 bytes of `info`'s key from `key`.
fn hkdf(key: &[u8; KEY_BYTES], info: &[u8]) -> [u8; 32] {
    struct Len;
    impl ring::hkdf::KeyType for Len {
        fn len(&self) -> usize {
            32
        }
    }
    let mut out = [0; 32];
    let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, &[]).extract(key);
    // Expanding 32 bytes of SHA-256 never exceeds HKDF's limit of 255 blocks.
    #[allow(clippy::expect_used)]
    prk.expand(&[info], Len)
        .and_then(|okm| okm.fill(&mut out))
        .expect("HKDF-SHA256 expands 32 bytes");
    out
}

/// What a reveal of an `e2e2` secret presents: derived one way from the key, so the server
/// that checks it learns nothing that opens the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct RevealProof([u8; PROOF_BYTES]);

impl RevealProof {
    /// Reads a proof as it travels (base64url without padding, 43 characters).
    pub fn decode(text: &str) -> Result<Self, E2eError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text)
            .map_err(|_| E2eError::BadProof)?;
        bytes.try_into().map(Self).map_err(|_| E2eError::BadProof)
    }

    /// The proof as it travels.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// What the server keeps to check it: SHA-256 of the proof.
    pub fn verifier(&self) -> [u8; PROOF_BYTES] {
        let digest = ring::digest::digest(&ring::digest::SHA256, &self.0);
        let mut verifier = [0; PROOF_BYTES];
        verifier.copy_from_slice(digest.as_ref());
        verifier
    }
}

impl std::fmt::Debug for RevealProof {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RevealProof(<redacted>)")
    }
}

impl std::fmt::Debug for E2eKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("E2eKey(<redacted>)")
    }
}

/// [`is_envelope`] as the OpenAPI document says it (ECMA-262 syntax): `e2e2.` or `e2e1.`,
/// then the canonical unpadded base64url of more than (verifier,) nonce and tag: 61 bytes
/// or more (82 characters) for `e2e2`, 29 or more (39) for `e2e1`, and a last character
/// that carries no stray bits.
pub const ENVELOPE_PATTERN: &str = "^(?:e2e2\\.(?:[A-Za-z0-9_-]{4}){20}(?:[A-Za-z0-9_-][AQgw]|[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048]|(?:[A-Za-z0-9_-]{4})+(?:[A-Za-z0-9_-][AQgw]|[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048])?)|e2e1\\.(?:[A-Za-z0-9_-]{4}){9}(?:[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048]|(?:[A-Za-z0-9_-]{4})+(?:[A-Za-z0-9_-][AQgw]|[A-Za-z0-9_-]{2}[AEIMQUYcgkosw048])?))$";

/// Whether `text` has the shape of an envelope (the server's check: it cannot open one).
pub fn is_envelope(text: &str) -> bool {
    envelope_parts(text).is_ok()
}

/// The verifier of an `e2e2` envelope's reveal proof (`None` for `e2e1`, or no envelope).
pub fn envelope_verifier(text: &str) -> Option<[u8; PROOF_BYTES]> {
    envelope_parts(text).ok().and_then(|(verifier, _)| verifier)
}

/// An envelope's verifier (for `e2e2`) and `nonce ‖ ciphertext ‖ tag`.
fn envelope_parts(text: &str) -> Result<(Option<[u8; PROOF_BYTES]>, Vec<u8>), E2eError> {
    let (verified, body) = match (text.strip_prefix(PREFIX), text.strip_prefix(PREFIX_V1)) {
        (Some(body), _) => (true, body),
        (None, Some(body)) => (false, body),
        (None, None) => return Err(E2eError::Malformed),
    };
    let mut bytes = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| E2eError::Malformed)?;
    let verifier = if verified {
        if bytes.len() < PROOF_BYTES {
            return Err(E2eError::Malformed);
        }
        let rest = bytes.split_off(PROOF_BYTES);
        let verifier: [u8; PROOF_BYTES] = bytes.try_into().map_err(|_| E2eError::Malformed)?;
        bytes = rest;
        Some(verifier)
    } else {
        None
    };
    if bytes.len() <= NONCE_BYTES + TAG_BYTES {
        return Err(E2eError::Malformed);
    }
    Ok((verifier, bytes))
}

/// Encrypts `text` under `key` with a fresh random nonce, as `e2e2`.
pub fn seal(key: &E2eKey, text: &str) -> String {
    seal_with_nonce(key, crate::crypto::random_array(), text)
}

/// Encrypts `text` under `key` and `nonce` as `e2e2`; a nonce must never be used twice
/// with a key, so only [`seal`] and worked examples call this.
pub fn seal_with_nonce(key: &E2eKey, nonce: [u8; NONCE_BYTES], text: &str) -> String {
    let verifier = key.reveal_proof().verifier();
    let mut bytes = verifier.to_vec();
    bytes.extend(encrypt(&key.text_key(), nonce, text, &verifier));
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Encrypts `text` as a first-version envelope (`e2e1`, no reveal proof): what older
/// clients made, kept for tests and worked examples.
pub fn seal_v1_with_nonce(key: &E2eKey, nonce: [u8; NONCE_BYTES], text: &str) -> String {
    let bytes = encrypt(&key.0, nonce, text, &[]);
    format!("{PREFIX_V1}{}", URL_SAFE_NO_PAD.encode(bytes))
}

fn encrypt(key: &[u8; KEY_BYTES], nonce: [u8; NONCE_BYTES], text: &str, aad: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new(key.into());
    // AES-GCM refuses only texts over 64 GiB; secrets are limited to far less.
    #[allow(clippy::expect_used)]
    let ciphertext = cipher
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: text.as_bytes(),
                aad,
            },
        )
        .expect("AES-GCM encrypts any text shorter than 64 GiB");
    let mut bytes = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&ciphertext);
    bytes
}

/// Decrypts an envelope (`e2e2` or `e2e1`) with its key.
pub fn open(key: &E2eKey, envelope: &str) -> Result<String, E2eError> {
    let (verifier, bytes) = envelope_parts(envelope)?;
    let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
    let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| E2eError::Malformed)?;
    let (text_key, aad) = match &verifier {
        Some(verifier) => (key.text_key(), &verifier[..]),
        None => (key.0, &[][..]),
    };
    let plaintext = Aes256Gcm::new(&text_key.into())
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
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
        for (length, v1) in (0..40).flat_map(|length| [(length, false), (length, true)]) {
            let text = "x".repeat(length);
            let envelope = if v1 {
                seal_v1_with_nonce(&E2eKey::generate(), crate::crypto::random_array(), &text)
            } else {
                seal(&E2eKey::generate(), &text)
            };
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
            variants.push(format!("e2e1{}", &envelope[4..]));
            variants.push(format!("e2e3{}", &envelope[4..]));
            variants.push(envelope[..body].to_owned());
            for text in variants {
                assert_eq!(is_envelope(&text), pattern.is_match(&text), "{text:?}");
                checked += 1;
            }
        }
        assert!(checked > 2000);
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
    fn an_e2e2_envelope_carries_the_verifier_of_its_keys_proof_only() {
        let key = E2eKey::generate();
        let envelope = seal(&key, "hello");
        let proof = key.reveal_proof();
        assert_eq!(envelope_verifier(&envelope), Some(proof.verifier()));
        assert_ne!(
            proof.verifier(),
            E2eKey::generate().reveal_proof().verifier()
        );
        // The proof, its verifier and the text key are three different things.
        assert!(!envelope.contains(&proof.encode()));
        assert_ne!(proof.verifier(), *proof.0.as_ref());
        assert_ne!(key.text_key(), proof.0);
        assert_eq!(RevealProof::decode(&proof.encode()), Ok(proof.clone()));
        assert_eq!(RevealProof::decode("short"), Err(E2eError::BadProof));
        assert_eq!(format!("{proof:?}"), "RevealProof(<redacted>)");
        let v1 = seal_v1_with_nonce(&key, [1; NONCE_BYTES], "hello");
        assert_eq!(envelope_verifier(&v1), None);
        assert_eq!(open(&key, &v1).as_deref(), Ok("hello"));
        // A verifier swapped for another's does not open: it is the text's associated data.
        let other = E2eKey::generate().reveal_proof().verifier();
        let mut bytes = URL_SAFE_NO_PAD
            .decode(&envelope[PREFIX.len()..])
            .expect("base64url");
        bytes[..PROOF_BYTES].copy_from_slice(&other);
        let swapped = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
        assert_eq!(open(&key, &swapped), Err(E2eError::Unauthentic));
    }

    #[test]
    fn each_seal_uses_a_fresh_nonce() {
        let key = fixed_key();
        assert_ne!(seal(&key, "same"), seal(&key, "same"));
    }

    #[test]
    fn the_worked_examples_match_the_security_doc() {
        let key = fixed_key();
        assert_eq!(key.encode(), "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
        let security = include_str!("../../docs/security.md");
        let proof = key.reveal_proof();
        let v2 = seal_with_nonce(&key, [7; NONCE_BYTES], "hello");
        let v1 = seal_v1_with_nonce(&key, [7; NONCE_BYTES], "hello");
        let verifier = URL_SAFE_NO_PAD.encode(proof.verifier());
        for expected in [&v2, &v1, &proof.encode(), &verifier] {
            assert!(
                security.contains(expected.as_str()),
                "docs/security.md lacks {expected}"
            );
        }
        assert_eq!(open(&key, &v2).as_deref(), Ok("hello"));
        assert_eq!(open(&key, &v1).as_deref(), Ok("hello"));
    }

    #[test]
    fn malformed_envelopes_and_keys_are_told_apart() {
        let key = fixed_key();
        for text in [
            "",
            "hello",
            "e2e1.",
            "e2e1.!!!!",
            "e2e3.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            // A verifier, a nonce and a tag but no text.
            "e2e2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
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
        let envelope = format!("{PREFIX_V1}{}", URL_SAFE_NO_PAD.encode(bytes));
        assert_eq!(open(&key, &envelope), Err(E2eError::NotText));
    }
}
