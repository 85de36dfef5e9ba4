//! The rate-limit model: what a limit is, how a window is judged, and which limits a
//! request meets. Plain data and arithmetic, shared by the limiter (`crate::rate_limit`)
//! and both stores, which count the windows.
//!
//! Each limit is "`limit` requests per `period`" for one client. A store counts requests
//! per fixed window of one period and keeps the previous window's count; the estimate is
//! `previous × (share of the previous window still inside the sliding window) + current`,
//! and a request is allowed while the estimate stays within the limit. [`assess`] is that
//! arithmetic; [`decide`] folds several limits into one answer.

use std::hash::Hash;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::Duration;

use lru::LruCache;

/// Bytes of the hashed client id in store keys.
pub const CLIENT_ID_BYTES: usize = 12;

/// One limit as the store applies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Short name (`api`, `create`, `reveal`, `pwfail`).
    pub name: &'static str,
    /// Where its counter sits among the client's counters for the same period (the
    /// Redis store keeps them in one string, one 32-bit field each).
    pub slot: u8,
    /// Requests allowed per period (at least 1).
    pub limit: u32,
    /// The period, which is also the window length.
    pub period: Duration,
    /// Requests to count (a lease counts several); 0 only asks whether one more fits.
    pub charge: u32,
}

impl Limit {
    /// The period in microseconds (at least 1).
    pub fn period_us(&self) -> u64 {
        u64::try_from(self.period.as_micros())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    /// The window `now_us` falls in, and how far into it `now_us` is.
    pub fn window(&self, now_us: u64) -> (u64, u64) {
        let period = self.period_us();
        (now_us / period, now_us % period)
    }
}

/// The outcome of one limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitState {
    /// Whether this limit allows the request.
    pub allowed: bool,
    /// Requests left after this one.
    pub remaining: u32,
    /// Until the current window ends.
    pub reset_us: u64,
    /// When refused: until one more request would be allowed.
    pub retry_after_us: u64,
}

/// Judges one limit from the previous window's count and the current one's (including
/// what this check charges, or one more for a check that charges nothing), `elapsed_us`
/// into the current window.
pub fn assess(limit: &Limit, previous: u64, current: u64, elapsed_us: u64) -> LimitState {
    let period = limit.period_us() as f64;
    let cap = f64::from(limit.limit);
    let (previous, current, elapsed) = (previous as f64, current as f64, elapsed_us as f64);
    let estimate = previous * (period - elapsed) / period + current;
    let reset_us = (period - elapsed) as u64;
    if estimate <= cap {
        return LimitState {
            allowed: true,
            remaining: (cap - estimate).floor() as u32,
            reset_us,
            retry_after_us: 0,
        };
    }
    // Without this check the counts are `current - charged`; find when one more fits.
    let current = current - f64::from(limit.charge.max(1));
    let retry_after = if current + 1.0 <= cap {
        // The previous window's share must shrink until estimate + 1 ≤ cap.
        period - elapsed - period * (cap - current - 1.0) / previous
    } else {
        // Only the next window helps, once this window's count has faded enough.
        (period - elapsed) + period * (1.0 - (cap - 1.0) / current)
    };
    LimitState {
        allowed: false,
        remaining: 0,
        reset_us,
        retry_after_us: retry_after.max(1.0) as u64,
    }
}

/// What a rate-limit check decided, for the response headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may proceed.
    pub allowed: bool,
    /// The reported limit (the charged limit closest to exhaustion, or the refusing one).
    pub limit: u32,
    /// Requests left under it.
    pub remaining: u32,
    /// Seconds until its budget is full again.
    pub reset_seconds: u64,
    /// When refused: seconds until a retry can succeed.
    pub retry_after_seconds: u64,
}

/// Combines per-limit states into one decision (all must allow).
pub fn decide(limits: &[Limit], states: &[LimitState]) -> Decision {
    let pairs = limits.iter().zip(states);
    let refused = pairs
        .clone()
        .filter(|(_, state)| !state.allowed)
        .max_by_key(|(_, state)| state.retry_after_us);
    let reported = refused.or_else(|| {
        pairs
            .filter(|(limit, _)| limit.charge > 0)
            .min_by_key(|(_, state)| state.remaining)
    });
    let Some((limit, state)) = reported else {
        return Decision {
            allowed: true,
            limit: 0,
            remaining: 0,
            reset_seconds: 0,
            retry_after_seconds: 0,
        };
    };
    Decision {
        allowed: refused.is_none(),
        limit: limit.limit,
        remaining: state.remaining,
        reset_seconds: state.reset_us.div_ceil(1_000_000),
        retry_after_seconds: state.retry_after_us.div_ceil(1_000_000),
    }
}

