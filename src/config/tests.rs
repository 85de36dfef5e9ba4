//! The settings, parsed and checked as an operator writes them.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::*;
use crate::crypto::KdfParams;

fn settings(args: &[&str]) -> Settings {
    Settings::from_args(std::iter::once("burnbox").chain(args.iter().copied())).expect("parses")
}

#[test]
fn acknowledging_replicas_are_auto_or_a_number() {
    use super::AckReplicas;
    let error = settings(&["--ack-timeout-ms", "750"])
        .validate()
        .expect_err("the wait must fit in the operation's bound");
    assert_eq!(error.variable, "BURNBOX_ACK_TIMEOUT_MS");
    assert!(settings(&["--ack-timeout-ms", "749"]).validate().is_ok());
    let waits_twice = settings(&["--ack-fsync", "true", "--ack-timeout-ms", "375"]);
    assert!(waits_twice.validate().is_err());
    assert_eq!(settings(&[]).acks().replicas, AckReplicas::Auto);
    assert_eq!(settings(&[]).acks().timeout_ms, 100);
    assert_eq!(
        settings(&["--ack-replicas", "2"]).acks().replicas,
        AckReplicas::Exactly(2)
    );
    let error = Settings::from_args(["burnbox", "--ack-replicas", "some"]).expect_err("neither");
    assert!(
        error.to_string().contains("neither `auto` nor a number"),
        "{error}"
    );
}

#[test]
fn the_old_consume_ack_names_still_work_and_the_new_names_win() {
    use super::AckReplicas;
    use clap::CommandFactory;
    // Each old variable is still read, by an argument of its own…
    let command = Settings::command();
    for (argument, old) in [
        ("consume_ack_replicas", "BURNBOX_CONSUME_ACK_REPLICAS"),
        ("consume_ack_timeout_ms", "BURNBOX_CONSUME_ACK_TIMEOUT_MS"),
        ("consume_ack_fsync", "BURNBOX_CONSUME_ACK_FSYNC"),
    ] {
        let read = command
            .get_arguments()
            .find(|candidate| candidate.get_id() == argument)
            .and_then(|candidate| candidate.get_env())
            .map(|name| name.to_string_lossy().into_owned());
        assert_eq!(read.as_deref(), Some(old));
    }
    // …and means what the new one means: alone, it is the value…
    let old = settings(&[
        "--consume-ack-replicas",
        "1",
        "--consume-ack-timeout-ms",
        "250",
        "--consume-ack-fsync",
        "true",
    ]);
    let new = settings(&[
        "--ack-replicas",
        "1",
        "--ack-timeout-ms",
        "250",
        "--ack-fsync",
        "true",
    ]);
    assert_eq!(old.acks(), new.acks());
    assert_eq!(old.acks().replicas, AckReplicas::Exactly(1));
    // …but the new name wins when both are set.
    let both = settings(&[
        "--ack-replicas",
        "2",
        "--consume-ack-replicas",
        "1",
        "--ack-timeout-ms",
        "50",
        "--consume-ack-timeout-ms",
        "250",
        "--ack-fsync",
        "false",
        "--consume-ack-fsync",
        "true",
    ]);
    assert_eq!(both.acks().replicas, AckReplicas::Exactly(2));
    assert_eq!(both.acks().timeout_ms, 50);
    assert!(!both.acks().fsync);
    // An error names the variable the operator set.
    let error = settings(&["--consume-ack-timeout-ms", "750"])
        .validate()
        .expect_err("too long");
    assert_eq!(error.variable, "BURNBOX_CONSUME_ACK_TIMEOUT_MS");
    let error = settings(&["--consume-ack-timeout-ms", "10", "--ack-timeout-ms", "750"])
        .validate()
        .expect_err("too long");
    assert_eq!(error.variable, "BURNBOX_ACK_TIMEOUT_MS");
}

#[test]
fn the_public_url_is_an_origin() {
    assert_eq!(settings(&[]).public_url, None);
    for (given, kept) in [
        ("https://secrets.example.org", "https://secrets.example.org"),
        (
            "https://secrets.example.org/",
            "https://secrets.example.org",
        ),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://[::1]:8080", "http://[::1]:8080"),
    ] {
        let parsed = settings(&["--public-url", given]).public_url.expect("set");
        assert_eq!(parsed.as_str(), kept);
    }
    let plain = |url: &str| {
        url.parse::<PublicUrl>()
            .expect("url")
            .is_plain_http_elsewhere()
    };
    assert!(plain("http://secrets.example.org") && plain("http://10.0.0.5:8080"));
    assert!(!plain("https://secrets.example.org") && !plain("http://127.0.0.1:8080"));
    assert!(!plain("http://localhost") && !plain("http://[::1]:8080"));
    for bad in [
        "secrets.example.org",
        "https://",
        "https://example.org/burnbox",
        "https://example.org?x=1",
        "https://user@example.org",
        "javascript:alert(1)",
        "https://exa mple.org",
    ] {
        let error = Settings::from_args(["burnbox", "--public-url", bad]).expect_err(bad);
        assert!(error.to_string().contains("is not a URL"), "{bad}: {error}");
    }
}

