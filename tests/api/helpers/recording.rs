//! A TCP proxy that records what clients send: in front of a test app, it passes the bytes
//! of every connection both ways untouched, and keeps each byte a client sent, so a test
//! can search everything that reached the server (as the server, or anyone on the wire,
//! saw it).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// What one connection's client sent.
type Recording = Arc<Mutex<Vec<u8>>>;

/// The proxy, listening on `address`; stops accepting when dropped.
pub struct RecordingProxy {
    pub address: String,
    /// What the clients sent, one buffer per connection (searched apart, so that bytes of
    /// two connections never mix).
    sent: Arc<Mutex<Vec<Recording>>>,
    stopped: Arc<AtomicBool>,
}

impl RecordingProxy {
    /// A proxy to `upstream` (`http://127.0.0.1:…`) on a free port.
    pub fn start(upstream: &str) -> Self {
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").expect("the proxy's port");
        let address = format!("http://{}", listener.local_addr().expect("an address"));
        let sent = Arc::new(Mutex::new(Vec::new()));
        let stopped = Arc::new(AtomicBool::new(false));
        let (record, stop) = (sent.clone(), stopped.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let buffer = Arc::new(Mutex::new(Vec::new()));
                record.lock().unwrap().push(buffer.clone());
                pipe(client, server, buffer);
            }
        });
        Self {
            address,
            sent,
            stopped,
        }
    }

    /// How many bytes the clients sent, over all connections.
    pub fn bytes_sent(&self) -> usize {
        self.sent
            .lock()
            .unwrap()
            .iter()
            .map(|buffer| buffer.lock().unwrap().len())
            .sum()
    }

    /// Which of `needles` a client sent to the server over any one connection (each
    /// connection read once, whatever the number of needles).
    pub fn carried(&self, needles: &[&[u8]]) -> Vec<bool> {
        let patterns = needles.iter().map(|needle| {
            std::iter::once("(?-u)".to_owned())
                .chain(needle.iter().map(|byte| format!("\\x{byte:02x}")))
                .collect::<String>()
        });
        let set = regex::bytes::RegexSet::new(patterns).expect("byte patterns");
        let mut found = vec![false; needles.len()];
        for buffer in self.sent.lock().unwrap().iter() {
            for index in set.matches(&buffer.lock().unwrap()).iter() {
                found[index] = true;
            }
        }
        found
    }
}

impl Drop for RecordingProxy {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so that it sees the flag.
        let _ = TcpStream::connect(self.address.trim_start_matches("http://"));
    }
}

/// Copies `client` → `server` (recording into `buffer`) and back, each way on a thread of
/// its own, until either side closes.
fn pipe(mut client: TcpStream, mut server: TcpStream, buffer: Recording) {
    let (Ok(mut client_back), Ok(mut server_back)) = (client.try_clone(), server.try_clone())
    else {
        return;
    };
    std::thread::spawn(move || {
        let mut chunk = [0u8; 64 * 1024];
        while let Ok(read @ 1..) = client.read(&mut chunk) {
            buffer.lock().unwrap().extend_from_slice(&chunk[..read]);
            if server.write_all(&chunk[..read]).is_err() {
                break;
            }
        }
        let _ = server.shutdown(Shutdown::Write);
    });
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut server_back, &mut client_back);
        let _ = client_back.shutdown(Shutdown::Both);
    });
}
