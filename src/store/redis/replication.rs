//! Replication acknowledgement: a take runs behind a guard that refuses on a replica or an
//! under-replicated master, then waits (`WAIT`, `WAITAOF`) before its answer leaves; a
//! create waits the same way (no guard: nothing exists yet) before its key is handed out.

use redis::{Cmd, Pipeline, Script, Value};

use super::reply::texts_of;
use super::{RedisStore, counted, unavailable};
use crate::config::AckReplicas;
use crate::metrics::METRICS;
use crate::store::StoreError;

/// Runs first in a take whose answer waits for replicas (prepended to its script; the count
/// it waits for is the script's last argument). When what is to be taken (`KEYS[1]`)
/// exists but this server is not a master, or has fewer replicas online and heard from in
/// the last two seconds than the take will wait for, it refuses with nothing consumed: a
/// take there could not be acknowledged, and a master left without its replica may be the
/// stale side of a failover that promoted it.
pub(super) const ACK_GUARD: &str = include_str!("scripts/ack_guard.lua");

/// With [`AckReplicas::Auto`]: as many replicas as every master in an `INFO replication`
/// answer has connected (the fewest, on a cluster), and never fewer than before. Every
/// replica, not one: a take acknowledged by one replica and then a failover to another
/// that never saw it would hand the secret out again.
pub(super) fn update_auto_acks(acks: &std::sync::atomic::AtomicU32, info: &Value) {
    let counts: Vec<u32> = texts_of(info)
        .iter()
        .flat_map(|text| text.lines())
        .filter_map(|line| line.strip_prefix("connected_slaves:"))
        .filter_map(|count| count.trim().parse().ok())
        .collect();
    let wanted = counts.iter().copied().min().unwrap_or(0);
    // Never lowered: a master seen without its replica may be the stale side of a
    // failover that promoted it, and takes there must not stop waiting. (The guard in
    // each take refuses them, consuming nothing, until a replica is back.)
    let before = acks.fetch_max(wanted, std::sync::atomic::Ordering::Relaxed);
    if wanted > before {
        log::info!("takes now wait for {wanted} replica acknowledgment(s)");
    }
}

/// Reads a `WAIT` answer (replicas) or a `WAITAOF` answer (`[local fsynced, replicas]`) as
/// (the local append-only file has it, replicas that acknowledged).
pub(super) fn acknowledgments(answer: &Value) -> (bool, i64) {
    match answer {
        Value::Int(replicas) => (false, *replicas),
        Value::Array(counts) => match counts.as_slice() {
            [Value::Int(local), Value::Int(replicas)] => (*local >= 1, *replicas),
            _ => (false, 0),
        },
        _ => (false, 0),
    }
}

/// `script` invoked on `keys` and `args` (by its hash, loaded on first use).
fn invocation<'a>(
    script: &'a Script,
    keys: &[&str],
    args: &[&[u8]],
) -> redis::ScriptInvocation<'a> {
    let mut invocation = script.prepare_invoke();
    for key in keys {
        invocation.key(*key);
    }
    for arg in args {
        invocation.arg(*arg);
    }
    invocation
}

