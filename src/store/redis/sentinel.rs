//! Sentinel: finding the master the Sentinels name, and following it through failovers.

use std::sync::Arc;

use redis::aio::ConnectionLike;
use redis::sentinel::{SentinelClient, SentinelClientBuilder, SentinelServerType};
use redis::{
    AsyncConnectionConfig, Cmd, ConnectionAddr, IntoConnectionInfo, Pipeline, RedisFuture,
    TlsCertificates, TlsMode, Value,
};

use super::replication::update_auto_acks;

/// How to reach the Sentinels and, through them, the master.
#[derive(Clone)]
pub(super) struct SentinelSetup {
    pub(super) sentinels: Vec<redis::ConnectionInfo>,
    pub(super) master_name: String,
    /// Scheme, user, password and db for the master (its host and port come from Sentinel).
    pub(super) master: Option<redis::ConnectionInfo>,
    pub(super) certificates: Option<TlsCertificates>,
    /// Numbers the store's master connections, in the order they were looked up.
    pub(super) generations: Arc<std::sync::atomic::AtomicU64>,
    /// Connections numbered below this may be to a former master: one of the store's
    /// connections met a sign of a failover, so all of them ask the Sentinels again
    /// (most requests use one connection and takes others; each would else meet the
    /// failover again, as an error of its own).
    pub(super) suspect_below: Arc<std::sync::atomic::AtomicU64>,
}

impl SentinelSetup {
    pub(super) fn new(
        sentinels: &[String],
        master_name: &str,
        url: Option<&str>,
        certificates: Option<TlsCertificates>,
    ) -> redis::RedisResult<Self> {
        let sentinels = sentinels
            .iter()
            .map(|sentinel| {
                if sentinel.contains("://") {
                    sentinel.as_str().into_connection_info()
                } else {
                    format!("redis://{sentinel}").into_connection_info()
                }
            })
            .collect::<redis::RedisResult<Vec<_>>>()?;
        // One set of credentials and one scheme for all Sentinels (the client applies them
        // to each): a password meant for a TLS Sentinel must not go to another in clear.
        let tls =
            |info: &redis::ConnectionInfo| matches!(info.addr(), ConnectionAddr::TcpTls { .. });
        if let Some(first) = sentinels.first()
            && sentinels.iter().any(|info| {
                info.redis_settings().username() != first.redis_settings().username()
                    || info.redis_settings().password() != first.redis_settings().password()
                    || tls(info) != tls(first)
            })
        {
            return Err(redis::RedisError::from(std::io::Error::other(
                "the Sentinels must share one scheme and one user and password",
            )));
        }
        let master = url
            .map(IntoConnectionInfo::into_connection_info)
            .transpose()?;
        if master.is_none() {
            log::warn!(
                "BURNBOX_REDIS_URL is not set: the master Sentinel names is reached without a \
                 password and without TLS"
            );
        }
        let setup = Self {
            sentinels,
            master_name: master_name.to_owned(),
            master,
            certificates,
            generations: Arc::default(),
            suspect_below: Arc::default(),
        };
        setup.client()?;
        Ok(setup)
    }

