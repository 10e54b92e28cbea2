//! C2SP signed-note, <https://c2sp.org/signed-note>, with Ed25519 keys in the text forms of
//! Go's `golang.org/x/mod/sumdb/note`.
//!
//! ```text
//! <text ending in \n>
//! <blank line>
//! — <key name> base64(4-byte key ID || signature)
//! ```
//!
//! - Keys: [`VerifierKey`] `<name>+<8 hex key id>+<base64(type || 32-byte public key)>` and
//!   [`SignerKey`] `PRIVATE+KEY+<name>+<8 hex key id>+<base64(type || 32-byte seed)>`, where
//!   the key ID is the first 4 bytes of `SHA-256(name || 0x0A || type || public key)` and the
//!   type is `0x01` (Ed25519 note signatures) or `0x04` (tlog-cosignature v1, see
//!   [`super::witness`]).
//! - [`sign`] signs a text with Ed25519 keys; [`Note::parse`] reads a note strictly;
//!   [`Note::verify`] (and [`open`], both at once) checks it against verifier keys: signatures
//!   of unknown keys (another name, or the same name with another key ID) are ignored, every
//!   signature of a known key must verify (`bad_signature`), and at least one must
//!   (`unknown_key`).
//!
//! Refused as `malformed_note`: more than [`MAX_NOTE_SIZE`] bytes or [`MAX_SIGNATURES`]
//! signature lines, bad UTF-8, a control character other than `\n`, no blank line before the
//! signatures, a signature block not ending in `\n` or holding a blank or other line, a bad
//! key name, base64 that is not canonical, a signature shorter than 5 bytes, the same
//! signature line twice. A note's text may itself contain blank lines, as the spec allows
//! (the last blank line separates it from the signatures); a checkpoint may not.

use ed25519_dalek::{Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use super::{base64_decode, base64_encode, Error, Reason, Result};

/// The largest note accepted, in bytes (as Cloudflare's `signed_note`).
pub const MAX_NOTE_SIZE: usize = 1_000_000;
/// The most signature lines accepted in one note (as Go's `note.Open`; the spec requires
/// at least 16).
pub const MAX_SIGNATURES: usize = 100;

const SIG_PREFIX: &str = "\u{2014} ";

/// The signature type of a key: its first byte in the key texts, part of its key ID.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// `0x01`: Ed25519 signatures over the note text (a log's checkpoint key).
    Ed25519,
    /// `0x04`: timestamped Ed25519 checkpoint cosignatures (c2sp.org/tlog-cosignature v1),
    /// a witness's key.
    Cosignature,
}

impl KeyType {
    /// The type byte.
    pub fn byte(self) -> u8 {
        match self {
            KeyType::Ed25519 => 0x01,
            KeyType::Cosignature => 0x04,
        }
    }

    fn from_byte(b: u8) -> Option<KeyType> {
        match b {
            0x01 => Some(KeyType::Ed25519),
            0x04 => Some(KeyType::Cosignature),
            _ => None,
        }
    }
}

/// Whether `name` can name a key: non-empty, no `+`, no Unicode whitespace, no control
/// character.
pub fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c == '+' || c.is_whitespace() || c.is_control())
}

