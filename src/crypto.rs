//! Sealing, key derivation and hashing. Knows neither HTTP nor Redis.
//!
//! A sealed secret is `header ‖ nonce ‖ ciphertext`:
//!
//! | bytes | field |
//! |---|---|
//! | 1 | format version ([`FORMAT_VERSION`]) |
//! | 1 | flags: bit 0 set when a passphrase is needed ([`PROTECTED_FLAG_OFFSET`]); bit 1 when the text is an end-to-end envelope ([`crate::e2e`]); bit 2 when a views byte follows the expiry; bit 3 when the link asked for a click-through page (Password Pusher's retrieval step); bit 4 when it is the sealed answer to a request |
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

use argon2::{Algorithm, Argon2, Block, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

/// Version byte of the sealed format.
pub const FORMAT_VERSION: u8 = 1;
/// Offset of the flags byte; the Redis take script reads it to refuse protected secrets.
pub const PROTECTED_FLAG_OFFSET: usize = 1;
/// Offset of the expiry; the Redis take script reads it to time the outcome it leaves.
pub const EXPIRES_AT_OFFSET: usize = 2;
const FLAG_PASSPHRASE: u8 = 0b1;
const FLAG_E2E: u8 = 0b10;
const FLAG_VIEWS: u8 = 0b100;
const FLAG_RETRIEVAL_STEP: u8 = 0b1000;
const FLAG_ANSWER: u8 = 0b1_0000;
/// Offset of the views byte (with flag bit 2); the Redis take script reads it to count views.
pub const VIEWS_OFFSET: usize = BASE_HEADER_BYTES;
const VIEWER_MAY_BURN_BIT: u8 = 0x80;
const SALT_BYTES: usize = 16;
const NONCE_BYTES: usize = 24;
const TAG_BYTES: usize = 16;
const BASE_HEADER_BYTES: usize = 1 + 1 + 8;
const KDF_HEADER_BYTES: usize = SALT_BYTES + 12;

const SECRET_SEAL_CONTEXT: &str = "burnbox 2026-11-22 secret seal key v1";
const TOKEN_SEAL_CONTEXT: &str = "burnbox 2026-11-22 token seal key v1";
const RECEIPT_LINK_SEAL_CONTEXT: &str = "burnbox 2026-11-22 receipt secret key seal v1";
const OUTBOX_SEAL_CONTEXT: &str = "burnbox 2026-11-23 queued mail seal v1";
const SECRET_LOOKUP_CONTEXT: &str = "burnbox 2026-11-22 secret lookup v1";
const RECEIPT_LOOKUP_CONTEXT: &str = "burnbox 2026-11-22 receipt lookup v1";
const TOKEN_LOOKUP_CONTEXT: &str = "burnbox 2026-11-22 token lookup v1";
const SESSION_LOOKUP_CONTEXT: &str = "burnbox 2026-11-22 session lookup v1";
const API_KEY_LOOKUP_CONTEXT: &str = "burnbox 2026-11-22 api key lookup v1";
const REQUEST_LOOKUP_CONTEXT: &str = "burnbox 2026-11-23 request lookup v1";
const REQUEST_SEAL_CONTEXT: &str = "burnbox 2026-11-23 request seal key v1";
const EMAIL_INDEX_CONTEXT: &str = "burnbox 2026-11-22 email index v1";
const CODE_SLOT_CONTEXT: &str = "burnbox 2026-11-22 code slot v1";
const LOGIN_GUARD_CONTEXT: &str = "burnbox 2026-11 login failures v1";
const CODE_DIGEST_CONTEXT: &str = "burnbox 2026-11-22 code digest v1";

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

/// Which kind of record a lookup id is for; each has its own hash context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupKind {
    /// A secret, from its secret key.
    Secret,
    /// A receipt, from its receipt key.
    Receipt,
    /// A one-time token, from the token.
    Token,
    /// A login session, from its session token.
    Session,
    /// An API key, from the key.
    ApiKey,
    /// A request for a secret, from its request key.
    Request,
}

