//! Files: `burnbox share FILE` encrypts a file here and uploads it in chunks ("e2e2 file",
//! [`crate::crypto::e2e_file`]); `burnbox open` downloads one, decrypts it chunk by chunk
//! and saves it — under its own name made safe, in the current directory, or where `-o`
//! says — never over an existing file, and never a part of one that did not decrypt.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use super::api::{Api, Attempt, Created, Failure, RevealedFile, describe};
use crate::crypto::e2e::{E2eKey, PROOF_BYTES};
use crate::crypto::e2e_file::{self, CHUNK_PLAIN_BYTES, ChunkOpener, FileKey, FileMetadata};

/// What a saved file is called when its own name is not safe to use.
pub const FALLBACK_NAME: &str = "burnbox-file";
/// How long a download may go without a byte before it counts as lost.
const STALLED_AFTER: Duration = Duration::from_secs(30);
/// The longest name most file systems take, in bytes.
const LONGEST_NAME: usize = 255;

/// Encrypts the file at `path` here and uploads it with the settings in `body`: the
/// created secret and the link key, which never leaves this machine but in the link.
pub(super) async fn share_file(
    api: &Api,
    path: &Path,
    mut body: Value,
) -> Result<(Created, E2eKey), Failure> {
    let unreadable =
        |error: std::io::Error| Failure::Usage(format!("cannot read {}: {error}", path.display()));
    let mut file = File::open(path).map_err(unreadable)?;
    let info = file.metadata().map_err(unreadable)?;
    if !info.is_file() {
        return Err(Failure::Usage(format!("{} is not a file", path.display())));
    }
    let size = info.len();
    let metadata = FileMetadata {
        name: path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| FALLBACK_NAME.to_owned()),
        media_type: mime_guess::from_path(path)
            .first_or_octet_stream()
            .essence_str()
            .to_owned(),
        size,
    };
    let key = E2eKey::generate();
    let file_key = FileKey::derive(&key);
    let verifier = key.reveal_proof().verifier();
    body["bytes"] = json!(e2e_file::sealed_len(size));
    body["secret"] = json!(e2e_file::seal_metadata(&key, &metadata));
    body["e2e"] = json!(true);
    let upload = api.start_upload(body).await?;
    let changed = || {
        Failure::Usage(format!(
            "{} changed while it was read; nothing was shared",
            path.display()
        ))
    };
    // One chunk in memory at a time, read as the upload goes.
    let count = e2e_file::chunk_count(size);
    let mut chunk = Vec::with_capacity(CHUNK_PLAIN_BYTES.min(size as usize));
    for index in 0..count {
        let last = index + 1 == count;
        let wanted = if last {
            size - index * CHUNK_PLAIN_BYTES as u64
        } else {
            CHUNK_PLAIN_BYTES as u64
        };
        chunk.clear();
        (&mut file)
            .take(wanted)
            .read_to_end(&mut chunk)
            .map_err(unreadable)?;
        if chunk.len() as u64 != wanted {
            return Err(changed());
        }
        let sealed = e2e_file::seal_chunk(&file_key, index, last, &verifier, &chunk);
        api.put_chunk(&upload.upload, index, &sealed).await?;
    }
    if file.read(&mut [0]).map_err(unreadable)? != 0 {
        return Err(changed());
    }
    Ok((api.finish_upload(&upload.upload).await?, key))
}

/// Where `open` writes what it reveals, chosen (and checked) before anything is revealed.
#[derive(Debug)]
pub(super) enum Destination {
    /// Standard output: a text as always, or with `-o -` a file's bytes.
    Stdout,
    /// Into this directory, under the file's own name made safe ([`safe_name`]).
    Directory(PathBuf),
    /// At this path, which did not exist.
    Path(PathBuf),
}

impl Destination {
    /// From `-o` (none, `-`, a directory or a new path) and whether the secret is a file.
    pub(super) fn choose(output: Option<&Path>, is_file: bool) -> Result<Self, Failure> {
        let Some(output) = output else {
            return Ok(if is_file {
                Self::Directory(PathBuf::from("."))
            } else {
                Self::Stdout
            });
        };
        if output == Path::new("-") {
            if is_file && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                return Err(Failure::Usage(
                    "-o - writes the file's bytes to stdout, which is a terminal here: pipe it, or name a file; nothing was revealed"
                        .into(),
                ));
            }
            return Ok(Self::Stdout);
        }
        match std::fs::symlink_metadata(output) {
            Ok(found) if found.is_dir() && is_file => Ok(Self::Directory(output.to_owned())),
            Ok(found) if found.is_dir() => Err(Failure::Usage(format!(
                "-o {} is a directory, and this secret is a text, not a file: name a new file; nothing was revealed",
                output.display()
            ))),
            Ok(_) => Err(Failure::Usage(format!(
                "{} exists, and burnbox never overwrites: name a new path with -o; nothing was revealed",
                output.display()
            ))),
            Err(_) => Ok(Self::Path(output.to_owned())),
        }
    }

    /// The temporary file this destination writes first, made now so that a directory
    /// that cannot take it fails before anything is revealed.
    pub(super) fn part(&self) -> Result<Option<Part>, Failure> {
        match self {
            Self::Stdout => Ok(None),
            Self::Directory(directory) => Part::create(directory).map(Some),
            Self::Path(path) => {
                let directory = match path.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent,
                    _ => Path::new("."),
                };
                Part::create(directory).map(Some)
            }
        }
    }
}

