//! The one resolved answer: what every interface shows about a query.
//!
//! [`lookup`] decides, once and from one snapshot, the network the answer
//! is about (a registry object, else a delegated-statistics record), the
//! holder, the lessee (a current lease, else the registry's), the abuse
//! contact with where it came from, and where else to ask when the space is
//! not answered here. WHOIS, bulk mode, RDAP, the lookup page and
//! `tenure lookup --json` render these views; none of them decides any of
//! it again, and none reads the parser's or the loaders' types.

use super::authority::{self, Elsewhere, SpecialPurpose};
use super::objects::{Contacts, EntityView, ObjectView};
use super::{Answer, NetworkAnswer, ObjRef, Query};
use crate::addr::{Family, IpRange};
use crate::lease::{AbuseFrom, HolderOrigin, Lessee};
use crate::snapshot::{NetId, Snapshot};
use crate::time::Timestamp;
use std::borrow::Cow;

/// What a query found, resolved for rendering.
pub enum Found<'a> {
    /// Address space: a network, a delegated record or a lease covers it.
    Network(Box<Resolved<'a>>),
    /// Objects found by AS number or handle, with the abuse contact of the first.
    Objects {
        objects: Vec<ObjectView<'a>>,
        abuse: Option<AbuseView<'a>>,
    },
    /// Nothing here; `elsewhere` says who to ask when another registry's
    /// space was asked about, `special` when the space is special-purpose
    /// (delegated to no one: never referred).
    NotFound {
        elsewhere: Option<Elsewhere<'a>>,
        special: Option<SpecialPurpose>,
        /// Who announces the space, when an address was asked and routing
        /// data is loaded.
        routing: Option<Box<super::routing::RoutingView<'a>>>,
    },
}

/// Answers a query from one snapshot, as of time `at`.
pub fn lookup<'a>(snap: &'a Snapshot, q: &Query, at: Timestamp) -> Found<'a> {
    if let Query::Range(r) = q {
        let res = resolve(snap, r, at);
        return if res.found() {
            Found::Network(Box::new(res))
        } else {
            Found::NotFound {
                elsewhere: res.elsewhere,
                special: res.special,
                routing: res.routing.map(Box::new),
            }
        };
    }
    match super::answer(snap, q, at) {
        Answer::Objects { objects, abuse } => Found::Objects {
            objects: objects.iter().map(|&r| ObjectView::of(snap, r)).collect(),
            abuse: abuse.map(|a| AbuseView::new(snap, a)),
        },
        _ => Found::NotFound {
            special: None,
            routing: None,
            elsewhere: match q {
                Query::Asn(n) | Query::AsnRange(n, _) => authority::asn_elsewhere(snap, *n),
                _ => None,
            },
        },
    }
}

/// The resolved answer about an address, prefix or range.
pub struct Resolved<'a> {
    snap: &'a Snapshot,
    /// The decisions as positions in the snapshot (what the RDAP answer
    /// cache keys on).
    pub answer: NetworkAnswer,
    /// The network the answer is about.
    pub subject: Option<Subject<'a>>,
    pub holder: Option<HolderView<'a>>,
    pub lessee: Option<LesseeView<'a>>,
    pub abuse: Option<AbuseView<'a>>,
    /// Set when the space belongs to a registry whose data is not loaded
    /// here and nothing real is loaded for it.
    pub elsewhere: Option<Elsewhere<'a>>,
    /// Set when nothing here covers the space and it is special-purpose
    /// (IANA's registries): no one to refer to.
    pub special: Option<SpecialPurpose>,
    /// Who announces the space in BGP and what RPKI says (`None`: no
    /// routing data loaded).
    pub routing: Option<super::routing::RoutingView<'a>>,
    /// The time the answer is about.
    at: Timestamp,
}

/// Resolves an address, prefix or range as of time `at`.
pub fn resolve<'a>(snap: &'a Snapshot, r: &IpRange, at: Timestamp) -> Resolved<'a> {
    resolve_as(snap, r, at, View::Current)
}

/// [`resolve`] for an address whose objects [`prefetch`] has just read
/// (bulk mode's batches): without reading its chain's again first.
pub fn resolve_prefetched<'a>(snap: &'a Snapshot, r: &IpRange, at: Timestamp) -> Resolved<'a> {
    resolve_with(snap, r, at, View::Current, false)
}

