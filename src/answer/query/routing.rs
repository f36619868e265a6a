//! Routing evidence in the one resolved answer: who announces the space in
//! BGP, whether that network belongs to the holder, what RPKI says, and,
//! when the registry names no user, who the likely user is.
//!
//! Decided once here, from the snapshot's routing part (or the one current
//! at the time asked about), and rendered by every interface. The likely
//! user is an inference from public routing data, labelled as one: it is
//! never the lessee, never a registry fact, and never changes the abuse
//! contact.

use super::authority;
use crate::addr::IpRange;
use crate::bgp::Origin;
use crate::routing::{Routing, Rpki, VrpView};
use crate::snapshot::Snapshot;
use crate::time::Timestamp;

/// VRPs an answer lists as evidence, at most.
pub const VRPS_SHOWN: usize = 8;

/// The routing evidence about a query.
#[derive(Debug, Clone)]
pub struct RoutingView<'a> {
    /// The most specific announced prefix covering the query; `None`: not
    /// announced (as far as the loaded tables say).
    pub route: Option<RouteView<'a>>,
    /// When the routing data was current.
    pub as_of: Option<Timestamp>,
    /// True when VRPs are loaded (RPKI states are told).
    pub rpki_loaded: bool,
    /// No routing file covers the time asked about (the answer then has
    /// no route; it says so).
    pub uncovered: bool,
    /// The routing data of the time asked about is being loaded (the
    /// answer has no route; asked again shortly, it has).
    pub loading: bool,
}

/// An announced prefix and what is known about its origins.
#[derive(Debug, Clone)]
pub struct RouteView<'a> {
    pub prefix: IpRange,
    pub origins: Vec<OriginView<'a>>,
    /// Whether the holder of the address also holds the origin AS: true
    /// when one origin is the holder's, false when every origin is known
    /// to be another's, `None` when they cannot be compared.
    pub by_holder: Option<bool>,
    /// With a lessee (lease record or registry): whether the origins agree
    /// with it (`None`: cannot tell).
    pub lessee_agrees: Option<bool>,
    /// The network announcing space the registry names no user for, when
    /// it is not the holder's: an inference from routing.
    pub likely_user: Option<LikelyUser<'a>>,
    /// The VRPs covering the prefix (at most `VRPS_SHOWN`, 8).
    pub vrps: Vec<VrpShown>,
}

/// One origin of a route.
#[derive(Debug, Clone)]
pub struct OriginView<'a> {
    /// The AS; `None` for an AS set (its members in `set`).
    pub asn: Option<u32>,
    pub set: Vec<u32>,
    pub holder: Option<AsHolder<'a>>,
    /// `None` when no VRP file is loaded.
    pub rpki: Option<Rpki>,
    pub by_holder: Option<bool>,
}

/// Who holds an AS number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AsHolder<'a> {
    /// The organisation handle (aut-num `org`, ARIN `OrgID`), else the
    /// registry's opaque holder id from delegated statistics.
    pub handle: &'a str,
    pub name: Option<&'a str>,
    /// The registry (`ripencc`, `arin`, ...), when known.
    pub registry: Option<&'a str>,
    /// The database its object came from (`source:`), or the delegated
    /// statistics' registry: handles compare within one.
    pub database: Option<&'a str>,
    /// An organisation handle (true) or an opaque id (false).
    pub organisation: bool,
}

/// The routing inference of who uses the space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LikelyUser<'a> {
    pub asn: u32,
    pub holder: Option<AsHolder<'a>>,
}

/// A covering VRP, owned (answers for past times read a routing part the
/// snapshot does not hold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VrpShown {
    pub prefix: IpRange,
    pub max_len: u8,
    pub asn: u32,
    pub ta: String,
}

impl From<VrpView<'_>> for VrpShown {
    fn from(v: VrpView<'_>) -> Self {
        VrpShown {
            prefix: v.prefix,
            max_len: v.max_len,
            asn: v.asn,
            ta: v.ta.to_string(),
        }
    }
}