/// A temporary file beside the target, readable by its owner only, removed unless it
/// becomes the target: a failed download or decryption leaves nothing behind.
pub(super) struct Part {
    path: PathBuf,
    file: File,
    kept: bool,
}

impl Part {
    fn create(directory: &Path) -> Result<Self, Failure> {
        let path = directory.join(format!(
            ".burnbox-{}.part",
            crate::crypto::random_alphanumeric(12)
        ));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path).map_err(|error| {
            Failure::Usage(format!(
                "cannot write into {}: {error}; nothing was revealed",
                directory.display()
            ))
        })?;
        Ok(Self {
            path,
            file,
            kept: false,
        })
    }

    /// Writes `text` and keeps it as `target`.
    pub(super) fn keep_text(mut self, text: &str, target: &Path) -> Result<(), Failure> {
        self.file
            .write_all(text.as_bytes())
            .map_err(|error| cannot_write(&error))?;
        self.keep_as(target)
    }

    /// Gives the written file the first of `candidates` that nothing has; returns it.
    fn keep_as_first_free(mut self, candidates: &[PathBuf]) -> Result<String, Failure> {
        for target in candidates {
            match self.keep(target) {
                Ok(()) => return Ok(target.display().to_string()),
                Err(Kept::Exists) => continue,
                Err(Kept::Failed(failure)) => return Err(failure),
            }
        }
        let last = candidates.last().map_or_else(PathBuf::new, Clone::clone);
        Err(exists(&last))
    }

    /// Gives the written file the `target` name, unless something has that name.
    fn keep_as(mut self, target: &Path) -> Result<(), Failure> {
        match self.keep(target) {
            Ok(()) => Ok(()),
            Err(Kept::Exists) => Err(exists(target)),
            Err(Kept::Failed(failure)) => Err(failure),
        }
    }

    /// Links the written file to `target`: a hard link never replaces (where links are not
    /// supported, a new file is copied to).
    fn keep(&mut self, target: &Path) -> Result<(), Kept> {
        self.file
            .sync_all()
            .map_err(|error| Kept::Failed(cannot_write(&error)))?;
        match std::fs::hard_link(&self.path, target) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(Kept::Exists);
            }
            Err(_) => {
                let mut copy = OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(target)
                    .map_err(|error| match error.kind() {
                        std::io::ErrorKind::AlreadyExists => Kept::Exists,
                        _ => Kept::Failed(cannot_write(&error)),
                    })?;
                let copied = File::open(&self.path)
                    .and_then(|mut part| std::io::copy(&mut part, &mut copy))
                    .and_then(|_| copy.sync_all());
                if let Err(error) = copied {
                    let _ = std::fs::remove_file(target);
                    return Err(Kept::Failed(cannot_write(&error)));
                }
            }
        }
        self.kept = true;
        let _ = std::fs::remove_file(&self.path);
        Ok(())
    }
}

impl Drop for Part {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Why a written file could not take a name.
enum Kept {
    /// Something has that name.
    Exists,
    /// Writing failed.
    Failed(Failure),
}

/// `name` for `n` = 0, else `name (n)` before its extension: `a.txt` → `a (1).txt`.
fn numbered(name: &str, n: u32) -> String {
    if n == 0 {
        return name.to_owned();
    }
    match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => format!("{stem} ({n}).{extension}"),
        _ => format!("{name} ({n})"),
    }
}

fn cannot_write(error: &std::io::Error) -> Failure {
    Failure::Usage(format!("cannot write the file: {error}"))
}

fn exists(target: &Path) -> Failure {
    Failure::Usage(format!(
        "{} exists, and burnbox never overwrites: nothing was saved; open the link with -o PATH to save it elsewhere",
        super::escape_controls(&target.display().to_string())
    ))
}

/// The final component of `name`, fit to be a file name here: no directory, no leading
/// dot (no hidden file such as `.bashrc` appears), no control or format characters, not
/// empty and not too long; else [`FALLBACK_NAME`].
pub fn safe_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let name = last.trim().trim_start_matches('.').trim_start();
    if name.is_empty()
        || name.len() > LONGEST_NAME
        || name.chars().any(|c| c.is_control() || super::is_control(c))
    {
        FALLBACK_NAME.to_owned()
    } else {
        name.to_owned()
    }
}

