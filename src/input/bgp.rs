//! Routing evidence: who announces address space in BGP, and what RPKI
//! says about it.
//!
//! Two public file kinds, plain or gzip:
//!
//! - **Prefix-to-origin tables** in CAIDA's RouteViews `pfx2as` format:
//!   one line per prefix, `prefix <TAB> length <TAB> origins`, IPv4 or
//!   IPv6. The origin field lists the origins seen (multi-origin routes,
//!   `AS1_AS2`); an origin that is an AS set is written with commas
//!   (`AS1,AS2`, or in braces as route collectors print it). `prefix/len
//!   origins` is accepted too, and an `AS` before a number.
//! - **RPKI validated ROA payloads** as relying-party software exports
//!   them: the JSON of Routinator and rpki-client (`{"roas": [{"asn",
//!   "prefix", "maxLength", "ta"}]}`, the AS as `"AS64500"` or a number;
//!   `metadata` gives the time it was made) and the CSV both write (`ASN,IP
//!   Prefix,Max Length,Trust Anchor`, more columns ignored, columns found
//!   by the header).
//!
//! A bad line or ROA is skipped, counted and reported with its line; a file
//! that cannot be read to its end (corrupt gzip, JSON cut short) fails the
//! load, so a download cut short never replaces good routing data with
//! half of it.

use crate::addr::{Family, IpRange};
use crate::time::Timestamp;
use std::collections::BTreeMap;
use std::io::{self, BufRead, Read};
use std::path::PathBuf;

/// Marks an origin entry that is an AS set (the rest of the word is its
/// size).
pub const SET: u32 = 1 << 31;
/// Longest line read; a longer one is skipped.
const MAX_LINE: usize = 64 * 1024;
/// Most ASes one route's origins may name (longer lists are cut).
const MAX_ORIGIN_WORDS: usize = 4096;
/// Largest VRP JSON read (rpki-client's full export is about 100 MB).
const MAX_JSON: u64 = 2 << 30;

/// One origin of a route: an AS, or an AS set (origin NONE for RPKI, RFC
/// 6811 section 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin<'a> {
    As(u32),
    Set(&'a [u32]),
}

/// The origins stored at `words` (a header word, then the ASes; the header
/// is the count, with [`SET`] for an AS set).
pub fn origins(words: &[u32]) -> impl Iterator<Item = Origin<'_>> {
    let mut rest = words;
    std::iter::from_fn(move || {
        let (&head, tail) = rest.split_first()?;
        let n = ((head & !SET) as usize).min(tail.len());
        let (these, after) = tail.split_at(n);
        rest = after;
        Some(if head & SET != 0 || n != 1 {
            Origin::Set(these)
        } else {
            Origin::As(these[0])
        })
    })
}

/// One announced prefix; its origins are `words` in [`Pfx2As::origins`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub family: Family,
    pub start: u128,
    pub len: u8,
    pub off: u32,
    pub words: u16,
}

/// One validated ROA payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vrp {
    pub family: Family,
    pub start: u128,
    pub len: u8,
    pub max_len: u8,
    pub asn: u32,
    /// Index into [`Vrps::tas`].
    pub ta: u8,
}

/// One routing file a generation was built from.
#[derive(Debug, Clone)]
pub struct RoutingFile {
    pub path: PathBuf,
    /// `pfx2as` or `vrps`.
    pub kind: &'static str,
    /// When its data was current: the date in its name, else the time its
    /// relying party wrote in it, else when it was last modified.
    pub as_of: Option<Timestamp>,
}

/// A skipped line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub line: u32,
    pub reason: &'static str,
    pub detail: String,
}

/// Skipped lines: every one counted, the first few of each reason kept.
#[derive(Debug, Default)]
pub struct Skipped {
    pub bad: Vec<BadLine>,
    pub counts: BTreeMap<&'static str, u64>,
}

impl Skipped {
    fn skip(&mut self, line: u32, reason: &'static str, text: &str) {
        let n = self.counts.entry(reason).or_default();
        *n += 1;
        if *n as usize <= crate::delegated::BAD_EXAMPLES {
            self.bad.push(BadLine {
                line,
                reason,
                detail: text.chars().take(120).collect(),
            });
        }
    }

    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }
}

