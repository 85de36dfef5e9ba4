//! Files at rest and in transit through the server: each chunk sealed under a key derived
//! from the link's secret key (which Redis never sees), with the secret's lookup id and the
//! chunk's index as AAD, so a chunk moved to another file or place fails to open; an
//! upload's state sealed under its upload key; download tickets sealed under the server key.
//!
//! A chunk is AES-256-GCM (with AES-NI, about twice the speed of XChaCha20-Poly1305 on a
//! megabyte) with a random 96-bit nonce under its file's own key: `nonce (12) ‖
//! ciphertext ‖ tag (16)`; a file has at most 8192 chunks, far below where random 96-bit
//! nonces under one key become a risk. States and tickets are XChaCha20-Poly1305 with a
//! random nonce: `nonce (24) ‖ ciphertext ‖ tag (16)`.

use aes_gcm::Aes256Gcm;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use super::header::{NONCE_BYTES, TAG_BYTES, be_array};
use super::{CryptoError, random_array};

const CHUNK_CONTEXT: &str = "burnbox 2026-12-07 file chunk seal key v1";
const UPLOAD_CONTEXT: &str = "burnbox 2026-12-07 upload state seal key v1";
const TICKET_CONTEXT: &str = "burnbox 2026-12-07 download ticket seal key v1";

/// Bytes sealing adds to a state or ticket (nonce and tag).
pub const SEAL_OVERHEAD: usize = NONCE_BYTES + TAG_BYTES;
/// Bytes sealing adds to each chunk (a 96-bit nonce and the tag).
pub const CHUNK_SEAL_OVERHEAD: usize = CHUNK_NONCE_BYTES + TAG_BYTES;
const CHUNK_NONCE_BYTES: usize = 12;

fn cipher(context: &str, key: &[u8]) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(&blake3::derive_key(context, key).into())
}

fn seal_under(cipher: &XChaCha20Poly1305, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let nonce = random_array::<NONCE_BYTES>();
    // Encryption fails only for inputs of gigabytes, far beyond any chunk or state.
    #[allow(clippy::expect_used)]
    let ciphertext = cipher
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        )
        .expect("XChaCha20-Poly1305 encrypts any message below 256 GiB");
    let mut sealed = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
    sealed.extend_from_slice(&nonce);
    sealed.extend_from_slice(&ciphertext);
    sealed
}

fn open_under(
    cipher: &XChaCha20Poly1305,
    aad: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    if sealed.len() < SEAL_OVERHEAD {
        return Err(CryptoError::Malformed);
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_BYTES);
    cipher
        .decrypt(
            &XNonce::from(be_array::<NONCE_BYTES>(nonce)?),
            Payload {
                msg: ciphertext,
                aad,
            },
        )
        .map_err(|_| CryptoError::Unauthentic)
}

fn chunk_aad(lookup: &[u8], index: u32) -> Vec<u8> {
    [lookup, &index.to_be_bytes()].concat()
}

/// The chunks of one file, sealed and opened under its secret key.
pub struct ChunkSealer {
    cipher: Aes256Gcm,
    lookup: Vec<u8>,
}

/// The key a file's chunks are sealed under, derived from its secret key: what a download
/// ticket carries instead of the secret key (which would open the secret itself).
pub fn chunk_key(secret_key: &[u8]) -> [u8; 32] {
    blake3::derive_key(CHUNK_CONTEXT, secret_key)
}

impl ChunkSealer {
    /// The sealer for the file whose chunk key is `chunk_key` ([`chunk_key`]) and whose
    /// secret's lookup id is `lookup`.
    pub fn new(chunk_key: &[u8; 32], lookup: &[u8]) -> Self {
        Self {
            cipher: Aes256Gcm::new(&(*chunk_key).into()),
            lookup: lookup.to_vec(),
        }
    }

