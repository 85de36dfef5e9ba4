//! The keys handed to clients, and the record references derived from them.
//!
//! A client key is 24 bytes from the OS CSPRNG, written as 32 characters of base64url.
//! Its first two bytes are a routing tag shared by a secret and its receipt, so that all
//! of a secret's Redis keys fall in one cluster hash slot; the other 22 bytes (176 bits)
//! are secret material. Redis only ever sees [`RecordRef`]s, whose lookup part is a
//! one-way BLAKE3 hash of the whole key.

use std::marker::PhantomData;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::crypto::{self, LookupKind};

/// Length of a client key in bytes.
pub const CLIENT_KEY_BYTES: usize = 24;
/// Length of a client key's routing tag in bytes.
pub const TAG_BYTES: usize = 2;
/// Length of a record's lookup id in bytes.
pub const LOOKUP_BYTES: usize = 16;

/// A random key as handed to a client; parse it from text with [`ClientKey::parse`].
#[derive(Clone, PartialEq, Eq)]
pub struct ClientKey([u8; CLIENT_KEY_BYTES]);

impl ClientKey {
    /// A fresh key with the given routing tag.
    pub fn generate(tag: [u8; TAG_BYTES]) -> Self {
        let mut bytes = crypto::random_array::<CLIENT_KEY_BYTES>();
        bytes[..TAG_BYTES].copy_from_slice(&tag);
        Self(bytes)
    }

    /// A key from its raw bytes (as sealed away by a receipt).
    pub fn from_bytes(bytes: [u8; CLIENT_KEY_BYTES]) -> Self {
        Self(bytes)
    }

    /// A fresh routing tag, to be shared by the keys of one secret.
    pub fn generate_tag() -> [u8; TAG_BYTES] {
        let mut tag = crypto::random_array::<TAG_BYTES>();
        // A key's text starts with its tag. One starting with `-` reads as an option to
        // command-line tools (Password Pusher's CLI refuses `pwpush audit -Xy…`): the six
        // bits that would make it `-` (62) become 30 (`e`). The tag only routes.
        if tag[0] >> 2 == 62 {
            tag[0] ^= 0x80;
        }
        tag
    }

    /// Reads the base64url text form; anything else is `None` (to clients: not found).
    pub fn parse(text: &str) -> Option<Self> {
        if text.len() != 32 {
            return None;
        }
        let decoded = URL_SAFE_NO_PAD.decode(text).ok()?;
        decoded.try_into().ok().map(Self)
    }

    /// The raw bytes, for key derivation.
    pub fn as_bytes(&self) -> &[u8; CLIENT_KEY_BYTES] {
        &self.0
    }

    /// The routing tag.
    pub fn tag(&self) -> [u8; TAG_BYTES] {
        [self.0[0], self.0[1]]
    }

    /// The base64url text handed to clients.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    fn record(&self, kind: LookupKind) -> RecordRef {
        RecordRef {
            tag: self.tag(),
            lookup: crypto::lookup_id(kind, &self.0),
        }
    }
}

// Keys must never reach a log, not even through `{:?}`.
impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientKey(<redacted>)")
    }
}

/// Where a record lives: what the store may know of a key (tag + one-way lookup id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordRef {
    /// Routing tag: becomes the Redis hash tag.
    pub tag: [u8; TAG_BYTES],
    /// BLAKE3 of the client key under a per-kind context.
    pub lookup: [u8; LOOKUP_BYTES],
}

impl RecordRef {
    /// A text id for the record: tag and lookup in base64url (25 characters). One-way like
    /// the record itself: it names a record, it opens nothing.
    pub fn to_text(&self) -> String {
        format!(
            "{}{}",
            URL_SAFE_NO_PAD.encode(self.tag),
            URL_SAFE_NO_PAD.encode(self.lookup)
        )
    }

    /// Reads [`Self::to_text`]'s form.
    pub fn parse_text(text: &str) -> Option<Self> {
        let (tag, lookup) = (text.get(..3)?, text.get(3..)?);
        Some(Self {
            tag: URL_SAFE_NO_PAD.decode(tag).ok()?.try_into().ok()?,
            lookup: URL_SAFE_NO_PAD.decode(lookup).ok()?.try_into().ok()?,
        })
    }
}

/// What a typed key opens; each kind hashes to its own lookup ids.
pub trait KeyKind {
    /// The hash context of this kind's lookup ids.
    const LOOKUP: LookupKind;
}

/// Marker: the key in a secret's link, which finds the secret and opens its ciphertext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretKind;

/// Marker: the key in the owner's receipt link, which shows what happened to a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiptKind;

/// Marker: a one-time token, which finds and opens its own record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenKind;

/// Marker: a login session's bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionKind;

/// Marker: an API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiKeyKind;

/// Marker: the key in a request's link, which the person who answers it opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestKind;

/// Marker: the key of a file upload under way, which its chunks and its finish present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadKind;

impl KeyKind for UploadKind {
    const LOOKUP: LookupKind = LookupKind::Upload;
}

impl KeyKind for RequestKind {
    const LOOKUP: LookupKind = LookupKind::Request;
}