/// A parsed prefix-to-origin table.
#[derive(Debug, Default)]
pub struct Pfx2As {
    pub routes: Vec<Route>,
    /// Every route's origins, one after the other (see [`origins`]).
    pub origins: Vec<u32>,
    pub skipped: Skipped,
}

/// Calls `f` with each line's number and its text, trimmed, past blank
/// lines and `#` comments; a line longer than `MAX_LINE` is passed as
/// `None` and skipped over without being held in memory.
fn each_line(mut reader: impl BufRead, mut f: impl FnMut(u32, Option<&str>)) -> io::Result<()> {
    let mut buf = Vec::with_capacity(128);
    let mut line_no = 0u32;
    loop {
        buf.clear();
        let n = (&mut reader)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(());
        }
        line_no = line_no.saturating_add(1);
        if buf.len() > MAX_LINE && buf.last() != Some(&b'\n') {
            // the rest of the line is passed over a buffer at a time
            loop {
                let chunk = reader.fill_buf()?;
                if chunk.is_empty() {
                    break;
                }
                match memchr::memchr(b'\n', chunk) {
                    Some(p) => {
                        reader.consume(p + 1);
                        break;
                    }
                    None => {
                        let n = chunk.len();
                        reader.consume(n);
                    }
                }
            }
            f(line_no, None);
            continue;
        }
        let text = String::from_utf8_lossy(&buf);
        let text = text.trim();
        if !text.is_empty() && !text.starts_with('#') {
            f(line_no, Some(text));
        }
    }
}

/// Reads a whole prefix-to-origin table; `size_hint` (the file's size in
/// bytes, if known) sizes its vectors.
pub fn parse_pfx2as(reader: impl BufRead, size_hint: usize) -> io::Result<Pfx2As> {
    let mut out = Pfx2As::default();
    // a line is about 22 bytes, one origin two words
    out.routes.reserve(size_hint / 22);
    out.origins.reserve(size_hint / 10);
    each_line(reader, |line_no, text| match text {
        None => out.skipped.skip(line_no, "line too long", ""),
        Some(text) => {
            if let Err(reason) = route_line(text, &mut out) {
                out.skipped.skip(line_no, reason, text);
            }
        }
    })?;
    Ok(out)
}

fn route_line(text: &str, out: &mut Pfx2As) -> Result<(), &'static str> {
    let mut f = text.split_ascii_whitespace();
    let first = f.next().ok_or("empty line")?;
    let (base, len, origin_field) = match first.split_once('/') {
        Some((b, l)) => (b, l, f.next()),
        None => (first, f.next().ok_or("no prefix length")?, f.next()),
    };
    let origin_field = origin_field.ok_or("no origin")?;
    if f.next().is_some() {
        return Err("more than three fields");
    }
    let (family, start, len) = prefix(base, len)?;
    let off = out.origins.len();
    for part in origin_field.split('_') {
        let (set, list) = match part.strip_prefix('{') {
            Some(inner) => (true, inner.strip_suffix('}').ok_or("bad origin AS set")?),
            None => (part.contains(','), part),
        };
        let head = out.origins.len();
        out.origins.push(0);
        let mut n = 0u32;
        for a in list.split(',') {
            let Some(asn) = crate::model::parse_asn(a) else {
                out.origins.truncate(off);
                return Err("bad origin AS");
            };
            out.origins.push(asn);
            n += 1;
        }
        out.origins[head] = n | if set { SET } else { 0 };
        if out.origins.len() - off > MAX_ORIGIN_WORDS {
            out.origins.truncate(off);
            return Err("too many origin ASes");
        }
    }
    out.routes.push(Route {
        family,
        start,
        len,
        off: off as u32,
        words: (out.origins.len() - off) as u16,
    });
    Ok(())
}

