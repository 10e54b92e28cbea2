//! Tamper-evident hash chaining, hash for hash equal to the Python reference
//! `bh-audit-logger` 1.1.1 (`bh_audit_logger._chain`, `_verifier`, `cli verify`).
//!
//! # The algorithm (as implemented by the reference)
//!
//! For an event `E` (a JSON object) and the previous event's hash `P` (a hex string, or
//! none for the first event of a chain), with algorithm `A` ∈ {`sha256`, `sha384`,
//! `sha512`}:
//!
//! 1. `C` = the canonical JSON of `E` **without its top-level `integrity` key**:
//!    Python `json.dumps(E, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`
//!    encoded as UTF-8. That is: object keys sorted recursively by code point (equal to
//!    UTF-8 byte order), no whitespace, non-ASCII written raw (also U+007F, U+2028,
//!    U+2029), and only `"` `\` `\b` `\f` `\n` `\r` `\t` and the other controls below
//!    U+0020 escaped (the latter as `\u00xx`, lowercase hex). Integers are written in
//!    decimal, floats as Python's `float.__repr__` (shortest round-trip digits; exponent
//!    form `d[.ddd]e±XX` when the decimal exponent is < -4 or >= 16, at least two
//!    exponent digits; otherwise fixed with at least one fractional digit: `1.0`,
//!    `-0.0`, `0.0001`, `1e-05`, `1e+16`, `5e-324`).
//! 2. `event_hash = hex(A(P_utf8 ‖ C))` when there is a previous hash, and
//!    `hex(A(C))` when there is none (nothing at all is prepended; not an empty
//!    string, not a zero hash). Lowercase hex.
//! 3. The event gets `integrity = {"event_hash": …, "hash_alg": A, "prev_event_hash": P}`
//!    in that key order; `prev_event_hash` is **absent** on the first event of a chain.
//!    Python writes `{**event, "integrity": block}`: the block goes last in the event,
//!    or keeps its position when the event already had an `integrity` key.
//!    [`Chain::seal`] does exactly that.
//!
//! # Verification (as `bh-audit verify --source file`)
//!
//! The file is split into lines on `\n`, `\r\n` or `\r` (Python universal newlines);
//! lines empty after stripping whitespace are skipped but keep their number. Each event
//! is checked in order, with `prev` = the previous chained event's *recorded*
//! `event_hash` (none at the start, reset to none after an event without `integrity`):
//!
//! * no `integrity` (or `null`): an *unchained* event; `prev` is reset. Python skips it; here
//!   it is an [`ChainFailureKind::Unchained`] failure unless
//!   [`VerifyOptions::allow_unchained`] (a line outside the chain proves nothing).
//! * `hash_mismatch`: the hash recomputed with `prev` and `integrity.hash_alg`
//!   (default `sha256` when absent) differs from `integrity.event_hash`.
//! * `chain_gap`: `prev_event_hash` is absent while this is not the first chained
//!   event of the file, or it is present and differs from `prev`.
//!
//! A removed or reordered event therefore shows up as a `chain_gap` *and* a
//! `hash_mismatch` on the first line after the cut (the hash is recomputed with the
//! actual predecessor's hash, as Python does). A changed field or changed `hash_alg`
//! shows up as a `hash_mismatch` on that line. An unparseable line (for example a
//! truncated last line) is an *error* (exit code 2 in Python, where the run stops with
//! no report); here it is reported as an [`ChainFailureKind::InvalidJson`] failure at
//! that line and verification stops there. Python crashes (exit code 1, traceback) on an
//! unsupported `hash_alg`; here that is an [`ChainFailureKind::UnsupportedAlgorithm`]
//! failure (exit code 1) and verification goes on. Lines that are not JSON objects, or
//! whose `integrity` block or hash fields have the wrong JSON type, on which Python also
//! crashes, are [`ChainFailureKind::Malformed`] errors (exit code 2) that stop the run.
//!
//! Python checks each event's hash against its own `hash_alg` only; a chain that
//! switches algorithm between events with correct hashes passes. So does this verifier
//! (for parity), but [`ChainReport::algorithms`] lists every algorithm seen so a caller
//! can insist on one.
//!
//! The verifier reads lines with the crate's one JSON reader in its Python mode
//! (`json::read::parse_python`), which keeps numbers as written, so
//! integers of any size and floats are canonicalized exactly as Python's `json.loads`
//! then `json.dumps` would (serde_json's default float parsing is not always correctly
//! rounded, and it has no integers beyond 64 bits). It also accepts Python's `NaN`,
//! `Infinity` and `-Infinity` tokens. [`canonical_json`] and [`compute_chain_hash`]
//! work on a `serde_json::Value` and are exact for every value it can hold, but a value
//! read from text by `serde_json::from_str` may already be off: without serde_json's
//! `float_roundtrip` feature (this crate enables it, but a build that unifies features
//! differently may not) some floats come out one unit in the last place away, and
//! integers outside the `i64`/`u64` range become floats. To rehash events written by
//! Python, read them with [`parse_json`], which rounds floats correctly and refuses what a
//! `Value` cannot hold.
//!
//! Note on the reference CLI: with typer 0.29 the single-command app takes no `verify`
//! subcommand word, so the working invocation is
//! `bh-audit --source file --path FILE [--format json]` (`bh-audit verify …` exits 2
//! with "unexpected extra argument").
//!
//! Failure reasons are fixed phrases and never contain values from the event; only the
//! `event_id` (when it is a string) is reported alongside.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use crate::audit::event::get;
use crate::json::read::{Lite, Members};
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::Error;

/// A hash algorithm allowed in `integrity.hash_alg`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum HashAlgorithm {
    /// SHA-256 (the reference's default); 64 hex digits.
    #[default]
    Sha256,
    /// SHA-384; 96 hex digits.
    Sha384,
    /// SHA-512; 128 hex digits.
    Sha512,
}

impl HashAlgorithm {
    /// Every supported algorithm.
    pub const ALL: [HashAlgorithm; 3] = [
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ];

