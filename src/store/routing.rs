//! The routing part of a snapshot: announced prefixes with their origins
//! (longest-prefix match, as a router picks a route) and the validated ROA
//! payloads that RPKI route origin validation (RFC 6811) reads.
//!
//! Immutable once built, shared by `Arc`: a registry or lease reload keeps
//! it, a routing-only reload replaces it alone.

use crate::addr::{Family, IpRange};
pub use crate::bgp::RoutingFile;
use crate::bgp::{origins, Origin, Pfx2As, Vrps};
use crate::index::{Key, LpmBackend, RangeIndex};
use crate::time::Timestamp;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// RFC 6811's route origin validation state of one origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rpki {
    /// A VRP covers the prefix, names the origin, allows the length.
    Valid,
    /// VRPs cover the prefix but none names the origin (or the origin is an
    /// AS set, origin NONE).
    InvalidAs,
    /// A VRP names the origin but the route is longer than its maxLength.
    InvalidLength,
    /// No VRP covers the prefix.
    NotFound,
}

impl Rpki {
    /// The state's name in answers (`valid`, `invalid`, `not-found`).
    pub fn name(self) -> &'static str {
        match self {
            Rpki::Valid => "valid",
            Rpki::InvalidAs | Rpki::InvalidLength => "invalid",
            Rpki::NotFound => "not-found",
        }
    }

    /// Why it is invalid, when it is.
    pub fn reason(self) -> Option<&'static str> {
        match self {
            Rpki::InvalidAs => Some("no VRP for this origin AS"),
            Rpki::InvalidLength => Some("longer than the VRP's maxLength"),
            _ => None,
        }
    }
}

/// One VRP as answers show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VrpView<'a> {
    pub prefix: IpRange,
    pub max_len: u8,
    pub asn: u32,
    pub ta: &'a str,
}

#[derive(Clone, Copy)]
struct VrpEntry {
    asn: u32,
    max_len: u8,
    ta: u8,
}

/// One family's routes: the index over the prefixes and where each one's
/// origins are.
struct Routes<K: Key> {
    index: RangeIndex<K>,
    /// Per prefix: offset and length of its words in `Routing::origins`.
    words: Vec<(u32, u16)>,
    lens: Vec<u8>,
}

/// One family's VRPs: the index over their distinct prefixes, and each
/// prefix's VRPs as `first[i]..first[i + 1]` of `Routing::vrps`.
struct Roas<K: Key> {
    index: RangeIndex<K>,
    first: Vec<u32>,
    lens: Vec<u8>,
}

/// A routing generation.
pub struct Routing {
    pub files: Vec<RoutingFile>,
    r4: Routes<u32>,
    r6: Routes<u128>,
    origins: Vec<u32>,
    v4: Roas<u32>,
    v6: Roas<u128>,
    vrps: Vec<VrpEntry>,
    tas: Vec<Box<str>>,
    has_vrps: bool,
    /// Directories with no file current at the time this generation is
    /// about (answers for past times).
    pub uncovered: Vec<std::path::PathBuf>,
    /// The dated files of the configured directories, for answers about
    /// earlier times (`None`: no directory configured).
    history: Option<History>,
    /// A stand-in while the generation of a past time loads (serving).
    pub loading: bool,
}

/// The most specific announced prefix covering a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteHit {
    pub prefix: IpRange,
    id: u32,
}

fn empty<K: Key>() -> RangeIndex<K> {
    match RangeIndex::build(&[], LpmBackend::Sorted) {
        Some(i) => i,
        None => unreachable!("an empty input is always sorted"),
    }
}

fn key<K: Key>(v: u128) -> K {
    K::from_u128(v)
}

impl Routing {
    /// Indexes the routing files as loaded.
    pub fn from_loaded(loaded: crate::dump::LoadedRouting) -> Routing {
        let sources = loaded.sources;
        let mut r = Routing::build(loaded.tables, loaded.vrps, loaded.files);
        r.uncovered = loaded.uncovered;
        if sources.dated() {
            r.history = Some(History::new(sources, &r.files));
        }
        r
    }

