//! Mail off the request path: a request only queues its mail in the store, and a drainer
//! in every instance sends what is due. So an answer never waits for SMTP (whose latency
//! would tell a new registration from a taken address), a failing SMTP server is retried,
//! and a mail queued by an instance that stops is sent by another (or by it after the
//! restart): a claim is a lease that runs out.
//!
//! A queued mail holds a code, so it is sealed (XChaCha20-Poly1305) under a key derived
//! from the server key and bound to its queue id. A dump *plus* `BURNBOX_SERVER_KEY` opens
//! a mail still queued — the same exposure codes have anyway (their keyed digest falls to
//! 10^6 tries with that key) — which is why a mail never outlives its code: past the code's
//! expiry it is dropped unsent. No HTTP here, no Redis.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use crate::config::ServerKey;
use crate::crypto::{self, Header, Sealed};
use crate::domain::time::now_unix;
use crate::domain::{Code, Email};
use crate::error::ApiError;
use crate::mail::Mailer;
use crate::store::{Store, StoreError};

/// How long a claimed mail is left to its sender before another instance may send it.
const LEASE: Duration = Duration::from_secs(60);
/// How often the queue is looked at when nothing wakes the drainer (other instances'
/// mail, retries coming due).
const POLL: Duration = Duration::from_secs(1);
/// The longest one try may take: an SMTP server that accepts and then says nothing must
/// not hold the drainer (or its claim) for good.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);
/// The longest wait between two tries of one mail.
const MAX_BACKOFF_SECONDS: u64 = 60;

/// What is queued: a code for a recipient.
#[derive(Debug, Serialize, Deserialize)]
struct QueuedMail {
    to: String,
    // "" when the mail names no purpose: a plain string, so that mail queued by another
    // version of the server still opens.
    purpose: String,
    code: String,
    minutes: u64,
    tries: u32,
}

/// The mail queue of one process.
#[derive(Clone)]
pub struct Outbox {
    store: Arc<dyn Store>,
    server_key: ServerKey,
    wake: Arc<Notify>,
}

impl Outbox {
    /// An outbox over `store`, sealing under `server_key`.
    pub fn new(store: Arc<dyn Store>, server_key: ServerKey) -> Self {
        Self {
            store,
            server_key,
            wake: Arc::new(Notify::new()),
        }
    }

    /// The same queue through another handle of the store (an HTTP worker's own); its
    /// mail still wakes this process's drainer.
    pub fn with_store(&self, store: Arc<dyn Store>) -> Self {
        Self {
            store,
            server_key: self.server_key.clone(),
            wake: self.wake.clone(),
        }
    }

    /// Queues `code` for `to`, naming `purpose` if given; it is dropped unsent once the
    /// code has expired (`ttl_seconds` from now).
    pub async fn queue_code(
        &self,
        to: &Email,
        purpose: Option<&str>,
        code: &Code,
        ttl_seconds: u64,
    ) -> Result<(), ApiError> {
        let mail = QueuedMail {
            to: to.as_str().to_owned(),
            purpose: purpose.unwrap_or_default().to_owned(),
            code: code.as_str().to_owned(),
            minutes: ttl_seconds.div_ceil(60),
            tries: 0,
        };
        let id = crypto::random_array::<16>();
        let sealed = self.seal(&id, now_unix() + ttl_seconds, &mail)?;
        self.store.accounts().enqueue_mail(&id, &sealed).await?;
        self.wake.notify_one();
        Ok(())
    }

    /// Sends due mail with `mailer` for as long as the process runs.
    pub async fn drain(self, mailer: Arc<Mailer>) {
        loop {
            if let Err(error) = self.send_due(&mailer).await {
                log::warn!("mail queue unavailable, retrying: {error}");
            }
            let _ = tokio::time::timeout(POLL, self.wake.notified()).await;
        }
    }

    /// Sends every mail that is due now; how many were handled.
    pub async fn send_due(&self, mailer: &Mailer) -> Result<usize, StoreError> {
        let accounts = self.store.accounts();
        let lease_ms = u64::try_from(LEASE.as_millis()).unwrap_or(u64::MAX);
        let mut handled = 0;
        while let Some((id, sealed)) = accounts.claim_mail(lease_ms).await? {
            handled += 1;
            let Some((not_after, mut mail)) = self.open(&id, &sealed) else {
                log::error!("a queued mail could not be opened (another server key?); dropped");
                accounts.remove_mail(&id).await?;
                continue;
            };
            if now_unix() > not_after {
                log::warn!("a queued code mail expired before it could be sent; dropped");
                accounts.remove_mail(&id).await?;
                continue;
            }
            let sent = match (Email::parse(&mail.to), Code::parse(&mail.code)) {
                (Ok(to), Ok(code)) => tokio::time::timeout(
                    SEND_TIMEOUT,
                    mailer.send_code(
                        &to,
                        Some(mail.purpose.as_str()).filter(|purpose| !purpose.is_empty()),
                        &code,
                        mail.minutes,
                    ),
                )
                .await
                .map_err(|_| "the SMTP server did not answer in time".to_owned())
                .and_then(|sent| sent.map_err(|error| error.to_string())),
                _ => Err("unreadable queued mail".to_owned()),
            };
            match sent {
                Ok(()) => accounts.remove_mail(&id).await?,
                Err(error) => {
                    mail.tries += 1;
                    let delay = 2u64.saturating_pow(mail.tries).min(MAX_BACKOFF_SECONDS);
                    log::warn!(
                        "mail not sent (try {}), again in {delay} s: {error}",
                        mail.tries
                    );
                    match self.seal(&id, not_after, &mail) {
                        Ok(sealed) => {
                            accounts.reschedule_mail(&id, &sealed, delay * 1000).await?;
                        }
                        Err(_) => accounts.remove_mail(&id).await?,
                    }
                }
            }
        }
        Ok(handled)
    }

    fn seal(&self, id: &[u8; 16], not_after: u64, mail: &QueuedMail) -> Result<Vec<u8>, ApiError> {
        let plaintext = serde_json::to_vec(mail)
            .map_err(|error| ApiError::Internal(format!("queued mail: {error}")))?;
        let header = Header {
            expires_at: not_after,
            passphrase: None,
            e2e: false,
            views: crate::crypto::Views::ONCE,
            reveal_verifier: None,
        };
        Ok(crypto::seal(
            Sealed::QueuedMail,
            self.server_key.as_bytes(),
            None,
            &header,
            id,
            &plaintext,
        ))
    }

    fn open(&self, id: &[u8; 16], sealed: &[u8]) -> Option<(u64, QueuedMail)> {
        let (header, _) = Header::decode(sealed).ok()?;
        let plaintext = crypto::open(
            Sealed::QueuedMail,
            self.server_key.as_bytes(),
            None,
            id,
            sealed,
        )
        .ok()?;
        Some((header.expires_at, serde_json::from_slice(&plaintext).ok()?))
    }
}
