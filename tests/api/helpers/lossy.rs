//! A proxy that loses answers: in front of a test app, it passes every request on, but
//! the answers to the next few reveals never reach the client. The app has taken the
//! secret by then; the client gets a 502, as when a connection drops or a proxy gives up
//! after the server answered — what a client's retry with its `Idempotency-Key` is for.

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};

use super::free_port;

/// What a reveal that went through the proxy carried, and what became of its answer.
#[derive(Debug, Clone)]
pub struct ProxiedReveal {
    pub idempotency_key: Option<String>,
    pub reveal_proof: Option<String>,
    /// The app's status (the client got a 502 instead when `lost`).
    pub status: u16,
    pub lost: bool,
}

/// The proxy, listening on `address`; stopped when dropped.
pub struct LossyProxy {
    pub address: String,
    reveals: Arc<Mutex<Vec<ProxiedReveal>>>,
    to_lose: Arc<AtomicUsize>,
    handle: ServerHandle,
}

/// Which requests' answers the proxy may lose: a method and a path.
pub type Losable = fn(&str, &str) -> bool;

struct Upstream {
    base: String,
    losable: Losable,
    client: reqwest::Client,
    /// How many reveals' answers are still to be lost.
    to_lose: Arc<AtomicUsize>,
    reveals: Arc<Mutex<Vec<ProxiedReveal>>>,
}

impl LossyProxy {
    /// A proxy to `upstream` (`http://127.0.0.1:…`) on a free port, losing the answers to
    /// the first `lose` reveals.
    pub fn start(upstream: &str, lose: usize) -> Self {
        Self::start_on(free_port(), upstream, lose)
    }

    /// Like [`Self::start`], losing the answers to the first `lose` requests that
    /// `losable` picks (by method and path) instead of reveals.
    pub fn start_losing(upstream: &str, lose: usize, losable: Losable) -> Self {
        Self::start_with(free_port(), upstream, lose, losable)
    }

    /// Like [`Self::start`], on `port` (for a client started before anything listened).
    pub fn start_on(port: u16, upstream: &str, lose: usize) -> Self {
        Self::start_with(port, upstream, lose, |method, path| {
            method == "POST" && path.ends_with("/reveal")
        })
    }

    fn start_with(port: u16, upstream: &str, lose: usize, losable: Losable) -> Self {
        let reveals = Arc::new(Mutex::new(Vec::new()));
        let to_lose = Arc::new(AtomicUsize::new(lose));
        let state = web::Data::new(Upstream {
            base: upstream.trim_end_matches('/').to_owned(),
            losable,
            client: reqwest::Client::new(),
            to_lose: to_lose.clone(),
            reveals: reveals.clone(),
        });
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("the proxy's port");
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                // Room for a file's chunks.
                .app_data(web::PayloadConfig::new(2 * 1024 * 1024))
                .default_service(web::to(forward))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("the proxy listens")
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            address: format!("http://127.0.0.1:{port}"),
            reveals,
            to_lose,
            handle,
        }
    }

    /// Loses the answers to the next `count` reveals (instead of what was left to lose).
    pub fn lose_next(&self, count: usize) {
        self.to_lose.store(count, Ordering::SeqCst);
    }

    /// Every reveal (or request `losable` picked) so far, in order.
    pub fn reveals(&self) -> Vec<ProxiedReveal> {
        self.reveals.lock().unwrap().clone()
    }
}

impl Drop for LossyProxy {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { handle.stop(false).await });
        }
    }
}

async fn forward(
    request: HttpRequest,
    body: web::Bytes,
    upstream: web::Data<Upstream>,
) -> HttpResponse {
    let method =
        reqwest::Method::from_bytes(request.method().as_str().as_bytes()).expect("a method");
    let losable = (upstream.losable)(method.as_str(), request.path());
    let mut forwarded = upstream
        .client
        .request(method, format!("{}{}", upstream.base, request.uri()))
        .body(body.to_vec());
    for (name, value) in request.headers() {
        if !matches!(name.as_str(), "host" | "connection" | "content-length") {
            forwarded = forwarded.header(name.as_str(), value.as_bytes());
        }
    }
    let answer = forwarded.send().await.expect("the app answers the proxy");
    let status = answer.status().as_u16();
    let headers: Vec<(String, Vec<u8>)> = answer
        .headers()
        .iter()
        .filter(|(name, _)| {
            !matches!(
                name.as_str(),
                "connection" | "content-length" | "transfer-encoding"
            )
        })
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect();
    let bytes = answer.bytes().await.expect("the app's answer");
    if losable {
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        let mut reveals = upstream.reveals.lock().unwrap();
        let lost = upstream
            .to_lose
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(1)
            })
            .is_ok();
        reveals.push(ProxiedReveal {
            idempotency_key: header("idempotency-key"),
            reveal_proof: header("burnbox-reveal-proof"),
            status,
            lost,
        });
        if lost {
            return HttpResponse::BadGateway()
                .content_type("application/json")
                .body(r#"{"error":"bad_gateway","message":"the upstream's answer was lost"}"#);
        }
    }
    let mut response = HttpResponse::build(StatusCode::from_u16(status).expect("a status"));
    for (name, value) in headers {
        response.append_header((name, value));
    }
    response.body(bytes)
}