    /// No routing data (nothing configured).
    pub fn empty() -> Routing {
        Routing::build(Vec::new(), Vec::new(), Vec::new())
    }

    /// Indexes parsed tables and VRP sets (several files of each merge:
    /// an IPv4 and an IPv6 table, the VRPs of several relying parties).
    pub fn build(tables: Vec<Pfx2As>, vrp_sets: Vec<Vrps>, files: Vec<RoutingFile>) -> Routing {
        let has_vrps = !vrp_sets.is_empty();
        // routes per family: (start, length, table, route), sorted by start
        // and widest first (the keys are small: the sort is most of the
        // build)
        let mut k4: Vec<(u32, u8, u32, u32)> = Vec::new();
        let mut k6: Vec<(u128, u8, u32, u32)> = Vec::new();
        for (t, table) in tables.iter().enumerate() {
            for (i, r) in table.routes.iter().enumerate() {
                match r.family {
                    Family::V4 => k4.push((r.start as u32, r.len, t as u32, i as u32)),
                    Family::V6 => k6.push((r.start, r.len, t as u32, i as u32)),
                }
            }
        }
        let mut origins_out: Vec<u32> = Vec::new();
        let r4 = build_routes(k4, Family::V4, &tables, &mut origins_out);
        let r6 = build_routes(k6, Family::V6, &tables, &mut origins_out);
        drop(tables);

        let mut tas: Vec<Box<str>> = Vec::new();
        let mut k4: Vec<(u32, u8, u32, u8, u8)> = Vec::new();
        let mut k6: Vec<(u128, u8, u32, u8, u8)> = Vec::new();
        for set in &vrp_sets {
            // trust anchors renumbered into one list
            let map: Vec<u8> = set
                .tas
                .iter()
                .map(|name| match tas.iter().position(|t| t == name) {
                    Some(i) => i as u8,
                    None => {
                        if tas.len() < 255 {
                            tas.push(name.clone());
                        }
                        (tas.len() - 1) as u8
                    }
                })
                .collect();
            for v in &set.vrps {
                let ta = map.get(v.ta as usize).copied().unwrap_or(0);
                match v.family {
                    Family::V4 => k4.push((v.start as u32, v.len, v.asn, v.max_len, ta)),
                    Family::V6 => k6.push((v.start, v.len, v.asn, v.max_len, ta)),
                }
            }
        }
        drop(vrp_sets);
        // IPv4's VRPs first in the shared list, then IPv6's
        let mut vrps = Vec::with_capacity(k4.len() + k6.len());
        let v4 = build_roas(k4, Family::V4, &mut vrps);
        let v6 = build_roas(k6, Family::V6, &mut vrps);
        Routing {
            files,
            r4,
            r6,
            origins: origins_out,
            v4,
            v6,
            vrps,
            tas,
            has_vrps,
            uncovered: Vec::new(),
            history: None,
            loading: false,
        }
    }

    /// Announced prefixes.
    pub fn routes(&self) -> usize {
        self.r4.index.len() + self.r6.index.len()
    }

    /// Validated ROA payloads.
    pub fn vrp_count(&self) -> usize {
        self.vrps.len()
    }

    /// True when a VRP file is loaded (RPKI states can be told).
    pub fn has_vrps(&self) -> bool {
        self.has_vrps
    }

    /// True when a prefix-to-origin table is loaded.
    pub fn has_routes(&self) -> bool {
        self.files.iter().any(|f| f.kind == "pfx2as")
    }

    /// True when answers carry routing evidence: routes or VRPs loaded, a
    /// directory with no file current for the time asked, or a generation
    /// still loading.
    pub fn in_use(&self) -> bool {
        self.has_routes() || self.has_vrps() || !self.uncovered.is_empty() || self.loading
    }

