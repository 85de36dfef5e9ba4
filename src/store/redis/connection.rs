//! Topology and connections: one server, a cluster or a Sentinel-named master; the
//! multiplexed connection per worker, those for takes, and commands run on every master.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::{ClusterClient, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::cluster_routing::{RoutingInfo, SingleNodeRoutingInfo};
use redis::{AsyncConnectionConfig, Cmd, Pipeline, RedisFuture, Value};

use super::sentinel::{SentinelConnection, SentinelSetup};
use super::{RedisOptions, RedisStore, counted, unavailable};
use crate::config::AckReplicas;
use crate::store::StoreError;

/// Connections per worker for takes that wait for replicas (measured: docs/performance.md,
/// "Waiting for replicas costs a round trip").
pub(super) const TAKE_CONNECTIONS: usize = 4;

/// The client for the configured topology.
// One per process and cloned only when a worker starts: its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
pub(super) enum Client {
    Single(redis::Client),
    Cluster(ClusterClient),
    Sentinel(SentinelSetup),
}

/// One worker's connection: a reconnecting manager for one server, a cluster connection
/// that follows the slot map (MOVED/ASK, failover) by itself, or the master Sentinel names.
#[derive(Clone)]
pub(super) enum Connection {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
    Sentinel(SentinelConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Single(connection) => connection.req_packed_command(cmd),
            Self::Cluster(connection) => connection.req_packed_command(cmd),
            Self::Sentinel(connection) => connection.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Single(connection) => connection.req_packed_commands(pipeline, offset, count),
            Self::Cluster(connection) => connection.req_packed_commands(pipeline, offset, count),
            Self::Sentinel(connection) => connection.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(connection) => connection.get_db(),
            Self::Cluster(connection) => connection.get_db(),
            Self::Sentinel(connection) => connection.get_db(),
        }
    }
}

/// The masters (host, port) of a `CLUSTER SLOTS` answer, each once.
pub(super) fn slot_masters(slots: &Value) -> Vec<(String, u16)> {
    let mut masters: Vec<(String, u16)> = Vec::new();
    let Value::Array(ranges) = slots else {
        return masters;
    };
    for range in ranges {
        let Value::Array(fields) = range else {
            continue;
        };
        let Some(Value::Array(master)) = fields.get(2) else {
            continue;
        };
        let host = match master.first() {
            Some(Value::BulkString(host)) => String::from_utf8_lossy(host).into_owned(),
            Some(Value::SimpleString(host)) => host.clone(),
            _ => continue,
        };
        let Some(Value::Int(port)) = master.get(1) else {
            continue;
        };
        let Ok(port) = u16::try_from(*port) else {
            continue;
        };
        if !masters
            .iter()
            .any(|known| known.0 == host && known.1 == port)
        {
            masters.push((host, port));
        }
    }
    masters
}

