//! The storage contract, run against every backend: Redis, Redis Cluster and memory must
//! agree.

use std::sync::Arc;
use std::time::Duration;

use burnbox::crypto::{self, Header, KdfParams, PassphraseSalt, Views};
use burnbox::domain::{
    ClientKey, IdempotencyKey, KeptAnswer, ReceiptKey, ReceiptRecord, RecordRef, SecretFate,
    SecretKey,
};
use burnbox::rate_limit::{CLIENT_ID_BYTES, Limit};
use burnbox::store::redis::{RedisOptions, RedisTopology};
use burnbox::store::{
    Attempt, Burn, BurnBy, MemoryStore, NewSecret, RedisStore, Reservation, Store, Take, TakeGuard,
    Taken,
};

use crate::helpers::{SHARED_CLUSTER, SHARED_REDIS_URL};

mod files;

const GRACE: Duration = Duration::from_secs(60);

fn memory() -> Arc<dyn Store> {
    Arc::new(MemoryStore::new(GRACE))
}

fn redis() -> Arc<dyn Store> {
    redis_on(RedisTopology::Single(SHARED_REDIS_URL.clone()))
}

/// The same contract on a 3-master Redis Cluster: every multi-key step must stay in one
/// hash slot, or the cluster refuses it (CROSSSLOT).
fn cluster() -> Arc<dyn Store> {
    redis_on(RedisTopology::Cluster(SHARED_CLUSTER.nodes()))
}

fn redis_on(topology: RedisTopology) -> Arc<dyn Store> {
    redis_prefixed(topology, &unique_prefix("contract"))
}

/// `name` and a random part, as a key prefix.
fn unique_prefix(name: &str) -> String {
    let random = ClientKey::generate([0, 0]).encode().to_lowercase();
    format!("{name}{}:", random.replace(['-', '_'], "x"))
}

fn redis_prefixed(topology: RedisTopology, prefix: &str) -> Arc<dyn Store> {
    Arc::new(
        RedisStore::connect(
            &topology,
            RedisOptions {
                key_prefix: prefix.to_owned(),
                receipt_grace: GRACE,
                timeout: Duration::from_secs(2),
                ca_pem: None,
                ack_replicas: burnbox::store::redis::AckReplicas::Auto,
                ack_timeout: Duration::from_millis(100),
                ack_fsync: false,
            },
        )
        .expect("connects"),
    )
}

/// Each scenario on Redis, memory and Cluster, as `$name::redis`, `::memory`, `::cluster`.
/// On a multi-thread runtime: the racing scenarios release their takes from many threads
/// at once ([`race_takes`]), which is the only way two takes on the memory store (a std
/// `Mutex`, no `.await` inside) can overlap at all.
macro_rules! contract {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn redis() {
                super::$name(super::redis()).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn memory() {
                super::$name(super::memory()).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn cluster() {
                super::$name(super::cluster()).await;
            }
        }
    };
}

/// `racers` takes of `secret`, each on a thread of its own, held at a barrier and let go
/// together, so they contend for the store at the same instant (on the memory store, for
/// its lock from several cores). Each take's result, in no particular order.
async fn race_takes(store: &Arc<dyn Store>, secret: RecordRef, racers: usize) -> Vec<Taken> {
    race_takes_with(store, secret, racers, TakeGuard::Any.into()).await
}

/// [`race_takes`] with `take` for each racer.
async fn race_takes_with(
    store: &Arc<dyn Store>,
    secret: RecordRef,
    racers: usize,
    take: Take,
) -> Vec<Taken> {
    let barrier = Arc::new(std::sync::Barrier::new(racers));
    let runtime = tokio::runtime::Handle::current();
    let threads: Vec<_> = (0..racers)
        .map(|_| {
            let (store, barrier, runtime) = (store.clone(), barrier.clone(), runtime.clone());
            tokio::task::spawn_blocking(move || {
                barrier.wait();
                runtime.block_on(store.take_secret_with(&secret, &take, 9))
            })
        })
        .collect();
    let mut taken = Vec::new();
    for thread in threads {
        taken.push(thread.await.expect("racer").expect("take"));
    }
    taken
}

/// How long each race is run again, round after round (and at least [`MIN_ROUNDS`]): one
/// round that happens to serialise proves nothing. On the memory store a lost update between
/// two takes (the lock let go and taken again mid-take) shows up within a few hundred rounds,
/// which fit in this time; on Redis, rounds are slower and fewer.
const RACE_FOR: Duration = Duration::from_secs(3);
const MIN_ROUNDS: usize = 10;

