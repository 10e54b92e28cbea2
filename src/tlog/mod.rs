//! Verifiable trails: a transparency log over the trail's lines, in the public formats.
//!
//! One file per specification, each opening with its URL:
//!
//! - [`merkle`]: the RFC 6962 tree (leaf and node hashes, a streaming tree in O(log n)
//!   memory with a state export, inclusion and consistency proofs made from a stream or a
//!   slice of leaf hashes, and their verification as RFC 9162 states it);
//! - [`note`]: C2SP signed-note with Ed25519 (keys in the Go `note` text forms, signing,
//!   strict parsing and opening against a list of verifier keys);
//! - [`checkpoint`]: C2SP tlog-checkpoint (the signed tree head);
//! - [`proof`]: C2SP tlog-proof (one entry proven to be in a signed tree) and the check of a
//!   consistency proof between two checkpoints;
//! - [`witness`]: C2SP tlog-cosignature v1 (Ed25519) and tlog-witness `add-checkpoint` as a
//!   pure state machine.
//!
//! Every failure is one [`Error`] carrying a stable [`Reason`] code; messages are fixed and
//! never contain a note's text, a key or any other value given.
//!
//! # Ed25519: `ed25519-dalek` 2, default features off
//!
//! The signatures come from `ed25519-dalek` 2.x (dalek-cryptography, on curve25519-dalek 4),
//! with `default-features = false` and only `zeroize`: no `std`, and no `fast` feature, whose
//! precomputed basepoint tables make signing faster at the price of a larger wasm module.
//! Verification uses `verify_strict` (canonical S and R, no small-order public keys), which
//! every honestly made signature passes. There is no elliptic-curve code of our own.
//!
//! Cloudflare's `signed_note` 0.2 (azul) was read and not taken: it depends on
//! `ed25519-dalek` with its default features (so `fast` and `std` cannot be turned off by
//! us), adds `base64` 0.21, `rand_core`, `signature` and `thiserror`, and its errors are its
//! own; the signed-note format is a few hundred lines we keep exact, with our reason codes,
//! in [`note`].
//!
//! Measured (wasm32-unknown-unknown, release, LTO, a cdylib that signs and verifies one
//! message): `ed25519-dalek` without default features 63.7 KB (23.5 KB gzip); with them
//! (`fast`) 128.9 KB (71.0 KB gzip); `signed_note` 0.2 signing and opening a note 197.4 KB
//! (94.0 KB gzip). Without the tables signing is slower, which a log signing one checkpoint
//! per batch does not feel; verification keeps its variable-time double-base multiplication.
//!
//! Deliberately stricter than Go's `note.Open`: a repeated signature line is refused (Go
//! drops it), every signature by a known key is verified (Go verifies the first per key),
//! key IDs are lowercase hex, base64 must be canonical, and Ed25519 verification is strict.
//!
//! Base64 (RFC 4648 section 4, padded) is written and read here, strictly: a text that is
//! not the canonical encoding of its bytes (wrong padding, non-zero trailing bits, line
//! breaks) is refused.

pub mod checkpoint;
pub mod merkle;
pub mod note;
pub mod proof;
pub mod witness;

use std::fmt;

pub use checkpoint::{open_checkpoint, sign_checkpoint, Checkpoint, OpenedCheckpoint};
pub use merkle::{Hash, ProofBuilder, Tree};
pub use note::{KeyType, SignerKey, VerifierKey};
pub use proof::{verify_consistency, verify_inclusion_proof, ConsistencyCheck, InclusionCheck};

