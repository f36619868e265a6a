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
//! ended), `updated` (when the record last changed), `lessee.country`,
//! `lessee.abuse_mailbox`, `origin_asn`, `geofeed`.
//! Times are RFC 3339. Unknown members are ignored. A line that is not
//! valid JSON, lacks a required member, has `end` before `start`, an
//! unparsable address or a duplicate id is skipped and reported with its
//! line and reason; the rest of the file loads.

use crate::addr::{parse_dump_prefix, parse_range, IpRange};
use crate::time::{self, Timestamp};
use serde::Deserialize;
use std::borrow::Cow;
use std::io::{self, Read};
use std::sync::{mpsc, Arc, Mutex};

/// Longest line read; a longer one is skipped.
pub const MAX_LINE: usize = 64 * 1024;

/// One lease. Its strings share one allocation (a million leases are a
/// million allocations, not seven million).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// id, lessor, lessee handle, name, country, abuse mailbox, geofeed.
    text: Box<str>,
    /// End of each part in `text`.
    ends: [u32; 7],
    pub range: IpRange,
    pub start: Timestamp,
    /// `None`: open-ended.
    pub end: Option<Timestamp>,
    /// When the platform last changed the record (`updated`), if it says.
    pub updated: Option<Timestamp>,
    pub origin_asn: Option<u32>,
    /// Line in its file.
    pub line: u32,
    /// Index of its lease source (set by the loader).
    pub source: u16,
}

impl Lease {
    fn part(&self, k: usize) -> &str {
        let a = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        // the ends were recorded at field boundaries of this text
        self.text.get(a..self.ends[k] as usize).unwrap_or("")
    }

    fn optional(&self, k: usize) -> Option<&str> {
        Some(self.part(k)).filter(|s| !s.is_empty())
    }

    /// Unique within its source.
    pub fn id(&self) -> &str {
        self.part(0)
    }

    /// Handle of the organisation leasing the space out.
    pub fn lessor(&self) -> &str {
        self.part(1)
    }

    pub fn lessee_handle(&self) -> &str {
        self.part(2)
    }

    pub fn lessee_name(&self) -> &str {
        self.part(3)
    }

    pub fn country(&self) -> Option<&str> {
        self.optional(4)
    }

    pub fn abuse_mailbox(&self) -> Option<&str> {
        self.optional(5)
    }

    pub fn geofeed(&self) -> Option<&str> {
        self.optional(6)
    }

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
    /// The first few skipped lines of each reason (the report's examples),
    /// in line order.
    pub bad: Vec<BadLease>,
    /// Skipped lines of each reason, all counted (a file of junk costs
    /// counts, not memory).
    pub skipped: std::collections::BTreeMap<&'static str, u64>,
}

/// Skipped lines kept as examples per reason.
pub const BAD_EXAMPLES: usize = 5;

impl LeaseFile {
    /// Counts a skipped line, keeping it only as one of the first examples.
    fn skip(&mut self, b: BadLease) {
        let n = self.skipped.entry(b.reason).or_default();
        *n += 1;
        if *n as usize <= BAD_EXAMPLES {
            self.bad.push(b);
        }
    }

    /// Skipped lines in all.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
}

/// Strings borrow from the line unless they contain escapes.
type Text<'a> = Option<Cow<'a, str>>;

#[derive(Deserialize)]
struct RawLessee<'a> {
    #[serde(borrow)]
    handle: Text<'a>,
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow)]
    country: Text<'a>,
    #[serde(borrow)]
    abuse_mailbox: Text<'a>,
}

#[derive(Deserialize)]
struct RawLease<'a> {
    #[serde(borrow)]
    lease: Text<'a>,
    #[serde(borrow)]
    prefix: Text<'a>,
    #[serde(borrow)]
    range: Text<'a>,
    #[serde(borrow)]
    lessor: Text<'a>,
    #[serde(borrow)]
    lessee: Option<RawLessee<'a>>,
    #[serde(borrow)]
    start: Text<'a>,
    #[serde(borrow)]
    end: Text<'a>,
    #[serde(borrow)]
    updated: Text<'a>,
    origin_asn: Option<u32>,
    #[serde(borrow)]
    geofeed: Text<'a>,
}

/// Bytes of whole lines handed to a parser thread at once.
const CHUNK_BYTES: usize = 1 << 20;
/// Parser threads.
const WORKERS: usize = 2;

/// Whole lines, the first of which is line `first_line`.
struct Chunk {
    idx: usize,
    first_line: u32,
    data: Vec<u8>,
}

/// A chunk's leases in order, and its skipped lines (counted; the first
/// few of each reason kept).
type Parsed = (Vec<Lease>, LeaseFile);