#[test]
fn defaults_are_valid() {
    let defaults = settings(&[]);
    assert!(defaults.validate().is_ok());
    assert_eq!(defaults.ttl_policy().default, 604_800);
    assert_eq!(defaults.kdf_params(), KdfParams::OWASP);
    assert_eq!(defaults.bind.to_string(), "127.0.0.1:8080");
    assert_eq!(defaults.token_ttl_policy().default, 900);
    assert_eq!(defaults.trusted_networks.to_string(), "127.0.0.0/8,::1/128");
    assert!(defaults.client_ip_policy().trusted_proxies.is_empty());
}

#[test]
fn inconsistent_ttls_name_their_variable() {
    let cases = [
        (vec!["--ttl-min", "0"], "BURNBOX_TTL_MIN"),
        (
            vec!["--ttl-min", "100", "--ttl-max", "50", "--ttl-default", "60"],
            "BURNBOX_TTL_MAX",
        ),
        (vec!["--ttl-default", "10"], "BURNBOX_TTL_DEFAULT"),
        (vec!["--max-secret-bytes", "0"], "BURNBOX_MAX_SECRET_BYTES"),
        (
            vec!["--passphrase-attempts", "0"],
            "BURNBOX_PASSPHRASE_ATTEMPTS",
        ),
        (vec!["--key-prefix", "app{x}"], "BURNBOX_KEY_PREFIX"),
        (vec!["--redis-timeout-ms", "0"], "BURNBOX_REDIS_TIMEOUT_MS"),
        (
            vec!["--argon2-memory-kib", "1"],
            "BURNBOX_ARGON2_MEMORY_KIB",
        ),
        (vec!["--token-ttl-max", "30"], "BURNBOX_TOKEN_TTL_MAX"),
        (
            vec!["--token-ttl-default", "100000"],
            "BURNBOX_TOKEN_TTL_DEFAULT",
        ),
        (vec!["--max-claims-bytes", "0"], "BURNBOX_MAX_CLAIMS_BYTES"),
        (
            vec!["--client-timeout-ms", "0"],
            "BURNBOX_CLIENT_TIMEOUT_MS",
        ),
        (vec!["--max-connections", "0"], "BURNBOX_MAX_CONNECTIONS"),
        (
            vec!["--code-attempts-total", "11"],
            "BURNBOX_CODE_ATTEMPTS_TOTAL",
        ),
        (
            vec!["--code-attempts", "6", "--code-attempts-total", "5"],
            "BURNBOX_CODE_ATTEMPTS_TOTAL",
        ),
        (
            vec!["--pending-account-ttl", "10", "--code-ttl", "60"],
            "BURNBOX_PENDING_ACCOUNT_TTL",
        ),
        (
            vec!["--rate-limit-ipv6-prefix", "0"],
            "BURNBOX_RATE_LIMIT_IPV6_PREFIX",
        ),
        (
            vec!["--rate-limit-ipv6-prefix", "129"],
            "BURNBOX_RATE_LIMIT_IPV6_PREFIX",
        ),
    ];
    for (args, variable) in cases {
        let error = settings(&args).validate().expect_err("invalid");
        assert_eq!(error.variable, variable);
        assert!(error.to_string().starts_with(variable));
    }
}

#[test]
fn shared_storage_needs_a_server_key() {
    let key = [
        "--server-key",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
    ];
    for storage in [
        ["--redis-url", "redis://127.0.0.1:6379"],
        ["--redis-cluster-nodes", "redis://127.0.0.1:7000"],
    ] {
        let error = settings(&storage).validate().expect_err("no server key");
        assert_eq!(error.variable, "BURNBOX_SERVER_KEY");
        assert!(error.problem.contains("openssl rand -base64 32"), "{error}");
        let with_key: Vec<&str> = storage.iter().chain(&key).copied().collect();
        assert!(settings(&with_key).validate().is_ok());
    }
    assert!(
        settings(&[]).validate().is_ok(),
        "the memory store draws its own"
    );
}

