//! The header of a sealed secret: version, flags, expiry, views and KDF costs, and the
//! reads the stores make of it without opening anything.

use super::CryptoError;
use super::kdf::{KdfParams, PassphraseSalt, PasswordHash, SALT_BYTES};

/// Version byte of the sealed format.
pub const FORMAT_VERSION: u8 = 1;
/// Offset of the flags byte; the Redis take script reads it to refuse protected secrets.
pub const PROTECTED_FLAG_OFFSET: usize = 1;
/// Offset of the expiry; the Redis take script reads it to time the outcome it leaves.
pub const EXPIRES_AT_OFFSET: usize = 2;
pub(super) const FLAG_PASSPHRASE: u8 = 0b1;
pub(super) const FLAG_E2E: u8 = 0b10;
pub(super) const FLAG_VIEWS: u8 = 0b100;
pub(super) const FLAG_RETRIEVAL_STEP: u8 = 0b1000;
pub(super) const FLAG_ANSWER: u8 = 0b1_0000;
pub(super) const FLAG_PROOF: u8 = 0b10_0000;
/// Flag bit 6: a file secret, whose text is its manifest and whose content is chunks.
pub const FLAG_FILE: u8 = 0b100_0000;
/// Bytes of a reveal proof's verifier (with flag bit 5, after the views byte if any); the
/// Redis take script compares it with the verifier of the proof a reveal presents.
pub const VERIFIER_BYTES: usize = 32;
/// Offset of the views byte (with flag bit 2); the Redis take script reads it to count views.
pub const VIEWS_OFFSET: usize = BASE_HEADER_BYTES;
pub(super) const VIEWER_MAY_BURN_BIT: u8 = 0x80;
pub(super) const NONCE_BYTES: usize = 24;
pub(super) const TAG_BYTES: usize = 16;
pub(super) const BASE_HEADER_BYTES: usize = 1 + 1 + 8;
pub(super) const KDF_HEADER_BYTES: usize = SALT_BYTES + 12;

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// The readable part of a sealed secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Expiry, unix seconds.
    pub expires_at: u64,
    /// Present when the secret needs a passphrase.
    pub passphrase: Option<PassphraseSalt>,
    /// Whether the text is an end-to-end envelope the server cannot open.
    pub e2e: bool,
    /// How many views the secret allows, and whether a viewer may burn the rest.
    pub views: Views,
    /// For an `e2e2` secret: the verifier (SHA-256) of the proof a reveal must present.
    pub reveal_verifier: Option<[u8; VERIFIER_BYTES]>,
}

/// How many times a secret may be revealed, and whether its viewers may burn it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Views {
    /// Views allowed, 1 to [`Views::MAX`]; the last one burns the secret.
    pub max: u8,
    /// Whether a link holder may burn what is left.
    pub viewer_may_burn: bool,
    /// Whether its link is the click-through page (`/p/{url_token}/r`). Every burnbox
    /// reveal page waits for a click; this only keeps the link its creator asked for.
    pub retrieval_step: bool,
    /// Whether it is the answer to a request, sealed to its requester's key pair
    /// ([`crate::crypto::sealed_box`]): a reader needs X25519 to open it.
    pub answer: bool,
    /// Whether it is a file secret: its text is the file's manifest, its content chunks
    /// ([`crate::crypto::file`]).
    pub file: bool,
}

impl Views {
    /// Most views a secret may allow (fits the header's seven bits).
    pub const MAX: u8 = 100;
    /// One view, which its viewer may burn unread: every secret before views existed.
    pub const ONCE: Self = Self {
        max: 1,
        viewer_may_burn: true,
        retrieval_step: false,
        answer: false,
        file: false,
    };

    /// The header byte, or none for one view that its viewer may burn.
    pub(super) fn byte(self) -> Option<u8> {
        let burn = if self.viewer_may_burn {
            VIEWER_MAY_BURN_BIT
        } else {
            0
        };
        (self.max != 1 || !self.viewer_may_burn).then_some(self.max | burn)
    }

    pub(super) fn from_byte(byte: u8) -> Result<Self, CryptoError> {
        let max = byte & !VIEWER_MAY_BURN_BIT;
        if !(1..=Self::MAX).contains(&max) {
            return Err(CryptoError::Malformed);
        }
        Ok(Self {
            max,
            viewer_may_burn: byte & VIEWER_MAY_BURN_BIT != 0,
            ..Self::ONCE
        })
    }
}

