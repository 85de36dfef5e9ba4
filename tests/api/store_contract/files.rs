//! The storage contract of file secrets, on every backend: an upload's chunks come in
//! order and become a secret only when complete; a take hands a file out only with a
//! download window, for which its chunks stay; a burn removes them at once; an abandoned
//! upload leaves nothing behind. On Redis the tests also look at the keys themselves.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use burnbox::crypto::Views;
use burnbox::domain::{ClientKey, RecordRef, SecretFate, UploadKey};
use burnbox::store::redis::{AckReplicas, RedisOptions, RedisTopology};
use burnbox::store::{
    Attempt, Burn, BurnBy, ChunkStored, MemoryStore, NewChunk, NewUpload, RedisStore, Store,
    StoreError, Take, TakeGuard, Taken, Upload, UploadFinished,
};
use redis::FromRedisValue;

use super::{
    GRACE, Stored, another_round, fate, kept, race_takes_with, redis_prefixed, seal_one,
    unique_prefix,
};
use crate::helpers::{RedisServer, SHARED_CLUSTER, SHARED_REDIS_URL, redis_cli};

/// A store under test, and on Redis a way to look at its keys.
struct Under {
    store: Arc<dyn Store>,
    redis: Option<Keys>,
}

/// The Redis keys of one test (its own prefix) on one server or a cluster.
struct Keys {
    prefix: String,
    nodes: Vec<String>,
    cluster: bool,
}

impl Under {
    fn memory() -> Self {
        Self {
            store: Arc::new(MemoryStore::new(GRACE)),
            redis: None,
        }
    }

    fn redis() -> Self {
        Self::on(vec![SHARED_REDIS_URL.clone()], false)
    }

    fn cluster() -> Self {
        Self::on(SHARED_CLUSTER.nodes(), true)
    }

    fn on(nodes: Vec<String>, cluster: bool) -> Self {
        let prefix = unique_prefix("files");
        let topology = if cluster {
            RedisTopology::Cluster(nodes.clone())
        } else {
            RedisTopology::Single(nodes[0].clone())
        };
        Self {
            store: redis_prefixed(topology, &prefix),
            redis: Some(Keys {
                prefix,
                nodes,
                cluster,
            }),
        }
    }
}

impl Keys {
    /// The key of `kind` (`f` chunks, `u` upload, `s` secret) for `record`.
    fn name(&self, record: &RecordRef, kind: &str) -> String {
        let [high, low] = record.tag;
        format!(
            "{}{{{high:02x}{low:02x}}}{kind}:{}",
            self.prefix,
            URL_SAFE_NO_PAD.encode(record.lookup)
        )
    }

    async fn query<T: FromRedisValue>(&self, command: &redis::Cmd) -> T {
        if self.cluster {
            let client = redis::cluster::ClusterClient::new(self.nodes.clone()).expect("nodes");
            let mut connection = client.get_async_connection().await.expect("connects");
            command.query_async(&mut connection).await.expect("answers")
        } else {
            let client = redis::Client::open(self.nodes[0].as_str()).expect("url");
            let mut connection = client
                .get_multiplexed_async_connection()
                .await
                .expect("connects");
            command.query_async(&mut connection).await.expect("answers")
        }
    }

    /// Milliseconds the key of `kind` for `record` has left (-2: none, -1: no expiry).
    async fn pttl(&self, record: &RecordRef, kind: &str) -> i64 {
        self.query(redis::cmd("PTTL").arg(self.name(record, kind)))
            .await
    }

    async fn exists(&self, record: &RecordRef, kind: &str) -> bool {
        self.query(redis::cmd("EXISTS").arg(self.name(record, kind)))
            .await
    }

    /// Every key under the prefix, on every node (`SCAN`, which skips expired keys).
    async fn all(&self) -> Vec<String> {
        let mut keys = Vec::new();
        for node in &self.nodes {
            let client = redis::Client::open(node.as_str()).expect("url");
            let mut connection = client
                .get_multiplexed_async_connection()
                .await
                .expect("connects");
            let mut cursor = 0u64;
            loop {
                let (next, found): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(format!("{}*", self.prefix))
                    .arg("COUNT")
                    .arg(1000)
                    .query_async(&mut connection)
                    .await
                    .expect("scan");
                keys.extend(found);
                if next == 0 {
                    break;
                }
                cursor = next;
            }
        }
        keys
    }
}

