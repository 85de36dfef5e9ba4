//! From a template and a catalogue to a page: who reads it ([`Reader`]: their language),
//! and the one rule for filling a template ([`fill`]).

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

use super::i18n::{self, Arg, Catalogue};

/// The reader of a page: the language it is shown in, and whether they chose it.
#[derive(Clone, Copy)]
pub struct Reader {
    /// The catalogue of the page's language.
    pub catalogue: &'static Catalogue,
    /// Chosen with `?lang=` (kept in the page's own links), rather than negotiated from
    /// `Accept-Language`.
    pub chosen: bool,
}

impl Reader {
    /// `?lang=<code>` to keep the reader's choice on a link, or nothing.
    pub fn query(&self) -> String {
        if self.chosen {
            format!("?lang={}", self.catalogue.language.code)
        } else {
            String::new()
        }
    }

    /// The language of a request: `?lang=` when the pages speak it, else the best match
    /// for `Accept-Language`, else English. No cookie: the picker's choice travels in the
    /// link, and the script keeps it in the browser's storage.
    pub fn of(request: &HttpRequest) -> Self {
        let asked = serde_urlencoded::from_str::<Vec<(String, String)>>(request.query_string())
            .unwrap_or_default()
            .into_iter()
            .find(|(name, _)| name == "lang")
            .and_then(|(_, code)| i18n::find(&code));
        if let Some(catalogue) = asked {
            return Self {
                catalogue,
                chosen: true,
            };
        }
        let accepted = request
            .headers()
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        Self {
            catalogue: i18n::negotiate(accepted),
            chosen: false,
        }
    }
}

impl FromRequest for Reader {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self::of(request)))
    }
}

/// `template` with each `{{message-id}}` replaced by that message in `catalogue` (as
/// HTML-escaped text) and each `{{$name}}` by the HTML given for it in `vars`. One pass:
/// what was put in is never read again, so a message or a value cannot add a
/// placeholder. An unknown `{{$name}}` is left as it is (a test renders every page in
/// every language and looks for one).
pub fn fill(template: &str, catalogue: &Catalogue, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let key = after[..end].trim();
        match key.strip_prefix('$') {
            Some(name) => match vars.iter().find(|(var, _)| *var == name) {
                Some((_, value)) => out.push_str(value),
                None => out.push_str(&rest[start..start + 2 + end + 2]),
            },
            None => out.push_str(&catalogue.html(key, &[] as &[(&str, Arg)])),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_is_filled_once() {
        let en = i18n::english();
        assert_eq!(
            fill("<b>{{ copy }}</b> {{$x}} {{$y}}", en, &[("x", "{{copy}}")]),
            "<b>Copy</b> {{copy}} {{$y}}"
        );
        assert_eq!(fill("open {{ at the end", en, &[]), "open {{ at the end");
    }
}
