//! The docs hold together and hold to the code: every relative link in README.md,
//! CONTRIBUTING.md and docs/*.md reaches a file that exists (and an `#anchor` a heading
//! in it, as GitHub names headings), and the worked end-to-end example in
//! docs/security.md is what `src/e2e.rs` seals and opens.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use burnbox::e2e::{E2eKey, NONCE_BYTES, open, seal_with_nonce};

/// README.md, CONTRIBUTING.md and every Markdown file under docs/.
fn documents() -> Vec<PathBuf> {
    let mut documents = vec![PathBuf::from("README.md"), PathBuf::from("CONTRIBUTING.md")];
    let mut in_docs: Vec<PathBuf> = std::fs::read_dir("docs")
        .expect("docs/")
        .map(|entry| entry.expect("a docs/ entry").path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "md"))
        .collect();
    in_docs.sort();
    documents.extend(in_docs);
    documents
}

/// `text` with fenced code blocks blanked out (their lines kept, empty), so neither
/// their `# comments` count as headings nor their brackets as links.
fn without_fences(text: &str) -> String {
    let mut fenced = false;
    text.lines()
        .map(|line| {
            if line.trim_start().starts_with("```") {
                fenced = !fenced;
                ""
            } else if fenced {
                ""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` without inline code spans (`` `…` ``), whose brackets are code, not links.
fn without_inline_code(text: &str) -> String {
    text.split('`')
        .enumerate()
        .filter(|(index, _)| index % 2 == 0)
        .map(|(_, part)| part)
        .collect()
}

/// The targets of the Markdown links (`[text](target)`, `![alt](target)`) in `text`.
fn link_targets(text: &str) -> Vec<String> {
    let prose = without_inline_code(&without_fences(text));
    prose
        .split("](")
        .skip(1)
        .filter_map(|rest| rest.split([')', ' ', '\n']).next())
        .map(str::to_owned)
        .collect()
}

/// GitHub's anchor for a heading: lowercase, punctuation dropped (letters, digits, `-`
/// and `_` stay), spaces become `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|character| match character {
            ' ' => Some('-'),
            '-' | '_' => Some(character),
            _ if character.is_alphanumeric() => Some(character),
            _ => None,
        })
        .collect()
}

/// The anchors of every heading in `text`; a repeated heading gets `-1`, `-2`, … as on
/// GitHub.
fn anchors(text: &str) -> HashSet<String> {
    let mut anchors = HashSet::new();
    for line in without_fences(text).lines() {
        let Some(heading) = line
            .strip_prefix('#')
            .map(|rest| rest.trim_start_matches('#'))
            .filter(|rest| rest.starts_with(' '))
        else {
            continue;
        };
        let base = slug(heading);
        let mut anchor = base.clone();
        let mut repeat = 0;
        while anchors.contains(&anchor) {
            repeat += 1;
            anchor = format!("{base}-{repeat}");
        }
        anchors.insert(anchor);
    }
    anchors
}

/// Every relative link in `document` (whose text is `text`) that does not resolve, with
/// the reason.
fn broken_links(document: &Path, text: &str) -> Vec<String> {
    let directory = document.parent().unwrap_or(Path::new(""));
    let mut broken = Vec::new();
    for target in link_targets(text) {
        if target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let (path, anchor) = match target.split_once('#') {
            Some((path, anchor)) => (path, Some(anchor)),
            None => (target.as_str(), None),
        };
        let file = if path.is_empty() {
            document.to_path_buf()
        } else {
            directory.join(path)
        };
        if !file.exists() {
            broken.push(format!(
                "{}: {target}: no file {}",
                document.display(),
                file.display()
            ));
            continue;
        }
        if let Some(anchor) = anchor {
            let target_text = if path.is_empty() {
                text.to_owned()
            } else {
                std::fs::read_to_string(&file).unwrap_or_default()
            };
            if !anchors(&target_text).contains(anchor) {
                broken.push(format!(
                    "{}: {target}: no heading #{anchor}",
                    document.display()
                ));
            }
        }
    }
    broken
}

#[test]
fn every_relative_link_in_the_docs_resolves() {
    let mut checked = 0;
    let mut broken = Vec::new();
    for document in documents() {
        let text = std::fs::read_to_string(&document).expect("a document");
        checked += link_targets(&text)
            .iter()
            .filter(|target| !target.contains("://"))
            .count();
        broken.extend(broken_links(&document, &text));
    }
    assert!(checked > 40, "only {checked} relative links found");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn a_missing_file_or_heading_is_a_broken_link() {
    let text = "See [the API](docs/api.md#routes), [nothing](docs/nowhere.md), \
                [no heading](docs/api.md#no-such-heading), [here](#a-heading), `[code](x.md)`\n\
                ```sh\n# not a heading\n[fenced](y.md)\n```\n## A heading\n";
    let broken = broken_links(Path::new("README.md"), text);
    assert_eq!(broken.len(), 2, "{broken:?}");
    assert!(broken[0].contains("docs/nowhere.md"), "{broken:?}");
    assert!(broken[1].contains("#no-such-heading"), "{broken:?}");
    assert!(!anchors(text).contains("not-a-heading"));
}

#[test]
fn anchors_are_named_as_github_names_them() {
    assert_eq!(
        slug("Rate limits and other defences"),
        "rate-limits-and-other-defences"
    );
    assert_eq!(slug("Deploying: five settings"), "deploying-five-settings");
    assert_eq!(slug("The `e2e1` format"), "the-e2e1-format");
    assert_eq!(slug("Try it"), "try-it");
    let repeated = anchors("## Notes\n## Notes\n");
    assert!(repeated.contains("notes") && repeated.contains("notes-1"));
}

/// The backquoted values in the paragraph that starts with "Worked example:".
fn worked_example() -> Vec<String> {
    let security = std::fs::read_to_string("docs/security.md").expect("docs/security.md");
    let start = security.find("Worked example:").expect("a worked example");
    let paragraph = security[start..].split("\n\n").next().expect("a paragraph");
    paragraph
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_worked_e2e_example_in_the_security_docs_is_what_the_code_seals() {
    let values = worked_example();
    // The key of bytes 00 … 1f, as the text says.
    let key_text = URL_SAFE_NO_PAD.encode((0u8..32).collect::<Vec<_>>());
    assert!(values.contains(&key_text), "{values:?} lacks {key_text}");
    let key = E2eKey::decode(&key_text).expect("a key");
    assert!(values.contains(&"hello".to_owned()), "{values:?}");
    let envelope = seal_with_nonce(&key, [7; NONCE_BYTES], "hello");
    assert!(values.contains(&envelope), "{values:?} lacks {envelope}");
    assert_eq!(open(&key, &envelope).as_deref(), Ok("hello"));
    let link = values
        .iter()
        .find(|value| value.contains("/s/"))
        .expect("a link");
    assert!(link.ends_with(&format!("#{key_text}")), "{link}");
}
