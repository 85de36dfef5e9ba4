//! Measures how request handlers should share Redis connections.
//!
//! 32 concurrent tasks each loop `SET key value EX 60` + `GETDEL key` for a few seconds,
//! under four arrangements: a deadpool of connections checked out exclusively per pair,
//! one shared multiplexed connection (redis' `ConnectionManager`, what burnbox uses), two
//! managers used round-robin, and deadpool handing out clones of one multiplexed
//! connection. Compare the ratios within one run; absolute numbers depend on the machine.
//!
//! `cargo run --release --example redis_arrangements -- redis://127.0.0.1:6379 [seconds] [clients]`

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use redis::AsyncCommands;
use redis::aio::{ConnectionLike, ConnectionManager};

async fn pair<C: ConnectionLike + Send + Sync>(
    connection: &mut C,
    key: &str,
) -> redis::RedisResult<()> {
    let () = connection.set_ex(key, b"x".repeat(100), 60).await?;
    let _: Option<Vec<u8>> = connection.get_del(key).await?;
    Ok(())
}

async fn measure<F, Fut>(name: &str, clients: usize, seconds: u64, work: F)
where
    F: Fn(usize, String) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = redis::RedisResult<()>> + Send,
{
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let (done, work) = (done.clone(), work.clone());
            tokio::spawn(async move {
                let key = format!("arrangements:{client}");
                while Instant::now() < deadline {
                    work(client, key.clone()).await.expect("redis answers");
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
    let pairs = done.load(Ordering::Relaxed) as f64 / seconds as f64;
    println!(
        "{name:<44} {pairs:>9.0} pairs/s {:>9.0} commands/s",
        pairs * 2.0
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "redis://127.0.0.1:6379".into());
    let seconds: u64 = args.next().map_or(3, |s| s.parse().expect("seconds"));
    let clients: usize = args.next().map_or(32, |s| s.parse().expect("clients"));
    println!("{clients} clients, {seconds} s each, SET EX + GETDEL of 100 bytes\n");

    let pool = deadpool_redis::Config::from_url(&url)
        .builder()
        .expect("pool config")
        .max_size(clients)
        .runtime(deadpool_redis::Runtime::Tokio1)
        .build()
        .expect("pool");
    let exclusive = pool.clone();
    measure(
        "deadpool, exclusive checkout per request",
        clients,
        seconds,
        move |_, key| {
            let pool = exclusive.clone();
            async move { pair(&mut pool.get().await.expect("checkout"), &key).await }
        },
    )
    .await;

    let client = redis::Client::open(url.as_str()).expect("url");
    let manager = ConnectionManager::new(client.clone())
        .await
        .expect("connects");
    measure(
        "one shared multiplexed (ConnectionManager)",
        clients,
        seconds,
        move |_, key| {
            let mut connection = manager.clone();
            async move { pair(&mut connection, &key).await }
        },
    )
    .await;

    let managers = [
        ConnectionManager::new(client.clone())
            .await
            .expect("connects"),
        ConnectionManager::new(client.clone())
            .await
            .expect("connects"),
    ];
    measure(
        "two multiplexed, round-robin",
        clients,
        seconds,
        move |index, key| {
            let mut connection = managers[index % 2].clone();
            async move { pair(&mut connection, &key).await }
        },
    )
    .await;

    let shared = pool.get().await.expect("checkout");
    let multiplexed = (*shared).clone();
    measure(
        "deadpool, clones of one multiplexed",
        clients,
        seconds,
        move |_, key| {
            let mut connection = multiplexed.clone();
            async move { pair(&mut connection, &key).await }
        },
    )
    .await;
}
