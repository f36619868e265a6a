//! The registry model: what a loaded dump becomes.
//!
//! RPSL objects are kept whole (for display) and the few facts the answers
//! need are pulled out once at load: the range, the status class, the
//! referenced organisation / abuse role / IRT (as interned handles), and
//! flags (placeholder, platform-managed, registry-maintained). Handles are
//! interned upper-case, so every handle lookup is case-insensitive.

use crate::addr::{parse_range, IpRange};
use crate::rpsl::{Object, ObjectRef, Skip, SkipReason};
use std::collections::HashSet;
use std::hash::Hasher;

/// An interned handle (upper case). [`NO_SYM`] is "none".
pub type Sym = u32;
/// No handle.
pub const NO_SYM: Sym = u32::MAX;

pub use crate::fxhash::{FxHasher, FxMap};

/// Entity positions by handle id: a dense table (ids are dense); a
/// compiled snapshot's is read in place.
#[derive(Default)]
pub struct EntityTable(crate::mapped::Slab<u32>);

impl EntityTable {
    /// The entity of a handle id.
    #[inline]
    pub fn get(&self, sym: Sym) -> Option<u32> {
        self.0.get(sym as usize).copied().filter(|&i| i != u32::MAX)
    }

    /// The table as positions by id (`u32::MAX`: none).
    pub fn as_slice(&self) -> &[u32] {
        &self.0
    }

    /// A table read back from [`EntityTable::as_slice`].
    pub fn from_slab(v: crate::mapped::Slab<u32>) -> Self {
        EntityTable(v)
    }

    /// Records the entity of a handle id.
    pub fn insert(&mut self, sym: Sym, entity: u32) {
        let i = sym as usize;
        let v = self.0.owned_mut();
        if v.len() <= i {
            v.resize(i + 1, u32::MAX);
        }
        v[i] = entity;
    }
}

/// A set of handle ids, one bit each (ids are dense).
#[derive(Default)]
pub struct SymSet(Vec<u64>);

impl SymSet {
    pub fn insert(&mut self, sym: Sym) {
        if sym == NO_SYM {
            return;
        }
        let (w, b) = (sym as usize / 64, sym % 64);
        if self.0.len() <= w {
            self.0.resize(w + 1, 0);
        }
        self.0[w] |= 1 << b;
    }

    pub fn contains(&self, sym: Sym) -> bool {
        self.0
            .get(sym as usize / 64)
            .is_some_and(|w| w & (1 << (sym % 64)) != 0)
    }
}

/// Handle interner: upper-cased names to dense ids. Each name is stored
/// once; the hash table holds only ids (hashbrown's `HashTable`, chosen for
/// exactly this: a set keyed by data it does not own).
#[derive(Default)]
pub struct Interner {
    /// (id, 32 bits of its name's hash): growing the table re-reads the
    /// stored hash instead of hashing every name again (at 4.7 M handles
    /// the rehashes took 5 % of a load).
    table: hashbrown::HashTable<(Sym, u32)>,
    /// Every name, one after the other (one allocation, not one per name:
    /// millions of handles are short; a compiled snapshot's, in place).
    text: crate::mapped::Names,
    /// Where each name ends in `text` (it starts where the one before ends).
    ends: crate::mapped::Slab<u32>,
    /// A compiled snapshot's interner: `hash << 32 | id`, sorted, searched
    /// instead of the table (which stays empty: building it was the
    /// largest part of opening the file), read in place.
    frozen: crate::mapped::Slab<u64>,
}

/// The name of an id in an interner's text.
fn name_in<'a>(text: &'a str, ends: &[u32], id: Sym) -> &'a str {
    let i = id as usize;
    let Some(&end) = ends.get(i) else {
        return "";
    };
    let start = if i == 0 { 0 } else { ends[i - 1] };
    text.get(start as usize..end as usize).unwrap_or("")
}

/// 32 bits of a name's hash.
fn hash_str(s: &str) -> u32 {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    (h.finish() >> 32) as u32
}

/// A handle in upper case, as the interner stores it (borrowed when it is
/// already: nearly every handle).
fn upper_case(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_lowercase()) {
        s.to_ascii_uppercase().into()
    } else {
        s.into()
    }
}

