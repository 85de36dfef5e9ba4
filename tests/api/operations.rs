//! Health, readiness, OpenAPI, Swagger UI, the healthcheck subcommand and start-up errors.

use std::process::Command;
use std::time::Duration;

use crate::helpers::{Backend, spawn_app};

/// The settings of a server started with nothing configured.
fn default_settings() -> burnbox::config::Settings {
    burnbox::config::Settings::from_args(["burnbox"]).expect("defaults parse")
}

#[tokio::test]
async fn health_and_ready_answer() {
    for backend in [Backend::Redis, Backend::Memory] {
        let app = spawn_app(backend).await;
        let health = app.get("/health").await;
        assert_eq!((health.status, health.field("status")), (200, "ok".into()));
        let ready = app.get("/ready").await;
        assert_eq!((ready.status, ready.field("status")), (200, "ready".into()));
    }
}

#[tokio::test]
async fn the_served_openapi_document_is_the_committed_one() {
    let app = spawn_app(Backend::Memory).await;
    let served = app.get("/openapi.json").await;
    assert_eq!(served.status, 200);
    let committed: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("openapi/openapi.json exists"),
    )
    .expect("committed document is JSON");
    assert!(
        served.body == committed,
        "openapi/openapi.json is stale: regenerate it with \
         `cargo run --quiet -- openapi > openapi/openapi.json`"
    );
    let committed_text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("readable");
    assert_eq!(
        committed_text,
        burnbox::openapi::document_json(&default_settings()),
        "byte for byte, too"
    );
}

#[tokio::test]
async fn every_operation_documents_its_errors() {
    let document: serde_json::Value =
        serde_json::from_str(&burnbox::openapi::document_json(&default_settings())).expect("json");
    let paths = document["paths"].as_object().expect("paths");
    assert_eq!(paths.len(), 43);
    for (path, operations) in paths {
        for (method, operation) in operations.as_object().expect("operations") {
            let responses = operation["responses"].as_object().expect("responses");
            // Liveness and metrics come from the process alone: they cannot fail.
            if !["/health", "/metrics"].contains(&path.as_str()) {
                assert!(
                    responses
                        .keys()
                        .any(|status| status.starts_with('4') || status.starts_with('5')),
                    "{method} {path} documents no error"
                );
            }
            if !path.starts_with("/api/") {
                continue;
            }
            // The limiter, a bad credential and an unreachable Redis can answer any call;
            // any body can be malformed, too large or of the wrong type.
            let mut shared = vec!["401", "429", "503"];
            if operation.get("requestBody").is_some() {
                shared.extend(["400", "413", "415"]);
            }
            for status in shared {
                assert!(
                    responses.contains_key(status),
                    "{method} {path}: no {status}"
                );
            }
            // Under /api/v1 every error is onetimesecret's shape.
            let error_shape = if path.starts_with("/api/v1/") {
                "#/components/schemas/V1ErrorBody"
            } else {
                "#/components/schemas/ErrorBody"
            };
            for (status, response) in responses
                .iter()
                .filter(|(status, _)| !status.starts_with('2'))
            {
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"], error_shape,
                    "{method} {path} {status}"
                );
            }
        }
    }
}

#[tokio::test]
async fn the_served_document_carries_the_operators_limits() {
    let app = crate::helpers::spawn_app_with(
        Backend::Memory,
        &[
            "--ttl-min",
            "120",
            "--ttl-max",
            "7200",
            "--ttl-default",
            "3600",
            "--max-secret-bytes",
            "1000",
        ],
    )
    .await;
    let document = app.get("/openapi.json").await.body;
    let secret = &document["components"]["schemas"]["CreateSecretRequest"]["properties"];
    assert_eq!(secret["ttl"]["minimum"], 120);
    assert_eq!(secret["ttl"]["maximum"], 7200);
    assert_eq!(secret["secret"]["maxLength"], 1000);
    // And the server holds to them.
    app.post(
        "/api/secrets",
        serde_json::json!({"secret": "x", "ttl": 7201}),
    )
    .await
    .assert_error(422, "ttl_out_of_range");
}