/// Whether round `round`, started `started`, should still run.
fn another_round(round: usize, started: std::time::Instant) -> bool {
    round < MIN_ROUNDS || started.elapsed() < RACE_FOR
}

struct Stored {
    secret_key: SecretKey,
    secret: RecordRef,
    receipt: RecordRef,
    sealed: Vec<u8>,
    ttl_seconds: u64,
    max_views: u8,
}

impl Stored {
    /// What stores it, with its receipt.
    fn new_secret(&self) -> NewSecret<'_> {
        NewSecret {
            secret: self.secret,
            receipt: self.receipt,
            sealed: &self.sealed,
            receipt_record: ReceiptRecord {
                created_at: 100,
                expires_at: 100 + self.ttl_seconds,
                secret: self.secret,
                sealed_secret_key: None,
                max_views: self.max_views,
            },
            ttl_seconds: self.ttl_seconds,
        }
    }
}

async fn store_one(store: &dyn Store, protected: bool, ttl_seconds: u64) -> Stored {
    store_viewed(store, protected, ttl_seconds, Views::ONCE).await
}

async fn store_viewed(
    store: &dyn Store,
    protected: bool,
    ttl_seconds: u64,
    views: Views,
) -> Stored {
    store_sealed(store, protected, ttl_seconds, views, None).await
}

async fn store_sealed(
    store: &dyn Store,
    protected: bool,
    ttl_seconds: u64,
    views: Views,
    reveal_verifier: Option<[u8; 32]>,
) -> Stored {
    let stored = seal_one(
        ClientKey::generate_tag(),
        protected,
        ttl_seconds,
        views,
        reveal_verifier,
    );
    store
        .create_secret(&stored.new_secret())
        .await
        .expect("created");
    stored
}

/// A secret sealed under `tag` (its passphrase, if any, is `pw`), not stored yet.
fn seal_one(
    tag: [u8; 2],
    protected: bool,
    ttl_seconds: u64,
    views: Views,
    reveal_verifier: Option<[u8; 32]>,
) -> Stored {
    let secret_key = SecretKey::new(ClientKey::generate(tag));
    let receipt_key = ReceiptKey::new(ClientKey::generate(tag));
    let secret = secret_key.record();
    let salt = protected.then(|| {
        PassphraseSalt::generate(KdfParams {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        })
    });
    let stretched = salt.map(|salt| salt.stretch(b"pw").expect("stretch"));
    // The Redis take times the outcome it leaves by the header's expiry.
    let header = Header {
        expires_at: burnbox::domain::time::now_unix() + ttl_seconds,
        passphrase: salt,
        e2e: reveal_verifier.is_some(),
        views,
        reveal_verifier,
    };
    let sealed = crypto::seal(
        crypto::Sealed::Secret,
        secret_key.key().as_bytes(),
        stretched.as_ref(),
        &header,
        &secret.lookup,
        b"contract",
    );
    Stored {
        secret_key,
        secret,
        receipt: receipt_key.record(),
        sealed,
        ttl_seconds,
        max_views: views.max,
    }
}

async fn fate(store: &dyn Store, receipt: &RecordRef) -> SecretFate {
    store
        .read_receipt(receipt)
        .await
        .expect("read")
        .expect("receipt exists")
        .1
}

async fn a_take_returns_the_bytes_once(store: Arc<dyn Store>) {
    let stored = store_one(&*store, false, 60).await;
    assert_eq!(
        store.peek_secret(&stored.secret).await.expect("peek"),
        Some(stored.sealed.clone())
    );
    assert_eq!(fate(&*store, &stored.receipt).await, SecretFate::Pending);
    let taken = store
        .take_secret(&stored.secret, TakeGuard::Unprotected, 1234)
        .await;
    assert_eq!(taken.expect("take"), last_view(stored.sealed));
    assert_eq!(
        store
            .take_secret(&stored.secret, TakeGuard::Any, 1235)
            .await
            .expect("take"),
        Taken::Missing
    );
    assert_eq!(store.peek_secret(&stored.secret).await.expect("peek"), None);
    assert_eq!(
        fate(&*store, &stored.receipt).await,
        SecretFate::Revealed(1234)
    );
    let (record, _, views) = store
        .read_receipt(&stored.receipt)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(
        (record.created_at, record.expires_at, record.secret, views),
        (100, 160, stored.secret, 1)
    );
}
contract!(a_take_returns_the_bytes_once);

async fn a_guarded_take_leaves_protected_secrets_alone(store: Arc<dyn Store>) {
    let stored = store_one(&*store, true, 60).await;
    assert_eq!(
        store
            .take_secret(&stored.secret, TakeGuard::Unprotected, 1)
            .await
            .expect("take"),
        Taken::Protected
    );
    assert_eq!(fate(&*store, &stored.receipt).await, SecretFate::Pending);
    assert_eq!(
        store
            .take_secret(&stored.secret, TakeGuard::Any, 2)
            .await
            .expect("take"),
        last_view(stored.sealed)
    );
}
contract!(a_guarded_take_leaves_protected_secrets_alone);