/// Reads, for addresses or prefixes about to be resolved one by one, the
/// first bytes of what resolving and writing their answers reads: the
/// records of every network covering each, their texts, and their
/// organisations' and abuse contacts' records and texts. Each is read for
/// all of them before any is used, so the reads are independent and the
/// memory system fetches them together; resolving one alone waits on a
/// dozen of them one after another (at millions of objects, most are
/// cache misses). For a batch (bulk mode) the misses of all its addresses
/// overlap; for one answer (an RDAP ip lookup), those of its chain and
/// its entities. Answers are unchanged: this only warms the cache.
pub fn prefetch(snap: &Snapshot, ranges: impl IntoIterator<Item = IpRange>) {
    let ids: Vec<NetId> = ranges.into_iter().flat_map(|r| snap.covering(&r)).collect();
    std::hint::black_box(warm(snap, &ids));
}

/// [`prefetch`]'s reads for the networks `ids`, level by level (records,
/// then texts and entities, then the entities' abuse contacts). The first
/// bytes read, summed (for `black_box`).
fn warm(snap: &Snapshot, ids: &[NetId]) -> u64 {
    let mut sum = 0u64;
    // the networks' records: org, abuse-c and where the text is
    let nets: Vec<_> = ids.iter().map(|&id| snap.net(id)).collect();
    let mut entities = Vec::with_capacity(nets.len() * 2);
    for n in &nets {
        sum += n.object.first_byte() as u64;
        entities.extend(snap.entity_of_sym(n.org));
        entities.extend(snap.entity_of_sym(n.abuse_c));
    }
    // the organisations' and roles' records, then their texts and the
    // organisations' own abuse contacts
    let records: Vec<_> = entities.iter().map(|&i| snap.entity_at(i)).collect();
    let mut abuse = Vec::new();
    for e in &records {
        sum += e.object.first_byte() as u64;
        abuse.extend(snap.entity_of_sym(e.abuse_c));
    }
    for &i in &abuse {
        sum += snap.entity_at(i).object.first_byte() as u64;
    }
    sum
}

/// Which lease an answer is about: the one current at the time asked
/// (every interface's default), none (the registry's own view of the
/// space), or one lease record named by its handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Current,
    Registry,
    Lease(u32),
}

/// [`resolve`] with the lease chosen by `view`.
pub fn resolve_as<'a>(snap: &'a Snapshot, r: &IpRange, at: Timestamp, view: View) -> Resolved<'a> {
    resolve_with(snap, r, at, view, true)
}

/// [`resolve_as`], the chain's and its entities' records read together
/// first when `warm_first` ([`warm`]).
fn resolve_with<'a>(
    snap: &'a Snapshot,
    r: &IpRange,
    at: Timestamp,
    view: View,
    warm_first: bool,
) -> Resolved<'a> {
    let chain = snap.covering(r);
    if warm_first {
        std::hint::black_box(warm(snap, &chain));
    }
    let delegation = snap.delegation(r);
    let choice = match view {
        View::Current => crate::lease::LeaseChoice::Current,
        View::Registry => crate::lease::LeaseChoice::Registry,
        View::Lease(i) => crate::lease::LeaseChoice::This(i),
    };
    let resolution = crate::lease::resolve_with(snap, r, &chain, delegation, at, choice);
    let answer = NetworkAnswer {
        range: *r,
        chain,
        delegation,
        resolution,
    };
    // nothing real here (placeholders such as the whole-space block do not
    // count; a delegated record does): special-purpose space is said to be so
    let nothing_here = !answer.has_data_here(snap)
        && answer.delegation.is_none()
        && answer.resolution.lessee.is_none();
    let special = if nothing_here {
        authority::special_purpose(r)
    } else {
        None
    };
    let elsewhere = if answer.has_data_here(snap) || special.is_some() {
        None
    } else {
        match answer.delegation {
            Some(d) => authority::delegated_elsewhere(snap, d),
            None => authority::bootstrap_elsewhere(snap, r),
        }
    };
    let subject = match answer.network(snap) {
        Some(id) => Some(Subject::Network(NetworkView { snap, id })),
        None => answer.delegation.map(|pos| {
            Subject::Delegated(DelegatedView {
                snap,
                pos,
                query: *r,
            })
        }),
    };
    let holder = resolution
        .holder
        .map(|h| HolderView::new(snap, h.origin, r));
    let lessee = resolution.lessee.map(|l| LesseeView::new(snap, l));
    let abuse = resolution.abuse.map(|a| AbuseView::new(snap, a));
    // the holder's and lessee's ids (read from their objects' text) only
    // when there is routing evidence to compare them with
    let table = snap.routing_at(at);
    let routing = table.in_use().then(|| {
        let ids = holder_ids(snap, holder.as_ref(), answer.delegation);
        let lessee_ids = lessee.as_ref().map(|l| super::routing::LesseeIds {
            handle: l.handle,
            lease: l.lease().is_some(),
            lease_origin: l.lease().and_then(|x| x.origin_asn()),
            database: match l.from {
                LesseeFrom::Registry(n) => n.source(),
                LesseeFrom::Lease(_) => None,
            },
        });
        super::routing::resolve(snap, &table, r, &ids, lessee_ids.as_ref())
    });
    Resolved {
        snap,
        answer,
        subject,
        holder,
        lessee,
        abuse,
        elsewhere,
        special,
        routing,
        at,
    }
}

