#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The forgeries of issue 20, tried on a chained trail that has signed checkpoints: each one
//! that a linear chain cannot see (a re-chained rewrite, a cut tail, ...) is caught by the tree
//! against a checkpoint taken before the change, at the first checkpoint covering the changed
//! line; a proof sent before the change no longer fits the changed line.

#[path = "integrity/common.rs"]
mod common;

use bh_audit_logger::integrity::{verify_chain, Chain, HashAlgorithm};
use bh_audit_logger::tlog::merkle::{inclusion_proof, leaf_hash, Tree};
use bh_audit_logger::tlog::proof::TlogProof;
use bh_audit_logger::tlog::{
    open_checkpoint, sign_checkpoint, verify_inclusion_proof, Checkpoint, Hash, KeyType, Reason,
    SignerKey,
};
use common::{chain_lines, join, sample_event};
use serde_json::Value;

const ORIGIN: &str = "audit.example.org/notes-api";
const N: usize = 40;
const EVERY: usize = 10;

fn key() -> SignerKey {
    SignerKey::from_seed(ORIGIN, KeyType::Ed25519, &[42; 32]).unwrap()
}

/// The signed checkpoints of `lines` at every `EVERY` lines, as the keeper issued them.
fn checkpoints(lines: &[String]) -> Vec<String> {
    let mut t = Tree::new();
    let mut out = Vec::new();
    for l in lines {
        t.push_entry(l.as_bytes());
        if t.size() as usize % EVERY == 0 {
            out.push(sign_checkpoint(ORIGIN, t.size(), &t.root(), &key()).unwrap());
        }
    }
    out
}

/// What an auditor holding `notes` sees in `trail` (JSONL text): for each checkpoint, ok or
/// why not; streaming the lines once, as split by the chain verifier (no empty lines).
fn audit(trail: &str, notes: &[String]) -> Vec<(u64, Result<(), Reason>)> {
    let cps: Vec<Checkpoint> = notes
        .iter()
        .map(|n| {
            open_checkpoint(n, &[key().verifier_key()])
                .unwrap()
                .checkpoint
        })
        .collect();
    let mut roots: Vec<(u64, Hash)> = Vec::new();
    let mut t = Tree::new();
    for line in trail.split('\n').filter(|l| !l.is_empty()) {
        t.push_entry(line.as_bytes());
        roots.push((t.size(), t.root()));
    }
    cps.iter()
        .map(|c| {
            let got = match roots.get(c.size as usize - 1) {
                None => Err(Reason::TooFewLeaves), // the trail is shorter: cut
                Some((_, r)) if *r != c.root => Err(Reason::RootMismatch),
                Some(_) => Ok(()),
            };
            (c.size, got)
        })
        .collect()
}

/// The first checkpoint size that fails, and why.
fn first_failure(trail: &str, notes: &[String]) -> Option<(u64, Reason)> {
    audit(trail, notes)
        .into_iter()
        .find_map(|(s, r)| r.err().map(|e| (s, e)))
}

/// The events of `lines` re-chained from the start, as anyone with write access can.
fn rechain(events: Vec<serde_json::Map<String, Value>>) -> Vec<String> {
    let mut chain = Chain::new(HashAlgorithm::Sha256);
    events
        .into_iter()
        .map(|mut ev| {
            ev.remove("integrity");
            chain.seal(&mut ev).unwrap();
            serde_json::to_string(&Value::Object(ev)).unwrap()
        })
        .collect()
}

