//! Packages from the npm registry for the tests that run them in a browser (axe-core).

use std::process::Command;
use std::sync::Mutex;

/// The directory of the npm package `name` at `version` (pinned by the caller), installed
/// once per target directory under `target/`: a marker naming the package is written
/// last, so an install cut short is made again. Needs `npm` (Node.js).
pub fn npm_package(name: &str, version: &str) -> std::path::PathBuf {
    static INSTALLING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = INSTALLING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let prefix = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("npm-{name}"));
    let done = prefix.join(format!("installed {name}@{version}"));
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&prefix);
        std::fs::create_dir_all(&prefix).expect("the target directory is writable");
        let installed = Command::new("npm")
            .args([
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "--silent",
                "--prefix",
            ])
            .arg(&prefix)
            .arg(format!("{name}@{version}"))
            .status()
            .expect("npm must be on the PATH for this test (apt-get install npm)");
        assert!(installed.success(), "npm install {name}@{version} failed");
        std::fs::write(&done, "").expect("the target directory is writable");
    }
    prefix.join("node_modules").join(name)
}