    /// When the routing data was current: the oldest of its
    /// prefix-to-origin tables' times (else its VRP files').
    pub fn as_of(&self) -> Option<Timestamp> {
        let of = |kind: &str| {
            self.files
                .iter()
                .filter(|f| f.kind == kind)
                .filter_map(|f| f.as_of)
                .min()
        };
        of("pfx2as").or_else(|| of("vrps"))
    }

    /// The most specific announced prefix containing the whole of `r`.
    pub fn route(&self, r: &IpRange) -> Option<RouteHit> {
        let (id, (s, e), len) = match r.family {
            Family::V4 => {
                let id = self.r4.index.most_specific(r.start as u32, r.end as u32)?;
                let (s, e) = self.r4.index.range(id);
                (id, (s as u128, e as u128), self.r4.lens[id as usize])
            }
            Family::V6 => {
                let id = self.r6.index.most_specific(r.start, r.end)?;
                (id, self.r6.index.range(id), self.r6.lens[id as usize])
            }
        };
        debug_assert_eq!(IpRange::from_prefix(r.family, s, len as u32).end, e);
        Some(RouteHit {
            prefix: IpRange::new(r.family, s, e),
            id,
        })
    }

    /// A route's origins.
    pub fn origins(&self, hit: &RouteHit) -> impl Iterator<Item = Origin<'_>> {
        let (off, n) = match hit.prefix.family {
            Family::V4 => self.r4.words[hit.id as usize],
            Family::V6 => self.r6.words[hit.id as usize],
        };
        origins(&self.origins[off as usize..][..n as usize])
    }

    /// Announced prefixes inside `outer` (not `outer` itself), in address
    /// order, at most `max`.
    pub fn announced_within(&self, outer: &IpRange, max: usize) -> Vec<RouteHit> {
        let hits = |ids: Vec<u32>, range: &dyn Fn(u32) -> (u128, u128)| {
            ids.into_iter()
                .take(max)
                .map(|id| {
                    let (s, e) = range(id);
                    RouteHit {
                        prefix: IpRange::new(outer.family, s, e),
                        id,
                    }
                })
                .collect()
        };
        match outer.family {
            Family::V4 => {
                let ids = self
                    .r4
                    .index
                    .more_specific(outer.start as u32, outer.end as u32, false);
                hits(ids, &|id| {
                    let (s, e) = self.r4.index.range(id);
                    (s as u128, e as u128)
                })
            }
            Family::V6 => {
                let ids = self.r6.index.more_specific(outer.start, outer.end, false);
                hits(ids, &|id| self.r6.index.range(id))
            }
        }
    }

    /// The VRPs covering `prefix` (RFC 6811's "covering" set), most
    /// specific prefix first, at most `max`.
    pub fn covering_vrps(&self, prefix: &IpRange, max: usize) -> Vec<VrpView<'_>> {
        let mut out = Vec::new();
        for (range, entries) in self.covering_prefixes(prefix) {
            for v in entries {
                if out.len() >= max {
                    return out;
                }
                out.push(VrpView {
                    prefix: range,
                    max_len: v.max_len,
                    asn: v.asn,
                    ta: self.tas.get(v.ta as usize).map(|t| &**t).unwrap_or(""),
                });
            }
        }
        out
    }

    /// The VRP prefixes covering `prefix`, most specific first, each with
    /// its VRPs (sorted by AS number, then maxLength).
    fn covering_prefixes(&self, prefix: &IpRange) -> Vec<(IpRange, &[VrpEntry])> {
        let (ids, first, lens): (Vec<u32>, &[u32], &[u8]) = match prefix.family {
            Family::V4 => (
                self.v4
                    .index
                    .covering(prefix.start as u32, prefix.end as u32),
                &self.v4.first,
                &self.v4.lens,
            ),
            Family::V6 => (
                self.v6.index.covering(prefix.start, prefix.end),
                &self.v6.first,
                &self.v6.lens,
            ),
        };
        ids.into_iter()
            .map(|id| {
                let i = id as usize;
                let range = IpRange::from_prefix(prefix.family, prefix.start, lens[i] as u32);
                (range, &self.vrps[first[i] as usize..first[i + 1] as usize])
            })
            .collect()
    }

    /// RFC 6811 section 2: the validation state of a route for `prefix`
    /// from `origin`; `None` when no VRP file is loaded. An AS set is
    /// origin NONE (matches no VRP); so is AS 0 (RFC 6483 section 4).
    /// A prefix's VRPs are sorted by AS: the origin's are found by binary
    /// search, so a file with very many VRPs on one prefix costs little.
    pub fn rpki(&self, prefix: &IpRange, origin: Origin<'_>) -> Option<Rpki> {
        if !self.has_vrps {
            return None;
        }
        let len = prefix.prefix_len().unwrap_or(prefix.family.bits()) as u8;
        let asn = match origin {
            Origin::As(a) if a != 0 => Some(a),
            _ => None,
        };
        let (mut covered, mut valid, mut same_as) = (false, false, false);
        for (_, entries) in self.covering_prefixes(prefix) {
            covered |= !entries.is_empty();
            let Some(a) = asn else { continue };
            let lo = entries.partition_point(|v| v.asn < a);
            let hi = entries.partition_point(|v| v.asn <= a);
            if lo < hi {
                same_as = true;
                // the largest maxLength of this AS on this prefix is last
                valid |= len <= entries[hi - 1].max_len;
            }
        }
        Some(match (covered, valid, same_as) {
            (false, _, _) => Rpki::NotFound,
            (true, true, _) => Rpki::Valid,
            (true, false, true) => Rpki::InvalidLength,
            (true, false, false) => Rpki::InvalidAs,
        })
    }
}

