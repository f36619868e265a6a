//! Where else to ask: the regional registries tenure knows, and the one
//! authoritative for space whose data is not loaded here.
//!
//! Decided once for every interface: WHOIS refers (`refer:`), RDAP
//! redirects (RFC 7480 section 5.2), the page says which registry to ask
//! and links there, bulk and `--json` name it. Registries are named in
//! one vocabulary everywhere: the delegated-statistics name (`ripencc`,
//! `arin`, `apnic`, `lacnic`, `afrinic`).

use crate::addr::IpRange;
use crate::snapshot::Snapshot;

/// A regional registry: its names in delegated statistics and dumps, and
/// its WHOIS and RDAP services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registry {
    /// Name in delegated statistics (`ripencc`, `apnic`, ...): the one
    /// name tenure shows.
    pub name: &'static str,
    pub whois: &'static str,
    /// RDAP base URL, ending in `/`.
    pub rdap: &'static str,
    /// `source:` values of its RPSL objects.
    pub sources: &'static [&'static str],
}

/// The registries tenure knows how to refer to.
pub const REGISTRIES: &[Registry] = &[
    Registry {
        name: "ripencc",
        whois: "whois.ripe.net",
        rdap: "https://rdap.db.ripe.net/",
        sources: &["RIPE", "RIPE-NONAUTH"],
    },
    Registry {
        name: "arin",
        whois: "whois.arin.net",
        rdap: "https://rdap.arin.net/registry/",
        sources: &["ARIN"],
    },
    Registry {
        name: "apnic",
        whois: "whois.apnic.net",
        rdap: "https://rdap.apnic.net/",
        sources: &["APNIC"],
    },
    Registry {
        name: "lacnic",
        whois: "whois.lacnic.net",
        rdap: "https://rdap.lacnic.net/rdap/",
        sources: &["LACNIC"],
    },
    Registry {
        name: "afrinic",
        whois: "whois.afrinic.net",
        rdap: "https://rdap.afrinic.net/rdap/",
        sources: &["AFRINIC"],
    },
];

/// The registry of a delegated-statistics name (`ripencc`, `arin`, ...).
pub fn by_name(name: &str) -> Option<&'static Registry> {
    REGISTRIES
        .iter()
        .find(|r| r.name.eq_ignore_ascii_case(name))
}

/// The registry whose RPSL objects carry this `source:`.
pub fn by_source(source: &str) -> Option<&'static Registry> {
    REGISTRIES
        .iter()
        .find(|r| r.sources.iter().any(|s| s.eq_ignore_ascii_case(source)))
}

/// The registry running the RDAP service at this base URL (same host).
pub fn by_rdap_url(url: &str) -> Option<&'static Registry> {
    let h = host(url);
    REGISTRIES.iter().find(|r| host(r.rdap) == h)
}

/// The host of a URL, lower case.
pub fn host(url: &str) -> String {
    url.split("://")
        .nth(1)
        .unwrap_or(url)
        .split('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// True when some of the registry's own objects are loaded here.
pub fn is_loaded(snap: &Snapshot, reg: &Registry) -> bool {
    snap.report
        .objects
        .keys()
        .any(|k| reg.sources.iter().any(|s| k.eq_ignore_ascii_case(s)))
}

/// Space answered elsewhere: who to ask, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elsewhere<'a> {
    /// The registry, when tenure knows it (always for delegated
    /// statistics; for IANA's bootstrap, when the URL is a registry's).
    pub registry: Option<&'static Registry>,
    /// The RDAP service to redirect to (base URL).
    pub rdap: &'a str,
    /// Why: the delegated-statistics block naming the registry, or IANA's
    /// bootstrap.
    pub basis: Basis,
}

/// What says the space belongs elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// The registry's delegated statistics list this block.
    Delegated(IpRange),
    /// Delegated AS numbers `first..=last`.
    DelegatedAsn(u32, u32),
    /// Only IANA's RDAP bootstrap covers it.
    Bootstrap,
    /// Only IANA's address-space registries name who was given it.
    AddressSpace,
}

