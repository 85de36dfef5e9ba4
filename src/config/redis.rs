//! Where Redis is and how sure a create or take must be: the Redis settings as plain data.

use super::{ConfigError, Settings, config_error, list, non_empty};

/// Where Redis is.
#[derive(Clone, PartialEq, Eq)]
pub enum RedisTopology {
    /// One server (`BURNBOX_REDIS_URL`).
    Single(String),
    /// A Redis Cluster, found from its seed nodes (`BURNBOX_REDIS_CLUSTER_NODES`).
    Cluster(Vec<String>),
    /// The master that Redis Sentinels name (`BURNBOX_REDIS_SENTINELS`,
    /// `BURNBOX_REDIS_SENTINEL_MASTER`); `url` (`BURNBOX_REDIS_URL`) gives the scheme, user,
    /// password and db to use with it, its host being whatever the Sentinels say.
    Sentinel {
        /// `host:port` or `redis://…` URLs of the Sentinels.
        sentinels: Vec<String>,
        /// The name they monitor the master under.
        master: String,
        /// Credentials, TLS and db for the master, as a URL whose host is not used.
        url: Option<String>,
    },
}

// URLs may carry an ACL password: never print them.
impl std::fmt::Debug for RedisTopology {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Single(_) => f.write_str("Single(<url>)"),
            Self::Cluster(nodes) => write!(f, "Cluster(<{} node urls>)", nodes.len()),
            Self::Sentinel {
                sentinels, master, ..
            } => write!(f, "Sentinel(<{} sentinel urls>, {master})", sentinels.len()),
        }
    }
}

/// How many replicas must hold a create or a take (a reveal, burn, token or code
/// consumption) before the server answers: with none, a failover or restart can lose a
/// delete and hand the same thing out again, or lose a create that was answered 201.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckReplicas {
    /// Every replica the masters report (the fewest any master has), counted before the
    /// first take, at every `/ready` and on each new Sentinel master, and never lowered
    /// for the life of the process; 0 while none was seen.
    Auto,
    /// Exactly this many; with fewer replicas connected every create and take answers 503.
    Exactly(u32),
}

impl std::str::FromStr for AckReplicas {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        match text.trim() {
            "auto" => Ok(Self::Auto),
            number => number
                .parse()
                .map(Self::Exactly)
                .map_err(|_| format!("`{text}` is neither `auto` nor a number of replicas")),
        }
    }
}

/// What creates and takes wait for before they answer, resolved from the settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Acks {
    /// Replicas that must acknowledge (`BURNBOX_ACK_REPLICAS`).
    pub replicas: AckReplicas,
    /// Milliseconds to wait for them (`BURNBOX_ACK_TIMEOUT_MS`).
    pub timeout_ms: u64,
    /// Whether the master's append-only file must have it too (`BURNBOX_ACK_FSYNC`).
    pub fsync: bool,
}

/// A setting renamed: the new name's value, else the old name's, else the default. The
/// old names (`BURNBOX_CONSUME_ACK_*`, from when only takes waited) keep working.
fn renamed<T>(new: Option<T>, old: Option<T>, default: T) -> T {
    new.or(old).unwrap_or(default)
}

impl Settings {
    /// What creates and takes wait for; each setting by its `BURNBOX_ACK_*` name, else by
    /// its old `BURNBOX_CONSUME_ACK_*` one.
    pub fn acks(&self) -> Acks {
        Acks {
            replicas: renamed(
                self.ack_replicas,
                self.consume_ack_replicas,
                AckReplicas::Auto,
            ),
            timeout_ms: renamed(self.ack_timeout_ms, self.consume_ack_timeout_ms, 100),
            fsync: renamed(self.ack_fsync, self.consume_ack_fsync, false),
        }
    }

    /// The variable the acknowledgment timeout was read from, for error messages: the old
    /// name when only it was set.
    pub(super) fn ack_timeout_variable(&self) -> &'static str {
        match (self.ack_timeout_ms, self.consume_ack_timeout_ms) {
            (None, Some(_)) => "BURNBOX_CONSUME_ACK_TIMEOUT_MS",
            _ => "BURNBOX_ACK_TIMEOUT_MS",
        }
    }

    /// Where Redis is: one server, a cluster, or nowhere (the memory store).
    pub fn redis_topology(&self) -> Result<Option<RedisTopology>, ConfigError> {
        let nodes = non_empty(self.redis_cluster_nodes.as_deref());
        let sentinels = non_empty(self.redis_sentinels.as_deref());
        let master = non_empty(self.redis_sentinel_master.as_deref());
        match (sentinels, master) {
            (Some(_), _) if nodes.is_some() => {
                return Err(config_error(
                    "BURNBOX_REDIS_SENTINELS",
                    "set either it or BURNBOX_REDIS_CLUSTER_NODES, not both",
                ));
            }
            (Some(sentinels), Some(master)) => {
                let sentinels = list(sentinels);
                if sentinels.is_empty() {
                    return Err(config_error(
                        "BURNBOX_REDIS_SENTINELS",
                        "names no Sentinel (comma-separated host:port)",
                    ));
                }
                return Ok(Some(RedisTopology::Sentinel {
                    sentinels,
                    master: master.to_owned(),
                    url: self.redis_url().map(str::to_owned),
                }));
            }
            (Some(_), None) => {
                return Err(config_error(
                    "BURNBOX_REDIS_SENTINEL_MASTER",
                    "must be set with BURNBOX_REDIS_SENTINELS (the name Sentinel monitors)",
                ));
            }
            (None, Some(_)) => {
                return Err(config_error(
                    "BURNBOX_REDIS_SENTINELS",
                    "must be set with BURNBOX_REDIS_SENTINEL_MASTER",
                ));
            }
            (None, None) => {}
        }
        match (self.redis_url(), nodes) {
            (Some(_), Some(_)) => Err(config_error(
                "BURNBOX_REDIS_CLUSTER_NODES",
                "set either it or BURNBOX_REDIS_URL, not both",
            )),
            (Some(url), None) => Ok(Some(RedisTopology::Single(url.to_owned()))),
            (None, Some(nodes)) => {
                let nodes = list(nodes);
                if nodes.is_empty() {
                    return Err(config_error(
                        "BURNBOX_REDIS_CLUSTER_NODES",
                        "names no node (comma-separated redis:// URLs)",
                    ));
                }
                Ok(Some(RedisTopology::Cluster(nodes)))
            }
            (None, None) => Ok(None),
        }
    }
}
