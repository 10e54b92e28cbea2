//! The strict redaction profile.
//!
//! [`strict_sanitize`] first runs the reference pipeline (trim, whitespace collapse and the
//! four reference passes, uncapped), then the strict passes below over the result, then caps
//! at `max_len` like the reference. Every strict pass only replaces spans with placeholders
//! that contain no digit, no `@` and no `.`/`:` runs; the only reference placeholder a strict
//! pass ever rewrites is `[REDACTED-PHONE]`, which is absorbed (with a country code or an
//! extension) into a larger `[REDACTED-PHONE]`. Hence strict output is always at least as
//! redacted as the reference output.
//!
//! Strict passes, in order (each one linear scan; every matcher either starts only at the
//! start of a maximal run it then consumes once, or looks ahead a bounded distance):
//!
//! 1. **Email**: an `@` preceded by a non-empty run of local-part characters (ASCII
//!    alphanumerics, `. _ % + -`, any non-ASCII word character) and followed by a domain of at
//!    least two non-empty labels whose last label has 2+ characters and starts with a letter.
//!    The local part is the *maximal* run of local-part characters before the `@` (minus
//!    leading dots), so `user_jane.doe+x@mail.example.co.uk_now` becomes
//!    `[REDACTED-EMAIL]_now`: a glued prefix cannot be told apart from the local part, so it
//!    goes too. The domain stops at `_` (not a domain character).
//! 2. **Labelled record numbers**: `MRN`, `member`, `acct`, `account`, `policy`
//!    (case-insensitive, not preceded by a letter), optional separators (spaces, `# : = _ . -`
//!    and the words `no`, `num`, `nbr`, `number`, `id`), then an identifier: a run of
//!    alphanumerics (any script) and `-` with at least one digit and at least 3 characters.
//!    The identifier becomes `[REDACTED-ID]`; the label stays.
//! 3. **IPv6**: a maximal run of ASCII hex digits, `:` and `.` (trailing `.`/single `:` and a
//!    leading single `:` trimmed) that parses as a full, `::`-compressed or IPv4-embedding
//!    IPv6 address with at least two colons and is not glued to an ASCII letter or `_`
//!    (that keeps `Vec::new`, `Cache::add` intact). Runs longer than 64 characters are ignored.
//! 4. **IPv4**: exactly four dot-separated digit runs of 1–3 digits, each <= 255, not part of a
//!    longer dotted chain. `v1.2.3.4` *is* redacted (a dotted quad of octets is an address);
//!    `1.2.3`, `2026.03.11.1` (2026 > 255) and 5+ part chains (`1.3.6.1.4`) are not.
//! 5. **SSN**: digit runs of exactly 3, 2, 4 digits separated by `-` or a space, or a digit run
//!    of exactly 9 digits, whatever letters surround it.
//! 6. **Phone** (North American): optional `+1` / `1` country code (with optional `-`, `.`, or
//!    space), area code `(ddd)` or `ddd`, exchange `ddd`, line `dddd` with optional single
//!    `-`/`.`/space separators, or a plain 10-digit run (11 with a leading 1), then an optional
//!    extension (`x`, `ext`, `ext.`, `extension`, `#`, case-insensitive, 1–6 digits). Digit
//!    groups must be whole digit runs. The reference's `[REDACTED-PHONE]` counts as a core, so
//!    `+1 [REDACTED-PHONE] x12` collapses to one placeholder.
//! 7. **Long digit runs**: any maximal run of 9 or more digits (any script, mixed) →
//!    `[REDACTED-ID]`, even glued to letters.
//!
//! "Digit" is always Python's `\d` (Unicode Nd, [`is_py_digit`]); digit values (for the IPv4
//! octet bound) come from the Nd table, whose ranges all start at a zero digit.

use super::{cap, clean, is_py_digit, is_py_word, tables};

const SSN: &str = "[REDACTED-SSN]";
const EMAIL: &str = "[REDACTED-EMAIL]";
const PHONE: &str = "[REDACTED-PHONE]";
const ID: &str = "[REDACTED-ID]";
const IP: &str = "[REDACTED-IP]";

