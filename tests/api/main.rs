//! burnbox's integration tests: the real app over a real `redis-server` (and the memory
//! store, where the same behaviour is promised). They read like the README's curl flow.

mod abuse;
mod accounts;
mod at_rest;
mod browser;
mod chaos;
mod cli;
mod cli_files;
mod cluster;
mod codes;
mod contract;
mod docs;
mod errors;
mod files;
mod helpers;
mod metrics;
mod once;
mod operations;
mod pages;
mod proxy;
mod pwpush;
mod readme;
mod receipts;
mod redis_outage;
mod redis_setup;
mod redis_work;
mod replication;
mod requests;
mod secrets;
mod sentinel;
mod shutdown;
mod smtp;
mod store_contract;
mod tokens;
mod v1;