fn last_view(sealed: Vec<u8>) -> Taken {
    Taken::Sealed {
        sealed,
        views_left: 0,
        replayed: false,
    }
}

fn views(max: u8) -> Views {
    Views {
        max,
        viewer_may_burn: false,
        ..Views::ONCE
    }
}

async fn views_of(store: &dyn Store, receipt: &RecordRef) -> (SecretFate, u32) {
    let (_, fate, views) = store
        .read_receipt(receipt)
        .await
        .expect("read")
        .expect("receipt exists");
    (fate, views)
}

async fn each_view_is_counted_and_the_last_removes_the_secret(store: Arc<dyn Store>) {
    let stored = store_viewed(&*store, false, 60, views(3)).await;
    assert_eq!(
        views_of(&*store, &stored.receipt).await,
        (SecretFate::Pending, 0)
    );
    for left in [2, 1, 0] {
        let taken = store
            .take_secret(&stored.secret, TakeGuard::Unprotected, 50)
            .await
            .expect("take");
        assert_eq!(
            taken,
            Taken::Sealed {
                sealed: stored.sealed.clone(),
                views_left: left,
                replayed: false,
            }
        );
        assert_eq!(
            store.views_taken(&stored.secret).await.expect("views"),
            3 - left
        );
    }
    assert_eq!(
        store
            .take_secret(&stored.secret, TakeGuard::Any, 51)
            .await
            .expect("take"),
        Taken::Missing
    );
    assert_eq!(store.peek_secret(&stored.secret).await.expect("peek"), None);
    assert_eq!(
        views_of(&*store, &stored.receipt).await,
        (SecretFate::Revealed(50), 3)
    );
}
contract!(each_view_is_counted_and_the_last_removes_the_secret);

/// M readers racing for a secret of N views: exactly N win, each with its own count. Most
/// racers find the secret still there, so most takes overlap another one in the middle.
async fn racing_readers_get_exactly_the_views_allowed(store: Arc<dyn Store>) {
    let (started, mut round) = (std::time::Instant::now(), 0);
    while another_round(round, started) {
        round += 1;
        let stored = store_viewed(&*store, false, 60, views(48)).await;
        let mut left = Vec::new();
        for taken in race_takes(&store, stored.secret, 64).await {
            match taken {
                Taken::Sealed { views_left, .. } => left.push(views_left),
                Taken::Missing => {}
                Taken::Protected | Taken::ProofRefused | Taken::FileRefused => {
                    panic!("plain secret reported guarded")
                }
            }
        }
        left.sort_unstable();
        assert_eq!(left, (0..48).collect::<Vec<u32>>(), "round {round}");
        assert_eq!(
            views_of(&*store, &stored.receipt).await,
            (SecretFate::Revealed(9), 48),
            "round {round}"
        );
    }
}
contract!(racing_readers_get_exactly_the_views_allowed);

async fn a_burn_after_some_views_keeps_their_count(store: Arc<dyn Store>) {
    let stored = store_viewed(&*store, false, 60, views(3)).await;
    store
        .take_secret(&stored.secret, TakeGuard::Any, 10)
        .await
        .expect("take");
    assert_eq!(
        views_of(&*store, &stored.receipt).await,
        (SecretFate::Pending, 1)
    );
    assert!(store.burn_secret(&stored.secret, 11).await.expect("burn"));
    assert_eq!(
        views_of(&*store, &stored.receipt).await,
        (SecretFate::Burned(11), 1)
    );
}
contract!(a_burn_after_some_views_keeps_their_count);

/// Wrong passphrases count against the secret, not against one view.
async fn passphrase_failures_outlive_a_view(store: Arc<dyn Store>) {
    let stored = store_viewed(&*store, true, 60, views(2)).await;
    let fail = || async {
        assert_eq!(
            store
                .reserve_attempt(&stored.secret, 3)
                .await
                .expect("reserve"),
            Reservation::Reserved
        );
        store
            .record_failed_attempt(&stored.secret, 3, 20)
            .await
            .expect("fail")
    };
    assert_eq!(fail().await, Attempt::Remaining(2));
    assert!(matches!(
        store.take_secret(&stored.secret, TakeGuard::Any, 21).await,
        Ok(Taken::Sealed { views_left: 1, .. })
    ));
    assert_eq!(fail().await, Attempt::Remaining(1));
    assert_eq!(fail().await, Attempt::Burned);
    assert_eq!(
        views_of(&*store, &stored.receipt).await,
        (SecretFate::Burned(20), 1)
    );
}
contract!(passphrase_failures_outlive_a_view);

