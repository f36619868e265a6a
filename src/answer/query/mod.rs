//! Queries and answers, independent of any transport.
//!
//! [`parse_query`] turns a client's text into a [`Query`] (or says precisely
//! what is wrong with it); [`lookup`] turns a query and a snapshot into the
//! one resolved answer ([`Found`], [`Resolved`]): the network, holder,
//! lessee, abuse contact with its provenance, and where else to ask
//! ([`authority`]), as borrowed views. WHOIS text, bulk lines, RDAP JSON,
//! the lookup page and `tenure lookup --json` ([`to_json`]) all render
//! those views and decide nothing again. [`answer`] is the same decision as
//! positions in the snapshot (what the RDAP answer cache keys on).

mod about;
pub mod authority;
mod json;
mod objects;
mod resolved;
mod routing;
mod search;

pub use about::{about, About, Identity};
pub use authority::{Basis, Elsewhere, Registry, SpecialPurpose, REGISTRIES};
pub use json::{history_json, to_json};
pub use objects::{
    personal_data_served, render_attrs, AutNumView, Contact, ContactKind, Contacts, EntityView,
    ObjectView,
};
pub use resolved::{
    is_lessee, lease_by_handle, lease_covers, lease_history, leases_of_lessee, lookup, prefetch,
    qualify, resolve, resolve_as, resolve_prefetched, AbuseSource, AbuseView, Block, DelegatedView,
    Found, History, HolderFrom, HolderView, LeaseView, LesseeFrom, LesseeView, NetworkView,
    Resolved, Subject, View, HISTORY_LIMIT,
};
pub use routing::{
    as_holder, routing_json, AsHolder, LikelyUser, OriginView, RouteView, RoutingView, VrpShown,
};
pub use search::{
    autnum, domain, entity, held_by, hierarchy, inverse, related, reverse_search, search_autnums,
    search_entities, search_networks, Field, Level, Pattern, PatternError, Relation, Reverse,
    INVERSE_LIMIT,
};

use crate::addr::{parse_query_range, AddrError, IpRange};
use crate::lease::{self, Abuse, AbuseFrom, Via};
pub use crate::lease::{lease_policy, Resolution};
/// A time attribute's value as objects give it (text, or a compact time).
pub use crate::rpsl::AttrTime;

/// The snapshot whose registry data answers a question about time `at`:
/// an older compiled snapshot of the dated directory the served one came
/// from, when `at` is before the served one's date (`None`: the served
/// snapshot answers). Leases and routing evidence keep their own history.
pub fn registry_at(
    snap: &crate::snapshot::Snapshot,
    at: crate::time::Timestamp,
) -> Result<Option<crate::snapshot::compiled::PastSnapshot>, String> {
    snap.registry_at(at)
}

/// True when no kept compiled snapshot is as old as `at` (the served one
/// answers such a question; interfaces say so).
pub fn registry_before_kept(snap: &crate::snapshot::Snapshot, at: crate::time::Timestamp) -> bool {
    snap.before_compiled(at)
}
use crate::model::{parse_asn, parse_asn_range};
use crate::snapshot::{NetId, Snapshot};
use crate::time::Timestamp;

/// A parsed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// An address, a prefix or a range.
    Range(IpRange),
    /// One AS number.
    Asn(u32),
    /// An AS range `AS1 - AS5`.
    AsnRange(u32, u32),
    /// An object handle or name (organisation, role, person, irt, mntner,
    /// reverse domain), compared case-insensitively.
    Handle(String),
}

/// Why a query was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Nothing was asked.
    #[error("empty query")]
    Empty,
    /// An address, prefix or range notation that is not valid.
    #[error(transparent)]
    Address(#[from] AddrError),
    /// An AS number or range that is not valid.
    #[error("'{0}' is not a valid AS number or AS range")]
    BadAsn(String),
    /// Characters no handle or address may contain.
    #[error("'{0}' is not an address, AS number or handle")]
    BadKey(String),
}