/// The one-way id under which a record is stored (truncated BLAKE3 `derive_key`).
pub fn lookup_id<const N: usize>(kind: LookupKind, key: &[u8]) -> [u8; N] {
    let context = match kind {
        LookupKind::Secret => SECRET_LOOKUP_CONTEXT,
        LookupKind::Receipt => RECEIPT_LOOKUP_CONTEXT,
        LookupKind::Token => TOKEN_LOOKUP_CONTEXT,
        LookupKind::Session => SESSION_LOOKUP_CONTEXT,
        LookupKind::ApiKey => API_KEY_LOOKUP_CONTEXT,
        LookupKind::Request => REQUEST_LOOKUP_CONTEXT,
    };
    let mut out = [0u8; N];
    blake3::Hasher::new_derive_key(context)
        .update(key)
        .finalize_xof()
        .fill(&mut out);
    out
}

/// The one-way id under which an email address is indexed (so key names hold no address).
pub fn email_index_id(email: &str) -> [u8; 16] {
    let mut out = [0u8; 16];
    blake3::Hasher::new_derive_key(EMAIL_INDEX_CONTEXT)
        .update(email.as_bytes())
        .finalize_xof()
        .fill(&mut out);
    out
}

/// Where a verification code for `recipient` and `purpose` lives: a keyed hash under the
/// server key, so a dump plus a guess of the address does not find it.
pub fn code_slot(
    server_key: &[u8; 32],
    namespace: &str,
    purpose: &str,
    recipient: &str,
) -> [u8; 16] {
    let mut out = [0u8; 16];
    keyed(
        server_key,
        CODE_SLOT_CONTEXT,
        &[namespace, purpose, recipient],
    )
    .finalize_xof()
    .fill(&mut out);
    out
}

/// The id under which an address's failed logins are counted: a keyed hash under the
/// server key, so the store holds no address (and an unknown address is counted alike).
pub fn login_guard_id(server_key: &[u8; 32], email: &str) -> [u8; 12] {
    let mut out = [0u8; 12];
    keyed(server_key, LOGIN_GUARD_CONTEXT, &[email])
        .finalize_xof()
        .fill(&mut out);
    out
}

/// What is stored of a verification code: a keyed hash under the server key, bound to its
/// slot. 10^6 codes are too few for a plain hash; without the server key a dump holds
/// nothing to try them against.
pub fn code_digest(server_key: &[u8; 32], slot: &[u8; 16], code: &str) -> [u8; 32] {
    let mut hasher = keyed(server_key, CODE_DIGEST_CONTEXT, &[code]);
    hasher.update(slot);
    *hasher.finalize().as_bytes()
}

