//! Lease records from leasing platforms: JSON Lines, one lease per line.
//!
//! ```json
//! {"lease": "L-2026-0042", "prefix": "192.0.2.128/26", "lessor": "ORG-EXAMPLE1-TEST",
//!  "lessee": {"handle": "LESSEE-7", "name": "Example Lessee Ltd",
//!             "country": "NL", "abuse_mailbox": "abuse@lessee.example"},
//!  "start": "2026-01-01T00:00:00Z", "end": "2027-01-01T00:00:00Z", "origin_asn": 64500}
//! ```
//!
//! Required: `lease`, `lessor`, `lessee.handle`, `lessee.name`, `start`,
//! and `prefix` or `range` (`"a - b"`). Optional: `end` (absent = open
//! ended), `lessee.country`, `lessee.abuse_mailbox`, `origin_asn`, `geofeed`.
//! Times are RFC 3339. Unknown members are ignored. A line that is not
//! valid JSON, lacks a required member, has `end` before `start`, an
//! unparsable address or a duplicate id is skipped and reported with its
//! line and reason; the rest of the file loads.

use crate::addr::{parse_dump_prefix, parse_range, IpRange};
use crate::time::{self, Timestamp};
use serde::Deserialize;
use std::collections::HashSet;
use std::io::{self, BufRead};

/// Longest line read; a longer one is skipped.
pub const MAX_LINE: usize = 64 * 1024;

/// One lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// Unique within its source.
    pub id: Box<str>,
    pub range: IpRange,
    /// Handle of the organisation leasing the space out.
    pub lessor: Box<str>,
    pub lessee_handle: Box<str>,
    pub lessee_name: Box<str>,
    pub country: Option<Box<str>>,
    pub abuse_mailbox: Option<Box<str>>,
    pub start: Timestamp,
    /// `None`: open-ended.
    pub end: Option<Timestamp>,
    pub origin_asn: Option<u32>,
    pub geofeed: Option<Box<str>>,
    /// Line in its file.
    pub line: u32,
    /// Index of its lease source (set by the loader).
    pub source: u16,
}

impl Lease {
    /// Active at `t`: `start <= t < end`.
    pub fn active_at(&self, t: Timestamp) -> bool {
        self.start <= t && self.end.is_none_or(|e| t < e)
    }

    /// True when the two leases' terms share a moment.
    pub fn terms_overlap(&self, other: &Lease) -> bool {
        let ends_after = |a: &Lease, t: Timestamp| a.end.is_none_or(|e| e > t);
        ends_after(self, other.start) && ends_after(other, self.start)
    }
}

/// A skipped line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLease {
    pub line: u32,
    pub reason: &'static str,
    pub detail: String,
}

/// A parsed lease file.
#[derive(Debug, Default)]
pub struct LeaseFile {
    pub leases: Vec<Lease>,
    pub bad: Vec<BadLease>,
}

#[derive(Deserialize)]
struct RawLessee {
    handle: Option<String>,
    name: Option<String>,
    country: Option<String>,
    abuse_mailbox: Option<String>,
}

#[derive(Deserialize)]
struct RawLease {
    lease: Option<String>,
    prefix: Option<String>,
    range: Option<String>,
    lessor: Option<String>,
    lessee: Option<RawLessee>,
    start: Option<String>,
    end: Option<String>,
    origin_asn: Option<u32>,
    geofeed: Option<String>,
}