/// Each scenario on Redis, memory and Cluster, as `$name::redis`, `::memory`, `::cluster`.
macro_rules! files_contract {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn redis() {
                super::$name(super::Under::redis()).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn memory() {
                super::$name(super::Under::memory()).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn cluster() {
                super::$name(super::Under::cluster()).await;
            }
        }
    };
}

fn a_file(max: u8) -> Views {
    Views {
        max,
        viewer_may_burn: true,
        file: true,
        ..Views::ONCE
    }
}

/// A file secret sealed (header flag bit 6), its upload's key under the same tag, and
/// the chunks it will carry.
struct FileSecret {
    stored: Stored,
    upload: RecordRef,
    chunks: Vec<Vec<u8>>,
}

impl FileSecret {
    fn new(protected: bool, ttl_seconds: u64, views: Views, chunks: &[&[u8]]) -> Self {
        let tag = ClientKey::generate_tag();
        Self {
            stored: seal_one(tag, protected, ttl_seconds, views, None),
            upload: UploadKey::new(ClientKey::generate(tag)).record(),
            chunks: chunks.iter().map(|chunk| chunk.to_vec()).collect(),
        }
    }

    fn secret(&self) -> RecordRef {
        self.stored.secret
    }

    fn expires_at(&self) -> u64 {
        burnbox::domain::time::now_unix() + self.stored.ttl_seconds
    }

    async fn start(&self, store: &dyn Store, declared_bytes: u64) {
        store
            .start_upload(&NewUpload {
                upload: self.upload,
                state: b"opaque state",
                declared_bytes,
                expires_at: self.expires_at(),
            })
            .await
            .expect("started");
    }

    /// Puts chunk `index` carrying `chunk` (its plain length is its length).
    async fn put(&self, store: &dyn Store, index: u32, chunk: &[u8]) -> ChunkStored {
        store
            .put_chunk(&NewChunk {
                upload: self.upload,
                secret: self.secret(),
                index,
                sealed: chunk,
                plain_len: chunk.len() as u64,
                expires_at: self.expires_at(),
            })
            .await
            .expect("put")
    }

    /// Finishes the upload once `bytes` have come.
    async fn finish(&self, store: &dyn Store, bytes: u64) -> UploadFinished {
        store
            .finish_upload(&self.upload, &self.stored.new_secret(), bytes)
            .await
            .expect("finish")
    }

    /// Started, every chunk put, finished.
    async fn store(self, store: &dyn Store) -> Self {
        let declared = self.chunks.iter().map(Vec::len).sum::<usize>() as u64;
        self.start(store, declared).await;
        for (index, chunk) in self.chunks.iter().enumerate() {
            let index = u32::try_from(index).expect("few chunks");
            assert!(matches!(
                self.put(store, index, chunk).await,
                ChunkStored::Stored { .. }
            ));
        }
        assert_eq!(self.finish(store, declared).await, UploadFinished::Created);
        self
    }

    async fn chunks_readable(&self, store: &dyn Store) -> bool {
        store
            .read_chunk(&self.secret(), 0)
            .await
            .expect("read")
            .is_some()
    }
}

async fn stored_file(
    store: &dyn Store,
    protected: bool,
    ttl_seconds: u64,
    views: Views,
) -> FileSecret {
    FileSecret::new(protected, ttl_seconds, views, &[b"first chunk", b"second"])
        .store(store)
        .await
}

/// A take that allows files, their chunks kept `window_ms` after it.
fn with_window(window_ms: u64) -> Take {
    Take {
        file_window_ms: Some(window_ms),
        ..TakeGuard::Any.into()
    }
}