/// A keyed BLAKE3 over length-prefixed parts, domain-separated by `context`.
fn keyed(server_key: &[u8; 32], context: &str, parts: &[&str]) -> blake3::Hasher {
    let derived = blake3::derive_key(context, server_key);
    let mut hasher = blake3::Hasher::new_keyed(&derived);
    for part in parts {
        hasher.update(&(part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher
}

/// Argon2id costs: memory in KiB, iterations, lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory cost in KiB.
    pub memory_kib: u32,
    /// Number of passes.
    pub iterations: u32,
    /// Degree of parallelism.
    pub parallelism: u32,
}

impl KdfParams {
    /// OWASP's recommendation for Argon2id: 19 MiB, 2 passes, 1 lane.
    pub const OWASP: Self = Self {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };

    /// Largest memory cost accepted, from configuration or from a stored record: 1 GiB.
    pub const MAX_MEMORY_KIB: u32 = 1024 * 1024;

    /// Whether these costs reach OWASP's minimum for Argon2id: its equivalent pairs are
    /// 46 MiB × 1 pass, 19 MiB × 2, 12 MiB × 3, 9 MiB × 4 and 7 MiB × 5 or more.
    pub fn meets_owasp_minimum(self) -> bool {
        let minimum_kib = match self.iterations {
            0 => return false,
            1 => 46 * 1024,
            2 => 19 * 1024,
            3 => 12 * 1024,
            4 => 9 * 1024,
            _ => 7 * 1024,
        };
        self.memory_kib >= minimum_kib
    }

    /// Checks that Argon2 accepts these costs (and that they stay within 1 GiB).
    pub fn validate(self) -> Result<Self, CryptoError> {
        self.params().map(|_| self)
    }

    fn params(self) -> Result<Params, CryptoError> {
        if self.memory_kib > Self::MAX_MEMORY_KIB {
            return Err(CryptoError::InvalidKdfParams);
        }
        Params::new(self.memory_kib, self.iterations, self.parallelism, Some(32))
            .map_err(|_| CryptoError::InvalidKdfParams)
    }
}

/// Argon2's working memory, kept by a hashing thread and reused for every hash. Without
/// it each hash allocates its memory cost afresh (19 MiB by default), and the allocator's
/// per-thread arenas kept the freed blocks: RSS grew to ~1 GB under passphrase load.
#[derive(Default)]
pub struct KdfMemory(Vec<Block>);

impl KdfMemory {
    /// Bytes currently held.
    pub fn bytes(&self) -> usize {
        self.0.len() * Block::SIZE
    }
}

/// What a passphrase-protected secret records about how to stretch its passphrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassphraseSalt {
    /// Random per-secret salt.
    pub salt: [u8; SALT_BYTES],
    /// The costs used when the secret was sealed.
    pub params: KdfParams,
}

impl PassphraseSalt {
    /// A fresh salt with the given costs.
    pub fn generate(params: KdfParams) -> Self {
        Self {
            salt: random_array(),
            params,
        }
    }

    /// Stretches `passphrase` with Argon2id. Slow on purpose: run it off the event loop.
    pub fn stretch(&self, passphrase: &[u8]) -> Result<StretchedPassphrase, CryptoError> {
        self.stretch_with(passphrase, &mut KdfMemory::default())
    }

    /// Stretches `passphrase` in `memory`, growing it to this secret's cost if needed.
    pub fn stretch_with(
        &self,
        passphrase: &[u8],
        memory: &mut KdfMemory,
    ) -> Result<StretchedPassphrase, CryptoError> {
        let params = self.params.params()?;
        let blocks = params.block_count();
        if memory.0.len() < blocks {
            memory.0.resize(blocks, Block::new());
        }
        let mut out = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password_into_with_memory(
                passphrase,
                &self.salt,
                &mut out,
                &mut memory.0[..blocks],
            )
            .map_err(|_| CryptoError::InvalidKdfParams)?;
        Ok(StretchedPassphrase(out))
    }
}

/// A passphrase after Argon2id: key material, never stored.
#[derive(Clone)]
pub struct StretchedPassphrase([u8; 32]);

/// A password's Argon2id hash as stored: costs, salt and output — never the password.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash {
    salt: PassphraseSalt,
    hash: blake3::Hash,
}

impl PasswordHash {
    /// The stored form of a password stretched with `salt`.
    pub fn new(salt: PassphraseSalt, stretched: &StretchedPassphrase) -> Self {
        Self {
            salt,
            hash: blake3::Hash::from(stretched.0),
        }
    }

    /// The salt and costs to stretch a candidate with.
    pub fn salt(&self) -> PassphraseSalt {
        self.salt
    }

    /// Whether a candidate, stretched with [`Self::salt`], is the password (constant time).
    pub fn matches(&self, stretched: &StretchedPassphrase) -> bool {
        self.hash == blake3::Hash::from(stretched.0)
    }

