//! RFC 3339 timestamps as Unix seconds: parsing (any offset, optional
//! fraction, truncated to the second) and formatting (UTC, `Z`).
//!
//! Written here rather than pulling in a date crate: tenure needs exactly
//! these two conversions (Howard Hinnant's days-from-civil algorithm).

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since 1970-01-01T00:00:00Z.
pub type Timestamp = i64;

/// Why a timestamp was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an RFC 3339 time (like 2026-03-14T09:30:00Z)")]
pub struct TimeError(pub String);

/// The current time.
pub fn now() -> Timestamp {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    // 0..146_097: fits
    let (yoe, m, d) = civil_in_era((z - era * 146_097) as u32);
    (
        i64::from(yoe) + era * 400 + i64::from(m <= 2),
        m.into(),
        d.into(),
    )
}

/// The year of the era (from March), month and day of a day of a 400-year
/// era (`0..146_097`): the steps of [`civil_from_days`] within an era, in
/// 32-bit arithmetic.
fn civil_in_era(doe: u32) -> (u32, u32, u32) {
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe, m, d)
}

fn digits(s: &[u8]) -> Option<i64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0i64, |a, b| a * 10 + (b - b'0') as i64))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (`t` and a space are
/// accepted for `T`, `z` for `Z`).
pub fn parse(text: &str) -> Result<Timestamp, TimeError> {
    let err = || TimeError(text.chars().take(64).collect());
    let b = text.trim().as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return Err(err());
    }
    let y = digits(&b[0..4]).ok_or_else(err)?;
    let mo = digits(&b[5..7]).ok_or_else(err)?;
    let d = digits(&b[8..10]).ok_or_else(err)?;
    let h = digits(&b[11..13]).ok_or_else(err)?;
    let mi = digits(&b[14..16]).ok_or_else(err)?;
    let s = digits(&b[17..19]).ok_or_else(err)?;
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60 {
        return Err(err());
    }
    let mut rest = &b[19..];
    if rest.first() == Some(&b'.') {
        let n = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return Err(err());
        }
        rest = &rest[1 + n..];
    }
    let offset = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), oh @ .., b':', om1, om2] if oh.len() == 2 => {
            let oh = digits(oh).ok_or_else(err)?;
            let om = digits(&[*om1, *om2]).ok_or_else(err)?;
            if oh > 23 || om > 59 {
                return Err(err());
            }
            let o = oh * 3600 + om * 60;
            if *sign == b'+' {
                o
            } else {
                -o
            }
        }
        _ => return Err(err()),
    };
    // a leap second (:60) counts as the next second
    Ok(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset)
}

/// The time of a date and hour-minute in UTC, when they form one
/// (`YYYYMMDD` and `HHMM` as dated file names carry them).
pub fn from_parts(y: i64, m: i64, d: i64, h: i64, mi: i64) -> Option<Timestamp> {
    let ok = (1..=9999).contains(&y)
        && (1..=12).contains(&m)
        && (1..=days_in_month(y, m)).contains(&d)
        && (0..24).contains(&h)
        && (0..60).contains(&mi);
    ok.then(|| days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60)
}

/// Formats as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format(t: Timestamp) -> String {
    let mut s = String::with_capacity(20);
    write(&mut s, t);
    s
}

/// Appends `YYYY-MM-DDTHH:MM:SSZ` to `out` without formatting machinery
/// (it is on the answer path of every leased address).
pub fn write(out: &mut String, t: Timestamp) {
    match text_bytes(t) {
        // ASCII digits and signs: one copy (pushing them one by one
        // checked the capacity twenty times)
        Some(b) => out.push_str(std::str::from_utf8(&b).unwrap_or_default()),
        None => {
            use std::fmt::Write as _;
            let (y, m, d, secs) = parts(t);
            let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
            let _ = write!(out, "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z");
        }
    }
}

/// [`write()`] onto bytes (an RDAP answer being written).
pub fn write_bytes(out: &mut Vec<u8>, t: Timestamp) {
    match text_bytes(t) {
        Some(b) => out.extend_from_slice(&b),
        None => {
            let mut s = String::new();
            write(&mut s, t);
            out.extend_from_slice(s.as_bytes());
        }
    }
}

