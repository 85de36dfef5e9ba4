//! Sealing, key derivation and hashing ([`header`](self::Header), Argon2 stretching, one-way
//! lookup ids, [`seal`]/[`open`]), and the end-to-end formats clients use ([`e2e`],
//! [`sealed_box`]). Knows neither HTTP nor Redis.
//!
//! A sealed secret is `header ‖ nonce ‖ ciphertext`:
//!
//! | bytes | field |
//! |---|---|
//! | 1 | format version ([`FORMAT_VERSION`]) |
//! | 1 | flags: bit 0 set when a passphrase is needed ([`PROTECTED_FLAG_OFFSET`]); bit 1 when the text is an end-to-end envelope ([`crate::crypto::e2e`]); bit 2 when a views byte follows the expiry; bit 3 when the link asked for a click-through page (Password Pusher's retrieval step); bit 4 when it is the sealed answer to a request; bit 5 when a reveal-proof verifier follows; bit 6 when it is a file secret (its text the file's manifest, its content sealed chunks, [`file`]) |
//! | 8 | expiry, unix seconds, big-endian |
//! | 1 | only with flag bit 2 ([`VIEWS_OFFSET`]): views allowed (bits 0–6, 1–100) and bit 7 set when a viewer may burn the rest; without it, one view that its viewer may burn |
//! | 28 | only with a passphrase: Argon2id salt (16) and m, t, p costs (4 each) |
//! | 24 | XChaCha20-Poly1305 nonce |
//! | rest | ciphertext and tag |
//!
//! The seal key is BLAKE3 `derive_key` over the client's secret key (which Redis never
//! sees) and, when set, the Argon2id-stretched passphrase. The AAD is the header and the
//! record's lookup id, so a ciphertext moved to another record, or a header edited (say,
//! the passphrase flag cleared), fails to open. A wrong passphrase is an AEAD failure:
//! no passphrase hash exists to steal.

pub mod e2e;
pub mod e2e_file;
pub mod file;
mod header;
mod kdf;
mod lookup;
mod seal;
pub mod sealed_box;
#[cfg(test)]
mod tests;

pub use self::header::{
    EXPIRES_AT_OFFSET, FLAG_FILE, FORMAT_VERSION, Header, PROTECTED_FLAG_OFFSET, VERIFIER_BYTES,
    VIEWS_OFFSET, Views, is_e2e, is_file, is_protected, proof_admits, views_allowed,
};
pub use self::kdf::{KdfMemory, KdfParams, PassphraseSalt, PasswordHash, StretchedPassphrase};
pub use self::lookup::{
    LookupKind, code_digest, code_slot, email_index_id, login_guard_id, lookup_id,
};
pub use self::seal::{Sealed, open, seal};

/// Why something could not be opened or derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    /// The bytes are not a sealed secret of a known format.
    #[error("sealed secret is malformed")]
    Malformed,
    /// Authentication failed: wrong key or passphrase, or tampered bytes.
    #[error("sealed secret did not authenticate")]
    Unauthentic,
    /// The Argon2 parameters are out of range.
    #[error("argon2 parameters are invalid")]
    InvalidKdfParams,
}

/// `N` bytes from the operating system's CSPRNG.
pub fn random_array<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // Without OS randomness no key is safe to hand out: stopping is the only answer.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut bytes).expect("the OS random number generator failed");
    bytes
}

/// A random string of `length` characters from `[A-Za-z0-9]` (≈5.95 bits each).
pub fn random_alphanumeric(length: usize) -> String {
    const ALPHABET: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(length);
    while out.len() < length {
        for byte in random_array::<64>() {
            // Rejection sampling: 248 = 4 × 62 keeps every character equally likely.
            if byte < 248 && out.len() < length {
                out.push(char::from(ALPHABET[usize::from(byte % 62)]));
            }
        }
    }
    out
}