/// The holder as routing compares it with an AS's: the organisation handle
/// of the holder network and its registry, and the opaque id of the
/// delegated record covering the space.
fn holder_ids<'a>(
    snap: &'a Snapshot,
    holder: Option<&HolderView<'a>>,
    delegation: Option<u32>,
) -> super::routing::HolderIds<'a> {
    let org = holder.and_then(|h| match h.from {
        HolderFrom::Network(n) if h.organisation => Some((h.handle, n.source())),
        _ => None,
    });
    let opaque = delegation
        .and_then(|p| snap.deleg(p))
        .filter(|d| d.record.is_delegated())
        .and_then(|d| Some((d.record.opaque_id.as_deref()?, &*d.record.registry)));
    super::routing::HolderIds { org, opaque }
}

impl<'a> Resolved<'a> {
    /// The range asked about.
    pub fn range(&self) -> IpRange {
        self.answer.range
    }

    /// True when anything here covers the space (a network, placeholder or
    /// not, a delegated record, or a current lease), unless the space is
    /// special-purpose and only placeholders cover it.
    pub fn found(&self) -> bool {
        self.special.is_none()
            && (!self.answer.chain.is_empty()
                || self.answer.delegation.is_some()
                || self.answer.resolution.lessee.is_some())
    }

    /// The key the answer is about: the network's, else the delegated
    /// block's, else the query's.
    pub fn subject_key(&self) -> Cow<'a, str> {
        match &self.subject {
            Some(s) => s.key(),
            None => Cow::Owned(self.answer.range.to_string()),
        }
    }

    /// The registry of the space in one vocabulary (`ripencc`, `arin`,
    /// ...): the delegated record's, else the registry whose objects carry
    /// the network's `source:`.
    pub fn registry(&self) -> Option<&'a str> {
        if let Some(d) = self.answer.delegation.and_then(|i| self.snap.deleg(i)) {
            return Some(&d.record.registry);
        }
        match &self.subject {
            Some(Subject::Network(n)) => n.source().and_then(authority::by_source).map(|r| r.name),
            _ => None,
        }
    }

    /// When a lease covering the space next starts or ends after `at`: the
    /// answer holds until then.
    pub fn next_lease_change(&self, at: Timestamp) -> Timestamp {
        self.snap.next_lease_change(&self.answer.range, at)
    }

    /// Keys of the networks above the subject, most specific first.
    pub fn less_specifics(&self) -> Vec<&'a str> {
        let snap = self.snap;
        self.answer
            .chain
            .iter()
            .skip(1)
            .map(|&id| snap.net(id).object.key())
            .collect()
    }

    /// The objects a text answer shows: the subject network, then (unless
    /// `no_contacts`) its organisation and the entity carrying the abuse
    /// mailbox.
    pub fn objects(&self, no_contacts: bool) -> Vec<ObjectView<'a>> {
        let snap = self.snap;
        let Some(Subject::Network(n)) = &self.subject else {
            return Vec::new();
        };
        let mut refs = vec![ObjRef::Network(n.id)];
        if !no_contacts {
            if let Some(i) = snap.entity_of_sym(snap.net(n.id).org) {
                refs.push(ObjRef::Entity(i));
            }
            if let Some(AbuseFrom::Entity(e)) = self.answer.resolution.abuse.map(|a| a.from) {
                if !refs.contains(&ObjRef::Entity(e)) {
                    refs.push(ObjRef::Entity(e));
                }
            }
        }
        refs.into_iter().map(|r| ObjectView::of(snap, r)).collect()
    }

    /// What the lookup page draws: the holder's block (else the subject's,
    /// else the query), the networks inside it by depth, and the leases
    /// inside it or equal to it, of any time; at most `max` of each.
    pub fn block(&self, max: usize) -> Block<'a> {
        let snap = self.snap;
        let outer = match (&self.holder, &self.subject) {
            (Some(h), _) => h.range,
            (None, Some(Subject::Network(n))) => n.range(),
            _ => self.answer.range,
        };
        let mut inside = snap.more_specific(&outer, false);
        inside.truncate(max);
        let mut networks = Vec::with_capacity(inside.len());
        let mut open: Vec<u128> = Vec::new(); // ends of the enclosing ranges
        for id in inside {
            let n = snap.net(id);
            while open.last().is_some_and(|&end| end < n.range.start) {
                open.pop();
            }
            networks.push((open.len(), NetworkView { snap, id }));
            open.push(n.range.end);
        }
        let mut leases = snap.leases_within(&outer);
        leases.extend(
            snap.leases_covering(&outer)
                .into_iter()
                .filter(|&i| snap.lease(i).range == outer),
        );
        leases.truncate(max);
        // announced prefixes: the one covering the block, those inside it
        let routing = snap.routing_at(self.at);
        let mut hits: Vec<crate::routing::RouteHit> = routing.route(&outer).into_iter().collect();
        hits.extend(routing.announced_within(&outer, max));
        let routes = hits
            .into_iter()
            .map(|hit| {
                let origins: Vec<String> = routing
                    .origins(&hit)
                    .map(|o| {
                        let rpki = routing
                            .rpki(&hit.prefix, o)
                            .map(|r| format!(", RPKI {}", r.name()))
                            .unwrap_or_default();
                        match o {
                            crate::bgp::Origin::As(a) => format!("AS{a}{rpki}"),
                            crate::bgp::Origin::Set(m) => {
                                let m: Vec<String> = m.iter().map(|a| format!("AS{a}")).collect();
                                format!("AS set {{{}}}{rpki}", m.join(", "))
                            }
                        }
                    })
                    .collect();
                (hit.prefix, origins.join("; "))
            })
            .collect();
        Block {
            outer,
            networks,
            leases: leases.into_iter().map(|i| LeaseView { snap, i }).collect(),
            routes,
        }
    }
}