    /// The name written in `integrity.hash_alg`: `"sha256"`, `"sha384"` or `"sha512"`.
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha384 => "sha384",
            HashAlgorithm::Sha512 => "sha512",
        }
    }

    /// Parse a `hash_alg` name. Exact, case-sensitive match as in the reference.
    pub fn parse(s: &str) -> Option<HashAlgorithm> {
        match s {
            "sha256" => Some(HashAlgorithm::Sha256),
            "sha384" => Some(HashAlgorithm::Sha384),
            "sha512" => Some(HashAlgorithm::Sha512),
            _ => None,
        }
    }

    /// Parse a `hash_alg` option value, returning a configuration error naming
    /// `hashAlgorithm` (without echoing the value) when it is not supported.
    pub fn parse_option(s: &str) -> Result<HashAlgorithm, Error> {
        HashAlgorithm::parse(s).ok_or_else(|| {
            Error::config(
                "hashAlgorithm",
                crate::ConfigErrorKind::Range,
                "expected one of sha256, sha384, sha512",
            )
        })
    }
}

impl std::fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Hash `prev_utf8 ‖ canonical` with `alg`, as lowercase hex.
fn hash_hex(prev: Option<&str>, canonical: &[u8], alg: HashAlgorithm) -> String {
    fn run<D: Digest>(prev: Option<&str>, canonical: &[u8]) -> String {
        let mut h = D::new();
        if let Some(p) = prev {
            h.update(p.as_bytes());
        }
        h.update(canonical);
        to_hex(&h.finalize())
    }
    match alg {
        HashAlgorithm::Sha256 => run::<Sha256>(prev, canonical),
        HashAlgorithm::Sha384 => run::<Sha384>(prev, canonical),
        HashAlgorithm::Sha512 => run::<Sha512>(prev, canonical),
    }
}

fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 0x0f)] as char);
    }
    s
}

// ---------------------------------------------------------------------------
// Canonical serialization
// ---------------------------------------------------------------------------

/// Write `s` as a JSON string the way Python's `json.dumps(..., ensure_ascii=False)` does
/// (the one escaper, [`crate::json::write::write_str`]).
fn write_str(out: &mut String, s: &str) {
    crate::json::write::write_str(s, out);
}

/// Write a float as Python's `float.__repr__` ([`crate::json::write::py_float`]).
pub(crate) fn write_float(out: &mut String, v: f64) {
    crate::json::write::py_float(v, out);
}

fn write_value(out: &mut String, v: &Value, skip_integrity: bool) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else if let Some(f) = n.as_f64() {
                write_float(out, f);
            }
        }
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item, false);
            }
            out.push(']');
        }
        Value::Object(map) => write_map(out, map, skip_integrity),
    }
}

fn write_map(out: &mut String, map: &Map<String, Value>, skip_integrity: bool) {
    let mut entries: Vec<(&String, &Value)> = map
        .iter()
        .filter(|(k, _)| !(skip_integrity && k.as_str() == "integrity"))
        .collect();
    crate::json::sort::sort_by(&mut entries, |a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    out.push('{');
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, k);
        out.push(':');
        write_value(out, v, false);
    }
    out.push('}');
}

/// Canonical JSON of `value`, as Python's
/// `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`.
///
/// Nothing is excluded here; [`compute_chain_hash`] drops the top-level `integrity` key.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value, false);
    out
}

/// The chain hash of `event` (lowercase hex): the hash of `prev`'s UTF-8 bytes, when
/// given, followed by the canonical JSON of `event` without its top-level `integrity`
/// key. A non-object `event` is hashed whole.
pub fn compute_chain_hash(prev: Option<&str>, event: &Value, alg: HashAlgorithm) -> String {
    let mut out = String::new();
    write_value(&mut out, event, true);
    hash_hex(prev, out.as_bytes(), alg)
}

/// The `integrity` block for `event` chained after `prev`, with keys in the reference's
/// order: `event_hash`, `hash_alg`, then `prev_event_hash` only when `prev` is given.
pub fn integrity_block(prev: Option<&str>, event: &Value, alg: HashAlgorithm) -> Value {
    let mut block = Map::new();
    block.insert(
        "event_hash".to_string(),
        Value::String(compute_chain_hash(prev, event, alg)),
    );
    block.insert(
        "hash_alg".to_string(),
        Value::String(alg.as_str().to_string()),
    );
    if let Some(p) = prev {
        block.insert("prev_event_hash".to_string(), Value::String(p.to_string()));
    }
    Value::Object(block)
}

/// The state of one hash chain: its algorithm and the hash of its last sealed event
/// (the reference's `ChainState`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Chain {
    head: Option<String>,
    alg: HashAlgorithm,
}

impl Chain {
    /// A new, empty chain: the first sealed event gets no `prev_event_hash`.
    pub fn new(alg: HashAlgorithm) -> Chain {
        Chain { head: None, alg }
    }

    /// A chain resumed after an event whose hash is `head` (for example from a previous
    /// process run); `None` starts a new chain.
    pub fn with_head(alg: HashAlgorithm, head: Option<String>) -> Chain {
        Chain { head, alg }
    }