    /// Seals chunk `index`.
    pub fn seal(&self, index: u32, chunk: &[u8]) -> Vec<u8> {
        let nonce = random_array::<CHUNK_NONCE_BYTES>();
        let aad = chunk_aad(&self.lookup, index);
        // Encryption fails only for inputs of gigabytes, far beyond any chunk.
        #[allow(clippy::expect_used)]
        let ciphertext = self
            .cipher
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: chunk,
                    aad: &aad,
                },
            )
            .expect("AES-256-GCM encrypts any chunk");
        let mut sealed = Vec::with_capacity(CHUNK_NONCE_BYTES + ciphertext.len());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        sealed
    }

    /// Opens chunk `index`; one sealed for another file or index fails.
    pub fn open(&self, index: u32, sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() < CHUNK_SEAL_OVERHEAD {
            return Err(CryptoError::Malformed);
        }
        let (nonce, ciphertext) = sealed.split_at(CHUNK_NONCE_BYTES);
        let nonce: [u8; CHUNK_NONCE_BYTES] = be_array(nonce)?;
        let aad = chunk_aad(&self.lookup, index);
        self.cipher
            .decrypt(
                &nonce.into(),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| CryptoError::Unauthentic)
    }
}

impl std::fmt::Debug for ChunkSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChunkSealer(<redacted>)")
    }
}

/// Seals an upload's state under its upload key, for its record `lookup`.
pub fn seal_upload_state(upload_key: &[u8], lookup: &[u8], state: &[u8]) -> Vec<u8> {
    seal_under(&cipher(UPLOAD_CONTEXT, upload_key), lookup, state)
}

/// Opens an upload's state.
pub fn open_upload_state(
    upload_key: &[u8],
    lookup: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    open_under(&cipher(UPLOAD_CONTEXT, upload_key), lookup, sealed)
}

/// Seals a download ticket's content under the server key.
pub fn seal_ticket(server_key: &[u8], ticket: &[u8]) -> Vec<u8> {
    seal_under(&cipher(TICKET_CONTEXT, server_key), b"", ticket)
}

/// Opens a download ticket; one sealed under another server key, or edited, fails.
pub fn open_ticket(server_key: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
    open_under(&cipher(TICKET_CONTEXT, server_key), b"", sealed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chunk_opens_only_for_its_file_and_index() {
        let sealer = ChunkSealer::new(&chunk_key(b"secret key"), b"lookup");
        let sealed = sealer.seal(3, b"bytes");
        assert_eq!(sealed.len(), 5 + CHUNK_SEAL_OVERHEAD);
        assert_eq!(sealer.open(3, &sealed).ok().as_deref(), Some(&b"bytes"[..]));
        assert_eq!(sealer.open(4, &sealed), Err(CryptoError::Unauthentic));
        let other = ChunkSealer::new(&chunk_key(b"secret key"), b"other lookup");
        assert_eq!(other.open(3, &sealed), Err(CryptoError::Unauthentic));
        let other = ChunkSealer::new(&chunk_key(b"other key"), b"lookup");
        assert_eq!(other.open(3, &sealed), Err(CryptoError::Unauthentic));
        assert_eq!(sealer.open(3, &sealed[..10]), Err(CryptoError::Malformed));
    }

    #[test]
    fn states_and_tickets_open_only_under_their_keys() {
        let state = seal_upload_state(b"upload", b"lookup", b"state");
        assert_eq!(
            open_upload_state(b"upload", b"lookup", &state)
                .ok()
                .as_deref(),
            Some(&b"state"[..])
        );
        assert!(open_upload_state(b"other", b"lookup", &state).is_err());
        assert!(open_upload_state(b"upload", b"moved", &state).is_err());
        let ticket = seal_ticket(b"server", b"ticket");
        assert_eq!(
            open_ticket(b"server", &ticket).ok().as_deref(),
            Some(&b"ticket"[..])
        );
        let mut edited = ticket.clone();
        edited[30] ^= 1;
        assert_eq!(
            open_ticket(b"server", &edited),
            Err(CryptoError::Unauthentic)
        );
        assert!(open_ticket(b"other server", &ticket).is_err());
    }
}
