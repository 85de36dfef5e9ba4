//! The take: handing out a view of a secret (or burning it) in one atomic Lua step, and
//! passphrase attempts reserved and settled around it. The scripts are in `scripts/`.

use redis::Value;

use super::RedisStore;
use crate::crypto::{EXPIRES_AT_OFFSET, PROTECTED_FLAG_OFFSET, VIEWS_OFFSET};
use crate::domain::{RecordRef, SecretFate};
use crate::store::{StoreError, Take, TakeGuard, decode_outcome};

/// Hands out a view of a secret, or burns it, in one atomic step. A secret whose header
/// allows several views (flag bit 2, then the views byte) counts each view in its views
/// key and stays until its last. The last view, or a burn, removes it and records its
/// outcome. The outcome lives until the secret's own expiry (read from its header, not
/// asked with `PTTL`) plus the receipt grace; the views count as long as the secret (by
/// its `PTTL`) plus the grace. A protected secret the take must
/// leave is left untouched (read, not removed and put back); only a protected secret has
/// attempts to delete.
/// An `e2e2` secret (flag bit 5, its verifier after the views byte) is taken only by a
/// caller presenting the same verifier, compared in constant time. With a retry window,
/// the view handed out is also kept (`SET … PX`: views left as one byte, then the sealed
/// bytes), and a take that finds a kept answer returns it, taking nothing.
/// A file secret (flag bit 6) is revealed only by a take with a download window: each
/// view (and each replay of a kept answer) hands out a download, so its chunks' hash is
/// kept for the window after it (`PEXPIRE`, lengthening only, before the last view; as
/// it is, on the last); a burn unlinks the chunks with the secret.
/// KEYS: secret, attempts, outcome, views, kept answer, file chunks. ARGV: letter (`r`
/// reveal, `b` burn, `k` only read back a kept answer), unix now, receipt grace in
/// seconds, `1` to leave passphrase-protected secrets in place, flag offset, expiry
/// offset, views offset, retry window in ms (`0`: none), the presented verifier (`*`:
/// waived), the download window in ms (`-`: files refused).
/// Returns {sealed bytes, views left} (reveal), {sealed, views left, 1} (kept answer),
/// 0 (burned), 1 (protected, left alone), 2 (proof refused), 3 (a file, refused), nil
/// (missing).
pub(super) const FINISH_SCRIPT: &str = include_str!("scripts/finish.lua");

/// Takes a token, keeping it for a retry within the window, and returns a kept one again.
/// KEYS: the token, its kept answer. ARGV: retry window in ms (`0`: none).
pub(super) const TAKE_TOKEN_SCRIPT: &str = include_str!("scripts/take_token.lua");

/// Reserves a passphrase attempt. The attempts hash holds `f` (failures) and `p`
/// (attempts in flight). KEYS: secret, attempts. ARGV: limit.
/// Returns 1 (reserved), 0 (failures and attempts in flight fill the limit), -1 (gone).
pub(super) const RESERVE_ATTEMPT_SCRIPT: &str = include_str!("scripts/reserve_attempt.lua");

/// Settles a reserved attempt; a failure burns the secret (and a file's chunks) at the
/// limit. KEYS: secret, attempts, outcome, file chunks. ARGV: `1` failed / `0` released,
/// limit, unix now, receipt grace in ms. Returns attempts left (0 = burned now), -1 when
/// the secret was already gone, -2 when released.
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
        let [sealed, attempts, outcome, _, chunks] = self.secret_names(secret);
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
                .key(chunks)
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
                &[&sealed, &attempts, &outcome, &chunks],
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

    /// Runs [`FINISH_SCRIPT`]: `letter` is `r` (reveal), `b` (burn) or `k` (only read back
    /// a kept answer); `proof` is the verifier presented (`None`: waived, as for the owner).
    pub(super) async fn finish(
        &self,
        secret: &RecordRef,
        letter: &str,
        take: &Take,
        waive_proof: bool,
        now: u64,
    ) -> Result<Value, StoreError> {
        let [sealed, attempts, outcome, views, chunks] = self.secret_names(secret);
        let (kept, window) = self.kept_args(take.kept.as_ref(), "k", &outcome);
        let file_window = take
            .file_window_ms
            .map_or_else(|| "-".to_owned(), |window| window.to_string());
        let (now_text, grace) = (
            now.to_string(),
            self.options.receipt_grace.as_secs().to_string(),
        );
        let unprotected = if take.guard == TakeGuard::Unprotected {
            "1"
        } else {
            "0"
        };
        let proof: &[u8] = match (&take.proof, waive_proof) {
            (_, true) => b"*",
            (Some(verifier), false) => verifier,
            (None, false) => b"",
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
                &[&sealed, &attempts, &outcome, &views, &kept, &chunks],
                &[
                    letter.as_bytes(),
                    now_text.as_bytes(),
                    grace.as_bytes(),
                    unprotected.as_bytes(),
                    offset.as_bytes(),
                    expires_at.as_bytes(),
                    views_at.as_bytes(),
                    window.as_bytes(),
                    proof,
                    file_window.as_bytes(),
                ],
            )
            .await?;
        // Missing, protected or refused and left alone: nothing changed, nothing to lose.
        if durable || matches!(value, Value::Nil | Value::Int(1..=3)) {
            return Ok(value);
        }
        // Taken and kept for a retry: the same idempotency key may try again, and gets it
        // once a replica has it (or, should a failover lose the take, takes it anew).
        let fresh_take = matches!(&value, Value::Array(reply) if reply.len() == 2);
        if letter == "r" && fresh_take && take.kept.is_none() {
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