/// Strict sanitization: reference pipeline, strict passes (matching on the text with
/// compatibility forms folded, see [`fold`]), cap. What is not redacted is the original text.
pub(super) fn strict_sanitize(message: &str, max_len: usize) -> String {
    let reference = clean(message, true);
    let folded = Text {
        chars: reference.iter().map(|&c| fold(c)).collect(),
        origin: (0..reference.len()).collect(),
    };
    let out = redact_strict(folded);
    let restored = out
        .chars
        .iter()
        .zip(&out.origin)
        .map(|(&c, &o)| {
            if o == PLACED {
                c
            } else {
                reference.get(o).copied().unwrap_or(c)
            }
        })
        .collect();
    cap(restored, max_len)
}

/// Text between passes: the (folded) characters, and for each the index of the original
/// character it stands for ([`PLACED`] for a placeholder's characters).
struct Text {
    chars: Vec<char>,
    origin: Vec<usize>,
}

/// `Text::origin` of a placeholder character.
const PLACED: usize = usize::MAX;

impl Text {
    fn with_capacity(n: usize) -> Text {
        Text {
            chars: Vec::with_capacity(n),
            origin: Vec::with_capacity(n),
        }
    }
    /// Append `src`'s characters `from..to`.
    fn copy(&mut self, src: &Text, from: usize, to: usize) {
        let to = to.min(src.chars.len());
        if from < to {
            self.chars
                .extend_from_slice(src.chars.get(from..to).unwrap_or_default());
            self.origin
                .extend_from_slice(src.origin.get(from..to).unwrap_or_default());
        }
    }
    fn place(&mut self, placeholder: &str) {
        for c in placeholder.chars() {
            self.chars.push(c);
            self.origin.push(PLACED);
        }
    }
}

/// Compatibility forms folded for matching, one character for one (so a match's span is
/// the original text's span): fullwidth ASCII (`＠`, `１`, `Ｍ`, `－`, `（`) to ASCII; Unicode
/// hyphens and dashes (U+2010–U+2015, minus sign U+2212, small and fullwidth hyphen-minus,
/// soft hyphen U+00AD, hyphen bullet U+2043) to `-`; small commercial at U+FE6B to `@`;
/// fullwidth and ideographic square brackets to `[` `]`. A hand-written subset of NFKC.
fn fold(c: char) -> char {
    match c {
        '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
        '\u{00ad}'
        | '\u{2010}'..='\u{2015}'
        | '\u{2043}'
        | '\u{2212}'
        | '\u{fe58}'
        | '\u{fe63}' => '-',
        '\u{fe6b}' => '@',
        '\u{3010}' | '\u{3014}' | '\u{3016}' => '[',
        '\u{3011}' | '\u{3015}' | '\u{3017}' => ']',
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// All strict passes over already collapsed (and reference-redacted) text.
fn redact_strict(s: Text) -> Text {
    let s = redact_emails(&s);
    let s = redact_labelled(&s);
    let s = scan_replace(&s, match_ipv6);
    let s = scan_replace(&s, match_ipv4);
    let s = scan_replace(&s, match_ssn);
    let s = scan_replace(&s, match_phone);
    scan_replace(&s, match_long_digits)
}

/// Decimal value of a Unicode Nd digit.
fn digit_value(c: char) -> Option<u32> {
    if c.is_ascii_digit() {
        return c.to_digit(10);
    }
    let cp = c as u32;
    let idx = tables::DECIMAL.partition_point(|&(_, hi)| hi < cp);
    match tables::DECIMAL.get(idx) {
        Some(&(lo, hi)) if lo <= cp && cp <= hi => Some((cp - lo) % 10),
        _ => None,
    }
}

fn digit_at(s: &[char], i: usize) -> bool {
    s.get(i).is_some_and(|&c| is_py_digit(c))
}

/// Length of the digit run at `i`, counting at most `max`.
fn digits(s: &[char], i: usize, max: usize) -> usize {
    s.iter()
        .skip(i)
        .take(max)
        .take_while(|&&c| is_py_digit(c))
        .count()
}

/// Is `i` the start of a maximal digit run (a digit not preceded by a digit)?
fn digit_run_start(s: &[char], i: usize) -> bool {
    digit_at(s, i) && (i == 0 || !digit_at(s, i - 1))
}

/// A digit run of exactly `n` digits at `i` (not followed by another digit).
fn exact_digits(s: &[char], i: usize, n: usize) -> bool {
    digits(s, i, n + 1) == n
}

fn starts_with_ci(s: &[char], i: usize, word: &str) -> bool {
    let mut rest = s.iter().skip(i);
    word.chars()
        .all(|w| rest.next().is_some_and(|c| c.eq_ignore_ascii_case(&w)))
}

fn starts_with(s: &[char], i: usize, word: &str) -> bool {
    let mut rest = s.iter().skip(i);
    word.chars().all(|w| rest.next() == Some(&w))
}

/// Replace every match left to right; `matcher(s, i)` returns the match end (> `i`) and the
/// placeholder for a match starting at `i`.
fn scan_replace(
    text: &Text,
    matcher: impl Fn(&[char], usize) -> Option<(usize, &'static str)>,
) -> Text {
    let s = &text.chars;
    let mut out = Text::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if let Some((end, placeholder)) = matcher(s, i).filter(|&(end, _)| end > i) {
            out.place(placeholder);
            i = end;
        } else {
            out.copy(text, i, i + 1);
            i += 1;
        }
    }
    out
}

// ---------------------------------------------------------------- email

fn is_local(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
    } else {
        is_py_word(c)
    }
}

fn is_domain_label(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '-'
    } else {
        is_py_word(c)
    }
}

