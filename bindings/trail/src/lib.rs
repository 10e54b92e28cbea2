//! The auditing wasm module (`bh-audit-logger/trail`): a thin wasm-bindgen layer over the
//! core's auditor side: the chain verifier, the trail report and the FHIR export. Bytes in,
//! JSON text out; errors thrown as the JS class the core names ([`ErrorClass`]). A Worker
//! that only emits never loads this module.

use bh_audit_logger::integrity::{self, ChainVerifier, VerifyOptions};
use bh_audit_logger::tlog::{self, merkle, witness, KeyType, SignerKey, VerifierKey};
use bh_audit_logger::trail::{Checkpoints, TrailOptions, TrailReport};
use bh_audit_logger::{wire, Error, ErrorClass, SchemaVersion};
use serde_json::json;
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

/// Checkpoints given with their verifier keys; a malformed key is a `RangeError` naming
/// `verifierKeys` (never echoing it).
fn checkpoints(notes: Vec<String>, keys: Vec<String>) -> Result<Checkpoints, JsValue> {
    Checkpoints::open(&notes, &keys).map_err(|e| {
        js_sys::RangeError::new(&format!("verifierKeys: {}", e.reason().message())).into()
    })
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
    /// A verifier keeping the first `max_failures` failures; `allow_unchained`: lines
    /// without an `integrity` block are not failures; `notes`: signed checkpoints to compare
    /// with the trail's tree, opened with `keys`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        max_failures: u32,
        allow_unchained: bool,
        notes: Vec<String>,
        keys: Vec<String>,
    ) -> Result<ChainVerifierCore, JsValue> {
        Ok(ChainVerifierCore {
            inner: Some(ChainVerifier::with_options(VerifyOptions {
                max_failures: max_failures as usize,
                allow_unchained,
                checkpoints: checkpoints(notes, keys)?,
            })),
        })
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

    /// The verifier's state as bytes (see [`ChainVerifier::state`]).
    pub fn state(&self) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.as_ref().ok_or_else(finished)?.state())
    }

    /// A verifier rebuilt from [`ChainVerifierCore::state`]'s bytes (in any instance).
    #[wasm_bindgen(js_name = fromState)]
    pub fn from_state(state: &[u8]) -> Result<ChainVerifierCore, JsValue> {
        ChainVerifier::from_state(state)
            .map(|v| ChainVerifierCore { inner: Some(v) })
            .map_err(|e| js_error(&e))
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
        allow_unchained: bool,
        notes: Vec<String>,
        keys: Vec<String>,
    ) -> Result<TrailReportCore, JsValue> {
        let schema_version = match version {
            None => None,
            Some(v) => Some(
                SchemaVersion::parse(&v)
                    .ok_or_else(|| js_error(&Error::UnsupportedSchemaVersion))?,
            ),
        };
        Ok(TrailReportCore {
            inner: Some(TrailReport::with_checkpoints(
                TrailOptions {
                    schema_version,
                    verify_chain,
                    max_failures: max_failures as usize,
                    allow_unchained,
                },
                checkpoints(notes, keys)?,
            )),
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

    /// The report's state as bytes (see [`TrailReport::state`]).
    pub fn state(&self) -> Result<Vec<u8>, JsValue> {
        Ok(self.inner.as_ref().ok_or_else(finished)?.state())
    }

    /// A report rebuilt from [`TrailReportCore::state`]'s bytes (in any instance).
    #[wasm_bindgen(js_name = fromState)]
    pub fn from_state(state: &[u8]) -> Result<TrailReportCore, JsValue> {
        TrailReport::from_state(state)
            .map(|r| TrailReportCore { inner: Some(r) })
            .map_err(|e| js_error(&e))
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

// ---------------------------------------------------------------------------------------
// Transparency-log checkpoints and proofs (src/tlog). Each function answers JSON text: the
// result, or `{"error": reason, "message": ...}` for the JS facade to throw or report.

fn refusal(e: tlog::Error) -> String {
    json!({ "error": e.reason().as_str(), "message": e.reason().message() }).to_string()
}

fn verifier_keys(keys: &[String]) -> Result<Vec<VerifierKey>, tlog::Error> {
    keys.iter().map(|k| VerifierKey::parse(k)).collect()
}

/// A tree size from a JS number: an integer from 0 to 2^53 - 1.
fn js_size(n: f64) -> Option<u64> {
    (n.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&n)).then_some(n as u64)
}

/// A proof's two sizes (an index or old size, and a tree size) from JS numbers.
fn js_sizes(a: f64, size: f64) -> Result<(u64, u64), JsValue> {
    match (js_size(a), js_size(size)) {
        (Some(a), Some(size)) => Ok((a, size)),
        _ => Err(js_sys::RangeError::new("sizes must be integers").into()),
    }
}

/// A tlog refusal thrown as a `RangeError` with its fixed message.
fn tlog_range_error(e: tlog::Error) -> JsValue {
    js_sys::RangeError::new(e.reason().message()).into()
}

/// `{ signerKey, verifierKey }` for an Ed25519 key named `name` from a 32-byte `seed` (the
/// facade's `crypto.getRandomValues`).
#[wasm_bindgen(js_name = generateSignerKeyJson)]
pub fn generate_signer_key_json(name: &str, seed: &[u8]) -> String {
    let Ok(seed) = <[u8; 32]>::try_from(seed) else {
        return refusal(tlog::Error::new(tlog::Reason::NoRandomness));
    };
    match SignerKey::from_seed(name, KeyType::Ed25519, &seed) {
        Ok(k) => json!({ "signerKey": k.to_text(), "verifierKey": k.verifier_key().to_text() })
            .to_string(),
        Err(e) => refusal(e),
    }
}

/// The signed checkpoint note of `(origin, size, root)` (root in base64), `{ note }`.
#[wasm_bindgen(js_name = signCheckpointJson)]
pub fn sign_checkpoint_json(origin: &str, size: f64, root: &str, signer_key: &str) -> String {
    let (Some(size), Some(root)) = (js_size(size), tlog::hash_from_base64(root)) else {
        return refusal(tlog::Error::new(tlog::Reason::MalformedCheckpoint));
    };
    match SignerKey::parse(signer_key).and_then(|k| tlog::sign_checkpoint(origin, size, &root, &k))
    {
        Ok(note) => json!({ "note": note }).to_string(),
        Err(e) => refusal(e),
    }
}

/// `{ origin, size, root, signers }` of a checkpoint note verified with `keys`.
#[wasm_bindgen(js_name = openCheckpointJson)]
pub fn open_checkpoint_json(note: &str, keys: Vec<String>) -> String {
    match verifier_keys(&keys).and_then(|k| tlog::open_checkpoint(note, &k)) {
        Ok(c) => json!({
            "origin": c.checkpoint.origin,
            "size": c.checkpoint.size,
            "root": tlog::hash_to_base64(&c.checkpoint.root),
            "signers": c.signers,
        })
        .to_string(),
        Err(e) => refusal(e),
    }
}

/// `{ ok, index, size, origin, reason? }`: is `entry` in the tree the proof's checkpoint signs?
#[wasm_bindgen(js_name = verifyInclusionProofJson)]
pub fn verify_inclusion_proof_json(proof: &str, entry: &[u8], keys: Vec<String>) -> String {
    let check = match verifier_keys(&keys) {
        Ok(k) => tlog::verify_inclusion_proof(proof, entry, &k),
        Err(e) => return refusal(e),
    };
    let mut v =
        json!({ "ok": check.ok, "index": check.index, "size": check.size, "origin": check.origin });
    if let Some(r) = check.reason {
        v["reason"] = r.as_str().into();
        v["message"] = r.message().into();
    }
    v.to_string()
}

/// `{ ok, reason? }`: does the newer checkpoint extend the older one?
#[wasm_bindgen(js_name = verifyConsistencyJson)]
pub fn verify_consistency_json(
    old_note: &str,
    new_note: &str,
    hashes: Vec<String>,
    keys: Vec<String>,
) -> String {
    let check = match verifier_keys(&keys) {
        Ok(k) => tlog::verify_consistency(old_note, new_note, &hashes, &k),
        Err(e) => return refusal(e),
    };
    let mut v = json!({ "ok": check.ok });
    if let Some(r) = check.reason {
        v["reason"] = r.as_str().into();
        v["message"] = r.message().into();
    }
    v.to_string()
}

/// A log's tree, streaming (O(log n) memory), for the `AuditChain` Durable Object: its state
/// is text, so it is kept in storage and rebuilt in any instance.
#[wasm_bindgen]
pub struct TreeCore(merkle::Tree, Vec<merkle::Node>);

#[wasm_bindgen]
impl TreeCore {
    /// The tree from its `state` (see [`TreeCore::state`]; `undefined`: the empty tree).
    #[wasm_bindgen(constructor)]
    pub fn new(state: Option<String>) -> Result<TreeCore, JsValue> {
        match state {
            None => Ok(TreeCore(merkle::Tree::new(), Vec::new())),
            Some(s) => merkle::Tree::from_state(&s)
                .map(|t| TreeCore(t, Vec::new()))
                .map_err(tlog_range_error),
        }
    }

    /// Add an entry (a line's bytes); returns its leaf hash in base64.
    #[wasm_bindgen(js_name = pushEntry)]
    pub fn push_entry(&mut self, entry: &[u8]) -> String {
        let leaf = merkle::leaf_hash(entry);
        self.push(leaf);
        tlog::hash_to_base64(&leaf)
    }

    /// Add an entry by its leaf hash (base64), as [`TreeCore::push_entry`] does.
    #[wasm_bindgen(js_name = pushLeafHash)]
    pub fn push_leaf_hash(&mut self, leaf: &str) -> Result<(), JsValue> {
        let leaf = tlog::hash_from_base64(leaf)
            .ok_or_else(|| JsValue::from(js_sys::RangeError::new("not a leaf hash")))?;
        self.push(leaf);
        Ok(())
    }

    /// Add a leaf, keeping the subtrees it completes for [`TreeCore::take_nodes`].
    fn push(&mut self, leaf: merkle::Hash) {
        let completed = &mut self.1;
        self.0.push_leaf_hash_nodes(leaf, |n| completed.push(n));
    }

    /// The perfect subtrees completed since the last call (level 1 and up), as
    /// `[level, index, base64 hash, ...]`, for the log to store beside its leaves.
    #[wasm_bindgen(js_name = takeNodes)]
    pub fn take_nodes(&mut self) -> Vec<JsValue> {
        let mut out = Vec::with_capacity(self.1.len() * 3);
        for n in self.1.drain(..) {
            out.push(JsValue::from(n.level));
            out.push(JsValue::from(n.index as f64));
            out.push(JsValue::from(tlog::hash_to_base64(&n.hash)));
        }
        out
    }

    /// Entries so far.
    pub fn size(&self) -> f64 {
        self.0.size() as f64
    }

    /// The root in base64.
    pub fn root(&self) -> String {
        tlog::hash_to_base64(&self.0.root())
    }

    /// The state as text.
    pub fn state(&self) -> String {
        self.0.to_state()
    }
}

/// The tlog-proof text for entry `index` with its inclusion `hashes` under checkpoint `note`.
#[wasm_bindgen(js_name = formatTlogProof)]
pub fn format_tlog_proof(index: f64, hashes: Vec<String>, note: &str) -> Result<String, JsValue> {
    let index = js_size(index)
        .ok_or_else(|| JsValue::from(js_sys::RangeError::new("index must be an integer")))?;
    let hashes = hashes
        .iter()
        .map(|h| tlog::hash_from_base64(h))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| JsValue::from(js_sys::RangeError::new("not a proof hash")))?;
    Ok(tlog::proof::TlogProof {
        extra: None,
        index,
        hashes,
        checkpoint: note.to_owned(),
    }
    .to_text())
}

/// A tlog-witness `add-checkpoint` request, answered: `{ status, contentType, body, reason?,
/// origin?, newState?: { size, root }, cosigned? }`. `state` is what the witness last
/// cosigned for the request's origin (`"size root"` text; empty: never), `now` POSIX seconds.
#[wasm_bindgen(js_name = witnessAddCheckpointJson)]
pub fn witness_add_checkpoint_json(
    body: &[u8],
    log_keys: Vec<String>,
    witness_key: &str,
    state: &str,
    now: f64,
) -> String {
    let keys = match verifier_keys(&log_keys) {
        Ok(k) => k,
        Err(e) => return refusal(e),
    };
    let signer = match SignerKey::parse(witness_key) {
        Ok(k) => k,
        Err(e) => return refusal(e),
    };
    let stored = |_: &str| {
        let (size, root) = state.split_once(' ')?;
        Some(witness::LogState {
            size: size.parse().ok()?,
            root: tlog::hash_from_base64(root)?,
        })
    };
    let r = witness::add_checkpoint(body, &keys, &[signer], stored, js_size(now).unwrap_or(0));
    json!({
        "status": r.status,
        "contentType": r.content_type,
        "body": r.body,
        "reason": r.reason.map(|r| r.as_str()),
        "origin": r.origin,
        "newState": r.new_state.map(|s| format!("{} {}", s.size, tlog::hash_to_base64(&s.root))),
        "cosigned": r.cosigned,
    })
    .to_string()
}

/// The verifier key text of a signer key (`undefined` when it is malformed).
#[wasm_bindgen(js_name = verifierKeyOf)]
pub fn verifier_key_of(signer_key: &str) -> Option<String> {
    SignerKey::parse(signer_key)
        .ok()
        .map(|k| k.verifier_key().to_text())
}

/// A witness (cosignature, type 0x04) key pair named `name` from a 32-byte `seed`.
#[wasm_bindgen(js_name = generateWitnessKeyJson)]
pub fn generate_witness_key_json(name: &str, seed: &[u8]) -> String {
    let Ok(seed) = <[u8; 32]>::try_from(seed) else {
        return refusal(tlog::Error::new(tlog::Reason::NoRandomness));
    };
    match SignerKey::from_seed(name, KeyType::Cosignature, &seed) {
        Ok(k) => json!({ "signerKey": k.to_text(), "verifierKey": k.verifier_key().to_text() })
            .to_string(),
        Err(e) => refusal(e),
    }
}

/// [`TrailProver`](bh_audit_logger::trail::TrailProver) for JS: the inclusion proof of one
/// entry of a trail given in pieces.
#[wasm_bindgen]
pub struct ProverCore(Option<bh_audit_logger::trail::TrailProver>);

#[wasm_bindgen]
impl ProverCore {
    /// A prover for entry `index` in the tree of the trail's first `size` entries.
    #[wasm_bindgen(constructor)]
    pub fn new(index: f64, size: f64) -> Result<ProverCore, JsValue> {
        let (Some(index), Some(size)) = (js_size(index), js_size(size)) else {
            return Err(js_sys::RangeError::new("index and size must be integers").into());
        };
        bh_audit_logger::trail::TrailProver::new(index, size)
            .map(|p| ProverCore(Some(p)))
            .map_err(tlog_range_error)
    }

    /// Feed bytes (split anywhere).
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        self.0.as_mut().ok_or_else(finished)?.push(chunk);
        Ok(())
    }

    /// Entries read so far.
    pub fn entries(&self) -> f64 {
        self.0.as_ref().map_or(0.0, |p| p.entries() as f64)
    }

    /// End of input: `{ hashes, root }` (base64), or `{ error, message }`.
    pub fn finish(&mut self) -> Result<String, JsValue> {
        let p = self.0.take().ok_or_else(finished)?;
        Ok(match p.finish() {
            Ok((hashes, root)) => json!({
                "hashes": hashes.iter().map(tlog::hash_to_base64).collect::<Vec<_>>(),
                "root": tlog::hash_to_base64(&root),
            })
            .to_string(),
            Err(e) => refusal(e),
        })
    }
}

/// A checkpoint note's body, NOT verified: `{ origin, size, root }`, or `{ error, message }`
/// (for `bh-audit prove`, which checks the root against the trail, not the signature).
#[wasm_bindgen(js_name = readCheckpointJson)]
pub fn read_checkpoint_json(note: &str) -> String {
    match tlog::note::Note::parse(note.as_bytes()).and_then(|n| tlog::Checkpoint::parse(&n.text)) {
        Ok(c) => {
            json!({ "origin": c.origin, "size": c.size, "root": tlog::hash_to_base64(&c.root) })
                .to_string()
        }
        Err(e) => refusal(e),
    }
}

/// RFC 9162 inclusion verification on raw values (base64; hashes of any length are refused,
/// not trusted): `""` when the proof holds, else the reason code. For the vector tests that
/// run transparency-dev/merkle's probes in this module.
#[wasm_bindgen(js_name = verifyInclusionRaw)]
pub fn verify_inclusion_raw(
    index: f64,
    size: f64,
    leaf: &str,
    proof: Vec<String>,
    root: &str,
) -> String {
    let decode = |s: &str| tlog::base64_decode(s);
    let (Some(index), Some(size), Some(leaf), Some(root)) =
        (js_size(index), js_size(size), decode(leaf), decode(root))
    else {
        return tlog::Reason::MalformedProof.as_str().to_owned();
    };
    let Some(proof) = proof.iter().map(|h| decode(h)).collect::<Option<Vec<_>>>() else {
        return tlog::Reason::MalformedProof.as_str().to_owned();
    };
    match merkle::verify_inclusion(index, size, &leaf, &proof, &root) {
        Ok(()) => String::new(),
        Err(e) => e.reason().as_str().to_owned(),
    }
}

/// RFC 9162 consistency verification on raw values, as [`verify_inclusion_raw`].
#[wasm_bindgen(js_name = verifyConsistencyRaw)]
pub fn verify_consistency_raw(
    size1: f64,
    size2: f64,
    root1: &str,
    root2: &str,
    proof: Vec<String>,
) -> String {
    let decode = |s: &str| tlog::base64_decode(s);
    let (Some(size1), Some(size2), Some(root1), Some(root2)) =
        (js_size(size1), js_size(size2), decode(root1), decode(root2))
    else {
        return tlog::Reason::MalformedProof.as_str().to_owned();
    };
    let Some(proof) = proof.iter().map(|h| decode(h)).collect::<Option<Vec<_>>>() else {
        return tlog::Reason::MalformedProof.as_str().to_owned();
    };
    match merkle::verify_consistency(size1, size2, &root1, &root2, &proof) {
        Ok(()) => String::new(),
        Err(e) => e.reason().as_str().to_owned(),
    }
}

/// The stored subtrees a proof needs, `[level, index, ...]` (see [`merkle::proof_nodes`]):
/// inclusion of entry `a` in the tree of `size`, or (`consistency`) from `a` to `size`.
#[wasm_bindgen(js_name = proofNodes)]
pub fn proof_nodes(a: f64, size: f64, consistency: bool) -> Result<Vec<f64>, JsValue> {
    let (a, size) = js_sizes(a, size)?;
    merkle::proof_nodes(a, size, consistency)
        .map(|ids| {
            ids.iter()
                .flat_map(|&(level, index)| [f64::from(level), index as f64])
                .collect()
        })
        .map_err(tlog_range_error)
}

/// The proof hashes (base64) from the stored subtrees' hashes [`proof_nodes`] named, in order.
#[wasm_bindgen(js_name = proofFromNodes)]
pub fn proof_from_nodes(
    a: f64,
    size: f64,
    consistency: bool,
    hashes: Vec<String>,
) -> Result<Vec<String>, JsValue> {
    let (a, size) = js_sizes(a, size)?;
    let hashes = hashes
        .iter()
        .map(|h| tlog::hash_from_base64(h))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| JsValue::from(js_sys::RangeError::new("not a subtree hash")))?;
    merkle::proof_from_nodes(a, size, consistency, &hashes)
        .map(|p| p.iter().map(tlog::hash_to_base64).collect())
        .map_err(tlog_range_error)
}
