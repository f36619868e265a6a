//! Searches over the loaded objects that WHOIS and RDAP share: the
//! hierarchy around a range (RIPE's `-x`, `-l`, `-L`, `-m`, `-M`, RFC
//! 9910's up/down) and inverse lookups by attribute (RIPE's `-i`).

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

/// `-i attr value`: objects whose attribute names the value.
/// `org` and `abuse-c` use the handles interned at load; `mnt-by`,
/// `admin-c` and `tech-c` read the objects (bounded by [`INVERSE_LIMIT`]).
pub fn inverse(snap: &Snapshot, attrs: &[String], value: &str) -> Vec<ObjRef> {
    let mut out = Vec::new();
    let sym = snap.reg.syms.get(value.trim());
    for attr in attrs {
        match (attr.as_str(), sym) {
            ("org", Some(s)) => {
                out.extend(
                    (0..snap.networks() as u32)
                        .filter(|&i| snap.net(i).org == s)
                        .map(ObjRef::Network),
                );
                out.extend(
                    snap.reg
                        .autnums
                        .iter()
                        .enumerate()
                        .filter(|(_, a)| a.org == s)
                        .map(|(i, _)| ObjRef::AutNum(i as u32)),
                );
            }
            ("abuse-c", Some(s)) => {
                out.extend(
                    (0..snap.networks() as u32)
                        .filter(|&i| snap.net(i).abuse_c == s)
                        .map(ObjRef::Network),
                );
                out.extend(
                    snap.reg
                        .entities
                        .iter()
                        .enumerate()
                        .filter(|(_, e)| e.abuse_c == s)
                        .map(|(i, _)| ObjRef::Entity(i as u32)),
                );
                out.extend(
                    snap.reg
                        .autnums
                        .iter()
                        .enumerate()
                        .filter(|(_, a)| a.abuse_c == s)
                        .map(|(i, _)| ObjRef::AutNum(i as u32)),
                );
            }
            ("org" | "abuse-c", None) => {}
            (name, _) => {
                let hit = |o: &crate::rpsl::Object| {
                    o.list(name).any(|v| v.eq_ignore_ascii_case(value.trim()))
                };
                let nets = (0..snap.networks() as u32)
                    .filter(|&i| hit(&snap.net(i).object))
                    .map(ObjRef::Network);
                let ents = snap
                    .reg
                    .entities
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| hit(&e.object))
                    .map(|(i, _)| ObjRef::Entity(i as u32));
                let auts = snap
                    .reg
                    .autnums
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| hit(&a.object))
                    .map(|(i, _)| ObjRef::AutNum(i as u32));
                out.extend(nets.chain(ents).chain(auts).take(INVERSE_LIMIT));
            }
        }
        out.truncate(INVERSE_LIMIT);
    }
    out.dedup();
    out
}

/// Most objects an inverse lookup returns.
pub const INVERSE_LIMIT: usize = 1000;
