//! The emitting wasm module (`bh-audit-logger`): a thin wasm-bindgen layer over the core.
//!
//! Text crosses the boundary (see [`bh_audit_logger::wire`]): the facade writes a call's JSON
//! with `TextEncoder.encodeInto` into a shared input buffer and reads one reply from a shared
//! output buffer. Nothing here can trap on input: every error becomes a status or a thrown JS
//! error of the class the core names ([`bh_audit_logger::ErrorClass`]). Only what emitting
//! needs is here; the auditor's code is in the `bh_audit_logger_trail` module.

use std::cell::RefCell;

use bh_audit_logger::wire::{self, ChainWriter as CoreChainWriter};
use bh_audit_logger::{CollectDiagnostics, Error, ErrorClass, Pipeline, SchemaVersion};
use wasm_bindgen::prelude::*;

/// The core's error as the JS error of its class (the one conversion in this module).
fn js_error(err: &Error) -> JsValue {
    let text = err.to_string();
    match err.class() {
        ErrorClass::Type => js_sys::TypeError::new(&text).into(),
        ErrorClass::Range => js_sys::RangeError::new(&text).into(),
        ErrorClass::Other => js_sys::Error::new(&text).into(),
    }
}

/// The engine for one logger configuration; replies as [`wire::write_reply`] writes them.
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
        let config = wire::config_from_text(options_json).map_err(|e| js_error(&e))?;
        let config_json = wire::config_to_json(&config);
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
    /// Returns the reply's byte length; the reply is at [`output_buffer`].
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

    /// Write the reply into the output buffer (`None`: the input was not UTF-8); its length.
    fn respond(&mut self, reply: Option<bh_audit_logger::Outcome>) -> usize {
        let reply = reply.unwrap_or_else(|| {
            self.pipeline
                .reject(vec![wire::not_utf8_issue()], &mut self.diag)
        });
        let entries = std::mem::take(&mut self.diag.entries);
        publish(|out| wire::write_reply(&reply, &entries, out))
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

/// [`wire::validate_text`] on the first `len` bytes of the shared input buffer. `version` is
/// 0 for the event's own `schema_version`, else 1 + its index in [`SchemaVersion::ALL`] (a
/// number crosses the boundary without an allocation, unlike a string). Returns the result's
/// byte length (0 = valid); the result itself is at [`output_buffer`].
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
    let out = with_input(len, |text| wire::validate_text(text, version))
        .ok_or_else(|| JsValue::from(js_sys::TypeError::new("input is not valid utf-8")))?
        .map_err(|e| js_error(&e))?;
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

/// The JSON `[schemaPath, keyword, message, rule]` of issue template `id` (see
/// [`wire::issue_template`]).
#[wasm_bindgen(js_name = issueTemplate)]
pub fn issue_template(id: u32) -> Result<String, JsValue> {
    wire::issue_template(id).ok_or_else(|| js_sys::RangeError::new("unknown issue template").into())
}

/// `sanitizeErrorMessage` with the chosen profile (`strict` = true for the strict profile).
#[wasm_bindgen(js_name = sanitizeMessage)]
pub fn sanitize_message(message: &str, max_len: u32, strict: bool) -> String {
    let max = max_len as usize;
    if strict {
        bh_audit_logger::sanitize::strict_sanitize_error_message(message, max)
    } else {
        bh_audit_logger::sanitize_error_message(message, max)
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

/// [`wire::ChainWriter`] for the `AuditChain` Durable Object: the single writer of one chain.
#[wasm_bindgen]
pub struct ChainWriter(CoreChainWriter);

#[wasm_bindgen]
impl ChainWriter {
    /// A writer for `alg` (`"sha256"`, `"sha384"`, `"sha512"`), resuming after `head` (the
    /// last stored line's `event_hash`; `undefined` starts a new chain).
    #[wasm_bindgen(constructor)]
    pub fn new(alg: &str, head: Option<String>) -> Result<ChainWriter, JsValue> {
        CoreChainWriter::new(alg, head)
            .map(ChainWriter)
            .map_err(|e| js_error(&e))
    }

    /// Chain one line (see [`wire::ChainWriter::chain_line`]); a `TypeError` (without
    /// echoing the line) when it is not a JSON object, the head then unchanged.
    #[wasm_bindgen(js_name = chainLine)]
    pub fn chain_line(&mut self, line: &str) -> Result<String, JsValue> {
        self.0
            .chain_line(line)
            .ok_or_else(|| js_sys::TypeError::new("the line is not a json object").into())
    }

    /// The `event_id` of the line last given to `chainLine` (`undefined` when it had none).
    #[wasm_bindgen(getter, js_name = eventId)]
    pub fn event_id(&self) -> Option<String> {
        self.0.event_id()
    }

    /// The last chained line's `event_hash` (`undefined` before the first).
    #[wasm_bindgen(getter)]
    pub fn head(&self) -> Option<String> {
        self.0.head()
    }

    /// Put the head back (after a line that was not stored), or resume elsewhere.
    #[wasm_bindgen(setter)]
    pub fn set_head(&mut self, head: Option<String>) {
        self.0.set_head(head);
    }
}
