//! [`Application`]: binds the listener, opens the store, builds the app. `main` and the
//! integration tests start the service through the same code (tests bind port 0).

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::http::header;
use actix_web::middleware::{DefaultHeaders, ErrorHandlers, from_fn};
use actix_web::{App, HttpServer, web};
use utoipa_swagger_ui::SwaggerUi;

use crate::accounts::{AccountPolicy, AccountService};
use crate::codes::{CodePolicy, CodeService};
use crate::config::{ConfigError, ServerKey, Settings, config_error};
use crate::domain::{Email, Password};
use crate::http::access::TokenAccessPolicy;
use crate::http::access_log::access_log;
use crate::http::error::{path_error, query_error};
use crate::http::extract::BodyLimit;
use crate::http::middleware::json_error_shape;
use crate::http::pages::Links;
use crate::http::routes;
use crate::kdf_pool::KdfPool;
use crate::mail::Mailer;
use crate::outbox::Outbox;
use crate::rate_limit::{Leases, RateLimiter};
use crate::secrets::{SecretPolicy, SecretService};
use crate::store::redis::RedisOptions;
use crate::store::{MemoryStore, RedisStore, Store, StoreError};
use crate::tokens::{TokenPolicy, TokenService};

/// JSON escapes can take up to six bytes per byte of secret (`\u00e9`); allow for the
/// worst case plus the envelope, so that every secret within the limit can be sent.
const JSON_EXPANSION: usize = 6;
const JSON_ENVELOPE_BYTES: usize = 16 * 1024;

/// Why the service could not start; each message names the setting at fault.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// A setting is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The address could not be bound.
    #[error("BURNBOX_BIND: cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The Redis URL or cluster nodes are unusable.
    #[error("BURNBOX_REDIS_URL / BURNBOX_REDIS_CLUSTER_NODES: {0}")]
    Redis(StoreError),
    /// Redis answers but cannot run burnbox.
    #[error("{0}")]
    UnsupportedRedis(String),
    /// The mail settings are unusable.
    #[error("{0}")]
    Mail(String),
    /// The HTTP server could not be set up.
    #[error("cannot start the HTTP server: {0}")]
    Server(#[from] std::io::Error),
}