/// The key ID of a key: the first 4 bytes, big-endian, of
/// `SHA-256(name || 0x0A || type || public key)`.
pub fn key_id(name: &str, key_type: KeyType, public_key: &[u8; 32]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([b'\n', key_type.byte()]);
    h.update(public_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

fn hex8(id: u32) -> String {
    format!("{id:08x}")
}

fn parse_hex8(text: &str) -> Option<u32> {
    let ok = text.len() == 8
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if ok {
        u32::from_str_radix(text, 16).ok()
    } else {
        None
    }
}

/// Reads `base64(type || 32 bytes)`.
fn parse_key_material(text: &str) -> Option<(KeyType, [u8; 32])> {
    let bytes = base64_decode(text)?;
    let (&t, rest) = bytes.split_first()?;
    Some((KeyType::from_byte(t)?, rest.try_into().ok()?))
}

fn key_material(key_type: KeyType, bytes: &[u8; 32]) -> String {
    let mut v = Vec::with_capacity(33);
    v.push(key_type.byte());
    v.extend_from_slice(bytes);
    base64_encode(&v)
}

/// A public key that verifies note signatures: name, key ID, type and Ed25519 key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    id: u32,
    key_type: KeyType,
    key: VerifyingKey,
}

impl VerifierKey {
    /// Reads the text form `<name>+<8 lowercase hex key id>+<base64(type || public key)>`,
    /// exactly (no surrounding whitespace). `malformed_key` when the form, the name, the
    /// base64, the type, the length, the key ID or the Ed25519 point is wrong.
    pub fn parse(text: &str) -> Result<VerifierKey> {
        let bad = Error::new(Reason::MalformedKey);
        let mut parts = text.splitn(3, '+');
        let (Some(name), Some(id), Some(material)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad);
        };
        let id = parse_hex8(id).ok_or(bad)?;
        let (key_type, bytes) = parse_key_material(material).ok_or(bad)?;
        if !is_valid_key_name(name) || key_id(name, key_type, &bytes) != id {
            return Err(bad);
        }
        let key = VerifyingKey::from_bytes(&bytes).map_err(|_| bad)?;
        Ok(VerifierKey {
            name: name.to_owned(),
            id,
            key_type,
            key,
        })
    }

    /// The text form [`VerifierKey::parse`] reads.
    pub fn to_text(&self) -> String {
        format!(
            "{}+{}+{}",
            self.name,
            hex8(self.id),
            key_material(self.key_type, self.key.as_bytes())
        )
    }

    /// The key's name (for a log: its origin).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.id
    }

    /// The signature type.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The 32-byte Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// Whether `sig` (the bytes after the key ID) is this key's signature of `text`.
    fn verifies(&self, text: &str, sig: &[u8]) -> bool {
        let (message, ed_sig) = match self.key_type {
            KeyType::Ed25519 => (std::borrow::Cow::Borrowed(text), sig),
            KeyType::Cosignature => {
                let Some((ts, rest)) = sig.split_first_chunk::<8>() else {
                    return false;
                };
                let ts = u64::from_be_bytes(*ts);
                if ts > i64::MAX as u64 {
                    return false;
                }
                let msg = super::witness::cosigned_message(ts, text);
                (std::borrow::Cow::Owned(msg), rest)
            }
        };
        let Ok(ed_sig) = <[u8; 64]>::try_from(ed_sig) else {
            return false;
        };
        self.key
            .verify_strict(
                message.as_bytes(),
                &ed25519_dalek::Signature::from_bytes(&ed_sig),
            )
            .is_ok()
    }
}

/// A private key that signs notes. Its [`std::fmt::Debug`] shows the name and key ID only;
/// the key is wiped from memory when dropped.
#[derive(Clone)]
pub struct SignerKey {
    name: String,
    id: u32,
    key_type: KeyType,
    key: SigningKey,
}

impl std::fmt::Debug for SignerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignerKey")
            .field("name", &self.name)
            .field("key_id", &hex8(self.id))
            .field("key_type", &self.key_type)
            .finish_non_exhaustive()
    }
}

impl SignerKey {
    /// The key of `name` and `key_type` whose Ed25519 seed is `seed` (32 random bytes the
    /// caller draws: `crypto.getRandomValues` in JS, [`SignerKey::generate`] natively).
    /// `malformed_key` when the name is not a valid key name.
    pub fn from_seed(name: &str, key_type: KeyType, seed: &[u8; 32]) -> Result<SignerKey> {
        if !is_valid_key_name(name) {
            return Err(Error::new(Reason::MalformedKey));
        }
        let key = SigningKey::from_bytes(seed);
        let id = key_id(name, key_type, key.verifying_key().as_bytes());
        Ok(SignerKey {
            name: name.to_owned(),
            id,
            key_type,
            key,
        })
    }

