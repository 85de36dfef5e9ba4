//! The life of a secret: create, look, reveal once, burn; and the owner's receipt.
//!
//! No HTTP here and no Redis: values arrive as domain types, storage goes through
//! [`Store`], sealing through [`crate::crypto`].

use std::sync::Arc;

use crate::crypto::e2e::RevealProof;
use crate::crypto::{self, CryptoError, Header, KdfParams, PassphraseSalt, Views};
use crate::domain::keys::CLIENT_KEY_BYTES;
use crate::domain::time::now_unix;
use crate::domain::{
    ClientKey, FileManifest, GenerateLength, IdempotencyKey, KeptAnswer, Passphrase, ReceiptKey,
    ReceiptRecord, ReceiptView, RecordRef, SecretFate, SecretKey, SecretText, Ttl, TtlPolicy,
};
use crate::error::ApiError;
use crate::kdf_pool::KdfPool;
use crate::metrics::METRICS;
use crate::store::{
    Attempt, Burn, BurnBy, NewSecret, Reservation, Store, StoreError, Take, TakeGuard, Taken,
};

/// The operator's rules for secrets.
#[derive(Debug, Clone, Copy)]
pub struct SecretPolicy {
    /// TTL bounds.
    pub ttl: TtlPolicy,
    /// Largest secret in bytes.
    pub max_secret_bytes: usize,
    /// Wrong passphrases allowed per secret before it burns.
    pub passphrase_attempts: u32,
    /// Argon2id costs for new secrets.
    pub kdf: KdfParams,
    /// Seconds a receipt outlives its secret.
    pub receipt_grace_seconds: u64,
    /// Seconds the answer to a reveal with an idempotency key is kept for its retry
    /// (0: not kept, and the header is ignored).
    pub reveal_retry_seconds: u64,
    /// Seconds a revealed file's chunks stay downloadable after its take.
    pub file_download_seconds: u64,
}

/// What a reader brings to a reveal besides the link's key.
#[derive(Debug, Default)]
pub struct Presented {
    /// The passphrase, when the secret has one.
    pub passphrase: Option<Passphrase>,
    /// The proof derived from the key in the link's fragment (`e2e2` secrets need it).
    pub proof: Option<RevealProof>,
    /// The reader's key for this reveal: a retry with it gets the same answer.
    pub idempotency: Option<IdempotencyKey>,
    /// Whether the reader's API can hand out a file secret (its download); otherwise a
    /// file secret is refused ([`ApiError::FileSecret`]) and nothing is taken.
    pub files: bool,
}

/// A secret just stored.
#[derive(Debug)]
pub struct CreatedSecret {
    /// The key for the link.
    pub secret_key: SecretKey,
    /// The key for the owner's receipt.
    pub receipt_key: ReceiptKey,
    /// Its TTL.
    pub ttl: Ttl,
    /// When it expires (unix seconds).
    pub expires_at: u64,
    /// Whether revealing needs a passphrase.
    pub passphrase_required: bool,
    /// Views it allows.
    pub views: Views,
}

/// What anyone with the link may know without consuming the secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretStatus {
    /// Whether revealing needs a passphrase.
    pub passphrase_required: bool,
    /// When it expires (unix seconds).
    pub expires_at: u64,
    /// Whether the text is an end-to-end envelope.
    pub e2e: bool,
    /// Views it allows, and whether a viewer may burn it.
    pub views: Views,
    /// Views still allowed.
    pub views_left: u32,
}

/// A view handed out.
#[derive(Debug)]
pub struct Revealed {
    /// The secret's text (for a file secret: its end-to-end envelope of the file's name,
    /// type and size, or empty).
    pub text: SecretText,
    /// Views the secret still allows (0: it is gone).
    pub views_left: u32,
    /// For a file secret, its manifest: the content is downloaded apart.
    pub file: Option<FileManifest>,
}

/// A secret sealed and ready to store, with its keys (see [`SecretService::seal_new`]).
#[derive(Debug)]
pub struct SealedNew {
    /// What the create answers.
    pub created: CreatedSecret,
    /// The sealed bytes.
    pub sealed: Vec<u8>,
    /// The receipt's content.
    pub receipt_record: ReceiptRecord,
}

