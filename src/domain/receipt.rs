//! Receipts: the owner's view of what happened to a secret.
//!
//! A receipt record never changes after creation. What happened to the secret (its
//! [`SecretFate`]) is read from the secret's own records, which the atomic take or burn
//! writes, so a receipt's state is derived rather than updated in place.

use serde::Serialize;
use utoipa::ToSchema;

use super::keys::{LOOKUP_BYTES, RecordRef, TAG_BYTES};
use super::time::rfc3339;

/// What the store keeps for a receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptRecord {
    /// When the secret was created (unix seconds).
    pub created_at: u64,
    /// When the secret expires (unix seconds).
    pub expires_at: u64,
    /// The secret's records (a one-way reference: not a working link).
    pub secret: RecordRef,
    /// Only for secrets made through the onetimesecret API, whose receipts show the secret
    /// key until it is read: the secret key sealed under the receipt key, which Redis never
    /// sees — a dump cannot open it.
    pub sealed_secret_key: Option<Vec<u8>>,
    /// Views the secret allows (1 unless its creator allowed more).
    pub max_views: u8,
}

/// Encoded length of a [`ReceiptRecord`] of one view.
const RECORD_BYTES: usize = 8 + 8 + TAG_BYTES + LOOKUP_BYTES;

/// First byte of a record of several views, followed by the views byte. A record of one
/// view starts with its creation time, whose first byte is 0 until the year 2^56 s.
const SEVERAL_VIEWS_MARK: u8 = 0xB2;

impl ReceiptRecord {
    /// Views its secret still allows, given its fate and the views taken (0 once it is
    /// no longer pending).
    pub fn views_left(&self, fate: SecretFate, views: u32) -> u32 {
        match fate {
            SecretFate::Pending => u32::from(self.max_views).saturating_sub(views),
            _ => 0,
        }
    }

    /// A compact binary form for storage.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(RECORD_BYTES + 2);
        if self.max_views > 1 {
            bytes.extend_from_slice(&[SEVERAL_VIEWS_MARK, self.max_views]);
        }
        bytes.extend_from_slice(&self.created_at.to_be_bytes());
        bytes.extend_from_slice(&self.expires_at.to_be_bytes());
        bytes.extend_from_slice(&self.secret.tag);
        bytes.extend_from_slice(&self.secret.lookup);
        if let Some(sealed) = &self.sealed_secret_key {
            bytes.extend_from_slice(sealed);
        }
        bytes
    }

    /// Reads the form written by [`ReceiptRecord::encode`].
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let (max_views, bytes) = match bytes {
            [SEVERAL_VIEWS_MARK, views, rest @ ..] if *views > 1 => (*views, rest),
            _ => (1, bytes),
        };
        if bytes.len() < RECORD_BYTES {
            return None;
        }
        let (fixed, sealed) = bytes.split_at(RECORD_BYTES);
        let (created, rest) = fixed.split_at(8);
        let (expires, rest) = rest.split_at(8);
        let (tag, lookup) = rest.split_at(TAG_BYTES);
        Some(Self {
            created_at: u64::from_be_bytes(created.try_into().ok()?),
            expires_at: u64::from_be_bytes(expires.try_into().ok()?),
            secret: RecordRef {
                tag: tag.try_into().ok()?,
                lookup: lookup.try_into().ok()?,
            },
            sealed_secret_key: (!sealed.is_empty()).then(|| sealed.to_vec()),
            max_views,
        })
    }
}

/// What the store knows of a secret, seen from its receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretFate {
    /// The secret is still there.
    Pending,
    /// Revealed at this time (unix seconds).
    Revealed(u64),
    /// Burned unread at this time (unix seconds).
    Burned(u64),
    /// Neither there nor taken: it expired.
    Expired,
}

/// A receipt's state as the API reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptState {
    /// Not yet read.
    Pending,
    /// Read once; gone.
    Revealed,
    /// Destroyed unread (by the link holder, the owner, or too many wrong passphrases).
    Burned,
    /// Its time ran out unread.
    Expired,
}

