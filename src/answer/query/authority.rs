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

/// IANA's bootstrap service for space nothing here covers.
pub(crate) fn bootstrap_elsewhere<'a>(snap: &'a Snapshot, r: &IpRange) -> Option<Elsewhere<'a>> {
    let url = snap.reg.bootstrap.for_range(r)?;
    Some(Elsewhere {
        registry: by_rdap_url(url),
        rdap: url,
        basis: Basis::Bootstrap,
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
    let url = snap.reg.bootstrap.for_asn(asn)?;
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