/// The picture of a block on the lookup page.
pub struct Block<'a> {
    pub outer: IpRange,
    /// Networks inside, in address order, with their nesting depth.
    pub networks: Vec<(usize, NetworkView<'a>)>,
    pub leases: Vec<LeaseView<'a>>,
    /// Announced prefixes covering or inside the block, with their origins
    /// and RPKI states in words.
    pub routes: Vec<(IpRange, String)>,
}

/// The network an answer is about.
pub enum Subject<'a> {
    /// A registry object loaded here.
    Network(NetworkView<'a>),
    /// Only a delegated-statistics record covers the space.
    Delegated(DelegatedView<'a>),
}

impl<'a> Subject<'a> {
    pub fn key(&self) -> Cow<'a, str> {
        match self {
            Subject::Network(n) => Cow::Borrowed(n.key()),
            Subject::Delegated(d) => Cow::Owned(d.range().to_string()),
        }
    }

    pub fn range(&self) -> IpRange {
        match self {
            Subject::Network(n) => n.range(),
            Subject::Delegated(d) => d.range(),
        }
    }
}

/// A registry network object, borrowed.
#[derive(Clone, Copy)]
pub struct NetworkView<'a> {
    snap: &'a Snapshot,
    id: NetId,
}

impl<'a> NetworkView<'a> {
    pub(crate) fn new(snap: &'a Snapshot, id: NetId) -> Self {
        NetworkView { snap, id }
    }

    /// The object, for its attributes and its RPSL text.
    pub fn object(&self) -> ObjectView<'a> {
        ObjectView::of(self.snap, ObjRef::Network(self.id))
    }

    /// Its position in the snapshot (what caches key on).
    pub fn id(&self) -> NetId {
        self.id
    }

    pub fn key(&self) -> &'a str {
        self.snap.net(self.id).object.key()
    }

    pub fn range(&self) -> IpRange {
        self.snap.net(self.id).range
    }

    pub fn netname(&self) -> Option<&'a str> {
        self.snap.net(self.id).object.get("netname")
    }

    /// `status:`, else ARIN's `nettype`.
    pub fn status(&self) -> Option<&'a str> {
        let o = &self.snap.net(self.id).object;
        o.get("status").or_else(|| o.get("nettype"))
    }

    pub fn country(&self) -> Option<&'a str> {
        self.snap.net(self.id).object.get("country")
    }

    pub fn source(&self) -> Option<&'a str> {
        self.snap.net(self.id).object.get("source")
    }

    /// The organisation the object names, loaded here: `(handle, name)`,
    /// and its object when the handle is its key.
    pub fn organisation(&self) -> Option<(&'a str, &'a str, Option<EntityView<'a>>)> {
        let e = self.org_entity()?;
        let key = e.object().key();
        Some((
            key,
            e.name().unwrap_or(key),
            e.keyed_by_handle().then_some(e),
        ))
    }

    /// The object of the organisation the network names (by its interned
    /// `org`, not by name), when it is loaded here.
    fn org_entity(&self) -> Option<EntityView<'a>> {
        let snap = self.snap;
        snap.entity_of_sym(snap.net(self.id).org)
            .map(|i| EntityView::new(snap, i))
    }

    /// The most specific other network containing this one.
    /// The network strictly containing this one (a network loaded twice
    /// with the same range is not its own parent).
    pub fn parent(&self) -> Option<NetworkView<'a>> {
        let range = self.range();
        let mut id = self.snap.parent(self.id)?;
        while self.snap.net(id).range == range {
            id = self.snap.parent(id)?;
        }
        Some(NetworkView {
            snap: self.snap,
            id,
        })
    }

    /// True for a registry placeholder (the whole space, blocks another
    /// registry manages, mirrored objects): not a registration (RDAP
    /// status `inactive`).
    pub fn is_placeholder(&self) -> bool {
        self.snap.net(self.id).is_placeholder()
    }

    /// The `admin-c` and `tech-c` contacts (see [`ObjectView::contacts`]).
    pub fn contacts(&self) -> Contacts<'a> {
        self.object().contacts()
    }
}

