#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! An independent implementation checks ours, and ours checks it: `tests/tlog/independent.py`
//! (Python's `cryptography` for Ed25519, RFC 6962/9162 and the C2SP formats written there)
//! verifies the keys, checkpoints, proofs, consistency hashes and cosignature made here, and
//! makes its own, which must verify here. Its interpreter is the venv `.venv-crypto`
//! (`./scripts/setup.sh python`; or `$BH_CRYPTO_PYTHON`); missing, the test fails.

#[path = "support/python.rs"]
mod python;

use std::path::Path;
use std::process::Command;

use bh_audit_logger::tlog::merkle::{consistency_proof, inclusion_proof, leaf_hash, root_of};
use bh_audit_logger::tlog::note::{self, SignerKey, VerifierKey};
use bh_audit_logger::tlog::proof::TlogProof;
use bh_audit_logger::tlog::witness;
use bh_audit_logger::tlog::{
    hash_to_base64, open_checkpoint, sign_checkpoint, verify_consistency, verify_inclusion_proof,
    Hash, KeyType, Reason,
};
use serde_json::{json, Value};

const ORIGIN: &str = "audit.example.org/notes-api";

#[test]
fn python_cryptography_and_this_crate_verify_each_other() {
    let py = python::venv_python("BH_CRYPTO_PYTHON", ".venv-crypto", "cryptography (Ed25519)");
    let entries: Vec<String> = (0..37)
        .map(|i| format!("{{\"event_id\":\"e-{i}\",\"note\":\"ünï {i}\"}}"))
        .collect();
    let leaves: Vec<Hash> = entries.iter().map(|e| leaf_hash(e.as_bytes())).collect();
    let log = SignerKey::generate(ORIGIN, KeyType::Ed25519).unwrap();
    let wit = SignerKey::generate("witness.example.org/w1", KeyType::Cosignature).unwrap();
    let cp = |n: usize| sign_checkpoint(ORIGIN, n as u64, &root_of(&leaves[..n]), &log).unwrap();

    let sizes = [1usize, 8, 13, 37];
    let checkpoints: serde_json::Map<String, Value> = sizes
        .iter()
        .map(|&n| (n.to_string(), json!(cp(n))))
        .collect();
    let proofs: Vec<Value> = [0usize, 12, 31, 36]
        .iter()
        .map(|&i| {
            let p = TlogProof {
                extra: None,
                index: i as u64,
                hashes: inclusion_proof(&leaves, i as u64).unwrap(),
                checkpoint: cp(37),
            };
            json!({"index": i, "entry": entries[i], "proof": p.to_text()})
        })
        .collect();
    let consistency: Vec<Value> = [(1usize, 37usize), (8, 13), (13, 37), (37, 37)]
        .iter()
        .map(|&(m, n)| {
            let h: Vec<String> = consistency_proof(&leaves[..n], m as u64)
                .unwrap()
                .iter()
                .map(hash_to_base64)
                .collect();
            json!({"old_size": m, "new_size": n, "old": cp(m), "new": cp(n), "hashes": h})
        })
        .collect();
    let note37 = cp(37);
    let body = note37.split_once("\n\n").unwrap().0.to_owned() + "\n";
    let cosigned = format!(
        "{note37}{}",
        witness::cosign(&body, 1_700_000_123, &wit).unwrap()
    );
    let input = json!({
        "entries": entries,
        "skey": log.to_text(),
        "vkey": log.verifier_key().to_text(),
        "witness_vkey": wit.verifier_key().to_text(),
        "checkpoints": checkpoints,
        "proofs": proofs,
        "consistency": consistency,
        "cosigned": cosigned,
    });
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let file = dir.join("tlog_independent_input.json");
    std::fs::write(&file, serde_json::to_vec(&input).unwrap()).unwrap();
    let out = Command::new(py)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tlog/independent.py"))
        .arg(&file)
        .output()
        .expect("run tests/tlog/independent.py");
    assert!(
        out.status.success(),
        "independent.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();

    // Ours, checked there.
    let checks = v["checks"].as_object().unwrap();
    let failed: Vec<_> = checks
        .iter()
        .filter(|(_, ok)| ok != &&Value::Bool(true))
        .collect();
    assert!(
        failed.is_empty(),
        "refused by the independent implementation: {failed:?}"
    );
    assert_eq!(
        checks.len(),
        2 + sizes.len() + proofs.len() + consistency.len() + 2,
        "{checks:?}"
    );

    // Theirs, checked here.
    let t = &v["theirs"];
    let s = |k: &str| t[k].as_str().unwrap().to_owned();
    let their_signer = SignerKey::parse(&s("skey")).unwrap();
    assert_eq!(their_signer.verifier_key().to_text(), s("vkey"));
    let vkey = VerifierKey::parse(&s("vkey")).unwrap();
    let wkey = VerifierKey::parse(&s("witness_vkey")).unwrap();
    assert_eq!(wkey.key_type(), KeyType::Cosignature);
    let keys = [vkey.clone()];
    let o = open_checkpoint(&s("checkpoint"), &keys).unwrap();
    assert_eq!(o.checkpoint.size, 37);
    assert_eq!(
        o.checkpoint.root,
        root_of(&leaves),
        "their root is our root"
    );
    // Ed25519 is deterministic: our signature with their key is theirs.
    assert_eq!(
        sign_checkpoint("py.example/log", 37, &root_of(&leaves), &their_signer).unwrap(),
        s("checkpoint")
    );
    let idx = t["proof_index"].as_u64().unwrap() as usize;
    let r = verify_inclusion_proof(&s("proof"), entries[idx].as_bytes(), &keys);
    assert!(r.ok, "{r:?}");
    assert_eq!((r.index, r.size), (Some(idx as u64), Some(37)));
    let p = TlogProof::parse(&s("proof")).unwrap();
    assert_eq!(p.extra.as_deref(), Some(&b"from python"[..]));
    assert_eq!(p.hashes, inclusion_proof(&leaves, idx as u64).unwrap());
    let r = verify_inclusion_proof(&s("proof"), entries[idx + 1].as_bytes(), &keys);
    assert_eq!(r.reason, Some(Reason::RootMismatch));
    let hashes: Vec<String> = t["consistency"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_owned())
        .collect();
    let r = verify_consistency(&s("old_checkpoint"), &s("checkpoint"), &hashes, &keys);
    assert!(r.ok, "{r:?}");
    let o = note::open(s("cosigned").as_bytes(), &[vkey, wkey]).unwrap();
    assert_eq!(o.verified.len(), 2);
    assert_eq!(o.verified[1].timestamp, Some(1_700_000_000));
}
