//! Float text conversions: printing reuses zmij (serde_json's float printer) for the shortest
//! round-trip digits, so the wasm binary carries one printer; parsing is core's correctly
//! rounded `str::parse::<f64>` (Eisel-Lemire), the one float reader of the crate (serde_json's
//! deserializer, with its own, is not linked into the wasm).
//!
//! The tests below compare them with core's formatting on special values and random inputs.

/// The shortest decimal digits that round-trip to `v` and the decimal exponent of the
/// first digit: `v = 0.d1d2d3… × 10^(exp+1)`, i.e. what `format!("{v:e}")` writes as
/// `d1.d2d3…e{exp}`. `v` must be finite and non-zero. Returns (negative, digits, exp);
/// `digits` has no leading or trailing zeros.
pub(crate) fn shortest_digits(v: f64) -> (bool, String, i32) {
    let mut buf = zmij::Buffer::new();
    let text = buf.format_finite(v);
    let (neg, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, e) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let int = int.trim_start_matches('0');
    let mut digits = String::with_capacity(int.len() + frac.len());
    let exp = if int.is_empty() {
        let significant = frac.trim_start_matches('0');
        digits.push_str(significant);
        e - (frac.len() - significant.len()) as i32 - 1
    } else {
        digits.push_str(int);
        digits.push_str(frac);
        e + int.len() as i32 - 1
    };
    let kept = digits.trim_end_matches('0').len();
    digits.truncate(kept);
    (neg, digits, exp)
}

/// The value of a JSON number text (`-? int frac? exp?`, already checked against the JSON
/// grammar), correctly rounded; ±infinity beyond the f64 range. Equal to
/// `text.parse::<f64>().ok()`: core's parser (Eisel-Lemire), the one float reader of the
/// crate (serde_json's deserializer is not linked into the wasm).
pub(crate) fn parse_json_f64(text: &str) -> Option<f64> {
    text.parse::<f64>().ok()
}

/// Whether a JSON number text (already checked against the grammar) is finite as an f64:
/// `parse_json_f64(text).is_some_and(f64::is_finite)`, without parsing in the common case
/// (no exponent and at most 308 integer digits: below 10^308, so finite).
pub(crate) fn json_number_is_finite(text: &str) -> bool {
    let digits = text.trim_start_matches('-');
    let int_len = digits.find('.').unwrap_or(digits.len());
    if int_len <= 308 && !text.contains(['e', 'E']) {
        return true;
    }
    parse_json_f64(text).is_some_and(f64::is_finite)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digits and exponent read back from core's `{:e}` (the oracle).
    fn core_digits(v: f64) -> (bool, String, i32) {
        let sci = format!("{v:e}");
        let (mantissa, exp) = sci.split_once('e').unwrap();
        let (neg, mantissa) = match mantissa.strip_prefix('-') {
            Some(m) => (true, m),
            None => (false, mantissa),
        };
        (neg, mantissa.replace('.', ""), exp.parse().unwrap())
    }

    fn special_floats() -> Vec<f64> {
        let mut v = vec![
            1.0,
            -1.0,
            0.1,
            0.2,
            0.3,
            1e-5,
            1e-4,
            1e15,
            1e16,
            1e17,
            1e21,
            1e22,
            1e23,
            123456789012345680.0,
            5e-324,
            -5e-324,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            9007199254740993.0,
            0.000001,
            1.7976931348623157e308,
        ];
        for t in ["2.2250738585072009e-308", "4.9406564584124654e-324"] {
            v.push(t.parse().unwrap());
        }
        for e in -330..310 {
            v.push(format!("1e{e}").parse().unwrap());
            v.push(format!("9.999999999999999e{e}").parse().unwrap());
            v.push(format!("1.5e{e}").parse().unwrap());
        }
        for p in -1074..1024 {
            v.push(2f64.powi(p));
        }
        v.retain(|f| f.is_finite() && *f != 0.0);
        v
    }

    /// Equal to core's `{:e}`, except where the exact value lies halfway between the two
    /// nearest shortest candidates (2^-25 = 2.98023223876953125e-8): core rounds the tie
    /// up, while zmij, Python's `repr` and JavaScript round it to even
    /// (`2.9802322387695312e-08` in Python), which is what the integrity hash needs
    /// (checked against Python's `repr` on 300,000 random floats: no difference).
    fn check(v: f64, ties: &mut usize) {
        let ours = shortest_digits(v);
        let core = core_digits(v);
        if ours != core {
            let (a, b) = (ours.1.as_bytes(), core.1.as_bytes());
            let n = a.len();
            let tie = n >= 16
                && b.len() == n
                && ours.0 == core.0
                && ours.2 == core.2
                && a[..n - 1] == b[..n - 1]
                && a[n - 1] % 2 == 0
                && b[n - 1] == a[n - 1] + 1;
            assert!(tie, "{v:e}: {ours:?} vs {core:?}");
            *ties += 1;
        }
    }

    #[test]
    fn shortest_digits_equal_core() {
        let mut ties = 0;
        for v in special_floats() {
            check(v, &mut ties);
        }
        assert_eq!(shortest_digits(2f64.powi(-25)).1, "29802322387695312");
        let mut rng = crate::test_rng::XorShift::new(0x9E37_79B9_7F4A_7C15);
        let mut n = 0;
        while n < 400_000 {
            let v = f64::from_bits(rng.u64());
            if v.is_finite() && v != 0.0 {
                check(v, &mut ties);
                n += 1;
            }
        }
        // Short decimal values (the usual case in events: 0.5, 12.25, 3.14159).
        for i in 0..200_000u64 {
            let v = (rng.u64() % 10_000_000) as f64 / [1.0, 10.0, 100.0, 1e3, 1e5][i as usize % 5];
            if v != 0.0 {
                check(v, &mut ties);
            }
        }
        assert!(ties < 1000, "{ties} ties");
    }

    #[test]
    #[ignore = "writes /tmp/bh_floats.txt for a cross-check with Python's repr"]
    fn dump_for_python() {
        use std::fmt::Write as _;
        let mut out = String::new();
        let mut rng = crate::test_rng::XorShift::new(0x1234_5678_9ABC_DEF1);
        let mut all = special_floats();
        for _ in 0..300_000 {
            all.push(f64::from_bits(rng.u64()));
        }
        for v in all.into_iter().filter(|v| v.is_finite() && *v != 0.0) {
            let (neg, d, e) = shortest_digits(v);
            let _ = writeln!(out, "{:016x} {} {d} {e}", v.to_bits(), u8::from(neg));
        }
        std::fs::write("/tmp/bh_floats.txt", out).unwrap();
    }

    #[test]
    fn finite_check_equals_parse() {
        let nines = |n: usize| "9".repeat(n);
        for t in [
            "0".to_string(),
            "-0.5".into(),
            nines(308),
            nines(309),
            format!("-{}", nines(309)),
            format!("{}.5", nines(308)),
            format!("{}.5", nines(309)),
            "1e308".into(),
            "1e309".into(),
            "-1.8e308".into(),
            "0.0000e999".into(),
            "1E-999".into(),
        ] {
            let core = t.parse::<f64>().unwrap().is_finite();
            assert_eq!(json_number_is_finite(&t), core, "{t}");
        }
    }
}
