//! The pages' languages: one Fluent catalogue per language (`locales/<code>.ftl`), chosen
//! from `?lang=` or `Accept-Language`, with CLDR plural rules on both sides.
//!
//! The server formats what it renders with `fluent-bundle` (Project Fluent's own crate,
//! whose plural rules are CLDR's through `intl_pluralrules`), and negotiates with
//! `fluent-langneg`. The page's script shows messages too (errors, counts, times): the
//! server hands it the same catalogue, each message compiled to a small JSON form that
//! the script resolves with the browser's own CLDR rules (`Intl.PluralRules`), so a
//! plural reads the same whichever side wrote it.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_langneg::{NegotiationStrategy, negotiate_languages};
use fluent_syntax::ast::{
    Entry, Expression, InlineExpression, Pattern, PatternElement, VariantKey,
};
use serde_json::{Map, Value, json};
use unic_langid::LanguageIdentifier;

/// A language the pages speak.
#[derive(Debug)]
pub struct Language {
    /// Its BCP 47 tag, as `?lang=` and `<html lang>` say it.
    pub code: &'static str,
    /// Its name in itself, for the picker.
    pub name: &'static str,
    /// Whether it is written right to left.
    pub rtl: bool,
    source: &'static str,
}

/// Every language, English (the reference and the fallback) first.
pub static LANGUAGES: &[Language] = &[
    language("en", "English", false, include_str!("locales/en.ftl")),
    language("ar", "العربية", true, include_str!("locales/ar.ftl")),
    language("de", "Deutsch", false, include_str!("locales/de.ftl")),
    language("es", "Español", false, include_str!("locales/es.ftl")),
    language("fr", "Français", false, include_str!("locales/fr.ftl")),
    language("it", "Italiano", false, include_str!("locales/it.ftl")),
    language("ja", "日本語", false, include_str!("locales/ja.ftl")),
    language("nl", "Nederlands", false, include_str!("locales/nl.ftl")),
    language("pl", "Polski", false, include_str!("locales/pl.ftl")),
    language(
        "pt-BR",
        "Português (Brasil)",
        false,
        include_str!("locales/pt-BR.ftl"),
    ),
    language("ru", "Русский", false, include_str!("locales/ru.ftl")),
    language("uk", "Українська", false, include_str!("locales/uk.ftl")),
    language(
        "zh-CN",
        "中文（简体）",
        false,
        include_str!("locales/zh-CN.ftl"),
    ),
];

const fn language(
    code: &'static str,
    name: &'static str,
    rtl: bool,
    source: &'static str,
) -> Language {
    Language {
        code,
        name,
        rtl,
        source,
    }
}

/// One language's messages, ready to format.
pub struct Catalogue {
    /// The language.
    pub language: &'static Language,
    bundle: FluentBundle<FluentResource>,
    ids: Vec<String>,
    script: String,
}

static CATALOGUES: LazyLock<Vec<Catalogue>> = LazyLock::new(|| {
    LANGUAGES
        .iter()
        .map(|language| {
            Catalogue::new(language).unwrap_or_else(|problem| {
                // The catalogues are part of the binary, and the tests load every one.
                panic!("locales/{}.ftl: {problem}", language.code)
            })
        })
        .collect()
});

/// Every catalogue, in [`LANGUAGES`] order.
pub fn catalogues() -> &'static [Catalogue] {
    &CATALOGUES
}

/// The English catalogue.
pub fn english() -> &'static Catalogue {
    &CATALOGUES[0]
}

/// The catalogue whose tag is `code` (any case), if the pages speak it.
pub fn find(code: &str) -> Option<&'static Catalogue> {
    catalogues()
        .iter()
        .find(|catalogue| catalogue.language.code.eq_ignore_ascii_case(code))
}

/// The best language for an `Accept-Language` header, English when none matches.
pub fn negotiate(accept_language: &str) -> &'static Catalogue {
    static AVAILABLE: LazyLock<Vec<LanguageIdentifier>> = LazyLock::new(|| {
        LANGUAGES
            .iter()
            .map(|language| language.code.parse().unwrap_or_default())
            .collect()
    });
    let requested = accepted(accept_language);
    let chosen = negotiate_languages(&requested, &AVAILABLE, None, NegotiationStrategy::Filtering);
    chosen
        .first()
        .and_then(|tag| AVAILABLE.iter().position(|available| available == *tag))
        .map_or_else(english, |index| &CATALOGUES[index])
}

/// The languages of an `Accept-Language` header, most wanted first: by `q` (a stable
/// sort, so equal weights keep the header's order), without those refused (`q=0`).
/// (`fluent_langneg::accepted_languages::parse` keeps the header's order and ignores `q`.)
fn accepted(header: &str) -> Vec<LanguageIdentifier> {
    let mut weighted: Vec<(f32, LanguageIdentifier)> = header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let tag = parts.next()?.trim().parse().ok()?;
            let weight = parts
                .find_map(|part| part.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (weight > 0.0).then_some((weight, tag))
        })
        .collect();
    weighted.sort_by(|a, b| b.0.total_cmp(&a.0));
    weighted.into_iter().map(|(_, tag)| tag).collect()
}

/// A value for a message's variable: a number (which may choose a plural) or text.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    /// A count, a number of seconds, …
    Number(u64),
    /// Text, used as it is.
    Text(&'a str),
}

