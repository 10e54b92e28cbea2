//! Profiling aid: runs issue 12's call through the pipeline from its call JSON, as the wasm
//! core does (`perf record target/release/examples/prof_issue [N]`).
#![allow(clippy::unwrap_used)]
use bh_audit_logger::{CollectDiagnostics, Config, Pipeline};
fn main() {
    let mut p = Pipeline::new(
        Config::new("bh-notes-api")
            .with_service_environment("prod")
            .with_metadata_allowlist(["route", "record_count"]),
    )
    .unwrap();
    let call = r#"{"action":"READ","id":"9e3779b1-0001-4001-8007-0000000f4243","actor":{"subject_id":"user_123","subject_type":"human","roles":["clinician"]},"resource":{"type":"Patient","id":"pat_456"},"outcome":{"status":"SUCCESS"},"correlation":{"request_id":"req_1"},"metadata":{"route":"/patients/{id}","record_count":3,"client_hint":"x"},"phiTouched":true,"dataClassification":"PHI"}"#;
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000_000);
    let mut diag = CollectDiagnostics::default();
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(p.audit_text(std::hint::black_box(call), 1.7e12, &mut diag));
        diag.entries.clear();
    }
    eprintln!(
        "{:.0} ns per call",
        t.elapsed().as_nanos() as f64 / n as f64
    );
}
