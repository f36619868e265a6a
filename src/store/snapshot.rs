//! An immutable, fully indexed generation of the data.
//!
//! Built once from a [`Registry`] (networks sorted by family, start, end
//! descending, so index ids are positions) and never changed; a request
//! takes one `Arc<Snapshot>` and answers from it to the end.

use crate::addr::{Family, IpRange};
use crate::delegated::Resource;
use crate::dump::{LeaseReport, LoadReport, Registry};
use crate::index::{LpmBackend, RangeIndex};
use crate::model::{EntityRef, FxMap, NetRef, Network, NO_SYM};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::SystemTime;

pub mod compiled;
pub mod overlay;

/// The snapshot currently served, replaced whole with one atomic swap
/// (`arc-swap`): a request loads the `Arc` once and answers from it to the
/// end; readers never wait for a reload.
pub struct Current(arc_swap::ArcSwap<Snapshot>);

impl Current {
    pub fn new(snap: Arc<Snapshot>) -> Self {
        Current(arc_swap::ArcSwap::new(snap))
    }

    /// The snapshot current now.
    pub fn get(&self) -> Arc<Snapshot> {
        self.0.load_full()
    }

    /// Installs a new snapshot; requests already running keep theirs.
    pub fn install(&self, snap: Arc<Snapshot>) {
        self.0.store(snap);
    }
}

/// A network's position in [`Snapshot::networks`].
pub type NetId = u32;

/// Ranges of one family of delegated records, and their record numbers.
struct DelegIndex<K: crate::index::Key> {
    index: RangeIndex<K>,
    records: Vec<u32>,
}

/// One generation of loaded data with its indexes. The registry part
/// (objects and their indexes) is shared by reference with the snapshots a
/// lease-only reload makes from it; the lease part is the snapshot's own.
pub struct Snapshot {
    /// Grows by one on every successful load.
    pub serial: u64,
    pub loaded_at: SystemTime,
    /// Registry objects (its `leases` and `lease_sources` are empty: the
    /// leases live in the lease part). Read through `query`'s views.
    reg: Arc<Registry>,
    ix: Arc<RegistryIndex>,
    lz: Arc<LeaseIndex>,
    /// The whole load's figures (registry and lease files).
    pub report: LoadReport,
    /// The registry part's figures alone, for lease-only reloads.
    registry_report: Arc<LoadReport>,
    /// The lease files' figures, for routing-only reloads.
    lease_report: Arc<LoadReport>,
    /// The routing part (announced prefixes, VRPs) and its files'
    /// figures: shared with the snapshots registry and lease reloads make,
    /// replaced alone by a routing reload.
    rt: Arc<crate::routing::Routing>,
    routing_report: Arc<LoadReport>,
    /// [`Snapshot::source_lines`], made on first use.
    source_lines: std::sync::OnceLock<Vec<String>>,
    /// Older compiled snapshots of a dated directory, for answers about a
    /// past time (shared by the snapshots reloads of leases and routing
    /// make).
    past: Option<Arc<compiled::Past>>,
    /// NRTMv4 deltas served over the registry part since its mirror files
    /// were read ([`overlay`]).
    ov: Option<Arc<overlay::Overlay>>,
}

/// The indexes over the registry objects.
struct RegistryIndex {
    n4: u32,
    v4: RangeIndex<u32>,
    v6: RangeIndex<u128>,
    asn: RangeIndex<u32>,
    d4: DelegIndex<u32>,
    d6: DelegIndex<u128>,
    dasn: DelegIndex<u32>,
    domains: FxMap<Box<str>, u32>,
    /// (hash of upper-case netname, network), sorted: netname lookups
    /// without a map entry per network.
    netnames: Netnames,
    backend: LpmBackend,
    /// Per inverse-searchable attribute, its index, made on first use.
    inverse: [std::sync::OnceLock<crate::inverse::InverseIndex>; 5],
}

/// The routing part being indexed on its own thread, and its files' figures.
type RoutingBuild = (
    std::thread::JoinHandle<Arc<crate::routing::Routing>>,
    Arc<LoadReport>,
);

/// Starts indexing a registry's routing files on a thread of their own.
fn spawn_routing(reg: &mut Registry) -> RoutingBuild {
    let mut routing = std::mem::take(&mut reg.routing);
    let report = Arc::new(std::mem::take(&mut routing.report));
    let handle =
        std::thread::spawn(move || Arc::new(crate::routing::Routing::from_loaded(routing)));
    (handle, report)
}

/// The indexes over sorted networks and AS numbers: built from a
/// registry, or read from a compiled snapshot.
struct Built {
    n4: u32,
    v4: RangeIndex<u32>,
    v6: RangeIndex<u128>,
    asn: RangeIndex<u32>,
    netnames: Netnames,
}

impl Built {
    /// Sorts a registry's networks (IPv4 first, each family by start and
    /// then widest first) and AS numbers, and indexes them.
    fn index(reg: &mut Registry, backend: LpmBackend) -> Built {
        // IPv4 first, each family by start and then widest first, in place
        // (no second copy of the networks: at 6 M networks that copy was
        // the load's peak); equal ranges keep their load order (file, line)
        let mut nets = std::mem::take(reg.networks.owned_mut());
        let n4 = partition_v4_first(&mut nets);
        let key = |a: &Network, b: &Network| {
            a.range
                .start
                .cmp(&b.range.start)
                .then(b.range.end.cmp(&a.range.end))
                .then(a.file.cmp(&b.file))
                .then(a.object.line.cmp(&b.object.line))
        };
        let (v4, v6) = nets.split_at_mut(n4);
        std::thread::scope(|s| {
            s.spawn(|| v6.sort_unstable_by(key));
            v4.sort_unstable_by(key);
        });
        // the range indexes here, the netname index beside them
        let (i4, i6, netnames) = std::thread::scope(|s| {
            let names = s.spawn(|| netname_index(&nets));
            let (v4, v6) = nets.split_at(n4);
            let r: Vec<(u32, u32)> = v4
                .iter()
                .map(|n| (n.range.start as u32, n.range.end as u32))
                .collect();
            let i4 = RangeIndex::build(&r, backend);
            drop(r);
            let r: Vec<(u128, u128)> = v6.iter().map(|n| (n.range.start, n.range.end)).collect();
            let i6 = RangeIndex::build(&r, backend);
            (i4, i6, names.join().unwrap_or_default())
        });
        let n4 = n4 as u32;
        reg.networks = nets.into();

        reg.autnums
            .sort_by(|a, b| a.first.cmp(&b.first).then(b.last.cmp(&a.last)));
        let ar: Vec<(u32, u32)> = reg.autnums.iter().map(|a| (a.first, a.last)).collect();
        let asn = RangeIndex::build(&ar, LpmBackend::Sorted);
        Built {
            n4,
            // sorted input cannot fail to build
            v4: i4.unwrap_or_else(empty_index),
            v6: i6.unwrap_or_else(empty_index),
            asn: asn.unwrap_or_else(empty_index),
            netnames: netnames.into(),
        }
    }
}