/// Why a tlog operation failed: a stable snake_case code ([`Reason::as_str`]) for programs,
/// with a fixed lowercase message ([`Reason::message`]) for people.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub enum Reason {
    /// A signed note that is not in the C2SP signed-note format (or is too large).
    MalformedNote,
    /// A signer or verifier key text that is not in the Go `note` form, or a bad key name.
    MalformedKey,
    /// No signature of the note is from a key given (signatures of unknown keys are ignored).
    UnknownKey,
    /// Two different keys given with the same name and key ID.
    AmbiguousKey,
    /// A signature by a key given does not verify.
    BadSignature,
    /// The origin is not the one required (the signer's name, the other checkpoint's).
    OriginMismatch,
    /// A checkpoint body that is not in the C2SP tlog-checkpoint format.
    MalformedCheckpoint,
    /// A proof (tlog-proof text, or a proof hash) that is not in its format.
    MalformedProof,
    /// A tree state export that cannot be read back.
    MalformedState,
    /// The entry index is not below the tree size.
    IndexOutOfRange,
    /// A proof with more or fewer hashes than its index and sizes require.
    ProofLength,
    /// The inclusion proof leads to another root: the entry is not in that tree.
    RootMismatch,
    /// The consistency proof does not show the older tree to be a prefix of the newer.
    Inconsistent,
    /// The older tree is larger than the newer one.
    SizeDecreased,
    /// A consistency proof from the empty tree (meaningless: every tree extends it).
    EmptyTree,
    /// Two checkpoints of the same origin and size with different roots: two histories.
    TwoHistories,
    /// Fewer leaves were given than the proof being built needs.
    TooFewLeaves,
    /// A witness request that is not in the tlog-witness format (HTTP 400).
    MalformedRequest,
    /// A witness request for a log the witness does not know (HTTP 404).
    UnknownLog,
    /// A witness request whose old size is not the size the witness last cosigned (HTTP 409).
    OldSizeMismatch,
    /// The system's random generator failed (native key generation).
    NoRandomness,
    /// A trail's tree at a checkpoint's size has another root: an entry up to that size
    /// was changed, inserted, removed or reordered since the checkpoint was signed.
    TrailMismatch,
    /// The trail has fewer entries than a checkpoint signed: its tail was cut.
    TrailShorter,
    /// A line before a checkpoint's size could not be read (longer than the line limit),
    /// so the trail's tree at that size is unknown.
    TrailUnreadable,
}

