//! NRTMv4 deltas served over a registry part without reloading it.
//!
//! A registry part (parsed from dumps or mapped from a compiled snapshot)
//! holds each mirror file at the version its first line names
//! ([`crate::nrtm::MirrorMark`]). The deltas after that version, read from
//! the mirror's journal, make an overlay: the objects added or changed
//! since, with their own indexes, and which of the base's objects of the
//! mirror file they hide (deleted or replaced, by class and primary key).
//!
//! Ids run on from the base's: a network, entity, aut-num or domain at or
//! above the base's count is the overlay's, and so is a handle id at or
//! above the base interner's size (handles the base knows keep the base's
//! id). [`super::Snapshot`]'s lookups merge the two by the same rules the
//! base's indexes follow (most specific first; of equal ranges the later
//! one, and the overlay's objects come after the base's).
//!
//! An overlay is built whole from the base and every journaled delta
//! since, off the serving threads, and installed with its snapshot in one
//! swap: no query sees half a delta. A full reload reads the mirror file
//! again and starts with an empty overlay.

use super::{Built, NetId, Snapshot};
use crate::dump::Registry;
use crate::index::LpmBackend;
use crate::model::{ConvertOptions, EntityRef, FxMap, Item, Sym, NO_SYM};
use crate::nrtm::MirrorMark;
use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

/// One mirror file's changes since the base holds it.
pub struct MirrorChanges {
    /// The mirror file's id in the base.
    pub file: u16,
    /// The mark the base holds, with the version the changes reach.
    pub mark: MirrorMark,
    /// Each changed object's text now, or `None` when deleted, by
    /// normalised class and key.
    pub objects: BTreeMap<(String, String), Option<String>>,
}

/// The objects changed since the base and what of the base they hide.
pub(super) struct Overlay {
    pub(super) nets_base: u32,
    pub(super) ents_base: u32,
    pub(super) auts_base: u32,
    pub(super) doms_base: u32,
    pub(super) syms_base: u32,
    /// The overlay's objects; its interner holds the handles the base's
    /// does not (id `syms_base + i`), and every handle field is already
    /// in the merged ids.
    pub(super) reg: Registry,
    pub(super) built: Built,
    pub(super) hidden_nets: crate::fxhash::FxSet<NetId>,
    pub(super) hidden_auts: crate::fxhash::FxSet<u32>,
    /// Handles the overlay decides: its entity (merged position) or none
    /// (deleted). Base entities whose handle is here are hidden.
    pub(super) entity_by_sym: FxMap<Sym, Option<u32>>,
    /// Base entities hidden (their handle is in `entity_by_sym`).
    pub(super) hidden_ents: u32,
    /// Domains the overlay decides, by name: its domain or none.
    pub(super) domains: FxMap<Box<str>, Option<u32>>,
    pub(super) hidden_doms: u32,
    pub(super) inverse: [OnceLock<crate::inverse::InverseIndex>; 5],
    /// Each mirror file and the version it is served at now.
    pub(super) marks: Vec<(u16, MirrorMark)>,
    /// Objects changed (added, replaced or deleted).
    pub(super) changed: usize,
    /// Objects that could not be read (skipped, as a load would).
    pub(super) skipped: usize,
}