impl KeyKind for SessionKind {
    const LOOKUP: LookupKind = LookupKind::Session;
}

impl KeyKind for ApiKeyKind {
    const LOOKUP: LookupKind = LookupKind::ApiKey;
}

impl KeyKind for TokenKind {
    const LOOKUP: LookupKind = LookupKind::Token;
}

impl KeyKind for SecretKind {
    const LOOKUP: LookupKind = LookupKind::Secret;
}

impl KeyKind for ReceiptKind {
    const LOOKUP: LookupKind = LookupKind::Receipt;
}

/// A client key of a known kind: a secret key cannot be used as a receipt key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedKey<K: KeyKind> {
    key: ClientKey,
    kind: PhantomData<K>,
}

/// The key in a secret's link.
pub type SecretKey = TypedKey<SecretKind>;
/// The key in the owner's receipt link.
pub type ReceiptKey = TypedKey<ReceiptKind>;
/// A one-time token.
pub type TokenKey = TypedKey<TokenKind>;
/// A session's bearer token (text form `bbs_…`).
pub type SessionKey = TypedKey<SessionKind>;
/// An API key (text form `bbk_…`).
pub type ApiKey = TypedKey<ApiKeyKind>;
/// The key in a request's link (`/q/{request_key}`).
pub type RequestKey = TypedKey<RequestKind>;
/// The key of a file upload under way (`/api/files/uploads/{upload}`).
pub type UploadKey = TypedKey<UploadKind>;

impl<K: KeyKind> TypedKey<K> {
    /// Wraps a client key.
    pub fn new(key: ClientKey) -> Self {
        Self {
            key,
            kind: PhantomData,
        }
    }

    /// Parses the text form; invalid text is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        ClientKey::parse(text).map(Self::new)
    }

    /// Parses `prefix` followed by the text form (`bbs_…`, `bbk_…`: a bearer credential
    /// says what it is, which also lets secret scanners find leaked ones).
    pub fn parse_prefixed(text: &str, prefix: &str) -> Option<Self> {
        text.strip_prefix(prefix).and_then(Self::parse)
    }

    /// `prefix` followed by the text form.
    pub fn encode_prefixed(&self, prefix: &str) -> String {
        format!("{prefix}{}", self.key.encode())
    }

    /// The key itself.
    pub fn key(&self) -> &ClientKey {
        &self.key
    }

    /// Where this key's record lives.
    pub fn record(&self) -> RecordRef {
        self.key.record(K::LOOKUP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_survives_its_text_form() {
        let key = ClientKey::generate([7, 9]);
        let text = key.encode();
        assert_eq!(text.len(), 32);
        assert_eq!(ClientKey::parse(&text), Some(key.clone()));
        assert_eq!(key.tag(), [7, 9]);
    }

    #[test]
    fn no_key_text_starts_with_a_dash() {
        for _ in 0..4096 {
            let text = ClientKey::generate(ClientKey::generate_tag()).encode();
            assert!(!text.starts_with('-'), "{text}");
        }
        let mut dash = ClientKey::generate([0xf8, 0]).encode();
        assert!(dash.starts_with('-'), "{dash}");
        dash = ClientKey::generate([0xf8 ^ 0x80, 0]).encode();
        assert!(dash.starts_with('e'), "{dash}");
    }

    #[test]
    fn keys_are_random() {
        let tag = ClientKey::generate_tag();
        assert_ne!(ClientKey::generate(tag), ClientKey::generate(tag));
    }

    #[test]
    fn malformed_text_is_not_a_key() {
        for text in [
            "",
            "short",
            "!".repeat(32).as_str(),
            &"A".repeat(33),
            "A".repeat(31).as_str(),
        ] {
            assert_eq!(ClientKey::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn a_secret_and_its_receipt_share_a_tag_but_not_a_lookup() {
        let tag = ClientKey::generate_tag();
        let secret = SecretKey::new(ClientKey::generate(tag));
        let receipt = ReceiptKey::new(ClientKey::generate(tag));
        assert_eq!(secret.record().tag, receipt.record().tag);
        assert_ne!(secret.record().lookup, receipt.record().lookup);
    }

    #[test]
    fn the_same_bytes_look_up_differently_as_secret_and_receipt() {
        let key = ClientKey::generate([1, 2]);
        let as_secret = SecretKey::new(key.clone()).record();
        let as_receipt = ReceiptKey::new(key).record();
        assert_ne!(as_secret.lookup, as_receipt.lookup);
    }

    #[test]
    fn record_ids_round_trip_as_text() {
        let record = ReceiptKey::new(ClientKey::generate([1, 2])).record();
        assert_eq!(RecordRef::parse_text(&record.to_text()), Some(record));
        assert_eq!(RecordRef::parse_text("x"), None);
    }

    #[test]
    fn debug_output_hides_the_key() {
        let key = ClientKey::generate([0, 0]);
        let debug = format!("{:?}", SecretKey::new(key.clone()));
        assert!(!debug.contains(&key.encode()));
        assert!(debug.contains("redacted"));
    }
}
