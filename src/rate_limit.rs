//! Rate limits shared by every instance: GCRA, kept in the store.
//!
//! Each limit is "`limit` requests per `period`" for one client address. GCRA keeps one
//! number per client and limit, the theoretical arrival time (TAT): a request is allowed
//! when `max(TAT, now) + period/limit - now ≤ period`, and then advances the TAT by
//! `period/limit`. A burst of `limit` requests is allowed, then one per `period/limit`.
//! All limits of a request are checked in one atomic step and charged only if all allow,
//! so a refused request costs no budget. [`gcra`] is the algorithm; the memory store runs
//! it and the Redis store's Lua script mirrors it line for line (the contract tests hold
//! them together). Redis' own clock is used there, so instances' clocks do not matter.
//!
//! Client addresses are stored only as a keyed BLAKE3 hash under the server key.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::config::ServerKey;
use crate::error::ApiError;
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
    /// The period.
    pub period: Duration,
    /// Whether a passing check uses up budget.
    pub charge: bool,
}

impl Limit {
    /// The emission interval `period / limit`, in microseconds.
    pub fn interval_us(&self) -> u64 {
        (self.period.as_micros() / u128::from(self.limit.max(1))) as u64
    }

    /// The period in microseconds.
    pub fn period_us(&self) -> u64 {
        self.period.as_micros() as u64
    }
}

/// The outcome of one limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitState {
    /// Whether this limit allows the request.
    pub allowed: bool,
    /// The TAT to store when the request is allowed and charged.
    pub new_tat_us: u64,
    /// Requests left after this one.
    pub remaining: u32,
    /// Until the budget is full again.
    pub reset_us: u64,
    /// When refused: until one request is allowed again.
    pub retry_after_us: u64,
}

/// GCRA for one limit at `now_us`, given the stored TAT (if any).
pub fn gcra(limit: &Limit, stored_tat_us: Option<u64>, now_us: u64) -> LimitState {
    let interval = limit.interval_us().max(1);
    let period = limit.period_us();
    let tat = stored_tat_us.unwrap_or(now_us).max(now_us);
    let new_tat = tat + interval;
    let ahead = new_tat - now_us;
    if ahead > period {
        return LimitState {
            allowed: false,
            new_tat_us: tat,
            remaining: 0,
            reset_us: tat - now_us,
            retry_after_us: ahead - period,
        };
    }
    LimitState {
        allowed: true,
        new_tat_us: new_tat,
        remaining: u32::try_from((period - ahead) / interval).unwrap_or(u32::MAX),
        reset_us: ahead,
        retry_after_us: 0,
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

/// What kind of request is being limited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestClass {
    /// Creating a secret (plain or generated).
    Create,
    /// Revealing a secret.
    Reveal,
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
            RequestClass::Other => {}
        }
        limits.into_iter().flatten().collect()
    }

    /// The limit charged after a wrong passphrase.
    pub fn passphrase_failure_limit(&self) -> Option<Limit> {
        Self::limit("pwfail", self.passphrase_failures_per_hour, HOUR, true)
    }
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

    fn client_id(&self, client: IpAddr) -> [u8; CLIENT_ID_BYTES] {
        let mut id = [0u8; CLIENT_ID_BYTES];
        blake3::Hasher::new_keyed(self.server_key.as_bytes())
            .update(b"burnbox rate-limit client v1")
            .update(client.to_canonical().to_string().as_bytes())
            .finalize_xof()
            .fill(&mut id);
        id
    }

    /// Checks (and charges) the limits for a request; `None` when no limit applies.
    pub async fn check(
        &self,
        client: IpAddr,
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

    /// Charges a wrong passphrase to the client.
    pub async fn charge_passphrase_failure(&self, client: IpAddr) -> Result<(), ApiError> {
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

    const THREE_PER_SECOND: Limit = Limit {
        name: "t",
        limit: 3,
        period: Duration::from_secs(1),
        charge: true,
    };

    fn run(limit: &Limit, times_us: &[u64]) -> Vec<bool> {
        let mut tat = None;
        times_us
            .iter()
            .map(|now| {
                let state = gcra(limit, tat, *now);
                if state.allowed {
                    tat = Some(state.new_tat_us);
                }
                state.allowed
            })
            .collect()
    }

    #[test]
    fn a_burst_of_the_limit_is_allowed_then_one_per_interval() {
        assert_eq!(
            run(&THREE_PER_SECOND, &[0, 0, 0, 0]),
            [true, true, true, false]
        );
        // After a third of a second one more is allowed.
        assert_eq!(
            run(&THREE_PER_SECOND, &[0, 0, 0, 333_334, 333_335]),
            [true, true, true, true, false]
        );
        // After a full period the whole burst is back.
        assert_eq!(
            run(
                &THREE_PER_SECOND,
                &[0, 0, 0, 1_000_000, 1_000_000, 1_000_000]
            ),
            [true; 6]
        );
    }

    #[test]
    fn states_report_remaining_reset_and_retry() {
        let first = gcra(&THREE_PER_SECOND, None, 0);
        assert_eq!((first.remaining, first.reset_us), (2, 333_333));
        let full = gcra(&THREE_PER_SECOND, Some(999_999), 0);
        assert!(!full.allowed);
        assert_eq!(full.retry_after_us, 333_332);
        assert_eq!(full.new_tat_us, 999_999, "a refusal stores nothing new");
    }

    #[test]
    fn the_decision_reports_the_tightest_charged_limit_or_the_refusal() {
        let loose = Limit {
            name: "a",
            limit: 100,
            ..THREE_PER_SECOND
        };
        let peek = Limit {
            charge: false,
            limit: 1,
            ..THREE_PER_SECOND
        };
        let limits = [loose, THREE_PER_SECOND, peek];
        let states: Vec<_> = limits.iter().map(|limit| gcra(limit, None, 0)).collect();
        let decision = decide(&limits, &states);
        assert!(decision.allowed);
        assert_eq!(
            (decision.limit, decision.remaining, decision.reset_seconds),
            (3, 2, 1)
        );

        let refused = [
            gcra(&loose, None, 0),
            gcra(&THREE_PER_SECOND, Some(2_000_000), 0),
            gcra(&peek, None, 0),
        ];
        let decision = decide(&limits, &refused);
        assert!(!decision.allowed);
        assert_eq!((decision.limit, decision.retry_after_seconds), (3, 2));
        assert!(decide(&[], &[]).allowed);
    }

    #[test]
    fn zero_switches_a_limit_off() {
        let policy = RatePolicy {
            per_minute: 600,
            create_per_minute: 0,
            reveal_per_minute: 30,
            passphrase_failures_per_hour: 20,
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