impl RedisStore {
    /// The replicas takes wait for now.
    pub fn ack_replicas(&self) -> u32 {
        self.acks.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// With [`AckReplicas::Auto`]: waits for a replica while every master has one.
    pub(super) async fn refresh_acks(&self) -> Result<(), StoreError> {
        if self.options.ack_replicas != AckReplicas::Auto {
            return Ok(());
        }
        let info = self
            .on_every_master_if_permitted(redis::cmd("INFO").arg("replication").clone())
            .await?;
        // Without `INFO` (an ACL user not allowed it) the count stays 0, as documented.
        if let Some(info) = info {
            update_auto_acks(&self.acks, &info);
        }
        self.acks_known
            .store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// The `EVAL` of a take's script for [`Self::consume`]: [`ACK_GUARD`] first.
    pub(super) fn guarded(script: &str) -> Cmd {
        redis::cmd("EVAL")
            .arg(format!("{ACK_GUARD}{script}"))
            .clone()
    }

    /// Appends to `pipe`, after the writes it holds, the waits that acknowledge them:
    /// `WAIT` for `replicas` and, with `BURNBOX_ACK_FSYNC`, `WAITAOF` for the master's
    /// append-only file. Sent in the same round trip on the same connection as the writes,
    /// so they wait for exactly those writes.
    fn wait_for_acks(&self, pipe: &mut Pipeline, replicas: u32) {
        let timeout_ms = u64::try_from(self.options.ack_timeout.as_millis()).unwrap_or(u64::MAX);
        if replicas > 0 {
            pipe.cmd("WAIT").arg(replicas).arg(timeout_ms);
        }
        if self.options.ack_fsync {
            pipe.cmd("WAITAOF").arg(1).arg(0).arg(timeout_ms);
        }
    }

    /// Reads the answers to [`Self::wait_for_acks`]: what did not acknowledge in time, in
    /// words for the log (empty: everything did).
    fn missing_acks(
        &self,
        replicas: u32,
        mut answers: impl Iterator<Item = redis::RedisResult<Value>>,
    ) -> Vec<String> {
        let mut missing = Vec::new();
        if replicas > 0 {
            match answers.next() {
                Some(Ok(Value::Int(acknowledged))) if acknowledged >= i64::from(replicas) => {}
                other => missing.push(format!("replicas: {other:?}")),
            }
        }
        if self.options.ack_fsync {
            match answers.next() {
                Some(Ok(answer)) if acknowledgments(&answer).0 => {}
                other => missing.push(format!("append-only file: {other:?}")),
            }
        }
        missing
    }

    /// One of the connections kept for writes that wait (see `take_connections`), in turn.
    fn waiting_connection(&self) -> super::Connection {
        let turn = self
            .next_take
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.take_connections[turn % self.take_connections.len()].clone()
    }

    /// Runs a take built by [`Self::guarded`] (its arguments in place) and, on the same
    /// connection right after it, the waits of [`Self::wait_for_acks`]. The answer says
    /// whether they acknowledged in time; a take the guard refused (nothing consumed) is
    /// `NoReplicas` at once.
    pub(super) async fn consume(&self, mut take: Cmd) -> Result<(Value, bool), StoreError> {
        let replicas = self.ack_replicas();
        take.arg(replicas);
        let mut pipe = redis::pipe();
        pipe.ignore_errors().add_command(take);
        self.wait_for_acks(&mut pipe, replicas);
        let started = std::time::Instant::now();
        let mut connection = self.waiting_connection();
        let answers: Vec<redis::RedisResult<Value>> =
            self.run(pipe.query_async(&mut connection)).await?;
        let mut answers = answers.into_iter();
        let value = match answers.next() {
            Some(Ok(value)) => value,
            Some(Err(error)) if error.code().is_some_and(|code| code.starts_with("BB")) => {
                METRICS.consume_refused.inc();
                log::warn!("a take was refused before it consumed anything: {error}");
                return Err(StoreError::NoReplicas);
            }
            Some(Err(error)) => return Err(counted(unavailable(error))),
            None => return Err(StoreError::Corrupt("take reply")),
        };
        METRICS
            .consume_ack_wait
            .observe(started.elapsed().as_secs_f64());
        let missing = self.missing_acks(replicas, answers);
        let durable = missing.is_empty();
        if durable {
            METRICS.consume_acknowledged.inc();
        } else {
            METRICS.consume_ack_timeouts.inc();
            log::warn!(
                "a take was not acknowledged in time ({})",
                missing.join("; ")
            );
        }
        Ok((value, durable))
    }

    /// Runs a create's `writes` (any error fails it) and returns their answers (none for
    /// an ignored command). When writes wait for nothing, they run as they are, on this
    /// worker's connection: no command and no round trip more. Otherwise they run on a
    /// connection kept for waiting, with the waits of [`Self::wait_for_acks`] in the same
    /// round trip, and unless those acknowledge in time the create is
    /// [`StoreError::CreateNotDurable`]: its caller hands no key out, and what was written
    /// expires unreachable with its TTL. No guard: nothing exists yet that could be
    /// handed out twice.
    pub(super) async fn create(&self, mut writes: Pipeline) -> Result<Vec<Value>, StoreError> {
        if !self.acknowledges().await? {
            return self.query_pipe(&writes).await;
        }
        let replicas = self.ack_replicas();
        self.wait_for_acks(&mut writes, replicas);
        let waits = usize::from(replicas > 0) + usize::from(self.options.ack_fsync);
        let mut answers: Vec<Value> = self
            .run(writes.query_async(&mut self.waiting_connection()))
            .await?;
        let acks = answers.split_off(answers.len().saturating_sub(waits));
        let missing = self.missing_acks(replicas, acks.into_iter().map(Ok));
        if !missing.is_empty() {
            METRICS.create_ack_timeouts.inc();
            log::warn!(
                "a create was not acknowledged in time, so no key was handed out ({})",
                missing.join("; ")
            );
            return Err(StoreError::CreateNotDurable);
        }
        Ok(answers)
    }

    /// Runs a create's `script` (`text` is its source) on `keys` and `args`, as
    /// [`Self::create`] runs writes: invoked as it is when writes wait for nothing, else as
    /// `EVAL` pipelined with its acknowledgments.
    pub(super) async fn create_with(
        &self,
        script: &Script,
        text: &str,
        keys: &[&str],
        args: &[&[u8]],
    ) -> Result<Value, StoreError> {
        if !self.acknowledges().await? {
            let invocation = invocation(script, keys, args);
            return self.invoke(&invocation).await;
        }
        let mut pipe = redis::pipe();
        pipe.cmd("EVAL")
            .arg(text)
            .arg(keys.len())
            .arg(keys)
            .arg(args);
        self.create(pipe)
            .await?
            .pop()
            .ok_or(StoreError::Corrupt("create script reply"))
    }

    /// Runs a take's `script` (`text` is its source) on `keys` and `args`: invoked as it is
    /// when takes wait for nothing, else guarded and pipelined with its acknowledgments
    /// ([`Self::consume`]). The answer says whether they came in time (always, unwaited).
    pub(super) async fn take_with(
        &self,
        script: &Script,
        text: &str,
        keys: &[&str],
        args: &[&[u8]],
    ) -> Result<(Value, bool), StoreError> {
        if !self.acknowledges().await? {
            let invocation = invocation(script, keys, args);
            let value = self
                .run(invocation.invoke_async(&mut self.connection.clone()))
                .await?;
            return Ok((value, true));
        }
        // Pipelined with WAIT, the script goes as EVAL (Redis caches it by its hash all
        // the same): the take and the wait must share one connection.
        let mut command = Self::guarded(text);
        command.arg(keys.len()).arg(keys).arg(args);
        self.consume(command).await
    }

    /// Whether takes wait for anything (replicas or the append-only file). With `auto`,
    /// the first take counts the replicas if nothing has yet (start-up does not wait for
    /// Redis, and no `/ready` may ever come).
    pub(super) async fn acknowledges(&self) -> Result<bool, StoreError> {
        if !self.acks_known.load(std::sync::atomic::Ordering::Relaxed) {
            self.refresh_acks().await?;
        }
        Ok(self.ack_replicas() > 0 || self.options.ack_fsync)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_and_waitaof_answers_are_read_as_acknowledgments() {
        assert_eq!(acknowledgments(&Value::Int(2)), (false, 2));
        assert_eq!(
            acknowledgments(&Value::Array(vec![Value::Int(1), Value::Int(0)])),
            (true, 0)
        );
        assert_eq!(
            acknowledgments(&Value::Array(vec![Value::Int(0), Value::Int(1)])),
            (false, 1)
        );
        assert_eq!(acknowledgments(&Value::Nil), (false, 0));
    }
}