impl RedisStore {
    /// A connection for the calling runtime; it connects on first use, so the service
    /// starts while Redis is still down.
    pub(super) fn open(
        client: &Client,
        options: &RedisOptions,
        acks: &Arc<std::sync::atomic::AtomicU32>,
    ) -> Result<Connection, StoreError> {
        match client {
            Client::Single(client) => {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(options.timeout))
                    .set_response_timeout(Some(options.timeout))
                    .set_number_of_retries(1)
                    .set_min_delay(Duration::from_millis(50))
                    .set_max_delay(options.timeout);
                ConnectionManager::new_lazy_with_config(client.clone(), config)
                    .map(Connection::Single)
                    .map_err(unavailable)
            }
            Client::Cluster(client) => {
                let config = ClusterConfig::new()
                    .set_connection_timeout(options.timeout)
                    .set_response_timeout(options.timeout);
                Ok(Connection::Cluster(
                    client.get_pending_async_connection_with_config(config),
                ))
            }
            Client::Sentinel(setup) => Ok(Connection::Sentinel(SentinelConnection {
                sentinel: Arc::new(tokio::sync::Mutex::new(
                    setup.client().map_err(unavailable)?,
                )),
                current: Arc::default(),
                generations: setup.generations.clone(),
                suspect_below: setup.suspect_below.clone(),
                // Shorter than the operation's own bound, so a master that stopped
                // answering (frozen, partitioned) is noticed and forgotten, not just
                // waited out: the next command asks the Sentinels again.
                config: AsyncConnectionConfig::new()
                    .set_connection_timeout(Some(options.timeout * 3 / 4))
                    .set_response_timeout(Some(options.timeout * 3 / 4)),
                auto_acks: (options.ack_replicas == AckReplicas::Auto).then(|| acks.clone()),
            })),
        }
    }

    /// The connections for acknowledged takes (see `take_connections`); opened lazily, so
    /// they cost nothing where takes do not wait.
    pub(super) fn open_for_takes(
        client: &Client,
        options: &RedisOptions,
        acks: &Arc<std::sync::atomic::AtomicU32>,
    ) -> Result<Arc<[Connection]>, StoreError> {
        (0..TAKE_CONNECTIONS)
            .map(|_| Self::open(client, options, acks))
            .collect()
    }

    /// Runs a node-wide command on every master (the only node, outside a cluster).
    pub(super) async fn on_every_master(&self, command: Cmd) -> Result<Value, StoreError> {
        self.run(self.on_every_master_raw(command)).await
    }

    pub(super) async fn on_every_master_raw(&self, command: Cmd) -> redis::RedisResult<Value> {
        match &self.connection {
            Connection::Single(connection) => command.query_async(&mut connection.clone()).await,
            Connection::Sentinel(connection) => command.query_async(&mut connection.clone()).await,
            Connection::Cluster(connection) => {
                // Each master the slot map names, asked directly. (The client's fan-out to
                // all masters silently skips one it has lost its connection to, so a dead
                // master would go unnoticed until its replica took over.)
                let mut connection = connection.clone();
                let slots = connection
                    .route_command(
                        redis::cmd("CLUSTER").arg("SLOTS").clone(),
                        RoutingInfo::SingleNode(SingleNodeRoutingInfo::Random),
                    )
                    .await?;
                let mut answers = Vec::new();
                for (host, port) in slot_masters(&slots) {
                    let address = format!("{host}:{port}");
                    let routing =
                        RoutingInfo::SingleNode(SingleNodeRoutingInfo::ByAddress { host, port });
                    let answer = connection.route_command(command.clone(), routing).await?;
                    answers.push((Value::BulkString(address.into_bytes()), answer));
                }
                if answers.is_empty() {
                    return Err(redis::RedisError::from((
                        redis::ErrorKind::ClusterConnectionNotFound,
                        "the cluster maps no slots to any master",
                    )));
                }
                Ok(Value::Map(answers))
            }
        }
    }

    /// Like [`Self::on_every_master`], but a command the ACL user may not run (`NOPERM`)
    /// gives `None`: a least-privilege user need not be allowed `INFO` or `CONFIG`.
    pub(super) async fn on_every_master_if_permitted(
        &self,
        command: Cmd,
    ) -> Result<Option<Value>, StoreError> {
        match tokio::time::timeout(self.options.timeout, self.on_every_master_raw(command)).await {
            Ok(Ok(value)) => Ok(Some(value)),
            Ok(Err(error)) if error.code() == Some("NOPERM") => Ok(None),
            Ok(Err(error)) => Err(counted(unavailable(error))),
            Err(_) => Err(counted(StoreError::Timeout(self.options.timeout))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_masters_are_read_once_each_from_cluster_slots() {
        let node = |host: &str, port: i64| {
            Value::Array(vec![
                Value::BulkString(host.as_bytes().to_vec()),
                Value::Int(port),
                Value::BulkString(b"id".to_vec()),
            ])
        };
        let slots = Value::Array(vec![
            Value::Array(vec![
                Value::Int(0),
                Value::Int(5460),
                node("10.0.0.1", 7000),
                node("10.0.0.4", 7003),
            ]),
            Value::Array(vec![
                Value::Int(5461),
                Value::Int(10922),
                node("10.0.0.2", 7001),
            ]),
            Value::Array(vec![
                Value::Int(10923),
                Value::Int(16383),
                node("10.0.0.1", 7000),
            ]),
            Value::Array(vec![Value::Int(1)]),
            Value::Nil,
        ]);
        assert_eq!(
            slot_masters(&slots),
            vec![("10.0.0.1".to_owned(), 7000), ("10.0.0.2".to_owned(), 7001)]
        );
        assert!(slot_masters(&Value::Nil).is_empty());
    }
}
