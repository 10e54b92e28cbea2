//! C2SP tlog-cosignature v1 (Ed25519), <https://c2sp.org/tlog-cosignature>, and the
//! `add-checkpoint` call of C2SP tlog-witness, <https://c2sp.org/tlog-witness>, as a pure
//! state machine.
//!
//! A cosignature is a note signature by a witness key of type `0x04` (key ID over
//! `name || 0x0A || 0x04 || public key`) whose bytes are an 8-byte big-endian POSIX
//! timestamp followed by the Ed25519 signature of [`cosigned_message`]:
//!
//! ```text
//! cosignature/v1
//! time <timestamp>
//! <the checkpoint body>
//! ```
//!
//! [`cosign`] makes one; [`super::note::Note::verify`] verifies them with the witness's
//! [`super::note::VerifierKey`] (type `0x04`) beside the log's keys.
//!
//! [`add_checkpoint`] takes the request body (`old <size>`, consistency proof hashes, an
//! empty line, the checkpoint note), the log keys the witness trusts, its own keys, the
//! (size, root) it last cosigned for the origin and the time, and returns the response the
//! spec prescribes (200 with cosignature lines, 400, 403, 404, 409 with the size, 422) with
//! the state to store. Storing it atomically with the check is the caller's part.

use super::checkpoint::Checkpoint;
use super::merkle::{Hash, EMPTY_ROOT};
use super::note::{self, KeyType, SignerKey, VerifierKey};
use super::proof::check_extends;
use super::{hash_from_base64, parse_decimal, Error, Reason, Result};

/// The most consistency proof lines a request may carry (the spec's limit).
pub const MAX_PROOF_LINES: usize = 63;

/// The message an Ed25519 cosignature v1 signs: `cosignature/v1\ntime <t>\n` then the
/// checkpoint body (`body` ends in `\n`).
pub fn cosigned_message(timestamp: u64, body: &str) -> String {
    format!("cosignature/v1\ntime {timestamp}\n{body}")
}

/// The timestamp of a cosignature's bytes (after the key ID), when they have the v1 length.
pub fn cosignature_timestamp(bytes: &[u8]) -> Option<u64> {
    if bytes.len() != 72 {
        return None;
    }
    let (ts, _) = bytes.split_first_chunk::<8>()?;
    Some(u64::from_be_bytes(*ts))
}

/// The cosignature line (`— <name> <base64>\n`) of the checkpoint `body` at `timestamp`
/// (POSIX seconds, at most 2^63 - 1, else `malformed_request`) by the witness key `key`
/// (type `0x04`, else `malformed_key`). `malformed_checkpoint` if `body` is not one.
pub fn cosign(body: &str, timestamp: u64, key: &SignerKey) -> Result<String> {
    if key.key_type() != KeyType::Cosignature {
        return Err(Error::new(Reason::MalformedKey));
    }
    if timestamp > i64::MAX as u64 {
        return Err(Error::new(Reason::MalformedRequest));
    }
    Checkpoint::parse(body)?;
    let sig = key.ed25519_sign(cosigned_message(timestamp, body).as_bytes());
    let mut bytes = timestamp.to_be_bytes().to_vec();
    bytes.extend_from_slice(&sig);
    Ok(note::Signature {
        name: key.name().to_owned(),
        key_id: key.key_id(),
        bytes,
    }
    .to_line())
}

/// What a witness keeps per log: the size and root of the last checkpoint it cosigned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogState {
    /// The tree size.
    pub size: u64,
    /// The root at that size.
    pub root: Hash,
}

/// An `add-checkpoint` request body, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddCheckpoint {
    /// The size of the checkpoint the log believes the witness last cosigned.
    pub old: u64,
    /// The consistency proof from `old` to the checkpoint's size.
    pub proof: Vec<Hash>,
    /// The checkpoint note, verbatim.
    pub checkpoint: String,
}

impl AddCheckpoint {
    /// Reads a request body; `malformed_request` when it is not in the format.
    pub fn parse(body: &[u8]) -> Result<AddCheckpoint> {
        let bad = Error::new(Reason::MalformedRequest);
        if body.len() > note::MAX_NOTE_SIZE {
            return Err(bad);
        }
        let text = std::str::from_utf8(body).map_err(|_| bad)?;
        let (first, mut rest) = text.split_once('\n').ok_or(bad)?;
        let old = first
            .strip_prefix("old ")
            .and_then(parse_decimal)
            .ok_or(bad)?;
        let mut proof = Vec::new();
        loop {
            let (line, r) = rest.split_once('\n').ok_or(bad)?;
            rest = r;
            if line.is_empty() {
                break;
            }
            if proof.len() == MAX_PROOF_LINES {
                return Err(bad);
            }
            proof.push(hash_from_base64(line).ok_or(bad)?);
        }
        Ok(AddCheckpoint {
            old,
            proof,
            checkpoint: rest.to_owned(),
        })
    }