impl Overlay {
    /// Builds the overlay of `changes` over `base` (a snapshot without
    /// one).
    pub(super) fn build(
        base: &Snapshot,
        changes: &[MirrorChanges],
        opts: &ConvertOptions,
        backend: LpmBackend,
    ) -> Overlay {
        let mut ov = Overlay {
            nets_base: base.reg.networks.len() as u32,
            ents_base: base.reg.entities.len() as u32,
            auts_base: base.reg.autnums.len() as u32,
            doms_base: base.reg.domains.len() as u32,
            syms_base: base.reg.syms.len() as u32,
            reg: Registry::default(),
            built: Built::index(&mut Registry::default(), backend),
            hidden_nets: Default::default(),
            hidden_auts: Default::default(),
            entity_by_sym: FxMap::default(),
            hidden_ents: 0,
            domains: FxMap::default(),
            hidden_doms: 0,
            inverse: Default::default(),
            marks: Vec::new(),
            changed: 0,
            skipped: 0,
        };
        // handles another file holds first keep it (first loaded wins)
        let mut held_elsewhere: HashSet<Sym> = HashSet::new();
        let mut local = crate::model::Interner::default();
        let mut items = Vec::new();
        let mut scratch = String::new();
        for mc in changes {
            ov.marks.push((mc.file, mc.mark.clone()));
            for ((class, key), text) in &mc.objects {
                ov.changed += 1;
                ov.hide(base, mc.file, class, key, &mut held_elsewhere);
                let Some(text) = text else { continue };
                let parsed = crate::rpsl::parse_lines(
                    0,
                    text.as_bytes(),
                    crate::rpsl::Encoding::Utf8,
                    &mut scratch,
                )
                .and_then(|o| crate::model::convert(o, mc.file, &mut local, opts));
                match parsed {
                    Ok(item) => items.push(item),
                    Err(skip) => {
                        ov.skipped += 1;
                        tracing::warn!(
                            "nrtm {}: {class} {key} skipped: {}: {}",
                            mc.mark.source,
                            skip.reason.as_str(),
                            skip.detail
                        );
                    }
                }
            }
        }
        // the overlay's handle ids in the merged numbering
        let ids: Vec<Sym> = (0..local.len() as Sym)
            .map(|s| {
                let name = local.name(s);
                base.reg
                    .syms
                    .get(name)
                    .unwrap_or_else(|| ov.syms_base + ov.reg.syms.intern(name))
            })
            .collect();
        let id = |s: Sym| match s {
            NO_SYM => NO_SYM,
            s => ids.get(s as usize).copied().unwrap_or(NO_SYM),
        };
        for item in items {
            match item {
                Item::Network(mut n) => {
                    n.org = id(n.org);
                    n.abuse_c = id(n.abuse_c);
                    n.mnt_irt = id(n.mnt_irt);
                    ov.reg.networks.owned_mut().push(n);
                }
                Item::Entity(mut e) => {
                    e.handle = id(e.handle);
                    e.abuse_c = id(e.abuse_c);
                    if held_elsewhere.contains(&e.handle)
                        || ov.entity_by_sym.get(&e.handle).is_some_and(|x| x.is_some())
                    {
                        continue;
                    }
                    let at = ov.ents_base + ov.reg.entities.len() as u32;
                    ov.entity_by_sym.insert(e.handle, Some(at));
                    ov.reg.entities.owned_mut().push(e);
                }
                Item::AutNum(mut a) => {
                    a.org = id(a.org);
                    a.abuse_c = id(a.abuse_c);
                    ov.reg.autnums.push(a);
                }
                Item::Domain(d) => {
                    let at = ov.doms_base + ov.reg.domains.len() as u32;
                    ov.domains.insert(d.name.clone(), Some(at));
                    ov.reg.domains.push(d);
                }
                Item::Ignored(_) => {}
            }
        }
        ov.hidden_ents = ov
            .entity_by_sym
            .keys()
            .filter(|&&s| base.reg.entity_by_handle.get(s).is_some())
            .count() as u32;
        ov.hidden_doms = ov
            .domains
            .keys()
            .filter(|n| base.ix.domains.contains_key(&**n))
            .count() as u32;
        ov.withhold_personal_data(base);
        // networks of IANA's and the RIRs' organisations are placeholders
        for i in 0..ov.reg.networks.len() {
            let org = ov.reg.networks.get(i).org;
            if ov.entity(base, org).is_some_and(EntityRef::is_registry_org) {
                ov.reg.networks.owned_mut()[i].flags |= crate::model::flags::PLACEHOLDER;
            }
        }
        ov.built = Built::index(&mut ov.reg, backend);
        ov
    }

