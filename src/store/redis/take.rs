//! The take: handing out a view of a secret (or burning it) in one atomic Lua step, and
//! passphrase attempts reserved and settled around it. The scripts are in `scripts/`.

use redis::Value;

use super::RedisStore;
use crate::crypto::{EXPIRES_AT_OFFSET, PROTECTED_FLAG_OFFSET, VIEWS_OFFSET};
use crate::domain::{RecordRef, SecretFate};
use crate::store::{StoreError, TakeGuard, decode_outcome};

/// Hands out a view of a secret, or burns it, in one atomic step. A secret whose header
/// allows several views (flag bit 2, then the views byte) counts each view in its views
/// key and stays until its last. The last view, or a burn, removes it and records its
/// outcome. The outcome lives until the secret's own expiry (read from its header, not
/// asked with `PTTL`) plus the receipt grace; the views count as long as the secret (by
/// its `PTTL`) plus the grace. A protected secret the take must
/// leave is left untouched (read, not removed and put back); only a protected secret has
/// attempts to delete.
/// KEYS: secret, attempts, outcome, views. ARGV: outcome letter (`r` reveal, `b` burn),
/// unix now, receipt grace in seconds, `1` to leave passphrase-protected secrets in place,
/// flag offset, expiry offset, views offset.
/// Returns {sealed bytes, views left} (reveal), 0 (burned), 1 (protected, left alone),
/// nil (missing).
pub(super) const FINISH_SCRIPT: &str = include_str!("scripts/finish.lua");

/// Takes a token. KEYS: the token.
pub(super) const TAKE_TOKEN_SCRIPT: &str = include_str!("scripts/take_token.lua");

/// Reserves a passphrase attempt. The attempts hash holds `f` (failures) and `p`
/// (attempts in flight). KEYS: secret, attempts. ARGV: limit.
/// Returns 1 (reserved), 0 (failures and attempts in flight fill the limit), -1 (gone).
pub(super) const RESERVE_ATTEMPT_SCRIPT: &str = include_str!("scripts/reserve_attempt.lua");

/// Settles a reserved attempt; a failure burns the secret at the limit.
/// KEYS: secret, attempts, outcome. ARGV: `1` failed / `0` released, limit, unix now,
/// receipt grace in ms. Returns attempts left (0 = burned now), -1 when the secret was
/// already gone, -2 when released.
pub(super) const SETTLE_ATTEMPT_SCRIPT: &str = include_str!("scripts/settle_attempt.lua");

/// What became of a secret, from whether it is still stored and its outcome record.
pub(super) fn fate_of(pending: bool, outcome: Option<Vec<u8>>) -> Result<SecretFate, StoreError> {
    match (pending, outcome) {
        (true, _) => Ok(SecretFate::Pending),
        (false, Some(outcome)) => decode_outcome(&outcome),
        (false, None) => Ok(SecretFate::Expired),
    }
}

impl RedisStore {
    /// Runs the settle script: `failed` turns the reservation into a failure. A failure
    /// goes as a take does (guarded, then acknowledged): a failover that lost it would
    /// bring a burned secret back, or its count back down — more guesses than the limit.
    /// Returns the script's answer and whether it was acknowledged in time (a release,
    /// which counts nothing, waits for nothing).
    pub(super) async fn settle(
        &self,
        secret: &RecordRef,
        failed: bool,
        limit: u32,
        now: u64,
    ) -> Result<(i64, bool), StoreError> {
        let [sealed, attempts, outcome, _] = self.secret_names(secret);
        let (limit, now, grace) = (
            limit.to_string(),
            now.to_string(),
            self.grace_ms().to_string(),
        );
        if !failed {
            let mut invocation = self.settle_attempt.key(sealed);
            invocation
                .key(attempts)
                .key(outcome)
                .arg("0")
                .arg(&limit)
                .arg(&now)
                .arg(&grace);
            let left = self
                .run(invocation.invoke_async(&mut self.connection.clone()))
                .await?;
            return Ok((left, true));
        }
        let (value, durable) = self
            .take_with(
                &self.settle_attempt,
                SETTLE_ATTEMPT_SCRIPT,
                &[&sealed, &attempts, &outcome],
                &[b"1", limit.as_bytes(), now.as_bytes(), grace.as_bytes()],
            )
            .await?;
        let left =
            redis::from_redis_value(value).map_err(|_| StoreError::Corrupt("settle reply"))?;
        Ok((left, durable))
    }

    pub(super) fn grace_ms(&self) -> u128 {
        self.options.receipt_grace.as_millis()
    }

    pub(super) async fn finish(
        &self,
        secret: &RecordRef,
        letter: &str,
        guard: TakeGuard,
        now: u64,
    ) -> Result<Value, StoreError> {
        let [sealed, attempts, outcome, views] = self.secret_names(secret);
        let (now_text, grace) = (
            now.to_string(),
            self.options.receipt_grace.as_secs().to_string(),
        );
        let unprotected = if guard == TakeGuard::Unprotected {
            "1"
        } else {
            "0"
        };
        let (offset, expires_at, views_at) = (
            PROTECTED_FLAG_OFFSET.to_string(),
            EXPIRES_AT_OFFSET.to_string(),
            VIEWS_OFFSET.to_string(),
        );
        let (value, durable) = self
            .take_with(
                &self.finish,
                FINISH_SCRIPT,
                &[&sealed, &attempts, &outcome, &views],
                &[
                    letter.as_bytes(),
                    now_text.as_bytes(),
                    grace.as_bytes(),
                    unprotected.as_bytes(),
                    offset.as_bytes(),
                    expires_at.as_bytes(),
                    views_at.as_bytes(),
                ],
            )
            .await?;
        // Missing, or protected and left alone: nothing changed, nothing to lose.
        if durable || matches!(value, Value::Nil | Value::Int(1)) {
            return Ok(value);
        }
        if letter == "r" && matches!(value, Value::Array(_)) {
            // Taken, never handed out: for the receipt it was burned. (A view that was
            // not the last leaves no outcome, so `XX` leaves it pending, one view less.)
            // XX: only the outcome the take wrote (never a new key without a TTL, should
            // the connection have moved to another master meanwhile).
            let burned = redis::cmd("SET")
                .arg(&outcome)
                .arg(format!("b{now}"))
                .arg("XX")
                .arg("KEEPTTL")
                .clone();
            if let Err(error) = self.query::<()>(&burned).await {
                log::warn!("could not mark an unacknowledged take as burned: {error}");
            }
        }
        Err(StoreError::NotDurable)
    }
}
