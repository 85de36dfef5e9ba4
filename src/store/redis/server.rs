//! What the Redis server is: its version, commands and durability settings checked at
//! start ([`ServerFacts`]), and the expiry notifications counted for `/metrics`.

use std::time::Duration;

use futures_util::StreamExt;
use redis::Value;

use super::connection::Client;
use super::reply::{info_field, per_node, texts_of};
use super::{RedisStore, counted};
use crate::metrics::METRICS;
use crate::store::StoreError;

/// The oldest Redis burnbox runs on: `GETDEL` arrived in 6.2.
pub const MIN_REDIS_VERSION: (u32, u32) = (6, 2);

/// What burnbox checks about the Redis it talks to (every master, in a cluster).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerFacts {
    /// `redis_version` of each master; `None` when the ACL user may not run `INFO`.
    pub versions: Option<Vec<String>>,
    /// Whether the server knows `GETDEL` (it may be renamed away).
    pub has_getdel: bool,
    /// Whether the server knows `WAITAOF` (Redis and Valkey 7.2 and newer).
    pub has_waitaof: bool,
    /// The masters (by address) without an append-only file; `None` when the ACL user may
    /// not run `INFO`.
    pub masters_without_aof: Option<Vec<String>>,
    /// `maxmemory-policy` of each master; `None` when the ACL user may not read it.
    pub eviction_policies: Option<Vec<String>>,
    /// The masters (by port) that keep neither an append-only file nor a replica: a
    /// restart there brings back what was consumed and loses what was new. `None` when
    /// the ACL user may not run `INFO`.
    pub undurable_masters: Option<Vec<String>>,
}

impl ServerFacts {
    /// Why burnbox cannot run on this Redis, if it cannot; `fsync` when takes are to wait
    /// for the append-only file (`BURNBOX_ACK_FSYNC`).
    pub fn unsupported(&self, fsync: bool) -> Option<String> {
        if let Some(old) = self
            .versions
            .iter()
            .flatten()
            .find(|version| parse_version(version).is_none_or(|v| v < MIN_REDIS_VERSION))
        {
            let (major, minor) = MIN_REDIS_VERSION;
            return Some(format!(
                "Redis {old} is too old: burnbox needs Redis {major}.{minor} or newer (or Valkey) for GETDEL"
            ));
        }
        if !self.has_getdel {
            return Some(
                "this Redis does not offer GETDEL (renamed or disabled): burnbox needs it"
                    .to_owned(),
            );
        }
        if !fsync {
            return None;
        }
        if !self.has_waitaof {
            let versions = self.versions.as_deref().unwrap_or_default().join(", ");
            return Some(format!(
                "BURNBOX_ACK_FSYNC (or its old name BURNBOX_CONSUME_ACK_FSYNC) needs WAITAOF, \
                 which Redis (and Valkey) have from 7.2 on; this server ({versions}) has \
                 none: upgrade Redis, or unset it and use `appendfsync always`"
            ));
        }
        self.masters_without_aof
            .iter()
            .flatten()
            .next()
            .map(|master| {
                format!(
                    "BURNBOX_ACK_FSYNC (or its old name BURNBOX_CONSUME_ACK_FSYNC) needs \
                     `appendonly yes`: Redis ({master}) keeps no append-only file"
                )
            })
    }
}

/// `major.minor` of a version string such as `7.0.15`.
pub(super) fn parse_version(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// The masters, by address (empty for a single server), whose `INFO persistence` and `INFO replication` show
/// neither an append-only file nor a connected replica.
pub(super) fn undurable(persistence: &Value, replication: &Value) -> Vec<String> {
    let replicas = per_node(replication);
    per_node(persistence)
        .into_iter()
        .filter(|(node, text)| {
            let aof = info_field(text, "aof_enabled") == Some("1");
            let replicated = replicas
                .iter()
                .filter(|(other, _)| other == node)
                .filter_map(|(_, text)| info_field(text, "connected_slaves"))
                .any(|count| count != "0");
            !aof && !replicated
        })
        .map(|(node, _)| node)
        .collect()
}

/// Subscribes to expiry events and counts those of this prefix's secrets until the
/// connection ends.
pub(super) async fn count_expiries(client: &redis::Client, prefix: &str) -> redis::RedisResult<()> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.psubscribe("__keyevent@*__:expired").await?;
    let mut messages = pubsub.into_on_message();
    while let Some(message) = messages.next().await {
        if is_secret_name(prefix, message.get_payload_bytes()) {
            METRICS.secrets_expired.inc();
        }
    }
    Ok(())
}

/// Whether a key name is a sealed secret's under `prefix` (`prefix{tag}s:lookup`).
pub(super) fn is_secret_name(prefix: &str, name: &[u8]) -> bool {
    name.strip_prefix(prefix.as_bytes())
        .and_then(|rest| rest.get(6..))
        .is_some_and(|rest| rest.starts_with(b"s:"))
}