/// A prefix from its base and length texts, strictly: a dotted quad or an
/// IPv6 address, a length the family allows, no host bits.
fn prefix(base: &str, len: &str) -> Result<(Family, u128, u8), &'static str> {
    let (family, v) = if base.contains(':') {
        let a: std::net::Ipv6Addr = base.parse().map_err(|_| "bad prefix")?;
        (Family::V6, u128::from(a))
    } else {
        let a: std::net::Ipv4Addr = base.parse().map_err(|_| "bad prefix")?;
        (Family::V4, u32::from(a) as u128)
    };
    let len: u32 = len.parse().map_err(|_| "bad prefix length")?;
    if len > family.bits() {
        return Err("bad prefix length");
    }
    let r = IpRange::from_prefix(family, v, len);
    if r.start != v {
        return Err("prefix has host bits set");
    }
    Ok((family, v, len as u8))
}

/// A parsed set of validated ROA payloads.
#[derive(Debug, Default)]
pub struct Vrps {
    pub vrps: Vec<Vrp>,
    /// Trust anchor names (`ripe`, `apnic`, ...), as the file writes them.
    pub tas: Vec<Box<str>>,
    /// When the relying party made the file, if it says (JSON metadata).
    pub generated: Option<Timestamp>,
    pub skipped: Skipped,
}

impl Vrps {
    fn ta(&mut self, name: &str) -> u8 {
        let name = name.trim();
        if let Some(i) = self.tas.iter().position(|t| t.eq_ignore_ascii_case(name)) {
            return i as u8;
        }
        // 255 names at most; more (never seen: there are five RIR anchors
        // and a few test ones) share the last
        if self.tas.len() < 255 {
            self.tas.push(name.into());
        }
        (self.tas.len() - 1) as u8
    }

    fn push(
        &mut self,
        line: u32,
        asn: Option<u32>,
        pfx: &str,
        max_len: Option<Option<u32>>,
        ta: &str,
        text: &str,
    ) {
        let Some(asn) = asn else {
            return self.skipped.skip(line, "bad ROA AS number", text);
        };
        let Some((base, len)) = pfx.trim().split_once('/') else {
            return self.skipped.skip(line, "bad ROA prefix", text);
        };
        let (family, start, len) = match prefix(base.trim(), len.trim()) {
            Ok(p) => p,
            Err(_) => return self.skipped.skip(line, "bad ROA prefix", text),
        };
        // absent: the prefix's own length; present: a number from the
        // prefix's length to the family's
        let max_len = match max_len {
            None => len as u32,
            Some(Some(m)) if m >= len as u32 && m <= family.bits() => m,
            Some(_) => return self.skipped.skip(line, "bad ROA max length", text),
        };
        let ta = self.ta(ta);
        self.vrps.push(Vrp {
            family,
            start,
            len,
            max_len: max_len as u8,
            asn,
            ta,
        });
    }
}

/// Reads validated ROA payloads: JSON when the first byte past blanks
/// opens an object, else CSV; `size_hint` (the file's size in bytes, if
/// known) sizes the JSON buffer.
pub fn parse_vrps(mut reader: impl BufRead, size_hint: usize) -> io::Result<Vrps> {
    let first = loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            break None;
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => break Some(buf[i]),
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    };
    match first {
        None => Ok(Vrps::default()),
        Some(b'{') => {
            let mut bytes = Vec::with_capacity(size_hint.min(MAX_JSON as usize) + 1);
            reader.take(MAX_JSON + 1).read_to_end(&mut bytes)?;
            if bytes.len() as u64 > MAX_JSON {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "VRP JSON larger than 2 GiB",
                ));
            }
            vrps_json(&bytes)
        }
        Some(_) => vrps_csv(reader),
    }
}

#[derive(serde::Deserialize)]
struct VrpFile<'a> {
    #[serde(borrow, default)]
    roas: Vec<&'a serde_json::value::RawValue>,
    #[serde(default)]
    metadata: Option<Metadata>,
}

/// Routinator writes `generated` (Unix seconds) and `generatedTime`;
/// rpki-client `buildtime`.
#[derive(serde::Deserialize)]
struct Metadata {
    #[serde(default, rename = "generatedTime")]
    generated_time: Option<String>,
    #[serde(default)]
    buildtime: Option<String>,
    #[serde(default)]
    generated: Option<serde_json::Value>,
}

