//! What the data served is: serial, load time, sources with their object
//! counts, lease sources, delegated statistics with their dates. WHOIS
//! banners and `-q sources`, RDAP notices and the page read it here.

use crate::snapshot::Snapshot;
use std::time::SystemTime;

/// A snapshot's identity ([`About::identity`]).
pub type Identity = (usize, SystemTime);

/// The data of one snapshot, described.
#[derive(Clone, Copy)]
pub struct About<'a> {
    snap: &'a Snapshot,
}

/// Describes a snapshot's data.
pub fn about(snap: &Snapshot) -> About<'_> {
    About { snap }
}

impl<'a> About<'a> {
    /// The serial (grows on every good load).
    pub fn serial(&self) -> u64 {
        self.snap.serial
    }

    /// When the snapshot was built.
    pub fn loaded_at(&self) -> SystemTime {
        self.snap.loaded_at
    }

    /// Which snapshot this is, for what is made once per snapshot and
    /// kept (answer caches, the RDAP notices, the WHOIS banner): its
    /// address and load time (an address alone may be the next
    /// snapshot's, once this one is dropped).
    pub fn identity(&self) -> Identity {
        (self.snap as *const Snapshot as usize, self.snap.loaded_at)
    }

    /// Registry sources (`source:` values; "" for objects without one)
    /// with their object counts.
    pub fn registry_sources(&self) -> impl Iterator<Item = (&'a str, u64)> + 'a {
        self.snap
            .report
            .objects
            .iter()
            .map(|(s, classes)| (s.as_str(), classes.values().sum()))
    }

    /// Lease sources, by name.
    pub fn lease_sources(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.snap.lease_sources().iter().map(|l| l.name.as_str())
    }

    /// Delegated statistics: `(registry, end date)`.
    pub fn delegated(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.snap
            .delegated_headers()
            .iter()
            .map(|h| (h.registry.as_str(), h.end_date.as_str()))
    }

    /// True when a registry or lease source of this name is loaded.
    pub fn has_source(&self, name: &str) -> bool {
        self.registry_sources()
            .any(|(s, _)| s.eq_ignore_ascii_case(name))
            || self.lease_sources().any(|l| l.eq_ignore_ascii_case(name))
    }

    /// One line per source and the serial last ("registry data: RIPE",
    /// "lease records: NAME", "delegated statistics: ripencc of 20261120",
    /// "data serial 7").
    pub fn source_lines(&self) -> &'a [String] {
        self.snap.source_lines()
    }

    /// Networks loaded.
    pub fn networks(&self) -> usize {
        self.snap.networks()
    }

    /// Lease records loaded.
    pub fn leases(&self) -> u32 {
        self.snap.lease_count()
    }
}
