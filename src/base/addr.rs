//! Address notations as the registries write them.
//!
//! Every range is kept as an inclusive `(start, end)` pair of integers per
//! family ([`IpRange`]); prefixes are only a way of writing some ranges.
//! Parsers here are strict: a notation that is not understood is an
//! [`AddrError`], never a guess.
//!
//! Accepted in dumps ([`parse_range`]):
//! - `a.b.c.d - e.f.g.h` inclusive ranges, aligned or not;
//! - `a.b.c.d/len` prefixes (host bits must be zero);
//! - LACNIC's abbreviated prefixes `24.232.16/24`, `24.232/16`;
//! - leading zeros in dotted quads (`080.016.151.191`), read as decimal;
//! - IPv6 prefixes and ranges in any letter case.
//!
//! Queries from clients use [`parse_query_addr`], which refuses the
//! abbreviated and leading-zero forms (RFC 9082 clients must send full
//! dotted quads; `010.0.0.1` could mean octal to some tools).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Address family of a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// IPv4; values use the low 32 bits.
    V4,
    /// IPv6.
    V6,
}

impl Family {
    /// Number of bits in an address of this family.
    pub fn bits(self) -> u32 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }

    /// The largest address value of this family.
    pub fn max(self) -> u128 {
        match self {
            Family::V4 => u32::MAX as u128,
            Family::V6 => u128::MAX,
        }
    }
}

/// An inclusive range of addresses of one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpRange {
    pub family: Family,
    pub start: u128,
    pub end: u128,
}

/// Why an address notation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddrError {
    /// The text is not an address in any accepted notation.
    #[error("'{0}' is not an IP address")]
    BadAddress(String),
    /// The prefix length is missing, not a number, or too long for the family.
    #[error("bad prefix length in '{0}'")]
    BadPrefixLength(String),
    /// A prefix whose address has bits set beyond the prefix length.
    #[error("'{0}' has host bits set beyond the prefix length")]
    HostBits(String),
    /// A range whose ends are of different families.
    #[error("range '{0}' mixes IPv4 and IPv6")]
    MixedFamilies(String),
    /// A range whose first address is above its last.
    #[error("range '{0}' ends before it starts")]
    Reversed(String),
}

impl IpRange {
    /// A range from two addresses of one family.
    pub fn new(family: Family, start: u128, end: u128) -> Self {
        debug_assert!(start <= end && end <= family.max());
        IpRange { family, start, end }
    }

    /// The range covering exactly one address.
    pub fn from_addr(addr: IpAddr) -> Self {
        let (family, v) = addr_to_u128(addr);
        IpRange::new(family, v, v)
    }

    /// The range of a prefix; `len` must not exceed the family's bits.
    pub fn from_prefix(family: Family, base: u128, len: u32) -> Self {
        let host = host_mask(family, len);
        IpRange::new(
            family,
            base & !host & family.max(),
            (base | host) & family.max(),
        )
    }

    /// Number of addresses in the range minus one (fits any range, even ::/0).
    pub fn span(&self) -> u128 {
        self.end - self.start
    }

    /// True when `other` lies entirely inside `self`.
    pub fn contains(&self, other: &IpRange) -> bool {
        self.family == other.family && self.start <= other.start && other.end <= self.end
    }

    /// True when the address lies inside the range.
    pub fn contains_addr(&self, family: Family, v: u128) -> bool {
        self.family == family && self.start <= v && v <= self.end
    }

    /// The prefix length when the range is exactly one CIDR block.
    pub fn prefix_len(&self) -> Option<u32> {
        let size_minus_one = self.end - self.start;
        if size_minus_one.checked_add(1).is_none() {
            // the whole IPv6 space
            return (self.family == Family::V6).then_some(0);
        }
        let size = size_minus_one + 1;
        if !size.is_power_of_two() || self.start & size_minus_one != 0 {
            return None;
        }
        Some(self.family.bits() - size.trailing_zeros())
    }

