//! File secrets: an upload in chunks that becomes a secret when it is finished, and the
//! download its reader's reveal opens.
//!
//! A file secret is an ordinary secret (same seal, header, take, views, passphrase, proof
//! and idempotency keys) whose text is its [`FileManifest`] and whose header has the file
//! flag; its content is chunks, each sealed under a key derived from the secret key
//! ([`crate::crypto::file`]). Until its finish, an upload is known only by its upload key:
//! its state (the keys and the sealed secret to be) is sealed under that key. No HTTP here
//! and no Redis.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::config::ServerKey;
use crate::crypto::file::{self as file_crypto, ChunkSealer, chunk_key};
use crate::crypto::{Header, Views};
use crate::domain::keys::CLIENT_KEY_BYTES;
use crate::domain::time::now_unix;
use crate::domain::{
    ChunkIndex, ClientKey, DeclaredBytes, FileManifest, FileName, MediaType, Passphrase,
    ReceiptKey, RecordRef, SecretKey, SecretText, Ttl, UploadKey,
};
use crate::error::ApiError;
use crate::metrics::METRICS;
use crate::secrets::{CreatedSecret, SealedNew, SecretService};
use crate::store::{ChunkStored, NewChunk, NewSecret, NewUpload, Store, UploadFinished};

/// Bytes a download ticket holds besides the file's name: the chunk key, the secret's
/// tag and lookup id, the ticket's expiry and the file's size.
const TICKET_HEAD: usize = 32 + 2 + 16 + 8 + 8;
/// Longest ticket text: its head and the longest name, sealed, in base64url.
const MAX_TICKET_CHARS: usize = (TICKET_HEAD + 255 + file_crypto::SEAL_OVERHEAD).div_ceil(3) * 4;
/// The smallest chunk but a file's last (64 KiB): a 512 MiB file is at most 8192 chunks.
const MIN_CHUNK_BYTES: usize = 65_536;

/// Bytes of the chunks the server cuts a stream into: the most a chunk may carry.
const CHUNK_BYTES: usize = crate::domain::file::MAX_CHUNK_BYTES;

/// The operator's rules for files.
#[derive(Debug, Clone, Copy)]
pub struct FilePolicy {
    /// Largest file in bytes.
    pub max_file_bytes: u64,
    /// Seconds a revealed file stays downloadable by its reader.
    pub download_seconds: u64,
}

/// What the sender's client says of a file it is about to upload.
#[derive(Debug)]
pub struct NewFile {
    /// Bytes the chunks will carry.
    pub bytes: DeclaredBytes,
    /// Name and type, or the client's envelope of them.
    pub label: FileLabel,
    /// The passphrase a reader must give as well.
    pub passphrase: Option<Passphrase>,
    /// Until it expires (from now: the upload's start).
    pub ttl: Ttl,
    /// Views it allows.
    pub views: Views,
}

/// How a file is named: in the clear for the server (curl, Password Pusher), or only in
/// the sender's end-to-end envelope (the pages, the CLI).
#[derive(Debug)]
pub enum FileLabel {
    /// Name and type the server may see.
    Plain {
        /// The file's name.
        name: Option<FileName>,
        /// Its media type.
        media_type: Option<MediaType>,
    },
    /// An e2e2 envelope of name, type and size.
    Envelope(SecretText),
}

/// An upload just started.
#[derive(Debug)]
pub struct StartedUpload {
    /// The key its chunks and its finish present.
    pub upload_key: UploadKey,
    /// Bytes declared.
    pub bytes: u64,
    /// When it (and the secret it becomes) expires, unix seconds.
    pub expires_at: u64,
}

/// Where a reader downloads a revealed file, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DownloadTicket {
    /// The ticket (base64url), a bearer credential for the download.
    pub ticket: String,
    /// When it stops working, unix seconds.
    pub expires_at: u64,
}

/// A download under way: the content, chunk by chunk, as its sender uploaded it.
pub struct Download {
    store: Arc<dyn Store>,
    sealer: ChunkSealer,
    secret: RecordRef,
    next: u32,
    sent: u64,
    first: Option<Vec<u8>>,
    /// Bytes of the whole content.
    pub bytes: u64,
    /// The file's name, when the server may know it.
    pub name: Option<FileName>,
}

