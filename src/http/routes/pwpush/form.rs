//! The multipart form of a Password Pusher file push (`pwpush push-file`): its fields,
//! read into the map a JSON push has, then its one file, handed on as a stream that is
//! never held whole. The fields come first (as every client sends them): the push's
//! options must be known before its file is stored.

use actix_multipart::{Field, Multipart};
use actix_web::web::Bytes;
use futures_util::{Stream, TryStreamExt};
use serde_json::{Map, Value};

use crate::domain::{FileName, MediaType, ValidationError};
use crate::http::error::ApiError;

/// Bytes a form may carry besides its file: its fields, their headers and boundaries.
pub const FORM_BYTES: u64 = 64 * 1024;

/// A form's fields, and its file, not read yet.
pub struct FileForm {
    /// The fields under the form's root (`push[expire_after_views]` as
    /// `expire_after_views`), as strings.
    pub fields: Map<String, Value>,
    /// The file part.
    pub file: FilePart,
}

/// The file part of a form, and what follows it.
pub struct FilePart {
    field: Field,
    rest: Multipart,
    root: &'static str,
    budget: usize,
}

/// What a part of the form is, by its name.
enum Part {
    /// `{root}[files][]`: the file.
    File,
    /// `{root}[name]`: one of the push's fields.
    Field(String),
    /// Anything else (`account_id`, a framework's token): read and left.
    Other,
}

fn part(name: Option<&str>, root: &str) -> Part {
    let Some(key) = name
        .and_then(|name| name.strip_prefix(root))
        .and_then(|name| name.strip_prefix('['))
        .and_then(|name| name.strip_suffix(']'))
    else {
        return Part::Other;
    };
    match key {
        "files][" | "files" => Part::File,
        key => Part::Field(key.to_owned()),
    }
}

fn unreadable(error: actix_multipart::MultipartError) -> ApiError {
    ApiError::Malformed(format!("the multipart form could not be read: {error}"))
}

fn too_large() -> ApiError {
    ApiError::BodyTooLarge {
        limit: FORM_BYTES as usize,
    }
}

/// A part's bytes, charged to the form's budget.
async fn read_part(field: &mut Field, budget: &mut usize) -> Result<Vec<u8>, ApiError> {
    let mut value = Vec::new();
    while let Some(piece) = field.try_next().await.map_err(unreadable)? {
        *budget = budget.checked_sub(piece.len()).ok_or_else(too_large)?;
        value.extend_from_slice(&piece);
    }
    Ok(value)
}

impl FileForm {
    /// Reads the fields under `root` up to the file part.
    pub async fn read(mut form: Multipart, root: &'static str) -> Result<Self, ApiError> {
        let mut fields = Map::new();
        let mut budget = FORM_BYTES as usize;
        while let Some(mut field) = form.try_next().await.map_err(unreadable)? {
            match part(field.name(), root) {
                Part::File => {
                    return Ok(Self {
                        fields,
                        file: FilePart {
                            field,
                            rest: form,
                            root,
                            budget,
                        },
                    });
                }
                Part::Field(key) => {
                    let value = read_part(&mut field, &mut budget).await?;
                    let value = String::from_utf8(value).map_err(|_| {
                        ApiError::Malformed("the form's fields must be UTF-8 text".into())
                    })?;
                    fields.insert(key, Value::String(value));
                }
                Part::Other => {
                    read_part(&mut field, &mut budget).await?;
                }
            }
        }
        Err(ValidationError::invalid(
            "invalid_file",
            format!("the form has no file: send it in {root}[files][]"),
        )
        .into())
    }
}

impl FilePart {
    /// The file's name as the client gave it, without any directory (RFC 7578 §4.2).
    pub fn name(&self) -> Result<Option<FileName>, ValidationError> {
        let Some(disposition) = self.field.content_disposition() else {
            return Ok(None);
        };
        let name = match (disposition.get_filename(), disposition.get_filename_ext()) {
            (_, Some(extended)) => String::from_utf8_lossy(&extended.value).into_owned(),
            (Some(name), None) => name.to_owned(),
            (None, None) => return Ok(None),
        };
        let name = name.rsplit(['/', '\\']).next().unwrap_or_default();
        if name.is_empty() {
            return Ok(None);
        }
        FileName::parse(name.to_owned()).map(Some)
    }

    /// The file's media type: as the client declared it, else (when it sent none, or only
    /// `application/octet-stream`, as `pwpush` does) guessed from `name` as Password Pusher
    /// guesses it, else `application/octet-stream`.
    pub fn media_type(&self, name: Option<&FileName>) -> Result<MediaType, ValidationError> {
        let declared = self
            .field
            .content_type()
            .filter(|declared| **declared != mime_guess::mime::APPLICATION_OCTET_STREAM);
        let media_type = match declared {
            Some(declared) => declared.to_string(),
            None => name
                .and_then(|name| mime_guess::from_path(name.as_str()).first())
                .unwrap_or(mime_guess::mime::APPLICATION_OCTET_STREAM)
                .essence_str()
                .to_owned(),
        };
        MediaType::parse(media_type)
    }

    /// The file's bytes as they arrive, at most `max_file_bytes` of them (more: 413
    /// `file_too_large`). Once the file ended, the rest of the form is read: another file
    /// (422 `too_many_files`) or a field of the push after the file (422 `invalid_file`)
    /// ends the stream with an error, so nothing is created.
    pub fn into_stream(
        self,
        max_file_bytes: u64,
    ) -> impl Stream<Item = Result<Bytes, ApiError>> + Unpin {
        let state = (Some(self.field), self.rest, 0u64, self.budget);
        let root = self.root;
        Box::pin(futures_util::stream::try_unfold(
            state,
            move |(mut field, mut rest, mut received, mut budget)| async move {
                if let Some(file) = field.as_mut() {
                    if let Some(piece) = file.try_next().await.map_err(unreadable)? {
                        received += piece.len() as u64;
                        if received > max_file_bytes {
                            return Err(ValidationError::too_large(
                                "file_too_large",
                                format!(
                                    "the file is larger than the limit of {max_file_bytes} bytes"
                                ),
                            )
                            .into());
                        }
                        return Ok(Some((piece, (field, rest, received, budget))));
                    }
                    // The part must be dropped before the form is read on.
                    drop(field.take());
                }
                while let Some(mut next) = rest.try_next().await.map_err(unreadable)? {
                    match part(next.name(), root) {
                        Part::File => {
                            return Err(ValidationError::invalid(
                                "too_many_files",
                                "a push carries one file: burnbox keeps one file per secret",
                            )
                            .into());
                        }
                        Part::Field(_) => {
                            return Err(ValidationError::invalid(
                                "invalid_file",
                                format!("the push's fields go before its file in the form ({root}[files][] last)"),
                            )
                            .into());
                        }
                        Part::Other => {
                            read_part(&mut next, &mut budget).await?;
                        }
                    }
                }
                Ok(None)
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_told_apart_by_their_names_under_the_root() {
        assert!(matches!(part(Some("push[files][]"), "push"), Part::File));
        assert!(matches!(
            part(Some("file_push[files][]"), "file_push"),
            Part::File
        ));
        assert!(
            matches!(part(Some("push[expire_after_views]"), "push"), Part::Field(key) if key == "expire_after_views")
        );
        for name in [
            Some("account_id"),
            Some("push"),
            Some("pushx[payload]"),
            Some("file_push[files][]"),
            None,
        ] {
            assert!(matches!(part(name, "push"), Part::Other), "{name:?}");
        }
    }
}