/// Parses a query key.
pub fn parse_query(text: &str) -> Result<Query, QueryError> {
    let s = text.trim();
    if s.is_empty() {
        return Err(QueryError::Empty);
    }
    let upper = s.to_ascii_uppercase();
    if upper
        .strip_prefix("AS")
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    {
        if s.contains('-') {
            return parse_asn_range(s)
                .map(|(a, b)| Query::AsnRange(a, b))
                .ok_or_else(|| QueryError::BadAsn(s.into()));
        }
        return parse_asn(s)
            .map(Query::Asn)
            .ok_or_else(|| QueryError::BadAsn(s.into()));
    }
    if looks_like_address(s) {
        return Ok(Query::Range(parse_query_range(s)?));
    }
    let handle_ok = s.len() <= 255
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'@'));
    if !handle_ok {
        return Err(QueryError::BadKey(s.chars().take(80).collect()));
    }
    Ok(Query::Handle(s.to_string()))
}

/// True for text made only of what addresses, prefixes and ranges use,
/// with a `.` or `:` (so `10.1` and `dead::beef` are addresses, and wrong
/// ones get an address error rather than a handle lookup).
fn looks_like_address(s: &str) -> bool {
    let chars_ok = s
        .bytes()
        .all(|b| b.is_ascii_hexdigit() || matches!(b, b'.' | b':' | b'/' | b'-' | b' '));
    let all_digits_ipv4 = s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'/' | b'-' | b' '));
    (s.contains(':') && chars_ok) || (s.contains('.') && all_digits_ipv4)
}

/// An object an answer refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjRef {
    Network(NetId),
    Entity(u32),
    AutNum(u32),
    Domain(u32),
}

/// The answer to an address, prefix or range query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkAnswer {
    pub range: IpRange,
    /// Networks containing the whole queried range, most specific first.
    pub chain: Vec<NetId>,
    /// Index into the delegated records of the authoritative registry's record.
    pub delegation: Option<u32>,
    pub resolution: Resolution,
}

impl NetworkAnswer {
    /// True when something real answers here: a network that is not a
    /// registry placeholder, or a current lease.
    pub fn has_data_here(&self, snap: &Snapshot) -> bool {
        self.chain.iter().any(|&id| !snap.net(id).is_placeholder())
            || self.resolution.lessee.is_some()
    }

    /// The network the answer is about: the most specific one that is not
    /// a registry placeholder; a placeholder only when no delegated record
    /// says more.
    pub fn network(&self, snap: &Snapshot) -> Option<NetId> {
        let real = self
            .chain
            .iter()
            .copied()
            .find(|&id| !snap.net(id).is_placeholder());
        match (real, self.delegation) {
            (Some(id), _) => Some(id),
            (None, Some(_)) => None,
            (None, None) => self.chain.first().copied(),
        }
    }
}

/// What a query found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Address space: the chain and who holds, uses and takes abuse for it.
    Network(NetworkAnswer),
    /// Objects found by AS number or handle, with the abuse contact of the first.
    Objects {
        objects: Vec<ObjRef>,
        abuse: Option<Abuse>,
    },
    /// Nothing matched.
    NotFound,
}

/// Answers a query from one snapshot, as of time `at` (leases active then).
pub fn answer(snap: &Snapshot, q: &Query, at: Timestamp) -> Answer {
    match q {
        Query::Range(r) => answer_range(snap, r, at),
        Query::Asn(n) => answer_asn(snap, *n, *n),
        Query::AsnRange(a, b) => answer_asn(snap, *a, *b),
        Query::Handle(h) => answer_handle(snap, h),
    }
}

/// Answers an address, prefix or range as of time `at`.
pub fn answer_range(snap: &Snapshot, r: &IpRange, at: Timestamp) -> Answer {
    let chain = snap.covering(r);
    let delegation = snap.delegation(r);
    let resolution = lease::resolve(snap, r, &chain, delegation, at);
    if chain.is_empty() && delegation.is_none() && resolution.lessee.is_none() {
        return Answer::NotFound;
    }
    Answer::Network(NetworkAnswer {
        range: *r,
        chain,
        delegation,
        resolution,
    })
}