    /// Hides the base's object of `class` and `key` from mirror file
    /// `file`, if it holds one.
    fn hide(
        &mut self,
        base: &Snapshot,
        file: u16,
        class: &str,
        key: &str,
        held_elsewhere: &mut HashSet<Sym>,
    ) {
        match class {
            "inetnum" | "inet6num" => {
                let Ok(r) = crate::addr::parse_range(key) else {
                    return;
                };
                for id in base.exact(&r) {
                    let n = base.net(id);
                    if n.file == file && n.object.class() == class {
                        self.hidden_nets.insert(id);
                    }
                }
            }
            "aut-num" | "as-block" => {
                let block = class == "as-block";
                let range = match block {
                    true => crate::model::parse_asn_range(key),
                    false => crate::model::parse_asn(key).map(|n| (n, n)),
                };
                let Some((first, last)) = range else { return };
                for i in base.autnums(first, last) {
                    let a = base.autnum_at(i);
                    if (a.first, a.last, a.block, a.file) == (first, last, block, file) {
                        self.hidden_auts.insert(i);
                    }
                }
            }
            "organisation" | "role" | "person" | "irt" | "mntner" => {
                let Some(sym) = base.reg.syms.get(key) else {
                    return;
                };
                match base.reg.entity_by_handle.get(sym) {
                    Some(i) if base.entity_at(i).file != file => {
                        held_elsewhere.insert(sym);
                    }
                    Some(_) => {
                        self.entity_by_sym.entry(sym).or_insert(None);
                    }
                    None => {}
                }
            }
            "domain" => {
                let name = key.trim_end_matches('.');
                if let Some(&i) = base.ix.domains.get(name) {
                    if base.domain_at(i).file == file {
                        self.domains.entry(name.into()).or_insert(None);
                    }
                }
            }
            _ => {}
        }
    }

    /// The entity of a merged handle id, the overlay's decision first.
    fn entity<'a>(&'a self, base: &'a Snapshot, sym: Sym) -> Option<EntityRef<'a>> {
        match self.entity_by_sym.get(&sym) {
            Some(Some(i)) => {
                let k = (i - self.ents_base) as usize;
                (k < self.reg.entities.len()).then(|| self.reg.entities.get(k))
            }
            Some(None) => None,
            None => base.entity_sym(sym),
        }
    }

    /// Withholds the personal data of the overlay's persons as a load
    /// does (`personal-data` off): a person keeps its mailbox where a
    /// network, organisation or AS number of the base or the overlay names
    /// it for abuse.
    fn withhold_personal_data(&mut self, base: &Snapshot) {
        if base.reg.personal_data {
            return;
        }
        let persons: HashSet<Sym> = self
            .reg
            .entities
            .iter()
            .filter(|e| e.class == crate::model::EntityClass::Person)
            .map(|e| e.handle)
            .collect();
        if persons.is_empty() {
            return;
        }
        let mut abuse = crate::model::SymSet::default();
        let named = base
            .reg
            .networks
            .iter()
            .map(|n| n.abuse_c)
            .chain(base.reg.entities.iter().map(|e| e.abuse_c))
            .chain(base.reg.autnums.iter().map(|a| a.abuse_c))
            .chain(self.reg.networks.iter().map(|n| n.abuse_c))
            .chain(self.reg.entities.iter().map(|e| e.abuse_c))
            .chain(self.reg.autnums.iter().map(|a| a.abuse_c));
        for s in named.filter(|s| persons.contains(s)) {
            abuse.insert(s);
        }
        crate::model::withhold_personal_data(self.reg.entities.owned_mut(), &abuse);
    }

    /// The name of an overlay handle id (at or above `syms_base`).
    pub(super) fn sym_name(&self, sym: Sym) -> &str {
        self.reg.syms.name(sym - self.syms_base)
    }
}

/// `a` before `b` when it is more specific: the narrower range, then the
/// later start, then the later id (what the base's index answers).
fn more_specific_first(
    a: (&crate::addr::IpRange, NetId),
    b: (&crate::addr::IpRange, NetId),
) -> std::cmp::Ordering {
    let size = |r: &crate::addr::IpRange| r.end - r.start;
    size(a.0)
        .cmp(&size(b.0))
        .then(b.0.start.cmp(&a.0.start))
        .then(b.1.cmp(&a.1))
}

