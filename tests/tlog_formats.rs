#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The formats refuse what they must, each with its reason: malformed notes, keys,
//! checkpoints and proofs; inclusion and consistency checks between signed checkpoints;
//! the witness's `add-checkpoint` state machine, with two histories reported as such.

use bh_audit_logger::tlog::merkle::{consistency_proof, inclusion_proof, leaf_hash, root_of};
use bh_audit_logger::tlog::note::{self, Note, SignerKey, VerifierKey};
use bh_audit_logger::tlog::proof::TlogProof;
use bh_audit_logger::tlog::witness::{self, add_checkpoint, AddCheckpoint, LogState};
use bh_audit_logger::tlog::{
    base64_encode, hash_to_base64, open_checkpoint, sign_checkpoint, verify_consistency,
    verify_inclusion_proof, Checkpoint, Hash, KeyType, Reason,
};

const ORIGIN: &str = "audit.example.org/notes-api";

fn log_key() -> SignerKey {
    SignerKey::from_seed(ORIGIN, KeyType::Ed25519, &[9; 32]).unwrap()
}

fn witness_key() -> SignerKey {
    SignerKey::from_seed("witness.example.org/w1", KeyType::Cosignature, &[5; 32]).unwrap()
}

fn leaves(n: usize, tag: &str) -> Vec<Hash> {
    (0..n)
        .map(|i| leaf_hash(format!("{{\"event\":{i},\"tag\":\"{tag}\"}}").as_bytes()))
        .collect()
}

fn checkpoint_of(leaves: &[Hash]) -> String {
    sign_checkpoint(ORIGIN, leaves.len() as u64, &root_of(leaves), &log_key()).unwrap()
}

/// A note over `body` signed by the log key, whatever `body` is (to test the body's rules
/// apart from the signature's).
fn signed_body(body: &str) -> String {
    note::sign(body, &[&log_key()]).unwrap()
}

fn reason_of(note: &str) -> Reason {
    open_checkpoint(note, &[log_key().verifier_key()])
        .unwrap_err()
        .reason()
}

#[test]
fn a_signed_checkpoint_opens_with_its_fields() {
    let l = leaves(10, "a");
    let n = checkpoint_of(&l);
    let root = hash_to_base64(&root_of(&l));
    assert!(n.starts_with(&format!("{ORIGIN}\n10\n{root}\n\n\u{2014} {ORIGIN} ")));
    assert!(n.ends_with("\n") && n.lines().count() == 5);
    let o = open_checkpoint(&n, &[log_key().verifier_key()]).unwrap();
    assert_eq!(
        (
            o.checkpoint.origin.as_str(),
            o.checkpoint.size,
            o.checkpoint.root
        ),
        (ORIGIN, 10, root_of(&l))
    );
    assert_eq!(o.signers, vec![ORIGIN.to_owned()]);
    // The key texts round-trip, and a generated key is a working key.
    let k = SignerKey::generate("gen.example/log", KeyType::Ed25519).unwrap();
    let again = SignerKey::parse(&k.to_text()).unwrap();
    let v = VerifierKey::parse(&again.verifier_key().to_text()).unwrap();
    let n = sign_checkpoint("gen.example/log", 0, &root_of(&[]), &again).unwrap();
    assert_eq!(open_checkpoint(&n, &[v]).unwrap().checkpoint.size, 0);
}

