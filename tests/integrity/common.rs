//! Helpers shared by the integrity integration tests.
#![allow(dead_code)]

use bh_audit_logger::integrity::{Chain, HashAlgorithm};
use serde_json::{json, Map, Value};

/// A small synthetic audit event.
pub fn sample_event(i: usize) -> Map<String, Value> {
    let v = json!({
        "schema_version": "1.1",
        "event_id": format!("00000000-0000-4000-8000-{i:012}"),
        "timestamp": format!("2026-01-01T00:00:{:02}Z", i % 60),
        "service": {"name": "intake-api", "environment": "prod"},
        "actor": {"subject_id": format!("user-{}", i % 7), "subject_type": "human"},
        "action": {"type": "VIEW", "phi_touched": i % 2 == 0},
        "resource": {"type": "Patient", "id": format!("p-{i}")},
        "outcome": {"status": "SUCCESS"},
        "metadata": {"n": i, "ratio": (i as f64) / 8.0, "note": "ünïcödé 😀"}
    });
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

/// Seal `n` sample events into JSON Lines (each line ends with `\n`).
pub fn chain_lines(n: usize, alg: HashAlgorithm) -> Vec<String> {
    let mut chain = Chain::new(alg);
    (0..n)
        .map(|i| {
            let mut ev = sample_event(i);
            chain.seal(&mut ev).unwrap();
            serde_json::to_string(&Value::Object(ev)).unwrap()
        })
        .collect()
}

/// Join lines with `\n` and a trailing newline.
pub fn join(lines: &[String]) -> String {
    let mut s = lines.join("\n");
    s.push('\n');
    s
}
