//! The Python references the tests run: interpreters of the venvs that `scripts/setup.sh`
//! creates in the repository root. A missing one fails the test, saying how to get it.

use std::path::{Path, PathBuf};

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
