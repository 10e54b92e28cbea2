//! The one JSON reader: objects as vectors of members in document order (no hashing),
//! strings borrowed from the input unless they hold escapes, numbers kept as their source
//! text (so the emitted line writes them as the reference would, and integers of any size
//! survive). Every call, event and validated text goes through it.
//!
//! It accepts exactly what `serde_json` accepts (a duplicate name keeps its first position and
//! takes the last value, as `serde_json` with `preserve_order` and Python's `json.loads` do),
//! and refuses with a [`ReadError`] what the pipeline must report: syntax errors, lone
//! surrogates, numbers beyond the f64 range, nesting deeper than [`MAX_DEPTH`].
//!
//! [`parse_python`] is the same reader in the mode trails written by Python need (the chain
//! verifier and the trail report read every line with it): Python's `json.loads` also takes
//! `NaN`, `Infinity` and `-Infinity` (kept as their text, written back as Python writes
//! them), numbers of any size (an integer keeps its digits; a float beyond the f64 range is
//! infinite, as in Python), and nesting up to [`MAX_DEPTH_PYTHON`].

use std::borrow::Cow;

use serde_json::Value;

use crate::Error;

/// A parsed JSON value borrowing from the input text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lite<'a> {
    Null,
    Bool(bool),
    /// The number's text, checked against the JSON grammar and the f64 range.
    Num(Cow<'a, str>),
    Str(Cow<'a, str>),
    Arr(Vec<Lite<'a>>),
    /// Members in document order; names are unique.
    Obj(Vec<(Cow<'a, str>, Lite<'a>)>),
}

/// Members of an object.
pub(crate) type Members<'a> = Vec<(Cow<'a, str>, Lite<'a>)>;

/// Nesting deeper than this is refused (serde_json's limit).
pub(crate) const MAX_DEPTH: usize = 128;
/// Nesting deeper than this is refused by [`parse_python`] (Python's own limit is its
/// recursion limit, about 1,000).
pub(crate) const MAX_DEPTH_PYTHON: usize = 512;
/// Up to this many members, duplicate names are found as the object is read; larger objects
/// are checked once at their end, with a hash set.
const SMALL_OBJECT: usize = 64;

/// Why a text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadError {
    /// Not JSON; the byte offset where reading stopped.
    Syntax(usize),
    /// A `\u` escape of a lone surrogate (or an invalid escape).
    Surrogate,
    /// A number beyond the f64 range.
    Range,
    /// Nested deeper than [`MAX_DEPTH`].
    Depth,
}

impl ReadError {
    /// A message naming the problem, never the text.
    pub(crate) fn message(self) -> String {
        match self {
            ReadError::Syntax(at) => format!("input is not valid: not json (at byte {at})"),
            ReadError::Surrogate => {
                "input holds a lone surrogate or invalid unicode escape".to_string()
            }
            ReadError::Range => "input is not valid: a number is out of range".to_string(),
            ReadError::Depth => "input is nested too deeply".to_string(),
        }
    }
}

/// Parse `text`.
pub(crate) fn parse(text: &str) -> Result<Lite<'_>, ReadError> {
    parse_at(text, false).map_err(|(e, _)| e)
}

/// Parse `text` as Python's `json.loads` reads it (see the [module documentation](self)).
pub(crate) fn parse_python(text: &str) -> Result<Lite<'_>, ReadError> {
    parse_at(text, true).map_err(|(e, _)| e)
}

/// Parse `text` into a `serde_json::Value` (the one JSON reader for `Value`s too: options,
/// schemas, events given as text); errors as [`parse_doc`].
pub(crate) fn parse_value(text: &str) -> Result<Value, Error> {
    parse_doc(text).map(|doc| doc.to_value())
}