#[test]
fn unparsable_values_name_their_variable() {
    let error = Settings::from_args(["burnbox", "--bind", "nowhere"]).expect_err("bad address");
    assert!(error.to_string().contains("BURNBOX_BIND"), "{error}");
    let error = Settings::from_args(["burnbox", "--ttl-max=-1"]).expect_err("negative");
    assert!(error.to_string().contains("BURNBOX_TTL_MAX"), "{error}");
    let error =
        Settings::from_args(["burnbox", "--trusted-proxies", "10.0.0.0/99"]).expect_err("bad CIDR");
    assert!(
        error.to_string().contains("BURNBOX_TRUSTED_PROXIES"),
        "{error}"
    );
    let error =
        Settings::from_args(["burnbox", "--forwarded-header", "via"]).expect_err("no such header");
    assert!(
        error.to_string().contains("BURNBOX_FORWARDED_HEADER"),
        "{error}"
    );
}

#[test]
fn the_server_key_is_checked_without_being_repeated() {
    let short = "c2hvcnQ=";
    let error = settings(&["--server-key", short])
        .validate()
        .expect_err("short");
    assert_eq!(error.variable, "BURNBOX_SERVER_KEY");
    assert!(!error.to_string().contains(short));
    let error = settings(&["--server-key", "not base64!"])
        .validate()
        .expect_err("junk");
    assert!(!error.to_string().contains("not base64!"));

    let good = STANDARD.encode([5u8; 32]);
    let key = settings(&["--server-key", &good])
        .server_key()
        .expect("valid");
    assert!(key.is_some());
    assert!(settings(&[]).server_key().expect("unset").is_none());
    assert!(
        settings(&["--server-key", " "])
            .server_key()
            .expect("empty")
            .is_none()
    );
    assert!(!format!("{:?}", ServerKey::generate()).contains('5'));
}

#[test]
fn cors_origins_are_scheme_and_host() {
    let error =
        Settings::from_args(["burnbox", "--cors-origins", "app.example/x"]).expect_err("no scheme");
    assert!(
        error.to_string().contains("BURNBOX_CORS_ORIGINS"),
        "{error}"
    );
    let origins = settings(&[
        "--cors-origins",
        "https://app.example, http://localhost:3000",
    ]);
    assert_eq!(
        origins.cors_origins.0,
        ["https://app.example", "http://localhost:3000"]
    );
    assert!(settings(&[]).cors_origins.0.is_empty());
    for bad in ["https://", "ftp://x", "https://a/b", "*"] {
        assert!(bad.parse::<CorsOrigins>().is_err(), "{bad}");
    }
    assert_eq!(settings(&[]).rate_policy().per_minute, 600);
}

#[test]
fn code_purposes_are_a_comma_list_of_valid_purposes() {
    let listed = settings(&["--code-purposes", "login, signup,"]);
    let names: Vec<&str> = listed.code_purposes.0.iter().map(|p| p.as_str()).collect();
    assert_eq!(names, ["login", "signup"]);
    assert!(settings(&[]).code_purposes.0.is_empty());
    let error = Settings::from_args(["burnbox", "--code-purposes", "login,Paypa1.com/x"])
        .expect_err("not a purpose");
    assert!(
        error.to_string().contains("BURNBOX_CODE_PURPOSES"),
        "{error}"
    );
}

#[test]
fn account_settings_are_checked_naming_their_variable() {
    let cases: [(&[&str], &str); 7] = [
        (&["--code-attempts", "0"], "BURNBOX_CODE_ATTEMPTS"),
        (&["--code-ttl", "0"], "BURNBOX_CODE_TTL"),
        (&["--session-ttl", "59"], "BURNBOX_SESSION_TTL"),
        (
            &["--password-min-length", "0"],
            "BURNBOX_PASSWORD_MIN_LENGTH",
        ),
        (&["--audit-max-entries", "0"], "BURNBOX_AUDIT_MAX_ENTRIES"),
        (
            &["--admin-email", "root@example.org"],
            "BURNBOX_ADMIN_PASSWORD",
        ),
        (
            &["--admin-password", "long enough password"],
            "BURNBOX_ADMIN_EMAIL",
        ),
    ];
    for (args, variable) in cases {
        let error = settings(args).validate().expect_err("invalid");
        assert_eq!(error.variable, variable, "{args:?}");
    }
    let bad_email = settings(&[
        "--admin-email",
        "root",
        "--admin-password",
        "long enough password",
    ]);
    assert_eq!(
        bad_email.validate().expect_err("invalid").variable,
        "BURNBOX_ADMIN_EMAIL"
    );
    let short = settings(&[
        "--admin-email",
        "root@example.org",
        "--admin-password",
        "short",
    ]);
    let error = short.validate().expect_err("too short");
    assert_eq!(error.variable, "BURNBOX_ADMIN_PASSWORD");
    assert!(
        !error.to_string().contains("short\""),
        "the password is not repeated"
    );
    let admin = settings(&[
        "--admin-email",
        "Root@Example.org",
        "--admin-password",
        "long enough password",
    ]);
    let (email, _) = admin.admin().expect("valid").expect("configured");
    assert_eq!(email.as_str(), "root@example.org");
    assert_eq!(settings(&["--smtp-url", ""]).smtp_url(), None);
}

