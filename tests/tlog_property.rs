#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Property tests of the tree (seeded, replayable): the streaming root is the recursive MTH;
//! every inclusion and consistency proof made from a stream or a slice is the same, verifies,
//! and fails when any hash, byte, index or size is changed; the state export round-trips.

#[path = "support/rng.rs"]
mod rng;

use bh_audit_logger::tlog::merkle::{
    consistency_proof, inclusion_proof, leaf_hash, node_hash, verify_consistency, verify_inclusion,
    Hash, ProofBuilder, Tree, EMPTY_ROOT,
};
use bh_audit_logger::tlog::Reason;
use rng::Rng;

/// RFC 6962's MTH, written from its definition: the independent oracle.
fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => EMPTY_ROOT,
        1 => leaves[0],
        n => {
            let mut k = 1;
            while k * 2 < n {
                k *= 2;
            }
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

fn leaves(n: usize, seed: u64) -> Vec<Hash> {
    (0..n)
        .map(|i| leaf_hash(format!("{seed}:{i}").as_bytes()))
        .collect()
}

fn sizes(rng: &mut Rng) -> Vec<usize> {
    let mut s: Vec<usize> = (1..=33).collect();
    s.extend([63, 64, 65, 127, 128, 129, 255, 256, 257]);
    s.extend((0..12).map(|_| 1 + rng.below(700)));
    s
}

#[test]
fn streaming_root_is_the_recursive_mth_at_every_size() {
    let l = leaves(300, 1);
    let mut t = Tree::new();
    assert_eq!(t.root(), mth(&[]));
    for (i, h) in l.iter().enumerate() {
        t.push_leaf_hash(*h);
        assert_eq!(t.size(), i as u64 + 1);
        assert_eq!(t.root(), mth(&l[..=i]), "size {}", i + 1);
        // O(log n): one hash per set bit of the size.
        assert_eq!(t.to_bytes().len(), 8 + 32 * (i + 1).count_ones() as usize);
    }
    // push_entry is push_leaf_hash of the leaf hash.
    let mut a = Tree::new();
    a.push_entry(b"line");
    let mut b = Tree::new();
    b.push_leaf_hash(leaf_hash(b"line"));
    assert_eq!(a, b);
}

#[test]
fn state_export_rebuilds_the_tree() {
    let mut rng = Rng(0x5eed_7109);
    let l = leaves(600, 2);
    let mut t = Tree::new();
    for (i, h) in l.iter().enumerate() {
        if rng.chance(10) {
            // A replaced wasm instance: rebuild from the text or the bytes, and go on.
            t = if rng.chance(50) {
                Tree::from_state(&t.to_state()).unwrap()
            } else {
                Tree::from_bytes(&t.to_bytes()).unwrap()
            };
        }
        t.push_leaf_hash(*h);
        assert_eq!(t.root(), mth(&l[..=i]));
    }
    let text = t.to_state();
    assert_eq!(text.lines().count(), 1 + 600usize.count_ones() as usize);
    for bad in [
        String::new(),
        "600".to_owned(),
        text.replacen("600", "601", 1),
        text.replacen("600", "0600", 1),
        text.trim_end().to_owned(),
        format!("{text}\n"),
        text.replacen('=', "", 1),
    ] {
        assert_eq!(
            Tree::from_state(&bad).unwrap_err().reason(),
            Reason::MalformedState,
            "{bad:?}"
        );
    }
    let bytes = t.to_bytes();
    for bad in [
        &bytes[..7],
        &bytes[..bytes.len() - 1],
        &bytes[..bytes.len() - 32],
    ] {
        assert_eq!(
            Tree::from_bytes(bad).unwrap_err().reason(),
            Reason::MalformedState
        );
    }
    assert_eq!(
        Tree::from_state("0\n").unwrap().root(),
        EMPTY_ROOT,
        "the empty tree"
    );
}

#[test]
fn inclusion_proofs_from_stream_and_slice_agree_verify_and_fail_when_changed() {
    let mut rng = Rng(0x1c1_u64 << 20 | 7);
    for n in sizes(&mut rng) {
        let l = leaves(n + 5, n as u64);
        let tree = &l[..n];
        let root = mth(tree);
        let indexes: Vec<usize> = if n <= 40 {
            (0..n).collect()
        } else {
            (0..8).map(|_| rng.below(n)).chain([0, n - 1]).collect()
        };
        for i in indexes {
            let p = inclusion_proof(tree, i as u64).unwrap();
            let mut b = ProofBuilder::inclusion(i as u64, n as u64).unwrap();
            for h in &l {
                b.push_leaf_hash(*h);
            }
            assert_eq!(b.finish().unwrap(), p, "stream {i} of {n}");
            verify_inclusion(i as u64, n as u64, &tree[i], &p, &root).unwrap();

            // Any bit of any hash.
            let k = rng.below(p.len().max(1));
            if !p.is_empty() {
                let mut q = p.clone();
                q[k][rng.below(32)] ^= 1 << rng.below(8);
                let e = verify_inclusion(i as u64, n as u64, &tree[i], &q, &root).unwrap_err();
                assert_eq!(e.reason(), Reason::RootMismatch);
            }
            // Another leaf, root, index or size.
            let mut leaf = tree[i];
            leaf[rng.below(32)] ^= 1;
            assert!(verify_inclusion(i as u64, n as u64, &leaf, &p, &root).is_err());
            let mut r = root;
            r[rng.below(32)] ^= 1;
            assert!(verify_inclusion(i as u64, n as u64, &tree[i], &p, &r).is_err());
            for j in [i.wrapping_sub(1), i + 1, i ^ 1] {
                if j < n && j != i {
                    assert!(verify_inclusion(j as u64, n as u64, &tree[i], &p, &root).is_err());
                }
            }
            // Another size with that size's root. (With the same root a size can change
            // unnoticed when the proof's left/right turns stay the same: the size is bound to
            // the root by the signed checkpoint, not by the proof.)
            for m in [n - 1, n + 1, n + 5] {
                if m > i && m != n {
                    let other = mth(&l[..m]);
                    assert!(verify_inclusion(i as u64, m as u64, &tree[i], &p, &other).is_err());
                }
            }
            // A hash more or fewer.
            let mut q = p.clone();
            q.push(root);
            assert!(verify_inclusion(i as u64, n as u64, &tree[i], &q, &root).is_err());
            if !p.is_empty() {
                let q = &p[..p.len() - 1];
                assert!(verify_inclusion(i as u64, n as u64, &tree[i], q, &root).is_err());
            }
        }
        let e = inclusion_proof(tree, n as u64).unwrap_err();
        assert_eq!(e.reason(), Reason::IndexOutOfRange);
    }
}

#[test]
fn consistency_proofs_from_stream_and_slice_agree_verify_and_fail_when_changed() {
    let mut rng = Rng(0xc0_5157);
    for n in sizes(&mut rng) {
        let l = leaves(n + 3, 7 + n as u64);
        let tree = &l[..n];
        let root = mth(tree);
        let olds: Vec<usize> = if n <= 34 {
            (1..=n).collect()
        } else {
            (0..8).map(|_| 1 + rng.below(n)).chain([1, n]).collect()
        };
        for m in olds {
            let old_root = mth(&tree[..m]);
            let p = consistency_proof(tree, m as u64).unwrap();
            let mut b = ProofBuilder::consistency(m as u64, n as u64).unwrap();
            assert!(b.leaves_needed() <= n as u64);
            for (k, h) in l.iter().enumerate() {
                if rng.chance(50) {
                    b.push_leaf_hash(*h);
                } else {
                    // The entry whose leaf hash it is (hashed only when the proof needs it).
                    b.push_entry(format!("{}:{k}", 7 + n).as_bytes());
                }
            }
            assert_eq!(b.finish().unwrap(), p, "stream {m} -> {n}");
            verify_consistency(m as u64, n as u64, &old_root, &root, &p).unwrap();
            if m == n {
                assert!(p.is_empty());
                continue;
            }
            // Any bit of any hash; a hash dropped, added, or two swapped.
            let k = rng.below(p.len());
            let mut q = p.clone();
            q[k][rng.below(32)] ^= 1 << rng.below(8);
            let e = verify_consistency(m as u64, n as u64, &old_root, &root, &q).unwrap_err();
            assert_eq!(e.reason(), Reason::Inconsistent, "{m} -> {n} flip {k}");
            let mut q = p.clone();
            q.remove(k);
            assert!(verify_consistency(m as u64, n as u64, &old_root, &root, &q).is_err());
            let mut q = p.clone();
            q.push(root);
            assert!(verify_consistency(m as u64, n as u64, &old_root, &root, &q).is_err());
            if p.len() > 1 && p[0] != p[1] {
                let mut q = p.clone();
                q.swap(0, 1);
                assert!(verify_consistency(m as u64, n as u64, &old_root, &root, &q).is_err());
            }
            // Another old root, new root or size.
            let mut r = old_root;
            r[0] ^= 1;
            assert!(verify_consistency(m as u64, n as u64, &r, &root, &p).is_err());
            let mut r = root;
            r[31] ^= 1;
            assert!(verify_consistency(m as u64, n as u64, &old_root, &r, &p).is_err());
            // Other sizes, with their roots (as above, sizes are bound to roots by the
            // signed checkpoints).
            for (a, c) in [(m - 1, n), (m + 1, n), (m, n + 1), (m, n - 1), (m, n + 3)] {
                if (a, c) != (m, n) && a >= 1 && a <= c {
                    let (ra, rc) = (mth(&l[..a]), mth(&l[..c]));
                    assert!(
                        verify_consistency(a as u64, c as u64, &ra, &rc, &p).is_err(),
                        "{a} -> {c} with the proof of {m} -> {n}"
                    );
                }
            }
        }
    }
}

#[test]
fn builders_refuse_what_cannot_be_proven_and_short_streams() {
    assert_eq!(
        ProofBuilder::inclusion(5, 5).unwrap_err().reason(),
        Reason::IndexOutOfRange
    );
    assert_eq!(
        ProofBuilder::consistency(0, 5).unwrap_err().reason(),
        Reason::EmptyTree
    );
    assert_eq!(
        ProofBuilder::consistency(6, 5).unwrap_err().reason(),
        Reason::SizeDecreased
    );
    let mut b = ProofBuilder::inclusion(3, 10).unwrap();
    for h in leaves(9, 0) {
        b.push_leaf_hash(h);
    }
    assert_eq!(b.finish().unwrap_err().reason(), Reason::TooFewLeaves);
    // Entries are hashed as leaves.
    let entries: Vec<String> = (0..10).map(|i| format!("e{i}")).collect();
    let hashes: Vec<Hash> = entries.iter().map(|e| leaf_hash(e.as_bytes())).collect();
    let mut b = ProofBuilder::inclusion(3, 10).unwrap();
    for e in &entries {
        b.push_entry(e.as_bytes());
    }
    assert_eq!(b.finish().unwrap(), inclusion_proof(&hashes, 3).unwrap());
}

#[test]
fn large_sizes_do_not_overflow() {
    let n = u64::MAX;
    let leaf = [1u8; 32];
    // A proof of the right length for the last leaf of a 2^64 - 1 tree is checked, not
    // overflowed: 63 hashes are needed (index n - 1 = 2^64 - 2).
    let p = vec![[2u8; 32]; 63];
    let e = verify_inclusion(n - 1, n, &leaf, &p, &[0; 32]).unwrap_err();
    assert_eq!(e.reason(), Reason::RootMismatch);
    let e = verify_inclusion(n, n, &leaf, &p, &[0; 32]).unwrap_err();
    assert_eq!(e.reason(), Reason::IndexOutOfRange);
    let e = verify_consistency(n - 1, n, &[0; 32], &[0; 32], &p).unwrap_err();
    assert!(matches!(
        e.reason(),
        Reason::ProofLength | Reason::Inconsistent
    ));
    let e = verify_inclusion(0, 1, &leaf[..31], &Vec::<Hash>::new(), &leaf).unwrap_err();
    assert_eq!(e.reason(), Reason::MalformedProof);
}

#[test]
fn proofs_from_stored_subtrees_equal_the_slice_proofs_in_log_reads() {
    use bh_audit_logger::tlog::merkle::{proof_from_nodes, proof_nodes};
    use std::collections::HashMap;
    // A log that keeps every perfect subtree the tree completes (as AuditChain does) answers
    // every proof from about 2 log2(n) stored hashes.
    let all = leaves(160, 11);
    let mut stored: HashMap<(u32, u64), Hash> = HashMap::new();
    let mut tree = Tree::new();
    for (i, &leaf) in all.iter().enumerate() {
        stored.insert((0, i as u64), leaf);
        tree.push_leaf_hash_nodes(leaf, |n| {
            stored.insert((n.level, n.index), n.hash);
        });
        let size = i as u64 + 1;
        let slice = &all[..=i];
        for a in 0..size {
            let ids = proof_nodes(a, size, false).unwrap();
            assert!(
                ids.len() <= log_reads(size),
                "inclusion {a} of {size}: {} reads",
                ids.len()
            );
            let hashes: Vec<Hash> = ids.iter().map(|id| stored[id]).collect();
            assert_eq!(
                proof_from_nodes(a, size, false, &hashes).unwrap(),
                inclusion_proof(slice, a).unwrap(),
                "inclusion {a} of {size}"
            );
            if a > 0 {
                let ids = proof_nodes(a, size, true).unwrap();
                assert!(
                    ids.len() <= log_reads(size),
                    "consistency {a} to {size}: {} reads",
                    ids.len()
                );
                let hashes: Vec<Hash> = ids.iter().map(|id| stored[id]).collect();
                assert_eq!(
                    proof_from_nodes(a, size, true, &hashes).unwrap(),
                    consistency_proof(slice, a).unwrap(),
                    "consistency {a} to {size}"
                );
                if !hashes.is_empty() {
                    assert_eq!(
                        proof_from_nodes(a, size, true, &hashes[1..]).map_err(|e| e.reason()),
                        Err(Reason::TooFewLeaves)
                    );
                }
            }
        }
    }
    // Reads stay logarithmic at a size far past what a test stores.
    let n = 1_000_000_007;
    assert!(proof_nodes(123_456_789, n, false).unwrap().len() <= log_reads(n));
    assert!(proof_nodes(999_999, n, true).unwrap().len() <= log_reads(n));
}

/// The most stored hashes a proof in a tree of `size` may read: 2 log2(size), rounded up.
fn log_reads(size: u64) -> usize {
    2 * (64 - (size - 1).leading_zeros()) as usize
}

/// `TrailProver` (leaves hashed in batches) over a trail with blank lines and lines of very
/// different lengths, in pieces of any size: the proof of every sampled entry at every sampled
/// size is the slice proof, its root the MTH at that size; a shorter trail and a line over the
/// limit before the size are refused with their reasons.
#[test]
fn trail_prover_gives_the_slice_proof_at_every_size() {
    use bh_audit_logger::trail::{TrailProver, MAX_LINE_BYTES};
    let mut rng = Rng(0x7e57_9a0f);
    let mut text = String::new();
    let mut leaves = Vec::new();
    for i in 0..300 {
        if i % 37 == 5 {
            text.push_str("  \n");
        }
        let pad = "y".repeat(rng.below(if i % 50 == 7 { 70_000 } else { 900 }));
        let line = format!("{{\"n\":{i},\"p\":\"{pad}\"}}");
        leaves.push(leaf_hash(line.as_bytes()));
        text.push_str(&line);
        text.push('\n');
    }
    for size in [1u64, 2, 63, 64, 65, 129, 300] {
        for index in [0, size / 2, size - 1] {
            let piece = 1 + rng.below(20_000);
            let mut p = TrailProver::new(index, size).unwrap();
            for chunk in text.as_bytes().chunks(piece) {
                p.push(chunk);
            }
            assert_eq!(p.entries(), size);
            let (proof, root) = p.finish().unwrap();
            let at = size as usize;
            assert_eq!(root, mth(&leaves[..at]), "size {size}");
            assert_eq!(
                proof,
                inclusion_proof(&leaves[..at], index).unwrap(),
                "size {size} index {index}"
            );
        }
    }
    let mut short = TrailProver::new(0, 301).unwrap();
    short.push(text.as_bytes());
    assert_eq!(short.finish().unwrap_err().reason(), Reason::TrailShorter);
    let long = format!("{{\"a\":1}}\n{}\n{text}", "z".repeat(MAX_LINE_BYTES + 1));
    let mut broken = TrailProver::new(0, 5).unwrap();
    broken.push(long.as_bytes());
    assert_eq!(
        broken.finish().unwrap_err().reason(),
        Reason::TrailUnreadable
    );
}
