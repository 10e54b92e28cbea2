//! The direct audit path: the common `audit()` call, from the call's JSON text to the event's
//! JSON text, without building `serde_json::Value`s (whose allocations and hashing cost more
//! than everything else an event needs).
//!
//! It reads the call with the validator's light reader (borrowed strings, objects as vectors),
//! assembles the event by the rules of [`crate::event::EventBuilder::build`] and
//! [`crate::event::EventBuilder::prepare`], checks it with the validator's boolean fast path,
//! and writes it out. It only answers when the event is valid and nothing needs reporting:
//! anything else (an invalid event, a metadata key to drop, a number whose text JSON would
//! write differently, integrity chaining, input the light reader declines) returns `None`, and
//! the caller runs the general path, which handles every case. A test runs both paths on the
//! parity vectors and on random calls and requires identical output whenever this one answers.

use std::borrow::Cow;

use crate::event::is_uuid;
use crate::event::EventBuilder;
use crate::pipeline::Pipeline;
use crate::validator::lite::{self, Lite};
use crate::{SchemaVersion, Timestamp, Validator};

type Members<'a> = Vec<(Cow<'a, str>, Lite<'a>)>;

/// The event JSON for one `audit()` call (the facade's call JSON), or `None` when the general
/// path must decide.
pub(crate) fn audit(pipeline: &Pipeline, input: &str, now_ms: f64) -> Option<String> {
    if pipeline.is_chained() {
        return None;
    }
    let b = pipeline.builder();
    if b.config().default_actor_type == crate::ActorType::Agent {
        return None;
    }
    let call = Call::read(lite::parse(input)?)?;
    // Agent data (`crate::agent`'s rules) is the general path's: OVERRIDE, an agent actor.
    if matches!(call.action, Some(Lite::Str(ref a)) if a == "OVERRIDE") {
        return None;
    }
    if let Some(Lite::Obj(actor)) = &call.actor {
        if actor
            .iter()
            .any(|(k, v)| k == "subject_type" && matches!(v, Lite::Str(t) if t == "agent"))
        {
            return None;
        }
    }
    let ts = Timestamp::from_millis_f64(now_ms)?.format()?;
    let mut ev = build(b, call, ts)?;
    prepare(b, &mut ev)?;
    finish(ev, b.config().schema_version, input.len())
}

/// The event JSON for one `emit()` call (a pre-built event's JSON), or `None` when the general
/// path must decide.
pub(crate) fn emit(pipeline: &Pipeline, input: &str) -> Option<String> {
    if pipeline.is_chained() {
        return None;
    }
    let Lite::Obj(mut ev) = lite::parse(input)? else {
        return None;
    };
    // `event::canonical_order`: the schema's property order, top level and blocks.
    reorder(&mut ev, crate::event::TOP_ORDER);
    for (k, v) in ev.iter_mut() {
        if let Lite::Obj(block) = v {
            reorder(block, crate::event::block_order(k));
        }
    }
    prepare(pipeline.builder(), &mut ev)?;
    let version = match get(&ev, "schema_version") {
        Some(Lite::Str(v)) => SchemaVersion::parse(v)?,
        _ => return None,
    };
    if !matches!(version, SchemaVersion::V1_0 | SchemaVersion::V1_1) {
        return None;
    }
    finish(ev, version, input.len())
}

/// Validate a prepared event and write it, or `None` when it is invalid.
fn finish(ev: Members<'_>, version: SchemaVersion, size_hint: usize) -> Option<String> {
    let doc = Lite::Obj(ev);
    if !Validator::for_version(version).ok()?.is_valid_lite(&doc) {
        return None;
    }
    let mut out = String::with_capacity(size_hint + 256);
    write(&doc, &mut out)?;
    Some(out)
}

enum CallError<'a> {
    Exception {
        name: Cow<'a, str>,
        message: Cow<'a, str>,
    },
    Message(Cow<'a, str>),
}

/// The call's arguments, read as `call::AuditInput` reads them (a `null` member is absent).
#[derive(Default)]
struct Call<'a> {
    action: Option<Lite<'a>>,
    id: Option<Lite<'a>>,
    actor: Option<Lite<'a>>,
    resource: Option<Lite<'a>>,
    outcome: Option<Lite<'a>>,
    correlation: Option<Lite<'a>>,
    metadata: Option<Lite<'a>>,
    phi_touched: Option<Lite<'a>>,
    data_classification: Option<Lite<'a>>,
    action_name: Option<Lite<'a>>,
    error: Option<CallError<'a>>,
    helper: Option<Cow<'a, str>>,
    error_type: Option<Lite<'a>>,
    error_message: Option<Lite<'a>>,
}

