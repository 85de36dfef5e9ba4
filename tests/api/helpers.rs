//! Spawns the real app (port 0) over a real Redis or the memory store, and captures logs.
//!
//! One throwaway `redis-server` serves the whole test binary (`--save "" --appendonly no`
//! on a free port), unless `BURNBOX_TEST_REDIS_URL` names one. Each test app gets its own
//! key prefix, so tests never see each other's keys.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{LazyLock, Mutex, Once};
use std::time::{Duration, Instant};

use burnbox::config::Settings;
use burnbox::startup::Application;
use serde_json::Value;

/// Which store a test app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Redis,
    Memory,
}

/// Runs the async scenario `fn $name(Backend)` against both backends, as the tests
/// `$name::redis` and `$name::memory`.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn redis() {
                super::$name($crate::helpers::Backend::Redis).await;
            }
            #[tokio::test]
            async fn memory() {
                super::$name($crate::helpers::Backend::Memory).await;
            }
        }
    };
}

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

fn redis_command(port: u16) -> Command {
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
fn spawn_on_a_free_port(command: impl Fn(u16) -> Command) -> (Child, u16) {
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

/// A virtualenv under `target/` named `name` with `packages` from PyPI (pinned by the
/// caller), made once per target directory: a marker naming the packages is written
/// last, so an install cut short is made again. Needs `python3` with `venv`.
pub fn python_venv(name: &str, packages: &[&str]) -> std::path::PathBuf {
    static MAKING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = MAKING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let venv = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let done = venv.join(packages.join(" "));
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&venv);
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 must be on the PATH for this test (apt-get install python3-venv)");
        assert!(
            made.success(),
            "python3 -m venv failed (apt-get install python3-venv)"
        );
        let installed = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(packages)
            .status()
            .expect("pip runs");
        assert!(installed.success(), "pip install {packages:?} failed");
        std::fs::write(&done, "").expect("the venv is writable");
    }
    venv
}

/// A port nobody listens on yet.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
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
                    let mut command = redis_command(port);
                    command
                        .args(["--cluster-enabled", "yes", "--cluster-node-timeout", "2000"])
                        .args(["--repl-diskless-sync-delay", "0"])
                        .args(["--cluster-config-file", &format!("nodes-{port}.conf")])
                        .arg("--dir")
                        .arg(&dir);
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

/// Runs `redis-cli -p <port> <args>` and returns its output.
pub fn redis_cli(port: u16, args: &[&str]) -> String {
    let output = Command::new("redis-cli")
        .args(["-p", &port.to_string()])
        .args(args)
        .output()
        .expect("redis-cli on PATH");
    String::from_utf8_lossy(&output.stdout).into_owned()
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

/// Every log line any test produced (all levels, all crates).
pub static CAPTURED_LOGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct CapturingLogger;

impl log::Log for CapturingLogger {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        let line = format!("{} {} {}", record.level(), record.target(), record.args());
        CAPTURED_LOGS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(line);
    }
    fn flush(&self) {}
}

/// Installs the capturing logger at `trace` for the whole binary.
pub fn capture_logs() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        log::set_boxed_logger(Box::new(CapturingLogger)).expect("no other logger");
        log::set_max_level(log::LevelFilter::Trace);
    });
}

/// A running app and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub key_prefix: String,
    pub redis_url: Option<String>,
}

/// Arguments every test app gets: port 0, one worker, cheap Argon2 (tests check the flow,
/// not the cost), and its own key prefix.
fn base_args(backend: Backend, key_prefix: &str, redis_url: &str) -> Vec<String> {
    let mut args: Vec<String> = [
        "burnbox",
        "--bind",
        "127.0.0.1:0",
        "--workers",
        "1",
        "--argon2-memory-kib",
        "64",
        "--argon2-iterations",
        "1",
        "--key-prefix",
        key_prefix,
        "--server-key",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
        "--redis-timeout-ms",
        "500",
    ]
    .iter()
    .map(|arg| (*arg).to_owned())
    .collect();
    if backend == Backend::Redis {
        args.extend(["--redis-url".to_owned(), redis_url.to_owned()]);
    }
    args
}