/// Secrets and receipts, over a store.
#[derive(Clone)]
pub struct SecretService {
    store: Arc<dyn Store>,
    kdf: KdfPool,
    policy: SecretPolicy,
}

impl SecretService {
    /// A service over `store`, hashing passphrases on `kdf`.
    pub fn new(store: Arc<dyn Store>, kdf: KdfPool, policy: SecretPolicy) -> Self {
        Self { store, kdf, policy }
    }

    /// The policy in force.
    pub fn policy(&self) -> &SecretPolicy {
        &self.policy
    }

    /// Seconds a receipt outlives its secret.
    pub fn receipt_grace_seconds(&self) -> u64 {
        self.policy.receipt_grace_seconds
    }

    /// Whether the secret at `record` needs a passphrase (`false` once it is gone).
    pub async fn passphrase_required(&self, record: &RecordRef) -> Result<bool, ApiError> {
        Ok(self
            .peek_header(record)
            .await?
            .is_some_and(|header| header.passphrase.is_some()))
    }

    /// The header of a waiting secret, read without consuming it; `None` once it is gone.
    async fn peek_header(&self, record: &RecordRef) -> Result<Option<Header>, ApiError> {
        let Some(sealed) = self.store.peek_secret(record).await? else {
            return Ok(None);
        };
        let (header, _) = Header::decode(&sealed).map_err(corrupt)?;
        Ok(Some(header))
    }

    /// Seals and stores a secret with its receipt.
    pub async fn create(
        &self,
        text: &SecretText,
        passphrase: Option<Passphrase>,
        ttl: Ttl,
        views: Views,
    ) -> Result<CreatedSecret, ApiError> {
        self.create_sealing(text, passphrase, ttl, views, false, None)
            .await
    }

    /// Stores the answer to a request under the secret key the request chose for it (its
    /// requester's link names it); one view, which its reader may not burn unread.
    pub async fn create_answer(
        &self,
        secret_key: SecretKey,
        text: &SecretText,
        ttl: Ttl,
    ) -> Result<CreatedSecret, ApiError> {
        let views = Views {
            viewer_may_burn: false,
            answer: true,
            ..Views::ONCE
        };
        self.create_sealing(text, None, ttl, views, false, Some(secret_key))
            .await
    }

    /// Like [`Self::create`], and the receipt keeps the secret key sealed under the
    /// receipt key, for APIs whose receipts show the secret key while it is unread
    /// (onetimesecret's). Redis holds it only as ciphertext under a key it never sees.
    pub async fn create_keeping_key(
        &self,
        text: &SecretText,
        passphrase: Option<Passphrase>,
        ttl: Ttl,
    ) -> Result<CreatedSecret, ApiError> {
        self.create_sealing(text, passphrase, ttl, Views::ONCE, true, None)
            .await
    }

    async fn create_sealing(
        &self,
        text: &SecretText,
        passphrase: Option<Passphrase>,
        ttl: Ttl,
        views: Views,
        keep_key: bool,
        secret_key: Option<SecretKey>,
    ) -> Result<CreatedSecret, ApiError> {
        let new = self
            .seal_new(text, passphrase, ttl, views, keep_key, secret_key)
            .await?;
        let created = new.created;
        self.store
            .create_secret(&NewSecret {
                secret: created.secret_key.record(),
                receipt: created.receipt_key.record(),
                sealed: &new.sealed,
                receipt_record: new.receipt_record,
                ttl_seconds: ttl.seconds(),
            })
            .await?;
        METRICS.secrets_created.inc();
        Ok(created)
    }

