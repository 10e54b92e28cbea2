//! Strict vs reference sanitizer throughput (no external harness).
//!
//! `cargo bench --bench strict`: ns/message over the planted + benign corpus, MB/s on
//! 1 MB adversarial inputs, and the 1 MB / 256 KB time ratio (about 4 when linear).

use bh_audit_logger::sanitize::strict_sanitize_error_message;
use bh_audit_logger::sanitize_error_message;
use std::hint::black_box;
use std::time::{Duration, Instant};

type Sanitizer = fn(&str, usize) -> String;

fn corpus() -> Vec<String> {
    let mut out = Vec::new();
    for name in ["planted.jsonl", "benign.jsonl"] {
        let path = format!("{}/tests/data/strict/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for line in text.lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                if let Some(m) = v.get("message").and_then(|m| m.as_str()) {
                    out.push(m.to_string());
                }
            }
        }
    }
    out
}

/// Best of `reps` timings of `f`.
fn best(reps: usize, mut f: impl FnMut()) -> Duration {
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn repeat_to(pattern: &str, bytes: usize) -> String {
    let mut s = String::with_capacity(bytes + pattern.len());
    while s.len() < bytes {
        s.push_str(pattern);
    }
    s
}

fn main() {
    let messages = corpus();
    let profiles: [(&str, Sanitizer); 2] = [
        ("reference", sanitize_error_message),
        ("strict", strict_sanitize_error_message),
    ];
    println!("corpus: {} messages", messages.len());
    for (name, f) in profiles {
        let t = best(5, || {
            for m in &messages {
                black_box(f(black_box(m), 200));
            }
        });
        println!(
            "  {name:<9} {:>8.0} ns/message",
            t.as_nanos() as f64 / messages.len().max(1) as f64
        );
    }
    let patterns = [
        ("1-", "1-"),
        ("a@", "a@"),
        ("(((", "((("),
        ("1.1.1.1.", "1.1.1.1."),
        ("digits", "1234567890"),
        ("::", ":"),
        ("fe80::1:", "fe80::1:"),
        ("acct1", "1acct-"),
        (
            "mixed",
            "+1 (555) 123-4567 x1 jane@ex.org 10.0.0.1 MRN: A123 ",
        ),
    ];
    println!("adversarial inputs (MB/s at 1 MB; time ratio 1 MB / 256 KB):");
    for (label, pattern) in patterns {
        let big = repeat_to(pattern, 1 << 20);
        let small = repeat_to(pattern, 1 << 18);
        for (name, f) in profiles {
            let t_big = best(3, || {
                black_box(f(black_box(&big), usize::MAX));
            });
            let t_small = best(3, || {
                black_box(f(black_box(&small), usize::MAX));
            });
            let mbps = big.len() as f64 / 1e6 / t_big.as_secs_f64();
            println!(
                "  {label:<9} {name:<9} {mbps:>8.1} MB/s  ratio {:.2}",
                t_big.as_secs_f64() / t_small.as_secs_f64()
            );
        }
    }
}