    /// A new key from the operating system's random generator (not on wasm32, where the
    /// caller supplies the seed to [`SignerKey::from_seed`]).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn generate(name: &str, key_type: KeyType) -> Result<SignerKey> {
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed).map_err(|_| Error::new(Reason::NoRandomness))?;
        let key = SignerKey::from_seed(name, key_type, &seed);
        seed.fill(0);
        key
    }

    /// Reads `PRIVATE+KEY+<name>+<8 lowercase hex key id>+<base64(type || seed)>` exactly;
    /// `malformed_key` otherwise (the key ID must be the one of the seed's public key).
    pub fn parse(text: &str) -> Result<SignerKey> {
        let bad = Error::new(Reason::MalformedKey);
        let rest = text.strip_prefix("PRIVATE+KEY+").ok_or(bad)?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(material)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad);
        };
        let id = parse_hex8(id).ok_or(bad)?;
        let (key_type, mut seed) = parse_key_material(material).ok_or(bad)?;
        let key = SignerKey::from_seed(name, key_type, &seed);
        seed.fill(0);
        let key = key?;
        if key.id != id {
            return Err(bad);
        }
        Ok(key)
    }

    /// The text form [`SignerKey::parse`] reads. It holds the private key: keep it secret.
    pub fn to_text(&self) -> String {
        format!(
            "PRIVATE+KEY+{}+{}+{}",
            self.name,
            hex8(self.id),
            key_material(self.key_type, self.key.as_bytes())
        )
    }

    /// The matching verifier key.
    pub fn verifier_key(&self) -> VerifierKey {
        VerifierKey {
            name: self.name.clone(),
            id: self.id,
            key_type: self.key_type,
            key: self.key.verifying_key(),
        }
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key ID.
    pub fn key_id(&self) -> u32 {
        self.id
    }

    /// The signature type.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The Ed25519 signature of `message` (RFC 8032; deterministic).
    pub(crate) fn ed25519_sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

/// One signature line of a note: key name, key ID and the signature bytes after the ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The key name.
    pub name: String,
    /// The key ID.
    pub key_id: u32,
    /// The signature (for a cosignature: 8-byte timestamp, then the Ed25519 signature).
    pub bytes: Vec<u8>,
}

impl Signature {
    /// The signature line, `— <name> base64(key ID || bytes)\n`.
    pub fn to_line(&self) -> String {
        let mut raw = self.key_id.to_be_bytes().to_vec();
        raw.extend_from_slice(&self.bytes);
        format!("{SIG_PREFIX}{} {}\n", self.name, base64_encode(&raw))
    }

    fn parse_line(line: &str) -> Option<Signature> {
        let rest = line.strip_prefix(SIG_PREFIX)?;
        let (name, b64) = rest.split_once(' ')?;
        let raw = base64_decode(b64)?;
        if !is_valid_key_name(name) || raw.len() < 5 {
            return None;
        }
        Some(Signature {
            name: name.to_owned(),
            key_id: u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]),
            bytes: raw[4..].to_vec(),
        })
    }
}

/// A signature that verified, with the type of the key that verified it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedSignature {
    /// The signature.
    pub signature: Signature,
    /// The verifying key's type.
    pub key_type: KeyType,
    /// For a cosignature, its timestamp (POSIX seconds).
    pub timestamp: Option<u64>,
}

/// A note read by [`Note::parse`]: its text and signatures, none verified yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// The text, ending in `\n` (without the blank line before the signatures).
    pub text: String,
    /// The signature lines, in order.
    pub signatures: Vec<Signature>,
}

/// A note whose signatures were checked by [`Note::verify`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// The text, ending in `\n`.
    pub text: String,
    /// The signatures that verified (at least one), in note order.
    pub verified: Vec<VerifiedSignature>,
    /// The signatures of keys not given, ignored, in note order.
    pub unverified: Vec<Signature>,
}

fn has_bad_char(text: &str) -> bool {
    text.chars().any(|c| c < ' ' && c != '\n')
}

