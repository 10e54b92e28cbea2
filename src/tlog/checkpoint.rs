//! C2SP tlog-checkpoint, <https://c2sp.org/tlog-checkpoint>: a log's signed tree head.
//!
//! ```text
//! <origin>
//! <tree size in decimal>
//! <base64 root hash>
//! [extension lines, non-empty]
//! ```
//!
//! signed as a [`super::note`]. [`Checkpoint::parse`] reads the body strictly (origin
//! non-empty; size in canonical decimal within u64, re-formatted and compared as Go's
//! `ParseTree` does; root exactly 32 bytes in canonical padded base64; extension lines
//! non-empty; every line ending in `\n`); [`Checkpoint::to_text`] writes it.
//! [`sign_checkpoint`] signs one with the log's key (whose name is the origin), and
//! [`open_checkpoint`] verifies one: a verified Ed25519 signature from a key named as the
//! origin is required (witness cosignatures are verified too, and named in `signers`).

use super::merkle::Hash;
use super::note::{self, KeyType, SignerKey, VerifierKey};
use super::{hash_from_base64, hash_to_base64, parse_decimal, Error, Reason, Result};

/// The most extension lines read (the body is also bounded by the note size).
pub const MAX_EXTENSIONS: usize = 64;

/// A checkpoint body: the tree head of a log at a size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's identity (for this package: the signer key's name).
    pub origin: String,
    /// The number of entries in the tree.
    pub size: u64,
    /// The RFC 6962 root at that size.
    pub root: Hash,
    /// Extension lines, opaque (each non-empty, without its `\n`).
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// Reads a checkpoint body (the note text, ending in `\n`); `malformed_checkpoint`
    /// otherwise.
    pub fn parse(text: &str) -> Result<Checkpoint> {
        let bad = Error::new(Reason::MalformedCheckpoint);
        if text.len() > note::MAX_NOTE_SIZE || text.chars().any(|c| c < ' ' && c != '\n') {
            return Err(bad);
        }
        let body = text.strip_suffix('\n').ok_or(bad)?;
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(bad);
        };
        let size = parse_decimal(size).ok_or(bad)?;
        let root = hash_from_base64(root).ok_or(bad)?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if origin.is_empty()
            || extensions.len() > MAX_EXTENSIONS
            || extensions.iter().any(String::is_empty)
        {
            return Err(bad);
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// The body [`Checkpoint::parse`] reads (`malformed_checkpoint` if this checkpoint has no
    /// such body: an empty origin or extension line, a newline or control character in one).
    pub fn to_text(&self) -> Result<String> {
        let mut out = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            hash_to_base64(&self.root)
        );
        for e in &self.extensions {
            out.push_str(e);
            out.push('\n');
        }
        // One writer, one reader: what is written must read back as itself.
        match Checkpoint::parse(&out) {
            Ok(back) if back == *self => Ok(out),
            _ => Err(Error::new(Reason::MalformedCheckpoint)),
        }
    }
}

/// The signed checkpoint note of the tree of `size` entries with root `root`, signed by the
/// log's key, whose name must be `origin` (`origin_mismatch` otherwise; `malformed_key` for a
/// cosigner's key).
pub fn sign_checkpoint(origin: &str, size: u64, root: &Hash, signer: &SignerKey) -> Result<String> {
    if signer.name() != origin {
        return Err(Error::new(Reason::OriginMismatch));
    }
    if signer.key_type() != KeyType::Ed25519 {
        return Err(Error::new(Reason::MalformedKey));
    }
    let body = Checkpoint {
        origin: origin.to_owned(),
        size,
        root: *root,
        extensions: Vec::new(),
    }
    .to_text()?;
    note::sign(&body, &[signer])
}

/// A checkpoint whose note verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenedCheckpoint {
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// The names of the keys whose signatures verified (the log's, then any witnesses'), in
    /// note order.
    pub signers: Vec<String>,
    /// The opened note (its verified and ignored signatures).
    pub note: note::Opened,
}

/// Reads and verifies a signed checkpoint: the note's syntax (`malformed_note`), the body
/// (`malformed_checkpoint`), then the signatures against `keys` (`unknown_key`,
/// `bad_signature`, `ambiguous_key`); a verified signature by an Ed25519 key named as the
/// origin is required (`origin_mismatch` when only other keys' verified).
pub fn open_checkpoint(note_text: &str, keys: &[VerifierKey]) -> Result<OpenedCheckpoint> {
    let parsed = note::Note::parse(note_text.as_bytes())?;
    let checkpoint = Checkpoint::parse(&parsed.text)?;
    let opened = parsed.verify(keys)?;
    let by_log = opened
        .verified
        .iter()
        .any(|v| v.key_type == KeyType::Ed25519 && v.signature.name == checkpoint.origin);
    if !by_log {
        return Err(Error::new(Reason::OriginMismatch));
    }
    Ok(OpenedCheckpoint {
        signers: opened
            .verified
            .iter()
            .map(|v| v.signature.name.clone())
            .collect(),
        checkpoint,
        note: opened,
    })
}
