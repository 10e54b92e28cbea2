//! Benchmark: seal and verify a valid 100,000-event hash chain; prints events/s.
//!
//! `cargo bench --bench integrity`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use bh_audit_logger::integrity::{verify_chain, Chain, ChainVerifier, HashAlgorithm};
use bh_audit_logger::trail::{TrailOptions, TrailReport};
use serde_json::{json, Value};

const N: usize = 100_000;

fn event(i: usize) -> serde_json::Map<String, Value> {
    let v = json!({
        "schema_version": "1.1",
        "event_id": format!("00000000-0000-4000-8000-{i:012}"),
        "timestamp": format!("2026-01-01T00:{:02}:{:02}.000Z", (i / 60) % 60, i % 60),
        "service": {"name": "intake-api", "environment": "prod", "version": "1.4.2"},
        "actor": {"subject_id": format!("user-{}", i % 97), "subject_type": "human", "roles": ["clinician"]},
        "action": {"type": "READ", "phi_touched": true, "data_classification": "PHI"},
        "resource": {"type": "Patient", "id": format!("p-{}", i % 1000)},
        "outcome": {"status": "SUCCESS"},
        "metadata": {"request_id": format!("req-{i}"), "latency_ms": 12.5, "retries": 0, "cached": false}
    });
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

fn main() {
    for alg in HashAlgorithm::ALL {
        let mut chain = Chain::new(alg);
        let events: Vec<_> = (0..N).map(event).collect();
        let t = Instant::now();
        let mut text = String::new();
        for mut ev in events {
            chain.seal(&mut ev).unwrap();
            text.push_str(&serde_json::to_string(&ev).unwrap());
            text.push('\n');
        }
        let seal_s = t.elapsed().as_secs_f64();

        let mut best = f64::INFINITY;
        for _ in 0..3 {
            let t = Instant::now();
            let report = verify_chain(&text);
            best = best.min(t.elapsed().as_secs_f64());
            assert!(report.ok && report.chain_length == N);
        }
        // Streamed in 64 KiB pieces: the verifier and the full trail report.
        let mut best_stream = f64::INFINITY;
        let mut best_report = f64::INFINITY;
        for _ in 0..3 {
            let t = Instant::now();
            let mut v = ChainVerifier::new();
            for piece in text.as_bytes().chunks(64 << 10) {
                v.push(piece);
            }
            assert!(v.finish().ok);
            best_stream = best_stream.min(t.elapsed().as_secs_f64());
            let t = Instant::now();
            let mut r = TrailReport::new(TrailOptions::default());
            for piece in text.as_bytes().chunks(64 << 10) {
                r.push(piece);
            }
            let s = r.finish();
            assert!(s.chain.is_some_and(|c| c.ok) && s.events == N);
            best_report = best_report.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{alg}: {N} events, {:.1} MiB; seal+serialize {:.0} events/s; verify {:.0} events/s ({:.3} s, best of 3); ChainVerifier in 64 KiB pieces {:.0} events/s; TrailReport (validate + chain + summary) {:.0} events/s",
            text.len() as f64 / (1024.0 * 1024.0),
            N as f64 / seal_s,
            N as f64 / best,
            best,
            N as f64 / best_stream,
            N as f64 / best_report,
        );
    }
}
