#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The streaming verifier and trail report give the same answer however the input is cut:
//! `ChainVerifier` equals `verify_chain` at every split point of the small tamper trails
//! and at 1,000 random multi-piece splits of the large ones (the chained corpus of
//! tests/integrity/corpus.jsonl, intact and tampered); `TrailReport` likewise.

#[path = "integrity/common.rs"]
mod common;

use bh_audit_logger::integrity::{verify_chain, Chain, ChainVerifier, HashAlgorithm};
use bh_audit_logger::trail::{TrailOptions, TrailReport};
use common::{chain_lines, join, sample_event};
use serde_json::{Map, Value};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/integrity");

fn edit(line: &str, f: impl FnOnce(&mut Map<String, Value>)) -> String {
    let mut v: Map<String, Value> = serde_json::from_str(line).unwrap();
    f(&mut v);
    serde_json::to_string(&v).unwrap()
}

/// The tamper cases of tests/integrity_tamper.rs, as whole texts.
fn small_trails() -> Vec<(&'static str, String)> {
    let base = chain_lines(6, HashAlgorithm::Sha256);
    let mut out = vec![("intact", join(&base))];
    let mut l = base.clone();
    l[2] = edit(&l[2], |e| {
        e["outcome"]["status"] = Value::String("FAILURE".into())
    });
    out.push(("changed field", join(&l)));
    let mut l = base.clone();
    l.remove(3);
    out.push(("removed", join(&l)));
    let mut l = base.clone();
    l.swap(1, 2);
    out.push(("reordered", join(&l)));
    let mut l = base.clone();
    l[1] = edit(&l[1], |e| {
        e["integrity"]["hash_alg"] = Value::String("md5".into())
    });
    out.push(("unsupported alg", join(&l)));
    let mut t = join(&base);
    t.truncate(t.len() - 40);
    out.push(("truncated", t));
    let mut l = base.clone();
    l[2] = "{\"event_id\": \"x\", oops".into();
    out.push(("garbage line", join(&l)));
    let mut l = base.clone();
    l[1] = "[1,2,3]".into();
    out.push(("not an object", join(&l)));
    let plain = serde_json::to_string(&Value::Object(sample_event(99))).unwrap();
    out.push((
        "crlf, cr, blanks, unchained",
        format!(
            "\n{}\r\n  \r\n{}\r{}\n\t\n{plain}\r\n{}\n\n",
            base[0], base[1], base[2], base[3]
        ),
    ));
    let mut l = chain_lines(4, HashAlgorithm::Sha512);
    l[3] = edit(&l[3], |e| {
        e["metadata"]["note"] = Value::String("é😀\u{2028}".into())
    });
    out.push(("sha512 unicode edit, no final newline", l.join("\r")));
    out.push(("empty", String::new()));
    out
}

/// The corpus chained with `alg` (the parity test checks these equal Python's chains).
fn corpus_chain(alg: HashAlgorithm) -> Vec<String> {
    let text = std::fs::read_to_string(format!("{DIR}/corpus.jsonl")).unwrap();
    let mut chain = Chain::new(alg);
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let mut ev: Map<String, Value> = serde_json::from_str(l).unwrap();
            chain.seal(&mut ev).unwrap();
            serde_json::to_string(&ev).unwrap()
        })
        .collect()
}

fn pieces_verify(text: &[u8], cuts: &[usize]) -> bh_audit_logger::integrity::ChainReport {
    let mut v = ChainVerifier::with_max_failures(usize::MAX);
    let mut at = 0;
    for &c in cuts {
        v.push(&text[at..c]);
        at = c;
    }
    v.push(&text[at..]);
    v.finish()
}

fn pieces_report(text: &[u8], cuts: &[usize]) -> Value {
    let mut r = TrailReport::new(TrailOptions::default());
    let mut at = 0;
    for &c in cuts {
        r.push(&text[at..c]);
        at = c;
    }
    r.push(&text[at..]);
    r.finish().to_json()
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn cuts(&mut self, len: usize) -> Vec<usize> {
        let n = 1 + (self.next() % 8) as usize;
        let mut c: Vec<usize> = (0..n)
            .map(|_| (self.next() % (len as u64 + 1)) as usize)
            .collect();
        c.sort_unstable();
        c
    }
}