/// End of the domain starting at `start` (right after `@`), if it is a valid one.
fn email_domain_end(s: &[char], start: usize) -> Option<usize> {
    let mut best = None;
    let mut p = start;
    let mut labels = 0usize;
    loop {
        let label_start = p;
        let len = s
            .iter()
            .skip(p)
            .take_while(|&&c| is_domain_label(c))
            .count();
        if len == 0 {
            break;
        }
        p += len;
        labels += 1;
        let first_alpha = s.get(label_start).is_some_and(|c| c.is_alphabetic());
        if labels >= 2 && len >= 2 && first_alpha {
            best = Some(p);
        }
        if s.get(p) == Some(&'.') {
            p += 1;
        } else {
            break;
        }
    }
    best
}

fn redact_emails(text: &Text) -> Text {
    let s = &text.chars;
    let mut out = Text::with_capacity(s.len());
    let mut emitted = 0;
    let mut i = 0;
    while let Some(&c) = s.get(i) {
        if c == '[' && starts_with(s, i, EMAIL) {
            // A reference match whose domain stopped early (`...co.uk_now` ends at `.co`):
            // absorb the remaining `.label`s.
            let mut end = i + EMAIL.len();
            while s.get(end) == Some(&'.') && s.get(end + 1).is_some_and(|&c| is_domain_label(c)) {
                end += 1;
                end += s
                    .iter()
                    .skip(end)
                    .take_while(|&&c| is_domain_label(c))
                    .count();
            }
            out.copy(text, emitted, i);
            out.place(EMAIL);
            emitted = end;
            i = end;
            continue;
        }
        if c != '@' {
            i += 1;
            continue;
        }
        let mut start = i;
        while start > emitted && s.get(start - 1).is_some_and(|&c| is_local(c)) {
            start -= 1;
        }
        while start < i && s.get(start) == Some(&'.') {
            start += 1;
        }
        match email_domain_end(s, i + 1) {
            Some(end) if start < i => {
                out.copy(text, emitted, start);
                out.place(EMAIL);
                emitted = end;
                i = end;
            }
            _ => i += 1,
        }
    }
    out.copy(text, emitted, s.len());
    out
}

// ---------------------------------------------------------------- labelled record numbers

const LABELS: [&str; 5] = ["account", "acct", "member", "policy", "mrn"];
const LABEL_WORDS: [&str; 5] = ["number", "num", "nbr", "no", "id"];
const MAX_SEPARATOR: usize = 24;
const MIN_IDENTIFIER: usize = 3;