    /// First address as an [`IpAddr`].
    pub fn start_addr(&self) -> IpAddr {
        u128_to_addr(self.family, self.start)
    }

    /// Last address as an [`IpAddr`].
    pub fn end_addr(&self) -> IpAddr {
        u128_to_addr(self.family, self.end)
    }

    /// The minimal list of CIDR blocks `(base, len)` that cover the range.
    pub fn cidrs(&self) -> Vec<(u128, u32)> {
        let mut out = Vec::new();
        crate::index::split_cidrs(self.start, self.end, self.family.bits(), |b, l| {
            out.push((b, l))
        });
        out
    }
}

/// A mask of the `n` low bits (n <= 128).
fn low_mask(n: u32) -> u128 {
    if n >= 128 {
        u128::MAX
    } else {
        (1u128 << n) - 1
    }
}

fn host_mask(family: Family, len: u32) -> u128 {
    low_mask(family.bits().saturating_sub(len))
}

impl fmt::Display for IpRange {
    /// RIPE style: `first - last`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} - {}", self.start_text(), self.end_text())
    }
}

/// An address of a family, written as [`IpAddr`] writes it; an IPv4
/// address's dotted quad without the standard library's general integer
/// formatting (addresses written that way were a tenth of an RDAP
/// answer's instructions).
#[derive(Clone, Copy)]
pub struct AddrText(pub Family, pub u128);

impl AddrText {
    /// An IPv4 address's dotted quad, and its length.
    fn quad(v: u32) -> ([u8; 15], usize) {
        let mut buf = [0u8; 15];
        let mut n = 0;
        for (i, o) in v.to_be_bytes().into_iter().enumerate() {
            if i > 0 {
                buf[n] = b'.';
                n += 1;
            }
            if o >= 100 {
                buf[n] = b'0' + o / 100;
                n += 1;
            }
            if o >= 10 {
                buf[n] = b'0' + o / 10 % 10;
                n += 1;
            }
            buf[n] = b'0' + o % 10;
            n += 1;
        }
        (buf, n)
    }

    /// An IPv6 address's text as std writes it (RFC 5952: groups in
    /// lower-case hex without leading zeros, the first longest run of two
    /// or more zero groups as `::`; an IPv4-mapped address as `::ffff:`
    /// and its dotted quad), and its length.
    fn groups(v: u128) -> ([u8; 39], usize) {
        let mut buf = [0u8; 39];
        if v >> 32 == 0xffff {
            let (quad, n) = Self::quad(v as u32);
            buf[..7].copy_from_slice(b"::ffff:");
            buf[7..7 + n].copy_from_slice(&quad[..n]);
            return (buf, 7 + n);
        }
        let groups: [u16; 8] = std::array::from_fn(|i| (v >> (112 - 16 * i)) as u16);
        // the first longest run of zero groups
        let (mut run, mut run_len, mut cur, mut cur_len) = (0, 0, 0, 0);
        for (i, &g) in groups.iter().enumerate() {
            if g == 0 {
                if cur_len == 0 {
                    cur = i;
                }
                cur_len += 1;
                if cur_len > run_len {
                    (run, run_len) = (cur, cur_len);
                }
            } else {
                cur_len = 0;
            }
        }
        if run_len < 2 {
            run = 8;
        }
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut n = 0;
        let mut i = 0;
        while i < 8 {
            if i == run {
                buf[n..n + 2].copy_from_slice(b"::");
                n += 2;
                i += run_len;
                continue;
            }
            if i > 0 && i != run + run_len {
                buf[n] = b':';
                n += 1;
            }
            let g = groups[i];
            let digits = (16 - g.leading_zeros()).div_ceil(4).max(1);
            for k in (0..digits).rev() {
                buf[n] = HEX[(g >> (4 * k) & 15) as usize];
                n += 1;
            }
            i += 1;
        }
        (buf, n)
    }