/// The address's holder as routing compares it: its organisation handle
/// and the database (`source:`) naming it, and the opaque id of its
/// delegated record with that record's registry.
pub(super) struct HolderIds<'a> {
    pub org: Option<(&'a str, Option<&'a str>)>,
    pub opaque: Option<(&'a str, &'a str)>,
}

/// The lessee as routing compares it: its handle, the origin AS a lease
/// record names (lease records only), and the database of a registry
/// lessee's network.
pub(super) struct LesseeIds<'a> {
    pub handle: &'a str,
    pub lease: bool,
    pub lease_origin: Option<u32>,
    pub database: Option<&'a str>,
}

/// Decides the routing evidence for `range` from `routing`, a generation
/// [`Routing::in_use`] (the caller asks first).
pub(super) fn resolve<'a>(
    snap: &'a Snapshot,
    routing: &Routing,
    range: &IpRange,
    ids: &HolderIds<'a>,
    lessee: Option<&LesseeIds<'a>>,
) -> RoutingView<'a> {
    let route = routing.route(range).map(|hit| {
        let origins: Vec<OriginView<'a>> = routing
            .origins(&hit)
            .map(|o| {
                let rpki = routing.rpki(&hit.prefix, o);
                match o {
                    Origin::As(asn) => {
                        let h = as_holder(snap, asn);
                        OriginView {
                            asn: Some(asn),
                            set: Vec::new(),
                            by_holder: same_holder(snap, ids, asn, h.as_ref()),
                            holder: h,
                            rpki,
                        }
                    }
                    Origin::Set(members) => OriginView {
                        asn: None,
                        set: members.to_vec(),
                        holder: None,
                        rpki,
                        by_holder: None,
                    },
                }
            })
            .collect();
        let by_holder = if origins.iter().any(|o| o.by_holder == Some(true)) {
            Some(true)
        } else if !origins.is_empty() && origins.iter().all(|o| o.by_holder == Some(false)) {
            Some(false)
        } else {
            None
        };
        let lessee_agrees = lessee.and_then(|l| agrees(l, &origins));
        // the inference: no lessee, and the announcing network is known
        // not to be the holder's (a valid origin first)
        let likely_user = if lessee.is_none() && by_holder == Some(false) {
            let mut cands: Vec<&OriginView<'a>> =
                origins.iter().filter(|o| o.asn.is_some()).collect();
            cands.sort_by_key(|o| o.rpki != Some(Rpki::Valid));
            cands.first().and_then(|o| {
                Some(LikelyUser {
                    asn: o.asn?,
                    holder: o.holder,
                })
            })
        } else {
            None
        };
        RouteView {
            prefix: hit.prefix,
            vrps: routing
                .covering_vrps(&hit.prefix, VRPS_SHOWN)
                .into_iter()
                .map(VrpShown::from)
                .collect(),
            origins,
            by_holder,
            lessee_agrees,
            likely_user,
        }
    });
    RoutingView {
        route,
        as_of: routing.as_of(),
        rpki_loaded: routing.has_vrps(),
        uncovered: !routing.uncovered.is_empty(),
        loading: routing.loading,
    }
}

/// Who holds an AS: the organisation of its aut-num (the most specific
/// one naming an organisation; ARIN's AS records too), else the opaque id
/// of the delegated record covering it.
pub fn as_holder(snap: &Snapshot, asn: u32) -> Option<AsHolder<'_>> {
    for i in snap.autnums(asn, asn) {
        let Some(a) = Some(snap.autnum_at(i)) else {
            continue;
        };
        // an as-block's organisation administers the range (a registry,
        // IANA), it does not hold each AS in it
        if a.block {
            continue;
        }
        let database = a.object.get("source");
        let registry = database.and_then(authority::by_source).map(|r| r.name);
        if a.org == crate::model::NO_SYM {
            // LACNIC's public export names the owner inline, without an
            // id: the name is the handle, as for its networks' holders
            match a
                .object
                .get("owner")
                .map(str::trim)
                .filter(|o| !o.is_empty())
            {
                Some(owner) => {
                    return Some(AsHolder {
                        handle: owner,
                        name: Some(owner),
                        registry,
                        database,
                        organisation: true,
                    })
                }
                None => continue,
            }
        }
        return Some(match snap.entity_sym(a.org) {
            Some(e) => AsHolder {
                handle: e.object.key(),
                name: e.name(),
                registry,
                database,
                organisation: true,
            },
            None => AsHolder {
                handle: snap.sym_name(a.org),
                name: a.object.get("owner"),
                registry,
                database,
                organisation: true,
            },
        });
    }
    let d = snap.deleg(snap.delegation_asn(asn)?)?;
    if !d.record.is_delegated() {
        return None;
    }
    Some(AsHolder {
        handle: d.record.opaque_id.as_deref()?,
        name: None,
        registry: Some(&d.record.registry),
        database: Some(&d.record.registry),
        organisation: false,
    })
}

