//! burnbox's load generator: how close is the service to the Redis ceiling?
//!
//! One command starts a throwaway `redis-server` and the release `burnbox` with its
//! default configuration (rate limits on), then measures, in one run on one machine:
//!
//! - start-up to ready, and the server's RSS idle and under load;
//! - the ceiling: `SET … EX` + `GETDEL` pairs issued straight to Redis with the same
//!   client library at the same concurrency;
//! - the HTTP ceiling: `GET /health` on the same server (no Redis, no body);
//! - the scenarios: create; reveal of pre-created secrets; mixed create→reveal pairs;
//!   retry (mixed, each reveal with an `Idempotency-Key`, so its answer is kept);
//!   passphrase create→reveal; token mint→verify — each as requests/s, latency
//!   percentiles and errors by status, and its ratios to both ceilings;
//! - Redis memory per stored 100-byte secret with its receipt (`used_memory` over 100k).
//! - `files` (not run by default): file upload and download throughput against raw Redis
//!   `SET`/`GET` of the same bytes, the server's RSS while files move, and Redis memory
//!   per stored byte of file (see `bench/files.rs`).
//! - where the CPU went: per HTTP request (per command for the ceiling), the CPU time
//!   of the load generator, the server and Redis (`/proc/<pid>/stat`), and the Redis
//!   commands issued (`INFO stats`). On a machine that runs all three, the ratio to the
//!   ceiling can be no better than the ratio of those CPU costs.
//!
//! Default limits are per client address, so load from one address would be refused
//! after a burst. Like real traffic, the clients here come from many addresses: each
//! connection binds to its own `127.x.y.z` source and moves to a fresh one every
//! `--requests-per-address` requests (below every per-minute limit).
//!
//! ```sh
//! cargo build --release --bins --examples && target/release/examples/bench
//! ```
//! Options: `--clients 32 --seconds 10 --json bench.json --scenarios mixed,create`
//! (`files`: `--scenarios files --memory-secrets 0 --seconds 2`, and the `--file-…` options);
//! `--replica --compare-acks` runs every scenario on two servers sharing one Redis with a
//! replica attached, takes acknowledged by it (`1`) and not (`0`), in one run.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;

#[path = "bench/files.rs"]
mod files;
use serde::Serialize;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpSocket, TcpStream};

#[derive(Debug, Parser)]
struct Options {
    /// Concurrent clients.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Scenarios to run, comma-separated.
    #[arg(long, default_value = "health,create,reveal,mixed,passphrase,tokens")]
    scenarios: String,
    /// Requests a connection sends before moving to a new source address.
    #[arg(long, default_value_t = 40)]
    requests_per_address: u32,
    /// The server binary.
    #[arg(long, default_value = "target/release/burnbox")]
    server: String,
    /// Secrets stored for the memory measurement (0 skips it).
    #[arg(long, default_value_t = 100_000)]
    memory_secrets: usize,
    /// Write the results as JSON here too.
    #[arg(long)]
    json: Option<String>,
    /// Attach a replica to the bench's Redis (takes then wait for it, unless
    /// `--ack-replicas 0`).
    #[arg(long)]
    replica: bool,
    /// Passed to the server as `BURNBOX_ACK_REPLICAS`.
    #[arg(long, default_value = "auto")]
    consume_ack_replicas: String,
    /// With `--replica`: two servers on the same Redis, acknowledgments on (`1`) and off
    /// (`0`), each scenario run on one then the other, in one run.
    #[arg(long, requires = "replica")]
    compare_acks: bool,
    /// `files`: the file sizes measured for throughput, in MiB.
    #[arg(long, default_value = "1,25", value_delimiter = ',')]
    file_sizes_mib: Vec<u64>,
    /// `files`: files moving at once in the parallel throughput runs.
    #[arg(long, default_value_t = 4)]
    file_parallel: usize,
    /// `files`: the least MiB each throughput run moves (each runs `--seconds` at least).
    #[arg(long, default_value_t = 50)]
    file_mib_per_run: u64,
    /// `files`: 25 MiB files moving at once for the RSS and Redis memory figures.
    #[arg(long, default_value_t = 10)]
    file_memory_files: usize,
    /// Passed to the server as `BURNBOX_FILE_DOWNLOAD_SECONDS`: short, so the `files`
    /// scenario sees revealed files' chunks go within the run.
    #[arg(long, default_value_t = 2)]
    file_download_seconds: u64,
    /// Append the server's log (`RUST_LOG=warn`) here instead of discarding it.
    #[arg(long)]
    server_log: Option<String>,
}

