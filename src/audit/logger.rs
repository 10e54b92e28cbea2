//! `AuditLogger`: runs every call through the one pipeline and delivers the line to a
//! [`Sink`], counting every outcome and applying the configured failure modes.

use serde_json::{Map, Value};

use super::agent::{AgentAction, AgentArgs, AgentHelper};
use super::call::{AuditRequest, Call, Helper};
use super::event::{from_map, Event};
use super::pipeline::{Outcome, Pipeline, Verdict};
use crate::config::EmitFailureMode;
use crate::diagnostics::{Diagnostics, Level, StderrDiagnostics};
use crate::{Config, Error, Timestamp, ValidationIssue};

/// Where emitted events go. Wrap a closure with [`FnSink`]; `&mut S` is a sink when `S` is.
/// A sink receives the [`Event`]: its line ([`Event::line`], the reference's text) and, read
/// from it on demand, the event as a JSON object.
///
/// An `Err` is a sink failure: counted in `emit_failures_total` and handled per
/// `emitFailureMode`. Its text is sanitized before it appears in any diagnostic or error.
pub trait Sink {
    /// Deliver one event.
    fn emit(&mut self, event: &Event) -> Result<(), String>;
}

/// A closure `FnMut(&Event) -> Result<(), String>` as a [`Sink`].
pub struct FnSink<F>(pub F);

impl<F: FnMut(&Event) -> Result<(), String>> Sink for FnSink<F> {
    fn emit(&mut self, event: &Event) -> Result<(), String> {
        (self.0)(event)
    }
}

/// Keeps events in memory, optionally only the last `maxlen`.
#[derive(Clone, Debug, Default)]
pub struct MemorySink {
    events: std::collections::VecDeque<Event>,
    maxlen: Option<usize>,
}

impl MemorySink {
    /// An unbounded memory sink.
    pub fn new() -> MemorySink {
        MemorySink::default()
    }
    /// A memory sink keeping only the last `maxlen` events.
    pub fn with_maxlen(maxlen: usize) -> MemorySink {
        MemorySink {
            events: Default::default(),
            maxlen: Some(maxlen),
        }
    }
    /// The events held, oldest first.
    pub fn events(&self) -> Vec<Event> {
        self.events.iter().cloned().collect()
    }
    /// Number of events held.
    pub fn len(&self) -> usize {
        self.events.len()
    }
    /// `true` when no event is held.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
    /// Forget every event.
    pub fn clear(&mut self) {
        self.events.clear();
    }
}

impl Sink for MemorySink {
    fn emit(&mut self, event: &Event) -> Result<(), String> {
        if self.maxlen == Some(0) {
            return Ok(());
        }
        if let Some(max) = self.maxlen {
            while self.events.len() >= max {
                self.events.pop_front();
            }
        }
        self.events.push_back(event.clone());
        Ok(())
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn emit(&mut self, event: &Event) -> Result<(), String> {
        (**self).emit(event)
    }
}

/// The counters, as the reference 2.0.0 names them.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Stats {
    /// Events the sink accepted.
    pub events_emitted_total: u64,
    /// Sink failures.
    pub emit_failures_total: u64,
    /// Events not emitted (validation drops, async sinks over the limit or timed out).
    pub events_dropped_total: u64,
    /// Events that failed validation (dropped, emitted anyway, or raised).
    pub validation_failures_total: u64,
    /// Events emitted with an `integrity` block (chained), as the reference 2.0.0 counts.
    pub integrity_events_total: u64,
    /// Events that should have been chained but went out without `integrity`.
    pub chain_gaps_total: u64,
    /// Milliseconds spent preparing and validating events (the reference 2.0.0 counts its
    /// schema validation time here; this logger always validates).
    pub validation_time_ms_total: f64,
}

/// Source of `timestamp`. Implemented for every `FnMut() -> Option<Timestamp>`;
/// `None` means the clock failed and makes the event fail validation.
pub trait TimeSource {
    /// The current instant.
    fn now(&mut self) -> Option<Timestamp>;
}

