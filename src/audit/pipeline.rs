//! The one path of every call: **build** (an `audit()` call, [`super::build`]) or read (a
//! pre-built event, `emit()`) → **prepare** (allowlist, sanitize, [`super::prepare`]) →
//! **validate** (schema and reference rules, [`super::validate`]) → verdict per
//! `validationFailureMode` (masking for `log_and_emit`) → **chain** (integrity) → the
//! **line**, written once. The native [`crate::AuditLogger`] and the wasm `Core` both run
//! it, then deliver the line their own way.

use std::borrow::Cow;

use super::build::build;
use super::call::Call;
use super::event::{Lite, Members};
use super::prepare::prepare;
use super::validate::{mask, validate};
use crate::config::ValidationFailureMode;
use crate::diagnostics::{Diagnostics, Level};
use crate::integrity::Chain;
use crate::json::{read, write};
use crate::{issue_summary, Config, Error, Timestamp, ValidationIssue, Validator};

/// What to do with an event after validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Valid: deliver it.
    Emit,
    /// Invalid, `log_and_emit`: deliver it, unknown fields removed and invalid values masked.
    EmitInvalid,
    /// Invalid, `drop`: count it as dropped, deliver nothing.
    Drop,
    /// Invalid, `raise`: count it as dropped and return [`Error::Validation`].
    Raise,
}

/// An event after the pipeline: the verdict, the line to deliver (for `Emit` /
/// `EmitInvalid`; empty otherwise) and the issues validation found.
#[derive(Debug, PartialEq)]
pub struct Outcome {
    /// What the host must do.
    pub verdict: Verdict,
    /// The emitted line (no newline).
    pub line: String,
    /// Validation issues (empty for `Emit`).
    pub issues: Vec<ValidationIssue>,
}

/// Configuration and (optionally) the integrity chain of one logger.
#[derive(Debug)]
pub struct Pipeline {
    config: Config,
    chain: Option<Chain>,
}

/// An issue without a schema path (input errors and the reference's own rules).
pub(crate) fn issue(path: &str, keyword: &str, message: &str) -> ValidationIssue {
    ValidationIssue {
        instance_path: path.into(),
        schema_path: String::new(),
        keyword: keyword.into(),
        message: message.into(),
    }
}

