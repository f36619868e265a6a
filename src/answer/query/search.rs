//! Searches over the loaded objects that WHOIS and RDAP share: the
//! hierarchy around a range (RIPE's `-x`, `-l`, `-L`, `-m`, `-M`, RFC
//! 9910's up/down/top/bottom), inverse lookups by attribute (RIPE's `-i`),
//! and the RDAP searches by handle or name (RFC 9082 section 3.2, RFC
//! 9910, RFC 9536's reverse search).

use super::objects::{AutNumView, EntityView};
use super::resolved::{LeaseView, NetworkView};
use super::ObjRef;
use crate::addr::IpRange;
use crate::snapshot::{NetId, Snapshot};

/// Which networks around a range a hierarchy query asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `-x`: exactly the range.
    Exact,
    /// `-l`: the first less specific (not the range itself).
    OneLess,
    /// `-L`: every less specific, the range included.
    AllLess,
    /// `-m`: the first level of more specifics.
    OneMore,
    /// `-M`: every more specific.
    AllMore,
}

/// `-x`, `-l`, `-L`, `-m`, `-M` over the networks.
pub fn hierarchy(snap: &Snapshot, r: &IpRange, level: Level) -> Vec<NetId> {
    let exact = |id: &u32| snap.net(*id).range == *r;
    match level {
        Level::Exact => snap.exact(r),
        Level::OneLess => snap
            .covering(r)
            .into_iter()
            .find(|id| !exact(id))
            .into_iter()
            .collect(),
        Level::AllLess => snap.covering(r),
        Level::OneMore => snap.more_specific(r, true),
        Level::AllMore => snap.more_specific(r, false),
    }
}

/// `-i attr value`: objects whose attribute names the value, in the
/// order networks, entities, aut-nums for each attribute asked. `org` and
/// `abuse-c` compare the handles interned at load; `mnt-by`, `admin-c`
/// and `tech-c` every comma-separated value. Each attribute's index is
/// built on its first query ([`Snapshot::inverse_candidates`]); the
/// candidates it names are checked here. Returns at most
/// [`INVERSE_LIMIT`] objects, and whether there were more.
pub fn inverse(snap: &Snapshot, attrs: &[String], value: &str) -> (Vec<ObjRef>, bool) {
    use crate::inverse::Held;
    // one more than the limit: enough to say the answer was cut
    const KEEP: usize = INVERSE_LIMIT + 1;
    let value = value.trim();
    let mut out = Vec::new();
    let sym = snap.sym(value);
    for attr in attrs {
        let name = attr.as_str();
        let by_handle = matches!(name, "org" | "abuse-c");
        if by_handle && sym.is_none() {
            continue;
        }
        let Some(candidates) = snap.inverse_candidates(name, value) else {
            continue;
        };
        let hits = candidates.filter_map(|h| {
            let hit = if by_handle {
                snap.held_handle(h, name) == sym
            } else {
                snap.held_object(h)
                    .list(name)
                    .any(|v| v.eq_ignore_ascii_case(value))
            };
            let r = match h {
                Held::Network(i) => ObjRef::Network(i),
                Held::Entity(i) => ObjRef::Entity(i),
                Held::AutNum(i) => ObjRef::AutNum(i),
            };
            hit.then_some(r)
        });
        out.extend(hits.take(KEEP));
        out.truncate(KEEP);
    }
    out.dedup();
    let more = out.len() > INVERSE_LIMIT;
    out.truncate(INVERSE_LIMIT);
    (out, more)
}

/// Most objects an inverse lookup returns.
pub const INVERSE_LIMIT: usize = 1000;

/// A search pattern: exact, or a prefix given by one trailing `*`
/// (compared case-insensitively).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pattern {
    Exact(String),
    Prefix(String),
}

/// Why a search pattern was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// Nothing, or only `*`.
    #[error("an empty search pattern")]
    Empty,
    /// A `*` elsewhere than at the end.
    #[error("only a trailing '*' is supported in search patterns")]
    Unsupported,
}

impl Pattern {
    pub fn parse(v: &str) -> Result<Pattern, PatternError> {
        let v = v.trim();
        if v.is_empty() || v == "*" {
            return Err(PatternError::Empty);
        }
        match v.matches('*').count() {
            0 => Ok(Pattern::Exact(v.to_ascii_lowercase())),
            1 => match v.strip_suffix('*') {
                Some(p) => Ok(Pattern::Prefix(p.to_ascii_lowercase())),
                None => Err(PatternError::Unsupported),
            },
            _ => Err(PatternError::Unsupported),
        }
    }

