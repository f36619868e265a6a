//! RIR delegated-extended statistics (`delegated-<rir>-extended-latest`).
//!
//! Pipe-separated text: a version line, summary lines, then records
//! `registry|cc|type|start|value|date|status[|opaque-id[|extensions]]`.
//! Every RIR's variant is accepted: 7 or 8+ fields, trailing `|` or not,
//! blanks around fields, `#` comments and blank lines anywhere, serials as
//! dates or Unix (milli)seconds, empty or zero start dates. For IPv4 the
//! value is an address *count* (often not a power of two, so the range may
//! not be a CIDR block); for IPv6 it is a prefix length; for ASNs a count.
//!
//! A bad line is skipped and reported with its number; it never stops the file.

use crate::addr::{parse_dump_addr, Family, IpRange};
use std::io::{self, BufRead};

/// What a record delegates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// An address range (IPv4 from a count, IPv6 from a prefix length).
    Ip(IpRange),
    /// An inclusive range of AS numbers.
    Asn(u32, u32),
}

/// One record line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The registry that administers the resource (`ripencc`, `arin`, ...).
    pub registry: Box<str>,
    /// ISO 3166 country code, `EU`/`AP`/`ZZ`, or empty.
    pub cc: Box<str>,
    pub resource: Resource,
    /// `YYYYMMDD` of the first delegation, when given and not `00000000`.
    pub date: Option<u32>,
    /// `allocated`, `assigned`, `available`, `reserved`, ... (lower case).
    pub status: Box<str>,
    /// The holder's opaque id, stable across one registry's file.
    pub opaque_id: Option<Box<str>>,
    /// Line number in the file.
    pub line: u32,
}

impl Record {
    /// True for `allocated`/`assigned`: the resource has a holder.
    pub fn is_delegated(&self) -> bool {
        matches!(&*self.status, "allocated" | "assigned")
    }
}

/// The version line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Header {
    pub version: String,
    pub registry: String,
    /// Serial as written: a date, or Unix seconds or milliseconds.
    pub serial: String,
    /// End date of the data (`YYYYMMDD`).
    pub end_date: String,
}

/// A line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub line: u32,
    pub reason: &'static str,
    pub text: String,
}

/// A parsed file.
#[derive(Debug, Default)]
pub struct Delegated {
    pub header: Option<Header>,
    pub records: Vec<Record>,
    /// The first few unreadable lines of each reason (the report's
    /// examples), in line order.
    pub bad: Vec<BadLine>,
    /// Unreadable lines of each reason, all counted (a file of junk costs
    /// counts, not memory).
    pub skipped: std::collections::BTreeMap<&'static str, u64>,
}

/// Unreadable lines kept as examples per reason.
pub const BAD_EXAMPLES: usize = 5;

impl Delegated {
    /// Counts an unreadable line; `line` makes the example only when it is
    /// one of the first of its reason.
    fn skip(&mut self, reason: &'static str, line: impl FnOnce() -> BadLine) {
        let n = self.skipped.entry(reason).or_default();
        *n += 1;
        if *n as usize <= BAD_EXAMPLES {
            self.bad.push(line());
        }
    }

    /// Unreadable lines in all.
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
}

/// Reads a whole delegated file. I/O errors (unreadable, truncated) fail it.
pub fn parse(reader: impl BufRead) -> io::Result<Delegated> {
    let mut out = Delegated::default();
    let mut line_no = 0u32;
    for line in reader.split(b'\n') {
        let line = line?;
        line_no += 1;
        let text = String::from_utf8_lossy(&line);
        let text = text.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = text.split('|').map(str::trim).collect();
        let bad = |reason: &'static str| BadLine {
            line: line_no,
            reason,
            text: text.chars().take(120).collect(),
        };
        if out.header.is_none()
            && fields.len() >= 6
            && fields[0].chars().next().is_some_and(|c| c.is_ascii_digit())
        {
            out.header = Some(Header {
                version: fields[0].to_string(),
                registry: fields[1].to_string(),
                serial: fields[2].to_string(),
                end_date: fields.get(5).unwrap_or(&"").to_string(),
            });
            continue;
        }
        if fields.len() >= 6 && fields[1] == "*" && fields[5] == "summary" {
            continue;
        }
        match parse_record(&fields, line_no) {
            Ok(r) => out.records.push(r),
            Err(reason) => out.skip(reason, || bad(reason)),
        }
    }
    Ok(out)
}

