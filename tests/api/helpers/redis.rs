//! Throwaway `redis-server`s: one owned by a test, or the one the whole binary shares.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use super::{free_port, hex};

/// A `redis-server` owned by the caller; killed on drop.
pub struct RedisServer {
    child: Child,
    port: u16,
}

impl RedisServer {
    /// Starts a throwaway server on a free port and waits until it answers.
    pub fn start() -> Self {
        let (child, port) = spawn_on_a_free_port(redis_command);
        Self { child, port }
    }

    /// Starts a throwaway server on `port` and waits until it answers.
    pub fn start_on(port: u16) -> Self {
        Self::start_with(port, &[])
    }

    /// Starts a throwaway server on `port` with extra `redis-server` arguments (they
    /// override the defaults) and waits until it answers plain-text `PING`.
    pub fn start_with(port: u16, args: &[&str]) -> Self {
        let child = Self::spawn(port, args);
        wait_for_redis(port);
        Self { child, port }
    }

    /// Starts a server without waiting (for TLS-only servers, which do not answer
    /// plain text; `port` is still theirs to stop).
    pub fn spawn_unchecked(port: u16, args: &[&str]) -> Self {
        Self {
            child: Self::spawn(port, args),
            port,
        }
    }

    fn spawn(port: u16, args: &[&str]) -> Child {
        redis_command(port)
            .args(args)
            .spawn()
            .expect("redis-server must be on PATH for the tests (apt-get install redis-server)")
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// A replica of the server on `master`, once its link to the master is up.
    pub fn replica_of(master: u16) -> Self {
        let master = master.to_string();
        // (redis_command already keeps the snapshot a replica writes out of the tree.)
        let (child, port) = spawn_on_a_free_port(|port| {
            let mut command = redis_command(port);
            command.args(["--replicaof", "127.0.0.1", &master]);
            command
        });
        let replica = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !redis_cli(port, &["INFO", "replication"]).contains("master_link_status:up") {
            assert!(Instant::now() < deadline, "the replica never linked up");
            std::thread::sleep(Duration::from_millis(20));
        }
        replica
    }

    /// The server's port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Freezes the process (SIGSTOP): it neither answers nor replicates.
    pub fn freeze(&self) {
        assert!(self.signal(libc::SIGSTOP), "SIGSTOP");
    }

    /// Lets a frozen process go on (SIGCONT).
    pub fn thaw(&self) {
        assert!(self.signal(libc::SIGCONT), "SIGCONT");
    }

    fn signal(&self, signal: libc::c_int) -> bool {
        let Ok(pid) = libc::pid_t::try_from(self.child.id()) else {
            return false;
        };
        // SAFETY: kill has no memory-safety preconditions; the pid is our own child's.
        unsafe { libc::kill(pid, signal) == 0 }
    }

    /// Kills the server and waits for it to be gone.
    pub fn stop(mut self) -> u16 {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.port
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        // A frozen server would not die of SIGKILL's cleanup as promptly: let it go first.
        self.signal(libc::SIGCONT);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `redis-server` on `port` with the tests' defaults (no persistence in the tree,
/// `noeviction`), not yet spawned.
pub(super) fn redis_command(port: u16) -> Command {
    let mut command = Command::new("redis-server");
    // A server that becomes a replica writes the master's snapshot even with `--save ""`:
    // into the temporary directory, never the working tree (a test's arguments may still
    // choose another `--dir`; the last one given wins).
    let dir = std::env::temp_dir().display().to_string();
    // Named afresh each time: a later server on the same port must not load it.
    let snapshot = format!(
        "burnbox-test-{port}-{}.rdb",
        hex(&burnbox::crypto::random_array::<4>())
    );
    command
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--dir", &dir, "--dbfilename", &snapshot])
        .args(["--save", "", "--appendonly", "no", "--loglevel", "warning"])
        .args(["--maxmemory-policy", "noeviction"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Spawns the server `command` builds for a free port and waits until it answers. A port
/// found free can be taken before the server binds it (an app binding port 0 gets it from
/// the same pool): then the server exits, and another port is tried.
pub(super) fn spawn_on_a_free_port(command: impl Fn(u16) -> Command) -> (Child, u16) {
    for _ in 0..5 {
        let port = free_port();
        let mut child = command(port)
            .spawn()
            .expect("redis-server must be on PATH for the tests (apt-get install redis-server)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            if answers_ping(port) {
                return (child, port);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("no redis-server came up on five free ports");
}

/// Whether a Redis on `port` answers a plain-text `PING`.
fn answers_ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut reply = [0u8; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG\r\n"
}

fn wait_for_redis(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            let mut reply = [0u8; 7];
            if stream.write_all(b"PING\r\n").is_ok()
                && stream.read_exact(&mut reply).is_ok()
                && &reply == b"+PONG\r\n"
            {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("redis-server on port {port} did not answer within 10 s");
}

/// The Redis every test app shares: `BURNBOX_TEST_REDIS_URL`, or one started for this
/// binary. The starting thread waits on the server for as long as the binary runs, and
/// the server is tied to that thread with `PR_SET_PDEATHSIG`, so it dies with the test
/// binary instead of lingering.
pub static SHARED_REDIS_URL: LazyLock<String> = LazyLock::new(|| {
    if let Ok(url) = std::env::var("BURNBOX_TEST_REDIS_URL") {
        return url;
    }
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let port = free_port();
        let mut command = redis_command(port);
        // SAFETY: prctl is async-signal-safe; it only sets this child's parent-death signal.
        unsafe {
            use std::os::unix::process::CommandExt;
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let mut child = command
            .spawn()
            .expect("redis-server must be on PATH for the tests (apt-get install redis-server)");
        wait_for_redis(port);
        sender.send(port).expect("test thread waits");
        // Waiting keeps this thread (and so the server) alive until the binary exits.
        let _ = child.wait();
    });
    let port = receiver.recv().expect("redis-server started");
    format!("redis://127.0.0.1:{port}")
});

/// Runs `redis-cli -p <port> <args>` and returns its output.
pub fn redis_cli(port: u16, args: &[&str]) -> String {
    let output = Command::new("redis-cli")
        .args(["-p", &port.to_string()])
        .args(args)
        .output()
        .expect("redis-cli on PATH");
    String::from_utf8_lossy(&output.stdout).into_owned()
}
