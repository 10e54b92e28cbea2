//! The Python references the tests run: interpreters of the venvs that `scripts/setup.sh`
//! creates in the repository root. A missing one fails the test, saying how to get it.

// Each test uses part of this module.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The interpreter named by the environment variable `var`, or else the one of the venv
/// `venv` (a directory in the repository root, as listed in `scripts/setup.sh`), which
/// must hold `what`. Panics with the command that installs it when neither exists.
pub fn venv_python(var: &str, venv: &str, what: &str) -> PathBuf {
    let path = match std::env::var_os(var) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(venv)
            .join("bin/python"),
    };
    assert!(
        path.is_file(),
        "the Python reference {what} is missing (no interpreter at {}, from ${var} or the venv \
         {venv}): run ./scripts/test.sh, or ./scripts/setup.sh python",
        path.display()
    );
    path
}

/// Run `script` (in `tests/parity/`) of the reference `version` on `vectors` with the
/// interpreter [`venv_python`] finds, and return its `results` (the script prints
/// `{"version": ..., "results": {...}}`). Fails when the script fails or is another version.
pub fn reference_results(
    (var, venv, what): (&str, &str, &str),
    script: &str,
    vectors: &Path,
    version: &str,
) -> serde_json::Value {
    let out = Command::new(venv_python(var, venv, what))
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/parity")
                .join(script),
        )
        .arg(vectors)
        .output()
        .expect("run the Python reference");
    assert!(
        out.status.success(),
        "reference failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("reference output is json");
    assert_eq!(
        v["version"], version,
        "this suite targets bh-audit-logger {version}"
    );
    v["results"].clone()
}
