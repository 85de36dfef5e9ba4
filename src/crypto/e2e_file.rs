//! The end-to-end file format of the pages and the CLI ("e2e2 file"): the content in
//! AES-256-GCM chunks under a key derived from the link's fragment key (see
//! docs/security.md). The server never holds this key.
//!
//! - The file key is HKDF-SHA256 of the link key (no salt, info `burnbox e2e2 file`,
//!   32 bytes).
//! - The metadata, the JSON text `{"name":…,"type":…,"size":…}`, is an ordinary `e2e2`
//!   envelope ([`e2e`]), sent as the secret with `e2e: true`; its verifier binds the
//!   chunks to it.
//! - The content is cut into chunks of [`CHUNK_PLAIN_BYTES`] (the last may be shorter; an
//!   empty file is one empty chunk). Chunk `i` is AES-256-GCM under the file key with the
//!   nonce `00 00 00 ‖ u64 big-endian i ‖ 01 if last else 00` and the envelope's verifier
//!   as associated data, uploaded as `ciphertext ‖ tag`.
//! - A download is the chunks end to end: cut at [`CHUNK_SEALED_BYTES`], every piece but
//!   the last opens with the last flag clear and the last with it set, so a reordered,
//!   dropped, cut or lengthened file fails to authenticate.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use serde::{Deserialize, Serialize};

use super::e2e::{self, E2eError, E2eKey, KEY_BYTES, NONCE_BYTES, PROOF_BYTES, TAG_BYTES};

/// Plaintext bytes of every chunk but the last: 1 MiB − 128, so that a chunk sealed again
/// by the server still fits the 1 MiB size class of Redis' allocator.
pub const CHUNK_PLAIN_BYTES: usize = 1_048_448;
/// Bytes of a full chunk as uploaded: its plaintext and the GCM tag.
pub const CHUNK_SEALED_BYTES: usize = CHUNK_PLAIN_BYTES + TAG_BYTES;
/// HKDF info of the file key.
const FILE_KEY_INFO: &[u8] = b"burnbox e2e2 file";

/// Why a file (or its metadata) would not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// The metadata envelope did not open (wrong key, altered, not `e2e2`).
    #[error("its description did not open: {0}")]
    Metadata(E2eError),
    /// The metadata opened but is not the JSON the format says.
    #[error("its description is not a file's name, type and size")]
    BadMetadata,
    /// The download ended before a whole last chunk: fewer bytes than a tag.
    #[error("it was cut off")]
    Truncated,
    /// A chunk did not authenticate: altered, reordered, left out, cut off, or followed
    /// by bytes that do not belong, or the key is not the file's.
    #[error("chunk {index} did not authenticate: it was altered, reordered, cut off or lengthened")]
    Unauthentic {
        /// The chunk's index (from 0).
        index: u64,
    },
}

/// What the metadata envelope holds: the file's name and media type, and its size.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMetadata {
    /// The file's name as its sender had it (untrusted: a reader makes it safe).
    #[serde(default)]
    pub name: String,
    /// The media type, such as `application/pdf` (may be empty).
    #[serde(default, rename = "type")]
    pub media_type: String,
    /// Bytes of plaintext.
    pub size: u64,
}

impl std::fmt::Debug for FileMetadata {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileMetadata")
            .field("name", &"<redacted>")
            .field("media_type", &self.media_type)
            .field("size", &self.size)
            .finish()
    }
}

/// The key of a file's chunks, derived from the link key.
#[derive(Clone)]
pub struct FileKey([u8; KEY_BYTES]);

impl FileKey {
    /// HKDF-SHA256 of the link key, no salt, info `burnbox e2e2 file`.
    pub fn derive(key: &E2eKey) -> Self {
        Self(key.derive(FILE_KEY_INFO))
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&self.0.into())
    }
}

impl std::fmt::Debug for FileKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FileKey(<redacted>)")
    }
}

/// Seals the metadata as an `e2e2` envelope (the `secret` of the upload).
pub fn seal_metadata(key: &E2eKey, metadata: &FileMetadata) -> String {
    seal_metadata_with_nonce(key, crate::crypto::random_array(), metadata)
}

