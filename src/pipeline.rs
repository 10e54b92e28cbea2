//! The part of emitting that every host shares: prepare and validate an assembled event,
//! apply `validationFailureMode`, and chain it when integrity is on. [`crate::AuditLogger`]
//! (native sinks) and the wasm `Core` (JS sinks) both run events through a [`Pipeline`], then
//! deliver them their own way.

use serde_json::{Map, Value};

use crate::config::ValidationFailureMode;
use crate::diagnostics::{Diagnostics, Level};
use crate::event::{canonical_order, EventBuilder};
use crate::integrity::Chain;
use crate::{issue_summary, Config, Error, ValidationIssue};

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
    /// Never built: the call was refused ([`Error::Agent`]) before the pipeline; nothing is
    /// counted and the host throws (a `TypeError` in JS).
    Refuse,
}

/// An event after the pipeline, with the verdict and the issues validation found.
#[derive(Debug)]
pub struct Outcome {
    /// What the host must do.
    pub verdict: Verdict,
    /// The event, ready to deliver (for `Emit` / `EmitInvalid`).
    pub event: Map<String, Value>,
    /// Validation issues (empty for `Emit`).
    pub issues: Vec<ValidationIssue>,
    /// With integrity on and an event to deliver: `Some(true)` when it was chained,
    /// `Some(false)` when chaining failed and it goes out without `integrity` (a chain gap).
    pub chained: Option<bool>,
    /// Milliseconds spent preparing and validating (0 where the platform has no clock).
    pub validation_ms: f64,
}

/// Builder, validation policy and (optionally) the integrity chain of one logger.
#[derive(Debug)]
pub struct Pipeline {
    builder: EventBuilder,
    chain: Option<Chain>,
}

impl Pipeline {
    /// A pipeline for a validated configuration.
    pub fn new(config: Config) -> Result<Pipeline, Error> {
        let chain = config
            .integrity()
            .map(|(alg, head)| Chain::with_head(alg, head.map(str::to_owned)));
        Ok(Pipeline {
            builder: EventBuilder::new(config)?,
            chain,
        })
    }

    /// The event builder (and through it the configuration).
    pub fn builder(&self) -> &EventBuilder {
        &self.builder
    }

    /// The last chained event's hash, when integrity chaining is on.
    pub fn chain_head(&self) -> Option<&str> {
        self.chain.as_ref().and_then(Chain::head)
    }

    /// Whether emitted events are hash-chained (integrity on).
    pub fn is_chained(&self) -> bool {
        self.chain.is_some()
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

    /// Prepare and validate `event` (with `pre`, issues found while building it), decide
    /// per `validationFailureMode`, report the decision to `diag`, and chain what will be
    /// emitted (the chain advances even if the sink then fails, as in the Python package).
    pub fn finish(
        &mut self,
        event: Map<String, Value>,
        pre: Vec<ValidationIssue>,
        diag: &mut dyn Diagnostics,
    ) -> Outcome {
        let started = crate::time::Stopwatch::start();
        let prepared = self.builder.prepare(event, pre, diag);
        let validation_ms = started.elapsed_ms();
        let (mut event, issues) = (prepared.event, prepared.issues);
        let verdict = if issues.is_empty() {
            Verdict::Emit
        } else {
            let summary = issue_summary(&issues);
            match self.builder.config().validation_failure_mode() {
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
                    self.builder.make_safe_to_emit(&mut event, &issues);
                    Verdict::EmitInvalid
                }
            }
        };
        let mut chained = None;
        if matches!(verdict, Verdict::Emit | Verdict::EmitInvalid) {
            if let Some(chain) = self.chain.as_mut() {
                // Sealing cannot fail for a JSON value; were it to, the event goes out
                // unchained and counts as a chain gap (as in the Python package).
                let ok = chain.seal(&mut event).is_ok();
                if ok {
                    event = canonical_order(event);
                } else {
                    diag.report(
                        Level::Warn,
                        "audit chain hash failed; emitting without integrity",
                    );
                }
                chained = Some(ok);
            }
        }
        Outcome {
            verdict,
            event,
            issues,
            chained,
            validation_ms,
        }
    }

    /// [`Pipeline::finish`] for a pre-built event (`emit()`): its keys are first put in the
    /// schema's property order.
    pub fn finish_prebuilt(
        &mut self,
        event: Map<String, Value>,
        diag: &mut dyn Diagnostics,
    ) -> Outcome {
        self.finish(canonical_order(event), Vec::new(), diag)
    }

    /// Input that never became an event (not JSON, not an object, lone surrogates, ...):
    /// nothing can be emitted, so it is dropped, or raised in the `raise` mode.
    pub fn reject(&self, issues: Vec<ValidationIssue>, diag: &mut dyn Diagnostics) -> Outcome {
        let verdict =
            if self.builder.config().validation_failure_mode() == ValidationFailureMode::Raise {
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
            event: Map::new(),
            issues,
            chained: None,
            validation_ms: 0.0,
        }
    }
}
