//! Diagnostics: the logger's own reports (dropped metadata keys, validation failures, sink
//! failures). They name fields by path and rule and never carry a field's value.

use std::fmt;

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
            eprintln!("bh-audit-logger {level}: {message}");
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
        self.entries.push((level, message.to_string()));
    }
}
