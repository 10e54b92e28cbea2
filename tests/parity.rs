//! Parity with the Python reference: runs `bh-audit-logger` 0.3.0 itself (the venv
//! `.venv-ref` that `scripts/setup.sh python` creates, or `$BH_REF_PYTHON`) and this engine on the same vector
//! file, and requires identical results for every case not marked `differs`. Events are
//! compared as text: each returned and each delivered event is the line the reference's
//! `LoggingSink` writes (`json.dumps(event, separators=(",", ":"), ensure_ascii=False)`),
//! byte for byte, key order included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/python.rs"]
mod python;

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use bh_audit_logger::{
    sanitize_error_message, AuditError, AuditLogger, AuditRequest, Config, Error, Event, FnSink,
    Timestamp, Validator,
};
use serde_json::{json, Value};

fn reference_results(vectors: &Path) -> Value {
    python::reference_results(
        ("BH_REF_PYTHON", ".venv-ref", "bh-audit-logger==0.3.0"),
        "reference.py",
        vectors,
        "0.3.0",
    )
}

/// What a failed call raised, in the reference's terms: `{"type": class, "message": text}`.
/// A sink failure under `emitFailureMode: "raise"` is the sink's own exception re-raised there
/// (the vectors' failing sink raises `RuntimeError("sink unavailable")`; ours returns the same
/// text), so it must come back as that class with that message, sanitized. Any other error is
/// named by its variant, which no reference class matches.
fn what_was_raised(e: &Error) -> Value {
    match e {
        Error::Sink { message } => json!({"type": "RuntimeError", "message": message}),
        other => {
            let variant = format!("{other:?}");
            let variant = variant.split([' ', '{', '(']).next().unwrap();
            json!({"type": format!("bh_audit_logger::Error::{variant}"), "message": other.to_string()})
        }
    }
}

fn request(args: &Value) -> AuditRequest {
    let get = |k: &str| args.get(k).cloned();
    AuditRequest {
        actor: get("actor"),
        resource: get("resource"),
        outcome: get("outcome"),
        correlation: get("correlation"),
        metadata: get("metadata"),
        phi_touched: get("phi_touched"),
        data_classification: get("data_classification"),
        action_name: None,
        error: args.get("error").map(|e| match e {
            Value::String(s) => AuditError::Message(s.clone()),
            other => AuditError::Exception {
                type_name: other["exception"].as_str().unwrap().to_string(),
                message: other["message"].as_str().unwrap().to_string(),
            },
        }),
        ..AuditRequest::default()
    }
}

/// Run one case through this engine, producing the reference runner's result shape.
fn run(case: &Value) -> Value {
    if case["call"] == "sanitize" {
        let max = case["max_len"].as_u64().unwrap() as usize;
        return json!({ "sanitized": sanitize_error_message(case["message"].as_str().unwrap(), max) });
    }
    let config = Config::from_options(case["config"].as_object().unwrap()).unwrap();
    let received = Rc::new(RefCell::new(Vec::<Value>::new()));
    // Lines compared as text: the emitted line is the reference's `json.dumps` text.
    let fail = case.get("sink").and_then(Value::as_str) == Some("fail");
    let sink_events = received.clone();
    let sink = FnSink(move |ev: &Event| {
        if fail {
            return Err("sink unavailable".to_string());
        }
        sink_events
            .borrow_mut()
            .push(Value::String(ev.line().to_string()));
        Ok(())
    });
    let now = Timestamp::from_micros(case["now_us"].as_i64().unwrap());
    let id = case["id"].as_str().unwrap().to_string();
    let mut logger = AuditLogger::new(config, sink)
        .unwrap()
        .with_time_source(move || Some(now))
        .with_id_source(move || id.clone())
        .with_diagnostics(|_: bh_audit_logger::Level, _: &str| {});
    let req = request(&case["args"]);
    let action = case["action_type"].as_str().unwrap();
    let result = match case["call"].as_str().unwrap() {
        "audit" => logger.audit(action, req),
        "audit_access" => logger.audit_access(action, req),
        "audit_login_success" => logger.audit_login_success(req),
        "audit_login_failure" => logger.audit_login_failure(req),
        "emit" => logger
            .emit(case["event"].as_object().unwrap())
            .map(|_| None),
        other => panic!("unknown call {other}"),
    };
    let (returned, raised) = match result {
        Ok(ev) => (
            ev.map(|e| Value::String(e.into_line()))
                .unwrap_or(Value::Null),
            Value::Null,
        ),
        Err(e) => (Value::Null, what_was_raised(&e)),
    };
    let stats = serde_json::to_value(logger.stats()).unwrap();
    let sink = Value::Array(received.borrow().clone());
    json!({ "returned": returned, "raised": raised, "sink": sink, "stats": stats })
}

#[test]
fn engine_matches_reference_on_every_vector() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/parity.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(
        cases.len() >= 300,
        "the parity file must hold at least 300 cases"
    );
    let reference = reference_results(&path);
    let v11 = Validator::for_version(bh_audit_logger::SchemaVersion::V1_1).unwrap();
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let ours = run(case);
        let theirs = &reference[name];
        if let Some(reason) = case.get("differs") {
            // Deliberate difference: what we emit must still be schema-valid.
            for line in ours["sink"].as_array().unwrap() {
                let ev: Value = serde_json::from_str(line.as_str().unwrap()).unwrap();
                let ev = &ev;
                let own = ev["schema_version"]
                    .as_str()
                    .and_then(bh_audit_logger::SchemaVersion::parse)
                    .and_then(|v| Validator::for_version(v).ok());
                assert!(
                    v11.is_valid(ev)
                        || ev["schema_version"] == "1.0"
                        || own.is_some_and(|v| v.is_valid(ev)),
                    "{name}: emitted an invalid event ({reason})"
                );
            }
            continue;
        }
        compared += 1;
        // 0.3.0 has four counters; the three the 2.0.0 reference added are checked by parity_v2.
        let mut ours = ours;
        if let Some(keys) = theirs["stats"].as_object() {
            let stats: serde_json::Map<String, Value> = keys
                .keys()
                .map(|k| (k.clone(), ours["stats"][k].clone()))
                .collect();
            ours["stats"] = Value::Object(stats);
        }
        if ours["returned"] != theirs["returned"]
            || ours["sink"] != theirs["sink"]
            || ours["stats"] != theirs["stats"]
            || ours.get("sanitized") != theirs.get("sanitized")
            || ours["raised"] != theirs["raised"]
        {
            mismatches.push(format!("{name}\n  ours:   {ours}\n  theirs: {theirs}"));
        }
    }
    println!(
        "parity: {compared} cases compared, {} deliberate differences",
        cases.len() - compared
    );
    assert!(
        mismatches.is_empty(),
        "{} of {compared} cases differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
