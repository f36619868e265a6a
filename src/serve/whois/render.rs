//! WHOIS answers as text in the RIPE style, rendered from the one resolved
//! answer: three summary lines for address space (holder, lessee, RIPE's
//! abuse-contact line), then `% Information related to '...'` and the
//! objects in RPSL text separated by blank lines; referrals with a
//! `refer:` line; leases as RPSL-style objects of their source.

use crate::query::{
    Basis, Elsewhere, Found, HolderFrom, LeaseView, LesseeFrom, ObjectView, Resolved, Subject,
};
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
    /// `-K` / `-F`: how each object is written.
    pub form: Form,
}

/// How an object is written.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Every attribute, values aligned.
    #[default]
    Full,
    /// `-K`: the class line and the primary key (`nic-hdl` of a person or
    /// role, `origin` of a route) only.
    Keys,
    /// `-F`: RIPE's fast raw output, `*xx: value` with the two-letter
    /// attribute names (an attribute without one keeps its name).
    Short,
}

/// RIPE's two-letter names of the attributes (`-F`).
const SHORT_NAMES: &[(&str, &str)] = &[
    ("inetnum", "in"),
    ("inet6num", "i6"),
    ("netname", "na"),
    ("descr", "de"),
    ("country", "cy"),
    ("geoloc", "gl"),
    ("language", "ln"),
    ("org", "og"),
    ("admin-c", "ac"),
    ("tech-c", "tc"),
    ("abuse-c", "au"),
    ("status", "st"),
    ("assignment-size", "ae"),
    ("remarks", "rm"),
    ("notify", "ny"),
    ("mnt-by", "mb"),
    ("mnt-lower", "ml"),
    ("mnt-routes", "mu"),
    ("mnt-domains", "md"),
    ("mnt-irt", "mi"),
    ("mnt-ref", "mz"),
    ("changed", "ch"),
    ("source", "so"),
    ("aut-num", "an"),
    ("as-name", "aa"),
    ("member-of", "mo"),
    ("import", "ip"),
    ("mp-import", "my"),
    ("export", "ex"),
    ("mp-export", "me"),
    ("default", "df"),
    ("mp-default", "ma"),
    ("as-block", "ak"),
    ("organisation", "oa"),
    ("org-name", "on"),
    ("org-type", "ot"),
    ("address", "ad"),
    ("phone", "ph"),
    ("fax-no", "fx"),
    ("e-mail", "em"),
    ("abuse-mailbox", "am"),
    ("role", "ro"),
    ("person", "pn"),
    ("nic-hdl", "nh"),
    ("irt", "it"),
    ("auth", "at"),
    ("signature", "sg"),
    ("encryption", "en"),
    ("irt-nfy", "iy"),
    ("mntner", "mt"),
    ("upd-to", "dt"),
    ("mnt-nfy", "mn"),
    ("domain", "dn"),
    ("zone-c", "zc"),
    ("nserver", "ns"),
    ("ds-rdata", "ds"),
    ("route", "rt"),
    ("route6", "r6"),
    ("origin", "or"),
    ("holes", "ho"),
    ("members", "ms"),
    ("mp-members", "mm"),
];

/// Writes an object's attributes in the form asked.
pub fn write_attrs<'x, V: std::fmt::Display>(
    form: Form,
    attrs: impl IntoIterator<Item = (&'x str, V)>,
    out: &mut String,
) {
    let mut class = "";
    for (i, (n, v)) in attrs.into_iter().enumerate() {
        if i == 0 {
            class = n;
        }
        match form {
            Form::Keys => {
                let key = i == 0
                    || (matches!(class, "person" | "role") && n == "nic-hdl")
                    || (matches!(class, "route" | "route6") && n == "origin");
                if key {
                    let _ = writeln!(
                        out,
                        "{n}:{:pad$}{v}",
                        "",
                        pad = 16usize.saturating_sub(n.len() + 1).max(1)
                    );
                }
            }
            Form::Short => match SHORT_NAMES.iter().find(|(long, _)| *long == n) {
                Some((_, short)) => {
                    let _ = writeln!(out, "*{short}: {v}");
                }
                None => {
                    let _ = writeln!(out, "{n}: {v}");
                }
            },
            Form::Full => {
                let _ = writeln!(
                    out,
                    "{n}:{:pad$}{v}",
                    "",
                    pad = 16usize.saturating_sub(n.len() + 1).max(1)
                );
            }
        }
    }
}

