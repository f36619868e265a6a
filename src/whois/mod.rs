//! WHOIS (RFC 3912) in the RIPE style: the text of answers, query lines
//! with their flags ([`request`]), answers to them ([`respond`]) and the
//! port-43 server ([`server`]).
//!
//! Rendering sees only [`query::Answer`] and the snapshot. An address
//! answer starts with three summary comment lines (holder, lessee, RIPE's
//! abuse-contact line), then `% Information related to '...'` and the
//! objects in RPSL text separated by blank lines.

pub mod request;
pub mod respond;
pub mod server;

use crate::lease::{AbuseFrom, HolderOrigin, Lessee, Resolution};
use crate::query::{self, Answer, NetworkAnswer, ObjRef};
use crate::snapshot::Snapshot;
use crate::time;
use std::fmt::Write;

/// RIPE's "no entries found" line.
pub const NO_ENTRIES: &str = "%ERROR:101: no entries found";

/// What a WHOIS query asked to see (RIPE's `-r`, `-G`, `-T`, `-s`).
#[derive(Debug, Default, Clone, Copy)]
pub struct View<'a> {
    /// `-r`: no referenced organisation or role objects.
    pub no_contacts: bool,
    /// `-G`: no `% Information related to` lines.
    pub no_grouping: bool,
    /// `-T`: only these classes.
    pub types: Option<&'a [String]>,
    /// `-s`: only objects of these sources (lower case).
    pub sources: Option<&'a [String]>,
}

impl View<'_> {
    /// True when an object of this class and source is to be shown.
    pub fn shows(&self, class: &str, source: &str) -> bool {
        self.types.is_none_or(|t| t.iter().any(|c| c == class))
            && self
                .sources
                .is_none_or(|s| s.iter().any(|x| x.eq_ignore_ascii_case(source)))
    }

    fn shows_object(&self, o: &crate::rpsl::Object) -> bool {
        self.shows(o.class(), o.get("source").unwrap_or(""))
    }
}

/// Renders an answer as WHOIS text (without the server banner).
pub fn render_answer(snap: &Snapshot, a: &Answer) -> String {
    render_answer_view(snap, a, &View::default())
}