/// Reads a whole lease file: this thread cuts the input into blocks of
/// whole lines, `WORKERS` threads split and parse them, and the results
/// are merged in file order (so duplicate ids are found in order). I/O
/// errors (unreadable, truncated) fail it.
pub fn parse(mut reader: impl io::Read) -> io::Result<LeaseFile> {
    // a file of one block without an over-long line is parsed here, with
    // no worker threads (most lease files; and each fuzzing input)
    let mut head = Vec::new();
    (&mut reader)
        .take(CHUNK_BYTES as u64)
        .read_to_end(&mut head)?;
    let longest = head
        .split(|&b| b == b'\n')
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0);
    if head.len() < CHUNK_BYTES && longest <= MAX_LINE {
        let chunk = Chunk {
            idx: 0,
            first_line: 1,
            data: head,
        };
        let parsed = parse_chunk(&chunk);
        return Ok(merge(LeaseFile::default(), vec![(0, parsed)]));
    }
    parse_blocks(io::Cursor::new(head).chain(reader))
}

/// [`parse`] of a file of several blocks, on `WORKERS` threads.
fn parse_blocks(mut reader: impl io::Read) -> io::Result<LeaseFile> {
    let (tx, rx) = mpsc::sync_channel::<Chunk>(WORKERS * 2);
    let rx = Arc::new(Mutex::new(rx));
    let (rtx, rrx) = mpsc::channel::<(usize, Parsed)>();
    let mut early = LeaseFile::default();
    let sent = std::thread::scope(|scope| -> io::Result<usize> {
        for _ in 0..WORKERS {
            let rx = Arc::clone(&rx);
            let rtx = rtx.clone();
            scope.spawn(move || loop {
                let next = rx.lock().map(|r| r.recv());
                let Ok(Ok(chunk)) = next else { return };
                if rtx.send((chunk.idx, parse_chunk(&chunk))).is_err() {
                    return;
                }
            });
        }
        drop(rtx);
        let mut sent = 0usize;
        let mut line_no = 1u32; // number of the first line in `buf`
        let mut buf: Vec<u8> = Vec::with_capacity(CHUNK_BYTES * 2);
        let mut skipping = false; // inside an over-long line
        let mut eof = false;
        while !eof {
            let before = buf.len();
            buf.resize(before + CHUNK_BYTES, 0);
            let n = loop {
                match reader.read(&mut buf[before..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            buf.truncate(before + n);
            eof = n == 0;
            if skipping {
                // drop the rest of an over-long line
                match memchr::memchr(b'\n', &buf) {
                    Some(p) => {
                        buf.drain(..=p);
                        line_no += 1;
                        skipping = false;
                    }
                    None => {
                        buf.clear();
                        continue;
                    }
                }
            }
            let cut = if eof {
                Some(buf.len())
            } else {
                memchr::memrchr(b'\n', &buf).map(|p| p + 1)
            };
            match cut {
                // whole lines, when there are enough, or at the end, or when
                // an over-long line follows them
                Some(c) if c > 0 && (c >= CHUNK_BYTES || eof || buf.len() - c > MAX_LINE) => {
                    let rest = buf.split_off(c);
                    let data = std::mem::replace(&mut buf, rest);
                    let lines = memchr::memchr_iter(b'\n', &data).count() as u32;
                    let chunk = Chunk {
                        idx: sent,
                        first_line: line_no,
                        data,
                    };
                    line_no += lines;
                    sent += 1;
                    if tx.send(chunk).is_err() {
                        break;
                    }
                }
                None if buf.len() > MAX_LINE => {
                    early.skip(BadLease {
                        line: line_no,
                        reason: "line too long",
                        detail: format!("over {MAX_LINE} bytes"),
                    });
                    buf.clear();
                    skipping = true;
                }
                _ => {} // read more
            }
        }
        drop(tx);
        Ok(sent)
    })?;
    let results: Vec<(usize, Parsed)> = rrx.iter().collect();
    if results.len() != sent {
        return Err(io::Error::other("a lease parser thread stopped early"));
    }
    Ok(merge(early, results))
}

/// The blocks' leases in file order, duplicate ids skipped, and the
/// skipped lines counted with the first examples of each reason.
fn merge(early: LeaseFile, mut results: Vec<(usize, Parsed)>) -> LeaseFile {
    results.sort_by_key(|r| r.0);
    let total: usize = results.iter().map(|r| r.1 .0.len()).sum();
    let mut out = early;
    out.leases = Vec::with_capacity(total);
    // ids seen, as positions in `out.leases` (no copies of the ids)
    let mut ids: hashbrown::HashTable<u32> = hashbrown::HashTable::with_capacity(total);
    let hash = |id: &str| {
        let mut h = crate::model::FxHasher::default();
        std::hash::Hasher::write(&mut h, id.as_bytes());
        std::hash::Hasher::finish(&h)
    };
    for (_, (leases, skipped)) in results {
        // the chunk's skips: its examples, then the rest as counts
        for b in skipped.bad {
            out.skip(b);
        }
        for (reason, n) in skipped.skipped {
            let kept = n.min(BAD_EXAMPLES as u64);
            *out.skipped.entry(reason).or_default() += n - kept;
        }
        for lease in leases {
            {
                let h = hash(lease.id());
                let leases = &out.leases;
                if ids
                    .find(h, |&i| leases[i as usize].id() == lease.id())
                    .is_some()
                {
                    out.skip(BadLease {
                        line: lease.line,
                        reason: "duplicate lease id",
                        detail: format!("'{}'", lease.id()),
                    });
                } else {
                    ids.insert_unique(h, out.leases.len() as u32, |&i| {
                        hash(leases[i as usize].id())
                    });
                    out.leases.push(lease);
                }
            }
        }
    }
    out.bad.sort_by_key(|b| b.line);
    out
}

/// Splits a block into lines and parses each.
fn parse_chunk(chunk: &Chunk) -> Parsed {
    let mut out = (Vec::new(), LeaseFile::default());
    let mut line = chunk.first_line;
    let mut rest: &[u8] = &chunk.data;
    while !rest.is_empty() {
        let (l, next) = match memchr::memchr(b'\n', rest) {
            Some(p) => (&rest[..p], &rest[p + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        if l.len() > MAX_LINE {
            out.1.skip(BadLease {
                line,
                reason: "line too long",
                detail: format!("over {MAX_LINE} bytes"),
            });
        } else {
            match parse_bytes(l, line) {
                Some(Ok(lease)) => out.0.push(lease),
                Some(Err(b)) => out.1.skip(b),
                None => {}
            }
        }
        line += 1;
        rest = next;
    }
    out
}

/// One line: `None` for a blank line.
fn parse_bytes(bytes: &[u8], line: u32) -> Option<Result<Lease, BadLease>> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Some(Err(BadLease {
            line,
            reason: "invalid utf-8",
            detail: String::new(),
        }));
    };
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some(parse_line(text, line).map_err(|(reason, detail)| BadLease {
        line,
        reason,
        detail,
    }))
}

fn parse_line(text: &str, line: u32) -> Result<Lease, (&'static str, String)> {
    let raw: RawLease = serde_json::from_str(text).map_err(|e| ("invalid json", e.to_string()))?;
    let missing = |field: &str| ("missing field", format!("'{field}' is required"));
    let nonempty = |v: Text<'_>| {
        v.map(|s| Box::<str>::from(s.trim()))
            .filter(|s| !s.is_empty())
    };
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
    let updated = match nonempty(raw.updated) {
        Some(u) => Some(time::parse(&u).map_err(|e| ("bad time", e.to_string()))?),
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
    let parts: [&str; 7] = [
        &id,
        &lessor,
        &lessee_handle,
        &lessee_name,
        lessee.country.as_deref().unwrap_or(""),
        lessee.abuse_mailbox.as_deref().unwrap_or(""),
        raw.geofeed.as_deref().unwrap_or(""),
    ];
    let mut packed = String::with_capacity(parts.iter().map(|p| p.trim().len()).sum());
    let mut ends = [0u32; 7];
    for (k, p) in parts.iter().enumerate() {
        packed.push_str(p.trim());
        ends[k] = packed.len() as u32;
    }
    Ok(Lease {
        text: packed.into_boxed_str(),
        ends,
        range,
        start,
        end,
        updated,
        origin_asn: raw.origin_asn,
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
            (l.id(), l.range.to_string().as_str()),
            ("L-1", "192.0.2.128 - 192.0.2.191")
        );
        assert_eq!(l.abuse_mailbox(), Some("abuse@lessee.example"));
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
    fn chunk_boundaries_keep_line_numbers() {
        // ~6 MiB: several chunks; bad lines far in, an over-long line between
        // good ones, and no newline at the very end
        let mut text = String::new();
        let n = 24_000u32;
        for i in 1..=n {
            if i == 17_001 {
                text.push_str("{broken\n");
            } else if i == 20_000 {
                text.push_str(&"y".repeat(MAX_LINE + 5));
                text.push('\n');
            } else {
                text.push_str(&GOOD.replace("L-1", &format!("L-{i}")));
                if i != n {
                    text.push('\n');
                }
            }
        }
        let f = parse(text.as_bytes()).unwrap();
        assert_eq!(f.leases.len(), n as usize - 2);
        let bad: Vec<(u32, &str)> = f.bad.iter().map(|b| (b.line, b.reason)).collect();
        assert_eq!(
            bad,
            vec![(17_001, "invalid json"), (20_000, "line too long")]
        );
        assert_eq!(
            f.leases.last().map(|l| (l.line, l.id())),
            Some((n, "L-24000"))
        );
        assert!(f.leases.windows(2).all(|w| w[0].line < w[1].line));
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
