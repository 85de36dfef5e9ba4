//! Setting values that parse from one string: CORS origins, code purposes, the public URL.

use crate::domain::CodePurpose;

/// Origins allowed cross-origin access, e.g. `https://app.example,http://localhost:3000`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorsOrigins(pub Vec<String>);

impl std::str::FromStr for CorsOrigins {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|origin| !origin.is_empty())
            .map(|origin| {
                let rest = origin
                    .strip_prefix("https://")
                    .or_else(|| origin.strip_prefix("http://"))
                    .filter(|host| !host.is_empty() && !host.contains(['/', ' ', '*']))
                    .ok_or_else(|| {
                        format!("`{origin}` is not an origin such as https://app.example (scheme and host, no path)")
                    })?;
                Ok(format!("{}{rest}", &origin[..origin.len() - rest.len()]))
            })
            .collect::<Result<_, String>>()
            .map(Self)
    }
}

/// `BURNBOX_CODE_PURPOSES`: the purposes `/api/codes` accepts; empty when any is taken.
#[derive(Debug, Clone, Default)]
pub struct CodePurposes(pub Vec<CodePurpose>);

impl std::str::FromStr for CodePurposes {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        text.split(',')
            .map(str::trim)
            .filter(|purpose| !purpose.is_empty())
            .map(|purpose| {
                CodePurpose::parse(Some(purpose)).map_err(|error| {
                    format!("`{purpose}` is not a code purpose: {}", error.message)
                })
            })
            .collect::<Result<_, String>>()
            .map(Self)
    }
}

/// The origin links are built on: scheme, host and port, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(String);

impl PublicUrl {
    /// The origin, e.g. `https://secrets.example.org`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Plain `http://` on a host other than this machine: pages there can be rewritten
    /// on the way, and browsers offer no WebCrypto to them.
    pub fn is_plain_http_elsewhere(&self) -> bool {
        let Some(host) = self.0.strip_prefix("http://") else {
            return false;
        };
        let host = if host.ends_with(']') {
            host
        } else {
            host.rsplit_once(':').map_or(host, |(host, _port)| host)
        };
        !["localhost", "127.0.0.1", "[::1]"].contains(&host)
    }
}

impl std::str::FromStr for PublicUrl {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let trimmed = text.trim().trim_end_matches('/');
        let host = trimmed
            .strip_prefix("https://")
            .or_else(|| trimmed.strip_prefix("http://"))
            .filter(|host| {
                !host.is_empty()
                    && host
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
            });
        match host {
            Some(_) => Ok(Self(trimmed.to_owned())),
            None => Err(format!(
                "`{text}` is not a URL such as https://secrets.example.org (scheme, host and port; no path, query or user)"
            )),
        }
    }
}