async fn an_upload_takes_chunks_in_order_and_becomes_a_secret_when_complete(under: Under) {
    let store = &*under.store;
    let file = FileSecret::new(false, 60, a_file(1), &[]);
    let secret = file.secret();
    assert_eq!(store.upload(&file.upload).await.expect("upload"), None);
    assert_eq!(file.put(store, 0, b"early").await, ChunkStored::Missing);
    file.start(store, 30).await;
    let counts = |chunks, bytes| Upload {
        state: b"opaque state".to_vec(),
        declared_bytes: 30,
        chunks,
        bytes,
    };
    assert_eq!(
        store.upload(&file.upload).await.expect("upload"),
        Some(counts(0, 0))
    );
    assert_eq!(
        file.put(store, 1, b"too soon").await,
        ChunkStored::OutOfOrder { expected: 0 }
    );
    let stored = |chunks, bytes| ChunkStored::Stored { chunks, bytes };
    assert_eq!(file.put(store, 0, b"chunk zero").await, stored(1, 10));
    if let Some(redis) = &under.redis {
        // The chunks' hash expires with the secret, from its first chunk on.
        let ttl = redis.pttl(&secret, "f").await;
        assert!((55_000..=60_000).contains(&ttl), "{ttl}");
    }
    // A retry of the last chunk replaces it, and its bytes in the count.
    assert_eq!(file.put(store, 0, b"chunk 0!").await, stored(1, 8));
    assert_eq!(file.put(store, 1, b"chunk one!").await, stored(2, 18));
    assert_eq!(file.put(store, 1, b"one!!").await, stored(2, 13));
    for index in [0, 3] {
        assert_eq!(
            file.put(store, index, b"astray").await,
            ChunkStored::OutOfOrder { expected: 2 }
        );
    }
    // Past the 30 declared bytes, as a new chunk or as a retry: nothing stored.
    assert_eq!(
        file.put(store, 2, &[b'x'; 18]).await,
        ChunkStored::ExceedsDeclared
    );
    assert_eq!(
        file.put(store, 1, &[b'y'; 23]).await,
        ChunkStored::ExceedsDeclared
    );
    assert_eq!(
        store.upload(&file.upload).await.expect("upload"),
        Some(counts(2, 13))
    );
    assert_eq!(store.read_chunk(&secret, 2).await.expect("read"), None);
    assert_eq!(
        store.read_chunk(&secret, 1).await.expect("read").as_deref(),
        Some(&b"one!!"[..])
    );

    // Incomplete: nothing to reveal, and the upload goes on.
    assert_eq!(
        file.finish(store, 30).await,
        UploadFinished::Incomplete {
            chunks: 2,
            bytes: 13
        }
    );
    assert_eq!(
        store
            .take_secret_with(&secret, &with_window(60_000), 1)
            .await
            .expect("take"),
        Taken::Missing
    );
    assert_eq!(store.peek_secret(&secret).await.expect("peek"), None);
    assert_eq!(file.put(store, 2, &[b'z'; 17]).await, stored(3, 30));

    assert_eq!(file.finish(store, 30).await, UploadFinished::Created);
    assert_eq!(store.upload(&file.upload).await.expect("upload"), None);
    assert_eq!(file.finish(store, 30).await, UploadFinished::Missing);
    assert_eq!(file.put(store, 2, b"late").await, ChunkStored::Missing);
    assert_eq!(file.put(store, 3, b"late").await, ChunkStored::Missing);
    if let Some(redis) = &under.redis {
        assert!(!redis.exists(&file.upload, "u").await, "the upload is gone");
    }
    assert_eq!(fate(store, &file.stored.receipt).await, SecretFate::Pending);
    assert_eq!(
        store
            .take_secret_with(&secret, &with_window(60_000), 2)
            .await
            .expect("take"),
        Taken::Sealed {
            sealed: file.stored.sealed.clone(),
            views_left: 0,
            replayed: false
        }
    );
    let mut read = Vec::new();
    for index in 0..4 {
        read.push(store.read_chunk(&secret, index).await.expect("read"));
    }
    assert_eq!(
        read,
        [
            Some(b"chunk 0!".to_vec()),
            Some(b"one!!".to_vec()),
            Some(vec![b'z'; 17]),
            None
        ]
    );
}
files_contract!(an_upload_takes_chunks_in_order_and_becomes_a_secret_when_complete);