/// Adds `words`' origins after `off` unless already there (a prefix listed
/// twice with the same origin names it once).
fn push_new_origins(out: &mut Vec<u32>, off: usize, words: &[u32]) {
    let mut rest = words;
    while let Some((&head, tail)) = rest.split_first() {
        let n = ((head & !crate::bgp::SET) as usize).min(tail.len());
        let entry = &rest[..=n];
        rest = &tail[n..];
        let mut seen = false;
        let mut at = off;
        while at < out.len() {
            let m = ((out[at] & !crate::bgp::SET) as usize).min(out.len() - at - 1);
            if &out[at..=at + m] == entry {
                seen = true;
                break;
            }
            at += m + 1;
        }
        if !seen && out.len() - off + entry.len() <= u16::MAX as usize {
            out.extend_from_slice(entry);
        }
    }
}

/// Lines of one prefix whose origins are merged, at most (real tables
/// list a prefix once per file).
const MAX_MERGED: usize = 64;

/// One family's routes indexed; equal prefixes (one per table, or
/// repeated) merge their origins into `origins_out`.
fn build_routes<K: Key>(
    mut keys: Vec<(K, u8, u32, u32)>,
    family: Family,
    tables: &[Pfx2As],
    origins_out: &mut Vec<u32>,
) -> Routes<K> {
    keys.sort_unstable();
    let mut ranges: Vec<(K, K)> = Vec::with_capacity(keys.len());
    let mut words = Vec::with_capacity(keys.len());
    let mut lens = Vec::with_capacity(keys.len());
    let mut k = 0;
    while k < keys.len() {
        let (start, len, _, _) = keys[k];
        let off = origins_out.len();
        let mut merged = 0;
        while k < keys.len() && (keys[k].0, keys[k].1) == (start, len) {
            // a prefix listed over and over (a hostile or broken file)
            // merges its first lines only: each merge scans what is there
            if merged < MAX_MERGED {
                let (_, _, t, i) = keys[k];
                let table = &tables[t as usize];
                let r = table.routes[i as usize];
                let w = &table.origins[r.off as usize..][..r.words as usize];
                push_new_origins(origins_out, off, w);
                merged += 1;
            }
            k += 1;
        }
        let n = (origins_out.len() - off).min(u16::MAX as usize);
        let range = IpRange::from_prefix(family, start.to_u128(), len as u32);
        ranges.push((start, key(range.end)));
        words.push((off as u32, n as u16));
        lens.push(len);
    }
    drop(keys);
    // sorted by start, then length (widest first): always accepted
    let index = RangeIndex::build(&ranges, LpmBackend::Sorted).unwrap_or_else(empty);
    Routes { index, words, lens }
}