/// A delegated-statistics record, borrowed.
#[derive(Clone, Copy)]
pub struct DelegatedView<'a> {
    snap: &'a Snapshot,
    pos: u32,
    query: IpRange,
}

impl<'a> DelegatedView<'a> {
    fn record(&self) -> Option<&'a crate::delegated::Record> {
        self.snap.deleg(self.pos).map(|d| &d.record)
    }

    /// Its position in the snapshot.
    pub fn position(&self) -> u32 {
        self.pos
    }

    /// The block (the query when the record is of AS numbers).
    pub fn range(&self) -> IpRange {
        match self.record().map(|r| &r.resource) {
            Some(crate::delegated::Resource::Ip(r)) => *r,
            _ => self.query,
        }
    }

    /// The block as the record states it (`AS1 - AS5` for AS numbers).
    pub fn resource(&self) -> String {
        match self.record().map(|r| &r.resource) {
            Some(crate::delegated::Resource::Asn(a, b)) => format!("AS{a} - AS{b}"),
            _ => self.range().to_string(),
        }
    }

    /// The registry (`ripencc`, `arin`, ...).
    pub fn registry(&self) -> &'a str {
        self.record().map(|r| &*r.registry).unwrap_or("")
    }

    /// The country code, when given.
    pub fn country(&self) -> Option<&'a str> {
        self.record().map(|r| &*r.cc).filter(|c| !c.is_empty())
    }

    /// `allocated`, `assigned`, ...
    pub fn status(&self) -> &'a str {
        self.record().map(|r| &*r.status).unwrap_or("")
    }

    /// The date of the first delegation, `YYYYMMDD`.
    pub fn date(&self) -> Option<u32> {
        self.record().and_then(|r| r.date)
    }

    /// The registry's opaque holder id.
    pub fn opaque_id(&self) -> Option<&'a str> {
        self.record().and_then(|r| r.opaque_id.as_deref())
    }

    /// `file:line` of the record.
    pub fn origin(&self) -> String {
        match self.snap.deleg(self.pos) {
            Some(d) => self.snap.origin(d.file, d.record.line),
            None => String::new(),
        }
    }
}

/// The holder of the space.
#[derive(Clone, Copy)]
pub struct HolderView<'a> {
    /// Organisation handle; the netname for a network without `org`; the
    /// registry's opaque holder id for a delegated record.
    pub handle: &'a str,
    /// The registry names an organisation (else the handle is the holder
    /// network's netname, or an opaque id).
    pub organisation: bool,
    /// For a holder network naming no organisation: its `descr`, the
    /// registry's text (shown as such, never as an organisation's name).
    pub description: Option<&'a str>,
    /// The holder's block.
    pub range: IpRange,
    pub from: HolderFrom<'a>,
    /// What the name is read from, when asked (bulk answers without
    /// names never read it).
    snap: &'a Snapshot,
    holder: crate::lease::Holder,
}