/// A built, not yet running, service.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Validates `settings`, binds `BURNBOX_BIND`, opens the store and builds the server.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        settings.validate()?;
        let listener = TcpListener::bind(settings.bind).map_err(|source| StartupError::Bind {
            address: settings.bind,
            source,
        })?;
        let store = open_store(&settings).await?;
        Self::build_with(&settings, listener, store).await
    }

    /// Builds the server on an already bound listener and an opened store.
    pub async fn build_with(
        settings: &Settings,
        listener: TcpListener,
        store: Arc<dyn Store>,
    ) -> Result<Self, StartupError> {
        let port = listener.local_addr()?.port();
        let server_key = settings.server_key()?.unwrap_or_else(|| {
            log::warn!(
                "BURNBOX_SERVER_KEY is unset: using a random key for this process only. \
                 Set it in production (e.g. `openssl rand -base64 32`)."
            );
            ServerKey::generate()
        });
        if !settings.kdf_params().meets_owasp_minimum() {
            log::warn!(
                "BURNBOX_ARGON2_MEMORY_KIB / BURNBOX_ARGON2_ITERATIONS are below OWASP's minimum \
                 for Argon2id (19456 KiB with 2 iterations, or an equivalent pair): passphrases \
                 and passwords are cheaper to guess offline. Fine for tests, not for production."
            );
        }
        let kdf = KdfPool::new(settings.argon2_workers(), settings.argon2_queue);
        let mailer = Arc::new(
            Mailer::new(
                settings.smtp_url(),
                &settings.mail_from,
                settings.redis_timeout().max(Duration::from_secs(10)),
                settings.redis_topology()?.is_none(),
            )
            .map_err(StartupError::Mail)?,
        );
        let code_policy = CodePolicy {
            ttl_seconds: settings.code_ttl,
            attempts: settings.code_attempts,
            total_attempts: settings.code_attempts_total,
            ipv6_prefix: settings.rate_limit_ipv6_prefix,
            cooldown_seconds: settings.code_cooldown,
            purposes: (!settings.code_purposes.0.is_empty())
                .then(|| settings.code_purposes.0.clone().into()),
            reveal_retry_seconds: settings.reveal_retry_seconds,
        };
        let account_policy = AccountPolicy {
            session_ttl_seconds: settings.session_ttl,
            password_min_length: settings.password_min_length,
            kdf: settings.kdf_params(),
            receipt_grace_seconds: settings.receipt_grace,
            ttl_max_seconds: settings.ttl_max,
            receipts_kept: ACCOUNT_RECEIPTS_KEPT,
            audit_kept: settings.audit_max_entries,
            pending_ttl_seconds: settings.pending_account_ttl,
            login_failures: settings.login_failures_per_account,
            login_window_seconds: settings.login_lockout_seconds,
        };
        // Mail leaves through the queue; this process's drainer sends what is due.
        let outbox = Outbox::new(store.clone(), server_key.clone());
        tokio::spawn(outbox.clone().drain(mailer));
        // One recipe for the account services: the admin bootstrap's and each worker's.
        let account_service = {
            let (outbox, server_key, kdf) = (outbox.clone(), server_key.clone(), kdf.clone());
            move |store: Arc<dyn Store>| {
                let codes = CodeService::new(
                    store.clone(),
                    outbox.with_store(store.clone()),
                    server_key.clone(),
                    code_policy.clone(),
                );
                AccountService::new(
                    store,
                    kdf.clone(),
                    codes,
                    account_policy,
                    server_key.clone(),
                )
            }
        };
        if let Some((email, password)) = settings.admin()? {
            ensure_admin(account_service(store.clone()), email, password).await;
        }
        let secret_policy = SecretPolicy {
            ttl: settings.ttl_policy(),
            max_secret_bytes: settings.max_secret_bytes,
            passphrase_attempts: settings.passphrase_attempts,
            kdf: settings.kdf_params(),
            receipt_grace_seconds: settings.receipt_grace,
            reveal_retry_seconds: settings.reveal_retry_seconds,
            file_download_seconds: settings.file_download_seconds,
        };
        let file_policy = crate::files::FilePolicy {
            max_file_bytes: settings.max_file_bytes,
            download_seconds: settings.file_download_seconds,
        };
        let token_policy = TokenPolicy {
            ttl: settings.token_ttl_policy(),
            max_claims_bytes: settings.max_claims_bytes,
            reveal_retry_seconds: settings.reveal_retry_seconds,
        };
        let rate_policy = settings.rate_policy();
        let client_ip_policy = settings.client_ip_policy();
        let token_access = TokenAccessPolicy {
            trusted_networks: settings.trusted_networks.clone(),
        };
        let cors_origins = Arc::new(settings.cors_origins.0.clone());
        if let Some(url) = &settings.public_url
            && url.is_plain_http_elsewhere()
        {
            log::warn!(
                "BURNBOX_PUBLIC_URL is plain http on a host other than this one: links would \
                 open pages anyone on the way can rewrite (and browsers refuse to encrypt \
                 there). Serve burnbox over https."
            );
        }
        let links = web::Data::new(Links::new(settings.public_url.clone()));
        // The pages' catalogues load now: a broken one stops the start, not a request.
        crate::http::pages::i18n::catalogues();
        let json_limit = settings.max_secret_bytes * JSON_EXPANSION + JSON_ENVELOPE_BYTES;
        let openapi = crate::http::openapi::document(settings);
        let leases = Arc::new(Leases::default());
        // Runs once on each worker thread: the services get that worker's store handle.
        let server = HttpServer::new(move || {
            let store = store.clone().for_this_worker();
            let service = web::Data::new(SecretService::new(
                store.clone(),
                kdf.clone(),
                secret_policy,
            ));
            let files = web::Data::new(crate::files::FileService::new(
                store.clone(),
                (**service).clone(),
                server_key.clone(),
                file_policy,
            ));
            let requests = web::Data::new(crate::requests::RequestService::new(
                store.clone(),
                (**service).clone(),
            ));
            let tokens = web::Data::new(TokenService::new(store.clone(), token_policy));
            let accounts = account_service(store.clone());
            let codes = web::Data::new(accounts.codes().clone());
            let accounts = web::Data::new(accounts);
            let limiter = web::Data::new(RateLimiter::new(
                store.clone(),
                rate_policy,
                server_key.clone(),
                leases.clone(),
            ));
            let store = web::Data::from(store);
            App::new()
                .wrap(cors(cors_origins.clone()))
                .wrap(ErrorHandlers::new().default_handler(json_error_shape))
                .wrap(security_headers())
                .wrap(from_fn(access_log))
                .app_data(service)
                .app_data(files)
                .app_data(requests)
                .app_data(tokens)
                .app_data(accounts)
                .app_data(codes)
                .app_data(client_ip_policy.clone())
                .app_data(token_access.clone())
                .app_data(store)
                .app_data(limiter)
                .app_data(links.clone())
                .app_data(web::PathConfig::default().error_handler(path_error))
                .app_data(web::QueryConfig::default().error_handler(query_error))
                .app_data(BodyLimit(json_limit))
                .configure(routes::configure)
                .service(web::redirect("/docs", "/docs/"))
                .service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", openapi.clone()))
                .default_service(web::to(routes::not_found))
        })
        // Without it a response's last short write waits for the client's delayed ACK
        // (40 ms on Linux) on a kept-alive connection: a file's download, or any answer
        // written in two pieces.
        .on_connect(|connection, _| {
            if let Some(stream) = connection.downcast_ref::<actix_web::rt::net::TcpStream>()
                && let Err(error) = stream.set_nodelay(true)
            {
                log::debug!("TCP_NODELAY not set: {error}");
            }
        })
        .workers(settings.http_workers())
        .client_request_timeout(Duration::from_millis(settings.client_timeout_ms))
        .client_disconnect_timeout(Duration::from_secs(1))
        .keep_alive(Duration::from_secs(settings.keep_alive_secs))
        .max_connections(settings.max_connections)
        // SIGTERM/SIGINT: stop accepting, let requests in flight finish within this bound.
        .shutdown_timeout(settings.shutdown_timeout().as_secs())
        .listen(listener)?
        .run();
        Ok(Self { port, server })
    }

    /// The port the server listens on (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the server is stopped (SIGINT/SIGTERM stop it gracefully).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Receipts kept on an account's list (the newest).
