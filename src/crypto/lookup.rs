//! One-way names: the lookup ids Redis keys are made of, and the keyed hashes of
//! addresses, code slots and codes under the server key. BLAKE3, one context each.

pub(super) const SECRET_LOOKUP_CONTEXT: &str = "burnbox 2026-11-22 secret lookup v1";
pub(super) const RECEIPT_LOOKUP_CONTEXT: &str = "burnbox 2026-11-22 receipt lookup v1";
pub(super) const TOKEN_LOOKUP_CONTEXT: &str = "burnbox 2026-11-22 token lookup v1";
pub(super) const SESSION_LOOKUP_CONTEXT: &str = "burnbox 2026-11-22 session lookup v1";
pub(super) const API_KEY_LOOKUP_CONTEXT: &str = "burnbox 2026-11-22 api key lookup v1";
pub(super) const REQUEST_LOOKUP_CONTEXT: &str = "burnbox 2026-11-23 request lookup v1";
pub(super) const KEPT_ANSWER_LOOKUP_CONTEXT: &str = "burnbox 2026-12-07 kept answer lookup v1";
const UPLOAD_LOOKUP_CONTEXT: &str = "burnbox 2026-12-07 upload lookup v1";
pub(super) const EMAIL_INDEX_CONTEXT: &str = "burnbox 2026-11-22 email index v1";
pub(super) const CODE_SLOT_CONTEXT: &str = "burnbox 2026-11-22 code slot v1";
pub(super) const LOGIN_GUARD_CONTEXT: &str = "burnbox 2026-11 login failures v1";
pub(super) const CODE_DIGEST_CONTEXT: &str = "burnbox 2026-11-22 code digest v1";

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
    /// An answer kept for a reveal's retry, from the key and the idempotency key.
    KeptAnswer,
    /// A file upload under way, from its upload key.
    Upload,
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
        LookupKind::KeptAnswer => KEPT_ANSWER_LOOKUP_CONTEXT,
        LookupKind::Upload => UPLOAD_LOOKUP_CONTEXT,
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
pub(super) fn keyed(server_key: &[u8; 32], context: &str, parts: &[&str]) -> blake3::Hasher {
    let derived = blake3::derive_key(context, server_key);
    let mut hasher = blake3::Hasher::new_keyed(&derived);
    for part in parts {
        hasher.update(&(part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher
}
