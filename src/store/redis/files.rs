//! File uploads: an upload's state (`u:`, a hash: `st` the service's sealed state, `B`
//! bytes declared, `n` chunks and `b` bytes received, `l` the last chunk's bytes, so that
//! a retry of it can replace it) and the chunks (`f:` beside the secret's `s:`, a hash of
//! index → sealed chunk). Both expire at the secret's expiry, so an abandoned upload
//! vanishes by itself. Each operation is one round trip: a script, or one `HMGET`/`HGET`.
//! The take's side (a download window per view, the chunks unlinked by a burn) is in the
//! take script.

use std::sync::LazyLock;

use redis::{Script, Value};

use super::RedisStore;
use crate::domain::RecordRef;
use crate::store::{
    ChunkStored, NewChunk, NewSecret, NewUpload, StoreError, Upload, UploadFinished, same_slot,
};

/// Stores an upload's state with nothing received, expiring at the secret's expiry.
/// KEYS: upload. ARGV: state, bytes declared, expiry (unix seconds).
const START_UPLOAD_SCRIPT: &str = include_str!("scripts/start_upload.lua");

/// Stores one chunk with its counts: the next index, or the last again (replacing it and
/// its bytes in the count), never past the bytes declared; the chunks' hash gets its
/// expiry with its first chunk. KEYS: upload, chunks. ARGV: index, sealed chunk, its
/// bytes as received, expiry (unix seconds). Returns {1, chunks, bytes} (stored),
/// {2, index expected} (out of order), {3} (past the declared bytes), nil (no upload).
const PUT_CHUNK_SCRIPT: &str = include_str!("scripts/put_chunk.lua");

/// Turns a complete upload (the bytes expected received, in at least one chunk) into its
/// secret: writes the secret and its receipt as a create does, keeps the chunks at least
/// as long as the secret, removes the upload. KEYS: upload, secret, receipt, chunks.
/// ARGV: sealed secret, its TTL in seconds, the receipt, its TTL in seconds, the bytes
/// expected. Returns 0 (created), {chunks, bytes} (incomplete: nothing written), nil (no
/// upload).
const FINISH_UPLOAD_SCRIPT: &str = include_str!("scripts/finish_upload.lua");

static START_UPLOAD: LazyLock<Script> = LazyLock::new(|| Script::new(START_UPLOAD_SCRIPT));
static PUT_CHUNK: LazyLock<Script> = LazyLock::new(|| Script::new(PUT_CHUNK_SCRIPT));
static FINISH_UPLOAD: LazyLock<Script> = LazyLock::new(|| Script::new(FINISH_UPLOAD_SCRIPT));
/// Drops an upload under way and its chunks, never a finished one's.
static ABORT_UPLOAD: LazyLock<Script> =
    LazyLock::new(|| Script::new(include_str!("scripts/abort_upload.lua")));

fn count<T: TryFrom<i64>>(value: Option<&Value>) -> Result<T, StoreError> {
    match value {
        Some(Value::Int(number)) => {
            T::try_from(*number).map_err(|_| StoreError::Corrupt("upload count"))
        }
        _ => Err(StoreError::Corrupt("upload count")),
    }
}

impl RedisStore {
    /// The hash of a file secret's chunks.
    pub(super) fn chunks_name(&self, secret: &RecordRef) -> String {
        self.name(secret, "f")
    }

    pub(super) async fn start_file_upload(&self, new: &NewUpload<'_>) -> Result<(), StoreError> {
        let mut invocation = START_UPLOAD.key(self.name(&new.upload, "u"));
        invocation
            .arg(new.state)
            .arg(new.declared_bytes)
            .arg(new.expires_at);
        self.invoke::<Value>(&invocation).await.map(drop)
    }