    /// A client of its own (each worker's connection asks the Sentinels by itself).
    pub(super) fn client(&self) -> redis::RedisResult<SentinelClient> {
        let addresses = self.sentinels.iter().map(|info| info.addr().clone());
        let mut builder =
            SentinelClientBuilder::new(addresses, &self.master_name, SentinelServerType::Master)?;
        // Sentinels usually share their credentials: the first given is used for all.
        if let Some(info) = self
            .sentinels
            .iter()
            .find(|info| info.redis_settings().password().is_some())
        {
            if let Some(username) = info.redis_settings().username() {
                builder = builder.set_client_to_sentinel_username(username);
            }
            if let Some(password) = info.redis_settings().password() {
                builder = builder.set_client_to_sentinel_password(password);
            }
        }
        let tls_sentinels = self
            .sentinels
            .iter()
            .any(|info| matches!(info.addr(), ConnectionAddr::TcpTls { .. }));
        if let (true, Some(certificates)) = (tls_sentinels, &self.certificates) {
            builder = builder.set_client_to_sentinel_certificates(certificates.clone());
        }
        if let Some(master) = &self.master {
            builder = builder.set_client_to_redis_db(master.redis_settings().db());
            if let Some(username) = master.redis_settings().username() {
                builder = builder.set_client_to_redis_username(username);
            }
            if let Some(password) = master.redis_settings().password() {
                builder = builder.set_client_to_redis_password(password);
            }
            if matches!(master.addr(), ConnectionAddr::TcpTls { .. }) {
                builder = builder.set_client_to_redis_tls_mode(TlsMode::Secure);
                if let Some(certificates) = &self.certificates {
                    builder = builder.set_client_to_redis_certificates(certificates.clone());
                }
            }
        }
        builder.build()
    }
}

/// A connection to whichever server the Sentinels name as master now. A connection error,
/// a timeout or a `READONLY` answer (the old master, demoted to a replica, refuses
/// writes) drops it, and the next command asks the Sentinels again: a failover is followed
/// without a restart. A take sent to a demoted master fails there, so it is never
/// answered from a node that is no longer authoritative.
#[derive(Clone)]
pub(super) struct SentinelConnection {
    pub(super) sentinel: Arc<tokio::sync::Mutex<SentinelClient>>,
    /// The master's connection, numbered so that a late error on an older one cannot
    /// drop a newer one.
    pub(super) current: Arc<std::sync::Mutex<Option<(u64, redis::aio::MultiplexedConnection)>>>,
    /// Shared by the store's connections: see [`SentinelSetup`].
    pub(super) generations: Arc<std::sync::atomic::AtomicU64>,
    pub(super) suspect_below: Arc<std::sync::atomic::AtomicU64>,
    pub(super) config: AsyncConnectionConfig,
    /// With [`AckReplicas::Auto`], the store's acknowledgment count: re-read from each new
    /// master before it serves a take (after a failover it may have no replica yet).
    pub(super) auto_acks: Option<Arc<std::sync::atomic::AtomicU32>>,
}

impl SentinelConnection {
    pub(super) fn cached(&self) -> Option<(u64, redis::aio::MultiplexedConnection)> {
        let suspect_below = self
            .suspect_below
            .load(std::sync::atomic::Ordering::Relaxed);
        let mut current = self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if current
            .as_ref()
            .is_some_and(|(generation, _)| *generation < suspect_below)
        {
            *current = None;
        }
        current.clone()
    }

    /// The current master's connection and its number. When there is none, a lookup (the
    /// Sentinels, then the master they name) runs on a task of its own, so a request that
    /// stops waiting does not cancel it: a dead or frozen Sentinel early in the list costs
    /// the lookup its timeouts once, instead of every request's whole budget forever. One
    /// lookup runs at a time; requests meanwhile wait for its result.
    pub(super) async fn connection(
        &self,
    ) -> redis::RedisResult<(u64, redis::aio::MultiplexedConnection)> {
        if let Some(found) = self.cached() {
            return Ok(found);
        }
        match self.sentinel.clone().try_lock_owned() {
            Ok(sentinel) => {
                let this = self.clone();
                tokio::spawn(async move { this.look_up(sentinel).await })
                    .await
                    .map_err(|_| std::io::Error::other("the master lookup stopped"))?
            }
            Err(_) => {
                drop(self.sentinel.lock().await);
                self.cached().ok_or_else(|| {
                    std::io::Error::other("the Sentinels named no reachable master").into()
                })
            }
        }
    }