/// One family's VRPs indexed by distinct prefix, appended to `vrps`
/// (duplicates from several relying parties kept once).
fn build_roas<K: Key>(
    mut keys: Vec<(K, u8, u32, u8, u8)>,
    family: Family,
    vrps: &mut Vec<VrpEntry>,
) -> Roas<K> {
    keys.sort_unstable();
    keys.dedup_by(|a, b| (a.0, a.1, a.2, a.3) == (b.0, b.1, b.2, b.3));
    let mut ranges: Vec<(K, K)> = Vec::new();
    let mut first = Vec::new();
    let mut lens = Vec::new();
    for (i, &(start, len, asn, max_len, ta)) in keys.iter().enumerate() {
        if i == 0 || (keys[i - 1].0, keys[i - 1].1) != (start, len) {
            let range = IpRange::from_prefix(family, start.to_u128(), len as u32);
            ranges.push((start, key(range.end)));
            first.push(vrps.len() as u32);
            lens.push(len);
        }
        vrps.push(VrpEntry { asn, max_len, ta });
    }
    // the last prefix's VRPs end where this family's do
    first.push(vrps.len() as u32);
    let index = RangeIndex::build(&ranges, LpmBackend::Sorted).unwrap_or_else(empty);
    Roas { index, first, lens }
}

/// Routing generations of earlier times, read on demand from the dated
/// files of the configured directories and kept in a small cache.
struct History {
    /// Per configured source: its kind and either one plain file with its
    /// time, or a directory's dated files in time order.
    sources: Vec<DatedSource>,
    /// Times at or after this one are answered from the current
    /// generation (every source's newest file is current by then).
    current_from: Timestamp,
    cache: Arc<PastCache>,
    /// One past generation loads at a time.
    loading: Mutex<()>,
    /// A load runs in the background (serving).
    busy: Arc<AtomicBool>,
}

/// When set (`tenure serve`), a past generation not cached is loaded on a
/// thread of its own and the answers asked meanwhile say it is loading:
/// no request waits for a file to be read. Unset (`tenure lookup`), the
/// query waits for it.
static BACKGROUND: AtomicBool = AtomicBool::new(false);

/// Makes past routing generations load in the background: no request
/// waits while their files are read (`tenure serve`).
pub fn load_past_in_background(on: bool) {
    BACKGROUND.store(on, Ordering::Relaxed);
}

/// One configured routing source: its kind (`pfx2as`, `vrps`) and its
/// files with their times, oldest first (a plain file is one), and whether
/// it is a directory.
struct DatedSource {
    kind: &'static str,
    files: Vec<(Timestamp, PathBuf)>,
    dir: bool,
}

/// Past generations by the files they were read from, the most recently
/// used last.
type PastCache = Mutex<Vec<(Vec<PathBuf>, Arc<Routing>)>>;

/// Past generations kept.
const HISTORY_CACHE: usize = 4;