/// One server under test.
struct Server {
    /// Appended to its scenarios' names (empty with one server).
    label: &'static str,
    address: SocketAddr,
    process: Killed,
    startup: Duration,
}

/// Starts the release server on `redis_url` and waits until `/ready` answers 200.
async fn start_server(
    options: &Options,
    redis_url: &str,
    label: &'static str,
    ack_replicas: &str,
) -> Server {
    let port = free_port();
    let address: SocketAddr = format!("127.0.0.1:{port}").parse().expect("address");
    let spawned = Instant::now();
    let process = Killed(
        Command::new(&options.server)
            .env("BURNBOX_BIND", address.to_string())
            .env("BURNBOX_REDIS_URL", redis_url)
            .env(
                "BURNBOX_SERVER_KEY",
                "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
            )
            .env("RUST_LOG", "warn")
            .env("BURNBOX_ACK_REPLICAS", ack_replicas)
            .env(
                "BURNBOX_FILE_DOWNLOAD_SECONDS",
                options.file_download_seconds.to_string(),
            )
            .stdout(Stdio::null())
            .stderr(
                options
                    .server_log
                    .as_ref()
                    .map_or_else(Stdio::null, |path| {
                        std::fs::OpenOptions::new()
                            .create(true)
                            .append(true)
                            .open(path)
                            .map_or_else(|_| Stdio::null(), Stdio::from)
                    }),
            )
            .spawn()
            .unwrap_or_else(|error| {
                panic!("{}: {error} (cargo build --release first)", options.server)
            }),
    );
    let startup = loop {
        if let Ok(mut connection) = TcpStream::connect(address).await {
            let _ = connection.write_all(b"GET /ready HTTP/1.0\r\n\r\n").await;
            let mut answer = [0u8; 12];
            if connection.read_exact(&mut answer).await.is_ok() && answer.ends_with(b"200") {
                break spawned.elapsed();
            }
        }
        assert!(
            spawned.elapsed() < Duration::from_secs(10),
            "server did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    Server {
        label,
        address,
        process,
        startup,
    }
}

/// Hands out source addresses 127.1.0.1, 127.1.0.2, … so no two connections share one.
static NEXT_ADDRESS: AtomicU32 = AtomicU32::new(0);

/// Numbers the idempotency keys of the `retry` scenario's reveals.
static NEXT_IDEMPOTENCY_KEY: AtomicU32 = AtomicU32::new(0);

fn next_source() -> IpAddr {
    let n = NEXT_ADDRESS.fetch_add(1, Ordering::Relaxed);
    let host = n % 250 + 1;
    let rest = n / 250;
    IpAddr::V4(Ipv4Addr::new(
        127,
        (rest / 256 % 254 + 1) as u8,
        (rest % 256) as u8,
        host as u8,
    ))
}

/// A minimal keep-alive HTTP/1.1 client: enough for JSON requests and answers.
struct Connection {
    stream: BufReader<TcpStream>,
    sent: u32,
}

impl Connection {
    async fn open(server: SocketAddr) -> std::io::Result<Self> {
        let socket = TcpSocket::new_v4()?;
        socket.bind(SocketAddr::new(next_source(), 0))?;
        let stream = socket.connect(server).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream: BufReader::new(stream),
            sent: 0,
        })
    }

    /// A `POST` with `body` as JSON, or a `GET` when the path starts with `GET `; a path
    /// starting with `RETRY ` is a `POST` with an `Idempotency-Key` of its own.
    async fn request(&mut self, path: &str, body: &Value) -> std::io::Result<(u16, Value)> {
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        let head = match (path.strip_prefix("GET "), path.strip_prefix("RETRY ")) {
            (Some(path), _) => format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n"),
            (None, Some(path)) => format!(
                "POST {path} HTTP/1.1\r\nHost: bench\r\nIdempotency-Key: bench-reveal-{:016}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                NEXT_IDEMPOTENCY_KEY.fetch_add(1, Ordering::Relaxed),
                body.len()
            ),
            (None, None) => format!(
                "POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            ),
        };
        let stream = self.stream.get_mut();
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body.as_bytes()).await?;
        self.sent += 1;
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status: u16 = line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = 0;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await?;
        Ok((status, serde_json::from_slice(&body).unwrap_or(Value::Null)))
    }
}