impl Catalogue {
    fn new(language: &'static Language) -> Result<Self, String> {
        let resource = FluentResource::try_new(language.source.to_owned())
            .map_err(|(_, errors)| format!("does not parse: {errors:?}"))?;
        let script = script_messages(&resource)?;
        let ids = resource
            .entries()
            .filter_map(|entry| match entry {
                Entry::Message(message) => Some(message.id.name.to_owned()),
                _ => None,
            })
            .collect();
        let tag: LanguageIdentifier = language
            .code
            .parse()
            .map_err(|error| format!("{}: {error}", language.code))?;
        let mut bundle = FluentBundle::new_concurrent(vec![tag]);
        // The server's variables are numbers and markup it builds: nothing to isolate
        // (the script isolates the outside text it puts in a message itself).
        bundle.set_use_isolating(false);
        bundle
            .add_resource(resource)
            .map_err(|errors| format!("{errors:?}"))?;
        Ok(Self {
            language,
            bundle,
            ids,
            script,
        })
    }

    /// The ids of every message, in the catalogue's order.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// The message `id` formatted with `args`, as plain text; the id itself when there is
    /// no such message (the tests make sure every language has every message a page
    /// names, so this shows only a typo).
    pub fn text(&self, id: &str, args: &[(&str, Arg)]) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut fluent = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Number(number) => fluent.set(*name, *number),
                Arg::Text(text) => fluent.set(*name, FluentValue::from(*text)),
            }
        }
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, Some(&fluent), &mut errors)
            .into_owned()
    }

    /// [`Self::text`], escaped for HTML.
    pub fn html(&self, id: &str, args: &[(&str, Arg)]) -> String {
        escape(&self.text(id, args))
    }

    /// The message `id` as HTML, with `markup` (already HTML) in place of the variables it
    /// names: `receipt-created` with a `<time>` element for `$time`.
    pub fn html_with(&self, id: &str, markup: &[(&str, &str)]) -> String {
        // Each variable is formatted as a marker no message contains, escaped, then swapped.
        let markers: Vec<String> = (0..markup.len())
            .map(|index| format!("\u{E000}{index}\u{E001}"))
            .collect();
        let args: Vec<(&str, Arg)> = markup
            .iter()
            .zip(&markers)
            .map(|((name, _), marker)| (*name, Arg::Text(marker)))
            .collect();
        let mut html = self.html(id, &args);
        for ((_, fragment), marker) in markup.iter().zip(&markers) {
            html = html.replace(marker.as_str(), fragment);
        }
        html
    }

    /// Every message compiled for the page's script, as JSON safe inside `<script>`.
    pub fn script_messages(&self) -> &str {
        &self.script
    }
}

/// Text made safe for HTML, in element content and in quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

/// The catalogue as the script reads it: `{ id: pattern }`, where a pattern is a string,
/// or a list of strings, `{ "v": variable }` and `{ "s": variable, "k": [[key, pattern],
/// …], "d": default }` (a select on a number: `key` is a number to match exactly or a
/// CLDR plural category). `<` is escaped, so that no text can close the `<script>`.
fn script_messages(resource: &FluentResource) -> Result<String, String> {
    let mut messages = Map::new();
    for entry in resource.entries() {
        match entry {
            Entry::Message(message) => {
                let id = message.id.name;
                let value = message
                    .value
                    .as_ref()
                    .ok_or_else(|| format!("{id} has no value"))?;
                if !message.attributes.is_empty() {
                    return Err(format!("{id}: the pages use no attributes"));
                }
                let compiled = compile(value).map_err(|problem| format!("{id}: {problem}"))?;
                messages.insert(id.to_owned(), compiled);
            }
            Entry::Term(term) => return Err(format!("-{}: the pages use no terms", term.id.name)),
            Entry::Junk { content } => return Err(format!("does not parse: {content}")),
            Entry::Comment(_) | Entry::GroupComment(_) | Entry::ResourceComment(_) => {}
        }
    }
    Ok(Value::Object(messages).to_string().replace('<', "\\u003c"))
}

fn compile(pattern: &Pattern<&str>) -> Result<Value, String> {
    let mut parts: Vec<Value> = Vec::new();
    for element in &pattern.elements {
        let part = match element {
            PatternElement::TextElement { value } => json!(value),
            PatternElement::Placeable { expression } => match expression {
                Expression::Inline(inline) => inline_part(inline)?,
                Expression::Select { selector, variants } => {
                    let InlineExpression::VariableReference { id } = selector else {
                        return Err("a select chooses on a variable only".into());
                    };
                    let mut keys = Vec::new();
                    let mut default = 0;
                    for (index, variant) in variants.iter().enumerate() {
                        let key = match &variant.key {
                            VariantKey::Identifier { name } => json!(name),
                            VariantKey::NumberLiteral { value } => json!(
                                value
                                    .parse::<f64>()
                                    .map_err(|_| format!("{value} is not a number"))?
                            ),
                        };
                        if variant.default {
                            default = index;
                        }
                        keys.push(json!([key, compile(&variant.value)?]));
                    }
                    json!({"s": id.name, "k": keys, "d": default})
                }
            },
        };
        // Adjacent texts (a literal beside text) read as one.
        match (parts.last_mut(), &part) {
            (Some(Value::String(previous)), Value::String(text)) => previous.push_str(text),
            _ => parts.push(part),
        }
    }
    Ok(match parts.as_slice() {
        [] => json!(""),
        [Value::String(text)] => json!(text),
        _ => Value::Array(parts),
    })
}

fn inline_part(inline: &InlineExpression<&str>) -> Result<Value, String> {
    match inline {
        InlineExpression::VariableReference { id } => Ok(json!({"v": id.name})),
        InlineExpression::StringLiteral { value } => Ok(json!(
            fluent_syntax::unicode::unescape_unicode_to_string(value)
        )),
        InlineExpression::NumberLiteral { value } => Ok(json!(value)),
        _ => Err("the script resolves variables, selects and literals only".into()),
    }
}

#[cfg(test)]
#[path = "i18n_tests.rs"]
mod tests;