/// A stream the server reads itself declares a bound, not a size: it finishes with the
/// bytes that came, which must be exactly those received, in one chunk at least (an
/// empty file is one empty chunk).
async fn an_upload_finishes_with_exactly_the_bytes_received(under: Under) {
    let store = &*under.store;
    let streamed = FileSecret::new(false, 60, a_file(1), &[]);
    streamed.start(store, 100).await;
    assert!(matches!(
        streamed.put(store, 0, b"ten bytes!").await,
        ChunkStored::Stored { .. }
    ));
    for expected in [100, 11, 9] {
        assert_eq!(
            streamed.finish(store, expected).await,
            UploadFinished::Incomplete {
                chunks: 1,
                bytes: 10
            }
        );
    }
    assert_eq!(streamed.finish(store, 10).await, UploadFinished::Created);
    assert!(streamed.chunks_readable(store).await);

    let empty = FileSecret::new(false, 60, a_file(1), &[]);
    empty.start(store, 16).await;
    assert_eq!(
        empty.finish(store, 0).await,
        UploadFinished::Incomplete {
            chunks: 0,
            bytes: 0
        },
        "no chunk came"
    );
    assert_eq!(
        empty.put(store, 0, b"").await,
        ChunkStored::Stored {
            chunks: 1,
            bytes: 0
        }
    );
    assert_eq!(empty.finish(store, 0).await, UploadFinished::Created);
    assert_eq!(
        store.read_chunk(&empty.secret(), 0).await.expect("read"),
        Some(Vec::new())
    );
}
files_contract!(an_upload_finishes_with_exactly_the_bytes_received);

async fn a_take_without_a_download_window_leaves_a_file_alone(under: Under) {
    let store = &*under.store;
    let file = stored_file(store, false, 60, a_file(2)).await;
    let secret = file.secret();
    let first = kept(&file.stored, "first");
    let refused = Take {
        kept: Some(first),
        ..TakeGuard::Any.into()
    };
    assert_eq!(
        store
            .take_secret_with(&secret, &refused, 1)
            .await
            .expect("take"),
        Taken::FileRefused
    );
    assert_eq!(
        store.peek_secret(&secret).await.expect("peek"),
        Some(file.stored.sealed.clone()),
        "nothing was taken"
    );
    assert_eq!(store.views_taken(&secret).await.expect("views"), 0);
    assert_eq!(
        store.kept_answer(&secret, &first).await.expect("kept"),
        None
    );
    assert!(file.chunks_readable(store).await);

    // Taken with a window and kept: a replay without one is refused too.
    let allowed = Take {
        file_window_ms: Some(60_000),
        ..refused
    };
    assert!(matches!(
        store.take_secret_with(&secret, &allowed, 2).await,
        Ok(Taken::Sealed {
            views_left: 1,
            replayed: false,
            ..
        })
    ));
    assert_eq!(
        store
            .take_secret_with(&secret, &refused, 3)
            .await
            .expect("take"),
        Taken::FileRefused
    );
    assert!(matches!(
        store.take_secret_with(&secret, &allowed, 4).await,
        Ok(Taken::Sealed { replayed: true, .. })
    ));
    assert_eq!(store.views_taken(&secret).await.expect("views"), 1);
}
files_contract!(a_take_without_a_download_window_leaves_a_file_alone);

async fn after_the_last_view_the_chunks_live_for_the_download_window(under: Under) {
    let store = &*under.store;
    let file = stored_file(store, false, 60, a_file(1)).await;
    assert!(matches!(
        store
            .take_secret_with(&file.secret(), &with_window(300), 1)
            .await,
        Ok(Taken::Sealed { views_left: 0, .. })
    ));
    if let Some(redis) = &under.redis {
        let ttl = redis.pttl(&file.secret(), "f").await;
        assert!((1..=300).contains(&ttl), "{ttl}");
    }
    assert!(file.chunks_readable(store).await, "downloadable at first");
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert!(!file.chunks_readable(store).await, "gone after the window");
    if let Some(redis) = &under.redis {
        assert!(!redis.exists(&file.secret(), "f").await);
    }
}
files_contract!(after_the_last_view_the_chunks_live_for_the_download_window);

