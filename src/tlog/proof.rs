//! C2SP tlog-proof, <https://c2sp.org/tlog-proof> (`c2sp.org/tlog-proof@v1`): one entry
//! proven to be in a signed tree, offline.
//!
//! ```text
//! c2sp.org/tlog-proof@v1
//! [extra <base64>]
//! index <N>
//! <base64 hash>        (zero or more: the leaf's sibling first, up to the root's child)
//! <empty line>
//! <the checkpoint note, with its signatures>
//! ```
//!
//! [`TlogProof::parse`] reads it strictly and [`TlogProof::to_text`] writes it;
//! [`verify_inclusion_proof`] checks one against an entry and verifier keys. The `extra`
//! line is read and never trusted. [`verify_consistency`] checks that one signed checkpoint
//! extends another (RFC 6962 section 2.1.2 proof hashes, verified as RFC 9162 2.1.4.2).

use super::checkpoint::open_checkpoint;
use super::merkle::{self, Hash};
use super::note::VerifierKey;
use super::{base64_decode, base64_encode, hash_from_base64, hash_to_base64, parse_decimal};
use super::{Error, Reason, Result};

/// The first line of a proof.
pub const HEADER: &str = "c2sp.org/tlog-proof@v1";
/// The most proof hashes read: a tree of at most 2^64 leaves needs at most 64.
pub const MAX_PROOF_HASHES: usize = 64;

/// A tlog-proof, read or to be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlogProof {
    /// The opaque `extra` data (unauthenticated: never trust it).
    pub extra: Option<Vec<u8>>,
    /// The entry's index, from 0.
    pub index: u64,
    /// The inclusion proof hashes, from the leaf's sibling up.
    pub hashes: Vec<Hash>,
    /// The checkpoint note, verbatim (not verified by [`TlogProof::parse`]).
    pub checkpoint: String,
}

impl TlogProof {
    /// Reads a proof; `malformed_proof` when it is not in the format (the checkpoint note is
    /// kept as text, and read when verified).
    pub fn parse(text: &str) -> Result<TlogProof> {
        let bad = Error::new(Reason::MalformedProof);
        let mut rest = text;
        let mut line = || -> Result<&str> {
            let (l, r) = rest.split_once('\n').ok_or(bad)?;
            rest = r;
            Ok(l)
        };
        if line()? != HEADER {
            return Err(bad);
        }
        let mut next = line()?;
        let mut extra = None;
        if let Some(b64) = next.strip_prefix("extra ") {
            let bytes = base64_decode(b64).filter(|b| !b.is_empty()).ok_or(bad)?;
            extra = Some(bytes);
            next = line()?;
        }
        let index = next
            .strip_prefix("index ")
            .and_then(parse_decimal)
            .ok_or(bad)?;
        let mut hashes = Vec::new();
        loop {
            let l = line()?;
            if l.is_empty() {
                break;
            }
            if hashes.len() == MAX_PROOF_HASHES {
                return Err(bad);
            }
            hashes.push(hash_from_base64(l).ok_or(bad)?);
        }
        if rest.is_empty() {
            return Err(bad);
        }
        Ok(TlogProof {
            extra,
            index,
            hashes,
            checkpoint: rest.to_owned(),
        })
    }

    /// The proof's text, as [`TlogProof::parse`] reads it (nothing after the note's final
    /// newline).
    pub fn to_text(&self) -> String {
        let mut out = format!("{HEADER}\n");
        if let Some(extra) = &self.extra {
            out.push_str("extra ");
            out.push_str(&base64_encode(extra));
            out.push('\n');
        }
        out.push_str(&format!("index {}\n", self.index));
        for h in &self.hashes {
            out.push_str(&hash_to_base64(h));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.checkpoint);
        out
    }
}

