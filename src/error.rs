//! The crate's one error type.
//!
//! Every message is lowercase, names the option, path or rule at fault, and never
//! contains a value taken from an audit event or from the caller's input.

use std::fmt;

use crate::validator::ValidationIssue;

/// Which kind of mistake a configuration error is: a wrong type or a bad value.
///
/// The JavaScript layer maps `Type` to `TypeError` and `Range` to `RangeError`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigErrorKind {
    /// The option has the wrong type.
    Type,
    /// The option has the right type but a value outside what it accepts.
    Range,
}

/// Errors returned by this crate.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// A logger option is invalid. `option` is its camelCase name as in the JS API.
    Config {
        /// The option's name (camelCase, as documented in API.md).
        option: &'static str,
        /// Wrong type or bad value.
        kind: ConfigErrorKind,
        /// What is expected, without echoing the given value.
        message: String,
    },
    /// An option name the logger does not know (a typo must not fall back to a default).
    /// The JavaScript layer maps it to `TypeError`.
    UnknownOption {
        /// The option's name as given (at most 64 characters).
        name: String,
    },
    /// Input text is not valid JSON. Line and column count from 1.
    Json {
        /// Line of the error, from 1.
        line: usize,
        /// Column of the error, from 1.
        column: usize,
        /// The category of the syntax error (never the offending text).
        message: String,
    },
    /// A schema could not be compiled (for example it uses an unsupported keyword).
    Schema {
        /// What is wrong, naming the keyword and its schema path.
        message: String,
    },
    /// The requested or declared schema version is not one this crate vendors.
    UnsupportedSchemaVersion,
    /// An event failed validation; with `validationFailureMode = "raise"`.
    Validation {
        /// Every issue found, in document order.
        issues: Vec<ValidationIssue>,
    },
    /// A sink failed; with `emitFailureMode = "raise"`. The message is sanitized.
    Sink {
        /// Sanitized description of the sink failure.
        message: String,
    },
    /// An agent-attribution call (schema 2.x) that the logger refuses to build, as the
    /// reference 2.0.0 raises `ValueError`: a bad agent descriptor, agent data on a 1.x target
    /// in downgrade mode `raise`, OVERRIDE on a 1.x target or by a non-human actor, or (2.1)
    /// an attribution rule of RFC 0003 broken. Returned in every failure mode; in JS a
    /// `TypeError` whose message names `field`.
    Agent {
        /// The field at fault, as the call names it (`agent`, `actor`, `attribution`, ...).
        field: String,
        /// The schema rule broken (its `$comment`), where the schema states one.
        rule: Option<&'static str>,
        /// What is wrong (lowercase; never a value from the call).
        message: String,
    },
    /// A transparency-log operation failed (a note, key, checkpoint or proof refused): the
    /// tlog room's [`crate::tlog::Error`], with its stable reason code.
    Tlog {
        /// Why (`reason.as_str()` is the code the JS API and the CLI report).
        reason: crate::tlog::Reason,
    },
}

impl From<crate::tlog::Error> for Error {
    fn from(e: crate::tlog::Error) -> Self {
        Error::Tlog { reason: e.reason() }
    }
}

/// Which standard JavaScript error class an [`Error`] becomes at the wasm boundary: the rule
/// lives here, once, for both binding crates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// `TypeError`: a value of the wrong type (an option, an unknown option name).
    Type,
    /// `RangeError`: a value of the right type outside what is accepted.
    Range,
    /// `Error`: anything else.
    Other,
}

impl Error {
    /// The JavaScript error class this error is thrown as.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Config {
                kind: ConfigErrorKind::Type,
                ..
            }
            | Error::UnknownOption { .. } => ErrorClass::Type,
            Error::Config {
                kind: ConfigErrorKind::Range,
                ..
            }
            | Error::UnsupportedSchemaVersion => ErrorClass::Range,
            _ => ErrorClass::Other,
        }
    }

    pub(crate) fn config(
        option: &'static str,
        kind: ConfigErrorKind,
        message: impl Into<String>,
    ) -> Self {
        Error::Config {
            option,
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config {
                option, message, ..
            } => write!(f, "invalid option `{option}`: {message}"),
            Error::Json {
                line,
                column,
                message,
            } => {
                write!(f, "invalid json at line {line} column {column}: {message}")
            }
            Error::Schema { message } => write!(f, "schema cannot be compiled: {message}"),
            Error::UnknownOption { name } => write!(
                f,
                "unknown option `{name}` (options: {})",
                crate::OPTION_NAMES.join(", ")
            ),
            Error::UnsupportedSchemaVersion => write!(
                f,
                "unsupported schema_version (expected one of {})",
                crate::validator::SchemaVersion::ALL
                    .iter()
                    .map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Error::Validation { issues } => {
                write!(
                    f,
                    "event failed validation: {}",
                    crate::issue_summary(issues)
                )
            }
            Error::Sink { message } => write!(f, "sink failed: {message}"),
            Error::Agent {
                field,
                rule,
                message,
            } => {
                write!(f, "invalid `{field}`: {message}")?;
                if let Some(rule) = rule {
                    write!(f, " ({rule})")?;
                }
                Ok(())
            }
            Error::Tlog { reason } => write!(f, "{} ({reason})", reason.message()),
        }
    }
}

impl std::error::Error for Error {}