/// The table's 64-bit hash of a stored 32-bit one (spread over the bits
/// hashbrown reads: the low ones for the bucket, the top 7 for the tag).
fn spread(h: u32) -> u64 {
    u64::from(h).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl Interner {
    /// The id of a handle, adding it if new.
    pub fn intern(&mut self, s: &str) -> Sym {
        if !self.frozen.is_empty() {
            // a frozen interner grows again: its table first
            self.frozen = Default::default();
            for id in 0..self.ends.len() as Sym {
                let h = hash_str(name_in(self.text.as_str(), &self.ends, id));
                self.table
                    .insert_unique(spread(h), (id, h), |&(_, hid)| spread(hid));
            }
        }
        let key = &*upper_case(s);
        let h = hash_str(key);
        let (text, ends) = (self.text.as_str(), &self.ends);
        if let Some(&(id, _)) = self.table.find(spread(h), |&(id, hid)| {
            hid == h && name_in(text, ends, id) == key
        }) {
            return id;
        }
        let id = self.ends.len() as Sym;
        let text = self.text.owned_mut();
        text.push_str(key);
        // past 4 GiB of names the offsets would wrap: such a name reads as
        // empty rather than as another's
        let end = u32::try_from(text.len()).unwrap_or(u32::MAX);
        self.ends.owned_mut().push(end);
        self.table
            .insert_unique(spread(h), (id, h), |&(_, hid)| spread(hid));
        id
    }

    /// The id of a handle if it was ever seen.
    pub fn get(&self, s: &str) -> Option<Sym> {
        let key = &*upper_case(s);
        let h = hash_str(key);
        if !self.frozen.is_empty() {
            let from = self.frozen.partition_point(|&x| ((x >> 32) as u32) < h);
            return self.frozen[from..]
                .iter()
                .take_while(|&&x| (x >> 32) as u32 == h)
                .map(|&x| x as Sym)
                .find(|&id| self.name(id) == key);
        }
        self.table
            .find(spread(h), |&(id, hid)| hid == h && self.name(id) == key)
            .map(|&(id, _)| id)
    }

    /// The upper-case name of an id.
    pub fn name(&self, id: Sym) -> &str {
        name_in(self.text.as_str(), &self.ends, id)
    }

    /// Number of distinct handles.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The names, one after the other, and where each ends.
    pub fn parts(&self) -> (&str, &[u32]) {
        (self.text.as_str(), &self.ends)
    }

    /// Every `hash << 32 | id`, sorted: what [`Interner::from_frozen`]
    /// searches.
    pub fn frozen_pairs(&self) -> Vec<u64> {
        let mut v: Vec<u64> = (0..self.ends.len() as Sym)
            .map(|id| u64::from(hash_str(self.name(id))) << 32 | u64::from(id))
            .collect();
        v.sort_unstable();
        v
    }

    /// An interner read back from [`Interner::parts`] and
    /// [`Interner::frozen_pairs`], searched by its pairs; `None` when the
    /// ends do not cut the text into names or the pairs are not sorted ids.
    pub fn from_frozen(
        text: crate::mapped::Names,
        ends: crate::mapped::Slab<u32>,
        pairs: crate::mapped::Slab<u64>,
    ) -> Option<Interner> {
        // read once, released behind (see `Slab::values`)
        let t = text.as_str();
        let mut prev = 0u32;
        for (i, e) in ends.values().enumerate() {
            if e < prev || e as usize > t.len() || !t.is_char_boundary(e as usize) {
                return None;
            }
            if i % (1 << 16) == 0 {
                text.release_to(prev as usize);
            }
            prev = e;
        }
        let n = ends.len();
        let mut prev = 0u64;
        let pairs_ok = pairs.values().all(|p| {
            let ok = p >= prev && ((p as u32) as usize) < n;
            prev = p;
            ok
        });
        if pairs.len() != n || !pairs_ok {
            return None;
        }
        text.release_to(t.len());
        ends.release();
        pairs.release();
        Some(Interner {
            text,
            ends,
            frozen: if n == 0 { Default::default() } else { pairs },
            ..Default::default()
        })
    }

    /// True when nothing was interned.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }
}

/// What a network's status says about who holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    /// Issued by a registry to its holder: ALLOCATED PA, ASSIGNED PI,
    /// LEGACY, ALLOCATED-BY-RIR, *PORTABLE, LACNIC allocated/assigned, ...
    Registry,
    /// Made by a holder for someone else: SUB-ALLOCATED PA, ASSIGNED PA,
    /// ALLOCATED-BY-LIR, ASSIGNED, *NON-PORTABLE, reallocated/reassigned, ...
    Downstream,
    /// Missing or not recognised.
    Unknown,
}

/// Classifies a status value (compared case-insensitively).
pub fn classify_status(status: &str) -> StatusKind {
    let s = status.trim().to_ascii_uppercase();
    match s.as_str() {
        "ALLOCATED PA"
        | "ALLOCATED UNSPECIFIED"
        | "ALLOCATED-ASSIGNED PA"
        | "ASSIGNED PI"
        | "ASSIGNED ANYCAST"
        | "LEGACY"
        | "ALLOCATED-BY-RIR"
        | "ALLOCATED PORTABLE"
        | "ASSIGNED PORTABLE"
        | "ALLOCATED"
        | "ASSIGNED"
        | "ALLOCATION"
        | "ASSIGNMENT"
        | "DIRECT ALLOCATION"
        | "DIRECT ASSIGNMENT"
        | "ALLOCATED PI" => StatusKind::Registry,
        "SUB-ALLOCATED PA"
        | "ASSIGNED PA"
        | "ALLOCATED-BY-LIR"
        | "AGGREGATED-BY-LIR"
        | "LIR-PARTITIONED PA"
        | "ALLOCATED NON-PORTABLE"
        | "ASSIGNED NON-PORTABLE"
        | "REALLOCATED"
        | "REASSIGNED"
        | "REALLOCATION"
        | "REASSIGNMENT" => StatusKind::Downstream,
        _ => StatusKind::Unknown,
    }
}

/// The inet6num status `ASSIGNED` is downstream (an LIR's assignment), while
/// LACNIC writes `assigned` for its own direct assignments in `inetnum`.
fn classify(class: &str, status: &str) -> StatusKind {
    if class == "inet6num" && status.trim().eq_ignore_ascii_case("ASSIGNED") {
        return StatusKind::Downstream;
    }
    classify_status(status)
}

/// Network flags.
pub mod flags {
    /// A registry placeholder (never a holder, lessee or abuse source).
    pub const PLACEHOLDER: u8 = 1;
    /// `mnt-by` names a leasing platform's maintainer.
    pub const PLATFORM: u8 = 2;
    /// `mnt-by`/`mnt-lower` names a registry's own maintainer.
    pub const RIR_MAINTAINED: u8 = 4;
}

/// Netnames of registry placeholder objects for space they do not manage.
pub const PLACEHOLDER_NETNAMES: &[&str] = &[
    "NON-RIPE-NCC-MANAGED-ADDRESS-BLOCK",
    "IANA-BLOCK",
    "IANA-BLK",
    "IANA-NETBLOCK",
    "IANA-V6-ROOT",
    "ROOT",
    "EU-ZZ-2001-0600",
    "NON-AFRINIC-MANAGED-ADDRESS-BLOCK",
    "NON-APNIC-MANAGED-ADDRESS-BLOCK",
];