#[test]
fn every_split_point_of_the_small_tamper_trails() {
    for (name, text) in small_trails() {
        let whole = verify_chain(&text);
        let report = pieces_report(text.as_bytes(), &[]);
        let b = text.as_bytes();
        for i in 0..=b.len() {
            assert_eq!(pieces_verify(b, &[i]), whole, "{name}: split at {i}");
        }
        // One byte at a time.
        let mut v = ChainVerifier::with_max_failures(usize::MAX);
        let mut r = TrailReport::new(TrailOptions::default());
        for byte in b.chunks(1) {
            v.push(byte);
            r.push(byte);
            v.push(&[]);
        }
        assert_eq!(v.finish(), whole, "{name}: byte by byte");
        assert_eq!(r.finish().to_json(), report, "{name}: report byte by byte");
        // The report's chain part is the verifier's report, tree included.
        assert_eq!(report["chain"], whole.to_json(), "{name}");
        assert_eq!(report["tree"], report["chain"]["tree"], "{name}: same tree");
    }
}

#[test]
fn trail_report_at_every_split_point_of_a_tampered_trail() {
    let (_, text) = small_trails().swap_remove(2);
    let whole = pieces_report(text.as_bytes(), &[]);
    for i in 0..=text.len() {
        assert_eq!(pieces_report(text.as_bytes(), &[i]), whole, "split at {i}");
    }
}

#[test]
fn random_splits_of_the_large_corpus_trails() {
    let base = corpus_chain(HashAlgorithm::Sha256);
    let mut tampered = base.clone();
    tampered[10] = edit(&tampered[10], |e| {
        e.insert("extra".into(), Value::String("é".into()));
    });
    tampered.remove(100);
    tampered.swap(150, 151);
    let mut text_tampered = tampered.join("\r\n");
    text_tampered.truncate(text_tampered.len() - 7);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for (name, text) in [("intact", join(&base)), ("tampered", text_tampered)] {
        let whole = verify_chain(&text);
        assert_eq!(whole.checked, base.len() - usize::from(name == "tampered"));
        assert_eq!(whole.ok, name == "intact");
        let report = pieces_report(text.as_bytes(), &[]);
        for k in 0..1000 {
            let cuts = rng.cuts(text.len());
            assert_eq!(
                pieces_verify(text.as_bytes(), &cuts),
                whole,
                "{name} #{k} {cuts:?}"
            );
            if k % 50 == 0 {
                assert_eq!(pieces_report(text.as_bytes(), &cuts), report, "{name} #{k}");
            }
        }
    }
}

#[test]
fn failures_are_capped_and_memory_does_not_follow_them() {
    // Every event's prev link is wrong: 2 failures per event after the first.
    let lines: Vec<String> = chain_lines(300, HashAlgorithm::Sha256)
        .into_iter()
        .map(|l| edit(&l, |e| e["metadata"]["n"] = Value::from(-1)))
        .collect();
    let text = join(&lines);
    let mut v = ChainVerifier::with_max_failures(10);
    v.push(text.as_bytes());
    let r = v.finish();
    assert_eq!(r.failures.len(), 10);
    assert_eq!(r.failures_omitted, 290);
    assert!(!r.ok);
    assert_eq!(r.hash_mismatches, 300);
    assert_eq!(r.exit_code(), 1);
}

#[test]
fn overlong_and_non_utf8_lines_are_failures_at_their_line() {
    let lines = chain_lines(3, HashAlgorithm::Sha256);
    let mut text = Vec::new();
    text.extend_from_slice(lines[0].as_bytes());
    text.extend_from_slice(b"\n");
    text.extend(std::iter::repeat_n(
        b'x',
        bh_audit_logger::integrity::MAX_LINE_BYTES + 1,
    ));
    text.extend_from_slice(b"\n");
    text.extend_from_slice(lines[1].as_bytes());
    let mut v = ChainVerifier::new();
    for piece in text.chunks(4096) {
        v.push(piece);
    }
    let r = v.finish();
    assert_eq!(r.failures.len(), 1);
    assert_eq!(
        (r.failures[0].line, r.failures[0].kind.as_str()),
        (2, "line_too_long")
    );
    assert_eq!(r.exit_code(), 2);

    let mut r = TrailReport::new(TrailOptions::default());
    r.push(&text);
    r.push(b"\n\xff\xfe{}\n");
    let s = r.finish();
    assert_eq!(s.events, 4);
    let kinds: Vec<(usize, &str)> = s
        .failures
        .iter()
        .map(|f| (f.line, f.kind.as_str()))
        .collect();
    assert!(kinds.contains(&(2, "line_too_long")), "{kinds:?}");
    assert!(kinds.contains(&(4, "not_utf8")), "{kinds:?}");
}