/// Reads a whole lease file. I/O errors (unreadable, truncated) fail it.
pub fn parse(mut reader: impl BufRead) -> io::Result<LeaseFile> {
    let mut out = LeaseFile::default();
    let mut ids: HashSet<Box<str>> = HashSet::new();
    let mut buf = Vec::new();
    let mut line_no = 0u32;
    loop {
        buf.clear();
        let n = read_bounded_line(&mut reader, &mut buf)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        if buf.len() > MAX_LINE {
            out.bad.push(BadLease {
                line: line_no,
                reason: "line too long",
                detail: format!("over {MAX_LINE} bytes"),
            });
            continue;
        }
        let Ok(text) = std::str::from_utf8(&buf) else {
            out.bad.push(BadLease {
                line: line_no,
                reason: "invalid utf-8",
                detail: String::new(),
            });
            continue;
        };
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        match parse_line(text, line_no) {
            Ok(lease) => {
                if !ids.insert(lease.id.clone()) {
                    out.bad.push(BadLease {
                        line: line_no,
                        reason: "duplicate lease id",
                        detail: format!("'{}'", lease.id),
                    });
                    continue;
                }
                out.leases.push(lease);
            }
            Err((reason, detail)) => out.bad.push(BadLease {
                line: line_no,
                reason,
                detail,
            }),
        }
    }
    Ok(out)
}

/// Reads up to and including `\n`, keeping at most `MAX_LINE + 1` bytes
/// (the rest of an over-long line is consumed and dropped). Returns the
/// number of bytes consumed.
fn read_bounded_line(reader: &mut impl BufRead, buf: &mut Vec<u8>) -> io::Result<usize> {
    let mut consumed = 0;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(consumed);
        }
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let room = (MAX_LINE + 1).saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..take.min(room)]);
        reader.consume(take);
        consumed += take;
        if done {
            if buf.last() == Some(&b'\n') {
                buf.pop();
            }
            return Ok(consumed);
        }
    }
}