impl RedisStore {
    /// Counts secrets that Redis expires unread (`burnbox_secrets_expired_total`) from
    /// its keyspace notifications, on a task of the calling runtime that reconnects by
    /// itself. Redis sends them only with `notify-keyspace-events` including `Ex`; on a
    /// cluster each node would need its own subscriber, so there the count stays 0.
    pub fn watch_expiries(&self) {
        let Client::Single(client) = &self.client else {
            log::info!(
                "burnbox_secrets_expired_total is counted on a single Redis server only, not \
                 on a cluster or behind Sentinel"
            );
            return;
        };
        let (client, prefix) = (client.clone(), self.options.key_prefix.clone());
        tokio::spawn(async move {
            loop {
                if let Err(error) = count_expiries(&client, &prefix).await {
                    log::debug!("expiry notifications interrupted: {error}");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }

    /// Checks, once per process, that the server can run burnbox; until it is found fit,
    /// readiness fails. Redis may first be reached long after start (any start order).
    pub async fn check_fit(&self) -> Result<(), StoreError> {
        use std::sync::atomic::Ordering;
        if self.fit.load(Ordering::Relaxed) {
            return Ok(());
        }
        let facts = self.server_facts().await?;
        if let Some(reason) = facts.unsupported(self.options.ack_fsync) {
            log::error!("{reason}");
            return Err(counted(StoreError::Unsupported(reason)));
        }
        match &facts.versions {
            Some(versions) => log::info!("Redis {}", versions.join(", ")),
            None => log::warn!(
                "the Redis user may not run INFO: cannot check the Redis version (burnbox needs \
                 6.2 or newer); GETDEL is available"
            ),
        }
        for master in facts.undurable_masters.iter().flatten() {
            log::warn!(
                "Redis ({master}) keeps neither an append-only file nor a replica: a restart \
                 brings back secrets already revealed and loses new ones. Set `appendonly yes` \
                 (with `appendfsync always` for exactly once through restarts) or add a replica."
            );
        }
        let Some(policies) = &facts.eviction_policies else {
            log::warn!(
                "the Redis user may not run CONFIG GET: cannot check maxmemory-policy; make \
                 sure it is noeviction"
            );
            self.fit.store(true, Ordering::Relaxed);
            return Ok(());
        };
        for policy in policies.iter().filter(|policy| *policy != "noeviction") {
            log::warn!(
                "Redis maxmemory-policy is {policy}: under memory pressure Redis may silently \
                 drop secrets. Set `maxmemory-policy noeviction`."
            );
        }
        self.fit.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Reads what burnbox must know of the server: versions, `GETDEL`, eviction policy.
    pub async fn server_facts(&self) -> Result<ServerFacts, StoreError> {
        let info = self
            .on_every_master_if_permitted(redis::cmd("INFO").arg("server").clone())
            .await?;
        let versions = info.map(|info| {
            texts_of(&info)
                .iter()
                .flat_map(|text| text.lines())
                .filter_map(|line| line.strip_prefix("redis_version:"))
                .map(|version| version.trim().to_owned())
                .collect()
        });
        let command: Value = self
            .query(
                redis::cmd("COMMAND")
                    .arg("INFO")
                    .arg("GETDEL")
                    .arg("WAITAOF"),
            )
            .await?;
        let config = self
            .on_every_master_if_permitted(
                redis::cmd("CONFIG")
                    .arg("GET")
                    .arg("maxmemory-policy")
                    .clone(),
            )
            .await?;
        let eviction_policies = config.map(|config| {
            texts_of(&config)
                .windows(2)
                .filter(|pair| pair[0] == "maxmemory-policy")
                .map(|pair| pair[1].clone())
                .collect()
        });
        let persistence = self
            .on_every_master_if_permitted(redis::cmd("INFO").arg("persistence").clone())
            .await?;
        let replication = self
            .on_every_master_if_permitted(redis::cmd("INFO").arg("replication").clone())
            .await?;
        let address = match &self.client {
            Client::Single(client) => client.get_connection_info().addr().to_string(),
            Client::Sentinel(setup) => format!("Sentinel master {}", setup.master_name),
            Client::Cluster(_) => String::new(),
        };
        let named = |node: String| {
            if node.is_empty() {
                address.clone()
            } else {
                node
            }
        };
        let masters_without_aof = persistence.as_ref().map(|persistence| {
            per_node(persistence)
                .into_iter()
                .filter(|(_, text)| info_field(text, "aof_enabled") != Some("1"))
                .map(|(node, _)| named(node))
                .collect()
        });
        let undurable_masters = match (persistence, replication) {
            (Some(persistence), Some(replication)) => Some(
                undurable(&persistence, &replication)
                    .into_iter()
                    .map(named)
                    .collect(),
            ),
            _ => None,
        };
        Ok(ServerFacts {
            versions,
            has_getdel: texts_of(&command)
                .iter()
                .any(|name| name.eq_ignore_ascii_case("getdel")),
            has_waitaof: texts_of(&command)
                .iter()
                .any(|name| name.eq_ignore_ascii_case("waitaof")),
            masters_without_aof,
            eviction_policies,
            undurable_masters,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(versions: &[&str], has_getdel: bool) -> ServerFacts {
        ServerFacts {
            versions: Some(versions.iter().map(|v| (*v).to_owned()).collect()),
            has_getdel,
            has_waitaof: false,
            masters_without_aof: None,
            eviction_policies: None,
            undurable_masters: None,
        }
    }

    #[test]
    fn redis_below_six_two_is_refused() {
        assert!(
            facts(&["6.2.0", "7.0.15"], true)
                .unsupported(false)
                .is_none()
        );
        assert!(facts(&["8.0.1"], true).unsupported(false).is_none());
        let old = facts(&["7.0.15", "6.0.16"], true)
            .unsupported(false)
            .expect("refused");
        assert!(old.contains("6.0.16") && old.contains("6.2"), "{old}");
        assert!(facts(&["unknown"], true).unsupported(false).is_some());
        assert!(
            facts(&["7.2.4"], false)
                .unsupported(false)
                .expect("refused")
                .contains("GETDEL")
        );
        let unknown_versions = ServerFacts {
            versions: None,
            has_getdel: true,
            has_waitaof: false,
            masters_without_aof: None,
            eviction_policies: None,
            undurable_masters: None,
        };
        assert!(unknown_versions.unsupported(false).is_none());
    }

    #[test]
    fn waiting_for_the_append_only_file_needs_waitaof_and_an_append_only_file() {
        let seven_oh = facts(&["7.0.15"], true);
        assert!(seven_oh.unsupported(false).is_none());
        let refused = seven_oh.unsupported(true).expect("refused");
        assert!(
            refused.contains("WAITAOF") && refused.contains("7.0.15") && refused.contains("7.2"),
            "{refused}"
        );
        let newer = ServerFacts {
            has_waitaof: true,
            masters_without_aof: Some(vec!["10.0.0.1:6379".into()]),
            ..facts(&["7.2.4"], true)
        };
        let refused = newer.unsupported(true).expect("refused");
        assert!(
            refused.contains("appendonly yes") && refused.contains("10.0.0.1:6379"),
            "{refused}"
        );
        let ready = ServerFacts {
            masters_without_aof: Some(Vec::new()),
            ..newer
        };
        assert!(ready.unsupported(true).is_none());
    }

    #[test]
    fn masters_without_aof_or_replica_are_named() {
        let single = |text: &str| Value::VerbatimString {
            format: redis::VerbatimFormat::Text,
            text: text.to_owned(),
        };
        assert_eq!(
            undurable(
                &single("# Persistence\r\naof_enabled:0\r\n"),
                &single("# Replication\r\nconnected_slaves:0\r\n")
            ),
            vec![String::new()]
        );
        assert!(undurable(&single("aof_enabled:1"), &single("connected_slaves:0")).is_empty());
        assert!(undurable(&single("aof_enabled:0"), &single("connected_slaves:1")).is_empty());
        let node = |address: &str, text: &str| {
            (
                Value::SimpleString(address.into()),
                Value::BulkString(text.as_bytes().to_vec()),
            )
        };
        let persistence = Value::Map(vec![
            node("10.0.0.1:7000", "aof_enabled:0"),
            node("10.0.0.2:7001", "aof_enabled:0"),
        ]);
        let replication = Value::Map(vec![
            node("10.0.0.1:7000", "connected_slaves:1"),
            node("10.0.0.2:7001", "connected_slaves:0"),
        ]);
        assert_eq!(
            undurable(&persistence, &replication),
            vec!["10.0.0.2:7001".to_owned()]
        );
    }

    #[test]
    fn cluster_replies_are_read_node_by_node() {
        let reply = Value::Map(vec![
            (
                Value::SimpleString("127.0.0.1:7000".into()),
                Value::Array(vec![
                    Value::BulkString(b"maxmemory-policy".to_vec()),
                    Value::BulkString(b"noeviction".to_vec()),
                ]),
            ),
            (
                Value::SimpleString("127.0.0.1:7001".into()),
                Value::Map(vec![(
                    Value::BulkString(b"maxmemory-policy".to_vec()),
                    Value::VerbatimString {
                        format: redis::VerbatimFormat::Text,
                        text: "allkeys-lru".into(),
                    },
                )]),
            ),
        ]);
        let texts = texts_of(&reply);
        let policies: Vec<_> = texts
            .windows(2)
            .filter(|pair| pair[0] == "maxmemory-policy")
            .map(|pair| pair[1].as_str())
            .collect();
        assert_eq!(policies, ["noeviction", "allkeys-lru"]);
    }

    #[test]
    fn only_this_prefix_s_secrets_count_as_expired() {
        assert!(is_secret_name("burnbox:", b"burnbox:{0a1b}s:AAAA"));
        assert!(!is_secret_name("burnbox:", b"burnbox:{0a1b}r:AAAA"));
        assert!(!is_secret_name("burnbox:", b"other:{0a1b}s:AAAA"));
        assert!(!is_secret_name("burnbox:", b"burnbox:{0a"));
    }
}