    /// The chain's hash algorithm.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.alg
    }

    /// The hash of the last sealed event, or `None` before the first.
    pub fn head(&self) -> Option<&str> {
        self.head.as_deref()
    }

    /// Replace the chain head (`None` starts a new chain).
    pub fn set_head(&mut self, head: Option<String>) {
        self.head = head;
    }

    /// Compute `event`'s `integrity` block, insert it and advance the head.
    ///
    /// Like the reference's `{**event, "integrity": block}`, the block is appended at
    /// the end of the event, or replaces an existing `integrity` value in place. Any
    /// existing `integrity` value is excluded from the hash.
    ///
    /// # Errors
    ///
    /// None at present: every `serde_json` value has a canonical form. The `Result`
    /// leaves room for chain stores that can fail.
    pub fn seal(&mut self, event: &mut Map<String, Value>) -> Result<(), Error> {
        let mut out = String::new();
        write_map(&mut out, event, true);
        let link = self.link(out.as_bytes());
        let mut block = Map::new();
        block.insert("event_hash".to_string(), Value::String(link.event_hash));
        block.insert(
            "hash_alg".to_string(),
            Value::String(link.hash_alg.as_str().to_string()),
        );
        if let Some(p) = link.prev_event_hash {
            block.insert("prev_event_hash".to_string(), Value::String(p));
        }
        event.insert("integrity".to_string(), Value::Object(block));
        Ok(())
    }

    /// Chain the next event, given its canonical text (without its `integrity` member, see
    /// [`canonical_json`]): the head advances to its hash, and the block's fields come back.
    pub fn link(&mut self, canonical: &[u8]) -> Link {
        let hash = hash_hex(self.head.as_deref(), canonical, self.alg);
        let prev = self.head.replace(hash.clone());
        Link {
            event_hash: hash,
            hash_alg: self.alg,
            prev_event_hash: prev,
        }
    }
}

/// The fields of one event's `integrity` block, in the reference's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link {
    /// The event's chain hash (lowercase hex).
    pub event_hash: String,
    /// The algorithm.
    pub hash_alg: HashAlgorithm,
    /// The previous event's hash; `None` on the first event of a chain.
    pub prev_event_hash: Option<String>,
}

// ---------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------

/// What kind of problem a [`ChainFailure`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ChainFailureKind {
    /// The recomputed hash differs from `integrity.event_hash` (Python `hash_mismatch`).
    HashMismatch,
    /// `prev_event_hash` does not link to the previous event (Python `chain_gap`).
    ChainGap,
    /// `integrity.hash_alg` is not a supported algorithm (Python crashes).
    UnsupportedAlgorithm,
    /// The line is not valid JSON, or not UTF-8 (Python: exit code 2). Verification
    /// stops here.
    InvalidJson,
    /// The line is not an object, or its integrity fields have the wrong JSON type
    /// (Python crashes). Verification stops here.
    Malformed,
    /// The line is longer than [`MAX_LINE_BYTES`]: it is not read (so memory stays
    /// bounded) and verification stops here.
    LineTooLong,
    /// The event has no `integrity` block: a line outside the chain, which proves nothing
    /// (a failure unless unchained lines are allowed; Python 1.1.1 skips such lines).
    Unchained,
}

impl ChainFailureKind {
    /// A stable snake_case name: `hash_mismatch`, `chain_gap`, `unsupported_algorithm`,
    /// `invalid_json`, `malformed`, `line_too_long` or `unchained`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChainFailureKind::HashMismatch => "hash_mismatch",
            ChainFailureKind::ChainGap => "chain_gap",
            ChainFailureKind::UnsupportedAlgorithm => "unsupported_algorithm",
            ChainFailureKind::InvalidJson => "invalid_json",
            ChainFailureKind::Malformed => "malformed",
            ChainFailureKind::LineTooLong => "line_too_long",
            ChainFailureKind::Unchained => "unchained",
        }
    }

    /// Whether this is an input error (exit code 2) rather than an integrity failure.
    /// Verification stops at an input error.
    pub fn is_error(self) -> bool {
        matches!(
            self,
            ChainFailureKind::InvalidJson
                | ChainFailureKind::Malformed
                | ChainFailureKind::LineTooLong
        )
    }
}

/// One problem found by [`verify_chain`] or a [`ChainVerifier`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChainFailure {
    /// Line number in the input, from 1 (blank lines count).
    pub line: usize,
    /// Index of the event among the non-blank lines, from 0 (Python's `event_index`).
    pub event_index: usize,
    /// The event's `event_id` when it is a UUID (8-4-4-4-12 hex digits); any other
    /// value is never repeated (it could carry an identifier or control characters).
    pub event_id: Option<String>,
    /// The kind of problem.
    pub kind: ChainFailureKind,
    /// A fixed phrase describing the problem; never contains event values.
    pub reason: String,
}

/// The outcome of [`verify_chain`] or [`ChainVerifier::finish`].
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct ChainReport {
    /// No failures of any kind.
    pub ok: bool,
    /// Events (non-blank lines) examined, including an unparseable one.
    pub checked: usize,
    /// Events that carry an `integrity` block.
    pub chain_length: usize,
    /// Number of [`ChainFailureKind::ChainGap`] failures.
    pub chain_gaps: usize,
    /// Number of [`ChainFailureKind::HashMismatch`] failures.
    pub hash_mismatches: usize,
    /// Events without an `integrity` block (not a failure on their own).
    pub unchained_events: usize,
    /// Every supported `hash_alg` seen, in order of first appearance.
    pub algorithms: Vec<HashAlgorithm>,
    /// The problems, in line order: the first `max_failures` of them (see
    /// [`ChainVerifier::with_max_failures`]; [`verify_chain`] keeps all), plus the input
    /// error that stopped verification, if any.
    pub failures: Vec<ChainFailure>,
    /// Failures found but not kept in `failures` (over the cap).
    pub failures_omitted: usize,
    /// The trail's Merkle tree (RFC 6962 over its non-blank lines); `None` only from a
    /// bare chain check (a [`ChainVerifier`] and a trail report both build it).
    pub tree: Option<crate::trail::TreeHead>,
    /// Each checkpoint given, compared with the tree (see [`VerifyOptions::checkpoints`]).
    pub checkpoints: Vec<crate::trail::CheckpointResult>,
}

impl ChainReport {
    /// The exit code `bh-audit verify` uses: 0 pass, 1 integrity failure, 2 input error.
    pub fn exit_code(&self) -> i32 {
        if self.failures.iter().any(|f| f.kind.is_error()) {
            2
        } else if self.ok {
            0
        } else {
            1
        }
    }