#[test]
fn summary_counts_an_auditor_reads() {
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/www/examples");
    let mut text = String::new();
    for v in ["1.1", "2.0", "2.1"] {
        let mut names: Vec<_> = std::fs::read_dir(format!("{examples}/{v}"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        for p in names {
            let ev: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
            if ev.get("integrity").is_some() {
                continue; // a sample hash, not a chain
            }
            text.push_str(&serde_json::to_string(&ev).unwrap());
            text.push('\n');
        }
    }
    let events: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Example events, not a chain: unchained lines allowed.
    let mut r = TrailReport::new(TrailOptions {
        allow_unchained: true,
        ..TrailOptions::default()
    });
    r.push(text.as_bytes());
    let s = r.finish();
    let j = s.to_json();
    assert_eq!(s.events, events.len());
    assert_eq!(s.invalid, 0, "{:?}", s.failures);
    assert!(s.ok);
    let count = |f: &dyn Fn(&Value) -> bool| events.iter().filter(|e| f(e)).count() as u64;
    assert_eq!(s.denials, count(&|e| e["outcome"]["status"] == "DENIED"));
    assert_eq!(
        s.phi_touched,
        count(&|e| e["action"]["phi_touched"] == true)
    );
    assert_eq!(s.agent_delegated, count(&|e| e["delegation"].is_object()));
    assert!(s.agent_delegated > 0 && s.denials > 0);
    assert_eq!(
        j["by_action"]["READ"],
        count(&|e| e["action"]["type"] == "READ")
    );
    assert_eq!(
        j["by_actor_type"]["agent"],
        count(&|e| e["actor"]["subject_type"] == "agent")
    );
    let hourly: u64 = s
        .hourly
        .buckets
        .iter()
        .map(|(_, c)| c.iter().sum::<u64>())
        .sum();
    assert_eq!(hourly, events.len() as u64);
    let mut stamps: Vec<&str> = events
        .iter()
        .map(|e| e["timestamp"].as_str().unwrap())
        .collect();
    stamps.sort();
    assert_eq!(
        &j["first_timestamp"].as_str().unwrap()[..19],
        &stamps[0][..19]
    );
    // Unchained trail: chain passes with no chained events.
    assert_eq!(j["chain"]["chain_length"], 0);
}

#[test]
fn summary_never_contains_field_values() {
    let mut ev = sample_event(1);
    ev.insert(
        "event_id".into(),
        Value::String("PASS\u{1b}[2J 123-45-6789".into()),
    );
    ev["action"]["type"] = Value::String("Jane Q Patient".into());
    ev["actor"]["subject_type"] = Value::String("ssn 123-45-6789".into());
    ev["resource"].as_object_mut().unwrap().insert(
        "123-45-6789".into(),
        Value::String("jane@example.org".into()),
    );
    let mut chain = Chain::new(HashAlgorithm::Sha256);
    chain.seal(&mut ev).unwrap();
    let line = serde_json::to_string(&ev).unwrap();
    let text = format!("{line}\n{line}\n");
    let mut r = TrailReport::new(TrailOptions::default());
    r.push(text.as_bytes());
    let out = r.finish().to_json().to_string();
    for secret in ["PASS", "123-45-6789", "Jane", "jane@", "\\u001b", "ssn"] {
        assert!(!out.contains(secret), "{secret} in {out}");
    }
    assert!(out.contains("\"other\":2"), "{out}");
}

#[test]
fn hourly_buckets_stay_bounded_over_a_wide_time_range() {
    let mut text = String::new();
    for i in 0..20_000u64 {
        // One event every 7 hours for 16 years.
        let micros = i as i64 * 7 * 3_600_000_000;
        let ts = bh_audit_logger::Timestamp::from_micros(micros)
            .format()
            .unwrap();
        text.push_str(&format!(
            "{{\"timestamp\":\"{ts}\",\"outcome\":{{\"status\":\"SUCCESS\"}}}}\n"
        ));
    }
    let mut r = TrailReport::new(TrailOptions {
        verify_chain: false,
        ..TrailOptions::default()
    });
    r.push(text.as_bytes());
    let s = r.finish();
    assert!(s.hourly.buckets.len() <= bh_audit_logger::trail::MAX_BUCKETS);
    assert!(s.hourly.bucket_hours >= 32, "{}", s.hourly.bucket_hours);
    let total: u64 = s.hourly.buckets.iter().map(|(_, c)| c[0]).sum();
    assert_eq!(total, 20_000);
    // No schema_version: each line fails validation once, listed up to the cap.
    assert_eq!(s.failures_total, 20_000);
    assert_eq!(
        s.failures.len(),
        bh_audit_logger::trail::DEFAULT_MAX_FAILURES
    );
}

#[test]
fn random_byte_soup_never_panics_and_does_not_depend_on_the_split() {
    let lines = chain_lines(4, HashAlgorithm::Sha256);
    let deep = format!("{}{}", "[".repeat(600), "]".repeat(600));
    let fragments: Vec<Vec<u8>> = vec![
        lines[0].clone().into_bytes(),
        lines[1].clone().into_bytes(),
        lines[2].clone().into_bytes(),
        b"\n".to_vec(),
        b"\r".to_vec(),
        b"\r\n".to_vec(),
        b"\xff\xfe".to_vec(),
        "é😀".as_bytes().to_vec(),
        b"{\"integrity\":{\"event_hash\":5}}".to_vec(),
        b"{\"integrity\":null,\"timestamp\":\"2026-02-30T00:00:00Z\"}".to_vec(),
        b"[NaN, Infinity, -0, 1e999, 123456789012345678901234567890]".to_vec(),
        b"{\"timestamp\":\"9999-12-31T23:59:59.999999+23:59\",\"outcome\":{\"status\":\"DENIED\"}}"
            .to_vec(),
        b"{\"timestamp\":\"0000-01-01T00:00:00-23:59\",\"schema_version\":\"2.1\"}".to_vec(),
        deep.into_bytes(),
        b"\"\\ud800\"".to_vec(),
        b"  \t \x0b\x1c ".to_vec(),
        b"{\"a\":".to_vec(),
    ];
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for case in 0..300 {
        let mut text = Vec::new();
        for _ in 0..(rng.next() % 24) {
            text.extend_from_slice(&fragments[(rng.next() % fragments.len() as u64) as usize]);
        }
        let whole_v = pieces_verify(&text, &[]);
        let whole_r = pieces_report(&text, &[]);
        if let Ok(s) = std::str::from_utf8(&text) {
            assert_eq!(verify_chain(s), whole_v, "case {case}");
        }
        for _ in 0..5 {
            let cuts = rng.cuts(text.len());
            assert_eq!(pieces_verify(&text, &cuts), whole_v, "case {case} {cuts:?}");
            assert_eq!(pieces_report(&text, &cuts), whole_r, "case {case} {cuts:?}");
        }
    }
}

#[test]
fn state_round_trips_at_any_split_and_continues_to_the_same_result() {
    // A verifier or a report rebuilt from its state bytes (what the JS wrapper does after a
    // wasm instance is replaced) ends exactly as one that never stopped.
    for (name, text) in small_trails() {
        let whole = verify_chain(&text);
        let report = pieces_report(text.as_bytes(), &[]);
        let b = text.as_bytes();
        for i in (0..=b.len()).step_by(7) {
            let mut v = ChainVerifier::with_max_failures(usize::MAX);
            v.push(&b[..i]);
            let mut v = ChainVerifier::from_state(&v.state()).expect("state reads back");
            v.push(&b[i..]);
            assert_eq!(v.finish(), whole, "{name}: verifier rebuilt at {i}");
            let mut r = TrailReport::new(TrailOptions::default());
            r.push(&b[..i]);
            let mut r = TrailReport::from_state(&r.state()).expect("state reads back");
            r.push(&b[i..]);
            assert_eq!(
                r.finish().to_json(),
                report,
                "{name}: report rebuilt at {i}"
            );
        }
    }
    assert!(ChainVerifier::from_state(b"{}").is_err());
    assert!(TrailReport::from_state(b"not a state").is_err());
}