/// Networks by the hash of their upper-case netname: hashes sorted, and
/// the network of each (read in place from a compiled snapshot).
#[derive(Default)]
struct Netnames {
    hashes: crate::mapped::Slab<u64>,
    ids: crate::mapped::Slab<u32>,
}

impl Netnames {
    /// The networks whose netname has hash `h`.
    fn ids(&self, h: u64) -> impl Iterator<Item = NetId> + '_ {
        let from = self.hashes.partition_point(|&x| x < h);
        self.hashes[from..]
            .iter()
            .zip(self.ids.get(from..).unwrap_or(&[]))
            .take_while(move |x| *x.0 == h)
            .map(|x| *x.1)
    }
}

impl From<Vec<(u64, u32)>> for Netnames {
    fn from(v: Vec<(u64, u32)>) -> Self {
        let (hashes, ids): (Vec<u64>, Vec<u32>) = v.into_iter().unzip();
        Netnames {
            hashes: hashes.into(),
            ids: ids.into(),
        }
    }
}

/// The leases and their indexes.
struct LeaseIndex {
    /// Sorted like networks (IPv4 first).
    records: Vec<crate::leases::Lease>,
    sources: Vec<crate::dump::LoadedLeaseSource>,
    l4: RangeIndex<u32>,
    l6: RangeIndex<u128>,
    ln4: u32,
    /// Per lease, in index order: what resolution reads (see [`LeaseHot`]).
    hot: Vec<LeaseHot>,
    /// (hash of source and lease id, lease), sorted: leases by handle.
    by_id: Vec<(u64, u32)>,
    /// (hash of source and lessee handle, lease), sorted: a lessee's leases.
    by_lessee: Vec<(u64, u32)>,
}

/// Moves the IPv4 networks before the IPv6 ones (in place, order not
/// kept); returns how many are IPv4.
fn partition_v4_first(nets: &mut [Network]) -> usize {
    let mut n4 = 0;
    for i in 0..nets.len() {
        if nets[i].range.family == Family::V4 {
            nets.swap(i, n4);
            n4 += 1;
        }
    }
    n4
}

/// (hash of upper-case netname, network) for every network with a netname.
fn netname_index(networks: &[Network]) -> Vec<(u64, u32)> {
    let mut v: Vec<(u64, u32)> = networks
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            n.object
                .get("netname")
                .map(|name| (netname_hash(name), i as u32))
        })
        .collect();
    v.sort_unstable();
    v
}

impl LeaseIndex {
    fn empty() -> Self {
        LeaseIndex {
            records: Vec::new(),
            sources: Vec::new(),
            l4: empty_index(),
            l6: empty_index(),
            ln4: 0,
            hot: Vec::new(),
            by_id: Vec::new(),
            by_lessee: Vec::new(),
        }
    }
}

/// The part of a lease that resolution reads, kept apart from the record
/// so that choosing among a history of leases touches 24 bytes each.
#[derive(Debug, Clone, Copy)]
pub struct LeaseHot {
    pub start: i64,
    /// `i64::MAX` for an open-ended lease.
    pub end: i64,
    pub verified: bool,
    pub has_mailbox: bool,
}

impl LeaseHot {
    /// Active at `t`: `start <= t < end`.
    #[inline]
    pub fn active_at(&self, t: i64) -> bool {
        self.start <= t && t < self.end
    }
}

/// How lease records are judged when they are indexed: the rule that
/// says whether a lease is verified (tenure's is the lessor holding the
/// space in the registry: `query::lease_policy`, from the `lease` rules),
/// and whether unverified ones are dropped instead of kept marked.
#[derive(Clone, Copy)]
pub struct LeasePolicy {
    pub verify: fn(&Snapshot, &crate::leases::Lease) -> bool,
    pub reject_unverified: bool,
}

impl Snapshot {
    /// Sorts and indexes a registry. The two address families are sorted
    /// and indexed on two threads; leases are judged by `policy`.
    pub fn build(
        mut reg: Registry,
        report: LoadReport,
        serial: u64,
        backend: LpmBackend,
        policy: LeasePolicy,
    ) -> Snapshot {
        crate::model::mark_registry_placeholders(&reg.entities, reg.networks.owned_mut());
        // the routing part is indexed beside the registry
        let routing = spawn_routing(&mut reg);
        let built = Built::index(&mut reg, backend);
        Snapshot::assemble(reg, report, serial, backend, policy, built, routing)
    }

    /// A snapshot of a registry whose networks and AS numbers are sorted
    /// and indexed (`built`): the delegated statistics indexed, the leases
    /// judged, the routing part joined.
    #[allow(clippy::too_many_arguments)]
    fn assemble(
        mut reg: Registry,
        report: LoadReport,
        serial: u64,
        backend: LpmBackend,
        policy: LeasePolicy,
        built: Built,
        (routing, routing_report): RoutingBuild,
    ) -> Snapshot {
        let (d4, d6, dasn) = deleg_indexes(&reg, backend);
        let domains = reg
            .domains
            .iter()
            .enumerate()
            .map(|(i, d)| (d.name.clone(), i as u32))
            .collect();
        let ix = RegistryIndex {
            n4: built.n4,
            v4: built.v4,
            v6: built.v6,
            asn: built.asn,
            d4,
            d6,
            dasn,
            domains,
            netnames: built.netnames,
            backend,
            inverse: Default::default(),
        };
        let leases = std::mem::take(&mut reg.leases);
        let lease_sources = std::mem::take(&mut reg.lease_sources);
        // the registry's own figures, and the whole load's
        let registry_report = report;
        let lease_report = std::mem::take(&mut reg.lease_report);
        let rt = routing
            .join()
            .unwrap_or_else(|_| Arc::new(crate::routing::Routing::empty()));
        let mut snap = Snapshot {
            serial,
            loaded_at: SystemTime::now(),
            reg: Arc::new(reg),
            ix: Arc::new(ix),
            lz: Arc::new(LeaseIndex::empty()),
            report: LoadReport::default(),
            registry_report: Arc::new(registry_report),
            lease_report: Arc::new(lease_report),
            rt,
            routing_report,
            source_lines: Default::default(),
            past: None,
            ov: None,
        };
        snap.merge_reports();
        snap.index_leases(leases, lease_sources, policy);
        snap
    }

