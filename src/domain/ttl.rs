//! How long a secret lives, bounded by the operator's policy.

use super::ValidationError;

/// A time-to-live in seconds that lies within the configured bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ttl(u64);

impl Ttl {
    /// The TTL of a record read back from storage: from its creation to its expiry (it
    /// was validated when it was created).
    pub fn stored(created_at: u64, expires_at: u64) -> Self {
        Self(expires_at.saturating_sub(created_at))
    }

    /// The number of seconds.
    pub fn seconds(self) -> u64 {
        self.0
    }
}

/// The operator's bounds for TTLs, and the value used when a client gives none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TtlPolicy {
    /// Shortest allowed TTL in seconds.
    pub min: u64,
    /// Longest allowed TTL in seconds.
    pub max: u64,
    /// TTL used when the request has none.
    pub default: u64,
}

impl TtlPolicy {
    /// Validates a client's optional TTL against the bounds.
    pub fn parse(&self, requested: Option<i64>) -> Result<Ttl, ValidationError> {
        let Some(requested) = requested else {
            return Ok(Ttl(self.default));
        };
        match u64::try_from(requested) {
            Ok(seconds) if (self.min..=self.max).contains(&seconds) => Ok(Ttl(seconds)),
            _ => Err(ValidationError::invalid(
                "ttl_out_of_range",
                format!(
                    "ttl must be between {} and {} seconds, got {requested}",
                    self.min, self.max
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: TtlPolicy = TtlPolicy {
        min: 60,
        max: 3600,
        default: 600,
    };

    #[test]
    fn missing_ttl_takes_the_default() {
        assert_eq!(POLICY.parse(None).map(Ttl::seconds), Ok(600));
    }

    #[test]
    fn bounds_are_inclusive() {
        assert_eq!(POLICY.parse(Some(60)).map(Ttl::seconds), Ok(60));
        assert_eq!(POLICY.parse(Some(3600)).map(Ttl::seconds), Ok(3600));
    }

    #[test]
    fn ttl_outside_the_bounds_is_refused() {
        for seconds in [-1, 0, 59, 3601, i64::MAX] {
            let error = POLICY.parse(Some(seconds)).expect_err("out of range");
            assert_eq!(error.code, "ttl_out_of_range");
            assert!(!error.too_large);
        }
    }
}
