//! Sealing and opening: XChaCha20-Poly1305 under a key derived per kind of record from
//! the client's key (and a stretched passphrase), the header and lookup id as AAD.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use super::header::{
    BASE_HEADER_BYTES, Header, KDF_HEADER_BYTES, NONCE_BYTES, TAG_BYTES, be_array,
};
use super::kdf::StretchedPassphrase;
use super::{CryptoError, random_array};

pub(super) const SECRET_SEAL_CONTEXT: &str = "burnbox 2026-11-22 secret seal key v1";
pub(super) const TOKEN_SEAL_CONTEXT: &str = "burnbox 2026-11-22 token seal key v1";
pub(super) const RECEIPT_LINK_SEAL_CONTEXT: &str = "burnbox 2026-11-22 receipt secret key seal v1";
pub(super) const OUTBOX_SEAL_CONTEXT: &str = "burnbox 2026-11-23 queued mail seal v1";
pub(super) const REQUEST_SEAL_CONTEXT: &str = "burnbox 2026-11-23 request seal key v1";
/// What is being sealed; each has its own key-derivation context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sealed {
    /// A secret, under its secret key.
    Secret,
    /// A token's subject and claims, under the token.
    Token,
    /// A secret's key, under its receipt key (onetimesecret API receipts show it).
    SecretKeyForReceipt,
    /// A queued mail (it holds a code), under the server key.
    QueuedMail,
    /// A request for a secret (its public key, note and answer key), under its request key.
    Request,
}

pub(super) fn cipher(
    what: Sealed,
    key: &[u8],
    stretched: Option<&StretchedPassphrase>,
) -> XChaCha20Poly1305 {
    let context = match what {
        Sealed::Secret => SECRET_SEAL_CONTEXT,
        Sealed::Token => TOKEN_SEAL_CONTEXT,
        Sealed::SecretKeyForReceipt => RECEIPT_LINK_SEAL_CONTEXT,
        Sealed::QueuedMail => OUTBOX_SEAL_CONTEXT,
        Sealed::Request => REQUEST_SEAL_CONTEXT,
    };
    let mut hasher = blake3::Hasher::new_derive_key(context);
    hasher.update(key);
    if let Some(stretched) = stretched {
        hasher.update(&stretched.0);
    }
    XChaCha20Poly1305::new(&(*hasher.finalize().as_bytes()).into())
}

pub(super) fn aad(header_bytes: &[u8], lookup: &[u8]) -> Vec<u8> {
    [header_bytes, lookup].concat()
}

/// Seals `plaintext` for the record `lookup`, under the client `key` and, when the header
/// asks for one, the stretched passphrase.
pub fn seal(
    what: Sealed,
    key: &[u8],
    stretched: Option<&StretchedPassphrase>,
    header: &Header,
    lookup: &[u8],
    plaintext: &[u8],
) -> Vec<u8> {
    let mut sealed = Vec::with_capacity(
        BASE_HEADER_BYTES + 1 + KDF_HEADER_BYTES + NONCE_BYTES + plaintext.len() + TAG_BYTES,
    );
    header.encode_into(&mut sealed);
    let nonce_bytes = random_array::<NONCE_BYTES>();
    let payload = Payload {
        msg: plaintext,
        aad: &aad(&sealed, lookup),
    };
    // Encryption fails only for inputs of gigabytes, far beyond any configured limit.
    #[allow(clippy::expect_used)]
    let ciphertext = cipher(what, key, stretched)
        .encrypt(&XNonce::from(nonce_bytes), payload)
        .expect("XChaCha20-Poly1305 encrypts any message below 256 GiB");
    sealed.extend_from_slice(&nonce_bytes);
    sealed.extend_from_slice(&ciphertext);
    sealed
}

/// Opens a sealed secret; any mismatch of kind, key, passphrase, record or bytes fails.
pub fn open(
    what: Sealed,
    key: &[u8],
    stretched: Option<&StretchedPassphrase>,
    lookup: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let (_, header_len) = Header::decode(sealed)?;
    let (header_bytes, rest) = sealed.split_at(header_len);
    if rest.len() < NONCE_BYTES + TAG_BYTES {
        return Err(CryptoError::Malformed);
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_BYTES);
    let payload = Payload {
        msg: ciphertext,
        aad: &aad(header_bytes, lookup),
    };
    cipher(what, key, stretched)
        .decrypt(&XNonce::from(be_array::<NONCE_BYTES>(nonce)?), payload)
        .map_err(|_| CryptoError::Unauthentic)
}
