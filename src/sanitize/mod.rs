//! Error-message sanitization, equal to the reference's `sanitize_error_message`.
//!
//! The reference (Python `re`, str patterns) applies, in order: `strip()`, `\s+` → `" "`,
//! then four substitutions, each over the whole text:
//!
//! | kind | pattern | replacement |
//! |---|---|---|
//! | SSN | `\b\d{3}-\d{2}-\d{4}\b` | `[REDACTED-SSN]` |
//! | email | `\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b` | `[REDACTED-EMAIL]` |
//! | phone | `\b\d{3}[-.\s]?\d{3}[-.\s]?\d{4}\b` | `[REDACTED-PHONE]` |
//! | long id | `\b\d{10,}\b` | `[REDACTED-ID]` |
//!
//! and finally caps the text at `max_len` code points (`text[:max_len-3] + "..."`).
//! Python's `\d`, `\s` and `\w` (hence `\b`) are Unicode-aware; the tables in `tables.rs`
//! are generated from CPython so the classes agree character for character. Each pass here
//! is a hand-written matcher that reproduces the regex's leftmost, backtracking semantics
//! in one linear scan, so a hostile input cannot make sanitization slow.
//!
//! ```
//! use bh_audit_logger::sanitize_error_message;
//! let out = sanitize_error_message("lookup failed for 123-45-6789\n  (jane@example.org)", 200);
//! assert_eq!(out, "lookup failed for [REDACTED-SSN] ([REDACTED-EMAIL])");
//! assert_eq!(sanitize_error_message(&"x".repeat(30), 10), "xxxxxxx...");
//! ```

mod strict;
mod tables;

/// Default cap for sanitized error messages, in code points.
pub const DEFAULT_MAX_ERROR_LENGTH: usize = 200;

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let cp = c as u32;
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Python's `str.isspace()` (and `\s` in `re`).
pub fn is_py_space(c: char) -> bool {
    if c.is_ascii() {
        return matches!(
            c,
            ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'..='\x1f'
        );
    }
    in_table(tables::SPACE, c)
}

/// Python's `\d` in `re` (`str.isdecimal()`: Unicode category Nd).
pub fn is_py_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    in_table(tables::DECIMAL, c)
}

/// Python's `\w` in `re` (`str.isalnum()` or `_`).
pub fn is_py_word(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    in_table(tables::LETTER, c) || in_table(tables::WORD_NOT_LETTER, c)
}

/// Unicode general category L (`\p{L}`, `\p{Letter}`), as Python's `str.isalpha()`.
pub fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    in_table(tables::LETTER, c)
}

/// `\b` at position `i` of `s` (between `s[i-1]` and `s[i]`).
fn is_boundary(s: &[char], i: usize) -> bool {
    let before = i > 0 && s.get(i - 1).is_some_and(|&c| is_py_word(c));
    let after = s.get(i).is_some_and(|&c| is_py_word(c));
    before != after
}

fn count_digits(s: &[char], from: usize, max: usize) -> usize {
    s.iter()
        .skip(from)
        .take(max)
        .take_while(|&&c| is_py_digit(c))
        .count()
}

