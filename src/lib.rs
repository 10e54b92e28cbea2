//! # bh_audit_logger
//!
//! Build, sanitize, validate and emit behavioral-healthcare audit events
//! ([bh-audit-schema](https://github.com/bh-healthcare/bh-audit-schema)), event for event
//! equal to the Python reference `bh-audit-logger` 0.3.0, PHI-safe by construction.
//!
//! The crate is plain Rust; `src/wasm.rs` (only on `wasm32`) is a thin binding layer over it.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod agent;
#[cfg(any(target_arch = "wasm32", test))]
mod call;
mod config;
pub mod diagnostics;
#[cfg(any(target_arch = "wasm32", test))]
mod direct;
mod error;
pub mod event;
pub mod integrity;
mod logger;
mod num;
pub mod pipeline;
pub mod sanitize;
mod sort;
#[cfg(test)]
mod test_rng;
mod time;
pub mod validator;

pub use config::{
    ActorType, Config, DowngradeMode, EmitFailureMode, Redaction, ValidationFailureMode,
    OPTION_NAMES,
};
pub use diagnostics::{CollectDiagnostics, Diagnostics, Level};
pub use error::{ConfigErrorKind, Error};
pub use event::{AuditError, AuditRequest, EventBuilder, Prepared};
pub use logger::{
    issue_summary, random_uuid_v4, AuditLogger, FnSink, IdSource, MemorySink, Sink, Stats,
    TimeSource,
};
pub use sanitize::{sanitize_error_message, DEFAULT_MAX_ERROR_LENGTH};
pub use time::Timestamp;
pub use validator::{validate, validate_str, SchemaVersion, ValidationIssue, Validator};

#[cfg(target_arch = "wasm32")]
pub mod wasm;
