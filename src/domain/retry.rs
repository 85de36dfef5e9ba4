//! Retry-safe reveals: the `Idempotency-Key` a reader sends with a reveal, and where the
//! answer it won is kept for the same key's retry.

use super::ValidationError;
use super::keys::{KeyKind, RecordRef, TypedKey};
use crate::crypto::{self, LookupKind};

/// Shortest idempotency key accepted.
pub const MIN_IDEMPOTENCY_KEY: usize = 16;
/// Longest idempotency key accepted.
pub const MAX_IDEMPOTENCY_KEY: usize = 64;

/// A reader's `Idempotency-Key`: 16–64 visible ASCII characters, fresh and random per
/// reveal. Only its holder can recover the answer kept under it.
#[derive(Clone, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Validates a header value.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let visible = text.bytes().all(|byte| byte.is_ascii_graphic());
        if !visible || !(MIN_IDEMPOTENCY_KEY..=MAX_IDEMPOTENCY_KEY).contains(&text.len()) {
            return Err(ValidationError::invalid(
                "invalid_idempotency_key",
                format!(
                    "Idempotency-Key must be {MIN_IDEMPOTENCY_KEY}–{MAX_IDEMPOTENCY_KEY} \
                     visible ASCII characters"
                ),
            ));
        }
        Ok(Self(text.to_owned()))
    }
}

// Whoever holds the key (and the link) can recover the answer: it never reaches a log.
impl std::fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdempotencyKey(<redacted>)")
    }
}

/// Where a take keeps the answer it won, and for how long: what a retry with the same
/// idempotency key reads back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeptAnswer {
    /// One-way from the record's key and the idempotency key, under the record's
    /// routing tag (one cluster slot with what it keeps).
    pub record: RecordRef,
    /// Milliseconds the answer is kept past the take.
    pub window_ms: u64,
}

impl KeptAnswer {
    /// Where the answer to `key`'s reveal with `idempotency` is kept for `window_ms`.
    pub fn of<K: KeyKind>(key: &TypedKey<K>, idempotency: &IdempotencyKey, window_ms: u64) -> Self {
        let client = key.key();
        Self::beside(client.tag(), client.as_bytes(), idempotency, window_ms)
    }

    /// Where an answer about `what` (bytes only its rightful caller can name: a key, a
    /// code's digest) is kept for `idempotency`, under the routing tag `tag`.
    pub fn beside(tag: [u8; 2], what: &[u8], idempotency: &IdempotencyKey, window_ms: u64) -> Self {
        let mut input = what.to_vec();
        input.extend_from_slice(idempotency.0.as_bytes());
        Self {
            record: RecordRef {
                tag,
                lookup: crypto::lookup_id(LookupKind::KeptAnswer, &input),
            },
            window_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ClientKey, SecretKey};

    #[test]
    fn keys_are_16_to_64_visible_characters() {
        for good in [
            "a".repeat(16),
            "Z~!".repeat(21) + "x",
            "0123456789abcdef".into(),
        ] {
            assert!(IdempotencyKey::parse(&good).is_ok(), "{good}");
        }
        for bad in [
            "a".repeat(15),
            "a".repeat(65),
            format!("{} ", "a".repeat(16)),
            "é".repeat(10),
        ] {
            let error = IdempotencyKey::parse(&bad).expect_err("refused");
            assert_eq!(error.code, "invalid_idempotency_key");
            assert!(!error.message.contains(&bad));
        }
        let key = IdempotencyKey::parse(&"k".repeat(20)).expect("valid");
        assert_eq!(format!("{key:?}"), "IdempotencyKey(<redacted>)");
    }

    #[test]
    fn an_answer_is_kept_per_secret_and_key_beside_its_secret() {
        let secret = SecretKey::new(ClientKey::generate([4, 2]));
        let other = SecretKey::new(ClientKey::generate([4, 2]));
        let (one, two) = (
            IdempotencyKey::parse(&"1".repeat(16)).expect("valid"),
            IdempotencyKey::parse(&"2".repeat(16)).expect("valid"),
        );
        let kept = KeptAnswer::of(&secret, &one, 60_000);
        assert_eq!(kept.record.tag, [4, 2]);
        assert_eq!(kept, KeptAnswer::of(&secret, &one, 60_000));
        assert_ne!(kept.record, KeptAnswer::of(&secret, &two, 60_000).record);
        assert_ne!(kept.record, KeptAnswer::of(&other, &one, 60_000).record);
        assert_ne!(kept.record, secret.record());
    }
}