    /// The text appended to `out` (without `fmt`: addresses are written
    /// many times in every RDAP answer).
    pub fn push_to(&self, out: &mut Vec<u8>) {
        let (buf, n) = self.text();
        out.extend_from_slice(&buf[..n]);
    }

    /// The text, and its length.
    fn text(&self) -> ([u8; 39], usize) {
        match self.0 {
            Family::V4 => {
                let (q, n) = Self::quad(self.1 as u32);
                let mut buf = [0u8; 39];
                buf[..15].copy_from_slice(&q);
                (buf, n)
            }
            Family::V6 => Self::groups(self.1),
        }
    }
}

impl fmt::Display for AddrText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (buf, n) = self.text();
        // digits, hex letters, dots and colons
        f.pad(std::str::from_utf8(&buf[..n]).unwrap_or_default())
    }
}

impl IpRange {
    /// The first address, to write.
    pub fn start_text(&self) -> AddrText {
        AddrText(self.family, self.start)
    }

    /// The last address, to write.
    pub fn end_text(&self) -> AddrText {
        AddrText(self.family, self.end)
    }

    /// The address alone for a single address, else [`Self::to_prefix_or_range`].
    pub fn to_query_string(&self) -> String {
        if self.start == self.end {
            self.text_of(None)
        } else {
            self.to_prefix_or_range()
        }
    }

    /// `base/len` when the range is one CIDR block, else `first - last`.
    pub fn to_prefix_or_range(&self) -> String {
        match self.prefix_len() {
            Some(len) => self.text_of(Some(len)),
            None => self.to_string(),
        }
    }

    /// The first address, then `/len` when given (without `fmt`: these
    /// are written in every link of an RDAP answer).
    fn text_of(&self, len: Option<u32>) -> String {
        let mut out = Vec::with_capacity(48);
        self.start_text().push_to(&mut out);
        if let Some(len) = len {
            out.push(b'/');
            if len >= 100 {
                out.push(b'0' + (len / 100) as u8);
            }
            if len >= 10 {
                out.push(b'0' + (len / 10 % 10) as u8);
            }
            out.push(b'0' + (len % 10) as u8);
        }
        // addresses and digits are ASCII
        String::from_utf8(out).unwrap_or_default()
    }
}

/// The family and integer value of an address.
pub fn addr_to_u128(addr: IpAddr) -> (Family, u128) {
    match addr {
        IpAddr::V4(a) => (Family::V4, u32::from(a) as u128),
        IpAddr::V6(a) => (Family::V6, u128::from(a)),
    }
}

/// The address of an integer value in a family.
pub fn u128_to_addr(family: Family, v: u128) -> IpAddr {
    match family {
        Family::V4 => IpAddr::V4(Ipv4Addr::from(v as u32)),
        Family::V6 => IpAddr::V6(Ipv6Addr::from(v)),
    }
}

/// A dotted quad as dumps write it: four decimal octets, leading zeros read
/// as decimal (`080.016.151.191`).
fn parse_v4_lenient(s: &str) -> Option<u32> {
    let mut v: u32 = 0;
    let mut n = 0;
    for part in s.split('.') {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let octet: u32 = part.parse().ok()?;
        if octet > 255 {
            return None;
        }
        v = (v << 8) | octet;
        n += 1;
    }
    (n == 4).then_some(v)
}

/// A LACNIC abbreviated IPv4 prefix base (`24.232.16`, `24.232`): one to four
/// octets, the missing ones zero.
fn parse_v4_abbreviated(s: &str) -> Option<u32> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let mut v: u32 = 0;
    for i in 0..4 {
        let octet = match parts.get(i) {
            Some(p) => {
                if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let o: u32 = p.parse().ok()?;
                if o > 255 {
                    return None;
                }
                o
            }
            None => 0,
        };
        v = (v << 8) | octet;
    }
    Some(v)
}

