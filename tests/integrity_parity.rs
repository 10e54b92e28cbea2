#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Parity with the Python reference `bh-audit-logger` 1.1.1.
//!
//! Runs the reference itself: the venv `.venv-ref111` (`bh-audit-logger[cli]==1.1.1`) that
//! `scripts/setup.sh python` creates, or the interpreter named by `BH_REF111_PYTHON`.

#[path = "integrity/common.rs"]
mod common;
#[path = "support/python.rs"]
mod python;

use std::path::{Path, PathBuf};
use std::process::Command;

use bh_audit_logger::integrity::{
    canonical_json, compute_chain_hash, parse_json, verify_chain, Chain, ChainReport, HashAlgorithm,
};
use common::{chain_lines, join};
use serde_json::{Map, Value};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/integrity");

fn python() -> PathBuf {
    python::venv_python(
        "BH_REF111_PYTHON",
        ".venv-ref111",
        "bh-audit-logger[cli]==1.1.1",
    )
}

fn run_reference(py: &Path, args: &[&str]) -> Value {
    let out = Command::new(py)
        .arg(format!("{DIR}/reference.py"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", py.display()));
    assert!(
        out.status.success(),
        "reference.py {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `python -m bh_audit_logger.cli verify --source file --path FILE --format json`:
/// (exit code, parsed JSON report when the exit code is 0 or 1).
fn python_cli_verify(py: &Path, file: &Path) -> (i32, Option<Value>) {
    let out = Command::new(py)
        .args([
            "-m",
            "bh_audit_logger.cli",
            "--source",
            "file",
            "--format",
            "json",
        ])
        .arg("--path")
        .arg(file)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let report = serde_json::from_slice(&out.stdout).ok();
    (code, report)
}

fn tmp_file(name: &str, text: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("integrity-{}-{name}.jsonl", std::process::id()));
    std::fs::write(&p, text).unwrap();
    p
}

fn corpus() -> Vec<Map<String, Value>> {
    let text = std::fs::read_to_string(format!("{DIR}/corpus.jsonl")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match parse_json(l).unwrap() {
            Value::Object(m) => m,
            _ => panic!("corpus line is not an object"),
        })
        .collect()
}

fn alg_of(name: &str) -> HashAlgorithm {
    HashAlgorithm::parse(name).unwrap()
}

#[test]
fn event_hashes_match_python_for_every_event_and_algorithm() {
    let py = python();
    let reference = run_reference(&py, &["hashes", &format!("{DIR}/corpus.jsonl")]);
    assert_eq!(reference["version"], "1.1.1");
    let seed = reference["prev_seed"].as_str().unwrap();
    let events = corpus();
    let expected = reference["events"].as_array().unwrap();
    assert_eq!(events.len(), expected.len());
    assert!(events.len() >= 200);

    let mut mismatches = Vec::new();
    for (i, (ev, exp)) in events.iter().zip(expected).enumerate() {
        let mut without = ev.clone();
        without.remove("integrity");
        let ours = canonical_json(&Value::Object(without));
        let theirs = exp["canonical"].as_str().unwrap();
        if ours != theirs {
            let (a, b): (Vec<char>, Vec<char>) = (ours.chars().collect(), theirs.chars().collect());
            let at = a
                .iter()
                .zip(&b)
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            let ctx: String = a[at.saturating_sub(30)..].iter().take(60).collect();
            let tctx: String = b[at.saturating_sub(30)..].iter().take(60).collect();
            mismatches.push(format!(
                "event {i}: canonical form differs near {ctx:?} vs {tctx:?}"
            ));
        }
        let value = Value::Object(ev.clone());
        for alg in HashAlgorithm::ALL {
            let a = alg.as_str();
            if compute_chain_hash(None, &value, alg) != exp["first"][a].as_str().unwrap() {
                mismatches.push(format!("event {i}: {a} hash without prev differs"));
            }
            if compute_chain_hash(Some(seed), &value, alg) != exp["chained"][a].as_str().unwrap() {
                mismatches.push(format!("event {i}: {a} hash with prev differs"));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn rust_chains_equal_python_ledger_chains_and_verify_both_ways() {
    let py = python();
    let reference = run_reference(&py, &["hashes", &format!("{DIR}/corpus.jsonl")]);
    for (name, py_text) in reference["chains"].as_object().unwrap() {
        let alg = alg_of(name);
        let py_text = py_text.as_str().unwrap();

        // Rust verifies Python's chain.
        let r = verify_as_python(py_text);
        assert!(
            r.ok,
            "{name}: Rust rejects Python's chain: {:?}",
            r.failures
        );
        assert_eq!(r.chain_length, corpus().len());

        // Rust seals the same events into the same chain.
        let mut chain = Chain::new(alg);
        let mut rust_lines = Vec::new();
        for (i, (mut ev, py_line)) in corpus().into_iter().zip(py_text.lines()).enumerate() {
            chain.seal(&mut ev).unwrap();
            let py_ev: Map<String, Value> = serde_json::from_str(py_line).unwrap();
            assert_eq!(ev["integrity"], py_ev["integrity"], "{name}: event {i}");
            // same key order, including where integrity is placed and inside it
            assert_eq!(
                ev.keys().collect::<Vec<_>>(),
                py_ev.keys().collect::<Vec<_>>(),
                "{name}: event {i} key order"
            );
            assert_eq!(
                ev["integrity"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .collect::<Vec<_>>(),
                py_ev["integrity"]
                    .as_object()
                    .unwrap()
                    .keys()
                    .collect::<Vec<_>>()
            );
            rust_lines.push(serde_json::to_string(&ev).unwrap());
        }

        // Python verifies Rust's chain (CLI, exit code 0).
        let file = tmp_file(&format!("rust-{name}"), &join(&rust_lines));
        let (code, report) = python_cli_verify(&py, &file);
        let report = report.expect("python verify printed no json");
        assert_eq!(code, 0, "{name}: Python rejects Rust's chain: {report}");
        assert_eq!(report["result"], "PASS");
        assert_eq!(report["chain_length"], Value::from(rust_lines.len()));
        std::fs::remove_file(file).ok();
    }
}

#[test]
fn rust_verifies_python_chain_with_big_ints_and_non_finite_floats() {
    let py = python();
    let reference = run_reference(&py, &["hashes", &format!("{DIR}/corpus.jsonl")]);
    let text = reference["exotic_chain"].as_str().unwrap();
    assert!(text.contains("1180591620717411303424") && text.contains("NaN"));
    let r = verify_chain(text);
    assert!(r.ok, "{:?}", r.failures);
    assert_eq!(r.chain_length, 3);
}

/// (event_index, failure_type) pairs as Python reports them.
fn python_failures(report: &Value) -> Vec<(u64, String)> {
    report["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["event_index"].as_u64().unwrap(),
                f["failure_type"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn rust_failures(r: &ChainReport) -> Vec<(u64, String)> {
    r.failures
        .iter()
        .map(|f| (f.event_index as u64, f.kind.as_str().to_string()))
        .collect()
}

fn edit(line: &str, f: impl FnOnce(&mut Map<String, Value>)) -> String {
    let mut v: Map<String, Value> = serde_json::from_str(line).unwrap();
    f(&mut v);
    serde_json::to_string(&v).unwrap()
}

#[test]
fn tamper_verdicts_agree_with_python_verifier() {
    let py = python();
    let base = chain_lines(12, HashAlgorithm::Sha256);
    let plain = serde_json::to_string(&common::sample_event(77)).unwrap();
    let mut cases: Vec<(&str, String)> = Vec::new();

    cases.push(("intact", join(&base)));
    let mut l = base.clone();
    l[4] = edit(&l[4], |e| e["action"]["type"] = "DELETE".into());
    cases.push(("changed-field", join(&l)));
    let mut l = base.clone();
    l.remove(5);
    cases.push(("removed", join(&l)));
    let mut l = base.clone();
    l.remove(0);
    cases.push(("removed-first", join(&l)));
    let mut l = base.clone();
    l.swap(2, 3);
    cases.push(("reordered", join(&l)));
    let mut l = base.clone();
    l[6] = edit(&l[6], |e| e["integrity"]["hash_alg"] = "sha384".into());
    cases.push(("changed-alg", join(&l)));
    let mut l = base.clone();
    l[6] = edit(&l[6], |e| {
        e["integrity"]
            .as_object_mut()
            .unwrap()
            .remove("prev_event_hash");
    });
    cases.push(("dropped-prev", join(&l)));
    let mut l = base.clone();
    l[3] = edit(&l[3], |e| {
        e["integrity"].as_object_mut().unwrap().remove("event_hash");
    });
    cases.push(("dropped-hash", join(&l)));
    let mut l = base.clone();
    l[8] = edit(&l[8], |e| {
        e["integrity"].as_object_mut().unwrap().remove("hash_alg");
    });
    cases.push(("dropped-alg-defaults-sha256", join(&l)));
    let mut l = base.clone();
    l.insert(4, plain.clone());
    cases.push(("unchained-inserted", join(&l)));
    let mut l = base.clone();
    l[2] = edit(&l[2], |e| {
        e.remove("integrity");
    });
    cases.push(("integrity-stripped", join(&l)));
    cases.push((
        "blank-and-crlf",
        format!(
            "\n{}\r\n   \n{}\r\n",
            base[..6].join("\r\n"),
            base[6..].join("\n")
        ),
    ));
    let mut l = base.clone();
    l[9] = l[9].replace(
        "\"metadata\":{",
        "\"metadata\":{\"n\":-0,\"big\":123456789012345678901234567890,\"f\":1.0E2,",
    );
    cases.push(("text-level-edit", join(&l)));

    for (name, text) in &cases {
        let file = tmp_file(name, text);
        let (code, report) = python_cli_verify(&py, &file);
        let report = report.unwrap_or_else(|| panic!("{name}: python printed no json"));
        let r = verify_as_python(text);
        // Our default refuses every line outside the chain (a deliberate difference).
        let strict = verify_chain(text);
        let unchained = strict
            .failures
            .iter()
            .filter(|f| f.kind == bh_audit_logger::integrity::ChainFailureKind::Unchained)
            .count();
        assert_eq!(
            unchained, r.unchained_events,
            "{name}: unchained lines are failures"
        );
        assert_eq!(strict.ok, r.ok && r.unchained_events == 0, "{name}");
        assert_eq!(r.exit_code(), code, "{name}: exit code");
        assert_eq!(
            rust_failures(&r),
            python_failures(&report),
            "{name}: failures"
        );
        assert_eq!(report["events_scanned"], Value::from(r.checked), "{name}");
        assert_eq!(
            report["chain_length"],
            Value::from(r.chain_length),
            "{name}"
        );
        assert_eq!(
            report["unchained_events"],
            Value::from(r.unchained_events),
            "{name}"
        );
        std::fs::remove_file(file).ok();
    }

    // A text edit that keeps the hash valid must keep it valid for both.
    let mut l = base.clone();
    l[0] = l[0].replacen('{', "{ ", 1);
    let text = join(&l);
    let file = tmp_file("whitespace", &text);
    assert_eq!(python_cli_verify(&py, &file).0, 0);
    assert!(verify_chain(&text).ok);
    std::fs::remove_file(file).ok();

    // Broken last line: Python exits 2 (no report); Rust reports invalid_json there.
    let mut text = join(&base);
    text.truncate(text.len() - 25);
    let file = tmp_file("truncated", &text);
    assert_eq!(python_cli_verify(&py, &file).0, 2);
    let r = verify_chain(&text);
    assert_eq!(r.exit_code(), 2);
    assert_eq!(r.failures.last().unwrap().line, 12);
    std::fs::remove_file(file).ok();
}

/// Python 1.1.1's verify: lines without an `integrity` block are skipped, not failures.
fn verify_as_python(text: &str) -> ChainReport {
    let mut v = bh_audit_logger::integrity::ChainVerifier::with_options(
        bh_audit_logger::integrity::VerifyOptions {
            max_failures: usize::MAX,
            allow_unchained: true,
            ..Default::default()
        },
    );
    v.push(text.as_bytes());
    v.finish()
}
