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
use crate::integrity::{Chain, MAX_EMITTED_LINE_BYTES};
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
    /// Never built: the call was refused ([`Error::Agent`]) by the build step; nothing is
    /// counted and the host throws (a `TypeError` in JS).
    Refuse,
}

/// An event after the pipeline: the verdict, the line to deliver (for `Emit` /
/// `EmitInvalid`; empty otherwise) and the issues validation found.
#[derive(Debug)]
pub struct Outcome {
    /// What the host must do.
    pub verdict: Verdict,
    /// The emitted line (no newline).
    pub line: String,
    /// Validation issues (empty for `Emit`).
    pub issues: Vec<ValidationIssue>,
    /// For [`Verdict::Refuse`]: the builder's refusal ([`Error::Agent`]).
    pub refused: Option<Error>,
    /// With integrity on and a line to deliver: `Some(true)` when it was chained.
    pub chained: Option<bool>,
    /// Milliseconds spent preparing and validating (0 where the platform has no clock).
    pub validation_ms: f64,
}

/// Equal when they deliver the same: verdict, line, issues, refusal and chaining (the time
/// spent is not compared).
impl PartialEq for Outcome {
    fn eq(&self, other: &Outcome) -> bool {
        self.verdict == other.verdict
            && self.line == other.line
            && self.issues == other.issues
            && self.refused == other.refused
            && self.chained == other.chained
    }
}

/// The issue of an event whose line would be longer than the logger's line limit.
const LINE_TOO_LONG: &str = "the event's line would be longer than the line limit (1048064 UTF-8 bytes, MAX_EMITTED_LINE_BYTES: what the chain verifiers read, less room for an integrity block)";

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
        rule: None,
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
        match build(&self.config, call, timestamp, &mut pre, diag) {
            Ok(ev) => finish(&self.config, self.chain.as_mut(), ev, pre, diag),
            Err(e) => Outcome {
                verdict: Verdict::Refuse,
                line: String::new(),
                issues: Vec::new(),
                refused: Some(e),
                chained: None,
                validation_ms: 0.0,
            },
        }
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
            refused: None,
            chained: None,
            validation_ms: 0.0,
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
    let started = super::time::Stopwatch::start();
    prepare(cfg, &mut ev, diag);
    let mut doc = Lite::Obj(ev);
    validate(&doc, &mut issues);
    let validation_ms = started.elapsed_ms();
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
    let mut line = String::with_capacity(512);
    let mut chained = None;
    let mut verdict = verdict;
    if matches!(verdict, Verdict::Emit | Verdict::EmitInvalid) {
        let mut chain = chain;
        let head = chain.as_ref().map(|c| c.head().map(str::to_owned));
        if let (Some(chain), Lite::Obj(ev)) = (chain.as_deref_mut(), &mut doc) {
            seal(chain, ev);
            chained = Some(true);
        }
        write::line(&doc, &mut line);
        if line.len() > MAX_EMITTED_LINE_BYTES {
            // Never emit a line the verifiers (or a store) refuse: in every mode this event
            // is a validation failure, and the chain does not advance for it.
            if let (Some(chain), Some(head)) = (chain, head) {
                chain.set_head(head);
            }
            line.clear();
            chained = None;
            issues.push(issue("", "maxLineBytes", LINE_TOO_LONG));
            verdict = if cfg.validation_failure_mode() == ValidationFailureMode::Raise {
                Verdict::Raise
            } else {
                diag.report(
                    Level::Warn,
                    &format!("audit event dropped: {LINE_TOO_LONG}"),
                );
                Verdict::Drop
            };
        }
    }
    Outcome {
        verdict,
        line,
        issues,
        refused: None,
        chained,
        validation_ms,
    }
}