#[test]
fn malformed_notes_are_refused_with_their_reason() {
    let good = checkpoint_of(&leaves(3, "a"));
    let (body, sig) = good.split_once("\n\n").unwrap();
    let body = format!("{body}\n");
    let other = checkpoint_of(&leaves(4, "a"));
    let other_sig = other.split_once("\n\n").unwrap().1;
    let stranger = SignerKey::from_seed("someone.else/log", KeyType::Ed25519, &[1; 32]).unwrap();
    let stranger_sig = note::sign(&body, &[&stranger]).unwrap();
    let stranger_sig = stranger_sig.split_once("\n\n").unwrap().1;
    // The signature line with its base64 altered in its last character before the padding
    // (68 bytes: one `=`, 2 unused bits) so the bits are no longer zero.
    let b64 = sig.trim_end().rsplit_once(' ').unwrap().1;
    let last = b64.as_bytes()[b64.len() - 2];
    let bumped = if last == b'/' {
        'A'
    } else {
        char::from(last + 1)
    };
    let non_canonical = format!("{}{bumped}=\n", &sig.trim_end()[..sig.trim_end().len() - 2]);
    // The key ID changed: another key of the same name, so an unknown one.
    let mut raw = bh_audit_logger::tlog::base64_decode(b64).unwrap();
    raw[0] ^= 1;
    let wrong_id = format!("\u{2014} {ORIGIN} {}\n", base64_encode(&raw));

    let cases: Vec<(&str, String, Reason)> = vec![
        ("intact", good.clone(), Reason::OriginMismatch), // placeholder, checked below
        (
            "extra blank line before the signatures",
            format!("{body}\n\n{sig}"),
            Reason::MalformedCheckpoint,
        ),
        (
            "blank line after the signatures",
            format!("{good}\n"),
            Reason::MalformedNote,
        ),
        (
            "blank line between signatures",
            format!("{body}\n{sig}\n{stranger_sig}"),
            Reason::MalformedCheckpoint,
        ),
        (
            "no blank line",
            format!("{body}{sig}"),
            Reason::MalformedNote,
        ),
        (
            "body without its final newline",
            format!("{}\n{sig}", body.trim_end()),
            Reason::MalformedNote,
        ),
        (
            "signature block without its final newline",
            good.trim_end().to_owned(),
            Reason::MalformedNote,
        ),
        (
            "non-canonical base64 signature",
            format!("{body}\n{non_canonical}"),
            Reason::MalformedNote,
        ),
        (
            "a signature from an unknown key only",
            format!("{body}\n{stranger_sig}"),
            Reason::UnknownKey,
        ),
        (
            "wrong key id",
            format!("{body}\n{wrong_id}"),
            Reason::UnknownKey,
        ),
        (
            "another text's signature",
            format!("{body}\n{other_sig}"),
            Reason::BadSignature,
        ),
        (
            "known signature beside an unknown one, known one bad",
            format!("{body}\n{stranger_sig}{other_sig}"),
            Reason::BadSignature,
        ),
        (
            "duplicate signature line",
            format!("{good}{sig}"),
            Reason::MalformedNote,
        ),
        (
            "garbage signature line",
            format!("{good}garbage\n"),
            Reason::MalformedNote,
        ),
        (
            "signature without base64",
            format!("{body}\n\u{2014} {ORIGIN} \n"),
            Reason::MalformedNote,
        ),
        (
            "signature too short",
            format!("{body}\n\u{2014} {ORIGIN} AAAA\n"),
            Reason::MalformedNote,
        ),
        (
            "key name with a plus",
            format!("{body}\n\u{2014} a+b {b64}\n"),
            Reason::MalformedNote,
        ),
        (
            "key name with a space",
            format!("{body}\n\u{2014} a b {b64}\n"),
            Reason::MalformedNote,
        ),
        (
            "hyphen instead of em dash",
            format!("{body}\n- {ORIGIN} {b64}\n"),
            Reason::MalformedNote,
        ),
        (
            "CRLF line ends",
            good.replace('\n', "\r\n"),
            Reason::MalformedNote,
        ),
        (
            "tab in the body",
            good.replacen(ORIGIN, &format!("{ORIGIN}\t"), 1),
            Reason::MalformedNote,
        ),
        ("NUL", format!("\0{good}"), Reason::MalformedNote),
        ("empty", String::new(), Reason::MalformedNote),
        (
            "over the size limit",
            format!("{}{good}", "x".repeat(note::MAX_NOTE_SIZE)),
            Reason::MalformedNote,
        ),
    ];
    assert!(open_checkpoint(&good, &[log_key().verifier_key()]).is_ok());
    for (what, text, want) in cases.into_iter().skip(1) {
        assert_eq!(reason_of(&text), want, "{what}");
    }
    // Bad UTF-8 cannot be a &str: the byte reader refuses it.
    let mut bytes = good.clone().into_bytes();
    bytes[2] = 0xff;
    assert_eq!(
        Note::parse(&bytes).unwrap_err().reason(),
        Reason::MalformedNote
    );
}

