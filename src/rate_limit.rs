//! Rate limits shared by every instance: sliding-window counters kept in the store.
//!
//! Each limit is "`limit` requests per `period`" for one client address. The store counts
//! requests per fixed window of one period and keeps the previous window's count; the
//! estimate is `previous × (share of the previous window still inside the sliding
//! window) + current`, and a request is allowed while the estimate stays within the limit
//! (the approximation Cloudflare describes for its own limiter: smooth like a true sliding
//! window, two counters per client and limit). All limits of a request are counted in one
//! round trip of plain commands (`GET`, `INCR`, `PEXPIRE`; no Lua, which measured 5–8×
//! dearer in Redis per check); a refused request is un-counted (`DECR`), so it costs no
//! budget. [`assess`] is the arithmetic both stores share. Window boundaries follow each
//! instance's clock: NTP-synchronised clocks shift them by milliseconds, nothing more.
//!
//! Client addresses are stored only as a keyed BLAKE3 hash under the server key.

use std::sync::Arc;
use std::time::Duration;

use crate::config::ServerKey;
use crate::domain::time::now_micros;
use crate::error::ApiError;
use crate::network::ClientAddress;
use crate::store::Store;

/// Bytes of the hashed client id in store keys.
pub const CLIENT_ID_BYTES: usize = 12;

/// One limit as the store applies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Short name, part of the store key (`api`, `create`, `reveal`, `pwfail`).
    pub name: &'static str,
    /// Requests allowed per period (at least 1).
    pub limit: u32,
    /// The period, which is also the window length.
    pub period: Duration,
    /// Whether the request is counted (else the check only asks whether one more fits).
    pub charge: bool,
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
/// this request, whether or not it is charged), `elapsed_us` into the current window.
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
    // Without this request the counts are `current - 1`; find when one more fits.
    let current = current - 1.0;
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

impl Decision {
    /// The error for a refused request: retry no sooner than a second from now.
    pub fn refusal(&self) -> ApiError {
        ApiError::RateLimited {
            retry_after_seconds: self.retry_after_seconds.max(1),
        }
    }
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
            .filter(|(limit, _)| limit.charge)
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

/// A limit check's outcome, shareable between the middleware and a handler that waits on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Within every limit (`None`: no limit applies).
    Allowed(Option<Decision>),
    /// Over a limit.
    Refused(Decision),
    /// The store could not be asked; the cause, for the log.
    Unavailable(String),
}

impl Verdict {
    /// The verdict for a finished check.
    pub fn of(checked: Result<Option<Decision>, ApiError>) -> Self {
        match checked {
            Ok(Some(decision)) if !decision.allowed => Self::Refused(decision),
            Ok(decision) => Self::Allowed(decision),
            Err(error) => Self::Unavailable(error.to_string()),
        }
    }

