//! Checkers for the `format` values this crate asserts.
//!
//! Asserted: `uuid`, `date-time`, `date`, `time`, `ipv4`, `ipv6`. Every other format
//! name is treated as an annotation and never fails (see [`Format::from_name`]).
//! All checks are ASCII-only byte scans; they never allocate.

/// A format the validator asserts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// RFC 4122 text form: 8-4-4-4-12 hexadecimal digits (any version).
    Uuid,
    /// RFC 3339 `date-time`.
    DateTime,
    /// RFC 3339 `full-date`.
    Date,
    /// RFC 3339 `full-time` (an offset is required).
    Time,
    /// Dotted quad, no leading zeros.
    Ipv4,
    /// RFC 4291 text forms (`::` compression, embedded IPv4), no zone id.
    Ipv6,
}

impl Format {
    /// The asserted format called `name`, or `None` when the name is only an annotation.
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "uuid" => Some(Format::Uuid),
            "date-time" => Some(Format::DateTime),
            "date" => Some(Format::Date),
            "time" => Some(Format::Time),
            "ipv4" => Some(Format::Ipv4),
            "ipv6" => Some(Format::Ipv6),
            _ => None,
        }
    }

    /// The format's name as written in a schema.
    pub fn name(self) -> &'static str {
        match self {
            Format::Uuid => "uuid",
            Format::DateTime => "date-time",
            Format::Date => "date",
            Format::Time => "time",
            Format::Ipv4 => "ipv4",
            Format::Ipv6 => "ipv6",
        }
    }

    /// `true` when `s` is valid in this format.
    pub fn check(self, s: &str) -> bool {
        match self {
            Format::Uuid => is_uuid(s),
            Format::DateTime => is_date_time(s),
            Format::Date => is_date(s),
            Format::Time => is_time(s),
            Format::Ipv4 => is_ipv4(s),
            Format::Ipv6 => is_ipv6(s),
        }
    }
}

/// 8-4-4-4-12 hex digits, either case.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    // Branch-free per group: dashes at 8, 13, 18 and 23, hex digits elsewhere.
    let hex = |r: Option<&[u8]>| {
        r.is_some_and(|r| r.iter().fold(true, |ok, c| ok & c.is_ascii_hexdigit()))
    };
    b.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| b.get(i) == Some(&b'-'))
        && hex(b.get(..8))
        && hex(b.get(9..13))
        && hex(b.get(14..18))
        && hex(b.get(19..23))
        && hex(b.get(24..))
}

/// Parse exactly `n` ASCII digits at the start of `b`.
fn digits(b: &[u8], n: usize) -> Option<u32> {
    let part = b.get(..n)?;
    let mut v: u32 = 0;
    for &c in part {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

fn is_leap_year(y: u32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// RFC 3339 `full-date`: `YYYY-MM-DD` with a real day of the month.
pub fn is_date(s: &str) -> bool {
    full_date(s.as_bytes())
}

fn full_date(b: &[u8]) -> bool {
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return false;
    }
    let (Some(y), Some(m), Some(d)) = (
        digits(b, 4),
        b.get(5..).and_then(|r| digits(r, 2)),
        b.get(8..).and_then(|r| digits(r, 2)),
    ) else {
        return false;
    };
    (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)
}

/// RFC 3339 `full-time`: `hh:mm:ss[.frac](Z|±hh:mm)`, case-insensitive `Z`.
///
/// A leap second (`ss` = 60) is accepted only when the time, shifted to UTC by its
/// offset, is 23:59:60.
pub fn is_time(s: &str) -> bool {
    full_time(s.as_bytes())
}

fn full_time(b: &[u8]) -> bool {
    if b.len() < 9 || b.get(2) != Some(&b':') || b.get(5) != Some(&b':') {
        return false;
    }
    let (Some(h), Some(m), Some(sec)) = (
        digits(b, 2),
        b.get(3..).and_then(|r| digits(r, 2)),
        b.get(6..).and_then(|r| digits(r, 2)),
    ) else {
        return false;
    };
    if h > 23 || m > 59 || sec > 60 {
        return false;
    }
    let mut rest = b.get(8..).unwrap_or_default();
    if rest.first() == Some(&b'.') {
        let frac = rest
            .get(1..)
            .unwrap_or_default()
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if frac == 0 {
            return false;
        }
        rest = rest.get(1 + frac..).unwrap_or_default();
    }
    // Offset in minutes east of UTC.
    let offset: i64 = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), oh1, oh2, b':', om1, om2] => {
            let (Some(oh), Some(om)) = (digits(&[*oh1, *oh2], 2), digits(&[*om1, *om2], 2)) else {
                return false;
            };
            if oh > 23 || om > 59 {
                return false;
            }
            let v = i64::from(oh * 60 + om);
            if *sign == b'-' {
                -v
            } else {
                v
            }
        }
        _ => return false,
    };
    if sec == 60 {
        let utc = (i64::from(h * 60 + m) - offset).rem_euclid(24 * 60);
        if utc != 23 * 60 + 59 {
            return false;
        }
    }
    true
}

