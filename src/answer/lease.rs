//! Who holds a block, who uses it, and where abuse mail goes.
//!
//! All three are read off the *chain*: every network covering the queried
//! address or range, most specific first (see [`Snapshot::covering`]).
//!
//! - **Holder**: the organisation of the least specific registry-issued
//!   network in the chain (ALLOCATED PA, ASSIGNED PI, LEGACY, ALLOCATED-BY-RIR,
//!   *PORTABLE, ...), never a placeholder. Where no such network is loaded,
//!   the opaque holder id of the delegated-statistics record, at its registry.
//! - **Lessee (as the registry shows it)**: the organisation of the most
//!   specific network below the holder's whose organisation differs from the
//!   holder's; flagged platform-managed when its `mnt-by` names a leasing
//!   platform's maintainer.
//! - **Abuse contact** (RIPE's rule): the network's `abuse-c`, else its
//!   organisation's `abuse-c`, else (APNIC) its `mnt-irt`'s mailbox; else the
//!   parent's, up the chain, stopping after the holder's network or the first
//!   registry-maintained one (`mnt-by`/`mnt-lower` a registry maintainer).
//! - **Lease verification** ([`lessor_holds`], handed to snapshots as
//!   [`lease_policy`]): a lease record is verified when its lessor holds
//!   the space in the registry.

use crate::addr::IpRange;
use crate::model::{flags, StatusKind, Sym, NO_SYM};
use crate::snapshot::{LeasePolicy, NetId, Snapshot};
use crate::time::Timestamp;

/// Where a holder fact comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HolderOrigin {
    /// A registry-issued network object.
    Network(NetId),
    /// Only a delegated-statistics record covers the space (its position).
    Delegated(u32),
}

/// The organisation holding the space from the registry. Answers hold
/// references into the snapshot; names are read when rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Holder {
    pub origin: HolderOrigin,
}

impl Holder {
    /// Organisation handle; the netname for a network without `org`; the
    /// registry's opaque holder id for a delegated record.
    pub fn handle<'a>(&self, snap: &'a Snapshot) -> &'a str {
        match self.origin {
            HolderOrigin::Network(id) => {
                let n = snap.net(id);
                if n.org != NO_SYM {
                    net_org_handle(snap, id)
                } else {
                    n.object.get("netname").unwrap_or(n.object.key())
                }
            }
            HolderOrigin::Delegated(pos) => snap
                .deleg(pos)
                .and_then(|d| d.record.opaque_id.as_deref())
                .unwrap_or(""),
        }
    }

    /// The organisation's name (`org-name`, LACNIC's `owner`); `None`
    /// when the network names no organisation (its text is no name: see
    /// [`Holder::description`]).
    pub fn name<'a>(&self, snap: &'a Snapshot) -> Option<&'a str> {
        match self.origin {
            HolderOrigin::Network(id) if snap.net(id).org != NO_SYM => org_name(snap, id),
            _ => None,
        }
    }

    /// True when the holder is an organisation the registry names (not a
    /// network without `org`, not an opaque id).
    pub fn is_organisation(&self, snap: &Snapshot) -> bool {
        matches!(self.origin, HolderOrigin::Network(id) if snap.net(id).org != NO_SYM)
    }

    /// The registry's own text about a holder network that names no
    /// organisation: its first `descr`.
    pub fn description<'a>(&self, snap: &'a Snapshot) -> Option<&'a str> {
        match self.origin {
            HolderOrigin::Network(id) if snap.net(id).org == NO_SYM => {
                snap.net(id).object.get("descr")
            }
            _ => None,
        }
    }
}

/// The organisation using the space when it is not the holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lessee {
    /// A lease record active at the time asked about.
    Lease { lease: u32, verified: bool },
    /// The registry shows it: a network below the holder's naming another
    /// organisation.
    Registry {
        network: NetId,
        platform_managed: bool,
    },
}

