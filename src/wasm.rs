//! WebAssembly bindings: a thin layer over the core for the npm package's JS facade.
//!
//! Data crosses the boundary as JSON text (the facade's `JSON.stringify` / `JSON.parse` are
//! far cheaper than walking JS objects from Rust). Nothing here can trap: every input error
//! becomes a status the facade turns into a counted failure or a thrown JS error.

use std::cell::RefCell;

use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::audit::pipeline::{issue, Outcome, Pipeline, Verdict};
use crate::config::ValidationFailureMode;
use crate::diagnostics::CollectDiagnostics;
use crate::{Config, ConfigErrorKind, Error, SchemaVersion, ValidationIssue};

fn js_error(err: &Error) -> JsValue {
    let text = err.to_string();
    match err {
        Error::Config {
            kind: ConfigErrorKind::Type,
            ..
        }
        | Error::UnknownOption { .. } => js_sys::TypeError::new(&text).into(),
        Error::Config {
            kind: ConfigErrorKind::Range,
            ..
        }
        | Error::UnsupportedSchemaVersion => js_sys::RangeError::new(&text).into(),
        _ => js_sys::Error::new(&text).into(),
    }
}

/// The engine for one logger configuration. Outputs of `audit` / `emit` start with a status
/// character: `E` emit, `W` emit despite validation issues, `D` dropped, `R` raise; then
/// `-`, or `d` followed by the call's diagnostics (JSON `[[level, message], ...]`) and a
/// newline; then the emitted line (for `E` / `W`) or the validation issues JSON (`D` / `R`).
#[wasm_bindgen]
pub struct Core {
    pipeline: Pipeline,
    diag: CollectDiagnostics,
    config_json: String,
}

#[wasm_bindgen]
impl Core {
    /// Validate the options (a JSON object, camelCase) and build the engine.
    #[wasm_bindgen(constructor)]
    pub fn new(options_json: &str) -> Result<Core, JsValue> {
        let opts = crate::json::read::parse_value(options_json).map_err(|e| js_error(&e))?;
        let Value::Object(opts) = opts else {
            return Err(js_sys::TypeError::new("options must be an object").into());
        };
        let config = Config::from_options(&opts).map_err(|e| js_error(&e))?;
        let config_json = config_to_json(&config);
        let pipeline = Pipeline::new(config).map_err(|e| js_error(&e))?;
        Ok(Core {
            pipeline,
            diag: CollectDiagnostics::default(),
            config_json,
        })
    }

    /// The last chained event's hash (`undefined` before the first, or without integrity).
    #[wasm_bindgen(getter, js_name = chainHead)]
    pub fn chain_head(&self) -> Option<String> {
        self.pipeline.chain_head().map(str::to_owned)
    }

    /// Resume the chain from `head` (a previous run's last `event_hash`); `false` when
    /// integrity is off.
    #[wasm_bindgen(js_name = setChainHead)]
    pub fn set_chain_head(&mut self, head: Option<String>) -> bool {
        self.pipeline.set_chain_head(head)
    }

    /// The resolved configuration (every option with its default applied), as JSON.
    #[wasm_bindgen(js_name = configJson)]
    pub fn config_json(&self) -> String {
        self.config_json.clone()
    }

    /// [`Pipeline::audit_text`] on the first `len` bytes of the shared input buffer (see
    /// [`input_buffer`]); `now_ms` is the time source's epoch milliseconds (NaN when it failed).
    /// Returns the reply's byte length; the reply is at [`output_buffer`] (see [`Core::respond`]).
    #[wasm_bindgen(js_name = auditInput)]
    pub fn audit_input(&mut self, len: usize, now_ms: f64) -> usize {
        let reply = with_input(len, |text| {
            self.pipeline.audit_text(text, now_ms, &mut self.diag)
        });
        self.respond(reply)
    }

    /// [`Pipeline::emit_text`] on the first `len` bytes of the shared input buffer; returns as
    /// [`Core::audit_input`] does.
    #[wasm_bindgen(js_name = emitInput)]
    pub fn emit_input(&mut self, len: usize) -> usize {
        let reply = with_input(len, |text| self.pipeline.emit_text(text, &mut self.diag));
        self.respond(reply)
    }

