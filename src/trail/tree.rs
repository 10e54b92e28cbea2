//! The trail's Merkle tree, built in the same pass as the chain check and the report, and
//! compared with signed checkpoints (see [`crate::tlog`]).
//!
//! An entry is one non-blank line as stored: its bytes without the line break (the lines a
//! [`super::LineSplitter`] hands over; blank lines, empty after Python's `str.strip()`, are
//! not entries). Entry indexes count from 0 in trail order. The tree takes O(log n) memory.
//! Each checkpoint is opened (its signature checked against the verifier keys) when the
//! check is built; as the tree reaches a checkpoint's size its root is compared. A
//! checkpoint larger than the trail fails as cut; two checkpoints of one origin and size
//! with different roots are both reported as two histories.

use super::RawLine;
use crate::tlog::merkle::LeafBatch;
use crate::tlog::{self, Hash, Reason, Tree, VerifierKey};

/// One checkpoint's result against the trail.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CheckpointResult {
    /// The checkpoint's tree size (0 when the note could not be opened).
    pub size: u64,
    /// Its origin (`None` when the note could not be opened).
    pub origin: Option<String>,
    /// The trail's tree at that size has the checkpoint's root, and its signature verified.
    pub ok: bool,
    /// Why not, when not ok.
    pub reason: Option<Reason>,
    /// The line (from 1) holding the checkpoint's last entry, when the trail reached it.
    pub line: Option<usize>,
}

/// The tree head of the trail read: its size and root.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TreeHead {
    /// Entries in the tree.
    pub size: u64,
    /// RFC 6962 root (the empty tree's for size 0).
    pub root: Hash,
}

impl Default for TreeHead {
    /// The empty tree.
    fn default() -> Self {
        TreeHead {
            size: 0,
            root: tlog::merkle::EMPTY_ROOT,
        }
    }
}

impl TreeHead {
    /// `{ size, root }` with the root in standard padded base64.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "size": self.size, "root": tlog::hash_to_base64(&self.root) })
    }
}

impl CheckpointResult {
    /// `{ size, origin, ok, reason?, message?, line? }`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({ "size": self.size, "origin": self.origin, "ok": self.ok });
        if let Some(reason) = self.reason {
            v["reason"] = reason.as_str().into();
            v["message"] = reason.message().into();
        }
        if let Some(line) = self.line {
            v["line"] = line.into();
        }
        v
    }
}

/// The checkpoints a trail is checked against: signed notes and the keys that may sign them.
#[derive(Clone, Debug, Default)]
pub struct Checkpoints {
    /// One per note given: the opened root, or the reason it could not be opened.
    opened: Vec<(CheckpointResult, Option<Hash>)>,
}