    /// Seals a new secret under fresh keys (or `secret_key`), its passphrase stretched,
    /// with its receipt's content: everything a store needs, nothing stored yet.
    pub async fn seal_new(
        &self,
        text: &SecretText,
        passphrase: Option<Passphrase>,
        ttl: Ttl,
        views: Views,
        keep_key: bool,
        secret_key: Option<SecretKey>,
    ) -> Result<SealedNew, ApiError> {
        let created_at = now_unix();
        let expires_at = created_at + ttl.seconds();
        let secret_key = secret_key
            .unwrap_or_else(|| SecretKey::new(ClientKey::generate(ClientKey::generate_tag())));
        // The receipt shares the secret's routing tag: one cluster slot.
        let receipt_key = ReceiptKey::new(ClientKey::generate(secret_key.key().tag()));
        let secret = secret_key.record();

        let (salt, stretched) = match passphrase {
            Some(passphrase) => {
                let salt = PassphraseSalt::generate(self.policy.kdf);
                (Some(salt), Some(self.kdf.stretch(salt, passphrase).await?))
            }
            None => (None, None),
        };
        let header = Header {
            expires_at,
            passphrase: salt,
            e2e: text.is_e2e(),
            views,
            reveal_verifier: text.reveal_verifier(),
        };
        let sealed = crypto::seal(
            crypto::Sealed::Secret,
            secret_key.key().as_bytes(),
            stretched.as_ref(),
            &header,
            &secret.lookup,
            text.as_str().as_bytes(),
        );
        let receipt_record = ReceiptRecord {
            created_at,
            expires_at,
            secret,
            sealed_secret_key: keep_key.then(|| {
                crypto::seal(
                    crypto::Sealed::SecretKeyForReceipt,
                    receipt_key.key().as_bytes(),
                    None,
                    &Header {
                        expires_at,
                        passphrase: None,
                        e2e: false,
                        views: crate::crypto::Views::ONCE,
                        reveal_verifier: None,
                    },
                    &receipt_key.record().lookup,
                    secret_key.key().as_bytes(),
                )
            }),
            max_views: views.max,
        };
        Ok(SealedNew {
            created: CreatedSecret {
                secret_key,
                receipt_key,
                ttl,
                expires_at,
                passphrase_required: salt.is_some(),
                views,
            },
            sealed,
            receipt_record,
        })
    }

    /// Creates a random secret of `length` characters and returns it with the created secret.
    pub async fn generate(
        &self,
        length: GenerateLength,
        passphrase: Option<Passphrase>,
        ttl: Ttl,
        views: Views,
    ) -> Result<(CreatedSecret, SecretText), ApiError> {
        let value = SecretText::parse(
            crypto::random_alphanumeric(length.get()),
            self.policy.max_secret_bytes,
        )?;
        let created = self.create(&value, passphrase, ttl, views).await?;
        Ok((created, value))
    }

    /// Tells whether a secret exists, needs a passphrase, and how many views it has left;
    /// never consumes it.
    pub async fn status(&self, key: &SecretKey) -> Result<SecretStatus, ApiError> {
        let record = key.record();
        let header = self.peek_header(&record).await?.ok_or(ApiError::NotFound)?;
        let taken = if header.views.max > 1 {
            self.store.views_taken(&record).await?
        } else {
            0
        };
        Ok(SecretStatus {
            passphrase_required: header.passphrase.is_some(),
            expires_at: header.expires_at,
            e2e: header.e2e,
            views: header.views,
            views_left: u32::from(header.views.max).saturating_sub(taken).max(1),
        })
    }

    /// How a waiting secret may be viewed, read from its header; `None` once it is gone.
    pub async fn views_of(&self, record: &RecordRef) -> Result<Option<Views>, ApiError> {
        Ok(self.peek_header(record).await?.map(|header| header.views))
    }

    /// Where the answer to a reveal of `key` with `idempotency` is kept, when answers are.
    pub fn kept_answer(
        &self,
        key: &crate::domain::TypedKey<impl crate::domain::keys::KeyKind>,
        idempotency: Option<&IdempotencyKey>,
    ) -> Option<KeptAnswer> {
        let window_ms = self.policy.reveal_retry_seconds.saturating_mul(1000);
        idempotency
            .filter(|_| window_ms > 0)
            .map(|idempotency| KeptAnswer::of(key, idempotency, window_ms))
    }