/// How to open the downloaded bytes: under a file key, bound to a verifier.
type Opening = (FileKey, [u8; PROOF_BYTES]);

/// Saves a revealed file: reads its metadata (opened with `key` for an end-to-end file,
/// from the answer otherwise), downloads, decrypts and writes it to `destination`.
pub(super) async fn save_file(
    api: &Api,
    key: Option<&E2eKey>,
    secret: &str,
    file: &RevealedFile,
    destination: Destination,
    part: Option<Part>,
) -> Result<(), Failure> {
    let (name, size, opening) = match key {
        Some(key) => {
            let (metadata, verifier) = e2e_file::open_metadata(key, secret).map_err(|error| {
                Failure::Usage(format!(
                    "the file was handed out but {error}; nothing was saved: ask for it again"
                ))
            })?;
            if e2e_file::sealed_len(metadata.size) != file.bytes {
                return Err(Failure::Usage(
                    "the file was handed out but its size is not what its description says; nothing was saved"
                        .into(),
                ));
            }
            let opening = (FileKey::derive(key), verifier);
            (metadata.name, metadata.size, Some(opening))
        }
        None => (file.name.clone().unwrap_or_default(), file.bytes, None),
    };
    let saved = match destination {
        Destination::Stdout => {
            let mut stdout = std::io::stdout().lock();
            let left = "stdout got only what came before it";
            download(
                api,
                &file.download,
                opening.as_ref(),
                size,
                &mut stdout,
                left,
            )
            .await?;
            stdout.flush().map_err(|error| cannot_write(&error))?;
            "stdout".to_owned()
        }
        Destination::Directory(directory) => {
            // The view is spent already: a name that is taken must not lose the file, so
            // it is kept under the first free `name (n).ext` instead (never overwriting).
            let name = safe_name(&name);
            let candidates: Vec<PathBuf> = (0..100)
                .map(|n| directory.join(numbered(&name, n)))
                .collect();
            let mut part = match part {
                Some(part) => part,
                None => Part::create(directory.as_path())?,
            };
            let left = "nothing was saved";
            download(
                api,
                &file.download,
                opening.as_ref(),
                size,
                &mut part.file,
                left,
            )
            .await?;
            part.keep_as_first_free(&candidates)?
        }
        Destination::Path(target) => {
            save_to(api, file, opening.as_ref(), size, part, &target).await?
        }
    };
    eprintln!("saved: {} ({size} bytes)", super::escape_controls(&saved));
    Ok(())
}

async fn save_to(
    api: &Api,
    file: &RevealedFile,
    opening: Option<&Opening>,
    size: u64,
    part: Option<Part>,
    target: &Path,
) -> Result<String, Failure> {
    let mut part = match part {
        Some(part) => part,
        None => Part::create(target.parent().unwrap_or(Path::new(".")))?,
    };
    let left = "nothing was saved";
    download(api, &file.download, opening, size, &mut part.file, left).await?;
    part.keep_as(target)?;
    Ok(target.display().to_string())
}

/// Downloads the content into `sink`, decrypted when `opening` says how, and checks it
/// holds `size` bytes. A lost download is fetched again (the ticket holds for minutes)
/// within the retry time; what was written already is not written twice. A failure's
/// message ends with what is `left` of the output then.
async fn download(
    api: &Api,
    url: &str,
    opening: Option<&Opening>,
    size: u64,
    sink: &mut dyn Write,
    left: &str,
) -> Result<(), Failure> {
    let mut written = 0;
    let mut backoff = api.backoff();
    loop {
        match download_once(api, url, opening, sink, &mut written, left).await {
            Ok(produced) if produced == size => return Ok(()),
            Ok(_) => {
                return Err(Failure::Usage(format!(
                    "the file was handed out but its size is not what its description says; {left}"
                )));
            }
            Err(Attempt::Answered(Failure::NotFound(_))) => {
                return Err(Failure::NotFound(format!(
                    "the file was handed out but its download is gone (expired, or burned); {left}"
                )));
            }
            Err(attempt) => backoff.after(attempt).await?,
        }
    }
}