/// `source:` values of objects mirrored from another database (NIRs, GRS,
/// IRRs); they are shown but never name a holder.
pub const MIRRORED_SOURCES: &[&str] = &[
    "KRNIC", "JPNIC", "TWNIC", "CNNIC", "IRINN", "IDNIC", "VNNIC", "RADB", "JPIRR", "NTTCOM",
    "LEVEL3", "ALTDB",
];

/// Registry maintainers: an object they maintain is where RIPE's abuse-c
/// walk stops.
pub const RIR_MAINTAINERS: &[&str] = &[
    "RIPE-NCC-HM-MNT",
    "RIPE-DBM-MNT",
    "RIPE-NCC-MNT",
    "RIPE-NCC-END-MNT",
    "RIPE-NCC-LEGACY-MNT",
    "RIPE-NCC-HM-PI-MNT",
    "RIPE-NCC-RPSL-MNT",
    "APNIC-HM",
    "AFRINIC-HM-MNT",
    "LACNIC-MNT",
];

/// An `inetnum`/`inet6num` (or LACNIC/ARIN equivalent).
pub struct Network {
    pub range: IpRange,
    pub kind: StatusKind,
    pub flags: u8,
    pub org: Sym,
    pub abuse_c: Sym,
    pub mnt_irt: Sym,
    /// Index into `Registry::files`.
    pub file: u16,
    pub object: Object,
}

/// A network to read: its facts copied, its object borrowed from an owned
/// [`Network`] or read in place from a compiled snapshot ([`Table`]).
#[derive(Clone, Copy)]
pub struct NetRef<'a> {
    pub range: IpRange,
    pub kind: StatusKind,
    pub flags: u8,
    pub org: Sym,
    pub abuse_c: Sym,
    pub mnt_irt: Sym,
    /// Index into `Registry::files`.
    pub file: u16,
    pub object: ObjectRef<'a>,
}

impl NetRef<'_> {
    pub fn is_placeholder(&self) -> bool {
        self.flags & flags::PLACEHOLDER != 0
    }
    pub fn platform_managed(&self) -> bool {
        self.flags & flags::PLATFORM != 0
    }
}

/// Classes of contact-like objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityClass {
    Organisation,
    Role,
    Person,
    Irt,
    Mntner,
}

/// An organisation, role, person, irt or mntner.
pub struct Entity {
    pub class: EntityClass,
    pub handle: Sym,
    /// An organisation's `abuse-c` (interned at load), else [`NO_SYM`].
    pub abuse_c: Sym,
    /// True when the object has a non-empty `abuse-mailbox` (read at load,
    /// so answers need not read the text).
    pub has_abuse_mailbox: bool,
    pub file: u16,
    pub object: Object,
}

/// A record kind a [`Table`] holds: owned, or read in place from a
/// compiled snapshot as a fixed number of little-endian `u64` words (every
/// bit pattern of which reads as some record; [`Record::check`] is what
/// refuses a corrupt file at open).
pub trait Record: Sized {
    /// What reading a record gives.
    type Ref<'a>: Copy
    where
        Self: 'a;
    /// Words per record in a compiled snapshot.
    const WORDS: usize;
    /// A view of an owned record, for reading it.
    fn view(&self) -> Self::Ref<'_>;
    fn to_owned(r: Self::Ref<'_>) -> Self;
    /// The record's words; its text is at `text_at` of the text region.
    fn words(r: Self::Ref<'_>, text_at: u64) -> Vec<u64>;
    /// The record of `w` (`WORDS` long), its text cut from `text` (the
    /// compiled snapshot's text region; a text not on character boundaries
    /// reads as empty).
    fn read<'a>(w: &[u64], text: &'a str) -> Self::Ref<'a>;
    /// Why the record of `w` is not one a server may read: a position,
    /// handle id, file or kind out of range (`n_syms` handles, `n_files`
    /// files, a text region of `text_len` bytes).
    fn check(w: &[u64], n_syms: u32, n_files: usize, text_len: u64) -> Option<String>;
}

/// The object of a record: `len` bytes at `at` of the text region, cut
/// when read ([`ObjectRef::cut`]).
fn object_at(text: &str, at: u64, len: u64, line: u32) -> ObjectRef<'_> {
    let at = usize::try_from(at).unwrap_or(usize::MAX);
    ObjectRef::cut(text, at, len as usize, line)
}

fn check_text(at: u64, len: u64, text_len: u64) -> Option<String> {
    (at.checked_add(len).is_none_or(|e| e > text_len))
        .then(|| format!("a text at {at} (+{len}) outside the text section"))
}

fn check_sym(s: u32, n_syms: u32) -> Option<String> {
    (s != NO_SYM && s >= n_syms).then(|| format!("handle id {s} of {n_syms}"))
}

fn check_file(f: u64, n_files: usize) -> Option<String> {
    (f >= n_files as u64).then(|| format!("file {f} of {n_files}"))
}

const STATUS_KINDS: [StatusKind; 3] = [
    StatusKind::Registry,
    StatusKind::Downstream,
    StatusKind::Unknown,
];
const ENTITY_CLASSES: [EntityClass; 5] = [
    EntityClass::Organisation,
    EntityClass::Role,
    EntityClass::Person,
    EntityClass::Irt,
    EntityClass::Mntner,
];
/// In a network record's kind byte: the range is IPv6.
const V6: u64 = 0x80;

impl Record for Network {
    type Ref<'a> = NetRef<'a>;
    /// start (2), end (2), text at, text length and line, org and abuse-c,
    /// mnt-irt, file, kind (with the family) and flags
    const WORDS: usize = 8;