/// [`seal_metadata`] with a given nonce: only for worked examples and tests.
pub fn seal_metadata_with_nonce(
    key: &E2eKey,
    nonce: [u8; NONCE_BYTES],
    metadata: &FileMetadata,
) -> String {
    // Two strings and a number always serialize.
    let json = serde_json::to_string(metadata).unwrap_or_default();
    e2e::seal_with_nonce(key, nonce, &json)
}

/// Opens the metadata envelope: the metadata, and the verifier the chunks are bound to.
pub fn open_metadata(
    key: &E2eKey,
    envelope: &str,
) -> Result<(FileMetadata, [u8; PROOF_BYTES]), FileError> {
    let verifier =
        e2e::envelope_verifier(envelope).ok_or(FileError::Metadata(E2eError::Malformed))?;
    let json = e2e::open(key, envelope).map_err(FileError::Metadata)?;
    let metadata = serde_json::from_str(&json).map_err(|_| FileError::BadMetadata)?;
    Ok((metadata, verifier))
}

/// How many chunks a file of `size` bytes is: at least one.
pub fn chunk_count(size: u64) -> u64 {
    size.div_ceil(CHUNK_PLAIN_BYTES as u64).max(1)
}

/// The bytes a file of `size` bytes uploads: its size and a tag per chunk (the `bytes` of
/// `POST /api/files`).
pub fn sealed_len(size: u64) -> u64 {
    size + chunk_count(size) * TAG_BYTES as u64
}

/// The nonce of chunk `index`: `00 00 00 ‖ u64 big-endian index ‖ 01 if last else 00`.
pub fn chunk_nonce(index: u64, last: bool) -> [u8; NONCE_BYTES] {
    let mut nonce = [0; NONCE_BYTES];
    nonce[3..11].copy_from_slice(&index.to_be_bytes());
    nonce[11] = u8::from(last);
    nonce
}

/// Encrypts chunk `index` (the last when `last`): `ciphertext ‖ tag`. Every chunk but
/// the last must hold exactly [`CHUNK_PLAIN_BYTES`], or the reader cuts it elsewhere.
pub fn seal_chunk(
    key: &FileKey,
    index: u64,
    last: bool,
    verifier: &[u8; PROOF_BYTES],
    plaintext: &[u8],
) -> Vec<u8> {
    // AES-GCM refuses only messages over 64 GiB; a chunk is under 1 MiB.
    #[allow(clippy::expect_used)]
    key.cipher()
        .encrypt(
            &Nonce::from(chunk_nonce(index, last)),
            Payload {
                msg: plaintext,
                aad: verifier,
            },
        )
        .expect("AES-GCM encrypts a chunk")
}

fn open_chunk(
    cipher: &Aes256Gcm,
    index: u64,
    last: bool,
    verifier: &[u8; PROOF_BYTES],
    sealed: &[u8],
) -> Result<Vec<u8>, FileError> {
    cipher
        .decrypt(
            &Nonce::from(chunk_nonce(index, last)),
            Payload {
                msg: sealed,
                aad: verifier,
            },
        )
        .map_err(|_| FileError::Unauthentic { index })
}

/// Opens a download fed in pieces of any size, chunk by chunk: it holds at most one
/// sealed chunk and the piece just fed. Once it has failed, drop it.
pub struct ChunkOpener {
    cipher: Aes256Gcm,
    verifier: [u8; PROOF_BYTES],
    buffer: Vec<u8>,
    index: u64,
    plaintext_bytes: u64,
}

impl ChunkOpener {
    /// An opener of the chunks sealed under `key` and bound to `verifier`.
    pub fn new(key: &FileKey, verifier: [u8; PROOF_BYTES]) -> Self {
        Self {
            cipher: key.cipher(),
            verifier,
            buffer: Vec::new(),
            index: 0,
            plaintext_bytes: 0,
        }
    }

    /// Takes the next downloaded bytes; answers the plaintext of each chunk now known not
    /// to be the last (a full chunk followed by more bytes), in order.
    pub fn push(&mut self, piece: &[u8]) -> Result<Vec<Vec<u8>>, FileError> {
        self.buffer.extend_from_slice(piece);
        let mut opened = Vec::new();
        while self.buffer.len() > CHUNK_SEALED_BYTES {
            let rest = self.buffer.split_off(CHUNK_SEALED_BYTES);
            let sealed = std::mem::replace(&mut self.buffer, rest);
            opened.push(self.open_next(false, &sealed)?);
        }
        Ok(opened)
    }

