//! Time: [`Timestamp`], civil dates, the parsers, and the 16-byte `x-amz-date` form.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::Error;

/// A UTC instant with one-second precision (years 1970..=9999). The library never reads a
/// clock: pass the time in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    unix: i64,
}

const MAX_UNIX: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * i64::from(mp) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `"00"` to `"99"`.
static TWO_DIGITS: [[u8; 2]; 100] = {
    let mut t = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        // `i < 100`: the digits fit in a byte.
        #[allow(clippy::cast_possible_truncation)]
        let (tens, ones) = ((i / 10) as u8, (i % 10) as u8);
        t[i] = [b'0' + tens, b'0' + ones];
        i += 1;
    }
    t
};

/// (year, month, day) of `days` since 1970-01-01; `days` is non-negative (the timestamp range),
/// so the arithmetic is unsigned 32-bit (divisions by constants become multiplications).
fn civil_from_days(days: u32) -> (u32, u32, u32) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + u32::from(c - b'0');
    }
    Some(v)
}

impl Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z.
    ///
    /// # Errors
    ///
    /// `Error::InvalidTimestamp` outside years 1970 to 9999.
    pub fn from_unix_seconds(seconds: i64) -> Result<Timestamp, Error> {
        if !(0..=MAX_UNIX).contains(&seconds) {
            return Err(Error::InvalidTimestamp {
                reason: "expected a time within 1970..=9999",
            });
        }
        Ok(Timestamp { unix: seconds })
    }

    /// Converts a `SystemTime` (sub-second part dropped). This does not read the clock.
    ///
    /// # Errors
    ///
    /// `Error::InvalidTimestamp` before 1970 or after year 9999.
    pub fn from_system_time(t: SystemTime) -> Result<Timestamp, Error> {
        let secs = t
            .duration_since(UNIX_EPOCH)
            .map_err(|_| Error::InvalidTimestamp {
                reason: "time before 1970",
            })?
            .as_secs();
        Timestamp::from_unix_seconds(i64::try_from(secs).unwrap_or(i64::MAX))
    }

    fn from_parts(y: u32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Result<Timestamp, Error> {
        let leap = (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
        let dim = [
            31,
            if leap { 29 } else { 28 },
            31,
            30,
            31,
            30,
            31,
            31,
            30,
            31,
            30,
            31,
        ];
        if !(1970..=9999).contains(&y)
            || !(1..=12).contains(&mo)
            || d == 0
            || d > dim[mo as usize - 1]
            || h > 23
            || mi > 59
            || s > 59
        {
            return Err(Error::InvalidTimestamp {
                reason: "date or time field out of range",
            });
        }
        let days = days_from_civil(i64::from(y), mo, d);
        Timestamp::from_unix_seconds(days * 86_400 + i64::from(h * 3600 + mi * 60 + s))
    }

    /// Parses the SigV4 form `yyyymmddThhmmssZ` (e.g. `20150830T123600Z`).
    ///
    /// # Errors
    ///
    /// `Error::InvalidTimestamp` when `s` is not of that form or not a real date.
    pub fn parse_amz_date(s: &str) -> Result<Timestamp, Error> {
        Timestamp::parse_amz_date_text(s).map(|(time, _)| time)
    }

    /// [`Timestamp::parse_amz_date`] with the date's [`AmzDate`]: the text itself, which a date
    /// that parses is already (fixed-width digits, in range), so nothing is formatted back.
    pub(crate) fn parse_amz_date_text(s: &str) -> Result<(Timestamp, AmzDate), Error> {
        let bad = Error::InvalidTimestamp {
            reason: "expected yyyymmddThhmmssZ",
        };
        let Ok(b) = <&[u8; 16]>::try_from(s.as_bytes()) else {
            return Err(bad);
        };
        // Digit values; a non-digit byte gives a value above 9 (wrapping subtraction).
        let d = |i: usize| u32::from(b[i].wrapping_sub(b'0'));
        const DIGITS: [usize; 14] = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14];
        if b[8] != b'T' || b[15] != b'Z' || DIGITS.iter().fold(0, |m, &i| m.max(d(i))) > 9 {
            return Err(bad);
        }
        let two = |i: usize| d(i) * 10 + d(i + 1);
        let time = Timestamp::from_parts(
            two(0) * 100 + two(2),
            two(4),
            two(6),
            two(9),
            two(11),
            two(13),
        )?;
        Ok((time, AmzDate(*b)))
    }

    /// Parses RFC 3339 UTC `yyyy-mm-ddThh:mm:ssZ` (fractional seconds are dropped).
    ///
    /// # Errors
    ///
    /// `Error::InvalidTimestamp` when `s` is not of that form or not a real date.
    pub fn parse_rfc3339(s: &str) -> Result<Timestamp, Error> {
        let b = s.as_bytes();
        let bad = Error::InvalidTimestamp {
            reason: "expected yyyy-mm-ddThh:mm:ssZ",
        };
        if b.len() < 20
            || b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b'T' | b't')
            || b[13] != b':'
            || b[16] != b':'
        {
            return Err(bad);
        }
        let rest = &b[19..];
        let rest = if rest.first() == Some(&b'.') {
            let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return Err(bad);
            }
            &rest[1 + n..]
        } else {
            rest
        };
        if rest != b"Z" && rest != b"z" {
            return Err(bad);
        }
        let f = |r: std::ops::Range<usize>| digits(&b[r]).ok_or(bad.clone());
        Timestamp::from_parts(
            f(0..4)?,
            f(5..7)?,
            f(8..10)?,
            f(11..13)?,
            f(14..16)?,
            f(17..19)?,
        )
    }

    /// Parses an HTTP `Date` header (IMF-fixdate, e.g. `Sun, 30 Aug 2015 12:36:00 GMT`).
    ///
    /// # Errors
    ///
    /// `Error::InvalidTimestamp` when `s` is not of that form or not a real date.
    pub fn parse_http_date(s: &str) -> Result<Timestamp, Error> {
        let b = s.as_bytes();
        let bad = Error::InvalidTimestamp {
            reason: "expected an IMF-fixdate such as Sun, 30 Aug 2015 12:36:00 GMT",
        };
        if b.len() != 29
            || &b[3..5] != b", "
            || &b[25..] != b" GMT"
            || b[7] != b' '
            || b[11] != b' '
            || b[16] != b' '
        {
            return Err(bad);
        }
        const MONTHS: [&[u8]; 12] = [
            b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
            b"Dec",
        ];
        let mo = MONTHS
            .iter()
            .position(|m| *m == &b[8..11])
            .and_then(|i| u32::try_from(i + 1).ok())
            .ok_or(bad.clone())?;
        let f = |r: std::ops::Range<usize>| digits(&b[r]).ok_or(bad.clone());
        if b[19] != b':' || b[22] != b':' {
            return Err(bad);
        }
        Timestamp::from_parts(f(12..16)?, mo, f(5..7)?, f(17..19)?, f(20..22)?, f(23..25)?)
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(&self) -> i64 {
        self.unix
    }

    /// The 16-byte `yyyymmddThhmmssZ` form.
    pub(crate) fn amz(&self) -> AmzDate {
        // `unix` is within 0..=MAX_UNIX (checked on construction): the day count fits in u32.
        let unix = self.unix.clamp(0, MAX_UNIX).unsigned_abs();
        let days = u32::try_from(unix / 86_400).unwrap_or(u32::MAX);
        let secs = u32::try_from(unix % 86_400).unwrap_or(0);
        let (y, m, d) = civil_from_days(days);
        // Two-digit fields (`v < 100`) from a table: no division per digit.
        let two = |v: u32| TWO_DIGITS[(v % 100) as usize];
        let (y1, y2) = (two(y / 100), two(y % 100));
        let (mo, dd) = (two(m), two(d));
        let (h, mi, s) = (two(secs / 3600), two(secs / 60 % 60), two(secs % 60));
        AmzDate([
            y1[0], y1[1], y2[0], y2[1], mo[0], mo[1], dd[0], dd[1], b'T', h[0], h[1], mi[0], mi[1],
            s[0], s[1], b'Z',
        ])
    }

    /// `yyyymmddThhmmssZ`, as in `x-amz-date`.
    pub fn amz_date(&self) -> String {
        self.amz().as_str().to_owned()
    }

    /// `yyyymmdd`, as in the credential scope.
    pub fn date_stamp(&self) -> String {
        self.amz().date().to_owned()
    }
}