#[tokio::test]
async fn swagger_ui_is_served_at_docs() {
    let app = spawn_app(Backend::Memory).await;
    let page = app
        .client
        .get(app.url("/docs/"))
        .send()
        .await
        .expect("request");
    assert_eq!(page.status().as_u16(), 200);
    assert!(
        page.text().await.expect("html").contains("swagger"),
        "Swagger UI page"
    );
    let redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(app.url("/docs"))
        .send()
        .await
        .expect("request");
    assert!(redirect.status().is_redirection());
}

#[tokio::test]
async fn the_healthcheck_subcommand_reports_the_server() {
    let app = spawn_app(Backend::Memory).await;
    let bind = app.address.trim_start_matches("http://").to_owned();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
    let closed_address = closed.local_addr().expect("address").to_string();
    drop(closed);
    let unspecified = format!("0.0.0.0:{}", bind.rsplit(':').next().expect("port"));
    // Blocking probes run off the test's runtime so the server keeps being served.
    let (up, down, probe) = tokio::task::spawn_blocking(move || {
        let healthcheck = |address: &str| {
            Command::new(env!("CARGO_BIN_EXE_burnbox"))
                .arg("healthcheck")
                .env("BURNBOX_BIND", address)
                .status()
                .expect("runs")
                .success()
        };
        let probe = burnbox::healthcheck::probe(
            unspecified.parse().expect("address"),
            Duration::from_secs(2),
        );
        (healthcheck(&bind), healthcheck(&closed_address), probe.ok())
    })
    .await
    .expect("probes ran");
    assert!(up, "healthcheck against the running server");
    assert!(!down, "healthcheck against a closed port");
    assert_eq!(probe, Some(true), "0.0.0.0 is probed on loopback");
}

#[test]
fn an_invalid_setting_stops_start_up_naming_its_variable() {
    let cases = [
        ("BURNBOX_TTL_MIN", "0"),
        ("BURNBOX_TTL_DEFAULT", "abc"),
        ("BURNBOX_BIND", "nowhere"),
        ("BURNBOX_SERVER_KEY", "dG9vIHNob3J0"),
        ("BURNBOX_REDIS_URL", "http://not-redis"),
    ];
    for (variable, value) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_burnbox"))
            .env(variable, value)
            .env(
                "BURNBOX_BIND",
                if variable == "BURNBOX_BIND" {
                    value
                } else {
                    "127.0.0.1:0"
                },
            )
            .output()
            .expect("runs");
        assert!(!output.status.success(), "{variable}={value} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(variable), "{variable}: {stderr}");
        if variable == "BURNBOX_SERVER_KEY" {
            assert!(!stderr.contains(value), "the server key is repeated");
        }
    }
}

#[test]
fn the_openapi_subcommand_prints_the_document() {
    let output = Command::new(env!("CARGO_BIN_EXE_burnbox"))
        .arg("openapi")
        .output()
        .expect("runs");
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        burnbox::openapi::document_json(&default_settings())
    );
}

#[test]
fn every_setting_is_documented_in_the_configuration_docs_and_env_example() {
    use clap::CommandFactory;
    let docs = std::fs::read_to_string("docs/configuration.md").expect("docs/configuration.md");
    let example = std::fs::read_to_string(".env.example").expect(".env.example");
    let command = burnbox::config::Settings::command();
    let variables: Vec<String> = command
        .get_arguments()
        .filter_map(|argument| argument.get_env())
        .map(|name| name.to_string_lossy().into_owned())
        .collect();
    assert!(variables.len() > 20, "{variables:?}");
    for variable in &variables {
        // Grouped rows (`BURNBOX_ARGON2_MEMORY_KIB` / `_ITERATIONS`) name the suffix only.
        let suffix = variable
            .rsplit_once('_')
            .map_or(variable.as_str(), |(_, last)| last);
        assert!(
            docs.contains(variable.as_str()) || docs.contains(&format!("`_{suffix}`")),
            "{variable} is not in docs/configuration.md"
        );
        assert!(
            example.contains(variable.as_str()),
            "{variable} is not in .env.example"
        );
    }
}
