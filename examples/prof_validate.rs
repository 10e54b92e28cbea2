//! Profiling aid: validates the upstream 2.1 examples from their text, as `validateEvent`
//! does (`valgrind --tool=callgrind target/release/examples/prof_validate [N]`).
#![allow(clippy::unwrap_used)]
fn main() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/bh-audit-schema/examples/2.1"
    );
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            // Compact, as `validateEvent(object)` hands it over (JSON.stringify).
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            texts.push(v.to_string());
        }
    }
    texts.sort();
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let bytes: usize = texts.iter().map(String::len).sum();
    let t = std::time::Instant::now();
    for i in 0..n {
        let text = &texts[i % texts.len()];
        let _ = std::hint::black_box(bh_audit_logger::validate_str(
            std::hint::black_box(text),
            None,
        ));
    }
    eprintln!(
        "{} events, {} bytes on average: {:.0} ns per event",
        texts.len(),
        bytes / texts.len(),
        t.elapsed().as_nanos() as f64 / n as f64
    );
}
