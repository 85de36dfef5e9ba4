//! Requests for a secret: a requester asks someone else to fill in a secret once, and only
//! the requester can read the answer.
//!
//! A request is a record of its own kind (its own lookup and seal contexts, so the secrets
//! API cannot reach it) holding the requester's X25519 public key, an optional note and
//! the key the answer will be stored under, sealed under the request key, which Redis
//! never sees. Filling it is the same atomic take as a reveal: once. The answer is sealed
//! to the public key ([`crate::crypto::sealed_box`]) and stored as a one-view end-to-end secret
//! under the answer key; the private half travels only in the requester's link, so a dump
//! of Redis plus the configuration opens no answer. No HTTP and no Redis here.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::crypto::sealed_box;
use crate::crypto::{self, Header, Views};
use crate::domain::time::now_unix;
use crate::domain::{
    ClientKey, ReceiptKey, ReceiptRecord, RequestKey, SecretKey, SecretText, Ttl, ValidationError,
};
use crate::error::ApiError;
use crate::secrets::SecretService;
use crate::store::{NewSecret, Store, TakeGuard, Taken};

/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 1000;

/// What a request's record holds, sealed under its request key.
#[derive(Serialize, Deserialize)]
struct RequestRecord {
    /// The requester's public key, base64url.
    public_key: String,
    /// What the requester asks for, shown to whoever fills the request.
    note: Option<String>,
    /// The secret key the answer is stored under.
    answer_key: String,
    /// Seconds the answer waits for its reader.
    ttl: u64,
}

/// A request just made (no `Debug`: it may hold a private key).
pub struct CreatedRequest {
    /// For the link of whoever fills it in: `/q/{request_key}`.
    pub request_key: RequestKey,
    /// The requester's receipt: `revealed` once the request is filled.
    pub receipt_key: ReceiptKey,
    /// Where the answer will be: the requester's link is `/s/{answer_key}#<private key>`.
    pub answer_key: SecretKey,
    /// The private half, when the server made the pair (it keeps no copy).
    pub private_key: Option<String>,
    /// Its TTL, and the answer's.
    pub ttl: Ttl,
    /// When the request expires (unix seconds).
    pub expires_at: u64,
}

/// What whoever fills a request sees.
#[derive(Debug)]
pub struct OpenRequest {
    /// What the requester asks for.
    pub note: Option<String>,
    /// The key to seal the answer to, base64url.
    pub public_key: String,
    /// When the request expires (unix seconds).
    pub expires_at: u64,
}

/// The answer to a request.
#[derive(Debug)]
pub enum Answer {
    /// The text: the server seals it to the requester's public key.
    Text(SecretText),
    /// Already sealed to the requester's public key by the answerer's client (`sb1.…`).
    Sealed(SecretText),
}

/// Requests, over a store and the secrets they are answered with.
#[derive(Clone)]
pub struct RequestService {
    store: Arc<dyn Store>,
    secrets: SecretService,
}

/// Validates a note: at most [`MAX_NOTE_CHARS`] characters; an empty one is none.
pub fn parse_note(note: Option<String>) -> Result<Option<String>, ValidationError> {
    match note {
        Some(note) if note.chars().count() > MAX_NOTE_CHARS => Err(ValidationError::invalid(
            "invalid_note",
            format!("note must be at most {MAX_NOTE_CHARS} characters"),
        )),
        Some(note) if note.is_empty() => Ok(None),
        note => Ok(note),
    }
}

impl RequestService {
    /// A service over `store`, storing answers through `secrets`.
    pub fn new(store: Arc<dyn Store>, secrets: SecretService) -> Self {
        Self { store, secrets }
    }

