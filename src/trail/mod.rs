//! Audit trails of any size, read in pieces: every line validated, the hash chain
//! verified, and a summary an auditor can read, in memory that does not grow with the
//! trail.
//!
//! [`TrailReport::push`] takes bytes split anywhere (inside a UTF-8 sequence, inside a
//! line, between `\r` and `\n`); [`TrailReport::finish`] gives a [`TrailSummary`]. Lines
//! are split as [`crate::integrity::verify_chain`] splits them (`\n`, `\r\n` or `\r`;
//! lines blank after stripping whitespace are skipped but keep their number), and one
//! line is buffered at a time, at most [`MAX_LINE_BYTES`]: a longer line is a failure at
//! that line (`line_too_long`), never an unbounded allocation.
//!
//! # What the summary holds
//!
//! Counts only, and names that come from the schemas: events by `action.type`,
//! `outcome.status` and `actor.subject_type` (values outside the schemas' enums are
//! counted under `other`, never named), `schema_version`s, denials (`DENIED`), events with
//! `action.phi_touched: true`, agent-delegated events (a 2.x `delegation` object), the
//! earliest and latest `timestamp` (re-formatted from the parsed instant, UTC,
//! milliseconds), and events per hour by outcome. The hourly table keeps at most
//! [`MAX_BUCKETS`] buckets: when a trail spans more hours, buckets are widened (2, 4, 8...
//! hours, see [`Hourly::bucket_hours`]). Failures are listed by line (the first
//! `max_failures`, the rest counted), each with a kind, a JSON Pointer path and a message
//! taken from the schema or a fixed phrase; `event_id` only when it is a UUID. Path
//! segments other than schema-style names (`[A-Za-z_]`, up to 64) and array indexes
//! (up to 6 digits) are written `*`, so a key name that carries an identifier never
//! appears. No field's value appears anywhere else.
//!
//! Counts cover every line that parses as a JSON object, valid or not; `valid` and
//! `invalid` count lines. Chain verification stops at the first line that cannot be read
//! (as [`crate::integrity::verify_chain`] does); validation goes on to the end.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::audit::event::get;
use crate::integrity::{ChainCheck, ChainFailureKind, ChainReport};
use crate::json::read::Lite;
use crate::{SchemaVersion, Timestamp};

mod tree;
pub(crate) use tree::TreeCheck;
pub use tree::{CheckpointResult, Checkpoints, TrailProver, TreeHead};

pub use crate::integrity::MAX_LINE_BYTES;

/// One line of input as the splitter hands it over.
pub(crate) enum RawLine<'a> {
    /// A UTF-8 line, without its line break.
    Text(&'a str),
    /// A line that is not UTF-8 (its bytes).
    NotUtf8(&'a [u8]),
    /// A line longer than the splitter's cap (its bytes were dropped).
    TooLong,
}

/// Splits a byte stream into lines on `\n`, `\r\n` or `\r`, whatever the chunk
/// boundaries, buffering at most `max` bytes of one line.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct LineSplitter {
    buf: Vec<u8>,
    line_no: usize,
    after_cr: bool,
    overflow: bool,
    max: usize,
    bytes: u64,
}

fn decode(bytes: &[u8]) -> RawLine<'_> {
    match std::str::from_utf8(bytes) {
        Ok(s) => RawLine::Text(s),
        Err(_) => RawLine::NotUtf8(bytes),
    }
}

impl LineSplitter {
    pub(crate) fn new(max: usize) -> LineSplitter {
        LineSplitter {
            buf: Vec::new(),
            line_no: 0,
            after_cr: false,
            overflow: false,
            max,
            bytes: 0,
        }
    }

    /// Bytes pushed so far.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Lines completed so far.
    pub(crate) fn lines(&self) -> usize {
        self.line_no
    }

    fn append(&mut self, bytes: &[u8]) {
        if self.overflow {
            return;
        }
        if self.buf.len() + bytes.len() > self.max {
            self.overflow = true;
            self.buf = Vec::new();
        } else {
            self.buf.extend_from_slice(bytes);
        }
    }

