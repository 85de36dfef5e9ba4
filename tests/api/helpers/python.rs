//! Python virtualenvs for the tests that drive other clients (Password Pusher's CLI, …).

use std::process::Command;
use std::sync::Mutex;

/// A virtualenv under `target/` named `name` with `packages` from PyPI (pinned by the
/// caller), made once per target directory: a marker naming the packages is written
/// last, so an install cut short is made again. Needs `python3` with `venv`.
pub fn python_venv(name: &str, packages: &[&str]) -> std::path::PathBuf {
    static MAKING: Mutex<()> = Mutex::new(());
    let _one_at_a_time = MAKING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let venv = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let done = venv.join(packages.join(" "));
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&venv);
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .expect("python3 must be on the PATH for this test (apt-get install python3-venv)");
        assert!(
            made.success(),
            "python3 -m venv failed (apt-get install python3-venv)"
        );
        let installed = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(packages)
            .status()
            .expect("pip runs");
        assert!(installed.success(), "pip install {packages:?} failed");
        std::fs::write(&done, "").expect("the venv is writable");
    }
    venv
}