impl Lessee {
    /// The lessee's handle.
    pub fn handle<'a>(&self, snap: &'a Snapshot) -> &'a str {
        match *self {
            Lessee::Lease { lease, .. } => snap.lease(lease).lessee_handle(),
            Lessee::Registry { network, .. } => net_org_handle(snap, network),
        }
    }

    /// The lessee's name.
    pub fn name<'a>(&self, snap: &'a Snapshot) -> Option<&'a str> {
        match *self {
            Lessee::Lease { lease, .. } => Some(snap.lease(lease).lessee_name()),
            Lessee::Registry { network, .. } => org_name(snap, network),
        }
    }

    /// The lease source's name, or `registry`.
    pub fn source<'a>(&self, snap: &'a Snapshot) -> &'a str {
        match *self {
            Lessee::Lease { lease, .. } => snap.lease_source(lease),
            Lessee::Registry { .. } => "registry",
        }
    }

    /// True for a lease record (they come from leasing platforms) or a
    /// network maintained by a leasing platform's maintainer.
    pub fn platform_managed(&self) -> bool {
        match *self {
            Lessee::Lease { .. } => true,
            Lessee::Registry {
                platform_managed, ..
            } => platform_managed,
        }
    }
}

/// The handle of a network's organisation: the organisation object's key
/// when it is loaded, else the reference as the network writes it (`org`,
/// LACNIC's `ownerid`, ARIN's `OrgID`, or LACNIC's bare `owner` name).
fn net_org_handle(snap: &Snapshot, id: NetId) -> &str {
    let n = snap.net(id);
    match snap.entity_sym(n.org) {
        Some(e) => e.object.key(),
        None => ["org", "ownerid", "orgid", "owner"]
            .iter()
            .find_map(|a| n.object.get(a).filter(|v| !v.trim().is_empty()))
            .map(str::trim)
            .unwrap_or(snap.sym_name(n.org)),
    }
}

/// The name of a network's organisation: its `org-name`, or LACNIC's
/// inline `owner`.
fn org_name(snap: &Snapshot, id: NetId) -> Option<&str> {
    let n = snap.net(id);
    snap.entity_sym(n.org)
        .and_then(|e| e.name())
        .or_else(|| n.object.get("owner"))
}

/// The object whose reference led to an abuse mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Via {
    Network(NetId),
    /// An organisation or other entity, by interned handle.
    Entity(Sym),
    /// An aut-num or as-block, by position.
    AutNum(u32),
    /// A lease record, by position.
    Lease(u32),
}

impl Via {
    /// The key of the object, as written.
    pub fn key<'a>(&self, snap: &'a Snapshot) -> &'a str {
        match *self {
            Via::Network(id) => snap.net(id).object.key(),
            Via::Entity(sym) => snap
                .entity_sym(sym)
                .map(|e| e.handle_text())
                .unwrap_or(snap.sym_name(sym)),
            Via::AutNum(i) => snap.autnum_at(i).object.key(),
            Via::Lease(i) => snap.lease(i).id(),
        }
    }
}

/// Where an abuse mailbox was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AbuseFrom {
    /// A role, person, irt or organisation with an `abuse-mailbox`
    /// (position in `reg.entities`).
    Entity(u32),
    /// A verified lease's `lessee.abuse_mailbox` (position of the lease).
    Lease(u32),
}

/// The abuse contact and the object whose reference led there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Abuse {
    pub from: AbuseFrom,
    pub via: Via,
}

impl Abuse {
    /// The mailbox.
    pub fn mailbox<'a>(&self, snap: &'a Snapshot) -> &'a str {
        match self.from {
            AbuseFrom::Entity(e) => snap.entity_at(e).abuse_mailbox().unwrap_or(""),
            AbuseFrom::Lease(l) => snap.lease(l).abuse_mailbox().unwrap_or(""),
        }
    }

    /// The handle carrying it (the lessee's for a lease).
    pub fn carrier_handle<'a>(&self, snap: &'a Snapshot) -> &'a str {
        match self.from {
            AbuseFrom::Entity(e) => snap.entity_at(e).handle_text(),
            AbuseFrom::Lease(l) => snap.lease(l).lessee_handle(),
        }
    }
}

