//! WHOIS (RFC 3912) text in the RIPE style.
//!
//! Sees only [`query::Answer`] and the snapshot. An address answer starts
//! with three summary comment lines (holder, lessee, RIPE's abuse-contact
//! line), then `% Information related to '...'` and the objects in RPSL
//! text separated by blank lines.

use crate::lease::{HolderOrigin, Resolution};
use crate::query::{self, Answer, NetworkAnswer, ObjRef};
use crate::snapshot::Snapshot;
use std::fmt::Write;

/// RIPE's "no entries found" line.
pub const NO_ENTRIES: &str = "%ERROR:101: no entries found";

/// Renders an answer as WHOIS text (without the server banner).
pub fn render_answer(snap: &Snapshot, a: &Answer) -> String {
    let mut out = String::with_capacity(1024);
    match a {
        Answer::NotFound => {
            out.push_str(NO_ENTRIES);
            out.push('\n');
        }
        Answer::Objects { objects, abuse } => {
            let first = objects
                .first()
                .map(|r| query::display_key(snap, *r))
                .unwrap_or("");
            match abuse {
                Some(a) => {
                    let _ = writeln!(
                        out,
                        "% Abuse contact for '{first}' is '{}'",
                        a.mailbox(snap)
                    );
                }
                None => {
                    let _ = writeln!(out, "% No abuse contact registered for '{first}'");
                }
            }
            out.push('\n');
            let _ = writeln!(out, "% Information related to '{first}'\n");
            for r in objects {
                query::object(snap, *r).render(&mut out);
                out.push('\n');
            }
        }
        Answer::Network(na) => render_network(snap, na, &mut out),
    }
    out
}

/// The three summary lines for an address answer.
pub fn summary_lines(snap: &Snapshot, na: &NetworkAnswer, out: &mut String) {
    let res: &Resolution = &na.resolution;
    let key = subject_key(snap, na);
    match &res.holder {
        Some(h) => {
            let _ = write!(out, "% Holder: {}", h.handle(snap));
            if let Some(n) = h.name(snap) {
                let _ = write!(out, " ({n})");
            }
            match h.origin {
                HolderOrigin::Network(id) => {
                    let _ = writeln!(out, ", from '{}'", snap.net(id).object.key());
                }
                HolderOrigin::Delegated(_) => {
                    let _ = writeln!(
                        out,
                        ", opaque holder id at {} (delegated statistics)",
                        h.registry(snap).unwrap_or("?")
                    );
                }
            }
        }
        None => out.push_str("% Holder: none\n"),
    }
    match &res.lessee {
        Some(l) => {
            let _ = write!(out, "% Lessee: {}", l.handle(snap));
            if let Some(n) = l.name(snap) {
                let _ = write!(out, " ({n})");
            }
            let _ = write!(
                out,
                ", from '{}', source registry",
                snap.net(l.network).object.key()
            );
            if l.platform_managed {
                out.push_str(", platform-managed");
            }
            out.push('\n');
        }
        None => out.push_str("% Lessee: none\n"),
    }
    match &res.abuse {
        Some(a) => {
            let _ = writeln!(out, "% Abuse contact for '{key}' is '{}'", a.mailbox(snap));
        }
        None => {
            let _ = writeln!(out, "% No abuse contact registered for '{key}'");
        }
    }
}

/// The key the answer is about: the most specific network, else the
/// delegated block, else the query.
fn subject_key(snap: &Snapshot, na: &NetworkAnswer) -> String {
    if let Some(id) = na.network(snap) {
        return snap.net(id).object.key().to_string();
    }
    if let Some(d) = na.delegation.and_then(|i| snap.deleg(i)) {
        if let crate::delegated::Resource::Ip(r) = &d.record.resource {
            return r.to_string();
        }
    }
    na.range.to_string()
}

fn render_network(snap: &Snapshot, na: &NetworkAnswer, out: &mut String) {
    summary_lines(snap, na, out);
    out.push('\n');
    let _ = writeln!(
        out,
        "% Information related to '{}'\n",
        subject_key(snap, na)
    );
    let Some(id) = na.network(snap) else {
        if let Some(d) = na.delegation.and_then(|i| snap.deleg(i)) {
            let r = &d.record;
            let res = match &r.resource {
                crate::delegated::Resource::Ip(x) => x.to_string(),
                crate::delegated::Resource::Asn(a, b) => format!("AS{a} - AS{b}"),
            };
            let _ = writeln!(
                out,
                "% No registry object is loaded for this space; delegated statistics say:\n% registry {}, {}, country {}, status {}, date {}, holder id {}\n",
                r.registry,
                res,
                if r.cc.is_empty() { "-" } else { &r.cc },
                r.status,
                r.date.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
                r.opaque_id.as_deref().unwrap_or("-"),
            );
        }
        return;
    };
    let mut shown: Vec<ObjRef> = vec![ObjRef::Network(id)];
    let n = snap.net(id);
    if let Some(i) = snap.reg.entity_by_handle.get(n.org) {
        shown.push(ObjRef::Entity(i));
    }
    if let Some(a) = &na.resolution.abuse {
        {
            let r = ObjRef::Entity(a.entity);
            if !shown.contains(&r) {
                shown.push(r);
            }
        }
    }
    for r in shown {
        query::object(snap, r).render(out);
        out.push('\n');
    }
}
