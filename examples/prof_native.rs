//! Profiling aid: issue 12's call through the native `AuditLogger`, as `cargo bench --bench
//! core` measures it (`valgrind --tool=callgrind target/release/examples/prof_native [N]`).
#![allow(clippy::unwrap_used)]
use bh_audit_logger::{AuditLogger, AuditRequest, Config, Event, FnSink};
use serde_json::json;
fn main() {
    let mut logger = AuditLogger::new(
        Config::new("bh-notes-api")
            .with_service_environment("prod")
            .with_service_version(Some("1.4.2".into()))
            .with_metadata_allowlist(["route", "record_count"]),
        FnSink(|_: &Event| Ok(())),
    )
    .unwrap()
    .with_diagnostics(|_: bh_audit_logger::Level, _: &str| {});
    let req = AuditRequest {
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
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(500_000);
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(
            logger
                .audit("READ", std::hint::black_box(req.clone()))
                .unwrap(),
        );
    }
    eprintln!(
        "{:.0} ns per call",
        t.elapsed().as_nanos() as f64 / n as f64
    );
}
