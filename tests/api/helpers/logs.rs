//! The binary-wide log capture.

use std::sync::{Mutex, Once};

/// Every log line any test produced (all levels, all crates).
pub static CAPTURED_LOGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct CapturingLogger;

impl log::Log for CapturingLogger {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        let line = format!("{} {} {}", record.level(), record.target(), record.args());
        CAPTURED_LOGS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(line);
    }
    fn flush(&self) {}
}

/// Installs the capturing logger at `trace` for the whole binary.
pub fn capture_logs() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        log::set_boxed_logger(Box::new(CapturingLogger)).expect("no other logger");
        log::set_max_level(log::LevelFilter::Trace);
    });
}