/// Whether the address's holder holds `asn`: organisation handles compare
/// within one database (equal handles anywhere are the same holder), and
/// decide when both are known; else opaque ids within one registry's
/// statistics; anything else cannot be compared.
fn same_holder(
    snap: &Snapshot,
    ids: &HolderIds<'_>,
    asn: u32,
    h: Option<&AsHolder<'_>>,
) -> Option<bool> {
    if let (Some((org, db)), Some(h)) = (ids.org, h.filter(|h| h.organisation)) {
        if org.eq_ignore_ascii_case(h.handle) {
            return Some(true);
        }
        if let (Some(a), Some(b)) = (db, h.database) {
            if a.eq_ignore_ascii_case(b) {
                return Some(false);
            }
        }
    }
    if let Some((opaque, registry)) = ids.opaque {
        let as_opaque = snap
            .delegation_asn(asn)
            .and_then(|p| snap.deleg(p))
            .filter(|d| d.record.is_delegated())
            .filter(|d| *d.record.registry == *registry)
            .and_then(|d| d.record.opaque_id.as_deref());
        return as_opaque.map(|o| o == opaque);
    }
    None
}

/// Whether the origins agree with the lessee: a lease record naming the
/// AS that may announce the space is compared by AS; a lessee whose
/// organisation holds an origin AS agrees; one in the same registry
/// holding none of them does not.
fn agrees(l: &LesseeIds<'_>, origins: &[OriginView<'_>]) -> Option<bool> {
    if let Some(asn) = l.lease_origin {
        return Some(origins.iter().any(|o| o.asn == Some(asn)));
    }
    let holders: Vec<&AsHolder<'_>> = origins.iter().filter_map(|o| o.holder.as_ref()).collect();
    if holders
        .iter()
        .any(|h| h.organisation && h.handle.eq_ignore_ascii_case(l.handle))
    {
        return Some(true);
    }
    if l.lease {
        return None;
    }
    let db = l.database;
    let all_comparable = !origins.is_empty()
        && origins.iter().all(|o| {
            o.holder.as_ref().is_some_and(|h| {
                h.organisation
                    && matches!((db, h.database), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b))
            })
        });
    all_comparable.then_some(false)
}

impl OriginView<'_> {
    /// `AS64500 (ORG-EXAMPLE, Example Org)`, `AS64500 (EXAMPLE-1)`,
    /// `AS64500`, or `AS set {AS64501, AS64502}`.
    pub fn label(&self) -> String {
        match self.asn {
            Some(a) => as_label(a, self.holder.as_ref()),
            None => {
                let members: Vec<String> = self.set.iter().map(|a| format!("AS{a}")).collect();
                format!("AS set {{{}}}", members.join(", "))
            }
        }
    }

    /// The RPKI state as answers word it: `RPKI valid`, `RPKI invalid (no
    /// VRP for this origin AS)`, `RPKI not-found`; `None` without VRPs.
    pub fn rpki_text(&self) -> Option<String> {
        self.rpki.map(|r| match (r.reason(), self.asn) {
            (Some(_), None) => format!("RPKI {} (an AS set matches no VRP)", r.name()),
            (Some(why), _) => format!("RPKI {} ({why})", r.name()),
            (None, _) => format!("RPKI {}", r.name()),
        })
    }
}

