//! The `files` scenario: what file secrets cost against Redis itself, in one run.
//!
//! 1. Throughput of plain (non-e2e) uploads — `POST /api/files`, every chunk `PUT` (of the
//!    server's `chunk_bytes_max`), `finish` — and downloads — the reveal, then the streamed
//!    `GET` of its ticket — for each file size, one file at a time and `--file-parallel` at
//!    once, next to raw Redis `SET`/`GET` of the same values against the same
//!    `redis-server` with as many clients; burnbox / raw is the figure to watch (≥ 0.5).
//!    Each measurement runs `--seconds` at least (downloads: every file uploaded).
//! 2. The server's RSS (`VmRSS`, every 50 ms) while `--file-memory-files` 25 MiB files
//!    upload at once and then download at once: idle, peak, and peak − idle (the bound:
//!    streaming keeps it under ~64 MiB whatever the file sizes).
//! 3. Redis `used_memory` at a baseline, with those files stored and not revealed, and
//!    once each is revealed and its download window (`BURNBOX_FILE_DOWNLOAD_SECONDS`) has
//!    passed: the overhead per stored byte, and what is left behind — next to the same
//!    chunks stored by raw `SET`.
//!
//! Every downloaded byte is checked against what was uploaded (and every raw `GET`
//! likewise), so a fast wrong answer cannot pass for throughput.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, OnceLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

use crate::{Connection, Cost, CpuProbe, info_field, rss_kib};

const MIB: u64 = 1024 * 1024;
/// The chunk size: the server's `chunk_bytes_max` (1 MiB − 64, so that a sealed chunk
/// stays in jemalloc's 1 MiB size class), learnt from the first upload and used by the raw
/// `SET`s too, so both sides store values of the same size.
static CHUNK: OnceLock<u64> = OnceLock::new();

fn chunk_bytes() -> u64 {
    CHUNK.get().copied().unwrap_or(MIB)
}

/// What the scenario is asked to do.
pub struct FileOptions {
    /// File sizes measured for throughput, in MiB.
    pub sizes_mib: Vec<u64>,
    /// Files moving at once in the parallel runs.
    pub parallel: usize,
    /// The least MiB each throughput run moves (and at least one file per client).
    pub mib_per_run: u64,
    /// 25 MiB files uploaded and downloaded at once for the RSS and Redis memory figures.
    pub memory_files: usize,
    /// The server's `BURNBOX_FILE_DOWNLOAD_SECONDS`.
    pub download_seconds: u64,
    /// The least time each throughput measurement runs for.
    pub at_least: Duration,
}

/// Bytes the files are made of: a file's chunk is a window into this, different per file
/// and per chunk, so that a server handing back the wrong chunk is caught.
static PATTERN: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    (0..2 * MIB)
        .map(|_| {
            // xorshift64: incompressible enough, and cheap.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
});

/// The content of chunk `index` of file `file` in a file of `size` bytes.
fn chunk_of(file: usize, size: u64, index: u64) -> &'static [u8] {
    let chunk = chunk_bytes();
    let length = (size - index * chunk).min(chunk) as usize;
    let start = (file as u64 * 7919 + index * 4099) % MIB;
    &PATTERN[start as usize..start as usize + length]
}

fn chunks_in(size: u64) -> u64 {
    size.div_ceil(chunk_bytes())
}

/// What failed, by step and status (`PUT chunk 429`), for the table's last column.
type Failures = BTreeMap<String, u64>;

/// A response's status and the length its head declared.
struct Head {
    status: u16,
    length: Option<u64>,
}