impl Checkpoints {
    /// Open each note with `keys` (verifier key texts; malformed ones are refused with
    /// `malformed_key` as a whole). A note that does not open is a failed result with its
    /// reason; the others are compared with the trail as it streams.
    pub fn open<N: AsRef<str>, K: AsRef<str>>(
        notes: &[N],
        keys: &[K],
    ) -> Result<Checkpoints, tlog::Error> {
        let keys = keys
            .iter()
            .map(|k| VerifierKey::parse(k.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        let mut opened: Vec<(CheckpointResult, Option<Hash>)> = notes
            .iter()
            .map(|n| match tlog::open_checkpoint(n.as_ref(), &keys) {
                Ok(c) => (
                    CheckpointResult {
                        size: c.checkpoint.size,
                        origin: Some(c.checkpoint.origin),
                        ok: false,
                        reason: None,
                        line: None,
                    },
                    Some(c.checkpoint.root),
                ),
                Err(e) => (
                    CheckpointResult {
                        size: 0,
                        origin: None,
                        ok: false,
                        reason: Some(e.reason()),
                        line: None,
                    },
                    None,
                ),
            })
            .collect();
        // Same origin and size, different roots: evidence of two histories, whatever the trail
        // (every checkpoint of such a group is reported).
        let mut groups: std::collections::HashMap<(Option<String>, u64), Vec<usize>> =
            std::collections::HashMap::new();
        for (i, (result, root)) in opened.iter().enumerate() {
            if root.is_some() {
                groups
                    .entry((result.origin.clone(), result.size))
                    .or_default()
                    .push(i);
            }
        }
        for members in groups.values() {
            let root_of = |i: usize| opened.get(i).and_then(|o| o.1);
            let first = members.first().and_then(|&i| root_of(i));
            if members.iter().any(|&i| root_of(i) != first) {
                for &i in members {
                    if let Some(o) = opened.get_mut(i) {
                        o.0.reason = Some(Reason::TwoHistories);
                    }
                }
            }
        }
        Ok(Checkpoints { opened })
    }

    /// No checkpoints.
    pub fn is_empty(&self) -> bool {
        self.opened.is_empty()
    }
}

/// The tree of a trail being read, and its comparison with checkpoints.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct TreeCheck {
    tree: Tree,
    checkpoints: Vec<(CheckpointResult, Option<Hash>)>,
    /// Indexes into `checkpoints` still waiting for the tree to reach their size, largest
    /// size first (the next one to reach is last).
    waiting: Vec<usize>,
    /// A line could not be read (over the limit): the tree stops there.
    broken: bool,
    /// Entries read and not yet in the tree, hashed together, with their line numbers.
    pending: LeafBatch,
    pending_lines: Vec<usize>,
    /// Scratch space for the batch's leaf hashes (not state).
    #[serde(skip)]
    leaves: Vec<Hash>,
}

impl TreeCheck {
    pub(crate) fn new(checkpoints: Checkpoints) -> TreeCheck {
        let mut check = TreeCheck {
            checkpoints: checkpoints.opened,
            ..TreeCheck::default()
        };
        let mut waiting: Vec<usize> = (0..check.checkpoints.len())
            .filter(|&i| check.checkpoints[i].1.is_some())
            .collect();
        waiting.sort_by_key(|&i| std::cmp::Reverse(check.checkpoints[i].0.size));
        check.waiting = waiting;
        check.compare(0);
        check
    }

    /// Compare every checkpoint of the tree's current size (the entry just added ended on
    /// `line`; 0 before any).
    fn compare(&mut self, line: usize) {
        let size = self.tree.size();
        while let Some(&i) = self.waiting.last() {
            if self.checkpoints[i].0.size != size {
                break;
            }
            self.waiting.pop();
            let root = self.tree.root();
            let (result, signed) = &mut self.checkpoints[i];
            result.line = (line > 0).then_some(line);
            if result.reason.is_none() {
                if *signed == Some(root) {
                    result.ok = true;
                } else {
                    result.reason = Some(Reason::TrailMismatch);
                }
            }
        }
    }

    /// One line as the splitter hands it over, `line` its number from 1. Blank lines are
    /// not entries; after a line over the limit the tree stops (its size is then unknown).
    pub(crate) fn line(&mut self, line: usize, raw: &RawLine<'_>) {
        if self.broken {
            return;
        }
        let bytes = match entry(raw) {
            Entry::Blank => return,
            Entry::Bytes(b) => b,
            Entry::Unreadable => {
                self.broken = true;
                return;
            }
        };
        self.pending.push(bytes);
        self.pending_lines.push(line);
        if self.pending.is_full() {
            self.add_pending();
        }
    }

    /// Hash the entries gathered and add them to the tree, comparing checkpoints at each size.
    fn add_pending(&mut self) {
        let mut leaves = std::mem::take(&mut self.leaves);
        self.pending.hash_into(&mut leaves);
        let lines = std::mem::take(&mut self.pending_lines);
        for (leaf, &line) in leaves.iter().zip(&lines) {
            self.tree.push_leaf_hash(*leaf);
            if !self.waiting.is_empty() {
                self.compare(line);
            }
        }
        self.pending_lines = lines;
        self.pending_lines.clear();
        self.leaves = leaves;
    }

    /// The tree read and each checkpoint's result, in the order given.
    pub(crate) fn finish(mut self) -> (TreeHead, Vec<CheckpointResult>) {
        self.add_pending();
        let shorter = if self.broken {
            Reason::TrailUnreadable
        } else {
            Reason::TrailShorter
        };
        for i in std::mem::take(&mut self.waiting) {
            let result = &mut self.checkpoints[i].0;
            result.reason.get_or_insert(shorter);
        }
        let head = TreeHead {
            size: self.tree.size(),
            root: self.tree.root(),
        };
        (head, self.checkpoints.into_iter().map(|(r, _)| r).collect())
    }
}

/// What a line is to the tree.
enum Entry<'a> {
    /// Blank (empty after Python's `str.strip()`): not an entry.
    Blank,
    /// An entry: the line's bytes, without its line break.
    Bytes(&'a [u8]),
    /// Over the line limit: its bytes were not kept.
    Unreadable,
}

/// The one rule for which lines are entries (the chain verifier skips the same blank lines).
fn entry<'a>(raw: &RawLine<'a>) -> Entry<'a> {
    match raw {
        RawLine::Text(t) if crate::integrity::trim_line(t).is_empty() => Entry::Blank,
        RawLine::Text(t) => Entry::Bytes(t.as_bytes()),
        RawLine::NotUtf8(b) => Entry::Bytes(b),
        RawLine::TooLong => Entry::Unreadable,
    }
}

