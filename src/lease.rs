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

use crate::model::{flags, StatusKind, Sym, NO_SYM};
use crate::snapshot::{NetId, Snapshot};

/// Where a holder fact comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolderOrigin {
    /// A registry-issued network object.
    Network(NetId),
    /// Only a delegated-statistics record covers the space (its position).
    Delegated(u32),
}

/// The organisation holding the space from the registry. Answers hold
/// references into the snapshot; names are read when rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
                    org_handle(snap, n.org)
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

    /// The organisation's name (`org-name`, LACNIC's `owner`), or the
    /// network's `descr` when it names no organisation.
    pub fn name<'a>(&self, snap: &'a Snapshot) -> Option<&'a str> {
        match self.origin {
            HolderOrigin::Network(id) => {
                let n = snap.net(id);
                if n.org != NO_SYM {
                    org_name(snap, id)
                } else {
                    n.object.get("descr")
                }
            }
            HolderOrigin::Delegated(_) => None,
        }
    }

    /// The registry of a delegated-statistics holder.
    pub fn registry<'a>(&self, snap: &'a Snapshot) -> Option<&'a str> {
        match self.origin {
            HolderOrigin::Network(_) => None,
            HolderOrigin::Delegated(pos) => snap.deleg(pos).map(|d| &*d.record.registry),
        }
    }
}

/// The organisation using the space when it is not the holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lessee {
    /// The network naming the lessee in its `org`.
    pub network: NetId,
    pub platform_managed: bool,
}

impl Lessee {
    /// The lessee organisation's handle.
    pub fn handle<'a>(&self, snap: &'a Snapshot) -> &'a str {
        org_handle(snap, snap.net(self.network).org)
    }

    /// The lessee organisation's name.
    pub fn name<'a>(&self, snap: &'a Snapshot) -> Option<&'a str> {
        org_name(snap, self.network)
    }
}

/// An organisation handle as written (the interned upper-case one when the
/// organisation object is not loaded).
fn org_handle(snap: &Snapshot, org: Sym) -> &str {
    snap.entity_sym(org)
        .map(|e| e.object.key())
        .unwrap_or(snap.reg.syms.name(org))
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Network(NetId),
    /// An organisation or other entity, by interned handle.
    Entity(Sym),
    /// An aut-num or as-block, by position.
    AutNum(u32),
}

impl Via {
    /// The key of the object, as written.
    pub fn key<'a>(&self, snap: &'a Snapshot) -> &'a str {
        match *self {
            Via::Network(id) => snap.net(id).object.key(),
            Via::Entity(sym) => snap
                .entity_sym(sym)
                .map(|e| e.handle_text())
                .unwrap_or(snap.reg.syms.name(sym)),
            Via::AutNum(i) => snap
                .reg
                .autnums
                .get(i as usize)
                .map(|a| a.object.key())
                .unwrap_or(""),
        }
    }
}

/// The abuse contact: the role, person, irt or organisation carrying an
/// `abuse-mailbox`, and the object whose reference led there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Abuse {
    /// Position of the entity in `reg.entities`.
    pub entity: u32,
    pub via: Via,
}

impl Abuse {
    /// The mailbox.
    pub fn mailbox<'a>(&self, snap: &'a Snapshot) -> &'a str {
        snap.reg.entities[self.entity as usize]
            .abuse_mailbox()
            .unwrap_or("")
    }

    /// The handle of the entity carrying it.
    pub fn from_handle<'a>(&self, snap: &'a Snapshot) -> &'a str {
        snap.reg.entities[self.entity as usize].handle_text()
    }
}

/// Holder, lessee and abuse contact of one chain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resolution {
    pub holder: Option<Holder>,
    pub lessee: Option<Lessee>,
    pub abuse: Option<Abuse>,
}

/// Resolves a chain (most specific first) and the covering delegated
/// record (its position). Reads no object text.
pub fn resolve(snap: &Snapshot, chain: &[NetId], deleg: Option<u32>) -> Resolution {
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
    let holder_org = holder_pos.map(|p| snap.net(chain[p]).org).unwrap_or(NO_SYM);
    let below = &chain[..holder_pos.unwrap_or(chain.len())];
    let lessee = below.iter().find_map(|&id| {
        let n = snap.net(id);
        if n.is_placeholder() || n.org == NO_SYM || n.org == holder_org {
            return None;
        }
        Some(Lessee {
            network: id,
            platform_managed: n.platform_managed(),
        })
    });
    Resolution {
        holder,
        lessee,
        abuse: abuse_for_chain(snap, chain, holder_pos),
    }
}

/// The entity of a handle when it carries an abuse mailbox.
fn with_mailbox(snap: &Snapshot, sym: Sym) -> Option<u32> {
    let i = snap.reg.entity_by_handle.get(sym)?;
    snap.reg.entities[i as usize].has_abuse_mailbox.then_some(i)
}

/// An `abuse-c`, else the organisation's `abuse-c`, of one object.
pub fn abuse_of(snap: &Snapshot, abuse_c: Sym, org: Sym, via: Via) -> Option<Abuse> {
    if let Some(entity) = with_mailbox(snap, abuse_c) {
        return Some(Abuse { entity, via });
    }
    let org_entity = snap.entity_sym(org)?;
    with_mailbox(snap, org_entity.abuse_c).map(|entity| Abuse {
        entity,
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
        if let Some(entity) = with_mailbox(snap, n.mnt_irt) {
            return Some(Abuse {
                entity,
                via: Via::Network(id),
            });
        }
        if Some(pos) == holder_pos || n.flags & flags::RIR_MAINTAINED != 0 {
            break;
        }
    }
    None
}