    fn emit_buffered(&mut self, f: &mut dyn FnMut(usize, RawLine<'_>)) {
        self.line_no += 1;
        if self.overflow {
            f(self.line_no, RawLine::TooLong);
        } else {
            f(self.line_no, decode(&self.buf));
        }
        self.overflow = false;
        self.buf.clear();
    }

    /// Feed bytes; `f` gets each completed line with its number (from 1).
    pub(crate) fn push(&mut self, chunk: &[u8], f: &mut dyn FnMut(usize, RawLine<'_>)) {
        self.bytes += chunk.len() as u64;
        let mut rest = chunk;
        if self.after_cr && !rest.is_empty() {
            self.after_cr = false;
            if rest.first() == Some(&b'\n') {
                rest = rest.get(1..).unwrap_or_default();
            }
        }
        while let Some(i) = rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            let line = rest.get(..i).unwrap_or_default();
            let term = rest.get(i).copied();
            rest = rest.get(i + 1..).unwrap_or_default();
            if self.buf.is_empty() && !self.overflow {
                self.line_no += 1;
                if line.len() > self.max {
                    f(self.line_no, RawLine::TooLong);
                } else {
                    f(self.line_no, decode(line));
                }
            } else {
                self.append(line);
                self.emit_buffered(f);
            }
            if term == Some(b'\r') {
                match rest.first() {
                    None => {
                        self.after_cr = true;
                        return;
                    }
                    Some(b'\n') => rest = rest.get(1..).unwrap_or_default(),
                    Some(_) => {}
                }
            }
        }
        self.append(rest);
    }

    /// End of input: hand over the last line when it has no line break.
    pub(crate) fn finish(&mut self, f: &mut dyn FnMut(usize, RawLine<'_>)) {
        self.after_cr = false;
        if !self.buf.is_empty() || self.overflow {
            self.emit_buffered(f);
        }
    }
}

/// The most buckets [`Hourly`] keeps; wider buckets beyond that.
pub const MAX_BUCKETS: usize = 4096;

/// How many failures [`TrailReport::new`] lists (the rest are counted).
pub const DEFAULT_MAX_FAILURES: usize = 100;

/// `action.type` values of the vendored schemas (1.0 to 2.1).
pub const ACTIONS: [&str; 10] = [
    "READ", "CREATE", "UPDATE", "DELETE", "EXPORT", "LOGIN", "LOGOUT", "PRINT", "OVERRIDE", "OTHER",
];
/// `outcome.status` values of the vendored schemas.
pub const OUTCOMES: [&str; 3] = ["SUCCESS", "FAILURE", "DENIED"];
/// `actor.subject_type` values of the vendored schemas.
pub const ACTOR_TYPES: [&str; 3] = ["human", "service", "agent"];

/// Events per time bucket by outcome: `SUCCESS`, `FAILURE`, `DENIED`, then any other
/// (or missing) status.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct Hourly {
    /// Width of a bucket in hours (1, or a power of two when the trail spans more than
    /// [`MAX_BUCKETS`] hours).
    pub bucket_hours: i64,
    /// `(start, [success, failure, denied, other])` in time order, only non-empty
    /// buckets; `start` is the bucket's first hour in hours since the Unix epoch.
    pub buckets: Vec<(i64, [u64; 4])>,
}

/// What kind of problem a [`TrailFailure`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum TrailFailureKind {
    /// The event does not validate against its schema (see `keyword`).
    Validation,
    /// The line is not JSON.
    InvalidJson,
    /// The line is not UTF-8.
    NotUtf8,
    /// The line is longer than [`MAX_LINE_BYTES`].
    LineTooLong,
    /// A hash-chain failure (see [`ChainFailureKind`]).
    Chain(ChainFailureKind),
}

impl TrailFailureKind {
    /// A stable snake_case name: `validation`, `invalid_json`, `not_utf8`,
    /// `line_too_long`, or the chain failure's name (`hash_mismatch`, `chain_gap`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            TrailFailureKind::Validation => "validation",
            TrailFailureKind::InvalidJson => "invalid_json",
            TrailFailureKind::NotUtf8 => "not_utf8",
            TrailFailureKind::LineTooLong => "line_too_long",
            TrailFailureKind::Chain(k) => k.as_str(),
        }
    }
}