/// [`parse`], refusals as [`Error::Json`] with the line and the column (from 1, in UTF-8
/// bytes) where reading stopped and a fixed phrase, never the text.
pub(crate) fn parse_doc(text: &str) -> Result<Lite<'_>, Error> {
    match parse_at(text, false) {
        Ok(doc) => Ok(doc),
        Err((e, at)) => {
            let before = text.get(..at).unwrap_or(text);
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            // In UTF-8 bytes of the line, as `index.d.ts` documents (and serde_json counted).
            let mut column = before.len() - line_start + 1;
            let message = match e {
                ReadError::Syntax(_) if at >= text.len() => {
                    // Where the text ends: the column of its last character.
                    column = column.saturating_sub(1).max(1);
                    "unexpected end of input"
                }
                ReadError::Syntax(_) => "invalid json",
                ReadError::Surrogate => "lone surrogate or invalid unicode escape",
                ReadError::Range => "number out of range",
                ReadError::Depth => "recursion limit exceeded",
            };
            Err(Error::Json {
                line: before.matches('\n').count() + 1,
                column,
                message: message.to_string(),
            })
        }
    }
}

/// [`parse`] (or [`parse_python`]), with the byte offset where reading stopped on an error.
fn parse_at(text: &str, python: bool) -> Result<Lite<'_>, (ReadError, usize)> {
    let mut p = Reader {
        src: text,
        s: text.as_bytes(),
        i: 0,
        stack: Vec::with_capacity(32),
        err: None,
        python,
    };
    p.ws();
    let v = p.value(0);
    let v = match v {
        Some(v) => v,
        None => return Err((p.err.unwrap_or(ReadError::Syntax(p.i)), p.i)),
    };
    p.ws();
    if p.i == p.s.len() {
        Ok(v)
    } else {
        Err((ReadError::Syntax(p.i), p.i))
    }
}

struct Reader<'a> {
    src: &'a str,
    s: &'a [u8],
    i: usize,
    /// Members of the objects being read, innermost last: each object takes its members off
    /// the top when it ends, into a vector of exactly their number (one small allocation
    /// instead of growing 4, 8, 16).
    stack: Vec<(Cow<'a, str>, Lite<'a>)>,
    /// Why reading stopped, when it was not a syntax error.
    err: Option<ReadError>,
    /// Python's `json.loads` (see [`parse_python`]).
    python: bool,
}

impl<'a> Reader<'a> {
    /// The next byte, or 0 at the end (a raw NUL is never valid JSON, so every match on it
    /// fails where the end of the text would).
    #[inline(always)]
    fn peek(&self) -> u8 {
        self.s.get(self.i).copied().unwrap_or(0)
    }

    fn fail<T>(&mut self, e: ReadError) -> Option<T> {
        self.err = Some(e);
        None
    }