impl<'a> Call<'a> {
    fn read(doc: Lite<'a>) -> Option<Call<'a>> {
        let Lite::Obj(members) = doc else {
            return None;
        };
        let mut c = Call::default();
        for (k, v) in members {
            if matches!(v, Lite::Null) {
                continue;
            }
            let slot = match &*k {
                "action" => &mut c.action,
                "id" => &mut c.id,
                "actor" => &mut c.actor,
                "resource" => &mut c.resource,
                "outcome" => &mut c.outcome,
                "correlation" => &mut c.correlation,
                "metadata" => &mut c.metadata,
                "phiTouched" => &mut c.phi_touched,
                "dataClassification" => &mut c.data_classification,
                "actionName" => &mut c.action_name,
                "errorType" => &mut c.error_type,
                "errorMessage" => &mut c.error_message,
                "helper" => {
                    let Lite::Str(h) = v else { return None };
                    if !matches!(&*h, "loginSuccess" | "loginFailure" | "accessDenied") {
                        return None;
                    }
                    c.helper = Some(h);
                    continue;
                }
                // Agent data and the agent helpers' arguments: the general path's.
                k if crate::call::AGENT_MEMBERS.contains(&k) => return None,
                "error" => {
                    c.error = Some(match v {
                        Lite::Str(m) => CallError::Message(m),
                        Lite::Obj(m) => {
                            let mut name = None;
                            let mut message = None;
                            for (k, v) in m {
                                match (&*k, v) {
                                    ("name", Lite::Str(s)) => name = Some(s),
                                    ("message", Lite::Str(s)) => message = Some(s),
                                    ("name" | "message", _) => return None,
                                    _ => {}
                                }
                            }
                            CallError::Exception {
                                name: name?,
                                message: message?,
                            }
                        }
                        _ => return None,
                    });
                    continue;
                }
                _ => continue,
            };
            *slot = Some(v);
        }
        // The helpers' rules, as `AuditRequest::login_success` & co. apply them.
        match c.helper.as_deref() {
            Some("loginSuccess") => {
                c.default_session();
                c.outcome = Some(obj(vec![("status", text("SUCCESS"))]));
                c.error = None;
            }
            Some("loginFailure") => {
                c.default_session();
                let empty = match &c.error {
                    None => true,
                    Some(CallError::Message(m)) => m.is_empty(),
                    Some(CallError::Exception { .. }) => false,
                };
                if empty {
                    c.error = Some(CallError::Message(Cow::Borrowed("Login failed")));
                }
            }
            Some("accessDenied") => {
                let mut o = vec![
                    (Cow::Borrowed("status"), text("DENIED")),
                    (
                        Cow::Borrowed("error_type"),
                        c.error_type.take().unwrap_or_else(|| text("AccessDenied")),
                    ),
                ];
                if let Some(m) = c.error_message.take().filter(truthy) {
                    o.push((Cow::Borrowed("error_message"), m));
                }
                c.outcome = Some(Lite::Obj(o));
                c.error = None;
            }
            _ => {}
        }
        Some(c)
    }

    fn default_session(&mut self) {
        if !self.resource.as_ref().is_some_and(truthy) {
            self.resource = Some(obj(vec![("type", text("Session"))]));
        }
    }
}

fn text(s: &'static str) -> Lite<'static> {
    Lite::Str(Cow::Borrowed(s))
}

fn obj<'a>(members: Vec<(&'static str, Lite<'a>)>) -> Lite<'a> {
    Lite::Obj(
        members
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), v))
            .collect(),
    )
}

fn borrowed(s: &str) -> Lite<'_> {
    Lite::Str(Cow::Borrowed(s))
}

/// Python truthiness, as [`crate::event::truthy`] on the same value.
fn truthy(v: &Lite) -> bool {
    match v {
        Lite::Null => false,
        Lite::Bool(b) => *b,
        Lite::Num(t) => t.parse::<f64>().is_ok_and(|f| f != 0.0),
        Lite::Str(s) => !s.is_empty(),
        Lite::Arr(a) => !a.is_empty(),
        Lite::Obj(o) => !o.is_empty(),
    }
}

