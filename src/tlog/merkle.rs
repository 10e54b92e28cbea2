//! The Merkle tree of RFC 6962 section 2.1 (= RFC 9162 section 2.1.1),
//! <https://www.rfc-editor.org/rfc/rfc6962#section-2.1>, with proofs verified as RFC 9162
//! sections 2.1.3.2 and 2.1.4.2 state, <https://www.rfc-editor.org/rfc/rfc9162#section-2.1.3.2>.
//!
//! - [`leaf_hash`] `SHA-256(0x00 || entry)`, [`node_hash`] `SHA-256(0x01 || left || right)`,
//!   [`EMPTY_ROOT`] the hash of the empty string.
//! - [`Tree`]: the tree as a stream of leaves, in O(log n) memory (one hash per perfect
//!   subtree: a bit of the size), with [`Tree::root`] at the current size and a state export
//!   ([`Tree::to_state`], [`Tree::to_bytes`]) to rebuild it elsewhere.
//! - [`ProofBuilder`]: the hashes an inclusion or a consistency proof needs are the roots of
//!   a few disjoint ranges of leaves (RFC 6962 `PATH` and `SUBPROOF`); the builder hashes each
//!   range as the leaves stream past, in O(log n) memory. [`inclusion_proof`] and
//!   [`consistency_proof`] do the same from a slice of leaf hashes.
//! - [`verify_inclusion`] and [`verify_consistency`]: exact, with the edge cases as
//!   transparency-dev/merkle decides them (index >= size, old size 0, old size > new size,
//!   hashes of the wrong length: refused with a reason, never a panic).

use sha2::{Digest, Sha256};

use super::{base64_encode, hash_from_base64, parse_decimal, Error, Reason, Result};

/// A SHA-256 hash: a leaf, a node or a root.
pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of the empty string.
pub const EMPTY_ROOT: Hash = [
    0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
    0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
];

/// RFC 6962's domain separation: the byte before a leaf's entry...
const LEAF_PREFIX: u8 = 0x00;
/// ... and the byte before a node's two children.
const NODE_PREFIX: u8 = 0x01;

/// The leaf hash of an entry: `SHA-256(0x00 || entry)`.
pub fn leaf_hash(entry: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([LEAF_PREFIX]);
    h.update(entry);
    h.finalize().into()
}

/// Entries waiting for their leaf hashes, which are then computed together: four at a
/// time in the wasm module (see `crate::sha256`), about twice as fast as one by one there.
///
/// ```
/// use bh_audit_logger::tlog::merkle::{leaf_hash, LeafBatch};
/// let mut batch = LeafBatch::default();
/// batch.push(b"{\"a\":1}");
/// batch.push(b"");
/// let mut leaves = Vec::new();
/// batch.hash_into(&mut leaves);
/// assert_eq!(leaves, [leaf_hash(b"{\"a\":1}"), leaf_hash(b"")]);
/// assert!(batch.is_empty());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LeafBatch {
    /// Each entry's leaf-hash input, `0x00 || entry`, one after the other.
    bytes: Vec<u8>,
    /// Where each input ends in `bytes`.
    ends: Vec<usize>,
}

impl LeafBatch {
    /// Add an entry (copied).
    pub fn push(&mut self, entry: &[u8]) {
        self.bytes.push(LEAF_PREFIX);
        self.bytes.extend_from_slice(entry);
        self.ends.push(self.bytes.len());
    }

    /// Entries waiting.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// No entry waiting.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Enough entries or bytes waiting to hash them now.
    pub fn is_full(&self) -> bool {
        crate::sha256::batch_is_full(self.ends.len(), self.bytes.len())
    }

    /// The waiting entries' leaf hashes, in order, into `leaves` (cleared first); the
    /// batch is then empty.
    pub fn hash_into(&mut self, leaves: &mut Vec<Hash>) {
        let mut start = 0;
        let inputs: Vec<&[u8]> = self
            .ends
            .iter()
            .map(|&end| {
                let input = &self.bytes[start..end];
                start = end;
                input
            })
            .collect();
        crate::sha256::digest_many(&inputs, leaves);
        self.bytes.clear();
        self.ends.clear();
        if self.bytes.capacity() > 1 << 20 {
            self.bytes = Vec::new();
        }
    }
}

/// The hash of an interior node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([NODE_PREFIX]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The largest power of two smaller than `n` (n >= 2): RFC 6962's split point `k`.
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// The tree over a stream of leaves: the roots of the perfect subtrees that make up the
/// current size, largest (leftmost) first, one for each bit set in the size.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tree {
    size: u64,
    stack: Vec<Hash>,
}