    /// A snapshot with this one's registry part and new leases (a
    /// lease-only reload): nothing of the registry is read or copied again.
    pub fn with_leases(
        &self,
        leases: crate::dump::LoadedLeases,
        serial: u64,
        policy: LeasePolicy,
    ) -> Snapshot {
        let mut snap = Snapshot {
            lz: Arc::new(LeaseIndex::empty()),
            lease_report: Arc::new(leases.report),
            ..self.sharing(serial)
        };
        snap.merge_reports();
        snap.index_leases(leases.leases, leases.sources, policy);
        snap
    }

    /// A snapshot with this one's registry and lease parts and new routing
    /// data (a routing-only reload): the leases keep their verdicts, as
    /// routing never decides them.
    pub fn with_routing(&self, routing: crate::dump::LoadedRouting, serial: u64) -> Snapshot {
        let mut routing = routing;
        let routing_report = Arc::new(std::mem::take(&mut routing.report));
        let mut snap = Snapshot {
            rt: Arc::new(crate::routing::Routing::from_loaded(routing)),
            routing_report,
            ..self.sharing(serial)
        };
        snap.merge_reports();
        snap.report.leases = self.report.leases.clone();
        snap
    }

    /// A snapshot of serial `serial` sharing every part of this one (its
    /// figures and source lines to be made again): what the reloads of a
    /// part start from, replacing that part.
    fn sharing(&self, serial: u64) -> Snapshot {
        Snapshot {
            serial,
            loaded_at: SystemTime::now(),
            reg: Arc::clone(&self.reg),
            ix: Arc::clone(&self.ix),
            lz: Arc::clone(&self.lz),
            report: LoadReport::default(),
            registry_report: Arc::clone(&self.registry_report),
            lease_report: Arc::clone(&self.lease_report),
            rt: Arc::clone(&self.rt),
            routing_report: Arc::clone(&self.routing_report),
            source_lines: Default::default(),
            past: self.past.clone(),
            ov: self.ov.clone(),
        }
    }

    /// The whole load's figures: the registry's, the lease files', the
    /// routing files'.
    fn merge_reports(&mut self) {
        let mut report = (*self.registry_report).clone();
        report.merge(&self.lease_report);
        report.merge(&self.routing_report);
        self.report = report;
    }

    /// The routing part: announced prefixes and VRPs.
    pub fn routing(&self) -> &crate::routing::Routing {
        &self.rt
    }

