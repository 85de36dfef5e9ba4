//! Files, over plain HTTP as curl drives them: start an upload, `PUT` the chunks in order,
//! finish; the reader's reveal is the same one atomic take as for text, and its answer
//! names a download that streams the content back.

use std::time::Duration;

use burnbox::e2e::{self, E2eKey};
use serde_json::{Value, json};

use crate::helpers::{
    Backend, Reply, SHARED_CLUSTER, TestApp, spawn_app, spawn_app_with, spawn_cluster_apps,
};

const MIB: usize = 1024 * 1024;
/// The largest chunk the server takes (1 MiB − 64).
const CHUNK: usize = 1_048_512;

/// Bytes that look random and hold every byte value.
fn content(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    (0..len)
        .map(|index| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) as u8) ^ (index as u8)
        })
        .collect()
}

async fn put_chunk(app: &TestApp, upload: &str, index: usize, body: &[u8]) -> Reply {
    let response = app
        .client
        .put(app.url(&format!("/api/files/uploads/{upload}/chunks/{index}")))
        .header("content-type", "application/octet-stream")
        .body(body.to_vec())
        .send()
        .await
        .expect("request");
    Reply::from_response(response).await
}

/// Starts an upload of `bytes` declared bytes with `options`; returns the upload key.
async fn start(app: &TestApp, bytes: usize, options: Value) -> String {
    let mut body = json!({"bytes": bytes});
    body.as_object_mut()
        .expect("object")
        .extend(options.as_object().expect("object").clone());
    let reply = app.post("/api/files", body).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.header("cache-control"), "no-store");
    reply.field("upload")
}