/// One download from the start: the plaintext bytes it produced, of which those past
/// `written` went to `sink`.
async fn download_once(
    api: &Api,
    url: &str,
    opening: Option<&Opening>,
    sink: &mut dyn Write,
    written: &mut u64,
    left: &str,
) -> Result<u64, Attempt> {
    let mut response = api.download(url).await?;
    let mut opener = opening.map(|(key, verifier)| ChunkOpener::new(key, *verifier));
    let mut produced = 0;
    let undecryptable = |error: e2e_file::FileError| {
        Attempt::Answered(Failure::Usage(format!(
            "the file was handed out but did not decrypt: {error}; {left}"
        )))
    };
    loop {
        let piece = match tokio::time::timeout(STALLED_AFTER, response.chunk()).await {
            Err(_) => {
                return Err(Attempt::Lost(Failure::Unavailable(
                    "the download stalled".into(),
                )));
            }
            Ok(Err(error)) => {
                return Err(Attempt::Lost(Failure::Unavailable(format!(
                    "the download broke off: {}",
                    describe(&error.without_url())
                ))));
            }
            Ok(Ok(None)) => break,
            Ok(Ok(Some(piece))) => piece,
        };
        match &mut opener {
            Some(opener) => {
                for plaintext in opener.push(&piece).map_err(undecryptable)? {
                    emit(sink, &plaintext, &mut produced, written)?;
                }
            }
            None => emit(sink, &piece, &mut produced, written)?,
        }
    }
    if let Some(opener) = opener {
        let last = opener.finish().map_err(undecryptable)?;
        emit(sink, &last, &mut produced, written)?;
    }
    Ok(produced)
}

/// Writes what of `bytes` (which follow `produced` bytes of this download) lies past the
/// `written` bytes an earlier try wrote.
fn emit(
    sink: &mut dyn Write,
    bytes: &[u8],
    produced: &mut u64,
    written: &mut u64,
) -> Result<(), Attempt> {
    let end = *produced + bytes.len() as u64;
    if end > *written {
        let skip = written.saturating_sub(*produced) as usize;
        sink.write_all(&bytes[skip..])
            .map_err(|error| Attempt::Answered(cannot_write(&error)))?;
        *written = end;
    }
    *produced = end;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_name_gets_a_number_before_its_extension() {
        assert_eq!(numbered("a.txt", 0), "a.txt");
        assert_eq!(numbered("a.tar.gz", 2), "a.tar (2).gz");
        assert_eq!(numbered("README", 1), "README (1)");
    }

    #[test]
    fn only_a_plain_final_name_is_used() {
        for (given, safe) in [
            ("report.pdf", "report.pdf"),
            ("../evil", "evil"),
            ("/etc/passwd", "passwd"),
            ("C:\\Users\\x\\a b.txt", "a b.txt"),
            ("dir/", FALLBACK_NAME),
            ("", FALLBACK_NAME),
            (".", FALLBACK_NAME),
            ("..", FALLBACK_NAME),
            ("../..", FALLBACK_NAME),
            (".bashrc", "bashrc"),
            ("  .. hidden ", "hidden"),
            ("bell\u{7}.txt", FALLBACK_NAME),
            ("new\nline", FALLBACK_NAME),
            ("nul\0", FALLBACK_NAME),
            ("invoice\u{202E}fdp.exe", FALLBACK_NAME),
            ("名前.txt", "名前.txt"),
        ] {
            assert_eq!(safe_name(given), safe, "{given:?}");
        }
        assert_eq!(safe_name(&"a".repeat(255)), "a".repeat(255));
        assert_eq!(safe_name(&"a".repeat(256)), FALLBACK_NAME);
    }

    #[test]
    fn a_retried_download_writes_each_byte_once() {
        let mut sink = Vec::new();
        let mut written = 0;
        // The first try wrote 5 bytes and broke off.
        let mut produced = 0;
        for piece in [&b"abc"[..], b"de"] {
            assert!(emit(&mut sink, piece, &mut produced, &mut written).is_ok());
        }
        // The second starts over: what was written is skipped, the rest follows.
        let mut produced = 0;
        for piece in [&b"ab"[..], b"cdef", b"gh"] {
            assert!(emit(&mut sink, piece, &mut produced, &mut written).is_ok());
        }
        assert_eq!(sink, b"abcdefgh");
        assert_eq!(written, 8);
    }

    #[test]
    fn a_part_that_is_not_kept_leaves_nothing() {
        let directory = std::env::temp_dir().join(format!(
            "burnbox-part-{}",
            crate::crypto::random_alphanumeric(8)
        ));
        std::fs::create_dir_all(&directory).expect("a directory");
        let part = Part::create(&directory).expect("a part");
        drop(part);
        let target = directory.join("kept.txt");
        let part = Part::create(&directory).expect("a part");
        part.keep_text("first", &target).expect("kept");
        let part = Part::create(&directory).expect("a part");
        assert!(matches!(
            part.keep_text("second", &target),
            Err(Failure::Usage(message)) if message.contains("never overwrites")
        ));
        assert_eq!(std::fs::read_to_string(&target).expect("reads"), "first");
        let left: Vec<_> = std::fs::read_dir(&directory)
            .expect("lists")
            .map(|entry| entry.expect("an entry").file_name())
            .collect();
        assert_eq!(left, ["kept.txt"]);
        std::fs::remove_dir_all(&directory).expect("cleans up");
    }
}
