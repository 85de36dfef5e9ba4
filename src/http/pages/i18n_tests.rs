//! The catalogues against English and against CLDR, and the script's form of each
//! message against Fluent's own formatting.

use std::collections::BTreeSet;

use intl_pluralrules::{PluralCategory, PluralRuleType, PluralRules};
use serde_json::Value;

use super::*;

fn category_name(category: PluralCategory) -> &'static str {
    match category {
        PluralCategory::ZERO => "zero",
        PluralCategory::ONE => "one",
        PluralCategory::TWO => "two",
        PluralCategory::FEW => "few",
        PluralCategory::MANY => "many",
        PluralCategory::OTHER => "other",
    }
}

/// The language's CLDR rules, found as fluent-bundle finds them (pt-BR → pt).
fn rules(catalogue: &Catalogue) -> PluralRules {
    let tag: LanguageIdentifier = catalogue.language.code.parse().expect("a tag");
    let known = PluralRules::get_locales(PluralRuleType::CARDINAL);
    let found = negotiate_languages(&[tag], &known, None, NegotiationStrategy::Lookup);
    let found = found.first().expect("CLDR knows the language");
    assert_eq!(
        found.language,
        catalogue
            .language
            .code
            .split('-')
            .next()
            .expect("a language")
    );
    PluralRules::create((*found).clone(), PluralRuleType::CARDINAL).expect("rules")
}

/// The numbers the tests try: every count a page shows, and the large round ones some
/// languages treat apart.
fn numbers() -> impl Iterator<Item = u64> {
    (0..=250).chain([
        1000,
        1001,
        10_000,
        100_000,
        1_000_000,
        2_000_000,
        1_000_000_000,
    ])
}

fn variables(value: &Value, into: &mut BTreeSet<String>) {
    match value {
        Value::Array(parts) => parts.iter().for_each(|part| variables(part, into)),
        Value::Object(part) => {
            for key in ["v", "s"] {
                if let Some(Value::String(name)) = part.get(key) {
                    into.insert(name.clone());
                }
            }
            if let Some(Value::Array(variants)) = part.get("k") {
                variants
                    .iter()
                    .for_each(|variant| variables(&variant[1], into));
            }
        }
        _ => {}
    }
}

fn compiled(catalogue: &Catalogue) -> serde_json::Map<String, Value> {
    let json = catalogue.script_messages().replace("\\u003c", "<");
    match serde_json::from_str(&json).expect("JSON") {
        Value::Object(messages) => messages,
        other => panic!("not an object: {other}"),
    }
}

#[test]
fn every_language_has_exactly_the_messages_english_has_with_its_variables() {
    let english_ids = english().ids();
    let english_messages = compiled(english());
    assert!(
        catalogues().len() >= 13,
        "at least 12 languages beside English"
    );
    assert!(catalogues().iter().any(|catalogue| catalogue.language.rtl));
    for catalogue in catalogues() {
        let code = catalogue.language.code;
        let ids = catalogue.ids();
        let missing: Vec<_> = english_ids.iter().filter(|id| !ids.contains(id)).collect();
        let extra: Vec<_> = ids.iter().filter(|id| !english_ids.contains(id)).collect();
        assert!(missing.is_empty(), "{code} lacks {missing:?}");
        assert!(
            extra.is_empty(),
            "{code} has {extra:?}, which English does not"
        );
        assert_eq!(
            ids.len(),
            english_ids.len(),
            "{code} defines a message twice"
        );
        let messages = compiled(catalogue);
        for id in english_ids {
            let (mut theirs, mut ours) = (BTreeSet::new(), BTreeSet::new());
            variables(&messages[id], &mut theirs);
            variables(&english_messages[id], &mut ours);
            assert_eq!(theirs, ours, "{code} {id}: its variables");
        }
    }
}

/// A translation is real: at most a handful of messages (formats, a name) read as the
/// English ones do.
#[test]
fn translations_are_not_english_copies() {
    let english_messages = compiled(english());
    for catalogue in &catalogues()[1..] {
        let messages = compiled(catalogue);
        let same: Vec<&String> = messages
            .iter()
            .filter(|(id, value)| english_messages.get(*id) == Some(*value))
            .map(|(id, _)| id)
            .collect();
        assert!(
            same.len() <= 4,
            "{} reads like English in {same:?}",
            catalogue.language.code
        );
    }
}