impl History {
    fn new(sources: crate::dump::RoutingSources, current: &[RoutingFile]) -> History {
        let listed = |p: &PathBuf, kind: &'static str| {
            if p.is_dir() {
                // unreadable now (it was read at load): no past files
                let files = crate::dump::dated_files(p).unwrap_or_default();
                DatedSource {
                    kind,
                    files,
                    dir: true,
                }
            } else {
                let t = current
                    .iter()
                    .find(|f| &f.path == p)
                    .and_then(|f| f.as_of)
                    .unwrap_or(Timestamp::MIN);
                DatedSource {
                    kind,
                    files: vec![(t, p.clone())],
                    dir: false,
                }
            }
        };
        let sources: Vec<_> = sources
            .pfx2as
            .iter()
            .map(|p| listed(p, "pfx2as"))
            .chain(sources.vrps.iter().map(|p| listed(p, "vrps")))
            .collect();
        let current_from = sources
            .iter()
            .filter(|s| s.dir)
            .filter_map(|s| s.files.last().map(|f| f.0))
            .max()
            .unwrap_or(Timestamp::MIN);
        History {
            sources,
            current_from,
            cache: Arc::new(Mutex::new(Vec::new())),
            loading: Mutex::new(()),
            busy: Arc::new(AtomicBool::new(false)),
        }
    }

    /// The generation current at `at`, loaded when not cached.
    fn at(&self, at: Timestamp) -> Arc<Routing> {
        let mut chosen = crate::dump::RoutingSources::default();
        let mut key = Vec::new();
        let mut uncovered = Vec::new();
        for DatedSource { kind, files, .. } in &self.sources {
            let pos = files.partition_point(|f| f.0 <= at);
            match pos.checked_sub(1).map(|i| &files[i].1) {
                Some(p) => {
                    key.push(p.clone());
                    match *kind {
                        "pfx2as" => chosen.pfx2as.push(p.clone()),
                        _ => chosen.vrps.push(p.clone()),
                    }
                }
                // the source's earliest file names it in the answer
                None => uncovered.push(files.first().map(|f| f.1.clone()).unwrap_or_default()),
            }
        }
        let cache = Arc::clone(&self.cache);
        if let Some(r) = cached(&cache, &key) {
            return r;
        }
        let load = move || {
            let mut r = match crate::dump::load_routing_files(&chosen, Some(at)) {
                Ok(loaded) => Routing::build(loaded.tables, loaded.vrps, loaded.files),
                Err(e) => {
                    tracing::error!("routing files of {}: {e}", crate::time::format(at));
                    let mut r = Routing::empty();
                    r.uncovered = key.clone();
                    r
                }
            };
            r.uncovered.extend(uncovered);
            let r = Arc::new(r);
            let mut c = cache.lock().unwrap_or_else(|e| e.into_inner());
            if c.len() >= HISTORY_CACHE {
                c.remove(0);
            }
            c.push((key, Arc::clone(&r)));
            r
        };
        if !BACKGROUND.load(Ordering::Relaxed) {
            let _one = self.loading.lock().unwrap_or_else(|e| e.into_inner());
            return load();
        }
        // serving: one load at a time, on its own thread; meanwhile the
        // answer says the data of that time is loading
        if self
            .busy
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            let busy = Arc::clone(&self.busy);
            let spawned = std::thread::Builder::new()
                .name("routing-past".into())
                .spawn(move || {
                    let _ = load();
                    busy.store(false, Ordering::Release);
                });
            if spawned.is_err() {
                self.busy.store(false, Ordering::Release);
            }
        }
        let mut r = Routing::empty();
        r.loading = true;
        Arc::new(r)
    }
}

/// A cached past generation, moved to the most recently used end.
fn cached(
    cache: &Mutex<Vec<(Vec<PathBuf>, Arc<Routing>)>>,
    key: &[PathBuf],
) -> Option<Arc<Routing>> {
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    let i = cache.iter().position(|(k, _)| k == key)?;
    let hit = cache.remove(i);
    let r = Arc::clone(&hit.1);
    cache.push(hit);
    Some(r)
}

impl Routing {
    /// The generation current at `at`: this one, unless `at` is before
    /// its dated files and an earlier file covers it.
    pub fn at(&self, at: Timestamp) -> RoutingAt<'_> {
        match &self.history {
            Some(h) if at < h.current_from => RoutingAt::Past(h.at(at)),
            _ => RoutingAt::Current(self),
        }
    }
}

/// The routing part an answer reads: the snapshot's, or one loaded for a
/// past time.
pub enum RoutingAt<'a> {
    Current(&'a Routing),
    Past(std::sync::Arc<Routing>),
}