/// Chain `ev` as the reference 1.1.1 does: the hash of its canonical text without
/// `integrity`, then `{**event, "integrity": block}` (in place when it already had one, else
/// last). The chain advances even if the sink then fails, as in the Python package. Also the
/// wasm `ChainWriter`'s step (one chaining path for the logger and the `AuditChain` object).
pub(crate) fn seal(chain: &mut Chain, ev: &mut Members<'_>) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CollectDiagnostics;
    use serde_json::Value;

    fn pipeline(options: Value) -> Pipeline {
        Pipeline::new(Config::from_options(options.as_object().unwrap()).unwrap()).unwrap()
    }

    fn mode(mode: &str) -> Pipeline {
        pipeline(serde_json::json!({"serviceName": "svc", "validationFailureMode": mode}))
    }

    const ID: &str = "9e3779b1-0001-4001-8007-0000000f4243";

    #[test]
    fn calls_give_lines_or_issues_by_the_configured_mode() {
        let mut diag = CollectDiagnostics::default();
        let ok = format!(r#"{{"action":"READ","id":"{ID}","correlation":{{"request_id":"r"}}}}"#);
        let r = mode("drop").audit_text(&ok, 1.7e12, &mut diag);
        assert_eq!(r.verdict, Verdict::Emit);
        assert_eq!(
            r.line,
            format!(
                r#"{{"schema_version":"1.1","event_id":"{ID}","timestamp":"2023-11-14T22:13:20.000Z","service":{{"name":"svc","environment":"unknown"}},"actor":{{"subject_id":"unknown","subject_type":"service"}},"action":{{"type":"READ","data_classification":"UNKNOWN"}},"resource":{{"type":"unknown"}},"outcome":{{"status":"SUCCESS"}},"correlation":{{"request_id":"r"}}}}"#
            )
        );
        let again = mode("drop").emit_text(&r.line, &mut diag);
        assert_eq!(again, r, "emitting an emitted line gives it back unchanged");

        let bad = format!(r#"{{"action":"READ","id":"{ID}","actor":{{"ssn":"123-45-6789"}}}}"#);
        let r = mode("drop").audit_text(&bad, 1.7e12, &mut diag);
        assert_eq!(r.verdict, Verdict::Drop);
        let text = format!("{:?}", r.issues);
        assert!(
            text.contains("additionalProperties") && !text.contains("123-45"),
            "{text}"
        );
        let r = mode("raise").audit_text(&bad, 1.7e12, &mut diag);
        assert_eq!(r.verdict, Verdict::Raise);
        let r = mode("log_and_emit").audit_text(&bad, 1.7e12, &mut diag);
        assert_eq!(r.verdict, Verdict::EmitInvalid);
        assert!(!r.line.contains("ssn"), "{}", r.line);

        let r = mode("drop").emit_text("[1]", &mut diag);
        assert_eq!(r.verdict, Verdict::Drop);
        let r = mode("drop").emit_text("{", &mut diag);
        assert!(r.issues[0].message.contains("input is not valid"), "{r:?}");
        let r = mode("drop").emit_text(r#"{"a":"\ud800"}"#, &mut diag);
        assert!(r.issues[0].message.contains("lone surrogate"), "{r:?}");
        let deep = "[".repeat(200) + &"]".repeat(200);
        let r = mode("drop").emit_text(&deep, &mut diag);
        assert!(r.issues[0].message.contains("nested too deeply"), "{r:?}");
    }

    /// `log_and_emit` masks every invalid value, whatever its type: an object or array where a
    /// string belongs may hold PHI as much as a string does (issue 13, item 7).
    #[test]
    fn log_and_emit_masks_invalid_values_of_every_type() {
        let mut diag = CollectDiagnostics::default();
        let cases = [
            (
                r#""resource":{"type":{"name":"Jane Q Patient","ssn":"123-45-6789"},"id":"r1"}"#,
                r#""resource":{"type":"[INVALID]","id":"r1"}"#,
            ),
            (
                r#""outcome":{"status":"FAILURE","error_type":"E","error_message":{"text":"SSN 123-45-6789"}}"#,
                r#""outcome":{"status":"FAILURE","error_type":"E","error_message":"[INVALID]"}"#,
            ),
            (
                r#""actor":{"subject_id":["Jane Q Patient","123-45-6789"],"subject_type":"human"}"#,
                r#""actor":{"subject_id":"[INVALID]","subject_type":"human"}"#,
            ),
            (
                r#""actor":{"subject_id":"u1","subject_type":"human","roles":[{"name":"Jane Q Patient"}]}"#,
                r#""actor":{"subject_id":"u1","subject_type":"human","roles":["[INVALID]"]}"#,
            ),
            (
                r#""correlation":["Jane Q Patient"]"#,
                r#""correlation":"[INVALID]""#,
            ),
        ];
        for (given, masked) in cases {
            let call = format!(r#"{{"action":"READ","id":"{ID}",{given}}}"#);
            let r = mode("log_and_emit").audit_text(&call, 1.7e12, &mut diag);
            assert_eq!(r.verdict, Verdict::EmitInvalid, "{given}");
            assert!(
                !r.line.contains("Jane") && !r.line.contains("123-45"),
                "{given}: {}",
                r.line
            );
            assert!(r.line.contains(masked), "{given}: {}", r.line);
        }
        // A container failing only a shape rule keeps its (valid) members.
        let ev = format!(
            r#"{{"schema_version":"1.1","event_id":"{ID}","timestamp":"2026-03-11T18:41:55.123Z","service":{{"name":"s"}},"actor":{{"subject_type":"human"}},"action":{{"type":"READ"}},"resource":{{"type":"Note"}},"outcome":{{"status":"SUCCESS"}}}}"#
        );
        let r = mode("log_and_emit").emit_text(&ev, &mut diag);
        assert_eq!(r.verdict, Verdict::EmitInvalid);
        assert!(
            r.line.contains(r#""actor":{"subject_type":"human"}"#),
            "{}",
            r.line
        );
    }

    #[test]
    fn dropped_metadata_keys_are_reported_and_the_rest_emitted() {
        let mut p = pipeline(serde_json::json!({"serviceName": "svc",
            "metadataAllowlist": ["route", "count"], "maxMetadataValueLength": 3}));
        let mut diag = CollectDiagnostics::default();
        let call = format!(
            r#"{{"action":"READ","id":"{ID}","metadata":{{"route":"/patients","123-45-6789":1,"count":{{"a":1}}}}}}"#
        );
        let r = p.audit_text(&call, 1.7e12, &mut diag);
        assert_eq!(r.verdict, Verdict::Emit);
        assert!(
            r.line.ends_with(r#""metadata":{"route":"/pa..."}}"#),
            "{}",
            r.line
        );
        let text = format!("{:?}", diag.entries);
        assert_eq!(diag.entries.len(), 2, "{text}");
        assert!(!text.contains("123-45-6789"), "{text}");
    }

    /// Issue 21 item 5: a raised `maxMetadataValueLength` and multi-byte text must not give a
    /// line the verifiers refuse; the chain does not advance for the refused event.
    #[test]
    fn a_line_over_the_emitted_limit_is_never_emitted() {
        for m in ["drop", "log_and_emit", "raise"] {
            let mut p = pipeline(
                serde_json::json!({"serviceName": "svc", "validationFailureMode": m,
                "metadataAllowlist": ["a", "b"], "maxMetadataValueLength": 1_000_000, "enableIntegrity": true}),
            );
            let mut diag = CollectDiagnostics::default();
            let fits = "é".repeat((MAX_EMITTED_LINE_BYTES - 2000) / 2);
            let call = format!(r#"{{"action":"READ","id":"{ID}","metadata":{{"a":"{fits}"}}}}"#);
            let r = p.audit_text(&call, 1.7e12, &mut diag);
            assert_eq!(r.verdict, Verdict::Emit, "{m}");
            assert!(r.line.len() <= MAX_EMITTED_LINE_BYTES);
            let head = p.chain_head().map(str::to_owned);
            let big = "é".repeat(300_000); // 600,000 bytes, 300,000 UTF-16 units
            let call = format!(
                r#"{{"action":"READ","id":"{ID}","metadata":{{"a":"{big}","b":"{big}"}}}}"#
            );
            let r = p.audit_text(&call, 1.7e12, &mut diag);
            let want = if m == "raise" {
                Verdict::Raise
            } else {
                Verdict::Drop
            };
            assert_eq!(r.verdict, want, "{m}");
            assert!(r.line.is_empty());
            assert_eq!(r.issues[0].keyword, "maxLineBytes");
            assert_eq!(
                p.chain_head().map(str::to_owned),
                head,
                "{m}: the chain did not advance"
            );
        }
    }

    #[test]
    fn numbers_reach_the_line_as_python_writes_them() {
        let mut p = pipeline(
            serde_json::json!({"serviceName": "svc", "metadataAllowlist": ["a", "b", "c", "d"]}),
        );
        let mut diag = CollectDiagnostics::default();
        let call = format!(
            r#"{{"action":"READ","id":"{ID}","metadata":{{"a":1e21,"b":-0,"c":1.0,"d":123456789012345678901234567890}}}}"#
        );
        let r = p.audit_text(&call, 1.7e12, &mut diag);
        assert!(
            r.line.ends_with(
                r#""metadata":{"a":1e+21,"b":0,"c":1.0,"d":123456789012345678901234567890}}"#
            ),
            "{}",
            r.line
        );
    }

    #[test]
    fn chained_lines_carry_the_reference_integrity_block() {
        let mut p = pipeline(serde_json::json!({"serviceName": "svc", "enableIntegrity": true}));
        let mut diag = CollectDiagnostics::default();
        let call = format!(r#"{{"action":"READ","id":"{ID}"}}"#);
        let first = p.audit_text(&call, 1.7e12, &mut diag).line;
        let second = p.audit_text(&call, 1.7e12, &mut diag).line;
        assert!(first.contains(r#","integrity":{"event_hash":""#), "{first}");
        assert!(!first.contains("prev_event_hash"), "{first}");
        assert!(
            second.contains(r#","hash_alg":"sha256","prev_event_hash":""#),
            "{second}"
        );
        let report = crate::integrity::verify_chain(&format!("{first}\n{second}\n"));
        assert!(report.ok && report.chain_length == 2, "{report:?}");
    }
}
