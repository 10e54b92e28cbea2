#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Tampering with a sealed chain is detected and reported at the right line.

#[path = "integrity/common.rs"]
mod common;

use bh_audit_logger::integrity::{
    compute_chain_hash, verify_chain, Chain, ChainFailureKind as K, ChainReport, HashAlgorithm,
};
use common::{chain_lines, join, sample_event};
use serde_json::Value;

fn kinds_at(report: &ChainReport) -> Vec<(usize, K)> {
    report.failures.iter().map(|f| (f.line, f.kind)).collect()
}

fn edit(line: &str, f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> String {
    let mut v: serde_json::Map<String, Value> = serde_json::from_str(line).unwrap();
    f(&mut v);
    serde_json::to_string(&v).unwrap()
}

#[test]
fn intact_chain_passes_for_every_algorithm() {
    for alg in HashAlgorithm::ALL {
        let r = verify_chain(&join(&chain_lines(20, alg)));
        assert!(r.ok, "{alg}: {:?}", r.failures);
        assert_eq!((r.checked, r.chain_length, r.exit_code()), (20, 20, 0));
        assert_eq!(r.algorithms, vec![alg]);
    }
}

#[test]
fn first_event_has_no_prev_and_block_order_matches_python() {
    let lines = chain_lines(2, HashAlgorithm::Sha384);
    let first: serde_json::Map<String, Value> = serde_json::from_str(&lines[0]).unwrap();
    let second: serde_json::Map<String, Value> = serde_json::from_str(&lines[1]).unwrap();
    // integrity is appended last, like Python's {**event, "integrity": ...}
    assert_eq!(first.keys().next_back().unwrap(), "integrity");
    let b1 = first["integrity"].as_object().unwrap();
    let b2 = second["integrity"].as_object().unwrap();
    assert_eq!(b1.keys().collect::<Vec<_>>(), ["event_hash", "hash_alg"]);
    assert_eq!(
        b2.keys().collect::<Vec<_>>(),
        ["event_hash", "hash_alg", "prev_event_hash"]
    );
    assert_eq!(b2["prev_event_hash"], b1["event_hash"]);
    assert_eq!(b1["event_hash"].as_str().unwrap().len(), 96);
    // hash excludes integrity and uses prev's UTF-8 bytes
    let h = compute_chain_hash(
        b1["event_hash"].as_str(),
        &Value::Object(second.clone()),
        HashAlgorithm::Sha384,
    );
    assert_eq!(Some(h.as_str()), b2["event_hash"].as_str());
}

#[test]
fn seal_replaces_existing_integrity_in_place_and_resumes_from_head() {
    let mut ev = sample_event(1);
    ev.shift_insert(
        2,
        "integrity".into(),
        serde_json::json!({"event_hash": "x"}),
    );
    let mut chain = Chain::new(HashAlgorithm::Sha256);
    chain.seal(&mut ev).unwrap();
    assert_eq!(ev.keys().nth(2).unwrap(), "integrity");
    let head = chain.head().unwrap().to_string();
    let mut resumed = Chain::with_head(HashAlgorithm::Sha256, Some(head.clone()));
    let mut ev2 = sample_event(2);
    resumed.seal(&mut ev2).unwrap();
    assert_eq!(ev2["integrity"]["prev_event_hash"], Value::String(head));
    chain.set_head(None);
    assert_eq!(chain.head(), None);
}

#[test]
fn changed_field_is_a_hash_mismatch_on_its_line() {
    let mut lines = chain_lines(10, HashAlgorithm::Sha256);
    lines[4] = edit(&lines[4], |e| {
        e["outcome"]["status"] = Value::String("FAILURE".into());
    });
    let r = verify_chain(&join(&lines));
    assert!(!r.ok);
    assert_eq!(kinds_at(&r), vec![(5, K::HashMismatch)]);
    assert_eq!(
        r.failures[0].event_id.as_deref(),
        Some("00000000-0000-4000-8000-000000000004")
    );
    assert_eq!(r.exit_code(), 1);
    // reasons never echo values
    assert!(!r.failures[0].reason.contains("FAILURE"));
}

#[test]
fn event_ids_that_are_not_uuids_are_never_repeated() {
    let mut lines = chain_lines(3, HashAlgorithm::Sha256);
    let ids = [
        "PASS\n\u{1b}[2J\u{7}",
        "123-45-6789",
        "00000000-0000-4000-8000-00000000000g",
    ];
    for (i, id) in ids.iter().enumerate() {
        lines[i] = edit(&lines[i], |e| {
            e["event_id"] = Value::String(id.to_string());
            e["metadata"]["n"] = Value::from(1000);
        });
    }
    let r = verify_chain(&join(&lines));
    assert_eq!(r.failures.len(), 3);
    assert!(
        r.failures.iter().all(|f| f.event_id.is_none()),
        "{:?}",
        r.failures
    );
}

#[test]
fn removed_event_breaks_the_link_on_the_next_line() {
    let mut lines = chain_lines(10, HashAlgorithm::Sha256);
    lines.remove(3);
    let r = verify_chain(&join(&lines));
    assert_eq!(kinds_at(&r), vec![(4, K::HashMismatch), (4, K::ChainGap)]);
    assert_eq!(
        r.failures[0].event_id.as_deref(),
        Some("00000000-0000-4000-8000-000000000004")
    );
    assert_eq!((r.hash_mismatches, r.chain_gaps), (1, 1));
}

#[test]
fn removed_first_event_is_detected() {
    let mut lines = chain_lines(5, HashAlgorithm::Sha256);
    lines.remove(0);
    let r = verify_chain(&join(&lines));
    assert_eq!(kinds_at(&r), vec![(1, K::HashMismatch), (1, K::ChainGap)]);
}

#[test]
fn removed_last_event_is_not_detectable() {
    // As in the reference: a chain carries no length, so truncation at an event
    // boundary passes. Anchor the head elsewhere to detect it.
    let mut lines = chain_lines(5, HashAlgorithm::Sha256);
    lines.pop();
    assert!(verify_chain(&join(&lines)).ok);
}

#[test]
fn reordered_events_are_detected_at_both_lines() {
    let mut lines = chain_lines(10, HashAlgorithm::Sha512);
    lines.swap(5, 6);
    let r = verify_chain(&join(&lines));
    assert_eq!(
        kinds_at(&r),
        vec![
            (6, K::HashMismatch),
            (6, K::ChainGap),
            (7, K::HashMismatch),
            (7, K::ChainGap),
            // the next event is rehashed with its new predecessor's hash
            (8, K::HashMismatch),
            (8, K::ChainGap),
        ]
    );
}

#[test]
fn changed_algorithm_is_a_hash_mismatch() {
    let mut lines = chain_lines(6, HashAlgorithm::Sha256);
    lines[2] = edit(&lines[2], |e| {
        e["integrity"]["hash_alg"] = Value::String("sha512".into());
    });
    let r = verify_chain(&join(&lines));
    assert_eq!(kinds_at(&r), vec![(3, K::HashMismatch)]);
    assert_eq!(
        r.algorithms,
        vec![HashAlgorithm::Sha256, HashAlgorithm::Sha512]
    );
}

#[test]
fn unsupported_algorithm_is_a_failure_not_a_crash() {
    let mut lines = chain_lines(4, HashAlgorithm::Sha256);
    lines[1] = edit(&lines[1], |e| {
        e["integrity"]["hash_alg"] = Value::String("md5".into());
    });
    let r = verify_chain(&join(&lines));
    assert_eq!(kinds_at(&r), vec![(2, K::UnsupportedAlgorithm)]);
    assert_eq!(r.exit_code(), 1);
}

#[test]
fn truncated_last_line_is_an_input_error_at_that_line() {
    let lines = chain_lines(8, HashAlgorithm::Sha256);
    let mut text = join(&lines);
    text.truncate(text.len() - 40);
    let r = verify_chain(&text);
    assert_eq!(kinds_at(&r), vec![(8, K::InvalidJson)]);
    assert_eq!(r.checked, 8);
    assert_eq!(r.exit_code(), 2);
    assert!(r.failures[0].event_id.is_none());
}

#[test]
fn garbage_line_in_the_middle_stops_with_an_error() {
    let mut lines = chain_lines(5, HashAlgorithm::Sha256);
    lines[2] = "{\"event_id\": \"evt-0002\", oops".to_string();
    let r = verify_chain(&join(&lines));
    assert_eq!(kinds_at(&r), vec![(3, K::InvalidJson)]);
    assert_eq!(r.checked, 3);
}

#[test]
fn non_object_and_bad_integrity_types_are_malformed() {
    let mut lines = chain_lines(3, HashAlgorithm::Sha256);
    lines[1] = "[1,2,3]".to_string();
    assert_eq!(
        kinds_at(&verify_chain(&join(&lines))),
        vec![(2, K::Malformed)]
    );
    let mut lines = chain_lines(3, HashAlgorithm::Sha256);
    lines[1] = edit(&lines[1], |e| {
        e["integrity"] = Value::String("x".into());
    });
    let r = verify_chain(&join(&lines));
    assert_eq!(kinds_at(&r), vec![(2, K::Malformed)]);
    assert_eq!(r.exit_code(), 2);
}

#[test]
fn blank_lines_and_crlf_are_ignored_but_counted_in_line_numbers() {
    let mut lines = chain_lines(4, HashAlgorithm::Sha256);
    lines[3] = edit(&lines[3], |e| {
        e["metadata"]["n"] = Value::from(99);
    });
    let text = format!(
        "\n{}\r\n  \r\n{}\r{}\n\t\n{}\n\n",
        lines[0], lines[1], lines[2], lines[3]
    );
    let r = verify_chain(&text);
    assert_eq!(r.checked, 4);
    assert_eq!(kinds_at(&r), vec![(7, K::HashMismatch)]);
    assert_eq!(r.failures[0].event_index, 3);
}

#[test]
fn unchained_event_resets_the_chain_like_python() {
    let lines = chain_lines(3, HashAlgorithm::Sha256);
    let plain = serde_json::to_string(&Value::Object(sample_event(99))).unwrap();
    // An unchained event between two chained ones: the next chained event's
    // prev_event_hash no longer matches (prev is reset), as in the reference.
    let r = verify_chain(&join(&[
        lines[0].clone(),
        plain.clone(),
        lines[1].clone(),
        lines[2].clone(),
    ]));
    assert_eq!(r.unchained_events, 1);
    assert_eq!(
        kinds_at(&r),
        vec![(2, K::Unchained), (3, K::HashMismatch), (3, K::ChainGap)]
    );
    // Only unchained events: each is a failure by default (a trail of lines outside any
    // chain proves nothing); Python 1.1.1 (allow unchained) passes them.
    let r = verify_chain(&join(&[plain.clone(), plain.clone()]));
    assert!(!r.ok);
    assert_eq!(kinds_at(&r), vec![(1, K::Unchained), (2, K::Unchained)]);
    assert_eq!(r.exit_code(), 1);
    let mut v = bh_audit_logger::integrity::ChainVerifier::with_options(
        bh_audit_logger::integrity::VerifyOptions {
            allow_unchained: true,
            ..Default::default()
        },
    );
    v.push(join(&[plain.clone(), plain]).as_bytes());
    let r = v.finish();
    assert!(r.ok);
    assert_eq!((r.chain_length, r.unchained_events), (0, 2));
}

#[test]
fn empty_input_passes() {
    let r = verify_chain("");
    assert!(r.ok);
    assert_eq!(r.checked, 0);
    assert!(verify_chain("\n \n").ok);
}