impl Tree {
    /// The empty tree.
    pub fn new() -> Self {
        Tree::default()
    }

    /// Appends an entry (its leaf hash is computed here).
    pub fn push_entry(&mut self, entry: &[u8]) {
        self.push_leaf_hash(leaf_hash(entry));
    }

    /// Appends a leaf by its leaf hash.
    pub fn push_leaf_hash(&mut self, leaf: Hash) {
        self.push_leaf_hash_nodes(leaf, |_| {});
    }

    /// Appends a leaf by its leaf hash and hands each perfect subtree it completes to
    /// `completed` (level 1 and up: the stored nodes [`proof_nodes`] asks for).
    pub fn push_leaf_hash_nodes(&mut self, leaf: Hash, mut completed: impl FnMut(Node)) {
        let mut h = leaf;
        let mut s = self.size;
        let mut level = 0;
        while s & 1 == 1 {
            // The stack holds one hash per set bit of the size, so it is not empty here.
            let Some(left) = self.stack.pop() else { break };
            h = node_hash(&left, &h);
            s >>= 1;
            level += 1;
            completed(Node {
                level,
                index: s,
                hash: h,
            });
        }
        self.stack.push(h);
        self.size += 1;
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root at the current size ([`EMPTY_ROOT`] when empty).
    pub fn root(&self) -> Hash {
        let mut it = self.stack.iter().rev();
        let Some(&last) = it.next() else {
            return EMPTY_ROOT;
        };
        it.fold(last, |right, left| node_hash(left, &right))
    }

    /// The state as text: the size in decimal, then each subtree hash in base64, each on
    /// its own line ending in `\n`. [`Tree::from_state`] reads it back.
    pub fn to_state(&self) -> String {
        let mut out = format!("{}\n", self.size);
        for h in &self.stack {
            out.push_str(&base64_encode(h));
            out.push('\n');
        }
        out
    }

    /// The tree whose [`Tree::to_state`] is `text`; `malformed_state` otherwise.
    pub fn from_state(text: &str) -> Result<Tree> {
        let bad = Error::new(Reason::MalformedState);
        let body = text.strip_suffix('\n').ok_or(bad)?;
        let mut lines = body.split('\n');
        let size = lines.next().and_then(parse_decimal).ok_or(bad)?;
        let stack = lines
            .map(|l| hash_from_base64(l).ok_or(bad))
            .collect::<Result<Vec<_>>>()?;
        Tree::from_parts(size, stack)
    }

    /// The state as bytes: the size as 8 bytes big-endian, then the subtree hashes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 32 * self.stack.len());
        out.extend_from_slice(&self.size.to_be_bytes());
        for h in &self.stack {
            out.extend_from_slice(h);
        }
        out
    }

    /// The tree whose [`Tree::to_bytes`] is `bytes`; `malformed_state` otherwise.
    pub fn from_bytes(bytes: &[u8]) -> Result<Tree> {
        let bad = Error::new(Reason::MalformedState);
        let (size, rest) = bytes.split_first_chunk::<8>().ok_or(bad)?;
        if rest.len() % 32 != 0 {
            return Err(bad);
        }
        let stack = rest
            .chunks(32)
            .map(|c| Hash::try_from(c).map_err(|_| bad))
            .collect::<Result<Vec<_>>>()?;
        Tree::from_parts(u64::from_be_bytes(*size), stack)
    }

    fn from_parts(size: u64, stack: Vec<Hash>) -> Result<Tree> {
        if stack.len() != size.count_ones() as usize {
            return Err(Error::new(Reason::MalformedState));
        }
        Ok(Tree { size, stack })
    }
}

/// The leaf ranges `[a, b)` whose subtree roots form the inclusion proof of leaf `index` in a
/// tree of `size` leaves (RFC 6962 `PATH`), in proof order: the leaf's sibling first.
pub fn inclusion_ranges(index: u64, size: u64) -> Result<Vec<(u64, u64)>> {
    if index >= size {
        return Err(Error::new(Reason::IndexOutOfRange));
    }
    let mut out = Vec::new();
    path(index, 0, size, &mut out);
    Ok(out)
}

fn path(m: u64, lo: u64, hi: u64, out: &mut Vec<(u64, u64)>) {
    let n = hi - lo;
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(m, lo, lo + k, out);
        out.push((lo + k, hi));
    } else {
        path(m - k, lo + k, hi, out);
        out.push((lo, lo + k));
    }
}