/// Builds the inclusion proof of one entry of a trail given in pieces (O(log n) memory),
/// and the trail's root at the proof's tree size, to check against that size's checkpoint.
///
/// ```
/// use bh_audit_logger::trail::TrailProver;
/// use bh_audit_logger::tlog::merkle;
/// let mut p = TrailProver::new(1, 3).unwrap();
/// p.push(b"{\"a\":1}\n\n{\"a\":2}\n{\"a\":3}\n{\"a\":4}\n");
/// let (proof, root) = p.finish().unwrap();
/// assert!(merkle::verify_inclusion(1, 3, &merkle::leaf_hash(b"{\"a\":2}"), &proof, &root).is_ok());
/// ```
pub struct TrailProver {
    lines: super::LineSplitter,
    tree: Tree,
    proof: Option<tlog::ProofBuilder>,
    size: u64,
    root: Option<Hash>,
    broken: bool,
    /// Entries read and not yet hashed, hashed together.
    pending: LeafBatch,
}

impl TrailProver {
    /// A prover for entry `index` in the tree of the trail's first `size` entries
    /// (`index_out_of_range` unless `index < size`).
    pub fn new(index: u64, size: u64) -> Result<TrailProver, tlog::Error> {
        Ok(TrailProver {
            lines: super::LineSplitter::new(super::MAX_LINE_BYTES),
            tree: Tree::new(),
            proof: Some(tlog::ProofBuilder::inclusion(index, size)?),
            size,
            root: None,
            broken: false,
            pending: LeafBatch::default(),
        })
    }

    /// Feed the next piece of the trail.
    pub fn push(&mut self, chunk: &[u8]) {
        let mut lines = std::mem::replace(&mut self.lines, super::LineSplitter::new(0));
        lines.push(chunk, &mut |_, raw| self.line(&raw));
        self.lines = lines;
    }

    /// Bytes pushed so far.
    pub fn bytes(&self) -> u64 {
        self.lines.bytes()
    }

    /// Entries read so far (at most the proof's tree size).
    pub fn entries(&self) -> u64 {
        self.tree.size() + self.pending.len() as u64
    }

    fn line(&mut self, raw: &RawLine<'_>) {
        if self.broken || self.entries() >= self.size {
            return;
        }
        match entry(raw) {
            Entry::Blank => {}
            Entry::Unreadable => self.broken = true,
            Entry::Bytes(b) => {
                self.pending.push(b);
                if self.entries() == self.size || self.pending.is_full() {
                    self.add_pending();
                }
            }
        }
    }

    /// Hash the entries gathered and add them to the tree and the proof.
    fn add_pending(&mut self) {
        let mut leaves = Vec::new();
        self.pending.hash_into(&mut leaves);
        for leaf in leaves {
            self.tree.push_leaf_hash(leaf);
            if let Some(p) = &mut self.proof {
                p.push_leaf_hash(leaf);
            }
        }
        if self.tree.size() == self.size {
            self.root = Some(self.tree.root());
        }
    }

    /// End of input: the proof hashes and the trail's root at the proof's tree size;
    /// `trail_shorter` when the trail has fewer entries, `trail_unreadable` when a line
    /// before that size was over the line limit.
    pub fn finish(mut self) -> Result<(Vec<Hash>, Hash), tlog::Error> {
        let mut lines = std::mem::replace(&mut self.lines, super::LineSplitter::new(0));
        lines.finish(&mut |_, raw| self.line(&raw));
        match (self.root, self.proof.take()) {
            (Some(root), Some(proof)) => Ok((proof.finish()?, root)),
            _ if self.broken => Err(tlog::Error::new(Reason::TrailUnreadable)),
            _ => Err(tlog::Error::new(Reason::TrailShorter)),
        }
    }
}