/// Where the holder was read.
#[derive(Clone, Copy)]
pub enum HolderFrom<'a> {
    /// A registry-issued network object (its key).
    Network(NetworkView<'a>),
    /// Only a delegated-statistics record: its registry.
    Delegated { registry: &'a str },
}

impl<'a> HolderView<'a> {
    fn new(snap: &'a Snapshot, origin: HolderOrigin, query: &IpRange) -> Self {
        let h = crate::lease::Holder { origin };
        let (range, from) = match origin {
            HolderOrigin::Network(id) => (
                snap.net(id).range,
                HolderFrom::Network(NetworkView { snap, id }),
            ),
            HolderOrigin::Delegated(pos) => {
                let d = DelegatedView {
                    snap,
                    pos,
                    query: *query,
                };
                (
                    d.range(),
                    HolderFrom::Delegated {
                        registry: d.registry(),
                    },
                )
            }
        };
        HolderView {
            handle: h.handle(snap),
            organisation: h.is_organisation(snap),
            description: h.description(snap),
            range,
            from,
            snap,
            holder: h,
        }
    }

    /// The organisation's name; `None` when the registry names no
    /// organisation (then `description` may hold the registry's text).
    pub fn name(&self) -> Option<&'a str> {
        self.holder.name(self.snap)
    }

    /// The organisation's object when it is loaded here and `handle` is
    /// its key (found by the network's interned `org`, not by name).
    pub fn entity(&self) -> Option<EntityView<'a>> {
        match self.from {
            HolderFrom::Network(n) => n.org_entity().filter(EntityView::keyed_by_handle),
            HolderFrom::Delegated { .. } => None,
        }
    }

    /// The name, else "no organisation registered" for a network naming
    /// none, else the handle (an opaque id).
    pub fn display_name(&self) -> &'a str {
        match (self.name(), &self.from) {
            (Some(n), _) => n,
            (None, HolderFrom::Network(_)) if !self.organisation => NO_ORGANISATION,
            (None, _) => self.handle,
        }
    }
}

/// What a holder network that names no organisation shows as its name.
pub const NO_ORGANISATION: &str = "no organisation registered";

impl HolderView<'_> {
    /// The summary's parenthesis after the handle: the name, or that no
    /// organisation is registered and the registry's description.
    pub fn name_note(&self) -> Option<String> {
        match (self.name(), self.organisation) {
            (Some(n), _) => Some(n.to_string()),
            (None, false) if matches!(self.from, HolderFrom::Network(_)) => {
                Some(match self.description {
                    Some(d) => format!("{NO_ORGANISATION}; the registry's description: {d}"),
                    None => NO_ORGANISATION.to_string(),
                })
            }
            _ => None,
        }
    }
}

/// The organisation using the space when it is not the holder.
#[derive(Clone, Copy)]
pub struct LesseeView<'a> {
    pub handle: &'a str,
    /// The lease source's name, or `registry`.
    pub source: &'a str,
    /// A lease record (they come from leasing platforms), or a network
    /// maintained by a leasing platform's maintainer.
    pub platform_managed: bool,
    pub from: LesseeFrom<'a>,
    /// What the name is read from, when asked.
    snap: &'a Snapshot,
    lessee: Lessee,
}

/// Where the lessee was read.
#[derive(Clone, Copy)]
pub enum LesseeFrom<'a> {
    /// A lease record current at the time asked about.
    Lease(LeaseView<'a>),
    /// A registry network below the holder's naming another organisation.
    Registry(NetworkView<'a>),
}

impl<'a> LesseeView<'a> {
    fn new(snap: &'a Snapshot, l: Lessee) -> Self {
        let from = match l {
            Lessee::Lease { lease, .. } => LesseeFrom::Lease(LeaseView { snap, i: lease }),
            Lessee::Registry { network, .. } => {
                LesseeFrom::Registry(NetworkView { snap, id: network })
            }
        };
        LesseeView {
            handle: l.handle(snap),
            source: l.source(snap),
            platform_managed: l.platform_managed(),
            from,
            snap,
            lessee: l,
        }
    }

    /// The lessee's name.
    pub fn name(&self) -> Option<&'a str> {
        self.lessee.name(self.snap)
    }

    /// The name, else the handle.
    pub fn display_name(&self) -> &'a str {
        self.name().unwrap_or(self.handle)
    }

    /// The lease record, when the lessee comes from one.
    pub fn lease(&self) -> Option<LeaseView<'a>> {
        match self.from {
            LesseeFrom::Lease(l) => Some(l),
            LesseeFrom::Registry(_) => None,
        }
    }

    /// The key of the object naming the lessee: the lease range or the network key.
    pub fn key(&self) -> Cow<'a, str> {
        match self.from {
            LesseeFrom::Lease(l) => l.range().to_string().into(),
            LesseeFrom::Registry(n) => n.key().into(),
        }
    }
}

/// A lease record, borrowed.
#[derive(Clone, Copy)]
pub struct LeaseView<'a> {
    snap: &'a Snapshot,
    i: u32,
}