/// Every select on a number has a variant for each CLDR category a number can fall in,
/// in that language, and no key that is not one.
#[test]
fn every_plural_is_written_for_the_languages_cldr_categories() {
    const NAMES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];
    fn selects<'a>(value: &'a Value, into: &mut Vec<&'a Value>) {
        match value {
            Value::Array(parts) => parts.iter().for_each(|part| selects(part, into)),
            Value::Object(part) if part.contains_key("s") => {
                into.push(value);
                if let Some(Value::Array(variants)) = part.get("k") {
                    variants
                        .iter()
                        .for_each(|variant| selects(&variant[1], into));
                }
            }
            _ => {}
        }
    }
    for catalogue in catalogues() {
        let rules = rules(catalogue);
        let reached: BTreeSet<&str> = numbers()
            .map(|number| category_name(rules.select(number).expect("a category")))
            .collect();
        for (id, message) in compiled(catalogue) {
            let mut found = Vec::new();
            selects(&message, &mut found);
            for select in found {
                let keys: BTreeSet<&str> = select["k"]
                    .as_array()
                    .expect("variants")
                    .iter()
                    .filter_map(|variant| variant[0].as_str())
                    .collect();
                let code = catalogue.language.code;
                assert!(
                    keys.iter().all(|key| NAMES.contains(key)),
                    "{code} {id}: {keys:?}"
                );
                let lacking: Vec<_> = reached.difference(&keys).collect();
                assert!(lacking.is_empty(), "{code} {id} lacks {lacking:?}");
            }
        }
    }
}

/// What the script makes of a compiled message: the same steps as `t()` in burnbox.js
/// (an exact number first, then the CLDR category, then the default).
fn resolve(pattern: &Value, rules: &PluralRules, count: u64) -> String {
    match pattern {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts
            .iter()
            .map(|part| resolve(part, rules, count))
            .collect(),
        Value::Object(part) if part.contains_key("v") => match part["v"].as_str() {
            Some("count" | "seconds" | "percent") => count.to_string(),
            _ => "‹text›".to_owned(),
        },
        Value::Object(part) => {
            let variants = part["k"].as_array().expect("variants");
            let category = category_name(rules.select(count).expect("a category"));
            let chosen = variants
                .iter()
                .find(|variant| variant[0].as_f64() == Some(count as f64))
                .or_else(|| variants.iter().find(|variant| variant[0] == category))
                .unwrap_or(&variants[part["d"].as_u64().expect("a default") as usize]);
            resolve(&chosen[1], rules, count)
        }
        other => panic!("not a pattern: {other}"),
    }
}

#[test]
fn the_scripts_form_of_each_message_reads_as_fluent_formats_it() {
    for catalogue in catalogues() {
        let rules = rules(catalogue);
        for (id, message) in compiled(catalogue) {
            for count in numbers() {
                let args = [
                    ("count", Arg::Number(count)),
                    ("seconds", Arg::Number(count)),
                    ("percent", Arg::Number(count)),
                    ("when", Arg::Text("‹text›")),
                    ("relative", Arg::Text("‹text›")),
                    ("date", Arg::Text("‹text›")),
                    ("time", Arg::Text("‹text›")),
                    ("size", Arg::Text("‹text›")),
                    ("limit", Arg::Text("‹text›")),
                    ("done", Arg::Text("‹text›")),
                    ("total", Arg::Text("‹text›")),
                    ("code", Arg::Text("‹text›")),
                    ("name", Arg::Text("‹text›")),
                ];
                assert_eq!(
                    resolve(&message, &rules, count),
                    catalogue.text(&id, &args),
                    "{} {id} with {count}",
                    catalogue.language.code
                );
            }
        }
    }
}

