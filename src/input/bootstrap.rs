//! IANA's RDAP bootstrap registries (RFC 9224): which RDAP service is
//! authoritative for an IP prefix or an AS number.
//!
//! A file is a JSON object whose `services` is a list of `[[keys...],
//! [base URLs...]]`; keys are CIDR prefixes (IPv4, IPv6) or AS numbers and
//! ranges (`"1-1876"`, `"2018"`). The first `https` URL of a service is the
//! one used. Longest-prefix match picks the service for an address.

use crate::addr::{parse_dump_prefix, Family, IpRange};
use crate::index::{LpmBackend, RangeIndex};

/// IANA's bootstrap files as shipped in `data/iana/`, built into the
/// binary: used when no bootstrap file is named, so that space, AS numbers
/// and reverse zones held elsewhere are redirected whatever data the
/// operator loads. (name, text)
pub const BUILT_IN: [(&str, &str); 3] = [
    (
        "rdap-bootstrap-ipv4.json",
        include_str!("../../data/iana/rdap-bootstrap-ipv4.json"),
    ),
    (
        "rdap-bootstrap-ipv6.json",
        include_str!("../../data/iana/rdap-bootstrap-ipv6.json"),
    ),
    (
        "rdap-bootstrap-asn.json",
        include_str!("../../data/iana/rdap-bootstrap-asn.json"),
    ),
];

/// The `publication` date a bootstrap file states, if any.
pub fn publication(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Head {
        publication: Option<String>,
    }
    serde_json::from_str::<Head>(text).ok()?.publication
}

/// Why a bootstrap file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BootstrapError(pub String);

/// The services of the loaded bootstrap files.
#[derive(Default)]
pub struct Bootstrap {
    urls: Vec<String>,
    v4: Vec<(u32, u32, usize)>,
    v6: Vec<(u128, u128, usize)>,
    asn: Vec<(u32, u32, usize)>,
    i4: Option<RangeIndex<u32>>,
    i6: Option<RangeIndex<u128>>,
    ia: Option<RangeIndex<u32>>,
}

#[derive(serde::Deserialize)]
struct File {
    services: Vec<(Vec<String>, Vec<String>)>,
}

impl Bootstrap {
    /// Adds the services of one file (IPv4, IPv6 or ASN: told by its keys).
    pub fn add_file(&mut self, text: &str) -> Result<usize, BootstrapError> {
        let f: File = serde_json::from_str(text)
            .map_err(|e| BootstrapError(format!("not an RDAP bootstrap file: {e}")))?;
        let mut n = 0;
        for (keys, urls) in f.services {
            let Some(url) = urls
                .iter()
                .find(|u| u.starts_with("https://"))
                .or(urls.first())
            else {
                continue;
            };
            let url = if url.ends_with('/') {
                url.clone()
            } else {
                format!("{url}/")
            };
            let idx = self.urls.len();
            self.urls.push(url);
            for k in keys {
                if k.contains('/') {
                    let r: IpRange = parse_dump_prefix(&k)
                        .map_err(|e| BootstrapError(format!("bad key '{k}': {e}")))?;
                    match r.family {
                        Family::V4 => self.v4.push((r.start as u32, r.end as u32, idx)),
                        Family::V6 => self.v6.push((r.start, r.end, idx)),
                    }
                } else {
                    let (a, b) = match k.split_once('-') {
                        Some((a, b)) => (a.trim().parse(), b.trim().parse()),
                        None => (k.trim().parse(), k.trim().parse()),
                    };
                    match (a, b) {
                        (Ok(a), Ok(b)) if a <= b => self.asn.push((a, b, idx)),
                        _ => return Err(BootstrapError(format!("bad key '{k}'"))),
                    }
                }
                n += 1;
            }
        }
        Ok(n)
    }

    /// Builds the lookup indexes (call after the last `add_file`).
    pub fn finish(&mut self) {
        fn mk<K: crate::index::Key>(v: &mut [(K, K, usize)]) -> Option<RangeIndex<K>> {
            v.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            let r: Vec<(K, K)> = v.iter().map(|x| (x.0, x.1)).collect();
            RangeIndex::build(&r, LpmBackend::Sorted)
        }
        self.i4 = mk(&mut self.v4);
        self.i6 = mk(&mut self.v6);
        self.ia = mk(&mut self.asn);
    }

    /// The RDAP base URL for the range, if a service covers it.
    pub fn for_range(&self, r: &IpRange) -> Option<&str> {
        let i = match r.family {
            Family::V4 => {
                self.v4
                    .get(
                        self.i4
                            .as_ref()?
                            .most_specific(r.start as u32, r.end as u32)?
                            as usize,
                    )?
                    .2
            }
            Family::V6 => {
                self.v6
                    .get(self.i6.as_ref()?.most_specific(r.start, r.end)? as usize)?
                    .2
            }
        };
        self.urls.get(i).map(String::as_str)
    }

    /// The RDAP base URL for an AS number.
    pub fn for_asn(&self, n: u32) -> Option<&str> {
        let i = self.asn.get(self.ia.as_ref()?.lookup(n)? as usize)?.2;
        self.urls.get(i).map(String::as_str)
    }

    /// Number of keys loaded.
    pub fn len(&self) -> usize {
        self.v4.len() + self.v6.len() + self.asn.len()
    }