    fn ws(&mut self) {
        while matches!(self.peek(), b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn lit(&mut self, word: &[u8], v: Lite<'a>) -> Option<Lite<'a>> {
        if self.s.get(self.i..self.i + word.len())? == word {
            self.i += word.len();
            Some(v)
        } else {
            None
        }
    }

    fn value(&mut self, depth: usize) -> Option<Lite<'a>> {
        if depth
            >= if self.python {
                MAX_DEPTH_PYTHON
            } else {
                MAX_DEPTH
            }
        {
            return self.fail(ReadError::Depth);
        }
        match self.peek() {
            b'n' => self.lit(b"null", Lite::Null),
            b't' => self.lit(b"true", Lite::Bool(true)),
            b'f' => self.lit(b"false", Lite::Bool(false)),
            b'"' => self.string().map(Lite::Str),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == b']' {
                    self.i += 1;
                    return Some(Lite::Arr(items));
                }
                loop {
                    self.ws();
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.peek() {
                        b',' => self.i += 1,
                        b']' => {
                            self.i += 1;
                            return Some(Lite::Arr(items));
                        }
                        _ => return None,
                    }
                }
            }
            b'{' => {
                self.i += 1;
                self.ws();
                if self.peek() == b'}' {
                    self.i += 1;
                    return Some(Lite::Obj(Vec::new()));
                }
                let base = self.stack.len();
                // One bit per name seen, from a hash of the name: earlier names are compared
                // only when the bit of a new name is already set.
                let mut seen = 0u64;
                loop {
                    self.ws();
                    if self.peek() != b'"' {
                        return None;
                    }
                    let key = self.string()?;
                    self.ws();
                    if self.peek() != b':' {
                        return None;
                    }
                    self.i += 1;
                    self.ws();
                    let v = self.value(depth + 1)?;
                    let count = self.stack.len() - base;
                    let mut dup = None;
                    if count < SMALL_OBJECT {
                        let bit = name_bit(key.as_bytes());
                        if seen & bit != 0 {
                            // Compared in words, without a `memcmp` call per earlier member.
                            dup = self.stack.get(base..)?.iter().position(|(k, _)| {
                                crate::validator::bytes_eq(k.as_bytes(), key.as_bytes())
                            });
                        }
                        seen |= bit;
                    }
                    match dup.and_then(|at| self.stack.get_mut(base + at)) {
                        Some(slot) => slot.1 = v,
                        None => self.stack.push((key, v)),
                    }
                    self.ws();
                    match self.peek() {
                        b',' => self.i += 1,
                        b'}' => {
                            self.i += 1;
                            let mut members: Members<'a> = self.stack.drain(base..).collect();
                            if members.len() > SMALL_OBJECT {
                                dedupe(&mut members);
                            }
                            return Some(Lite::Obj(members));
                        }
                        _ => return None,
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number(),
            b'N' | b'I' if self.python => self.non_finite(),
            _ => None,
        }
    }

    /// Python's `NaN`, `Infinity` and `-Infinity`, kept as their text.
    fn non_finite(&mut self) -> Option<Lite<'a>> {
        let start = self.i;
        let word: &[u8] = match self.peek() {
            b'N' => b"NaN",
            b'I' => b"Infinity",
            _ => b"-Infinity",
        };
        if self.s.get(start..start + word.len())? != word {
            return None;
        }
        self.i += word.len();
        self.src
            .get(start..self.i)
            .map(|t| Lite::Num(Cow::Borrowed(t)))
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, finite as an f64.
    fn number(&mut self) -> Option<Lite<'a>> {
        let start = self.i;
        let digits = |r: &mut Self| {
            let from = r.i;
            while r.peek().is_ascii_digit() {
                r.i += 1;
            }
            r.i - from
        };
        if self.peek() == b'-' {
            if self.python && self.s.get(self.i + 1) == Some(&b'I') {
                return self.non_finite();
            }
            self.i += 1;
        }
        match self.peek() {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                digits(self);
            }
            _ => return None,
        }
        if self.peek() == b'.' {
            self.i += 1;
            if digits(self) == 0 {
                return None;
            }
        }
        if matches!(self.peek(), b'e' | b'E') {
            self.i += 1;
            if matches!(self.peek(), b'+' | b'-') {
                self.i += 1;
            }
            if digits(self) == 0 {
                return None;
            }
        }
        let text = self.src.get(start..self.i)?;
        if !self.python && !crate::json::num::json_number_is_finite(text) {
            return self.fail(ReadError::Range);
        }
        Some(Lite::Num(Cow::Borrowed(text)))
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.src.get(self.i..self.i + 4)?;
        if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.i += 4;
        u32::from_str_radix(h, 16).ok()
    }

    #[inline(always)]
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.i += 1; // opening quote
        let start = self.i;
        self.i += plain_run(self.s.get(start..)?);
        match self.peek() {
            b'"' => {
                let s = self.src.get(start..self.i)?;
                self.i += 1;
                return Some(Cow::Borrowed(s));
            }
            b'\\' => {}
            _ => return None,
        }
        let mut out = String::from(self.src.get(start..self.i)?);
        loop {
            match self.peek() {
                b'"' => {
                    self.i += 1;
                    return Some(Cow::Owned(out));
                }
                b'\\' => {
                    self.i += 1;
                    let e = *self.s.get(self.i)?;
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi) {
                                if self.s.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return self.fail(ReadError::Surrogate);
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return self.fail(ReadError::Surrogate);
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            match char::from_u32(cp) {
                                Some(c) => out.push(c),
                                None => return self.fail(ReadError::Surrogate),
                            }
                        }
                        _ => return None,
                    }
                }
                c if c < 0x20 => return None,
                _ => {
                    // Copy one whole UTF-8 sequence (the input is a &str).
                    let from = self.i;
                    self.i += 1;
                    while matches!(self.peek(), 0x80..=0xBF) {
                        self.i += 1;
                    }
                    out.push_str(self.src.get(from..self.i)?);
                }
            }
        }
    }
}

