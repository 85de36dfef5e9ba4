//! File secrets: what a client declares for an upload (size, name, type), the manifest a
//! file secret's text holds, and the bounds of chunks — validated once at the edge.

use serde::{Deserialize, Serialize};

use super::ValidationError;

/// Most bytes one chunk upload may carry: 1 MiB − 64. Sealed (40 bytes more) with Redis'
/// string header it still fits jemalloc's 1 MiB size class; a chunk a few bytes over 1 MiB
/// would take 1.25 MiB of Redis memory. The pages' and the CLI's chunks (1 MiB − 128 of
/// file, 16 of tag) fit.
pub const MAX_CHUNK_BYTES: usize = 1_048_512;
/// The largest `BURNBOX_MAX_FILE_BYTES` an operator may set (512 MiB).
pub const MAX_FILE_BYTES_LIMIT: u64 = 512 * 1024 * 1024;
/// The most chunks one file may have (a 512 MiB file in chunks of 64 KiB).
pub const MAX_CHUNKS: u32 = 8192;
/// Longest file name and media type kept, in bytes (a file system's longest name).
const MAX_LABEL_BYTES: usize = 255;
/// A file name as [`FileName::parse`] takes it, for the OpenAPI document.
pub const FILE_NAME_PATTERN: &str = r"^(?!\.\.?$)[^/\\\x00-\x1f\x7f-\x9f]{1,255}$";
/// A media type as [`MediaType::parse`] takes it, for the OpenAPI document.
pub const MEDIA_TYPE_PATTERN: &str = r"^[ -~]*/[ -~]*$";

/// The bytes an upload may declare for files of at most `max_file_bytes`: the file itself
/// and 32 bytes for each started 64 KiB, so a file of the largest size encrypted by a
/// client in chunks (a 16-byte tag each) still fits.
pub fn max_upload_bytes(max_file_bytes: u64) -> u64 {
    max_file_bytes + (max_file_bytes / 65_536 + 1) * 32
}

/// The bytes an upload declares it will carry: 1 to the operator's bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeclaredBytes(u64);

impl DeclaredBytes {
    /// Validates a declared size against `max_file_bytes` (see [`max_upload_bytes`]).
    pub fn parse(bytes: Option<i64>, max_file_bytes: u64) -> Result<Self, ValidationError> {
        let Some(bytes) = bytes else {
            return Err(ValidationError::invalid(
                "invalid_file",
                "bytes is required: the total size of the chunks you will upload",
            ));
        };
        let limit = max_upload_bytes(max_file_bytes);
        match u64::try_from(bytes) {
            Ok(bytes) if bytes > limit => Err(ValidationError::too_large(
                "file_too_large",
                format!(
                    "the file is {bytes} bytes; the limit is {max_file_bytes} bytes (and {} of encryption overhead)",
                    limit - max_file_bytes
                ),
            )),
            Ok(bytes) if bytes > 0 => Ok(Self(bytes)),
            _ => Err(ValidationError::invalid(
                "invalid_file",
                "bytes must be a positive integer",
            )),
        }
    }

    /// The declared bytes.
    pub fn get(self) -> u64 {
        self.0
    }
}

/// A file's name, as a client may save it: 1–255 bytes, no path separators, no control
/// characters, not `.` or `..`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FileName(String);