async fn a_view_before_the_last_lengthens_the_chunks_life_but_never_shortens_it(under: Under) {
    let store = &*under.store;
    // Never shortens: the other views still need the chunks until the secret expires.
    let long = stored_file(store, false, 60, a_file(2)).await;
    assert!(matches!(
        store
            .take_secret_with(&long.secret(), &with_window(300), 1)
            .await,
        Ok(Taken::Sealed { views_left: 1, .. })
    ));
    // Lengthens: the download outlives the secret's own expiry.
    let brief = stored_file(store, false, 2, a_file(2)).await;
    assert!(matches!(
        store
            .take_secret_with(&brief.secret(), &with_window(5_000), 1)
            .await,
        Ok(Taken::Sealed { views_left: 1, .. })
    ));
    if let Some(redis) = &under.redis {
        let ttl = redis.pttl(&long.secret(), "f").await;
        assert!(ttl > 55_000, "{ttl}");
        let ttl = redis.pttl(&brief.secret(), "f").await;
        assert!((4_000..=5_000).contains(&ttl), "{ttl}");
    }
    tokio::time::sleep(Duration::from_millis(2_600)).await;
    assert!(long.chunks_readable(store).await, "not shortened");
    assert_eq!(
        store.peek_secret(&brief.secret()).await.expect("peek"),
        None,
        "the secret itself expired"
    );
    assert!(brief.chunks_readable(store).await, "lengthened");
}
files_contract!(a_view_before_the_last_lengthens_the_chunks_life_but_never_shortens_it);