/// 64 takes of a one-view secret let go together, round after round: one winner each time.
async fn concurrent_takes_have_one_winner(store: Arc<dyn Store>) {
    let (started, mut round) = (std::time::Instant::now(), 0);
    while another_round(round, started) {
        round += 1;
        let stored = store_one(&*store, false, 60).await;
        let mut winners = 0;
        for taken in race_takes(&store, stored.secret, 64).await {
            match taken {
                Taken::Sealed { .. } => winners += 1,
                Taken::Missing => {}
                Taken::Protected | Taken::ProofRefused | Taken::FileRefused => {
                    panic!("plain secret reported guarded")
                }
            }
        }
        assert_eq!(winners, 1, "round {round}");
    }
}
contract!(concurrent_takes_have_one_winner);

async fn a_burn_removes_the_secret_once(store: Arc<dyn Store>) {
    let stored = store_one(&*store, false, 60).await;
    assert!(store.burn_secret(&stored.secret, 77).await.expect("burn"));
    assert!(!store.burn_secret(&stored.secret, 78).await.expect("burn"));
    assert_eq!(fate(&*store, &stored.receipt).await, SecretFate::Burned(77));
}
contract!(a_burn_removes_the_secret_once);

async fn failed_attempts_count_down_and_burn_at_the_limit(store: Arc<dyn Store>) {
    let stored = store_one(&*store, true, 60).await;
    let mut results = Vec::new();
    for now in 0..3 {
        results.push(
            store
                .record_failed_attempt(&stored.secret, 3, now)
                .await
                .expect("attempt"),
        );
    }
    assert_eq!(
        results,
        [
            Attempt::Remaining(2),
            Attempt::Remaining(1),
            Attempt::Burned
        ]
    );
    assert_eq!(
        store
            .record_failed_attempt(&stored.secret, 3, 9)
            .await
            .expect("attempt"),
        Attempt::Missing
    );
    assert_eq!(store.peek_secret(&stored.secret).await.expect("peek"), None);
    assert_eq!(fate(&*store, &stored.receipt).await, SecretFate::Burned(2));
}
contract!(failed_attempts_count_down_and_burn_at_the_limit);

async fn no_more_attempts_are_in_flight_than_a_secret_has_left(store: Arc<dyn Store>) {
    let stored = store_one(&*store, true, 60).await;
    let reserve = || store.reserve_attempt(&stored.secret, 3);
    for _ in 0..3 {
        assert_eq!(reserve().await.expect("reserve"), Reservation::Reserved);
    }
    assert_eq!(reserve().await.expect("reserve"), Reservation::Exhausted);
    // A right (or unchecked) guess gives its attempt back; a wrong one keeps it.
    store
        .release_attempt(&stored.secret)
        .await
        .expect("release");
    assert_eq!(reserve().await.expect("reserve"), Reservation::Reserved);
    assert_eq!(
        store
            .record_failed_attempt(&stored.secret, 3, 1)
            .await
            .expect("attempt"),
        Attempt::Remaining(2)
    );
    // One failure and two in flight fill the limit of three.
    assert_eq!(reserve().await.expect("reserve"), Reservation::Exhausted);
    for now in 2..4 {
        store
            .record_failed_attempt(&stored.secret, 3, now)
            .await
            .expect("attempt");
    }
    assert_eq!(fate(&*store, &stored.receipt).await, SecretFate::Burned(3));
    assert_eq!(reserve().await.expect("reserve"), Reservation::Missing);
}
contract!(no_more_attempts_are_in_flight_than_a_secret_has_left);

async fn secrets_expire_but_receipts_remember(store: Arc<dyn Store>) {
    let stored = store_one(&*store, false, 1).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(store.peek_secret(&stored.secret).await.expect("peek"), None);
    assert_eq!(
        store
            .take_secret(&stored.secret, TakeGuard::Any, 5)
            .await
            .expect("take"),
        Taken::Missing
    );
    assert!(!store.burn_secret(&stored.secret, 5).await.expect("burn"));
    assert_eq!(
        store
            .record_failed_attempt(&stored.secret, 3, 5)
            .await
            .expect("attempt"),
        Attempt::Missing
    );
    assert_eq!(fate(&*store, &stored.receipt).await, SecretFate::Expired);
}
contract!(secrets_expire_but_receipts_remember);