impl Overlay {
    /// The merged id of one of the overlay's own networks.
    fn own(&self, family: crate::addr::Family, local: u32) -> NetId {
        let off = match family {
            crate::addr::Family::V4 => 0,
            crate::addr::Family::V6 => self.built.n4,
        };
        self.nets_base + off + local
    }

    /// An inverse-index reference of the overlay's, with its overlay and
    /// its position among the overlay's own objects.
    pub(super) fn local(
        &self,
        held: crate::inverse::Held,
    ) -> Option<(&Overlay, crate::inverse::Held)> {
        use crate::inverse::Held;
        let local = match held {
            Held::Network(i) => Held::Network(i.checked_sub(self.nets_base)?),
            Held::Entity(i) => Held::Entity(i.checked_sub(self.ents_base)?),
            Held::AutNum(i) => Held::AutNum(i.checked_sub(self.auts_base)?),
        };
        Some((self, local))
    }

    /// True when the overlay hides a base object.
    pub(super) fn hides(&self, snap: &Snapshot, held: crate::inverse::Held) -> bool {
        use crate::inverse::Held;
        match held {
            Held::Network(i) => i < self.nets_base && self.hidden_nets.contains(&i),
            Held::Entity(i) => {
                i < self.ents_base
                    && self
                        .entity_by_sym
                        .contains_key(&snap.reg.entities.get(i as usize).handle)
            }
            Held::AutNum(i) => i < self.auts_base && self.hidden_auts.contains(&i),
        }
    }

    /// The most specific network containing an address, given the base's.
    pub(super) fn lookup_addr(
        &self,
        snap: &Snapshot,
        base: Option<NetId>,
        addr: std::net::IpAddr,
    ) -> Option<NetId> {
        let own = match addr {
            std::net::IpAddr::V4(a) => self
                .built
                .v4
                .lookup(u32::from(a))
                .map(|i| self.own(crate::addr::Family::V4, i)),
            std::net::IpAddr::V6(a) => self
                .built
                .v6
                .lookup(u128::from(a))
                .map(|i| self.own(crate::addr::Family::V6, i)),
        };
        match (base, own) {
            (Some(b), own) if !self.hidden_nets.contains(&b) => match own {
                Some(o) => {
                    let (rb, ro) = (&snap.net(b).range, &snap.net(o).range);
                    Some(match more_specific_first((ro, o), (rb, b)) {
                        std::cmp::Ordering::Less => o,
                        _ => b,
                    })
                }
                None => Some(b),
            },
            // the base's answer is hidden: what else covers the address
            _ => snap
                .covering(&crate::addr::IpRange::from_addr(addr))
                .first()
                .copied(),
        }
    }

    /// The merged networks containing a range, most specific first.
    pub(super) fn covering(
        &self,
        snap: &Snapshot,
        mut base: Vec<NetId>,
        r: &crate::addr::IpRange,
    ) -> Vec<NetId> {
        base.retain(|id| !self.hidden_nets.contains(id));
        let own = match r.family {
            crate::addr::Family::V4 => self.built.v4.covering(r.start as u32, r.end as u32),
            crate::addr::Family::V6 => self.built.v6.covering(r.start, r.end),
        };
        if own.is_empty() {
            return base;
        }
        base.extend(own.into_iter().map(|i| self.own(r.family, i)));
        base.sort_by(|&a, &b| {
            more_specific_first((&snap.net(a).range, a), (&snap.net(b).range, b))
        });
        base
    }

    /// The merged networks exactly equal to a range, least specific (the
    /// base's) first.
    pub(super) fn exact(&self, mut base: Vec<NetId>, r: &crate::addr::IpRange) -> Vec<NetId> {
        base.retain(|id| !self.hidden_nets.contains(id));
        let own = match r.family {
            crate::addr::Family::V4 => self.built.v4.exact(r.start as u32, r.end as u32),
            crate::addr::Family::V6 => self.built.v6.exact(r.start, r.end),
        };
        base.extend(own.into_iter().map(|i| self.own(r.family, i)));
        base
    }

