//! Redis Sentinel watching a test's master.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::free_port;
use super::redis::redis_cli;

/// A Redis Sentinel (quorum 1, a master is down after 500 ms) watching the master on
/// `master` as `name`; killed on drop.
pub struct Sentinel {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl Sentinel {
    /// Starts it and waits until it knows the master and `replicas` of its replicas.
    pub fn start(name: &str, master: u16, password: &str, replicas: usize) -> Self {
        let port = free_port();
        // Sentinel rewrites its configuration file: one of its own, outside the tree.
        let dir = std::env::temp_dir().join(format!("burnbox-sentinel-{port}"));
        std::fs::create_dir_all(&dir).expect("sentinel dir");
        let config = dir.join("sentinel.conf");
        std::fs::write(
            &config,
            format!(
                "port {port}\nbind 127.0.0.1\ndir {}\nloglevel warning\n\
                 sentinel monitor {name} 127.0.0.1 {master} 1\n\
                 sentinel auth-pass {name} {password}\n\
                 sentinel down-after-milliseconds {name} 500\n\
                 sentinel failover-timeout {name} 2000\n",
                dir.display()
            ),
        )
        .expect("sentinel config");
        let child = Command::new("redis-server")
            .arg(&config)
            .arg("--sentinel")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server on PATH (it runs Sentinel too)");
        let sentinel = Self { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let known = redis_cli(port, &["SENTINEL", "REPLICAS", name]);
            let listed = known.lines().filter(|line| *line == "name").count();
            if listed >= replicas && sentinel.master_port(name) == Some(master) {
                return sentinel;
            }
            assert!(
                Instant::now() < deadline,
                "Sentinel never saw the set-up: {known}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `host:port`, as `BURNBOX_REDIS_SENTINELS` takes it.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The port of the master Sentinel names for `name` now.
    pub fn master_port(&self, name: &str) -> Option<u16> {
        let answer = redis_cli(self.port, &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", name]);
        answer.lines().nth(1)?.trim().parse().ok()
    }
}

impl Drop for Sentinel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