async fn unknown_records_are_absent(store: Arc<dyn Store>) {
    let nowhere = RecordRef {
        tag: [1, 1],
        lookup: [1; 16],
    };
    assert_eq!(store.peek_secret(&nowhere).await.expect("peek"), None);
    assert!(store.read_receipt(&nowhere).await.expect("read").is_none());
    assert!(store.ping().await.is_ok());
}
contract!(unknown_records_are_absent);

/// A session or API key is written only while its user is still at the generation it was
/// authorised under: after a bump, one authorised before is refused and nothing is stored.
async fn credentials_are_written_only_at_the_generation_they_were_authorised_under(
    store: Arc<dyn Store>,
) {
    use burnbox::domain::{
        AccountState, ApiKey, ApiKeyRecord, Email, Role, SessionKey, SessionRecord, UserId,
        UserRecord,
    };
    let accounts = store.accounts();
    let id = UserId::generate();
    let email = format!("gen{}@example.org", id).to_lowercase();
    let user = UserRecord {
        id,
        email: Email::parse(&email).expect("email"),
        role: Role::User,
        state: AccountState::Active,
        password_hash: "not a real hash".into(),
        created_at: 1,
        generation: 0,
        keys_from: 0,
    };
    assert!(accounts.create_user(&user, None).await.expect("user"));
    let session_at = |generation| SessionRecord {
        user: id,
        generation,
        expires_at: u64::MAX,
    };
    let key_record = ApiKeyRecord {
        id: "k1".into(),
        name: "ci".into(),
        scopes: Vec::new(),
        created_at: 1,
        user: None,
        lookup: None,
        generation: None,
    };
    let old_session = SessionKey::new(ClientKey::generate(id.tag())).record();
    let old_key = ApiKey::new(ClientKey::generate(id.tag())).record();
    assert_eq!(accounts.bump_generation(id, false).await.expect("bump"), 1);

    // Authorised at generation 0, written after the bump: refused, nothing stored.
    let refused = accounts
        .create_session(&old_session, &session_at(0), 60)
        .await
        .expect("store answers");
    assert!(!refused);
    assert_eq!(accounts.session(&old_session).await.expect("read"), None);
    let refused = accounts
        .create_api_key(&old_key, id, 0, &key_record)
        .await
        .expect("store answers");
    assert!(!refused);
    assert_eq!(accounts.api_key(&old_key).await.expect("read"), None);
    assert!(accounts.api_keys(id).await.expect("list").is_empty());

    // At the current generation: stored, and the key says which generation it is of.
    let session = SessionKey::new(ClientKey::generate(id.tag())).record();
    assert!(
        accounts
            .create_session(&session, &session_at(1), 60)
            .await
            .expect("store answers")
    );
    assert_eq!(
        accounts.session(&session).await.expect("read"),
        Some(session_at(1))
    );
    let key = ApiKey::new(ClientKey::generate(id.tag())).record();
    assert!(
        accounts
            .create_api_key(&key, id, 1, &key_record)
            .await
            .expect("store answers")
    );
    let stored = accounts.api_key(&key).await.expect("read").expect("stored");
    assert_eq!((stored.user, stored.generation), (Some(id), Some(1)));
    let listed = accounts.api_keys(id).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].generation, Some(1));

    // An unknown user has no generation to match.
    let stranger = UserId::generate();
    let nobody = SessionKey::new(ClientKey::generate(stranger.tag())).record();
    let stranger_session = SessionRecord {
        user: stranger,
        generation: 0,
        expires_at: u64::MAX,
    };
    assert!(
        !accounts
            .create_session(&nobody, &stranger_session, 60)
            .await
            .expect("store answers")
    );
}
contract!(credentials_are_written_only_at_the_generation_they_were_authorised_under);

async fn a_token_is_taken_once_and_expires(store: Arc<dyn Store>) {
    let token = RecordRef {
        tag: ClientKey::generate_tag(),
        lookup: burnbox::crypto::random_array(),
    };
    store
        .store_token(&token, b"sealed token", 60)
        .await
        .expect("stored");
    assert_eq!(
        store.take_token(&token).await.expect("take").as_deref(),
        Some(&b"sealed token"[..])
    );
    assert_eq!(store.take_token(&token).await.expect("take"), None);

    store
        .store_token(&token, b"brief", 1)
        .await
        .expect("stored");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(store.take_token(&token).await.expect("take"), None);
}
contract!(a_token_is_taken_once_and_expires);