    /// Reveals a secret: each view is handed out once, and never more views than its
    /// creator allowed, whoever else is racing for it. With an idempotency key, the view is
    /// kept for the window, and the same key gets it again (no view counted).
    pub async fn reveal(
        &self,
        key: &SecretKey,
        presented: Presented,
    ) -> Result<Revealed, ApiError> {
        let record = key.record();
        let take = Take {
            guard: TakeGuard::Unprotected,
            proof: presented.proof.as_ref().map(RevealProof::verifier),
            kept: self.kept_answer(key, presented.idempotency.as_ref()),
            file_window_ms: presented
                .files
                .then(|| self.policy.file_download_seconds.saturating_mul(1000)),
        };
        let Some(passphrase) = presented.passphrase else {
            // One atomic step: take unless protected.
            return match self
                .store
                .take_secret_with(&record, &take, now_unix())
                .await
                .map_err(|error| unconfirmed(error, &take))?
            {
                Taken::Sealed {
                    sealed,
                    views_left,
                    replayed,
                } => {
                    count_reveal(replayed);
                    revealed(self.open(key, None, &sealed)?, &sealed, views_left)
                }
                Taken::Protected => Err(ApiError::PassphraseRequired),
                Taken::ProofRefused => Err(ApiError::ProofRefused),
                Taken::FileRefused => Err(ApiError::FileSecret),
                Taken::Missing => Err(ApiError::NotFound),
            };
        };

        // With a passphrase: read, reserve an attempt, check off the event loop, then take —
        // and answer only if the bytes taken are the bytes checked.
        let Some(sealed) = self.store.peek_secret(&record).await? else {
            // Gone: perhaps taken for this very reader, whose answer was lost.
            return self.kept_with_passphrase(key, &take, passphrase).await;
        };
        // Before any attempt is counted: wrong passphrases must not burn what the link's
        // path alone may not touch.
        if !crypto::proof_admits(&sealed, take.proof.as_ref()) {
            return Err(ApiError::ProofRefused);
        }
        if crypto::is_file(&sealed) && take.file_window_ms.is_none() {
            return Err(ApiError::FileSecret);
        }
        let (header, _) = Header::decode(&sealed).map_err(corrupt)?;
        let take = Take {
            guard: TakeGuard::Any,
            ..take
        };
        let Some(salt) = header.passphrase else {
            // Not protected: the passphrase is ignored, the take is the plain one.
            let text = self.open(key, None, &sealed)?;
            return self.take_checked(&record, &take, &sealed, text).await;
        };
        let limit = self.policy.passphrase_attempts;
        match self.store.reserve_attempt(&record, limit).await? {
            Reservation::Reserved => {}
            // As many guesses are being checked as the secret has attempts left.
            Reservation::Exhausted => {
                return Err(ApiError::RateLimited {
                    retry_after_seconds: 1,
                });
            }
            Reservation::Missing => return self.kept_with_passphrase(key, &take, passphrase).await,
        }
        let stretched = match self.kdf.stretch(salt, passphrase).await {
            Ok(stretched) => stretched,
            Err(error) => {
                self.store.release_attempt(&record).await?;
                return Err(error);
            }
        };
        let checked = crypto::open(
            crypto::Sealed::Secret,
            key.key().as_bytes(),
            Some(&stretched),
            &record.lookup,
            &sealed,
        );
        match checked {
            Ok(plaintext) => {
                // Right: the attempt goes back (the take below ends the count anyway).
                self.store.release_attempt(&record).await?;
                self.take_checked(&record, &take, &sealed, into_text(plaintext, &sealed)?)
                    .await
            }
            Err(CryptoError::Unauthentic) => {
                let recorded = self
                    .store
                    .record_failed_attempt(&record, limit, now_unix())
                    .await;
                // Counted on the master all the same: the guesser's budget pays for it.
                if matches!(recorded, Err(StoreError::NotDurable)) {
                    return Err(ApiError::UnconfirmedWrongPassphrase);
                }
                match recorded? {
                    Attempt::Remaining(attempts_left) => {
                        Err(ApiError::WrongPassphrase { attempts_left })
                    }
                    Attempt::Burned => {
                        METRICS.secrets_burned.inc();
                        Err(ApiError::WrongPassphrase { attempts_left: 0 })
                    }
                    Attempt::Missing => Err(ApiError::NotFound),
                }
            }
            Err(error) => {
                self.store.release_attempt(&record).await?;
                Err(corrupt(error))
            }
        }
    }

