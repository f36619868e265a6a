//! Layer 1, data in: registry dumps (RPSL), delegated-extended statistics,
//! lease records and IANA's bootstrap files (plain, gzip, or the text
//! members of a ZIP archive as ARIN ships its bulk data), parsed and loaded into a
//! `Registry` with a report of everything skipped.

pub(crate) mod arin_xml;
pub mod bgp;
pub(crate) mod bootstrap;
pub mod delegated;
pub mod dump;
pub(crate) mod leases;
pub(crate) mod model;
pub mod nrtm;
pub mod progress;
pub(crate) mod rpsl;
pub(crate) mod zip;