    pub fn matches(&self, s: &str) -> bool {
        let s = s.to_ascii_lowercase();
        match self {
            Pattern::Exact(p) => s == *p,
            Pattern::Prefix(p) => s.starts_with(p.as_str()),
        }
    }
}

/// What a search by handle or name compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Handle,
    /// The name: `fn` of entities, `netname` of networks, `as-name`.
    Name,
}

/// Collects at most `max` items; says whether more were there.
fn bounded<T>(it: impl Iterator<Item = T>, max: usize) -> (Vec<T>, bool) {
    let mut v: Vec<T> = it.take(max.saturating_add(1)).collect();
    let more = v.len() > max;
    v.truncate(max);
    (v, more)
}

/// Entities (no maintainers) by handle or name; at most `max`, and
/// whether there were more.
pub fn search_entities<'a>(
    snap: &'a Snapshot,
    field: Field,
    p: &Pattern,
    max: usize,
) -> (Vec<EntityView<'a>>, bool) {
    let hits = snap
        .entity_ids()
        .map(|i| EntityView::new(snap, i))
        .filter(|e| {
            !e.is_maintainer()
                && match field {
                    Field::Name => e.name().is_some_and(|n| p.matches(n)),
                    Field::Handle => p.matches(e.handle()),
                }
        });
    bounded(hits, max)
}

/// Networks by handle (the primary key) or netname.
pub fn search_networks<'a>(
    snap: &'a Snapshot,
    field: Field,
    p: &Pattern,
    max: usize,
) -> (Vec<NetworkView<'a>>, bool) {
    let ids: Box<dyn Iterator<Item = NetId>> = match (p, field) {
        (Pattern::Exact(name), Field::Name) => Box::new(snap.by_netname(name).into_iter()),
        _ => Box::new(snap.net_ids().filter(move |&id| {
            let o = &snap.net(id).object;
            match field {
                Field::Name => o.get("netname").is_some_and(|n| p.matches(n)),
                Field::Handle => p.matches(o.key()),
            }
        })),
    };
    bounded(ids.map(|id| NetworkView::new(snap, id)), max)
}

/// Aut-nums and as-blocks by handle or `as-name`.
pub fn search_autnums<'a>(
    snap: &'a Snapshot,
    field: Field,
    p: &Pattern,
    max: usize,
) -> (Vec<AutNumView<'a>>, bool) {
    let hits = snap
        .autnum_ids()
        .map(|i| AutNumView::new(snap, i))
        .filter(|a| match field {
            Field::Name => a.name().is_some_and(|n| p.matches(n)),
            Field::Handle => p.matches(a.key()),
        });
    bounded(hits, max)
}

/// RFC 9910's relations to the most specific network containing a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    /// The parent.
    Up,
    /// The immediate children.
    Down,
    /// The least specific network above.
    Top,
    /// The most specific networks below (leaves), or the network itself.
    Bottom,
}

/// The networks in `rel` to the most specific network containing `range`
/// (RFC 9910's relation searches); `active` keeps only registrations
/// (`Some(true)`: placeholders are not) or only placeholders
/// (`Some(false)`). `None` when no network contains the range.
pub fn related<'a>(
    snap: &'a Snapshot,
    range: &IpRange,
    rel: Relation,
    active: Option<bool>,
) -> Option<Vec<NetworkView<'a>>> {
    let keep = |id: NetId| active.is_none_or(|a| a != snap.net(id).is_placeholder());
    let chain = snap.covering(range);
    let m = NetworkView::new(snap, *chain.first()?);
    let ids: Vec<NetId> = match rel {
        Relation::Up => {
            let mut p = m.parent();
            while let Some(n) = p.filter(|n| !keep(n.id())) {
                p = n.parent();
            }
            p.map(|n| n.id()).into_iter().collect()
        }
        Relation::Down => snap.more_specific(&m.range(), true),
        Relation::Top => chain
            .iter()
            .rev()
            .copied()
            .find(|&id| keep(id))
            .into_iter()
            .collect(),
        Relation::Bottom => {
            let leaves: Vec<NetId> = snap
                .more_specific(&m.range(), false)
                .into_iter()
                .filter(|&id| snap.more_specific(&snap.net(id).range, true).is_empty())
                .collect();
            if leaves.is_empty() {
                vec![m.id()]
            } else {
                leaves
            }
        }
    };
    Some(
        ids.into_iter()
            .filter(|&id| keep(id))
            .map(|id| NetworkView::new(snap, id))
            .collect(),
    )
}