impl View<'_> {
    /// True when an object of this class and source is to be shown.
    pub fn shows(&self, class: &str, source: &str) -> bool {
        self.types.is_none_or(|t| t.iter().any(|c| c == class))
            && self
                .sources
                .is_none_or(|s| s.iter().any(|x| x.eq_ignore_ascii_case(source)))
    }

    fn shows_object(&self, o: &ObjectView) -> bool {
        self.shows(o.class(), o.source())
    }

    /// True when the answer has anything this view shows: with `-T` or
    /// `-s`, an answer none of whose objects pass is "no entries found"
    /// (RIPE's `-T inet6num` on an IPv4 query), not a summary alone.
    pub fn shows_any(&self, found: &Found) -> bool {
        if self.types.is_none() && self.sources.is_none() {
            // nothing filtered: no objects to walk on every answer
            return !matches!(found, Found::NotFound { special: None, .. });
        }
        match found {
            Found::NotFound { .. } => false,
            Found::Objects { objects, .. } => objects.iter().any(|o| self.shows_object(o)),
            Found::Network(res) => {
                let lease = res.lessee.as_ref().and_then(|l| l.lease());
                lease.is_some_and(|l| self.shows(l.class(), l.source()))
                    || res
                        .objects(self.no_contacts)
                        .iter()
                        .any(|o| self.shows_object(o))
                    || match &res.subject {
                        // a delegated record: shown as the family's class
                        Some(Subject::Delegated(d)) => {
                            let class = match d.range().family {
                                crate::addr::Family::V4 => "inetnum",
                                crate::addr::Family::V6 => "inet6num",
                            };
                            self.types.is_none_or(|t| t.iter().any(|c| c == class))
                        }
                        _ => false,
                    }
            }
        }
    }
}

/// Renders an answer as WHOIS text (without the server banner); with
/// `resource`, what is loaded here even for space answered elsewhere
/// (WHOIS `--resource`).
pub fn render_found(f: &Found, resource: bool) -> String {
    let mut out = String::with_capacity(1024);
    match f {
        Found::Network(res) if resource => render_network(res, &View::default(), &mut out),
        _ => render_found_view(f, &View::default(), &mut out),
    }
    out
}

/// Appends an answer as WHOIS text, showing what `view` asks for; space
/// answered elsewhere is referred there.
pub fn render_found_view(f: &Found, view: &View, out: &mut String) {
    match f {
        Found::NotFound {
            special: Some(s),
            routing,
            ..
        } => {
            render_special(s, out);
            if let Some(r) = routing {
                out.push('\n');
                routing_lines(r, out);
            }
        }
        Found::NotFound {
            elsewhere, routing, ..
        } => match elsewhere {
            Some(e) => render_referral_routed(e, routing.as_deref(), out),
            None => {
                out.push_str(NO_ENTRIES);
                out.push('\n');
                if let Some(r) = routing {
                    out.push('\n');
                    routing_lines(r, out);
                }
            }
        },
        Found::Objects { objects, abuse } => {
            let first = objects.first().map(|o| o.display_key()).unwrap_or("");
            match abuse {
                Some(a) => {
                    let _ = writeln!(out, "% Abuse contact for '{first}' is '{}'", a.mailbox);
                }
                None => {
                    let _ = writeln!(out, "% No abuse contact registered for '{first}'");
                }
            }
            out.push('\n');
            render_objects(objects, view, out);
        }
        Found::Network(res) => match &res.elsewhere {
            Some(e) => render_referral_routed(e, res.routing.as_ref(), out),
            None => render_network(res, view, out),
        },
    }
}

/// A referral, then what routing says of the space (routing evidence is
/// this server's own, whoever holds the space).
pub fn render_referral_routed(
    e: &Elsewhere,
    routing: Option<&crate::query::RoutingView>,
    out: &mut String,
) {
    render_referral(e, out);
    if let Some(r) = routing {
        out.push('\n');
        routing_lines(r, out);
    }
}