async fn rate_limits_allow_a_burst_and_charge_only_when_all_allow(store: Arc<dyn Store>) {
    let client: [u8; CLIENT_ID_BYTES] = burnbox::crypto::random_array();
    let tight = Limit {
        name: "tight",
        slot: 1,
        limit: 2,
        period: Duration::from_secs(60),
        charge: 1,
    };
    let loose = Limit {
        name: "loose",
        slot: 0,
        limit: 100,
        period: Duration::from_secs(60),
        charge: 1,
    };
    let peek = Limit {
        name: "peek",
        slot: 2,
        limit: 1,
        period: Duration::from_secs(60),
        charge: 0,
    };
    let check = |limits: Vec<Limit>| {
        let store = store.clone();
        async move { store.check_rate(&client, &limits).await.expect("checked") }
    };
    let first = check(vec![loose, tight, peek]).await;
    assert!(first.iter().all(|state| state.allowed));
    assert_eq!(
        first
            .iter()
            .map(|state| state.remaining)
            .collect::<Vec<_>>(),
        [99, 1, 0]
    );
    assert!(
        check(vec![loose, tight, peek])
            .await
            .iter()
            .all(|state| state.allowed),
        "peek is never charged"
    );
    let third = check(vec![loose, tight]).await;
    assert!(third[0].allowed && !third[1].allowed);
    // The window is full: one more fits halfway into the next one (2 × ½ + 1 ≤ 2).
    assert!(third[1].retry_after_us >= 30_000_000 && third[1].retry_after_us <= 90_000_000);
    // The refusal charged nothing: `loose` still has 98 left after its next use.
    assert_eq!(check(vec![loose]).await[0].remaining, 97);
}
contract!(rate_limits_allow_a_burst_and_charge_only_when_all_allow);

async fn a_refund_gives_one_charge_back_to_its_window(store: Arc<dyn Store>) {
    let client: [u8; CLIENT_ID_BYTES] = burnbox::crypto::random_array();
    let limit = Limit {
        name: "guess",
        slot: 0,
        limit: 2,
        period: Duration::from_secs(3600),
        charge: 1,
    };
    let check = || async { store.check_rate(&client, &[limit]).await.expect("checked")[0].allowed };
    let charged_at = burnbox::domain::time::now_micros();
    assert!(check().await && check().await);
    assert!(!check().await, "the budget is spent");
    store
        .refund_rate(&client, &limit, charged_at)
        .await
        .expect("refunded");
    assert!(check().await, "one came back");
    assert!(!check().await);
    // A window whose count is gone is left alone: no negative count, no key without expiry.
    store
        .refund_rate(&client, &limit, charged_at - 7_200_000_000)
        .await
        .expect("refunded");
    assert!(!check().await);
}
contract!(a_refund_gives_one_charge_back_to_its_window);

#[tokio::test]
async fn the_memory_store_sweeps_expired_entries() {
    let store = MemoryStore::new(Duration::ZERO);
    store_one(&store, false, 1).await;
    assert_eq!(store.entry_count(), 2);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    store_one(&store, false, 60).await;
    assert_eq!(
        store.entry_count(),
        2,
        "the expired pair is gone, the new pair is there"
    );
}

async fn an_accounts_list_pages_and_finds_each_secret_in_one_lookup(store: Arc<dyn Store>) {
    use burnbox::domain::{OwnedReceipt, UserId};
    let accounts = store.accounts();
    let (user, stranger) = (UserId::generate(), UserId::generate());
    let now = 1_000_000;
    let secrets: Vec<RecordRef> = (0..5)
        .map(|_| SecretKey::new(ClientKey::generate(ClientKey::generate_tag())).record())
        .collect();
    for (index, secret) in secrets.iter().enumerate() {
        let entry = OwnedReceipt {
            receipt: format!("receipt{index}"),
            created_at: index as u64,
            expires_at: now + 10,
            // The second is gone by `now`.
            gone_at: if index == 1 { now } else { now + 100 },
            secret: Some(secret.to_text()),
        };
        // Kept to the newest four: the first is trimmed.
        accounts
            .add_owned_receipt(user, &entry, 4, 600)
            .await
            .expect("added");
        // Entries are ordered by the millisecond they were added in.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let names = |page: burnbox::store::accounts::Page<OwnedReceipt>| {
        let names: Vec<String> = page.items.into_iter().map(|entry| entry.receipt).collect();
        (names, page.total)
    };
    let first = accounts
        .owned_receipts(user, now, 0, 2)
        .await
        .expect("page");
    assert_eq!(
        names(first),
        (vec!["receipt4".into(), "receipt3".into()], 3)
    );
    let second = accounts
        .owned_receipts(user, now, 2, 2)
        .await
        .expect("page");
    assert_eq!(names(second), (vec!["receipt2".into()], 3));

    let found = |owner: UserId, index: usize| {
        let secret = secrets[index];
        async move {
            accounts
                .owned_receipt(owner, &secret, now)
                .await
                .expect("lookup")
                .map(|entry| entry.receipt)
        }
    };
    assert_eq!(found(user, 3).await.as_deref(), Some("receipt3"));
    assert_eq!(found(user, 1).await, None, "gone with its receipt");
    assert_eq!(found(user, 0).await, None, "trimmed from the list");
    assert_eq!(found(stranger, 3).await, None, "another account's");
}
contract!(an_accounts_list_pages_and_finds_each_secret_in_one_lookup);

