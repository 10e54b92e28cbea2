//! Native benchmarks (std::time, no harness): `audit()` and `sanitize_error_message` per call,
//! beside the Python reference's figures for the same calls, measured in the same run
//! (`benches/js/audit_ref.py` and a timeit of `sanitize_error_message`, when the reference's
//! venv `.venv-ref` exists: `scripts/test.sh` creates it). Medians of 5 runs, process-local.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use bh_audit_logger::{
    sanitize_error_message, AuditError, AuditLogger, AuditRequest, Config, Event, FnSink,
    SchemaVersion, Validator,
};
use serde_json::{json, Value};

fn median_ns(iters: u32, mut f: impl FnMut()) -> f64 {
    for _ in 0..iters / 10 {
        f();
    }
    let mut runs: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..iters {
                f();
            }
            t.elapsed().as_nanos() as f64 / f64::from(iters)
        })
        .collect();
    runs.sort_by(f64::total_cmp);
    runs[2]
}

const MSG: &str =
    "lookup failed for 123-45-6789 (jane.doe@example.com, 555-123-4567, MRN 12345678901)";

/// The reference's µs per event for `scenario` (benches/js/audit_ref.py), wall clock.
fn python_audit(py: &Path, root: &Path, scenario: &str) -> Option<f64> {
    let audit = Command::new(py)
        .arg(root.join("benches/js/audit_ref.py"))
        .arg("20000")
        .arg(scenario)
        .env("BENCH_CLOCK", "wall")
        .output()
        .ok()?;
    let v: Value = serde_json::from_slice(&audit.stdout).ok()?;
    Some(v["us_per_event"].as_f64()? * 1000.0)
}

fn python(root: &Path) -> Option<(f64, f64, f64, f64)> {
    let py = root.join(".venv-ref/bin/python");
    if !py.exists() {
        return None;
    }
    let pair = python_audit(&py, root, "pair")?;
    let drop = python_audit(&py, root, "issue_drop")?;
    let keep = python_audit(&py, root, "issue_keep")?;
    let script = format!(
        "import timeit,statistics;from bh_audit_logger import sanitize_error_message as s\nm={MSG:?}\nprint(statistics.median(timeit.repeat(lambda: s(m), number=20000, repeat=5))/20000*1e9)"
    );
    let san = Command::new(&py).arg("-c").arg(script).output().ok()?;
    let ns: f64 = String::from_utf8_lossy(&san.stdout).trim().parse().ok()?;
    Some((pair, ns, drop, keep))
}