/// Merge duplicate names of a large object: the first position, the last value. Names are
/// sorted (stably, so equal names keep their order) to find the duplicates in O(n log n).
fn dedupe(members: &mut Members<'_>) {
    let mut order: Vec<usize> = (0..members.len()).collect();
    crate::json::sort::sort_by(&mut order, |&a, &b| {
        let name = |i: usize| members.get(i).map_or(&[][..], |m| m.0.as_bytes());
        name(a).cmp(name(b))
    });
    let mut keep = vec![true; members.len()];
    let mut moves = Vec::new();
    let mut run = 0;
    for i in 1..=order.len() {
        let same = |x: Option<&usize>, y: Option<&usize>| match (x, y) {
            (Some(&x), Some(&y)) => members.get(x).map(|m| &m.0) == members.get(y).map(|m| &m.0),
            _ => false,
        };
        if i < order.len() && same(order.get(run), order.get(i)) {
            continue;
        }
        if i - run > 1 {
            if let (Some(&first), Some(&last)) = (order.get(run), order.get(i - 1)) {
                moves.push((last, first));
            }
            for &j in order.get(run + 1..i).unwrap_or(&[]) {
                if let Some(k) = keep.get_mut(j) {
                    *k = false;
                }
            }
        }
        run = i;
    }
    if moves.is_empty() {
        return;
    }
    for (from, to) in moves {
        let v = members
            .get_mut(from)
            .map(|m| std::mem::replace(&mut m.1, Lite::Null));
        if let (Some(v), Some(slot)) = (v, members.get_mut(to)) {
            slot.1 = v;
        }
    }
    let mut i = 0;
    members.retain(|_| {
        let k = keep.get(i).copied().unwrap_or(true);
        i += 1;
        k
    });
}

/// One of 64 bits for a member name, from its length and first and last bytes.
#[inline(always)]
fn name_bit(name: &[u8]) -> u64 {
    let at = |i: usize| u32::from(name.get(i).copied().unwrap_or(0));
    let n = name.len();
    let h = (n as u32) ^ (at(0) << 8) ^ (at(n.wrapping_sub(1)) << 16);
    1 << (h.wrapping_mul(0x9E37_79B1) >> 26)
}

/// Bytes `json.dumps` writes escaped (and a JSON string may not hold raw): `"`, `\\` and the
/// C0 controls.
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// The length of the leading run of `s` without `"`, `\\` or control characters: eight bytes
/// at a time while the run is long (the bulk of an event's text is such runs), then by table.
#[inline]
pub(crate) fn plain_run(s: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    for w in s.chunks_exact(8) {
        let Ok(w) = <[u8; 8]>::try_from(w) else { break };
        let w = u64::from_le_bytes(w);
        // A high bit is set where a byte may be special (a zero byte after the xor, or a byte
        // below 0x20); a false alarm only costs the byte scan below.
        let zero = |x: u64| x.wrapping_sub(ONES) & !x;
        let quote = zero(w ^ (ONES * u64::from(b'"')));
        let backslash = zero(w ^ (ONES * u64::from(b'\\')));
        let control = w.wrapping_sub(ONES * 0x20) & !w;
        if (quote | backslash | control) & HIGH != 0 {
            break;
        }
        i += 8;
    }
    while let Some(&b) = s.get(i) {
        if SPECIAL[usize::from(b)] {
            break;
        }
        i += 1;
    }
    i
}