/// The leaf ranges whose subtree roots form the consistency proof from the tree of `old`
/// leaves to the tree of `new` leaves (RFC 6962 `SUBPROOF`), in proof order. Equal sizes
/// need none; `old = 0` is refused (`empty_tree`), as is `old > new` (`size_decreased`).
pub fn consistency_ranges(old: u64, new: u64) -> Result<Vec<(u64, u64)>> {
    if old > new {
        return Err(Error::new(Reason::SizeDecreased));
    }
    if old == 0 {
        return Err(Error::new(Reason::EmptyTree));
    }
    let mut out = Vec::new();
    if old < new {
        subproof(old, 0, new, true, &mut out);
    }
    Ok(out)
}

fn subproof(m: u64, lo: u64, hi: u64, whole: bool, out: &mut Vec<(u64, u64)>) {
    let n = hi - lo;
    if m == n {
        if !whole {
            out.push((lo, hi));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, lo, lo + k, whole, out);
        out.push((lo + k, hi));
    } else {
        subproof(m - k, lo + k, hi, false, out);
        out.push((lo, lo + k));
    }
}

/// A perfect subtree's root: leaves `[index * 2^level, (index + 1) * 2^level)`; level 0 is a leaf.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node {
    /// Height above the leaves.
    pub level: u32,
    /// Position among the subtrees of that level, from 0.
    pub index: u64,
    /// Its hash.
    pub hash: Hash,
}

/// The perfect subtrees `(level, index)` whose hashes make up the range `[a, b)` of a proof,
/// left to right: `[a, b)` itself when it is one, else its largest perfect left part and the
/// decomposition of the rest (as `MTH` splits it).
fn range_nodes(a: u64, b: u64, out: &mut Vec<(u32, u64)>) {
    let n = b - a;
    if n == 0 {
        return;
    }
    if n.is_power_of_two() && a % n == 0 {
        out.push((n.trailing_zeros(), a >> n.trailing_zeros()));
        return;
    }
    let k = split(n);
    range_nodes(a, a + k, out);
    range_nodes(a + k, b, out);
}

/// The hash of `[a, b)` from its perfect subtrees' hashes (in [`range_nodes`] order).
fn range_hash(a: u64, b: u64, hashes: &mut std::slice::Iter<'_, Hash>) -> Option<Hash> {
    let n = b - a;
    if n.is_power_of_two() && a % n == 0 {
        return hashes.next().copied();
    }
    let k = split(n);
    let left = range_hash(a, a + k, hashes)?;
    let right = range_hash(a + k, b, hashes)?;
    Some(node_hash(&left, &right))
}

/// The leaf ranges whose roots make up the inclusion proof of leaf `a` in the tree of `size`,
/// or (`consistency`) the consistency proof from `a` leaves to `size`.
fn proof_ranges(a: u64, size: u64, consistency: bool) -> Result<Vec<(u64, u64)>> {
    if consistency {
        consistency_ranges(a, size)
    } else {
        inclusion_ranges(a, size)
    }
}

/// The stored subtrees `(level, index)` a proof needs, in order: for the inclusion proof of
/// leaf `a` in the tree of `size` leaves, or (`consistency`) the consistency proof from `a`
/// leaves to `size`. At most about 2 log2(size) of them: a log that stores every perfect
/// subtree [`Tree::push_leaf_hash_nodes`] completes answers any proof in O(log n) reads.
pub fn proof_nodes(a: u64, size: u64, consistency: bool) -> Result<Vec<(u32, u64)>> {
    let ranges = proof_ranges(a, size, consistency)?;
    let mut out = Vec::new();
    for (lo, hi) in ranges {
        range_nodes(lo, hi, &mut out);
    }
    Ok(out)
}

/// The proof [`proof_nodes`] describes, from those subtrees' hashes in its order
/// (`too_few_leaves` when fewer are given).
pub fn proof_from_nodes(
    a: u64,
    size: u64,
    consistency: bool,
    hashes: &[Hash],
) -> Result<Vec<Hash>> {
    let ranges = proof_ranges(a, size, consistency)?;
    let mut it = hashes.iter();
    let proof = ranges
        .iter()
        .map(|&(lo, hi)| range_hash(lo, hi, &mut it))
        .collect::<Option<Vec<_>>>()
        .ok_or(Error::new(Reason::TooFewLeaves))?;
    if it.next().is_some() {
        return Err(Error::new(Reason::ProofLength));
    }
    Ok(proof)
}