    /// True when the overlay adds or hides a network inside a range (else
    /// the base's more specifics are the merged ones).
    pub(super) fn touches(&self, snap: &Snapshot, r: &crate::addr::IpRange) -> bool {
        let inside =
            |n: &crate::addr::IpRange| n.family == r.family && n.start >= r.start && n.end <= r.end;
        self.hidden_nets
            .iter()
            .any(|&id| inside(&snap.net(id).range))
            || self.reg.networks.iter().any(|n| inside(&n.range))
    }

    /// The merged networks inside a range other than the range itself, in
    /// start order (widest first); with `one_level`, only those inside no
    /// other such network (identical ones are siblings), as the base's
    /// index answers. `base` holds every level.
    pub(super) fn more_specific(
        &self,
        snap: &Snapshot,
        mut base: Vec<NetId>,
        r: &crate::addr::IpRange,
        one_level: bool,
    ) -> Vec<NetId> {
        base.retain(|id| !self.hidden_nets.contains(id));
        let own = match r.family {
            crate::addr::Family::V4 => {
                self.built
                    .v4
                    .more_specific(r.start as u32, r.end as u32, false)
            }
            crate::addr::Family::V6 => self.built.v6.more_specific(r.start, r.end, false),
        };
        base.extend(own.into_iter().map(|i| self.own(r.family, i)));
        base.sort_by(|&a, &b| {
            let (ra, rb) = (&snap.net(a).range, &snap.net(b).range);
            ra.start
                .cmp(&rb.start)
                .then(rb.end.cmp(&ra.end))
                .then(a.cmp(&b))
        });
        if !one_level {
            return base;
        }
        let mut out = Vec::new();
        let mut cover: Option<(u128, u128)> = None;
        for id in base {
            let n = &snap.net(id).range;
            if let Some((cs, ce)) = cover {
                if n.end <= ce && (n.start, n.end) != (cs, ce) {
                    continue; // inside a kept one
                }
                if n.end <= ce {
                    out.push(id); // identical to the kept one: a sibling
                    continue;
                }
            }
            cover = Some((n.start, n.end));
            out.push(id);
        }
        out
    }

    /// The merged aut-nums and as-blocks containing an AS range, most
    /// specific first.
    pub(super) fn autnums(
        &self,
        snap: &Snapshot,
        mut base: Vec<u32>,
        first: u32,
        last: u32,
    ) -> Vec<u32> {
        base.retain(|i| !self.hidden_auts.contains(i));
        let own = self.built.asn.covering(first, last);
        if own.is_empty() {
            return base;
        }
        base.extend(own.into_iter().map(|i| i + self.auts_base));
        base.sort_by(|&a, &b| {
            let (x, y) = (snap.autnum_at(a), snap.autnum_at(b));
            (x.last - x.first)
                .cmp(&(y.last - y.first))
                .then(y.first.cmp(&x.first))
                .then(b.cmp(&a))
        });
        base
    }

    /// The overlay's networks whose netname has hash `h`.
    pub(super) fn by_netname(&self, h: u64) -> impl Iterator<Item = NetId> + '_ {
        self.built.netnames.ids(h).map(|i| self.nets_base + i)
    }

    /// The overlay's objects whose `attr` may name `value`, from its own
    /// index of the attribute (built on first use).
    pub(super) fn candidates(
        &self,
        snap: &Snapshot,
        k: usize,
        attr: &str,
        value: &str,
    ) -> Vec<crate::inverse::Held> {
        use crate::inverse::Held;
        let Some(slot) = self.inverse.get(k) else {
            return Vec::new();
        };
        let ix = slot.get_or_init(|| {
            crate::inverse::InverseIndex::build_named(&self.reg, attr, |s| snap.sym_name(s))
        });
        ix.candidates(value)
            .map(|h| match h {
                Held::Network(i) => Held::Network(i + self.nets_base),
                Held::Entity(i) => Held::Entity(i + self.ents_base),
                Held::AutNum(i) => Held::AutNum(i + self.auts_base),
            })
            .collect()
    }
}