    pub(super) async fn file_upload(
        &self,
        upload: &RecordRef,
    ) -> Result<Option<Upload>, StoreError> {
        let (state, declared, chunks, bytes): (
            Option<Vec<u8>>,
            Option<u64>,
            Option<u32>,
            Option<u64>,
        ) = self
            .query(
                redis::cmd("HMGET")
                    .arg(self.name(upload, "u"))
                    .arg(&["st", "B", "n", "b"]),
            )
            .await?;
        let Some(state) = state else {
            return Ok(None);
        };
        match (declared, chunks, bytes) {
            (Some(declared_bytes), Some(chunks), Some(bytes)) => Ok(Some(Upload {
                state,
                declared_bytes,
                chunks,
                bytes,
            })),
            _ => Err(StoreError::Corrupt("upload")),
        }
    }

    pub(super) async fn put_file_chunk(
        &self,
        chunk: &NewChunk<'_>,
    ) -> Result<ChunkStored, StoreError> {
        same_slot(&chunk.upload, &chunk.secret)?;
        let mut invocation = PUT_CHUNK.key(self.name(&chunk.upload, "u"));
        invocation
            .key(self.chunks_name(&chunk.secret))
            .arg(chunk.index)
            .arg(chunk.sealed)
            .arg(chunk.plain_len)
            .arg(chunk.expires_at);
        let reply: Value = self.invoke(&invocation).await?;
        let Value::Array(reply) = reply else {
            return match reply {
                Value::Nil => Ok(ChunkStored::Missing),
                _ => Err(StoreError::Corrupt("chunk reply")),
            };
        };
        match count::<u8>(reply.first())? {
            1 => Ok(ChunkStored::Stored {
                chunks: count(reply.get(1))?,
                bytes: count(reply.get(2))?,
            }),
            2 => Ok(ChunkStored::OutOfOrder {
                expected: count(reply.get(1))?,
            }),
            3 => Ok(ChunkStored::ExceedsDeclared),
            _ => Err(StoreError::Corrupt("chunk reply")),
        }
    }

    /// Run as a create ([`RedisStore::create_with`]): acknowledged by the replicas when
    /// takes are, or [`StoreError::CreateNotDurable`].
    pub(super) async fn finish_file_upload(
        &self,
        upload: &RecordRef,
        new: &NewSecret<'_>,
        bytes: u64,
    ) -> Result<UploadFinished, StoreError> {
        same_slot(upload, &new.secret)?;
        same_slot(&new.receipt, &new.secret)?;
        let receipt_ttl = new.ttl_seconds + self.options.receipt_grace.as_secs();
        let (ttl, receipt_ttl) = (new.ttl_seconds.to_string(), receipt_ttl.to_string());
        let bytes = bytes.to_string();
        let reply = self
            .create_with(
                &FINISH_UPLOAD,
                FINISH_UPLOAD_SCRIPT,
                &[
                    &self.name(upload, "u"),
                    &self.name(&new.secret, "s"),
                    &self.name(&new.receipt, "r"),
                    &self.chunks_name(&new.secret),
                ],
                &[
                    new.sealed,
                    ttl.as_bytes(),
                    &new.receipt_record.encode(),
                    receipt_ttl.as_bytes(),
                    bytes.as_bytes(),
                ],
            )
            .await?;
        match reply {
            Value::Nil => Ok(UploadFinished::Missing),
            Value::Int(0) => Ok(UploadFinished::Created),
            Value::Array(counts) => Ok(UploadFinished::Incomplete {
                chunks: count(counts.first())?,
                bytes: count(counts.get(1))?,
            }),
            _ => Err(StoreError::Corrupt("finish upload reply")),
        }
    }

    pub(super) async fn read_file_chunk(
        &self,
        secret: &RecordRef,
        index: u32,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        self.query(redis::cmd("HGET").arg(self.chunks_name(secret)).arg(index))
            .await
    }

    pub(super) async fn abort_file_upload(
        &self,
        upload: &RecordRef,
        secret: &RecordRef,
    ) -> Result<bool, StoreError> {
        let mut invocation = ABORT_UPLOAD.key(self.name(upload, "u"));
        invocation.key(self.chunks_name(secret));
        Ok(self.invoke::<i64>(&invocation).await? == 1)
    }
}
