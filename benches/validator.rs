//! Validator micro-benchmarks (std::time, no harness): valid and invalid 1.1 events.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use bh_audit_logger::{SchemaVersion, Validator};
use serde_json::Value;

/// `BENCH_DIV=1000` divides every iteration count (for `valgrind --tool=callgrind`).
fn per_call(name: &str, iters: u32, mut f: impl FnMut()) -> f64 {
    let div = std::env::var("BENCH_DIV")
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(1u32);
    let iters = (iters / div).max(1);
    // `BENCH_ONLY=text` runs only the cases whose name contains `text`.
    if std::env::var("BENCH_ONLY").is_ok_and(|o| !name.contains(&o)) {
        return 0.0;
    }
    for _ in 0..iters / 10 {
        f();
    }
    // Best of 5 rounds: the machine is shared.
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..iters {
            f();
        }
        best = best.min(t.elapsed().as_nanos() as f64 / f64::from(iters));
    }
    println!("{name:<48} {best:>10.0} ns/call");
    best
}

fn load(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn main() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/bh-audit-schema/examples/1.1/"
    );
    let event = load(&format!("{dir}note_update_failure.json"));
    let v = Validator::for_version(SchemaVersion::V1_1).unwrap();
    assert!(v.validate(&event).is_empty());
    per_call("validate (Value, 1.1 note_update_failure)", 200_000, || {
        black_box(v.validate(black_box(&event)));
    });
    per_call("is_valid (Value, 1.1 note_update_failure)", 200_000, || {
        black_box(v.is_valid(black_box(&event)));
    });
    let mut all = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            all.push(load(p.to_str().unwrap()));
        }
    }
    let total = per_call(
        &format!("validate (all {} 1.1 examples, all events)", all.len()),
        20_000,
        || {
            for e in &all {
                black_box(v.validate(black_box(e)));
            }
        },
    );
    println!(
        "{:<48} {:>10.0} ns/call",
        "  = per event",
        total / all.len() as f64
    );
    let mut bad = event.clone();
    bad["outcome"].as_object_mut().unwrap().remove("error_type");
    bad["actor"]["extra"] = Value::from(1);
    bad["event_id"] = Value::from("not-a-uuid");
    let n_bad = v.validate(&bad).len();
    per_call(
        &format!("validate (invalid event, {n_bad} issues)"),
        100_000,
        || {
            black_box(v.validate(black_box(&bad)));
        },
    );
    // Text (what the wasm `validateEvent` runs): light reading, fast path, issues if invalid.
    let text = serde_json::to_string(&event).unwrap();
    per_call("validate_str (valid text, 1.1)", 200_000, || {
        black_box(bh_audit_logger::validate_str(black_box(&text), None).unwrap());
    });
    let bad_text = serde_json::to_string(&bad).unwrap();
    per_call(
        &format!("validate_str (invalid text, {n_bad} issues)"),
        100_000,
        || {
            black_box(bh_audit_logger::validate_str(black_box(&bad_text), None).unwrap());
        },
    );
    // The upstream 2.1 negative examples (rules in allOf / if / then), as text.
    let neg_dir = format!("{dir}../2.1/negative/");
    let mut negatives = Vec::new();
    for e in std::fs::read_dir(&neg_dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            negatives.push(std::fs::read_to_string(p).unwrap());
        }
    }
    let total = per_call(
        &format!("validate_str (all {} 2.1 negatives)", negatives.len()),
        10_000,
        || {
            for t in &negatives {
                black_box(bh_audit_logger::validate_str(black_box(t), None).unwrap());
            }
        },
    );
    println!(
        "{:<48} {:>10.0} ns/call",
        "  = per event",
        total / negatives.len().max(1) as f64
    );
}