/// Builds one proof from a stream of leaves in O(log n) memory: the proof's ranges are
/// disjoint, so at most one is being hashed at a time; leaves past the last range are
/// ignored (stream a whole trail through it beside a [`Tree`]).
#[derive(Clone, Debug)]
pub struct ProofBuilder {
    /// The ranges in proof order.
    ranges: Vec<(u64, u64)>,
    /// Range positions sorted by start, and the next one to fill.
    by_start: Vec<usize>,
    next: usize,
    current: Tree,
    done: Vec<Option<Hash>>,
    seen: u64,
}

impl ProofBuilder {
    /// The builder of the inclusion proof of leaf `index` in the tree of `size` leaves.
    pub fn inclusion(index: u64, size: u64) -> Result<Self> {
        Ok(Self::from_ranges(inclusion_ranges(index, size)?))
    }

    /// The builder of the consistency proof from `old` leaves to `new` leaves.
    pub fn consistency(old: u64, new: u64) -> Result<Self> {
        Ok(Self::from_ranges(consistency_ranges(old, new)?))
    }

    fn from_ranges(ranges: Vec<(u64, u64)>) -> Self {
        let mut by_start: Vec<usize> = (0..ranges.len()).collect();
        by_start.sort_by_key(|&i| ranges[i].0);
        ProofBuilder {
            done: vec![None; ranges.len()],
            ranges,
            by_start,
            next: 0,
            current: Tree::new(),
            seen: 0,
        }
    }

    /// How many leaves the proof needs (the end of its last range).
    pub fn leaves_needed(&self) -> u64 {
        self.ranges.iter().map(|r| r.1).max().unwrap_or(0)
    }

    /// Feeds the next entry of the stream.
    pub fn push_entry(&mut self, entry: &[u8]) {
        // Only the leaves inside a range are hashed.
        let wanted = self
            .by_start
            .get(self.next)
            .is_some_and(|&p| self.ranges[p].0 <= self.seen);
        if wanted {
            self.push_leaf_hash(leaf_hash(entry));
        } else {
            self.seen += 1;
        }
    }

    /// Feeds the next leaf hash of the stream.
    pub fn push_leaf_hash(&mut self, leaf: Hash) {
        let i = self.seen;
        self.seen += 1;
        let Some(&pos) = self.by_start.get(self.next) else {
            return;
        };
        let (a, b) = self.ranges[pos];
        if i < a {
            return;
        }
        self.current.push_leaf_hash(leaf);
        if i + 1 == b {
            self.done[pos] = Some(self.current.root());
            self.current = Tree::new();
            self.next += 1;
        }
    }

    /// The proof's hashes; `too_few_leaves` when the stream ended before its last range.
    pub fn finish(self) -> Result<Vec<Hash>> {
        self.done
            .into_iter()
            .map(|h| h.ok_or(Error::new(Reason::TooFewLeaves)))
            .collect()
    }
}

/// The root of the tree over `leaves` (recursive MTH; for proofs made from a slice).
pub fn root_of(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => EMPTY_ROOT,
        1 => leaves[0],
        n => {
            let k = split(n as u64) as usize;
            node_hash(&root_of(&leaves[..k]), &root_of(&leaves[k..]))
        }
    }
}

fn hash_ranges(leaves: &[Hash], ranges: &[(u64, u64)]) -> Vec<Hash> {
    ranges
        .iter()
        .map(|&(a, b)| root_of(&leaves[a as usize..b as usize]))
        .collect()
}

/// The inclusion proof of leaf `index` in the tree over all of `leaves`.
pub fn inclusion_proof(leaves: &[Hash], index: u64) -> Result<Vec<Hash>> {
    Ok(hash_ranges(
        leaves,
        &inclusion_ranges(index, leaves.len() as u64)?,
    ))
}

/// The consistency proof from the tree over the first `old` of `leaves` to the tree over
/// all of them.
pub fn consistency_proof(leaves: &[Hash], old: u64) -> Result<Vec<Hash>> {
    Ok(hash_ranges(
        leaves,
        &consistency_ranges(old, leaves.len() as u64)?,
    ))
}

fn as_hash(bytes: &[u8]) -> Result<Hash> {
    Hash::try_from(bytes).map_err(|_| Error::new(Reason::MalformedProof))
}

