//! burnbox: an HTTP service for things that must be read exactly once.
//!
//! Three promises carry every line here:
//! 1. **Exactly once**: one atomic Redis operation decides who gets a secret.
//! 2. **Nothing readable at rest**: Redis holds only ciphertext under one-way key names;
//!    the keys that open a secret live only in the links handed to clients.
//! 3. **Gone on time**: expiry is Redis' own `SET … PX`, never a sweeper.
//!
//! The layers, from the edge inwards, imports only running down (`scripts/module-graph`
//! checks): [`http`] (routes, middleware, pages; the only code that knows actix, and the
//! only place status codes are chosen) → the services, one module per capability
//! ([`secrets`], [`files`], [`tokens`], [`requests`], [`codes`], [`accounts`], …; they return
//! [`error::ApiError`], which knows no HTTP) → [`store`] (the only module that knows Redis)
//! → [`domain`], [`crypto`] and [`config`] (plain types, sealing and hashing, settings;
//! knowing neither HTTP nor Redis). Values are validated once into [`domain`] types.
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

pub mod accounts;
pub mod cli;
pub mod codes;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod error;
pub mod files;
pub mod healthcheck;
pub mod http;
pub mod kdf_pool;
pub mod mail;
pub mod metrics;
pub mod network;
pub mod outbox;
pub mod rate_limit;
pub mod requests;
pub mod secrets;
pub mod startup;
pub mod store;
pub mod tokens;

// Compatibility re-exports: these modules moved into `http` and `crypto`; their old paths
// (`burnbox::openapi::document_json`, …) still name them for code written against them.
// Two more live beside the code: `rate_limit` re-exports the model now in
// `domain::limits` (`burnbox::rate_limit::{Limit, CLIENT_ID_BYTES, …}`), and `store::redis`
// re-exports `config::{RedisTopology, AckReplicas}`. New code uses the new paths.
pub use crypto::{e2e, sealed_box};
pub use http::{access, access_log, auth, extract, middleware, openapi, pages, routes};