/// One problem found in a trail.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrailFailure {
    /// Line number, from 1 (blank lines count).
    pub line: usize,
    /// The event's `event_id` when it is a UUID.
    pub event_id: Option<String>,
    /// What is wrong.
    pub kind: TrailFailureKind,
    /// The failing schema keyword for [`TrailFailureKind::Validation`] (else empty).
    pub keyword: String,
    /// JSON Pointer to the offending field (`""` = the event), names made safe (see the
    /// [module documentation](self)).
    pub path: String,
    /// A phrase from the schema or a fixed one; never a field's value.
    pub message: String,
}

/// The result of [`TrailReport::finish`].
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct TrailSummary {
    /// Every line valid and (when checked) the chain intact.
    pub ok: bool,
    /// Bytes read.
    pub bytes: u64,
    /// Lines read (blank ones included).
    pub lines: usize,
    /// Non-blank lines.
    pub events: usize,
    /// Lines that validate.
    pub valid: usize,
    /// Lines that do not (unreadable ones included).
    pub invalid: usize,
    /// Events by `schema_version`: [`SchemaVersion::ALL`] in order, then other.
    pub schema_versions: [u64; 5],
    /// Events by `action.type`: [`ACTIONS`] in order, then other.
    pub by_action: [u64; 11],
    /// Events by `outcome.status`: [`OUTCOMES`] in order, then other.
    pub by_outcome: [u64; 4],
    /// Events by `actor.subject_type`: [`ACTOR_TYPES`] in order, then other.
    pub by_actor_type: [u64; 4],
    /// Events with outcome `DENIED`.
    pub denials: u64,
    /// Events with `action.phi_touched: true`.
    pub phi_touched: u64,
    /// Events with a `delegation` object (schema 2.x agent delegation).
    pub agent_delegated: u64,
    /// Earliest valid `timestamp`.
    pub first_timestamp: Option<Timestamp>,
    /// Latest valid `timestamp`.
    pub last_timestamp: Option<Timestamp>,
    /// Events per hour (or wider bucket) by outcome.
    pub hourly: Hourly,
    /// The chain verification (`None` when it was not asked for).
    pub chain: Option<ChainReport>,
    /// The first failures, in line order.
    pub failures: Vec<TrailFailure>,
    /// Every failure found, listed or not.
    pub failures_total: u64,
    /// The trail's Merkle tree (RFC 6962 over its non-blank lines).
    pub tree: TreeHead,
    /// Each checkpoint given, compared with the tree ([`TrailReport::with_checkpoints`]).
    pub checkpoints: Vec<CheckpointResult>,
}

/// Options of a [`TrailReport`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TrailOptions {
    /// Validate every line against this version (`None`: each line's own
    /// `schema_version`).
    pub schema_version: Option<SchemaVersion>,
    /// Verify the hash chain too.
    pub verify_chain: bool,
    /// Failures listed in [`TrailSummary::failures`].
    pub max_failures: usize,
    /// An event without an `integrity` block is not a chain failure (see
    /// [`crate::integrity::VerifyOptions::allow_unchained`]).
    pub allow_unchained: bool,
}

impl Default for TrailOptions {
    fn default() -> Self {
        TrailOptions {
            schema_version: None,
            verify_chain: true,
            max_failures: DEFAULT_MAX_FAILURES,
            allow_unchained: false,
        }
    }
}

/// Validates, verifies and summarizes a JSON Lines trail given in pieces (see the
/// [module documentation](self)).
///
/// ```
/// use bh_audit_logger::trail::{TrailOptions, TrailReport};
/// let mut r = TrailReport::new(TrailOptions::default());
/// r.push(b"{\"schema_version\":\"1.1\"}\n");
/// let s = r.finish();
/// assert_eq!((s.events, s.invalid, s.ok), (1, 1, false));
/// ```
#[derive(serde::Serialize, serde::Deserialize)]
pub struct TrailReport {
    lines: LineSplitter,
    state: State,
    tree: TreeCheck,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct State {
    options: TrailOptions,
    chain: Option<ChainCheck>,
    /// This report's failures of lines whose chain check is still waiting for its hashes
    /// (their chain failures come first), in line order.
    held: Vec<TrailFailure>,
    s: TrailSummary,
    buckets: BTreeMap<i64, [u64; 4]>,
    bucket_hours: i64,
}

impl TrailReport {
    /// A new report.
    pub fn new(options: TrailOptions) -> TrailReport {
        TrailReport::with_checkpoints(options, Checkpoints::default())
    }