impl FileName {
    /// Validates a file name: the characters first (422), then the length (413, as for a
    /// secret's text: a limit in bytes, which a schema counting characters cannot state).
    pub fn parse(name: String) -> Result<Self, ValidationError> {
        let refused = name.is_empty()
            || name == "."
            || name == ".."
            || name
                .chars()
                .any(|c| c == '/' || c == '\\' || c.is_control());
        if refused {
            return Err(ValidationError::invalid(
                "invalid_file",
                "name must be 1–255 bytes without '/', '\\' or control characters, and not '.' or '..'",
            ));
        }
        if name.len() > MAX_LABEL_BYTES {
            return Err(ValidationError::too_large(
                "file_name_too_long",
                format!(
                    "name is {} bytes; the limit is {MAX_LABEL_BYTES}",
                    name.len()
                ),
            ));
        }
        Ok(Self(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FileName {
    type Error = ValidationError;
    fn try_from(name: String) -> Result<Self, Self::Error> {
        Self::parse(name)
    }
}

impl From<FileName> for String {
    fn from(name: FileName) -> Self {
        name.0
    }
}

/// A file's media type: `type/subtype` and parameters, visible ASCII and spaces, ≤ 255 bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MediaType(String);

impl MediaType {
    /// Validates a media type.
    pub fn parse(text: String) -> Result<Self, ValidationError> {
        let refused = text.len() > MAX_LABEL_BYTES
            || !text.contains('/')
            || text.bytes().any(|b| !(b == b' ' || b.is_ascii_graphic()));
        if refused {
            return Err(ValidationError::invalid(
                "invalid_file",
                "type must be a media type (`type/subtype`), printable ASCII, at most 255 bytes",
            ));
        }
        Ok(Self(text))
    }

    /// The media type.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for MediaType {
    type Error = ValidationError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(text)
    }
}

impl From<MediaType> for String {
    fn from(text: MediaType) -> Self {
        text.0
    }
}

/// What a file secret's text holds: the content's size, and either the name and type the
/// server may see or the client's end-to-end envelope of them (then the text is `e2e`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileManifest {
    /// Bytes of the content as uploaded (the download's length).
    pub bytes: u64,
    /// The file's name, for a file the server may see.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<FileName>,
    /// The file's media type, for a file the server may see.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub media_type: Option<MediaType>,
    /// The client's e2e2 envelope of name, type and size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub envelope: Option<String>,
}

impl FileManifest {
    /// The text sealed as the secret.
    pub fn to_text(&self) -> String {
        // Serialising plain strings and integers cannot fail.
        #[allow(clippy::expect_used)]
        serde_json::to_string(self).expect("a manifest serialises")
    }

    /// Reads a manifest back from a file secret's text; `None` if it is not one.
    pub fn from_text(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

/// A chunk's index in a path: 0 to [`MAX_CHUNKS`] − 1, in decimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkIndex(u32);

impl ChunkIndex {
    /// Reads an index from a path segment.
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        text.parse::<u32>()
            .ok()
            .filter(|index| *index < MAX_CHUNKS && (text == "0" || !text.starts_with('0')))
            .map(Self)
            .ok_or_else(|| {
                ValidationError::invalid(
                    "invalid_chunk",
                    format!(
                        "a chunk's index is a decimal integer from 0 to {}",
                        MAX_CHUNKS - 1
                    ),
                )
            })
    }

    /// The index.
    pub fn get(self) -> u32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_sizes_are_bounded() {
        let max = 25 * 1024 * 1024;
        assert_eq!(
            DeclaredBytes::parse(Some(1), max).map(DeclaredBytes::get),
            Ok(1)
        );
        // 25 MiB in 1 MiB chunks with a 16-byte tag each fits.
        assert!(DeclaredBytes::parse(Some(max as i64 + 25 * 16), max).is_ok());
        let error = DeclaredBytes::parse(Some(2 * max as i64), max).expect_err("too big");
        assert_eq!((error.code, error.too_large), ("file_too_large", true));
        for bytes in [None, Some(0), Some(-1)] {
            let error = DeclaredBytes::parse(bytes, max).expect_err("not positive");
            assert_eq!(error.code, "invalid_file");
        }
    }

    #[test]
    fn names_cannot_climb_out_of_a_directory() {
        assert!(FileName::parse("report 2026.pdf".into()).is_ok());
        for name in ["", ".", "..", "../etc/passwd", "a/b", "a\\b", "a\nb"] {
            let refused = FileName::parse(name.into()).map_err(|error| error.code);
            assert_eq!(refused, Err("invalid_file"), "{name:?}");
        }
        // 86 characters of three bytes: within a schema's 255 characters, over 255 bytes.
        let error = FileName::parse("日".repeat(86)).expect_err("258 bytes");
        assert_eq!((error.code, error.too_large), ("file_name_too_long", true));
    }

    #[test]
    fn media_types_are_printable() {
        assert!(MediaType::parse("text/plain; charset=utf-8".into()).is_ok());
        for text in ["text", "text/plain\r\nX: y", "tëxt/plain"] {
            assert!(MediaType::parse(text.into()).is_err(), "{text:?}");
        }
    }

    #[test]
    fn manifests_round_trip_and_others_are_refused() {
        let manifest = FileManifest {
            bytes: 7,
            name: Some(FileName::parse("a.txt".into()).expect("name")),
            media_type: Some(MediaType::parse("text/plain".into()).expect("type")),
            envelope: None,
        };
        assert_eq!(FileManifest::from_text(&manifest.to_text()), Some(manifest));
        assert_eq!(FileManifest::from_text("hunter2"), None);
        assert_eq!(
            FileManifest::from_text(r#"{"bytes":1,"name":"../x"}"#),
            None
        );
    }

    #[test]
    fn chunk_indexes_are_plain_decimals() {
        assert_eq!(ChunkIndex::parse("0").map(ChunkIndex::get), Ok(0));
        assert_eq!(ChunkIndex::parse("8191").map(ChunkIndex::get), Ok(8191));
        for text in ["", "-1", "01", "8192", "1e3", "x"] {
            assert!(ChunkIndex::parse(text).is_err(), "{text:?}");
        }
    }
}