impl Snapshot {
    /// This snapshot with the deltas its mirrors' journals hold past the
    /// versions its mirror files were read at, served over its registry
    /// part (an overlay built whole from every such delta; the leases
    /// judged again against the result). `Ok(None)` when the journals hold
    /// nothing this snapshot does not serve already. `Err` says why they
    /// cannot be served over it (a new session, a journal that starts
    /// after the loaded version, one that does not read): the mirror files
    /// must be read again.
    pub fn with_mirror_deltas(
        &self,
        sources: &crate::dump::Sources,
        backend: LpmBackend,
        serial: u64,
        policy: super::LeasePolicy,
    ) -> Result<Option<Snapshot>, String> {
        let opts = crate::dump::platform_options(sources, None).map_err(|e| e.to_string())?;
        self.with_journals(&opts, backend, serial, policy, crate::nrtm::read_journal)
    }

    /// [`Snapshot::with_mirror_deltas`] with the journals read by `read`
    /// (given each journal's path).
    pub fn with_journals(
        &self,
        opts: &ConvertOptions,
        backend: LpmBackend,
        serial: u64,
        policy: super::LeasePolicy,
        read: impl Fn(&std::path::Path) -> Result<Option<crate::nrtm::Journal>, String>,
    ) -> Result<Option<Snapshot>, String> {
        let mut changes = Vec::new();
        let mut newer = false;
        for (file, mark) in &self.reg.mirrors {
            let path = self.file(*file);
            let jpath = crate::nrtm::journal_path(path);
            let served = self.served_mark(*file).map_or(mark.version, |m| m.version);
            let Some(j) = read(&jpath)? else {
                if served > mark.version {
                    return Err(format!("{}: gone", jpath.display()));
                }
                continue;
            };
            if j.head.session_id != mark.session_id {
                return Err(format!(
                    "{}: session {}, the loaded {} holds session {}",
                    jpath.display(),
                    j.head.session_id,
                    path.display(),
                    mark.session_id
                ));
            }
            if j.head.from > mark.version {
                return Err(format!(
                    "{}: starts after version {}, the loaded {} holds version {}",
                    jpath.display(),
                    j.head.from,
                    path.display(),
                    mark.version
                ));
            }
            let after: Vec<&crate::nrtm::JournalDelta> = j
                .deltas
                .iter()
                .filter(|d| d.version > mark.version)
                .collect();
            let reached = after.last().map_or(mark.version, |d| d.version);
            if reached < served {
                return Err(format!(
                    "{}: reaches version {reached}, {served} is served",
                    jpath.display()
                ));
            }
            newer |= reached > served;
            let (objects, unreadable) = crate::nrtm::collapse(after);
            if unreadable > 0 {
                tracing::warn!(
                    "nrtm {}: {unreadable} journaled objects without a class and key skipped",
                    mark.source
                );
            }
            changes.push(MirrorChanges {
                file: *file,
                mark: MirrorMark {
                    version: reached,
                    ..mark.clone()
                },
                objects,
            });
        }
        if !newer {
            return Ok(None);
        }
        let started = std::time::Instant::now();
        let mut snap = Snapshot {
            lz: std::sync::Arc::new(super::LeaseIndex::empty()),
            ov: None,
            ..self.sharing(serial)
        };
        let ov = Overlay::build(&snap, &changes, opts, backend);
        let (changed, skipped) = (ov.changed, ov.skipped);
        snap.ov = Some(std::sync::Arc::new(ov));
        snap.merge_reports();
        snap.index_leases(self.lz.records.clone(), self.lz.sources.clone(), policy);
        tracing::info!(
            "nrtm deltas served over the registry part: {}; {changed} objects changed since it was read ({skipped} skipped), overlaid in {:.3} s",
            snap.mirror_versions()
                .iter()
                .map(|(s, v)| format!("{s} at {v}"))
                .collect::<Vec<_>>()
                .join(", "),
            started.elapsed().as_secs_f64()
        );
        Ok(Some(snap))
    }

    /// Objects the journaled deltas served over the registry part changed
    /// (added, replaced or deleted) since its mirror files were read: what
    /// a full reload would fold in.
    pub fn overlay_objects(&self) -> usize {
        self.ov.as_deref().map_or(0, |o| o.changed)
    }