    /// The routing part current at time `at`: this snapshot's (its files
    /// are the newest), unless `at` is before them and dated files are
    /// kept (see [`crate::routing::Routing::at`]).
    pub fn routing_at(&self, at: crate::time::Timestamp) -> crate::routing::RoutingAt<'_> {
        self.rt.at(at)
    }

    /// True when both snapshots share one routing part.
    pub fn shares_routing_with(&self, other: &Snapshot) -> bool {
        Arc::ptr_eq(&self.rt, &other.rt)
    }

    /// Lease sources, indexed by `Lease::source`.
    pub fn lease_sources(&self) -> &[crate::dump::LoadedLeaseSource] {
        &self.lz.sources
    }

    /// Number of leases.
    pub fn lease_count(&self) -> u32 {
        self.lz.records.len() as u32
    }

    /// What this snapshot was built from, one line per source and its
    /// serial last ("registry data: RIPE", "lease records: NAME",
    /// "delegated statistics: ripencc of 20261120", "data serial 7"):
    /// made once, read by every RDAP answer's notices.
    pub fn source_lines(&self) -> &[String] {
        self.source_lines.get_or_init(|| {
            let mut v: Vec<String> = self
                .report
                .objects
                .keys()
                .map(|s| format!("registry data: {s}"))
                .collect();
            for l in &self.lz.sources {
                v.push(format!("lease records: {}", l.name));
            }
            for h in &self.reg.delegated_headers {
                v.push(format!(
                    "delegated statistics: {} of {}",
                    h.registry, h.end_date
                ));
            }
            v.push(format!("data serial {}", self.serial));
            v
        })
    }

    /// Networks with this netname (case-insensitive).
    pub fn by_netname(&self, name: &str) -> Vec<NetId> {
        let h = netname_hash(name);
        let ov = self.ov.as_deref();
        self.ix
            .netnames
            .ids(h)
            .filter(|id| ov.is_none_or(|o| !o.hidden_nets.contains(id)))
            .chain(ov.into_iter().flat_map(|o| o.by_netname(h)))
            .filter(|&id| {
                self.net(id)
                    .object
                    .get("netname")
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .collect()
    }

    /// Sorts the leases like networks, judges each by the policy's rule
    /// (against this snapshot's registry part), drops the unverified ones
    /// when asked, counts overlaps within a source, and indexes them.
    fn index_leases(
        &mut self,
        mut leases: Vec<crate::leases::Lease>,
        sources: Vec<crate::dump::LoadedLeaseSource>,
        policy: LeasePolicy,
    ) {
        let started = std::time::Instant::now();
        let backend = self.ix.backend;
        // the verdicts may read the sources; the index is built aside
        self.lz = Arc::new(LeaseIndex {
            sources,
            ..LeaseIndex::empty()
        });
        let mut lz = LeaseIndex::empty();
        let mut verified: Vec<bool> = leases.iter().map(|l| (policy.verify)(self, l)).collect();
        let mut report = LeaseReport::default();
        if policy.reject_unverified {
            let mut keep = verified.iter();
            let before = leases.len();
            leases.retain(|_| keep.next().copied().unwrap_or(false));
            report.rejected = (before - leases.len()) as u64;
            verified = vec![true; leases.len()];
        }
        // sort by family, start, end descending; carry the verdicts along
        let mut order: Vec<u32> = (0..leases.len() as u32).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (&leases[a as usize].range, &leases[b as usize].range);
            x.family
                .cmp(&y.family)
                .then(x.start.cmp(&y.start))
                .then(y.end.cmp(&x.end))
        });
        let mut slots: Vec<Option<crate::leases::Lease>> = leases.into_iter().map(Some).collect();
        let leases: Vec<crate::leases::Lease> = order
            .iter()
            .filter_map(|&i| slots[i as usize].take())
            .collect();
        let verified: Vec<bool> = order.iter().map(|&i| verified[i as usize]).collect();
        let ln4 = leases
            .iter()
            .take_while(|l| l.range.family == Family::V4)
            .count();
        let r4: Vec<(u32, u32)> = leases[..ln4]
            .iter()
            .map(|l| (l.range.start as u32, l.range.end as u32))
            .collect();
        let r6: Vec<(u128, u128)> = leases[ln4..]
            .iter()
            .map(|l| (l.range.start, l.range.end))
            .collect();
        lz.l4 = RangeIndex::build(&r4, backend).unwrap_or_else(empty_index);
        lz.l6 = RangeIndex::build(&r6, backend).unwrap_or_else(empty_index);
        lz.ln4 = ln4 as u32;
        let now = crate::time::now();
        report.loaded = leases.len() as u64;
        report.verified = verified.iter().filter(|v| **v).count() as u64;
        report.unverified = report.loaded - report.verified;
        report.active_now = leases.iter().filter(|l| l.active_at(now)).count() as u64;
        overlaps_within_sources(&leases, &self.lz.sources, &mut report);
        lz.hot = leases
            .iter()
            .zip(&verified)
            .map(|(l, &v)| LeaseHot {
                start: l.start,
                end: l.end.unwrap_or(i64::MAX),
                verified: v,
                has_mailbox: l.abuse_mailbox().is_some(),
            })
            .collect();
        let keyed = |f: fn(&crate::leases::Lease) -> &str| {
            let mut v: Vec<(u64, u32)> = leases
                .iter()
                .enumerate()
                .map(|(i, l)| (lease_key(l.source, f(l)), i as u32))
                .collect();
            v.sort_unstable();
            v
        };
        lz.by_id = keyed(|l| l.id());
        lz.by_lessee = keyed(|l| l.lessee_handle());
        lz.records = leases;
        lz.sources = self.lz.sources.clone();
        self.lz = Arc::new(lz);
        report.seconds = started.elapsed().as_secs_f64();
        self.report.leases = report;
    }

    /// The position of a lease source by name.
    pub fn lease_source_named(&self, name: &str) -> Option<u16> {
        self.lz
            .sources
            .iter()
            .position(|s| s.name == name)
            .and_then(|i| u16::try_from(i).ok())
    }

    /// The lease with this id in this source.
    pub fn lease_by_id(&self, source: u16, id: &str) -> Option<u32> {
        self.keyed_leases(&self.lz.by_id, source, id, |l| l.id())
            .next()
    }

    /// True when a lease of this source names this lessee handle.
    pub fn is_lessee(&self, source: u16, handle: &str) -> bool {
        self.keyed_leases(&self.lz.by_lessee, source, handle, |l| l.lessee_handle())
            .next()
            .is_some()
    }

    /// The leases naming this lessee handle in this source, in index order.
    pub fn leases_of_lessee(&self, source: u16, handle: &str) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .keyed_leases(&self.lz.by_lessee, source, handle, |l| l.lessee_handle())
            .collect();
        v.sort_unstable();
        v
    }

    /// The leases of one source whose text `f` equals `text` (case-insensitive).
    fn keyed_leases<'s>(
        &'s self,
        index: &'s [(u64, u32)],
        source: u16,
        text: &'s str,
        f: fn(&crate::leases::Lease) -> &str,
    ) -> impl Iterator<Item = u32> + 's {
        let key = lease_key(source, text);
        let from = index.partition_point(|&(k, _)| k < key);
        index[from..]
            .iter()
            .take_while(move |&&(k, _)| k == key)
            .map(|&(_, i)| i)
            .filter(move |&i| {
                let l = &self.lz.records[i as usize];
                l.source == source && f(l).eq_ignore_ascii_case(text)
            })
    }

    /// A lease by position.
    pub fn lease(&self, i: u32) -> &crate::leases::Lease {
        &self.lz.records[i as usize]
    }

    /// True when the lease's lessor holds (or sub-holds) the space.
    pub fn lease_verified(&self, i: u32) -> bool {
        self.lz.hot.get(i as usize).is_some_and(|h| h.verified)
    }

    /// The compact part of a lease resolution reads.
    #[inline]
    pub fn lease_hot(&self, i: u32) -> LeaseHot {
        self.lz.hot[i as usize]
    }

    /// A lease's range as `(start, end)` from the index (no record access).
    #[inline]
    pub fn lease_span(&self, i: u32) -> (u128, u128) {
        if i < self.lz.ln4 {
            let (a, b) = self.lz.l4.range(i);
            (a as u128, b as u128)
        } else {
            self.lz.l6.range(i - self.lz.ln4)
        }
    }

    /// The name of a lease's source.
    pub fn lease_source(&self, i: u32) -> &str {
        let s = self.lease(i).source as usize;
        self.lz
            .sources
            .get(s)
            .map(|x| x.name.as_str())
            .unwrap_or("")
    }

    /// Every lease whose range contains the whole of `r`, of any time, most
    /// specific range first.
    pub fn leases_covering(&self, r: &IpRange) -> Vec<u32> {
        match r.family {
            Family::V4 => self.lz.l4.covering(r.start as u32, r.end as u32),
            Family::V6 => self
                .lz
                .l6
                .covering(r.start, r.end)
                .into_iter()
                .map(|i| i + self.lz.ln4)
                .collect(),
        }
    }

    /// The first moment after `at` when a lease covering `r` starts or
    /// ends (`i64::MAX` when none will): until then, which leases are
    /// current for `r` cannot change.
    pub fn next_lease_change(&self, r: &IpRange, at: i64) -> i64 {
        self.leases_covering(r)
            .into_iter()
            .map(|i| {
                let h = self.lease_hot(i);
                if h.start > at {
                    h.start
                } else if h.end > at {
                    h.end
                } else {
                    i64::MAX
                }
            })
            .min()
            .unwrap_or(i64::MAX)
    }

    /// Every lease whose range lies inside `r`, of any time.
    pub fn leases_within(&self, r: &IpRange) -> Vec<u32> {
        match r.family {
            Family::V4 => self
                .lz
                .l4
                .more_specific(r.start as u32, r.end as u32, false),
            Family::V6 => self
                .lz
                .l6
                .more_specific(r.start, r.end, false)
                .into_iter()
                .map(|i| i + self.lz.ln4)
                .collect(),
        }
    }

    /// The objects whose `attr` (one of [`crate::inverse::ATTRIBUTES`]) may
    /// name `value`, in object order (candidates: the caller checks each),
    /// from the attribute's index, built on the first call; `None` for an
    /// attribute not indexed.
    pub fn inverse_candidates<'s>(
        &'s self,
        attr: &str,
        value: &str,
    ) -> Option<impl Iterator<Item = crate::inverse::Held> + 's> {
        let k = crate::inverse::ATTRIBUTES.iter().position(|a| *a == attr)?;
        let ix = self.ix.inverse[k].get_or_init(|| {
            let started = std::time::Instant::now();
            let ix = crate::inverse::InverseIndex::build(&self.reg, attr);
            tracing::info!(
                "inverse index of {attr} built in {:.2} s, {} MiB",
                started.elapsed().as_secs_f64(),
                ix.bytes() >> 20
            );
            ix
        });
        let Some(o) = self.ov.as_deref() else {
            return Some(Box::new(ix.candidates(value)) as Box<dyn Iterator<Item = _>>);
        };
        // the overlay's among the base's, in object order
        let mut all: Vec<crate::inverse::Held> = ix
            .candidates(value)
            .filter(|&h| !o.hides(self, h))
            .chain(o.candidates(self, k, attr, value))
            .collect();
        all.sort_by(|&a, &b| self.held_order(a, b));
        Some(Box::new(all.into_iter()))
    }

    /// Every network id, in address order (IPv4 first; of equal ranges,
    /// the one loaded first).
    pub fn net_ids(&self) -> impl Iterator<Item = NetId> + '_ {
        let ov = self.ov.as_deref();
        let base = (0..self.reg.networks.len() as NetId)
            .filter(move |id| ov.is_none_or(|o| !o.hidden_nets.contains(id)));
        let own = ov.map_or(0..0, |o| {
            o.nets_base..o.nets_base + o.reg.networks.len() as NetId
        });
        overlay::merge(base, own, |&a, &b| self.net_order(a, b))
    }

    /// The entity at a position (from [`Snapshot::entity_index`],
    /// [`Snapshot::entity_of_sym`] or [`Snapshot::entity_ids`]).
    pub fn entity_at(&self, i: u32) -> EntityRef<'_> {
        match self.ov.as_deref() {
            Some(o) if i >= o.ents_base => o.reg.entities.get((i - o.ents_base) as usize),
            _ => self.reg.entities.get(i as usize),
        }
    }

    /// Every entity's position, in load order (a mirror file's in its
    /// order: class, then handle).
    pub fn entity_ids(&self) -> impl Iterator<Item = u32> + '_ {
        let ov = self.ov.as_deref();
        let base = (0..self.reg.entities.len() as u32).filter(move |&i| {
            ov.is_none_or(|o| {
                !o.entity_by_sym
                    .contains_key(&self.reg.entities.get(i as usize).handle)
            })
        });
        let own = ov.map_or(0..0, |o| {
            o.ents_base..o.ents_base + o.reg.entities.len() as u32
        });
        overlay::merge(base, own, |&a, &b| self.entity_order(a, b))
    }

    /// The aut-num or as-block at a position (from [`Snapshot::autnums`]).
    pub fn autnum_at(&self, i: u32) -> &crate::model::AutNum {
        match self.ov.as_deref() {
            Some(o) if i >= o.auts_base => &o.reg.autnums[(i - o.auts_base) as usize],
            _ => &self.reg.autnums[i as usize],
        }
    }

    /// Every aut-num and as-block's position, in AS order.
    pub fn autnum_ids(&self) -> impl Iterator<Item = u32> + '_ {
        let ov = self.ov.as_deref();
        let base = (0..self.reg.autnums.len() as u32)
            .filter(move |i| ov.is_none_or(|o| !o.hidden_auts.contains(i)));
        let own = ov.map_or(0..0, |o| {
            o.auts_base..o.auts_base + o.reg.autnums.len() as u32
        });
        overlay::merge(base, own, |&a, &b| self.autnum_order(a, b))
    }

    /// The reverse domain at a position (from [`Snapshot::domain`]).
    pub fn domain_at(&self, i: u32) -> &crate::model::Domain {
        match self.ov.as_deref() {
            Some(o) if i >= o.doms_base => &o.reg.domains[(i - o.doms_base) as usize],
            _ => &self.reg.domains[i as usize],
        }
    }

    /// The handle an interned id stands for ("" for none).
    pub fn sym_name(&self, sym: crate::model::Sym) -> &str {
        match self.ov.as_deref() {
            Some(o) if sym >= o.syms_base && sym != NO_SYM => o.sym_name(sym),
            _ => self.reg.syms.name(sym),
        }
    }

    /// The interned id of a handle (case-insensitive), if any object
    /// names it.
    pub fn sym(&self, handle: &str) -> Option<crate::model::Sym> {
        self.reg.syms.get(handle).or_else(|| {
            let o = self.ov.as_deref()?;
            o.reg.syms.get(handle).map(|s| s + o.syms_base)
        })
    }

    /// The position of the entity with an interned handle.
    pub fn entity_of_sym(&self, sym: crate::model::Sym) -> Option<u32> {
        if sym == NO_SYM {
            return None;
        }
        if let Some(&decided) = self.ov.as_deref().and_then(|o| o.entity_by_sym.get(&sym)) {
            return decided;
        }
        self.reg.entity_by_handle.get(sym)
    }

    /// Persons' personal data was kept at load (`personal-data`).
    pub fn personal_data(&self) -> bool {
        self.reg.personal_data
    }

    /// IANA's RDAP bootstrap services.
    pub fn bootstrap(&self) -> &crate::bootstrap::Bootstrap {
        &self.reg.bootstrap
    }

    /// IANA's address-space registries.
    pub fn address_space(&self) -> &crate::bootstrap::AddressSpace {
        &self.reg.address_space
    }

    /// Objects served: (aut-nums and as-blocks, entities, domains,
    /// delegated records).
    pub fn object_counts(&self) -> (usize, usize, usize, usize) {
        // the overlay's own, less the base's it hides (deletions make it
        // negative)
        let (a, e, d) = match self.ov.as_deref() {
            Some(o) => (
                o.reg.autnums.len() as isize - o.hidden_auts.len() as isize,
                o.reg.entities.len() as isize - o.hidden_ents as isize,
                o.reg.domains.len() as isize - o.hidden_doms as isize,
            ),
            None => (0, 0, 0),
        };
        let count = |base: usize, d: isize| base.saturating_add_signed(d);
        (
            count(self.reg.autnums.len(), a),
            count(self.reg.entities.len(), e),
            count(self.reg.domains.len(), d),
            self.reg.delegations.len(),
        )
    }

    /// The text of an object an inverse index names.
    pub fn held_object(&self, held: crate::inverse::Held) -> crate::rpsl::ObjectRef<'_> {
        use crate::inverse::Held;
        match held {
            Held::Network(i) => self.net(i).object,
            Held::Entity(i) => self.entity_at(i).object,
            Held::AutNum(i) => self.autnum_at(i).object.view(),
        }
    }

    /// The handle an object gives for `org` or `abuse-c`
    /// ([`crate::inverse::handle_of`]).
    pub fn held_handle(&self, held: crate::inverse::Held, attr: &str) -> Option<crate::model::Sym> {
        match self.ov.as_deref().and_then(|o| o.local(held)) {
            Some((o, local)) => crate::inverse::handle_of(&o.reg, local, attr),
            None => crate::inverse::handle_of(&self.reg, held, attr),
        }
    }

    /// Delegated statistics files' headers.
    pub fn delegated_headers(&self) -> &[crate::delegated::Header] {
        &self.reg.delegated_headers
    }

    /// A network by id.
    #[inline(always)]
    pub fn net(&self, id: NetId) -> NetRef<'_> {
        match self.ov.as_deref() {
            Some(o) if id >= o.nets_base => o.reg.networks.get((id - o.nets_base) as usize),
            _ => self.reg.networks.get(id as usize),
        }
    }

    /// Networks that partly overlap another network (neither contains the other).
    pub fn overlapping(&self) -> usize {
        self.ix.v4.irregular_count() + self.ix.v6.irregular_count()
    }

    /// Number of networks.
    pub fn networks(&self) -> usize {
        let own = self.ov.as_deref().map_or(0, |o| {
            o.reg.networks.len() as isize - o.hidden_nets.len() as isize
        });
        self.reg.networks.len().saturating_add_signed(own)
    }

    fn family_of(&self, family: Family) -> u32 {
        match family {
            Family::V4 => 0,
            Family::V6 => self.ix.n4,
        }
    }

    /// The most specific network containing an address.
    #[inline]
    pub fn lookup_addr(&self, addr: IpAddr) -> Option<NetId> {
        let base = match addr {
            IpAddr::V4(a) => self.ix.v4.lookup(u32::from(a)),
            IpAddr::V6(a) => self.ix.v6.lookup(u128::from(a)).map(|i| i + self.ix.n4),
        };
        match self.ov.as_deref() {
            Some(o) => o.lookup_addr(self, base, addr),
            None => base,
        }
    }

    /// Every network containing the whole range, most specific first.
    pub fn covering(&self, r: &IpRange) -> Vec<NetId> {
        let off = self.family_of(r.family);
        let v = match r.family {
            Family::V4 => self.ix.v4.covering(r.start as u32, r.end as u32),
            Family::V6 => self.ix.v6.covering(r.start, r.end),
        };
        let v = v.into_iter().map(|i| i + off).collect();
        match self.ov.as_deref() {
            Some(o) => o.covering(self, v, r),
            None => v,
        }
    }

    /// Networks exactly equal to the range.
    pub fn exact(&self, r: &IpRange) -> Vec<NetId> {
        let off = self.family_of(r.family);
        let v = match r.family {
            Family::V4 => self.ix.v4.exact(r.start as u32, r.end as u32),
            Family::V6 => self.ix.v6.exact(r.start, r.end),
        };
        let v = v.into_iter().map(|i| i + off).collect();
        match self.ov.as_deref() {
            Some(o) => o.exact(v, r),
            None => v,
        }
    }

    /// Networks inside the range (one level or all levels).
    pub fn more_specific(&self, r: &IpRange, one_level: bool) -> Vec<NetId> {
        // over an overlay that changes something inside the range, one
        // level is cut from the merged levels
        let ov = self.ov.as_deref().filter(|o| o.touches(self, r));
        let (one_level, merged_level) = match ov.is_some() {
            true => (false, one_level),
            false => (one_level, false),
        };
        let off = self.family_of(r.family);
        let v = match r.family {
            Family::V4 => self
                .ix
                .v4
                .more_specific(r.start as u32, r.end as u32, one_level),
            Family::V6 => self.ix.v6.more_specific(r.start, r.end, one_level),
        };
        let v = v.into_iter().map(|i| i + off).collect();
        match ov {
            Some(o) => o.more_specific(self, v, r, merged_level),
            None => v,
        }
    }

    /// The parent of a network: the most specific other network containing it.
    pub fn parent(&self, id: NetId) -> Option<NetId> {
        if self.ov.is_some() {
            // the next less specific of the merged covering list
            let all = self.covering(&self.net(id).range);
            let at = all.iter().position(|&x| x == id)?;
            return all.get(at + 1).copied();
        }
        if id < self.ix.n4 {
            self.ix.v4.parent(id)
        } else {
            self.ix.v6.parent(id - self.ix.n4).map(|p| p + self.ix.n4)
        }
    }

    /// The most specific delegated record covering a range (its position
    /// in `reg.delegations`).
    pub fn delegation(&self, r: &IpRange) -> Option<u32> {
        match r.family {
            Family::V4 => self
                .ix
                .d4
                .index
                .most_specific(r.start as u32, r.end as u32)
                .map(|i| self.ix.d4.records[i as usize]),
            Family::V6 => self
                .ix
                .d6
                .index
                .most_specific(r.start, r.end)
                .map(|i| self.ix.d6.records[i as usize]),
        }
    }

    /// The most specific delegated record covering an AS number.
    pub fn delegation_asn(&self, asn: u32) -> Option<u32> {
        self.ix
            .dasn
            .index
            .lookup(asn)
            .map(|i| self.ix.dasn.records[i as usize])
    }

    /// True when both snapshots share one registry part (a lease-only
    /// reload's successor and its source).
    pub fn shares_registry_with(&self, other: &Snapshot) -> bool {
        Arc::ptr_eq(&self.reg, &other.reg)
    }

    /// The address blocks of every delegated-statistics record loaded.
    pub fn delegated_blocks(&self) -> Vec<IpRange> {
        self.reg
            .delegations
            .iter()
            .filter_map(|d| match &d.record.resource {
                crate::delegated::Resource::Ip(r) => Some(*r),
                crate::delegated::Resource::Asn(..) => None,
            })
            .collect()
    }

    /// A delegated record by position.
    pub fn deleg(&self, pos: u32) -> Option<&crate::dump::Delegation> {
        self.reg.delegations.get(pos as usize)
    }

    /// The aut-num and as-blocks containing an AS number, most specific first.
    pub fn autnums(&self, first: u32, last: u32) -> Vec<u32> {
        let v = self.ix.asn.covering(first, last);
        match self.ov.as_deref() {
            Some(o) => o.autnums(self, v, first, last),
            None => v,
        }
    }

    /// The entity with a handle (case-insensitive).
    pub fn entity(&self, handle: &str) -> Option<EntityRef<'_>> {
        self.entity_index(handle).map(|i| self.entity_at(i))
    }

    /// The position in `reg.entities` of the entity with a handle.
    pub fn entity_index(&self, handle: &str) -> Option<u32> {
        self.entity_of_sym(self.sym(handle)?)
    }

    /// The entity of an interned handle.
    #[inline]
    pub fn entity_sym(&self, sym: u32) -> Option<EntityRef<'_>> {
        self.entity_of_sym(sym).map(|i| self.entity_at(i))
    }

    /// A reverse domain by name (case-insensitive, trailing dot optional).
    pub fn domain(&self, name: &str) -> Option<u32> {
        let n = name.trim_end_matches('.').to_ascii_lowercase();
        if let Some(&decided) = self.ov.as_deref().and_then(|o| o.domains.get(n.as_str())) {
            return decided;
        }
        self.ix.domains.get(n.as_str()).copied()
    }

    /// Where an object was read: `file:line`, or, for an NRTM delta
    /// served over its mirror file, the mirror's journal.
    pub fn origin(&self, file: u16, line: u32) -> String {
        let path = self.file(file);
        if line == 0 && self.ov.is_some() && self.reg.mirrors.iter().any(|(f, _)| *f == file) {
            return format!("{} (NRTM delta)", crate::nrtm::journal_path(path).display());
        }
        format!("{}:{line}", path.display())
    }

    /// The path of a file id.
    pub fn file(&self, id: u16) -> &std::path::Path {
        self.reg
            .files
            .get(id as usize)
            .map(|p| p.as_path())
            .unwrap_or(std::path::Path::new("?"))
    }
}

