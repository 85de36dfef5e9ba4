//! burnbox: an HTTP service for things that must be read exactly once.
//!
//! Three promises carry every line here:
//! 1. **Exactly once**: one atomic Redis operation decides who gets a secret.
//! 2. **Nothing readable at rest**: Redis holds only ciphertext under one-way key names;
//!    the keys that open a secret live only in the links handed to clients.
//! 3. **Gone on time**: expiry is Redis' own `SET … PX`, never a sweeper.
//!
//! The layers, from the edge inwards: [`routes`] (HTTP, thin) → [`secrets`] and [`tokens`]
//! (the rules of their lives) → [`store`] (the only module that knows Redis) and [`crypto`] (sealing
//! and hashing, knowing neither HTTP nor Redis). Values are validated once into [`domain`]
//! types; [`error::ApiError`] is the one error type the API answers with.
#![warn(missing_docs, clippy::unwrap_used, clippy::expect_used)]

pub mod access;
pub mod access_log;
pub mod accounts;
pub mod auth;
pub mod cli;
pub mod codes;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod e2e;
pub mod error;
pub mod extract;
pub mod healthcheck;
pub mod kdf_pool;
pub mod mail;
pub mod metrics;
pub mod middleware;
pub mod network;
pub mod openapi;
pub mod outbox;
pub mod pages;
pub mod rate_limit;
pub mod requests;
pub mod routes;
pub mod sealed_box;
pub mod secrets;
pub mod startup;
pub mod store;
pub mod tokens;