fn is_identifier(c: char) -> bool {
    c == '-' || (is_py_word(c) && c != '_')
}

/// The label starting at `i`, if any (a label is not preceded by a letter).
fn label_at_len(s: &[char], i: usize) -> Option<usize> {
    if i > 0 && s.get(i - 1).is_some_and(|c| c.is_alphabetic()) {
        return None;
    }
    LABELS
        .iter()
        .find(|l| starts_with_ci(s, i, l))
        .map(|l| l.len())
}

fn label_at(s: &[char], i: usize) -> bool {
    label_at_len(s, i).is_some()
}

/// Position after the label and its separators, if a label starts at `i`.
fn label_end(s: &[char], i: usize) -> Option<usize> {
    let label_len = label_at_len(s, i)?;
    let mut p = i + label_len;
    let limit = p + MAX_SEPARATOR;
    while p < limit {
        match s.get(p) {
            Some(' ' | '#' | ':' | '=' | '_' | '.' | '-') => p += 1,
            Some(_) => {
                let word = LABEL_WORDS.iter().find(|w| {
                    starts_with_ci(s, p, w)
                        && !s.get(p + w.len()).is_some_and(|c| c.is_alphanumeric())
                });
                match word {
                    Some(w) => p += w.len(),
                    None => break,
                }
            }
            None => break,
        }
    }
    Some(p)
}

fn redact_labelled(text: &Text) -> Text {
    let s = &text.chars;
    let mut out = Text::with_capacity(s.len());
    // Identifier scans that failed (no digit) ended here; any scan starting before it
    // lies inside the same run and fails too, which keeps the pass linear.
    let mut failed_until = 0;
    let mut i = 0;
    while i < s.len() {
        let matched = label_end(s, i).and_then(|id_start| {
            if id_start < failed_until || !s.get(id_start).is_some_and(|&c| is_py_word(c)) {
                return None;
            }
            // The identifier stops where another label starts (`XZ-52285account AB-1`).
            let run = s
                .iter()
                .enumerate()
                .skip(id_start)
                .take_while(|&(p, &c)| is_identifier(c) && (p == id_start || !label_at(s, p)))
                .count();
            let mut end = id_start + run;
            while end > id_start && s.get(end - 1) == Some(&'-') {
                end -= 1;
            }
            let has_digit = (id_start..end).any(|p| digit_at(s, p));
            if has_digit && end - id_start >= MIN_IDENTIFIER {
                Some((id_start, end))
            } else {
                if !has_digit {
                    failed_until = id_start + run;
                }
                None
            }
        });
        match matched {
            Some((id_start, end)) => {
                out.copy(text, i, id_start);
                out.place(ID);
                i = end;
            }
            None => {
                out.copy(text, i, i + 1);
                i += 1;
            }
        }
    }
    out
}

// ---------------------------------------------------------------- IPv6

const MAX_IPV6_RUN: usize = 64;

fn is_v6_run(c: char) -> bool {
    c.is_ascii_hexdigit() || c == ':' || c == '.'
}

fn is_glue(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric())
}

/// Whole-text IPv4 check on ASCII text (`a.b.c.d`, octets <= 255, 1–3 digits).
fn parse_ipv4_text(t: &[char]) -> bool {
    let mut parts = 0;
    for part in t.split(|&c| c == '.') {
        parts += 1;
        if part.is_empty() || part.len() > 3 || !part.iter().all(|c| c.is_ascii_digit()) {
            return false;
        }
        let v = part
            .iter()
            .fold(0u32, |acc, c| acc * 10 + c.to_digit(10).unwrap_or(0));
        if v > 255 {
            return false;
        }
    }
    parts == 4
}

