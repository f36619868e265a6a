//! Queries and answers, independent of any transport.
//!
//! [`parse_query`] turns a client's text into a [`Query`] (or says precisely
//! what is wrong with it); [`answer`] turns a query and a snapshot into an
//! [`Answer`]: the matching objects, and for address space the chain of
//! less specifics with the holder, lessee and abuse contact. WHOIS text,
//! RDAP JSON, the lookup page and the CLI all render the same `Answer`.

use crate::addr::{parse_query_range, AddrError, IpRange};
use crate::lease::{self, Abuse, AbuseFrom, HolderOrigin, Lessee, Resolution, Via};
use crate::model::{parse_asn, parse_asn_range};
use crate::snapshot::{NetId, Snapshot};
use crate::time::{self, Timestamp};
use serde_json::{json, Value};

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
    if upper.starts_with("AS") && upper[2..].starts_with(|c: char| c.is_ascii_digit()) {
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
    if let Some(&exact) = ids.iter().find(|&&i| !snap.reg.autnums[i as usize].block) {
        ids = vec![exact];
    } else {
        ids.truncate(1);
    }
    let Some(&first_id) = ids.first() else {
        return Answer::NotFound;
    };
    let a = &snap.reg.autnums[first_id as usize];
    let abuse = lease::abuse_of(snap, a.abuse_c, a.org, Via::AutNum(first_id));
    Answer::Objects {
        objects: ids.into_iter().map(ObjRef::AutNum).collect(),
        abuse,
    }
}