/// A referral to the registry that answers for the space (RIPE's
/// `% This query was served by ...` style, with a `refer:` line that
/// clients such as Debian's `whois` follow).
pub fn render_referral(e: &Elsewhere, out: &mut String) {
    let what = match e.basis {
        Basis::Delegated(r) => format!("'{r}' in its delegated statistics"),
        Basis::DelegatedAsn(a, b) => format!("'AS{a} - AS{b}' in its delegated statistics"),
        Basis::Bootstrap => "this space in IANA's RDAP bootstrap".to_string(),
        Basis::AddressSpace => "this space in IANA's address-space registry".to_string(),
    };
    match e.whois() {
        Some(server) => {
            let _ = write!(
                out,
                "% This query was not answered here: refer to {server}\n% ({} is the registry of {what}; no {} data is loaded here.\n% Ask again with --resource for what is loaded.)\n\nrefer:          {server}\n",
                e.name(),
                e.name()
            );
        }
        None => {
            let _ = write!(
                out,
                "{NO_ENTRIES}\n% This space is served by the RDAP service at {} ({what}).\n",
                e.rdap
            );
        }
    }
}

/// The three summary lines for an address answer.
pub fn summary_lines(res: &Resolved, out: &mut String) {
    let key = res.subject_key();
    match &res.holder {
        // pushed piece by piece: these lines are on every address's answer
        Some(h) => {
            push_all(out, &["% Holder: ", h.handle]);
            if let Some(n) = h.name_note() {
                push_all(out, &[" (", &n, ")"]);
            }
            match h.from {
                HolderFrom::Network(n) => push_all(out, &[", from '", n.key(), "'\n"]),
                HolderFrom::Delegated { registry } => {
                    let _ = writeln!(
                        out,
                        ", opaque holder id at {registry} (delegated statistics)"
                    );
                }
            }
        }
        None => out.push_str("% Holder: none\n"),
    }
    match &res.lessee {
        Some(l) => {
            push_all(out, &["% Lessee: ", l.handle]);
            if let Some(n) = l.name() {
                push_all(out, &[" (", n, ")"]);
            }
            match l.from {
                LesseeFrom::Lease(x) => {
                    let _ = write!(out, ", lease {} of '{}' from ", x.id(), x.range());
                    time::write(out, x.start());
                    out.push_str(" to ");
                    match x.end() {
                        Some(e) => time::write(out, e),
                        None => out.push_str("open end"),
                    }
                    out.push_str(", source ");
                    out.push_str(x.source());
                    out.push_str(if x.verified() {
                        ", verified"
                    } else {
                        ", unverified (lessor is not the holder)"
                    });
                }
                LesseeFrom::Registry(n) => {
                    push_all(out, &[", from '", n.key(), "', source registry"]);
                    if l.platform_managed {
                        out.push_str(", platform-managed");
                    }
                }
            }
            out.push('\n');
        }
        None => out.push_str("% Lessee: none\n"),
    }
    match &res.abuse {
        Some(a) => push_all(
            out,
            &[
                "% Abuse contact for '",
                &a.for_key(&key),
                "' is '",
                a.mailbox,
                "'\n",
            ],
        ),
        None => push_all(out, &["% No abuse contact registered for '", &key, "'\n"]),
    }
    if let Some(r) = &res.routing {
        routing_lines(r, out);
    }
}

/// Appends every piece.
fn push_all(out: &mut String, pieces: &[&str]) {
    pieces.iter().for_each(|p| out.push_str(p));
}

/// The routing summary line (`% Routed by: ...`), and the routing
/// inference of the user when there is one, labelled as such.
pub fn routing_lines(r: &crate::query::RoutingView, out: &mut String) {
    let as_of = r.as_of_text();
    let sep = if as_of.is_empty() { "" } else { ", " };
    match &r.route {
        Some(route) => {
            let _ = writeln!(
                out,
                "% Routed by: {} (route {}{sep}{as_of})",
                route.summary(),
                route.prefix.to_prefix_or_range()
            );
            if let Some(u) = &route.likely_user {
                let _ = writeln!(
                    out,
                    "% Likely user (inferred from routing, not a registry record): {}",
                    u.label()
                );
            }
        }
        None => {
            let _ = writeln!(out, "% Routed by: none ({}{sep}{as_of})", r.unrouted_text());
        }
    }
}

