//! The text the JS facade and the core exchange, so the wasm binding crates only move bytes.
//!
//! Walking JS objects from Rust costs ~20 µs an event; `JSON.stringify` ~1 µs. So data
//! crosses the boundary as text: a call's JSON in, one reply out. This module writes the
//! replies (status, diagnostics, the line or the issues), the compact issue form with its
//! template table, `validateEvent`'s result and the FHIR export's result, and holds the
//! [`ChainWriter`] of the `AuditChain` Durable Object. Nothing here knows of wasm.

use std::cell::RefCell;

use crate::audit::pipeline::{issue, Outcome, Verdict};
use crate::config::ValidationFailureMode;
use crate::{Config, Error, Level, SchemaVersion, ValidationIssue};

/// The reply to an `audit` / `emit` call (`None`: the input was not UTF-8), as the facade
/// reads it: a status character (`E` emit, `W` emit despite validation issues, `D` dropped,
/// `R` raise, `T` refused), then `-`, or `d` followed by the call's diagnostics (JSON
/// `[[level, message], ...]`) and a newline; then the emitted line (`E` / `W`), the
/// validation issues JSON (`D` / `R`) or the refusal (`T`: `{message, field, rule?}`).
pub fn write_reply(reply: &Outcome, diagnostics: &[(Level, String)], out: &mut String) {
    let status = match reply.verdict {
        Verdict::Emit => 'E',
        Verdict::EmitInvalid => 'W',
        Verdict::Drop => 'D',
        Verdict::Raise => 'R',
        Verdict::Refuse => 'T',
    };
    out.push(status);
    if diagnostics.is_empty() {
        out.push('-');
    } else {
        // Diagnostics travel with the reply (no second call): their JSON, then a newline
        // (neither it nor the line holds a raw one), then the body.
        out.push('d');
        write_diagnostics(diagnostics, out);
        out.push('\n');
    }
    match reply.verdict {
        Verdict::Emit | Verdict::EmitInvalid => out.push_str(&reply.line),
        Verdict::Drop | Verdict::Raise => write_issues(&reply.issues, out),
        Verdict::Refuse => write_refusal(reply.refused.as_ref(), out),
    }
}

/// The issue a call whose input bytes are not UTF-8 is rejected with.
pub fn not_utf8_issue() -> ValidationIssue {
    issue("", "input", "input is not valid utf-8")
}

/// The resolved configuration (every option with its default applied) as the JSON object of
/// camelCase options the facade was given.
pub fn config_to_json(c: &Config) -> String {
    use crate::json::write::write_str;
    let mut o = String::with_capacity(512);
    // Written as serde_json writes the object (compact, members in this order).
    let key = |o: &mut String, k: &str| {
        o.push(if o.is_empty() { '{' } else { ',' });
        write_str(k, o);
        o.push(':');
    };
    let text = |o: &mut String, v: Option<&str>| match v {
        Some(v) => write_str(v, o),
        None => o.push_str("null"),
    };
    key(&mut o, "serviceName");
    text(&mut o, Some(&c.service_name));
    key(&mut o, "serviceEnvironment");
    text(&mut o, Some(&c.service_environment));
    key(&mut o, "serviceVersion");
    text(&mut o, c.service_version.as_deref());
    key(&mut o, "defaultActorId");
    text(&mut o, Some(&c.default_actor_id));
    key(&mut o, "defaultActorType");
    text(&mut o, Some(c.default_actor_type.as_str()));
    key(&mut o, "metadataAllowlist");
    o.push('[');
    for (i, k) in c.metadata_allowlist.iter().enumerate() {
        if i > 0 {
            o.push(',');
        }
        write_str(k, &mut o);
    }
    o.push(']');
    key(&mut o, "sanitizeErrors");
    o.push_str(if c.sanitize_errors { "true" } else { "false" });
    key(&mut o, "errorMessageMaxLen");
    o.push_str(&c.error_message_max_len.to_string());
    key(&mut o, "maxMetadataValueLength");
    o.push_str(&c.max_metadata_value_length.to_string());
    key(&mut o, "emitFailureMode");
    text(
        &mut o,
        Some(match c.emit_failure_mode {
            crate::EmitFailureMode::Silent => "silent",
            crate::EmitFailureMode::Log => "log",
            crate::EmitFailureMode::Raise => "raise",
        }),
    );
    key(&mut o, "validationFailureMode");
    text(
        &mut o,
        Some(match c.validation_failure_mode {
            ValidationFailureMode::Drop => "drop",
            ValidationFailureMode::LogAndEmit => "log_and_emit",
            ValidationFailureMode::Raise => "raise",
        }),
    );
    key(&mut o, "schemaVersion");
    text(&mut o, Some(c.schema_version.as_str()));
    key(&mut o, "agentEventDowngradeMode");
    text(
        &mut o,
        Some(match c.downgrade_mode {
            crate::config::DowngradeMode::Raise => "raise",
            crate::config::DowngradeMode::Strip => "strip",
        }),
    );
    key(&mut o, "redaction");
    text(
        &mut o,
        Some(match c.redaction {
            crate::Redaction::Reference => "reference",
            crate::Redaction::Strict => "strict",
        }),
    );
    key(&mut o, "maxPending");
    o.push_str(&c.max_pending.to_string());
    key(&mut o, "enableIntegrity");
    o.push_str(if c.enable_integrity { "true" } else { "false" });
    key(&mut o, "hashAlgorithm");
    text(&mut o, Some(c.hash_algorithm.as_str()));
    key(&mut o, "chainHead");
    text(&mut o, c.chain_head.as_deref());
    o.push('}');
    o
}

