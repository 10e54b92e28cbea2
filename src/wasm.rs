//! WebAssembly bindings: a thin layer over the core for the npm package's JS facade.
//!
//! Data crosses the boundary as JSON text (the facade's `JSON.stringify` / `JSON.parse` are
//! far cheaper than walking JS objects from Rust). Nothing here can trap: every input error
//! becomes a status the facade turns into a counted failure or a thrown JS error.

use std::cell::RefCell;

use serde::Deserialize;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use crate::config::ValidationFailureMode;
use crate::diagnostics::CollectDiagnostics;
use crate::event::{AuditError, AuditRequest};
use crate::pipeline::{Outcome, Pipeline, Verdict};
use crate::{Config, ConfigErrorKind, Error, SchemaVersion, Timestamp, ValidationIssue};

/// Arguments of one `audit()` call as the facade serializes them.
#[derive(Deserialize)]
struct AuditInput {
    #[serde(default)]
    action: Value,
    #[serde(default)]
    id: Value,
    #[serde(default)]
    actor: Option<Value>,
    #[serde(default)]
    resource: Option<Value>,
    #[serde(default)]
    outcome: Option<Value>,
    #[serde(default)]
    correlation: Option<Value>,
    #[serde(default)]
    metadata: Option<Value>,
    #[serde(default, rename = "phiTouched")]
    phi_touched: Option<Value>,
    #[serde(default, rename = "dataClassification")]
    data_classification: Option<Value>,
    #[serde(default, rename = "actionName")]
    action_name: Option<Value>,
    #[serde(default)]
    error: Option<ErrorInput>,
    /// `loginSuccess`, `loginFailure` or `accessDenied`: the helper's rules (shared with the
    /// native logger through [`AuditRequest`]'s methods).
    #[serde(default)]
    helper: Option<String>,
    #[serde(default, rename = "errorType")]
    error_type: Option<Value>,
    #[serde(default, rename = "errorMessage")]
    error_message: Option<Value>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorInput {
    Exception { name: String, message: String },
    Message(String),
}

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
/// `d` when diagnostics wait in [`Core::take_diagnostics`], else `-`; then the event JSON
/// (for `E` / `W`) or the validation issues JSON (for `D` / `R`).
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
        let opts: Value =
            serde_json::from_str(options_json).map_err(|e| js_error(&Error::from_json(&e)))?;
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

    /// Build, prepare and validate one event. `input` is the facade's JSON of the call;
    /// `now_ms` the time source's epoch milliseconds (NaN when it failed).
    fn audit(&mut self, input: &str, now_ms: f64) -> String {
        let parsed: AuditInput = match serde_json::from_str(input) {
            Ok(v) => v,
            Err(e) => return self.input_failure(&e),
        };
        let req = AuditRequest {
            actor: parsed.actor,
            resource: parsed.resource,
            outcome: parsed.outcome,
            correlation: parsed.correlation,
            metadata: parsed.metadata,
            phi_touched: parsed.phi_touched,
            data_classification: parsed.data_classification,
            action_name: parsed.action_name,
            error: parsed.error.map(|e| match e {
                ErrorInput::Exception { name, message } => AuditError::Exception {
                    type_name: name,
                    message,
                },
                ErrorInput::Message(m) => AuditError::Message(m),
            }),
        };
        let req = match parsed.helper.as_deref() {
            Some("loginSuccess") => req.login_success(),
            Some("loginFailure") => req.login_failure(),
            Some("accessDenied") => req.access_denied(parsed.error_type, parsed.error_message),
            _ => req,
        };
        let (ev, pre) = self.pipeline.builder().build(
            parsed.action,
            req,
            Timestamp::from_millis_f64(now_ms),
            parsed.id,
        );
        self.finish(ev, pre)
    }

    /// [`Core::audit`] on the first `len` bytes of the shared input buffer (see [`input_buffer`]).
    #[wasm_bindgen(js_name = auditInput)]
    pub fn audit_input(&mut self, len: usize, now_ms: f64) -> String {
        match with_input(len, |text| self.audit(text, now_ms)) {
            Some(out) => out,
            None => self.reject(vec![issue("", "input", "input is not valid utf-8")]),
        }
    }

    /// [`Core::emit`] on the first `len` bytes of the shared input buffer.
    #[wasm_bindgen(js_name = emitInput)]
    pub fn emit_input(&mut self, len: usize) -> String {
        match with_input(len, |text| self.emit(text)) {
            Some(out) => out,
            None => self.reject(vec![issue("", "input", "input is not valid utf-8")]),
        }
    }

    /// Prepare and validate a pre-built event (JSON text).
    fn emit(&mut self, event_json: &str) -> String {
        match serde_json::from_str::<Value>(event_json) {
            Ok(Value::Object(m)) => {
                let out = self.pipeline.finish_prebuilt(m, &mut self.diag);
                self.respond(out)
            }
            Ok(_) => self.reject(vec![issue("", "type", "the event must be a JSON object")]),
            Err(e) => self.input_failure(&e),
        }
    }