    /// `argon2id$m=…,t=…,p=…$<salt b64>$<hash b64>`.
    pub fn encode(&self) -> String {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
        let params = self.salt.params;
        format!(
            "argon2id$m={},t={},p={}${}${}",
            params.memory_kib,
            params.iterations,
            params.parallelism,
            b64.encode(self.salt.salt),
            b64.encode(self.hash.as_bytes())
        )
    }

    /// Reads [`Self::encode`]'s form; costs out of range are refused.
    pub fn decode(text: &str) -> Option<Self> {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
        let mut parts = text.split('$');
        if parts.next()? != "argon2id" {
            return None;
        }
        let mut costs = parts.next()?.split(',');
        let mut cost = |name: &str| costs.next()?.strip_prefix(name)?.parse::<u32>().ok();
        let params = KdfParams {
            memory_kib: cost("m=")?,
            iterations: cost("t=")?,
            parallelism: cost("p=")?,
        }
        .validate()
        .ok()?;
        let salt = b64.decode(parts.next()?).ok()?.try_into().ok()?;
        let hash: [u8; 32] = b64.decode(parts.next()?).ok()?.try_into().ok()?;
        parts.next().is_none().then_some(Self {
            salt: PassphraseSalt { salt, params },
            hash: blake3::Hash::from(hash),
        })
    }
}

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
    /// ([`crate::sealed_box`]): a reader needs X25519 to open it.
    pub answer: bool,
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
    };

    /// The header byte, or none for one view that its viewer may burn.
    fn byte(self) -> Option<u8> {
        let burn = if self.viewer_may_burn {
            VIEWER_MAY_BURN_BIT
        } else {
            0
        };
        (self.max != 1 || !self.viewer_may_burn).then_some(self.max | burn)
    }

    fn from_byte(byte: u8) -> Result<Self, CryptoError> {
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
    fn encode_into(&self, out: &mut Vec<u8>) {
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
        out.push(flags);
        out.extend_from_slice(&self.expires_at.to_be_bytes());
        out.extend(views);
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
                & !(FLAG_PASSPHRASE | FLAG_E2E | FLAG_VIEWS | FLAG_RETRIEVAL_STEP | FLAG_ANSWER)
                != 0
        {
            return Err(CryptoError::Malformed);
        }
        let e2e = base[1] & FLAG_E2E != 0;
        let expires_at = u64::from_be_bytes(be_array(&base[2..10])?);
        let (mut views, start) = if base[1] & FLAG_VIEWS == 0 {
            (Views::ONCE, BASE_HEADER_BYTES)
        } else {
            let byte = *sealed.get(VIEWS_OFFSET).ok_or(CryptoError::Malformed)?;
            (Views::from_byte(byte)?, VIEWS_OFFSET + 1)
        };
        views.retrieval_step = base[1] & FLAG_RETRIEVAL_STEP != 0;
        views.answer = base[1] & FLAG_ANSWER != 0;
        if base[1] & FLAG_PASSPHRASE == 0 {
            return Ok((
                Self {
                    expires_at,
                    passphrase: None,
                    e2e,
                    views,
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
            },
            start + KDF_HEADER_BYTES,
        ))
    }
}

fn be_array<const N: usize>(bytes: &[u8]) -> Result<[u8; N], CryptoError> {
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

/// Whether a sealed secret holds an end-to-end envelope.
pub fn is_e2e(sealed: &[u8]) -> bool {
    sealed
        .get(PROTECTED_FLAG_OFFSET)
        .is_some_and(|flags| flags & FLAG_E2E != 0)
}

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

fn cipher(what: Sealed, key: &[u8], stretched: Option<&StretchedPassphrase>) -> XChaCha20Poly1305 {
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

fn aad(header_bytes: &[u8], lookup: &[u8]) -> Vec<u8> {
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

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 24] = [7; 24];
    const LOOKUP: [u8; 16] = [3; 16];
    const FAST: KdfParams = KdfParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    fn plain_header() -> Header {
        Header {
            expires_at: 1_795_317_018,
            passphrase: None,
            e2e: false,
            views: Views::ONCE,
        }
    }

    #[test]
    fn password_hashes_round_trip_and_match_only_their_password() {
        let salt = PassphraseSalt::generate(FAST);
        let right = salt.stretch(b"correct horse").expect("stretch");
        let hash = PasswordHash::new(salt, &right);
        let decoded = PasswordHash::decode(&hash.encode()).expect("decodes");
        assert_eq!(decoded, hash);
        assert!(decoded.matches(&decoded.salt().stretch(b"correct horse").expect("stretch")));
        assert!(!decoded.matches(&decoded.salt().stretch(b"wrong horse").expect("stretch")));
        assert!(!hash.encode().contains("correct"));
        for bad in [
            "",
            "bcrypt$x",
            "argon2id$m=0,t=1,p=1$AAAA$AAAA",
            &format!("{}$extra", hash.encode()),
        ] {
            assert!(PasswordHash::decode(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn code_digests_depend_on_the_server_key_the_slot_and_the_code() {
        let (key, other_key) = ([1u8; 32], [2u8; 32]);
        let slot = code_slot(&key, "api", "verify", "ada@example.org");
        assert_ne!(slot, code_slot(&key, "api", "login", "ada@example.org"));
        assert_ne!(
            slot,
            code_slot(&key, "account", "verify", "ada@example.org")
        );
        assert_ne!(
            slot,
            code_slot(&other_key, "api", "verify", "ada@example.org")
        );
        let digest = code_digest(&key, &slot, "123456");
        assert_eq!(digest, code_digest(&key, &slot, "123456"));
        assert_ne!(digest, code_digest(&key, &slot, "123457"));
        assert_ne!(digest, code_digest(&other_key, &slot, "123456"));
        assert_ne!(email_index_id("a@x.org"), email_index_id("b@x.org"));
    }

    #[test]
    fn sealing_round_trips_without_passphrase() {
        let sealed = seal(
            Sealed::Secret,
            &KEY,
            None,
            &plain_header(),
            &LOOKUP,
            b"hunter2",
        );
        assert!(!is_protected(&sealed));
        assert_eq!(Header::decode(&sealed).map(|(h, _)| h), Ok(plain_header()));
        assert_eq!(
            open(Sealed::Secret, &KEY, None, &LOOKUP, &sealed).as_deref(),
            Ok(&b"hunter2"[..])
        );
    }

    #[test]
    fn sealing_round_trips_with_passphrase() {
        let salt = PassphraseSalt::generate(FAST);
        let header = Header {
            expires_at: 1,
            passphrase: Some(salt),
            e2e: false,
            views: Views::ONCE,
        };
        let stretched = salt.stretch(b"correct horse").expect("valid params");
        let sealed = seal(
            Sealed::Secret,
            &KEY,
            Some(&stretched),
            &header,
            &LOOKUP,
            b"battery staple",
        );
        assert!(is_protected(&sealed));
        let (decoded, _) = Header::decode(&sealed).expect("header");
        assert_eq!(decoded, header);
        let again = decoded.passphrase.expect("salt").stretch(b"correct horse");
        let opened = open(Sealed::Secret, &KEY, again.ok().as_ref(), &LOOKUP, &sealed);
        assert_eq!(opened.as_deref(), Ok(&b"battery staple"[..]));
    }

    #[test]
    fn a_wrong_passphrase_does_not_open() {
        let salt = PassphraseSalt::generate(FAST);
        let header = Header {
            expires_at: 1,
            passphrase: Some(salt),
            e2e: false,
            views: Views::ONCE,
        };
        let right = salt.stretch(b"right").expect("valid params");
        let wrong = salt.stretch(b"wrong").expect("valid params");
        let sealed = seal(Sealed::Secret, &KEY, Some(&right), &header, &LOOKUP, b"x");
        assert_eq!(
            open(Sealed::Secret, &KEY, Some(&wrong), &LOOKUP, &sealed),
            Err(CryptoError::Unauthentic)
        );
        assert_eq!(
            open(Sealed::Secret, &KEY, None, &LOOKUP, &sealed),
            Err(CryptoError::Unauthentic)
        );
    }

    #[test]
    fn a_wrong_key_does_not_open() {
        let sealed = seal(Sealed::Secret, &KEY, None, &plain_header(), &LOOKUP, b"x");
        assert_eq!(
            open(Sealed::Secret, &[8; 24], None, &LOOKUP, &sealed),
            Err(CryptoError::Unauthentic)
        );
    }

    #[test]
    fn every_tampered_byte_is_detected() {
        let sealed = seal(
            Sealed::Secret,
            &KEY,
            None,
            &plain_header(),
            &LOOKUP,
            b"hunter2",
        );
        for index in 0..sealed.len() {
            let mut tampered = sealed.clone();
            tampered[index] ^= 0x01;
            assert!(
                open(Sealed::Secret, &KEY, None, &LOOKUP, &tampered).is_err(),
                "byte {index}"
            );
        }
    }

    #[test]
    fn a_token_key_does_not_open_a_secret_of_the_same_bytes() {
        let sealed = seal(Sealed::Token, &KEY, None, &plain_header(), &LOOKUP, b"x");
        assert!(open(Sealed::Token, &KEY, None, &LOOKUP, &sealed).is_ok());
        assert_eq!(
            open(Sealed::Secret, &KEY, None, &LOOKUP, &sealed),
            Err(CryptoError::Unauthentic)
        );
    }

    #[test]
    fn views_survive_the_header_and_old_headers_mean_one_view() {
        let salt = PassphraseSalt::generate(FAST);
        for views in [
            Views::ONCE,
            Views {
                max: 100,
                viewer_may_burn: false,
                retrieval_step: true,
                answer: false,
            },
            Views {
                max: 1,
                viewer_may_burn: false,
                answer: true,
                ..Views::ONCE
            },
            Views {
                max: 7,
                viewer_may_burn: true,
                ..Views::ONCE
            },
        ] {
            for passphrase in [None, Some(salt)] {
                let header = Header {
                    expires_at: 99,
                    passphrase,
                    e2e: true,
                    views,
                };
                let sealed = seal(Sealed::Secret, &KEY, None, &header, &LOOKUP, b"x");
                assert_eq!(Header::decode(&sealed).map(|(read, _)| read), Ok(header));
                assert_eq!(views_allowed(&sealed), views.max);
                assert_eq!(is_protected(&sealed), passphrase.is_some());
            }
        }
        let old = seal(Sealed::Secret, &KEY, None, &plain_header(), &LOOKUP, b"x");
        assert_eq!(old.len(), BASE_HEADER_BYTES + NONCE_BYTES + 1 + TAG_BYTES);
        let mut zero_views = old.clone();
        zero_views[PROTECTED_FLAG_OFFSET] = FLAG_VIEWS;
        zero_views[VIEWS_OFFSET] = 0;
        assert_eq!(Header::decode(&zero_views), Err(CryptoError::Malformed));
    }

    #[test]
    fn ciphertext_is_bound_to_its_record() {
        let sealed = seal(
            Sealed::Secret,
            &KEY,
            None,
            &plain_header(),
            &LOOKUP,
            b"hunter2",
        );
        assert_eq!(
            open(Sealed::Secret, &KEY, None, &[4; 16], &sealed),
            Err(CryptoError::Unauthentic)
        );
    }

    #[test]
    fn clearing_the_passphrase_flag_does_not_bypass_the_passphrase() {
        let salt = PassphraseSalt::generate(FAST);
        let header = Header {
            expires_at: 1,
            passphrase: Some(salt),
            e2e: false,
            views: Views::ONCE,
        };
        let stretched = salt.stretch(b"pw").expect("valid params");
        let mut sealed = seal(
            Sealed::Secret,
            &KEY,
            Some(&stretched),
            &header,
            &LOOKUP,
            b"x",
        );
        sealed[PROTECTED_FLAG_OFFSET] = 0;
        assert!(open(Sealed::Secret, &KEY, None, &LOOKUP, &sealed).is_err());
    }

    #[test]
    fn ciphertext_does_not_contain_the_plaintext() {
        let sealed = seal(
            Sealed::Secret,
            &KEY,
            None,
            &plain_header(),
            &LOOKUP,
            b"hunter2hunter2",
        );
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
    }

    #[test]
    fn truncated_or_unknown_formats_are_malformed() {
        let sealed = seal(Sealed::Secret, &KEY, None, &plain_header(), &LOOKUP, b"x");
        assert_eq!(
            open(Sealed::Secret, &KEY, None, &LOOKUP, &sealed[..20]),
            Err(CryptoError::Malformed)
        );
        assert_eq!(Header::decode(&[]), Err(CryptoError::Malformed));
        let mut future = sealed.clone();
        future[0] = 2;
        assert_eq!(Header::decode(&future), Err(CryptoError::Malformed));
        let mut protected_but_short = sealed[..BASE_HEADER_BYTES].to_vec();
        protected_but_short[1] = FLAG_PASSPHRASE;
        assert_eq!(
            Header::decode(&protected_but_short),
            Err(CryptoError::Malformed)
        );
    }

    #[test]
    fn lookup_ids_are_one_way_and_separated_by_kind() {
        let secret: [u8; 16] = lookup_id(LookupKind::Secret, &KEY);
        let receipt: [u8; 16] = lookup_id(LookupKind::Receipt, &KEY);
        let token: [u8; 16] = lookup_id(LookupKind::Token, &KEY);
        assert_ne!(secret, receipt);
        assert_ne!(secret, token);
        assert_eq!(secret, lookup_id(LookupKind::Secret, &KEY));
        assert!(!secret.windows(4).any(|w| KEY.windows(4).any(|k| k == w)));
    }

    #[test]
    fn reused_memory_gives_the_same_key_and_stays_at_the_cost() {
        let salt = PassphraseSalt::generate(FAST);
        let mut memory = KdfMemory::default();
        let first = salt.stretch_with(b"pw", &mut memory).expect("stretch");
        let again = salt.stretch_with(b"pw", &mut memory).expect("stretch");
        assert_eq!(first.0, again.0);
        assert_eq!(first.0, salt.stretch(b"pw").expect("stretch").0);
        assert_eq!(memory.bytes(), 64 * 1024);
    }

    #[test]
    fn argon2_params_are_checked() {
        assert!(KdfParams::OWASP.validate().is_ok());
        assert!(KdfParams::OWASP.meets_owasp_minimum());
        let costs = |memory_kib, iterations| KdfParams {
            memory_kib,
            iterations,
            parallelism: 1,
        };
        assert!(!costs(19 * 1024 - 1, 2).meets_owasp_minimum());
        assert!(!costs(19 * 1024, 1).meets_owasp_minimum());
        assert!(costs(46 * 1024, 1).meets_owasp_minimum());
        assert!(costs(7 * 1024, 8).meets_owasp_minimum());
        assert!(!costs(64, 1).meets_owasp_minimum());
        let too_little = KdfParams {
            memory_kib: 1,
            ..FAST
        };
        assert_eq!(too_little.validate(), Err(CryptoError::InvalidKdfParams));
        let too_much = KdfParams {
            memory_kib: KdfParams::MAX_MEMORY_KIB + 1,
            ..FAST
        };
        assert_eq!(too_much.validate(), Err(CryptoError::InvalidKdfParams));
    }

    #[test]
    fn generated_secrets_have_the_length_and_alphabet_asked_for() {
        let value = random_alphanumeric(100);
        assert_eq!(value.len(), 100);
        assert!(value.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(random_alphanumeric(32), random_alphanumeric(32));
    }
}