/// The owner's view of a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReceiptView {
    /// What happened to the secret.
    pub state: ReceiptState,
    /// When the secret was created (RFC 3339).
    #[schema(example = "2026-11-22T03:10:18Z")]
    pub created_at: String,
    /// When the secret expires or expired (RFC 3339).
    #[schema(example = "2026-11-29T03:10:18Z")]
    pub expires_at: String,
    /// When the secret was revealed, if it was.
    #[schema(example = json!(null))]
    pub revealed_at: Option<String>,
    /// When the secret was burned, if it was.
    #[schema(example = json!(null))]
    pub burned_at: Option<String>,
    /// Views the secret allowed.
    #[schema(example = 1, minimum = 1, maximum = 100)]
    pub max_views: u8,
    /// Views taken so far.
    #[schema(example = 0)]
    pub views: u32,
    /// Views still allowed (0 once it is no longer pending).
    #[schema(example = 1)]
    pub views_left: u32,
}

impl ReceiptView {
    /// Combines the immutable record with the secret's fate and the views taken.
    pub fn new(record: &ReceiptRecord, fate: SecretFate, views: u32) -> Self {
        let (state, revealed_at, burned_at) = match fate {
            SecretFate::Pending => (ReceiptState::Pending, None, None),
            SecretFate::Revealed(at) => (ReceiptState::Revealed, Some(rfc3339(at)), None),
            SecretFate::Burned(at) => (ReceiptState::Burned, None, Some(rfc3339(at))),
            SecretFate::Expired => (ReceiptState::Expired, None, None),
        };
        Self {
            state,
            created_at: rfc3339(record.created_at),
            expires_at: rfc3339(record.expires_at),
            revealed_at,
            burned_at,
            max_views: record.max_views,
            views,
            views_left: record.views_left(fate, views),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> ReceiptRecord {
        ReceiptRecord {
            created_at: 1_795_317_018,
            expires_at: 1_795_317_618,
            secret: RecordRef {
                tag: [1, 2],
                lookup: [9; LOOKUP_BYTES],
            },
            sealed_secret_key: None,
            max_views: 1,
        }
    }

    #[test]
    fn a_record_survives_its_encoding() {
        assert_eq!(ReceiptRecord::decode(&record().encode()), Some(record()));
        let with_key = ReceiptRecord {
            sealed_secret_key: Some(vec![7; 70]),
            ..record()
        };
        assert_eq!(ReceiptRecord::decode(&with_key.encode()), Some(with_key));
        let several = ReceiptRecord {
            max_views: 100,
            sealed_secret_key: Some(vec![7; 70]),
            ..record()
        };
        assert_eq!(several.encode().len(), record().encode().len() + 72);
        assert_eq!(ReceiptRecord::decode(&several.encode()), Some(several));
    }

    #[test]
    fn truncated_bytes_are_not_a_record() {
        let bytes = record().encode();
        assert_eq!(ReceiptRecord::decode(&bytes[..bytes.len() - 1]), None);
    }

    #[test]
    fn the_view_follows_the_fate() {
        let several = ReceiptRecord {
            max_views: 3,
            ..record()
        };
        let pending = ReceiptView::new(&several, SecretFate::Pending, 1);
        assert_eq!((pending.views, pending.views_left), (1, 2));
        let revealed = ReceiptView::new(&several, SecretFate::Revealed(1_795_317_078), 3);
        assert_eq!((revealed.views, revealed.views_left), (3, 0));

        let pending = ReceiptView::new(&record(), SecretFate::Pending, 0);
        assert_eq!(pending.state, ReceiptState::Pending);
        assert_eq!(pending.created_at, "2026-11-22T03:10:18Z");
        assert_eq!(pending.expires_at, "2026-11-22T03:20:18Z");

        let revealed = ReceiptView::new(&record(), SecretFate::Revealed(1_795_317_078), 1);
        assert_eq!(revealed.state, ReceiptState::Revealed);
        assert_eq!(
            revealed.revealed_at.as_deref(),
            Some("2026-11-22T03:11:18Z")
        );
        assert_eq!(revealed.burned_at, None);

        let burned = ReceiptView::new(&record(), SecretFate::Burned(1_795_317_078), 0);
        assert_eq!(burned.state, ReceiptState::Burned);
        assert_eq!(burned.burned_at.as_deref(), Some("2026-11-22T03:11:18Z"));

        let expired = ReceiptView::new(&record(), SecretFate::Expired, 0);
        assert_eq!(expired.state, ReceiptState::Expired);
    }
}