/// Objects, each under `% Information related to 'KEY'` unless `-G`.
pub fn render_objects(objects: &[ObjectView], view: &View, out: &mut String) {
    let mut any = false;
    for o in objects {
        if !view.shows_object(o) {
            continue;
        }
        any = true;
        if !view.no_grouping {
            let _ = writeln!(out, "% Information related to '{}'\n", o.display_key());
        }
        write_object(o, view.form, out);
        out.push('\n');
    }
    if !any {
        out.push_str(NO_ENTRIES);
        out.push('\n');
    }
}

pub(super) fn render_network(res: &Resolved, view: &View, out: &mut String) {
    summary_lines(res, out);
    out.push('\n');
    if let Some(lease) = res.lessee.as_ref().and_then(|l| l.lease()) {
        if view.shows(lease.class(), lease.source()) {
            if !view.no_grouping {
                let _ = writeln!(
                    out,
                    "% Lease record of '{}' from {}\n",
                    lease.range(),
                    lease.source()
                );
            }
            render_lease_as(&lease, view.form, out);
            out.push('\n');
        }
    }
    if !view.no_grouping {
        let _ = writeln!(out, "% Information related to '{}'\n", res.subject_key());
    }
    if let Some(Subject::Delegated(d)) = &res.subject {
        let _ = writeln!(
            out,
            "% No registry object is loaded for this space; delegated statistics say:\n% registry {}, {}, country {}, status {}, date {}, holder id {}\n",
            d.registry(),
            d.resource(),
            d.country().unwrap_or("-"),
            d.status(),
            d.date().map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
            d.opaque_id().unwrap_or("-"),
        );
        return;
    }
    for o in res.objects(view.no_contacts) {
        if !view.shows_object(&o) {
            continue;
        }
        write_object(&o, view.form, out);
        out.push('\n');
    }
}

/// An object in the form asked.
fn write_object(o: &ObjectView, form: Form, out: &mut String) {
    match form {
        Form::Full => o.render(out),
        _ => write_attrs(form, o.attrs(), out),
    }
}

/// Special-purpose space: what it is, and that no one holds it.
pub fn render_special(s: &crate::query::SpecialPurpose, out: &mut String) {
    let _ = writeln!(
        out,
        "% Special-purpose address space: '{}', {} ({})\n% Reserved by IANA: delegated to no one, so no holder, lessee or abuse contact exists.",
        s.block, s.name, s.rfc
    );
}

/// A lease as an RPSL-style object of its source.
pub fn render_lease(l: &LeaseView, out: &mut String) {
    render_lease_as(l, Form::Full, out)
}

/// A lease as an RPSL-style object, in the form asked.
fn render_lease_as(l: &LeaseView, form: Form, out: &mut String) {
    let class = l.class();
    let key = match class {
        "inetnum" => l.range().to_string(),
        _ => l.range().to_prefix_or_range(),
    };
    let end = l.end().map(time::format);
    let asn = l.origin_asn().map(|a| format!("AS{a}"));
    let source = l.source().to_ascii_uppercase();
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
    let start = time::format(l.start());
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
    if !l.verified() {
        attrs.push((
            "remarks",
            "UNVERIFIED: the lessor is not the holder of this space in the registry",
        ));
    }
    attrs.push(("source", &source));
    match form {
        Form::Full => crate::query::render_attrs(attrs, l.line(), out),
        _ => write_attrs(form, attrs, out),
    }
}

/// Every lease that ever covered the range, oldest first, as lease objects.
pub fn render_history(history: &crate::query::History, r: &crate::addr::IpRange) -> String {
    let leases = &history.leases;
    let mut out = String::new();
    if leases.is_empty() {
        let _ = writeln!(
            out,
            "{NO_ENTRIES}\n% No lease record ever covered '{}'",
            r.to_query_string()
        );
        return out;
    }
    let _ = writeln!(
        out,
        "% {} lease record(s) covering '{}', oldest first\n",
        leases.len() + history.omitted,
        r.to_query_string()
    );
    if history.omitted > 0 {
        let _ = writeln!(
            out,
            "% Output truncated: the {} oldest are not shown (at most {} are)\n",
            history.omitted,
            crate::query::HISTORY_LIMIT
        );
    }
    for l in leases {
        render_lease(l, &mut out);
        out.push('\n');
    }
    out
}