    /// A new report that also compares the trail's tree with `checkpoints`.
    pub fn with_checkpoints(options: TrailOptions, checkpoints: Checkpoints) -> TrailReport {
        TrailReport {
            lines: LineSplitter::new(MAX_LINE_BYTES),
            tree: TreeCheck::new(checkpoints),
            state: State {
                options,
                chain: options.verify_chain.then(|| {
                    ChainCheck::new(
                        crate::integrity::DEFAULT_MAX_FAILURES,
                        options.allow_unchained,
                    )
                }),
                held: Vec::new(),
                s: TrailSummary::default(),
                buckets: BTreeMap::new(),
                bucket_hours: 1,
            },
        }
    }

    /// Feed the next piece of the trail.
    pub fn push(&mut self, chunk: &[u8]) {
        let (state, tree) = (&mut self.state, &mut self.tree);
        self.lines.push(chunk, &mut |n, line| {
            tree.line(n, &line);
            state.line(n, line);
        });
    }

    /// Bytes pushed so far.
    pub fn bytes(&self) -> u64 {
        self.lines.bytes()
    }

    /// The report's whole state as bytes ([`TrailReport::from_state`] rebuilds it).
    pub fn state(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// A report from [`TrailReport::state`]'s bytes.
    ///
    /// # Errors
    ///
    /// [`crate::Error::Json`] when the bytes are not such a state.
    pub fn from_state(bytes: &[u8]) -> Result<TrailReport, crate::Error> {
        postcard::from_bytes(bytes).map_err(|_| crate::integrity::malformed_state())
    }

    /// Non-blank lines seen so far.
    pub fn events(&self) -> usize {
        self.state.s.events
    }

    /// End of input: read the last line (one without a final line break) and summarize.
    pub fn finish(mut self) -> TrailSummary {
        let (state, tree) = (&mut self.state, &mut self.tree);
        self.lines.finish(&mut |n, line| {
            tree.line(n, &line);
            state.line(n, line);
        });
        let mut st = self.state;
        if let Some(c) = &mut st.chain {
            c.settle();
        }
        st.release();
        (st.s.tree, st.s.checkpoints) = self.tree.finish();
        st.s.bytes = self.lines.bytes();
        st.s.lines = self.lines.lines();
        // The chain part is what a ChainVerifier reports on the same trail, tree included.
        st.s.chain = st.chain.map(|c| {
            let mut chain = c.finish();
            chain.ok &= st.s.checkpoints.iter().all(|c| c.ok);
            chain.tree = Some(st.s.tree);
            chain.checkpoints.clone_from(&st.s.checkpoints);
            chain
        });
        st.s.hourly = Hourly {
            bucket_hours: st.bucket_hours,
            buckets: st
                .buckets
                .into_iter()
                .map(|(k, v)| (k * st.bucket_hours, v))
                .collect(),
        };
        st.s.ok = st.s.invalid == 0
            && st.s.chain.as_ref().map_or(true, |c| c.ok)
            && st.s.checkpoints.iter().all(|c| c.ok);
        st.s
    }
}

fn index_of(names: &[&str], value: Option<&Lite<'_>>) -> usize {
    match value {
        Some(Lite::Str(s)) => names.iter().position(|n| n == s).unwrap_or(names.len()),
        _ => names.len(),
    }
}

fn bump(counts: &mut [u64], i: usize) {
    if let Some(c) = counts.get_mut(i) {
        *c += 1;
    }
}

fn member<'n, 'a>(node: Option<&'n Lite<'a>>, key: &str) -> Option<&'n Lite<'a>> {
    match node {
        Some(Lite::Obj(m)) => get(m, key),
        _ => None,
    }
}

/// A JSON Pointer with every segment that is not a schema-style name or a short array
/// index written `*`.
pub fn safe_path(path: &str) -> String {
    if path.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(path.len());
    for seg in path.split('/').skip(1) {
        out.push('/');
        let name = !seg.is_empty()
            && seg.len() <= 64
            && seg.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_');
        let index = !seg.is_empty() && seg.len() <= 6 && seg.bytes().all(|b| b.is_ascii_digit());
        out.push_str(if name || index { seg } else { "*" });
    }
    out
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// An RFC 3339 `date-time` as microseconds since the epoch (fractions past a
/// microsecond dropped), or `None` when it is not one.
pub(crate) fn parse_timestamp(s: &str) -> Option<i64> {
    if !crate::validator::format::is_date_time(s) {
        return None;
    }
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        b.get(r)?.iter().try_fold(0i64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let days = days_from_civil(num(0..4)?, num(5..7)?, num(8..10)?);
    let secs = days * 86_400 + num(11..13)? * 3600 + num(14..16)? * 60 + num(17..19)?;
    let mut pos = 19;
    let mut micros = 0i64;
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        let mut scale = 100_000;
        while let Some(&c) = b.get(pos).filter(|c| c.is_ascii_digit()) {
            micros += i64::from(c - b'0') * scale;
            scale /= 10;
            pos += 1;
        }
    }
    let offset = match b.get(pos) {
        Some(b'Z' | b'z') => 0,
        Some(&sign) => {
            let o = num(pos + 1..pos + 3)? * 3600 + num(pos + 4..pos + 6)? * 60;
            if sign == b'-' {
                -o
            } else {
                o
            }
        }
        None => return None,
    };
    Some((secs - offset) * 1_000_000 + micros)
}

impl State {
    fn fail(
        &mut self,
        line: usize,
        event_id: &Option<String>,
        kind: TrailFailureKind,
        keyword: &str,
        path: &str,
        message: &str,
    ) {
        let failure = TrailFailure {
            line,
            event_id: event_id.clone(),
            kind,
            keyword: keyword.to_string(),
            path: safe_path(path),
            message: message.to_string(),
        };
        match &self.chain {
            Some(c) if c.first_waiting_line().is_some() => self.held.push(failure),
            _ => self.record(failure),
        }
    }

    fn record(&mut self, failure: TrailFailure) {
        self.s.failures_total += 1;
        if self.s.failures.len() < self.options.max_failures {
            self.s.failures.push(failure);
        }
    }

    /// Record, in line order, the chain's failures settled since the last call and the
    /// failures held for lines whose chain check is now complete (a line's chain failures
    /// before its others). The chain's failures of unreadable lines are not the report's:
    /// it records its own for them ([`State::unreadable`]).
    fn release(&mut self) {
        let Some(c) = &mut self.chain else { return };
        let cutoff = c.first_waiting_line().unwrap_or(usize::MAX);
        let ready = self.held.partition_point(|f| f.line < cutoff);
        if c.settled.is_empty() && ready == 0 {
            return;
        }
        let settled = std::mem::take(&mut c.settled);
        let mut held = std::mem::take(&mut self.held);
        let kept = held.split_off(ready);
        let mut held = held.into_iter().peekable();
        for f in settled {
            while let Some(h) = held.next_if(|h| h.line < f.line) {
                self.record(h);
            }
            if matches!(
                f.kind,
                ChainFailureKind::InvalidJson | ChainFailureKind::LineTooLong
            ) {
                continue;
            }
            let kind = TrailFailureKind::Chain(f.kind);
            self.record(TrailFailure {
                line: f.line,
                event_id: f.event_id,
                kind,
                keyword: String::new(),
                path: String::new(),
                message: f.reason.to_string(),
            });
        }
        for h in held {
            self.record(h);
        }
        self.held = kept;
    }

    fn unreadable(
        &mut self,
        n: usize,
        kind: TrailFailureKind,
        chain: ChainFailureKind,
        reason: &'static str,
    ) {
        self.s.events += 1;
        self.s.invalid += 1;
        self.fail(n, &None, kind, "", "", reason);
        if let Some(c) = &mut self.chain {
            c.event(n, Err((chain, reason)));
        }
        self.release();
    }

    fn line(&mut self, n: usize, raw: RawLine<'_>) {
        let text = match raw {
            RawLine::Text(t) => crate::integrity::trim_line(t),
            RawLine::NotUtf8(_) => {
                return self.unreadable(
                    n,
                    TrailFailureKind::NotUtf8,
                    ChainFailureKind::InvalidJson,
                    crate::integrity::REASON_NOT_UTF8,
                )
            }
            RawLine::TooLong => {
                return self.unreadable(
                    n,
                    TrailFailureKind::LineTooLong,
                    ChainFailureKind::LineTooLong,
                    crate::integrity::REASON_TOO_LONG,
                )
            }
        };
        if text.is_empty() {
            return;
        }
        let node = match crate::json::read::parse_python(text) {
            Ok(node) => node,
            Err(e) => {
                return self.unreadable(
                    n,
                    TrailFailureKind::InvalidJson,
                    ChainFailureKind::InvalidJson,
                    crate::integrity::read_error_reason(e),
                )
            }
        };
        self.s.events += 1;
        let event_id = match &node {
            Lite::Obj(m) => crate::integrity::uuid_event_id(m),
            _ => None,
        };
        if let Some(c) = &mut self.chain {
            c.event(n, Ok(&node));
        }
        self.release();
        self.count(&node);
        self.validate(n, text, &event_id);
    }

    fn count(&mut self, node: &Lite<'_>) {
        let Lite::Obj(_) = node else {
            return;
        };
        let root = Some(node);
        let s = &mut self.s;
        let version = match member(root, "schema_version") {
            Some(Lite::Str(v)) => SchemaVersion::parse(v)
                .and_then(|v| SchemaVersion::ALL.iter().position(|a| *a == v)),
            _ => None,
        };
        bump(
            &mut s.schema_versions,
            version.unwrap_or(SchemaVersion::ALL.len()),
        );
        bump(
            &mut s.by_action,
            index_of(&ACTIONS, member(member(root, "action"), "type")),
        );
        let outcome = index_of(&OUTCOMES, member(member(root, "outcome"), "status"));
        bump(&mut s.by_outcome, outcome);
        if outcome == 2 {
            s.denials += 1;
        }
        bump(
            &mut s.by_actor_type,
            index_of(&ACTOR_TYPES, member(member(root, "actor"), "subject_type")),
        );
        if let Some(Lite::Bool(true)) = member(member(root, "action"), "phi_touched") {
            s.phi_touched += 1;
        }
        if let Some(Lite::Obj(_)) = member(root, "delegation") {
            s.agent_delegated += 1;
        }
        let Some(Lite::Str(ts)) = member(root, "timestamp") else {
            return;
        };
        let Some(micros) = parse_timestamp(ts) else {
            return;
        };
        let t = Timestamp::from_micros(micros);
        if s.first_timestamp.map_or(true, |f| t < f) {
            s.first_timestamp = Some(t);
        }
        if s.last_timestamp.map_or(true, |l| t > l) {
            s.last_timestamp = Some(t);
        }
        let hour = micros.div_euclid(3_600_000_000);
        let key = hour.div_euclid(self.bucket_hours);
        if let Some(b) = self.buckets.get_mut(&key) {
            bump(b, outcome);
            return;
        }
        let mut b = [0u64; 4];
        bump(&mut b, outcome);
        self.buckets.insert(key, b);
        while self.buckets.len() > MAX_BUCKETS {
            self.bucket_hours *= 2;
            let old = std::mem::take(&mut self.buckets);
            for (k, v) in old {
                let e = self.buckets.entry(k.div_euclid(2)).or_default();
                for (a, b) in e.iter_mut().zip(v) {
                    *a += b;
                }
            }
        }
    }

    fn validate(&mut self, n: usize, text: &str, event_id: &Option<String>) {
        match crate::validator::validate_str(text, self.options.schema_version) {
            Ok(issues) if issues.is_empty() => self.s.valid += 1,
            Ok(issues) => {
                self.s.invalid += 1;
                for i in &issues {
                    self.fail(
                        n,
                        event_id,
                        TrailFailureKind::Validation,
                        &i.keyword,
                        &i.instance_path,
                        &i.message,
                    );
                }
            }
            Err(crate::Error::UnsupportedSchemaVersion) => {
                self.s.invalid += 1;
                let message = crate::Error::UnsupportedSchemaVersion.to_string();
                self.fail(
                    n,
                    event_id,
                    TrailFailureKind::Validation,
                    "schema_version",
                    "/schema_version",
                    &message,
                );
            }
            Err(_) => {
                // JSON the schema validator does not take (NaN, Infinity, huge numbers).
                self.s.invalid += 1;
                self.fail(
                    n,
                    event_id,
                    TrailFailureKind::Validation,
                    "syntax",
                    "",
                    "not valid json for validation (NaN, Infinity or an out-of-range number)",
                );
            }
        }
    }
}

fn counts(names: &[&str], counts: &[u64]) -> Value {
    let mut m = serde_json::Map::new();
    for (i, c) in counts.iter().enumerate() {
        if *c > 0 {
            m.insert(
                names.get(i).copied().unwrap_or("other").to_string(),
                json!(c),
            );
        }
    }
    Value::Object(m)
}

fn hour_string(hour: i64) -> Value {
    hour.checked_mul(3_600_000_000)
        .and_then(|us| Timestamp::from_micros(us).format())
        .map_or(Value::Null, Value::String)
}

impl TrailSummary {
    /// The summary as the JSON object `TrailReport.finish()` returns in JS (snake_case
    /// keys; see the module documentation).
    pub fn to_json(&self) -> Value {
        let versions: Vec<&str> = SchemaVersion::ALL.iter().map(|v| v.as_str()).collect();
        let failures: Vec<Value> = self
            .failures
            .iter()
            .map(|f| {
                json!({
                    "line": f.line,
                    "event_id": f.event_id,
                    "kind": f.kind.as_str(),
                    "keyword": f.keyword,
                    "path": f.path,
                    "message": f.message,
                })
            })
            .collect();
        let buckets: Vec<Value> = self
            .hourly
            .buckets
            .iter()
            .map(|(h, c)| json!([hour_string(*h), c[0], c[1], c[2], c[3]]))
            .collect();
        let ts = |t: Option<Timestamp>| t.and_then(Timestamp::format);
        json!({
            "ok": self.ok,
            "exit_code": i32::from(!self.ok),
            "bytes": self.bytes,
            "lines": self.lines,
            "events": self.events,
            "valid": self.valid,
            "invalid": self.invalid,
            "schema_versions": counts(&versions, &self.schema_versions),
            "by_action": counts(&ACTIONS, &self.by_action),
            "by_outcome": counts(&OUTCOMES, &self.by_outcome),
            "by_actor_type": counts(&ACTOR_TYPES, &self.by_actor_type),
            "denials": self.denials,
            "phi_touched": self.phi_touched,
            "agent_delegated": self.agent_delegated,
            "first_timestamp": ts(self.first_timestamp),
            "last_timestamp": ts(self.last_timestamp),
            "hourly": {
                "bucket_hours": self.hourly.bucket_hours,
                "columns": ["start", "SUCCESS", "FAILURE", "DENIED", "other"],
                "buckets": buckets,
            },
            "chain": self.chain.as_ref().map(ChainReport::to_json),
            "tree": self.tree.to_json(),
            "checkpoints": self.checkpoints.iter().map(CheckpointResult::to_json).collect::<Vec<_>>(),
            "failures": failures,
            "failures_total": self.failures_total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(text: &[u8], splits: &[usize]) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        let mut sp = LineSplitter::new(16);
        let mut f = |n: usize, l: RawLine<'_>| {
            out.push((
                n,
                match l {
                    RawLine::Text(t) => t.to_string(),
                    RawLine::NotUtf8(_) => "<bad>".into(),
                    RawLine::TooLong => "<long>".into(),
                },
            ))
        };
        let mut at = 0;
        for &s in splits {
            sp.push(&text[at..s], &mut f);
            at = s;
        }
        sp.push(&text[at..], &mut f);
        sp.finish(&mut f);
        out
    }

    #[test]
    fn splitter_is_independent_of_chunking() {
        let text = "a\r\nb\rc\n\nd é\r\r\n0123456789abcdefXYZ\n\u{1F600}\nlast".as_bytes();
        let whole = lines_of(text, &[]);
        assert_eq!(whole.len(), 9, "{whole:?}");
        assert_eq!(whole[6].1, "<long>");
        for i in 0..=text.len() {
            assert_eq!(lines_of(text, &[i]), whole, "split at {i}");
            for j in i..=text.len() {
                assert_eq!(lines_of(text, &[i, j]), whole, "split at {i},{j}");
            }
        }
        assert_eq!(lines_of(b"\xff\xfe\n", &[1])[0].1, "<bad>");
    }

    #[test]
    fn timestamps_and_safe_paths() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_timestamp("2026-03-11T20:41:55.123+02:00"),
            Some(1_773_254_515_123_000)
        );
        assert_eq!(parse_timestamp("2026-03-11 20:41:55Z"), None);
        assert_eq!(safe_path("/resource/123-45-6789"), "/resource/*");
        assert_eq!(safe_path("/actor/roles/3"), "/actor/roles/3");
        assert_eq!(safe_path("/metadata/12345678901"), "/metadata/*");
        assert_eq!(safe_path(""), "");
    }
}

#[cfg(test)]
mod batch_tests {
    use super::*;
    use crate::integrity::{Chain, HashAlgorithm};
    use serde_json::{json, Value};