/// One address in dump notation (IPv4 lenient about leading zeros, IPv6 any case).
pub fn parse_dump_addr(s: &str) -> Result<(Family, u128), AddrError> {
    let s = s.trim();
    if s.contains(':') {
        s.parse::<Ipv6Addr>()
            .map(|a| (Family::V6, u128::from(a)))
            .map_err(|_| AddrError::BadAddress(s.to_string()))
    } else {
        parse_v4_lenient(s)
            .map(|v| (Family::V4, v as u128))
            .ok_or_else(|| AddrError::BadAddress(s.to_string()))
    }
}

/// A prefix `base/len` in dump notation; LACNIC's abbreviated IPv4 bases are
/// accepted. Host bits beyond the length are an error.
pub fn parse_dump_prefix(s: &str) -> Result<IpRange, AddrError> {
    let s = s.trim();
    let (base, len) = s
        .split_once('/')
        .ok_or_else(|| AddrError::BadAddress(s.to_string()))?;
    let len: u32 = len
        .trim()
        .parse()
        .map_err(|_| AddrError::BadPrefixLength(s.to_string()))?;
    let (family, v) = if base.contains(':') {
        parse_dump_addr(base)?
    } else {
        let v = parse_v4_abbreviated(base.trim())
            .ok_or_else(|| AddrError::BadAddress(s.to_string()))?;
        (Family::V4, v as u128)
    };
    if len > family.bits() {
        return Err(AddrError::BadPrefixLength(s.to_string()));
    }
    if v & host_mask(family, len) != 0 {
        return Err(AddrError::HostBits(s.to_string()));
    }
    Ok(IpRange::from_prefix(family, v, len))
}

/// An `inetnum`/`inet6num` key: a range `a - b`, a prefix, or a single address.
pub fn parse_range(s: &str) -> Result<IpRange, AddrError> {
    let s = s.trim();
    if let Some((a, b)) = split_range(s) {
        let (fa, va) = parse_dump_addr(a)?;
        let (fb, vb) = parse_dump_addr(b)?;
        if fa != fb {
            return Err(AddrError::MixedFamilies(s.to_string()));
        }
        if va > vb {
            return Err(AddrError::Reversed(s.to_string()));
        }
        return Ok(IpRange::new(fa, va, vb));
    }
    if s.contains('/') {
        return parse_dump_prefix(s);
    }
    let (f, v) = parse_dump_addr(s)?;
    Ok(IpRange::new(f, v, v))
}

/// Splits `a - b` (spaces optional) into its two ends. IPv6 addresses never
/// contain `-`, so the first `-` is the separator.
fn split_range(s: &str) -> Option<(&str, &str)> {
    let (a, b) = s.split_once('-')?;
    Some((a.trim(), b.trim()))
}

/// One address as a client writes it in a query: full dotted quad without
/// leading zeros, or any IPv6 text form.
/// The address space a reverse DNS zone stands for: `2.0.192.in-addr.arpa`
/// is 192.0.2.0/24 (whole octets; an RFC 2317 label like `0-63` is read as
/// its range of the last octet), `8.b.d.0.1.0.0.2.ip6.arpa` 2001:db8::/32
/// (whole nibbles). Case and a trailing period do not matter.
pub fn reverse_zone_range(name: &str) -> Option<IpRange> {
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    if let Some(labels) = lower.strip_suffix(".in-addr.arpa") {
        let labels: Vec<&str> = labels.split('.').rev().collect();
        if labels.is_empty() || labels.len() > 4 {
            return None;
        }
        let mut base = 0u128;
        let mut last_span = None;
        for (i, l) in labels.iter().enumerate() {
            let shift = 8 * (3 - i as u32);
            match l.split_once('-') {
                // RFC 2317 classless delegation: the last label only
                Some((a, b)) if i == labels.len() - 1 => {
                    let (a, b): (u8, u8) = (octet(a)?, octet(b)?);
                    if a > b {
                        return None;
                    }
                    base |= u128::from(a) << shift;
                    last_span = Some(u128::from(b - a) << shift | ((1u128 << shift) - 1));
                }
                _ => base |= u128::from(octet(l)?) << shift,
            }
        }
        let end =
            base + last_span.unwrap_or_else(|| (1u128 << (8 * (4 - labels.len() as u32))) - 1);
        return Some(IpRange::new(Family::V4, base, end));
    }
    if let Some(labels) = lower.strip_suffix(".ip6.arpa") {
        let nibbles: Vec<&str> = labels.split('.').rev().collect();
        if nibbles.is_empty() || nibbles.len() > 32 {
            return None;
        }
        let mut base = 0u128;
        for (i, n) in nibbles.iter().enumerate() {
            let v = match n.as_bytes() {
                [c] => (*c as char).to_digit(16)?,
                _ => return None,
            };
            base |= u128::from(v) << (4 * (31 - i as u32));
        }
        return Some(IpRange::from_prefix(
            Family::V6,
            base,
            4 * nibbles.len() as u32,
        ));
    }
    None
}