/// An issue's `(schemaPath, keyword, message)`: these come from the schema only, so the
/// vendored schemas have a few hundred of them. Each gets a number the first time it is
/// reported; `validateInput` sends numbers, and the facade asks [`issue_template`] for the
/// strings of a number once, then builds every issue object from its cached strings
/// (parsing a short array costs a fraction of parsing the issues' full JSON).
#[derive(Default)]
struct Templates {
    /// (hash of `(schemaPath, keyword, message)`, number), sorted (a binary search: less
    /// code in the wasm binary than a `HashMap`). A triple is checked against `triples`
    /// before its number is used; two triples with one hash are not both numbered.
    ids: Vec<(u64, u32)>,
    /// The templates `[schemaPath, keyword, message, rule]` by number (`rule` `""` when the
    /// schema states none: a path's rule depends on the schema version, so it is part of the
    /// template).
    triples: Vec<[String; 4]>,
}

/// More templates than the vendored schemas hold: past this, results go out in full.
const MAX_TEMPLATES: usize = 4096;

thread_local! {
    static TEMPLATES: RefCell<Templates> = RefCell::new(Templates::default());
}

impl Templates {
    /// The number of the issue's template (registered if new), or `None` when the table is
    /// full or the hash belongs to another triple (then the result goes out in full).
    fn id(&mut self, issue: &ValidationIssue) -> Option<u32> {
        use std::hash::{Hash, Hasher};
        let rule = issue.rule.as_deref().unwrap_or("");
        let triple = [
            issue.schema_path.as_str(),
            issue.keyword.as_str(),
            issue.message.as_str(),
            rule,
        ];
        let mut h = KeyHasher::default();
        triple.hash(&mut h);
        let hash = h.finish();
        // Compared in words (`memcmp` goes byte by byte in wasm).
        let same = |t: &[String; 4]| {
            t.iter()
                .zip(triple)
                .all(|(a, b)| crate::validator::bytes_eq(a.as_bytes(), b.as_bytes()))
        };
        let at = match self.ids.binary_search_by_key(&hash, |&(h, _)| h) {
            Ok(at) => {
                let id = self.ids.get(at)?.1;
                return self
                    .triples
                    .get(id as usize)
                    .filter(|t| same(t))
                    .map(|_| id);
            }
            Err(at) => at,
        };
        if self.triples.len() >= MAX_TEMPLATES {
            return None;
        }
        let id = u32::try_from(self.triples.len()).ok()?;
        self.triples.push(triple.map(str::to_owned));
        self.ids.insert(at, (hash, id));
        Some(id)
    }
}

