//! # bh_audit_logger
//!
//! Build, sanitize, validate and emit behavioral-healthcare audit events
//! ([bh-audit-schema](https://github.com/bh-healthcare/bh-audit-schema)), event for event
//! equal to the Python reference `bh-audit-logger` 0.3.0, PHI-safe by construction.
//!
//! The crate is plain Rust; `src/wasm.rs` (only on `wasm32`) is a thin binding layer over it.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod error;
pub mod integrity;
pub mod validator;

pub use error::{ConfigErrorKind, Error};
pub use validator::{validate, validate_str, SchemaVersion, ValidationIssue, Validator};
