#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Vectors from other implementations, read from `tests/data/` through one harness each:
//! transparency-dev/merkle's proof probes (`merkle/`), the C2SP specifications' examples
//! (`c2sp/`) and Go's `sumdb/note` test vectors (`go-note/`). See each SOURCE.md.

use std::path::{Path, PathBuf};

use bh_audit_logger::tlog::merkle::{
    self, inclusion_proof, leaf_hash, root_of, verify_consistency, verify_inclusion, Hash,
};
use bh_audit_logger::tlog::note::{self, Note, SignerKey, VerifierKey};
use bh_audit_logger::tlog::proof::TlogProof;
use bh_audit_logger::tlog::witness::{self, add_checkpoint, AddCheckpoint};
use bh_audit_logger::tlog::{
    base64_decode, open_checkpoint, verify_inclusion_proof, Checkpoint, KeyType, Reason,
};
use serde_json::Value;

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(data(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A key file's one line, without its newline.
fn key_line(rel: &str) -> String {
    read(rel).strip_suffix('\n').unwrap().to_owned()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn b64(v: &Value) -> Vec<u8> {
    base64_decode(v.as_str().unwrap()).unwrap()
}

fn hashes(v: &Value) -> Vec<Vec<u8>> {
    match v {
        Value::Null => vec![],
        Value::Array(a) => a.iter().map(b64).collect(),
        _ => panic!("proof is neither null nor an array"),
    }
}

/// The leaves of the RFC 6962 reference tree that transparency-dev/merkle's happy paths use.
fn reference_leaves() -> Vec<Hash> {
    let entries: [&[u8]; 8] = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        b"\x50\x51\x52\x53\x54\x55\x56\x57",
        b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
    ];
    entries.iter().map(|e| leaf_hash(e)).collect()
}

/// Every vendored probe, through `verify_inclusion` / `verify_consistency`; every file used.
#[test]
fn transparency_dev_merkle_probes() {
    let root = data("merkle");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let leaves = reference_leaves();
    let (mut inclusion, mut consistency, mut regenerated) = (0, 0, 0);
    let mut wrong = Vec::new();
    let mut unused = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if rel == "SOURCE.md" {
            continue;
        }
        if !rel.ends_with(".json") {
            unused.push(rel);
            continue;
        }
        let v: Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        let want_err = v["wantErr"].as_bool().unwrap();
        let (got, generated) = if rel.starts_with("inclusion/") {
            inclusion += 1;
            let (index, size) = (
                v["leafIdx"].as_u64().unwrap(),
                v["treeSize"].as_u64().unwrap(),
            );
            let proof = hashes(&v["proof"]);
            let r = verify_inclusion(index, size, &b64(&v["leafHash"]), &proof, &b64(&v["root"]));
            // A happy path over the reference tree: we make the same proof.
            let generated =
                (!want_err && size <= 8 && b64(&v["root"]) == root_of(&leaves[..size as usize]))
                    .then(|| {
                        let ours = inclusion_proof(&leaves[..size as usize], index).unwrap();
                        ours.iter().map(|h| h.to_vec()).collect::<Vec<_>>() == proof
                    });
            (r, generated)
        } else if rel.starts_with("consistency/") {
            consistency += 1;
            let (m, n) = (v["size1"].as_u64().unwrap(), v["size2"].as_u64().unwrap());
            let proof = hashes(&v["proof"]);
            let r = verify_consistency(m, n, &b64(&v["root1"]), &b64(&v["root2"]), &proof);
            let generated = (!want_err
                && m < n
                && n <= 8
                && b64(&v["root2"]) == root_of(&leaves[..n as usize]))
            .then(|| {
                let ours = merkle::consistency_proof(&leaves[..n as usize], m).unwrap();
                ours.iter().map(|h| h.to_vec()).collect::<Vec<_>>() == proof
            });
            (r, generated)
        } else {
            unused.push(rel);
            continue;
        };
        if got.is_err() != want_err {
            wrong.push(format!("{rel}: want error {want_err}, got {got:?}"));
        }
        match generated {
            Some(true) => regenerated += 1,
            Some(false) => wrong.push(format!("{rel}: our proof differs from the vector's")),
            None => {}
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(
        unused.is_empty(),
        "vendored files no harness reads: {unused:?}"
    );
    // The counts of the vendored commit (SOURCE.md): a lost file fails here.
    assert_eq!((inclusion, consistency), (98, 98));
    assert!(
        regenerated >= 8,
        "only {regenerated} happy paths regenerated"
    );
}

#[test]
fn c2sp_signed_note_example_verifies_with_its_key() {
    let vkey_text = key_line("c2sp/signed-note-example.vkey");
    let vkey = VerifierKey::parse(&vkey_text).unwrap();
    assert_eq!(vkey.to_text(), vkey_text);
    assert_eq!(
        (vkey.name(), vkey.key_id(), vkey.key_type()),
        ("example.com/foo", 0x530d903a, KeyType::Ed25519)
    );
    let msg = read("c2sp/signed-note-example.note");
    let opened = note::open(msg.as_bytes(), std::slice::from_ref(&vkey)).unwrap();
    assert_eq!(opened.text, "This is an example message.\n");
    assert_eq!(opened.verified.len(), 1);
    // The note is exactly its text, the blank line and its signature lines.
    assert_eq!(
        format!(
            "{}\n{}",
            opened.text,
            opened.verified[0].signature.to_line()
        ),
        msg
    );
    // One changed byte of the text, and it no longer verifies.
    let changed = msg.replacen("example", "exbmple", 1);
    let err = note::open(changed.as_bytes(), &[vkey]).unwrap_err();
    assert_eq!(err.reason(), Reason::BadSignature);
}

#[test]
fn c2sp_intro_note_parses_and_its_unknown_key_is_refused() {
    let msg = read("c2sp/signed-note-intro.note");
    let n = Note::parse(msg.as_bytes()).unwrap();
    // The text keeps its own blank line: the last blank line separates the signatures.
    assert!(n.text.ends_with("\n\ned è subito sera.\n"));
    assert_eq!(n.signatures[0].name, "quasimodo.example/salvatore");
    let other = SignerKey::from_seed("quasimodo.example/salvatore", KeyType::Ed25519, &[7; 32])
        .unwrap()
        .verifier_key();
    // Same name, another key ID: not that key, so no known signature.
    let err = note::open(msg.as_bytes(), &[other]).unwrap_err();
    assert_eq!(err.reason(), Reason::UnknownKey);
}

#[test]
fn c2sp_checkpoint_example_reads_and_writes_back() {
    let msg = read("c2sp/tlog-checkpoint-example.note");
    let n = Note::parse(msg.as_bytes()).unwrap();
    let cp = Checkpoint::parse(&n.text).unwrap();
    assert_eq!(cp.origin, "example.com/behind-the-sofa");
    assert_eq!(cp.size, 20852163);
    assert_eq!(
        bh_audit_logger::tlog::hash_to_base64(&cp.root),
        "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
    );
    assert!(cp.extensions.is_empty());
    assert_eq!(cp.to_text().unwrap(), n.text);
    // Its key is not published: a key of the same name is another key.
    let k = SignerKey::from_seed(&cp.origin, KeyType::Ed25519, &[1; 32]).unwrap();
    let err = open_checkpoint(&msg, &[k.verifier_key()]).unwrap_err();
    assert_eq!(err.reason(), Reason::UnknownKey);
}

#[test]
fn c2sp_cosignature_example_decodes_to_the_example_message() {
    let msg = read("c2sp/tlog-cosignature-example.note");
    let n = Note::parse(msg.as_bytes()).unwrap();
    assert_eq!(n.signatures.len(), 2);
    let cosig = &n.signatures[1];
    assert_eq!(cosig.name, "witness.example.com/w1");
    let ts = witness::cosignature_timestamp(&cosig.bytes).unwrap();
    assert_eq!(ts, 1679315147);
    assert_eq!(
        witness::cosigned_message(ts, &n.text),
        read("c2sp/tlog-cosignature-example.msg")
    );
    // The log's signature is a plain 64-byte Ed25519 one.
    assert_eq!(n.signatures[0].bytes.len(), 64);
}

#[test]
fn c2sp_proof_example_reads_and_writes_back() {
    let text = read("c2sp/tlog-proof-example.tlog-proof");
    let p = TlogProof::parse(&text).unwrap();
    assert_eq!(p.index, 73894);
    assert_eq!(p.hashes.len(), 5);
    assert_eq!(p.extra.as_ref().map(Vec::len), Some(39));
    assert!(p.checkpoint.starts_with("example.com/fancylog\n109482\n"));
    assert_eq!(p.to_text(), text);
    // The spec elides its signatures (`[...]`): as a note it is malformed.
    let k = SignerKey::from_seed("example.com/fancylog", KeyType::Ed25519, &[2; 32]).unwrap();
    let r = verify_inclusion_proof(&text, b"entry", &[k.verifier_key()]);
    assert!(!r.ok);
    assert_eq!(
        (r.reason, r.index, r.size),
        (Some(Reason::MalformedNote), Some(73894), None)
    );
}

#[test]
fn c2sp_witness_example_request_and_response_read() {
    let body = read("c2sp/tlog-witness-add-checkpoint-request.txt");
    let req = AddCheckpoint::parse(body.as_bytes()).unwrap();
    assert_eq!((req.old, req.proof.len()), (20852014, 4));
    assert_eq!(req.to_text(), body);
    let cosigner = SignerKey::from_seed("w.example", KeyType::Cosignature, &[3; 32]).unwrap();
    // A witness that does not know the log: 404.
    let r = add_checkpoint(
        body.as_bytes(),
        &[],
        std::slice::from_ref(&cosigner),
        |_| None,
        1,
    );
    assert_eq!((r.status, r.reason), (404, Some(Reason::UnknownLog)));
    // One that knows another key of that name: no signature from a trusted key, 403.
    let log = SignerKey::from_seed("example.com/behind-the-sofa", KeyType::Ed25519, &[4; 32])
        .unwrap()
        .verifier_key();
    let r = add_checkpoint(body.as_bytes(), &[log], &[cosigner], |_| None, 1);
    assert_eq!((r.status, r.reason), (403, Some(Reason::UnknownKey)));
    // The example response: cosignature lines of the v1 length.
    let cp = req.checkpoint.split_once("\n\n").unwrap().0.to_owned() + "\n";
    let resp = read("c2sp/tlog-witness-add-checkpoint-response.txt");
    let n = Note::parse(format!("{cp}\n{resp}").as_bytes()).unwrap();
    assert_eq!(n.signatures.len(), 3);
    for s in &n.signatures {
        assert!(
            witness::cosignature_timestamp(&s.bytes).is_some(),
            "{}",
            s.name
        );
    }
}

#[test]
fn go_note_keys_and_signature_reproduced_byte_for_byte() {
    let skey_text = key_line("go-note/PeterNeumann.skey");
    let vkey_text = key_line("go-note/PeterNeumann.vkey");
    let signer = SignerKey::parse(&skey_text).unwrap();
    assert_eq!(signer.to_text(), skey_text);
    assert_eq!(signer.verifier_key().to_text(), vkey_text);
    assert_eq!(signer.key_id(), 0xc74f20a3);
    assert_eq!(
        VerifierKey::parse(&vkey_text).unwrap(),
        signer.verifier_key()
    );
    let text = read("go-note/text.txt");
    // Ed25519 is deterministic: the same note as Go's `note.Sign`.
    assert_eq!(
        note::sign(&text, &[&signer]).unwrap(),
        read("go-note/PeterNeumann.note")
    );
    // The Debug form never shows the key.
    let dbg = format!("{signer:?}");
    assert!(
        dbg.contains("PeterNeumann") && !dbg.contains("AYEKFALV"),
        "{dbg}"
    );
}

#[test]
fn go_note_open_cases() {
    let peter = VerifierKey::parse(&key_line("go-note/PeterNeumann.vkey")).unwrap();
    let enoch = VerifierKey::parse(&key_line("go-note/EnochRoot.vkey")).unwrap();
    let text = read("go-note/text.txt");
    let note_text = read("go-note/PeterNeumann.note");
    let peter_sig = note_text.strip_prefix(&format!("{text}\n")).unwrap();
    let enoch_sig = read("go-note/EnochRoot.sig");
    let both = format!("{text}\n{peter_sig}{enoch_sig}");

    // One verified, one ignored.
    let o = note::open(both.as_bytes(), std::slice::from_ref(&peter)).unwrap();
    assert_eq!(o.text, text);
    assert_eq!((o.verified.len(), o.unverified.len()), (1, 1));
    assert_eq!(o.verified[0].signature.key_id, 0xc74f20a3);
    assert_eq!(o.unverified[0].name, "EnochRoot");
    // Both verified.
    let o = note::open(both.as_bytes(), &[peter.clone(), enoch.clone()]).unwrap();
    assert_eq!((o.verified.len(), o.unverified.len()), (2, 0));
    // None known.
    let e = note::open(both.as_bytes(), &[]).unwrap_err();
    assert_eq!(e.reason(), Reason::UnknownKey);
    // A key given twice is one key; the same name and ID with another key is ambiguous.
    note::open(
        both.as_bytes(),
        &[enoch.clone(), peter.clone(), enoch.clone()],
    )
    .unwrap();
    // Too many signatures (Go: more than 100), even identical ones.
    let many = format!("{text}\n{}", peter_sig.repeat(101));
    let e = note::open(many.as_bytes(), std::slice::from_ref(&peter)).unwrap_err();
    assert_eq!(e.reason(), Reason::MalformedNote);
    // Go ignores a repeated signature line; we refuse it as malformed (deliberately stricter).
    let twice = format!("{text}\n{peter_sig}{peter_sig}");
    let e = note::open(twice.as_bytes(), std::slice::from_ref(&peter)).unwrap_err();
    assert_eq!(e.reason(), Reason::MalformedNote);
    // An invalid signature from a known key (Go inserts "ABCD" at byte 60).
    let bad = format!("{text}\n{}ABCD{}", &peter_sig[..60], &peter_sig[60..]);
    let e = note::open(bad.as_bytes(), std::slice::from_ref(&peter)).unwrap_err();
    assert_eq!(e.reason(), Reason::BadSignature);
    // Go's table of malformed messages.
    let bad_msgs = [
        text.clone(),
        format!("{text}\n"),
        format!("{text}\n{}", &peter_sig[..peter_sig.len() - 1]),
        format!("\x01{text}\n{peter_sig}"),
        format!("{text}\n\u{2014} Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="),
        format!("{text}\n{peter_sig}Unexpected line.\n"),
    ];
    for m in &bad_msgs {
        let e = note::open(m.as_bytes(), std::slice::from_ref(&peter)).unwrap_err();
        assert_eq!(e.reason(), Reason::MalformedNote, "{m:?}");
    }
    let mut invalid_utf8 = b"\xff".to_vec();
    invalid_utf8.extend_from_slice(note_text.as_bytes());
    let e = note::open(&invalid_utf8, std::slice::from_ref(&peter)).unwrap_err();
    assert_eq!(e.reason(), Reason::MalformedNote);
}

/// Go's `TestNewVerifier` / `TestNewSigner`: every proper substring and every one-byte
/// increment of the key texts is refused.
#[test]
fn go_note_key_manglings_are_refused() {
    let vkey = key_line("go-note/PeterNeumann.vkey");
    let skey = key_line("go-note/PeterNeumann.skey");
    for (text, parse) in [
        (
            &vkey,
            &(|s: &str| VerifierKey::parse(s).map(|_| ())) as &dyn Fn(&str) -> _,
        ),
        (&skey, &|s: &str| SignerKey::parse(s).map(|_| ())),
    ] {
        assert!(parse(text).is_ok());
        let b = text.as_bytes();
        for i in 0..=b.len() {
            for j in i + 1..=b.len() {
                if i == 0 && j == b.len() {
                    continue;
                }
                let e = parse(&text[i..j]).unwrap_err();
                assert_eq!(e.reason(), Reason::MalformedKey, "{i}..{j}");
            }
        }
        for i in 0..b.len() {
            let mut m = b.to_vec();
            m[i] += 1;
            let e = parse(std::str::from_utf8(&m).unwrap()).unwrap_err();
            assert_eq!(e.reason(), Reason::MalformedKey, "byte {i}");
        }
    }
    // Go's last two: a wrong-length key and an unknown algorithm, each with its key hash.
    for k in [
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ] {
        assert_eq!(
            VerifierKey::parse(k).unwrap_err().reason(),
            Reason::MalformedKey
        );
    }
}