    /// The request body [`AddCheckpoint::parse`] reads.
    pub fn to_text(&self) -> String {
        let mut out = format!("old {}\n", self.old);
        for h in &self.proof {
            out.push_str(&super::hash_to_base64(h));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.checkpoint);
        out
    }
}

/// A witness's answer to `add-checkpoint`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessResponse {
    /// The HTTP status: 200, 400, 403, 404, 409 or 422 as the spec prescribes; 500 when the
    /// witness's own keys cannot cosign (none given, or not of type `0x04`).
    pub status: u16,
    /// The response's `Content-Type`.
    pub content_type: &'static str,
    /// The body: on 200 the cosignature lines; on 409 the witness's size and `\n`; otherwise
    /// the reason code and `\n`.
    pub body: String,
    /// Why it was refused (for the witness's own log: `two_histories` is evidence of a log
    /// showing two histories).
    pub reason: Option<Reason>,
    /// The checkpoint's origin, once its note was read.
    pub origin: Option<String>,
    /// On 200: the state to store for the origin (before answering).
    pub new_state: Option<LogState>,
    /// On 200: the checkpoint with the log's verified signatures and the new cosignatures,
    /// to serve as the witness's latest view of the log.
    pub cosigned: Option<String>,
}

fn refuse(status: u16, reason: Reason, origin: Option<&str>) -> WitnessResponse {
    WitnessResponse {
        status,
        content_type: "text/plain; charset=utf-8",
        body: format!("{}\n", reason.as_str()),
        reason: Some(reason),
        origin: origin.map(str::to_owned),
        new_state: None,
        cosigned: None,
    }
}

/// Handles a tlog-witness `add-checkpoint` request `body`. `log_keys` are the log keys the
/// witness trusts (a log is known by a key named as its origin); `cosigners` are the
/// witness's own keys (type `0x04`; at least one); `stored` returns what the witness last
/// cosigned for an origin (`None`: never); `now` is the time in POSIX seconds.
pub fn add_checkpoint(
    body: &[u8],
    log_keys: &[VerifierKey],
    cosigners: &[SignerKey],
    stored: impl FnOnce(&str) -> Option<LogState>,
    now: u64,
) -> WitnessResponse {
    let Ok(req) = AddCheckpoint::parse(body) else {
        return refuse(400, Reason::MalformedRequest, None);
    };
    let parsed = note::Note::parse(req.checkpoint.as_bytes());
    let Ok((parsed, cp)) = parsed.and_then(|n| {
        let cp = Checkpoint::parse(&n.text)?;
        Ok((n, cp))
    }) else {
        return refuse(400, Reason::MalformedRequest, None);
    };
    let origin = Some(cp.origin.as_str());
    let keys: Vec<VerifierKey> = log_keys
        .iter()
        .filter(|k| k.key_type() == KeyType::Ed25519 && k.name() == cp.origin)
        .cloned()
        .collect();
    if keys.is_empty() {
        return refuse(404, Reason::UnknownLog, origin);
    }
    let opened = match parsed.verify(&keys) {
        Ok(o) => o,
        Err(e) => return refuse(403, e.reason(), origin),
    };
    if req.old > cp.size {
        return refuse(400, Reason::SizeDecreased, origin);
    }
    let have = stored(&cp.origin).unwrap_or(LogState {
        size: 0,
        root: EMPTY_ROOT,
    });
    if req.old != have.size {
        let mut r = refuse(409, Reason::OldSizeMismatch, origin);
        r.content_type = "text/x.tlog.size";
        r.body = format!("{}\n", have.size);
        return r;
    }
    if cp.size == 0 && cp.root != EMPTY_ROOT {
        return refuse(422, Reason::Inconsistent, origin);
    }
    if req.old == 0 {
        if !req.proof.is_empty() {
            return refuse(422, Reason::ProofLength, origin);
        }
    } else if let Err(e) = check_extends(have.size, &have.root, cp.size, &cp.root, &req.proof) {
        return refuse(422, e.reason(), origin);
    }
    let mut lines = String::new();
    for key in cosigners {
        match cosign(&opened.text, now, key) {
            Ok(line) => lines.push_str(&line),
            // The witness's own configuration is at fault, not the request.
            Err(e) => return refuse(500, e.reason(), origin),
        }
    }
    if lines.is_empty() {
        return refuse(500, Reason::UnknownKey, origin);
    }
    let mut cosigned = opened.text.clone();
    cosigned.push('\n');
    for v in &opened.verified {
        cosigned.push_str(&v.signature.to_line());
    }
    cosigned.push_str(&lines);
    WitnessResponse {
        status: 200,
        content_type: "text/plain; charset=utf-8",
        body: lines,
        reason: None,
        origin: Some(cp.origin.clone()),
        new_state: Some(LogState {
            size: cp.size,
            root: cp.root,
        }),
        cosigned: Some(cosigned),
    }
}