    /// Makes a request. Without `public_key` the server makes the key pair and hands the
    /// private half back once.
    pub async fn create(
        &self,
        note: Option<String>,
        ttl: Ttl,
        public_key: Option<String>,
    ) -> Result<CreatedRequest, ApiError> {
        let (public_key, private_key) = match public_key {
            Some(public_key) => {
                sealed_box::decode_public(&public_key).map_err(|_| {
                    ValidationError::invalid(
                        "invalid_public_key",
                        "public_key must be 32 bytes of base64url (43 characters)",
                    )
                })?;
                (public_key, None)
            }
            None => {
                let pair = sealed_box::KeyPair::generate();
                (pair.encode_public(), Some(pair.encode_private()))
            }
        };
        let created_at = now_unix();
        let expires_at = created_at + ttl.seconds();
        let tag = ClientKey::generate_tag();
        let request_key = RequestKey::new(ClientKey::generate(tag));
        let receipt_key = ReceiptKey::new(ClientKey::generate(tag));
        let answer_key = SecretKey::new(ClientKey::generate(ClientKey::generate_tag()));
        let record = RequestRecord {
            public_key,
            note,
            answer_key: answer_key.key().encode(),
            ttl: ttl.seconds(),
        };
        let json = serde_json::to_vec(&record)
            .map_err(|error| ApiError::Internal(format!("request record: {error}")))?;
        let request = request_key.record();
        let sealed = crypto::seal(
            crypto::Sealed::Request,
            request_key.key().as_bytes(),
            None,
            &Header {
                expires_at,
                passphrase: None,
                e2e: false,
                views: Views::ONCE,
                reveal_verifier: None,
            },
            &request.lookup,
            &json,
        );
        self.store
            .create_secret(&NewSecret {
                secret: request,
                receipt: receipt_key.record(),
                sealed: &sealed,
                receipt_record: ReceiptRecord {
                    created_at,
                    expires_at,
                    secret: request,
                    sealed_secret_key: None,
                    max_views: 1,
                },
                ttl_seconds: ttl.seconds(),
            })
            .await?;
        Ok(CreatedRequest {
            request_key,
            receipt_key,
            answer_key,
            private_key,
            ttl,
            expires_at,
        })
    }

    /// What a request asks for; never consumes it.
    pub async fn open(&self, key: &RequestKey) -> Result<OpenRequest, ApiError> {
        let sealed = self
            .store
            .peek_secret(&key.record())
            .await?
            .ok_or(ApiError::NotFound)?;
        let (record, expires_at) = open_record(key, &sealed)?;
        Ok(OpenRequest {
            note: record.note,
            public_key: record.public_key,
            expires_at,
        })
    }

    /// Fills a request, once: whoever takes it first answers it. Returns when the answer
    /// expires (unix seconds).
    pub async fn answer(&self, key: &RequestKey, answer: Answer) -> Result<u64, ApiError> {
        let taken = self
            .store
            .take_secret(&key.record(), TakeGuard::Unprotected, now_unix())
            .await?;
        let Taken::Sealed { sealed, .. } = taken else {
            return Err(ApiError::NotFound);
        };
        let (record, _) = open_record(key, &sealed)?;
        let corrupt = || ApiError::Internal("request record holds a bad key".into());
        let public = sealed_box::decode_public(&record.public_key).map_err(|_| corrupt())?;
        let answer_key = SecretKey::parse(&record.answer_key).ok_or_else(corrupt)?;
        let text = match answer {
            Answer::Text(text) => {
                SecretText::stored(sealed_box::seal(&public, text.as_str()), true)
            }
            Answer::Sealed(sealed) => sealed,
        };
        // Within the bounds in force now (the operator may have narrowed them since).
        let bounds = self.secrets.policy().ttl;
        let seconds = record.ttl.clamp(bounds.min, bounds.max);
        let ttl = bounds.parse(i64::try_from(seconds).ok())?;
        let created = self.secrets.create_answer(answer_key, &text, ttl).await?;
        Ok(created.expires_at)
    }
}

fn open_record(key: &RequestKey, sealed: &[u8]) -> Result<(RequestRecord, u64), ApiError> {
    let corrupt = |error: String| ApiError::Internal(format!("stored request: {error}"));
    let (header, _) = Header::decode(sealed).map_err(|error| corrupt(error.to_string()))?;
    let json = crypto::open(
        crypto::Sealed::Request,
        key.key().as_bytes(),
        None,
        &key.record().lookup,
        sealed,
    )
    .map_err(|error| corrupt(error.to_string()))?;
    let record = serde_json::from_slice(&json).map_err(|error| corrupt(error.to_string()))?;
    Ok((record, header.expires_at))
}