/// Number of 16-bit groups in a `:`-separated list (an IPv4 tail counts 2), if valid.
fn v6_groups(t: &[char], allow_v4_tail: bool) -> Option<usize> {
    if t.is_empty() {
        return Some(0);
    }
    let pieces: Vec<&[char]> = t.split(|&c| c == ':').collect();
    let last = pieces.len() - 1;
    let mut groups = 0;
    for (k, piece) in pieces.iter().enumerate() {
        if piece.contains(&'.') {
            if k != last || !allow_v4_tail || !parse_ipv4_text(piece) {
                return None;
            }
            groups += 2;
        } else if piece.is_empty() || piece.len() > 4 {
            return None;
        } else {
            groups += 1;
        }
    }
    Some(groups)
}

/// Number of groups of a valid IPv6 text (8 when uncompressed), if it is one.
fn parse_ipv6_text(t: &[char]) -> Option<usize> {
    if t.iter().filter(|&&c| c == ':').count() < 2 || !t.iter().any(|c| c.is_ascii_digit()) {
        return None;
    }
    match t.windows(2).position(|w| w == [':', ':']) {
        None => (v6_groups(t, true)? == 8).then_some(8),
        Some(d) => {
            let (head, tail) = (t.get(..d)?, t.get(d + 2..)?);
            if tail.windows(2).any(|w| w == [':', ':']) || tail.first() == Some(&':') {
                return None;
            }
            let total = v6_groups(head, false)? + v6_groups(tail, true)?;
            (1..=7).contains(&total).then_some(total)
        }
    }
}

/// Groups needed for an IPv6 candidate glued to an ASCII letter or digit to count
/// (`u8::MAX`, `i32::from` have fewer).
const MIN_GLUED_GROUPS: usize = 3;

fn match_ipv6(s: &[char], i: usize) -> Option<(usize, &'static str)> {
    let hex = |p: usize| s.get(p).is_some_and(|c| c.is_ascii_hexdigit());
    let colon = |p: usize| s.get(p) == Some(&':');
    let c = *s.get(i)?;
    // Candidate starts: a hex digit not preceded by a hex digit or a colon (a lone colon
    // before it is punctuation, as in `error:fe80::1`), or a leading `::`.
    let before_ok = |p: usize| p == 0 || (!hex(p - 1) && !colon(p - 1));
    let starts_here = if c.is_ascii_hexdigit() {
        before_ok(i) || (colon(i - 1) && before_ok(i - 1))
    } else {
        c == ':' && colon(i + 1) && before_ok(i) && !(i > 0 && s.get(i - 1) == Some(&'.'))
    };
    if !starts_here {
        return None;
    }
    let run = s
        .iter()
        .skip(i)
        .take(MAX_IPV6_RUN + 1)
        .take_while(|&&c| is_v6_run(c))
        .count();
    if run > MAX_IPV6_RUN {
        return None;
    }
    let mut b = i + run;
    while b > i && s.get(b - 1) == Some(&'.') {
        b -= 1;
    }
    if b >= i + 2 && colon(b - 1) && !colon(b - 2) {
        b -= 1;
    }
    if b <= i {
        return None;
    }
    // Within a run, the address may stop at a dot that does not start an IPv4 tail
    // (`f5c2.10.1.2.3`): fall back to the text before the first dot.
    let text = s.get(i..b)?;
    let (groups, end) = match parse_ipv6_text(text) {
        Some(g) => (g, b),
        None => {
            let dot = text.iter().position(|&c| c == '.')?;
            (parse_ipv6_text(text.get(..dot)?)?, i + dot)
        }
    };
    let glued_left = c != ':' && i > 0 && is_glue(s.get(i - 1));
    let glued_right = !colon(end - 1) && is_glue(s.get(end));
    if (glued_left || glued_right) && groups < MIN_GLUED_GROUPS {
        return None;
    }
    Some((end, IP))
}

// ---------------------------------------------------------------- IPv4

fn match_ipv4(s: &[char], i: usize) -> Option<(usize, &'static str)> {
    if !digit_run_start(s, i) {
        return None;
    }
    // Not the continuation of a dotted chain.
    if i >= 2 && s.get(i - 1) == Some(&'.') && digit_at(s, i - 2) {
        return None;
    }
    let mut p = i;
    for part in 0..4 {
        let n = digits(s, p, 4);
        if n == 0 || n > 3 {
            return None;
        }
        let value =
            (p..p + n).try_fold(0u32, |acc, k| Some(acc * 10 + digit_value(*s.get(k)?)?))?;
        if value > 255 {
            return None;
        }
        p += n;
        if part < 3 {
            if s.get(p) != Some(&'.') {
                return None;
            }
            p += 1;
        }
    }
    if s.get(p) == Some(&'.') && digit_at(s, p + 1) {
        return None;
    }
    Some((p, IP))
}