    /// True when nothing is loaded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_and_asn_services() {
        let mut b = Bootstrap::default();
        b.add_file(r#"{"services": [[["203.0.0.0/8", "1.0.0.0/8"], ["http://x.example/", "https://rdap.apnic.example/"]], [["203.0.113.0/24"], ["https://more.example/rdap"]]]}"#).unwrap();
        b.add_file(r#"{"services": [[["2001:db8::/32"], ["https://v6.example/"]]]}"#)
            .unwrap();
        b.add_file(r#"{"services": [[["64496-64511", "2018"], ["https://asn.example/"]]]}"#)
            .unwrap();
        b.finish();
        let r = |s| crate::addr::parse_query_range(s).unwrap();
        assert_eq!(
            b.for_range(&r("203.0.112.1")),
            Some("https://rdap.apnic.example/")
        );
        assert_eq!(
            b.for_range(&r("203.0.113.1")),
            Some("https://more.example/rdap/")
        );
        assert_eq!(b.for_range(&r("2001:db8::1")), Some("https://v6.example/"));
        assert_eq!(b.for_range(&r("8.8.8.8")), None);
        assert_eq!(b.for_asn(64500), Some("https://asn.example/"));
        assert_eq!(b.for_asn(2018), Some("https://asn.example/"));
        assert_eq!(b.for_asn(2019), None);
        assert!(b.add_file("{}").is_err());
        assert!(Bootstrap::default()
            .add_file(r#"{"services": [[["x-y"], ["https://a/"]]]}"#)
            .is_err());
    }
}

/// IANA's address-space registries as shipped in `data/iana/`, built in:
/// the default when none is named. (name, text)
pub const ADDRESS_SPACE: [(&str, &str); 2] = [
    (
        "ipv4-address-space.csv",
        include_str!("../../data/iana/ipv4-address-space.csv"),
    ),
    (
        "ipv6-unicast-address-assignments.csv",
        include_str!("../../data/iana/ipv6-unicast-address-assignments.csv"),
    ),
];

/// IANA's IPv4 address space and IPv6 unicast assignments registries: the
/// registry given each block (ALLOCATED, LEGACY "Administered by"), with
/// its WHOIS server and RDAP service.
#[derive(Default)]
pub struct AddressSpace {
    /// (range, designation, whois, rdap), in file order.
    blocks: Vec<(IpRange, String, String, String)>,
}

impl AddressSpace {
    /// Adds the blocks of one CSV file (`Prefix,Designation,Date,WHOIS,
    /// RDAP,Status,Note`; quoted fields may hold newlines, an RDAP field
    /// lists several URLs one per line); returns how many were added.
    /// Blocks without a WHOIS server (reserved, IANA's own) are skipped.
    pub fn add_csv(&mut self, text: &str) -> usize {
        let mut n = 0;
        for row in csv_rows(text).into_iter().skip(1) {
            let [prefix, designation, _date, whois, rdap, ..] = row.as_slice() else {
                continue;
            };
            if whois.trim().is_empty() {
                continue;
            }
            let Some(range) = iana_prefix(prefix) else {
                continue;
            };
            let rdap = rdap
                .split(['\n', ' '])
                .map(str::trim)
                .find(|u| u.starts_with("https://"))
                .unwrap_or("")
                .to_string();
            self.blocks.push((
                range,
                designation.trim().to_string(),
                whois.trim().to_string(),
                rdap,
            ));
            n += 1;
        }
        n
    }

    /// The most specific block holding the whole range: (designation,
    /// WHOIS server, RDAP base URL or "").
    pub fn for_range(&self, r: &IpRange) -> Option<(&str, &str, &str)> {
        self.blocks
            .iter()
            .filter(|(b, ..)| b.contains(r))
            .min_by_key(|(b, ..)| b.span())
            .map(|(_, d, w, u)| (d.as_str(), w.as_str(), u.as_str()))
    }
}

/// The newest date an IANA registry CSV lists (its second column's
/// `Date`), to say how current a copy is.
pub fn newest_date(text: &str) -> Option<String> {
    csv_rows(text)
        .into_iter()
        .skip(1)
        .filter_map(|r| r.get(2).cloned())
        .filter(|d| !d.is_empty())
        .max()
}

/// An IANA registry prefix: `003/8` (zero-padded IPv4) or `2001:200::/23`.
fn iana_prefix(s: &str) -> Option<IpRange> {
    let s = s.trim();
    if let Some((first, len)) = s.split_once('/') {
        if !first.contains(':') && !first.contains('.') {
            let octet: u8 = first.trim_start_matches('0').parse().unwrap_or(0);
            return parse_dump_prefix(&format!("{octet}.0.0.0/{len}")).ok();
        }
    }
    parse_dump_prefix(s).ok()
}

/// The rows of a CSV text (RFC 4180: quoted fields with doubled quotes
/// and newlines).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod address_space_tests {
    use super::*;

    #[test]
    fn iana_registries_built_in() {
        let mut a = AddressSpace::default();
        for (_, text) in ADDRESS_SPACE {
            assert!(a.add_csv(text) > 20);
        }
        let at = |q: &str| {
            a.for_range(&crate::addr::parse_query_range(q).unwrap())
                .map(|(d, w, _)| (d.to_string(), w.to_string()))
        };
        assert_eq!(
            at("3.1.2.3"),
            Some(("Administered by ARIN".into(), "whois.arin.net".into()))
        );
        assert_eq!(at("1.1.1.1").map(|x| x.1), Some("whois.apnic.net".into()));
        assert_eq!(
            at("2001:200::1").map(|x| x.1),
            Some("whois.apnic.net".into())
        );
        assert_eq!(at("0.1.2.3"), None, "reserved blocks name no registry");
        let (_, _, rdap) = a
            .for_range(&crate::addr::parse_query_range("3.1.2.3").unwrap())
            .unwrap();
        assert_eq!(rdap, "https://rdap.arin.net/registry");
    }
}