    /// The report as the JSON object `verifyChain` returns: `ok`, `checked`,
    /// `chain_length`, `chain_gaps`, `hash_mismatches`, `unchained_events`, `algorithms`,
    /// `failures` (`line`, `event_id`, `kind`, `reason`), `failures_omitted`, `exit_code`,
    /// `tree` (`{ size, root }` or null) and `checkpoints` (`[{ size, origin, ok, reason?,
    /// message?, line? }]`).
    pub fn to_json(&self) -> Value {
        let failures: Vec<Value> = self
            .failures
            .iter()
            .map(|f| {
                serde_json::json!({
                    "line": f.line,
                    "event_id": f.event_id,
                    "kind": f.kind.as_str(),
                    "reason": f.reason,
                })
            })
            .collect();
        serde_json::json!({
            "ok": self.ok,
            "checked": self.checked,
            "chain_length": self.chain_length,
            "chain_gaps": self.chain_gaps,
            "hash_mismatches": self.hash_mismatches,
            "unchained_events": self.unchained_events,
            "algorithms": self.algorithms.iter().map(|a| a.as_str()).collect::<Vec<_>>(),
            "failures": failures,
            "failures_omitted": self.failures_omitted,
            "exit_code": self.exit_code(),
            "tree": self.tree.as_ref().map(crate::trail::TreeHead::to_json),
            "checkpoints": self.checkpoints.iter().map(crate::trail::CheckpointResult::to_json).collect::<Vec<_>>(),
        })
    }
}

const REASON_MISMATCH: &str =
    "event content does not match its recorded hash; the event may have been modified";
const REASON_GAP_MISSING: &str = "missing prev_event_hash mid-chain (possible unchained emission)";
const REASON_GAP_LINK: &str =
    "prev_event_hash does not match the previous event's hash; an event may have been deleted or reordered";
const REASON_UNCHAINED: &str =
    "event has no integrity block: a line outside the chain proves nothing (allow unchained lines to accept it)";
const REASON_ALG: &str = "unsupported hash_alg (expected sha256, sha384 or sha512)";
const REASON_NOT_OBJECT: &str = "line is not a json object";
const REASON_INTEGRITY_TYPE: &str = "integrity is not a json object";
const REASON_FIELD_TYPE: &str = "integrity.event_hash or integrity.prev_event_hash is not a string";
pub(crate) const REASON_NOT_UTF8: &str = "line is not valid utf-8";
pub(crate) const REASON_TOO_LONG: &str =
    "line is longer than the limit (MAX_LINE_BYTES) and was not read";

/// The longest line (in bytes, without its line break) a [`ChainVerifier`] or
/// [`crate::trail::TrailReport`] reads: 1 MiB, far above any audit event. A longer line
/// is a [`ChainFailureKind::LineTooLong`] failure at that line, so memory stays bounded
/// whatever the input.
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The longest line a logger emits, in UTF-8 bytes: [`MAX_LINE_BYTES`] less room for the
/// longest `integrity` block (`sha512`, with `prev_event_hash`: 327 bytes), so a line stays
/// readable by the verifiers even after a chain writer (the `AuditChain` object) seals it
/// again. A longer event is a validation failure (`maxLineBytes`), never emitted; stores
/// refuse lines over [`MAX_LINE_BYTES`]. The JS package's `MAX_LINE_BYTES` is pinned to
/// these by `tests/js/line-limit.test.mjs`.
pub const MAX_EMITTED_LINE_BYTES: usize = MAX_LINE_BYTES - 512;

/// How many failures [`ChainVerifier::new`] keeps in [`ChainReport::failures`].
pub const DEFAULT_MAX_FAILURES: usize = 1000;

/// Python's `str.isspace`: Rust's `char::is_whitespace` plus U+001C..U+001F.
fn py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// A line with Python's `str.strip()` applied (empty: a blank line, skipped).
pub(crate) fn trim_line(line: &str) -> &str {
    line.trim_matches(py_space)
}

/// The `event_id` of an event when it is a UUID, else `None`.
pub(crate) fn uuid_event_id(members: &Members<'_>) -> Option<String> {
    match get(members, "event_id") {
        Some(Lite::Str(s)) if crate::validator::format::is_uuid(s) => Some(s.to_string()),
        _ => None,
    }
}

/// Why [`crate::json::read::parse_python`] refused a line, as a fixed phrase.
pub(crate) fn read_error_reason(e: crate::json::read::ReadError) -> &'static str {
    use crate::json::read::ReadError;
    match e {
        ReadError::Syntax(_) => "line is not valid json",
        ReadError::Surrogate => "line holds a lone surrogate or an invalid unicode escape",
        ReadError::Range => "line holds a number out of range",
        ReadError::Depth => "line is nested too deeply",
    }
}

/// The chain check of one trail, event by event (shared by [`ChainVerifier`] and
/// [`crate::trail::TrailReport`]).
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct ChainCheck {
    report: ChainReport,
    prev: Option<String>,
    stopped: bool,
    any_failure: bool,
    max_failures: usize,
    allow_unchained: bool,
    /// Every failure recorded (kept or not) since the consumer last took them, in line
    /// order (not state: a consumer takes them after each line; see [`TrailReport`]).
    ///
    /// [`TrailReport`]: crate::trail::TrailReport
    #[serde(skip)]
    pub(crate) settled: Vec<Settled>,
    /// Events read whose hash is not yet computed, in line order: their inputs
    /// (`prev ‖ canonical`, one after the other) and what to report.
    waiting: Vec<Waiting>,
    waiting_text: String,
    /// Scratch space for the batch's SHA-256 digests (not state).
    #[serde(skip)]
    digests: Vec<[u8; 32]>,
}

/// A failure as the chain check recorded it, for a consumer that reports it too.
pub(crate) struct Settled {
    pub(crate) line: usize,
    pub(crate) event_id: Option<String>,
    pub(crate) kind: ChainFailureKind,
    pub(crate) reason: &'static str,
}

