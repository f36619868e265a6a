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