fn empty_index<K: crate::index::Key>() -> RangeIndex<K> {
    match RangeIndex::build(&[], LpmBackend::Sorted) {
        Some(i) => i,
        None => unreachable!("an empty input is always sorted"),
    }
}

fn deleg_indexes(
    reg: &Registry,
    backend: LpmBackend,
) -> (DelegIndex<u32>, DelegIndex<u128>, DelegIndex<u32>) {
    let mut v4: Vec<(u32, u32, u32)> = Vec::new();
    let mut v6: Vec<(u128, u128, u32)> = Vec::new();
    let mut asn: Vec<(u32, u32, u32)> = Vec::new();
    for (i, d) in reg.delegations.iter().enumerate() {
        let i = i as u32;
        match &d.record.resource {
            Resource::Ip(r) if r.family == Family::V4 => v4.push((r.start as u32, r.end as u32, i)),
            Resource::Ip(r) => v6.push((r.start, r.end, i)),
            Resource::Asn(a, b) => asn.push((*a, *b, i)),
        }
    }
    fn mk<K: crate::index::Key>(mut v: Vec<(K, K, u32)>, backend: LpmBackend) -> DelegIndex<K> {
        v.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let ranges: Vec<(K, K)> = v.iter().map(|x| (x.0, x.1)).collect();
        DelegIndex {
            index: RangeIndex::build(&ranges, backend).unwrap_or_else(empty_index),
            records: v.into_iter().map(|x| x.2).collect(),
        }
    }
    (
        mk(v4, backend),
        mk(v6, backend),
        mk(asn, LpmBackend::Sorted),
    )
}