fn answer_handle(snap: &Snapshot, h: &str) -> Answer {
    if let Some(i) = snap.entity_index(h) {
        let e = &snap.reg.entities[i as usize];
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

/// The stored object behind a reference.
pub fn object(snap: &Snapshot, r: ObjRef) -> &crate::rpsl::Object {
    match r {
        ObjRef::Network(i) => &snap.net(i).object,
        ObjRef::Entity(i) => &snap.reg.entities[i as usize].object,
        ObjRef::AutNum(i) => &snap.reg.autnums[i as usize].object,
        ObjRef::Domain(i) => &snap.reg.domains[i as usize].object,
    }
}

/// The key an object is known by: `nic-hdl` for roles and persons.
pub fn display_key(snap: &Snapshot, r: ObjRef) -> &str {
    match r {
        ObjRef::Entity(i) => snap.reg.entities[i as usize].handle_text(),
        _ => object(snap, r).key(),
    }
}

/// `file:line` of an object, for provenance.
pub fn origin(snap: &Snapshot, r: ObjRef) -> String {
    let file = match r {
        ObjRef::Network(i) => snap.net(i).file,
        ObjRef::Entity(i) => snap.reg.entities[i as usize].file,
        ObjRef::AutNum(i) => snap.reg.autnums[i as usize].file,
        ObjRef::Domain(i) => snap.reg.domains[i as usize].file,
    };
    format!("{}:{}", snap.file(file).display(), object(snap, r).line)
}

fn abuse_json(snap: &Snapshot, a: &Option<Abuse>) -> Value {
    match a {
        Some(a) => {
            json!({"mailbox": a.mailbox(snap), "from_handle": a.from_handle(snap), "via": a.via.key(snap)})
        }
        None => Value::Null,
    }
}

fn lessee_json(snap: &Snapshot, l: &Lessee) -> Value {
    let lease = match *l {
        Lessee::Lease { lease, .. } => lease_json(snap, lease),
        Lessee::Registry { .. } => Value::Null,
    };
    let network = match *l {
        Lessee::Lease { .. } => Value::Null,
        Lessee::Registry { network, .. } => json!(snap.net(network).object.key()),
    };
    json!({
        "handle": l.handle(snap),
        "name": l.name(snap),
        "source": l.source(snap),
        "platform_managed": l.platform_managed(),
        "network": network,
        "lease": lease,
    })
}

/// A lease as JSON: `id`, range, term, source, verification and the rest.
pub fn lease_json(snap: &Snapshot, i: u32) -> Value {
    let l = snap.lease(i);
    json!({
        "id": l.id(),
        "start": time::format(l.start),
        "end": l.end.map(time::format),
        "source": snap.lease_source(i),
        "verified": snap.lease_verified(i),
        "range": l.range.to_string(),
        "prefix": l.range.prefix_len().map(|_| l.range.to_prefix_or_range()),
        "lessor": l.lessor(),
        "lessee": {
            "handle": l.lessee_handle(),
            "name": l.lessee_name(),
            "country": l.country(),
            "abuse_mailbox": l.abuse_mailbox(),
        },
        "origin_asn": l.origin_asn,
        "geofeed": l.geofeed(),
        "origin": format!("{}:{}", lease_file(snap, i), l.line),
    })
}

/// The file a lease came from.
pub fn lease_file(snap: &Snapshot, i: u32) -> String {
    let src = snap.lease(i).source as usize;
    snap.lease_sources()
        .get(src)
        .map(|s| s.path.display().to_string())
        .unwrap_or_default()
}

/// The `--lease-history` answer: every lease that ever covered the range.
pub fn history_json(snap: &Snapshot, query: &str, r: &IpRange) -> Value {
    let leases: Vec<Value> = lease::lease_history(snap, r)
        .into_iter()
        .map(|i| lease_json(snap, i))
        .collect();
    json!({ "query": query, "leases": leases })
}

fn object_json(snap: &Snapshot, r: ObjRef) -> Value {
    let o = object(snap, r);
    let attrs: Vec<Value> = o.attrs().map(|(n, v)| json!([n, v])).collect();
    json!({
        "class": o.class(),
        "key": display_key(snap, r),
        "source": o.get("source"),
        "origin": origin(snap, r),
        "attributes": attrs,
    })
}

/// The `tenure lookup --json` form of an answer.
pub fn to_json(snap: &Snapshot, query: &str, a: &Answer) -> Value {
    match a {
        Answer::NotFound => json!({
            "query": query, "found": false, "message": "no entries found",
            "network": null, "holder": null, "lessee": null, "abuse": null, "less_specifics": [],
        }),
        Answer::Objects { objects, abuse } => json!({
            "query": query,
            "found": true,
            "objects": objects.iter().map(|r| object_json(snap, *r)).collect::<Vec<_>>(),
            "abuse": abuse_json(snap, abuse),
        }),
        Answer::Network(na) => {
            let deleg = na.delegation.and_then(|i| snap.deleg(i));
            let network = match na.network(snap) {
                Some(id) => {
                    let n = snap.net(id);
                    json!({
                        "handle": n.object.key(),
                        "class": n.object.class(),
                        "start": n.range.start_addr().to_string(),
                        "end": n.range.end_addr().to_string(),
                        "prefix": n.range.prefix_len().map(|_| n.range.to_prefix_or_range()),
                        "status": n.object.get("status").or_else(|| n.object.get("nettype")),
                        "netname": n.object.get("netname"),
                        "country": n.object.get("country"),
                        "source": n.object.get("source"),
                        "origin": origin(snap, ObjRef::Network(id)),
                    })
                }
                None => match deleg {
                    Some(d) => {
                        let r = match &d.record.resource {
                            crate::delegated::Resource::Ip(r) => *r,
                            crate::delegated::Resource::Asn(..) => na.range,
                        };
                        json!({
                            "handle": r.to_string(),
                            "class": "delegation",
                            "start": r.start_addr().to_string(),
                            "end": r.end_addr().to_string(),
                            "prefix": r.prefix_len().map(|_| r.to_prefix_or_range()),
                            "status": &*d.record.status,
                            "netname": null,
                            "country": &*d.record.cc,
                            "source": &*d.record.registry,
                            "origin": format!("{}:{}", snap.file(d.file).display(), d.record.line),
                        })
                    }
                    None => Value::Null,
                },
            };
            let res = &na.resolution;
            let holder = match &res.holder {
                Some(h) => {
                    let network = match h.origin {
                        HolderOrigin::Network(id) => Some(snap.net(id).object.key()),
                        HolderOrigin::Delegated(_) => None,
                    };
                    json!({
                        "handle": h.handle(snap),
                        "name": h.name(snap),
                        "network": network,
                        "registry": h.registry(snap),
                    })
                }
                None => Value::Null,
            };
            let lessee = match &res.lessee {
                Some(l) => lessee_json(snap, l),
                None => Value::Null,
            };
            json!({
                "query": query,
                "found": true,
                "network": network,
                "holder": holder,
                "lessee": lessee,
                "abuse": abuse_json(snap, &res.abuse),
                "registry": deleg.map(|d| &*d.record.registry),
                "less_specifics": na.chain.iter().skip(1).map(|&id| snap.net(id).object.key()).collect::<Vec<_>>(),
            })
        }
    }
}

/// A regional registry: its names in delegated statistics and dumps, and
/// its WHOIS and RDAP services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registry {
    /// Name in delegated statistics (`ripencc`, `apnic`, ...).
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

/// The registry authoritative for an answer's space, when that space has
/// no object loaded here (only placeholders, no current lease) and the
/// registry's own data is not loaded either: the answer belongs elsewhere.
pub fn authority_elsewhere(snap: &Snapshot, na: &NetworkAnswer) -> Option<&'static Registry> {
    if na.has_data_here(snap) {
        return None;
    }
    registry_elsewhere(snap, na.delegation?)
}

/// The registry of a delegated record (a position in `reg.delegations`),
/// when none of that registry's data is loaded here.
pub fn registry_elsewhere(snap: &Snapshot, deleg: u32) -> Option<&'static Registry> {
    let d = snap.deleg(deleg)?;
    let reg = REGISTRIES.iter().find(|r| r.name == &*d.record.registry)?;
    let loaded = snap
        .report
        .objects
        .keys()
        .any(|k| reg.sources.iter().any(|s| k.eq_ignore_ascii_case(s)));
    (!loaded).then_some(reg)
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