/// Holder, lessee and abuse contact of one chain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Resolution {
    pub holder: Option<Holder>,
    pub lessee: Option<Lessee>,
    pub abuse: Option<Abuse>,
}

/// Resolves a query range at time `at`: `chain` is every network covering
/// it (most specific first), `deleg` the covering delegated record. Reads
/// no object text.
pub fn resolve(
    snap: &Snapshot,
    range: &IpRange,
    chain: &[NetId],
    deleg: Option<u32>,
    at: Timestamp,
) -> Resolution {
    resolve_with(snap, range, chain, deleg, at, LeaseChoice::Current)
}

/// Which lease record an answer is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseChoice {
    /// The lease current at the time asked (the rule below).
    Current,
    /// None: the registry's own view of the space.
    Registry,
    /// This lease (by position), current or not: its mailbox is the abuse
    /// contact only while it is current and verified.
    This(u32),
}

/// [`resolve`] with the lease chosen by `choice`.
pub fn resolve_with(
    snap: &Snapshot,
    range: &IpRange,
    chain: &[NetId],
    deleg: Option<u32>,
    at: Timestamp,
    choice: LeaseChoice,
) -> Resolution {
    let holder_pos = chain.iter().rposition(|&id| {
        let n = snap.net(id);
        n.kind == StatusKind::Registry && !n.is_placeholder()
    });
    let holder = match holder_pos {
        Some(p) => Some(Holder {
            origin: HolderOrigin::Network(chain[p]),
        }),
        None => deleg.and_then(|pos| {
            let r = &snap.deleg(pos)?.record;
            (r.is_delegated() && r.opaque_id.is_some()).then_some(Holder {
                origin: HolderOrigin::Delegated(pos),
            })
        }),
    };
    let lease = match choice {
        LeaseChoice::Current => current_lease(snap, range, at),
        LeaseChoice::Registry => None,
        LeaseChoice::This(lease) => Some(Lessee::Lease {
            lease,
            verified: snap.lease_verified(lease),
        }),
    };
    let lessee = lease.or_else(|| registry_lessee(snap, chain, holder_pos));
    let abuse = match lease {
        Some(Lessee::Lease {
            lease,
            verified: true,
        }) if snap.lease_hot(lease).has_mailbox && snap.lease_hot(lease).active_at(at) => {
            Some(Abuse {
                from: AbuseFrom::Lease(lease),
                via: Via::Lease(lease),
            })
        }
        _ => abuse_for_chain(snap, chain, holder_pos),
    };
    Resolution {
        holder,
        lessee,
        abuse,
    }
}

/// The lessee as the registry shows it: the most specific network below
/// the holder's whose organisation differs from the holder's.
fn registry_lessee(snap: &Snapshot, chain: &[NetId], holder_pos: Option<usize>) -> Option<Lessee> {
    let holder_org = holder_pos.map(|p| snap.net(chain[p]).org).unwrap_or(NO_SYM);
    let below = &chain[..holder_pos.unwrap_or(chain.len())];
    below.iter().find_map(|&id| {
        let n = snap.net(id);
        if n.is_placeholder() || n.org == NO_SYM || n.org == holder_org {
            return None;
        }
        Some(Lessee::Registry {
            network: id,
            platform_managed: n.platform_managed(),
        })
    })
}

/// The lease active at `at` covering the range: the most specific verified
/// one, else the most specific unverified one; between equally specific
/// ranges the latest start wins.
pub fn current_lease(snap: &Snapshot, range: &IpRange, at: Timestamp) -> Option<Lessee> {
    let mut best: [Option<u32>; 2] = [None, None]; // [verified, unverified]
    for i in snap.leases_covering(range) {
        let h = snap.lease_hot(i);
        if !h.active_at(at) {
            continue;
        }
        let slot = &mut best[usize::from(!h.verified)];
        let better = match *slot {
            None => true,
            Some(b) => lease_order(snap, i, b) == std::cmp::Ordering::Less,
        };
        if better {
            *slot = Some(i);
        }
    }
    match best {
        [Some(l), _] => Some(Lessee::Lease {
            lease: l,
            verified: true,
        }),
        [None, Some(l)] => Some(Lessee::Lease {
            lease: l,
            verified: false,
        }),
        [None, None] => None,
    }
}