fn parse_record(f: &[&str], line: u32) -> Result<Record, &'static str> {
    if f.len() < 7 {
        return Err("fewer than 7 fields");
    }
    let (registry, cc, kind, start, value, date, status) =
        (f[0], f[1], f[2], f[3], f[4], f[5], f[6]);
    if registry.is_empty() {
        return Err("empty registry");
    }
    let resource = match kind {
        "ipv4" => {
            let (fam, s) = parse_dump_addr(start).map_err(|_| "bad ipv4 start address")?;
            if fam != Family::V4 {
                return Err("bad ipv4 start address");
            }
            let count: u128 = value.parse().map_err(|_| "bad ipv4 address count")?;
            if count == 0 {
                return Err("bad ipv4 address count");
            }
            let end = s
                .checked_add(count - 1)
                .filter(|e| *e <= u32::MAX as u128)
                .ok_or("ipv4 range passes the end of the address space")?;
            Resource::Ip(IpRange::new(Family::V4, s, end))
        }
        "ipv6" => {
            let (fam, s) = parse_dump_addr(start).map_err(|_| "bad ipv6 start address")?;
            if fam != Family::V6 {
                return Err("bad ipv6 start address");
            }
            let len: u32 = value.parse().map_err(|_| "bad ipv6 prefix length")?;
            if len > 128 {
                return Err("bad ipv6 prefix length");
            }
            let r = IpRange::from_prefix(Family::V6, s, len);
            if r.start != s {
                return Err("ipv6 start has host bits set");
            }
            Resource::Ip(r)
        }
        "asn" => {
            let s: u32 = start.parse().map_err(|_| "bad asn")?;
            let count: u32 = value.parse().map_err(|_| "bad asn count")?;
            if count == 0 {
                return Err("bad asn count");
            }
            let e = s
                .checked_add(count - 1)
                .ok_or("asn range passes AS4294967295")?;
            Resource::Asn(s, e)
        }
        _ => return Err("unknown resource type"),
    };
    let date = match date {
        "" | "00000000" => None,
        d if d.len() == 8 => Some(d.parse().map_err(|_| "bad date")?),
        _ => return Err("bad date"),
    };
    let opaque_id = f.get(7).filter(|s| !s.is_empty()).map(|s| Box::from(*s));
    Ok(Record {
        registry: registry.to_ascii_lowercase().into(),
        cc: cc.to_ascii_uppercase().into(),
        resource,
        date,
        status: status.to_ascii_lowercase().into(),
        opaque_id,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant() {
        let text = "# comment\n2.3|apnic|20190909|300||20190906|+1000\napnic|*|asn|*|100|summary\n\
apnic|JP|asn|173|1|20020801|allocated|A91E66F2\n\
ripencc|FR|ipv4|2.0.0.0|1048576|20100712|allocated\n\
arin|US|ipv4|192.0.2.0|768|00000000|assigned|e5e3b9c1|e-stats\n\
afrinic|ZZ|asn|5536|1||available|\n\
lacnic | AR | ipv6 | 2001:db8:: | 32 | 20060101 | allocated | 65335 \n\
bad|line\n\
ripencc|NL|ipv4|192.0.2.0|0|20100101|allocated\n\
ripencc|NL|ipv4|255.255.255.0|512|20100101|allocated\n\
ripencc|NL|ipv6|2001:db8::1|32|20100101|allocated\n";
        let d = parse(text.as_bytes()).unwrap();
        let h = d.header.unwrap();
        assert_eq!(
            (h.registry.as_str(), h.serial.as_str()),
            ("apnic", "20190909")
        );
        assert_eq!(d.records.len(), 5);
        assert_eq!(d.records[0].resource, Resource::Asn(173, 173));
        assert_eq!(d.records[0].opaque_id.as_deref(), Some("A91E66F2"));
        let Resource::Ip(r) = &d.records[2].resource else {
            panic!()
        };
        assert_eq!(r.to_string(), "192.0.2.0 - 192.0.4.255"); // 768 addresses: not a CIDR block
        assert_eq!(d.records[2].date, None);
        assert!(d.records[2].is_delegated());
        assert_eq!(d.records[3].opaque_id, None);
        assert!(!d.records[3].is_delegated());
        let Resource::Ip(r6) = &d.records[4].resource else {
            panic!()
        };
        assert_eq!(r6.prefix_len(), Some(32));
        assert_eq!(d.records[4].registry.as_ref(), "lacnic");
        let reasons: Vec<_> = d.bad.iter().map(|b| (b.line, b.reason)).collect();
        assert_eq!(
            reasons,
            vec![
                (9, "fewer than 7 fields"),
                (10, "bad ipv4 address count"),
                (11, "ipv4 range passes the end of the address space"),
                (12, "ipv6 start has host bits set")
            ]
        );
    }
}