    /// A chained trail over many hash batches: valid events, invalid ones (validation
    /// failures), edited ones (hash mismatches), broken links, unchained lines, sha512
    /// events, blank lines, and optionally an unreadable line that stops the chain check.
    fn trail(n: usize, stop_at: Option<usize>) -> String {
        let mut chain = Chain::new(HashAlgorithm::Sha256);
        let mut out = String::new();
        for i in 0..n {
            if Some(i) == stop_at {
                out.push_str("{not json\n");
            }
            if i % 89 == 40 {
                chain.set_head(None);
                out.push_str(&format!("{{\"event_id\":\"u{i}\"}}\n"));
                continue;
            }
            let alg = if i % 61 == 20 {
                HashAlgorithm::Sha512
            } else {
                HashAlgorithm::Sha256
            };
            chain = Chain::with_head(alg, chain.head().map(String::from));
            let mut e = json!({
                "schema_version": "1.1",
                "event_id": format!("00000000-0000-4000-8000-{i:012}"),
                "timestamp": "2026-01-02T03:04:05Z",
                "service": {"name": "notes-api", "environment": "test"},
                "actor": {"subject_id": format!("user_{}", i % 9), "subject_type": "human"},
                "action": {"type": "READ", "data_classification": "PHI"},
                "resource": {"type": "Note", "id": format!("note_{i}")},
                "outcome": {"status": "SUCCESS"},
                "metadata": {"pad": "x".repeat(i * 53 % 1500)}
            });
            if i % 7 == 3 {
                e["action"]["type"] = json!("LOOK"); // a validation failure
            }
            if i % 11 == 4 {
                e["outcome"] = json!({"status": "FAILURE"}); // another
            }
            let Value::Object(m) = &mut e else {
                unreachable!()
            };
            chain.seal(m).unwrap();
            if i % 13 == 5 {
                m.insert("resource".into(), json!({"type": "Note", "id": "edited"}));
            }
            if i % 29 == 7 {
                chain.set_head(Some("0".repeat(64)));
            }
            out.push_str(&serde_json::to_string(&e).unwrap());
            out.push('\n');
            if i % 41 == 40 {
                out.push_str(" \n");
            }
        }
        out
    }

