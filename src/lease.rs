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

use crate::dump::Delegation;
use crate::model::{flags, Network, StatusKind, Sym, NO_SYM};
use crate::snapshot::{NetId, Snapshot};

/// Where a holder fact comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HolderOrigin {
    /// A registry-issued network object.
    Network(NetId),
    /// Only a delegated-statistics record covers the space.
    Delegated { registry: String },
}

/// The organisation holding the space from the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// Organisation handle, or the registry's opaque holder id.
    pub handle: String,
    pub name: Option<String>,
    pub origin: HolderOrigin,
}

/// The organisation using the space when it is not the holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lessee {
    pub handle: String,
    pub name: Option<String>,
    /// The network naming the lessee.
    pub network: NetId,
    pub platform_managed: bool,
}

/// The abuse mailbox and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abuse {
    pub mailbox: String,
    /// The role (or irt, or organisation) carrying the mailbox.
    pub from_handle: String,
    /// The object whose reference led there (a network key, org or aut-num).
    pub via: String,
}

/// Holder, lessee and abuse contact of one chain.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolution {
    pub holder: Option<Holder>,
    pub lessee: Option<Lessee>,
    pub abuse: Option<Abuse>,
}

/// Resolves a chain (most specific first) and the covering delegation.
pub fn resolve(snap: &Snapshot, chain: &[NetId], deleg: Option<&Delegation>) -> Resolution {
    let holder_pos = chain.iter().rposition(|&id| {
        let n = snap.net(id);
        n.kind == StatusKind::Registry && !n.is_placeholder()
    });
    let holder = match holder_pos {
        Some(p) => Some(holder_of(snap, chain[p])),
        None => deleg.and_then(|d| {
            let r = &d.record;
            if !r.is_delegated() {
                return None;
            }
            r.opaque_id.as_ref().map(|id| Holder {
                handle: id.to_string(),
                name: None,
                origin: HolderOrigin::Delegated {
                    registry: r.registry.to_string(),
                },
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
        let (handle, name) = org_names(snap, n);
        Some(Lessee {
            handle,
            name,
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

fn holder_of(snap: &Snapshot, id: NetId) -> Holder {
    let n = snap.net(id);
    let (handle, name) = if n.org != NO_SYM {
        org_names(snap, n)
    } else {
        // no organisation (old objects): the network names itself
        let netname = n
            .object
            .get("netname")
            .unwrap_or(n.object.key())
            .to_string();
        (netname, n.object.get("descr").map(str::to_string))
    };
    Holder {
        handle,
        name,
        origin: HolderOrigin::Network(id),
    }
}

/// Handle and name of a network's organisation: the organisation object's
/// `org-name`, or LACNIC's inline `owner`.
fn org_names(snap: &Snapshot, n: &Network) -> (String, Option<String>) {
    let handle = snap.reg.syms.name(n.org);
    let entity = snap.entity_sym(n.org);
    let display = entity.map(|e| e.object.key()).unwrap_or(handle).to_string();
    let name = entity
        .and_then(|e| e.name())
        .or_else(|| n.object.get("owner"))
        .map(str::to_string);
    (display, name)
}

/// The abuse mailbox of a role, person, irt or organisation handle.
fn mailbox_of(snap: &Snapshot, sym: Sym) -> Option<(String, String)> {
    let e = snap.entity_sym(sym)?;
    let m = e.abuse_mailbox()?;
    Some((m.to_string(), e.handle_text().to_string()))
}

/// An `abuse-c`, else the organisation's `abuse-c`, of one object.
pub fn abuse_of(snap: &Snapshot, abuse_c: Sym, org: Sym, key: &str) -> Option<Abuse> {
    let found = |(mailbox, from_handle): (String, String), via: String| Abuse {
        mailbox,
        from_handle,
        via,
    };
    if let Some(m) = mailbox_of(snap, abuse_c) {
        return Some(found(m, key.to_string()));
    }
    let org_entity = snap.entity_sym(org)?;
    let org_abuse = org_entity.object.get("abuse-c")?;
    let sym = snap.reg.syms.get(org_abuse)?;
    mailbox_of(snap, sym).map(|m| found(m, org_entity.object.key().to_string()))
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
        if let Some(a) = abuse_of(snap, n.abuse_c, n.org, n.object.key()) {
            return Some(a);
        }
        if let Some((mailbox, from_handle)) = mailbox_of(snap, n.mnt_irt) {
            return Some(Abuse {
                mailbox,
                from_handle,
                via: n.object.key().to_string(),
            });
        }
        if Some(pos) == holder_pos || n.flags & flags::RIR_MAINTAINED != 0 {
            break;
        }
    }
    None
}