impl Pipeline {
    /// A pipeline for a validated configuration.
    pub fn new(config: Config) -> Result<Pipeline, Error> {
        config.validate()?;
        Validator::for_version(config.schema_version)?;
        let chain = config
            .integrity()
            .map(|(alg, head)| Chain::with_head(alg, head.map(str::to_owned)));
        Ok(Pipeline { config, chain })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The last chained event's hash, when integrity chaining is on.
    pub fn chain_head(&self) -> Option<&str> {
        self.chain.as_ref().and_then(Chain::head)
    }

    /// Resume the chain from `head` (a previous run's last `event_hash`, e.g. from durable
    /// storage). Returns `false` (and does nothing) when integrity chaining is off.
    pub fn set_chain_head(&mut self, head: Option<String>) -> bool {
        match self.chain.as_mut() {
            Some(c) => {
                c.set_head(head);
                true
            }
            None => false,
        }
    }

    /// One `audit()` call from the facade's call JSON; `now_ms`: the time source's epoch
    /// milliseconds (NaN when it failed).
    pub fn audit_text(&mut self, input: &str, now_ms: f64, diag: &mut dyn Diagnostics) -> Outcome {
        let call = match read::parse(input) {
            Ok(doc) => match Call::read(doc) {
                Ok(c) => c,
                Err(why) => {
                    let message = format!("input is not valid: {why}");
                    return self.reject(vec![issue("", "input", &message)], diag);
                }
            },
            Err(e) => return self.reject(vec![issue("", "input", &e.message())], diag),
        };
        let ts = Timestamp::from_millis_f64(now_ms).and_then(Timestamp::format);
        self.audit_call(call, ts, diag)
    }

    /// One call, read (and its helper's rules applied): build, then the rest of the path.
    pub(crate) fn audit_call(
        &mut self,
        call: Call<'_>,
        timestamp: Option<String>,
        diag: &mut dyn Diagnostics,
    ) -> Outcome {
        let mut pre = Vec::new();
        let ev = build(&self.config, call, timestamp, &mut pre);
        finish(&self.config, self.chain.as_mut(), ev, pre, diag)
    }

    /// One `emit()` call: prepare, validate, chain and write a pre-built event (JSON text);
    /// its keys keep their order.
    pub fn emit_text(&mut self, text: &str, diag: &mut dyn Diagnostics) -> Outcome {
        match read::parse(text) {
            Ok(Lite::Obj(ev)) => self.emit_members(ev, diag),
            Ok(_) => self.reject(
                vec![issue("", "type", "the event must be a JSON object")],
                diag,
            ),
            Err(e) => self.reject(vec![issue("", "input", &e.message())], diag),
        }
    }

    /// [`Pipeline::emit_text`] on an event already read.
    pub(crate) fn emit_members(&mut self, ev: Members<'_>, diag: &mut dyn Diagnostics) -> Outcome {
        finish(&self.config, self.chain.as_mut(), ev, Vec::new(), diag)
    }

    /// Input that never became an event (not JSON, not an object, lone surrogates, ...):
    /// nothing can be emitted, so it is dropped, or raised in the `raise` mode.
    pub fn reject(&self, issues: Vec<ValidationIssue>, diag: &mut dyn Diagnostics) -> Outcome {
        let verdict = if self.config.validation_failure_mode() == ValidationFailureMode::Raise {
            Verdict::Raise
        } else {
            diag.report(
                Level::Warn,
                &format!("audit event dropped: {}", issue_summary(&issues)),
            );
            Verdict::Drop
        };
        Outcome {
            verdict,
            line: String::new(),
            issues,
        }
    }
}

/// Prepare, validate, decide, chain and write one event (`issues`: what building found).
fn finish(
    cfg: &Config,
    chain: Option<&mut Chain>,
    mut ev: Members<'_>,
    mut issues: Vec<ValidationIssue>,
    diag: &mut dyn Diagnostics,
) -> Outcome {
    prepare(cfg, &mut ev, diag);
    let mut doc = Lite::Obj(ev);
    validate(&doc, &mut issues);
    let verdict = if issues.is_empty() {
        Verdict::Emit
    } else {
        let summary = issue_summary(&issues);
        match cfg.validation_failure_mode() {
            ValidationFailureMode::Drop => {
                diag.report(
                    Level::Warn,
                    &format!("audit event dropped: failed validation: {summary}"),
                );
                Verdict::Drop
            }
            ValidationFailureMode::Raise => Verdict::Raise,
            ValidationFailureMode::LogAndEmit => {
                diag.report(
                    Level::Warn,
                    &format!("audit event failed validation, emitted anyway: {summary}"),
                );
                if let Lite::Obj(ev) = &mut doc {
                    mask(ev, &issues);
                }
                Verdict::EmitInvalid
            }
        }
    };
    let mut line = String::new();
    if matches!(verdict, Verdict::Emit | Verdict::EmitInvalid) {
        if let (Some(chain), Lite::Obj(ev)) = (chain, &mut doc) {
            seal(chain, ev);
        }
        write::line(&doc, &mut line);
    }
    Outcome {
        verdict,
        line,
        issues,
    }
}

/// Chain `ev` as the reference 1.1.1 does: the hash of its canonical text without
/// `integrity`, then `{**event, "integrity": block}` (in place when it already had one, else
/// last). The chain advances even if the sink then fails, as in the Python package.
fn seal(chain: &mut Chain, ev: &mut Members<'_>) {
    let mut canonical = String::new();
    let doc = Lite::Obj(std::mem::take(ev));
    write::canonical(&doc, &mut canonical, true);
    let Lite::Obj(mut members) = doc else {
        return;
    };
    let link = chain.link(canonical.as_bytes());
    let mut block = vec![
        (
            Cow::Borrowed("event_hash"),
            Lite::Str(Cow::Owned(link.event_hash)),
        ),
        (
            Cow::Borrowed("hash_alg"),
            Lite::Str(Cow::Borrowed(link.hash_alg.as_str())),
        ),
    ];
    if let Some(p) = link.prev_event_hash {
        block.push((Cow::Borrowed("prev_event_hash"), Lite::Str(Cow::Owned(p))));
    }
    super::event::set(&mut members, "integrity", Lite::Obj(block));
    *ev = members;
}