    /// The answer kept for a passphrase reveal's retry, opened with the passphrase again
    /// (the kept bytes are the sealed secret as taken).
    async fn kept_with_passphrase(
        &self,
        key: &SecretKey,
        take: &Take,
        passphrase: Passphrase,
    ) -> Result<Revealed, ApiError> {
        let Some(kept) = &take.kept else {
            return Err(ApiError::NotFound);
        };
        let record = key.record();
        let Some((sealed, views_left)) = self
            .store
            .kept_answer_with(&record, kept, take.file_window_ms)
            .await
            .map_err(|error| unconfirmed(error, take))?
        else {
            return Err(ApiError::NotFound);
        };
        // A replay needs the proof again, as the take did.
        if !crypto::proof_admits(&sealed, take.proof.as_ref()) {
            return Err(ApiError::ProofRefused);
        }
        let (header, _) = Header::decode(&sealed).map_err(corrupt)?;
        let stretched = match header.passphrase {
            Some(salt) => Some(self.kdf.stretch(salt, passphrase).await?),
            None => None,
        };
        let text = match crypto::open(
            crypto::Sealed::Secret,
            key.key().as_bytes(),
            stretched.as_ref(),
            &record.lookup,
            &sealed,
        ) {
            Ok(plaintext) => into_text(plaintext, &sealed)?,
            // The secret is gone: no attempt is left to count.
            Err(CryptoError::Unauthentic) => {
                return Err(ApiError::WrongPassphrase { attempts_left: 0 });
            }
            Err(error) => return Err(corrupt(error)),
        };
        count_reveal(true);
        revealed(text, &sealed, views_left)
    }

    /// Takes a secret whose bytes were checked, answering only if the bytes taken are the
    /// bytes checked.
    async fn take_checked(
        &self,
        record: &RecordRef,
        take: &Take,
        sealed: &[u8],
        text: SecretText,
    ) -> Result<Revealed, ApiError> {
        match self
            .store
            .take_secret_with(record, take, now_unix())
            .await
            .map_err(|error| unconfirmed(error, take))?
        {
            Taken::Sealed {
                sealed: taken,
                views_left,
                replayed,
            } if taken == sealed => {
                count_reveal(replayed);
                revealed(text, sealed, views_left)
            }
            Taken::Sealed { .. } => Err(ApiError::Internal(
                "taken bytes differ from checked bytes".into(),
            )),
            Taken::ProofRefused => Err(ApiError::ProofRefused),
            Taken::FileRefused => Err(ApiError::FileSecret),
            Taken::Missing | Taken::Protected => Err(ApiError::NotFound),
        }
    }

    /// Burns what is left of a secret (the link holder's choice), when its creator let
    /// viewers burn it: a secret of one view allows it unless told otherwise, one of
    /// several views only when told so.
    /// An `e2e2` secret burns only for a viewer presenting its reveal proof.
    pub async fn burn(&self, key: &SecretKey, proof: Option<&RevealProof>) -> Result<(), ApiError> {
        let record = key.record();
        let header = self.peek_header(&record).await?.ok_or(ApiError::NotFound)?;
        if !header.views.viewer_may_burn {
            return Err(ApiError::BurnNotAllowed);
        }
        let by = BurnBy::Viewer(proof.map(RevealProof::verifier));
        match self.store.burn_secret_by(&record, by, now_unix()).await? {
            Burn::Burned => {
                METRICS.secrets_burned.inc();
                Ok(())
            }
            Burn::Missing => Err(ApiError::NotFound),
            Burn::ProofRefused => Err(ApiError::ProofRefused),
        }
    }

    /// Burns what is left of a secret, whoever its creator allowed (its owner's choice).
    pub async fn burn_as_owner(&self, key: &SecretKey) -> Result<(), ApiError> {
        self.burn_record(&key.record()).await
    }

    async fn burn_record(&self, record: &RecordRef) -> Result<(), ApiError> {
        if self.store.burn_secret(record, now_unix()).await? {
            METRICS.secrets_burned.inc();
            Ok(())
        } else {
            Err(ApiError::NotFound)
        }
    }

    /// The owner's view of a secret.
    pub async fn receipt(&self, key: &ReceiptKey) -> Result<ReceiptView, ApiError> {
        let (record, fate, views) = self
            .store
            .read_receipt(&key.record())
            .await?
            .ok_or(ApiError::NotFound)?;
        Ok(ReceiptView::new(&record, fate, views))
    }