// ---------------------------------------------------------------- SSN

fn match_ssn(s: &[char], i: usize) -> Option<(usize, &'static str)> {
    if !digit_run_start(s, i) {
        return None;
    }
    if exact_digits(s, i, 9) {
        return Some((i + 9, SSN));
    }
    let mut p = i;
    for (n, sep) in [(3, true), (2, true), (4, false)] {
        if !exact_digits(s, p, n) {
            return None;
        }
        p += n;
        if sep {
            if !matches!(s.get(p), Some('-' | ' ')) {
                return None;
            }
            p += 1;
        }
    }
    Some((p, SSN))
}

// ---------------------------------------------------------------- phone

fn is_phone_sep(c: Option<&char>) -> bool {
    matches!(c, Some('-' | '.' | ' ' | '/'))
}

/// Optional extension after a phone number ending at `p`; returns the new end.
fn phone_extension(s: &[char], p: usize) -> usize {
    let mut q = p;
    if s.get(q) == Some(&' ') {
        q += 1;
    }
    let marker = ["extension", "ext.", "ext", "x", "#"]
        .iter()
        .find(|m| starts_with_ci(s, q, m));
    let Some(marker) = marker else {
        return p;
    };
    q += marker.len();
    if matches!(s.get(q), Some(' ' | '.' | ':')) {
        q += 1;
    }
    let n = digits(s, q, 7);
    if (1..=6).contains(&n) {
        q + n
    } else {
        p
    }
}

fn match_phone(s: &[char], i: usize) -> Option<(usize, &'static str)> {
    let c = *s.get(i)?;
    if is_py_digit(c) && !digit_run_start(s, i) {
        return None;
    }
    let mut p = i;
    let mut prefixed = false;
    if c == '+' {
        if digit_value(*s.get(i + 1)?) != Some(1) || digit_at(s, i + 2) {
            return None;
        }
        p = i + 2;
        prefixed = true;
    } else if digit_value(c) == Some(1)
        && !digit_at(s, i + 1)
        && (is_phone_sep(s.get(i + 1)) || s.get(i + 1) == Some(&'('))
    {
        p = i + 1;
        prefixed = true;
    }
    if prefixed && is_phone_sep(s.get(p)) {
        p += 1;
    }
    if starts_with(s, p, PHONE) {
        return Some((phone_extension(s, p + PHONE.chars().count()), PHONE));
    }
    if let Some(open @ ('(' | '[')) = s.get(p) {
        let close = if *open == '(' { ')' } else { ']' };
        if !exact_digits(s, p + 1, 3) || s.get(p + 4) != Some(&close) {
            return None;
        }
        p += 5;
        if is_phone_sep(s.get(p)) {
            p += 1;
        }
    } else {
        let n = digits(s, p, 12);
        if n == 10 {
            return Some((phone_extension(s, p + 10), PHONE));
        }
        if n == 11 && !prefixed && digit_value(*s.get(p)?) == Some(1) {
            return Some((phone_extension(s, p + 11), PHONE));
        }
        if n != 3 {
            return None;
        }
        p += 3;
        if is_phone_sep(s.get(p)) {
            p += 1;
        }
    }
    if !exact_digits(s, p, 3) {
        return None;
    }
    p += 3;
    if is_phone_sep(s.get(p)) {
        p += 1;
    }
    if !exact_digits(s, p, 4) {
        return None;
    }
    Some((phone_extension(s, p + 4), PHONE))
}

// ---------------------------------------------------------------- long digit runs

const MIN_ID_DIGITS: usize = 9;