    /// Diagnostics gathered since the last call, as JSON `[[level, message], ...]`.
    #[wasm_bindgen(js_name = takeDiagnostics)]
    pub fn take_diagnostics(&mut self) -> String {
        let entries = std::mem::take(&mut self.diag.entries);
        let list: Vec<(&str, String)> = entries.into_iter().map(|(l, m)| (l.as_str(), m)).collect();
        serde_json::to_string(&list).unwrap_or_else(|_| "[]".into())
    }

    fn input_failure(&mut self, e: &serde_json::Error) -> String {
        let message = match Error::from_json(e) {
            Error::Json { message, .. }
                if message.contains("surrogate")
                    || message.contains("unicode")
                    || message.contains("hex escape") =>
            {
                "input holds a lone surrogate or invalid unicode escape".to_string()
            }
            Error::Json { message, .. } if message.contains("recursion") => {
                "input is nested too deeply".to_string()
            }
            Error::Json { message, .. } => format!("input is not valid: {message}"),
            other => other.to_string(),
        };
        self.reject(vec![issue("", "input", &message)])
    }

    fn finish(&mut self, ev: Map<String, Value>, pre: Vec<ValidationIssue>) -> String {
        let out = self.pipeline.finish(ev, pre, &mut self.diag);
        self.respond(out)
    }

    /// Encode an outcome for the facade: status, diagnostics flag, then JSON.
    fn respond(&mut self, out: Outcome) -> String {
        let (status, body) = match out.verdict {
            Verdict::Emit => ('E', serde_json::to_string(&out.event)),
            Verdict::EmitInvalid => ('W', serde_json::to_string(&out.event)),
            Verdict::Drop => ('D', serde_json::to_string(&out.issues)),
            Verdict::Raise => ('R', serde_json::to_string(&out.issues)),
        };
        let mut text = String::with_capacity(512);
        text.push(status);
        text.push(if self.diag.entries.is_empty() {
            '-'
        } else {
            'd'
        });
        text.push_str(&body.unwrap_or_else(|_| "null".into()));
        text
    }

    /// A failure found before the pipeline (input that is not JSON, not an object, ...):
    /// validation fails with `issues`, and the configured mode decides as for any event.
    fn reject(&mut self, issues: Vec<ValidationIssue>) -> String {
        let out = self.pipeline.reject(issues, &mut self.diag);
        self.respond(out)
    }
}

thread_local! {
    /// Input text from JS, written with `TextEncoder.encodeInto` straight into wasm memory
    /// (about ten times cheaper than wasm-bindgen's per-character string copy).
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
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

/// [`validate_json`] on the first `len` bytes of the shared input buffer.
#[wasm_bindgen(js_name = validateInput)]
pub fn validate_input(len: usize, version: &str) -> Result<String, JsValue> {
    with_input(len, |text| validate_json(text, version))
        .unwrap_or_else(|| Err(js_sys::TypeError::new("input is not valid utf-8").into()))
}

fn issue(path: &str, keyword: &str, message: &str) -> ValidationIssue {
    ValidationIssue {
        instance_path: path.into(),
        schema_path: String::new(),
        keyword: keyword.into(),
        message: message.into(),
    }
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
        "redaction": match c.redaction { crate::Redaction::Reference => "reference", crate::Redaction::Strict => "strict" },
        "maxPending": c.max_pending,
        "enableIntegrity": c.enable_integrity,
        "hashAlgorithm": c.hash_algorithm.as_str(),
        "chainHead": c.chain_head,
    });
    v.to_string()
}

/// Validate an event (JSON text) against `version` (or its own `schema_version` when
/// empty). Returns JSON `{valid, errors}`; JSON syntax errors come back as one error with
/// keyword `"syntax"` and `line` / `column`.
fn validate_json(text: &str, version: &str) -> Result<String, JsValue> {
    let version = if version.is_empty() {
        None
    } else {
        Some(
            SchemaVersion::parse(version)
                .ok_or_else(|| js_error(&Error::UnsupportedSchemaVersion))?,
        )
    };
    let result = match crate::validator::validate_str(text, version) {
        Ok(issues) if issues.is_empty() => return Ok(r#"{"valid":true,"errors":[]}"#.to_string()),
        Ok(issues) => {
            // Written directly: building a `Value` of the issues first would copy every string.
            let errors = serde_json::to_string(&issues).unwrap_or_else(|_| "[]".into());
            return Ok(format!(r#"{{"valid":false,"errors":{errors}}}"#));
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
/// `{ ok, checked, failures: [{ line, event_id, reason }], ... }` (reasons never echo values).
#[wasm_bindgen(js_name = verifyChainJson)]
pub fn verify_chain_json(jsonl: &str) -> String {
    let r = crate::integrity::verify_chain(jsonl);
    let failures: Vec<Value> = r
        .failures
        .iter()
        .map(|f| serde_json::json!({ "line": f.line, "event_id": f.event_id, "kind": f.kind.as_str(), "reason": f.reason }))
        .collect();
    serde_json::json!({
        "ok": r.ok,
        "checked": r.checked,
        "chain_length": r.chain_length,
        "chain_gaps": r.chain_gaps,
        "hash_mismatches": r.hash_mismatches,
        "unchained_events": r.unchained_events,
        "algorithms": r.algorithms.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
        "failures": failures,
        "exit_code": r.exit_code(),
    })
    .to_string()
}
