//! Rate-limit windows in Redis: packed per-client counters (`BITFIELD`), read and
//! charged per window, with the previous window remembered per instance.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use redis::Value;

use super::RedisStore;
use crate::domain::limits::{CLIENT_ID_BYTES, Limit, LimitState, Recent, assess};
use crate::domain::time::now_micros;
use crate::store::StoreError;

/// Takes one back from a rate counter that still exists (a missing one stays missing:
/// `BITFIELD` would create it without an expiry). KEYS: the client's counters for the
/// window. ARGV: the counter's field (`#slot`).
pub(super) const REFUND_SCRIPT: &str = include_str!("scripts/refund.lua");

/// What this instance has read of each client's previous window, per period: a rate
/// check reads it only on its first check of the window; later checks are one
/// `BITFIELD` (and the counter's `PEXPIRE`). Requests another instance counts in the
/// previous window after that read (at the boundary, within the clocks' skew) are missed.
/// A window forgotten (pushed out by more recent clients) is read again.
#[derive(Debug, Default)]
pub(super) struct RateWindows(Recent<RateWindowKey, (u64, Arc<[u8]>)>);

/// A client and a period (µs).
pub(super) type RateWindowKey = ([u8; CLIENT_ID_BYTES], u64);

impl RateWindows {
    /// The previous window's counters, once read in `window`.
    pub(super) fn previous(&self, key: &RateWindowKey, window: u64) -> Option<Arc<[u8]>> {
        self.0
            .lock()
            .get(key)
            .filter(|(read_in, _)| *read_in == window)
            .map(|(_, previous)| previous.clone())
    }

    pub(super) fn remember(&self, key: RateWindowKey, window: u64, previous: Arc<[u8]>) {
        self.0.lock().put(key, (window, previous));
    }
}

/// One 32-bit counter of a client's packed counters (`BITFIELD … u32 #slot`); absent is 0.
pub(super) fn packed_count(counters: &[u8], slot: u8) -> u64 {
    let at = usize::from(slot) * 4;
    counters.get(at..at + 4).map_or(0, |bytes| {
        u64::from(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
    })
}

impl RedisStore {
    /// The key of one client's counters for every limit of `period_us` in `window`.
    pub(super) fn rate_name(
        &self,
        client: &[u8; CLIENT_ID_BYTES],
        period_us: u64,
        window: u64,
    ) -> String {
        let tag = URL_SAFE_NO_PAD.encode(client);
        format!(
            "{}{{rl{tag}}}p{}:{window}",
            self.options.key_prefix,
            period_us / 1000
        )
    }

    /// [`crate::store::Store::check_rate`]: counts (or, charging nothing, reads) each limit in its
    /// window, judges them with the previous window, and takes a refused request's counts
    /// back.
    pub(super) async fn count_in_windows(
        &self,
        client: &[u8; CLIENT_ID_BYTES],
        limits: &[Limit],
    ) -> Result<Vec<LimitState>, StoreError> {
        let now_us = now_micros();
        // One key per period holds the client's counters for all limits of that period.
        // Members by their place in `limits`, where their counts go back to.
        let mut periods: Vec<(u64, Vec<(usize, &Limit)>)> = Vec::new();
        for member in limits.iter().enumerate() {
            let period_us = member.1.period_us();
            match periods.iter_mut().find(|(period, _)| *period == period_us) {
                Some((_, members)) => members.push(member),
                None => periods.push((period_us, vec![member])),
            }
        }
        let mut pipe = redis::pipe();
        let mut known = Vec::with_capacity(periods.len());
        for (period_us, members) in &periods {
            let window = now_us / period_us;
            let current = self.rate_name(client, *period_us, window);
            let previous = self.rate_windows.previous(&(*client, *period_us), window);
            if previous.is_none() {
                pipe.get(self.rate_name(client, *period_us, window.saturating_sub(1)));
            }
            let count = pipe
                .cmd("BITFIELD")
                .arg(&current)
                .arg("OVERFLOW")
                .arg("SAT");
            for (_, limit) in members {
                let field = format!("#{}", limit.slot);
                if limit.charge > 0 {
                    count.arg("INCRBY").arg("u32").arg(field).arg(limit.charge);
                } else {
                    count.arg("GET").arg("u32").arg(field);
                }
            }
            // After every count, not only the window's first here: a counter that vanished
            // (a failover that lost writes, eviction) is re-created by BITFIELD, and must
            // not live on without an expiry. Leased, a count is rare.
            pipe.cmd("PEXPIRE")
                .arg(&current)
                .arg(2 * period_us.div_ceil(1000))
                .ignore();
            known.push(previous);
        }
        let replies: Vec<Value> = self.query_pipe(&pipe).await?;
        let mut replies = replies.into_iter();
        let corrupt = || StoreError::Corrupt("rate counters");
        let mut counts = vec![(0, 0); limits.len()];
        for ((period_us, members), previous) in periods.iter().zip(known) {
            let window = now_us / period_us;
            let previous = match previous {
                Some(previous) => previous,
                None => {
                    let read: Option<Vec<u8>> =
                        redis::from_redis_value(replies.next().ok_or_else(corrupt)?)
                            .map_err(|_| corrupt())?;
                    let read: Arc<[u8]> = read.unwrap_or_default().into();
                    self.rate_windows
                        .remember((*client, *period_us), window, read.clone());
                    read
                }
            };
            let current: Vec<u64> = redis::from_redis_value(replies.next().ok_or_else(corrupt)?)
                .map_err(|_| corrupt())?;
            for ((index, limit), current) in members.iter().zip(current) {
                counts[*index] = (packed_count(&previous, limit.slot), current);
            }
        }
        let states: Vec<LimitState> = limits
            .iter()
            .zip(counts)
            .map(|(limit, (previous, current))| {
                let current = current + u64::from(limit.charge == 0);
                assess(limit, previous, current, limit.window(now_us).1)
            })
            .collect();
        if states.iter().any(|state| !state.allowed) {
            // A refused request costs no budget: take its counts back.
            let mut undo = redis::pipe();
            for (period_us, members) in &periods {
                let current = self.rate_name(client, *period_us, now_us / period_us);
                let count = undo.cmd("BITFIELD").arg(current).arg("OVERFLOW").arg("SAT");
                for (_, limit) in members.iter().filter(|(_, limit)| limit.charge > 0) {
                    count
                        .arg("INCRBY")
                        .arg("u32")
                        .arg(format!("#{}", limit.slot))
                        .arg(-i64::from(limit.charge));
                }
                count.ignore();
                undo.cmd("PEXPIRE")
                    .arg(self.rate_name(client, *period_us, now_us / period_us))
                    .arg(2 * period_us.div_ceil(1000))
                    .ignore();
            }
            self.query_pipe::<()>(&undo).await?;
        }
        Ok(states)
    }

    /// [`crate::store::Store::refund_rate`]: takes one back from the counter charged at `charged_at_us`.
    pub(super) async fn refund_in_window(
        &self,
        client: &[u8; CLIENT_ID_BYTES],
        limit: &Limit,
        charged_at_us: u64,
    ) -> Result<(), StoreError> {
        let name = self.rate_name(client, limit.period_us(), limit.window(charged_at_us).0);
        let mut invocation = self.refund.key(name);
        invocation.arg(format!("#{}", limit.slot));
        self.run(invocation.invoke_async::<()>(&mut self.connection.clone()))
            .await
    }
}