/// Year, month, day and seconds of the day.
fn parts(t: Timestamp) -> (i64, i64, i64, i64) {
    let (y, m, d) = civil_from_days(t.div_euclid(86_400));
    (y, m, d, t.rem_euclid(86_400))
}

/// `1970-01-01T00:00:00Z` to `9999-12-31T23:59:59Z`: the times
/// [`parts_from_1970`] reads.
const FROM_1970_TO_10000: std::ops::Range<Timestamp> = 0..253_402_300_800;

/// [`parts`] of a time from 1970 to 9999 (nearly every time an answer
/// shows) in unsigned 32-bit arithmetic: no signed division of 64 bits.
fn parts_from_1970(t: u64) -> (i64, i64, i64, i64) {
    // days to the year 10000: fits
    let z = (t / 86_400) as u32 + 719_468;
    let era = z / 146_097;
    let (yoe, m, d) = civil_in_era(z - era * 146_097);
    let y = yoe + era * 400 + u32::from(m <= 2);
    (y.into(), m.into(), d.into(), (t % 86_400) as i64)
}

/// The text of a time of the years 0 to 9999, two digits at a time.
fn text_bytes(t: Timestamp) -> Option<[u8; 20]> {
    let (y, m, d, secs) = if FROM_1970_TO_10000.contains(&t) {
        parts_from_1970(t as u64)
    } else {
        parts(t)
    };
    if !(0..=9999).contains(&y) {
        return None;
    }
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut b = *b"0000-00-00T00:00:00Z";
    for (at, v) in [
        (0, y / 100),
        (2, y % 100),
        (5, m),
        (8, d),
        (11, secs / 3600),
        (14, secs / 60 % 60),
        (17, secs % 60),
    ] {
        let v = v as usize * 2;
        b[at..at + 2].copy_from_slice(&PAIRS[v..v + 2]);
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_from_1970_read_as_every_time_reads() {
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut times: Vec<i64> = vec![
            0,
            86_399,
            86_400,
            951_782_400,
            4_107_542_399,
            FROM_1970_TO_10000.end - 1,
        ];
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            times.push((x % FROM_1970_TO_10000.end as u64) as i64);
        }
        for t in times {
            assert_eq!(parts_from_1970(t as u64), parts(t), "{t}");
            // every digit pair written reads back
            assert_eq!(parse(&format(t)), Ok(t));
        }
    }

    #[test]
    fn round_trips_and_offsets() {
        assert_eq!(parse("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse("2026-01-01T00:00:00Z"), Ok(1_767_225_600));
        assert_eq!(parse("2026-01-01T01:00:00+01:00"), Ok(1_767_225_600));
        assert_eq!(parse("2025-12-31T19:00:00.123456-05:00"), Ok(1_767_225_600));
        assert_eq!(
            parse("2024-02-29t12:00:00z").map(format),
            Ok("2024-02-29T12:00:00Z".into())
        );
        assert_eq!(format(-62_167_219_200), "0000-01-01T00:00:00Z");
        assert_eq!(format(253_402_300_800), "10000-01-01T00:00:00Z");
        assert_eq!(format(-62_167_219_200), "0000-01-01T00:00:00Z");
        assert_eq!(format(253_402_300_800), "10000-01-01T00:00:00Z");
        for t in [0, 951_782_400, 1_767_225_600, 4_102_444_800, -86_400] {
            assert_eq!(parse(&format(t)), Ok(t));
        }
    }

    #[test]
    fn bytes_are_the_text() {
        for t in [
            -62_167_219_201,
            -62_167_219_200,
            0,
            951_782_400,
            1_767_225_599,
            253_402_300_799,
            253_402_300_800,
        ] {
            let mut b = Vec::new();
            write_bytes(&mut b, t);
            assert_eq!(String::from_utf8(b).unwrap(), format(t), "{t}");
        }
    }

    #[test]
    fn refuses_what_is_not_rfc3339() {
        for bad in [
            "2026-01-01",
            "2026-01-01T00:00:00",
            "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00+1:00",
            "2026-01-01T00:00:00.Z",
            "yesterday",
            "",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