#[test]
fn checkpoint_bodies_are_strict() {
    let root = hash_to_base64(&root_of(&leaves(2, "a")));
    // Non-canonical root: 32 bytes end in a 2-unused-bit character before the `=`.
    let last = root.as_bytes()[42];
    let bumped = if last == b'/' {
        'A'
    } else {
        char::from(last + 1)
    };
    let bad_root = format!("{}{bumped}=", &root[..42]);
    for (what, body) in [
        (
            "size with a leading zero",
            format!("{ORIGIN}\n010\n{root}\n"),
        ),
        ("size with a plus", format!("{ORIGIN}\n+10\n{root}\n")),
        ("size with a space", format!("{ORIGIN}\n 10\n{root}\n")),
        (
            "size past u64",
            format!("{ORIGIN}\n18446744073709551616\n{root}\n"),
        ),
        ("negative size", format!("{ORIGIN}\n-1\n{root}\n")),
        ("empty origin", format!("\n10\n{root}\n")),
        ("no root", format!("{ORIGIN}\n10\n")),
        ("non-canonical root", format!("{ORIGIN}\n10\n{bad_root}\n")),
        ("short root", format!("{ORIGIN}\n10\n{}\n", &root[4..])),
        ("root unpadded", format!("{ORIGIN}\n10\n{}\n", &root[..43])),
        (
            "empty extension line",
            format!("{ORIGIN}\n10\n{root}\n\next\n"),
        ),
    ] {
        assert_eq!(
            Checkpoint::parse(&body).unwrap_err().reason(),
            Reason::MalformedCheckpoint,
            "{what}"
        );
        // Signed, the note is refused for its body, not its signature.
        let n = signed_body(&body);
        assert_eq!(
            reason_of(&n),
            Reason::MalformedCheckpoint,
            "{what} (signed)"
        );
    }
    // Extension lines are kept, and the size may be 0 or u64::MAX.
    let body = format!("{ORIGIN}\n18446744073709551615\n{root}\nfirst ext\nsecond\n");
    let cp = Checkpoint::parse(&body).unwrap();
    assert_eq!(cp.size, u64::MAX);
    assert_eq!(cp.extensions, vec!["first ext", "second"]);
    assert_eq!(cp.to_text().unwrap(), body);
    let o = open_checkpoint(&signed_body(&body), &[log_key().verifier_key()]).unwrap();
    assert_eq!(o.checkpoint, cp);
}

#[test]
fn origin_must_be_the_signers_name() {
    let root = root_of(&leaves(2, "a"));
    let e = sign_checkpoint("other.example/log", 2, &root, &log_key()).unwrap_err();
    assert_eq!(e.reason(), Reason::OriginMismatch);
    // A checkpoint of another origin signed by our key: verified, but not the origin's key.
    let body = format!("other.example/log\n2\n{}\n", hash_to_base64(&root));
    assert_eq!(reason_of(&signed_body(&body)), Reason::OriginMismatch);
    // A cosigner key neither signs checkpoints nor notes.
    let w = witness_key();
    let e = sign_checkpoint(w.name(), 2, &root, &w).unwrap_err();
    assert_eq!(e.reason(), Reason::MalformedKey);
    // Bad key names are refused where keys are made.
    for name in ["", "a+b", "a b", "a\u{2003}b", "a\nb"] {
        let e = SignerKey::from_seed(name, KeyType::Ed25519, &[0; 32]).unwrap_err();
        assert_eq!(e.reason(), Reason::MalformedKey, "{name:?}");
    }
}

