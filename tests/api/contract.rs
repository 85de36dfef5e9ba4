//! The OpenAPI document as its users meet it: a contract fuzzer (schemathesis, every check)
//! against the release-like binary, and a Python client generated from the committed
//! document running the README's flow. Both tools come from PyPI, pinned, into a
//! virtualenv under `target/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::json;

use crate::helpers::{ServedBinary, api_key, python_venv, serve_binary, session};

const SCHEMATHESIS: &str = "schemathesis==4.32.5";
const GENERATOR: &str = "openapi-python-client==0.29.1";
const ADMIN_EMAIL: &str = "contract@example.org";
const ADMIN_PASSWORD: &str = "contract-test-password";

/// The virtualenv with both tools, made once per target directory.
fn tools() -> PathBuf {
    python_venv("contract-venv", &[SCHEMATHESIS, GENERATOR])
}

/// Runs a command, and shows what it printed should it fail.
fn succeeds(command: &mut Command, what: &str) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("{what}: {error}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The binary with an admin and no rate limits (a fuzzer would mostly meet 429s, leaving
/// the logic behind them untried), and an API key with every scope.
async fn served() -> (ServedBinary, String) {
    let served = serve_binary(&[
        ("BURNBOX_ADMIN_EMAIL", ADMIN_EMAIL),
        ("BURNBOX_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("BURNBOX_RATE_LIMIT_PER_MINUTE", "0"),
        ("BURNBOX_RATE_LIMIT_CREATE_PER_MINUTE", "0"),
        ("BURNBOX_RATE_LIMIT_REVEAL_PER_MINUTE", "0"),
        ("BURNBOX_PASSPHRASE_FAILURES_PER_HOUR", "0"),
    ])
    .await;
    let token = session(&served.app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let key = api_key(&served.app, &token, json!(["admin", "secrets", "tokens"])).await;
    (served, key)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_contract_fuzzer_finds_nothing_the_document_does_not_say() {
    let (served, key) = served().await;
    let document = served.app.url("/openapi.json");
    let output = tokio::task::spawn_blocking(move || {
        let venv = tools();
        let work = tempfile_dir("schemathesis");
        let config = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/contract/schemathesis.toml"
        );
        succeeds(
            Command::new(venv.join("bin/schemathesis"))
                .current_dir(&work)
                .args(["--config-file", config, "run", &document])
                .args(["--checks", "all", "--seed", "1", "--max-time", "60"])
                .args(["--generation-database", "none", "--no-color"])
                .args(["--header", &format!("Authorization: Bearer {key}")]),
            "schemathesis",
        )
    })
    .await
    .expect("schemathesis ran");
    let report = String::from_utf8_lossy(&output.stdout);
    // A run that tested nothing would pass too: it must have reached every operation, in
    // every phase, and failed none.
    assert!(report.contains("Tested: 48"), "{report}");
    for phase in ["Examples", "Coverage", "Fuzzing", "Stateful"] {
        assert!(report.contains(&format!("✅ {phase}")), "{phase}: {report}");
    }
    assert!(!report.contains('❌'), "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_generated_from_the_document_runs_the_readme_flow() {
    let (served, _key) = served().await;
    let address = served.app.url("");
    tokio::task::spawn_blocking(move || {
        let venv = tools();
        let work = tempfile_dir("generated-client");
        let document = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
        let generated = succeeds(
            Command::new(venv.join("bin/openapi-python-client"))
                .current_dir(&work)
                .args(["generate", "--path", document, "--output-path", "client"]),
            "openapi-python-client generate",
        );
        let printed = String::from_utf8_lossy(&generated.stdout);
        // The one warning it gives: OpenMetrics text is no content type it knows.
        let warnings = printed.matches("WARNING").count();
        assert!(
            warnings <= 1 && (warnings == 0 || printed.contains("WARNING parsing GET /metrics")),
            "{printed}"
        );
        let flow = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/contract/generated_client_flow.py"
        );
        let ran = succeeds(
            Command::new(venv.join("bin/python"))
                .env("PYTHONPATH", work.join("client"))
                .args([flow, address.trim_end_matches('/')]),
            "the generated client's flow",
        );
        assert!(String::from_utf8_lossy(&ran.stdout).contains("the flow held"));
    })
    .await
    .expect("the generated client ran");
}

/// A fresh directory under `target/` for one run's files.
fn tempfile_dir(name: &str) -> PathBuf {
    let suffix: String = burnbox::crypto::random_array::<4>()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{suffix}"));
    std::fs::create_dir_all(&dir).expect("target/ is writable");
    dir
}
