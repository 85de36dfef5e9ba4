//! What the integration tests start, one module per kind of thing: the app ([`app`]), Redis
//! ([`redis`], [`cluster`], [`sentinel`]), nginx ([`nginx`]), Python virtualenvs
//! ([`python`]), npm packages ([`npm`]), a proxy that loses reveals' answers ([`lossy`]),
//! a TCP proxy that records what clients send ([`recording`]), and the log capture
//! ([`logs`]). Everything is re-exported here, so tests name `crate::helpers::X`.
//!
//! One throwaway `redis-server` serves the whole test binary (`--save "" --appendonly no`
//! on a free port), unless `BURNBOX_TEST_REDIS_URL` names one. Each test app gets its own
//! key prefix, so tests never see each other's keys.

use std::net::TcpListener;

mod app;
mod cluster;
mod logs;
mod lossy;
mod nginx;
mod npm;
mod python;
mod recording;
mod redis;
mod sentinel;

pub use app::*;
pub use cluster::*;
pub use logs::*;
pub use lossy::*;
pub use nginx::*;
pub use npm::*;
pub use python::*;
pub use recording::*;
pub use redis::*;
pub use sentinel::*;

/// Which store a test app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Redis,
    Memory,
}

/// Runs the async scenario `fn $name(Backend)` against both backends, as the tests
/// `$name::redis` and `$name::memory`.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn redis() {
                super::$name($crate::helpers::Backend::Redis).await;
            }
            #[tokio::test]
            async fn memory() {
                super::$name($crate::helpers::Backend::Memory).await;
            }
        }
    };
}

/// A port nobody listens on yet.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// reqwest comes without a TLS crypto provider (the CLI installs ring, as the server
/// uses): the tests' clients get the same.
pub fn tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Lower-case hex of `bytes` (fresh names for prefixes and directories).
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
