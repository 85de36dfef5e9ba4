//! Rate limits shared by every instance: sliding-window counters kept in the store.
//!
//! Each limit is "`limit` requests per `period`" for one client address. The store counts
//! requests per fixed window of one period and keeps the previous window's count; the
//! estimate is `previous × (share of the previous window still inside the sliding
//! window) + current`, and a request is allowed while the estimate stays within the limit
//! (the approximation Cloudflare describes for its own limiter: smooth like a true sliding
//! window, two counters per client and limit). A refused request is un-counted, so it
//! costs no budget. [`assess`] is the arithmetic both stores share. Window boundaries
//! follow each instance's clock: NTP-synchronised clocks shift them by milliseconds.
//!
//! **Leases.** Asking the store for every request made the limiter most of Redis' work
//! per request. So an instance counts requests in the store ahead of use, a few at a
//! time ([`lease_size`]), and spends them locally ([`Leases`]): every request it admits
//! was counted in the shared store *before* it was admitted, and each lease was checked
//! against the limit with the whole lease counted. Instances together therefore never
//! admit more than the limit allows (no overshoot). The price is the other direction: a
//! client can be refused while budget leased by an instance sits unspent, at most
//! `lease_size − 1` per instance and limit (7 with the defaults); near its limit a client
//! is leased one request at a time, which is exact. Guesses (passphrases, passwords,
//! codes) are never leased.
//!
//! Client addresses are stored only as a keyed BLAKE3 hash under the server key.

use std::sync::Arc;

use lru::LruCache;

use crate::config::ServerKey;
// The model moved to `domain::limits`; `burnbox::rate_limit::{Limit, …}` still names it
// (a compatibility re-export for code written against the old path).
pub use crate::domain::limits::{
    CLIENT_ID_BYTES, Decision, Limit, LimitState, RECENT_CLIENTS_KEPT, RatePolicy, Recent,
    RequestClass, assess, decide, lease_size,
};
use crate::domain::time::now_micros;
use crate::error::ApiError;
use crate::network::ClientAddress;
use crate::store::Store;

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

/// The error for a refused request: retry no sooner than a second from now.
pub fn refusal(decision: &Decision) -> ApiError {
    ApiError::RateLimited {
        retry_after_seconds: decision.retry_after_seconds.max(1),
    }
}

/// One client's lease on one limit in one window.
#[derive(Debug, Clone, Copy)]
struct Lease {
    /// Counted in the store, not yet spent.
    left: u32,
    /// The store's answer when it was granted (the whole lease counted).
    granted: LimitState,
}