impl<'a> LeaseView<'a> {
    pub(crate) fn new(snap: &'a Snapshot, i: u32) -> Self {
        LeaseView { snap, i }
    }

    /// Position in the snapshot.
    pub fn position(&self) -> u32 {
        self.i
    }

    /// The lease's handle, unique across sources: `SOURCE:ID`.
    pub fn handle(&self) -> String {
        qualify(self.source(), self.id())
    }

    /// The most specific registry network covering the whole lease: the
    /// registry's record of the space (the lease's parent).
    pub fn registry_network(&self) -> Option<NetworkView<'a>> {
        let id = *self.snap.covering(&self.range()).first()?;
        Some(NetworkView {
            snap: self.snap,
            id,
        })
    }

    /// When the record says it was last changed (its `updated` member).
    pub fn updated(&self) -> Option<Timestamp> {
        self.lease().updated
    }

    /// The lessee's handle, unique across sources: `SOURCE:HANDLE`.
    pub fn lessee_qualified(&self) -> String {
        qualify(self.source(), self.lessee_handle())
    }

    fn lease(&self) -> &'a crate::leases::Lease {
        self.snap.lease(self.i)
    }

    pub fn id(&self) -> &'a str {
        self.lease().id()
    }
    pub fn range(&self) -> IpRange {
        self.lease().range
    }
    pub fn start(&self) -> Timestamp {
        self.lease().start
    }
    /// The end, `None` for an open-ended lease.
    pub fn end(&self) -> Option<Timestamp> {
        self.lease().end
    }
    pub fn active_at(&self, t: Timestamp) -> bool {
        self.lease().active_at(t)
    }
    /// The lease source (named after its file).
    pub fn source(&self) -> &'a str {
        self.snap.lease_source(self.i)
    }
    /// The lessor holds the space in the registry.
    pub fn verified(&self) -> bool {
        self.snap.lease_verified(self.i)
    }
    pub fn lessor(&self) -> &'a str {
        self.lease().lessor()
    }
    pub fn lessee_handle(&self) -> &'a str {
        self.lease().lessee_handle()
    }
    pub fn lessee_name(&self) -> &'a str {
        self.lease().lessee_name()
    }
    pub fn country(&self) -> Option<&'a str> {
        self.lease().country()
    }
    pub fn abuse_mailbox(&self) -> Option<&'a str> {
        self.lease().abuse_mailbox()
    }
    pub fn origin_asn(&self) -> Option<u32> {
        self.lease().origin_asn
    }
    pub fn geofeed(&self) -> Option<&'a str> {
        self.lease().geofeed()
    }
    /// Line in the lease file.
    pub fn line(&self) -> u32 {
        self.lease().line
    }

    /// `file:line` of the record.
    pub fn origin(&self) -> String {
        let src = self.lease().source as usize;
        let file = self
            .snap
            .lease_sources()
            .get(src)
            .map(|s| s.path.display().to_string())
            .unwrap_or_default();
        format!("{file}:{}", self.lease().line)
    }

    /// The class a lease is shown as in the style of its source.
    pub fn class(&self) -> &'static str {
        match self.range().family {
            Family::V4 => "inetnum",
            Family::V6 => "inet6num",
        }
    }
}

/// A lease record's text qualified by its source (`SOURCE:TEXT`): lease
/// ids and lessee handles are unique only within their source.
pub fn qualify(source: &str, text: &str) -> String {
    format!("{source}:{text}")
}

/// Splits a qualified handle into a loaded lease source and the rest.
fn unqualify<'h>(snap: &Snapshot, qualified: &'h str) -> Option<(u16, &'h str)> {
    qualified.match_indices(':').find_map(|(i, _)| {
        let (source, rest) = (qualified.get(..i)?, qualified.get(i + 1..)?);
        Some((snap.lease_source_named(source)?, rest))
    })
}

/// The lease record with this qualified handle (`SOURCE:ID`).
pub fn lease_by_handle<'a>(snap: &'a Snapshot, qualified: &str) -> Option<LeaseView<'a>> {
    let (source, id) = unqualify(snap, qualified)?;
    snap.lease_by_id(source, id).map(|i| LeaseView { snap, i })
}

/// True when lease records name this qualified lessee handle
/// (`SOURCE:HANDLE`): `entity/` answers it.
pub fn is_lessee(snap: &Snapshot, qualified: &str) -> bool {
    unqualify(snap, qualified).is_some_and(|(source, handle)| snap.is_lessee(source, handle))
}

