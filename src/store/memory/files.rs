//! File uploads and chunks in memory, with Redis's semantics: an upload's state and the
//! chunks expire at the secret's expiry (the chunks' expiry set by their first chunk),
//! each view of a file keeps the chunks for its download window, a burn drops them.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::{Expiring, Inner, MemoryStore};
use crate::crypto::is_file;
use crate::domain::RecordRef;
use crate::store::{
    ChunkStored, NewChunk, NewSecret, NewUpload, StoreError, Upload, UploadFinished, same_slot,
};

/// An upload under way.
pub(super) struct StoredUpload {
    state: Vec<u8>,
    declared_bytes: u64,
    chunks: u32,
    bytes: u64,
    /// The last chunk's bytes, taken off the count when a retry replaces it.
    last_bytes: u64,
}

/// A file secret's sealed chunks, by index.
pub(super) type Chunks = HashMap<u32, Vec<u8>>;

/// The instant of a unix time in seconds, as `EXPIREAT` reads it.
fn instant_at(unix_seconds: u64, now: Instant) -> Instant {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    now + Duration::from_secs(unix_seconds).saturating_sub(since_epoch)
}

/// The live entry at `record` in `map`, an expired one removed.
fn live<'a, T>(
    map: &'a mut HashMap<RecordRef, Expiring<T>>,
    record: &RecordRef,
    now: Instant,
) -> Option<&'a mut Expiring<T>> {
    if map.get(record).is_some_and(|entry| entry.deadline <= now) {
        map.remove(record);
    }
    map.get_mut(record)
}

impl Inner {
    /// After a view of `sealed` (or a replay of one) with a download window: a file's
    /// chunks are kept for the window after it, never less before the last view.
    pub(super) fn keep_chunks(
        &mut self,
        secret: &RecordRef,
        sealed: &[u8],
        window_ms: Option<u64>,
        last: bool,
        now: Instant,
    ) {
        let Some(window_ms) = window_ms.filter(|_| is_file(sealed)) else {
            return;
        };
        if let Some(entry) = live(&mut self.chunks, secret, now) {
            let until = now + Duration::from_millis(window_ms);
            entry.deadline = if last {
                until
            } else {
                entry.deadline.max(until)
            };
        }
    }
}

impl MemoryStore {
    pub(super) fn start_file_upload(&self, new: &NewUpload<'_>) {
        let now = Instant::now();
        let mut inner = self.lock();
        inner.sweep(now);
        inner.uploads.insert(
            new.upload,
            Expiring {
                value: StoredUpload {
                    state: new.state.to_vec(),
                    declared_bytes: new.declared_bytes,
                    chunks: 0,
                    bytes: 0,
                    last_bytes: 0,
                },
                deadline: instant_at(new.expires_at, now),
            },
        );
    }

    pub(super) fn file_upload(&self, upload: &RecordRef) -> Option<Upload> {
        let mut inner = self.lock();
        live(&mut inner.uploads, upload, Instant::now()).map(|entry| Upload {
            state: entry.value.state.clone(),
            declared_bytes: entry.value.declared_bytes,
            chunks: entry.value.chunks,
            bytes: entry.value.bytes,
        })
    }

    pub(super) fn put_file_chunk(&self, chunk: &NewChunk<'_>) -> Result<ChunkStored, StoreError> {
        same_slot(&chunk.upload, &chunk.secret)?;
        let now = Instant::now();
        let mut inner = self.lock();
        let Some(entry) = live(&mut inner.uploads, &chunk.upload, now) else {
            return Ok(ChunkStored::Missing);
        };
        let upload = &mut entry.value;
        let again = upload.chunks > 0 && chunk.index == upload.chunks - 1;
        if chunk.index != upload.chunks && !again {
            return Ok(ChunkStored::OutOfOrder {
                expected: upload.chunks,
            });
        }
        let replaced = if again { upload.last_bytes } else { 0 };
        let bytes = upload.bytes - replaced + chunk.plain_len;
        if bytes > upload.declared_bytes {
            return Ok(ChunkStored::ExceedsDeclared);
        }
        upload.chunks += u32::from(!again);
        upload.bytes = bytes;
        upload.last_bytes = chunk.plain_len;
        let chunks = upload.chunks;
        match live(&mut inner.chunks, &chunk.secret, now) {
            Some(stored) => {
                stored.value.insert(chunk.index, chunk.sealed.to_vec());
            }
            None => {
                inner.chunks.insert(
                    chunk.secret,
                    Expiring {
                        value: HashMap::from([(chunk.index, chunk.sealed.to_vec())]),
                        deadline: instant_at(chunk.expires_at, now),
                    },
                );
            }
        }
        Ok(ChunkStored::Stored { chunks, bytes })
    }

    pub(super) fn finish_file_upload(
        &self,
        upload: &RecordRef,
        new: &NewSecret<'_>,
        expected: u64,
    ) -> Result<UploadFinished, StoreError> {
        same_slot(upload, &new.secret)?;
        same_slot(&new.receipt, &new.secret)?;
        let now = Instant::now();
        let mut inner = self.lock();
        let Some(entry) = live(&mut inner.uploads, upload, now) else {
            return Ok(UploadFinished::Missing);
        };
        let (chunks, bytes) = (entry.value.chunks, entry.value.bytes);
        if chunks == 0 || bytes != expected {
            return Ok(UploadFinished::Incomplete { chunks, bytes });
        }
        inner.uploads.remove(upload);
        let deadline = self.insert_secret(&mut inner, new, now);
        // The chunks live at least as long as their secret.
        if let Some(stored) = live(&mut inner.chunks, &new.secret, now) {
            stored.deadline = stored.deadline.max(deadline);
        }
        Ok(UploadFinished::Created)
    }

    pub(super) fn read_file_chunk(&self, secret: &RecordRef, index: u32) -> Option<Vec<u8>> {
        let mut inner = self.lock();
        live(&mut inner.chunks, secret, Instant::now())?
            .value
            .get(&index)
            .cloned()
    }

    pub(super) fn abort_file_upload(&self, upload: &RecordRef, secret: &RecordRef) -> bool {
        let mut inner = self.lock();
        if live(&mut inner.uploads, upload, Instant::now()).is_none() {
            return false;
        }
        inner.uploads.remove(upload);
        inner.chunks.remove(secret);
        true
    }
}
