//! One-time tokens: subject and claims, validated once, sealed inside the token's record.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ValidationError;

/// Longest subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 256;

/// Who or what a token is about: 1 to 256 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject(String);

impl Subject {
    /// Validates an optional subject.
    pub fn parse(text: Option<String>) -> Result<Option<Self>, ValidationError> {
        let Some(text) = text else { return Ok(None) };
        let chars = text.chars().count();
        if chars == 0 || chars > MAX_SUBJECT_CHARS {
            return Err(ValidationError::invalid(
                "invalid_subject",
                format!("subject must be 1 to {MAX_SUBJECT_CHARS} characters, got {chars}"),
            ));
        }
        Ok(Some(Self(text)))
    }

    /// The text.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Free-form claims: a JSON object of at most the configured serialized size.
#[derive(Debug, Clone, PartialEq)]
pub struct Claims(Map<String, Value>);

impl Claims {
    /// Validates optional claims against the size limit.
    pub fn parse(value: Option<Value>, max_bytes: usize) -> Result<Option<Self>, ValidationError> {
        let object = match value {
            None => return Ok(None),
            Some(Value::Object(object)) => object,
            Some(_) => {
                return Err(ValidationError::invalid(
                    "invalid_claims",
                    "claims must be a JSON object",
                ));
            }
        };
        let size = Value::Object(object.clone()).to_string().len();
        if size > max_bytes {
            return Err(ValidationError::too_large(
                "claims_too_large",
                format!("claims are {size} bytes serialized; the limit is {max_bytes} bytes"),
            ));
        }
        Ok(Some(Self(object)))
    }

    /// The object.
    pub fn into_map(self) -> Map<String, Value> {
        self.0
    }
}

/// What a token's ciphertext holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenPayload {
    /// The subject, if any.
    pub subject: Option<String>,
    /// The claims, if any.
    pub claims: Option<Map<String, Value>>,
    /// When the token was minted (unix seconds).
    pub issued_at: u64,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn subjects_are_bounded_in_characters() {
        assert_eq!(Subject::parse(None), Ok(None));
        let longest = "é".repeat(MAX_SUBJECT_CHARS);
        assert!(Subject::parse(Some(longest.clone())).is_ok());
        let error = Subject::parse(Some(longest + "é")).expect_err("too long");
        assert_eq!(error.code, "invalid_subject");
        assert!(Subject::parse(Some(String::new())).is_err());
    }

    #[test]
    fn claims_must_be_an_object_within_the_limit() {
        assert_eq!(Claims::parse(None, 10), Ok(None));
        let claims = Claims::parse(Some(json!({"a": 1})), 7).expect("7 bytes fit");
        assert_eq!(
            claims.map(Claims::into_map),
            Some(json!({"a": 1}).as_object().cloned().expect("object"))
        );
        let error = Claims::parse(Some(json!({"a": 10})), 7).expect_err("8 bytes");
        assert_eq!((error.code, error.too_large), ("claims_too_large", true));
        for not_object in [json!([1]), json!("x"), json!(3), json!(null)] {
            let error = Claims::parse(Some(not_object), 100).expect_err("not an object");
            assert_eq!((error.code, error.too_large), ("invalid_claims", false));
        }
    }
}