/// What kind of request is being limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestClass {
    /// Creating a secret (plain or generated).
    Create,
    /// Revealing a secret.
    Reveal,
    /// A guess at something secret besides a passphrase: a login, a code. Refused while
    /// the client's budget of wrong guesses is spent; a wrong one is charged afterwards.
    Guess,
    /// Something that sends mail (a registration, a reset): counted like a create,
    /// checked before it runs.
    Mail,
    /// A backend's call to a backend-only endpoint (`/api/codes`): only the overall limit.
    /// Every end user of that backend comes from its one address, so its wrong guesses
    /// are bounded per code (attempts per code), never charged to the address: one user's
    /// typos must not lock every other user out.
    Backend,
    /// Anything else under `/api`.
    Other,
}

/// The operator's limits; `0` switches one off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatePolicy {
    /// Requests per minute per client over all `/api` routes.
    pub per_minute: u32,
    /// Secret creations per minute per client.
    pub create_per_minute: u32,
    /// Reveal attempts per minute per client.
    pub reveal_per_minute: u32,
    /// Wrong passphrases per hour per client, across all secrets.
    pub passphrase_failures_per_hour: u32,
    /// KiB of files per hour per client.
    pub file_kib_per_hour: u32,
    /// KiB of files per hour per account.
    pub account_file_kib_per_hour: u32,
    /// IPv6 clients are one client per network of this prefix length.
    pub ipv6_prefix: u8,
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

impl RatePolicy {
    fn limit(name: &'static str, slot: u8, limit: u32, period: Duration) -> Option<Limit> {
        (limit > 0).then_some(Limit {
            name,
            slot,
            limit,
            period,
            charge: 1,
        })
    }

    /// The limits checked before a request of `class` runs. (A reveal with a passphrase
    /// is also a guess: it reserves one from the failure budget before it is checked.)
    pub fn limits_for(&self, class: RequestClass) -> Vec<Limit> {
        let mut limits = vec![Self::limit("api", 0, self.per_minute, MINUTE)];
        match class {
            RequestClass::Create | RequestClass::Mail => {
                limits.push(Self::limit("create", 1, self.create_per_minute, MINUTE));
            }
            RequestClass::Reveal => {
                limits.push(Self::limit("reveal", 2, self.reveal_per_minute, MINUTE));
            }
            // The guess itself is reserved against the failure budget (see reserve_guess).
            RequestClass::Guess | RequestClass::Backend | RequestClass::Other => {}
        }
        limits.into_iter().flatten().collect()
    }

    /// The limit charged after a wrong passphrase.
    pub fn passphrase_failure_limit(&self) -> Option<Limit> {
        Self::limit("pwfail", 0, self.passphrase_failures_per_hour, HOUR)
    }

    /// The byte budgets an upload of `bytes` is charged to, in KiB (rounded up): the
    /// client's, then the account's (counted under the account's own id).
    pub fn file_limits(&self, bytes: u64) -> (Option<Limit>, Option<Limit>) {
        let charge = u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX);
        let limit =
            |name, limit| Self::limit(name, 1, limit, HOUR).map(|limit| Limit { charge, ..limit });
        (
            limit("filebytes", self.file_kib_per_hour),
            limit("accountfilebytes", self.account_file_kib_per_hour),
        )
    }
}

/// Requests counted ahead for a lease: an eighth of the limit, at most 8, and no more
/// than half of what the client had left at its last count in this window (one at a
/// time near the limit).
pub fn lease_size(limit: &Limit, last_remaining: Option<u32>) -> u32 {
    let size = (limit.limit / 8).clamp(1, 8);
    last_remaining.map_or(size, |left| size.min(left / 2).max(1))
}

/// Client states an instance keeps in a [`Recent`] map.
pub const RECENT_CLIENTS_KEPT: NonZeroUsize = NonZeroUsize::new(16_384).expect("not zero");

/// An instance-local map of per-client state, bounded by forgetting the least recently
/// used entry, one at a time: a client who touches many buckets pushes out only the
/// entries nobody used since (past windows first of all), never everyone's at once. For
/// state whose loss is safe (a lease given up, a window read again).
#[derive(Debug)]
pub struct Recent<K: Hash + Eq, V>(Mutex<LruCache<K, V>>);

impl<K: Hash + Eq, V> Default for Recent<K, V> {
    fn default() -> Self {
        Self(Mutex::new(LruCache::new(RECENT_CLIENTS_KEPT)))
    }
}

impl<K: Hash + Eq, V> Recent<K, V> {
    /// The map, locked (a poisoned lock still holds consistent entries).
    pub fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<K, V>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Ten requests a second: the limit the limiter's tests use too.
    pub(crate) const TEN_PER_SECOND: Limit = Limit {
        name: "t",
        slot: 0,
        limit: 10,
        period: Duration::from_secs(1),
        charge: 1,
    };

    #[test]
    fn the_limit_is_allowed_within_one_window() {
        let last = assess(&TEN_PER_SECOND, 0, 10, 250_000);
        assert!(last.allowed);
        assert_eq!((last.remaining, last.reset_us), (0, 750_000));
        let first = assess(&TEN_PER_SECOND, 0, 1, 0);
        assert_eq!((first.remaining, first.reset_us), (9, 1_000_000));
        assert!(!assess(&TEN_PER_SECOND, 0, 11, 250_000).allowed);
    }

