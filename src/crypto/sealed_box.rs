//! The answer to a request for a secret, sealed to its requester's X25519 public key, so
//! that only the holder of the private half (which travels only in the requester's link)
//! opens it. No HTTP and no Redis here.
//!
//! - A key is 32 bytes, written base64url without padding (43 characters): the public
//!   half goes to the server; the private half stays in the requester's link fragment,
//!   `<origin>/s/<answer_key>#<private key>`.
//! - The envelope is the text `sb1.` followed by base64url without padding of
//!   `ephemeral public key (32) ‖ nonce (12) ‖ ciphertext ‖ tag (16)`: an ephemeral X25519
//!   key agrees a shared secret with the requester's public key; HKDF-SHA256 (salt: the
//!   ephemeral public key then the requester's; info: `burnbox request answer v1`) makes
//!   an AES-256-GCM key; the UTF-8 text is encrypted with a fresh nonce and no associated
//!   data. Browsers do the same with WebCrypto (`assets/burnbox.js`).

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use x25519_dalek::{PublicKey, StaticSecret};

/// What every sealed answer starts with: the format and its version.
pub const PREFIX: &str = "sb1.";
const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 12;
const TAG_BYTES: usize = 16;
const INFO: &[u8] = b"burnbox request answer v1";

/// Why a sealed answer would not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealedBoxError {
    /// Not `sb1.` and base64url of an ephemeral key, a nonce, one byte and a tag.
    #[error("not an sb1 sealed answer")]
    Malformed,
    /// The key is not 43 characters of base64url (32 bytes).
    #[error("the key is not 32 bytes of base64url")]
    BadKey,
    /// The private key does not open the answer, or it was altered.
    #[error("the key does not open this answer")]
    Unauthentic,
    /// It opened, but the text is not UTF-8.
    #[error("the decrypted text is not UTF-8")]
    NotText,
}

/// The requester's key pair.
pub struct KeyPair {
    private: StaticSecret,
}

impl KeyPair {
    /// A fresh random pair.
    pub fn generate() -> Self {
        Self {
            private: StaticSecret::from(crate::crypto::random_array::<KEY_BYTES>()),
        }
    }

    /// Reads a private key as it appears in a link's fragment.
    pub fn decode(text: &str) -> Result<Self, SealedBoxError> {
        let bytes: [u8; KEY_BYTES] = URL_SAFE_NO_PAD
            .decode(text)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or(SealedBoxError::BadKey)?;
        Ok(Self {
            private: StaticSecret::from(bytes),
        })
    }

    /// The private half, for the requester's link fragment.
    pub fn encode_private(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.private.to_bytes())
    }

    /// The public half, for the server.
    pub fn encode_public(&self) -> String {
        URL_SAFE_NO_PAD.encode(PublicKey::from(&self.private).as_bytes())
    }

    /// Opens an answer sealed to this pair's public half.
    pub fn open(&self, envelope: &str) -> Result<String, SealedBoxError> {
        let bytes = envelope
            .strip_prefix(PREFIX)
            .and_then(|body| URL_SAFE_NO_PAD.decode(body).ok())
            .filter(|bytes| bytes.len() > KEY_BYTES + NONCE_BYTES + TAG_BYTES)
            .ok_or(SealedBoxError::Malformed)?;
        let (ephemeral, rest) = bytes.split_at(KEY_BYTES);
        let (nonce, ciphertext) = rest.split_at(NONCE_BYTES);
        let ephemeral: [u8; KEY_BYTES] = ephemeral
            .try_into()
            .map_err(|_| SealedBoxError::Malformed)?;
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| SealedBoxError::Malformed)?;
        let recipient = PublicKey::from(&self.private);
        let shared = self.private.diffie_hellman(&PublicKey::from(ephemeral));
        let plaintext = cipher(shared.as_bytes(), &ephemeral, recipient.as_bytes())
            .decrypt(&Nonce::from(nonce), ciphertext)
            .map_err(|_| SealedBoxError::Unauthentic)?;
        String::from_utf8(plaintext).map_err(|_| SealedBoxError::NotText)
    }
}

/// Reads a public key as the API receives it: 32 bytes, in canonical form (bit 255 clear,
/// below 2^255 − 19), and not of low order (an agreement with it must depend on the
/// other side's key, or anyone could open what is sealed to it).
pub fn decode_public(text: &str) -> Result<[u8; KEY_BYTES], SealedBoxError> {
    let bytes: [u8; KEY_BYTES] = URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or(SealedBoxError::BadKey)?;
    let top = bytes[KEY_BYTES - 1];
    let at_or_above_p =
        top == 0x7f && bytes[1..KEY_BYTES - 1].iter().all(|byte| *byte == 0xff) && bytes[0] >= 0xed;
    let probe = StaticSecret::from(crate::crypto::random_array::<KEY_BYTES>());
    if top & 0x80 != 0
        || at_or_above_p
        || !probe
            .diffie_hellman(&PublicKey::from(bytes))
            .was_contributory()
    {
        return Err(SealedBoxError::BadKey);
    }
    Ok(bytes)
}