impl Download {
    /// The next chunk; `None` once every byte was handed out. A chunk that is gone or does
    /// not open ends the download with an error: the reader gets fewer bytes than the
    /// length announced, never other bytes.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, ApiError> {
        if let Some(first) = self.first.take() {
            return Ok(Some(first));
        }
        if self.sent >= self.bytes {
            return Ok(None);
        }
        let chunk = self.read().await?.ok_or(ApiError::NotFound)?;
        Ok(Some(chunk))
    }

    async fn read(&mut self) -> Result<Option<Vec<u8>>, ApiError> {
        let Some(sealed) = self.store.read_chunk(&self.secret, self.next).await? else {
            return Ok(None);
        };
        let chunk = self
            .sealer
            .open(self.next, &sealed)
            .map_err(|error| ApiError::Internal(format!("a file chunk did not open: {error}")))?;
        self.next += 1;
        self.sent += chunk.len() as u64;
        if self.sent > self.bytes {
            return Err(ApiError::Internal(
                "a file carries more than its manifest".into(),
            ));
        }
        Ok(Some(chunk))
    }
}

/// Uploads and downloads of file secrets, over a store.
#[derive(Clone)]
pub struct FileService {
    store: Arc<dyn Store>,
    secrets: SecretService,
    server_key: ServerKey,
    policy: FilePolicy,
}

/// Bytes before the sealed secret in an upload's state: secret key, receipt key and
/// creation time.
const STATE_HEAD: usize = 2 * CLIENT_KEY_BYTES + 8;