/// A client: one connection at a time, moved to a fresh source address as it goes.
struct Client {
    server: SocketAddr,
    connection: Option<Connection>,
    per_address: u32,
    latencies_us: Vec<u32>,
    statuses: BTreeMap<u16, u64>,
}

impl Client {
    fn new(server: SocketAddr, per_address: u32) -> Self {
        Self {
            server,
            connection: None,
            per_address,
            latencies_us: Vec::new(),
            statuses: BTreeMap::new(),
        }
    }

    /// Sends one request, recording its latency and status.
    async fn call(&mut self, path: &str, body: &Value) -> (u16, Value) {
        self.call_scheduled(path, body, None).await
    }

    /// Sends one request; with a schedule, latency counts from the scheduled send time,
    /// so a server that falls behind cannot hide its queue (no coordinated omission).
    async fn call_scheduled(
        &mut self,
        path: &str,
        body: &Value,
        scheduled: Option<Instant>,
    ) -> (u16, Value) {
        if self
            .connection
            .as_ref()
            .is_none_or(|c| c.sent >= self.per_address)
        {
            self.connection = Connection::open(self.server).await.ok();
        }
        let started = scheduled.unwrap_or_else(Instant::now);
        let answer = match self.connection.as_mut() {
            Some(connection) => connection.request(path, body).await,
            None => Err(std::io::Error::other("no connection")),
        };
        let (status, body) = answer.unwrap_or_else(|_| {
            self.connection = None;
            (0, Value::Null)
        });
        self.latencies_us
            .push(started.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
        *self.statuses.entry(status).or_default() += 1;
        (status, body)
    }
}

#[derive(Debug, Serialize)]
struct ScenarioResult {
    scenario: String,
    requests_per_second: f64,
    units_per_second: f64,
    unit: &'static str,
    p50_ms: f64,
    p90_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    statuses: BTreeMap<u16, u64>,
    ratio_to_ceiling: f64,
    /// Requests per second over `GET /health`'s on the same server (the HTTP ceiling).
    ratio_to_health: Option<f64>,
    /// Where the machine's CPU went, per HTTP request.
    cost: Option<Cost>,
}

/// CPU time per unit of work (µs) by process, and Redis commands per unit.
#[derive(Debug, Clone, Copy, Serialize)]
struct Cost {
    load_generator_us: f64,
    server_us: f64,
    redis_us: f64,
    redis_commands: f64,
}

/// Cumulative CPU seconds of the three processes and Redis' command count.
#[derive(Debug, Clone, Copy)]
struct CpuSample {
    load_generator: f64,
    server: f64,
    redis: f64,
    redis_commands: u64,
}

/// What the bench reads CPU use from: the server's and Redis' pids, and a connection
/// for Redis' own command counter.
#[derive(Clone)]
struct CpuProbe {
    server_pid: u32,
    redis_pid: u32,
    connection: redis::aio::MultiplexedConnection,
}

impl CpuProbe {
    async fn sample(&self) -> CpuSample {
        let info: String = redis::cmd("INFO")
            .arg("stats")
            .query_async(&mut self.connection.clone())
            .await
            .expect("INFO stats");
        CpuSample {
            load_generator: cpu_seconds("self"),
            server: cpu_seconds(&self.server_pid.to_string()),
            redis: cpu_seconds(&self.redis_pid.to_string()),
            redis_commands: info_field(&info, "total_commands_processed"),
        }
    }
}

impl CpuSample {
    /// The cost of each of `units` done between `self` and `later`.
    fn cost_until(&self, later: &CpuSample, units: f64) -> Cost {
        let per = |seconds: f64| seconds * 1e6 / units.max(1.0);
        Cost {
            load_generator_us: per(later.load_generator - self.load_generator),
            server_us: per(later.server - self.server),
            redis_us: per(later.redis - self.redis),
            // The probe's own INFO is one command; not worth subtracting.
            redis_commands: later.redis_commands.saturating_sub(self.redis_commands) as f64
                / units.max(1.0),
        }
    }
}

/// User + system CPU seconds of a process, from `/proc/<pid>/stat`.
fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks: f64 = fields
        .get(11..13)
        .map(|times| times.iter().filter_map(|t| t.parse::<f64>().ok()).sum())
        .unwrap_or(0.0);
    // SAFETY: sysconf only reads a system constant.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    ticks / per_second
}