/// A number text (checked against the grammar) as serde_json reads it: an integer that fits
/// `i64` or `u64` as that integer, anything else (`-0` included) as the nearest f64.
pub(crate) fn num_value(t: &str) -> Value {
    num_number(t).map_or(Value::Null, Value::Number)
}

/// [`num_value`]'s number (`None` where it gives `null`: beyond the f64 range).
pub(crate) fn num_number(t: &str) -> Option<serde_json::Number> {
    if t != "-0" && !t.contains(['.', 'e', 'E']) {
        if let Ok(i) = t.parse::<i64>() {
            return Some(i.into());
        }
        if let Ok(u) = t.parse::<u64>() {
            return Some(u.into());
        }
    }
    crate::json::num::parse_json_f64(t).and_then(serde_json::Number::from_f64)
}

impl Lite<'_> {
    /// The same value as a `serde_json::Value` (for the few keywords checked on `Value`s).
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Lite::Null => Value::Null,
            Lite::Bool(b) => Value::Bool(*b),
            Lite::Num(t) => num_value(t),
            Lite::Str(s) => Value::String(s.to_string()),
            Lite::Arr(a) => Value::Array(a.iter().map(Lite::to_value).collect()),
            Lite::Obj(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_serde_reads_and_gives_up_on_the_unusual() {
        for ok in [
            r#"{"a":[1,-0.5e3,true,null,"x\u00e9\ud83d\ude00\n"],"b":{}}"#,
            " [ ] ",
            r#""\/""#,
            "0",
            "-0",
        ] {
            let lite = parse(ok).unwrap_or_else(|e| panic!("{ok}: {e:?}"));
            let serde: Value = serde_json::from_str(ok).unwrap();
            assert_eq!(lite.to_value(), serde, "{ok}");
        }
        for bad in [
            "",
            "01",
            "1.",
            "-",
            "+1",
            "1e400",
            r#""\ud800""#,
            "[1,]",
            "{\"a\" 1}",
            "nul",
            "1 2",
            "\"\u{1}\"",
            "\u{feff}1",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn duplicate_names_keep_the_first_place_and_the_last_value_in_objects_of_any_size() {
        for n in [2, 63, 64, 65, 300] {
            let mut text = String::from("{");
            for i in 0..n {
                text.push_str(&format!("\"k{i}\":{i},"));
            }
            text.push_str("\"k0\":\"last\",\"k1\":true}");
            let lite = parse(&text).unwrap();
            let serde: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(lite.to_value(), serde, "{n} members");
            let Lite::Obj(m) = lite else { panic!() };
            assert_eq!(m.len(), n);
            assert_eq!(
                m[0],
                (Cow::Borrowed("k0"), Lite::Str(Cow::Borrowed("last")))
            );
        }
    }

    #[test]
    fn refusals_say_why() {
        assert_eq!(parse(r#"["\ud800"]"#), Err(ReadError::Surrogate));
        assert_eq!(parse("[1e400]"), Err(ReadError::Range));
        assert_eq!(parse(&"[".repeat(129)), Err(ReadError::Depth));
        assert!(parse(&format!("{}{}", "[".repeat(127), "]".repeat(127))).is_ok());
        assert_eq!(parse("[1,]"), Err(ReadError::Syntax(3)));
    }

    /// Errors name the line and the byte column where reading stopped (the column of the last
    /// character at the end of the text), with a fixed phrase and nothing of the text.
    #[test]
    fn parse_value_errors_give_line_byte_column_and_no_text() {
        let cases: &[(&str, usize, usize, &str)] = &[
            ("{\n  \"a\": ,\n}", 2, 8, "invalid json"),
            (
                "{\"note\": \"h\u{e9}llo w\u{f6}rld\", oops}",
                1,
                27,
                "invalid json",
            ),
            ("{", 1, 1, "unexpected end of input"),
            ("[1,\n 2", 2, 2, "unexpected end of input"),
            (
                "[\"\\ud800\"]",
                1,
                9,
                "lone surrogate or invalid unicode escape",
            ),
            ("[1e999]", 1, 7, "number out of range"),
            ("{} x", 1, 4, "invalid json"),
        ];
        for &(text, line, column, message) in cases {
            match parse_value(text) {
                Err(Error::Json {
                    line: l,
                    column: c,
                    message: m,
                }) => assert_eq!((l, c, m.as_str()), (line, column, message), "{text:?}"),
                other => panic!("{text:?}: {other:?}"),
            }
        }
        let deep = "[".repeat(200);
        assert!(
            matches!(parse_value(&deep), Err(Error::Json { message, .. }) if message == "recursion limit exceeded")
        );
        assert_eq!(
            parse_value(r#"{"a":[1,-0,1.5,18446744073709551615,-9223372036854775809]}"#).unwrap(),
            serde_json::from_str::<Value>(
                r#"{"a":[1,-0,1.5,18446744073709551615,-9223372036854775809]}"#
            )
            .unwrap()
        );
    }

    #[test]
    fn plain_run_stops_at_the_first_special_byte() {
        let naive = |s: &[u8]| {
            s.iter()
                .position(|&c| c == b'"' || c == b'\\' || c < 0x20)
                .unwrap_or(s.len())
        };
        let alphabet = [
            b'a', b'"', b'\\', 0, 0x1f, 0x20, 0x21, 0x5b, 0x5d, 0x7f, 0x80, 0xff,
        ];
        let mut rng = crate::test_rng::XorShift::new(0x9e37_79b9_7f4a_7c15);
        for _ in 0..20_000 {
            let x = rng.u64();
            let len = (x % 40) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|i| {
                    let r = x.rotate_left(i as u32 * 5);
                    // Mostly plain bytes, so that runs are long.
                    if r % 7 == 0 {
                        alphabet[(r >> 8) as usize % alphabet.len()]
                    } else {
                        b'a' + (r >> 16) as u8 % 26
                    }
                })
                .collect();
            assert_eq!(plain_run(&bytes), naive(&bytes), "{bytes:?}");
        }
    }

    /// Whenever the light reader accepts a text, serde_json reads the same value from it.
    #[test]
    fn random_texts_read_like_serde() {
        const PIECES: &[&str] = &[
            "{",
            "}",
            "[",
            "]",
            "\"",
            "\\",
            "\\u",
            "00e9",
            "d83d",
            "\\ude00",
            ":",
            ",",
            "1",
            "-",
            "0",
            ".",
            "e",
            "E",
            "+",
            "12345678901234567890",
            "1e308",
            "1e309",
            "true",
            "null",
            "false",
            " ",
            "\n",
            "\t",
            "\u{1}",
            "é",
            "😀",
            "\"k\"",
            "\"k\":",
            "\"a\":1",
            "/",
            "\\/",
            "\\n",
        ];
        let mut rng = crate::test_rng::XorShift::new(0x2545_f491_4f6c_dd1d);
        let mut next = move |n: usize| rng.below(n);
        let mut accepted = 0;
        for _ in 0..200_000 {
            let len = 1 + next(12);
            let text: String = (0..len).map(|_| PIECES[next(PIECES.len())]).collect();
            match (parse(&text), serde_json::from_str::<Value>(&text)) {
                (Ok(lite), Ok(serde)) => {
                    accepted += 1;
                    assert_eq!(lite.to_value(), serde, "{text:?}");
                }
                (Err(_), Err(_)) => {}
                (Ok(_), Err(e)) => panic!("{text:?}: serde rejects ({e})"),
                (Err(e), Ok(_)) => panic!("{text:?}: refused ({e:?}), serde accepts"),
            }
        }
        assert!(
            accepted > 1000,
            "only {accepted} texts accepted: the generator is too weak"
        );
    }
}