const ACCOUNT_RECEIPTS_KEPT: usize = 1000;

/// Makes sure the configured admin exists. Redis may not answer yet (any start order):
/// then it is retried in the background until it does.
async fn ensure_admin(service: AccountService, email: Email, password: Password) {
    match service.ensure_admin(email.clone(), &password).await {
        Ok(()) => log::info!("admin account {} is ready", email.as_str()),
        Err(error) => {
            log::warn!("cannot ensure the admin account yet ({error}); retrying in the background");
            actix_web::rt::spawn(async move {
                loop {
                    actix_web::rt::time::sleep(Duration::from_secs(2)).await;
                    if service.ensure_admin(email.clone(), &password).await.is_ok() {
                        log::info!("admin account {} is ready", email.as_str());
                        return;
                    }
                }
            });
        }
    }
}

/// Headers every response carries: no MIME sniffing, no referrer, no framing.
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Content-Security-Policy", "frame-ancestors 'none'"))
}

/// Cross-origin access for the configured origins only (actix-cors does the protocol).
/// Same-origin requests, which browsers also tag with `Origin` (Swagger UI's POSTs), pass.
fn cors(origins: Arc<Vec<String>>) -> Cors {
    Cors::default()
        .allowed_origin_fn(move |origin, request| {
            origins
                .iter()
                .any(|allowed| allowed.as_bytes() == origin.as_bytes())
                || same_origin(origin.as_bytes(), request.headers.get(header::HOST))
        })
        .allowed_methods(["GET", "POST", "PATCH", "DELETE"])
        .allowed_headers([
            header::CONTENT_TYPE,
            header::AUTHORIZATION,
            header::HeaderName::from_static(crate::http::extract::IDEMPOTENCY_KEY),
            header::HeaderName::from_static(crate::http::extract::REVEAL_PROOF),
        ])
        .expose_headers([
            "ratelimit-limit",
            "ratelimit-remaining",
            "ratelimit-reset",
            "retry-after",
        ])
        .max_age(3600)
}

fn same_origin(origin: &[u8], host: Option<&header::HeaderValue>) -> bool {
    let Some(host) = host else { return false };
    [&b"http://"[..], b"https://"]
        .iter()
        .any(|scheme| origin.strip_prefix(*scheme) == Some(host.as_bytes()))
}

/// Opens the configured store. A Redis that answers is checked (version ≥ 6.2, `GETDEL`,
/// eviction policy) and refused if unfit; one that does not answer yet is not waited for:
/// the service starts and `/ready` says 503 until Redis answers and passes the check.
pub async fn open_store(settings: &Settings) -> Result<Arc<dyn Store>, StartupError> {
    let Some(topology) = settings.redis_topology()? else {
        log::warn!(
            "BURNBOX_REDIS_URL is unset: using the in-memory store. Its data is lost on \
             restart and is not shared between instances; use it for development only."
        );
        return Ok(Arc::new(MemoryStore::new(settings.receipt_grace())));
    };
    let ca_pem = match &settings.redis_ca_file {
        Some(path) => Some(std::fs::read(path).map_err(|error| {
            config_error(
                "BURNBOX_REDIS_CA_FILE",
                format!("cannot read {}: {error}", path.display()),
            )
        })?),
        None => None,
    };
    // rustls (for `rediss://`) needs a process-wide crypto provider; a second call in the
    // same process (tests) finds it installed, which is fine.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let acks = settings.acks();
    let store = RedisStore::connect(
        &topology,
        RedisOptions {
            key_prefix: settings.key_prefix.clone(),
            receipt_grace: settings.receipt_grace(),
            timeout: settings.redis_timeout(),
            ca_pem,
            ack_replicas: acks.replicas,
            ack_timeout: Duration::from_millis(acks.timeout_ms),
            ack_fsync: acks.fsync,
        },
    )
    .map_err(StartupError::Redis)?;
    match store.check_fit().await {
        Ok(()) => {}
        Err(StoreError::Unsupported(reason)) => return Err(StartupError::UnsupportedRedis(reason)),
        Err(error) => log::warn!(
            "Redis does not answer yet ({error}): serving anyway; /ready answers 503 until it does"
        ),
    }
    store.watch_expiries();
    Ok(Arc::new(store))
}