/// Replace every match found by `matcher` (which, at a start position where `\b` holds,
/// returns the match end or `None`), scanning left to right like `re.sub`.
fn substitute(
    s: &[char],
    replacement: &str,
    mut matcher: impl FnMut(&[char], usize) -> Option<usize>,
) -> Vec<char> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        // Every digit pattern starts with `\d`: test that (cheap) before `\b` and the matcher.
        if s.get(i).is_some_and(|&c| is_py_digit(c)) && is_boundary(s, i) {
            if let Some(end) = matcher(s, i) {
                out.extend(replacement.chars());
                i = end;
                continue;
            }
        }
        if let Some(&c) = s.get(i) {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// `\d{3}-\d{2}-\d{4}\b` at `i`.
fn match_ssn(s: &[char], i: usize) -> Option<usize> {
    let mut p = i;
    for (n, sep) in [(3, true), (2, true), (4, false)] {
        if count_digits(s, p, n) != n {
            return None;
        }
        p += n;
        if sep {
            if s.get(p) != Some(&'-') {
                return None;
            }
            p += 1;
        }
    }
    is_boundary(s, p).then_some(p)
}

/// `\d{3}[-.\s]?\d{3}[-.\s]?\d{4}\b` at `i`. A separator is never a digit, so the
/// optional groups are decided by the next character and no backtracking can help.
fn match_phone(s: &[char], i: usize) -> Option<usize> {
    let mut p = i;
    for (n, sep) in [(3, true), (3, true), (4, false)] {
        if count_digits(s, p, n) != n {
            return None;
        }
        p += n;
        if sep
            && s.get(p)
                .is_some_and(|&c| c == '-' || c == '.' || is_py_space(c))
        {
            p += 1;
        }
    }
    is_boundary(s, p).then_some(p)
}

/// `\d{10,}\b` at `i`: only the maximal digit run can end at a boundary.
fn match_long_id(s: &[char], i: usize) -> Option<usize> {
    let n = count_digits(s, i, usize::MAX);
    (n >= 10 && is_boundary(s, i + n)).then_some(i + n)
}

fn is_email_local(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_email_domain(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-')
}

/// End of `[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b` starting right after an `@` at `at`.
///
/// Greedy domain with backtracking means: the last `.` in the run of domain characters
/// (with at least one character before it) whose following run of ASCII letters has
/// length >= 2 and ends at a word boundary; letters inside a run never form a boundary,
/// so only the maximal letter run can succeed.
fn email_domain_end(s: &[char], at: usize) -> Option<usize> {
    let start = at + 1;
    let run = s
        .iter()
        .skip(start)
        .take_while(|&&c| is_email_domain(c))
        .count();
    let mut best = None;
    let mut d = start + 1;
    while d < start + run {
        if s.get(d) == Some(&'.') {
            let letters = s
                .iter()
                .skip(d + 1)
                .take_while(|c| c.is_ascii_alphabetic())
                .count();
            let end = d + 1 + letters;
            if letters >= 2 && is_boundary(s, end) {
                best = Some(end);
            }
        }
        d += 1;
    }
    best
}

/// The email pass, in one scan: for each maximal run of local-part characters that ends
/// right before an `@` with a valid domain, the match starts at the leftmost boundary
/// inside the run (the leftmost start `re` would try that can succeed).
fn substitute_email(s: &[char]) -> Vec<char> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let run = s.iter().skip(i).take_while(|&&c| is_email_local(c)).count();
        if run == 0 {
            if let Some(&c) = s.get(i) {
                out.push(c);
            }
            i += 1;
            continue;
        }
        let at = i + run;
        let matched = if s.get(at) == Some(&'@') {
            email_domain_end(s, at)
                .and_then(|end| (i..at).find(|&b| is_boundary(s, b)).map(|b| (b, end)))
        } else {
            None
        };
        match matched {
            Some((b, end)) => {
                out.extend(s.iter().take(b).skip(i));
                out.extend("[REDACTED-EMAIL]".chars());
                i = end;
            }
            None => {
                out.extend(s.iter().take(at).skip(i));
                i = at;
            }
        }
    }
    out
}

/// Trim, collapse whitespace and redact, without capping the length.
fn clean(message: &str, redact: bool) -> Vec<char> {
    let trimmed = message.trim_matches(is_py_space);
    let mut s: Vec<char> = Vec::with_capacity(trimmed.len());
    let mut in_space = false;
    for c in trimmed.chars() {
        if is_py_space(c) {
            if !in_space {
                s.push(' ');
            }
            in_space = true;
        } else {
            s.push(c);
            in_space = false;
        }
    }
    if redact {
        // Passes that cannot match are skipped: the digit patterns need 10 digits at least
        // (SSN 9), the email pattern an `@`. Replacements add no digit and no `@`.
        let digits = s.iter().filter(|&&c| is_py_digit(c)).count();
        if digits >= 9 {
            s = substitute(&s, "[REDACTED-SSN]", match_ssn);
        }
        if s.contains(&'@') {
            s = substitute_email(&s);
        }
        let digits = s.iter().filter(|&&c| is_py_digit(c)).count();
        if digits >= 10 {
            s = substitute(&s, "[REDACTED-PHONE]", match_phone);
            s = substitute(&s, "[REDACTED-ID]", match_long_id);
        }
    }
    s
}

/// `text[:max_len - 3] + "..."` when longer than `max_len`, with Python's slicing rules
/// (for `max_len < 3` the slice end is negative and counts from the end).
fn cap(s: Vec<char>, max_len: usize) -> String {
    if s.len() <= max_len {
        return s.into_iter().collect();
    }
    let keep = if max_len >= 3 {
        max_len - 3
    } else {
        s.len().saturating_sub(3 - max_len)
    };
    let mut out: String = s.into_iter().take(keep).collect();
    out.push_str("...");
    out
}

/// Sanitize an error message exactly as the reference's `sanitize_error_message` does:
/// trim, collapse whitespace, redact SSN / email / phone / 10+ digit ids, then cap at
/// `max_len` code points (the last three being `"..."`). Linear time in the input.
pub fn sanitize_error_message(message: &str, max_len: usize) -> String {
    if is_clean(message, max_len) {
        return message.to_string();
    }
    cap(clean(message, true), max_len)
}

