//! Timestamps: `YYYY-MM-DDTHH:MM:SS.mmmZ`, millisecond precision, truncated (not rounded).

#[cfg(not(target_arch = "wasm32"))]
use std::time::{SystemTime, UNIX_EPOCH};

/// An instant, in microseconds since the Unix epoch (negative before 1970).
///
/// ```
/// use bh_audit_logger::Timestamp;
/// let t = Timestamp::from_micros(1_773_254_515_123_999);
/// assert_eq!(t.format().as_deref(), Some("2026-03-11T18:41:55.123Z"));
/// assert_eq!(Timestamp::from_micros(-1).format().as_deref(), Some("1969-12-31T23:59:59.999Z"));
/// ```
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Timestamp(i64);

impl Timestamp {
    /// From microseconds since the Unix epoch.
    pub fn from_micros(micros: i64) -> Timestamp {
        Timestamp(micros)
    }

    /// From milliseconds since the Unix epoch, as JavaScript's `Date.now()` gives them.
    /// Fractions below a microsecond are dropped; `None` for NaN or infinities.
    pub fn from_millis_f64(ms: f64) -> Option<Timestamp> {
        let us = (ms * 1000.0).floor();
        // i64 range in f64: anything beyond is far outside years 0000-9999 anyway.
        (us.is_finite() && us.abs() < 9.0e18).then_some(Timestamp(us as i64))
    }

    /// The current time from the system clock. `None` on `wasm32-unknown-unknown`, which has
    /// no clock (the wasm bindings pass the JS time source's value to the pipeline).
    pub fn now() -> Option<Timestamp> {
        #[cfg(target_arch = "wasm32")]
        {
            None
        }
        #[cfg(not(target_arch = "wasm32"))]
        Some(Self::system_now())
    }

    #[cfg(not(target_arch = "wasm32"))]
    fn system_now() -> Timestamp {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => Timestamp(i64::try_from(d.as_micros()).unwrap_or(i64::MAX)),
            Err(e) => Timestamp(-i64::try_from(e.duration().as_micros()).unwrap_or(i64::MAX)),
        }
    }

    /// Microseconds since the Unix epoch.
    pub fn as_micros(self) -> i64 {
        self.0
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC), or `None` outside years 0000 to 9999.
    pub fn format(self) -> Option<String> {
        let ms = self.0.div_euclid(1000);
        let days = ms.div_euclid(86_400_000);
        let in_day = ms.rem_euclid(86_400_000);
        let (y, m, d) = civil_from_days(days);
        if !(0..=9999).contains(&y) {
            return None;
        }
        let (hh, rest) = (in_day / 3_600_000, in_day % 3_600_000);
        let (mm, rest) = (rest / 60_000, rest % 60_000);
        let (ss, milli) = (rest / 1000, rest % 1000);
        // Hand-formatted: this runs once per event and `format!` costs more than the rest.
        let mut out = String::with_capacity(24);
        let mut push = |v: i64, width: u32, sep: char| {
            for p in (0..width).rev() {
                let d = (v / 10_i64.pow(p)) % 10;
                out.push(char::from(b'0' + d as u8));
            }
            out.push(sep);
        };
        push(y, 4, '-');
        push(i64::from(m), 2, '-');
        push(i64::from(d), 2, 'T');
        push(hh, 2, ':');
        push(mm, 2, ':');
        push(ss, 2, '.');
        push(milli, 3, 'Z');
        Some(out)
    }
}

/// Proleptic Gregorian (year, month, day) for a count of days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Elapsed time for the `validation_time_ms_total` counter: a monotonic clock natively; in
/// wasm none is read (the facade times the call itself with `performance.now()`).
pub(crate) struct Stopwatch {
    #[cfg(not(target_arch = "wasm32"))]
    started: std::time::Instant,
}

impl Stopwatch {
    /// Start timing.
    pub(crate) fn start() -> Stopwatch {
        Stopwatch {
            #[cfg(not(target_arch = "wasm32"))]
            started: std::time::Instant::now(),
        }
    }

    /// Milliseconds since [`Stopwatch::start`] (0 in wasm).
    pub(crate) fn elapsed_ms(&self) -> f64 {
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.started.elapsed().as_secs_f64() * 1000.0
        }
        #[cfg(target_arch = "wasm32")]
        {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_edges() {
        // 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z
        let first = Timestamp::from_micros(-62_167_219_200_000_000);
        assert_eq!(first.format().as_deref(), Some("0000-01-01T00:00:00.000Z"));
        assert_eq!(Timestamp::from_micros(first.0 - 1).format(), None);
        let last = Timestamp::from_micros(253_402_300_799_999_999);
        assert_eq!(last.format().as_deref(), Some("9999-12-31T23:59:59.999Z"));
        assert_eq!(Timestamp::from_micros(last.0 + 1).format(), None);
        assert_eq!(
            Timestamp::from_micros(951_782_400_000_000)
                .format()
                .as_deref(),
            Some("2000-02-29T00:00:00.000Z")
        );
    }

    #[test]
    fn millis_from_js() {
        assert_eq!(
            Timestamp::from_millis_f64(1.5).map(Timestamp::as_micros),
            Some(1500)
        );
        assert_eq!(Timestamp::from_millis_f64(f64::NAN), None);
        assert_eq!(
            Timestamp::from_millis_f64(-0.0005)
                .and_then(Timestamp::format)
                .as_deref(),
            Some("1969-12-31T23:59:59.999Z")
        );
    }
}