impl Header {
    pub(super) fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(FORMAT_VERSION);
        let mut flags = 0;
        if self.passphrase.is_some() {
            flags |= FLAG_PASSPHRASE;
        }
        if self.e2e {
            flags |= FLAG_E2E;
        }
        let views = self.views.byte();
        if views.is_some() {
            flags |= FLAG_VIEWS;
        }
        if self.views.retrieval_step {
            flags |= FLAG_RETRIEVAL_STEP;
        }
        if self.views.answer {
            flags |= FLAG_ANSWER;
        }
        if self.views.file {
            flags |= FLAG_FILE;
        }
        if self.reveal_verifier.is_some() {
            flags |= FLAG_PROOF;
        }
        out.push(flags);
        out.extend_from_slice(&self.expires_at.to_be_bytes());
        out.extend(views);
        if let Some(verifier) = &self.reveal_verifier {
            out.extend_from_slice(verifier);
        }
        if let Some(salt) = &self.passphrase {
            out.extend_from_slice(&salt.salt);
            out.extend_from_slice(&salt.params.memory_kib.to_be_bytes());
            out.extend_from_slice(&salt.params.iterations.to_be_bytes());
            out.extend_from_slice(&salt.params.parallelism.to_be_bytes());
        }
    }

    /// Reads the header of a sealed secret, returning it and its length in bytes.
    pub fn decode(sealed: &[u8]) -> Result<(Self, usize), CryptoError> {
        let base = sealed
            .get(..BASE_HEADER_BYTES)
            .ok_or(CryptoError::Malformed)?;
        if base[0] != FORMAT_VERSION
            || base[1]
                & !(FLAG_PASSPHRASE
                    | FLAG_E2E
                    | FLAG_VIEWS
                    | FLAG_RETRIEVAL_STEP
                    | FLAG_ANSWER
                    | FLAG_PROOF
                    | FLAG_FILE)
                != 0
        {
            return Err(CryptoError::Malformed);
        }
        let e2e = base[1] & FLAG_E2E != 0;
        let expires_at = u64::from_be_bytes(be_array(&base[2..10])?);
        let (mut views, mut start) = if base[1] & FLAG_VIEWS == 0 {
            (Views::ONCE, BASE_HEADER_BYTES)
        } else {
            let byte = *sealed.get(VIEWS_OFFSET).ok_or(CryptoError::Malformed)?;
            (Views::from_byte(byte)?, VIEWS_OFFSET + 1)
        };
        let reveal_verifier = if base[1] & FLAG_PROOF == 0 {
            None
        } else {
            let verifier = sealed
                .get(start..start + VERIFIER_BYTES)
                .ok_or(CryptoError::Malformed)?;
            start += VERIFIER_BYTES;
            Some(be_array(verifier)?)
        };
        views.retrieval_step = base[1] & FLAG_RETRIEVAL_STEP != 0;
        views.answer = base[1] & FLAG_ANSWER != 0;
        views.file = base[1] & FLAG_FILE != 0;
        if base[1] & FLAG_PASSPHRASE == 0 {
            return Ok((
                Self {
                    expires_at,
                    passphrase: None,
                    e2e,
                    views,
                    reveal_verifier,
                },
                start,
            ));
        }
        let kdf = sealed
            .get(start..start + KDF_HEADER_BYTES)
            .ok_or(CryptoError::Malformed)?;
        let salt = PassphraseSalt {
            salt: be_array(&kdf[..SALT_BYTES])?,
            params: KdfParams {
                memory_kib: u32::from_be_bytes(be_array(&kdf[16..20])?),
                iterations: u32::from_be_bytes(be_array(&kdf[20..24])?),
                parallelism: u32::from_be_bytes(be_array(&kdf[24..28])?),
            },
        };
        Ok((
            Self {
                expires_at,
                passphrase: Some(salt),
                e2e,
                views,
                reveal_verifier,
            },
            start + KDF_HEADER_BYTES,
        ))
    }
}

pub(super) fn be_array<const N: usize>(bytes: &[u8]) -> Result<[u8; N], CryptoError> {
    bytes.try_into().map_err(|_| CryptoError::Malformed)
}

/// Whether a sealed secret needs a passphrase, read the same way the take script reads it.
pub fn is_protected(sealed: &[u8]) -> bool {
    sealed
        .get(PROTECTED_FLAG_OFFSET)
        .is_some_and(|flags| flags & FLAG_PASSPHRASE != 0)
}

/// How many views a sealed secret allows, read the same way the take script reads it.
pub fn views_allowed(sealed: &[u8]) -> u8 {
    let flags = sealed.get(PROTECTED_FLAG_OFFSET).copied().unwrap_or(0);
    if flags & FLAG_VIEWS == 0 {
        return 1;
    }
    sealed
        .get(VIEWS_OFFSET)
        .map_or(1, |byte| byte & !VIEWER_MAY_BURN_BIT)
}

/// Whether a take presenting `verifier` may have a sealed secret, read the same way the
/// take script reads it: always, unless it keeps the verifier of a reveal proof; then only
/// when `verifier` is the same, compared in constant time.
pub fn proof_admits(sealed: &[u8], verifier: Option<&[u8; VERIFIER_BYTES]>) -> bool {
    let flags = sealed.get(PROTECTED_FLAG_OFFSET).copied().unwrap_or(0);
    if flags & FLAG_PROOF == 0 {
        return true;
    }
    let at = VIEWS_OFFSET + usize::from(flags & FLAG_VIEWS != 0);
    match (sealed.get(at..at + VERIFIER_BYTES), verifier) {
        (Some(stored), Some(presented)) => {
            stored
                .iter()
                .zip(presented)
                .fold(0, |differ, (a, b)| differ | (a ^ b))
                == 0
        }
        _ => false,
    }
}

/// Whether a sealed secret is a file secret, read the same way the take script reads it.
pub fn is_file(sealed: &[u8]) -> bool {
    sealed
        .get(PROTECTED_FLAG_OFFSET)
        .is_some_and(|flags| flags & FLAG_FILE != 0)
}

/// Whether a sealed secret holds an end-to-end envelope.
pub fn is_e2e(sealed: &[u8]) -> bool {
    sealed
        .get(PROTECTED_FLAG_OFFSET)
        .is_some_and(|flags| flags & FLAG_E2E != 0)
}
