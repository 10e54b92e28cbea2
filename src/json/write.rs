//! The one JSON writer: the emitted line, byte for byte what the reference's `LoggingSink`
//! writes (`json.dumps(event, separators=(",", ":"), ensure_ascii=False)`) for the same JSON
//! input, and the integrity chain's canonical text (the same with `sort_keys=True`).
//!
//! Python's `json.dumps` escapes `"`, `\` and the control characters below U+0020 only
//! (`\n \r \t \b \f` by name, the others as `\u00xx`), writes every other character raw,
//! integers in decimal (a JSON `-0` is the integer 0) and floats as `float.__repr__`.

use std::fmt::Write as _;

use crate::json::read::Lite;

/// Append `s` as a JSON string the way Python's `json.dumps(..., ensure_ascii=False)` (and
/// `serde_json`) write it: runs without a byte to escape are copied whole.
pub(crate) fn write_str(s: &str, out: &mut String) {
    let bytes = s.as_bytes();
    let run = crate::json::read::plain_run(bytes);
    if run == bytes.len() {
        // The common case: nothing to escape.
        out.reserve(bytes.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    write_escaped(s, run, out);
}

/// [`write_str`] of a string whose first byte to escape is at `run`.
#[inline(never)]
fn write_escaped(s: &str, run: usize, out: &mut String) {
    out.reserve(s.len() + 8);
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = run;
    loop {
        out.push_str(s.get(start..i).unwrap_or(""));
        let Some(&b) = bytes.get(i) else { break };
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
        start = i + 1;
        i = start + crate::json::read::plain_run(bytes.get(start..).unwrap_or(&[]));
    }
    out.push('"');
}

/// Append a JSON number text (checked against the grammar) as Python writes the value
/// `json.loads` reads from it: an integer as its digits (`-0` as `0`), anything with a
/// fraction or an exponent as a float's `repr`.
pub(crate) fn write_num(text: &str, out: &mut String) {
    if !text.contains(['.', 'e', 'E']) {
        out.push_str(if text == "-0" { "0" } else { text });
        return;
    }
    match crate::json::num::parse_json_f64(text) {
        Some(f) => py_float(f, out),
        None => out.push_str(text),
    }
}

/// Append a float as Python's `float.__repr__` (and `json.dumps` for non-finite values):
/// shortest round-trip digits; exponent form `d[.ddd]e±XX` when the decimal exponent is < -4
/// or >= 16; otherwise fixed with at least one fractional digit.
pub(crate) fn py_float(v: f64, out: &mut String) {
    if v.is_nan() {
        out.push_str("NaN");
        return;
    }
    if v.is_infinite() {
        out.push_str(if v > 0.0 { "Infinity" } else { "-Infinity" });
        return;
    }
    if v == 0.0 {
        out.push_str(if v.is_sign_negative() { "-0.0" } else { "0.0" });
        return;
    }
    let (neg, digits, exp) = crate::json::num::shortest_digits(v);
    if neg {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        if exp >= 0 {
            let int_len = (exp as usize) + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                for _ in digits.len()..int_len {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(
            out,
            "e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.unsigned_abs()
        );
    }
}

/// Append `v` as the emitted line writes it: members in their order.
pub(crate) fn line(v: &Lite<'_>, out: &mut String) {
    match v {
        Lite::Null => out.push_str("null"),
        Lite::Bool(true) => out.push_str("true"),
        Lite::Bool(false) => out.push_str("false"),
        Lite::Num(t) => write_num(t, out),
        Lite::Str(s) => write_str(s, out),
        Lite::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                line(item, out);
            }
            out.push(']');
        }
        Lite::Obj(members) => {
            out.push('{');
            for (i, (k, v)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(k, out);
                out.push(':');
                line(v, out);
            }
            out.push('}');
        }
    }
}

/// Append `v` as Python's `json.dumps(v, sort_keys=True, separators=(",", ":"),
/// ensure_ascii=False)`; with `skip_integrity`, a top-level `integrity` member is left out
/// (the chain hash covers the event without it).
pub(crate) fn canonical(v: &Lite<'_>, out: &mut String, skip_integrity: bool) {
    match v {
        Lite::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out, false);
            }
            out.push(']');
        }
        Lite::Obj(members) => {
            let mut sorted: Vec<&(std::borrow::Cow<'_, str>, Lite<'_>)> = members
                .iter()
                .filter(|(k, _)| !(skip_integrity && k == "integrity"))
                .collect();
            crate::json::sort::sort_by(&mut sorted, |a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, v)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(k, out);
                out.push(':');
                canonical(v, out, false);
            }
            out.push('}');
        }
        other => line(other, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_written_as_python_and_serde_json_write_them() {
        for s in [
            "",
            "plain",
            "\"\\/",
            "\u{0}\u{8}\u{c}\n\r\t\u{1f}\u{7f}",
            "é😀\u{2028}",
        ] {
            let mut out = String::new();
            write_str(s, &mut out);
            assert_eq!(out, serde_json::to_string(s).unwrap());
        }
    }

    #[test]
    fn numbers_are_written_as_python_writes_what_it_reads() {
        for (text, py) in [
            ("0", "0"),
            ("-0", "0"),
            (
                "123456789012345678901234567890",
                "123456789012345678901234567890",
            ),
            ("1.0", "1.0"),
            ("-0.0", "-0.0"),
            ("1e300", "1e+300"),
            ("1E2", "100.0"),
            ("1.5e-7", "1.5e-07"),
            ("0.0001", "0.0001"),
            ("1e16", "1e+16"),
            ("123.456", "123.456"),
        ] {
            let mut out = String::new();
            write_num(text, &mut out);
            assert_eq!(out, py, "{text}");
        }
    }
}