/// A receipt list written before it had its gone-time set and secret index is indexed on
/// its first use: its pushes are found, and its gone entries cleaned, as any list's.
#[tokio::test]
async fn a_list_from_before_its_index_is_indexed_on_first_use() {
    use burnbox::domain::{OwnedReceipt, UserId};
    use redis::AsyncCommands;
    let prefix = unique_prefix("unindexed");
    let store = redis_prefixed(RedisTopology::Single(SHARED_REDIS_URL.clone()), &prefix);
    let user = UserId::generate();
    let [high, low] = user.tag();
    let list = format!("{prefix}{{{high:02x}{low:02x}}}ur:{user}");
    let now = burnbox::domain::time::now_unix();
    let entry = |name: &str, gone_at: u64| {
        let secret = SecretKey::new(ClientKey::generate(ClientKey::generate_tag())).record();
        let entry = OwnedReceipt {
            receipt: name.to_owned(),
            created_at: now,
            expires_at: now + 10,
            gone_at,
            secret: Some(secret.to_text()),
        };
        (secret, entry)
    };
    let (live_secret, live) = entry("live", now + 100);
    let (gone_secret, gone) = entry("gone", now);
    let mut redis = redis::Client::open(SHARED_REDIS_URL.as_str())
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("connects");
    for (score, member) in [(1, &gone), (2, &live)] {
        let json = serde_json::to_string(member).expect("json");
        let _: i64 = redis.zadd(&list, json, score).await.expect("zadd");
    }
    let _: bool = redis.expire(&list, 600).await.expect("expire");

    let accounts = store.accounts();
    let found = accounts
        .owned_receipt(user, &live_secret, now)
        .await
        .expect("lookup");
    assert_eq!(found.map(|entry| entry.receipt).as_deref(), Some("live"));
    let missing = accounts.owned_receipt(user, &gone_secret, now).await;
    assert_eq!(missing.expect("lookup"), None, "gone with its receipt");
    let page = accounts
        .owned_receipts(user, now, 0, 10)
        .await
        .expect("page");
    let names: Vec<String> = page.items.into_iter().map(|entry| entry.receipt).collect();
    assert_eq!((names, page.total), (vec!["live".to_owned()], 1));
    let ttl: i64 = redis
        .ttl(format!("{prefix}{{{high:02x}{low:02x}}}ui:{user}"))
        .await
        .expect("ttl");
    assert!(
        (1..=600).contains(&ttl),
        "the index expires with its list: {ttl}"
    );
}

/// Where a take with idempotency key `name` keeps its answer, for a minute.
fn kept(stored: &Stored, name: &str) -> KeptAnswer {
    let key = IdempotencyKey::parse(&format!("{name:-<16}")).expect("a valid key");
    KeptAnswer::of(&stored.secret_key, &key, 60_000)
}

fn take_kept(kept: KeptAnswer) -> Take {
    Take {
        kept: Some(kept),
        ..TakeGuard::Any.into()
    }
}

async fn a_kept_answer_goes_to_its_key_again_and_counts_no_view(store: Arc<dyn Store>) {
    let stored = store_viewed(&*store, false, 60, views(3)).await;
    let (first, second) = (kept(&stored, "first"), kept(&stored, "second"));
    let view = |views_left, replayed| Taken::Sealed {
        sealed: stored.sealed.clone(),
        views_left,
        replayed,
    };
    let take = |kept| {
        let store = store.clone();
        async move {
            store
                .take_secret_with(&stored.secret, &take_kept(kept), 7)
                .await
                .expect("take")
        }
    };
    assert_eq!(take(first).await, view(2, false));
    assert_eq!(take(first).await, view(2, true));
    assert_eq!(take(second).await, view(1, false));
    assert_eq!(
        store
            .kept_answer(&stored.secret, &first)
            .await
            .expect("kept"),
        Some((stored.sealed.clone(), 2))
    );
    assert_eq!(store.views_taken(&stored.secret).await.expect("views"), 2);
    // The last view: the secret is gone, and its kept answer is still its key's.
    assert_eq!(take(kept(&stored, "third")).await, view(0, false));
    assert_eq!(take(kept(&stored, "third")).await, view(0, true));
    assert_eq!(take(kept(&stored, "fourth")).await, Taken::Missing);
    assert_eq!(
        fate(&*store, &stored.receipt).await,
        SecretFate::Revealed(7)
    );
    assert_eq!(
        store
            .kept_answer(&stored.secret, &kept(&stored, "never"))
            .await
            .expect("kept"),
        None
    );
}
contract!(a_kept_answer_goes_to_its_key_again_and_counts_no_view);