#[test]
fn inclusion_proofs_verify_and_every_change_is_refused() {
    let l = leaves(13, "a");
    let cp = checkpoint_of(&l);
    let keys = [log_key().verifier_key()];
    let entry = |i: usize| format!("{{\"event\":{i},\"tag\":\"a\"}}");
    let proof_for = |i: usize, extra: Option<Vec<u8>>| TlogProof {
        extra,
        index: i as u64,
        hashes: inclusion_proof(&l, i as u64).unwrap(),
        checkpoint: cp.clone(),
    };
    for i in 0..13 {
        let p = proof_for(i, None).to_text();
        let r = verify_inclusion_proof(&p, entry(i).as_bytes(), &keys);
        assert!(r.ok, "{i}: {r:?}");
        assert_eq!(
            (r.index, r.size, r.origin.as_deref()),
            (Some(i as u64), Some(13), Some(ORIGIN))
        );
        assert_eq!(TlogProof::parse(&p).unwrap(), proof_for(i, None));
        // Another entry is not at that index.
        let r = verify_inclusion_proof(&p, entry(i + 1).as_bytes(), &keys);
        assert_eq!(r.reason, Some(Reason::RootMismatch), "{i}");
    }
    // The extra line is read, written back, and trusted for nothing.
    let p = proof_for(5, Some(b"hint".to_vec())).to_text();
    assert!(p.contains("\nextra aGludA==\nindex 5\n"));
    assert!(verify_inclusion_proof(&p, entry(5).as_bytes(), &keys).ok);

    let good = proof_for(6, None);
    let check = |p: &TlogProof| verify_inclusion_proof(&p.to_text(), entry(6).as_bytes(), &keys);
    let mut p = good.clone();
    p.index = 7;
    assert_eq!(check(&p).reason, Some(Reason::RootMismatch));
    p.index = 13;
    assert_eq!(check(&p).reason, Some(Reason::IndexOutOfRange));
    let mut p = good.clone();
    p.hashes[1][0] ^= 0x80;
    assert_eq!(check(&p).reason, Some(Reason::RootMismatch));
    let mut p = good.clone();
    p.hashes.pop();
    assert_eq!(check(&p).reason, Some(Reason::ProofLength));
    let mut p = good.clone();
    p.hashes.swap(0, 1);
    assert_eq!(check(&p).reason, Some(Reason::RootMismatch));
    // A checkpoint of another tree, or signed by another key.
    let mut p = good.clone();
    p.checkpoint = checkpoint_of(&leaves(13, "b"));
    assert_eq!(check(&p).reason, Some(Reason::RootMismatch));
    let r = verify_inclusion_proof(
        &good.to_text(),
        entry(6).as_bytes(),
        &[witness_key().verifier_key()],
    );
    assert_eq!(
        (r.reason, r.index, r.size),
        (Some(Reason::UnknownKey), Some(6), None)
    );

    // Malformed proof texts.
    let text = good.to_text();
    let h0 = hash_to_base64(&good.hashes[0]);
    for (what, bad) in [
        ("header", text.replacen("@v1", "@v2", 1)),
        (
            "index leading zero",
            text.replacen("index 6", "index 06", 1),
        ),
        ("index missing", text.replacen("index 6\n", "", 1)),
        ("empty extra", text.replacen("index", "extra \nindex", 1)),
        ("bad extra", text.replacen("index", "extra a=b=\nindex", 1)),
        (
            "extra after index",
            text.replacen("index 6\n", "index 6\nextra aGludA==\n", 1),
        ),
        ("short hash", text.replacen(&h0, &h0[4..], 1)),
        (
            "no empty line",
            text.replacen(&format!("\n\n{ORIGIN}"), &format!("\n{ORIGIN}"), 1),
        ),
        (
            "no checkpoint",
            text[..text.find(&format!("\n\n{ORIGIN}")).unwrap() + 2].to_owned(),
        ),
        ("CRLF", text.replace('\n', "\r\n")),
    ] {
        let r = verify_inclusion_proof(&bad, entry(6).as_bytes(), &keys);
        assert_eq!(r.reason, Some(Reason::MalformedProof), "{what}");
        assert!(!r.ok);
    }
    let too_many = TlogProof {
        hashes: vec![[0; 32]; 65],
        ..good.clone()
    };
    assert_eq!(
        TlogProof::parse(&too_many.to_text()).unwrap_err().reason(),
        Reason::MalformedProof
    );
}

