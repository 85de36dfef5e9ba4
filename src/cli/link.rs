//! Links as people paste them: `<server>/s/<secret_key>#<key>` (or onetimesecret's
//! `/secret/<secret_key>`), and `<server>/r/<receipt_key>` (or `/private/<key>`).

/// A parsed link: the server it points at, the key in its path, the fragment if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Scheme, host, port and any path prefix before the page, without a trailing slash.
    pub server: String,
    /// The key from the path.
    pub key: String,
    /// What follows `#`, when there is something.
    pub fragment: Option<String>,
}

/// Which page a link opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// `/s/…` or `/secret/…`.
    Reveal,
    /// `/r/…` or `/private/…`.
    Receipt,
    /// `/q/…`: a request for a secret.
    Request,
}

impl Page {
    fn segments(self) -> [&'static str; 2] {
        match self {
            Self::Reveal => ["s", "secret"],
            Self::Receipt => ["r", "private"],
            Self::Request => ["q", "q"],
        }
    }
}

/// Reads a link to `page`; `None` when `text` is not one.
pub fn parse(text: &str, page: Page) -> Option<Link> {
    let text = text.trim();
    let (rest, fragment) = match text.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment).filter(|f| !f.is_empty())),
        None => (text, None),
    };
    let rest = rest
        .split(['?'])
        .next()
        .unwrap_or(rest)
        .trim_end_matches('/');
    let after_scheme = rest
        .strip_prefix("https://")
        .or_else(|| rest.strip_prefix("http://"))?;
    let (page_path, key) = rest.rsplit_once('/')?;
    let (server, segment) = page_path.rsplit_once('/')?;
    let is_key = !key.is_empty()
        && key
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
    // The host must survive the split: `https://host/s/key` has one, `https://s/key` not.
    let host_kept = server.len() > rest.len() - after_scheme.len();
    if !is_key || !host_kept || !page.segments().contains(&segment) {
        return None;
    }
    Some(Link {
        server: server.to_owned(),
        key: key.to_owned(),
        fragment: fragment.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_links_give_server_key_and_fragment() {
        assert_eq!(
            parse("https://secrets.example.org/s/abc_-9#k3y", Page::Reveal),
            Some(Link {
                server: "https://secrets.example.org".into(),
                key: "abc_-9".into(),
                fragment: Some("k3y".into()),
            })
        );
        let old = parse("http://127.0.0.1:8080/secret/abc", Page::Reveal).expect("a link");
        assert_eq!(
            (old.server.as_str(), old.fragment),
            ("http://127.0.0.1:8080", None)
        );
        let prefixed = parse(" https://x.example/burnbox/s/abc#\n", Page::Reveal).expect("link");
        assert_eq!(prefixed.server, "https://x.example/burnbox");
        assert_eq!(prefixed.fragment, None);
        let receipt = parse("https://x.example/private/abc", Page::Receipt).expect("a link");
        assert_eq!(receipt.key, "abc");
    }

    #[test]
    fn other_text_is_not_a_link() {
        for text in [
            "abc",
            "https://x.example/r/abc",
            "https://x.example/s/",
            "https://s/abc",
            "ftp://x.example/s/abc",
            "https://x.example/s/a%2Fb",
            "https://x.example/s/a b",
        ] {
            assert_eq!(parse(text, Page::Reveal), None, "{text}");
        }
    }
}
