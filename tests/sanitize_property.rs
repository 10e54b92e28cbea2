//! Property test against the reference itself: for random strings (ASCII and Unicode, built
//! from the characters that matter to the reference's regexes), `sanitize_error_message`
//! gives exactly the reference's output, so every span the reference redacts is redacted here.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "support/python.rs"]
mod python;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use bh_audit_logger::sanitize_error_message;

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Characters and fragments chosen to hit every branch of the four patterns and `\b`.
const PIECES: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "5",
    "9",
    "12",
    "123",
    "4567",
    "555",
    "45",
    "6789",
    "-",
    "-",
    ".",
    " ",
    "  ",
    "\t",
    "\n",
    "\u{a0}",
    "\u{3000}",
    "\u{2028}",
    "\u{85}",
    "\u{1c}",
    "\u{200b}",
    "\u{180e}",
    "@",
    "@",
    "a",
    "Z",
    "x",
    "_",
    "%",
    "+",
    "é",
    "ß",
    "Ω",
    "診",
    "😀",
    "\u{301}",
    "²",
    "٣",
    "٤٥",
    "۵",
    "०",
    "१२३",
    "０",
    "１２３",
    "𝟗",
    "a@b.co",
    "jane.doe",
    "example.com",
    ".org",
    ".c",
    "co",
    "(",
    ")",
    ",",
    ";",
    "#",
    "ext",
    "MRN",
    "123-45-6789",
    "555-123-4567",
    "5551234567",
    "12345678901",
    "١٢٣-٤٥-٦٧٨٩",
];

fn random_message(rng: &mut XorShift) -> String {
    let n = 1 + rng.below(14);
    (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect()
}

#[test]
fn random_strings_match_the_reference_exactly() {
    let python = python::venv_python("BH_REF_PYTHON", ".venv-ref", "bh-audit-logger==0.3.0");
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut cases: Vec<(String, usize)> = (0..20_000)
        .map(|_| (random_message(&mut rng), [10, 20, 40, 200][rng.below(4)]))
        .collect();
    // Plain random code points too (any scalar value), so no class is left untried.
    for _ in 0..2_000 {
        let s: String = (0..1 + rng.below(20))
            .filter_map(|_| char::from_u32(rng.below(0x3_0000) as u32))
            .collect();
        cases.push((s, 200));
    }
    let mut child = Command::new(python)
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parity/sanitize_batch.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&cases).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let theirs: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    let mut bad = Vec::new();
    for ((msg, max), expected) in cases.iter().zip(&theirs) {
        let ours = sanitize_error_message(msg, *max);
        if &ours != expected {
            bad.push(format!(
                "{msg:?} (max {max})\n  ours:   {ours:?}\n  theirs: {expected:?}"
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {} differ:\n{}",
        bad.len(),
        cases.len(),
        bad.iter().take(20).cloned().collect::<Vec<_>>().join("\n")
    );
}