/// A multiply-rotate hash (as rustc's FxHasher) for the template table: its keys come from
/// the vendored schemas, so no flooding resistance is needed, and SipHash costs more than the
/// rest of the lookup. Collisions are detected (see [`Templates::id`]).
#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mix =
            |h: u64, word: u64| (h.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        // Little-endian words; the last one zero-padded.
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.0 = mix(
                self.0,
                <[u8; 8]>::try_from(chunk).map_or(0, u64::from_le_bytes),
            );
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let word = rest.iter().rev().fold(0, |w, &b| (w << 8) | u64::from(b));
            self.0 = mix(self.0, word);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Append `n` in decimal (without `fmt`).
#[inline]
fn push_decimal(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    for d in digits.iter().skip(i) {
        out.push(char::from(*d));
    }
}

/// The JSON `[schemaPath, keyword, message, rule]` of template `id` (see [`Templates`]), or
/// `None` when no template has that number.
pub fn issue_template(id: u32) -> Option<String> {
    TEMPLATES.with(|t| {
        let t = t.borrow();
        let triple = t.triples.get(id as usize)?;
        let mut out = String::with_capacity(8 + triple.iter().map(String::len).sum::<usize>());
        for (i, s) in triple.iter().enumerate() {
            out.push(if i == 0 { '[' } else { ',' });
            crate::json::write::write_str(s, &mut out);
        }
        out.push(']');
        Some(out)
    })
}

/// The issues as `[template, instancePath, template, instancePath, ...]` (see
/// [`Templates`]), or `None` when the template table is full.
fn compact_issues(issues: &[ValidationIssue]) -> Option<String> {
    let ids = TEMPLATES.with(|t| {
        let mut t = t.borrow_mut();
        issues.iter().map(|i| t.id(i)).collect::<Option<Vec<u32>>>()
    })?;
    let size: usize = issues.iter().map(|i| 16 + i.instance_path.len()).sum();
    let mut out = String::with_capacity(2 + size);
    out.push('[');
    for (n, (issue, id)) in issues.iter().zip(ids).enumerate() {
        if n > 0 {
            out.push(',');
        }
        push_decimal(&mut out, id as usize);
        out.push(',');
        crate::json::write::write_str(&issue.public_path(), &mut out);
    }
    out.push(']');
    Some(out)
}

/// Append diagnostics as the JSON array `[[level, message], ...]`.
pub fn write_diagnostics(entries: &[(crate::Level, String)], out: &mut String) {
    use crate::json::write::write_str;
    out.push('[');
    for (i, (level, message)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        write_str(level.as_str(), out);
        out.push(',');
        write_str(message, out);
        out.push(']');
    }
    out.push(']');
}

/// A refused call as `{message, field, rule?}` (the facade throws a `TypeError` with them).
pub fn write_refusal(e: Option<&Error>, out: &mut String) {
    use crate::json::write::write_str;
    out.push_str(r#"{"message":"#);
    write_str(&e.map(ToString::to_string).unwrap_or_default(), out);
    if let Some(Error::Agent { field, rule, .. }) = e {
        out.push_str(r#","field":"#);
        write_str(field, out);
        if let Some(rule) = rule {
            out.push_str(r#","rule":"#);
            write_str(rule, out);
        }
    }
    out.push('}');
}

/// Append `issues` as the JSON array `[{instancePath, schemaPath, keyword, message, rule?}, ...]`
/// (by hand with the one escaper: no serializer in the binary).
pub fn write_issues(issues: &[ValidationIssue], out: &mut String) {
    use crate::json::write::write_str;
    out.push('[');
    for (i, issue) in issues.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(r#"{"instancePath":"#);
        write_str(&issue.public_path(), out);
        out.push_str(r#","schemaPath":"#);
        write_str(&issue.schema_path, out);
        out.push_str(r#","keyword":"#);
        write_str(&issue.keyword, out);
        out.push_str(r#","message":"#);
        write_str(&issue.message, out);
        if let Some(rule) = &issue.rule {
            out.push_str(r#","rule":"#);
            write_str(rule, out);
        }
        out.push('}');
    }
    out.push(']');
}

/// Validate an event (JSON text) against `version` (or its own `schema_version` when
/// `None`), for `validateEvent`. Returns `""` when it is valid (the facade makes the `{valid: true, errors: []}`
/// object); for issues found by the schema, their compact form (`[...]`, see
/// [`compact_issues`]); else JSON `{valid: false, errors}`: JSON syntax errors come back as
/// one error with keyword `"syntax"` and `line` / `column`.
pub fn validate_text(text: &str, version: Option<SchemaVersion>) -> Result<String, Error> {
    let result = match crate::validator::validate_str(text, version) {
        Ok(issues) if issues.is_empty() => return Ok(String::new()),
        Ok(issues) => {
            if let Some(compact) = compact_issues(&issues) {
                return Ok(compact);
            }
            // Written directly into one buffer sized for the issues: no `Value` of them, no
            // second copy.
            let size: usize = issues
                .iter()
                .map(|i| {
                    64 + i.instance_path.len()
                        + i.schema_path.len()
                        + i.keyword.len()
                        + i.message.len()
                })
                .sum();
            let mut out = String::with_capacity(32 + size);
            out.push_str(r#"{"valid":false,"errors":"#);
            write_issues(&issues, &mut out);
            out.push('}');
            return Ok(out);
        }
        Err(e @ (Error::Json { .. } | Error::UnsupportedSchemaVersion)) => text_issue(&e),
        Err(e) => return Err(e),
    };
    Ok(format!(r#"{{"valid":false,"errors":[{result}]}}"#))
}

/// The one issue of a text that is not JSON (keyword `"syntax"`, with `line` / `column`),
/// of an unsupported `schema_version` (keyword `"schema_version"`), or of any other error
/// (keyword `"internal"`), as the JSON object `validateEvent` and the FHIR export report.
fn text_issue(e: &Error) -> String {
    let mut quoted = String::new();
    match e {
        Error::Json {
            line,
            column,
            message,
        } => {
            crate::json::write::write_str(
                &format!("invalid json at line {line} column {column}: {message}"),
                &mut quoted,
            );
            format!(
                r#"{{"instancePath":"","schemaPath":"","keyword":"syntax","message":{quoted},"line":{line},"column":{column}}}"#
            )
        }
        Error::UnsupportedSchemaVersion => {
            crate::json::write::write_str(&e.to_string(), &mut quoted);
            format!(
                r#"{{"instancePath":"/schema_version","schemaPath":"","keyword":"schema_version","message":{quoted}}}"#
            )
        }
        e => {
            crate::json::write::write_str(&e.to_string(), &mut quoted);
            format!(
                r#"{{"instancePath":"","schemaPath":"","keyword":"internal","message":{quoted}}}"#
            )
        }
    }
}

/// The single writer of one hash chain, for the `AuditChain` Durable Object: chains emitted
/// lines one at a time with the core's [`crate::integrity::Chain`] (as bh-audit-logger 1.1.1
/// chains them). The caller owns the head's durability: it reads [`ChainWriter::head`] before
/// a line and sets it back if the line is not stored.
pub struct ChainWriter {
    chain: crate::integrity::Chain,
    event_id: Option<String>,
}

impl ChainWriter {
    /// A writer for `alg` (`"sha256"`, `"sha384"`, `"sha512"`), resuming after `head` (the
    /// last stored line's `event_hash`; `undefined` starts a new chain).
    pub fn new(alg: &str, head: Option<String>) -> Result<ChainWriter, Error> {
        let alg = crate::integrity::HashAlgorithm::parse_option(alg)?;
        Ok(ChainWriter {
            chain: crate::integrity::Chain::with_head(alg, head),
            event_id: None,
        })
    }

    /// Chain one emitted line (a JSON object; a trailing newline is ignored): its `integrity`
    /// block is computed, inserted (replacing any it had) and the head advances. Returns the
    /// chained line without a newline; `None` when the line is not a JSON object (the head is
    /// then unchanged).
    pub fn chain_line(&mut self, line: &str) -> Option<String> {
        use crate::json::read::{parse, Lite};
        self.event_id = None;
        // The pipeline's own step on the one reader's document: the line keeps its members'
        // order and is written as the logger writes lines (Python's `json.dumps` text).
        let Ok(Lite::Obj(mut event)) = parse(line) else {
            return None;
        };
        self.event_id = match crate::audit::event::get(&event, "event_id") {
            Some(Lite::Str(id)) => Some(id.to_string()),
            _ => None,
        };
        crate::audit::pipeline::seal(&mut self.chain, &mut event);
        let mut out = String::with_capacity(line.len() + 160);
        crate::json::write::line(&Lite::Obj(event), &mut out);
        Some(out)
    }

    /// The `event_id` of the line last given to [`ChainWriter::chain_line`] (`undefined`
    /// when it had none or was not an object).
    pub fn event_id(&self) -> Option<String> {
        self.event_id.clone()
    }

    /// The last chained line's `event_hash` (`undefined` before the first).
    pub fn head(&self) -> Option<String> {
        self.chain.head().map(str::to_owned)
    }

    /// Put the head back (after a line that was not stored), or resume elsewhere.
    pub fn set_head(&mut self, head: Option<String>) {
        self.chain.set_head(head);
    }
}

/// [`crate::fhir::to_fhir_audit_event_str`] on an event's JSON text: the FHIR R5 `AuditEvent`
/// resource's JSON, or, when the event cannot be converted, `!` followed by the JSON array of
/// its issues (`[{instancePath, schemaPath, keyword, message}]`, as `validateEvent` reports
/// them: keyword `"syntax"` with `line` / `column` for text that is not JSON, keyword
/// `"schema_version"` for a version this crate does not vendor).
pub fn fhir_text(text: &str) -> String {
    match crate::fhir::to_fhir_audit_event_str(text) {
        Ok(resource) => resource,
        Err(Error::Validation { issues }) => {
            let mut out = b"!".to_vec();
            let _ = serde_json::to_writer(&mut out, &issues);
            String::from_utf8(out).unwrap_or_default()
        }
        Err(e) => format!("![{}]", text_issue(&e)),
    }
}

/// A logger's configuration from the options' JSON text (an object of camelCase options,
/// as the facade writes it): [`Config::from_options`] on the one reader's document.
pub fn config_from_text(options_json: &str) -> Result<Config, Error> {
    match crate::json::read::parse_doc(options_json)? {
        crate::json::read::Lite::Obj(opts) => Config::from_members(&opts),
        _ => Err(Error::config(
            "options",
            crate::ConfigErrorKind::Type,
            "must be an object",
        )),
    }
}