/// Checks that `proof` shows the leaf hash `leaf` at `index` in the tree of `size` leaves
/// whose root is `root` (RFC 9162 section 2.1.3.2). Hashes are taken as byte slices so that
/// a hash of the wrong length is a refusal (`malformed_proof`), not a panic. Other reasons:
/// `index_out_of_range`, `proof_length`, `root_mismatch`.
pub fn verify_inclusion<P: AsRef<[u8]>>(
    index: u64,
    size: u64,
    leaf: &[u8],
    proof: &[P],
    root: &[u8],
) -> Result<()> {
    if index >= size {
        return Err(Error::new(Reason::IndexOutOfRange));
    }
    let leaf = as_hash(leaf)?;
    // Where the paths to `index` and to the last leaf part, and the left siblings above.
    let inner = 64 - (index ^ (size - 1)).leading_zeros();
    let border = (index >> inner).count_ones();
    if proof.len() != (inner + border) as usize {
        return Err(Error::new(Reason::ProofLength));
    }
    let (mut f, mut s) = (index, size - 1);
    let mut r = leaf;
    for p in proof {
        let p = as_hash(p.as_ref())?;
        if s == 0 {
            return Err(Error::new(Reason::ProofLength));
        }
        if f & 1 == 1 || f == s {
            r = node_hash(&p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, &p);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(Error::new(Reason::ProofLength));
    }
    if r[..] != *root {
        return Err(Error::new(Reason::RootMismatch));
    }
    Ok(())
}

/// The number of hashes in the consistency proof from `old` to `new` leaves
/// (0 < old < new), as transparency-dev/merkle counts it.
fn consistency_len(old: u64, new: u64) -> u64 {
    let shift = old.trailing_zeros();
    let fork = 64 - ((old - 1) ^ (new - 1)).leading_zeros();
    let border = ((old - 1) >> fork).count_ones();
    let seed = u64::from(old != 1 << shift);
    seed + u64::from(fork - shift) + u64::from(border)
}

/// Checks that `proof` shows the tree of `old` leaves with root `old_root` to be a prefix of
/// the tree of `new` leaves with root `new_root` (RFC 9162 section 2.1.4.2). As
/// transparency-dev/merkle: `old > new` is `size_decreased`; `old = 0` is `empty_tree` (even
/// when `new = 0`); equal sizes need an empty proof and equal roots; otherwise an empty or
/// wrong-length proof is `proof_length`, and hashes that do not match are `inconsistent`.
pub fn verify_consistency<P: AsRef<[u8]>>(
    old: u64,
    new: u64,
    old_root: &[u8],
    new_root: &[u8],
    proof: &[P],
) -> Result<()> {
    if old > new {
        return Err(Error::new(Reason::SizeDecreased));
    }
    if old == 0 {
        return Err(Error::new(Reason::EmptyTree));
    }
    if old == new {
        if !proof.is_empty() {
            return Err(Error::new(Reason::ProofLength));
        }
        // As transparency-dev/merkle: equal roots, whatever their length.
        return if old_root == new_root {
            Ok(())
        } else {
            Err(Error::new(Reason::Inconsistent))
        };
    }
    if proof.is_empty() || proof.len() as u64 != consistency_len(old, new) {
        return Err(Error::new(Reason::ProofLength));
    }
    let first = as_hash(old_root)?;
    let mut path = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(first);
    }
    for p in proof {
        path.push(as_hash(p.as_ref())?);
    }
    let (mut f, mut s) = (old - 1, new - 1);
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if s == 0 {
            return Err(Error::new(Reason::ProofLength));
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    if s != 0 {
        return Err(Error::new(Reason::ProofLength));
    }
    if fr[..] != *old_root || sr[..] != *new_root {
        return Err(Error::new(Reason::Inconsistent));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_sha256_of_nothing() {
        assert_eq!(EMPTY_ROOT, <[u8; 32]>::from(Sha256::digest(b"")));
        assert_eq!(Tree::new().root(), EMPTY_ROOT);
    }

    #[test]
    fn split_is_the_largest_power_of_two_below() {
        for (n, k) in [
            (2, 1),
            (3, 2),
            (4, 2),
            (5, 4),
            (8, 4),
            (9, 8),
            (1 << 40, 1 << 39),
        ] {
            assert_eq!(split(n), k, "{n}");
        }
    }

    #[test]
    fn proof_lengths_agree_with_ranges() {
        for n in 1..70u64 {
            for m in 1..n {
                let r = consistency_ranges(m, n).unwrap();
                assert_eq!(r.len() as u64, consistency_len(m, n), "{m} {n}");
            }
        }
    }
}