/// A result of a reverse search.
pub enum Reverse<'a> {
    Network(NetworkView<'a>),
    Lease(LeaseView<'a>),
}

/// RFC 9536's reverse search: the networks of the organisations matching
/// by handle or name, and the leases naming them as lessee (or, by
/// handle, lessor).
pub fn reverse_search<'a>(
    snap: &'a Snapshot,
    field: Field,
    p: &Pattern,
    max: usize,
) -> (Vec<Reverse<'a>>, bool) {
    let orgs: std::collections::HashSet<u32> = snap
        .entity_ids()
        .map(|i| snap.entity_at(i))
        .filter(|e| match field {
            Field::Name => e.name().is_some_and(|n| p.matches(n)),
            Field::Handle => p.matches(e.handle_text()),
        })
        .map(|e| e.handle)
        .collect();
    let nets = snap
        .net_ids()
        .filter(|&id| orgs.contains(&snap.net(id).org))
        .map(|id| Reverse::Network(NetworkView::new(snap, id)));
    let leases = (0..snap.lease_count())
        .filter(|&i| {
            let l = snap.lease(i);
            match field {
                Field::Name => p.matches(l.lessee_name()),
                Field::Handle => p.matches(l.lessee_handle()) || p.matches(l.lessor()),
            }
        })
        .map(|i| Reverse::Lease(LeaseView::new(snap, i)));
    bounded(nets.chain(leases), max)
}

/// What an organisation holds: the networks and the aut-nums or
/// as-blocks whose `org` names it, at most `max` of each, and whether
/// there were more (NRO RDAP profile 5.1.2).
pub fn held_by<'a>(
    snap: &'a Snapshot,
    entity: &EntityView<'a>,
    max: usize,
) -> (Vec<NetworkView<'a>>, Vec<AutNumView<'a>>, bool) {
    use crate::inverse::Held;
    let key = entity.object().key();
    let Some(org) = snap.sym(key) else {
        return (Vec::new(), Vec::new(), false);
    };
    // the `org` index (built on first use; every entity/ answer read all
    // networks before), candidates checked
    let held = || snap.inverse_candidates("org", key).into_iter().flatten();
    let (nets, more_nets) = bounded(
        held().filter_map(|h| match h {
            Held::Network(id) if snap.net(id).org == org => Some(NetworkView::new(snap, id)),
            _ => None,
        }),
        max,
    );
    let (auts, more_auts) = bounded(
        held().filter_map(|h| match h {
            Held::AutNum(i) if snap.autnum_at(i).org == org => Some(AutNumView::new(snap, i)),
            _ => None,
        }),
        max,
    );
    (nets, auts, more_nets || more_auts)
}

/// An entity by handle.
pub fn entity<'a>(snap: &'a Snapshot, handle: &str) -> Option<EntityView<'a>> {
    snap.entity_index(handle).map(|i| EntityView::new(snap, i))
}

/// A reverse domain by name (lower case), else the closest loaded zone
/// enclosing it.
pub fn domain<'a>(snap: &'a Snapshot, name: &str) -> Option<super::ObjectView<'a>> {
    // labels dropped from the left until a loaded zone encloses the name
    // (NRO RDAP profile 6.2); never above the reverse trees themselves
    let mut n = name.trim_end_matches('.');
    loop {
        if let Some(d) = snap.domain(n) {
            return Some(super::ObjectView::of(snap, ObjRef::Domain(d)));
        }
        let (_, rest) = n.split_once('.')?;
        if matches!(rest, "in-addr.arpa" | "ip6.arpa") || !rest.contains('.') {
            return None;
        }
        n = rest;
    }
}

