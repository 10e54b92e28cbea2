//! Agent-attribution parity with the Python reference: runs `bh-audit-logger` 2.0.0 itself (the venv
//! `.venv-ref200` that `scripts/setup.sh python` creates, or `$BH_REF200_PYTHON`) and this engine on the
//! same vector file (tests/vectors/parity_v2.json, from tests/parity/gen_vectors_v2.py), and
//! requires, for every case not marked `differs`: the same emitted lines and returned events,
//! the same counters, and a raise exactly where the reference raises, of the matching kind
//! (the reference's `ValueError` / `TypeError` is [`Error::Agent`] here, naming the field the
//! case lists).
//!
//! Lines are compared as text (the pipeline writes the reference's key order); a line equal
//! only as JSON, in another key order, fails too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/python.rs"]
mod python;

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use bh_audit_logger::agent::AgentAction;
use bh_audit_logger::{
    AuditError, AuditLogger, AuditRequest, Config, Error, Event, FnSink, SchemaVersion, Timestamp,
    Validator,
};
use serde_json::{json, Map, Value};

fn reference_results(vectors: &Path) -> Value {
    python::reference_results(
        ("BH_REF200_PYTHON", ".venv-ref200", "bh-audit-logger==2.0.0"),
        "reference_v2.py",
        vectors,
        "2.0.0",
    )
}

fn get(args: &Value, k: &str) -> Option<Value> {
    args.get(k).cloned()
}

fn request(args: &Value) -> AuditRequest {
    AuditRequest {
        actor: get(args, "actor"),
        resource: get(args, "resource"),
        outcome: get(args, "outcome"),
        correlation: get(args, "correlation"),
        metadata: get(args, "metadata"),
        phi_touched: get(args, "phi_touched"),
        data_classification: get(args, "data_classification"),
        action_name: get(args, "action_name"),
        delegation: get(args, "delegation"),
        attribution: get(args, "attribution"),
        error: args.get("error").map(|e| match e {
            Value::String(s) => AuditError::Message(s.clone()),
            other => AuditError::Exception {
                type_name: other["exception"].as_str().unwrap().to_string(),
                message: other["message"].as_str().unwrap().to_string(),
            },
        }),
    }
}

fn agent(args: &Value) -> AgentAction {
    let req = |k: &str| get(args, k).unwrap_or(Value::Null);
    AgentAction {
        agent_subject_id: req("agent_subject_id"),
        agent: req("agent"),
        authorizing_subject_id: req("authorizing_subject_id"),
        agent_session_id: req("agent_session_id"),
        delegation_type: req("delegation_type"),
        chain_depth: get(args, "chain_depth"),
        parent_agent_session_id: get(args, "parent_agent_session_id"),
        authorizing_org_id: get(args, "authorizing_org_id"),
        acting_subject_id: get(args, "acting_subject_id"),
    }
}

/// Run one case through this engine: `{returned, raised, field, lines, stats}`.
fn run(case: &Value) -> Value {
    let config = Config::from_options(case["config"].as_object().unwrap()).unwrap();
    let lines = Rc::new(RefCell::new(Vec::<String>::new()));
    let fail = case.get("sink").and_then(Value::as_str) == Some("fail");
    let sink_lines = lines.clone();
    let sink = FnSink(move |ev: &Event| {
        if fail {
            return Err("sink unavailable".to_string());
        }
        sink_lines.borrow_mut().push(ev.line().to_string());
        Ok(())
    });
    let now = Timestamp::from_micros(case["now_us"].as_i64().unwrap());
    let id = case["id"].as_str().unwrap().to_string();
    let mut logger = AuditLogger::new(config, sink)
        .unwrap()
        .with_time_source(move || Some(now))
        .with_id_source(move || id.clone())
        .with_diagnostics(|_: bh_audit_logger::Level, _: &str| {});
    let args = &case["args"];
    let action = case["action_type"].as_str().unwrap();
    let mut returned = Vec::new();
    let (mut raised, mut field) = (Value::Null, Value::Null);
    for _ in 0..case.get("repeat").and_then(Value::as_u64).unwrap_or(1) {
        let req = request(args);
        let result = match case["call"].as_str().unwrap() {
            "audit" => logger.audit(action, req),
            "audit_access" => logger.audit_access(action, req),
            "audit_login_success" => logger.audit_login_success(req),
            "audit_login_failure" => logger.audit_login_failure(req),
            "audit_access_denied" => logger.audit_access_denied(action, None, None, req),
            "audit_agent_action" => logger.audit_agent_action(action, agent(args), req),
            "audit_agent_session_start" => logger.audit_agent_session_start(agent(args), req),
            "audit_agent_session_end" => logger.audit_agent_session_end(agent(args), req),
            "audit_human_override" => {
                logger.audit_human_override(case["agent_session_id"].as_str().unwrap(), req)
            }
            other => panic!("unknown call {other}"),
        };
        match result {
            Ok(ev) => returned.push(
                ev.map(|e| Value::String(e.line().to_string()))
                    .unwrap_or(Value::Null),
            ),
            Err(e) => {
                raised = json!(match &e {
                    Error::Agent { .. } => "Agent",
                    Error::Validation { .. } => "Validation",
                    Error::Sink { .. } => "Sink",
                    _ => "Other",
                });
                if let Error::Agent { field: f, .. } = &e {
                    field = json!(f);
                }
                let text = e.to_string();
                assert!(
                    text.chars().all(|c| !c.is_control()),
                    "{}: control character in {text}",
                    case["name"]
                );
                break;
            }
        }
    }
    let stats = serde_json::to_value(logger.stats()).unwrap();
    let lines = lines.borrow().clone();
    json!({ "returned": returned, "raised": raised, "field": field, "lines": lines, "stats": stats })
}