#[test]
fn consistency_between_signed_checkpoints() {
    let l = leaves(21, "a");
    let keys = [log_key().verifier_key()];
    let b64 = |h: &[Hash]| h.iter().map(hash_to_base64).collect::<Vec<_>>();
    for (m, n) in [(1, 21), (4, 21), (7, 8), (8, 16), (13, 21), (20, 21)] {
        let old = checkpoint_of(&l[..m]);
        let new = checkpoint_of(&l[..n]);
        let proof = b64(&consistency_proof(&l[..n], m as u64).unwrap());
        let r = verify_consistency(&old, &new, &proof, &keys);
        assert!(r.ok, "{m} {n}: {r:?}");
        // Backwards, the sizes are in the wrong order.
        let r = verify_consistency(&new, &old, &proof, &keys);
        assert_eq!(r.reason, Some(Reason::SizeDecreased));
        // Every changed hash, and every missing one.
        for i in 0..proof.len() {
            let mut p = proof.clone();
            let mut h = bh_audit_logger::tlog::hash_from_base64(&p[i]).unwrap();
            h[31] ^= 1;
            p[i] = hash_to_base64(&h);
            let r = verify_consistency(&old, &new, &p, &keys);
            assert_eq!(r.reason, Some(Reason::Inconsistent), "{m} {n} flip {i}");
            let mut p = proof.clone();
            p.remove(i);
            let r = verify_consistency(&old, &new, &p, &keys);
            assert_eq!(r.reason, Some(Reason::ProofLength), "{m} {n} drop {i}");
        }
        // A rewritten history of the same size does not extend the old one.
        let forked = leaves(n, "b");
        let fork = checkpoint_of(&forked);
        let fork_proof = b64(&consistency_proof(&forked, m as u64).unwrap());
        let r = verify_consistency(&old, &fork, &fork_proof, &keys);
        assert_eq!(r.reason, Some(Reason::Inconsistent), "{m} {n} fork");
    }
    let a = checkpoint_of(&l[..9]);
    let none: [&str; 0] = [];
    assert!(verify_consistency(&a, &a, &none, &keys).ok);
    let b = checkpoint_of(&leaves(9, "b"));
    let r = verify_consistency(&a, &b, &none, &keys);
    assert_eq!(r.reason, Some(Reason::TwoHistories));
    let r = verify_consistency(&a, &a, &[hash_to_base64(&[0; 32])], &keys);
    assert_eq!(r.reason, Some(Reason::ProofLength));
    let r = verify_consistency(&a, &checkpoint_of(&l), &["not base64"], &keys);
    assert_eq!(r.reason, Some(Reason::MalformedProof));
    let empty = checkpoint_of(&[]);
    let r = verify_consistency(&empty, &a, &none, &keys);
    assert_eq!(r.reason, Some(Reason::EmptyTree));
    // Another origin.
    let other = SignerKey::from_seed("other.example/log", KeyType::Ed25519, &[2; 32]).unwrap();
    let o = sign_checkpoint(other.name(), 9, &root_of(&l[..9]), &other).unwrap();
    let r = verify_consistency(&a, &o, &none, &[keys[0].clone(), other.verifier_key()]);
    assert_eq!(r.reason, Some(Reason::OriginMismatch));
    // Unsigned by a given key.
    let r = verify_consistency(&a, &a, &none, &[other.verifier_key()]);
    assert_eq!(r.reason, Some(Reason::UnknownKey));
}

fn request(old: u64, proof: Vec<Hash>, checkpoint: String) -> Vec<u8> {
    AddCheckpoint {
        old,
        proof,
        checkpoint,
    }
    .to_text()
    .into_bytes()
}