fn get<'m, 'a>(m: &'m Members<'a>, key: &str) -> Option<&'m Lite<'a>> {
    m.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn get_mut<'m, 'a>(m: &'m mut Members<'a>, key: &str) -> Option<&'m mut Lite<'a>> {
    m.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// Known keys first in `order`, the others after in their order (as `event::reorder`).
fn reorder(m: &mut Members<'_>, order: &[&str]) {
    let rank = |k: &str| order.iter().position(|o| *o == k).unwrap_or(order.len());
    // A stable insertion sort by rank: objects here are small (the light reader gives up past
    // 64 members) and usually already in order, and it avoids the standard sorts' code size.
    for i in 1..m.len() {
        let mut j = i;
        while j > 0 && rank(&m[j - 1].0) > rank(&m[j].0) {
            m.swap(j - 1, j);
            j -= 1;
        }
    }
}

fn reorder_block<'a>(v: Lite<'a>, block: &str) -> Lite<'a> {
    match v {
        Lite::Obj(mut m) => {
            reorder(&mut m, crate::event::block_order(block));
            Lite::Obj(m)
        }
        other => other,
    }
}

/// `EventBuilder::sanitize_outcome_message` on a light object.
fn sanitize_outcome_message(b: &EventBuilder, outcome: &mut Members<'_>) {
    match get_mut(outcome, "error_message") {
        Some(Lite::Str(m)) => *m = Cow::Owned(b.sanitize(m)),
        Some(v) if !truthy(v) => *v = Lite::Str(Cow::Borrowed("")),
        _ => {}
    }
}

/// `EventBuilder::build` on light values; `None` where the general path must decide.
fn build<'a>(b: &'a EventBuilder, c: Call<'a>, ts: String) -> Option<Members<'a>> {
    let cfg = b.config();
    let mut ev: Members<'a> = Vec::with_capacity(12);
    ev.push((
        Cow::Borrowed("schema_version"),
        borrowed(cfg.schema_version.as_str()),
    ));
    ev.push((Cow::Borrowed("event_id"), c.id.unwrap_or(Lite::Null)));
    ev.push((Cow::Borrowed("timestamp"), Lite::Str(Cow::Owned(ts))));
    let mut service = vec![
        (Cow::Borrowed("name"), borrowed(&cfg.service_name)),
        (
            Cow::Borrowed("environment"),
            borrowed(&cfg.service_environment),
        ),
    ];
    if let Some(v) = cfg.service_version.as_ref().filter(|v| !v.is_empty()) {
        service.push((Cow::Borrowed("version"), borrowed(v)));
    }
    ev.push((Cow::Borrowed("service"), Lite::Obj(service)));

    if let Some(corr) = c.correlation.filter(truthy) {
        ev.push((
            Cow::Borrowed("correlation"),
            reorder_block(corr, "correlation"),
        ));
    }

    let actor = match c.actor.filter(truthy) {
        Some(Lite::Obj(mut a)) => {
            if get(&a, "subject_id").is_none() {
                a.push((Cow::Borrowed("subject_id"), borrowed(&cfg.default_actor_id)));
            }
            if get(&a, "subject_type").is_none() {
                a.push((
                    Cow::Borrowed("subject_type"),
                    borrowed(cfg.default_actor_type.as_str()),
                ));
            }
            reorder(&mut a, crate::event::block_order("actor"));
            Lite::Obj(a)
        }
        Some(other) => other,
        None => obj(vec![
            ("subject_id", borrowed(&cfg.default_actor_id)),
            ("subject_type", borrowed(cfg.default_actor_type.as_str())),
        ]),
    };
    ev.push((Cow::Borrowed("actor"), actor));

    let mut action = Vec::with_capacity(4);
    action.push((Cow::Borrowed("type"), c.action.unwrap_or(Lite::Null)));
    if let Some(name) = c.action_name {
        action.push((Cow::Borrowed("name"), name));
    }
    if let Some(p) = c.phi_touched {
        action.push((Cow::Borrowed("phi_touched"), p));
    }
    let dc = c
        .data_classification
        .filter(truthy)
        .unwrap_or_else(|| text("UNKNOWN"));
    action.push((Cow::Borrowed("data_classification"), dc));
    ev.push((Cow::Borrowed("action"), Lite::Obj(action)));

    let resource = match c.resource.filter(truthy) {
        Some(r) => reorder_block(r, "resource"),
        None => obj(vec![("type", text("unknown"))]),
    };
    ev.push((Cow::Borrowed("resource"), resource));
    ev.push((
        Cow::Borrowed("outcome"),
        build_outcome(b, c.outcome, c.error)?,
    ));

    if let Some(m) = c.metadata.filter(truthy) {
        ev.push((Cow::Borrowed("metadata"), m));
    }
    Some(ev)
}