fn match_long_digits(s: &[char], i: usize) -> Option<(usize, &'static str)> {
    if !digit_run_start(s, i) {
        return None;
    }
    let n = digits(s, i, usize::MAX);
    (n >= MIN_ID_DIGITS).then_some((i + n, ID))
}

#[cfg(test)]
mod tests {
    use super::strict_sanitize as st;

    #[test]
    fn compatibility_forms_match_and_the_original_text_stays() {
        let cases = [
            (
                "ｃａｌｌ （５５５） １２３－４５６７ now",
                "ｃａｌｌ [REDACTED-PHONE] now",
            ),
            (
                "ssn 123\u{2011}45\u{2011}6789 — done",
                "ssn [REDACTED-SSN] — done",
            ),
            ("ssn 123\u{ad}45\u{ad}6789", "ssn [REDACTED-SSN]"),
            (
                "call [555] 123-4567 or 555/123-4567",
                "call [REDACTED-PHONE] or [REDACTED-PHONE]",
            ),
            ("mail jane.doe＠example.org", "mail [REDACTED-EMAIL]"),
            ("ＭＲＮ１２３４５ missing", "ＭＲＮ[REDACTED-ID] missing"),
            ("version ２.１０.４ – fine", "version ２.１０.４ – fine"),
        ];
        for (input, want) in cases {
            assert_eq!(st(input, 200), want, "{input}");
        }
    }

    #[test]
    fn examples() {
        let cases = [
            ("id5101880252732687x", "id[REDACTED-ID]x"),
            (
                "ssn 123-45-6789 / 123 45 6789",
                "ssn [REDACTED-SSN] / [REDACTED-SSN]",
            ),
            ("a123456789b", "a[REDACTED-SSN]b"),
            ("(555) 123-4567", "[REDACTED-PHONE]"),
            ("+1 555 123 4567", "[REDACTED-PHONE]"),
            ("+1-555-123-4567", "[REDACTED-PHONE]"),
            ("1-555-123-4567", "[REDACTED-PHONE]"),
            ("+1 (555) 123-4567 ext. 12", "[REDACTED-PHONE]"),
            ("call_555-123-4567_now", "call_[REDACTED-PHONE]_now"),
            ("555.123.4567x99", "[REDACTED-PHONE]"),
            ("555-123-4567 #123", "[REDACTED-PHONE]"),
            ("t5551234567", "t[REDACTED-PHONE]"),
            (
                "user_jane.doe+x@mail.example.co.uk_now",
                "[REDACTED-EMAIL]_now",
            ),
            ("ip 10.0.0.1:5432 v1.2.3", "ip [REDACTED-IP]:5432 v1.2.3"),
            ("peer fe80::1%eth0.", "peer [REDACTED-IP]%eth0."),
            (
                "peer [2001:db8::ff00:42:8329]:443",
                "peer [[REDACTED-IP]]:443",
            ),
            ("::ffff:192.168.0.1", "[REDACTED-IP]"),
            (
                "Vec::new Cache::add 18:41:55",
                "Vec::new Cache::add 18:41:55",
            ),
            (
                "MRN: A1234567 member #XZ-99812",
                "MRN: [REDACTED-ID] member #[REDACTED-ID]",
            ),
            (
                "acct 00123, policy no. PLC-2231-A",
                "acct [REDACTED-ID], policy no. [REDACTED-ID]",
            ),
            ("remember 12345 accountant", "remember 12345 accountant"),
            ("١٢٣-٤٥-٦٧٨٩x", "[REDACTED-SSN]x"),
            ("x١٢٣४५६७८９y", "x[REDACTED-SSN]y"),
        ];
        for (input, want) in cases {
            assert_eq!(st(input, 500), want, "input {input:?}");
        }
    }

    #[test]
    fn benign_untouched() {
        let benign = "v2.10.4 1.2.3 :8080 port 5432 HTTP 503 1500ms 30s 2026-03-11 \
                      18:41:55 build 2026.03.11.1 retry 3 of 5 1.3.6.1.4.1";
        let collapsed = super::super::sanitize_error_message(benign, 500);
        assert_eq!(st(benign, 500), collapsed);
    }
}