#[test]
fn witness_cosigns_consistent_checkpoints_and_refuses_the_rest() {
    let log = [log_key().verifier_key()];
    let w = [witness_key()];
    let l = leaves(30, "a");
    let mut state: Option<LogState> = None;

    // First contact: old 0, no proof.
    let r = add_checkpoint(
        &request(0, vec![], checkpoint_of(&l[..5])),
        &log,
        &w,
        |_| state,
        1_700_000_000,
    );
    assert_eq!((r.status, r.reason), (200, None), "{}", r.body);
    assert_eq!(r.origin.as_deref(), Some(ORIGIN));
    state = r.new_state;
    assert_eq!(
        state,
        Some(LogState {
            size: 5,
            root: root_of(&l[..5])
        })
    );
    // The cosignature verifies with the witness's key alone and with the log's.
    let cosigned = r.cosigned.unwrap();
    assert!(cosigned.ends_with(&r.body));
    let o = note::open(cosigned.as_bytes(), &[w[0].verifier_key(), log[0].clone()]).unwrap();
    assert_eq!(o.verified.len(), 2);
    assert_eq!(o.verified[1].timestamp, Some(1_700_000_000));
    let oc = open_checkpoint(&cosigned, &[log[0].clone(), w[0].verifier_key()]).unwrap();
    assert_eq!(
        oc.signers,
        vec![ORIGIN.to_owned(), "witness.example.org/w1".to_owned()]
    );
    // A witness key alone does not make a checkpoint the log's.
    let e = open_checkpoint(&cosigned, &[w[0].verifier_key()]).unwrap_err();
    assert_eq!(e.reason(), Reason::OriginMismatch);

    // Growing with a consistency proof.
    let p = consistency_proof(&l[..12], 5).unwrap();
    let r = add_checkpoint(
        &request(5, p, checkpoint_of(&l[..12])),
        &log,
        &w,
        |_| state,
        2,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    state = r.new_state;

    // The same checkpoint again: same size, same root, no proof.
    let r = add_checkpoint(
        &request(12, vec![], checkpoint_of(&l[..12])),
        &log,
        &w,
        |_| state,
        3,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.new_state, state);

    // Old size that is not the witness's: 409 with its size.
    let p = consistency_proof(&l[..20], 5).unwrap();
    let r = add_checkpoint(
        &request(5, p, checkpoint_of(&l[..20])),
        &log,
        &w,
        |_| state,
        4,
    );
    assert_eq!(
        (r.status, r.content_type, r.body.as_str()),
        (409, "text/x.tlog.size", "12\n")
    );
    assert_eq!(
        (r.reason, r.new_state),
        (Some(Reason::OldSizeMismatch), None)
    );

    // A second history of the same size: evidence, refused.
    let fork = leaves(12, "b");
    let r = add_checkpoint(
        &request(12, vec![], checkpoint_of(&fork)),
        &log,
        &w,
        |_| state,
        5,
    );
    assert_eq!((r.status, r.reason), (422, Some(Reason::TwoHistories)));
    assert!(r.new_state.is_none() && r.cosigned.is_none());

    // A larger rewritten history, with its own (valid for it) consistency proof.
    let fork = leaves(20, "b");
    let p = consistency_proof(&fork, 12).unwrap();
    let r = add_checkpoint(
        &request(12, p, checkpoint_of(&fork)),
        &log,
        &w,
        |_| state,
        6,
    );
    assert_eq!((r.status, r.reason), (422, Some(Reason::Inconsistent)));
    // The true history with a damaged proof.
    let mut p = consistency_proof(&l[..20], 12).unwrap();
    p[0][0] ^= 1;
    let r = add_checkpoint(
        &request(12, p, checkpoint_of(&l[..20])),
        &log,
        &w,
        |_| state,
        7,
    );
    assert_eq!((r.status, r.reason), (422, Some(Reason::Inconsistent)));

    // Old larger than the checkpoint: 400.
    let r = add_checkpoint(
        &request(12, vec![], checkpoint_of(&l[..3])),
        &log,
        &w,
        |_| state,
        8,
    );
    assert_eq!((r.status, r.reason), (400, Some(Reason::SizeDecreased)));

    // Unknown log: 404. Bad signature or no known signature: 403.
    let other = SignerKey::from_seed("other.example/log", KeyType::Ed25519, &[2; 32]).unwrap();
    let cp = sign_checkpoint(other.name(), 3, &root_of(&l[..3]), &other).unwrap();
    let r = add_checkpoint(&request(0, vec![], cp), &log, &w, |_| None, 9);
    assert_eq!((r.status, r.reason), (404, Some(Reason::UnknownLog)));
    let good = checkpoint_of(&l[..3]);
    let forged = good.replacen("\n3\n", "\n4\n", 1);
    let r = add_checkpoint(&request(0, vec![], forged), &log, &w, |_| None, 9);
    assert_eq!((r.status, r.reason), (403, Some(Reason::BadSignature)));
    let impostor = SignerKey::from_seed(ORIGIN, KeyType::Ed25519, &[3; 32]).unwrap();
    let cp = sign_checkpoint(ORIGIN, 3, &root_of(&l[..3]), &impostor).unwrap();
    let r = add_checkpoint(&request(0, vec![], cp), &log, &w, |_| None, 9);
    assert_eq!((r.status, r.reason), (403, Some(Reason::UnknownKey)));

    // Proof lines with old 0; an empty tree with another root.
    let r = add_checkpoint(
        &request(0, vec![[1; 32]], good.clone()),
        &log,
        &w,
        |_| None,
        10,
    );
    assert_eq!((r.status, r.reason), (422, Some(Reason::ProofLength)));
    let cp = sign_checkpoint(ORIGIN, 0, &[7; 32], &log_key()).unwrap();
    let r = add_checkpoint(&request(0, vec![], cp), &log, &w, |_| None, 10);
    assert_eq!((r.status, r.reason), (422, Some(Reason::Inconsistent)));
    let cp = sign_checkpoint(ORIGIN, 0, &root_of(&[]), &log_key()).unwrap();
    let r = add_checkpoint(&request(0, vec![], cp), &log, &w, |_| None, 10);
    assert_eq!(r.status, 200);

    // Malformed requests: 400.
    let good_req = String::from_utf8(request(0, vec![], good.clone())).unwrap();
    for (what, body) in [
        ("no old line", good_req.replacen("old 0\n", "", 1)),
        (
            "old with a leading zero",
            good_req.replacen("old 0", "old 00", 1),
        ),
        (
            "bad proof line",
            good_req.replacen("old 0\n", "old 0\nnot-a-hash\n", 1),
        ),
        ("no empty line", format!("old 0\n{good}")),
        (
            "malformed checkpoint",
            good_req.replacen("\n3\n", "\n03\n", 1),
        ),
        ("empty", String::new()),
    ] {
        let r = add_checkpoint(body.as_bytes(), &log, &w, |_| None, 11);
        assert_eq!(
            (r.status, r.reason),
            (400, Some(Reason::MalformedRequest)),
            "{what}"
        );
    }
    let body = request(3, vec![[0; 32]; 64], good.clone());
    let r = add_checkpoint(&body, &log, &w, |_| None, 11);
    assert_eq!(r.status, 400);
    let r = add_checkpoint(&[0xff, b'\n'], &log, &w, |_| None, 11);
    assert_eq!(r.status, 400);

    // A witness whose own key is a log key cannot cosign: its configuration, 500.
    let r = add_checkpoint(&request(0, vec![], good), &log, &[log_key()], |_| None, 12);
    assert_eq!((r.status, r.reason), (500, Some(Reason::MalformedKey)));
}

#[test]
fn cosignatures_are_bound_to_time_body_and_key() {
    let w = witness_key();
    let cp = checkpoint_of(&leaves(4, "a"));
    let body = cp.split_once("\n\n").unwrap().0.to_owned() + "\n";
    let line = witness::cosign(&body, 1679315147, &w).unwrap();
    let with = format!("{cp}{line}");
    let keys = [log_key().verifier_key(), w.verifier_key()];
    let o = open_checkpoint(&with, &keys).unwrap();
    assert_eq!(o.note.verified[1].timestamp, Some(1679315147));
    // Another timestamp in the same signature: refused.
    let n = Note::parse(with.as_bytes()).unwrap();
    let mut sig = n.signatures[1].clone();
    sig.bytes[7] ^= 1;
    let tampered = format!("{cp}{}", sig.to_line());
    assert_eq!(
        open_checkpoint(&tampered, &keys).unwrap_err().reason(),
        Reason::BadSignature
    );
    // A cosignature of another checkpoint: refused.
    let other = checkpoint_of(&leaves(5, "a"));
    assert_eq!(
        open_checkpoint(&format!("{other}{line}"), &keys)
            .unwrap_err()
            .reason(),
        Reason::BadSignature
    );
    // Timestamps past 2^63 - 1 are not made; log keys do not cosign.
    assert_eq!(
        witness::cosign(&body, 1 << 63, &w).unwrap_err().reason(),
        Reason::MalformedRequest
    );
    assert_eq!(
        witness::cosign(&body, 1, &log_key()).unwrap_err().reason(),
        Reason::MalformedKey
    );
    // The witness's vkey is of type 0x04, with its own key ID.
    let v = w.verifier_key().to_text();
    assert!(v.starts_with("witness.example.org/w1+"));
    let material = bh_audit_logger::tlog::base64_decode(v.rsplit_once('+').unwrap().1).unwrap();
    assert_eq!(material[0], 0x04);
    assert_eq!(
        VerifierKey::parse(&v).unwrap().key_type(),
        KeyType::Cosignature
    );
}

#[test]
fn messages_never_echo_input() {
    let secret = "PHI-1234567";
    let body = format!("{secret}\n010\nxyz\n");
    let e = Checkpoint::parse(&body).unwrap_err();
    for r in Reason::ALL {
        assert!(!r.message().contains(secret));
    }
    let text = e.to_string();
    assert!(
        !text.contains(secret) && text == text.to_lowercase(),
        "{text}"
    );
    let crate_err: bh_audit_logger::Error = e.into();
    assert_eq!(
        crate_err.to_string(),
        "malformed checkpoint (malformed_checkpoint)"
    );
}
