//! Redis Cluster: one a test owns and kills nodes of, or the one the binary shares.

use std::process::{Child, Command};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use super::hex;
use super::redis::{redis_cli, redis_command, spawn_on_a_free_port};

/// A Redis Cluster of `redis-server --cluster-enabled yes` processes on loopback, formed
/// with `redis-cli --cluster create`. Killed on drop.
pub struct RedisCluster {
    servers: Vec<Child>,
    ports: Vec<u16>,
    dir: std::path::PathBuf,
}

impl RedisCluster {
    /// Starts `masters` masters, each with `replicas` replicas, and waits until every
    /// node reports `cluster_state:ok`.
    pub fn start(masters: usize, replicas: usize) -> Self {
        Self::start_with(masters, replicas, |_| {})
    }

    fn start_with(masters: usize, replicas: usize, prepare: impl Fn(&mut Command)) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "burnbox-cluster-{}-{}",
            std::process::id(),
            hex(&burnbox::crypto::random_array::<4>())
        ));
        std::fs::create_dir_all(&dir).expect("cluster dir");
        let (servers, ports): (Vec<Child>, Vec<u16>) = (0..masters * (1 + replicas))
            .map(|_| {
                spawn_on_a_free_port(|port| {
                    let mut command = node_command(port, &dir);
                    prepare(&mut command);
                    command
                })
            })
            .unzip();
        let mut create = Command::new("redis-cli");
        create.arg("--cluster").arg("create");
        create.args(ports.iter().map(|port| format!("127.0.0.1:{port}")));
        create.args(["--cluster-replicas", &replicas.to_string(), "--cluster-yes"]);
        let output = create.output().expect(
            "redis-cli must be on PATH for the cluster tests (apt-get install redis-tools)",
        );
        assert!(
            output.status.success(),
            "redis-cli --cluster create failed: {}",
            String::from_utf8_lossy(&output.stdout)
        );
        let cluster = Self {
            servers,
            ports,
            dir,
        };
        cluster.wait_until_ok();
        cluster
    }

    /// Waits for `cluster_state:ok` everywhere and for every replica to be in sync (a
    /// replica that never synced cannot take over).
    fn wait_until_ok(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        for port in &self.ports {
            loop {
                let info = redis_cli(*port, &["CLUSTER", "INFO"]);
                let replication = redis_cli(*port, &["INFO", "replication"]);
                let synced = replication.contains("role:master")
                    || replication.contains("master_link_status:up");
                if info.contains("cluster_state:ok") && synced {
                    break;
                }
                assert!(
                    Instant::now() < deadline,
                    "cluster not ok: {info}{replication}"
                );
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }

    /// The nodes as `BURNBOX_REDIS_CLUSTER_NODES` takes them.
    pub fn nodes(&self) -> Vec<String> {
        self.ports
            .iter()
            .map(|port| format!("redis://127.0.0.1:{port}"))
            .collect()
    }

    /// The ports of the nodes.
    pub fn ports(&self) -> &[u16] {
        &self.ports
    }

    /// The ports of the nodes whose `ROLE` is `role` (`master` or `slave`).
    pub fn with_role(&self, role: &str) -> Vec<u16> {
        self.ports
            .iter()
            .copied()
            .filter(|port| redis_cli(*port, &["ROLE"]).lines().next() == Some(role))
            .collect()
    }

    /// Freezes the node on `port` (SIGSTOP): commands sent to it wait, unanswered and
    /// unrun, until it is killed.
    pub fn freeze(&self, port: u16) {
        let index = self
            .ports
            .iter()
            .position(|p| *p == port)
            .expect("a node of this cluster");
        let pid = libc::pid_t::try_from(self.servers[index].id()).expect("a pid");
        // SAFETY: kill has no memory-safety preconditions; the pid is our own child's.
        assert_eq!(unsafe { libc::kill(pid, libc::SIGSTOP) }, 0, "SIGSTOP");
    }

    /// Starts the node on `port` again, from its own cluster configuration file: a master
    /// that was failed over rejoins as a replica of the one that replaced it.
    pub fn restart(&mut self, port: u16) {
        let index = self
            .ports
            .iter()
            .position(|p| *p == port)
            .expect("a node of this cluster");
        self.servers[index] = node_command(port, &self.dir)
            .spawn()
            .expect("redis-server restarts");
    }

    /// Kills the node on `port` (a crash, not a shutdown).
    pub fn kill(&mut self, port: u16) {
        let index = self
            .ports
            .iter()
            .position(|p| *p == port)
            .expect("a node of this cluster");
        let _ = self.servers[index].kill();
        let _ = self.servers[index].wait();
    }
}

/// A cluster node on `port`, its configuration and data files of its own in `dir`.
fn node_command(port: u16, dir: &std::path::Path) -> Command {
    let mut command = redis_command(port);
    command
        .args(["--cluster-enabled", "yes", "--cluster-node-timeout", "2000"])
        .args(["--repl-diskless-sync-delay", "0"])
        .args(["--cluster-config-file", &format!("nodes-{port}.conf")])
        .args(["--dbfilename", &format!("dump-{port}.rdb")])
        .arg("--dir")
        .arg(dir);
    command
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        for server in &mut self.servers {
            let _ = server.kill();
            let _ = server.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A 3-master cluster shared by this test binary (each test uses its own key prefix).
/// Its servers die with the binary (`PR_SET_PDEATHSIG` on the thread that keeps them).
pub static SHARED_CLUSTER: LazyLock<SharedCluster> = LazyLock::new(|| {
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let cluster = RedisCluster::start_with(3, 0, |command| {
            // SAFETY: prctl is async-signal-safe; it only sets this child's parent-death signal.
            unsafe {
                use std::os::unix::process::CommandExt;
                command.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                    Ok(())
                });
            }
        });
        sender
            .send((cluster.nodes(), cluster.ports().to_vec()))
            .expect("test thread waits");
        // Parking keeps this thread (and so the servers) alive until the binary exits.
        loop {
            std::thread::park();
        }
    });
    let (nodes, ports) = receiver.recv().expect("cluster started");
    SharedCluster(nodes, ports)
});

/// The shared cluster's node URLs.
pub struct SharedCluster(Vec<String>, Vec<u16>);

impl SharedCluster {
    /// The nodes as `BURNBOX_REDIS_CLUSTER_NODES` takes them.
    pub fn nodes(&self) -> Vec<String> {
        self.0.clone()
    }

    /// The nodes' ports.
    pub fn ports(&self) -> &[u16] {
        &self.1
    }
}