impl Elsewhere<'_> {
    /// The registry's name, else the bootstrap service's host.
    pub fn name(&self) -> String {
        match self.registry {
            Some(r) => r.name.to_string(),
            None => host(self.rdap),
        }
    }

    /// The registry's WHOIS server, when known.
    pub fn whois(&self) -> Option<&'static str> {
        self.registry.map(|r| r.whois)
    }
}

/// The registry of a delegated record (a position in the delegated
/// records), when none of that registry's data is loaded here.
pub(crate) fn delegated_elsewhere(snap: &Snapshot, deleg: u32) -> Option<Elsewhere<'static>> {
    let d = snap.deleg(deleg)?;
    let reg = by_name(&d.record.registry)?;
    if is_loaded(snap, reg) {
        return None;
    }
    let basis = match &d.record.resource {
        crate::delegated::Resource::Ip(r) => Basis::Delegated(*r),
        crate::delegated::Resource::Asn(a, b) => Basis::DelegatedAsn(*a, *b),
    };
    Some(Elsewhere {
        registry: Some(reg),
        rdap: reg.rdap,
        basis,
    })
}

/// IANA's bootstrap service for space nothing here covers, else the
/// registry IANA's address-space registries name for the block.
pub(crate) fn bootstrap_elsewhere<'a>(snap: &'a Snapshot, r: &IpRange) -> Option<Elsewhere<'a>> {
    if let Some(url) = snap.bootstrap().for_range(r) {
        return Some(Elsewhere {
            registry: by_rdap_url(url),
            rdap: url,
            basis: Basis::Bootstrap,
        });
    }
    let (_, whois, rdap) = snap.address_space().for_range(r)?;
    let registry = REGISTRIES
        .iter()
        .find(|g| g.whois.eq_ignore_ascii_case(whois))
        .or_else(|| (!rdap.is_empty()).then(|| by_rdap_url(rdap)).flatten());
    let rdap = match (rdap, registry) {
        ("", Some(g)) => g.rdap,
        ("", None) => return None,
        (u, _) => u,
    };
    Some(Elsewhere {
        registry,
        rdap,
        basis: Basis::AddressSpace,
    })
}

/// Where to ask about AS numbers not loaded here: the registry of the
/// delegated statistics, else IANA's bootstrap.
pub fn asn_elsewhere(snap: &Snapshot, asn: u32) -> Option<Elsewhere<'_>> {
    if let Some(e) = snap
        .delegation_asn(asn)
        .and_then(|i| delegated_elsewhere(snap, i))
    {
        return Some(e);
    }
    let url = snap.bootstrap().for_asn(asn)?;
    Some(Elsewhere {
        registry: by_rdap_url(url),
        rdap: url,
        basis: Basis::Bootstrap,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_vocabulary() {
        assert_eq!(by_source("RIPE").map(|r| r.name), Some("ripencc"));
        assert_eq!(by_source("ripe-nonauth").map(|r| r.name), Some("ripencc"));
        assert_eq!(by_name("ARIN").map(|r| r.whois), Some("whois.arin.net"));
        assert_eq!(
            by_rdap_url("https://rdap.arin.net/registry/ip/8.8.8.8").map(|r| r.name),
            Some("arin")
        );
        assert_eq!(by_rdap_url("https://rdap.example/"), None);
        assert_eq!(host("HTTPS://Rdap.Example:8443/x"), "rdap.example:8443");
    }
}

/// A block of IANA's special-purpose address registries (RFC 6890 and
/// its successors) and the multicast and reserved blocks of the address
/// space registries: space no registry delegates to anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialPurpose {
    /// The block, as IANA writes it.
    pub block: &'static str,
    pub name: &'static str,
    /// The document that reserves it.
    pub rfc: &'static str,
}

impl SpecialPurpose {
    /// The block as a range.
    pub fn range(&self) -> IpRange {
        // the table below holds valid prefixes (tested)
        crate::addr::parse_dump_prefix(self.block)
            .unwrap_or_else(|_| IpRange::new(crate::addr::Family::V4, 0, 0))
    }
}