    fn view(&self) -> NetRef<'_> {
        NetRef {
            range: self.range,
            kind: self.kind,
            flags: self.flags,
            org: self.org,
            abuse_c: self.abuse_c,
            mnt_irt: self.mnt_irt,
            file: self.file,
            object: self.object.view(),
        }
    }

    fn to_owned(r: NetRef<'_>) -> Network {
        Network {
            range: r.range,
            kind: r.kind,
            flags: r.flags,
            org: r.org,
            abuse_c: r.abuse_c,
            mnt_irt: r.mnt_irt,
            file: r.file,
            object: r.object.to_object(),
        }
    }

    fn words(r: NetRef<'_>, text_at: u64) -> Vec<u64> {
        let kind = STATUS_KINDS.iter().position(|&k| k == r.kind).unwrap_or(2) as u64
            | if r.range.family == crate::addr::Family::V6 {
                V6
            } else {
                0
            };
        vec![
            r.range.start as u64,
            (r.range.start >> 64) as u64,
            r.range.end as u64,
            (r.range.end >> 64) as u64,
            text_at,
            r.object.text_len() as u64 | (r.object.line as u64) << 32,
            r.org as u64 | (r.abuse_c as u64) << 32,
            r.mnt_irt as u64 | (r.file as u64) << 32 | kind << 48 | (r.flags as u64) << 56,
        ]
    }

    fn read<'a>(w: &[u64], text: &'a str) -> NetRef<'a> {
        let kind = (w[7] >> 48) as u8 as u64;
        NetRef {
            range: IpRange {
                family: if kind & V6 != 0 {
                    crate::addr::Family::V6
                } else {
                    crate::addr::Family::V4
                },
                start: w[0] as u128 | (w[1] as u128) << 64,
                end: w[2] as u128 | (w[3] as u128) << 64,
            },
            kind: STATUS_KINDS[((kind & 3) as usize).min(2)],
            flags: (w[7] >> 56) as u8,
            org: w[6] as u32,
            abuse_c: (w[6] >> 32) as u32,
            mnt_irt: w[7] as u32,
            file: (w[7] >> 32) as u16,
            object: object_at(text, w[4], w[5] as u32 as u64, (w[5] >> 32) as u32),
        }
    }

    fn check(w: &[u64], n_syms: u32, n_files: usize, text_len: u64) -> Option<String> {
        let r = Network::read(w, "");
        let kind = (w[7] >> 48) as u8 as u64;
        if kind & !V6 > 2 {
            return Some(format!("network kind {kind}"));
        }
        if r.range.start > r.range.end
            || (r.range.family == crate::addr::Family::V4 && r.range.end > u32::MAX as u128)
        {
            return Some("a range out of order".into());
        }
        check_text(w[4], w[5] as u32 as u64, text_len)
            .or_else(|| check_sym(r.org, n_syms))
            .or_else(|| check_sym(r.abuse_c, n_syms))
            .or_else(|| check_sym(r.mnt_irt, n_syms))
            .or_else(|| check_file(r.file as u64, n_files))
    }
}

impl Record for Entity {
    type Ref<'a> = EntityRef<'a>;
    /// text at, text length and line, handle and abuse-c, class,
    /// abuse-mailbox flag and file
    const WORDS: usize = 4;

    fn view(&self) -> EntityRef<'_> {
        EntityRef {
            class: self.class,
            handle: self.handle,
            abuse_c: self.abuse_c,
            has_abuse_mailbox: self.has_abuse_mailbox,
            file: self.file,
            object: self.object.view(),
        }
    }

    fn to_owned(r: EntityRef<'_>) -> Entity {
        Entity {
            class: r.class,
            handle: r.handle,
            abuse_c: r.abuse_c,
            has_abuse_mailbox: r.has_abuse_mailbox,
            file: r.file,
            object: r.object.to_object(),
        }
    }

    fn words(r: EntityRef<'_>, text_at: u64) -> Vec<u64> {
        let class = ENTITY_CLASSES
            .iter()
            .position(|&c| c == r.class)
            .unwrap_or(0) as u64;
        vec![
            text_at,
            r.object.text_len() as u64 | (r.object.line as u64) << 32,
            r.handle as u64 | (r.abuse_c as u64) << 32,
            class | (r.has_abuse_mailbox as u64) << 8 | (r.file as u64) << 16,
        ]
    }

    fn read<'a>(w: &[u64], text: &'a str) -> EntityRef<'a> {
        EntityRef {
            class: ENTITY_CLASSES[(w[3] as u8 as usize).min(4)],
            handle: w[2] as u32,
            abuse_c: (w[2] >> 32) as u32,
            has_abuse_mailbox: w[3] >> 8 & 1 != 0,
            file: (w[3] >> 16) as u16,
            object: object_at(text, w[0], w[1] as u32 as u64, (w[1] >> 32) as u32),
        }
    }

    fn check(w: &[u64], n_syms: u32, n_files: usize, text_len: u64) -> Option<String> {
        let r = Entity::read(w, "");
        let class = w[3] as u8;
        if class > 4 {
            return Some(format!("entity class {class}"));
        }
        check_text(w[0], w[1] as u32 as u64, text_len)
            .or_else(|| check_sym(r.handle, n_syms))
            .or_else(|| check_sym(r.abuse_c, n_syms))
            .or_else(|| check_file(r.file as u64, n_files))
    }
}

/// The networks or entities of a registry: owned (parsed from dumps), or
/// read in place from a compiled snapshot's mapping, where replicas share
/// them in the page cache and a reload's new file costs no heap.
pub enum Table<T> {
    Owned(Vec<T>),
    /// The records' words (`T::WORDS` each) and the mapping's text region.
    Mapped(crate::mapped::Slab<u64>, crate::mapped::Handle),
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table::Owned(Vec::new())
    }
}