/// The lease records naming this qualified lessee handle
/// (`SOURCE:HANDLE`), in address order.
pub fn leases_of_lessee<'a>(snap: &'a Snapshot, qualified: &str) -> Vec<LeaseView<'a>> {
    let Some((source, handle)) = unqualify(snap, qualified) else {
        return Vec::new();
    };
    snap.leases_of_lessee(source, handle)
        .into_iter()
        .map(|i| LeaseView { snap, i })
        .collect()
}

/// True when a lease is current for the whole range at `at` (then `ip/`
/// of the range answers that lease, not the registry's object).
pub fn lease_covers(snap: &Snapshot, r: &IpRange, at: Timestamp) -> bool {
    crate::lease::current_lease(snap, r, at).is_some()
}

/// Most leases a history answer shows (the newest).
pub const HISTORY_LIMIT: usize = 1000;

/// A lease history: the leases shown, oldest start first, and how many
/// older ones were left out (at most [`HISTORY_LIMIT`] are shown).
pub struct History<'a> {
    pub leases: Vec<LeaseView<'a>>,
    pub omitted: usize,
}

/// Every lease that ever covered the range, oldest start first; past
/// [`HISTORY_LIMIT`], the newest ones.
pub fn lease_history<'a>(snap: &'a Snapshot, r: &IpRange) -> History<'a> {
    let all = crate::lease::lease_history(snap, r);
    let omitted = all.len().saturating_sub(HISTORY_LIMIT);
    History {
        leases: all
            .into_iter()
            .skip(omitted)
            .map(|i| LeaseView { snap, i })
            .collect(),
        omitted,
    }
}

/// The abuse contact and where it came from. The mailbox is read when
/// the answer is resolved; the rest when a renderer asks (most answers
/// show the mailbox alone).
#[derive(Clone, Copy)]
pub struct AbuseView<'a> {
    snap: &'a Snapshot,
    abuse: crate::lease::Abuse,
    pub mailbox: &'a str,
    pub from: AbuseSource<'a>,
}

/// What carries an abuse mailbox.
#[derive(Clone, Copy)]
pub enum AbuseSource<'a> {
    /// A role, person, irt or organisation with an `abuse-mailbox`.
    Entity(ObjectView<'a>),
    /// A verified lease's `lessee.abuse_mailbox`.
    Lease(LeaseView<'a>),
}

impl<'a> AbuseView<'a> {
    fn new(snap: &'a Snapshot, a: crate::lease::Abuse) -> Self {
        let from = match a.from {
            AbuseFrom::Entity(e) => AbuseSource::Entity(ObjectView::of(snap, ObjRef::Entity(e))),
            AbuseFrom::Lease(l) => AbuseSource::Lease(LeaseView { snap, i: l }),
        };
        AbuseView {
            snap,
            abuse: a,
            mailbox: a.mailbox(snap),
            from,
        }
    }

    /// The handle carrying the mailbox (the lessee's for a lease).
    pub fn handle(&self) -> &'a str {
        self.abuse.carrier_handle(self.snap)
    }

    /// The object carrying the mailbox (none for a lease's lessee).
    pub fn entity(&self) -> Option<EntityView<'a>> {
        match self.abuse.from {
            AbuseFrom::Entity(e) => Some(EntityView::new(self.snap, e)),
            AbuseFrom::Lease(_) => None,
        }
    }

    /// The handle carrying the mailbox as an entity is addressed: a
    /// lessee's qualified by its lease source (see [`LeaseView::lessee_qualified`]).
    pub fn entity_handle(&self) -> Cow<'a, str> {
        match self.from {
            AbuseSource::Lease(l) => Cow::Owned(l.lessee_qualified()),
            AbuseSource::Entity(_) => Cow::Borrowed(self.handle()),
        }
    }

    /// The name of what carries it (its handle when unnamed).
    pub fn name(&self) -> &'a str {
        match self.abuse.from {
            AbuseFrom::Entity(e) => {
                let ent = self.snap.entity_at(e);
                ent.name().unwrap_or_else(|| ent.handle_text())
            }
            AbuseFrom::Lease(l) => self.snap.lease(l).lessee_name(),
        }
    }

    /// The key of the object whose reference led there.
    pub fn via(&self) -> &'a str {
        self.abuse.via.key(self.snap)
    }

    /// The key an abuse line names for an answer about `subject_key`: the
    /// lease's range when a lease carries the mailbox.
    pub fn for_key<'k>(&self, subject_key: &'k str) -> Cow<'k, str> {
        match self.from {
            AbuseSource::Lease(l) => Cow::Owned(l.range().to_string()),
            AbuseSource::Entity(_) => Cow::Borrowed(subject_key),
        }
    }
}
