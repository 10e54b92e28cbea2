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

#[cfg(test)]
mod tests {
    use super::*;

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