    /// Encode a reply for the facade into the output buffer: status, diagnostics flag, then
    /// the line or the issues' JSON (`None`: the input was not UTF-8). Returns its byte length.
    fn respond(&mut self, reply: Option<Outcome>) -> usize {
        let reply = reply.unwrap_or_else(|| {
            let issues = vec![issue("", "input", "input is not valid utf-8")];
            self.pipeline.reject(issues, &mut self.diag)
        });
        let status = match reply.verdict {
            Verdict::Emit => 'E',
            Verdict::EmitInvalid => 'W',
            Verdict::Drop => 'D',
            Verdict::Raise => 'R',
            Verdict::Refuse => 'T',
        };
        let entries = std::mem::take(&mut self.diag.entries);
        publish(|out| {
            out.push(status);
            if entries.is_empty() {
                out.push('-');
            } else {
                // Diagnostics travel with the reply (no second call): their JSON, then a
                // newline (neither it nor the line holds a raw one), then the body.
                out.push('d');
                write_diagnostics(&entries, out);
                out.push('\n');
            }
            match reply.verdict {
                Verdict::Emit | Verdict::EmitInvalid => out.push_str(&reply.line),
                Verdict::Drop | Verdict::Raise => write_issues(&reply.issues, out),
                Verdict::Refuse => write_refusal(reply.refused.as_ref(), out),
            }
        })
    }
}