    /// The report with every event's chain check settled as it is read (no batching).
    fn one_by_one(text: &str, options: TrailOptions) -> TrailSummary {
        let mut r = TrailReport::new(options);
        for line in text.split_inclusive('\n') {
            r.push(line.as_bytes());
            if let Some(c) = &mut r.state.chain {
                c.settle();
            }
            r.state.release();
        }
        r.finish()
    }

    /// Hashing in batches changes nothing in a report: the same failures in the same order
    /// (a line's chain failures before its validation failures), caps and counts, in any
    /// pieces and across state moves.
    #[test]
    fn batched_report_equals_one_by_one() {
        for stop_at in [None, Some(260)] {
            let text = trail(400, stop_at);
            for max in [0, 3, 40, usize::MAX] {
                let options = TrailOptions {
                    max_failures: max,
                    ..TrailOptions::default()
                };
                let expected = one_by_one(&text, options);
                assert!(expected.failures_total > 150, "{}", expected.failures_total);
                for piece in [61, 5000, usize::MAX] {
                    let mut r = TrailReport::new(options);
                    for (i, chunk) in text.as_bytes().chunks(piece.min(text.len())).enumerate() {
                        if i % 13 == 1 {
                            r = TrailReport::from_state(&r.state()).unwrap();
                        }
                        r.push(chunk);
                    }
                    assert_eq!(
                        r.finish(),
                        expected,
                        "stop {stop_at:?}, max {max}, piece {piece}"
                    );
                }
            }
        }
    }
}