/// An event whose hash is computed with others', and the failures that wait for it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Waiting {
    line: usize,
    index: usize,
    event_id: Option<String>,
    /// The `event_hash` recorded (None: explicitly null).
    recorded: Option<String>,
    alg: HashAlgorithm,
    /// Its input in `waiting_text`.
    input: std::ops::Range<usize>,
    /// The link found broken (reported after the hash).
    gap: Option<Gap>,
}

/// How a chain link is broken.
#[derive(Clone, Copy, serde::Serialize, serde::Deserialize)]
enum Gap {
    /// No `prev_event_hash` mid-chain.
    Missing,
    /// A `prev_event_hash` other than the previous event's hash.
    Link,
}

impl Gap {
    fn reason(self) -> &'static str {
        match self {
            Gap::Missing => REASON_GAP_MISSING,
            Gap::Link => REASON_GAP_LINK,
        }
    }
}

impl ChainCheck {
    /// A check keeping `max_failures` failures; `allow_unchained`: an event without an
    /// `integrity` block is counted, not a failure. Events are hashed in batches, several
    /// lines later ([`ChainCheck::settle`]); failures are still recorded in line order.
    pub(crate) fn new(max_failures: usize, allow_unchained: bool) -> ChainCheck {
        ChainCheck {
            allow_unchained,
            report: ChainReport::default(),
            prev: None,
            stopped: false,
            any_failure: false,
            max_failures,
            settled: Vec::new(),
            waiting: Vec::new(),
            waiting_text: String::new(),
            digests: Vec::new(),
        }
    }

    /// The line of the first event whose hash is waiting, if any: every failure of an earlier
    /// line is recorded.
    pub(crate) fn first_waiting_line(&self) -> Option<usize> {
        self.waiting.first().map(|w| w.line)
    }

    /// Hash the waiting events and record their failures, in line order. SHA-256 inputs are
    /// hashed together ([`crate::sha256::digest_many`]), the rare SHA-384/512 ones one by one.
    pub(crate) fn settle(&mut self) {
        if self.waiting.is_empty() {
            return;
        }
        let mut text = std::mem::take(&mut self.waiting_text);
        let bytes = text.as_bytes();
        let sha256: Vec<&[u8]> = self
            .waiting
            .iter()
            .filter(|w| w.alg == HashAlgorithm::Sha256)
            .map(|w| &bytes[w.input.clone()])
            .collect();
        let mut digests = std::mem::take(&mut self.digests);
        crate::sha256::digest_many(&sha256, &mut digests);
        let mut batched = digests.iter();
        let waiting = std::mem::take(&mut self.waiting);
        for w in &waiting {
            let recomputed = match w.alg {
                HashAlgorithm::Sha256 => batched.next().map(|d| to_hex(d)),
                alg => Some(hash_hex(None, &bytes[w.input.clone()], alg)),
            };
            if w.recorded != recomputed {
                let kind = ChainFailureKind::HashMismatch;
                self.record(w.line, w.index, kind, REASON_MISMATCH, &w.event_id);
            }
            if let Some(gap) = w.gap {
                let kind = ChainFailureKind::ChainGap;
                self.record(w.line, w.index, kind, gap.reason(), &w.event_id);
            }
        }
        self.waiting = waiting;
        self.waiting.clear();
        self.digests = digests;
        text.clear();
        // A huge canonical form is not kept around.
        if text.capacity() <= 1 << 20 {
            self.waiting_text = text;
        }
    }

    /// Events examined so far.
    pub(crate) fn checked(&self) -> usize {
        self.report.checked
    }

    /// Check one raw line (blank lines are skipped).
    pub(crate) fn line(&mut self, line_no: usize, raw: crate::trail::RawLine<'_>) {
        use crate::trail::RawLine;
        match raw {
            RawLine::Text(text) => {
                let line = trim_line(text);
                if line.is_empty() || self.stopped {
                    return;
                }
                match crate::json::read::parse_python(line) {
                    Ok(node) => self.event(line_no, Ok(&node)),
                    Err(e) => self.event(
                        line_no,
                        Err((ChainFailureKind::InvalidJson, read_error_reason(e))),
                    ),
                }
            }
            RawLine::NotUtf8(_) => self.event(
                line_no,
                Err((ChainFailureKind::InvalidJson, REASON_NOT_UTF8)),
            ),
            RawLine::TooLong => self.event(
                line_no,
                Err((ChainFailureKind::LineTooLong, REASON_TOO_LONG)),
            ),
        }
    }

    /// Report a failure of the event being read (after those of the events waiting).
    fn fail(
        &mut self,
        line: usize,
        event_index: usize,
        kind: ChainFailureKind,
        reason: &'static str,
        event_id: &Option<String>,
    ) {
        self.settle();
        self.record(line, event_index, kind, reason, event_id);
    }

    fn record(
        &mut self,
        line: usize,
        event_index: usize,
        kind: ChainFailureKind,
        reason: &'static str,
        event_id: &Option<String>,
    ) {
        self.any_failure = true;
        self.settled.push(Settled {
            line,
            event_id: event_id.clone(),
            kind,
            reason,
        });
        match kind {
            ChainFailureKind::HashMismatch => self.report.hash_mismatches += 1,
            ChainFailureKind::ChainGap => self.report.chain_gaps += 1,
            _ => {}
        }
        // An input error ends verification: it is kept even over the cap (at most one).
        if self.report.failures.len() < self.max_failures || kind.is_error() {
            self.report.failures.push(ChainFailure {
                line,
                event_index,
                event_id: event_id.clone(),
                kind,
                reason: reason.to_string(),
            });
        } else {
            self.report.failures_omitted += 1;
        }
    }