/// `yyyymmddThhmmssZ` (16 ASCII bytes), as in `x-amz-date`. The invariant is held here: the
/// constructors are [`Timestamp::amz`] and [`Timestamp::parse_amz_date_text`] (a parsed date in
/// range is already canonical, so `Timestamp::parse_amz_date(s)?.amz()` gives `s` back).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct AmzDate([u8; 16]);

impl AmzDate {
    /// The 16 characters.
    pub(crate) fn as_str(&self) -> &str {
        // ASCII digits, `T` and `Z` only (see the constructor): always UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The 16 characters as bytes (no UTF-8 check, unlike [`AmzDate::as_str`]).
    pub(crate) fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The `yyyymmdd` date.
    pub(crate) fn date(&self) -> &str {
        // ASCII digits (see the constructors): always UTF-8.
        std::str::from_utf8(&self.0[..8]).unwrap_or_default()
    }
}

impl std::fmt::Debug for AmzDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod timestamp_tests {
    use super::*;

    #[test]
    fn amz_date_round_trips_across_the_range() {
        let mut t: i64 = 0;
        let mut step: i64 = 1;
        while t <= MAX_UNIX {
            let ts = Timestamp::from_unix_seconds(t).unwrap_or_else(|e| panic!("{e}"));
            let s = ts.amz_date();
            assert_eq!(Timestamp::parse_amz_date(&s), Ok(ts), "{s}");
            assert_eq!(
                Timestamp::parse_amz_date_text(&s),
                Ok((ts, ts.amz())),
                "{s}"
            );
            t += step;
            step = step * 3 + 7;
        }
        let last = Timestamp::from_unix_seconds(MAX_UNIX).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(last.amz_date(), "99991231T235959Z");
        let first = Timestamp::from_unix_seconds(0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first.amz_date(), "19700101T000000Z");
    }

    /// The digit check of `parse_amz_date` works on wrapped byte values: every byte that is not
    /// `0-9`, at every digit position, must still be refused.
    #[test]
    fn parse_amz_date_refuses_every_non_digit() {
        let good = *b"20150830T123600Z";
        assert!(Timestamp::parse_amz_date("20150830T123600Z").is_ok());
        for at in (0..16).filter(|&i| i != 8 && i != 15) {
            for byte in (0u8..=0x7f).filter(|b| !b.is_ascii_digit()) {
                let mut s = good;
                s[at] = byte;
                let s = String::from_utf8_lossy(&s).into_owned();
                assert!(Timestamp::parse_amz_date(&s).is_err(), "{s:?}");
            }
        }
        for bad in [
            "20150830 123600Z",
            "20150830T123600z",
            "20150830T123600",
            "20150830T1236000Z",
        ] {
            assert!(Timestamp::parse_amz_date(bad).is_err(), "{bad}");
        }
    }
}