/// The result of [`verify_inclusion_proof`]: as the JS API returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InclusionCheck {
    /// Whether the entry is proven to be in the signed tree.
    pub ok: bool,
    /// The entry's index, once the proof was read.
    pub index: Option<u64>,
    /// The checkpoint's tree size, once its signature verified.
    pub size: Option<u64>,
    /// The checkpoint's origin, once its signature verified.
    pub origin: Option<String>,
    /// Why not, when `ok` is false.
    pub reason: Option<Reason>,
}

/// Checks that `entry` (an event line's UTF-8 bytes, without its terminator) is at the
/// proof's index in the tree its checkpoint signs, the checkpoint being signed by one of
/// `keys` for its origin. Never fails otherwise than with `ok: false` and a reason.
pub fn verify_inclusion_proof(proof: &str, entry: &[u8], keys: &[VerifierKey]) -> InclusionCheck {
    let mut out = InclusionCheck {
        ok: false,
        index: None,
        size: None,
        origin: None,
        reason: None,
    };
    if let Err(e) = check_inclusion(proof, entry, keys, &mut out) {
        out.reason = Some(e.reason());
    } else {
        out.ok = true;
    }
    out
}

fn check_inclusion(
    text: &str,
    entry: &[u8],
    keys: &[VerifierKey],
    out: &mut InclusionCheck,
) -> Result<()> {
    let proof = TlogProof::parse(text)?;
    out.index = Some(proof.index);
    let cp = open_checkpoint(&proof.checkpoint, keys)?.checkpoint;
    out.size = Some(cp.size);
    out.origin = Some(cp.origin);
    merkle::verify_inclusion(
        proof.index,
        cp.size,
        &merkle::leaf_hash(entry),
        &proof.hashes,
        &cp.root,
    )
}

/// The result of [`verify_consistency`]: as the JS API returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsistencyCheck {
    /// Whether the new checkpoint's tree extends the old one's.
    pub ok: bool,
    /// Why not, when `ok` is false.
    pub reason: Option<Reason>,
}

/// Checks that the signed checkpoint `new_note` extends `old_note` (same origin,
/// 1 <= old size <= new size) with the RFC 6962 consistency proof `proof` (base64 hashes).
/// Equal sizes need no hashes and equal roots: different roots are `two_histories`.
pub fn verify_consistency<S: AsRef<str>>(
    old_note: &str,
    new_note: &str,
    proof: &[S],
    keys: &[VerifierKey],
) -> ConsistencyCheck {
    match check_consistency(old_note, new_note, proof, keys) {
        Ok(()) => ConsistencyCheck {
            ok: true,
            reason: None,
        },
        Err(e) => ConsistencyCheck {
            ok: false,
            reason: Some(e.reason()),
        },
    }
}

fn check_consistency<S: AsRef<str>>(
    old_note: &str,
    new_note: &str,
    proof: &[S],
    keys: &[VerifierKey],
) -> Result<()> {
    let old = open_checkpoint(old_note, keys)?.checkpoint;
    let new = open_checkpoint(new_note, keys)?.checkpoint;
    if old.origin != new.origin {
        return Err(Error::new(Reason::OriginMismatch));
    }
    if proof.len() > MAX_PROOF_HASHES {
        return Err(Error::new(Reason::MalformedProof));
    }
    let hashes = proof
        .iter()
        .map(|h| hash_from_base64(h.as_ref()).ok_or(Error::new(Reason::MalformedProof)))
        .collect::<Result<Vec<_>>>()?;
    check_extends(old.size, &old.root, new.size, &new.root, &hashes)
}

/// The consistency rule shared with the witness: `old` (size, root) is a prefix of `new`;
/// equal sizes with different roots are `two_histories`.
pub(crate) fn check_extends(
    old_size: u64,
    old_root: &Hash,
    new_size: u64,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<()> {
    if old_size == new_size && old_size > 0 && proof.is_empty() && old_root != new_root {
        return Err(Error::new(Reason::TwoHistories));
    }
    merkle::verify_consistency(old_size, new_size, old_root, new_root, proof)
}