/// `EventBuilder::build_outcome` on light values.
fn build_outcome<'a>(
    b: &'a EventBuilder,
    outcome: Option<Lite<'a>>,
    error: Option<CallError<'a>>,
) -> Option<Lite<'a>> {
    let cfg = b.config();
    if let Some(error) = error {
        let (type_name, message) = match error {
            CallError::Exception { name, message } => (name, message),
            CallError::Message(m) => (Cow::Borrowed("ApplicationError"), m),
        };
        let message = if cfg.sanitize_errors {
            Cow::Owned(b.sanitize(&message))
        } else {
            message
        };
        return Some(obj(vec![
            ("status", text("FAILURE")),
            ("error_type", Lite::Str(type_name)),
            ("error_message", Lite::Str(message)),
        ]));
    }
    Some(match outcome.filter(truthy) {
        Some(Lite::Obj(mut o)) => {
            if cfg.sanitize_errors {
                sanitize_outcome_message(b, &mut o);
            }
            if cfg.schema_version == SchemaVersion::V1_0
                && matches!(get(&o, "status"), Some(Lite::Str(s)) if s == "DENIED")
            {
                // Rare (schema 1.0 with DENIED): the general path rewrites it.
                return None;
            }
            reorder(&mut o, crate::event::block_order("outcome"));
            Lite::Obj(o)
        }
        Some(other) => other,
        None => obj(vec![("status", text("SUCCESS"))]),
    })
}

/// `EventBuilder::prepare` without the validation, for events that need no diagnostics:
/// metadata through the allowlist, the outcome's message sanitized again (as the reference's
/// `_prepare` does), and the reference's own rules. `None` when anything would be reported.
fn prepare(b: &EventBuilder, ev: &mut Members<'_>) -> Option<()> {
    let cfg = b.config();
    if let Some(i) = ev.iter().position(|(k, _)| k == "metadata") {
        if matches!(ev.get(i), Some((_, Lite::Null))) {
            return None; // kept, and invalid (a pre-built event's `"metadata": null`)
        }
        if cfg.metadata_allowlist.is_empty() {
            ev.remove(i);
        } else if let Some((_, Lite::Obj(meta))) = ev.get_mut(i) {
            let max = cfg.max_metadata_value_length;
            for (k, v) in meta.iter_mut() {
                if !cfg.metadata_allowlist.contains(&**k) {
                    return None; // dropped with a diagnostic
                }
                match v {
                    Lite::Arr(_) | Lite::Obj(_) => return None, // dropped with a diagnostic
                    Lite::Str(s) => {
                        if let Some((cut, _)) = s.char_indices().nth(max) {
                            let mut t = s[..cut].to_string();
                            t.push_str("...");
                            *s = Cow::Owned(t);
                        }
                    }
                    _ => {}
                }
            }
            if meta.is_empty() {
                ev.remove(i);
            }
        }
    }
    let Some(Lite::Obj(outcome)) = get_mut(ev, "outcome") else {
        return None;
    };
    if cfg.sanitize_errors {
        sanitize_outcome_message(b, outcome);
    }
    if matches!(get(outcome, "status"), Some(Lite::Str(s)) if s == "FAILURE")
        && matches!(get(outcome, "error_message"), Some(Lite::Str(m)) if m.is_empty())
    {
        return None;
    }
    match get(ev, "event_id") {
        Some(Lite::Str(id)) if is_uuid(id) => Some(()),
        _ => None,
    }
}

