//! The auditing wasm module (`bh-audit-logger/trail`): a thin wasm-bindgen layer over the
//! core's auditor side: the chain verifier, the trail report and the FHIR export. Bytes in,
//! JSON text out; errors thrown as the JS class the core names ([`ErrorClass`]). A Worker
//! that only emits never loads this module.

use bh_audit_logger::integrity::{self, ChainVerifier};
use bh_audit_logger::trail::{TrailOptions, TrailReport};
use bh_audit_logger::{wire, Error, ErrorClass, SchemaVersion};
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

fn finished() -> JsValue {
    js_sys::Error::new("already finished").into()
}

/// Verify a JSON-lines audit trail's hash chain. Returns JSON
/// `{ ok, checked, failures: [{ line, event_id, kind, reason }], ... }` (see
/// [`integrity::ChainReport::to_json`]; reasons never echo values).
#[wasm_bindgen(js_name = verifyChainJson)]
pub fn verify_chain_json(jsonl: &str) -> String {
    integrity::verify_chain(jsonl).to_json().to_string()
}

/// A [`ChainVerifier`] for JS: bytes in, the report's JSON out.
#[wasm_bindgen]
pub struct ChainVerifierCore {
    inner: Option<ChainVerifier>,
}

#[wasm_bindgen]
impl ChainVerifierCore {
    /// A verifier keeping the first `max_failures` failures.
    #[wasm_bindgen(constructor)]
    pub fn new(max_failures: u32) -> ChainVerifierCore {
        ChainVerifierCore {
            inner: Some(ChainVerifier::with_max_failures(max_failures as usize)),
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

/// A [`TrailReport`] for JS: bytes in, the summary's JSON out.
#[wasm_bindgen]
pub struct TrailReportCore {
    inner: Option<TrailReport>,
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
            inner: Some(TrailReport::new(TrailOptions {
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

/// [`wire::fhir_text`]: the FHIR R5 `AuditEvent` resource's JSON for an event's JSON text, or
/// `!` followed by the JSON array of its issues.
#[wasm_bindgen(js_name = fhirAuditEventJson)]
pub fn fhir_audit_event_json(text: &str) -> String {
    wire::fhir_text(text)
}
