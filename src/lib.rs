//! # bh_audit_logger
//!
//! Build, sanitize, validate and emit behavioral-healthcare audit events
//! ([bh-audit-schema](https://github.com/bh-healthcare/bh-audit-schema)), line for line
//! equal to the Python reference `bh-audit-logger` 0.3.0, PHI-safe by construction.
//!
//! Every call takes one path ([`audit::pipeline`]): build → prepare → validate → chain → the
//! line, on borrowed text ([`json`]). The crate is plain Rust and knows nothing of wasm; the binding crates in
//! `bindings/` (one per wasm module) are thin layers over it, and [`wire`] holds the text they move.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod audit;
pub mod diagnostics;
mod error;
pub mod fhir;
pub mod integrity;
pub(crate) mod json;
pub mod sanitize;
pub(crate) mod sha256;
#[cfg(test)]
mod test_rng;
pub mod tlog;
pub mod trail;
pub mod validator;
pub mod wire;

pub use audit::agent;
pub use audit::call::{AuditError, AuditRequest};
pub(crate) use audit::config;
pub use audit::config::{
    ActorType, Config, DowngradeMode, EmitFailureMode, Redaction, ValidationFailureMode,
    OPTION_NAMES,
};
pub use audit::event::Event;
pub use audit::logger::{
    issue_summary, random_uuid_v4, AuditLogger, FnSink, IdSource, MemorySink, Sink, Stats,
    TimeSource,
};
pub use audit::pipeline::{Outcome, Pipeline, Verdict};
pub use audit::time::Timestamp;
pub use diagnostics::{CollectDiagnostics, Diagnostics, Level};
pub use error::{ConfigErrorKind, Error, ErrorClass};
pub use fhir::{to_fhir_audit_event, to_fhir_audit_event_str};
pub use sanitize::{sanitize_error_message, DEFAULT_MAX_ERROR_LENGTH};
pub use validator::{validate, validate_str, SchemaVersion, ValidationIssue, Validator};