/// Write `v` as `serde_json::to_string` writes the same value; `None` for a number whose
/// text it would write differently (anything but a plain integer of up to 18 digits).
fn write(v: &Lite, out: &mut String) -> Option<()> {
    match v {
        Lite::Null => out.push_str("null"),
        Lite::Bool(true) => out.push_str("true"),
        Lite::Bool(false) => out.push_str("false"),
        Lite::Num(t) => {
            let digits = t.strip_prefix('-').unwrap_or(t);
            let plain = !digits.is_empty()
                && digits.len() <= 18
                && digits.bytes().all(|b| b.is_ascii_digit())
                && (digits == "0" || !digits.starts_with('0'))
                && *t != "-0";
            if !plain {
                return None;
            }
            out.push_str(t);
        }
        Lite::Str(s) => write_str(s, out),
        Lite::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out)?;
            }
            out.push(']');
        }
        Lite::Obj(members) => {
            out.push('{');
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(k, out);
                out.push(':');
                write(v, out)?;
            }
            out.push('}');
        }
    }
    Some(())
}

/// A JSON string with `serde_json`'s escapes: `"` `\` and control characters only.
pub(crate) fn write_str(s: &str, out: &mut String) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::call::{audit_text_general, Reply};
    use crate::pipeline::Verdict;
    use crate::{CollectDiagnostics, Config};
    use serde_json::{json, Map, Value};

    fn pipeline(options: &Value) -> Pipeline {
        let opts = options.as_object().cloned().unwrap_or_default();
        Pipeline::new(Config::from_options(&opts).unwrap()).unwrap()
    }

    /// Run `input` through both paths; when the direct one answers, it must give the general
    /// path's event, byte for byte, with nothing to report. Returns whether it answered.
    fn check(options: &Value, input: &str, now_ms: f64) -> bool {
        let direct = audit(&pipeline(options), input, now_ms);
        let mut diag = CollectDiagnostics::default();
        let general = audit_text_general(&mut pipeline(options), input, now_ms, &mut diag);
        let Some(body) = direct else { return false };
        assert_eq!(
            Reply {
                verdict: Verdict::Emit,
                body
            },
            general,
            "options {options} input {input}"
        );
        assert!(diag.entries.is_empty(), "{input}: {:?}", diag.entries);
        true
    }

    /// The facade's call JSON for a parity vector.
    fn call_json(case: &Value) -> Option<String> {
        let helper = match case["call"].as_str()? {
            "audit" | "audit_access" => Value::Null,
            "audit_login_success" => json!("loginSuccess"),
            "audit_login_failure" => json!("loginFailure"),
            _ => return None,
        };
        let a = &case["args"];
        let error = match &a["error"] {
            Value::Object(e) => json!({"name": e["exception"], "message": e["message"]}),
            other => other.clone(),
        };
        Some(
            json!({
                "action": case["action_type"], "id": case["id"], "actor": a["actor"],
                "resource": a["resource"], "outcome": a["outcome"], "correlation": a["correlation"],
                "metadata": a["metadata"], "phiTouched": a["phi_touched"],
                "dataClassification": a["data_classification"], "error": error, "helper": helper,
            })
            .to_string(),
        )
    }

    #[test]
    fn direct_path_equals_the_general_path_on_the_parity_vectors() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/parity.json");
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let (mut calls, mut answered) = (0, 0);
        for case in doc["cases"].as_array().unwrap() {
            let Some(input) = call_json(case) else {
                continue;
            };
            calls += 1;
            let now_ms = case["now_us"].as_i64().unwrap() as f64 / 1000.0;
            answered += usize::from(check(&case["config"], &input, now_ms));
        }
        eprintln!("parity: {answered} of {calls}");
        assert!(calls > 250, "{calls}");
        // Most vectors are valid calls: the direct path must take them.
        assert!(
            answered * 2 > calls,
            "direct path answered {answered} of {calls}"
        );
    }

    /// Random calls, mostly valid, with the values the direct path must write exactly as
    /// `serde_json` does (escapes, unicode, numbers) and the shapes it must leave alone.
    #[test]
    fn direct_path_equals_the_general_path_on_random_calls() {
        let mut rng = crate::test_rng::XorShift::new(0x9e37_79b9_7f4a_7c15);
        let mut next = move |n: usize| rng.below(n);
        let strings: Vec<Value> = [
            "u-1",
            "",
            "é\u{1}\u{1f}\"\\/\n\t\u{7f}\u{2028}😀",
            "DENIED",
            "FAILURE",
            "SUCCESS",
            "Patient",
            "call 555-123-4567 re SSN 123-45-6789",
            "  spaced   out  ",
            "human",
            "service",
            "PHI",
            "READ",
            "x".repeat(300).as_str(),
            "john@example.com",
            "9e3779b1-0001-4001-8007-0000000f4243",
        ]
        .iter()
        .map(|s| json!(s))
        .collect();
        let scalars: Vec<Value> = vec![
            json!(null),
            json!(true),
            json!(false),
            json!(0),
            json!(1),
            json!(-7),
            json!(1.5),
            json!(1e300),
            json!(-0.0),
            json!(123456789012345678_i64),
            json!(u64::MAX),
            json!(1.0),
        ];
        let pick = |next: &mut dyn FnMut(usize) -> usize| -> Value {
            match next(10) {
                0..=5 => strings[next(strings.len())].clone(),
                6 | 7 => scalars[next(scalars.len())].clone(),
                8 => json!([
                    strings[next(strings.len())].clone(),
                    scalars[next(scalars.len())].clone()
                ]),
                _ => json!({"k": strings[next(strings.len())].clone()}),
            }
        };
        let blocks: &[(&str, &[&str])] = &[
            (
                "actor",
                &[
                    "subject_id",
                    "subject_type",
                    "org_id",
                    "owner_org_id",
                    "roles",
                    "ssn",
                ],
            ),
            ("resource", &["type", "id", "patient_id", "name"]),
            (
                "outcome",
                &["status", "error_type", "error_message", "extra"],
            ),
            ("correlation", &["request_id", "trace_id", "session_id"]),
            ("metadata", &["route", "count", "ok", "note", "secret"]),
        ];
        let options = [
            json!({"serviceName": "svc"}),
            json!({"serviceName": "svc", "serviceVersion": "1.2.3", "serviceEnvironment": "prod",
                   "metadataAllowlist": ["route", "count", "ok", "note"], "maxMetadataValueLength": 5}),
            json!({"serviceName": "svc", "sanitizeErrors": false, "defaultActorType": "human"}),
            json!({"serviceName": "svc", "redaction": "strict", "errorMessageMaxLen": 12}),
            json!({"serviceName": "svc", "schemaVersion": "1.0"}),
        ];
        let (mut total, mut answered) = (0, 0);
        for round in 0..6000 {
            let mut call = Map::new();
            call.insert(
                "action".into(),
                json!(["READ", "UPDATE", "LOGIN", "EXPORT", "bogus"][next(5)]),
            );
            call.insert(
                "id".into(),
                if next(20) == 0 {
                    pick(&mut next)
                } else {
                    json!("9e3779b1-0001-4001-8007-0000000f4243")
                },
            );
            for (block, keys) in blocks {
                if next(3) == 0 {
                    continue;
                }
                let mut m = Map::new();
                for k in *keys {
                    if next(3) == 0 {
                        let v = match (*block, *k) {
                            ("outcome", "status") => {
                                json!(["SUCCESS", "FAILURE", "DENIED", "bad"][next(4)])
                            }
                            ("actor", "subject_type") => {
                                json!(["human", "service", "bot"][next(3)])
                            }
                            ("actor", "roles") => json!(["clinician"]),
                            _ if next(4) > 0 => strings[next(strings.len())].clone(),
                            _ => pick(&mut next),
                        };
                        m.insert((*k).into(), v);
                    }
                }
                let v = if next(15) == 0 {
                    pick(&mut next)
                } else {
                    Value::Object(m)
                };
                call.insert((*block).into(), v);
            }
            for k in [
                "phiTouched",
                "dataClassification",
                "actionName",
                "errorType",
                "errorMessage",
            ] {
                if next(4) == 0 {
                    let v = match k {
                        "phiTouched" => json!(next(2) == 0),
                        "dataClassification" => json!(["PHI", "PII", "UNKNOWN", ""][next(4)]),
                        _ => pick(&mut next),
                    };
                    call.insert(k.into(), v);
                }
            }
            match next(6) {
                0 => {
                    call.insert("error".into(), strings[next(strings.len())].clone());
                }
                1 => {
                    call.insert("error".into(), json!({"name": "ValueError", "message": strings[next(strings.len())].clone()}));
                }
                2 if next(3) == 0 => {
                    call.insert("error".into(), pick(&mut next));
                }
                _ => {}
            }
            if next(3) == 0 {
                let h = ["loginSuccess", "loginFailure", "accessDenied", "other"][next(4)];
                call.insert("helper".into(), json!(h));
            }
            if next(25) == 0 {
                call.insert("unknown".into(), pick(&mut next));
            }
            let input = Value::Object(call).to_string();
            let now_ms = if round % 97 == 0 {
                f64::NAN
            } else {
                1.77e12 + round as f64 * 1234.567
            };
            total += 1;
            answered += usize::from(check(&options[round % options.len()], &input, now_ms));
        }
        eprintln!("random: {answered} of {total}");
        assert!(
            answered * 10 > total,
            "direct path answered only {answered} of {total}"
        );
        assert!(
            answered * 10 < total * 9,
            "too few calls need the general path: {answered} of {total}"
        );
    }

    /// `emit()`: upstream example events of 1.0 and 1.1, shuffled and mutated, through both paths.
    #[test]
    fn direct_emit_equals_the_general_emit() {
        use crate::call::emit_text_general;
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/vectors/bh-audit-schema/examples");
        let mut events = Vec::new();
        for v in ["1.0", "1.1"] {
            let rd = std::fs::read_dir(root.join(v)).unwrap();
            for f in rd
                .flatten()
                .filter(|f| f.path().extension().is_some_and(|e| e == "json"))
            {
                let doc: Value =
                    serde_json::from_str(&std::fs::read_to_string(f.path()).unwrap()).unwrap();
                events.push(doc.get("event").cloned().unwrap_or(doc));
            }
        }
        assert!(events.len() >= 10, "{}", events.len());
        let options = [
            json!({"serviceName": "svc"}),
            json!({"serviceName": "svc", "metadataAllowlist": ["route", "count", "note"], "maxMetadataValueLength": 4}),
            json!({"serviceName": "svc", "redaction": "strict", "errorMessageMaxLen": 10}),
        ];
        let mut rng = crate::test_rng::XorShift::new(0x51_7cc1_b727_220a);
        let mut next = move |n: usize| rng.below(n);
        let (mut total, mut answered) = (0, 0);
        for round in 0..3000 {
            let mut ev = events[next(events.len())].clone();
            let Some(m) = ev.as_object_mut() else {
                continue;
            };
            match next(8) {
                0 => {
                    m.insert(
                        "metadata".into(),
                        json!({"route": "/p/{id}", "count": 3, "note": "long note"}),
                    );
                }
                1 => {
                    m.insert("metadata".into(), Value::Null);
                }
                2 => {
                    m.insert("outcome".into(), json!({"error_message": "  bad  123-45-6789 ", "status": "FAILURE", "error_type": "E"}));
                }
                3 => {
                    let keys: Vec<String> = m.keys().cloned().collect();
                    let k = &keys[next(keys.len())];
                    m.shift_remove(k);
                }
                4 => {
                    let mut entries: Vec<(String, Value)> = std::mem::take(m).into_iter().collect();
                    entries.reverse();
                    m.extend(entries);
                }
                5 => {
                    m.insert("extra".into(), json!(1));
                }
                _ => {}
            }
            let input = ev.to_string();
            let opts = &options[round % options.len()];
            let direct = emit(&pipeline(opts), &input);
            let mut diag = CollectDiagnostics::default();
            let general = emit_text_general(&mut pipeline(opts), &input, &mut diag);
            total += 1;
            if let Some(body) = direct {
                answered += 1;
                assert_eq!(
                    Reply {
                        verdict: Verdict::Emit,
                        body
                    },
                    general,
                    "{opts} {input}"
                );
                assert!(diag.entries.is_empty());
            }
        }
        eprintln!("emit: {answered} of {total}");
        assert!(
            answered * 5 > total && answered < total,
            "direct emit answered {answered} of {total}"
        );
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for s in [
            "",
            "plain",
            "\"\\/",
            "\u{0}\u{8}\u{c}\n\r\t\u{1f}\u{7f}",
            "é😀\u{2028}",
        ] {
            let mut out = String::new();
            write_str(s, &mut out);
            assert_eq!(out, serde_json::to_string(s).unwrap());
        }
    }
}
