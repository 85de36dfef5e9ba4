//! The owner's receipt: states, and burning through it.

use serde_json::json;

use crate::helpers::{Backend, spawn_app};
use crate::on_both_backends;

async fn a_receipt_follows_its_secret_from_pending_to_revealed(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create_secret(json!({"secret": "s", "ttl": 600})).await;
    let path = format!("/api/receipts/{}", created.receipt_key);

    let pending = app.get(&path).await;
    assert_eq!(pending.status, 200);
    assert_eq!(pending.header("cache-control"), "no-store");
    assert_eq!(pending.body["state"], "pending");
    assert!(pending.body["revealed_at"].is_null());
    assert!(pending.field("created_at") < pending.field("expires_at"));

    app.reveal(&created.secret_key, None).await;
    let revealed = app.get(&path).await;
    assert_eq!(revealed.body["state"], "revealed");
    assert!(revealed.field("revealed_at") >= pending.field("created_at"));
    assert!(revealed.body["burned_at"].is_null());
}
on_both_backends!(a_receipt_follows_its_secret_from_pending_to_revealed);

async fn the_owner_can_burn_a_pending_secret(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create_secret(json!({"secret": "s"})).await;
    let burned = app
        .post_empty(&format!("/api/receipts/{}/burn", created.receipt_key))
        .await;
    assert_eq!(burned.status, 200);
    assert_eq!(burned.body["state"], "burned");
    assert!(burned.field("burned_at").ends_with('Z'));
    app.reveal(&created.secret_key, None)
        .await
        .assert_error(404, "not_found");
}
on_both_backends!(the_owner_can_burn_a_pending_secret);

async fn burning_after_a_reveal_reports_the_reveal(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create_secret(json!({"secret": "s"})).await;
    app.reveal(&created.secret_key, None).await;
    let reply = app
        .post_empty(&format!("/api/receipts/{}/burn", created.receipt_key))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["state"], "revealed");
    assert!(reply.body["burned_at"].is_null());
}
on_both_backends!(burning_after_a_reveal_reports_the_reveal);

async fn a_secret_key_is_not_a_receipt_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create_secret(json!({"secret": "s"})).await;
    app.get(&format!("/api/receipts/{}", created.secret_key))
        .await
        .assert_error(404, "not_found");
    app.post_empty(&format!("/api/receipts/{}/burn", created.secret_key))
        .await
        .assert_error(404, "not_found");
    app.reveal(&created.receipt_key, None)
        .await
        .assert_error(404, "not_found");
    assert_eq!(app.receipt_state(&created.receipt_key).await, "pending");
}
on_both_backends!(a_secret_key_is_not_a_receipt_key);
