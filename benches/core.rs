//! Native benchmarks: `audit()`, `sanitize_error_message`, validation (std::time, no harness).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use bh_audit_logger::{
    sanitize_error_message, AuditLogger, AuditRequest, Config, FnSink, SchemaVersion, Timestamp,
    Validator,
};
use serde_json::{json, Value};

fn per_call(name: &str, iters: u32, mut f: impl FnMut()) -> f64 {
    for _ in 0..iters / 10 {
        f();
    }
    let t = Instant::now();
    for _ in 0..iters {
        f();
    }
    let ns = t.elapsed().as_nanos() as f64 / f64::from(iters);
    println!("{name:<44} {:>10.0} ns/call", ns);
    ns
}

fn main() {
    let event: Value = serde_json::from_str(
        include_str!("../../shared/vectors/bh-audit-schema/examples/1.1/note_update_failure.json")
            .replace("18:41:55Z", "18:41:55.000Z")
            .as_str(),
    )
    .unwrap();
    let text = serde_json::to_string(&event).unwrap();
    let v = Validator::for_version(SchemaVersion::V1_1).unwrap();
    per_call("validate (Value, 1.1 example)", 200_000, || {
        black_box(v.validate(black_box(&event)));
    });
    per_call("serde_json::from_str (1.1 example)", 200_000, || {
        black_box(serde_json::from_str::<Value>(black_box(&text)).unwrap());
    });
    per_call("serde_json::to_string (1.1 example)", 200_000, || {
        black_box(serde_json::to_string(black_box(&event)).unwrap());
    });
    let mut logger = AuditLogger::new(
        Config::new("bh-notes-api"),
        FnSink(|_: &serde_json::Map<String, Value>| Ok(())),
    )
    .unwrap()
    .with_time_source(|| Some(Timestamp::from_micros(1_773_254_515_123_456)))
    .with_id_source(|| "2f4c1d11-3f42-44d3-83a0-1d3f7e1d2b1c".to_string());
    per_call("audit() READ with actor and resource", 200_000, || {
        let req = AuditRequest {
            actor: Some(json!({"subject_id": "user_1", "subject_type": "human"})),
            resource: Some(json!({"type": "Patient", "id": "p1"})),
            ..Default::default()
        };
        black_box(logger.audit("READ", req).unwrap());
    });
    let msg = "lookup failed for 123-45-6789 (jane.doe@example.com, 555-123-4567, MRN 12345678901)";
    per_call(
        "sanitize_error_message (84 chars, 4 redactions)",
        200_000,
        || {
            black_box(sanitize_error_message(black_box(msg), 200));
        },
    );
}