thread_local! {
    /// Input text from JS, written with `TextEncoder.encodeInto` straight into wasm memory
    /// (about ten times cheaper than wasm-bindgen's per-character string copy).
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// The last result of `auditInput`, `emitInput` or `validateInput`, read by the facade
    /// from wasm memory (no string copy across the boundary, no free call; a valid event's
    /// empty validation result costs no decoding at all).
    static OUTPUT: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Make the shared input buffer at least `len` bytes long and return its address in wasm
/// memory. The facade writes UTF-8 there, then calls one of the `*Input` functions.
#[wasm_bindgen(js_name = inputBuffer)]
pub fn input_buffer(len: usize) -> usize {
    INPUT.with(|b| {
        let mut b = b.borrow_mut();
        if b.len() < len {
            b.resize(len, 0);
        }
        b.as_mut_ptr() as usize
    })
}

/// Run `f` on the first `len` bytes of the input buffer; `None` if they are not UTF-8.
/// A buffer grown past 1 MiB by a huge input is given back afterwards.
fn with_input<R>(len: usize, f: impl FnOnce(&str) -> R) -> Option<R> {
    let out = INPUT.with(|b| {
        let b = b.borrow();
        let text = std::str::from_utf8(b.get(..len)?).ok()?;
        Some(f(text))
    });
    INPUT.with(|b| {
        let mut b = b.borrow_mut();
        if b.len() > 1 << 20 {
            b.truncate(64 << 10);
            b.shrink_to_fit();
        }
    });
    out
}

/// [`validate_json`] on the first `len` bytes of the shared input buffer. `version` is 0 for
/// the event's own `schema_version`, else 1 + its index in [`SchemaVersion::ALL`] (a number
/// crosses the boundary without an allocation, unlike a string). Returns the result's byte
/// length (0 = valid); the result itself is at [`output_buffer`].
#[wasm_bindgen(js_name = validateInput)]
pub fn validate_input(len: usize, version: u32) -> Result<usize, JsValue> {
    let version = match version {
        0 => None,
        n => Some(
            SchemaVersion::ALL
                .get(n as usize - 1)
                .copied()
                .ok_or_else(|| js_error(&Error::UnsupportedSchemaVersion))?,
        ),
    };
    let out = with_input(len, |text| validate_json(text, version))
        .unwrap_or_else(|| Err(js_sys::TypeError::new("input is not valid utf-8").into()))?;
    Ok(publish(|o| o.push_str(&out)))
}

/// Replace the output buffer's text with what `write` appends; returns its byte length.
/// A buffer grown past 1 MiB by a huge result is given back first.
fn publish(write: impl FnOnce(&mut String)) -> usize {
    OUTPUT.with(|o| {
        let mut o = o.borrow_mut();
        if o.capacity() > 1 << 20 {
            *o = String::new();
        }
        o.clear();
        write(&mut o);
        o.len()
    })
}

/// The address in wasm memory of the last `auditInput` / `emitInput` / `validateInput` result
/// (UTF-8, as many bytes as the call returned); valid until the next of those calls.
#[wasm_bindgen(js_name = outputBuffer)]
pub fn output_buffer() -> usize {
    OUTPUT.with(|o| o.borrow().as_ptr() as usize)
}

fn config_to_json(c: &Config) -> String {
    let v = serde_json::json!({
        "serviceName": c.service_name,
        "serviceEnvironment": c.service_environment,
        "serviceVersion": c.service_version,
        "defaultActorId": c.default_actor_id,
        "defaultActorType": c.default_actor_type.as_str(),
        "metadataAllowlist": c.metadata_allowlist.iter().collect::<Vec<_>>(),
        "sanitizeErrors": c.sanitize_errors,
        "errorMessageMaxLen": c.error_message_max_len,
        "maxMetadataValueLength": c.max_metadata_value_length,
        "emitFailureMode": match c.emit_failure_mode { crate::EmitFailureMode::Silent => "silent", crate::EmitFailureMode::Log => "log", crate::EmitFailureMode::Raise => "raise" },
        "validationFailureMode": match c.validation_failure_mode { ValidationFailureMode::Drop => "drop", ValidationFailureMode::LogAndEmit => "log_and_emit", ValidationFailureMode::Raise => "raise" },
        "schemaVersion": c.schema_version.as_str(),
        "agentEventDowngradeMode": match c.downgrade_mode {
            crate::config::DowngradeMode::Raise => "raise",
            crate::config::DowngradeMode::Strip => "strip",
        },
        "redaction": match c.redaction { crate::Redaction::Reference => "reference", crate::Redaction::Strict => "strict" },
        "maxPending": c.max_pending,
        "enableIntegrity": c.enable_integrity,
        "hashAlgorithm": c.hash_algorithm.as_str(),
        "chainHead": c.chain_head,
    });
    v.to_string()
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

/// The JSON `[schemaPath, keyword, message, rule]` of template `id` (see [`Templates`]).
#[wasm_bindgen(js_name = issueTemplate)]
pub fn issue_template(id: u32) -> Result<String, JsValue> {
    TEMPLATES
        .with(|t| {
            let t = t.borrow();
            let triple = t.triples.get(id as usize)?;
            serde_json::to_string(triple).ok()
        })
        .ok_or_else(|| js_sys::RangeError::new("unknown issue template").into())
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
fn write_diagnostics(entries: &[(crate::Level, String)], out: &mut String) {
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
fn write_refusal(e: Option<&Error>, out: &mut String) {
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
fn write_issues(issues: &[ValidationIssue], out: &mut String) {
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
/// `None`). Returns `""` when it is valid (the facade makes the `{valid: true, errors: []}`
/// object); for issues found by the schema, their compact form (`[...]`, see
/// [`compact_issues`]); else JSON `{valid: false, errors}`: JSON syntax errors come back as
/// one error with keyword `"syntax"` and `line` / `column`.
fn validate_json(text: &str, version: Option<SchemaVersion>) -> Result<String, JsValue> {
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
        Err(Error::Json {
            line,
            column,
            message,
        }) => serde_json::json!({
            "valid": false,
            "errors": [{ "instancePath": "", "schemaPath": "", "keyword": "syntax",
                         "message": format!("invalid json at line {line} column {column}: {message}"),
                         "line": line, "column": column }]
        }),
        Err(Error::UnsupportedSchemaVersion) => serde_json::json!({
            "valid": false,
            "errors": [{ "instancePath": "/schema_version", "schemaPath": "", "keyword": "schema_version",
                         "message": Error::UnsupportedSchemaVersion.to_string() }]
        }),
        Err(e) => return Err(js_error(&e)),
    };
    Ok(result.to_string())
}

/// `sanitizeErrorMessage` with the chosen profile (`strict` = true for the strict profile).
#[wasm_bindgen(js_name = sanitizeMessage)]
pub fn sanitize_message(message: &str, max_len: u32, strict: bool) -> String {
    let max = max_len as usize;
    if strict {
        crate::sanitize::strict_sanitize_error_message(message, max)
    } else {
        crate::sanitize_error_message(message, max)
    }
}

/// The vendored schema versions, oldest first.
#[wasm_bindgen(js_name = schemaVersions)]
pub fn schema_versions() -> Vec<JsValue> {
    SchemaVersion::ALL
        .iter()
        .map(|v| JsValue::from_str(v.as_str()))
        .collect()
}

/// Verify a JSON-lines audit trail's hash chain. Returns JSON
/// `{ ok, checked, failures: [{ line, event_id, kind, reason }], ... }` (see
/// [`crate::integrity::ChainReport::to_json`]; reasons never echo values).
#[wasm_bindgen(js_name = verifyChainJson)]
pub fn verify_chain_json(jsonl: &str) -> String {
    crate::integrity::verify_chain(jsonl).to_json().to_string()
}

/// A [`crate::integrity::ChainVerifier`] for JS: bytes in, the report's JSON out.
#[wasm_bindgen]
pub struct ChainVerifierCore {
    inner: Option<crate::integrity::ChainVerifier>,
}

fn finished() -> JsValue {
    js_sys::Error::new("already finished").into()
}

#[wasm_bindgen]
impl ChainVerifierCore {
    /// A verifier keeping the first `max_failures` failures.
    #[wasm_bindgen(constructor)]
    pub fn new(max_failures: u32) -> ChainVerifierCore {
        ChainVerifierCore {
            inner: Some(crate::integrity::ChainVerifier::with_max_failures(
                max_failures as usize,
            )),
        }
    }

    /// Feed bytes (split anywhere).
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        self.inner.as_mut().ok_or_else(finished)?.push(chunk);
        Ok(())
    }

    /// Events examined so far.
    pub fn checked(&self) -> usize {
        self.inner.as_ref().map_or(0, |v| v.checked())
    }

    /// End of input: the report as JSON.
    pub fn finish(&mut self) -> Result<String, JsValue> {
        let v = self.inner.take().ok_or_else(finished)?;
        Ok(v.finish().to_json().to_string())
    }
}

/// A [`crate::trail::TrailReport`] for JS: bytes in, the summary's JSON out.
#[wasm_bindgen]
pub struct TrailReportCore {
    inner: Option<crate::trail::TrailReport>,
}

#[wasm_bindgen]
impl TrailReportCore {
    /// `version`: validate every line against it (`None`: each line's own
    /// `schema_version`); a version not vendored is a `RangeError`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        version: Option<String>,
        verify_chain: bool,
        max_failures: u32,
    ) -> Result<TrailReportCore, JsValue> {
        let schema_version = match version {
            None => None,
            Some(v) => Some(
                SchemaVersion::parse(&v)
                    .ok_or_else(|| js_error(&Error::UnsupportedSchemaVersion))?,
            ),
        };
        Ok(TrailReportCore {
            inner: Some(crate::trail::TrailReport::new(crate::trail::TrailOptions {
                schema_version,
                verify_chain,
                max_failures: max_failures as usize,
            })),
        })
    }

    /// Feed bytes (split anywhere).
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        self.inner.as_mut().ok_or_else(finished)?.push(chunk);
        Ok(())
    }

    /// Non-blank lines seen so far.
    pub fn events(&self) -> usize {
        self.inner.as_ref().map_or(0, |r| r.events())
    }

    /// End of input: the summary as JSON.
    pub fn finish(&mut self) -> Result<String, JsValue> {
        let r = self.inner.take().ok_or_else(finished)?;
        Ok(r.finish().to_json().to_string())
    }
}

/// The single writer of one hash chain, for the `AuditChain` Durable Object: chains emitted
/// lines one at a time with the core's [`crate::integrity::Chain`] (as bh-audit-logger 1.1.1
/// chains them). The caller owns the head's durability: it reads [`ChainWriter::head`] before
/// a line and sets it back if the line is not stored.
#[wasm_bindgen]
pub struct ChainWriter {
    chain: crate::integrity::Chain,
    event_id: Option<String>,
}

#[wasm_bindgen]
impl ChainWriter {
    /// A writer for `alg` (`"sha256"`, `"sha384"`, `"sha512"`), resuming after `head` (the
    /// last stored line's `event_hash`; `undefined` starts a new chain).
    #[wasm_bindgen(constructor)]
    pub fn new(alg: &str, head: Option<String>) -> Result<ChainWriter, JsValue> {
        let alg = crate::integrity::HashAlgorithm::parse_option(alg).map_err(|e| js_error(&e))?;
        Ok(ChainWriter {
            chain: crate::integrity::Chain::with_head(alg, head),
            event_id: None,
        })
    }

    /// Chain one emitted line (a JSON object; a trailing newline is ignored): its `integrity`
    /// block is computed, inserted (replacing any it had) and the head advances. Returns the
    /// chained line without a newline. Throws a `TypeError` (without echoing the line) when
    /// the line is not a JSON object; the head is then unchanged.
    #[wasm_bindgen(js_name = chainLine)]
    pub fn chain_line(&mut self, line: &str) -> Result<String, JsValue> {
        use crate::json::read::{parse, Lite};
        self.event_id = None;
        // The pipeline's own step on the one reader's document: the line keeps its members'
        // order and is written as the logger writes lines (Python's `json.dumps` text).
        let Ok(Lite::Obj(mut event)) = parse(line) else {
            return Err(js_sys::TypeError::new("the line is not a json object").into());
        };
        self.event_id = match crate::audit::event::get(&event, "event_id") {
            Some(Lite::Str(id)) => Some(id.to_string()),
            _ => None,
        };
        crate::audit::pipeline::seal(&mut self.chain, &mut event);
        let mut out = String::with_capacity(line.len() + 160);
        crate::json::write::line(&Lite::Obj(event), &mut out);
        Ok(out)
    }

    /// The `event_id` of the line last given to [`ChainWriter::chain_line`] (`undefined`
    /// when it had none or was not an object).
    #[wasm_bindgen(getter, js_name = eventId)]
    pub fn event_id(&self) -> Option<String> {
        self.event_id.clone()
    }

    /// The last chained line's `event_hash` (`undefined` before the first).
    #[wasm_bindgen(getter)]
    pub fn head(&self) -> Option<String> {
        self.chain.head().map(str::to_owned)
    }

    /// Put the head back (after a line that was not stored), or resume elsewhere.
    #[wasm_bindgen(setter)]
    pub fn set_head(&mut self, head: Option<String>) {
        self.chain.set_head(head);
    }
}

/// [`crate::fhir::to_fhir_audit_event_str`] on an event's JSON text: the FHIR R5 `AuditEvent`
/// resource's JSON, or, when the event cannot be converted, `!` followed by the JSON array of
/// its issues (`[{instancePath, schemaPath, keyword, message}]`, as `validateEvent` reports
/// them: keyword `"syntax"` with `line` / `column` for text that is not JSON, keyword
/// `"schema_version"` for a version this crate does not vendor).
#[wasm_bindgen(js_name = fhirAuditEventJson)]
pub fn fhir_audit_event_json(text: &str) -> String {
    let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
    match crate::fhir::to_fhir_audit_event_str(text) {
        Ok(resource) => resource,
        Err(Error::Validation { issues }) => {
            let mut out = b"!".to_vec();
            let _ = serde_json::to_writer(&mut out, &issues);
            String::from_utf8(out).unwrap_or_default()
        }
        Err(Error::Json {
            line,
            column,
            message,
        }) => format!(
            r#"![{{"instancePath":"","schemaPath":"","keyword":"syntax","message":{},"line":{line},"column":{column}}}]"#,
            quoted(&format!(
                "invalid json at line {line} column {column}: {message}"
            ))
        ),
        Err(e @ Error::UnsupportedSchemaVersion) => format!(
            r#"![{{"instancePath":"/schema_version","schemaPath":"","keyword":"schema_version","message":{}}}]"#,
            quoted(&e.to_string())
        ),
        Err(e) => format!(
            r#"![{{"instancePath":"","schemaPath":"","keyword":"internal","message":{}}}]"#,
            quoted(&e.to_string())
        ),
    }
}