/// IANA's special-purpose blocks (IPv4 and IPv6 registries), the multicast
/// blocks and IPv4's reserved 240.0.0.0/4, most specific last within a
/// family so that the first match from the end is the most specific.
pub const SPECIAL_PURPOSE: &[SpecialPurpose] = &[
    sp("0.0.0.0/8", "\"This network\"", "RFC 791"),
    sp("10.0.0.0/8", "Private-Use", "RFC 1918"),
    sp("100.64.0.0/10", "Shared Address Space", "RFC 6598"),
    sp("127.0.0.0/8", "Loopback", "RFC 1122"),
    sp("169.254.0.0/16", "Link Local", "RFC 3927"),
    sp("172.16.0.0/12", "Private-Use", "RFC 1918"),
    sp("192.0.0.0/24", "IETF Protocol Assignments", "RFC 6890"),
    sp("192.0.2.0/24", "Documentation (TEST-NET-1)", "RFC 5737"),
    sp("192.31.196.0/24", "AS112-v4", "RFC 7535"),
    sp("192.52.193.0/24", "AMT", "RFC 7450"),
    sp(
        "192.88.99.0/24",
        "Deprecated (6to4 Relay Anycast)",
        "RFC 7526",
    ),
    sp("192.168.0.0/16", "Private-Use", "RFC 1918"),
    sp(
        "192.175.48.0/24",
        "Direct Delegation AS112 Service",
        "RFC 7534",
    ),
    sp("198.18.0.0/15", "Benchmarking", "RFC 2544"),
    sp("198.51.100.0/24", "Documentation (TEST-NET-2)", "RFC 5737"),
    sp("203.0.113.0/24", "Documentation (TEST-NET-3)", "RFC 5737"),
    sp("224.0.0.0/4", "Multicast", "RFC 5771"),
    sp("240.0.0.0/4", "Reserved", "RFC 1112"),
    sp("255.255.255.255/32", "Limited Broadcast", "RFC 919"),
    sp("::/128", "Unspecified Address", "RFC 4291"),
    sp("::1/128", "Loopback Address", "RFC 4291"),
    sp("::ffff:0:0/96", "IPv4-mapped Address", "RFC 4291"),
    sp("64:ff9b::/96", "IPv4-IPv6 Translation", "RFC 6052"),
    sp(
        "64:ff9b:1::/48",
        "IPv4-IPv6 Translation (local use)",
        "RFC 8215",
    ),
    sp("100::/64", "Discard-Only Address Block", "RFC 6666"),
    sp("2001::/23", "IETF Protocol Assignments", "RFC 2928"),
    sp("2001:db8::/32", "Documentation", "RFC 3849"),
    sp("2002::/16", "6to4", "RFC 3056"),
    sp("3fff::/20", "Documentation", "RFC 9637"),
    sp("5f00::/16", "Segment Routing (SRv6) SIDs", "RFC 9602"),
    sp("fc00::/7", "Unique-Local", "RFC 4193"),
    sp("fe80::/10", "Link-Local Unicast", "RFC 4291"),
    sp("ff00::/8", "Multicast", "RFC 4291"),
];

const fn sp(block: &'static str, name: &'static str, rfc: &'static str) -> SpecialPurpose {
    SpecialPurpose { block, name, rfc }
}

/// The most specific special-purpose block holding the whole range.
pub fn special_purpose(r: &IpRange) -> Option<SpecialPurpose> {
    SPECIAL_PURPOSE
        .iter()
        .filter(|s| s.range().contains(r))
        .min_by_key(|s| s.range().span())
        .copied()
}

#[cfg(test)]
mod special_tests {
    use super::*;

    #[test]
    fn special_purpose_blocks() {
        for s in SPECIAL_PURPOSE {
            assert!(
                crate::addr::parse_dump_prefix(s.block).is_ok(),
                "{}",
                s.block
            );
        }
        let at =
            |q: &str| special_purpose(&crate::addr::parse_query_range(q).unwrap()).map(|s| s.name);
        assert_eq!(at("10.1.2.3"), Some("Private-Use"));
        assert_eq!(at("100.64.0.1"), Some("Shared Address Space"));
        assert_eq!(at("fe80::1"), Some("Link-Local Unicast"));
        assert_eq!(at("2001:db8::/48"), Some("Documentation"));
        assert_eq!(at("2001::1"), Some("IETF Protocol Assignments"));
        assert_eq!(at("8.8.8.8"), None);
        assert_eq!(at("10.0.0.0 - 11.0.0.0"), None, "not wholly inside");
    }
}