/// A decimal octet without a sign or leading zeros.
fn octet(s: &str) -> Option<u8> {
    if s.is_empty()
        || s.len() > 3
        || !s.bytes().all(|b| b.is_ascii_digit())
        || (s.len() > 1 && s.starts_with('0'))
    {
        return None;
    }
    s.parse().ok()
}

pub fn parse_query_addr(s: &str) -> Result<IpAddr, AddrError> {
    s.trim()
        .parse::<IpAddr>()
        .map_err(|_| AddrError::BadAddress(s.trim().to_string()))
}

/// A range or prefix as a client writes it in a query (strict addresses).
pub fn parse_query_range(s: &str) -> Result<IpRange, AddrError> {
    let s = s.trim();
    if let Some((a, b)) = split_range(s) {
        let (fa, va) = addr_to_u128(parse_query_addr(a)?);
        let (fb, vb) = addr_to_u128(parse_query_addr(b)?);
        if fa != fb {
            return Err(AddrError::MixedFamilies(s.to_string()));
        }
        if va > vb {
            return Err(AddrError::Reversed(s.to_string()));
        }
        return Ok(IpRange::new(fa, va, vb));
    }
    if let Some((base, len)) = s.split_once('/') {
        let (family, v) = addr_to_u128(parse_query_addr(base)?);
        let len: u32 = len
            .parse()
            .map_err(|_| AddrError::BadPrefixLength(s.to_string()))?;
        if len > family.bits() {
            return Err(AddrError::BadPrefixLength(s.to_string()));
        }
        if v & host_mask(family, len) != 0 {
            return Err(AddrError::HostBits(s.to_string()));
        }
        return Ok(IpRange::from_prefix(family, v, len));
    }
    Ok(IpRange::from_addr(parse_query_addr(s)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_write_as_the_standard_library_writes_them() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut values: Vec<u32> = vec![0, 1, 9, 10, 99, 100, 255, 0x0a64_c8ff, u32::MAX];
        for _ in 0..2000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            values.push((x >> 32) as u32);
        }
        for v in values {
            let ours = AddrText(Family::V4, v as u128);
            let std = Ipv4Addr::from(v);
            assert_eq!(ours.to_string(), std.to_string());
            assert_eq!(
                format!("{ours:>16}|{ours:<16}|"),
                format!("{std:>16}|{std:<16}|")
            );
            let mut pushed = Vec::new();
            ours.push_to(&mut pushed);
            assert_eq!(pushed, std.to_string().into_bytes());
            // as a prefix and as a query
            for len in [0, 8, 24, 32] {
                let size = 1u64 << (32 - len);
                let start = (v as u64) & !(size - 1);
                let range = IpRange {
                    family: Family::V4,
                    start: start as u128,
                    end: (start + size - 1) as u128,
                };
                let want = if len == 32 {
                    Ipv4Addr::from(start as u32).to_string()
                } else {
                    format!("{}/{len}", Ipv4Addr::from(start as u32))
                };
                assert_eq!(range.to_query_string(), want);
            }
        }
        let v6 = 0x2001_0db8_0000_0000_0000_0000_0000_0001u128;
        assert_eq!(AddrText(Family::V6, v6).to_string(), "2001:db8::1");
        let mut pushed = Vec::new();
        AddrText(Family::V6, v6).push_to(&mut pushed);
        assert_eq!(pushed, b"2001:db8::1");
        let v6net = IpRange {
            family: Family::V6,
            start: v6 - 1,
            end: v6 - 1 + (1 << 96) - 1,
        };
        assert_eq!(v6net.to_query_string(), "2001:db8::/32");
        let all = IpRange {
            family: Family::V6,
            start: 0,
            end: u128::MAX,
        };
        assert_eq!(all.to_query_string(), "::/0");
    }

    #[test]
    fn ipv6_addresses_write_as_the_standard_library_writes_them() {
        // groups zero or not at random (runs of every length and place,
        // ties between runs), and the forms std writes apart
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut values: Vec<u128> = vec![
            0,
            1,
            u128::MAX,
            0xffff_0000_0000,
            0xffff_c000_0201,
            0x0102_0304,
            0x2001_0db8_0000_0000_0001_0000_0000_0001,
            0x2001_0db8_0000_0001_0000_0000_0000_0000,
            0x0000_0001_0000_0000_0001_0000_0000_0000,
        ];
        for _ in 0..20_000 {
            let bits = (next() as u128) << 64 | next() as u128;
            let zeros = next();
            let v = (0..8).fold(0u128, |v, i| {
                let group = if zeros >> i & 1 == 1 {
                    0
                } else {
                    // small groups too (fewer digits)
                    (bits >> (16 * i)) as u16 >> (next() % 16)
                };
                v | (group as u128) << (16 * i)
            });
            values.push(v);
        }
        for v in values {
            let mut pushed = Vec::new();
            AddrText(Family::V6, v).push_to(&mut pushed);
            let std = Ipv6Addr::from(v);
            assert_eq!(
                String::from_utf8(pushed).unwrap(),
                std.to_string(),
                "{v:032x}"
            );
            let ours = AddrText(Family::V6, v);
            assert_eq!(
                format!("{ours:>42}|{ours:<42}|{ours}"),
                format!("{std:>42}|{std:<42}|{std}")
            );
        }
    }

    fn r(s: &str) -> String {
        parse_range(s).unwrap().to_string()
    }

    #[test]
    fn reverse_zones() {
        let z = |n: &str| reverse_zone_range(n).map(|r| r.to_string());
        assert_eq!(
            z("2.0.192.in-addr.arpa").as_deref(),
            Some("192.0.2.0 - 192.0.2.255")
        );
        assert_eq!(
            z("192.IN-ADDR.ARPA.").as_deref(),
            Some("192.0.0.0 - 192.255.255.255")
        );
        assert_eq!(
            z("5.2.0.192.in-addr.arpa").as_deref(),
            Some("192.0.2.5 - 192.0.2.5")
        );
        assert_eq!(
            z("0-63.2.0.192.in-addr.arpa").as_deref(),
            Some("192.0.2.0 - 192.0.2.63")
        );
        assert_eq!(
            z("8.b.d.0.1.0.0.2.ip6.arpa").as_deref(),
            Some("2001:db8:: - 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")
        );
        for bad in [
            "in-addr.arpa",
            "256.in-addr.arpa",
            "01.in-addr.arpa",
            "1.2.3.4.5.in-addr.arpa",
            "63-0.2.0.192.in-addr.arpa",
            "0-63.0.192.0.in-addr.arpa.x",
            "xx.ip6.arpa",
            "example.com",
        ] {
            assert_eq!(z(bad), None, "{bad}");
        }
    }

    #[test]
    fn ranges_prefixes_and_abbreviations() {
        assert_eq!(r("192.0.2.0 - 192.0.2.255"), "192.0.2.0 - 192.0.2.255");
        assert_eq!(r("192.0.2.0-192.0.2.9"), "192.0.2.0 - 192.0.2.9");
        assert_eq!(r("192.0.2.0/25"), "192.0.2.0 - 192.0.2.127");
        assert_eq!(r("24.232.16/24"), "24.232.16.0 - 24.232.16.255");
        assert_eq!(r("24.232/16"), "24.232.0.0 - 24.232.255.255");
        assert_eq!(r("200.57.128/19"), "200.57.128.0 - 200.57.159.255");
        assert_eq!(r("080.016.151.191"), "80.16.151.191 - 80.16.151.191");
        assert_eq!(r("193.254.030.00/24"), "193.254.30.0 - 193.254.30.255");
        assert_eq!(
            r("2001:DB8::/32"),
            "2001:db8:: - 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"
        );
        assert_eq!(
            r("2001:4D0:: - 2001:4D0:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF"),
            "2001:4d0:: - 2001:4d0:ffff:ffff:ffff:ffff:ffff:ffff"
        );
        assert_eq!(r("::/0"), ":: - ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
        assert_eq!(r("0.0.0.0 - 255.255.255.255"), "0.0.0.0 - 255.255.255.255");
    }

    #[test]
    fn bad_notations_are_reported_not_guessed() {
        assert!(matches!(
            parse_range("192.0.2.300 - 192.0.2.400"),
            Err(AddrError::BadAddress(_))
        ));
        assert!(matches!(
            parse_range("192.0.2.9 - 192.0.2.0"),
            Err(AddrError::Reversed(_))
        ));
        assert!(matches!(
            parse_range("192.0.2.1/24"),
            Err(AddrError::HostBits(_))
        ));
        assert!(matches!(
            parse_range("192.0.2.0/33"),
            Err(AddrError::BadPrefixLength(_))
        ));
        assert!(matches!(
            parse_range("192.0.2.0 - 2001:db8::"),
            Err(AddrError::MixedFamilies(_))
        ));
        assert!(parse_range("192.0.2").is_err());
        assert!(parse_range("").is_err());
        assert!(parse_range("1.2.3.4.5/32").is_err());
        assert!(parse_range("2001:db8::/129").is_err());
    }

    #[test]
    fn queries_are_strict() {
        assert!(parse_query_addr("010.0.0.1").is_err());
        assert!(parse_query_addr("10.1").is_err());
        assert!(parse_query_range("192.0.2.1/24").is_err());
        assert_eq!(
            parse_query_range("192.0.2.0/24").unwrap().to_string(),
            "192.0.2.0 - 192.0.2.255"
        );
    }

    #[test]
    fn prefix_len_and_cidrs() {
        let x = parse_range("192.0.2.0 - 192.0.2.255").unwrap();
        assert_eq!(x.prefix_len(), Some(24));
        let y = parse_range("196.11.239.0 - 196.11.246.255").unwrap();
        assert_eq!(y.prefix_len(), None);
        let c: Vec<String> = y
            .cidrs()
            .iter()
            .map(|&(b, l)| format!("{}/{}", u128_to_addr(Family::V4, b), l))
            .collect();
        assert_eq!(
            c,
            [
                "196.11.239.0/24",
                "196.11.240.0/22",
                "196.11.244.0/23",
                "196.11.246.0/24"
            ]
        );
        let all4 = parse_range("0.0.0.0/0").unwrap();
        assert_eq!(all4.cidrs(), vec![(0, 0)]);
        let all6 = parse_range("::/0").unwrap();
        assert_eq!(all6.prefix_len(), Some(0));
        assert_eq!(all6.cidrs(), vec![(0, 0)]);
        let one = parse_range("255.255.255.255").unwrap();
        assert_eq!(one.cidrs(), vec![(u32::MAX as u128, 32)]);
    }
}