impl std::ops::Deref for RoutingAt<'_> {
    type Target = Routing;
    fn deref(&self) -> &Routing {
        match self {
            RoutingAt::Current(r) => r,
            RoutingAt::Past(r) => r,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Pfx2As {
        crate::bgp::parse_pfx2as(text.as_bytes(), 0).unwrap()
    }

    fn vrps(text: &str) -> Vrps {
        crate::bgp::parse_vrps(text.as_bytes(), 0).unwrap()
    }

    fn range(s: &str) -> IpRange {
        crate::addr::parse_query_range(s).unwrap()
    }

    #[test]
    fn rfc_6811_states_with_many_vrps_on_one_prefix() {
        // 5,000 VRPs on one prefix, each AS once; AS 64500 twice with
        // different maxLengths
        let mut csv = String::from("ASN,IP Prefix,Max Length,Trust Anchor\n");
        for a in 1..=5000u32 {
            csv.push_str(&format!("AS{a},192.0.2.0/24,24,t\n"));
        }
        csv.push_str("AS64500,192.0.2.0/24,25,t\nAS64500,192.0.2.0/24,24,t\n");
        let r = Routing::build(Vec::new(), vec![vrps(&csv)], Vec::new());
        let p24 = range("192.0.2.0/24");
        let p25 = range("192.0.2.0/25");
        let p26 = range("192.0.2.0/26");
        assert_eq!(r.rpki(&p24, Origin::As(4999)), Some(Rpki::Valid));
        assert_eq!(r.rpki(&p25, Origin::As(4999)), Some(Rpki::InvalidLength));
        assert_eq!(r.rpki(&p25, Origin::As(64500)), Some(Rpki::Valid));
        assert_eq!(r.rpki(&p26, Origin::As(64500)), Some(Rpki::InvalidLength));
        assert_eq!(r.rpki(&p24, Origin::As(64501)), Some(Rpki::InvalidAs));
        assert_eq!(r.rpki(&p24, Origin::As(0)), Some(Rpki::InvalidAs));
        assert_eq!(r.rpki(&p24, Origin::Set(&[1, 2])), Some(Rpki::InvalidAs));
        assert_eq!(
            r.rpki(&range("198.51.100.0/24"), Origin::As(1)),
            Some(Rpki::NotFound)
        );
        assert_eq!(r.covering_vrps(&p26, 8).len(), 8);
        // without VRP files, no state is claimed
        let none = Routing::build(vec![table("192.0.2.0\t24\t1\n")], Vec::new(), Vec::new());
        assert_eq!(none.rpki(&p24, Origin::As(1)), None);
    }

    #[test]
    fn a_prefix_listed_over_and_over_merges_a_bounded_number_of_lines() {
        let mut text = String::new();
        for a in 1..=10_000u32 {
            text.push_str(&format!("192.0.2.0\t24\t{a}\n"));
        }
        let r = Routing::build(vec![table(&text)], Vec::new(), Vec::new());
        let hit = r.route(&range("192.0.2.1")).unwrap();
        assert_eq!(r.origins(&hit).count(), MAX_MERGED);
        // two files naming the same prefix: origins merged, duplicates once
        let r = Routing::build(
            vec![table("192.0.2.0\t24\t1_2\n"), table("192.0.2.0\t24\t2_3\n")],
            Vec::new(),
            Vec::new(),
        );
        let hit = r.route(&range("192.0.2.1")).unwrap();
        let o: Vec<Origin> = r.origins(&hit).collect();
        assert_eq!(o, vec![Origin::As(1), Origin::As(2), Origin::As(3)]);
        // the most specific covering route; none for a query wider than it
        let r = Routing::build(
            vec![table("192.0.2.0\t24\t1\n192.0.2.128\t25\t2\n")],
            Vec::new(),
            Vec::new(),
        );
        assert_eq!(
            r.route(&range("192.0.2.130")).unwrap().prefix,
            range("192.0.2.128/25")
        );
        assert!(r.route(&range("192.0.0.0/16")).is_none());
        assert_eq!(r.announced_within(&range("192.0.0.0/16"), 10).len(), 2);
    }
}