/// `Less` when lease `a` is preferred: smaller range, then later start, then
/// the later range start, then the later position (deterministic).
fn lease_order(snap: &Snapshot, a: u32, b: u32) -> std::cmp::Ordering {
    let ((xs, xe), (ys, ye)) = (snap.lease_span(a), snap.lease_span(b));
    (xe - xs)
        .cmp(&(ye - ys))
        .then(snap.lease_hot(b).start.cmp(&snap.lease_hot(a).start))
        .then(ys.cmp(&xs))
        .then(b.cmp(&a))
}

/// Tenure's lease verification: a lease is verified when its lessor is the
/// organisation of a registry network (not a placeholder) that covers the
/// whole lease range: the holder, or a sub-allocation's holder sub-leasing.
pub fn lessor_holds(snap: &Snapshot, l: &crate::leases::Lease) -> bool {
    let Some(lessor) = snap.sym(l.lessor()) else {
        return false;
    };
    snap.covering(&l.range).into_iter().any(|id| {
        let n = snap.net(id);
        n.org == lessor && !n.is_placeholder()
    })
}

/// How snapshots judge lease records: the lessor holding the space (`lessor_holds`), dropping the
/// unverified ones when `reject_unverified`.
pub fn lease_policy(reject_unverified: bool) -> LeasePolicy {
    LeasePolicy {
        verify: lessor_holds,
        reject_unverified,
    }
}

/// Every lease that ever covered the range, oldest start first.
pub fn lease_history(snap: &Snapshot, range: &IpRange) -> Vec<u32> {
    let mut v = snap.leases_covering(range);
    v.sort_by_key(|&i| {
        (
            snap.lease(i).start,
            snap.lease(i).end.unwrap_or(i64::MAX),
            i,
        )
    });
    v
}

/// The entity of a handle when it carries an abuse mailbox.
fn with_mailbox(snap: &Snapshot, sym: Sym) -> Option<u32> {
    let i = snap.entity_of_sym(sym)?;
    snap.entity_at(i).has_abuse_mailbox.then_some(i)
}

/// An `abuse-c`, else the organisation's `abuse-c`, of one object.
pub fn abuse_of(snap: &Snapshot, abuse_c: Sym, org: Sym, via: Via) -> Option<Abuse> {
    if let Some(e) = with_mailbox(snap, abuse_c) {
        return Some(Abuse {
            from: AbuseFrom::Entity(e),
            via,
        });
    }
    let org_entity = snap.entity_sym(org)?;
    with_mailbox(snap, org_entity.abuse_c).map(|e| Abuse {
        from: AbuseFrom::Entity(e),
        via: Via::Entity(org),
    })
}