impl FileService {
    /// A service over `store`; secrets are sealed by `secrets`, tickets under `server_key`.
    pub fn new(
        store: Arc<dyn Store>,
        secrets: SecretService,
        server_key: ServerKey,
        policy: FilePolicy,
    ) -> Self {
        Self {
            store,
            secrets,
            server_key,
            policy,
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> &FilePolicy {
        &self.policy
    }

    /// The secrets service files are sealed by (its policy: TTLs, sizes).
    pub fn secrets(&self) -> &SecretService {
        &self.secrets
    }

    /// Starts an upload: seals the secret it will become (under fresh keys, its passphrase
    /// stretched now) into the upload's state. Nothing can be revealed before its finish.
    pub async fn start(&self, file: NewFile) -> Result<StartedUpload, ApiError> {
        let (name, media_type, envelope) = match file.label {
            FileLabel::Plain { name, media_type } => (name, media_type, None),
            FileLabel::Envelope(text) => (None, None, Some(text)),
        };
        let manifest = FileManifest {
            bytes: file.bytes.get(),
            name,
            media_type,
            envelope: envelope.as_ref().map(|text| text.as_str().to_owned()),
        };
        // The manifest carries the envelope's reveal verifier into the header.
        let text = SecretText::file_manifest(manifest.to_text(), envelope.as_ref());
        let views = Views {
            file: true,
            ..file.views
        };
        let new = self
            .secrets
            .seal_new(&text, file.passphrase, file.ttl, views, false, None)
            .await?;
        let upload_key = UploadKey::new(ClientKey::generate(new.created.secret_key.key().tag()));
        let mut state = Vec::with_capacity(STATE_HEAD + new.sealed.len());
        state.extend_from_slice(new.created.secret_key.key().as_bytes());
        state.extend_from_slice(new.created.receipt_key.key().as_bytes());
        state.extend_from_slice(&new.receipt_record.created_at.to_be_bytes());
        state.extend_from_slice(&new.sealed);
        let upload = upload_key.record();
        let sealed_state =
            file_crypto::seal_upload_state(upload_key.key().as_bytes(), &upload.lookup, &state);
        self.store
            .start_upload(&NewUpload {
                upload,
                state: &sealed_state,
                declared_bytes: file.bytes.get(),
                expires_at: new.created.expires_at,
            })
            .await?;
        Ok(StartedUpload {
            upload_key,
            bytes: file.bytes.get(),
            expires_at: new.created.expires_at,
        })
    }

    /// Drops an upload under way and its chunks (its sender gave up on it).
    pub async fn abort(&self, upload_key: &UploadKey) -> Result<(), ApiError> {
        let state = self.state(upload_key).await?;
        if self
            .store
            .abort_upload(&upload_key.record(), &state.secret)
            .await?
        {
            Ok(())
        } else {
            Err(ApiError::NotFound)
        }
    }

    /// The upload `upload_key` names, opened, before its chunk's body is read: an unknown
    /// one costs no body.
    pub async fn open_upload(&self, upload_key: &UploadKey) -> Result<OpenUpload, ApiError> {
        Ok(OpenUpload(self.state(upload_key).await?))
    }

    /// Stores one chunk of an upload opened already: the next index, or the last one
    /// again (a retry). Returns the chunks and bytes received so far.
    pub async fn put_opened_chunk(
        &self,
        upload_key: &UploadKey,
        upload: &OpenUpload,
        index: ChunkIndex,
        body: &[u8],
    ) -> Result<(u32, u64), ApiError> {
        self.store_chunk(upload_key, &upload.0, index, body).await
    }

    async fn store_chunk(
        &self,
        upload_key: &UploadKey,
        state: &UploadState,
        index: ChunkIndex,
        body: &[u8],
    ) -> Result<(u32, u64), ApiError> {
        // A chunk short of the smallest size that is not the file's last wastes Redis'
        // per-entry overhead: refused (its `bytes` counts what arrived before it).
        let last = state.received + body.len() as u64 >= state.declared;
        if body.len() < MIN_CHUNK_BYTES && !last && index.get() == state.chunks {
            return Err(ApiError::ChunkTooSmall {
                min: MIN_CHUNK_BYTES,
            });
        }
        let secret = state.secret_key.record();
        let sealer = ChunkSealer::new(
            &chunk_key(state.secret_key.key().as_bytes()),
            &secret.lookup,
        );
        let sealed = sealer.seal(index.get(), body);
        let stored = self
            .store
            .put_chunk(&NewChunk {
                upload: upload_key.record(),
                secret,
                index: index.get(),
                sealed: &sealed,
                plain_len: body.len() as u64,
                expires_at: state.expires_at,
            })
            .await?;
        match stored {
            ChunkStored::Stored { chunks, bytes } => Ok((chunks, bytes)),
            ChunkStored::OutOfOrder { expected } => Err(ApiError::ChunkOutOfOrder { expected }),
            ChunkStored::ExceedsDeclared => Err(ApiError::UploadExceedsDeclared),
            ChunkStored::Missing => Err(ApiError::NotFound),
        }
    }

    /// Finishes an upload: once every declared byte arrived, the secret and its receipt
    /// exist, in one atomic step (acknowledged as any create). Returns it with the bytes
    /// of its content.
    pub async fn finish(&self, upload_key: &UploadKey) -> Result<(CreatedSecret, u64), ApiError> {
        let state = self.state(upload_key).await?;
        let (header, _) = Header::decode(&state.sealed)
            .map_err(|error| ApiError::Internal(format!("an upload's secret: {error}")))?;
        let new = SealedNew {
            created: CreatedSecret {
                secret_key: state.secret_key,
                receipt_key: state.receipt_key,
                ttl: state.ttl,
                expires_at: state.expires_at,
                passphrase_required: header.passphrase.is_some(),
                views: header.views,
            },
            receipt_record: crate::domain::ReceiptRecord {
                created_at: state.created_at,
                expires_at: state.expires_at,
                secret: state.secret,
                sealed_secret_key: None,
                max_views: header.views.max,
            },
            sealed: state.sealed,
        };
        let created = self
            .finish_sealed(&upload_key.record(), new, state.declared)
            .await?;
        Ok((created, state.declared))
    }

    /// Makes the sealed secret of an upload exist, once exactly `bytes` arrived.
    async fn finish_sealed(
        &self,
        upload: &RecordRef,
        new: SealedNew,
        bytes: u64,
    ) -> Result<CreatedSecret, ApiError> {
        let now = now_unix();
        let expires_at = new.created.expires_at;
        if expires_at <= now {
            return Err(ApiError::NotFound);
        }
        let finished = self
            .store
            .finish_upload(
                upload,
                &NewSecret {
                    secret: new.created.secret_key.record(),
                    receipt: new.created.receipt_key.record(),
                    sealed: &new.sealed,
                    receipt_record: new.receipt_record,
                    ttl_seconds: expires_at - now,
                },
                bytes,
            )
            .await?;
        match finished {
            UploadFinished::Created => {
                METRICS.secrets_created.inc();
                Ok(new.created)
            }
            UploadFinished::Incomplete {
                chunks,
                bytes: received,
            } => Err(ApiError::UploadIncomplete {
                chunks,
                bytes: received,
                declared: bytes,
            }),
            UploadFinished::Missing => Err(ApiError::NotFound),
        }
    }

    /// Stores a file whose bytes arrive in one stream the server reads itself (Password
    /// Pusher's multipart upload): chunked and sealed as they come, one chunk in memory at
    /// a time, never more than `bound` bytes; the secret exists once the stream ended.
    /// Its TTL counts from the start, like a client's upload.
    pub async fn upload_stream<B: AsRef<[u8]>>(
        &self,
        label: FileLabel,
        passphrase: Option<Passphrase>,
        ttl: Ttl,
        views: Views,
        bound: DeclaredBytes,
        body: impl futures_util::Stream<Item = Result<B, ApiError>> + Unpin,
    ) -> Result<(CreatedSecret, u64), ApiError> {
        let started_at = now_unix();
        let expires_at = started_at + ttl.seconds();
        let secret_key = SecretKey::new(ClientKey::generate(ClientKey::generate_tag()));
        let upload_key = UploadKey::new(ClientKey::generate(secret_key.key().tag()));
        let (upload, secret) = (upload_key.record(), secret_key.record());
        // The state is never read: this process holds the keys until the finish.
        self.store
            .start_upload(&NewUpload {
                upload,
                state: b"-",
                declared_bytes: bound.get(),
                expires_at,
            })
            .await?;
        let streamed = self
            .stream_into(
                &upload,
                secret_key,
                expires_at,
                (label, passphrase, views),
                bound,
                body,
            )
            .await;
        if streamed.is_err() {
            // Refused or broken off: what it stored goes now, not at its expiry.
            if let Err(error) = self.store.abort_upload(&upload, &secret).await {
                log::warn!("could not drop a refused upload's chunks: {error}");
            }
        }
        streamed
    }

    /// Chunks, seals and stores a stream, then seals and finishes its secret.
    async fn stream_into<B: AsRef<[u8]>>(
        &self,
        upload: &RecordRef,
        secret_key: SecretKey,
        expires_at: u64,
        (label, passphrase, views): (FileLabel, Option<Passphrase>, Views),
        bound: DeclaredBytes,
        mut body: impl futures_util::Stream<Item = Result<B, ApiError>> + Unpin,
    ) -> Result<(CreatedSecret, u64), ApiError> {
        use futures_util::StreamExt;
        let secret = secret_key.record();
        let sealer = ChunkSealer::new(&chunk_key(secret_key.key().as_bytes()), &secret.lookup);
        let (mut index, mut received) = (0u32, 0u64);
        let mut buffer = Vec::with_capacity(CHUNK_BYTES);
        let mut ended = false;
        while !ended {
            match body.next().await.transpose()? {
                Some(piece) => buffer.extend_from_slice(piece.as_ref()),
                None => ended = true,
            }
            // Full chunks go as they fill; the rest (or an empty file's one chunk) at the end.
            while buffer.len() >= CHUNK_BYTES || (ended && (!buffer.is_empty() || index == 0)) {
                let rest = buffer.split_off(buffer.len().min(CHUNK_BYTES));
                let chunk = std::mem::replace(&mut buffer, rest);
                received += chunk.len() as u64;
                if received > bound.get() {
                    return Err(ApiError::UploadExceedsDeclared);
                }
                let stored = self
                    .store
                    .put_chunk(&NewChunk {
                        upload: *upload,
                        secret,
                        index,
                        sealed: &sealer.seal(index, &chunk),
                        plain_len: chunk.len() as u64,
                        expires_at,
                    })
                    .await?;
                if !matches!(stored, ChunkStored::Stored { .. }) {
                    return Err(ApiError::Internal(format!(
                        "a streamed chunk was refused: {stored:?}"
                    )));
                }
                index += 1;
                if buffer.is_empty() && ended {
                    break;
                }
            }
        }
        let (name, media_type) = match label {
            FileLabel::Plain { name, media_type } => (name, media_type),
            FileLabel::Envelope(_) => {
                return Err(ApiError::Internal("a streamed file has no envelope".into()));
            }
        };
        let manifest = FileManifest {
            bytes: received,
            name,
            media_type,
            envelope: None,
        };
        let text = SecretText::file_manifest(manifest.to_text(), None);
        let new = self
            .secrets
            .seal_new(
                &text,
                passphrase,
                Ttl::stored(now_unix(), expires_at),
                Views {
                    file: true,
                    ..views
                },
                false,
                Some(secret_key),
            )
            .await?;
        let created = self.finish_sealed(upload, new, received).await?;
        Ok((created, received))
    }

    /// The ticket a reader of `key`'s file downloads it with, valid for the download window.
    pub fn ticket(&self, key: &SecretKey, manifest: &FileManifest) -> DownloadTicket {
        let expires_at = now_unix() + self.policy.download_seconds;
        let name = manifest.name.as_ref().map_or("", FileName::as_str);
        let secret = key.record();
        let mut content = Vec::with_capacity(TICKET_HEAD + name.len());
        content.extend_from_slice(&chunk_key(key.key().as_bytes()));
        content.extend_from_slice(&secret.tag);
        content.extend_from_slice(&secret.lookup);
        content.extend_from_slice(&expires_at.to_be_bytes());
        content.extend_from_slice(&manifest.bytes.to_be_bytes());
        content.extend_from_slice(name.as_bytes());
        let sealed = file_crypto::seal_ticket(self.server_key.as_bytes(), &content);
        DownloadTicket {
            ticket: URL_SAFE_NO_PAD.encode(sealed),
            expires_at,
        }
    }

    /// Opens a download: the ticket must be one this server issued and still valid, and
    /// the file's first chunk still there (so a gone file is a 404, not a broken stream).
    pub async fn download(&self, ticket: &str) -> Result<Download, ApiError> {
        let content = (ticket.len() <= MAX_TICKET_CHARS)
            .then(|| URL_SAFE_NO_PAD.decode(ticket).ok())
            .flatten()
            .and_then(|sealed| file_crypto::open_ticket(self.server_key.as_bytes(), &sealed).ok())
            .ok_or(ApiError::NotFound)?;
        let (key, rest) = content
            .split_first_chunk::<32>()
            .ok_or(ApiError::NotFound)?;
        let (tag, rest) = rest.split_first_chunk::<2>().ok_or(ApiError::NotFound)?;
        let (lookup, rest) = rest.split_first_chunk::<16>().ok_or(ApiError::NotFound)?;
        let (expires_at, rest) = rest.split_first_chunk::<8>().ok_or(ApiError::NotFound)?;
        let (bytes, name) = rest.split_first_chunk::<8>().ok_or(ApiError::NotFound)?;
        if u64::from_be_bytes(*expires_at) < now_unix() {
            return Err(ApiError::NotFound);
        }
        let secret = RecordRef {
            tag: *tag,
            lookup: *lookup,
        };
        let name = String::from_utf8(name.to_vec())
            .ok()
            .filter(|name| !name.is_empty())
            .and_then(|name| FileName::parse(name).ok());
        let mut download = Download {
            store: self.store.clone(),
            sealer: ChunkSealer::new(key, &secret.lookup),
            secret,
            next: 0,
            sent: 0,
            first: None,
            bytes: u64::from_be_bytes(*bytes),
            name,
        };
        download.first = Some(download.read().await?.ok_or(ApiError::NotFound)?);
        Ok(download)
    }

    /// An upload's state, opened with its key; unknown, expired or finished: not found.
    async fn state(&self, upload_key: &UploadKey) -> Result<UploadState, ApiError> {
        let upload = upload_key.record();
        let stored = self
            .store
            .upload(&upload)
            .await?
            .ok_or(ApiError::NotFound)?;
        let state = file_crypto::open_upload_state(
            upload_key.key().as_bytes(),
            &upload.lookup,
            &stored.state,
        )
        .map_err(|_| ApiError::NotFound)?;
        UploadState::decode(state, &stored)
    }
}

/// An upload found and opened with its key, ready for a chunk.
pub struct OpenUpload(UploadState);

/// What an upload keeps, sealed under its key, for its chunks and its finish.
struct UploadState {
    received: u64,
    chunks: u32,
    secret: RecordRef,
    secret_key: SecretKey,
    receipt_key: ReceiptKey,
    created_at: u64,
    ttl: Ttl,
    expires_at: u64,
    declared: u64,
    sealed: Vec<u8>,
}

impl UploadState {
    fn decode(mut state: Vec<u8>, stored: &crate::store::Upload) -> Result<Self, ApiError> {
        let corrupt = || ApiError::Internal("an upload's state is malformed".into());
        if state.len() <= STATE_HEAD {
            return Err(corrupt());
        }
        let sealed = state.split_off(STATE_HEAD);
        let key = |at: usize| -> Result<ClientKey, ApiError> {
            Ok(ClientKey::from_bytes(
                state[at..at + CLIENT_KEY_BYTES]
                    .try_into()
                    .map_err(|_| corrupt())?,
            ))
        };
        let number = |at: usize| -> Result<u64, ApiError> {
            Ok(u64::from_be_bytes(
                state[at..at + 8].try_into().map_err(|_| corrupt())?,
            ))
        };
        let (header, _) = Header::decode(&sealed).map_err(|_| corrupt())?;
        let secret_key = SecretKey::new(key(0)?);
        Ok(Self {
            received: stored.bytes,
            chunks: stored.chunks,
            secret: secret_key.record(),
            secret_key,
            receipt_key: ReceiptKey::new(key(CLIENT_KEY_BYTES)?),
            created_at: number(2 * CLIENT_KEY_BYTES)?,
            ttl: Ttl::stored(number(2 * CLIENT_KEY_BYTES)?, header.expires_at),
            expires_at: header.expires_at,
            declared: stored.declared_bytes,
            sealed,
        })
    }
}