/// The reference's exception class, as the kind of this engine's error.
fn kind_of(reference_class: &Value) -> Value {
    match reference_class.as_str() {
        None => Value::Null,
        Some("ValueError" | "TypeError" | "AttributeError") => json!("Agent"),
        Some("ValidationError" | "AuditValidationError") => json!("Validation"),
        Some("RuntimeError") => json!("Sink"),
        Some(other) => json!(other),
    }
}

/// Deliberate difference: `audit()` here returns the event as emitted, `integrity` included;
/// the reference returns it as prepared, before chaining. Returned events are compared
/// without it (the emitted lines, with it).
fn returned_without_integrity(key: &str, v: &Value) -> Vec<Value> {
    let items = v.as_array().unwrap().clone();
    if key != "returned" {
        return items;
    }
    items
        .into_iter()
        .map(|x| match x {
            Value::String(s) => {
                let mut ev: Map<String, Value> = serde_json::from_str(&s).unwrap();
                ev.shift_remove("integrity");
                Value::String(serde_json::to_string(&ev).unwrap())
            }
            other => other,
        })
        .collect()
}

/// `Some(true)` same text, `Some(false)` same JSON in another key order, `None` different.
fn same_line(ours: &Value, theirs: &Value) -> Option<bool> {
    match (ours, theirs) {
        (Value::String(a), Value::String(b)) if a == b => Some(true),
        (Value::String(a), Value::String(b)) => {
            let (x, y): (Value, Value) = (
                serde_json::from_str(a).unwrap(),
                serde_json::from_str(b).unwrap(),
            );
            (x == y).then_some(false)
        }
        (a, b) => (a == b).then_some(true),
    }
}

#[test]
fn engine_matches_reference_2_0_0_on_every_vector() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/parity_v2.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(
        cases.len() >= 400,
        "the agent parity file must hold at least 400 cases"
    );
    let reference = reference_results(&path);
    let mut mismatches = Vec::new();
    let (mut compared, mut raises, mut text_same, mut order_only) = (0, 0, 0, 0);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let ours = run(case);
        let theirs = &reference[name];
        assert!(theirs.is_object(), "{name}: no reference result");
        let version =
            SchemaVersion::parse(case["config"]["schemaVersion"].as_str().unwrap()).unwrap();
        let validator = Validator::for_version(version).unwrap();
        for line in ours["lines"].as_array().unwrap() {
            let ev: Value = serde_json::from_str(line.as_str().unwrap()).unwrap();
            assert!(
                validator.is_valid(&ev),
                "{name}: emitted an invalid event: {line}"
            );
        }
        if case.get("differs").is_some() {
            continue;
        }
        compared += 1;
        let mut bad = Vec::new();
        if ours["raised"] != kind_of(&theirs["raised"]) {
            bad.push(format!(
                "raised {} where the reference raised {} ({})",
                ours["raised"], theirs["raised"], theirs["message"]
            ));
        } else if !ours["raised"].is_null() {
            raises += 1;
            if let Some(want) = case.get("raise_field") {
                if &ours["field"] != want {
                    bad.push(format!("refusal names {} instead of {want}", ours["field"]));
                }
            }
        }
        for key in ["lines", "returned"] {
            let (a, b) = (
                returned_without_integrity(key, &ours[key]),
                theirs[key].as_array().unwrap().clone(),
            );
            if a.len() != b.len() {
                bad.push(format!(
                    "{} {key} where the reference has {}",
                    a.len(),
                    b.len()
                ));
                continue;
            }
            for (x, y) in a.iter().zip(&b) {
                match same_line(x, y) {
                    Some(true) => text_same += usize::from(key == "lines" && x.is_string()),
                    Some(false) => {
                        order_only += usize::from(key == "lines");
                        if key == "lines" {
                            bad.push(format!("line equal as JSON, not as text:\n    ours:   {x}\n    theirs: {y}"));
                        }
                    }
                    None => bad.push(format!("{key} differ:\n    ours:   {x}\n    theirs: {y}")),
                }
            }
        }
        let mut ours_stats = ours["stats"].clone();
        let ours_ms = ours_stats
            .as_object_mut()
            .unwrap()
            .remove("validation_time_ms_total")
            .unwrap();
        assert!(ours_ms.as_f64().unwrap() >= 0.0);
        let mut theirs_stats = theirs["stats"].clone();
        theirs_stats
            .as_object_mut()
            .unwrap()
            .remove("validation_time_ms_total");
        if ours_stats != theirs_stats {
            bad.push(format!("stats {ours_stats} vs {theirs_stats}"));
        }
        if !bad.is_empty() {
            mismatches.push(format!("{name}: {}", bad.join("; ")));
        }
    }
    println!(
        "parity 2.0.0: {compared} cases compared ({raises} identical raises, {text_same} lines identical as text, \
         {order_only} lines equal only as JSON), {} deliberate differences",
        cases.len() - compared
    );
    assert!(
        mismatches.is_empty(),
        "{} of {compared} cases differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