    /// Check one non-blank line, parsed (or the reason it could not be read).
    pub(crate) fn event(
        &mut self,
        line_no: usize,
        parsed: Result<&Lite<'_>, (ChainFailureKind, &'static str)>,
    ) {
        if self.stopped {
            return;
        }
        let idx = self.report.checked;
        self.report.checked += 1;
        let node = match parsed {
            Ok(node) => node,
            Err((kind, reason)) => {
                self.fail(line_no, idx, kind, reason, &None);
                self.stopped = true;
                return;
            }
        };
        let Lite::Obj(members) = node else {
            self.fail(
                line_no,
                idx,
                ChainFailureKind::Malformed,
                REASON_NOT_OBJECT,
                &None,
            );
            self.stopped = true;
            return;
        };
        let event_id = uuid_event_id(members);
        let integrity = match get(members, "integrity") {
            None | Some(Lite::Null) => {
                self.report.unchained_events += 1;
                self.prev = None;
                if !self.allow_unchained {
                    self.fail(
                        line_no,
                        idx,
                        ChainFailureKind::Unchained,
                        REASON_UNCHAINED,
                        &event_id,
                    );
                }
                return;
            }
            Some(Lite::Obj(m)) => m,
            Some(_) => {
                self.fail(
                    line_no,
                    idx,
                    ChainFailureKind::Malformed,
                    REASON_INTEGRITY_TYPE,
                    &event_id,
                );
                self.stopped = true;
                return;
            }
        };
        self.report.chain_length += 1;

        // Python: integrity.get("event_hash", ""); None when explicitly null.
        let recorded: Option<String> = match get(integrity, "event_hash") {
            None => Some(String::new()),
            Some(Lite::Null) => None,
            Some(Lite::Str(s)) => Some(s.to_string()),
            Some(_) => {
                self.fail(
                    line_no,
                    idx,
                    ChainFailureKind::Malformed,
                    REASON_FIELD_TYPE,
                    &event_id,
                );
                self.stopped = true;
                return;
            }
        };
        let recorded_prev: Option<&str> = match get(integrity, "prev_event_hash") {
            None | Some(Lite::Null) => None,
            Some(Lite::Str(s)) => Some(s.as_ref()),
            Some(_) => {
                self.fail(
                    line_no,
                    idx,
                    ChainFailureKind::Malformed,
                    REASON_FIELD_TYPE,
                    &event_id,
                );
                self.stopped = true;
                return;
            }
        };
        let alg = match get(integrity, "hash_alg") {
            None => Some(HashAlgorithm::Sha256),
            Some(Lite::Str(s)) => HashAlgorithm::parse(s),
            Some(_) => None,
        };

        let gap = match recorded_prev {
            None if self.report.chain_length > 1 => Some(Gap::Missing),
            Some(rp) if Some(rp) != self.prev.as_deref() => Some(Gap::Link),
            _ => None,
        };
        match alg {
            // Nothing to hash: its failures now (after those of the events waiting).
            None => {
                let kind = ChainFailureKind::UnsupportedAlgorithm;
                self.fail(line_no, idx, kind, REASON_ALG, &event_id);
                if let Some(gap) = gap {
                    let kind = ChainFailureKind::ChainGap;
                    self.fail(line_no, idx, kind, gap.reason(), &event_id);
                }
            }
            // Hashed with others (`settle`): the input waits, with what to report.
            Some(alg) => {
                if !self.report.algorithms.contains(&alg) {
                    self.report.algorithms.push(alg);
                }
                let start = self.waiting_text.len();
                if let Some(p) = &self.prev {
                    self.waiting_text.push_str(p);
                }
                crate::json::write::canonical(node, &mut self.waiting_text, true);
                self.waiting.push(Waiting {
                    line: line_no,
                    index: idx,
                    event_id,
                    recorded: recorded.clone(),
                    alg,
                    input: start..self.waiting_text.len(),
                    gap,
                });
                if crate::sha256::batch_is_full(self.waiting.len(), self.waiting_text.len()) {
                    self.settle();
                }
            }
        }
        self.prev = recorded;
    }

    pub(crate) fn finish(mut self) -> ChainReport {
        self.settle();
        self.report.ok = !self.any_failure;
        self.report
    }
}

/// Verifies a JSON Lines trail given in pieces, as [`verify_chain`] verifies it whole.
///
/// [`push`](ChainVerifier::push) takes bytes split anywhere (inside a line, inside a
/// UTF-8 sequence, between `\r` and `\n`); [`finish`](ChainVerifier::finish) gives the
/// report. Memory does not grow with the trail: one line is buffered at a time (at most
/// [`MAX_LINE_BYTES`]), and at most `max_failures` failures are kept (the rest are
/// counted in [`ChainReport::failures_omitted`]).
///
/// ```
/// use bh_audit_logger::integrity::{verify_chain, ChainVerifier};
/// let text = "{\"event_id\":\"a\"}\n{\"event_id\":\"b\"}\n";
/// let mut v = ChainVerifier::new();
/// for piece in text.as_bytes().chunks(5) {
///     v.push(piece);
/// }
/// assert_eq!(v.finish(), verify_chain(text));
/// ```
#[derive(serde::Serialize, serde::Deserialize)]
pub struct ChainVerifier {
    lines: crate::trail::LineSplitter,
    check: ChainCheck,
    tree: crate::trail::TreeCheck,
}

/// The refusal of a state text that is not one a verifier wrote.
pub(crate) fn malformed_state() -> Error {
    Error::Json {
        line: 1,
        column: 1,
        message: "not a verifier state".to_string(),
    }
}

/// Options of a [`ChainVerifier`].
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// Failures kept in [`ChainReport::failures`] (plus the input error that stops
    /// verification, if any); later ones are only counted.
    pub max_failures: usize,
    /// An event without an `integrity` block is counted in
    /// [`ChainReport::unchained_events`], not a failure (Python 1.1.1's behaviour). Off by
    /// default: an auditor's "verify" means every line is in the chain.
    pub allow_unchained: bool,
    /// Signed checkpoints to compare with the trail's tree (opened with their verifier keys).
    pub checkpoints: crate::trail::Checkpoints,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            max_failures: DEFAULT_MAX_FAILURES,
            allow_unchained: false,
            checkpoints: crate::trail::Checkpoints::default(),
        }
    }
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier::new()
    }
}