impl<F: FnMut() -> Option<Timestamp>> TimeSource for F {
    fn now(&mut self) -> Option<Timestamp> {
        self()
    }
}

/// Source of `event_id`. Implemented for every `FnMut() -> String`.
pub trait IdSource {
    /// A new event id (a UUID for the event to be valid).
    fn next_id(&mut self) -> String;
}

impl<F: FnMut() -> String> IdSource for F {
    fn next_id(&mut self) -> String {
        self()
    }
}

/// Random UUID v4 from the operating system's generator (read 4 KiB at a time, like Node's
/// `crypto.randomUUID`, so an id costs no system call).
pub fn random_uuid_v4() -> String {
    let mut b = [0u8; 16];
    fill_random(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(x >> 4)]));
        out.push(char::from(HEX[usize::from(x & 15)]));
    }
    out
}

#[cfg(not(target_arch = "wasm32"))]
fn fill_random(out: &mut [u8; 16]) {
    use std::cell::RefCell;
    thread_local! {
        static POOL: RefCell<(Vec<u8>, usize)> = const { RefCell::new((Vec::new(), 0)) };
    }
    let ok = POOL.with(|p| {
        let mut p = p.borrow_mut();
        let (buf, pos) = &mut *p;
        if *pos + 16 > buf.len() {
            buf.resize(4096, 0);
            if getrandom::getrandom(buf).is_err() {
                buf.clear();
                return false;
            }
            *pos = 0;
        }
        match buf.get(*pos..*pos + 16) {
            Some(chunk) => {
                out.copy_from_slice(chunk);
                *pos += 16;
                true
            }
            None => false,
        }
    });
    if !ok {
        fill_fallback(out);
    }
}

/// In wasm the JS facade supplies ids (`crypto.randomUUID`); a Rust `AuditLogger` used
/// directly in wasm gets process-unique ids from the fallback (give it an id source).
#[cfg(target_arch = "wasm32")]
fn fill_random(out: &mut [u8; 16]) {
    fill_fallback(out);
}

/// No OS randomness: hash time and a counter (two rounds); ids stay unique within the process.
fn fill_fallback(out: &mut [u8; 16]) {
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    for (half, chunk) in out.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_i64(Timestamp::now().map_or(0, Timestamp::as_micros));
        h.write_u64(n);
        h.write_usize(half);
        for (slot, byte) in chunk.iter_mut().zip(h.finish().to_le_bytes()) {
            *slot = byte;
        }
    }
}

/// Emits PHI-safe audit events conforming to bh-audit-schema 1.1 (or 1.0).
///
/// ```
/// use bh_audit_logger::{AuditLogger, AuditRequest, Config, MemorySink, Timestamp};
/// use serde_json::json;
///
/// let mut sink = MemorySink::new();
/// let mut logger = AuditLogger::new(Config::new("notes-api"), &mut sink).unwrap()
///     .with_time_source(|| Some(Timestamp::from_micros(1_773_254_515_123_456)))
///     .with_id_source(|| "2f4c1d11-3f42-44d3-83a0-1d3f7e1d2b1c".to_string());
/// let req = AuditRequest { resource: Some(json!({"type": "Note", "id": "note_1"})), ..Default::default() };
/// let event = logger.audit("READ", req).unwrap().unwrap();
/// assert_eq!(event["timestamp"], "2026-03-11T18:41:55.123Z");
/// assert!(event.line().starts_with(r#"{"schema_version":"1.1","event_id":"2f4c1d11-"#));
/// assert_eq!(logger.stats().events_emitted_total, 1);
/// drop(logger);
/// assert_eq!(sink.len(), 1);
/// ```
pub struct AuditLogger<S: Sink> {
    pipeline: Pipeline,
    sink: S,
    clock: Box<dyn TimeSource>,
    ids: Box<dyn IdSource>,
    diag: Box<dyn Diagnostics>,
    stats: Stats,
}

impl<S: Sink> std::fmt::Debug for AuditLogger<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLogger")
            .field("config", self.pipeline.config())
            .field("stats", &self.stats)
            .finish()
    }
}