/// Renders an answer as WHOIS text, showing what `view` asks for.
pub fn render_answer_view(snap: &Snapshot, a: &Answer, view: &View) -> String {
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
            render_objects(snap, objects, view, &mut out);
        }
        Answer::Network(na) => render_network(snap, na, view, &mut out),
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
            match *l {
                Lessee::Lease { lease, verified } => {
                    let x = snap.lease(lease);
                    let _ = write!(out, ", lease {} of '{}' from ", x.id(), x.range);
                    time::write(out, x.start);
                    out.push_str(" to ");
                    match x.end {
                        Some(e) => time::write(out, e),
                        None => out.push_str("open end"),
                    }
                    out.push_str(", source ");
                    out.push_str(snap.lease_source(lease));
                    out.push_str(if verified {
                        ", verified"
                    } else {
                        ", unverified (lessor is not the holder)"
                    });
                }
                Lessee::Registry {
                    network,
                    platform_managed,
                } => {
                    let _ = write!(
                        out,
                        ", from '{}', source registry",
                        snap.net(network).object.key()
                    );
                    if platform_managed {
                        out.push_str(", platform-managed");
                    }
                }
            }
            out.push('\n');
        }
        None => out.push_str("% Lessee: none\n"),
    }
    match &res.abuse {
        Some(a) => {
            let key = match a.from {
                AbuseFrom::Lease(l) => snap.lease(l).range.to_string(),
                AbuseFrom::Entity(_) => key,
            };
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

/// Objects, each under `% Information related to 'KEY'` unless `-G`.
pub fn render_objects(snap: &Snapshot, objects: &[ObjRef], view: &View, out: &mut String) {
    let mut any = false;
    for r in objects {
        let o = query::object(snap, *r);
        if !view.shows_object(o) {
            continue;
        }
        any = true;
        if !view.no_grouping {
            let _ = writeln!(
                out,
                "% Information related to '{}'\n",
                query::display_key(snap, *r)
            );
        }
        o.render(out);
        out.push('\n');
    }
    if !any {
        out.push_str(NO_ENTRIES);
        out.push('\n');
    }
}

fn render_network(snap: &Snapshot, na: &NetworkAnswer, view: &View, out: &mut String) {
    summary_lines(snap, na, out);
    out.push('\n');
    if let Some(Lessee::Lease { lease, .. }) = na.resolution.lessee {
        let class = match snap.lease(lease).range.family {
            crate::addr::Family::V4 => "inetnum",
            crate::addr::Family::V6 => "inet6num",
        };
        if view.shows(class, snap.lease_source(lease)) {
            if !view.no_grouping {
                let _ = writeln!(
                    out,
                    "% Lease record of '{}' from {}\n",
                    snap.lease(lease).range,
                    snap.lease_source(lease)
                );
            }
            render_lease(snap, lease, out);
            out.push('\n');
        }
    }
    if !view.no_grouping {
        let _ = writeln!(
            out,
            "% Information related to '{}'\n",
            subject_key(snap, na)
        );
    }
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
    if !view.no_contacts {
        if let Some(i) = snap.reg.entity_by_handle.get(n.org) {
            shown.push(ObjRef::Entity(i));
        }
        if let Some(AbuseFrom::Entity(e)) = na.resolution.abuse.map(|a| a.from) {
            let r = ObjRef::Entity(e);
            if !shown.contains(&r) {
                shown.push(r);
            }
        }
    }
    for r in shown {
        if !view.shows_object(query::object(snap, r)) {
            continue;
        }
        query::object(snap, r).render(out);
        out.push('\n');
    }
}

/// A lease as an RPSL-style object of its source.
pub fn render_lease(snap: &Snapshot, i: u32, out: &mut String) {
    let l = snap.lease(i);
    let class = match l.range.family {
        crate::addr::Family::V4 => "inetnum",
        crate::addr::Family::V6 => "inet6num",
    };
    let key = match l.range.family {
        crate::addr::Family::V4 => l.range.to_string(),
        crate::addr::Family::V6 => l.range.to_prefix_or_range(),
    };
    let end = l.end.map(time::format);
    let asn = l.origin_asn.map(|a| format!("AS{a}"));
    let source = snap.lease_source(i).to_ascii_uppercase();
    let mut attrs: Vec<(&str, &str)> = vec![
        (class, &key),
        ("netname", l.id()),
        ("descr", l.lessee_name()),
    ];
    if let Some(c) = l.country() {
        attrs.push(("country", c));
    }
    attrs.push(("status", "LEASED"));
    attrs.push(("org", l.lessee_handle()));
    attrs.push(("lessor", l.lessor()));
    let start = time::format(l.start);
    attrs.push(("lease-start", &start));
    attrs.push(("lease-end", end.as_deref().unwrap_or("none (open-ended)")));
    if let Some(m) = l.abuse_mailbox() {
        attrs.push(("abuse-mailbox", m));
    }
    if let Some(a) = &asn {
        attrs.push(("origin", a));
    }
    if let Some(g) = l.geofeed() {
        attrs.push(("geofeed", g));
    }
    if !snap.lease_verified(i) {
        attrs.push((
            "remarks",
            "UNVERIFIED: the lessor is not the holder of this space in the registry",
        ));
    }
    attrs.push(("source", &source));
    crate::rpsl::Object::from_attrs(attrs, l.line).render(out);
}

/// Every lease that ever covered the range, oldest first, as lease objects.
pub fn render_history(snap: &Snapshot, r: &crate::addr::IpRange) -> String {
    let leases = crate::lease::lease_history(snap, r);
    let mut out = String::new();
    if leases.is_empty() {
        let _ = writeln!(
            out,
            "%ERROR:101: no entries found\n% No lease record ever covered '{}'",
            r.to_query_string()
        );
        return out;
    }
    let _ = writeln!(
        out,
        "% {} lease record(s) covering '{}', oldest first\n",
        leases.len(),
        r.to_query_string()
    );
    for i in leases {
        render_lease(snap, i, &mut out);
        out.push('\n');
    }
    out
}