/// Uploads `file` in the largest chunks and finishes; returns the finish's answer.
async fn upload(app: &TestApp, file: &[u8], options: Value) -> Value {
    let upload = start(app, file.len(), options).await;
    for (index, chunk) in file.chunks(CHUNK).enumerate() {
        let reply = put_chunk(app, &upload, index, chunk).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let finished = app
        .post_empty(&format!("/api/files/uploads/{upload}/finish"))
        .await;
    assert_eq!(finished.status, 201, "{}", finished.body);
    finished.body
}

/// `POST /api/secrets/{key}/reveal` from a client that downloads files.
async fn reveal(app: &TestApp, key: &str, passphrase: Option<&str>) -> Reply {
    let mut request = app
        .client
        .post(app.url(&format!("/api/secrets/{key}/reveal")))
        .header("burnbox-accept-files", "1");
    if let Some(passphrase) = passphrase {
        request = request.json(&json!({ "passphrase": passphrase }));
    }
    Reply::from_response(request.send().await.expect("request")).await
}

/// Downloads what a reveal's `file.download` names.
async fn download(app: &TestApp, revealed: &Value) -> reqwest::Response {
    let url = revealed["file"]["download"].as_str().expect("a download");
    app.client.get(app.url(url)).send().await.expect("request")
}

async fn keys(app: &TestApp, kind: &str) -> Vec<String> {
    let mut redis = app.redis().await;
    redis::cmd("KEYS")
        .arg(format!("{}*}}{kind}:*", app.key_prefix))
        .query_async(&mut redis)
        .await
        .expect("KEYS")
}

#[tokio::test]
async fn a_file_goes_up_in_chunks_and_comes_down_once() {
    for backend in [Backend::Memory, Backend::Redis] {
        let app = spawn_app(backend).await;
        let file = content(5 * MIB / 2, 1);
        let finished = upload(
            &app,
            &file,
            json!({"name": "report 2026.pdf", "type": "application/pdf"}),
        )
        .await;
        assert_eq!(finished["file"]["bytes"], file.len());
        let key = finished["secret_key"].as_str().expect("key");
        let status = app.get(&format!("/api/secrets/{key}")).await;
        assert_eq!(status.body["file"], true, "{}", status.body);

        let revealed = reveal(&app, key, None).await;
        assert_eq!(revealed.status, 200, "{}", revealed.body);
        assert_eq!(revealed.body["secret"], "");
        assert_eq!(revealed.body["file"]["name"], "report 2026.pdf");
        assert_eq!(revealed.body["file"]["type"], "application/pdf");
        assert_eq!(revealed.body["file"]["bytes"], file.len());
        let response = download(&app, &revealed.body).await;
        assert_eq!(response.status(), 200);
        let header = |name| response.headers()[name].to_str().expect("ascii").to_owned();
        assert_eq!(header("cache-control"), "no-store");
        assert_eq!(header("content-length"), file.len().to_string());
        assert!(header("content-disposition").contains("filename=\"report 2026.pdf\""));
        assert_eq!(response.bytes().await.expect("body"), file, "{backend:?}");

        // Once: the next reader finds nothing; the winner may download again meanwhile.
        reveal(&app, key, None).await.assert_error(404, "not_found");
        let again = download(&app, &revealed.body).await;
        assert_eq!(again.bytes().await.expect("body"), file);
        let receipt = finished["receipt_key"].as_str().expect("receipt");
        assert_eq!(app.receipt_state(receipt).await, "revealed");
    }
}

#[tokio::test]
async fn chunks_go_in_order_and_nothing_half_uploaded_is_created() {
    for backend in [Backend::Memory, Backend::Redis] {
        let app = spawn_app(backend).await;
        let file = content(2 * MIB + 10, 2);
        let upload = start(&app, file.len(), json!({"name": "a.bin"})).await;
        let finish = format!("/api/files/uploads/{upload}/finish");

        put_chunk(&app, &upload, 1, &file[CHUNK..2 * CHUNK])
            .await
            .assert_error(409, "chunk_out_of_order");
        // Every chunk but the last carries 64 KiB at least.
        put_chunk(&app, &upload, 0, &file[..10])
            .await
            .assert_error(409, "chunk_too_small");
        let first = put_chunk(&app, &upload, 0, &file[..70_000]).await;
        assert_eq!(
            (first.body["chunks"].clone(), first.body["bytes"].clone()),
            (json!(1), json!(70_000))
        );
        // A retry of the last chunk replaces it.
        let retried = put_chunk(&app, &upload, 0, &file[..CHUNK]).await;
        assert_eq!(retried.body["bytes"], CHUNK, "{}", retried.body);
        let reply = app.post_empty(&finish).await;
        reply.assert_error(409, "upload_incomplete");
        assert!(reply.field("message").contains(&format!("{CHUNK} of the")));
        put_chunk(&app, &upload, 2, &file[..5])
            .await
            .assert_error(409, "chunk_out_of_order");
        put_chunk(&app, &upload, 1, &file[CHUNK..2 * CHUNK + 1])
            .await
            .assert_error(413, "payload_too_large");
        put_chunk(&app, &upload, 1, &file[CHUNK..2 * CHUNK]).await;
        let rest = file.len() - 2 * CHUNK;
        put_chunk(&app, &upload, 2, &vec![0; rest + 1])
            .await
            .assert_error(409, "upload_exceeds_declared");
        put_chunk(&app, &upload, 2, &[])
            .await
            .assert_error(422, "empty_chunk");
        put_chunk(&app, &upload, 2, &file[2 * CHUNK..]).await;
        let finished = app.post_empty(&finish).await;
        assert_eq!(finished.status, 201, "{}", finished.body);
        // Finished: the upload key opens nothing any more.
        app.post_empty(&finish).await.assert_error(404, "not_found");
        put_chunk(&app, &upload, 3, b"late")
            .await
            .assert_error(404, "not_found");
        let key = finished.field("secret_key");
        let revealed = reveal(&app, &key, None).await;
        let body = download(&app, &revealed.body)
            .await
            .bytes()
            .await
            .expect("body");
        assert_eq!(body, file, "{backend:?}");

        for (path, code) in [
            ("/api/files/uploads/nope/finish", "not_found"),
            (
                "/api/files/uploads/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/finish",
                "not_found",
            ),
        ] {
            app.post_empty(path).await.assert_error(404, code);
        }
        put_chunk(&app, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 0, b"x")
            .await
            .assert_error(404, "not_found");
        put_chunk(&app, &upload, 99999, b"x")
            .await
            .assert_error(422, "invalid_chunk");
    }
}

#[tokio::test]
async fn what_a_file_declares_is_checked_before_anything_is_stored() {
    let app = spawn_app_with(Backend::Memory, &["--max-file-bytes", "1000000"]).await;
    for (body, status, code) in [
        (json!({}), 422, "invalid_file"),
        (json!({"bytes": 0}), 422, "invalid_file"),
        (json!({"bytes": -5}), 422, "invalid_file"),
        (json!({"bytes": 2_000_000}), 413, "file_too_large"),
        (
            json!({"bytes": 10, "name": "../etc/passwd"}),
            422,
            "invalid_file",
        ),
        (json!({"bytes": 10, "name": "a\nb"}), 422, "invalid_file"),
        (json!({"bytes": 10, "type": "text"}), 422, "invalid_file"),
        (json!({"bytes": 10, "e2e": true}), 422, "invalid_file"),
        (json!({"bytes": 10, "secret": "plain"}), 422, "invalid_file"),
        (
            json!({"bytes": 10, "e2e": true, "secret": "plain"}),
            422,
            "invalid_e2e",
        ),
        (json!({"bytes": 10, "ttl": 5}), 422, "ttl_out_of_range"),
        (json!({"bytes": 10, "color": "red"}), 400, "bad_request"),
    ] {
        app.post("/api/files", body.clone())
            .await
            .assert_error(status, code);
    }
}

#[tokio::test]
async fn a_text_only_api_refuses_a_file_link_and_takes_nothing() {
    let app = spawn_app(Backend::Redis).await;
    let finished = upload(&app, b"a small file", json!({"name": "small.txt"})).await;
    let key = finished["secret_key"].as_str().expect("key");
    for _ in 0..2 {
        let reply = app.post(&format!("/api/v1/secret/{key}"), json!({})).await;
        assert_eq!(reply.status, 422, "{}", reply.body);
        // onetimesecret's error shape: a message, no code.
        assert!(
            reply.field("message").contains("is a file"),
            "{}",
            reply.body
        );
    }
    let revealed = reveal(&app, key, None).await;
    let body = download(&app, &revealed.body)
        .await
        .bytes()
        .await
        .expect("body");
    assert_eq!(&body[..], b"a small file");
}

#[tokio::test]
async fn an_end_to_end_file_opens_only_with_the_proof_of_its_link() {
    for backend in [Backend::Memory, Backend::Redis] {
        let app = spawn_app(backend).await;
        let link_key = E2eKey::generate();
        let envelope = e2e::seal(
            &link_key,
            r#"{"name":"n.txt","type":"text/plain","size":3}"#,
        );
        // The chunks are whatever the client made of them: the server keeps them as sent.
        let finished = upload(
            &app,
            b"0123456789abcdefxyz",
            json!({"secret": envelope, "e2e": true}),
        )
        .await;
        let key = finished["secret_key"].as_str().expect("key");
        reveal(&app, key, None)
            .await
            .assert_error(403, "reveal_proof_refused");
        let response = app
            .client
            .post(app.url(&format!("/api/secrets/{key}/reveal")))
            .header("burnbox-accept-files", "1")
            .header("burnbox-reveal-proof", link_key.reveal_proof().encode())
            .send()
            .await
            .expect("request");
        let revealed = Reply::from_response(response).await;
        assert_eq!(revealed.status, 200, "{}", revealed.body);
        assert_eq!(
            (revealed.field("secret"), revealed.body["e2e"].clone()),
            (envelope, json!(true))
        );
        assert_eq!(revealed.body["file"]["name"], Value::Null);
        let response = download(&app, &revealed.body).await;
        assert_eq!(response.headers()["content-disposition"], "attachment");
        assert_eq!(
            &response.bytes().await.expect("body")[..],
            b"0123456789abcdefxyz"
        );
    }
}

#[tokio::test]
async fn a_passphrase_protects_a_file_as_it_does_a_text() {
    let app = spawn_app(Backend::Redis).await;
    let finished = upload(&app, b"guarded", json!({"passphrase": "open sesame"})).await;
    let key = finished["secret_key"].as_str().expect("key");
    reveal(&app, key, None)
        .await
        .assert_error(403, "passphrase_required");
    reveal(&app, key, Some("wrong"))
        .await
        .assert_error(403, "wrong_passphrase");
    let revealed = reveal(&app, key, Some("open sesame")).await;
    let body = download(&app, &revealed.body)
        .await
        .bytes()
        .await
        .expect("body");
    assert_eq!(&body[..], b"guarded");
}

#[tokio::test]
async fn sixteen_readers_racing_for_a_file_one_gets_it() {
    let app = spawn_app_with(Backend::Redis, &["--rate-limit-reveal-per-minute", "0"]).await;
    let file = content(MIB + 1, 3);
    let finished = upload(&app, &file, json!({})).await;
    let key = finished["secret_key"].as_str().expect("key").to_owned();
    let racers: Vec<_> = (0..16)
        .map(|_| {
            let request = app
                .client
                .post(app.url(&format!("/api/secrets/{key}/reveal")))
                .header("burnbox-accept-files", "1");
            tokio::spawn(async move {
                Reply::from_response(request.send().await.expect("request")).await
            })
        })
        .collect();
    let mut winners = Vec::new();
    for racer in racers {
        let reply = racer.await.expect("racer");
        match reply.status {
            200 => winners.push(reply.body),
            404 => {}
            other => panic!("unexpected {other}: {}", reply.body),
        }
    }
    assert_eq!(winners.len(), 1);
    let body = download(&app, &winners[0])
        .await
        .bytes()
        .await
        .expect("body");
    assert_eq!(body, file);
}

#[tokio::test]
async fn on_the_cluster_too_one_reader_gets_a_file() {
    let apps = spawn_cluster_apps(
        &SHARED_CLUSTER.nodes(),
        2,
        &["--rate-limit-reveal-per-minute", "0"],
    )
    .await;
    let file = content(2 * MIB + 3, 4);
    let finished = upload(&apps[0], &file, json!({"name": "c.bin"})).await;
    let key = finished["secret_key"].as_str().expect("key").to_owned();
    let racers: Vec<_> = (0..16)
        .map(|index| {
            let app = &apps[index % 2];
            let request = app
                .client
                .post(app.url(&format!("/api/secrets/{key}/reveal")))
                .header("burnbox-accept-files", "1");
            tokio::spawn(async move {
                Reply::from_response(request.send().await.expect("request")).await
            })
        })
        .collect();
    let mut winners = Vec::new();
    for racer in racers {
        let reply = racer.await.expect("racer");
        if reply.status == 200 {
            winners.push(reply.body);
        } else {
            assert_eq!(reply.status, 404, "{}", reply.body);
        }
    }
    assert_eq!(winners.len(), 1);
    // Downloaded through the other instance: the ticket is the server key's, not the
    // instance's.
    let body = download(&apps[1], &winners[0])
        .await
        .bytes()
        .await
        .expect("body");
    assert_eq!(body, file);
}

#[tokio::test]
async fn no_chunk_outlives_its_file() {
    let app = spawn_app_with(
        Backend::Redis,
        &["--ttl-min", "1", "--file-download-seconds", "3"],
    )
    .await;
    // Abandoned: half uploaded, never finished.
    let abandoned = start(&app, 100, json!({"ttl": 3})).await;
    put_chunk(&app, &abandoned, 0, &content(100, 5)).await;
    // Revealed: downloadable for the window, then gone.
    let revealed_file = upload(&app, &content(105, 6), json!({})).await;
    let revealed = reveal(
        &app,
        revealed_file["secret_key"].as_str().expect("key"),
        None,
    )
    .await;
    // Burned by its owner: gone at once.
    let burned = upload(&app, &content(107, 7), json!({})).await;
    let receipt = burned["receipt_key"].as_str().expect("receipt");
    assert_eq!(
        app.post_empty(&format!("/api/receipts/{receipt}/burn"))
            .await
            .status,
        200
    );
    // Expired unread.
    upload(&app, &content(10, 8), json!({"ttl": 3})).await;
    assert_eq!(
        keys(&app, "f").await.len(),
        3,
        "abandoned, revealed, expiring"
    );
    assert_eq!(keys(&app, "u").await.len(), 1, "the abandoned upload");
    tokio::time::sleep(Duration::from_millis(3600)).await;
    assert_eq!(keys(&app, "f").await, Vec::<String>::new());
    assert_eq!(keys(&app, "u").await, Vec::<String>::new());
    assert_eq!(download(&app, &revealed.body).await.status(), 404);
}

#[tokio::test]
async fn a_chunk_changed_in_redis_never_reaches_the_reader() {
    let app = spawn_app(Backend::Redis).await;
    let file = content(2 * MIB, 9);
    let finished = upload(&app, &file, json!({})).await;
    let chunks = keys(&app, "f").await;
    assert_eq!(chunks.len(), 1);
    let mut redis = app.redis().await;
    let mut sealed: Vec<u8> = redis::cmd("HGET")
        .arg(&chunks[0])
        .arg("1")
        .query_async(&mut redis)
        .await
        .expect("HGET");
    sealed[100] ^= 1;
    let () = redis::cmd("HSET")
        .arg(&chunks[0])
        .arg("1")
        .arg(sealed)
        .query_async(&mut redis)
        .await
        .expect("HSET");
    let revealed = reveal(&app, finished["secret_key"].as_str().expect("key"), None).await;
    let response = download(&app, &revealed.body).await;
    assert_eq!(response.status(), 200);
    // The first chunk went out; the changed one ends the stream short of its length.
    let body = response.bytes().await;
    assert!(body.is_err() || body.is_ok_and(|body| body.len() < file.len()));
}

#[tokio::test]
async fn tickets_are_the_servers_and_expire() {
    let app = spawn_app(Backend::Memory).await;
    let finished = upload(&app, b"ticketed", json!({})).await;
    let revealed = reveal(&app, finished["secret_key"].as_str().expect("key"), None).await;
    let url = revealed.body["file"]["download"].as_str().expect("url");
    let mut forged = url.to_owned();
    let last = forged.pop().expect("a character");
    forged.push(if last == 'A' { 'B' } else { 'A' });
    for path in [forged.as_str(), "/api/files/AAAA", "/api/files/%20"] {
        app.get(path).await.assert_error(404, "not_found");
    }
    let other = spawn_app_with(
        Backend::Memory,
        &[
            "--server-key",
            "BAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
        ],
    )
    .await;
    other.get(url).await.assert_error(404, "not_found");
}

#[tokio::test]
async fn an_hourly_byte_budget_bounds_what_one_client_uploads() {
    let app = spawn_app_with(Backend::Redis, &["--file-bytes-per-hour", "3000000"]).await;
    start(&app, 2_000_000, json!({})).await;
    let reply = app.post("/api/files", json!({"bytes": 2_000_000})).await;
    reply.assert_error(429, "rate_limited");
    assert!(!reply.header("retry-after").is_empty());
}

#[tokio::test]
async fn a_file_goes_through_nginx_configured_as_the_docs_say() {
    let app = spawn_app(Backend::Redis).await;
    let nginx = crate::helpers::Nginx::start(&app.address);
    let proxied = TestApp {
        address: nginx.address(),
        client: app.client.clone(),
        key_prefix: app.key_prefix.clone(),
        redis_url: app.redis_url.clone(),
    };
    // Chunks of the largest size, as the pages send them (1 MiB − 128 and a tag).
    let file = content(5 * MIB / 2, 10);
    let upload_key = start(&proxied, file.len() + 48, json!({})).await;
    for (index, chunk) in file.chunks(CHUNK - 16).enumerate() {
        let mut body = chunk.to_vec();
        body.extend_from_slice(&[index as u8; 16]);
        let reply = put_chunk(&proxied, &upload_key, index, &body).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let finished = proxied
        .post_empty(&format!("/api/files/uploads/{upload_key}/finish"))
        .await;
    let revealed = reveal(&proxied, &finished.field("secret_key"), None).await;
    let body = download(&proxied, &revealed.body)
        .await
        .bytes()
        .await
        .expect("body");
    assert_eq!(body.len(), file.len() + 48);
    assert_eq!(&body[..CHUNK - 16], &file[..CHUNK - 16]);
}

#[tokio::test]
async fn an_upload_given_up_goes_at_once_and_a_finished_one_stays() {
    let app = spawn_app(Backend::Redis).await;
    let given_up = start(&app, 2 * CHUNK, json!({})).await;
    put_chunk(&app, &given_up, 0, &content(CHUNK, 11)).await;
    assert_eq!(keys(&app, "f").await.len(), 1);
    let path = format!("/api/files/uploads/{given_up}");
    assert_eq!(app.delete(&path).await.status, 204);
    assert_eq!(keys(&app, "f").await, Vec::<String>::new());
    assert_eq!(keys(&app, "u").await, Vec::<String>::new());
    app.delete(&path).await.assert_error(404, "not_found");

    let finished_upload = start(&app, 5, json!({})).await;
    put_chunk(&app, &finished_upload, 0, b"kept!").await;
    let finished = app
        .post_empty(&format!("/api/files/uploads/{finished_upload}/finish"))
        .await;
    app.delete(&format!("/api/files/uploads/{finished_upload}"))
        .await
        .assert_error(404, "not_found");
    let revealed = reveal(&app, &finished.field("secret_key"), None).await;
    let body = download(&app, &revealed.body)
        .await
        .bytes()
        .await
        .expect("body");
    assert_eq!(&body[..], b"kept!");
}