/// A lease's client, limit name and window.
type LeaseKey = ([u8; CLIENT_ID_BYTES], &'static str, u64);

/// Requests counted in the store ahead of use, per client, limit and window: shared by
/// an instance's workers (see the module's notes).
#[derive(Debug, Default)]
pub struct Leases(Recent<LeaseKey, Lease>);

impl Leases {
    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<LeaseKey, Lease>> {
        self.0.lock()
    }

    /// Spends one request from every limit's lease, if each has one left; the states
    /// then describe the client as of the leases' grants.
    fn spend(
        &self,
        client: &[u8; CLIENT_ID_BYTES],
        limits: &[Limit],
        now_us: u64,
    ) -> Result<Vec<LimitState>, Vec<Option<u32>>> {
        let mut leases = self.lock();
        let found: Vec<Option<Lease>> = limits
            .iter()
            .map(|limit| {
                let window = limit.window(now_us).0;
                leases.get(&(*client, limit.name, window)).copied()
            })
            .collect();
        if found
            .iter()
            .any(|lease| lease.is_none_or(|lease| lease.left == 0))
        {
            return Err(found
                .iter()
                .map(|lease| lease.map(|lease| lease.granted.remaining))
                .collect());
        }
        let mut states = Vec::with_capacity(limits.len());
        for limit in limits {
            let (window, elapsed) = limit.window(now_us);
            if let Some(lease) = leases.get_mut(&(*client, limit.name, window)) {
                lease.left -= 1;
                states.push(LimitState {
                    allowed: true,
                    remaining: lease.granted.remaining + lease.left,
                    reset_us: limit.period_us() - elapsed,
                    retry_after_us: 0,
                });
            }
        }
        Ok(states)
    }

    /// Keeps what the store granted (less the request it admits now).
    fn keep(
        &self,
        client: &[u8; CLIENT_ID_BYTES],
        limits: &[Limit],
        states: &[LimitState],
        now_us: u64,
    ) {
        // A lease pushed out is budget given up (stricter), never budget gained.
        let mut leases = self.lock();
        for (limit, granted) in limits.iter().zip(states) {
            let window = limit.window(now_us).0;
            let lease = leases.get_or_insert_mut((*client, limit.name, window), || Lease {
                left: 0,
                granted: *granted,
            });
            lease.left += limit.charge.saturating_sub(1);
            lease.granted = *granted;
        }
    }
}

/// Applies the policy for one client through the store.
#[derive(Clone)]
pub struct RateLimiter {
    store: Arc<dyn Store>,
    policy: RatePolicy,
    server_key: ServerKey,
    leases: Arc<Leases>,
}

impl RateLimiter {
    /// A limiter over `store`; client addresses are hashed under `server_key`; `leases`
    /// are shared by the instance's workers.
    pub fn new(
        store: Arc<dyn Store>,
        policy: RatePolicy,
        server_key: ServerKey,
        leases: Arc<Leases>,
    ) -> Self {
        Self {
            store,
            policy,
            server_key,
            leases,
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
        let id = self.client_id(client);
        let now_us = now_micros();
        let last_remaining = match self.leases.spend(&id, &limits, now_us) {
            Ok(states) => return Ok(Some(decide(&limits, &states))),
            Err(last_remaining) => last_remaining,
        };
        // Lease every limit of the request again; refused, try once more for exactly one.
        let leased: Vec<Limit> = limits
            .iter()
            .zip(last_remaining)
            .map(|(limit, left)| Limit {
                charge: lease_size(limit, left),
                ..*limit
            })
            .collect();
        let mut states = self.store.check_rate(&id, &leased).await?;
        let mut charged = leased;
        if states.iter().any(|state| !state.allowed) && charged.iter().any(|l| l.charge > 1) {
            charged = limits;
            states = self.store.check_rate(&id, &charged).await?;
        }
        if states.iter().any(|state| !state.allowed) {
            return Ok(Some(decide(&charged, &states)));
        }
        self.leases.keep(&id, &charged, &states, now_us);
        // What the client has left includes what is leased to it here.
        let states: Vec<LimitState> = states
            .iter()
            .zip(&charged)
            .map(|(state, limit)| LimitState {
                remaining: state.remaining + limit.charge.saturating_sub(1),
                ..*state
            })
            .collect();
        Ok(Some(decide(&charged, &states)))
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
            return Err(refusal(&decision));
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

    /// Charges an upload of `bytes` to the client's hourly byte budget and, for an
    /// account's upload, to the account's: refused (nothing charged to the client) when
    /// either is spent.
    pub async fn charge_file_bytes(
        &self,
        client: ClientAddress,
        account: Option<&[u8]>,
        bytes: u64,
    ) -> Result<(), ApiError> {
        let (for_client, for_account) = self.policy.file_limits(bytes);
        if let (Some(limit), Some(account)) = (for_account, account) {
            let mut id = [0u8; CLIENT_ID_BYTES];
            blake3::Hasher::new_keyed(self.server_key.as_bytes())
                .update(b"burnbox file budget account v1")
                .update(account)
                .finalize_xof()
                .fill(&mut id);
            let decision = decide(&[limit], &self.store.check_rate(&id, &[limit]).await?);
            if !decision.allowed {
                return Err(refusal(&decision));
            }
        }
        if let Some(limit) = for_client {
            let states = self
                .store
                .check_rate(&self.client_id(client), &[limit])
                .await?;
            let decision = decide(&[limit], &states);
            if !decision.allowed {
                return Err(refusal(&decision));
            }
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
    use crate::domain::limits::tests::TEN_PER_SECOND;

    #[test]
    fn a_lease_is_spent_one_request_at_a_time_within_its_window() {
        let leases = Leases::default();
        let client = [7; CLIENT_ID_BYTES];
        let limit = Limit {
            charge: 3,
            ..TEN_PER_SECOND
        };
        let now = 5_100_000;
        assert_eq!(leases.spend(&client, &[limit], now).unwrap_err(), [None]);
        let granted = assess(&limit, 0, 3, 100_000);
        leases.keep(&client, &[limit], &[granted], now);
        let first = leases.spend(&client, &[limit], now).expect("leased");
        assert_eq!((first[0].remaining, first[0].reset_us), (8, 900_000));
        assert_eq!(
            leases.spend(&client, &[limit], now).expect("leased")[0].remaining,
            7
        );
        // The request that took the lease spent one; two were left, now none.
        assert_eq!(leases.spend(&client, &[limit], now).unwrap_err(), [Some(7)]);
        // The next window starts without a lease.
        leases.keep(&client, &[limit], &[granted], now);
        assert!(leases.spend(&client, &[limit], now + 1_000_000).is_err());
    }
}