impl Reason {
    /// The stable code, as the JS API's `reason` and the CLI report it.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::MalformedNote => "malformed_note",
            Reason::MalformedKey => "malformed_key",
            Reason::UnknownKey => "unknown_key",
            Reason::AmbiguousKey => "ambiguous_key",
            Reason::BadSignature => "bad_signature",
            Reason::OriginMismatch => "origin_mismatch",
            Reason::MalformedCheckpoint => "malformed_checkpoint",
            Reason::MalformedProof => "malformed_proof",
            Reason::MalformedState => "malformed_state",
            Reason::IndexOutOfRange => "index_out_of_range",
            Reason::ProofLength => "proof_length",
            Reason::RootMismatch => "root_mismatch",
            Reason::Inconsistent => "inconsistent",
            Reason::SizeDecreased => "size_decreased",
            Reason::EmptyTree => "empty_tree",
            Reason::TwoHistories => "two_histories",
            Reason::TooFewLeaves => "too_few_leaves",
            Reason::MalformedRequest => "malformed_request",
            Reason::UnknownLog => "unknown_log",
            Reason::OldSizeMismatch => "old_size_mismatch",
            Reason::NoRandomness => "no_randomness",
            Reason::TrailMismatch => "trail_mismatch",
            Reason::TrailShorter => "trail_shorter",
            Reason::TrailUnreadable => "trail_unreadable",
        }
    }

    /// A fixed lowercase sentence saying what is wrong (never a value).
    pub fn message(self) -> &'static str {
        match self {
            Reason::MalformedNote => "malformed signed note",
            Reason::MalformedKey => "malformed key",
            Reason::UnknownKey => "no signature from a known key",
            Reason::AmbiguousKey => "two different keys share a name and key id",
            Reason::BadSignature => "signature from a known key does not verify",
            Reason::OriginMismatch => "origin does not match",
            Reason::MalformedCheckpoint => "malformed checkpoint",
            Reason::MalformedProof => "malformed proof",
            Reason::MalformedState => "malformed tree state",
            Reason::IndexOutOfRange => "index is not below the tree size",
            Reason::ProofLength => "proof has the wrong number of hashes",
            Reason::RootMismatch => "proof does not lead to the checkpoint's root",
            Reason::Inconsistent => "trees are not consistent",
            Reason::SizeDecreased => "old tree is larger than the new tree",
            Reason::EmptyTree => "consistency proof from the empty tree",
            Reason::TwoHistories => "same size with different roots: two histories",
            Reason::TooFewLeaves => "fewer leaves than the proof needs",
            Reason::MalformedRequest => "malformed witness request",
            Reason::UnknownLog => "unknown log",
            Reason::OldSizeMismatch => "old size does not match the witness's size",
            Reason::NoRandomness => "the system's random generator failed",
            Reason::TrailMismatch => "the trail's entries up to the checkpoint's size are not the ones it signed: an entry was changed, inserted, removed or reordered",
            Reason::TrailShorter => "the trail has fewer entries than the checkpoint: its tail was cut",
            Reason::TrailUnreadable => "a line before the checkpoint's size could not be read (over the line limit)",
        }
    }

    /// Every reason, in declaration order (for tests and documentation).
    pub const ALL: [Reason; 24] = [
        Reason::MalformedNote,
        Reason::MalformedKey,
        Reason::UnknownKey,
        Reason::AmbiguousKey,
        Reason::BadSignature,
        Reason::OriginMismatch,
        Reason::MalformedCheckpoint,
        Reason::MalformedProof,
        Reason::MalformedState,
        Reason::IndexOutOfRange,
        Reason::ProofLength,
        Reason::RootMismatch,
        Reason::Inconsistent,
        Reason::SizeDecreased,
        Reason::EmptyTree,
        Reason::TwoHistories,
        Reason::TooFewLeaves,
        Reason::MalformedRequest,
        Reason::UnknownLog,
        Reason::OldSizeMismatch,
        Reason::NoRandomness,
        Reason::TrailMismatch,
        Reason::TrailShorter,
        Reason::TrailUnreadable,
    ];
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The tlog room's error: one [`Reason`]. Converts into the crate's [`crate::Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error(Reason);

impl Error {
    /// The error for `reason`.
    pub fn new(reason: Reason) -> Self {
        Error(reason)
    }
    /// Why it failed.
    pub fn reason(self) -> Reason {
        self.0
    }
}

impl From<Reason> for Error {
    fn from(reason: Reason) -> Self {
        Error(reason)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.message())
    }
}

impl std::error::Error for Error {}

/// Shorthand for the room's results.
pub type Result<T> = std::result::Result<T, Error>;

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard padded base64 (RFC 4648 section 4) of `bytes`.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(B64[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The bytes of `text`, when it is exactly the canonical standard padded base64 of them
/// (length a multiple of 4, `=` only as final padding, unused bits zero); else `None`.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let t = text.as_bytes();
    if t.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(t.len() / 4 * 3);
    for (q, quad) in t.chunks(4).enumerate() {
        let last = q + 1 == t.len() / 4;
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &quad[..4 - pad] {
            n = n << 6 | u32::from(sextet(c)?);
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        // Canonical: the bits below the last kept byte are zero.
        if bytes[3 - pad..].iter().any(|&b| b != 0) {
            return None;
        }
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

fn sextet(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// A hash as canonical base64 (44 characters), as checkpoints and proofs write it.
pub fn hash_to_base64(hash: &Hash) -> String {
    base64_encode(hash)
}

/// The hash that `text` encodes in canonical base64, when it is exactly 32 bytes.
pub fn hash_from_base64(text: &str) -> Option<Hash> {
    base64_decode(text)?.try_into().ok()
}

/// A number in canonical decimal: ASCII digits, no sign, no leading zero (except `0`),
/// within u64. The text must equal the number's formatting, as Go's `ParseTree` checks.
pub(crate) fn parse_decimal(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 20 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = text.parse().ok()?;
    (n.to_string() == text).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_and_refuses_non_canonical_text() {
        for n in 0..40usize {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 + 11) as u8).collect();
            let text = base64_encode(&bytes);
            assert_eq!(base64_decode(&text).as_deref(), Some(&bytes[..]), "{n}");
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        for bad in [
            "Zm8", "Zm9=", "Zg=", "Zg==Zg==", "Z===", "Zm8=\n", " Zm8=", "Zm-_", "Zh==",
        ] {
            assert_eq!(base64_decode(bad), None, "{bad:?}");
        }
        assert_eq!(base64_decode(""), Some(vec![]));
    }

    #[test]
    fn decimals_are_canonical() {
        assert_eq!(parse_decimal("0"), Some(0));
        assert_eq!(parse_decimal("18446744073709551615"), Some(u64::MAX));
        for bad in [
            "",
            "00",
            "01",
            "+1",
            "-1",
            " 1",
            "1 ",
            "18446744073709551616",
            "1e3",
            "١",
        ] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn reason_codes_are_unique_snake_case() {
        let mut seen = std::collections::HashSet::new();
        for r in Reason::ALL {
            let s = r.as_str();
            assert!(
                s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{s}"
            );
            assert!(seen.insert(s), "{s}");
            assert_eq!(r.message(), r.message().to_lowercase());
        }
    }
}