impl ChainVerifier {
    /// A verifier keeping the first [`DEFAULT_MAX_FAILURES`] failures.
    pub fn new() -> ChainVerifier {
        ChainVerifier::with_max_failures(DEFAULT_MAX_FAILURES)
    }

    /// A verifier keeping the first `max_failures` failures (plus the input error that
    /// stops verification, if any); later ones are only counted.
    pub fn with_max_failures(max_failures: usize) -> ChainVerifier {
        ChainVerifier::with_options(VerifyOptions {
            max_failures,
            ..VerifyOptions::default()
        })
    }

    /// A verifier with `options`.
    pub fn with_options(options: VerifyOptions) -> ChainVerifier {
        ChainVerifier {
            lines: crate::trail::LineSplitter::new(MAX_LINE_BYTES),
            check: ChainCheck::new(options.max_failures, options.allow_unchained),
            tree: crate::trail::TreeCheck::new(options.checkpoints),
        }
    }

    /// Feed the next piece of the trail.
    pub fn push(&mut self, chunk: &[u8]) {
        let (check, tree) = (&mut self.check, &mut self.tree);
        self.lines.push(chunk, &mut |n, line| {
            tree.line(n, &line);
            check.line(n, line);
            check.settled.clear(); // for a consumer that reports them too (TrailReport)
        });
    }

    /// Bytes pushed so far.
    pub fn bytes(&self) -> u64 {
        self.lines.bytes()
    }