/// Examples of overlapping leases kept in the report.
const OVERLAP_EXAMPLES: usize = 5;

/// Counts pairs of leases of one source whose ranges and terms overlap
/// (leases sorted by range start within each family).
fn overlaps_within_sources(
    leases: &[crate::leases::Lease],
    sources: &[crate::dump::LoadedLeaseSource],
    report: &mut LeaseReport,
) {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    // A sweep in address order (the leases are sorted by family, start):
    // the leases whose range may still reach the next one are "open",
    // dropped by a heap on their range end; per source, two Fenwick trees
    // over that source's times count the open leases starting before a
    // term ends and those ending before it starts: overlapping terms are
    // the difference. O(n log n), whatever the leases' shapes (a long
    // history of one block no longer compares every pair).
    let end_of = |l: &crate::leases::Lease| l.end.unwrap_or(i64::MAX);
    let n_src = leases
        .iter()
        .map(|l| l.source as usize + 1)
        .max()
        .unwrap_or(0);
    let mut times: Vec<Vec<i64>> = vec![Vec::new(); n_src];
    for l in leases {
        times[l.source as usize].extend([l.start, end_of(l)]);
    }
    for t in &mut times {
        t.sort_unstable();
        t.dedup();
    }
    let mut starts: Vec<Fenwick> = times.iter().map(|t| Fenwick::new(t.len())).collect();
    let mut ends: Vec<Fenwick> = times.iter().map(|t| Fenwick::new(t.len())).collect();
    let pos = |src: usize, t: i64| times[src].partition_point(|&x| x < t);
    let mut open: BinaryHeap<Reverse<(u128, usize)>> = BinaryHeap::new();
    let mut family = None;
    for (i, l) in leases.iter().enumerate() {
        let src = l.source as usize;
        // leases whose range ends before this one starts (or of the other
        // family) can overlap no later one
        while let Some(&Reverse((end, j))) = open.peek() {
            if family == Some(l.range.family) && end >= l.range.start {
                break;
            }
            open.pop();
            let o = &leases[j];
            let os = o.source as usize;
            starts[os].add(pos(os, o.start), -1);
            ends[os].add(pos(os, end_of(o)), -1);
        }
        family = Some(l.range.family);
        let (s, e) = (l.start, end_of(l));
        // open leases of this source with start < e, minus those with end <= s
        let before_end = starts[src].sum(pos(src, e));
        let ended = ends[src].sum(times[src].partition_point(|&x| x <= s));
        let n = (before_end - ended).max(0) as u64;
        report.overlaps += n;
        if n > 0 && report.overlap_examples.len() < OVERLAP_EXAMPLES {
            // examples: the earlier leases it overlaps (a scan, done for
            // at most as many leases as there are examples)
            for o in leases[..i].iter().filter(|o| {
                o.source == l.source
                    && o.range.family == l.range.family
                    && o.range.end >= l.range.start
                    && o.terms_overlap(l)
            }) {
                if report.overlap_examples.len() >= OVERLAP_EXAMPLES {
                    break;
                }
                let name = sources.get(src).map(|x| x.name.as_str()).unwrap_or("");
                report.overlap_examples.push(format!(
                    "{name}: lease '{}' (line {}) overlaps '{}' (line {})",
                    o.id(),
                    o.line,
                    l.id(),
                    l.line
                ));
            }
        }
        starts[src].add(pos(src, s), 1);
        ends[src].add(pos(src, e), 1);
        open.push(Reverse((l.range.end, i)));
    }
}

