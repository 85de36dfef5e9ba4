//! A bounded pool for Argon2id: at most `workers` hashes run at once and at most `queue`
//! more wait. Past that a request is refused at once with [`ApiError::Busy`] (503 with
//! `Retry-After`) instead of joining an unbounded queue; requests without a passphrase
//! never touch the pool and keep their latency.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::crypto::{PassphraseSalt, StretchedPassphrase};
use crate::domain::Passphrase;
use crate::error::ApiError;

/// The Argon2 pool; cheap to clone, shared by every HTTP worker.
#[derive(Clone)]
pub struct KdfPool {
    running: Arc<Semaphore>,
    admitted: Arc<Semaphore>,
}

impl KdfPool {
    /// A pool running `workers` hashes at once with `queue` more allowed to wait.
    pub fn new(workers: usize, queue: usize) -> Self {
        Self {
            running: Arc::new(Semaphore::new(workers.max(1))),
            admitted: Arc::new(Semaphore::new(workers.max(1) + queue)),
        }
    }

    /// Stretches `passphrase` on the blocking pool, or refuses when the pool is full.
    pub async fn stretch(
        &self,
        salt: PassphraseSalt,
        passphrase: Passphrase,
    ) -> Result<StretchedPassphrase, ApiError> {
        let admitted = self
            .admitted
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError::Busy)?;
        let running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::Internal("argon2 pool closed".into()))?;
        // The permits move into the task: a client that hangs up does not free a worker
        // slot while its hash is still running.
        tokio::task::spawn_blocking(move || {
            let _permits = (admitted, running);
            salt.stretch(passphrase.as_bytes())
        })
        .await
        .map_err(|error| ApiError::Internal(format!("argon2 task failed: {error}")))?
        .map_err(|error| ApiError::Internal(format!("argon2 failed: {error}")))
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
                &sealed
            )
            .is_ok()
        );
    }

    #[tokio::test]
    async fn a_full_pool_refuses_at_once() {
        let pool = KdfPool::new(1, 0);
        let _held = pool.admitted.clone().try_acquire_owned().expect("free");
        let salt = PassphraseSalt::generate(FAST);
        assert!(matches!(
            pool.stretch(salt, passphrase()).await,
            Err(ApiError::Busy)
        ));
    }
}