impl Note {
    /// Reads a signed note strictly (see the module doc); `malformed_note` otherwise.
    pub fn parse(msg: &[u8]) -> Result<Note> {
        let bad = Error::new(Reason::MalformedNote);
        if msg.len() > MAX_NOTE_SIZE {
            return Err(bad);
        }
        let msg = std::str::from_utf8(msg).map_err(|_| bad)?;
        if has_bad_char(msg) {
            return Err(bad);
        }
        let split = msg.rfind("\n\n").ok_or(bad)?;
        let (text, sigs) = (&msg[..split + 1], &msg[split + 2..]);
        let sigs = sigs.strip_suffix('\n').ok_or(bad)?;
        if sigs.is_empty() {
            return Err(bad);
        }
        let mut signatures = Vec::new();
        let mut lines = std::collections::HashSet::new();
        for line in sigs.split('\n') {
            if signatures.len() == MAX_SIGNATURES || !lines.insert(line) {
                return Err(bad);
            }
            signatures.push(Signature::parse_line(line).ok_or(bad)?);
        }
        Ok(Note {
            text: text.to_owned(),
            signatures,
        })
    }

    /// Checks the signatures against `keys`. A signature whose name and key ID are not both
    /// a given key's is ignored; each one that is must verify (`bad_signature`); at least one
    /// must (`unknown_key`). Two different keys with the same name and ID are
    /// `ambiguous_key` when a signature names them.
    pub fn verify(self, keys: &[VerifierKey]) -> Result<Opened> {
        let mut verified = Vec::new();
        let mut unverified = Vec::new();
        for sig in self.signatures {
            let mut matching = keys
                .iter()
                .filter(|k| k.name == sig.name && k.id == sig.key_id);
            let Some(key) = matching.next() else {
                unverified.push(sig);
                continue;
            };
            if matching.any(|k| k != key) {
                return Err(Error::new(Reason::AmbiguousKey));
            }
            if !key.verifies(&self.text, &sig.bytes) {
                return Err(Error::new(Reason::BadSignature));
            }
            let timestamp = match key.key_type {
                KeyType::Cosignature => super::witness::cosignature_timestamp(&sig.bytes),
                KeyType::Ed25519 => None,
            };
            verified.push(VerifiedSignature {
                signature: sig,
                key_type: key.key_type,
                timestamp,
            });
        }
        if verified.is_empty() {
            return Err(Error::new(Reason::UnknownKey));
        }
        Ok(Opened {
            text: self.text,
            verified,
            unverified,
        })
    }
}

/// Parses and verifies a signed note at once: [`Note::parse`], then [`Note::verify`].
pub fn open(msg: &[u8], keys: &[VerifierKey]) -> Result<Opened> {
    Note::parse(msg)?.verify(keys)
}

/// Checks that `text` can be a note's text: ends in `\n`, no control character but `\n`,
/// within [`MAX_NOTE_SIZE`]; `malformed_note` otherwise.
pub(crate) fn check_text(text: &str) -> Result<()> {
    if !text.ends_with('\n') || has_bad_char(text) || text.len() > MAX_NOTE_SIZE {
        return Err(Error::new(Reason::MalformedNote));
    }
    Ok(())
}

/// The signed note of `text` (which must end in `\n`; `malformed_note` otherwise) signed by
/// each of `signers`, in order. Only Ed25519 (`0x01`) keys sign notes (`malformed_key`
/// otherwise); cosignatures are made by [`super::witness::cosign`].
pub fn sign(text: &str, signers: &[&SignerKey]) -> Result<String> {
    check_text(text)?;
    if signers.is_empty() {
        return Err(Error::new(Reason::UnknownKey));
    }
    let mut out = String::with_capacity(text.len() + 1 + 110 * signers.len());
    out.push_str(text);
    out.push('\n');
    for s in signers {
        if s.key_type != KeyType::Ed25519 {
            return Err(Error::new(Reason::MalformedKey));
        }
        let sig = Signature {
            name: s.name.clone(),
            key_id: s.id,
            bytes: s.ed25519_sign(text.as_bytes()).to_vec(),
        };
        out.push_str(&sig.to_line());
    }
    Ok(out)
}
