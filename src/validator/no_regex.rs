//! `pattern` and `patternProperties` without the regex engine (the default build: the
//! vendored schemas use neither). A schema using them fails to compile, saying how to get
//! them: build with the cargo feature `regex` (the engine in `regex.rs`).

use std::fmt;

/// A regular expression this build cannot compile.
#[derive(Clone)]
pub struct Regex(());

impl fmt::Debug for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Regex")
    }
}

impl Regex {
    /// Always an error: this build has no regex engine.
    pub fn new(_pattern: &str) -> Result<Regex, String> {
        Err(NO_REGEX.to_string())
    }

    /// Never reached (no `Regex` can be made).
    pub fn is_match(&self, _text: &str) -> bool {
        false
    }
}

/// The compile error for `pattern` / `patternProperties` in this build.
pub const NO_REGEX: &str = "pattern support is not built in (enable the cargo feature `regex`)";