fn parse_line(text: &str, line: u32) -> Result<Lease, (&'static str, String)> {
    let raw: RawLease = serde_json::from_str(text).map_err(|e| ("invalid json", e.to_string()))?;
    let missing = |field: &str| ("missing field", format!("'{field}' is required"));
    let nonempty = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let id = nonempty(raw.lease).ok_or_else(|| missing("lease"))?;
    let lessor = nonempty(raw.lessor).ok_or_else(|| missing("lessor"))?;
    let lessee = raw.lessee.ok_or_else(|| missing("lessee"))?;
    let lessee_handle = nonempty(lessee.handle).ok_or_else(|| missing("lessee.handle"))?;
    let lessee_name = nonempty(lessee.name).ok_or_else(|| missing("lessee.name"))?;
    let start_text = nonempty(raw.start).ok_or_else(|| missing("start"))?;
    let range = match (nonempty(raw.prefix), nonempty(raw.range)) {
        (Some(p), None) => parse_dump_prefix(&p).map_err(|e| ("bad address", e.to_string()))?,
        (None, Some(r)) => parse_range(&r).map_err(|e| ("bad address", e.to_string()))?,
        (Some(_), Some(_)) => {
            return Err(("bad address", "give 'prefix' or 'range', not both".into()))
        }
        (None, None) => return Err(missing("prefix' or 'range")),
    };
    let start = time::parse(&start_text).map_err(|e| ("bad time", e.to_string()))?;
    let end = match nonempty(raw.end) {
        Some(e) => Some(time::parse(&e).map_err(|e| ("bad time", e.to_string()))?),
        None => None,
    };
    if let Some(e) = end {
        if e < start {
            return Err((
                "end before start",
                format!("{} < {}", time::format(e), time::format(start)),
            ));
        }
    }
    Ok(Lease {
        id: id.into(),
        range,
        lessor: lessor.into(),
        lessee_handle: lessee_handle.into(),
        lessee_name: lessee_name.into(),
        country: nonempty(lessee.country).map(Into::into),
        abuse_mailbox: nonempty(lessee.abuse_mailbox).map(Into::into),
        start,
        end,
        origin_asn: raw.origin_asn,
        geofeed: nonempty(raw.geofeed).map(Into::into),
        line,
        source: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"lease": "L-1", "prefix": "192.0.2.128/26", "lessor": "ORG-A", "lessee": {"handle": "LESSEE-7", "name": "Example Lessee Ltd", "country": "NL", "abuse_mailbox": "abuse@lessee.example"}, "start": "2026-01-01T00:00:00Z", "end": "2027-01-01T00:00:00Z", "origin_asn": 64500, "extra": true}"#;

    #[test]
    fn good_and_bad_lines() {
        let text = format!(
            "{GOOD}\n\
             {{\"lease\": \"L-2\", \"range\": \"192.0.2.0 - 192.0.2.9\", \"lessor\": \"ORG-A\", \"lessee\": {{\"handle\": \"X\", \"name\": \"X Ltd\"}}, \"start\": \"2026-01-01T00:00:00+01:00\"}}\n\
             not json\n\
             {{\"lease\": \"L-3\", \"prefix\": \"192.0.2.0/24\", \"lessee\": {{\"handle\": \"X\", \"name\": \"X\"}}, \"start\": \"2026-01-01T00:00:00Z\"}}\n\
             {{\"lease\": \"L-4\", \"prefix\": \"192.0.2.0/24\", \"lessor\": \"O\", \"lessee\": {{\"handle\": \"X\", \"name\": \"X\"}}, \"start\": \"2026-01-01T00:00:00Z\", \"end\": \"2025-01-01T00:00:00Z\"}}\n\
             {{\"lease\": \"L-5\", \"prefix\": \"192.0.2.1/24\", \"lessor\": \"O\", \"lessee\": {{\"handle\": \"X\", \"name\": \"X\"}}, \"start\": \"2026-01-01T00:00:00Z\"}}\n\
             {GOOD}\n\
             \n\
             {{\"lease\": \"L-6\", \"prefix\": \"192.0.2.0/24\", \"lessor\": \"O\", \"lessee\": {{\"handle\": \"X\", \"name\": \"X\"}}, \"start\": \"soon\"}}\n"
        );
        let f = parse(text.as_bytes()).unwrap();
        assert_eq!(f.leases.len(), 2);
        let l = &f.leases[0];
        assert_eq!(
            (&*l.id, l.range.to_string().as_str()),
            ("L-1", "192.0.2.128 - 192.0.2.191")
        );
        assert_eq!(l.abuse_mailbox.as_deref(), Some("abuse@lessee.example"));
        assert_eq!(l.origin_asn, Some(64500));
        assert_eq!(f.leases[1].end, None);
        assert_eq!(
            f.leases[1].start,
            time::parse("2025-12-31T23:00:00Z").unwrap()
        );
        let reasons: Vec<(u32, &str)> = f.bad.iter().map(|b| (b.line, b.reason)).collect();
        assert_eq!(
            reasons,
            vec![
                (3, "invalid json"),
                (4, "missing field"),
                (5, "end before start"),
                (6, "bad address"),
                (7, "duplicate lease id"),
                (9, "bad time"),
            ]
        );
        assert!(f.bad[1].detail.contains("lessor"));
    }

    #[test]
    fn activity_boundaries() {
        let f = parse(GOOD.as_bytes()).unwrap();
        let l = &f.leases[0];
        let start = l.start;
        let end = l.end.unwrap();
        assert!(!l.active_at(start - 1));
        assert!(l.active_at(start), "T == start is active");
        assert!(l.active_at(end - 1));
        assert!(!l.active_at(end), "T == end is not");
        let mut open = l.clone();
        open.end = None;
        assert!(open.active_at(i64::MAX));
        let mut later = l.clone();
        later.start = end;
        later.end = None;
        assert!(
            !l.terms_overlap(&later),
            "back to back terms do not overlap"
        );
        later.start = end - 1;
        assert!(l.terms_overlap(&later));
    }

    #[test]
    fn over_long_lines_are_skipped_not_buffered() {
        let mut text = "x".repeat(MAX_LINE * 3);
        text.push('\n');
        text.push_str(GOOD);
        let f = parse(text.as_bytes()).unwrap();
        assert_eq!(f.bad[0].reason, "line too long");
        assert_eq!(f.leases.len(), 1);
        assert_eq!(f.leases[0].line, 2);
    }
}
