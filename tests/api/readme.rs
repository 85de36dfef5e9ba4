//! The README's curl flow, run verbatim against a live server: every `# …` answer shown
//! under a command must appear in what the command prints (`…` stands for anything).

use std::process::Command;

use crate::helpers::{Backend, spawn_app};

const README: &str = include_str!("../../README.md");

/// The `sh` blocks between the curl-flow markers.
fn curl_flow_blocks() -> Vec<String> {
    let start = README
        .find("<!-- curl-flow:start -->")
        .expect("start marker");
    let end = README.find("<!-- curl-flow:end -->").expect("end marker");
    README[start..end]
        .split("```sh\n")
        .skip(1)
        .map(|block| block.split("```").next().expect("closed block").to_owned())
        .collect()
}

/// Whether `line` matches `pattern`, where `…` stands for any text.
fn matches(pattern: &str, line: &str) -> bool {
    let parts: Vec<&str> = pattern.split('…').collect();
    let mut rest = line;
    for (index, part) in parts.iter().enumerate() {
        let found = if index == 0 {
            rest.starts_with(part).then_some(0)
        } else {
            rest.find(part)
        };
        let Some(at) = found else { return false };
        rest = &rest[at + part.len()..];
    }
    rest.is_empty() || pattern.ends_with('…')
}

#[tokio::test]
async fn the_readme_curl_flow_works_by_copy_paste() {
    let app = spawn_app(Backend::Redis).await;
    let blocks = curl_flow_blocks();
    assert!(blocks.len() >= 6, "found {} blocks", blocks.len());
    // curl prints JSON without a final newline; the wrapper only adds one, so each answer
    // is a line of its own. The commands themselves run exactly as written.
    let mut script = String::from("set -euo pipefail\ncurl() { command curl \"$@\"; echo; }\n");
    for (index, block) in blocks.iter().enumerate() {
        script.push_str(&format!("echo '::block {index}'\n"));
        script.push_str(&block.replace("http://localhost:8080", &app.address));
    }
    let output = tokio::task::spawn_blocking(move || {
        Command::new("bash")
            .arg("-c")
            .arg(script)
            .output()
            .expect("bash runs")
    })
    .await
    .expect("script ran");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "the flow failed: {}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );

    for (index, block) in blocks.iter().enumerate() {
        let printed = stdout
            .split(&format!("::block {index}\n"))
            .nth(1)
            .and_then(|rest| rest.split("::block ").next())
            .expect("block output");
        let mut lines = printed.lines();
        for expected in block.lines().filter_map(|line| line.strip_prefix("# ")) {
            assert!(
                lines.any(|line| matches(expected, line)),
                "block {index}: expected `{expected}` in:\n{printed}"
            );
        }
    }
}

#[test]
fn ellipsis_patterns_match_as_documented() {
    assert!(matches("{\"a\":\"…\",\"b\":1}", "{\"a\":\"xyz\",\"b\":1}"));
    assert!(matches("404", "404"));
    assert!(!matches("404", "204"));
    assert!(!matches("{\"a\":\"…\",\"b\":1}", "{\"a\":\"xyz\",\"b\":2}"));
}