impl<T> From<Vec<T>> for Table<T> {
    fn from(v: Vec<T>) -> Self {
        Table::Owned(v)
    }
}

impl<T: Record> Table<T> {
    pub fn len(&self) -> usize {
        match self {
            Table::Owned(v) => v.len(),
            Table::Mapped(w, _) => w.len() / T::WORDS,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The record at `i` (panics past the end, like a slice).
    #[inline]
    pub fn get(&self, i: usize) -> T::Ref<'_> {
        match self {
            Table::Owned(v) => v[i].view(),
            Table::Mapped(w, map) => T::read(&w[i * T::WORDS..(i + 1) * T::WORDS], map.text()),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = T::Ref<'_>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The records to change, copied out of the mapping first if need be.
    pub fn owned_mut(&mut self) -> &mut Vec<T> {
        if let Table::Mapped(..) = self {
            let v = self.iter().map(T::to_owned).collect();
            *self = Table::Owned(v);
        }
        match self {
            Table::Owned(v) => v,
            Table::Mapped(..) => unreachable!("made owned above"),
        }
    }
}

/// A contact the registry's public dump replaced by its placeholder (RIPE's
/// dumps point every `admin-c`/`tech-c` at `DUMY-RIPE`, "Placeholder Person
/// Object"): the real contact was removed, not absent.
pub fn is_dummy_contact(handle: &str, name: Option<&str>) -> bool {
    handle
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("DUMY-"))
        || name.is_some_and(|n| n.starts_with("Placeholder ") && n.ends_with(" Object"))
}

/// An entity to read: its facts copied, its object borrowed (see
/// [`NetRef`]).
#[derive(Clone, Copy)]
pub struct EntityRef<'a> {
    pub class: EntityClass,
    pub handle: Sym,
    /// An organisation's `abuse-c` (interned at load), else [`NO_SYM`].
    pub abuse_c: Sym,
    /// True when the object has a non-empty `abuse-mailbox`.
    pub has_abuse_mailbox: bool,
    pub file: u16,
    pub object: ObjectRef<'a>,
}

impl<'a> EntityRef<'a> {
    /// An organisation of `org-type` IANA or RIR: its networks are the
    /// registry's own placeholders, no holder's.
    pub fn is_registry_org(self) -> bool {
        self.class == EntityClass::Organisation
            && self
                .object
                .get("org-type")
                .is_some_and(|t| t.eq_ignore_ascii_case("IANA") || t.eq_ignore_ascii_case("RIR"))
    }

    /// The display name: org-name (ARIN's `OrgName`), role, person
    /// (ARIN: a point of contact's names), irt name, or the handle.
    pub fn name(self) -> Option<&'a str> {
        let o = self.object;
        match self.class {
            EntityClass::Organisation => o.get("org-name").or_else(|| o.get("orgname")),
            EntityClass::Role => o.get("role").or_else(|| o.get("lastname")),
            EntityClass::Person => o.get("person").or_else(|| o.get("lastname")),
            EntityClass::Irt | EntityClass::Mntner => Some(o.key()),
        }
    }

    /// The handle as written: `nic-hdl` for roles and persons, else the key.
    pub fn handle_text(self) -> &'a str {
        match self.class {
            EntityClass::Role | EntityClass::Person => {
                self.object.get("nic-hdl").unwrap_or(self.object.key())
            }
            _ => self.object.key(),
        }
    }

    /// The `abuse-mailbox`, if any (see [`contact_mailbox`]).
    pub fn abuse_mailbox(self) -> Option<&'a str> {
        contact_mailbox(self.object)
    }
}

/// The mailbox a contact gives when it is named as an abuse contact: its
/// `abuse-mailbox`; for the registries whose contacts have none, LACNIC's
/// contact `e-mail` (its own RDAP answer lists that contact with role
/// abuse) and an ARIN point of contact's `Mailbox`.
pub fn contact_mailbox(o: ObjectRef<'_>) -> Option<&str> {
    let nonempty = |m: &&str| !m.trim().is_empty();
    o.get("abuse-mailbox")
        .filter(nonempty)
        .or_else(|| match o.class() {
            "nic-hdl" => o.get("e-mail").filter(nonempty),
            "pochandle" => o.get("mailbox").filter(nonempty),
            _ => None,
        })
}

/// An `aut-num` (single AS) or `as-block` (range).
pub struct AutNum {
    pub first: u32,
    pub last: u32,
    pub block: bool,
    pub org: Sym,
    pub abuse_c: Sym,
    pub file: u16,
    pub object: Object,
}

/// A reverse-DNS `domain` object.
pub struct Domain {
    /// Lower case, without a trailing dot.
    pub name: Box<str>,
    pub file: u16,
    pub object: Object,
}

/// What one object became.
pub enum Item {
    Network(Network),
    Entity(Entity),
    AutNum(AutNum),
    Domain(Domain),
    /// A class tenure does not keep (route, as-set, ...).
    Ignored(String),
}

/// Inputs that shape conversion: the leasing-platform maintainer list.
#[derive(Default, Clone)]
pub struct ConvertOptions {
    /// Upper-case maintainer names of leasing platforms.
    pub platform_maintainers: HashSet<String>,
    /// Upper-case name prefixes (`MAINT-IPXO*` in the list): platforms
    /// that make one maintainer per customer.
    pub platform_prefixes: Vec<String>,
}

impl ConvertOptions {
    /// True when a maintainer is a leasing platform's.
    pub fn is_platform(&self, m: &str) -> bool {
        contains_ci(&self.platform_maintainers, m)
            || self.platform_prefixes.iter().any(|p| {
                m.len() >= p.len() && m.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
            })
    }