#[derive(serde::Deserialize)]
struct JsonRoa<'a> {
    #[serde(borrow)]
    asn: NumOrText<'a>,
    #[serde(borrow)]
    prefix: std::borrow::Cow<'a, str>,
    #[serde(rename = "maxLength", default, borrow)]
    max_length: Option<NumOrText<'a>>,
    #[serde(borrow, default)]
    ta: Option<std::borrow::Cow<'a, str>>,
}

/// A member written as a number (rpki-client's `asn`) or a string
/// (Routinator's `"AS64500"`), read without building a JSON value.
enum NumOrText<'a> {
    Num(u64),
    Text(std::borrow::Cow<'a, str>),
    Other,
}

impl<'de: 'a, 'a> serde::Deserialize<'de> for NumOrText<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for V<'a> {
            type Value = NumOrText<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number or a string")
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(NumOrText::Num(v))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(NumOrText::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(NumOrText::Other)
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(NumOrText::Text(v.into()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(NumOrText::Text(v.to_string().into()))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(NumOrText::Other)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(NumOrText::Other)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Self::Value, A::Error> {
                while a.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(NumOrText::Other)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<Self::Value, A::Error> {
                while a
                    .next_entry::<serde::de::IgnoredAny, serde::de::IgnoredAny>()?
                    .is_some()
                {}
                Ok(NumOrText::Other)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

fn vrps_json(bytes: &[u8]) -> io::Result<Vrps> {
    let file: VrpFile<'_> = serde_json::from_slice(bytes).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("not a VRP JSON file (line {}: {e})", e.line()),
        )
    })?;
    let mut out = Vrps {
        generated: file.metadata.as_ref().and_then(|m| {
            let text = m.generated_time.as_deref().or(m.buildtime.as_deref());
            text.and_then(|t| crate::time::parse(t).ok()).or_else(|| {
                m.generated
                    .as_ref()
                    .and_then(serde_json::Value::as_i64)
                    .filter(|&s| s > 0)
            })
        }),
        ..Vrps::default()
    };
    out.vrps.reserve(file.roas.len());
    let base = bytes.as_ptr() as usize;
    let (mut line, mut counted) = (1u32, 0usize);
    for raw in file.roas {
        // each ROA's line: newlines between the last one and this one
        let at = (raw.get().as_ptr() as usize)
            .saturating_sub(base)
            .min(bytes.len());
        line = line.saturating_add(memchr::memchr_iter(b'\n', &bytes[counted..at]).count() as u32);
        counted = at.max(counted);
        let text = raw.get();
        let roa: JsonRoa = match serde_json::from_str(text) {
            Ok(r) => r,
            Err(_) => {
                out.skipped.skip(line, "bad ROA", text);
                continue;
            }
        };
        let asn = match &roa.asn {
            NumOrText::Num(n) => u32::try_from(*n).ok(),
            NumOrText::Text(t) => crate::model::parse_asn(t),
            NumOrText::Other => None,
        };
        let max = roa.max_length.as_ref().map(|m| match m {
            NumOrText::Num(n) => u32::try_from(*n).ok(),
            NumOrText::Text(t) => t.trim().parse().ok(),
            NumOrText::Other => None,
        });
        out.push(
            line,
            asn,
            &roa.prefix,
            max,
            roa.ta.as_deref().unwrap_or(""),
            text,
        );
    }
    Ok(out)
}

/// Column positions of a VRP CSV.
struct Columns {
    asn: usize,
    prefix: usize,
    max_len: usize,
    ta: Option<usize>,
}

fn vrps_csv(reader: impl BufRead) -> io::Result<Vrps> {
    let mut out = Vrps::default();
    // without a header: ASN, prefix, max length, trust anchor
    let mut cols = Columns {
        asn: 0,
        prefix: 1,
        max_len: 2,
        ta: Some(3),
    };
    each_line(reader, |line_no, text| {
        let Some(text) = text else {
            return out.skipped.skip(line_no, "line too long", "");
        };
        let f: Vec<&str> = text
            .split(',')
            .map(|s| s.trim().trim_matches('"'))
            .collect();
        if f.iter().any(|c| c.eq_ignore_ascii_case("ip prefix")) {
            let find = |name: &str| f.iter().position(|c| c.eq_ignore_ascii_case(name));
            match (find("asn"), find("ip prefix"), find("max length")) {
                (Some(asn), Some(prefix), Some(max_len)) => {
                    cols = Columns {
                        asn,
                        prefix,
                        max_len,
                        ta: find("trust anchor"),
                    }
                }
                _ => out.skipped.skip(line_no, "bad VRP CSV header", text),
            }
            return;
        }
        let (Some(asn), Some(pfx), Some(max)) =
            (f.get(cols.asn), f.get(cols.prefix), f.get(cols.max_len))
        else {
            return out.skipped.skip(line_no, "too few fields", text);
        };
        let ta = cols.ta.and_then(|i| f.get(i)).copied().unwrap_or("");
        let asn = crate::model::parse_asn(asn);
        out.push(line_no, asn, pfx, Some(max.trim().parse().ok()), ta, text);
    })?;
    Ok(out)
}

/// The date and time a dated file's name carries (`...-20240401-1200...`,
/// `...20240401...`, `...2024-04-01T12:00...`), in UTC; `None` when it
/// carries none.
pub fn date_in_name(name: &str) -> Option<Timestamp> {
    let b = name.as_bytes();
    let num = |s: &[u8]| -> Option<i64> {
        (!s.is_empty() && s.iter().all(u8::is_ascii_digit))
            .then(|| s.iter().fold(0i64, |a, d| a * 10 + (d - b'0') as i64))
    };
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let run = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        // YYYYMMDD, or YYYY-MM-DD
        let (date, after) = if run == 8 {
            let d = &b[i..i + 8];
            ((num(&d[..4]), num(&d[4..6]), num(&d[6..8])), i + 8)
        } else if run == 4 && b.len() >= i + 10 && b[i + 4] == b'-' && b[i + 7] == b'-' {
            let d = &b[i..i + 10];
            ((num(&d[..4]), num(&d[5..7]), num(&d[8..10])), i + 10)
        } else {
            i += run;
            continue;
        };
        let (Some(y), Some(m), Some(d)) = date else {
            i += run;
            continue;
        };
        // an hour and minute may follow: -HHMM, .HHMM, THHMM, THH:MM
        let rest = &b[after..];
        let (h, mi) = match rest {
            [b'-' | b'.' | b'T' | b't' | b'_', h1, h2, b':', m1, m2, ..]
            | [b'-' | b'.' | b'T' | b't' | b'_', h1, h2, m1, m2, ..]
                if [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
                    && rest
                        .get(5)
                        .is_none_or(|c| !c.is_ascii_digit() || rest[3] == b':') =>
            {
                (
                    ((h1 - b'0') * 10 + (h2 - b'0')) as i64,
                    ((m1 - b'0') * 10 + (m2 - b'0')) as i64,
                )
            }
            _ => (0, 0),
        };
        if let Some(t) = crate::time::from_parts(y, m, d, h, mi)
            .or_else(|| crate::time::from_parts(y, m, d, 0, 0))
        {
            return Some(t);
        }
        i += run;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pfx2as_lines_origins_sets_and_bad_lines() {
        let text = "# comment\n\
            192.0.2.0\t24\t64500\n\
            198.51.100.0\t24\t64501_64502\n\
            203.0.113.0\t25\t64503,64504\n\
            203.0.113.128/25\tAS64505_{64506,64507}\n\
            2001:db8::\t32\t64508\n\
            192.0.2.1\t24\t64500\n\
            192.0.2.0\t33\t64500\n\
            192.0.2.0\t24\tAS-FOO\n\
            192.0.2.0\t24\n";
        let p = parse_pfx2as(text.as_bytes(), 0).unwrap();
        assert_eq!(p.routes.len(), 5);
        let o = |i: usize| {
            let r = p.routes[i];
            origins(&p.origins[r.off as usize..][..r.words as usize]).collect::<Vec<_>>()
        };
        assert_eq!(o(0), vec![Origin::As(64500)]);
        assert_eq!(o(1), vec![Origin::As(64501), Origin::As(64502)]);
        assert_eq!(o(2), vec![Origin::Set(&[64503, 64504])]);
        assert_eq!(o(3), vec![Origin::As(64505), Origin::Set(&[64506, 64507])]);
        assert_eq!(p.routes[4].family, Family::V6);
        assert_eq!(p.routes[4].len, 32);
        assert_eq!(p.skipped.total(), 4);
        assert_eq!(p.skipped.counts["prefix has host bits set"], 1);
        assert_eq!(p.skipped.counts["bad origin AS"], 1);
        assert_eq!(p.skipped.bad[0].line, 7);
        assert_eq!(
            p.origins.len(),
            16,
            "a bad line leaves no origin words behind"
        );
    }

    #[test]
    fn an_over_long_line_is_skipped_and_the_next_one_read() {
        let text = format!("{}\n192.0.2.0\t24\t64500\n", "9".repeat(MAX_LINE * 3));
        let p = parse_pfx2as(std::io::BufReader::with_capacity(1024, text.as_bytes()), 0).unwrap();
        assert_eq!(p.routes.len(), 1);
        assert_eq!(p.skipped.counts["line too long"], 1);
        assert_eq!(p.skipped.bad[0].line, 1);
        let csv = format!(
            "ASN,IP Prefix,Max Length\n{}\nAS1,192.0.2.0/24,24\n",
            "x".repeat(MAX_LINE + 1)
        );
        let v = parse_vrps(csv.as_bytes(), 0).unwrap();
        assert_eq!((v.vrps.len(), v.skipped.bad[0].line), (1, 2));
    }

    #[test]
    fn vrps_json_of_both_relying_parties_and_csv() {
        let routinator = r#"{"metadata": {"generated": 1700000000, "generatedTime": "2023-11-14T22:13:20Z"},
"roas": [
  { "asn": "AS64500", "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "ripe" },
  { "asn": "AS64501", "prefix": "2001:db8::/32", "maxLength": 48, "ta": "apnic" },
  { "asn": "ASX", "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "ripe" },
  { "asn": "AS64500", "prefix": "192.0.2.0/24", "maxLength": 16, "ta": "ripe" }
]}"#;
        let v = parse_vrps(routinator.as_bytes(), 0).unwrap();
        assert_eq!(v.vrps.len(), 2);
        assert_eq!(v.generated, Some(1_700_000_000));
        assert_eq!(v.vrps[1].max_len, 48);
        assert_eq!(&*v.tas[v.vrps[1].ta as usize], "apnic");
        assert_eq!(v.skipped.bad[0].line, 5);
        assert_eq!(v.skipped.bad[1].line, 6);
        let client = r#"{"metadata":{"buildtime":"2024-04-01T12:00:00Z"},"roas":[{"asn":64500,"prefix":"198.51.100.0/22","maxLength":24,"ta":"arin","expires":1}]}"#;
        let v = parse_vrps(client.as_bytes(), 0).unwrap();
        assert_eq!(v.vrps[0].asn, 64500);
        assert_eq!(v.vrps[0].len, 22);
        assert_eq!(v.generated, crate::time::parse("2024-04-01T12:00:00Z").ok());
        let csv = "ASN,IP Prefix,Max Length,Trust Anchor,Expires\n\
            AS64500,192.0.2.0/24,24,ripe,1\n\
            AS64501,192.0.2.0/24,23,ripe,1\n";
        let v = parse_vrps(csv.as_bytes(), 0).unwrap();
        assert_eq!(v.vrps.len(), 1);
        assert_eq!(v.skipped.bad[0].line, 3);
        // a document cut short fails the file, it is not half read
        assert!(parse_vrps(&routinator.as_bytes()[..120], 0).is_err());
    }

    #[test]
    fn dates_in_file_names() {
        let t = |s| crate::time::parse(s).ok();
        assert_eq!(
            date_in_name("routeviews-rv2-20240401-1200.pfx2as.gz"),
            t("2024-04-01T12:00:00Z")
        );
        assert_eq!(
            date_in_name("rv6-20240401.pfx2as"),
            t("2024-04-01T00:00:00Z")
        );
        assert_eq!(
            date_in_name("vrps-2024-04-01T06:30.json"),
            t("2024-04-01T06:30:00Z")
        );
        assert_eq!(date_in_name("pfx2as.txt"), None);
        assert_eq!(date_in_name("as-20241399.txt"), None);
    }
}