fn answer_asn(snap: &Snapshot, first: u32, last: u32) -> Answer {
    let mut ids = snap.autnums(first, last);
    // an AS number with its own aut-num answers with that alone (as RIPE
    // does); otherwise the most specific as-block that contains it
    if let Some(&exact) = ids.iter().find(|&&i| !snap.autnum_at(i).block) {
        ids = vec![exact];
    } else {
        ids.truncate(1);
    }
    let Some(&first_id) = ids.first() else {
        return Answer::NotFound;
    };
    let a = snap.autnum_at(first_id);
    let abuse = lease::abuse_of(snap, a.abuse_c, a.org, Via::AutNum(first_id));
    Answer::Objects {
        objects: ids.into_iter().map(ObjRef::AutNum).collect(),
        abuse,
    }
}

fn answer_handle(snap: &Snapshot, h: &str) -> Answer {
    if let Some(i) = snap.entity_index(h) {
        let e = snap.entity_at(i);
        let via = Via::Entity(e.handle);
        let abuse = lease::abuse_of(snap, crate::model::NO_SYM, e.handle, via).or_else(|| {
            e.has_abuse_mailbox.then_some(Abuse {
                from: AbuseFrom::Entity(i),
                via,
            })
        });
        return Answer::Objects {
            objects: vec![ObjRef::Entity(i)],
            abuse,
        };
    }
    if let Some(d) = snap.domain(h) {
        return Answer::Objects {
            objects: vec![ObjRef::Domain(d)],
            abuse: None,
        };
    }
    // a netname: the networks that carry it, with the abuse contact of the first
    let nets = snap.by_netname(h);
    if let Some(&first) = nets.first() {
        let chain = snap.covering(&snap.net(first).range);
        let chain: Vec<NetId> = chain.into_iter().skip_while(|&id| id != first).collect();
        let holder_pos = chain.iter().rposition(|&id| {
            let n = snap.net(id);
            n.kind == crate::model::StatusKind::Registry && !n.is_placeholder()
        });
        let abuse = lease::abuse_for_chain(snap, &chain, holder_pos);
        return Answer::Objects {
            objects: nets.into_iter().map(ObjRef::Network).collect(),
            abuse,
        };
    }
    Answer::NotFound
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_kinds() {
        assert!(matches!(parse_query("192.0.2.77"), Ok(Query::Range(_))));
        assert!(matches!(parse_query("2001:db8:5::1"), Ok(Query::Range(_))));
        assert!(matches!(parse_query("192.0.2.0/24"), Ok(Query::Range(_))));
        assert!(matches!(
            parse_query("192.0.2.0 - 192.0.2.9"),
            Ok(Query::Range(_))
        ));
        assert_eq!(parse_query("AS64500"), Ok(Query::Asn(64500)));
        assert_eq!(parse_query("as64500"), Ok(Query::Asn(64500)));
        assert_eq!(
            parse_query("AS64496 - AS64511"),
            Ok(Query::AsnRange(64496, 64511))
        );
        assert_eq!(
            parse_query("org-example1-test"),
            Ok(Query::Handle("org-example1-test".into()))
        );
        assert_eq!(
            parse_query("2.0.192.in-addr.arpa"),
            Ok(Query::Handle("2.0.192.in-addr.arpa".into()))
        );
    }

    #[test]
    fn malformed_queries_say_why() {
        assert!(matches!(parse_query("10.1"), Err(QueryError::Address(_))));
        assert!(matches!(
            parse_query("192.0.2.300"),
            Err(QueryError::Address(_))
        ));
        assert!(matches!(
            parse_query("192.0.2.1/24"),
            Err(QueryError::Address(AddrError::HostBits(_)))
        ));
        assert!(matches!(
            parse_query("AS99999999999"),
            Err(QueryError::BadAsn(_))
        ));
        assert!(matches!(
            parse_query("AS5 - AS1"),
            Err(QueryError::BadAsn(_))
        ));
        assert!(matches!(parse_query("foo bar"), Err(QueryError::BadKey(_))));
        assert!(matches!(parse_query("  "), Err(QueryError::Empty)));
    }
}