async fn racing_retries_with_one_key_take_one_view(store: Arc<dyn Store>) {
    let stored = store_viewed(&*store, false, 60, views(5)).await;
    let same = take_kept(kept(&stored, "same"));
    let barrier = Arc::new(tokio::sync::Barrier::new(16));
    let racers: Vec<_> = (0..16)
        .map(|_| {
            let (store, barrier) = (store.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                store.take_secret_with(&stored.secret, &same, 1).await
            })
        })
        .collect();
    let mut fresh = 0;
    for racer in racers {
        match racer.await.expect("racer").expect("take") {
            Taken::Sealed {
                views_left: 4,
                replayed,
                ..
            } => fresh += usize::from(!replayed),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(fresh, 1);
    assert_eq!(store.views_taken(&stored.secret).await.expect("views"), 1);
}
contract!(racing_retries_with_one_key_take_one_view);

async fn an_e2e2_secret_is_taken_and_burned_by_a_viewer_only_with_its_proof(store: Arc<dyn Store>) {
    let (verifier, wrong) = ([0x5a; 32], [0x5b; 32]);
    // The verifier's place moves with the views byte and precedes the passphrase's salt.
    for (protected, allowed) in [(false, Views::ONCE), (false, views(3)), (true, views(2))] {
        let stored = store_sealed(&*store, protected, 60, allowed, Some(verifier)).await;
        for proof in [None, Some(wrong)] {
            let take = Take {
                proof,
                ..TakeGuard::Any.into()
            };
            assert_eq!(
                store
                    .take_secret_with(&stored.secret, &take, 1)
                    .await
                    .expect("take"),
                Taken::ProofRefused
            );
            assert_eq!(
                store
                    .burn_secret_by(&stored.secret, BurnBy::Viewer(proof), 1)
                    .await
                    .expect("burn"),
                Burn::ProofRefused
            );
        }
        assert_eq!(
            store.peek_secret(&stored.secret).await.expect("peek"),
            Some(stored.sealed.clone()),
            "nothing was consumed"
        );
        let right = Take {
            proof: Some(verifier),
            ..TakeGuard::Any.into()
        };
        match store
            .take_secret_with(&stored.secret, &right, 2)
            .await
            .expect("take")
        {
            Taken::Sealed { sealed, .. } => assert_eq!(sealed, stored.sealed),
            other => panic!("{other:?}"),
        }
        let (burn_with, burned) = (BurnBy::Viewer(Some(verifier)), Burn::Burned);
        let expected = if allowed.max > 1 {
            burned
        } else {
            Burn::Missing
        };
        assert_eq!(
            store
                .burn_secret_by(&stored.secret, burn_with, 3)
                .await
                .expect("burn"),
            expected
        );
    }
    // Its owner burns it without a proof.
    let stored = store_sealed(&*store, false, 60, Views::ONCE, Some(verifier)).await;
    assert!(store.burn_secret(&stored.secret, 4).await.expect("burn"));
}
contract!(an_e2e2_secret_is_taken_and_burned_by_a_viewer_only_with_its_proof);

async fn a_token_verified_with_a_key_is_answered_again_to_that_key(store: Arc<dyn Store>) {
    let token = RecordRef {
        tag: [1, 2],
        lookup: burnbox::crypto::random_array(),
    };
    let (tag, lookup) = (token.tag, token.lookup);
    let kept_at = |byte: u8| KeptAnswer {
        record: RecordRef {
            tag,
            lookup: [lookup[0] ^ byte; 16],
        },
        window_ms: 1000,
    };
    store
        .store_token(&token, b"sealed token", 60)
        .await
        .expect("stored");
    let take = |byte| {
        let store = store.clone();
        async move {
            store
                .take_token_kept(&token, Some(&kept_at(byte)))
                .await
                .expect("take")
        }
    };
    assert_eq!(take(1).await.as_deref(), Some(&b"sealed token"[..]));
    assert_eq!(take(1).await.as_deref(), Some(&b"sealed token"[..]));
    assert_eq!(take(2).await, None);
    // Gone on time: the window is a second.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(take(1).await, None);
}
contract!(a_token_verified_with_a_key_is_answered_again_to_that_key);