/// reqwest comes without a TLS crypto provider (the CLI installs ring, as the server
/// uses): the tests' clients get the same.
pub fn tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A fresh app on `backend` with default settings.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, &[]).await
}

/// A fresh app on `backend` with extra flags.
pub async fn spawn_app_with(backend: Backend, extra: &[&str]) -> TestApp {
    let redis_url = SHARED_REDIS_URL.clone();
    spawn_app_on(backend, &redis_url, extra).await
}

/// A fresh app on the Redis at `redis_url` (or memory) with extra flags.
pub async fn spawn_app_on(backend: Backend, redis_url: &str, extra: &[&str]) -> TestApp {
    capture_logs();
    tls_provider();
    let key_prefix = format!("test{}:", hex(&burnbox::crypto::random_array::<6>()));
    let mut args = base_args(backend, &key_prefix, redis_url);
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    let settings = Settings::from_args(args).expect("test settings parse");
    let application = Application::build(settings).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", application.port());
    tokio::spawn(application.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
        key_prefix,
        redis_url: (backend == Backend::Redis).then(|| redis_url.to_owned()),
    }
}

/// The real binary, serving in a process of its own (so its metrics registry is its own),
/// on the shared test Redis; killed on drop.
pub struct ServedBinary {
    child: Child,
    pub app: TestApp,
}