    pub(super) async fn look_up(
        &self,
        mut sentinel: tokio::sync::OwnedMutexGuard<SentinelClient>,
    ) -> redis::RedisResult<(u64, redis::aio::MultiplexedConnection)> {
        if let Some(found) = self.cached() {
            return Ok(found);
        }
        let client = sentinel.async_get_client().await?;
        log::info!(
            "Sentinel names {} as master",
            client.get_connection_info().addr()
        );
        let mut connection = client
            .get_multiplexed_async_connection_with_config(&self.config)
            .await?;
        if let Some(acks) = &self.auto_acks {
            let info: redis::RedisResult<Value> = redis::cmd("INFO")
                .arg("replication")
                .query_async(&mut connection)
                .await;
            match info {
                Ok(info) => update_auto_acks(acks, &info),
                Err(error) if error.code() == Some("NOPERM") => {}
                Err(error) => return Err(error),
            }
        }
        let generation = self
            .generations
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        *self
            .current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some((generation, connection.clone()));
        Ok((generation, connection))
    }

    /// Forgets the connection `generation` after an error, or an answer, that says the
    /// master may have changed (a newer connection is left alone).
    pub(super) fn after<T>(
        &self,
        generation: u64,
        result: redis::RedisResult<T>,
        answers: impl Fn(&T) -> Vec<&Value>,
    ) -> redis::RedisResult<T> {
        let changed = match &result {
            Err(error) => {
                error.is_io_error()
                    || error.is_timeout()
                    || error.is_connection_dropped()
                    || error.is_connection_refusal()
                    || error.is_unrecoverable_error()
                    || error.code().is_some_and(not_the_master)
            }
            // The connection hands server errors back as values.
            Ok(values) => answers(values).into_iter().any(
                |value| matches!(value, Value::ServerError(error) if not_the_master(error.code())),
            ),
        };
        if changed {
            // This connection and those looked up before it: a newer one is left alone.
            self.suspect_below
                .fetch_max(generation + 1, std::sync::atomic::Ordering::Relaxed);
            let mut current = self
                .current
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if current
                .as_ref()
                .is_some_and(|(cached, _)| *cached == generation)
            {
                *current = None;
            }
        }
        result
    }
}

impl ConnectionLike for SentinelConnection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        Box::pin(async move {
            let (generation, mut connection) = self.connection().await?;
            let result = connection.req_packed_command(cmd).await;
            self.after(generation, result, |value| vec![value])
        })
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        Box::pin(async move {
            let (generation, mut connection) = self.connection().await?;
            let result = connection
                .req_packed_commands(pipeline, offset, count)
                .await;
            self.after(generation, result, |values| values.iter().collect())
        })
    }

    fn get_db(&self) -> i64 {
        self.cached()
            .map_or(0, |(_, connection)| connection.get_db())
    }
}

/// Error codes that say a server is no longer the master (demoted, or cut off from its
/// master): worth asking the Sentinels again. (A master without its replica online is not
/// one of them: asking on every refused take would storm the Sentinels while a replica
/// resynchronises.)
pub(super) fn not_the_master(code: &str) -> bool {
    matches!(code, "READONLY" | "MASTERDOWN" | "BBNOTMASTER")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentinels_share_one_scheme_and_one_set_of_credentials() {
        let setup = |sentinels: &[&str]| {
            let sentinels: Vec<String> = sentinels.iter().map(|s| (*s).to_owned()).collect();
            SentinelSetup::new(&sentinels, "burnbox", Some("redis://:pw@master/1"), None)
        };
        assert!(setup(&["10.0.0.1:26379", "redis://10.0.0.2:26379"]).is_ok());
        assert!(setup(&["redis://:s@10.0.0.1:26379", "redis://:s@10.0.0.2:26379"]).is_ok());
        for mixed in [
            &["redis://:s@10.0.0.1:26379", "10.0.0.2:26379"][..],
            &["redis://:s@10.0.0.1:26379", "redis://:t@10.0.0.2:26379"][..],
            &["rediss://:s@10.0.0.1:26379", "redis://:s@10.0.0.2:26379"][..],
        ] {
            let error = setup(mixed).err().expect("refused");
            assert!(!error.to_string().contains(":s@"), "{error}");
        }
    }
}