    /// The download has ended: the plaintext of the last chunk, which must open as the
    /// last.
    pub fn finish(mut self) -> Result<Vec<u8>, FileError> {
        if self.buffer.len() < TAG_BYTES {
            return Err(FileError::Truncated);
        }
        let sealed = std::mem::take(&mut self.buffer);
        self.open_next(true, &sealed)
    }

    /// Bytes of plaintext opened so far.
    pub fn plaintext_bytes(&self) -> u64 {
        self.plaintext_bytes
    }

    fn open_next(&mut self, last: bool, sealed: &[u8]) -> Result<Vec<u8>, FileError> {
        let plaintext = open_chunk(&self.cipher, self.index, last, &self.verifier, sealed)?;
        self.index += 1;
        self.plaintext_bytes += plaintext.len() as u64;
        Ok(plaintext)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    fn fixed_key() -> E2eKey {
        E2eKey::decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8").expect("a key")
    }

    /// The upload of `content` as the CLI and the pages make it, one chunk at a time.
    fn chunks_of(key: &E2eKey, content: &[u8]) -> Vec<Vec<u8>> {
        let file_key = FileKey::derive(key);
        let verifier = key.reveal_proof().verifier();
        let count = chunk_count(content.len() as u64) as usize;
        (0..count)
            .map(|index| {
                let start = index * CHUNK_PLAIN_BYTES;
                let end = (start + CHUNK_PLAIN_BYTES).min(content.len());
                let last = index + 1 == count;
                seal_chunk(
                    &file_key,
                    index as u64,
                    last,
                    &verifier,
                    &content[start..end],
                )
            })
            .collect()
    }

    /// Opens `download` fed in pieces of `piece` bytes.
    fn open_download(key: &E2eKey, download: &[u8], piece: usize) -> Result<Vec<u8>, FileError> {
        let mut opener = ChunkOpener::new(&FileKey::derive(key), key.reveal_proof().verifier());
        let mut plaintext = Vec::new();
        for part in download.chunks(piece.max(1)) {
            for chunk in opener.push(part)? {
                plaintext.extend(chunk);
            }
        }
        let opened_before_last = opener.plaintext_bytes();
        let last = opener.finish()?;
        assert_eq!(opened_before_last as usize, plaintext.len());
        plaintext.extend(last);
        Ok(plaintext)
    }

    fn content(size: usize) -> Vec<u8> {
        (0..size).map(|index| (index % 251) as u8).collect()
    }

    #[test]
    fn files_of_every_shape_round_trip_in_pieces_of_any_size() {
        let key = E2eKey::generate();
        for size in [
            0,
            1,
            CHUNK_PLAIN_BYTES - 1,
            CHUNK_PLAIN_BYTES,
            CHUNK_PLAIN_BYTES + 1,
            2 * CHUNK_PLAIN_BYTES,
            2 * CHUNK_PLAIN_BYTES + 3,
        ] {
            let content = content(size);
            let chunks = chunks_of(&key, &content);
            assert_eq!(chunks.len() as u64, chunk_count(size as u64));
            let download = chunks.concat();
            assert_eq!(download.len() as u64, sealed_len(size as u64), "{size}");
            for piece in [1 << 20, 16_411, CHUNK_SEALED_BYTES, CHUNK_SEALED_BYTES + 1] {
                assert!(
                    open_download(&key, &download, piece) == Ok(content.clone()),
                    "size {size}, pieces of {piece}"
                );
            }
        }
        // Byte by byte too (a small file, and across a chunk boundary).
        let content = content(CHUNK_PLAIN_BYTES + 5);
        let download = chunks_of(&key, &content).concat();
        assert!(open_download(&key, &download, 1) == Ok(content));
    }

    #[test]
    fn sizes_and_nonces_follow_the_format() {
        assert_eq!(CHUNK_SEALED_BYTES, 1_048_464);
        assert_eq!(chunk_count(0), 1);
        assert_eq!(sealed_len(0), 16);
        assert_eq!(sealed_len(3), 19);
        assert_eq!(sealed_len(1_048_448), 1_048_464);
        assert_eq!(sealed_len(1_048_449), 1_048_449 + 32);
        assert_eq!(sealed_len(1_048_576), 1_048_576 + 32);
        assert_eq!(
            hex(&chunk_nonce(0, false)),
            "000000000000000000000000",
            "chunk 0, not last"
        );
        assert_eq!(hex(&chunk_nonce(0, true)), "000000000000000000000001");
        assert_eq!(
            hex(&chunk_nonce(0x0102_0304_0506_0708, false)),
            "000000010203040506070800"
        );
    }

    fn two_chunk_file(key: &E2eKey) -> (Vec<u8>, Vec<Vec<u8>>) {
        let content = content(CHUNK_PLAIN_BYTES + 100);
        let chunks = chunks_of(key, &content);
        assert_eq!(chunks.len(), 2);
        (content, chunks)
    }

    #[test]
    fn a_tampered_byte_anywhere_fails_to_authenticate() {
        let key = E2eKey::generate();
        let (_, chunks) = two_chunk_file(&key);
        let download = chunks.concat();
        for (position, index) in [
            (0, 0),
            (CHUNK_SEALED_BYTES - 1, 0),
            (CHUNK_SEALED_BYTES, 1),
            (download.len() - 1, 1),
        ] {
            let mut altered = download.clone();
            altered[position] ^= 0x01;
            assert_eq!(
                open_download(&key, &altered, 65_536),
                Err(FileError::Unauthentic { index }),
                "byte {position}"
            );
        }
    }

    #[test]
    fn reordered_or_dropped_chunks_fail() {
        let key = E2eKey::generate();
        let content = content(2 * CHUNK_PLAIN_BYTES + 10);
        let chunks = chunks_of(&key, &content);
        assert_eq!(chunks.len(), 3);
        let swapped = [chunks[1].clone(), chunks[0].clone(), chunks[2].clone()].concat();
        assert_eq!(
            open_download(&key, &swapped, 65_536),
            Err(FileError::Unauthentic { index: 0 })
        );
        let middle_dropped = [chunks[0].clone(), chunks[2].clone()].concat();
        assert_eq!(
            open_download(&key, &middle_dropped, 65_536),
            Err(FileError::Unauthentic { index: 1 })
        );
        let first_dropped = [chunks[1].clone(), chunks[2].clone()].concat();
        assert_eq!(
            open_download(&key, &first_dropped, 65_536),
            Err(FileError::Unauthentic { index: 0 })
        );
        // The last chunk dropped: the one before it is a full chunk that is not the last.
        let last_dropped = [chunks[0].clone(), chunks[1].clone()].concat();
        assert_eq!(
            open_download(&key, &last_dropped, 65_536),
            Err(FileError::Unauthentic { index: 1 })
        );
        // A whole file's single chunk is not a full chunk of a longer one.
        let small = chunks_of(&key, &content[..CHUNK_PLAIN_BYTES]);
        let doubled = [small[0].clone(), small[0].clone()].concat();
        assert_eq!(
            open_download(&key, &doubled, 65_536),
            Err(FileError::Unauthentic { index: 0 })
        );
    }

    #[test]
    fn a_cut_download_fails() {
        let key = E2eKey::generate();
        let (_, chunks) = two_chunk_file(&key);
        let download = chunks.concat();
        for cut in [1, 16, 100] {
            assert_eq!(
                open_download(&key, &download[..download.len() - cut], 4096),
                Err(FileError::Unauthentic { index: 1 }),
                "{cut} bytes cut"
            );
        }
        // Cut inside the last chunk's tag: less than a tag is left of it.
        let empty_file = chunks_of(&key, b"");
        assert_eq!(
            open_download(&key, &empty_file[0][..15], 4096),
            Err(FileError::Truncated)
        );
        assert_eq!(open_download(&key, b"", 4096), Err(FileError::Truncated));
        assert_eq!(
            open_download(&key, &download[..CHUNK_SEALED_BYTES + 15], 4096),
            Err(FileError::Truncated)
        );
        assert_eq!(open_download(&key, &empty_file[0], 4096), Ok(Vec::new()));
    }

    #[test]
    fn bytes_after_the_last_chunk_fail() {
        let key = E2eKey::generate();
        let (_, chunks) = two_chunk_file(&key);
        let mut lengthened = chunks.concat();
        lengthened.push(0);
        assert_eq!(
            open_download(&key, &lengthened, 4096),
            Err(FileError::Unauthentic { index: 1 })
        );
        // After a last chunk that is full, more bytes make it a chunk that is not last.
        let full = chunks_of(&key, &content(CHUNK_PLAIN_BYTES));
        let mut lengthened = full.concat();
        lengthened.extend_from_slice(&full[0][..TAG_BYTES]);
        assert_eq!(
            open_download(&key, &lengthened, 4096),
            Err(FileError::Unauthentic { index: 0 })
        );
    }

    #[test]
    fn another_key_or_verifier_does_not_open_the_chunks() {
        let key = E2eKey::generate();
        let download = chunks_of(&key, b"contents").concat();
        assert_eq!(
            open_download(&E2eKey::generate(), &download, 4096),
            Err(FileError::Unauthentic { index: 0 })
        );
        let mut opener = ChunkOpener::new(
            &FileKey::derive(&key),
            E2eKey::generate().reveal_proof().verifier(),
        );
        assert_eq!(opener.push(&download), Ok(Vec::new()));
        assert_eq!(opener.finish(), Err(FileError::Unauthentic { index: 0 }));
    }

    #[test]
    fn metadata_is_an_e2e2_envelope_of_json() {
        let key = E2eKey::generate();
        let metadata = FileMetadata {
            name: "résumé \"final\".pdf".into(),
            media_type: "application/pdf".into(),
            size: 12_345,
        };
        let envelope = seal_metadata(&key, &metadata);
        assert!(e2e::is_envelope(&envelope) && envelope.starts_with(e2e::PREFIX));
        assert_eq!(
            open_metadata(&key, &envelope),
            Ok((metadata.clone(), key.reveal_proof().verifier()))
        );
        assert_eq!(
            open_metadata(&E2eKey::generate(), &envelope),
            Err(FileError::Metadata(E2eError::Unauthentic))
        );
        assert!(!format!("{metadata:?}").contains("résumé"));
        assert_eq!(
            format!("{:?}", FileKey::derive(&key)),
            "FileKey(<redacted>)"
        );
        // Not JSON, or JSON without a size: not a file's description.
        for text in ["report.pdf", r#"{"name":"a","type":"b"}"#, "[]"] {
            let envelope = e2e::seal(&key, text);
            assert_eq!(
                open_metadata(&key, &envelope),
                Err(FileError::BadMetadata),
                "{text}"
            );
        }
        // Unknown fields from a newer client are ignored; a missing name or type is empty.
        let envelope = e2e::seal(&key, r#"{"size":3,"modified":1}"#);
        let (opened, _) = open_metadata(&key, &envelope).expect("opens");
        assert_eq!((opened.name.as_str(), opened.size), ("", 3));
        // The first version has no verifier to bind chunks to.
        let v1 = e2e::seal_v1_with_nonce(&key, [1; NONCE_BYTES], r#"{"size":3}"#);
        assert_eq!(
            open_metadata(&key, &v1),
            Err(FileError::Metadata(E2eError::Malformed))
        );
    }

    /// The worked example of docs/security.md ("e2e2 files").
    #[test]
    fn the_worked_example_matches_the_security_doc() {
        let key = fixed_key();
        let file_key = FileKey::derive(&key);
        let verifier = key.reveal_proof().verifier();
        let metadata = FileMetadata {
            name: "hi.txt".into(),
            media_type: "text/plain".into(),
            size: 3,
        };
        let json = serde_json::to_string(&metadata).expect("JSON");
        let envelope = seal_metadata_with_nonce(&key, [7; NONCE_BYTES], &metadata);
        let chunk = seal_chunk(&file_key, 0, true, &verifier, b"hi\n");
        // Two chunks: 1_048_451 bytes of `i mod 251`.
        let two = chunks_of(&key, &content(CHUNK_PLAIN_BYTES + 3));
        let upload_digest = ring::digest::digest(&ring::digest::SHA256, &two.concat());
        let expected = [
            hex(&file_key.0),
            hex(&verifier),
            json,
            envelope,
            hex(&chunk_nonce(0, true)),
            hex(&chunk),
            hex(&chunk_nonce(1, true)),
            hex(&two[1]),
            hex(upload_digest.as_ref()),
        ];
        for line in &expected {
            println!("{line}");
        }
        let security = include_str!("../../docs/security.md");
        for expected in &expected {
            assert!(
                security.contains(expected.as_str()),
                "docs/security.md lacks {expected}"
            );
        }
        assert_eq!(open_download(&key, &chunk, 1).as_deref(), Ok(&b"hi\n"[..]));
    }
}