impl Connection {
    /// Sends one request with `body` as it is.
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        content_type: &str,
        body: &[u8],
    ) -> std::io::Result<()> {
        let head = format!(
            // A client that downloads files says so (a reveal of a file needs it).
            "{method} {path} HTTP/1.1\r\nHost: bench\r\nBurnbox-Accept-Files: 1\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let stream = self.stream.get_mut();
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body).await?;
        self.sent += 1;
        Ok(())
    }

    async fn read_head(&mut self) -> std::io::Result<Head> {
        let mut line = String::new();
        self.stream.read_line(&mut line).await?;
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = None;
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().ok();
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    return Err(std::io::Error::other(
                        "chunked transfer encoding: the contract promises Content-Length",
                    ));
                }
            }
        }
        Ok(Head { status, length })
    }

    /// Sends one request and reads a JSON answer.
    async fn json(
        &mut self,
        method: &str,
        path: &str,
        body: &[u8],
        content_type: &str,
    ) -> std::io::Result<(u16, Value)> {
        self.send(method, path, content_type, body).await?;
        let head = self.read_head().await?;
        let mut body = vec![0; head.length.unwrap_or(0) as usize];
        self.stream.read_exact(&mut body).await?;
        Ok((
            head.status,
            serde_json::from_slice(&body).unwrap_or(Value::Null),
        ))
    }

    /// `GET`s a download and checks every byte against file `file` of `size` bytes, in
    /// reads of at most 256 KiB (the body is never held whole, as a real client would).
    async fn download(&mut self, path: &str, file: usize, size: u64) -> Result<(), String> {
        let failed = |error: std::io::Error| format!("GET download: {error}");
        self.send("GET", path, "application/octet-stream", b"")
            .await
            .map_err(failed)?;
        let head = self.read_head().await.map_err(failed)?;
        if head.status != 200 {
            return Err(format!("GET download {}", head.status));
        }
        if head.length != Some(size) {
            return Err("GET download: wrong Content-Length".to_owned());
        }
        let mut buffer = vec![0; 256 * 1024];
        let mut offset = 0;
        while offset < size {
            let index = offset / chunk_bytes();
            let within = (offset % chunk_bytes()) as usize;
            let expected = &chunk_of(file, size, index)[within..];
            let take = expected.len().min(buffer.len());
            self.stream
                .read_exact(&mut buffer[..take])
                .await
                .map_err(failed)?;
            if buffer[..take] != expected[..take] {
                return Err("GET download: content differs".to_owned());
            }
            offset += take as u64;
        }
        Ok(())
    }
}

fn step_failed(step: &str, status: u16) -> String {
    if status == 0 {
        format!("{step} (connection)")
    } else {
        format!("{step} {status}")
    }
}

