//! A bounded pool for Argon2id: `workers` threads, each owning one reusable block of
//! Argon2 working memory. At most `workers + queue` requests are admitted (hashing or
//! waiting); past that a request is refused at once with [`ApiError::Busy`] (503 with
//! `Retry-After`) instead of joining an unbounded queue; requests without a
//! passphrase never touch the pool and keep their latency. Memory stays at
//! `workers × cost` however long the load lasts.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use crate::crypto::{CryptoError, KdfMemory, PassphraseSalt, StretchedPassphrase};
use crate::domain::{Passphrase, Password};
use crate::error::ApiError;
use crate::metrics::METRICS;

struct Job {
    salt: PassphraseSalt,
    /// The passphrase's or password's bytes.
    secret: Vec<u8>,
    reply: oneshot::Sender<Result<StretchedPassphrase, CryptoError>>,
    /// Held until the hash is done, whether or not anyone still waits for it.
    _admission: Admission,
}

/// A place in the pool; counted in `burnbox_argon2_queue_depth` while it is held.
struct Admission {
    _permit: OwnedSemaphorePermit,
}

impl Admission {
    fn new(permit: OwnedSemaphorePermit) -> Self {
        METRICS.argon2_queue_depth.inc();
        Self { _permit: permit }
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        METRICS.argon2_queue_depth.dec();
    }
}

/// The Argon2 pool; cheap to clone, shared by every HTTP worker.
#[derive(Clone)]
pub struct KdfPool {
    admission: Arc<Semaphore>,
    jobs: SyncSender<Job>,
}

impl KdfPool {
    /// A pool of `workers` hashing threads with `queue` more requests allowed to wait.
    pub fn new(workers: usize, queue: usize) -> Self {
        let admitted = workers.max(1) + queue;
        // Admission bounds the jobs in flight, so the channel never refuses one.
        let (jobs, receiver) = sync_channel(admitted);
        let receiver = Arc::new(Mutex::new(receiver));
        for index in 0..workers.max(1) {
            let receiver = receiver.clone();
            // Start-up: without its hashing threads the service cannot honour passphrases.
            #[allow(clippy::expect_used)]
            std::thread::Builder::new()
                .name(format!("argon2-{index}"))
                .spawn(move || hash_until_closed(&receiver))
                .expect("an Argon2 thread starts");
        }
        Self {
            admission: Arc::new(Semaphore::new(admitted)),
            jobs,
        }
    }

    /// Stretches `passphrase` on a hashing thread, or refuses when the pool is full.
    pub async fn stretch(
        &self,
        salt: PassphraseSalt,
        passphrase: Passphrase,
    ) -> Result<StretchedPassphrase, ApiError> {
        self.stretch_bytes(salt, passphrase.as_bytes().to_vec())
            .await
    }

    /// Stretches an account password the same way (same pool, same bound).
    pub async fn stretch_password(
        &self,
        salt: PassphraseSalt,
        password: &Password,
    ) -> Result<StretchedPassphrase, ApiError> {
        self.stretch_bytes(salt, password.as_bytes().to_vec()).await
    }

    async fn stretch_bytes(
        &self,
        salt: PassphraseSalt,
        secret: Vec<u8>,
    ) -> Result<StretchedPassphrase, ApiError> {
        let admission = self
            .admission
            .clone()
            .try_acquire_owned()
            .map(Admission::new)
            .map_err(|_| ApiError::Busy)?;
        let (reply, answer) = oneshot::channel();
        let job = Job {
            salt,
            secret,
            reply,
            _admission: admission,
        };
        self.jobs.try_send(job).map_err(|error| match error {
            TrySendError::Full(_) => ApiError::Busy,
            TrySendError::Disconnected(_) => ApiError::Internal("argon2 threads stopped".into()),
        })?;
        answer
            .await
            .map_err(|_| ApiError::Internal("argon2 thread dropped a job".into()))?
            .map_err(|error| ApiError::Internal(format!("argon2 failed: {error}")))
    }
}

/// One hashing thread: takes jobs until every sender is gone, reusing its memory.
fn hash_until_closed(receiver: &Mutex<Receiver<Job>>) {
    let mut memory = KdfMemory::default();
    loop {
        let job = match receiver.lock() {
            Ok(receiver) => match receiver.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
            Err(_) => return,
        };
        let stretched = job.salt.stretch_with(&job.secret, &mut memory);
        // The requester may have gone; the hash is simply dropped then.
        let _ = job.reply.send(stretched);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::KdfParams;

    const FAST: KdfParams = KdfParams {
        memory_kib: 64,
        iterations: 1,
        parallelism: 1,
    };

    fn passphrase() -> Passphrase {
        Passphrase::parse("pw".into()).expect("valid")
    }

    #[tokio::test]
    async fn stretching_matches_the_direct_computation() {
        let pool = KdfPool::new(1, 0);
        let salt = PassphraseSalt::generate(FAST);
        let pooled = pool.stretch(salt, passphrase()).await.expect("admitted");
        let direct = salt.stretch(b"pw").expect("valid");
        let header = crate::crypto::Header {
            expires_at: 1,
            passphrase: Some(salt),
            e2e: false,
            views: crate::crypto::Views::ONCE,
            reveal_verifier: None,
        };
        let sealed = crate::crypto::seal(
            crate::crypto::Sealed::Secret,
            &[1; 24],
            Some(&pooled),
            &header,
            &[2; 16],
            b"x",
        );
        assert!(
            crate::crypto::open(
                crate::crypto::Sealed::Secret,
                &[1; 24],
                Some(&direct),
                &[2; 16],
                &sealed,
            )
            .is_ok()
        );
    }

    #[tokio::test]
    async fn a_full_pool_refuses_at_once() {
        // One admission, held by a request still hashing: the next one is refused.
        let (jobs, _receiver) = sync_channel(1);
        let pool = KdfPool {
            admission: Arc::new(Semaphore::new(1)),
            jobs,
        };
        let _held = pool.admission.clone().try_acquire_owned().expect("free");
        let salt = PassphraseSalt::generate(FAST);
        assert!(matches!(
            pool.stretch(salt, passphrase()).await,
            Err(ApiError::Busy)
        ));
    }

    #[tokio::test]
    async fn stopped_threads_are_an_internal_error_not_a_hang() {
        let (jobs, receiver) = sync_channel(1);
        drop(receiver);
        let pool = KdfPool {
            admission: Arc::new(Semaphore::new(1)),
            jobs,
        };
        let salt = PassphraseSalt::generate(FAST);
        assert!(matches!(
            pool.stretch(salt, passphrase()).await,
            Err(ApiError::Internal(_))
        ));
    }
}
