//! Graceful shutdown of the real binary: SIGTERM stops accepting, lets the request in
//! flight finish, and the process exits 0.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn sigterm_drains_the_request_in_flight_and_exits_zero() {
    let port = crate::helpers::free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut server = Command::new(env!("CARGO_BIN_EXE_burnbox"))
        .env_clear()
        .env("BURNBOX_BIND", &bind)
        .env("BURNBOX_WORKERS", "1")
        .env("BURNBOX_SHUTDOWN_TIMEOUT", "20")
        // A passphrase costly enough to be in flight when the signal comes.
        .env("BURNBOX_ARGON2_MEMORY_KIB", "32768")
        .env("BURNBOX_ARGON2_ITERATIONS", "2")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the burnbox binary runs");
    let stderr = server.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    // Wait until it listens.
    for line in lines.by_ref() {
        if line.expect("log line").contains("listening") {
            break;
        }
    }

    let body = r#"{"secret":"in flight","passphrase":"slow to stretch"}"#;
    let mut in_flight = TcpStream::connect(&bind).expect("connects");
    write!(
        in_flight,
        "POST /api/secrets HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("request sent");
    // Wait until the server is hashing it (on a busy machine it may still sit in the
    // accept queue, which a stopping server rightly drops).
    let deadline = Instant::now() + Duration::from_secs(10);
    while !metrics(&bind).contains("burnbox_argon2_queue_depth 1") {
        assert!(
            Instant::now() < deadline,
            "the request never reached Argon2"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // Still hashing: nothing answered yet, so the drain below is what lets it finish.
    in_flight.set_nonblocking(true).expect("non-blocking");
    let mut peeked = [0u8; 1];
    assert_eq!(
        in_flight.peek(&mut peeked).map_err(|error| error.kind()),
        Err(std::io::ErrorKind::WouldBlock),
        "the request finished before the signal; make it costlier"
    );
    in_flight.set_nonblocking(false).expect("blocking");
    let signalled = Instant::now();
    // SAFETY: sends SIGTERM to the child we spawned.
    assert_eq!(unsafe { libc::kill(server.id() as i32, libc::SIGTERM) }, 0);

    // New connections are refused once the listener is closed.
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(&bind).is_ok() {
        assert!(Instant::now() < deadline, "still accepting after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }

    let mut answer = String::new();
    in_flight
        .read_to_string(&mut answer)
        .expect("the answer arrives");
    assert!(
        answer.starts_with("HTTP/1.1 201"),
        "in-flight request: {answer}"
    );

    let status = server.wait().expect("exits");
    assert!(status.success(), "exit status {status}");
    assert!(signalled.elapsed() < Duration::from_secs(20));
    drop(lines);
}

fn metrics(bind: &str) -> String {
    let Ok(mut stream) = TcpStream::connect(bind) else {
        return String::new();
    };
    let _ = stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    text
}