    /// The overlay's mark of a mirror file, if it serves deltas of it.
    fn served_mark(&self, file: u16) -> Option<&MirrorMark> {
        let o = self.ov.as_deref()?;
        o.marks.iter().find(|(f, _)| *f == file).map(|(_, m)| m)
    }

    /// Each NRTMv4 mirror served and the version it is served at (its
    /// file's, or the last journaled delta served over it), by source.
    pub fn mirror_versions(&self) -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = self
            .reg
            .mirrors
            .iter()
            .map(|(f, m)| {
                let served = self.served_mark(*f).map_or(m.version, |o| o.version);
                (m.source.clone(), served)
            })
            .collect();
        v.sort();
        v
    }
}

/// Two sequences each in order merged into one (`le`: the first goes
/// first), the first's item first on ties.
pub(super) fn merge<'a, I, J, F>(a: I, b: J, le: F) -> impl Iterator<Item = u32> + 'a
where
    I: Iterator<Item = u32> + 'a,
    J: Iterator<Item = u32> + 'a,
    F: Fn(&u32, &u32) -> std::cmp::Ordering + 'a,
{
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) => match le(x, y) {
            std::cmp::Ordering::Greater => b.next(),
            _ => a.next(),
        },
        (Some(_), None) => a.next(),
        (None, _) => b.next(),
    })
}

/// A class or handle as a mirror file orders it (lower case, no blanks),
/// compared without a copy.
fn mirror_key(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
}

impl Snapshot {
    /// Address order: IPv4 first, by start, wider first, then load order.
    pub(super) fn net_order(&self, a: NetId, b: NetId) -> std::cmp::Ordering {
        let (x, y) = (self.net(a), self.net(b));
        (x.range.family == crate::addr::Family::V6)
            .cmp(&(y.range.family == crate::addr::Family::V6))
            .then(x.range.start.cmp(&y.range.start))
            .then(y.range.end.cmp(&x.range.end))
            .then(x.file.cmp(&y.file))
            .then(x.object.line.cmp(&y.object.line))
    }

    /// Load order: by file; within a mirror file, its own order (class,
    /// then handle), which a delta's object takes too.
    pub(super) fn entity_order(&self, a: u32, b: u32) -> std::cmp::Ordering {
        let (x, y) = (self.entity_at(a), self.entity_at(b));
        x.file.cmp(&y.file).then_with(|| {
            if self.reg.mirrors.iter().any(|(f, _)| *f == x.file) {
                mirror_key(x.object.class())
                    .cmp(mirror_key(y.object.class()))
                    .then_with(|| mirror_key(x.handle_text()).cmp(mirror_key(y.handle_text())))
            } else {
                x.object.line.cmp(&y.object.line)
            }
        })
    }

    /// AS order: by first number, wider first, then load order.
    pub(super) fn autnum_order(&self, a: u32, b: u32) -> std::cmp::Ordering {
        let (x, y) = (self.autnum_at(a), self.autnum_at(b));
        x.first
            .cmp(&y.first)
            .then(y.last.cmp(&x.last))
            .then(x.file.cmp(&y.file))
            .then(x.object.line.cmp(&y.object.line))
    }

    /// Object order: networks, entities, AS numbers, each in its order.
    pub(super) fn held_order(
        &self,
        a: crate::inverse::Held,
        b: crate::inverse::Held,
    ) -> std::cmp::Ordering {
        use crate::inverse::Held;
        match (a, b) {
            (Held::Network(x), Held::Network(y)) => self.net_order(x, y),
            (Held::Entity(x), Held::Entity(y)) => self.entity_order(x, y),
            (Held::AutNum(x), Held::AutNum(y)) => self.autnum_order(x, y),
            _ => {
                let rank = |h: Held| match h {
                    Held::Network(_) => 0,
                    Held::Entity(_) => 1,
                    Held::AutNum(_) => 2,
                };
                rank(a).cmp(&rank(b))
            }
        }
    }
}