/// The aut-num of an AS number (else the most specific as-block holding
/// it), with its abuse contact.
pub fn autnum<'a>(
    snap: &'a Snapshot,
    asn: u32,
    at: crate::time::Timestamp,
) -> Option<(AutNumView<'a>, Option<super::AbuseView<'a>>)> {
    match super::lookup(snap, &super::Query::Asn(asn), at) {
        super::Found::Objects { objects, abuse } => match objects.first()?.reference() {
            ObjRef::AutNum(i) => Some((AutNumView::new(snap, i), abuse)),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `-i` as it was before the index: every object read.
    fn scan(snap: &Snapshot, name: &str, value: &str) -> Vec<ObjRef> {
        let value = value.trim();
        let sym = snap.sym(value);
        let text =
            |o: &crate::rpsl::ObjectRef<'_>| o.list(name).any(|v| v.eq_ignore_ascii_case(value));
        let mut out = Vec::new();
        for i in snap.net_ids() {
            let n = snap.net(i);
            let hit = match name {
                "org" => sym.is_some() && Some(n.org) == sym,
                "abuse-c" => sym.is_some() && Some(n.abuse_c) == sym,
                _ => text(&n.object),
            };
            if hit {
                out.push(ObjRef::Network(i));
            }
        }
        for i in snap.entity_ids() {
            let e = snap.entity_at(i);
            let hit = match name {
                "org" => false,
                "abuse-c" => sym.is_some() && Some(e.abuse_c) == sym,
                _ => text(&e.object),
            };
            if hit {
                out.push(ObjRef::Entity(i));
            }
        }
        for i in snap.autnum_ids() {
            let a = snap.autnum_at(i);
            let hit = match name {
                "org" => sym.is_some() && Some(a.org) == sym,
                "abuse-c" => sym.is_some() && Some(a.abuse_c) == sym,
                _ => text(&a.object.view()),
            };
            if hit {
                out.push(ObjRef::AutNum(i));
            }
        }
        out
    }

    #[test]
    fn the_inverse_index_answers_as_a_scan_of_every_object() {
        // the sample data and the real registry excerpts, every value any
        // object gives for each attribute (and some no object gives)
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let shared = root.join("../shared/data/rpsl");
        let mut dumps: Vec<std::path::PathBuf> = [
            "test-ripe.db",
            "test-lacnic.db",
            "test-arin.txt",
            "test-apnic.db",
            "test-afrinic.db",
        ]
        .iter()
        .map(|f| root.join("data").join(f))
        .collect();
        if let Ok(dir) = std::fs::read_dir(&shared) {
            dumps.extend(dir.flatten().map(|e| e.path()));
        }
        dumps.retain(|p| p.exists());
        let sources = crate::dump::Sources {
            dumps,
            ..Default::default()
        };
        let (reg, report) =
            crate::dump::load(&sources, &crate::progress::Progress::off()).expect("loads");
        let snap = Snapshot::build(
            reg,
            report,
            1,
            crate::index::LpmBackend::Sorted,
            crate::query::lease_policy(false),
        );
        let mut checked = 0;
        for name in crate::inverse::ATTRIBUTES {
            let mut values: Vec<String> = vec!["NOBODY-MNT".into(), " ".into(), "".into()];
            for i in snap.net_ids() {
                values.extend(snap.net(i).object.list(name).map(str::to_string));
                values.push(snap.sym_name(snap.net(i).org).to_lowercase());
            }
            for e in snap.entity_ids().map(|i| snap.entity_at(i)) {
                values.extend(e.object.list(name).map(str::to_string));
                values.push(snap.sym_name(e.abuse_c).to_string());
            }
            values.sort();
            values.dedup();
            for v in &values {
                let want: Vec<ObjRef> = scan(&snap, name, v)
                    .into_iter()
                    .take(INVERSE_LIMIT)
                    .collect();
                let (got, _) = inverse(&snap, &[name.to_string()], v);
                assert_eq!(got, want, "-i {name} {v}");
                checked += 1;
            }
        }
        assert!(checked > 200, "{checked}");
        // a value no object gives costs no object read
        for name in crate::inverse::ATTRIBUTES {
            assert_eq!(
                snap.inverse_candidates(name, "NOBODY-MNT")
                    .map(|c| c.count()),
                Some(0)
            );
        }
        // what an organisation holds (RDAP entity/): as a scan
        for i in snap.entity_ids() {
            let view = EntityView::new(&snap, i);
            let (nets, auts, _) = held_by(&snap, &view, usize::MAX);
            let org = snap.sym(view.object().key());
            let want: Vec<u32> = snap
                .net_ids()
                .filter(|&n| Some(snap.net(n).org) == org)
                .collect();
            let got: Vec<u32> = nets.iter().map(|n| n.id()).collect();
            assert_eq!(got, want, "{}", view.handle());
            let want = snap
                .autnum_ids()
                .map(|i| snap.autnum_at(i))
                .filter(|a| Some(a.org) == org)
                .count();
            assert_eq!(auts.len(), want);
        }
    }
}