/// A replay of a kept answer hands out a new download: the chunks are kept for its window
/// (never shortened), whether it comes through a take or a passphrase reveal's read.
async fn a_replayed_view_keeps_the_chunks_for_its_download(under: Under) {
    let store = &*under.store;
    let file = stored_file(store, false, 60, a_file(1)).await;
    let secret = file.secret();
    let answer = kept(&file.stored, "replayed");
    let take = |window_ms| Take {
        kept: Some(answer),
        ..with_window(window_ms)
    };
    assert!(matches!(
        store.take_secret_with(&secret, &take(300), 1).await,
        Ok(Taken::Sealed {
            views_left: 0,
            replayed: false,
            ..
        })
    ));
    let read_back = |window| store.kept_answer_with(&secret, &answer, window);
    assert!(read_back(None).await.expect("kept").is_some());
    if let Some(redis) = &under.redis {
        let ttl = redis.pttl(&secret, "f").await;
        assert!((1..=300).contains(&ttl), "left as it was: {ttl}");
    }
    assert!(read_back(Some(1_000)).await.expect("kept").is_some());
    if let Some(redis) = &under.redis {
        let ttl = redis.pttl(&secret, "f").await;
        assert!((300..=1_000).contains(&ttl), "{ttl}");
    }
    tokio::time::sleep(Duration::from_millis(450)).await;
    assert!(file.chunks_readable(store).await, "kept by the read back");
    assert!(matches!(
        store.take_secret_with(&secret, &take(5_000), 2).await,
        Ok(Taken::Sealed { replayed: true, .. })
    ));
    // A shorter window later never shortens it.
    assert!(read_back(Some(100)).await.expect("kept").is_some());
    if let Some(redis) = &under.redis {
        let ttl = redis.pttl(&secret, "f").await;
        assert!((4_000..=5_000).contains(&ttl), "{ttl}");
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(file.chunks_readable(store).await, "kept by the replay");
}
files_contract!(a_replayed_view_keeps_the_chunks_for_its_download);

async fn a_burn_removes_the_chunks_at_once(under: Under) {
    let store = &*under.store;
    // Even after a view that kept them for its download.
    let owned = stored_file(store, false, 60, a_file(2)).await;
    assert!(matches!(
        store
            .take_secret_with(&owned.secret(), &with_window(60_000), 1)
            .await,
        Ok(Taken::Sealed { views_left: 1, .. })
    ));
    let viewed = stored_file(store, false, 60, a_file(1)).await;
    assert!(owned.chunks_readable(store).await && viewed.chunks_readable(store).await);
    assert!(store.burn_secret(&owned.secret(), 2).await.expect("burn"));
    assert_eq!(
        store
            .burn_secret_by(&viewed.secret(), BurnBy::Viewer(None), 2)
            .await
            .expect("burn"),
        Burn::Burned
    );
    for file in [&owned, &viewed] {
        assert!(!file.chunks_readable(store).await);
        assert_eq!(
            fate(store, &file.stored.receipt).await,
            SecretFate::Burned(2)
        );
        if let Some(redis) = &under.redis {
            assert!(!redis.exists(&file.secret(), "f").await);
        }
    }
}
files_contract!(a_burn_removes_the_chunks_at_once);

async fn failed_passphrase_attempts_at_the_limit_remove_the_chunks(under: Under) {
    let store = &*under.store;
    let file = stored_file(store, true, 60, a_file(1)).await;
    for left in [2, 1] {
        assert_eq!(
            store
                .record_failed_attempt(&file.secret(), 3, 5)
                .await
                .expect("attempt"),
            Attempt::Remaining(left)
        );
        assert!(file.chunks_readable(store).await);
    }
    assert_eq!(
        store
            .record_failed_attempt(&file.secret(), 3, 5)
            .await
            .expect("attempt"),
        Attempt::Burned
    );
    assert!(!file.chunks_readable(store).await);
    if let Some(redis) = &under.redis {
        assert!(!redis.exists(&file.secret(), "f").await);
    }
}
files_contract!(failed_passphrase_attempts_at_the_limit_remove_the_chunks);

async fn an_abandoned_upload_leaves_nothing_behind(under: Under) {
    let store = &*under.store;
    let file = FileSecret::new(false, 2, a_file(1), &[]);
    file.start(store, 100).await;
    for (index, chunk) in [&b"never"[..], b"finished"].into_iter().enumerate() {
        let index = u32::try_from(index).expect("two");
        assert!(matches!(
            file.put(store, index, chunk).await,
            ChunkStored::Stored { .. }
        ));
    }
    if let Some(redis) = &under.redis {
        assert_eq!(redis.all().await.len(), 2, "the upload and its chunks");
    }
    assert!(file.chunks_readable(store).await);
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    if let Some(redis) = &under.redis {
        assert_eq!(redis.all().await, Vec::<String>::new());
    }
    assert!(!file.chunks_readable(store).await);
    assert_eq!(store.upload(&file.upload).await.expect("upload"), None);
    assert_eq!(file.put(store, 2, b"late").await, ChunkStored::Missing);
}
files_contract!(an_abandoned_upload_leaves_nothing_behind);

/// 16 readers racing for a one-view file, round after round: one winner each time.
async fn racing_readers_take_a_file_once(under: Under) {
    let (started, mut round) = (std::time::Instant::now(), 0);
    while another_round(round, started) {
        round += 1;
        let file = stored_file(&*under.store, false, 60, a_file(1)).await;
        let taken = race_takes_with(&under.store, file.secret(), 16, with_window(60_000)).await;
        let winners = taken
            .iter()
            .filter(|taken| matches!(taken, Taken::Sealed { .. }))
            .count();
        let others: Vec<&Taken> = taken
            .iter()
            .filter(|taken| !matches!(taken, Taken::Sealed { .. } | Taken::Missing))
            .collect();
        assert_eq!((winners, others), (1, vec![]), "round {round}");
    }
}
files_contract!(racing_readers_take_a_file_once);

/// A script may touch an upload and its chunks together only in one hash slot.
async fn an_upload_under_another_tag_than_its_secret_is_refused(under: Under) {
    let store = &*under.store;
    let mut file = FileSecret::new(false, 60, a_file(1), &[]);
    let [high, low] = file.secret().tag;
    file.upload = UploadKey::new(ClientKey::generate([high ^ 1, low])).record();
    file.start(store, 10).await;
    let put = store
        .put_chunk(&NewChunk {
            upload: file.upload,
            secret: file.secret(),
            index: 0,
            sealed: b"chunk",
            plain_len: 5,
            expires_at: file.expires_at(),
        })
        .await;
    assert!(matches!(put, Err(StoreError::Unsupported(_))), "{put:?}");
}
files_contract!(an_upload_under_another_tag_than_its_secret_is_refused);

/// A finish is a create: with no replica to acknowledge it, no key may be handed out; with
/// one, the secret is on the replica before the answer.
#[tokio::test]
async fn a_finish_is_acknowledged_by_the_replicas_like_a_create() {
    let waiting = |url: &str| {
        RedisStore::connect(
            &RedisTopology::Single(url.to_owned()),
            RedisOptions {
                key_prefix: unique_prefix("finish"),
                receipt_grace: GRACE,
                timeout: Duration::from_secs(2),
                ca_pem: None,
                ack_replicas: AckReplicas::Exactly(1),
                ack_timeout: Duration::from_millis(100),
                ack_fsync: false,
            },
        )
        .expect("connects")
    };
    let alone = waiting(&SHARED_REDIS_URL);
    let file = FileSecret::new(false, 60, a_file(1), &[b"chunk"]);
    file.start(&alone, 5).await;
    assert!(matches!(
        file.put(&alone, 0, b"chunk").await,
        ChunkStored::Stored { .. }
    ));
    let finished = alone
        .finish_upload(&file.upload, &file.stored.new_secret(), 5)
        .await;
    assert!(
        matches!(finished, Err(StoreError::CreateNotDurable)),
        "{finished:?}"
    );

    let master = RedisServer::start();
    let replica = RedisServer::replica_of(master.port());
    let witnessed = waiting(&master.url());
    let file = FileSecret::new(false, 60, a_file(1), &[b"chunk"])
        .store(&witnessed)
        .await;
    let keys = redis_cli(replica.port(), &["KEYS", "*"]);
    assert_eq!(
        keys.lines().filter(|key| key.contains("}s:")).count(),
        1,
        "{keys}"
    );
    assert_eq!(
        keys.lines().filter(|key| key.contains("}f:")).count(),
        1,
        "{keys}"
    );
    assert!(file.chunks_readable(&witnessed).await);
}

#[tokio::test]
async fn the_memory_store_sweeps_abandoned_uploads_and_their_chunks() {
    let store = MemoryStore::new(Duration::ZERO);
    let file = FileSecret::new(false, 1, a_file(1), &[]);
    file.start(&store, 10).await;
    file.put(&store, 0, b"chunk").await;
    assert_eq!(store.entry_count(), 2);
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    FileSecret::new(false, 60, a_file(1), &[])
        .start(&store, 10)
        .await;
    assert_eq!(store.entry_count(), 1, "only the new upload is left");
}

/// The chunks' expiry comes from the upload's start, the secret's from its finish: the
/// finish lets the chunks live at least as long as the secret they belong to.
async fn a_finished_file_keeps_its_chunks_as_long_as_its_secret(under: Under) {
    let store = &*under.store;
    let file = FileSecret::new(false, 60, a_file(1), &[]);
    file.start(store, 5).await;
    let soon = burnbox::domain::time::now_unix() + 1;
    let chunk = NewChunk {
        upload: file.upload,
        secret: file.secret(),
        index: 0,
        sealed: b"chunk",
        plain_len: 5,
        expires_at: soon,
    };
    assert!(matches!(
        store.put_chunk(&chunk).await,
        Ok(ChunkStored::Stored { .. })
    ));
    assert_eq!(file.finish(store, 5).await, UploadFinished::Created);
    if let Some(redis) = &under.redis {
        let ttl = redis.pttl(&file.secret(), "f").await;
        assert!(ttl > 55_000, "{ttl}");
    }
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert!(file.chunks_readable(store).await);
}
files_contract!(a_finished_file_keeps_its_chunks_as_long_as_its_secret);