    /// The verifier's whole state as bytes (position, partial line, chain head, tree,
    /// checkpoints, failures so far): [`ChainVerifier::from_state`] rebuilds it, anywhere
    /// (the JS wrapper does so after a wasm instance is replaced).
    pub fn state(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// A verifier from [`ChainVerifier::state`]'s bytes.
    ///
    /// # Errors
    ///
    /// [`Error::Json`] when the bytes are not such a state.
    pub fn from_state(bytes: &[u8]) -> Result<ChainVerifier, Error> {
        postcard::from_bytes(bytes).map_err(|_| malformed_state())
    }

    /// Events (non-blank lines) examined so far.
    pub fn checked(&self) -> usize {
        self.check.checked()
    }

    /// End of input: check the last line (one without a final line break) and report.
    pub fn finish(mut self) -> ChainReport {
        let (check, tree) = (&mut self.check, &mut self.tree);
        self.lines.finish(&mut |n, line| {
            tree.line(n, &line);
            check.line(n, line);
        });
        let mut report = self.check.finish();
        let (head, checkpoints) = self.tree.finish();
        report.ok &= checkpoints.iter().all(|c| c.ok);
        report.tree = Some(head);
        report.checkpoints = checkpoints;
        report
    }
}

/// Verify a JSON Lines audit trail as `bh-audit verify --source file` does.
///
/// See the [module documentation](self) for what counts as a failure. The same as one
/// [`ChainVerifier`] (keeping every failure) given the whole text.
pub fn verify_chain(jsonl: &str) -> ChainReport {
    let mut v = ChainVerifier::with_max_failures(usize::MAX);
    v.push(jsonl.as_bytes());
    v.finish()
}

/// Parse JSON text into a `serde_json::Value` as Python's `json.loads` reads it, with
/// every float correctly rounded.
///
/// Use this rather than `serde_json::from_str` to rehash events written by Python:
/// serde_json, built without its `float_roundtrip` feature, may read a float one unit in
/// the last place off, which changes the canonical form and so the hash; this function
/// does not depend on that feature, and refuses integers a `Value` cannot hold. Repeated keys keep their last value, as in Python.
///
/// # Errors
///
/// [`Error::Json`] (line and column from 1, a fixed phrase) for invalid JSON, and for
/// numbers a `Value` cannot hold exactly: integers outside the `i64`/`u64` range and
/// Python's `NaN`/`Infinity` (use [`verify_chain`], which handles them, for such files).
pub fn parse_json(text: &str) -> Result<Value, Error> {
    let at = |pos: usize, message: &str| {
        let before = text.get(..pos).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Error::Json {
            line,
            column,
            message: message.to_string(),
        }
    };
    let node = crate::json::read::parse_python(text).map_err(|e| {
        let pos = match e {
            crate::json::read::ReadError::Syntax(at) => at,
            _ => 0,
        };
        at(pos, read_error_reason(e))
    })?;
    exact_value(&node).map_err(|msg| at(0, msg))
}

/// A read line as a `serde_json::Value`; numbers it cannot hold exactly are an error.
fn exact_value(node: &Lite<'_>) -> Result<Value, &'static str> {
    Ok(match node {
        Lite::Num(t) if matches!(t.as_ref(), "NaN" | "Infinity" | "-Infinity") => {
            return Err("NaN or Infinity is not supported")
        }
        Lite::Num(t) if !t.contains(['.', 'e', 'E']) => {
            if let Ok(i) = t.parse::<i64>() {
                Value::from(i)
            } else if let Ok(u) = t.parse::<u64>() {
                Value::from(u)
            } else {
                return Err("integer outside the 64-bit range");
            }
        }
        Lite::Num(t) => {
            match crate::json::num::parse_json_f64(t).and_then(serde_json::Number::from_f64) {
                Some(n) => Value::Number(n),
                None => return Err("NaN or Infinity is not supported"),
            }
        }
        Lite::Null => Value::Null,
        Lite::Bool(b) => Value::Bool(*b),
        Lite::Str(s) => Value::String(s.to_string()),
        Lite::Arr(items) => Value::Array(items.iter().map(exact_value).collect::<Result<_, _>>()?),
        Lite::Obj(members) => {
            let mut map = Map::with_capacity(members.len());
            for (k, v) in members {
                map.insert(k.to_string(), exact_value(v)?);
            }
            Value::Object(map)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A chained trail of `n` events with failures of every kind spread over many batches:
    /// edited events, broken links, unchained lines, other algorithms, and (optionally) a
    /// line that stops verification near the end.
    fn mixed_trail(n: usize, stop: bool) -> String {
        let mut chain = Chain::new(HashAlgorithm::Sha256);
        let mut out = String::new();
        for i in 0..n {
            if i % 97 == 50 {
                chain.set_head(None);
                out.push_str(&format!("{{\"event_id\":\"u{i}\"}}\n"));
                continue;
            }
            if i % 71 == 30 {
                chain = Chain::with_head(HashAlgorithm::Sha512, chain.head().map(String::from));
            } else if chain.algorithm() != HashAlgorithm::Sha256 {
                chain = Chain::with_head(HashAlgorithm::Sha256, chain.head().map(String::from));
            }
            let mut e =
                json!({"event_id": format!("e{i}"), "n": i, "pad": "x".repeat(i * 37 % 900)});
            let Value::Object(m) = &mut e else {
                unreachable!()
            };
            chain.seal(m).unwrap();
            if i % 13 == 5 {
                m.insert("n".into(), json!(-1)); // edited after sealing
            }
            if i % 29 == 7 {
                chain.set_head(Some("0".repeat(64))); // the next link is broken
            }
            out.push_str(&serde_json::to_string(&e).unwrap());
            out.push('\n');
            if i % 41 == 40 {
                out.push_str("  \n");
            }
        }
        if stop {
            out.push_str("[1]\n{\"event_id\":\"after\"}\n");
        }
        out
    }

    /// Hashing in batches changes nothing a report says: every failure, in line order, with
    /// the same cap, whatever the pieces the trail comes in and wherever the state is moved.
    #[test]
    fn batched_hashing_reports_what_one_by_one_does() {
        for stop in [false, true] {
            let text = mixed_trail(700, stop);
            for max in [0, 1, 5, usize::MAX] {
                let one_by_one = {
                    // Each event settled as it is read.
                    let mut check = ChainCheck::new(max, false);
                    let mut lines = crate::trail::LineSplitter::new(MAX_LINE_BYTES);
                    let mut each = |n: usize, l: crate::trail::RawLine<'_>| {
                        check.line(n, l);
                        check.settle();
                    };
                    lines.push(text.as_bytes(), &mut each);
                    lines.finish(&mut each);
                    check.finish()
                };
                assert!(one_by_one.hash_mismatches > 40 && one_by_one.chain_gaps > 20);
                for piece in [61, 4096, usize::MAX] {
                    let mut v = ChainVerifier::with_max_failures(max);
                    for (i, chunk) in text.as_bytes().chunks(piece.min(text.len())).enumerate() {
                        if i % 89 == 1 {
                            v = ChainVerifier::from_state(&v.state()).unwrap();
                        }
                        v.push(chunk);
                    }
                    let mut batched = v.finish();
                    batched.tree = None;
                    assert_eq!(batched, one_by_one, "stop {stop}, max {max}, piece {piece}");
                }
            }
        }
    }

    fn f(v: f64) -> String {
        let mut s = String::new();
        write_float(&mut s, v);
        s
    }

    #[test]
    fn python_float_repr() {
        assert_eq!(f(1.0), "1.0");
        assert_eq!(f(-0.0), "-0.0");
        assert_eq!(f(0.1), "0.1");
        assert_eq!(f(1e-7), "1e-07");
        assert_eq!(f(1.5e-7), "1.5e-07");
        assert_eq!(f(1e16), "1e+16");
        assert_eq!(f(1e15), "1000000000000000.0");
        assert_eq!(f(0.0001), "0.0001");
        assert_eq!(f(0.00001), "1e-05");
        assert_eq!(f(123456789.123), "123456789.123");
        assert_eq!(f(5e-324), "5e-324");
        assert_eq!(f(1.7976931348623157e308), "1.7976931348623157e+308");
        assert_eq!(f(1.2345e-5), "1.2345e-05");
        assert_eq!(f(12345.678), "12345.678");
    }

    #[test]
    fn python_string_escapes() {
        let v = json!("a\"b\\c\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}\u{2028}é😀");
        assert_eq!(
            canonical_json(&v),
            "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\u{7f}\u{2028}é😀\""
        );
    }

    #[test]
    fn sorted_and_integrity_excluded() {
        let v = json!({"b": 1, "a": {"d": 1.0, "c": [true, null]}, "integrity": {"x": 1}});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":[true,null],"d":1.0},"b":1,"integrity":{"x":1}}"#
        );
        let h1 = compute_chain_hash(None, &v, HashAlgorithm::Sha256);
        let h2 = compute_chain_hash(
            None,
            &json!({"a": {"c": [true, null], "d": 1.0}, "b": 1}),
            HashAlgorithm::Sha256,
        );
        assert_eq!(h1, h2);
    }

    #[test]
    fn json_reader_matches_serde_canonical() {
        let text = r#"{"b":[1,-0,2.50,1E2,"\u00e9\ud83d\ude00"],"a":null,"a":true}"#;
        let node = crate::json::read::parse_python(text).unwrap();
        let mut s = String::new();
        crate::json::write::canonical(&node, &mut s, false);
        assert_eq!(s, "{\"a\":true,\"b\":[1,0,2.5,100.0,\"é😀\"]}");
    }

    #[test]
    fn parse_json_errors_and_values() {
        let v = parse_json(r#"{"a":1,"a":[2.5,-0,18446744073709551615]}"#).unwrap();
        assert_eq!(canonical_json(&v), r#"{"a":[2.5,0,18446744073709551615]}"#);
        for bad in [
            "{\"a\":1,}",
            "[1.]",
            "01",
            "\"\\ud800\"",
            "[NaN]",
            "18446744073709551616",
            "{\n\"a\" 1}",
        ] {
            assert!(matches!(parse_json(bad), Err(Error::Json { .. })), "{bad}");
        }
        assert!(matches!(
            parse_json("{\n\"a\" 1}"),
            Err(Error::Json {
                line: 2,
                column: 5,
                ..
            })
        ));
    }
}