/// RIPE's walk up the chain; it ends after the holder's network (at
/// `holder_pos` in the chain) or a registry-maintained one.
pub fn abuse_for_chain(
    snap: &Snapshot,
    chain: &[NetId],
    holder_pos: Option<usize>,
) -> Option<Abuse> {
    for (pos, &id) in chain.iter().enumerate() {
        let n = snap.net(id);
        if n.is_placeholder() {
            continue;
        }
        if let Some(a) = abuse_of(snap, n.abuse_c, n.org, Via::Network(id)) {
            return Some(a);
        }
        if let Some(e) = with_mailbox(snap, n.mnt_irt) {
            return Some(Abuse {
                from: AbuseFrom::Entity(e),
                via: Via::Network(id),
            });
        }
        if Some(pos) == holder_pos || n.flags & flags::RIR_MAINTAINED != 0 {
            break;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::parse_query_range;
    use crate::dump::{LoadedLeaseSource, Registry};
    use crate::index::LpmBackend;
    use crate::model::{convert, ConvertOptions, Item};
    use crate::rpsl::{parse_object, Encoding, Splitter};
    use crate::time::parse as t;

    const RPSL: &str = "\
inetnum: 192.0.2.0 - 192.0.2.255\norg: ORG-H\nstatus: ALLOCATED PA\nabuse-c: AH\nmnt-by: RIPE-NCC-HM-MNT\nsource: TEST\n\n\
inetnum: 192.0.2.64 - 192.0.2.127\norg: ORG-S\nstatus: SUB-ALLOCATED PA\nsource: TEST\n\n\
organisation: ORG-H\norg-name: Holder\nsource: TEST\n\n\
organisation: ORG-S\norg-name: Sub\nabuse-c: AS\nsource: TEST\n\n\
role: Holder Abuse\nnic-hdl: AH\nabuse-mailbox: abuse@h.example\nsource: TEST\n\n\
role: Sub Abuse\nnic-hdl: AS\nabuse-mailbox: abuse@s.example\nsource: TEST\n";

    fn lease(
        id: &str,
        prefix: &str,
        lessor: &str,
        mailbox: Option<&str>,
        start: &str,
        end: Option<&str>,
    ) -> String {
        let mb = mailbox
            .map(|m| format!(", \"abuse_mailbox\": \"{m}\""))
            .unwrap_or_default();
        let end = end
            .map(|e| format!(", \"end\": \"{e}\""))
            .unwrap_or_default();
        format!(
            "{{\"lease\": \"{id}\", \"prefix\": \"{prefix}\", \"lessor\": \"{lessor}\", \"lessee\": {{\"handle\": \"LS-{id}\", \"name\": \"Lessee {id}\"{mb}}}, \"start\": \"{start}\"{end}}}\n"
        )
    }

    fn snapshot(leases: &str, reject: bool) -> Snapshot {
        let mut reg = Registry::default();
        let mut sp = Splitter::new(RPSL.as_bytes());
        while let Some(raw) = sp.next_object().unwrap() {
            let obj = parse_object(&raw.unwrap(), Encoding::Auto).unwrap();
            match convert(obj, 0, &mut reg.syms, &ConvertOptions::default()).unwrap() {
                Item::Network(n) => reg.networks.owned_mut().push(n),
                Item::Entity(e) => {
                    reg.entity_by_handle
                        .insert(e.handle, reg.entities.len() as u32);
                    reg.entities.owned_mut().push(e);
                }
                _ => {}
            }
        }
        reg.lease_sources.push(LoadedLeaseSource {
            name: "test".into(),
            path: "leases.jsonl".into(),
        });
        reg.leases = crate::leases::parse(leases.as_bytes()).unwrap().leases;
        Snapshot::build(
            reg,
            Default::default(),
            1,
            LpmBackend::Sorted,
            lease_policy(reject),
        )
    }

    fn at(snap: &Snapshot, addr: &str, when: &str) -> (Option<String>, Option<String>, bool) {
        let r = parse_query_range(addr).unwrap();
        let res = resolve(snap, &r, &snap.covering(&r), None, t(when).unwrap());
        let verified = matches!(res.lessee, Some(Lessee::Lease { verified: true, .. }));
        (
            res.lessee.map(|l| l.handle(snap).to_string()),
            res.abuse.map(|a| a.mailbox(snap).to_string()),
            verified,
        )
    }

    #[test]
    fn term_boundaries() {
        let s = snapshot(
            &lease(
                "A",
                "192.0.2.128/26",
                "ORG-H",
                Some("abuse@a.example"),
                "2026-01-01T00:00:00Z",
                Some("2027-01-01T00:00:00Z"),
            ),
            false,
        );
        let lessee = |w| at(&s, "192.0.2.130", w);
        assert_eq!(
            lessee("2025-12-31T23:59:59Z"),
            (None, Some("abuse@h.example".into()), false)
        );
        assert_eq!(
            lessee("2026-01-01T00:00:00Z"),
            (Some("LS-A".into()), Some("abuse@a.example".into()), true),
            "T == start"
        );
        assert_eq!(lessee("2026-12-31T23:59:59Z").0.as_deref(), Some("LS-A"));
        assert_eq!(
            lessee("2027-01-01T00:00:00Z"),
            (None, Some("abuse@h.example".into()), false),
            "T == end"
        );
    }

    #[test]
    fn verified_beats_more_specific_unverified_and_unverified_never_gives_abuse() {
        let leases = lease(
            "V",
            "192.0.2.128/26",
            "ORG-H",
            None,
            "2026-01-01T00:00:00Z",
            None,
        ) + &lease(
            "U",
            "192.0.2.128/27",
            "ORG-ELSE",
            Some("abuse@u.example"),
            "2026-01-01T00:00:00Z",
            None,
        ) + &lease(
            "U2",
            "192.0.2.192/27",
            "org-else",
            Some("abuse@u2.example"),
            "2026-01-01T00:00:00Z",
            None,
        );
        let s = snapshot(&leases, false);
        // the verified lease has no mailbox: the registry's abuse contact stays
        assert_eq!(
            at(&s, "192.0.2.130", "2026-06-01T00:00:00Z"),
            (Some("LS-V".into()), Some("abuse@h.example".into()), true)
        );
        // only an unverified lease: it is the lessee, marked, but abuse stays
        assert_eq!(
            at(&s, "192.0.2.200", "2026-06-01T00:00:00Z"),
            (Some("LS-U2".into()), Some("abuse@h.example".into()), false)
        );
        let rejecting = snapshot(&leases, true);
        assert_eq!(rejecting.report.leases.rejected, 2);
        assert_eq!(
            at(&rejecting, "192.0.2.200", "2026-06-01T00:00:00Z").0,
            None
        );
    }

    #[test]
    fn sub_lease_by_sub_allocation_holder_and_most_specific_then_latest() {
        let leases = lease(
            "S",
            "192.0.2.96/27",
            "ORG-S",
            Some("abuse@sub.example"),
            "2026-01-01T00:00:00Z",
            None,
        ) + &lease(
            "W",
            "192.0.2.64/26",
            "ORG-H",
            Some("abuse@w.example"),
            "2026-01-01T00:00:00Z",
            None,
        ) + &lease(
            "E1",
            "192.0.2.0/28",
            "ORG-H",
            Some("abuse@e1.example"),
            "2026-01-01T00:00:00Z",
            None,
        ) + &lease(
            "E2",
            "192.0.2.0/28",
            "ORG-H",
            Some("abuse@e2.example"),
            "2026-03-01T00:00:00Z",
            None,
        );
        let s = snapshot(&leases, false);
        assert_eq!(
            at(&s, "192.0.2.100", "2026-06-01T00:00:00Z"),
            (Some("LS-S".into()), Some("abuse@sub.example".into()), true)
        );
        assert_eq!(
            at(&s, "192.0.2.70", "2026-06-01T00:00:00Z").0.as_deref(),
            Some("LS-W")
        );
        assert_eq!(
            at(&s, "192.0.2.5", "2026-02-01T00:00:00Z").0.as_deref(),
            Some("LS-E1")
        );
        assert_eq!(
            at(&s, "192.0.2.5", "2026-06-01T00:00:00Z").0.as_deref(),
            Some("LS-E2"),
            "latest start"
        );
        assert_eq!(
            s.report.leases.overlaps, 2,
            "S inside W, E1 and E2 identical"
        );
    }

    #[test]
    fn lease_below_every_object_keeps_the_registry_holder() {
        let s = snapshot(
            &lease(
                "T",
                "192.0.2.200/32",
                "ORG-H",
                None,
                "2026-01-01T00:00:00Z",
                None,
            ),
            false,
        );
        let r = parse_query_range("192.0.2.200").unwrap();
        let res = resolve(
            &s,
            &r,
            &s.covering(&r),
            None,
            t("2026-06-01T00:00:00Z").unwrap(),
        );
        assert_eq!(
            res.holder.map(|h| h.handle(&s).to_string()).as_deref(),
            Some("ORG-H")
        );
        assert_eq!(
            res.lessee.map(|l| l.handle(&s).to_string()).as_deref(),
            Some("LS-T")
        );
        assert_eq!(lease_history(&s, &r).len(), 1);
    }
}