/// RFC 3339 `date-time`: `full-date "T" full-time` (`T` may be lowercase).
pub fn is_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.get(..10), b.get(10), b.get(11..)) {
        (Some(date), Some(b'T' | b't'), Some(time)) => full_date(date) && full_time(time),
        _ => false,
    }
}

/// Dotted-quad IPv4: four decimal octets 0-255, no leading zeros, ASCII digits only.
pub fn is_ipv4(s: &str) -> bool {
    ipv4_bytes(s.as_bytes())
}

fn ipv4_bytes(b: &[u8]) -> bool {
    let mut parts = 0;
    for part in b.split(|&c| c == b'.') {
        parts += 1;
        if parts > 4 || part.is_empty() || part.len() > 3 {
            return false;
        }
        if part.len() > 1 && part.first() == Some(&b'0') {
            return false;
        }
        match digits(part, part.len()) {
            Some(v) if v <= 255 => {}
            _ => return false,
        }
    }
    parts == 4
}

/// Count the 16-bit groups in one side of an IPv6 address (`None` when malformed).
///
/// `allow_v4_tail` lets the last group be a dotted quad, which counts as two groups.
fn ipv6_groups(b: &[u8], allow_v4_tail: bool) -> Option<usize> {
    if b.is_empty() {
        return Some(0);
    }
    let mut count = 0;
    let mut iter = b.split(|&c| c == b':').peekable();
    while let Some(g) = iter.next() {
        let last = iter.peek().is_none();
        if last && allow_v4_tail && g.contains(&b'.') {
            if !ipv4_bytes(g) {
                return None;
            }
            count += 2;
        } else {
            if g.is_empty() || g.len() > 4 || !g.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            count += 1;
        }
    }
    Some(count)
}

