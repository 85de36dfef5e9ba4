//! nginx in front of a test app (plain or TLS), and the certificates for it.

use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{free_port, hex};

/// A CA and a certificate for 127.0.0.1 signed by it, as PEM files in a fresh directory.
pub struct Certificates {
    dir: std::path::PathBuf,
}

impl Certificates {
    pub fn new() -> Self {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
        let dir = std::env::temp_dir().join(format!(
            "burnbox-tls-{}",
            burnbox::domain::ClientKey::generate([0, 0]).encode()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let ca_key = KeyPair::generate().expect("ca key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("ca params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = ca_params.self_signed(&ca_key).expect("ca");
        let issuer = Issuer::new(ca_params, ca_key);
        let server_key = KeyPair::generate().expect("server key");
        let server = CertificateParams::new(vec!["127.0.0.1".to_owned()])
            .expect("server params")
            .signed_by(&server_key, &issuer)
            .expect("server certificate");
        std::fs::write(dir.join("ca.pem"), ca.pem()).expect("write");
        std::fs::write(dir.join("server.pem"), server.pem()).expect("write");
        std::fs::write(dir.join("server.key"), server_key.serialize_pem()).expect("write");
        Self { dir }
    }

    pub fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

impl Drop for Certificates {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
/// An nginx in front of an app, configured as docs/operations.md's "Behind a reverse
/// proxy" shows (`X-Forwarded-For $proxy_add_x_forwarded_for`). Stopped on drop.
pub struct Nginx {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
    scheme: &'static str,
}

impl Nginx {
    /// Starts nginx on a free loopback port, proxying to `upstream` (`http://127.0.0.1:…`),
    /// and waits until it accepts connections.
    pub fn start(upstream: &str) -> Self {
        Self::start_with(upstream, "")
    }

    /// Like [`Self::start`], serving HTTPS with `certificates`' server certificate.
    pub fn start_tls(upstream: &str, certificates: &Certificates) -> Self {
        let tls = format!(
            "ssl_certificate {};\n        ssl_certificate_key {};",
            certificates.path("server.pem"),
            certificates.path("server.key")
        );
        let mut nginx = Self::start_with(upstream, &tls);
        nginx.scheme = "https";
        nginx
    }

    fn start_with(upstream: &str, tls: &str) -> Self {
        let port = free_port();
        let ssl = if tls.is_empty() { "" } else { " ssl" };
        let dir = std::env::temp_dir().join(format!(
            "burnbox-nginx-{}-{}",
            std::process::id(),
            hex(&burnbox::crypto::random_array::<4>())
        ));
        std::fs::create_dir_all(&dir).expect("nginx dir");
        let path = |name: &str| dir.join(name).display().to_string();
        // Running as root, nginx would hand its workers to `nobody`, who may not write here.
        // SAFETY: geteuid has no preconditions.
        let user = if unsafe { libc::geteuid() } == 0 {
            "user root;"
        } else {
            ""
        };
        let config = format!(
            "{user}
worker_processes 1;
daemon off;
pid {pid};
error_log {log} warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {body};
    proxy_temp_path {proxy};
    fastcgi_temp_path {fastcgi};
    uwsgi_temp_path {uwsgi};
    scgi_temp_path {scgi};
    server {{
        listen 127.0.0.1:{port}{ssl};
        {tls}
        location / {{
            proxy_pass {upstream};
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            client_max_body_size 32m;
        }}
    }}
}}
",
            pid = path("nginx.pid"),
            log = path("error.log"),
            body = path("body"),
            proxy = path("proxy"),
            fastcgi = path("fastcgi"),
            uwsgi = path("uwsgi"),
            scgi = path("scgi"),
        );
        std::fs::write(dir.join("nginx.conf"), config).expect("nginx.conf");
        let binary = ["/usr/sbin/nginx", "nginx"]
            .into_iter()
            .find(|candidate| std::path::Path::new(candidate).exists())
            .unwrap_or("nginx");
        let mut command = Command::new(binary);
        command
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        // SAFETY: prctl is async-signal-safe; nginx dies with the test binary.
        unsafe {
            use std::os::unix::process::CommandExt;
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let child = command
            .spawn()
            .expect("nginx must be installed for the proxy tests (apt-get install nginx-light)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nginx did not listen within 10 s: {}",
                std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Self {
            child,
            port,
            dir,
            scheme: "http",
        }
    }

    /// `http://127.0.0.1:<port>` (or `https://`).
    pub fn address(&self) -> String {
        format!("{}://127.0.0.1:{}", self.scheme, self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