/// Whether sanitizing `message` would give it back unchanged, decided in one pass without
/// building anything: no leading or trailing whitespace, every whitespace a single `' '`,
/// fewer than 9 digits (every redaction pattern needs 9 or more) and no `@` (so no pass can
/// match), and at most `max_len` code points (no cap). Messages already sanitized (the
/// reference sanitizes an outcome's message twice) are usually clean.
fn is_clean(message: &str, max_len: usize) -> bool {
    let mut chars = 0usize;
    let mut digits = 0usize;
    let mut prev_space = true; // a leading space is not clean either
    for c in message.chars() {
        chars += 1;
        if c == '@' || chars > max_len {
            return false;
        }
        if is_py_space(c) {
            if c != ' ' || prev_space {
                return false;
            }
            prev_space = true;
            continue;
        }
        prev_space = false;
        if is_py_digit(c) {
            digits += 1;
            if digits >= 9 {
                return false;
            }
        }
    }
    !prev_space || chars == 0
}

/// Like [`sanitize_error_message`], with redaction optional (the reference's
/// `redact_patterns=False` still trims, collapses whitespace and caps).
pub fn sanitize_error_message_with(message: &str, max_len: usize, redact_patterns: bool) -> String {
    cap(clean(message, redact_patterns), max_len)
}

/// The strict redaction profile: the reference redaction, then strict passes that also
/// catch glued or differently formatted SSNs, phone numbers (with country code and
/// extension), emails, 9+ digit runs, IPv4/IPv6 addresses and labelled record numbers
/// (see `strict.rs` for the exact rules), then the same cap. Linear time in the input.
pub fn strict_sanitize_error_message(message: &str, max_len: usize) -> String {
    strict::strict_sanitize(message, max_len)
}

/// A name taken from the caller (a key name in an instance path, an option name, an
/// exception's class name) made safe to show: redacted by the strict profile (so a key or
/// class name that is an identifier becomes `[REDACTED-...]`, as values are; a name with
/// nothing to redact keeps its own whitespace), capped at
/// `max_len` code points, and with control characters (C0, DEL, C1, line separators,
/// bidirectional controls) written as `\uXXXX`. Names of letters, `_`, `-` and `.` only,
/// and runs of fewer than 9 ASCII digits (array indices), come back unchanged.
pub fn redact_name(name: &str, max_len: usize) -> std::borrow::Cow<'_, str> {
    let letters = name
        .bytes()
        .all(|b| b.is_ascii_alphabetic() || matches!(b, b'_' | b'-' | b'.'));
    let index = name.len() < 9 && name.bytes().all(|b| b.is_ascii_digit());
    if (letters || index) && name.len() <= max_len {
        return std::borrow::Cow::Borrowed(name);
    }
    let mut redacted = strict::strict_sanitize(name, usize::MAX);
    if !redacted.contains("[REDACTED-") {
        // Nothing to redact: the name as it is (whitespace kept), only capped and escaped.
        redacted = name.to_string();
    }
    if !plain_residue(&redacted) {
        // What is left is not a field name's shape (spaces, commas, `@`, non-ASCII, control
        // characters: `Smith, John`, `DOB 1980-01-02`): shown as a whole as redacted.
        return std::borrow::Cow::Owned(REDACTED_NAME.to_string()); // Owned: the name changed
    }
    if redacted.chars().count() > max_len {
        redacted = redacted.chars().take(max_len.saturating_sub(3)).collect();
        redacted.push_str("...");
    }
    if !redacted.chars().any(is_unsafe_char) {
        return std::borrow::Cow::Owned(redacted);
    }
    let mut out = String::with_capacity(redacted.len() + 16);
    for c in redacted.chars() {
        if is_unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// What [`redact_name`] shows for a name that is not a field name's shape.
pub const REDACTED_NAME: &str = "[REDACTED-NAME]";

/// A (strict-redacted) name's shape once its `[REDACTED-...]` tokens are set aside: printable
/// ASCII without spaces, commas and `@` (what person names, dates written out and addresses
/// need), or control characters (escaped afterwards).
fn plain_residue(text: &str) -> bool {
    let mut rest = text;
    loop {
        let (head, tail) = match rest.find("[REDACTED-") {
            Some(i) => (&rest[..i], Some(&rest[i..])),
            None => (rest, None),
        };
        if !head
            .bytes()
            .all(|b| b.is_ascii_control() || (b.is_ascii_graphic() && b != b',' && b != b'@'))
        {
            return false;
        }
        let Some(tail) = tail else { return true };
        match tail.find(']') {
            Some(end) => rest = &tail[end + 1..],
            None => return false,
        }
    }
}

/// An exception's class name as `outcome.error_type`: [`redact_name`] with the schema's
/// 128 code points (a class named after a patient's identifier is redacted; the reference
/// does not redact it, a deliberate difference listed in the parity vectors).
pub fn error_type_name(name: &str) -> std::borrow::Cow<'_, str> {
    redact_name(name, 128)
}