/// Seals `text` to the public key `recipient`.
pub fn seal(recipient: &[u8; KEY_BYTES], text: &str) -> String {
    let ephemeral = StaticSecret::from(crate::crypto::random_array::<KEY_BYTES>());
    let ephemeral_public = PublicKey::from(&ephemeral);
    let shared = ephemeral.diffie_hellman(&PublicKey::from(*recipient));
    let nonce = crate::crypto::random_array::<NONCE_BYTES>();
    // Encryption fails only for inputs of gigabytes, far beyond any configured limit.
    #[allow(clippy::expect_used)]
    let ciphertext = cipher(shared.as_bytes(), ephemeral_public.as_bytes(), recipient)
        .encrypt(&Nonce::from(nonce), text.as_bytes())
        .expect("AES-GCM encrypts any message below 64 GiB");
    let mut bytes = Vec::with_capacity(KEY_BYTES + NONCE_BYTES + ciphertext.len());
    bytes.extend_from_slice(ephemeral_public.as_bytes());
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&ciphertext);
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `text` has the shape of a sealed answer (the server cannot open it, but it can
/// refuse what no requester could).
pub fn is_envelope(text: &str) -> bool {
    text.strip_prefix(PREFIX)
        .and_then(|body| URL_SAFE_NO_PAD.decode(body).ok())
        .is_some_and(|bytes| bytes.len() > KEY_BYTES + NONCE_BYTES + TAG_BYTES)
}

fn cipher(shared: &[u8], ephemeral: &[u8], recipient: &[u8]) -> Aes256Gcm {
    let salt = [ephemeral, recipient].concat();
    let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, &salt).extract(shared);
    let mut key = [0u8; KEY_BYTES];
    // 32 bytes are far below HKDF-SHA256's limit of 255 blocks.
    #[allow(clippy::expect_used)]
    prk.expand(&[INFO], ring::hkdf::HKDF_SHA256)
        .and_then(|okm| okm.fill(&mut key))
        .expect("HKDF-SHA256 expands to 32 bytes");
    Aes256Gcm::new(&key.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_private_half_opens_what_was_sealed_to_its_public_half() {
        let pair = KeyPair::generate();
        let public = decode_public(&pair.encode_public()).expect("a public key");
        let sealed = seal(&public, "the database password is 4711");
        assert!(is_envelope(&sealed) && !sealed.contains("4711"));
        assert_eq!(
            pair.open(&sealed).as_deref(),
            Ok("the database password is 4711")
        );
        let again = KeyPair::decode(&pair.encode_private()).expect("a private key");
        assert_eq!(
            again.open(&sealed).as_deref(),
            Ok("the database password is 4711")
        );
        assert_eq!(
            KeyPair::generate().open(&sealed),
            Err(SealedBoxError::Unauthentic)
        );
        let mut tampered = sealed.into_bytes();
        let last = tampered.len() - 2;
        tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).expect("text");
        assert!(pair.open(&tampered).is_err());
    }

    #[test]
    fn malformed_answers_and_keys_are_refused() {
        let pair = KeyPair::generate();
        for text in ["", "sb1.", "sb1.AAAA", "e2e1.AAAA", "sb1.!!!"] {
            assert_eq!(pair.open(text), Err(SealedBoxError::Malformed), "{text}");
            assert!(!is_envelope(text));
        }
        assert!(KeyPair::decode("short").is_err());
        assert_eq!(decode_public("AAAA"), Err(SealedBoxError::BadKey));
        // Low order (0 and 1), bit 255 set, and p itself are no keys to seal to.
        let mut one = [0u8; KEY_BYTES];
        one[0] = 1;
        let mut high = [9u8; KEY_BYTES];
        high[KEY_BYTES - 1] = 0x89;
        let mut p = [0xffu8; KEY_BYTES];
        p[0] = 0xed;
        p[KEY_BYTES - 1] = 0x7f;
        for bytes in [[0u8; KEY_BYTES], one, high, p] {
            assert_eq!(
                decode_public(&URL_SAFE_NO_PAD.encode(bytes)),
                Err(SealedBoxError::BadKey)
            );
        }
    }
}