impl Drop for ServedBinary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `burnbox` (the binary) on a free port, with `extra` variables on top of the
/// test defaults, and waits until it answers `/health`.
pub async fn serve_binary(extra: &[(&str, &str)]) -> ServedBinary {
    tls_provider();
    let redis_url = SHARED_REDIS_URL.clone();
    let port = free_port();
    let key_prefix = format!("bin{}:", hex(&burnbox::crypto::random_array::<6>()));
    let child = Command::new(env!("CARGO_BIN_EXE_burnbox"))
        .env_clear()
        .env("BURNBOX_BIND", format!("127.0.0.1:{port}"))
        .env("BURNBOX_REDIS_URL", &redis_url)
        .env(
            "BURNBOX_SERVER_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
        )
        .env("BURNBOX_KEY_PREFIX", &key_prefix)
        .env("BURNBOX_WORKERS", "1")
        .env("BURNBOX_ARGON2_MEMORY_KIB", "64")
        .env("BURNBOX_ARGON2_ITERATIONS", "1")
        .envs(extra.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the burnbox binary runs");
    let app = TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
        key_prefix,
        redis_url: Some(redis_url),
    };
    let served = ServedBinary { child, app };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let health = served
            .app
            .client
            .get(served.app.url("/health"))
            .send()
            .await;
        if health.is_ok_and(|response| response.status().is_success()) {
            return served;
        }
        assert!(Instant::now() < deadline, "the binary did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `count` app instances on the Redis Cluster at `nodes`, sharing one key prefix: what a
/// load balancer spreads requests over.
pub async fn spawn_cluster_apps(nodes: &[String], count: usize, extra: &[&str]) -> Vec<TestApp> {
    let key_prefix = format!("cluster{}:", hex(&burnbox::crypto::random_array::<6>()));
    let nodes = nodes.join(",");
    let mut apps = Vec::new();
    for _ in 0..count {
        let mut args = extra.to_vec();
        args.extend(["--redis-cluster-nodes", &nodes, "--key-prefix", &key_prefix]);
        let mut app = spawn_app_on(Backend::Memory, "", &args).await;
        app.key_prefix.clone_from(&key_prefix);
        apps.push(app);
    }
    apps
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// A response's status, headers and JSON body (`Null` when empty).
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Reads a response made outside the [`TestApp`] helpers.
    pub async fn from_response(response: reqwest::Response) -> Self {
        Self::from(response).await
    }

    async fn from(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
        };
        Self {
            status,
            headers,
            body,
        }
    }

    /// The header's value, or "" when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
    }

    /// A string field of the body.
    pub fn field(&self, name: &str) -> String {
        self.body[name]
            .as_str()
            .unwrap_or_else(|| panic!("no string field {name} in {}", self.body))
            .to_owned()
    }

    /// Asserts the error shape and code, and returns self for more checks.
    pub fn assert_error(&self, status: u16, code: &str) -> &Self {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(self.body["error"], code, "body: {}", self.body);
        assert!(
            self.body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "error without message: {}",
            self.body
        );
        assert!(
            self.header("content-type").starts_with("application/json"),
            "error is not JSON"
        );
        self
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Reply {
        Reply::from(
            self.client
                .get(self.url(path))
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        Reply::from(
            self.client
                .delete(self.url(path))
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        Reply::from(
            self.client
                .post(self.url(path))
                .json(&body)
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    pub async fn post_empty(&self, path: &str) -> Reply {
        Reply::from(
            self.client
                .post(self.url(path))
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        Reply::from(
            self.client
                .post(self.url(path))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    /// Any request, with an optional bearer credential and JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self.client.request(method, self.url(path));
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        Reply::from(request.send().await.expect("request")).await
    }

    /// Creates a secret and asserts 201.
    pub async fn create_secret(&self, body: Value) -> Created {
        let reply = self.post("/api/secrets", body).await;
        assert_eq!(reply.status, 201, "create failed: {}", reply.body);
        Created {
            secret_key: reply.field("secret_key"),
            receipt_key: reply.field("receipt_key"),
        }
    }

    /// Reveals with an optional passphrase.
    pub async fn reveal(&self, secret_key: &str, passphrase: Option<&str>) -> Reply {
        let path = format!("/api/secrets/{secret_key}/reveal");
        match passphrase {
            Some(passphrase) => {
                self.post(&path, serde_json::json!({ "passphrase": passphrase }))
                    .await
            }
            None => self.post_empty(&path).await,
        }
    }

    pub async fn receipt_state(&self, receipt_key: &str) -> String {
        let reply = self.get(&format!("/api/receipts/{receipt_key}")).await;
        assert_eq!(reply.status, 200, "receipt: {}", reply.body);
        reply.field("state")
    }

    /// A client connection to this app's Redis.
    pub async fn redis(&self) -> redis::aio::MultiplexedConnection {
        let url = self.redis_url.as_deref().expect("a Redis-backed app");
        redis::Client::open(url)
            .expect("url")
            .get_multiplexed_async_connection()
            .await
            .expect("connects")
    }
}

/// Asserts that of racing reveals (status, body) exactly one got the secret — whose body
/// holds `secret` — and every other was told 404. With a passphrase, no more guesses are
/// checked at once than the secret has attempts: the rest are told 429, retry shortly.
pub fn assert_one_winner(results: &[(u16, String)], secret: &str, passphrase: Option<&str>) {
    let winners: Vec<_> = results
        .iter()
        .filter(|(status, _)| *status == 200)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    assert!(winners[0].1.contains(secret), "{results:?}");
    let busy = |status: u16, body: &str| {
        passphrase.is_some() && status == 429 && body.contains("rate_limited")
    };
    assert!(
        results
            .iter()
            .all(|(status, body)| *status == 200 || *status == 404 || busy(*status, body)),
        "{results:?}"
    );
}

/// The keys of a created secret.
pub struct Created {
    pub secret_key: String,
    pub receipt_key: String,
}

/// An nginx in front of an app, configured as docs/operations.md's "Behind a reverse
/// proxy" shows (`X-Forwarded-For $proxy_add_x_forwarded_for`). Stopped on drop.
/// A CA and a certificate for 127.0.0.1 signed by it, as PEM files in a fresh directory.
pub struct Certificates {
    dir: std::path::PathBuf,
}

impl Certificates {
    pub fn new() -> Self {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
        let dir = std::env::temp_dir().join(format!(
            "burnbox-tls-{}",
            burnbox::domain::ClientKey::generate([0, 0]).encode()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let ca_key = KeyPair::generate().expect("ca key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = ca_params.self_signed(&ca_key).expect("ca");
        let issuer = Issuer::new(ca_params, ca_key);
        let server_key = KeyPair::generate().expect("server key");
        let server = CertificateParams::new(vec!["127.0.0.1".to_owned()])
            .expect("server params")
            .signed_by(&server_key, &issuer)
            .expect("server certificate");
        std::fs::write(dir.join("ca.pem"), ca.pem()).expect("write");
        std::fs::write(dir.join("server.pem"), server.pem()).expect("write");
        std::fs::write(dir.join("server.key"), server_key.serialize_pem()).expect("write");
        Self { dir }
    }

    pub fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

impl Drop for Certificates {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub struct Nginx {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
    scheme: &'static str,
}

impl Nginx {
    /// Starts nginx on a free loopback port, proxying to `upstream` (`http://127.0.0.1:…`),
    /// and waits until it accepts connections.
    pub fn start(upstream: &str) -> Self {
        Self::start_with(upstream, "")
    }

    /// Like [`Self::start`], serving HTTPS with `certificates`' server certificate.
    pub fn start_tls(upstream: &str, certificates: &Certificates) -> Self {
        let tls = format!(
            "ssl_certificate {};\n        ssl_certificate_key {};",
            certificates.path("server.pem"),
            certificates.path("server.key")
        );
        let mut nginx = Self::start_with(upstream, &tls);
        nginx.scheme = "https";
        nginx
    }

    fn start_with(upstream: &str, tls: &str) -> Self {
        let port = free_port();
        let ssl = if tls.is_empty() { "" } else { " ssl" };
        let dir = std::env::temp_dir().join(format!(
            "burnbox-nginx-{}-{}",
            std::process::id(),
            hex(&burnbox::crypto::random_array::<4>())
        ));
        std::fs::create_dir_all(&dir).expect("nginx dir");
        let path = |name: &str| dir.join(name).display().to_string();
        // Running as root, nginx would hand its workers to `nobody`, who may not write here.
        // SAFETY: geteuid has no preconditions.
        let user = if unsafe { libc::geteuid() } == 0 {
            "user root;"
        } else {
            ""
        };
        let config = format!(
            "{user}
worker_processes 1;
daemon off;
pid {pid};
error_log {log} warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {body};
    proxy_temp_path {proxy};
    fastcgi_temp_path {fastcgi};
    uwsgi_temp_path {uwsgi};
    scgi_temp_path {scgi};
    server {{
        listen 127.0.0.1:{port}{ssl};
        {tls}
        location / {{
            proxy_pass {upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
",
            pid = path("nginx.pid"),
            log = path("error.log"),
            body = path("body"),
            proxy = path("proxy"),
            fastcgi = path("fastcgi"),
            uwsgi = path("uwsgi"),
            scgi = path("scgi"),
        );
        std::fs::write(dir.join("nginx.conf"), config).expect("nginx.conf");
        let binary = ["/usr/sbin/nginx", "nginx"]
            .into_iter()
            .find(|candidate| std::path::Path::new(candidate).exists())
            .unwrap_or("nginx");
        let mut command = Command::new(binary);
        command
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: prctl is async-signal-safe; nginx dies with the test binary.
        unsafe {
            use std::os::unix::process::CommandExt;
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = command
            .spawn()
            .expect("nginx must be installed for the proxy tests (apt-get install nginx-light)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not listen within 10 s: {}",
                std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self {
            child,
            port,
            dir,
            scheme: "http",
        }
    }

    /// `http://127.0.0.1:<port>` (or `https://`).
    pub fn address(&self) -> String {
        format!("{}://127.0.0.1:{}", self.scheme, self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A client whose connections come from the loopback address `source` (`127.0.0.x`): a
/// distinct client as the proxy sees it.
pub fn client_from(source: &str) -> reqwest::Client {
    tls_provider();
    reqwest::Client::builder()
        .local_address(source.parse::<std::net::IpAddr>().expect("an address"))
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// A session of an account that may log in (asserted granted, never cached).
pub async fn session(app: &TestApp, email: &str, password: &str) -> String {
    let reply = app
        .post(
            "/api/sessions",
            serde_json::json!({"email": email, "password": password}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.header("cache-control"), "no-store");
    reply.field("session_token")
}

/// A new API key with `scopes` (a JSON array) for the account signed in with `token`.
pub async fn api_key(app: &TestApp, token: &str, scopes: Value) -> String {
    let reply = app
        .send(
            reqwest::Method::POST,
            "/api/me/api-keys",
            Some(token),
            Some(serde_json::json!({"name": "ci", "scopes": scopes})),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let key = reply.field("key");
    assert!(key.starts_with("bbk_"));
    key
}