/// Characters never written into a diagnostic or an error message as they are: C0 and C1
/// controls, DEL, line and paragraph separators, bidirectional controls.
pub fn is_unsafe_char(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_identifiers_are_redacted() {
        assert_eq!(redact_name("subject_id", 64), "subject_id");
        assert_eq!(redact_name("12", 64), "12");
        assert_eq!(redact_name("123-45-6789", 64), "[REDACTED-SSN]");
        assert_eq!(redact_name("jane@example.org", 64), "[REDACTED-EMAIL]");
        assert_eq!(redact_name("5551234567", 64), "[REDACTED-PHONE]");
        assert_eq!(
            redact_name("PatientNotFound_123456789", 128),
            "PatientNotFound_[REDACTED-SSN]"
        );
        assert_eq!(redact_name("a\u{1b}[2Jb", 64), "a\\u001b[2Jb");
        assert_eq!(redact_name("a/b~\"c", 64), "a/b~\"c");
        for phi in [
            "MRN 12345678",
            "MRN:A1234567",
            "123\u{2010}45\u{2010}6789",
            "john.doe\u{ff20}example.com",
            "(555) 123-4567",
            "192.168.1.10",
            "Smith, John",
            "DOB 1980-01-02",
        ] {
            let shown = redact_name(phi, 64);
            assert!(shown.contains("[REDACTED-"), "{phi}: {shown}");
            for part in [
                "12345678", "1234567", "6789", "john", "4567", "168.1", "Smith", "1980",
            ] {
                assert!(!shown.contains(part), "{phi}: {shown}");
            }
        }
        assert_eq!(redact_name(&"k".repeat(100), 64).chars().count(), 64);
    }

    /// The clean-message shortcut never changes a result: on random messages (spaces of every
    /// kind, ASCII and other digits, `@`, lengths around the cap) it agrees with the full passes.
    #[test]
    fn clean_shortcut_agrees_with_the_full_passes() {
        const PIECES: &[&str] = &[
            "a",
            "b",
            " ",
            "  ",
            "\t",
            "\u{a0}",
            "\u{2003}",
            "1",
            "12",
            "123-45-6789",
            "٣",
            "@",
            "x@y.io",
            "-",
            ".",
            "é",
            "😀",
            "[",
            "]",
            "555 123 4567",
            "ab",
        ];
        let mut rng = crate::test_rng::XorShift::new(0x2545_f491_4f6c_dd1d);
        let mut next = move |n: usize| rng.below(n);
        let mut shortcut = 0;
        for _ in 0..50_000 {
            let len = next(14);
            let msg: String = (0..len).map(|_| PIECES[next(PIECES.len())]).collect();
            let max = [0, 2, 3, 8, 20, 200][next(6)];
            shortcut += usize::from(is_clean(&msg, max));
            assert_eq!(
                sanitize_error_message(&msg, max),
                cap(clean(&msg, true), max),
                "{msg:?} {max}"
            );
        }
        assert!(
            shortcut > 2_000,
            "only {shortcut} clean messages: the generator is too weak"
        );
    }

    #[test]
    fn classes_follow_python() {
        assert!(is_py_space('\u{85}') && is_py_space('\u{3000}') && is_py_space('\x1f'));
        assert!(!is_py_space('\u{200b}'));
        assert!(is_py_digit('٣') && !is_py_digit('²'));
        assert!(is_py_word('²') && is_py_word('é') && !is_py_word('\u{301}'));
    }

    #[test]
    fn email_backtracks_like_re() {
        assert_eq!(
            sanitize_error_message("x a@b.com.evil y", 200),
            "x [REDACTED-EMAIL] y"
        );
        assert_eq!(
            sanitize_error_message("..a@b.cd", 200),
            "..[REDACTED-EMAIL]"
        );
        assert_eq!(sanitize_error_message("a@b.c1", 200), "a@b.c1");
        assert_eq!(
            sanitize_error_message("a@b.cd.x@y.zz", 200),
            "[REDACTED-EMAIL][REDACTED-EMAIL]"
        );
    }

    #[test]
    fn boundaries_are_unicode() {
        assert_eq!(sanitize_error_message("é123-45-6789", 200), "é123-45-6789");
        assert_eq!(
            sanitize_error_message("\u{301}123-45-6789", 200),
            "\u{301}[REDACTED-SSN]"
        );
        assert_eq!(sanitize_error_message("١٢٣-٤٥-٦٧٨٩", 200), "[REDACTED-SSN]");
    }
}