#[test]
fn sentinels_come_with_a_master_name_and_take_credentials_from_the_url() {
    let sentinel = settings(&[
        "--redis-sentinels",
        "127.0.0.1:26379, sentinel-b:26379,",
        "--redis-sentinel-master",
        "burnbox",
        "--redis-url",
        "redis://burnbox:pw@ignored/2",
    ]);
    assert_eq!(
        sentinel.redis_topology().expect("valid"),
        Some(RedisTopology::Sentinel {
            sentinels: vec!["127.0.0.1:26379".into(), "sentinel-b:26379".into()],
            master: "burnbox".into(),
            url: Some("redis://burnbox:pw@ignored/2".into()),
        })
    );
    let shown = format!("{:?}", sentinel.redis_topology().expect("valid"));
    assert!(
        !shown.contains("pw") && shown.contains("burnbox"),
        "{shown}"
    );
    for (args, variable) in [
        (
            &["--redis-sentinels", "a:1"][..],
            "BURNBOX_REDIS_SENTINEL_MASTER",
        ),
        (
            &["--redis-sentinel-master", "burnbox"][..],
            "BURNBOX_REDIS_SENTINELS",
        ),
        (
            &["--redis-sentinels", " , ", "--redis-sentinel-master", "m"][..],
            "BURNBOX_REDIS_SENTINELS",
        ),
        (
            &[
                "--redis-sentinels",
                "a:1",
                "--redis-sentinel-master",
                "m",
                "--redis-cluster-nodes",
                "redis://b:2",
            ][..],
            "BURNBOX_REDIS_SENTINELS",
        ),
    ] {
        let error = settings(args).redis_topology().expect_err("refused");
        assert_eq!(error.variable, variable, "{args:?}");
    }
    assert!(!settings(&[]).acks().fsync);
    for (value, fsync) in [("true", true), ("1", true), ("no", false)] {
        assert_eq!(settings(&["--ack-fsync", value]).acks().fsync, fsync);
    }
}

#[test]
fn cluster_nodes_are_a_list_and_exclude_a_single_url() {
    let nodes = settings(&["--redis-cluster-nodes", " redis://a:1, redis://b:2 ,"]);
    assert_eq!(
        nodes.redis_topology().expect("valid"),
        Some(RedisTopology::Cluster(vec![
            "redis://a:1".to_owned(),
            "redis://b:2".to_owned()
        ]))
    );
    let both = settings(&[
        "--redis-cluster-nodes",
        "redis://a:1",
        "--redis-url",
        "redis://c:3",
    ]);
    let error = both.validate().expect_err("both is ambiguous");
    assert_eq!(error.variable, "BURNBOX_REDIS_CLUSTER_NODES");
    let empty = settings(&["--redis-cluster-nodes", " , "]);
    assert!(empty.redis_topology().is_err());
    assert_eq!(
        settings(&["--redis-cluster-nodes", ""])
            .redis_topology()
            .expect("unset"),
        None
    );
    assert_eq!(
        settings(&["--redis-url", "redis://c:3"])
            .redis_topology()
            .expect("valid"),
        Some(RedisTopology::Single("redis://c:3".to_owned()))
    );
}

#[test]
fn an_empty_redis_url_means_the_memory_store() {
    assert_eq!(settings(&["--redis-url", ""]).redis_url(), None);
    assert_eq!(
        settings(&["--redis-url", "redis://h:1"]).redis_url(),
        Some("redis://h:1")
    );
}

#[test]
fn zero_workers_means_one_per_core() {
    let defaults = settings(&[]);
    assert!(defaults.http_workers() >= 1);
    assert!(defaults.argon2_workers() >= 1);
    assert_eq!(settings(&["--workers", "3"]).http_workers(), 3);
}

#[test]
fn topologies_do_not_print_their_urls() {
    let single = RedisTopology::Single("redis://user:pw@host:1".into());
    let cluster = RedisTopology::Cluster(vec!["redis://u:pw@a:1".into()]);
    for shown in [format!("{single:?}"), format!("{cluster:?}")] {
        assert!(!shown.contains("pw"), "{shown}");
    }
}