/// A Fenwick (binary indexed) tree of counts.
struct Fenwick(Vec<i64>);

impl Fenwick {
    fn new(n: usize) -> Self {
        Fenwick(vec![0; n + 1])
    }

    /// Adds `d` at position `i` (0-based).
    fn add(&mut self, i: usize, d: i64) {
        let mut k = i + 1;
        while k < self.0.len() {
            self.0[k] += d;
            k += k & k.wrapping_neg();
        }
    }

    /// The sum of positions `0..i`.
    fn sum(&self, i: usize) -> i64 {
        let mut k = i.min(self.0.len() - 1);
        let mut total = 0;
        while k > 0 {
            total += self.0[k];
            k -= k & k.wrapping_neg();
        }
        total
    }
}

/// The hash of a lease source and a case-insensitive text of one of its leases.
fn lease_key(source: u16, text: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = crate::model::FxHasher::default();
    h.write(&source.to_le_bytes());
    for b in text.bytes() {
        h.write_u8(b.to_ascii_uppercase());
    }
    h.finish()
}

fn netname_hash(name: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = crate::model::FxHasher::default();
    for b in name.bytes() {
        h.write_u8(b.to_ascii_uppercase());
    }
    h.finish()
}

/// The sample RIPE dump (`data/test-ripe.db`) as a snapshot: the data of
/// the unit tests that need one to answer from.
#[cfg(test)]
pub(crate) fn test_ripe() -> Snapshot {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let sources = crate::dump::Sources {
        dumps: vec![dir.join("test-ripe.db")],
        ..Default::default()
    };
    let (reg, report) = crate::dump::load(&sources, &crate::progress::Progress::off()).unwrap();
    Snapshot::build(
        reg,
        report,
        1,
        Default::default(),
        crate::query::lease_policy(false),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sweep counts what comparing every pair counts.
    #[test]
    fn lease_overlaps_match_every_pair_compared() {
        let mut rng = crate::gen::Rng::new(7);
        let mut lines = String::new();
        for i in 0..400 {
            let base = rng.below(4) * 64;
            let len = 26 + rng.below(3) as u32;
            let start = 1_600_000_000 + rng.below(40) as i64 * 86_400;
            let end = start + (1 + rng.below(20) as i64) * 86_400;
            let end = if rng.pct(10) {
                String::new()
            } else {
                format!(", \"end\": \"{}\"", crate::time::format(end))
            };
            lines.push_str(&format!(
                "{{\"lease\": \"L{i}\", \"prefix\": \"192.0.2.{}/{len}\", \"lessor\": \"O\", \"lessee\": {{\"handle\": \"H\", \"name\": \"N\"}}, \"start\": \"{}\"{end}}}\n",
                base / (1 << (len - 26)) * (1 << (len - 26)) % 256,
                crate::time::format(start)
            ));
        }
        let mut leases = crate::leases::parse(lines.as_bytes()).unwrap().leases;
        for (i, l) in leases.iter_mut().enumerate() {
            l.source = (i % 2) as u16;
        }
        leases.sort_by(|x, y| {
            x.range
                .family
                .cmp(&y.range.family)
                .then(x.range.start.cmp(&y.range.start))
                .then(y.range.end.cmp(&x.range.end))
        });
        let mut brute = 0u64;
        for (i, a) in leases.iter().enumerate() {
            for b in &leases[..i] {
                let ranges = a.range.family == b.range.family
                    && a.range.start <= b.range.end
                    && b.range.start <= a.range.end;
                if a.source == b.source && ranges && a.terms_overlap(b) {
                    brute += 1;
                }
            }
        }
        let mut report = LeaseReport::default();
        overlaps_within_sources(&leases, &[], &mut report);
        assert!(brute > 100, "the case has overlaps: {brute}");
        assert_eq!(report.overlaps, brute);
        assert_eq!(report.overlap_examples.len(), OVERLAP_EXAMPLES);
    }
}