    /// `Ok` when the request may proceed, else the error to answer with.
    pub fn into_result(self) -> Result<Option<Decision>, ApiError> {
        match self {
            Self::Allowed(decision) => Ok(decision),
            Self::Refused(decision) => Err(decision.refusal()),
            Self::Unavailable(cause) => Err(ApiError::Store(
                crate::store::StoreError::Unavailable(cause),
            )),
        }
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
    /// Something that sends mail (a code, a registration): counted like a create, checked
    /// before it runs.
    Mail,
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
    /// IPv6 clients are one client per network of this prefix length.
    pub ipv6_prefix: u8,
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

impl RatePolicy {
    fn limit(name: &'static str, limit: u32, period: Duration, charge: bool) -> Option<Limit> {
        (limit > 0).then_some(Limit {
            name,
            limit,
            period,
            charge,
        })
    }

    /// The limits checked before a request of `class` runs.
    pub fn limits_for(&self, class: RequestClass) -> Vec<Limit> {
        let mut limits = vec![Self::limit("api", self.per_minute, MINUTE, true)];
        match class {
            RequestClass::Create => {
                limits.push(Self::limit("create", self.create_per_minute, MINUTE, true));
            }
            RequestClass::Reveal => {
                limits.push(Self::limit("reveal", self.reveal_per_minute, MINUTE, true));
                // Checked, not charged: only a wrong passphrase is charged (afterwards).
                limits.push(self.passphrase_failure_limit().map(|limit| Limit {
                    charge: false,
                    ..limit
                }));
            }
            // The guess itself is reserved against the failure budget (see reserve_guess).
            RequestClass::Guess => {}
            RequestClass::Mail => {
                limits.push(Self::limit("create", self.create_per_minute, MINUTE, true));
            }
            RequestClass::Other => {}
        }
        limits.into_iter().flatten().collect()
    }

    /// The limit charged after a wrong passphrase.
    pub fn passphrase_failure_limit(&self) -> Option<Limit> {
        Self::limit("pwfail", self.passphrase_failures_per_hour, HOUR, true)
    }
}

/// The keyed id of a client's bucket (see [`ClientAddress::bucket`]): what the store keeps
/// instead of the address, for rate limits and per-client counts alike.
pub fn client_id(
    server_key: &ServerKey,
    client: ClientAddress,
    ipv6_prefix: u8,
) -> [u8; CLIENT_ID_BYTES] {
    let mut id = [0u8; CLIENT_ID_BYTES];
    blake3::Hasher::new_keyed(server_key.as_bytes())
        .update(b"burnbox rate-limit client v1")
        .update(client.bucket(ipv6_prefix).as_bytes())
        .finalize_xof()
        .fill(&mut id);
    id
}

/// Applies the policy for one client through the store.
#[derive(Clone)]
pub struct RateLimiter {
    store: Arc<dyn Store>,
    policy: RatePolicy,
    server_key: ServerKey,
}

impl RateLimiter {
    /// A limiter over `store`; client addresses are hashed under `server_key`.
    pub fn new(store: Arc<dyn Store>, policy: RatePolicy, server_key: ServerKey) -> Self {
        Self {
            store,
            policy,
            server_key,
        }
    }

    fn client_id(&self, client: ClientAddress) -> [u8; CLIENT_ID_BYTES] {
        client_id(&self.server_key, client, self.policy.ipv6_prefix)
    }

    /// Checks (and charges) the limits for a request; `None` when no limit applies.
    pub async fn check(
        &self,
        client: ClientAddress,
        class: RequestClass,
    ) -> Result<Option<Decision>, ApiError> {
        let limits = self.policy.limits_for(class);
        if limits.is_empty() {
            return Ok(None);
        }
        let states = self
            .store
            .check_rate(&self.client_id(client), &limits)
            .await?;
        Ok(Some(decide(&limits, &states)))
    }

    /// Charges a guess (a passphrase, password or code about to be checked) to the
    /// client's budget of wrong guesses before it is checked, so that guesses checked at
    /// once cannot overdraw it; refused when the budget is spent. Returns when it was
    /// charged (for [`Self::refund_guess`]), `None` when the limit is off.
    pub async fn reserve_guess(&self, client: ClientAddress) -> Result<Option<u64>, ApiError> {
        let Some(limit) = self.policy.passphrase_failure_limit() else {
            return Ok(None);
        };
        let charged_at = now_micros();
        let states = self
            .store
            .check_rate(&self.client_id(client), &[limit])
            .await?;
        let decision = decide(&[limit], &states);
        if !decision.allowed {
            return Err(decision.refusal());
        }
        Ok(Some(charged_at))
    }

    /// Gives back a guess reserved at `charged_at` that was not wrong.
    pub async fn refund_guess(
        &self,
        client: ClientAddress,
        charged_at: u64,
    ) -> Result<(), ApiError> {
        if let Some(limit) = self.policy.passphrase_failure_limit() {
            self.store
                .refund_rate(&self.client_id(client), &limit, charged_at)
                .await?;
        }
        Ok(())
    }

    /// Charges a wrong passphrase to the client.
    pub async fn charge_passphrase_failure(&self, client: ClientAddress) -> Result<(), ApiError> {
        if let Some(limit) = self.policy.passphrase_failure_limit() {
            self.store
                .check_rate(&self.client_id(client), &[limit])
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEN_PER_SECOND: Limit = Limit {
        name: "t",
        limit: 10,
        period: Duration::from_secs(1),
        charge: true,
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
            charge: false,
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
            ipv6_prefix: 64,
        };
        let names = |class| {
            policy
                .limits_for(class)
                .iter()
                .map(|l| (l.name, l.charge))
                .collect::<Vec<_>>()
        };
        assert_eq!(names(RequestClass::Create), [("api", true)]);
        assert_eq!(
            names(RequestClass::Reveal),
            [("api", true), ("reveal", true), ("pwfail", false)]
        );
        assert_eq!(names(RequestClass::Other), [("api", true)]);
        let off = RatePolicy {
            per_minute: 0,
            passphrase_failures_per_hour: 0,
            ..policy
        };
        assert!(off.limits_for(RequestClass::Other).is_empty());
        assert_eq!(off.passphrase_failure_limit(), None);
    }
}