    /// Reads a maintainer list: one name per line, `NAME*` for a prefix,
    /// `#` comments.
    pub fn with_platform_list(mut self, text: &str) -> Self {
        for l in text.lines() {
            let name = l
                .split('#')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_uppercase();
            match name.strip_suffix('*') {
                Some(prefix) if !prefix.is_empty() => self.platform_prefixes.push(prefix.into()),
                Some(_) => {}
                None if !name.is_empty() => {
                    self.platform_maintainers.insert(name);
                }
                None => {}
            }
        }
        self
    }
}

/// Fields of a network object gathered in one pass.
#[derive(Default)]
struct NetFields<'a> {
    netrange: Option<&'a str>,
    status: Option<&'a str>,
    netname: Option<&'a str>,
    source: Option<&'a str>,
    org: Option<&'a str>,
    owner: Option<&'a str>,
    abuse_c: Option<&'a str>,
    mnt_irt: Option<&'a str>,
    platform: bool,
    rir: bool,
    /// One of the `mnt-by` maintainers is not a registry's.
    member_maintained: bool,
}

/// Membership in a set of upper-case names, without allocating for names
/// already in upper case.
fn contains_ci(set: &HashSet<String>, name: &str) -> bool {
    if set.is_empty() {
        return false;
    }
    if name.bytes().any(|b| b.is_ascii_lowercase()) {
        set.contains(&name.to_ascii_uppercase())
    } else {
        set.contains(name)
    }
}