/// Uploads file `file` of `size` bytes (start, every chunk, finish); its secret key.
async fn upload(server: SocketAddr, file: usize, size: u64) -> Result<String, String> {
    // A connection, and so a source address, of its own: per-address limits see one
    // client per file, like many people sharing files.
    let mut connection = Connection::open(server)
        .await
        .map_err(|_| step_failed("connect", 0))?;
    let start = json!({"bytes": size, "name": format!("bench-{file}.bin"), "ttl": 600});
    let (status, started) = connection
        .json(
            "POST",
            "/api/files",
            start.to_string().as_bytes(),
            "application/json",
        )
        .await
        .unwrap_or((0, Value::Null));
    if status != 201 {
        return Err(step_failed("POST /api/files", status));
    }
    let chunks_url = started["chunks_url"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let upload = started["upload"].as_str().unwrap_or_default().to_owned();
    let Some(chunk) = started["chunk_bytes_max"]
        .as_u64()
        .filter(|&chunk| chunk > 0)
    else {
        return Err("POST /api/files: no chunk_bytes_max".to_owned());
    };
    if *CHUNK.get_or_init(|| chunk) != chunk {
        return Err("POST /api/files: chunk_bytes_max changed".to_owned());
    }
    for index in 0..chunks_in(size) {
        let (status, _) = connection
            .json(
                "PUT",
                &format!("{chunks_url}{index}"),
                chunk_of(file, size, index),
                "application/octet-stream",
            )
            .await
            .unwrap_or((0, Value::Null));
        if status != 200 {
            return Err(step_failed("PUT chunk", status));
        }
    }
    let (status, finished) = connection
        .json(
            "POST",
            &format!("/api/files/uploads/{upload}/finish"),
            b"",
            "application/json",
        )
        .await
        .unwrap_or((0, Value::Null));
    if status != 201 {
        return Err(step_failed("finish", status));
    }
    Ok(finished["secret_key"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// Reveals file `file`'s secret and downloads it, checking every byte.
async fn download(server: SocketAddr, key: &str, file: usize, size: u64) -> Result<(), String> {
    let mut connection = Connection::open(server)
        .await
        .map_err(|_| step_failed("connect", 0))?;
    let (status, revealed) = connection
        .json(
            "POST",
            &format!("/api/secrets/{key}/reveal"),
            b"",
            "application/json",
        )
        .await
        .unwrap_or((0, Value::Null));
    if status != 200 {
        return Err(step_failed("reveal", status));
    }
    if revealed["file"]["bytes"].as_u64() != Some(size) {
        return Err("reveal: file.bytes differs".to_owned());
    }
    let download = revealed["file"]["download"].as_str().unwrap_or_default();
    // An absolute link when BURNBOX_PUBLIC_URL is set: its path, on this connection.
    let path = match download.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |slash| &rest[slash..]),
        None => download,
    };
    connection.download(path, file, size).await
}

/// One measured step: bytes moved, wall time, CPU, and what failed.
#[derive(Debug, Clone, Serialize)]
struct Throughput {
    megabytes_per_second: f64,
    seconds: f64,
    files: usize,
    /// CPU milliseconds per MB moved, by process.
    cpu_ms_per_mb: Option<CpuPerMb>,
    failures: Failures,
}

#[derive(Debug, Clone, Copy, Serialize)]
struct CpuPerMb {
    load_generator: f64,
    server: f64,
    redis: f64,
    redis_commands: f64,
}

impl From<Cost> for CpuPerMb {
    fn from(cost: Cost) -> Self {
        // Cost is per unit (one MB here) in µs.
        Self {
            load_generator: cost.load_generator_us / 1000.0,
            server: cost.server_us / 1000.0,
            redis: cost.redis_us / 1000.0,
            redis_commands: cost.redis_commands,
        }
    }
}

/// Runs `work(client, file)` on `clients` tasks at once for files `0..files`, and on for
/// files `files..` until `at_least` has passed (a run of a fraction of a second says more
/// about the machine's other tenants than about the code), timed; the results by file,
/// and the throughput for `bytes_per_file` each.
async fn timed<F, Fut, T>(
    clients: usize,
    files: usize,
    at_least: Duration,
    bytes_per_file: u64,
    probe: &CpuProbe,
    work: F,
) -> (Vec<Option<T>>, Throughput)
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, String>> + Send,
    T: Send + 'static,
{
    let work = Arc::new(work);
    let next = Arc::new(AtomicUsize::new(0));
    let before = probe.sample().await;
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let (work, next) = (work.clone(), next.clone());
            tokio::spawn(async move {
                let mut done = Vec::new();
                loop {
                    let file = next.fetch_add(1, Ordering::Relaxed);
                    if file >= files && started.elapsed() >= at_least {
                        break done;
                    }
                    done.push((file, work(client, file).await));
                }
            })
        })
        .collect();
    let mut results: Vec<Option<T>> = Vec::new();
    let mut failures = Failures::new();
    let mut moved = 0;
    for task in tasks {
        for (file, result) in task.await.expect("file task") {
            if results.len() <= file {
                results.resize_with(file + 1, || None);
            }
            match result {
                Ok(value) => {
                    results[file] = Some(value);
                    moved += bytes_per_file;
                }
                Err(failure) => *failures.entry(failure).or_default() += 1,
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let megabytes = moved as f64 / 1e6;
    let cost = before.cost_until(&probe.sample().await, megabytes);
    let throughput = Throughput {
        megabytes_per_second: megabytes / seconds,
        seconds,
        files: results.len(),
        cpu_ms_per_mb: (megabytes > 0.0).then(|| cost.into()),
        failures,
    };
    (results, throughput)
}

/// A connection per raw-Redis client, so that no two share one; without the client's
/// 500 ms response timeout, which a loaded machine can exceed with 1 MiB values: the raw
/// side is the reference and should not fail where burnbox would merely be slow.
async fn raw_connections(
    redis_url: &str,
    clients: usize,
) -> Vec<redis::aio::MultiplexedConnection> {
    let client = redis::Client::open(redis_url).expect("redis url");
    let config =
        redis::AsyncConnectionConfig::new().set_response_timeout(Some(Duration::from_secs(30)));
    let mut connections = Vec::new();
    for _ in 0..clients {
        connections.push(
            client
                .get_multiplexed_async_connection_with_config(&config)
                .await
                .expect("redis connects"),
        );
    }
    connections
}

fn raw_key(run: &str, file: usize, index: u64) -> String {
    format!("bench-raw:{run}:{file}:{index}")
}

/// `SET`s file `file`'s chunks as plain values.
async fn raw_set(
    mut connection: redis::aio::MultiplexedConnection,
    run: &str,
    file: usize,
    size: u64,
) -> Result<(), String> {
    for index in 0..chunks_in(size) {
        redis::cmd("SET")
            .arg(raw_key(run, file, index))
            .arg(chunk_of(file, size, index))
            .query_async::<()>(&mut connection)
            .await
            .map_err(|error| format!("raw SET: {:?}", error.kind()))?;
    }
    Ok(())
}

/// `GET`s file `file`'s chunks and checks them, as a download is checked.
async fn raw_get(
    mut connection: redis::aio::MultiplexedConnection,
    run: &str,
    file: usize,
    size: u64,
) -> Result<(), String> {
    for index in 0..chunks_in(size) {
        let value: Vec<u8> = redis::cmd("GET")
            .arg(raw_key(run, file, index))
            .query_async(&mut connection)
            .await
            .map_err(|error| format!("raw GET: {:?}", error.kind()))?;
        if value != chunk_of(file, size, index) {
            return Err("raw GET: content differs".to_owned());
        }
    }
    Ok(())
}

/// Removes the chunks of files `base..base + files` (untimed).
async fn raw_delete(
    connection: &mut redis::aio::MultiplexedConnection,
    run: &str,
    base: usize,
    files: usize,
    size: u64,
) {
    for file in base..base + files {
        for index in 0..chunks_in(size) {
            let _: Result<(), _> = redis::cmd("UNLINK")
                .arg(raw_key(run, file, index))
                .query_async(connection)
                .await;
        }
    }
}

/// One row of the throughput table: a file size and a number of clients.
#[derive(Debug, Serialize)]
struct ThroughputRow {
    file_mib: u64,
    clients: usize,
    upload: Throughput,
    download: Throughput,
    raw_set: Throughput,
    raw_get: Throughput,
    upload_to_raw: f64,
    download_to_raw: f64,
}

async fn throughput_row(
    server: SocketAddr,
    redis_url: &str,
    probe: &CpuProbe,
    size_mib: u64,
    clients: usize,
    mib_per_run: u64,
    at_least: Duration,
) -> ThroughputRow {
    let size = size_mib * MIB;
    let files = mib_per_run
        .div_ceil(size_mib)
        .div_ceil(clients as u64)
        .max(1) as usize
        * clients;
    // File numbers differ per row, so no row's chunks look like another's.
    let base = (size_mib as usize) * 1000 + clients * 100_000;

    let (keys, upload) = timed(clients, files, at_least, size, probe, move |_, file| {
        upload(server, base + file, size)
    })
    .await;
    let uploaded = keys.len();
    let keys = Arc::new(keys);
    let (_, download) = {
        let keys = keys.clone();
        // Each file can be downloaded once: all of them, however long that takes.
        timed(
            clients,
            uploaded,
            Duration::ZERO,
            size,
            probe,
            move |_, file| {
                let keys = keys.clone();
                async move {
                    let Some(key) = keys[file].clone() else {
                        return Err("not uploaded".to_owned());
                    };
                    download(server, &key, base + file, size).await
                }
            },
        )
        .await
    };

    let run = format!("{size_mib}x{clients}");
    let connections = Arc::new(raw_connections(redis_url, clients).await);
    // Raw Redis on the same keys (past `files`, the same keys again): SET writes them,
    // GET reads them back.
    let raw = |write: bool| {
        let (connections, run) = (connections.clone(), run.clone());
        timed(
            clients,
            files,
            at_least,
            size,
            probe,
            move |client, file| {
                let connection = connections[client].clone();
                let run = run.clone();
                let key = base + file % files;
                async move {
                    if write {
                        raw_set(connection, &run, key, size).await
                    } else {
                        raw_get(connection, &run, key, size).await
                    }
                }
            },
        )
    };
    let (_, raw_set_result) = raw(true).await;
    let (_, raw_get_result) = raw(false).await;
    raw_delete(&mut connections[0].clone(), &run, base, files, size).await;

    ThroughputRow {
        file_mib: size_mib,
        clients,
        upload_to_raw: upload.megabytes_per_second / raw_set_result.megabytes_per_second,
        download_to_raw: download.megabytes_per_second / raw_get_result.megabytes_per_second,
        upload,
        download,
        raw_set: raw_set_result,
        raw_get: raw_get_result,
    }
}

/// Samples a process's RSS every 50 ms on a thread of its own (a busy runtime must not
/// skip samples), keeping the peak since the last [`RssSampler::take_peak`].
struct RssSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    samples: Arc<AtomicU64>,
    thread: std::thread::JoinHandle<()>,
}

impl RssSampler {
    fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let samples = Arc::new(AtomicU64::new(0));
        let thread = {
            let (stop, peak, samples) = (stop.clone(), peak.clone(), samples.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                    samples.fetch_add(1, Ordering::Relaxed);
                    std::thread::sleep(Duration::from_millis(50));
                }
            })
        };
        Self {
            stop,
            peak,
            samples,
            thread,
        }
    }

    /// The peak RSS (KiB) since the last call, or since the start.
    fn take_peak(&self) -> u64 {
        self.peak.swap(0, Ordering::Relaxed)
    }

    /// Stops sampling; how many samples were taken.
    fn stop(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
        self.samples.load(Ordering::Relaxed)
    }
}