fn main() {
    let mut logger = AuditLogger::new(
        Config::new("bh-notes-api")
            .with_service_environment("prod")
            .with_service_version(Some("1.4.2".into()))
            .with_metadata_allowlist(["route", "record_count", "note", "cached"]),
        FnSink(|_: &Event| Ok(())),
    )
    .unwrap();
    let read = || AuditRequest {
        actor: Some(
            json!({"subject_id": "user_123", "subject_type": "human", "org_id": "org_77", "roles": ["clinician"]}),
        ),
        resource: Some(json!({"type": "Patient", "id": "pat_456", "patient_id": "pat_456"})),
        correlation: Some(json!({"request_id": "req_1"})),
        metadata: Some(
            json!({"route": "/patients/{id}", "record_count": 3, "note": "x".repeat(300), "cached": false}),
        ),
        phi_touched: Some(json!(true)),
        data_classification: Some(json!("PHI")),
        ..Default::default()
    };
    let update = || AuditRequest {
        actor: Some(json!({"subject_id": "user_123", "subject_type": "human"})),
        resource: Some(json!({"type": "Note", "id": "note_9"})),
        error: Some(AuditError::Exception {
            type_name: "ValueError".into(),
            message: MSG.into(),
        }),
        ..Default::default()
    };
    // Issue 12's call: a READ with actor, resource, outcome, correlation and three metadata
    // keys, one of them not on the allowlist (the allowlist's purpose), and the same with all
    // three allowed.
    let issue_call = || AuditRequest {
        actor: Some(
            json!({"subject_id": "user_123", "subject_type": "human", "roles": ["clinician"]}),
        ),
        resource: Some(json!({"type": "Patient", "id": "pat_456"})),
        outcome: Some(json!({"status": "SUCCESS"})),
        correlation: Some(json!({"request_id": "req_1"})),
        metadata: Some(json!({"route": "/patients/{id}", "record_count": 3, "client_hint": "x"})),
        phi_touched: Some(json!(true)),
        data_classification: Some(json!("PHI")),
        ..Default::default()
    };
    let issue_logger = |allow: &[&str]| {
        AuditLogger::new(
            Config::new("bh-notes-api")
                .with_service_environment("prod")
                .with_service_version(Some("1.4.2".into()))
                .with_metadata_allowlist(allow.iter().copied()),
            FnSink(|_: &Event| Ok(())),
        )
        .unwrap()
        .with_diagnostics(|_: bh_audit_logger::Level, _: &str| {})
    };
    let mut drop_logger = issue_logger(&["route", "record_count"]);
    let mut keep_logger = issue_logger(&["route", "record_count", "client_hint"]);
    let req = issue_call();
    let issue_drop_ns = median_ns(50_000, || {
        black_box(drop_logger.audit("READ", black_box(req.clone())).unwrap());
    });
    let issue_keep_ns = median_ns(50_000, || {
        black_box(keep_logger.audit("READ", black_box(req.clone())).unwrap());
    });
    let audit_ns = median_ns(20_000, || {
        black_box(logger.audit("READ", read()).unwrap());
        black_box(logger.audit("UPDATE", update()).unwrap());
    }) / 2.0;
    let sanitize_ns = median_ns(100_000, || {
        black_box(sanitize_error_message(black_box(MSG), 200));
    });
    let event: Value = serde_json::from_str(include_str!(
        "../../shared/vectors/bh-audit-schema/examples/1.1/note_update_failure.json"
    ))
    .unwrap();
    let v = Validator::for_version(SchemaVersion::V1_1).unwrap();
    let validate_ns = median_ns(100_000, || {
        black_box(v.validate(black_box(&event)));
    });
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    println!("| call | this crate (native) | Python reference 0.3.0 | speed-up |");
    println!("|---|---:|---:|---:|");
    match python(root) {
        Some((py_audit, py_san, py_drop, py_keep)) => {
            println!("| `audit()` issue 12's READ, one metadata key dropped | {:.2} µs | {:.2} µs | {:.1}x |", issue_drop_ns / 1e3, py_drop / 1e3, py_drop / issue_drop_ns);
            println!(
                "| `audit()` issue 12's READ, no key dropped | {:.2} µs | {:.2} µs | {:.1}x |",
                issue_keep_ns / 1e3,
                py_keep / 1e3,
                py_keep / issue_keep_ns
            );
            println!("| `audit()` (READ with metadata / UPDATE with error, alternated) | {:.2} µs | {:.2} µs | {:.1}x |", audit_ns / 1e3, py_audit / 1e3, py_audit / audit_ns);
            println!("| `sanitize_error_message` (84 chars, 4 redactions) | {:.2} µs | {:.2} µs | {:.1}x |", sanitize_ns / 1e3, py_san / 1e3, py_san / sanitize_ns);
        }
        None => {
            println!(
                "| `audit()` issue 12's READ, one key dropped / none | {:.2} / {:.2} µs | (no .venv-ref) | |",
                issue_drop_ns / 1e3,
                issue_keep_ns / 1e3
            );
            println!(
                "| `audit()` | {:.2} µs | (no .venv-ref) | |",
                audit_ns / 1e3
            );
            println!(
                "| `sanitize_error_message` | {:.2} µs | (no .venv-ref) | |",
                sanitize_ns / 1e3
            );
        }
    }
    println!("| full-schema validation of a 1.1 event (the reference does not validate) | {:.2} µs | n/a | |", validate_ns / 1e3);
}