fn info_field(info: &str, name: &str) -> u64 {
    info.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0)
}

fn percentile(sorted: &[u32], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = ((sorted.len() - 1) as f64 * fraction).round() as usize;
    f64::from(sorted[index]) / 1000.0
}

const SECRET: &str = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyzAB";

fn key_of(body: &Value, field: &str) -> String {
    body[field].as_str().unwrap_or_default().to_owned()
}

/// Runs `scenario` on every client for the configured time.
async fn run_scenario(
    scenario: &str,
    server: SocketAddr,
    options: &Options,
    ceiling_ops: f64,
    pool: Arc<Vec<String>>,
    units_per_second: Option<f64>,
    probe: &CpuProbe,
) -> ScenarioResult {
    let before = probe.sample().await;
    let deadline = Instant::now() + Duration::from_secs(options.seconds);
    let started = Instant::now();
    let next_secret = Arc::new(AtomicU32::new(0));
    let tasks: Vec<_> = (0..options.clients)
        .map(|index| {
            let scenario = scenario.to_owned();
            // Clients start evenly spread over one interval, not all at the same instant.
            let phase = index as f64 / options.clients as f64;
            let (pool, next_secret) = (pool.clone(), next_secret.clone());
            let mut client = Client::new(server, options.requests_per_address);
            // Open loop: each client starts a unit every `interval`, whatever the answers.
            let interval = units_per_second.map(|rate| Duration::from_secs_f64(options.clients as f64 / rate));
            tokio::spawn(async move {
                let mut units = 0u64;
                while Instant::now() < deadline {
                    let scheduled =
                        interval.map(|interval| started + interval.mul_f64(units as f64 + phase));
                    if let Some(at) = scheduled {
                        tokio::time::sleep_until(at.into()).await;
                    }
                    match scenario.as_str() {
                        "create" => {
                            client.call("/api/secrets", &json!({"secret": SECRET, "ttl": 60})).await;
                        }
                        "reveal" => {
                            let index = next_secret.fetch_add(1, Ordering::Relaxed) as usize;
                            let Some(key) = pool.get(index) else { break };
                            client.call(&format!("/api/secrets/{key}/reveal"), &Value::Null).await;
                        }
                        "mixed" => {
                            let create = json!({"secret": SECRET, "ttl": 60});
                            let (_, created) = client.call_scheduled("/api/secrets", &create, scheduled).await;
                            let key = key_of(&created, "secret_key");
                            client.call(&format!("/api/secrets/{key}/reveal"), &Value::Null).await;
                        }
                        // `mixed`, each reveal with an `Idempotency-Key` (its answer kept).
                        "retry" => {
                            let create = json!({"secret": SECRET, "ttl": 60});
                            let (_, created) = client.call_scheduled("/api/secrets", &create, scheduled).await;
                            let key = key_of(&created, "secret_key");
                            client.call(&format!("RETRY /api/secrets/{key}/reveal"), &Value::Null).await;
                        }
                        "passphrase" => {
                            let body = json!({"secret": SECRET, "ttl": 60, "passphrase": "bench passphrase"});
                            let (_, created) = client.call("/api/secrets", &body).await;
                            let key = key_of(&created, "secret_key");
                            let reveal = json!({"passphrase": "bench passphrase"});
                            client.call(&format!("/api/secrets/{key}/reveal"), &reveal).await;
                        }
                        "health" => {
                            client.call("GET /health", &Value::Null).await;
                        }
                        "tokens" => {
                            let (_, minted) = client
                                .call("/api/tokens", &json!({"subject": "user:42", "claims": {"a": 1}}))
                                .await;
                            let token = json!({"token": key_of(&minted, "token")});
                            client.call("/api/tokens/verify", &token).await;
                        }
                        other => panic!("unknown scenario {other}"),
                    }
                    units += 1;
                }
                (client, units)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut statuses = BTreeMap::new();
    let mut units = 0;
    for task in tasks {
        let (client, done) = task.await.expect("client task");
        latencies.extend(client.latencies_us);
        for (status, count) in client.statuses {
            *statuses.entry(status).or_insert(0) += count;
        }
        units += done;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let cost = before.cost_until(&probe.sample().await, latencies.len() as f64);
    latencies.sort_unstable();
    let requests_per_second = latencies.len() as f64 / elapsed;
    let unit = match scenario {
        "create" | "reveal" | "health" => "request",
        "tokens" => "mint+verify",
        _ => "create+reveal",
    };
    ScenarioResult {
        scenario: scenario.to_owned(),
        requests_per_second,
        units_per_second: units as f64 / elapsed,
        unit,
        p50_ms: percentile(&latencies, 0.50),
        p90_ms: percentile(&latencies, 0.90),
        p99_ms: percentile(&latencies, 0.99),
        max_ms: percentile(&latencies, 1.0),
        statuses,
        // Each HTTP request does the work of one of the ceiling's commands.
        ratio_to_ceiling: requests_per_second / ceiling_ops,
        ratio_to_health: None,
        cost: Some(cost),
    }
}

/// `SET … EX` + `GETDEL` pairs straight to Redis: the ceiling, in commands per second.
async fn ceiling(redis_url: &str, clients: usize, seconds: u64, probe: &CpuProbe) -> (f64, Cost) {
    let before = probe.sample().await;
    let client = redis::Client::open(redis_url).expect("redis url");
    let connection = client
        .get_multiplexed_async_connection()
        .await
        .expect("redis connects");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|index| {
            let mut connection = connection.clone();
            tokio::spawn(async move {
                let key = format!("ceiling:{index}");
                let mut pairs = 0u64;
                while Instant::now() < deadline {
                    let () = redis::cmd("SET")
                        .arg(&key)
                        .arg(SECRET)
                        .arg("EX")
                        .arg(60)
                        .query_async(&mut connection)
                        .await
                        .expect("SET");
                    let _: Option<Vec<u8>> = redis::cmd("GETDEL")
                        .arg(&key)
                        .query_async(&mut connection)
                        .await
                        .expect("GETDEL");
                    pairs += 1;
                }
                pairs
            })
        })
        .collect();
    let mut pairs = 0;
    for task in tasks {
        pairs += task.await.expect("ceiling task");
    }
    let commands = 2.0 * pairs as f64;
    let cost = before.cost_until(&probe.sample().await, commands);
    (commands / started.elapsed().as_secs_f64(), cost)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

async fn redis_used_memory(connection: &mut redis::aio::MultiplexedConnection) -> u64 {
    let info: String = redis::cmd("INFO")
        .arg("memory")
        .query_async(connection)
        .await
        .expect("INFO");
    info.lines()
        .find_map(|line| line.strip_prefix("used_memory:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let options = Options::parse();
    let redis_port = free_port();
    let redis = Killed(
        Command::new("redis-server")
            .args(["--port", &redis_port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory-policy",
                "noeviction",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server on PATH"),
    );
    let redis_url = format!("redis://127.0.0.1:{redis_port}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _replica = options.replica.then(|| {
        let replica = Killed(
            Command::new("redis-server")
                .args(["--port", &free_port().to_string(), "--bind", "127.0.0.1"])
                .args(["--replicaof", "127.0.0.1", &redis_port.to_string()])
                .args(["--save", "", "--appendonly", "no"])
                .args(["--dir", &std::env::temp_dir().display().to_string()])
                .args(["--dbfilename", &format!("bench-replica-{redis_port}.rdb")])
                .stdout(Stdio::null())
                .spawn()
                .expect("redis-server on PATH"),
        );
        std::thread::sleep(Duration::from_millis(500));
        replica
    });

    let servers = if options.compare_acks {
        vec![
            start_server(&options, &redis_url, " acks on", "1").await,
            start_server(&options, &redis_url, " acks off", "0").await,
        ]
    } else {
        vec![start_server(&options, &redis_url, "", &options.consume_ack_replicas).await]
    };
    let (server_address, startup) = (servers[0].address, servers[0].startup);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_idle = rss_kib(servers[0].process.0.id());

    println!(
        "burnbox bench: {} clients, {} s per scenario, default configuration{}",
        options.clients,
        options.seconds,
        if options.compare_acks {
            "; a replica attached, each scenario on a server with BURNBOX_ACK_REPLICAS=1 \
             then on one with 0"
                .to_owned()
        } else if options.replica {
            format!(
                "; a replica attached, BURNBOX_ACK_REPLICAS={}",
                options.consume_ack_replicas
            )
        } else {
            String::new()
        }
    );
    println!(
        "start-up to ready: {:.1} ms; RSS idle: {:.1} MiB",
        startup.as_secs_f64() * 1000.0,
        rss_idle as f64 / 1024.0
    );
    let mut probes = Vec::new();
    for server in &servers {
        probes.push(CpuProbe {
            server_pid: server.process.0.id(),
            redis_pid: redis.0.id(),
            connection: redis::Client::open(redis_url.as_str())
                .expect("url")
                .get_multiplexed_async_connection()
                .await
                .expect("connects"),
        });
    }
    let probe = &probes[0];
    let (ceiling_ops, ceiling_cost) =
        ceiling(&redis_url, options.clients, options.seconds, probe).await;
    println!("ceiling (SET EX + GETDEL direct): {ceiling_ops:.0} commands/s\n");

    // On the fresh Redis, before the scenarios fill it.
    let mut memory = None;
    if options.memory_secrets > 0 {
        let mut connection = redis::Client::open(redis_url.as_str())
            .expect("url")
            .get_multiplexed_async_connection()
            .await
            .expect("connects");
        let before = redis_used_memory(&mut connection).await;
        let created = precreate(
            server_address,
            options.memory_secrets,
            options.clients,
            options.requests_per_address,
        )
        .await;
        let after = redis_used_memory(&mut connection).await;
        let per_secret = (after - before) as f64 / created.len().max(1) as f64;
        println!(
            "Redis memory per stored 100-byte secret with its receipt: {per_secret:.0} bytes ({} secrets)",
            created.len()
        );
        memory = Some(per_secret);
    }

    // The passphrase target is relative to what the cores can hash at the default cost.
    let hash_seconds = {
        let salt = burnbox::crypto::PassphraseSalt::generate(burnbox::crypto::KdfParams::OWASP);
        let mut memory = burnbox::crypto::KdfMemory::default();
        salt.stretch_with(b"warm-up", &mut memory).expect("argon2");
        // The median of 21: single timings on a shared machine swing by 2x.
        let mut times: Vec<f64> = (0..21)
            .map(|_| {
                let started = Instant::now();
                salt.stretch_with(b"bench passphrase", &mut memory)
                    .expect("argon2");
                started.elapsed().as_secs_f64()
            })
            .collect();
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    println!(
        "one Argon2id hash (19 MiB, t=2, median of 21): {:.1} ms; cores / hash time = {:.0} hashes/s",
        hash_seconds * 1000.0,
        cores / hash_seconds
    );

    let mut results = Vec::new();
    let mut file_results = Vec::new();
    let mut rss_peak = rss_idle;
    for scenario in options.scenarios.split(',') {
        for (server, probe) in servers.iter().zip(&probes) {
            if scenario == "files" {
                let file_options = files::FileOptions {
                    sizes_mib: options.file_sizes_mib.clone(),
                    parallel: options.file_parallel,
                    mib_per_run: options.file_mib_per_run,
                    memory_files: options.file_memory_files,
                    download_seconds: options.file_download_seconds,
                    at_least: Duration::from_secs(options.seconds),
                };
                println!("\nfiles{}:", server.label);
                let figures = files::run(
                    server.address,
                    server.process.0.id(),
                    &redis_url,
                    probe,
                    &file_options,
                )
                .await;
                file_results.push(json!({"server": server.label, "figures": figures}));
                continue;
            }
            let pool = if scenario == "reveal" {
                // Enough secrets for the whole run at a generous rate, created beforehand.
                let wanted = (options.seconds * 40_000) as usize;
                Arc::new(
                    precreate(
                        server.address,
                        wanted,
                        options.clients,
                        options.requests_per_address,
                    )
                    .await,
                )
            } else {
                Arc::new(Vec::new())
            };
            let sampler = {
                let pid = server.process.0.id();
                tokio::spawn(async move {
                    let mut peak = 0;
                    for _ in 0..50 {
                        peak = peak.max(rss_kib(pid));
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    peak
                })
            };
            let mut result = run_scenario(
                scenario,
                server.address,
                &options,
                ceiling_ops,
                pool,
                None,
                probe,
            )
            .await;
            rss_peak = rss_peak.max(sampler.await.unwrap_or(0));
            result.scenario = format!("{scenario}{}", server.label);
            results.push(result);
        }
    }

    // p99 at half the peak: the mixed scenario again, open loop at half its closed-loop rate.
    for (server, probe) in servers.iter().zip(&probes) {
        let name = format!("mixed{}", server.label);
        let Some(peak) = results.iter().find(|result| result.scenario == name) else {
            continue;
        };
        let half = peak.units_per_second / 2.0;
        let mut open_loop = run_scenario(
            "mixed",
            server.address,
            &options,
            ceiling_ops,
            Arc::new(Vec::new()),
            Some(half),
            probe,
        )
        .await;
        open_loop.scenario = format!("mixed@half{}", server.label);
        results.push(open_loop);
    }

    // The HTTP ceiling: each scenario against `GET /health` on the same server.
    for server in &servers {
        let health = format!("health{}", server.label);
        let Some(ceiling) = results
            .iter()
            .find(|result| result.scenario == health)
            .map(|result| result.requests_per_second)
        else {
            continue;
        };
        for result in results
            .iter_mut()
            .filter(|result| result.scenario.ends_with(server.label))
        {
            result.ratio_to_health = Some(result.requests_per_second / ceiling);
        }
    }

    if !results.is_empty() {
        println!(
            "\n{:<20} {:>10} {:>12} {:>8} {:>8} {:>8} {:>8} {:>9} {:>8}  statuses",
            "scenario",
            "req/s",
            "units/s",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "max ms",
            "/ceiling",
            "/health"
        );
    }
    for result in &results {
        let to_health = result
            .ratio_to_health
            .map_or_else(|| "—".to_owned(), |ratio| format!("{ratio:.2}"));
        println!(
            "{:<20} {:>10.0} {:>12.0} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>9.2} {:>8}  {:?}",
            result.scenario,
            result.requests_per_second,
            result.units_per_second,
            result.p50_ms,
            result.p90_ms,
            result.p99_ms,
            result.max_ms,
            result.ratio_to_ceiling,
            to_health,
            result.statuses
        );
    }
    // Where the two cores went: CPU per HTTP request (per command for the ceiling).
    println!(
        "\n{:<22} {:>12} {:>12} {:>12} {:>14}",
        "CPU per request", "load gen µs", "burnbox µs", "redis µs", "redis commands"
    );
    let ceiling_row = ("ceiling (per command)".to_owned(), Some(ceiling_cost));
    let rows = std::iter::once(ceiling_row).chain(
        results
            .iter()
            .map(|result| (result.scenario.clone(), result.cost)),
    );
    for (name, cost) in rows {
        if let Some(cost) = cost {
            println!(
                "{:<22} {:>12.1} {:>12.1} {:>12.1} {:>14.1}",
                name, cost.load_generator_us, cost.server_us, cost.redis_us, cost.redis_commands
            );
        }
    }
    if !results.is_empty() {
        println!(
            "RSS under load (peak sampled): {:.1} MiB",
            rss_peak as f64 / 1024.0
        );
    }
    if let Some(passphrase) = results
        .iter()
        .find(|result| result.scenario == "passphrase")
    {
        // Each passphrase request (create or reveal) is one hash.
        println!(
            "passphrase requests / (cores / hash time): {:.2}",
            passphrase.requests_per_second * hash_seconds / cores
        );
        if let Some(cost) = passphrase.cost {
            // The same ratio with the hash time the server actually spent per request.
            println!(
                "  … with the server's CPU per passphrase request as the hash time: {:.2}",
                passphrase.requests_per_second * cost.server_us / 1e6 / cores
            );
        }
    }

    if let Some(path) = &options.json {
        let document = json!({
            "clients": options.clients,
            "seconds": options.seconds,
            "startup_ms": startup.as_secs_f64() * 1000.0,
            "rss_idle_mib": rss_idle as f64 / 1024.0,
            "rss_peak_mib": rss_peak as f64 / 1024.0,
            "ceiling_commands_per_second": ceiling_ops,
            "ceiling_cost_per_command": ceiling_cost,
            "redis_bytes_per_secret": memory,
            "argon2_hash_ms": hash_seconds * 1000.0,
            "scenarios": results,
            "files": file_results,
        });
        std::fs::write(path, serde_json::to_string_pretty(&document).expect("json"))
            .expect("write json");
        println!("written: {path}");
    }
}

/// Creates `count` secrets (no passphrase, 100 bytes) and returns their keys.
async fn precreate(
    server: SocketAddr,
    count: usize,
    clients: usize,
    per_address: u32,
) -> Vec<String> {
    let remaining = Arc::new(AtomicU32::new(count as u32));
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let remaining = remaining.clone();
            tokio::spawn(async move {
                let mut client = Client::new(server, per_address);
                let mut keys = Vec::new();
                while remaining
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                        left.checked_sub(1)
                    })
                    .is_ok()
                {
                    let (status, body) = client
                        .call("/api/secrets", &json!({"secret": SECRET, "ttl": 600}))
                        .await;
                    if status == 201 {
                        keys.push(key_of(&body, "secret_key"));
                    }
                }
                keys
            })
        })
        .collect();
    let mut keys = Vec::new();
    for task in tasks {
        keys.extend(task.await.expect("precreate task"));
    }
    keys
}