/// Parses an AS number: `AS64500`, `as64500` or LACNIC's bare `64500`.
pub fn parse_asn(s: &str) -> Option<u32> {
    let s = s.trim();
    // `get` and not `[..2]`: the text is a client's or a dump's, and its
    // second byte may sit inside a multi-byte character
    let digits = match (s.get(..2), s.get(2..)) {
        (Some(p), Some(rest)) if p.eq_ignore_ascii_case("AS") => rest,
        _ => s,
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Parses an AS range `AS1 - AS5` (also without blanks).
pub fn parse_asn_range(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('-')?;
    let (a, b) = (parse_asn(a)?, parse_asn(b)?);
    (a <= b).then_some((a, b))
}

/// Converts a parsed object into a model item, interning its references.
pub fn convert(
    obj: Object,
    file: u16,
    syms: &mut Interner,
    opts: &ConvertOptions,
) -> Result<Item, Skip> {
    let skip = |reason, detail: String| Skip {
        line: obj.line,
        reason,
        detail,
    };
    let mut sym = |s: Option<&str>| match s.map(str::trim).filter(|s| !s.is_empty()) {
        Some(h) => syms.intern(h),
        None => NO_SYM,
    };
    let class = obj.class();
    match class {
        "inetnum" | "inet6num" | "nethandle" | "v6nethandle" => {
            // one pass over the attributes
            let mut f = NetFields::default();
            for (n, v) in obj.attrs_raw() {
                match n {
                    "netrange" => f.netrange = f.netrange.or(Some(v)),
                    "status" | "nettype" => f.status = f.status.or(Some(v)),
                    "netname" => f.netname = f.netname.or(Some(v)),
                    "source" => f.source = f.source.or(Some(v)),
                    "org" | "ownerid" | "orgid" => f.org = f.org.or(Some(v)),
                    // LACNIC's public export names the holder without an id
                    "owner" => f.owner = f.owner.or(Some(v)),
                    "abuse-c" | "abusehandle" => f.abuse_c = f.abuse_c.or(Some(v)),
                    "mnt-irt" => {
                        f.mnt_irt = f
                            .mnt_irt
                            .or(v.split(',').map(str::trim).find(|m| !m.is_empty()))
                    }
                    "mnt-by" | "mnt-lower" => {
                        for m in v.split(',').map(str::trim).filter(|m| !m.is_empty()) {
                            if n == "mnt-by" && opts.is_platform(m) {
                                f.platform = true;
                            }
                            let registry =
                                RIR_MAINTAINERS.iter().any(|r| r.eq_ignore_ascii_case(m));
                            if registry {
                                f.rir = true;
                            }
                            if n == "mnt-by" {
                                f.member_maintained |= !registry;
                            }
                        }
                    }
                    _ => {}
                }
            }
            let key = if class.ends_with("nethandle") {
                f.netrange.unwrap_or("")
            } else {
                obj.key()
            };
            let range = parse_range(key).map_err(|e| skip(SkipReason::BadKey, e.to_string()))?;
            let kind = classify(class, f.status.unwrap_or(""));
            let netname = f.netname.unwrap_or("");
            let whole = range.start == 0 && range.end == range.family.max();
            let mirrored = f.source.is_some_and(|s| {
                MIRRORED_SOURCES.iter().any(|m| s.eq_ignore_ascii_case(m))
                    || s.to_ascii_uppercase().ends_with("-GRS")
            });
            let mut fl = 0u8;
            // a placeholder netname makes a placeholder only where the
            // registry keeps the object alone: a member's block that happens
            // to carry such a name (APNIC has some) is its holder's
            let named = PLACEHOLDER_NETNAMES
                .iter()
                .any(|p| netname.eq_ignore_ascii_case(p));
            if whole || mirrored || (named && !f.member_maintained) {
                fl |= flags::PLACEHOLDER;
            }
            if f.platform {
                fl |= flags::PLATFORM;
            }
            if f.rir {
                fl |= flags::RIR_MAINTAINED;
            }
            let org = sym(f.org.or(f.owner));
            let abuse_c = sym(f.abuse_c);
            let mnt_irt = sym(f.mnt_irt);
            Ok(Item::Network(Network {
                range,
                kind,
                flags: fl,
                org,
                abuse_c,
                mnt_irt,
                file,
                object: obj,
            }))
        }
        "ashandle" => {
            // ARIN's AS records: `ASNumber` is one number or a range `a - b`
            let number = obj.get("asnumber").unwrap_or("");
            let (first, last) = parse_asn_range(number)
                .or_else(|| parse_asn(number).map(|n| (n, n)))
                .ok_or_else(|| skip(SkipReason::BadKey, format!("bad ASNumber '{number}'")))?;
            let org = sym(obj.get("orgid"));
            let abuse_c = sym(obj.get("abusehandle"));
            Ok(Item::AutNum(AutNum {
                first,
                last,
                block: first != last,
                org,
                abuse_c,
                file,
                object: obj,
            }))
        }
        "aut-num" | "as-block" => {
            let (first, last) = if class == "aut-num" {
                let n = parse_asn(obj.key()).ok_or_else(|| {
                    skip(SkipReason::BadKey, format!("bad AS number '{}'", obj.key()))
                })?;
                (n, n)
            } else {
                parse_asn_range(obj.key()).ok_or_else(|| {
                    skip(SkipReason::BadKey, format!("bad AS range '{}'", obj.key()))
                })?
            };
            let org = sym(obj.get("org").or_else(|| obj.get("ownerid")));
            let abuse_c = sym(obj.get("abuse-c"));
            Ok(Item::AutNum(AutNum {
                first,
                last,
                block: class == "as-block",
                org,
                abuse_c,
                file,
                object: obj,
            }))
        }
        "organisation" | "role" | "person" | "irt" | "mntner" | "nic-hdl" | "orgid"
        | "pochandle" => {
            let (ec, handle) = match class {
                "organisation" | "orgid" => (EntityClass::Organisation, obj.key()),
                "irt" => (EntityClass::Irt, obj.key()),
                "mntner" => (EntityClass::Mntner, obj.key()),
                // LACNIC's contacts open with their handle
                "nic-hdl" => (EntityClass::Person, obj.key()),
                // ARIN's points of contact: a role or a person
                "pochandle" => (
                    if obj
                        .get("isrole")
                        .is_some_and(|r| r.trim().eq_ignore_ascii_case("Y"))
                    {
                        EntityClass::Role
                    } else {
                        EntityClass::Person
                    },
                    obj.key(),
                ),
                c => {
                    let h = obj.get("nic-hdl").ok_or_else(|| {
                        skip(SkipReason::MissingAttribute, format!("{c} without nic-hdl"))
                    })?;
                    (
                        if c == "role" {
                            EntityClass::Role
                        } else {
                            EntityClass::Person
                        },
                        h,
                    )
                }
            };
            if handle.is_empty() || handle.contains(char::is_whitespace) {
                return Err(skip(SkipReason::BadKey, format!("bad handle '{handle}'")));
            }
            let abuse_c = if ec == EntityClass::Organisation {
                sym(obj.get("abuse-c").or_else(|| obj.get("orgabusehandle")))
            } else {
                NO_SYM
            };
            let handle = syms.intern(handle);
            let object = if ec == EntityClass::Mntner {
                // name only: maintainers carry auth data tenure has no use for
                let src = obj.get("source").unwrap_or("");
                Object::from_attrs([("mntner", obj.key()), ("source", src)], obj.line)
            } else {
                obj
            };
            let has_abuse_mailbox = contact_mailbox(object.view()).is_some();
            Ok(Item::Entity(Entity {
                class: ec,
                handle,
                abuse_c,
                has_abuse_mailbox,
                file,
                object,
            }))
        }
        "domain" => {
            let name = obj.key().trim_end_matches('.').to_ascii_lowercase();
            if name.is_empty() {
                return Err(skip(SkipReason::BadKey, "empty domain name".into()));
            }
            Ok(Item::Domain(Domain {
                name: name.into(),
                file,
                object: obj,
            }))
        }
        other => Ok(Item::Ignored(other.to_string())),
    }
}

/// The name a contact whose personal data is withheld shows: the one
/// RIPE's public dumps give (so every interface treats it as removed).
pub const WITHHELD_NAME: &str = "Placeholder Person Object";

/// Withholds personal data (the default; `personal-data` serves it): every
/// person's object (RPSL persons, LACNIC's contacts, ARIN's points of
/// contact that are no role) keeps its handle, maintainers, dates and
/// source, and a mailbox only where it is named as an abuse contact (by a
/// network, an organisation or an AS number); its name becomes RIPE's
/// placeholder name, and address, phones and other mail go. Roles,
/// organisations and irt objects are not personal and stay whole.
pub fn withhold_personal_data(entities: &mut [Entity], abuse_contacts: &SymSet) {
    for e in entities.iter_mut() {
        if e.class != EntityClass::Person {
            continue;
        }
        let abuse = abuse_contacts.contains(e.handle);
        let o = &e.object;
        let class = o.class().to_string();
        let key = o.key().to_string();
        let mut attrs: Vec<(String, String)> = match class.as_str() {
            "person" => vec![("person".into(), WITHHELD_NAME.into())],
            "pochandle" => vec![
                ("pochandle".into(), key),
                ("isrole".into(), "N".into()),
                ("lastname".into(), WITHHELD_NAME.into()),
            ],
            _ => vec![
                (class.clone(), key),
                ("person".into(), WITHHELD_NAME.into()),
            ],
        };
        for (n, v) in o.attrs() {
            let keep = match n {
                "nic-hdl" => class == "person",
                "mnt-by" | "created" | "last-modified" | "changed" | "regdate" | "updated"
                | "source" => true,
                "abuse-mailbox" => true,
                "e-mail" | "mailbox" => abuse,
                _ => false,
            };
            if keep {
                attrs.push((n.to_string(), v.to_string()));
            }
        }
        attrs.push((
            "remarks".into(),
            "personal data withheld by this server (its operator can serve it)".into(),
        ));
        e.has_abuse_mailbox = {
            let obj =
                Object::from_attrs(attrs.iter().map(|(n, v)| (n.as_str(), v.as_str())), o.line);
            let has = contact_mailbox(obj.view()).is_some();
            e.object = obj;
            has
        };
    }
}

/// Objects whose organisation is a registry (org-type IANA or RIR) are the
/// registry's own placeholders, not held space.
pub fn mark_registry_placeholders(entities: &Table<Entity>, networks: &mut [Network]) {
    let registry_orgs: HashSet<Sym> = entities
        .iter()
        .filter(|e| e.is_registry_org())
        .map(|e| e.handle)
        .collect();
    if registry_orgs.is_empty() {
        return;
    }
    for n in networks.iter_mut() {
        if registry_orgs.contains(&n.org) {
            n.flags |= flags::PLACEHOLDER;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_interner_finds_what_the_table_finds() {
        let mut i = Interner::default();
        let names: Vec<String> = (0..5000).map(|n| format!("ORG-T{n}-TEST")).collect();
        let ids: Vec<Sym> = names.iter().map(|n| i.intern(n)).collect();
        let (text, ends) = i.parts();
        let owned = |t: &str| {
            let mut n = crate::mapped::Names::default();
            n.owned_mut().push_str(t);
            n
        };
        let mut f =
            Interner::from_frozen(owned(text), ends.to_vec().into(), i.frozen_pairs().into())
                .unwrap();
        for (n, id) in names.iter().zip(&ids) {
            assert_eq!(f.get(n), Some(*id));
            assert_eq!(f.get(&n.to_lowercase()), Some(*id));
        }
        assert_eq!(f.get("ORG-NONE-TEST"), None);
        // unsorted pairs or ids past the names are refused
        let mut bad = i.frozen_pairs();
        bad.swap(0, 1);
        assert!(Interner::from_frozen(owned(text), ends.to_vec().into(), bad.into()).is_none());
        // interning again after freezing still works
        let new = f.intern("ORG-NEW-TEST");
        assert_eq!(f.get("org-new-test"), Some(new));
        assert_eq!(f.get(&names[7]), Some(ids[7]));
    }

    fn conv(attrs: &[(&str, &str)]) -> Result<Item, Skip> {
        let mut syms = Interner::default();
        let mut opts = ConvertOptions::default();
        opts.platform_maintainers.insert("IPXO-MNT".into());
        convert(
            Object::from_attrs(attrs.iter().copied(), 1),
            0,
            &mut syms,
            &opts,
        )
    }

    #[test]
    fn statuses() {
        assert_eq!(classify_status("allocated pa"), StatusKind::Registry);
        assert_eq!(classify_status("Assigned PA"), StatusKind::Downstream);
        assert_eq!(
            classify_status("ASSIGNED NON-PORTABLE"),
            StatusKind::Downstream
        );
        assert_eq!(classify_status("reallocated"), StatusKind::Downstream);
        assert_eq!(classify("inet6num", "ASSIGNED"), StatusKind::Downstream);
        assert_eq!(classify("inetnum", "assigned"), StatusKind::Registry);
        assert_eq!(classify_status("whatever"), StatusKind::Unknown);
    }

    #[test]
    fn network_flags_and_refs() {
        let Ok(Item::Network(n)) = conv(&[
            ("inetnum", "192.0.2.128 - 192.0.2.191"),
            ("netname", "LEASED"),
            ("org", "org-lessee1-test"),
            ("status", "SUB-ALLOCATED PA"),
            ("mnt-by", "HOLDER-MNT, ipxo-mnt"),
            ("source", "TEST"),
        ]) else {
            panic!()
        };
        assert!(n.view().platform_managed());
        assert!(!n.view().is_placeholder());
        assert_eq!(n.kind, StatusKind::Downstream);
        let Ok(Item::Network(p)) = conv(&[
            ("inetnum", "0.0.0.0 - 255.255.255.255"),
            ("netname", "IANA-BLK"),
        ]) else {
            panic!()
        };
        assert!(p.view().is_placeholder());
        let Err(e) = conv(&[("inetnum", "192.0.2.300 - 192.0.2.1")]) else {
            panic!()
        };
        assert_eq!(e.reason, SkipReason::BadKey);
        let Err(e) = conv(&[("role", "Abuse")]) else {
            panic!()
        };
        assert_eq!(e.reason, SkipReason::MissingAttribute);
    }

    #[test]
    fn arin_bulk_network_records() {
        let Ok(Item::Network(n)) = conv(&[
            ("V6NetHandle", "NET6-2001-DB8-1"),
            ("OrgID", "EXAMPLE"),
            (
                "NetRange",
                "2001:DB8:: - 2001:DB8:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF",
            ),
            ("NetType", "reallocation"),
            ("Source", "ARIN"),
        ]) else {
            panic!()
        };
        assert_eq!(n.range.prefix_len(), Some(32));
        assert_eq!(n.kind, StatusKind::Downstream);
        assert_ne!(n.org, NO_SYM);
    }

    #[test]
    fn asns() {
        assert_eq!(parse_asn("AS64500"), Some(64500));
        assert_eq!(parse_asn("as64500"), Some(64500));
        assert_eq!(parse_asn("278"), Some(278));
        assert_eq!(parse_asn("AS"), None);
        assert_eq!(parse_asn("AS-FOO"), None);
        // a multi-byte character across byte 2: no panic, no number
        assert_eq!(parse_asn("aé"), None);
        assert_eq!(parse_asn("é1"), None);
        assert_eq!(parse_asn_range("AS1-aé"), None);
        assert_eq!(parse_asn_range("AS1877 - AS1901"), Some((1877, 1901)));
        assert_eq!(parse_asn_range("AS5-AS1"), None);
    }
}