fn events(lines: &[String]) -> Vec<serde_json::Map<String, Value>> {
    lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn set_outcome(ev: &mut serde_json::Map<String, Value>, status: &str) {
    ev["outcome"]["status"] = Value::String(status.to_owned());
}

#[test]
fn intact_trail_matches_every_checkpoint() {
    let lines = chain_lines(N, HashAlgorithm::Sha256);
    let notes = checkpoints(&lines);
    assert_eq!(notes.len(), N / EVERY);
    assert!(audit(&join(&lines), &notes).iter().all(|(_, r)| r.is_ok()));
    // CRLF line ends are the same entries (the terminator is not part of the entry).
    let crlf = join(&lines).replace('\n', "\r\n");
    let crlf_lines: Vec<&str> = crlf.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(crlf_lines.len(), N);
    let mut t = Tree::new();
    crlf_lines.iter().for_each(|l| t.push_entry(l.as_bytes()));
    let last = open_checkpoint(&notes[N / EVERY - 1], &[key().verifier_key()]).unwrap();
    assert_eq!(t.root(), last.checkpoint.root);
}

#[test]
fn forgeries_a_chain_cannot_see_are_caught_at_the_right_checkpoint() {
    let lines = chain_lines(N, HashAlgorithm::Sha256);
    let notes = checkpoints(&lines);
    let k = 23; // the changed line (0-based): first covered by the checkpoint of size 30

    // One event changed and every later one re-chained with the package's own chain.
    let mut evs = events(&lines);
    set_outcome(&mut evs[k], "FAILURE");
    let rechained = rechain(evs);
    assert!(
        verify_chain(&join(&rechained)).ok,
        "a chain alone passes it"
    );
    assert_eq!(
        first_failure(&join(&rechained), &notes),
        Some((30, Reason::RootMismatch))
    );

    // The last 12 events cut off: chained, shorter than the last checkpoint.
    let cut = &lines[..N - 12];
    assert!(
        verify_chain(&join(cut)).ok,
        "a chain alone passes a cut tail"
    );
    assert_eq!(
        first_failure(&join(cut), &notes),
        Some((30, Reason::TooFewLeaves))
    );
    let cut = &lines[..N - 1];
    assert_eq!(
        first_failure(&join(cut), &notes),
        Some((40, Reason::TooFewLeaves))
    );

    // All integrity blocks stripped and an event edited.
    let mut evs = events(&lines);
    for ev in &mut evs {
        ev.remove("integrity");
    }
    set_outcome(&mut evs[k], "DENIED");
    let stripped: Vec<String> = evs
        .into_iter()
        .map(|e| serde_json::to_string(&Value::Object(e)).unwrap())
        .collect();
    assert_eq!(
        first_failure(&join(&stripped), &notes),
        Some((10, Reason::RootMismatch))
    );

    // A fake line without an integrity block, prepended or inserted.
    let fake = serde_json::to_string(&Value::Object(sample_event(999))).unwrap();
    let mut prepended = vec![fake.clone()];
    prepended.extend(lines.iter().cloned());
    assert_eq!(
        first_failure(&join(&prepended), &notes),
        Some((10, Reason::RootMismatch))
    );
    let mut inserted = lines.clone();
    inserted.insert(k, fake.clone());
    assert_eq!(
        first_failure(&join(&inserted), &notes),
        Some((30, Reason::RootMismatch))
    );
    // ... and re-chained so the chain holds.
    let inserted = rechain(events(&inserted));
    assert!(verify_chain(&join(&inserted)).ok);
    assert_eq!(
        first_failure(&join(&inserted), &notes),
        Some((30, Reason::RootMismatch))
    );

    // A swapped pair, re-chained.
    let mut evs = events(&lines);
    evs.swap(k, k + 1);
    let swapped = rechain(evs);
    assert!(verify_chain(&join(&swapped)).ok);
    assert_eq!(
        first_failure(&join(&swapped), &notes),
        Some((30, Reason::RootMismatch))
    );

    // A fake line appended after the last checkpoint: the checkpoints before it still hold
    // (they vouch for nothing after their size), and no proof can place it in them.
    let mut appended = lines.clone();
    appended.push(fake.clone());
    assert_eq!(first_failure(&join(&appended), &notes), None);
    let leaves: Vec<Hash> = lines.iter().map(|l| leaf_hash(l.as_bytes())).collect();
    let p = TlogProof {
        extra: None,
        index: N as u64,
        hashes: inclusion_proof(&leaves, N as u64 - 1).unwrap(),
        checkpoint: notes[N / EVERY - 1].clone(),
    };
    let r = verify_inclusion_proof(&p.to_text(), fake.as_bytes(), &[key().verifier_key()]);
    assert_eq!(r.reason, Some(Reason::IndexOutOfRange));
}

#[test]
fn a_proof_sent_before_the_change_no_longer_fits_the_changed_line() {
    let lines = chain_lines(N, HashAlgorithm::Sha256);
    let notes = checkpoints(&lines);
    let leaves: Vec<Hash> = lines.iter().map(|l| leaf_hash(l.as_bytes())).collect();
    let keys = [key().verifier_key()];
    let mut evs = events(&lines);
    set_outcome(&mut evs[7], "FAILURE");
    let rechained = rechain(evs);
    for i in [0, 7, 8, 39] {
        let p = TlogProof {
            extra: None,
            index: i as u64,
            hashes: inclusion_proof(&leaves, i as u64).unwrap(),
            checkpoint: notes[N / EVERY - 1].clone(),
        }
        .to_text();
        assert!(verify_inclusion_proof(&p, lines[i].as_bytes(), &keys).ok);
        // Lines 7 and later changed (7 edited, the rest re-chained); line 0 did not.
        let r = verify_inclusion_proof(&p, rechained[i].as_bytes(), &keys);
        assert_eq!(r.ok, i < 7, "line {i}");
        if i >= 7 {
            assert_eq!(r.reason, Some(Reason::RootMismatch));
        }
        // The line with its terminator is another entry.
        let r = verify_inclusion_proof(&p, format!("{}\n", lines[i]).as_bytes(), &keys);
        assert_eq!(r.reason, Some(Reason::RootMismatch));
    }
}

#[test]
fn a_keeper_that_signs_a_rewritten_trail_shows_two_histories() {
    let lines = chain_lines(N, HashAlgorithm::Sha256);
    let notes = checkpoints(&lines);
    let mut evs = events(&lines);
    set_outcome(&mut evs[3], "FAILURE");
    let rewritten = rechain(evs);
    // The keeper signs the rewrite at the same size: the two notes are evidence.
    let again = checkpoints(&rewritten);
    let none: [&str; 0] = [];
    let r = bh_audit_logger::tlog::verify_consistency(
        &notes[3],
        &again[3],
        &none,
        &[key().verifier_key()],
    );
    assert_eq!(r.reason, Some(Reason::TwoHistories));
}
