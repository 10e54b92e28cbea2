//! Diagnostics: the logger's own reports (dropped metadata keys, validation failures, sink
//! failures). They name fields by path and rule and never carry a field's value.

use std::borrow::Cow;
use std::fmt;

/// Longest diagnostic, in code points; longer ones end in `"..."` (the JS package caps at
/// the same length).
pub const MAX_DIAGNOSTIC_LEN: usize = 2000;

/// The last step of every diagnostic the crate delivers: control characters (see
/// [`crate::sanitize::is_unsafe_char`]) written as `\uXXXX`, and at most
/// [`MAX_DIAGNOSTIC_LEN`] code points. Values never reach a diagnostic; key names reach it
/// redacted ([`crate::validator::public_path`]).
pub fn public_text(message: &str) -> Cow<'_, str> {
    let unsafe_chars = message.chars().any(crate::sanitize::is_unsafe_char);
    if !unsafe_chars && message.len() <= MAX_DIAGNOSTIC_LEN {
        return Cow::Borrowed(message);
    }
    let mut out = String::with_capacity(message.len().min(MAX_DIAGNOSTIC_LEN * 4));
    let mut n = 0;
    for c in message.chars() {
        if n > MAX_DIAGNOSTIC_LEN {
            break;
        }
        if crate::sanitize::is_unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
            n += 6;
        } else {
            out.push(c);
            n += 1;
        }
    }
    if n > MAX_DIAGNOSTIC_LEN {
        out = out.chars().take(MAX_DIAGNOSTIC_LEN - 3).collect();
        out.push_str("...");
    }
    Cow::Owned(out)
}

/// Severity of a diagnostic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Detail, e.g. a sink failure with `emitFailureMode = "silent"`.
    Debug,
    /// Something was dropped or failed and was handled.
    Warn,
    /// Something the operator must look at.
    Error,
}

impl Level {
    /// `"debug"`, `"warn"` or `"error"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Receives diagnostics. Implemented for every `FnMut(Level, &str)`.
pub trait Diagnostics {
    /// Deliver one diagnostic.
    fn report(&mut self, level: Level, message: &str);
    /// Whether diagnostics at `level` are wanted (lets callers skip formatting).
    fn enabled(&self, _level: Level) -> bool {
        true
    }
}

impl<F: FnMut(Level, &str)> Diagnostics for F {
    fn report(&mut self, level: Level, message: &str) {
        self(level, message)
    }
}

/// Writes warn and error diagnostics to standard error (the native default).
#[derive(Clone, Copy, Debug, Default)]
pub struct StderrDiagnostics;

impl Diagnostics for StderrDiagnostics {
    fn report(&mut self, level: Level, message: &str) {
        if level >= Level::Warn {
            eprintln!("bh-audit-logger {level}: {}", public_text(message));
        }
    }
    fn enabled(&self, level: Level) -> bool {
        level >= Level::Warn
    }
}

/// Collects diagnostics in memory (for tests and for hosts that forward them later).
#[derive(Clone, Debug, Default)]
pub struct CollectDiagnostics {
    /// Every diagnostic received, in order.
    pub entries: Vec<(Level, String)>,
}

impl Diagnostics for CollectDiagnostics {
    fn report(&mut self, level: Level, message: &str) {
        self.entries
            .push((level, public_text(message).into_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_are_capped_and_escaped() {
        let long = format!("dropped: {}", "/actor/roles/1: x; ".repeat(20_000));
        let out = public_text(&long);
        assert!(out.chars().count() <= MAX_DIAGNOSTIC_LEN && out.ends_with("..."));
        assert_eq!(
            public_text("a\u{1b}]0;PASS\u{7}b"),
            "a\\u001b]0;PASS\\u0007b"
        );
        assert_eq!(public_text("plain"), "plain");
    }
}