    /// A receipt's record and fate, and — while the secret is unread and its receipt keeps
    /// it — the secret key.
    pub async fn receipt_detail(
        &self,
        key: &ReceiptKey,
    ) -> Result<(ReceiptRecord, SecretFate, Option<SecretKey>), ApiError> {
        let record = key.record();
        let (stored, fate, _) = self
            .store
            .read_receipt(&record)
            .await?
            .ok_or(ApiError::NotFound)?;
        let secret_key = match (&stored.sealed_secret_key, fate) {
            (Some(sealed), SecretFate::Pending) => {
                let bytes = crypto::open(
                    crypto::Sealed::SecretKeyForReceipt,
                    key.key().as_bytes(),
                    None,
                    &record.lookup,
                    sealed,
                )
                .map_err(corrupt)?;
                let bytes: [u8; CLIENT_KEY_BYTES] = bytes.try_into().map_err(|_| {
                    ApiError::Internal("sealed secret key has the wrong length".into())
                })?;
                Some(SecretKey::new(ClientKey::from_bytes(bytes)))
            }
            _ => None,
        };
        Ok((stored, fate, secret_key))
    }

    /// Burns the secret if it is still pending; reports the receipt either way.
    pub async fn burn_by_receipt(&self, key: &ReceiptKey) -> Result<ReceiptView, ApiError> {
        let (record, fate, views) = self
            .store
            .read_receipt(&key.record())
            .await?
            .ok_or(ApiError::NotFound)?;
        if fate != SecretFate::Pending {
            return Ok(ReceiptView::new(&record, fate, views));
        }
        if self.store.burn_secret(&record.secret, now_unix()).await? {
            METRICS.secrets_burned.inc();
        }
        // Read again: a reveal may have won the race, and the receipt must say so.
        self.receipt(key).await
    }

    fn open(
        &self,
        key: &SecretKey,
        stretched: Option<&crypto::StretchedPassphrase>,
        sealed: &[u8],
    ) -> Result<SecretText, ApiError> {
        let plaintext = crypto::open(
            crypto::Sealed::Secret,
            key.key().as_bytes(),
            stretched,
            &key.record().lookup,
            sealed,
        )
        .map_err(corrupt)?;
        into_text(plaintext, sealed)
    }
}

/// A view handed out now counts as a reveal; one handed out again to the same
/// idempotency key does not.
fn count_reveal(replayed: bool) {
    if replayed {
        METRICS.reveals_replayed.inc();
    } else {
        METRICS.secrets_revealed.inc();
    }
}

/// A take not acknowledged in time: with an idempotency key it was kept, and the same key
/// may retry; without one it is lost to the reader (burned, for the receipt).
fn unconfirmed(error: StoreError, take: &Take) -> ApiError {
    ApiError::from_take(error, take.kept.is_some())
}

fn into_text(plaintext: Vec<u8>, sealed: &[u8]) -> Result<SecretText, ApiError> {
    let text = String::from_utf8(plaintext)
        .map_err(|_| ApiError::Internal("revealed secret is not UTF-8".into()))?;
    // Sealed texts were validated on the way in; re-checking them would only hide data.
    Ok(SecretText::stored(text, crypto::is_e2e(sealed)))
}

/// The view handed out: for a file secret, its manifest read from the text, and the text
/// the client's envelope of name, type and size (or nothing, when the server may see them).
fn revealed(text: SecretText, sealed: &[u8], views_left: u32) -> Result<Revealed, ApiError> {
    if !crypto::is_file(sealed) {
        return Ok(Revealed {
            text,
            views_left,
            file: None,
        });
    }
    let manifest = FileManifest::from_text(text.as_str())
        .ok_or_else(|| ApiError::Internal("a file secret holds no manifest".into()))?;
    Ok(Revealed {
        text: SecretText::stored(manifest.envelope.clone().unwrap_or_default(), text.is_e2e()),
        views_left,
        file: Some(manifest),
    })
}

/// Stored bytes that should open but do not: tampering or a bug, never the client's fault.
fn corrupt(error: CryptoError) -> ApiError {
    ApiError::Internal(format!("stored secret could not be opened: {error}"))
}