/// RFC 4291 section 2.2 text forms. No zone id, no brackets, no whitespace.
pub fn is_ipv6(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 2 || b.len() > 45 {
        return false;
    }
    let dc = b.windows(2).position(|w| w == b"::");
    match dc {
        None => ipv6_groups(b, true) == Some(8),
        Some(i) => {
            let head = b.get(..i).unwrap_or_default();
            let tail = b.get(i + 2..).unwrap_or_default();
            if tail.windows(2).any(|w| w == b"::") {
                return false;
            }
            match (ipv6_groups(head, false), ipv6_groups(tail, true)) {
                // `::` stands for at least one group of zeros.
                (Some(h), Some(t)) => h + t <= 7,
                _ => false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid() {
        assert!(is_uuid("2eb8aa08-aa98-11ea-b4aa-73b441d16380"));
        assert!(is_uuid("2EB8AA08-AA98-11EA-B4AA-73B441D16380"));
        assert!(!is_uuid("2eb8aa08-aa98-11ea-b4aa-73b441d1638"));
        assert!(!is_uuid("2eb8aa08aa9811eab4aa73b441d16380"));
        assert!(!is_uuid("2eb8aa08-aa98-11ea-b4aa-73b441d1638g"));
        assert!(!is_uuid("2eb8aa08-aa9811ea-b4aa-73b441d163800"));
    }

    #[test]
    fn dates_and_leap_years() {
        assert!(is_date("2024-02-29"));
        assert!(is_date("2000-02-29"));
        assert!(!is_date("1900-02-29"));
        assert!(!is_date("2023-02-29"));
        assert!(!is_date("2023-04-31"));
        assert!(is_date("2023-12-31"));
        assert!(!is_date("2023-13-01"));
        assert!(!is_date("2023-00-01"));
        assert!(!is_date("2023-01-00"));
        assert!(!is_date("2023-1-01"));
        assert!(!is_date("20230101"));
    }

    #[test]
    fn times_and_offsets() {
        assert!(is_time("08:30:06Z"));
        assert!(is_time("08:30:06z"));
        assert!(is_time("08:30:06.283185+05:30"));
        assert!(is_time("12:34:56-00:00"));
        assert!(!is_time("12:34:56"));
        assert!(!is_time("12:34:56.Z"));
        assert!(!is_time("24:00:00Z"));
        assert!(!is_time("12:00:00+24:00"));
        assert!(!is_time("12:00:00+01"));
        assert!(!is_time("12:00:00Z+01:00"));
    }

    #[test]
    fn leap_seconds() {
        assert!(is_time("23:59:60Z"));
        assert!(is_time("15:59:60-08:00"));
        assert!(is_time("00:29:60-23:30"));
        assert!(is_time("23:29:60+23:30"));
        assert!(!is_time("23:59:60+01:00"));
        assert!(!is_time("22:59:60Z"));
        assert!(!is_time("23:59:61Z"));
    }

    #[test]
    fn date_times() {
        assert!(is_date_time("2026-01-15T09:30:00Z"));
        assert!(is_date_time("2026-01-15t09:30:00.123456z"));
        assert!(is_date_time("2024-02-29T00:00:00+14:00"));
        assert!(!is_date_time("2023-02-29T00:00:00Z"));
        assert!(!is_date_time("2026-01-15 09:30:00Z"));
        assert!(!is_date_time("2026-01-15T09:30:00"));
        assert!(!is_date_time("2026-01-15T09:30:00Z\n"));
        assert!(!is_date_time("+12026-01-15T09:30:00Z"));
        assert!(!is_date_time("2026-01-1৪T09:30:00Z"));
        assert!(!is_date_time(""));
    }

    #[test]
    fn ipv4() {
        assert!(is_ipv4("192.168.0.1"));
        assert!(is_ipv4("0.0.0.0"));
        assert!(is_ipv4("255.255.255.255"));
        assert!(!is_ipv4("256.0.0.1"));
        assert!(!is_ipv4("01.2.3.4"));
        assert!(!is_ipv4("1.2.3"));
        assert!(!is_ipv4("1.2.3.4.5"));
        assert!(!is_ipv4("1.2.3.4 "));
        assert!(!is_ipv4("1.2..4"));
    }

    #[test]
    fn ipv6() {
        assert!(is_ipv6("::1"));
        assert!(is_ipv6("::"));
        assert!(is_ipv6("fe80::"));
        assert!(is_ipv6("2001:db8:0:0:0:0:2:1"));
        assert!(is_ipv6("2001:db8::2:1"));
        assert!(is_ipv6("::ffff:192.168.0.1"));
        assert!(is_ipv6("1:2:3:4:5:6:1.2.3.4"));
        assert!(!is_ipv6("1:2:3:4:5:6:7:1.2.3.4"));
        assert!(!is_ipv6("1:2:3:4:5:6:7:8:9"));
        assert!(!is_ipv6("1::2::3"));
        assert!(!is_ipv6("1:2:3:4:5:6:7::8"));
        assert!(!is_ipv6("fe80::1%eth0"));
        assert!(!is_ipv6(":1:2:3:4:5:6:7"));
        assert!(!is_ipv6("1:2:3:4:5:6:7:"));
        assert!(!is_ipv6("12345::"));
        assert!(!is_ipv6("::1.2.3"));
        assert!(!is_ipv6("1.2.3.4::"));
    }
}