    #[test]
    fn the_previous_window_fades_out_linearly() {
        // A full previous window, a quarter into the current one: 7.5 still count.
        assert!(assess(&TEN_PER_SECOND, 10, 2, 250_000).allowed);
        assert!(!assess(&TEN_PER_SECOND, 10, 3, 250_000).allowed);
        assert!(assess(&TEN_PER_SECOND, 10, 9, 999_999).allowed);
        assert!(!assess(&TEN_PER_SECOND, 10, 10, 999_999).allowed);
    }

    #[test]
    fn retry_after_is_when_one_more_fits() {
        // Previous 10, current 2 (+1 refused), at 0.25 s: fits once 10 × (1 − t) + 3 ≤ 10.
        let refused = assess(&TEN_PER_SECOND, 10, 3, 250_000);
        assert_eq!(refused.retry_after_us, 50_000);
        assert!(assess(&TEN_PER_SECOND, 10, 3, 300_000).allowed);
        // Current window full: wait for the next one and for this one to fade by a tenth.
        let full = assess(&TEN_PER_SECOND, 0, 11, 250_000);
        assert_eq!(full.retry_after_us, 750_000 + 100_000);
        assert!(assess(&TEN_PER_SECOND, 10, 1, 100_000).allowed);
    }

    #[test]
    fn the_decision_reports_the_tightest_charged_limit_or_the_refusal() {
        let loose = Limit {
            name: "a",
            limit: 100,
            ..TEN_PER_SECOND
        };
        let peek = Limit {
            charge: 0,
            limit: 1,
            ..TEN_PER_SECOND
        };
        let limits = [loose, TEN_PER_SECOND, peek];
        let states = [
            assess(&loose, 0, 1, 0),
            assess(&TEN_PER_SECOND, 0, 1, 0),
            assess(&peek, 0, 1, 0),
        ];
        let decision = decide(&limits, &states);
        assert!(decision.allowed);
        assert_eq!(
            (decision.limit, decision.remaining, decision.reset_seconds),
            (10, 9, 1)
        );

        let refused = [
            assess(&loose, 0, 11, 0),
            assess(&TEN_PER_SECOND, 0, 11, 0),
            assess(&peek, 0, 1, 0),
        ];
        let decision = decide(&limits, &refused);
        assert!(!decision.allowed);
        assert_eq!((decision.limit, decision.retry_after_seconds), (10, 2));
        assert!(decide(&[], &[]).allowed);
    }

    #[test]
    fn windows_are_fixed_slices_of_the_period() {
        assert_eq!(TEN_PER_SECOND.window(3_250_000), (3, 250_000));
        let minute = Limit {
            period: Duration::from_secs(60),
            ..TEN_PER_SECOND
        };
        assert_eq!(minute.window(59_999_999), (0, 59_999_999));
    }

    #[test]
    fn zero_switches_a_limit_off() {
        let policy = RatePolicy {
            per_minute: 600,
            create_per_minute: 0,
            reveal_per_minute: 30,
            passphrase_failures_per_hour: 20,
            file_kib_per_hour: 1024,
            account_file_kib_per_hour: 0,
            ipv6_prefix: 64,
        };
        let names = |class| {
            policy
                .limits_for(class)
                .iter()
                .map(|l| (l.name, l.slot))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(RequestClass::Create), [("api", 0)]);
        assert_eq!(names(RequestClass::Reveal), [("api", 0), ("reveal", 2)]);
        assert_eq!(names(RequestClass::Other), [("api", 0)]);
        let off = RatePolicy {
            per_minute: 0,
            passphrase_failures_per_hour: 0,
            ..policy
        };
        assert!(off.limits_for(RequestClass::Other).is_empty());
        assert_eq!(off.passphrase_failure_limit(), None);
        let (client, account) = policy.file_limits(1025);
        assert_eq!(client.map(|l| (l.limit, l.charge)), Some((1024, 2)));
        assert_eq!(account, None);
    }

    #[test]
    fn leases_shrink_near_the_limit() {
        let minute = |limit| Limit {
            limit,
            period: Duration::from_secs(60),
            ..TEN_PER_SECOND
        };
        assert_eq!(lease_size(&minute(600), None), 8);
        assert_eq!(lease_size(&minute(60), None), 7);
        assert_eq!(lease_size(&minute(3), None), 1);
        assert_eq!(lease_size(&minute(600), Some(9)), 4);
        assert_eq!(lease_size(&minute(600), Some(1)), 1);
        assert_eq!(lease_size(&minute(600), Some(0)), 1);
    }

    #[test]
    fn a_full_map_forgets_the_least_recently_used_entry_only() {
        let recent: Recent<usize, usize> = Recent::default();
        let mut map = recent.lock();
        let full = RECENT_CLIENTS_KEPT.get();
        for key in 0..full {
            map.put(key, key);
        }
        // The first entry is used again; one more pushes out the second, and only it.
        assert_eq!(map.get(&0), Some(&0));
        map.put(full, full);
        assert_eq!(map.len(), full);
        assert!(map.contains(&0) && !map.contains(&1) && map.contains(&2));
    }
}