impl RouteView<'_> {
    /// The summary line's text: each origin with its RPKI state, then
    /// whether the origin is the holder's network and agrees with the
    /// lessee (`AS64500 (ORG-X, Name), RPKI valid, not the holder's
    /// network`).
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = self
            .origins
            .iter()
            .map(|o| match o.rpki_text() {
                Some(r) => format!("{}, {r}", o.label()),
                None => o.label(),
            })
            .collect();
        if parts.is_empty() {
            parts.push("no origin".into());
        }
        let mut s = parts.join("; ");
        s.push_str(match self.by_holder {
            Some(true) => ", the holder's network",
            Some(false) => ", not the holder's network",
            None => ", holder of the AS not comparable",
        });
        match self.lessee_agrees {
            Some(true) => s.push_str(", agrees with the lessee"),
            Some(false) => s.push_str(", disagrees with the lessee"),
            None => {}
        }
        s
    }
}

impl RoutingView<'_> {
    /// What a text answer says when no route covers the space.
    pub fn unrouted_text(&self) -> String {
        if self.loading {
            "the routing data of the time asked about is loading: ask again in a few seconds"
                .to_string()
        } else if self.uncovered {
            "no routing file covers the time asked about".to_string()
        } else {
            "not announced in the loaded routing tables".to_string()
        }
    }

    /// `as of 2024-04-01T12:00:00Z` or nothing.
    pub fn as_of_text(&self) -> String {
        self.as_of
            .map(|t| format!("as of {}", crate::time::format(t)))
            .unwrap_or_default()
    }
}

/// `AS64500 (ORG-EXAMPLE, Example Org)`, `AS64500 (EXAMPLE-1)` or
/// `AS64500`: an AS with what is known of its holder.
fn as_label(asn: u32, holder: Option<&AsHolder<'_>>) -> String {
    match holder {
        Some(h) => match h.name {
            Some(n) => format!("AS{asn} ({}, {n})", h.handle),
            None => format!("AS{asn} ({})", h.handle),
        },
        None => format!("AS{asn}"),
    }
}

impl LikelyUser<'_> {
    /// The likely user as answers name it (see [`OriginView::label`]).
    pub fn label(&self) -> String {
        as_label(self.asn, self.holder.as_ref())
    }
}

/// The JSON form every interface shares (`tenure lookup --json`'s
/// `routing`, and the RDAP extension's body).
pub fn routing_json(r: &RoutingView<'_>) -> serde_json::Value {
    use serde_json::json;
    let holder = |h: &AsHolder<'_>| {
        json!({
            "handle": h.handle,
            "name": h.name,
            "registry": h.registry,
            "source": h.database,
            "organisation": h.organisation,
        })
    };
    let route = r.route.as_ref();
    json!({
        "announced": route.is_some(),
        "prefix": route.map(|x| x.prefix.to_prefix_or_range()),
        "origins": route.map(|x| x.origins.iter().map(|o| json!({
            "asn": o.asn,
            "as_set": (o.asn.is_none()).then_some(&o.set),
            "holder": o.holder.as_ref().map(holder),
            "rpki": o.rpki.map(Rpki::name),
            "rpki_reason": o.rpki.and_then(Rpki::reason).map(|why| {
                if o.asn.is_none() { "an AS set matches no VRP" } else { why }
            }),
            "by_holder": o.by_holder,
        })).collect::<Vec<_>>()).unwrap_or_default(),
        "by_holder": route.and_then(|x| x.by_holder),
        "lessee_agrees": route.and_then(|x| x.lessee_agrees),
        "likely_user": route.and_then(|x| x.likely_user.as_ref()).map(|u| json!({
            "asn": u.asn,
            "holder": u.holder.as_ref().map(holder),
            "inference": "the origin AS of the route, not the holder's; no lessee is registered or leased",
        })),
        "vrps": route.map(|x| x.vrps.iter().map(|v| json!({
            "prefix": v.prefix.to_prefix_or_range(),
            "max_length": v.max_len,
            "asn": v.asn,
            "ta": v.ta,
        })).collect::<Vec<_>>()).unwrap_or_default(),
        "rpki_loaded": r.rpki_loaded,
        "source": "routing",
        "as_of": r.as_of.map(crate::time::format),
        "note": (route.is_none()).then(|| r.unrouted_text()),
    })
}