/// File chunk hashes (`f:{…}`) left in Redis, whatever the key prefix.
async fn file_hashes(connection: &mut redis::aio::MultiplexedConnection) -> usize {
    let mut cursor = 0u64;
    let mut found = 0;
    loop {
        let (next, keys): (u64, Vec<Vec<u8>>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg("*f:{*")
            .arg("COUNT")
            .arg(1000)
            .arg("TYPE")
            .arg("hash")
            .query_async(connection)
            .await
            .expect("SCAN");
        found += keys.len();
        if next == 0 {
            return found;
        }
        cursor = next;
    }
}

/// Waits until no file chunks are left, at most `limit`; whether they went.
async fn until_no_file_hashes(
    connection: &mut redis::aio::MultiplexedConnection,
    limit: Duration,
) -> bool {
    let deadline = Instant::now() + limit;
    while file_hashes(connection).await > 0 {
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    true
}

/// What Redis holds: all its memory, the data's share of it (without client buffers and
/// other overhead, which come and go with traffic), and its keys.
#[derive(Debug, Clone, Copy, Serialize)]
struct RedisMemory {
    used_memory: u64,
    used_memory_dataset: u64,
    keys: u64,
}

impl RedisMemory {
    async fn read(connection: &mut redis::aio::MultiplexedConnection) -> Self {
        let info: String = redis::cmd("INFO")
            .arg("memory")
            .query_async(connection)
            .await
            .expect("INFO memory");
        let keys = redis::cmd("DBSIZE")
            .query_async(connection)
            .await
            .expect("DBSIZE");
        Self {
            used_memory: info_field(&info, "used_memory"),
            used_memory_dataset: info_field(&info, "used_memory_dataset"),
            keys,
        }
    }

    /// Once `used_memory` stops moving (a lazy free may still be under way).
    async fn settled(connection: &mut redis::aio::MultiplexedConnection) -> Self {
        let mut last = Self::read(connection).await;
        for _ in 0..25 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let now = Self::read(connection).await;
            if now.used_memory.abs_diff(last.used_memory) < 64 * 1024 {
                return now;
            }
            last = now;
        }
        last
    }
}

/// The RSS and Redis memory figures.
#[derive(Debug, Serialize)]
struct MemoryReport {
    files: usize,
    file_mib: u64,
    rss_samples: u64,
    rss_idle_kib: u64,
    rss_peak_uploading_kib: u64,
    rss_peak_downloading_kib: u64,
    rss_peak_over_idle_kib: u64,
    stored_bytes: u64,
    redis_baseline: RedisMemory,
    redis_loaded: RedisMemory,
    redis_after: RedisMemory,
    /// (loaded − baseline) / stored bytes.
    redis_per_stored_byte: f64,
    /// The same for the same chunks stored by raw `SET`.
    raw_per_stored_byte: f64,
    /// After − baseline: `used_memory`, `used_memory_dataset`, keys.
    redis_after_minus_baseline: (i64, i64, i64),
    /// Seconds from the last download's end until no chunks were left.
    chunks_gone_after_seconds: Option<f64>,
    /// The same files' throughput, all at once.
    throughput: ThroughputRow,
}

/// `files` files of 25 MiB up and down at once: RSS sampled throughout, Redis memory
/// before, loaded and after. Runs first, on a server that has done nothing else.
async fn memory_and_rss(
    server: SocketAddr,
    server_pid: u32,
    redis_url: &str,
    probe: &CpuProbe,
    options: &FileOptions,
) -> MemoryReport {
    let mut redis = raw_connections(redis_url, 1).await.remove(0);
    let (file_mib, files) = (25, options.memory_files);
    let at_least = options.at_least;
    let size = file_mib * MIB;
    let window = Duration::from_secs(options.download_seconds);
    let base = 500_000;

    // One small file through, so the idle figure is a server that has served files.
    if let Ok(key) = upload(server, base - 1, MIB).await {
        let _ = download(server, &key, base - 1, MIB).await;
    }
    until_no_file_hashes(&mut redis, window + Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_idle_kib = rss_kib(server_pid);
    let redis_baseline = RedisMemory::settled(&mut redis).await;

    let sampler = RssSampler::start(server_pid);
    let (keys, upload_result) = timed(files, files, Duration::ZERO, size, probe, move |_, file| {
        upload(server, base + file, size)
    })
    .await;
    let rss_peak_uploading_kib = sampler.take_peak();
    let redis_loaded = RedisMemory::settled(&mut redis).await;
    let stored_bytes = keys.iter().filter(|key| key.is_some()).count() as u64 * size;
    let keys = Arc::new(keys);
    let (_, download_result) = timed(files, files, Duration::ZERO, size, probe, move |_, file| {
        let keys = keys.clone();
        async move {
            let Some(key) = keys[file].clone() else {
                return Err("not uploaded".to_owned());
            };
            download(server, &key, base + file, size).await
        }
    })
    .await;
    let rss_peak_downloading_kib = sampler.take_peak();
    let rss_samples = sampler.stop();
    let downloaded = Instant::now();
    // Every file is revealed; its chunks stay for the download window, then go.
    tokio::time::sleep(window).await;
    let gone = until_no_file_hashes(&mut redis, Duration::from_secs(30)).await;
    let chunks_gone_after_seconds = gone.then(|| downloaded.elapsed().as_secs_f64());
    let redis_after = RedisMemory::settled(&mut redis).await;

    // The same chunks as raw values, for Redis' own cost per stored byte.
    let connections = Arc::new(raw_connections(redis_url, files).await);
    let raw_baseline = RedisMemory::settled(&mut redis).await;
    let (_, raw_set_result) = {
        let connections = connections.clone();
        timed(files, files, at_least, size, probe, move |client, file| {
            let connection = connections[client].clone();
            async move { raw_set(connection, "memory", base + file % files, size).await }
        })
        .await
    };
    let raw_loaded = RedisMemory::settled(&mut redis).await;
    let (_, raw_get_result) = {
        let connections = connections.clone();
        timed(files, files, at_least, size, probe, move |client, file| {
            let connection = connections[client].clone();
            async move { raw_get(connection, "memory", base + file % files, size).await }
        })
        .await
    };
    raw_delete(&mut redis, "memory", base, files, size).await;

    let peak = rss_peak_uploading_kib.max(rss_peak_downloading_kib);
    MemoryReport {
        files,
        file_mib,
        rss_samples,
        rss_idle_kib,
        rss_peak_uploading_kib,
        rss_peak_downloading_kib,
        rss_peak_over_idle_kib: peak.saturating_sub(rss_idle_kib),
        stored_bytes,
        redis_baseline,
        redis_loaded,
        redis_after,
        redis_per_stored_byte: redis_loaded
            .used_memory
            .saturating_sub(redis_baseline.used_memory) as f64
            / stored_bytes.max(1) as f64,
        raw_per_stored_byte: raw_loaded
            .used_memory
            .saturating_sub(raw_baseline.used_memory) as f64
            / (files as u64 * size) as f64,
        redis_after_minus_baseline: (
            redis_after.used_memory as i64 - redis_baseline.used_memory as i64,
            redis_after.used_memory_dataset as i64 - redis_baseline.used_memory_dataset as i64,
            redis_after.keys as i64 - redis_baseline.keys as i64,
        ),
        chunks_gone_after_seconds,
        throughput: ThroughputRow {
            file_mib,
            clients: files,
            upload_to_raw: upload_result.megabytes_per_second / raw_set_result.megabytes_per_second,
            download_to_raw: download_result.megabytes_per_second
                / raw_get_result.megabytes_per_second,
            upload: upload_result,
            download: download_result,
            raw_set: raw_set_result,
            raw_get: raw_get_result,
        },
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn failures_of(row: &ThroughputRow) -> String {
    let mut all = Failures::new();
    for step in [&row.upload, &row.download, &row.raw_set, &row.raw_get] {
        for (failure, count) in &step.failures {
            *all.entry(failure.clone()).or_default() += count;
        }
    }
    if all.is_empty() {
        "none".to_owned()
    } else {
        format!("{all:?}")
    }
}

/// Runs the scenario, prints its tables, and returns its figures for `--json`.
pub async fn run(
    server: SocketAddr,
    server_pid: u32,
    redis_url: &str,
    probe: &CpuProbe,
    options: &FileOptions,
) -> Value {
    // Memory first: the idle RSS and the Redis baseline of a server that has done
    // nothing else.
    let memory = memory_and_rss(server, server_pid, redis_url, probe, options).await;
    let mut rows = Vec::new();
    for &size_mib in &options.sizes_mib {
        for clients in [1, options.parallel] {
            rows.push(
                throughput_row(
                    server,
                    redis_url,
                    probe,
                    size_mib,
                    clients,
                    options.mib_per_run,
                    options.at_least,
                )
                .await,
            );
        }
    }
    let all_rows = rows.iter().chain(std::iter::once(&memory.throughput));

    println!(
        "\nfiles: plain uploads (start, chunk PUTs of {} bytes, finish) and downloads (reveal, streamed GET), \
         every byte checked;\nraw = Redis SET / GET of the same values, same clients. MB = 10^6 bytes.",
        chunk_bytes()
    );
    println!(
        "{:<8} {:>7} {:>5} | {:>10} {:>10} {:>6} | {:>10} {:>10} {:>6} | failures",
        "file", "clients", "files", "upload", "raw SET", "ratio", "download", "raw GET", "ratio"
    );
    for row in all_rows.clone() {
        println!(
            "{:<8} {:>7} {:>5} | {:>10.1} {:>10.1} {:>6.2} | {:>10.1} {:>10.1} {:>6.2} | {}",
            format!("{} MiB", row.file_mib),
            row.clients,
            row.upload.files,
            row.upload.megabytes_per_second,
            row.raw_set.megabytes_per_second,
            row.upload_to_raw,
            row.download.megabytes_per_second,
            row.raw_get.megabytes_per_second,
            row.download_to_raw,
            failures_of(row)
        );
    }
    println!("(upload, download, raw SET, raw GET in MB/s; ratio = burnbox / raw, target ≥ 0.5)");

    println!(
        "\n{:<26} {:>10} {:>10} {:>10} {:>12}",
        "CPU ms per MB", "load gen", "burnbox", "redis", "redis cmds"
    );
    for row in all_rows {
        for (step, throughput) in [
            ("upload", &row.upload),
            ("download", &row.download),
            ("raw SET", &row.raw_set),
            ("raw GET", &row.raw_get),
        ] {
            if let Some(cpu) = throughput.cpu_ms_per_mb {
                println!(
                    "{:<26} {:>10.2} {:>10.2} {:>10.2} {:>12.2}",
                    format!("{} MiB × {} {step}", row.file_mib, row.clients),
                    cpu.load_generator,
                    cpu.server,
                    cpu.redis,
                    cpu.redis_commands
                );
            }
        }
    }

    let m = &memory;
    println!(
        "\nserver RSS while {} × {} MiB files upload at once, then download at once ({} samples, 50 ms apart):",
        m.files, m.file_mib, m.rss_samples
    );
    println!(
        "  idle {:.1} MiB | peak uploading {:.1} MiB | peak downloading {:.1} MiB | peak − idle {:.1} MiB (bound: < 64 MiB)",
        mib(m.rss_idle_kib),
        mib(m.rss_peak_uploading_kib),
        mib(m.rss_peak_downloading_kib),
        mib(m.rss_peak_over_idle_kib)
    );
    println!(
        "Redis used_memory with those files stored (not revealed), then revealed and their download window ({} s) past:",
        options.download_seconds
    );
    println!(
        "  {:<16} {:>14} {:>14} {:>8}",
        "", "used_memory", "dataset", "keys"
    );
    for (name, memory) in [
        ("baseline", &m.redis_baseline),
        ("loaded", &m.redis_loaded),
        ("after", &m.redis_after),
    ] {
        println!(
            "  {:<16} {:>14} {:>14} {:>8}",
            name, memory.used_memory, memory.used_memory_dataset, memory.keys
        );
    }
    let (used, dataset, keys) = m.redis_after_minus_baseline;
    println!(
        "  {:<16} {:>14} {:>14} {:>8}",
        "after − baseline", used, dataset, keys
    );
    println!(
        "  (loaded − baseline) / stored bytes: {:.3} (raw SET of the same chunks: {:.3}); chunks gone {} after the downloads",
        m.redis_per_stored_byte,
        m.raw_per_stored_byte,
        m.chunks_gone_after_seconds
            .map_or_else(|| "NOT within 30 s".to_owned(), |s| format!("{s:.1} s"))
    );

    json!({ "throughput": rows, "memory": memory })
}