#[test]
fn accept_language_chooses_and_english_is_the_fallback() {
    assert_eq!(negotiate("").language.code, "en");
    assert_eq!(negotiate("xx-YY, *;q=0.1").language.code, "en");
    assert_eq!(negotiate("en-GB,en;q=0.9").language.code, "en");
    assert_eq!(negotiate("de-AT,de;q=0.9,en;q=0.8").language.code, "de");
    assert_eq!(negotiate("pt-PT,pt;q=0.9").language.code, "pt-BR");
    assert_eq!(negotiate("zh-Hans-CN,zh;q=0.9").language.code, "zh-CN");
    assert_eq!(negotiate("ar-EG").language.code, "ar");
    // By weight, not by order; refused is refused.
    assert_eq!(negotiate("en;q=0.1, de").language.code, "de");
    assert_eq!(
        negotiate("fr;q=0.5, it;q=0.8, ja;q=0.5").language.code,
        "it"
    );
    assert_eq!(negotiate("de;q=0, nl;q=0.2").language.code, "nl");
    assert_eq!(negotiate("de;q=0").language.code, "en");
    assert_eq!(negotiate("de;q=banana, es").language.code, "es");
    assert_eq!(find("PT-br").map(|c| c.language.code), Some("pt-BR"));
    assert!(find("xx").is_none());
}

#[test]
fn html_is_escaped_and_markup_goes_in_whole() {
    assert_eq!(
        escape(r#"<a href="x">&'"#),
        "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
    );
    let en = english();
    assert_eq!(
        en.html_with("receipt-created", &[("time", "<time>now</time>")]),
        "Created at <time>now</time>."
    );
    assert_eq!(
        en.text("share-views-option", &[("count", Arg::Number(1))]),
        "once"
    );
    assert_eq!(
        en.text("share-views-option", &[("count", Arg::Number(3))]),
        "3 times"
    );
    assert_eq!(en.text("no-such-message", &[]), "no-such-message");
    assert!(!en.script_messages().contains('<'));
}

/// Every message is shown somewhere: in a template (`{{id}}`), or named in the script or
/// the handlers (`"id"`); the receipt's states are named by their state.
#[test]
fn every_message_is_shown_somewhere() {
    let sources = [
        include_str!("layout.html"),
        include_str!("share.html"),
        include_str!("reveal.html"),
        include_str!("request.html"),
        include_str!("fill.html"),
        include_str!("receipt.html"),
        include_str!("assets/burnbox.js"),
        include_str!("mod.rs"),
    ]
    .concat();
    let states = ["pending", "revealed", "burned", "expired"];
    for id in english().ids() {
        let by_state = states.iter().any(|state| {
            *id == format!("receipt-{state}") || *id == format!("receipt-{state}-detail")
        });
        assert!(
            by_state
                || sources.contains(&format!("{{{{{id}}}}}"))
                || sources.contains(&format!("\"{id}\"")),
            "{id} is shown nowhere"
        );
    }
}

/// What the script cannot resolve is refused when the catalogue loads, with the reason.
#[test]
fn the_script_form_refuses_what_the_script_cannot_resolve() {
    let compiled = |source: &str| {
        let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, _)| r);
        script_messages(&resource)
    };
    for (source, reason) in [
        ("-brand = burnbox\n", "no terms"),
        ("a = x\n    .title = y\n", "no attributes"),
        ("a =\n    .title = y\n", "has no value"),
        (
            "a = { NUMBER($n) }\n",
            "variables, selects and literals only",
        ),
        ("a = { b }\nb = c\n", "variables, selects and literals only"),
        ("a = { 1 ->\n   *[other] x\n}\n", "on a variable only"),
        ("a = { $n\n", "does not parse"),
    ] {
        let problem = compiled(source).expect_err(source);
        assert!(problem.contains(reason), "{source:?}: {problem}");
    }
    let ok =
        compiled("a = { \"\\u0041\" }b { 7 }\nn = { $n ->\n    [0] none\n   *[other] { $n }\n}\n")
            .expect("literals and number keys");
    assert_eq!(
        serde_json::from_str::<Value>(&ok).expect("JSON"),
        serde_json::json!({"a": "Ab 7", "n": [{"s": "n", "k": [[0.0, "none"], ["other", [{"v": "n"}]]], "d": 1}]})
    );
}