impl<S: Sink> AuditLogger<S> {
    /// A logger for `config` (validated here) writing to `sink`, with the system clock,
    /// random UUID v4 ids and diagnostics on standard error.
    pub fn new(config: Config, sink: S) -> Result<AuditLogger<S>, Error> {
        Ok(AuditLogger {
            pipeline: Pipeline::new(config)?,
            sink,
            clock: Box::new(Timestamp::now),
            ids: Box::new(random_uuid_v4),
            diag: Box::new(StderrDiagnostics),
            stats: Stats::default(),
        })
    }

    /// Replace the time source.
    pub fn with_time_source(mut self, clock: impl TimeSource + 'static) -> Self {
        self.clock = Box::new(clock);
        self
    }

    /// Replace the id source.
    pub fn with_id_source(mut self, ids: impl IdSource + 'static) -> Self {
        self.ids = Box::new(ids);
        self
    }

    /// Replace the diagnostics receiver.
    pub fn with_diagnostics(mut self, diag: impl Diagnostics + 'static) -> Self {
        self.diag = Box::new(diag);
        self
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        self.pipeline.config()
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The last emitted event's hash, when integrity chaining is on.
    pub fn chain_head(&self) -> Option<&str> {
        self.pipeline.chain_head()
    }

    /// Resume the chain from `head` (a previous run's last `event_hash`, e.g. from durable
    /// storage). Returns `false` (and does nothing) when integrity chaining is off.
    pub fn set_chain_head(&mut self, head: Option<String>) -> bool {
        self.pipeline.set_chain_head(head)
    }

    /// The sink.
    pub fn sink(&self) -> &S {
        &self.sink
    }

    /// Build, prepare, validate and emit one event. Returns the event as emitted, `Ok(None)`
    /// when it was dropped, or an error in the `"raise"` failure modes.
    pub fn audit(&mut self, action_type: &str, req: AuditRequest) -> Result<Option<Event>, Error> {
        self.call(action_type, &req, None, None, None)
    }

    /// `LOGIN` / SUCCESS; resource defaults to `{"type": "Session"}`.
    pub fn audit_login_success(&mut self, req: AuditRequest) -> Result<Option<Event>, Error> {
        self.call("LOGIN", &req, Some(Helper::LoginSuccess), None, None)
    }

    /// `LOGIN` / FAILURE; the error defaults to `"Login failed"`.
    pub fn audit_login_failure(&mut self, req: AuditRequest) -> Result<Option<Event>, Error> {
        self.call("LOGIN", &req, Some(Helper::LoginFailure), None, None)
    }

    /// A generic access event (READ / CREATE / UPDATE / DELETE ...): same as [`Self::audit`].
    pub fn audit_access(
        &mut self,
        action_type: &str,
        req: AuditRequest,
    ) -> Result<Option<Event>, Error> {
        self.audit(action_type, req)
    }

    /// An access-denied event: outcome DENIED with `error_type` (default `"AccessDenied"`)
    /// and, when non-empty, `error_message`. With schema 1.0 it is emitted as FAILURE.
    pub fn audit_access_denied(
        &mut self,
        action_type: &str,
        error_type: Option<&str>,
        error_message: Option<&str>,
        req: AuditRequest,
    ) -> Result<Option<Event>, Error> {
        self.call(
            action_type,
            &req,
            Some(Helper::AccessDenied),
            error_type,
            error_message,
        )
    }

    /// The reference 2.0.0's `audit_agent_action`: an event by an AI agent acting under a
    /// human's authority (actor `subject_type: "agent"` and a `delegation` block built from
    /// `agent`). `req` carries the rest (resource, outcome, `attribution` on 2.1, ...; its
    /// actor's other fields such as `org_id` are kept). A bad descriptor, agent data a 1.x
    /// target cannot take (mode `raise`) or a broken 2.1 attribution rule is
    /// [`Error::Agent`], in every failure mode.
    ///
    /// ```
    /// use bh_audit_logger::{agent::AgentAction, AuditLogger, AuditRequest, Config, MemorySink, SchemaVersion};
    /// use serde_json::json;
    /// let config = Config::new("mcp-gateway").with_schema_version(SchemaVersion::V2_1);
    /// let mut logger = AuditLogger::new(config, MemorySink::new()).unwrap();
    /// let agent = AgentAction {
    ///     agent_subject_id: json!("agent_cred_009"),
    ///     agent: json!({"interface": "mcp", "vendor": "vendor_a"}),
    ///     authorizing_subject_id: json!("user_123"),
    ///     agent_session_id: json!("agsess_01"),
    ///     delegation_type: json!("supervised"),
    ///     ..AgentAction::default()
    /// };
    /// let req = AuditRequest {
    ///     resource: Some(json!({"type": "Patient", "id": "pat_456"})),
    ///     attribution: Some(json!({"level": "verified", "method": "id_jag"})),
    ///     ..AuditRequest::default()
    /// };
    /// let ev = logger.audit_agent_action("READ", agent, req).unwrap().unwrap();
    /// assert_eq!(ev["delegation"]["authorizing"]["subject_id"], "user_123");
    /// ```
    pub fn audit_agent_action(
        &mut self,
        action_type: &str,
        agent: AgentAction,
        req: AuditRequest,
    ) -> Result<Option<Event>, Error> {
        self.agent_call(action_type, &req, AgentHelper::Action, &agent)
    }

    /// The reference 2.0.0's `audit_human_override`: OVERRIDE by a human (`req.actor` must
    /// have `subject_type: "human"`) on `{"type": "AgentSession", "id": agent_session_id}`,
    /// `phi_touched` false, classification `NONE`, no delegation; refused on 1.x targets.
    pub fn audit_human_override(
        &mut self,
        agent_session_id: &str,
        req: AuditRequest,
    ) -> Result<Option<Event>, Error> {
        let agent = AgentAction {
            agent_session_id: Value::String(agent_session_id.into()),
            ..AgentAction::default()
        };
        let req = AuditRequest {
            delegation: None,
            ..req
        };
        self.agent_call("OVERRIDE", &req, AgentHelper::Override, &agent)
    }

    /// The reference 2.0.0's `audit_agent_session_start`: CREATE on the `AgentSession`,
    /// `action.name` `agent_session_start`, `chain_depth` 1 unless given, `phi_touched`
    /// false, classification `NONE`.
    pub fn audit_agent_session_start(
        &mut self,
        agent: AgentAction,
        req: AuditRequest,
    ) -> Result<Option<Event>, Error> {
        self.agent_call("CREATE", &req, AgentHelper::SessionStart, &agent)
    }

    /// As [`AuditLogger::audit_agent_session_start`], with UPDATE and `agent_session_end`.
    pub fn audit_agent_session_end(
        &mut self,
        agent: AgentAction,
        req: AuditRequest,
    ) -> Result<Option<Event>, Error> {
        self.agent_call("UPDATE", &req, AgentHelper::SessionEnd, &agent)
    }

    fn agent_call(
        &mut self,
        action_type: &str,
        req: &AuditRequest,
        helper: AgentHelper,
        agent: &AgentAction,
    ) -> Result<Option<Event>, Error> {
        let now = self.clock.now();
        let id = self.ids.next_id();
        let mut call = Call::native(action_type, &id, req, None, None, None);
        call.agent_helper = Some(helper);
        call.agent_args = AgentArgs::native(agent);
        let ts = now.and_then(Timestamp::format);
        let out = self.pipeline.audit_call(call, ts, &mut *self.diag);
        Ok(self.deliver(out)?.0)
    }

    fn call(
        &mut self,
        action_type: &str,
        req: &AuditRequest,
        helper: Option<Helper>,
        error_type: Option<&str>,
        error_message: Option<&str>,
    ) -> Result<Option<Event>, Error> {
        let now = self.clock.now();
        let id = self.ids.next_id();
        let call = Call::native(action_type, &id, req, helper, error_type, error_message);
        let ts = now.and_then(Timestamp::format);
        let out = self.pipeline.audit_call(call, ts, &mut *self.diag);
        Ok(self.deliver(out)?.0)
    }

    /// Prepare (allowlist, sanitize), validate and emit a pre-built event (its keys keep their
    /// order). Returns `true` when the sink accepted it.
    pub fn emit(&mut self, event: &Map<String, Value>) -> Result<bool, Error> {
        let out = self.pipeline.emit_members(from_map(event), &mut *self.diag);
        Ok(self.deliver(out)?.1)
    }

    /// [`Self::emit`] for an event as JSON text.
    pub fn emit_json(&mut self, text: &str) -> Result<bool, Error> {
        let out = self.pipeline.emit_text(text, &mut *self.diag);
        Ok(self.deliver(out)?.1)
    }

    /// Count and deliver a pipeline outcome; returns the event (unless dropped) and whether
    /// the sink took it.
    fn deliver(&mut self, out: Outcome) -> Result<(Option<Event>, bool), Error> {
        self.stats.validation_time_ms_total += out.validation_ms;
        match out.chained {
            Some(true) => self.stats.integrity_events_total += 1,
            Some(false) => self.stats.chain_gaps_total += 1,
            None => {}
        }
        match out.verdict {
            Verdict::Refuse => Err(out.refused.unwrap_or(Error::Agent {
                field: String::new(),
                rule: None,
                message: "refused".into(),
            })),
            Verdict::Emit | Verdict::EmitInvalid => {
                if out.verdict == Verdict::EmitInvalid {
                    self.stats.validation_failures_total += 1;
                }
                self.dispatch(Event::new(out.line))
            }
            Verdict::Drop => {
                self.stats.validation_failures_total += 1;
                self.stats.events_dropped_total += 1;
                Ok((None, false))
            }
            Verdict::Raise => {
                self.stats.validation_failures_total += 1;
                self.stats.events_dropped_total += 1;
                Err(Error::Validation { issues: out.issues })
            }
        }
    }

    fn dispatch(&mut self, ev: Event) -> Result<(Option<Event>, bool), Error> {
        match self.sink.emit(&ev) {
            Ok(()) => {
                self.stats.events_emitted_total += 1;
                Ok((Some(ev), true))
            }
            Err(text) => {
                self.stats.emit_failures_total += 1;
                let message = crate::sanitize_error_message(&text, 200);
                let line = format!(
                    "audit sink emit failed: {}: {message}",
                    event_label(ev.as_map())
                );
                match self.pipeline.config().emit_failure_mode {
                    EmitFailureMode::Raise => return Err(Error::Sink { message }),
                    EmitFailureMode::Log => self.diag.report(Level::Warn, &line),
                    EmitFailureMode::Silent => self.diag.report(Level::Debug, &line),
                }
                Ok((Some(ev), false))
            }
        }
    }
}

/// `event_id=<uuid> action=<type>`, with either left out unless it has a safe, known shape.
pub(crate) fn event_label(ev: &Map<String, Value>) -> String {
    let id = ev
        .get("event_id")
        .and_then(Value::as_str)
        .filter(|s| super::event::is_uuid(s))
        .unwrap_or("(invalid)");
    const ACTIONS: &[&str] = &[
        "READ", "CREATE", "UPDATE", "DELETE", "EXPORT", "LOGIN", "LOGOUT", "PRINT", "OVERRIDE",
        "OTHER",
    ];
    let action = ev
        .get("action")
        .and_then(|a| a.get("type"))
        .and_then(Value::as_str)
        .filter(|t| ACTIONS.contains(t))
        .unwrap_or("(invalid)");
    format!("event_id={id} action={action}")
}

/// How many issues a summary lists before `"; and N more"` (diagnostics are capped anyway;
/// this keeps a hostile event with 100,000 bad values from building megabytes first).
pub const SUMMARY_ISSUES: usize = 20;

/// `"/actor/subject_id: must be a string (type); ..."` — paths and rules only, at most
/// [`SUMMARY_ISSUES`] of them.
pub fn issue_summary(issues: &[ValidationIssue]) -> String {
    let mut out = issues
        .iter()
        .take(SUMMARY_ISSUES)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    if issues.len() > SUMMARY_ISSUES {
        out.push_str(&format!("; and {} more", issues.len() - SUMMARY_ISSUES));
    }
    out
}
