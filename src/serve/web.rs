//! The lookup page for people, at `/` on the HTTP and HTTPS listeners: a
//! search box, and for an address, prefix or range a page that shows at a
//! glance the holder, the current lessee (term, source, verification), the
//! abuse mailbox and where it came from, the registry object, and a picture
//! of the block: the holder's allocation as a bar, its sub-allocations,
//! assignments and leases as coloured segments, the queried address marked.
//!
//! Plain HTML with inline CSS and a server-drawn SVG: no JavaScript, readable
//! on a phone. Made from the same resolved answer ([`crate::query::lookup`]) as WHOIS and RDAP;
//! space another registry answers for says which one, and links there.
//! Every piece of data is HTML-escaped.

use crate::query::{
    self, AbuseSource, Basis, Elsewhere, Found, HolderFrom, LesseeFrom, Query, Resolved, Subject,
};
use crate::snapshot::Snapshot;
use crate::time::{self, Timestamp};
use std::fmt::Write;

/// A page: status and HTML.
pub struct Page {
    pub status: u16,
    pub html: String,
}

/// Most segments drawn in the picture of a block.
const MAX_SEGMENTS: usize = 300;

/// The page for `/` with the query string `params` (`q`, `history`, `at`).
pub fn page(snap: &Snapshot, params: &[(String, String)], now: Timestamp, rdap_base: &str) -> Page {
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim());
    let q = param("q").unwrap_or("");
    let mut body = String::new();
    let at = match param("at").filter(|t| !t.is_empty()) {
        None => Ok(now),
        Some(t) => time::parse(t).map_err(|e| e.to_string()),
    };
    let status = match (q.is_empty(), at) {
        (true, _) => {
            intro(snap, &mut body);
            200
        }
        (false, Err(e)) => {
            message(&mut body, "Bad time", &format!("at: {e}"));
            400
        }
        (false, Ok(at)) => match query::parse_query(q) {
            Err(e) => {
                message(&mut body, "Not a query", &e.to_string());
                400
            }
            Ok(parsed) => {
                let history = param("history").is_some();
                result(snap, q, &parsed, at, history, rdap_base, &mut body)
            }
        },
    };
    Page {
        status,
        html: frame(snap, q, &body),
    }
}

/// HTML-escapes text for element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A moment as a date when it is midnight UTC, else in full (RFC 3339).
fn day(t: Timestamp) -> String {
    let full = time::format(t);
    match full.strip_suffix("T00:00:00Z") {
        Some(d) => d.to_string(),
        None => full,
    }
}

/// A query string value, percent-encoded.
fn enc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:".contains(&b) {
            o.push(b as char);
        } else {
            let _ = write!(o, "%{b:02X}");
        }
    }
    o
}

fn lookup_link(text: &str) -> String {
    format!("<a href=\"/?q={}\">{}</a>", enc(text), esc(text))
}

const STYLE: &str = "
:root{--fg:#1d2327;--muted:#5b6770;--line:#d5dbe0;--bg:#fff;--accent:#0b5cad}
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header,main,footer{max-width:64rem;margin:0 auto;padding:0.75rem 1rem}
header h1{margin:0;font-size:1.4rem}header h1 a{color:inherit;text-decoration:none}
header p{margin:0.2rem 0 0.6rem;color:var(--muted)}
form{display:flex;gap:0.5rem;flex-wrap:wrap}
input[type=search]{flex:1 1 16rem;font-size:1.05rem;padding:0.5rem 0.6rem;border:1px solid var(--line);border-radius:6px}
button{font-size:1.05rem;padding:0.5rem 1rem;border:0;border-radius:6px;background:var(--accent);color:#fff}
h2{font-size:1.05rem;margin:0 0 0.3rem}
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:0.75rem;margin:0.5rem 0 1rem}
.fact{border:1px solid var(--line);border-radius:8px;padding:0.7rem 0.8rem}
.fact .name{font-size:1.15rem;font-weight:600;margin:0;word-break:break-word}
.fact p{margin:0.2rem 0}.muted{color:var(--muted)}
.tag{display:inline-block;font-size:0.8rem;padding:0 0.4rem;border-radius:4px;background:#eef2f5}
.tag.ok{background:#dff3e4}.tag.warn{background:#fde8c8}
pre{overflow-x:auto;background:#f6f8fa;border:1px solid var(--line);border-radius:6px;padding:0.6rem;font-size:0.85rem}
svg{width:100%;height:auto;display:block}
.legend{display:flex;flex-wrap:wrap;gap:0.3rem 1rem;font-size:0.85rem;color:var(--muted);margin:0.3rem 0 0}
.ends{display:flex;justify-content:space-between;font-size:0.85rem;color:var(--muted);margin:0 0 0.2rem}
.legend i{display:inline-block;width:0.8rem;height:0.8rem;border-radius:2px;margin-right:0.3rem;vertical-align:-0.1rem}
a{color:var(--accent)}
footer{color:var(--muted);font-size:0.85rem;border-top:1px solid var(--line)}
";

fn frame(snap: &Snapshot, q: &str, body: &str) -> String {
    let title = if q.is_empty() {
        "tenure lookup".to_string()
    } else {
        format!("{} - tenure lookup", esc(q))
    };
    let data = query::about(snap);
    let lines = data.source_lines();
    let mut o = String::with_capacity(body.len() + 4096);
    let _ = write!(
        o,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><style>{STYLE}</style></head><body>\
<header><h1><a href=\"/\">tenure</a></h1>\
<p>Who holds an IP address, who leases it now, and where abuse mail goes.</p>\
<form action=\"/\" method=\"get\" role=\"search\">\
<input type=\"search\" name=\"q\" value=\"{}\" placeholder=\"address, prefix, AS number or handle\" aria-label=\"query\" required>\
<button type=\"submit\">Look up</button></form></header><main>{body}</main>\
<footer>Data serial {} from {}. Answers as WHOIS (port 43) and RDAP give them.</footer></body></html>\n",
        esc(q),
        data.serial(),
        esc(&lines[..lines.len().saturating_sub(1)].join("; "))
    );
    o
}

fn intro(snap: &Snapshot, o: &mut String) {
    let _ = write!(
        o,
        "<p>Type an IPv4 or IPv6 address, a prefix (<code>192.0.2.0/24</code>), a range, an AS number (<code>AS64500</code>) or a handle. \
The answer names the <b>holder</b> of the space in the registry, the <b>lessee</b> using it now (from lease records or the registry), \
and the <b>abuse mailbox</b> reports should go to.</p><p class=\"muted\">{} networks and {} leases loaded.</p>",
        query::about(snap).networks(),
        query::about(snap).leases()
    );
}

fn message(o: &mut String, title: &str, text: &str) {
    let _ = write!(
        o,
        "<section id=\"message\"><h2>{}</h2><p>{}</p></section>",
        esc(title),
        esc(text)
    );
}

fn result(
    snap: &Snapshot,
    q: &str,
    parsed: &Query,
    at: Timestamp,
    history: bool,
    rdap_base: &str,
    o: &mut String,
) -> u16 {
    match query::lookup(snap, parsed, at) {
        Found::Network(res) => {
            if let Some(e) = &res.elsewhere {
                elsewhere(o, q, e);
            }
            network(snap, q, &res, at, history, rdap_base, o);
            200
        }
        Found::Objects { objects, abuse } if !objects.is_empty() => {
            if let Some(a) = abuse {
                let _ = write!(
                    o,
                    "<section class=\"facts\"><div class=\"fact\" id=\"abuse\"><h2>Abuse mailbox</h2><p class=\"name\"><a href=\"mailto:{m}\">{m}</a></p><p class=\"muted\">from {}</p></div></section>",
                    esc(a.handle()),
                    m = esc(a.mailbox)
                );
            }
            o.push_str("<section id=\"object\"><h2>Registry objects</h2><pre>");
            for obj in &objects {
                let mut text = String::new();
                obj.render(&mut text);
                o.push_str(&esc(&text));
                o.push('\n');
            }
            o.push_str("</pre></section>");
            200
        }
        Found::NotFound {
            special: Some(s), ..
        } => {
            message(
                o,
                "Special-purpose address space",
                &format!(
                    "{} is {} ({}), reserved by IANA: delegated to no one, so no holder, lessee or abuse contact exists.",
                    s.block, s.name, s.rfc
                ),
            );
            200
        }
        Found::NotFound {
            elsewhere: Some(e), ..
        } => {
            elsewhere(o, q, &e);
            404
        }
        _ => {
            message(
                o,
                "No entries found",
                &format!("Nothing loaded here answers '{q}'."),
            );
            404
        }
    }
}

/// Space another registry answers for: which one, and links to ask it.
fn elsewhere(o: &mut String, q: &str, e: &Elsewhere) {
    let why = match e.basis {
        Basis::Delegated(r) => format!("its delegated statistics list {r}"),
        Basis::DelegatedAsn(a, b) => format!("its delegated statistics list AS{a} - AS{b}"),
        Basis::Bootstrap => "IANA's RDAP bootstrap names its service".to_string(),
        Basis::AddressSpace => "IANA's address-space registry names who was given it".to_string(),
    };
    let _ = write!(
        o,
        "<section id=\"elsewhere\"><h2>Ask {name}</h2><p>This space is {name}'s ({why}); no {name} data is loaded here. \
<a href=\"{url}\">{name}'s RDAP answer</a>",
        name = esc(&e.name()),
        why = esc(&why),
        url = esc(&format!("{}{}", e.rdap, rdap_path_of(q))),
    );
    if let Some(w) = e.whois() {
        let _ = write!(
            o,
            " &middot; whois: <code>whois -h {} {}</code>",
            esc(w),
            esc(q)
        );
    }
    o.push_str("</p></section>");
}

/// The RDAP path for a query (`ip/...` or `autnum/...`).
fn rdap_path_of(q: &str) -> String {
    match query::parse_query(q) {
        Ok(Query::Asn(n)) | Ok(Query::AsnRange(n, _)) => format!("autnum/{n}"),
        Ok(Query::Range(r)) if r.start == r.end => format!("ip/{}", r.start_addr()),
        Ok(Query::Range(r)) => format!("ip/{}", r.to_query_string().replace(' ', "%20")),
        _ => String::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn network(
    snap: &Snapshot,
    q: &str,
    res: &Resolved,
    at: Timestamp,
    history: bool,
    rdap_base: &str,
    o: &mut String,
) {
    let r = res.range();
    o.push_str("<section class=\"facts\" id=\"summary\">");
    holder_card(res, o);
    lessee_card(res, o);
    abuse_card(res, o);
    if let Some(r) = &res.routing {
        routing_card(r, o);
    }
    o.push_str("</section>");
    // the picture
    block_picture(q, res, at, o);
    // the registry object and links
    let rdap_path = if r.start == r.end {
        r.start_addr().to_string()
    } else {
        r.to_query_string().replace(' ', "%20")
    };
    let _ = write!(
        o,
        "<p><a href=\"{}ip/{}\">RDAP JSON</a> &middot; <a href=\"/?q={}&amp;history=1\">lease history</a></p>",
        esc(rdap_base),
        esc(&rdap_path),
        enc(q)
    );
    if history {
        let leases = query::lease_history(snap, &r);
        let _ = write!(
            o,
            "<section id=\"history\"><h2>Lease history</h2><pre>{}</pre></section>",
            esc(&crate::whois::render_history(&leases, &r))
        );
    }
    if let Some(Subject::Network(n)) = &res.subject {
        let mut text = String::new();
        n.object().render(&mut text);
        let _ = write!(
            o,
            "<section id=\"object\"><h2>Registry object</h2><pre>{}</pre></section>",
            esc(&text)
        );
    }
}

/// The holder's card: name, handle, and where it was read.
fn holder_card(res: &Resolved, o: &mut String) {
    o.push_str("<div class=\"fact\" id=\"holder\"><h2>Holder</h2>");
    match &res.holder {
        Some(h) => {
            // an opaque id from delegated statistics names no object here
            let handle = match h.from {
                HolderFrom::Network(_) => lookup_link(h.handle),
                HolderFrom::Delegated { .. } => esc(h.handle),
            };
            let _ = write!(
                o,
                "<p class=\"name\">{}</p><p>{handle}</p>",
                esc(h.display_name()),
            );
            if let Some(d) = h.description {
                let _ = write!(
                    o,
                    "<p class=\"muted\">the registry's description: {}</p>",
                    esc(d)
                );
            }
            match h.from {
                HolderFrom::Network(n) => {
                    let _ = write!(o, "<p class=\"muted\">from {}</p>", lookup_link(n.key()));
                }
                HolderFrom::Delegated { registry } => {
                    let _ = write!(
                        o,
                        "<p class=\"muted\">opaque holder id at {} (delegated statistics)</p>",
                        esc(registry)
                    );
                }
            }
        }
        None => o.push_str("<p class=\"name\">none known</p>"),
    }
    o.push_str("</div>");
}

/// The current lessee's card: a lease (term, source, verification) or the
/// registry's lessee.
fn lessee_card(res: &Resolved, o: &mut String) {
    o.push_str("<div class=\"fact\" id=\"lessee\"><h2>Current lessee</h2>");
    match &res.lessee {
        Some(l) => {
            let _ = write!(
                o,
                "<p class=\"name\">{}</p><p>{}</p>",
                esc(l.display_name()),
                esc(l.handle)
            );
            match l.from {
                LesseeFrom::Lease(x) => {
                    let end = x.end().map(day).unwrap_or_else(|| "open end".into());
                    let verified = x.verified();
                    let _ = write!(
                        o,
                        "<p>lease {} of {}<br>{} to {}</p><p>source {} <span class=\"tag {}\">{}</span></p>",
                        esc(x.id()),
                        esc(&x.range().to_string()),
                        day(x.start()),
                        esc(&end),
                        esc(x.source()),
                        if verified { "ok" } else { "warn" },
                        if verified {
                            "verified: the lessor holds this space"
                        } else {
                            "unverified: the lessor is not the holder"
                        }
                    );
                }
                LesseeFrom::Registry(n) => {
                    let _ = write!(
                        o,
                        "<p class=\"muted\">from the registry object {} (no lease record)</p>",
                        lookup_link(n.key())
                    );
                    if l.platform_managed {
                        o.push_str("<p><span class=\"tag\">maintained by a leasing platform</span></p>");
                    }
                }
            }
        }
        None => o.push_str("<p class=\"name\">none</p><p class=\"muted\">no lease record is current, and the registry names no other organisation below the holder</p>"),
    }
    o.push_str("</div>");
}

/// The abuse mailbox's card, with where it was found.
fn abuse_card(res: &Resolved, o: &mut String) {
    o.push_str("<div class=\"fact\" id=\"abuse\"><h2>Abuse mailbox</h2>");
    match &res.abuse {
        Some(a) => {
            let from = match a.from {
                AbuseSource::Lease(l) => format!("the lease record {}", esc(l.id())),
                AbuseSource::Entity(_) => lookup_link(a.handle()),
            };
            let _ = write!(
                o,
                "<p class=\"name\"><a href=\"mailto:{m}\">{m}</a></p><p class=\"muted\">from {from}, found via {}</p>",
                esc(a.via()),
                m = esc(a.mailbox)
            );
        }
        None => o.push_str("<p class=\"name\">none registered</p>"),
    }
    o.push_str("</div>");
}

/// The routing card: who announces the space, whether that network is the
/// holder's, RPKI, and the inferred user, labelled as an inference.
fn routing_card(r: &query::RoutingView, o: &mut String) {
    o.push_str("<div class=\"fact\" id=\"routing\"><h2>Routed by</h2>");
    match &r.route {
        Some(route) => {
            // the ASes as the card's name, each origin's holder and RPKI
            // state below
            let names: Vec<String> = route
                .origins
                .iter()
                .map(|x| match x.asn {
                    Some(a) => format!("AS{a}"),
                    None => x.label(),
                })
                .collect();
            let _ = write!(o, "<p class=\"name\">{}</p>", esc(&names.join(", ")));
            for x in &route.origins {
                let holder = match (&x.asn, &x.holder) {
                    (Some(a), Some(h)) => match h.name.filter(|n| *n != h.handle) {
                        Some(n) => format!("AS{a}: {n} ({})", h.handle),
                        None => format!("AS{a}: {}", h.handle),
                    },
                    (Some(a), None) => format!("AS{a}: holder not known here"),
                    (None, _) => x.label(),
                };
                let rpki = x.rpki_text().map(|t| format!(", {t}")).unwrap_or_default();
                let _ = write!(o, "<p class=\"muted\">{}{}</p>", esc(&holder), esc(&rpki));
            }
            let _ = write!(
                o,
                "<p class=\"muted\">route {}; {}</p>",
                esc(&route.prefix.to_prefix_or_range()),
                match route.by_holder {
                    Some(true) => "the holder's network",
                    Some(false) => "not the holder's network",
                    None => "whether the holder holds this AS cannot be told",
                }
            );
            match route.lessee_agrees {
                Some(true) => o.push_str("<p class=\"muted\">agrees with the lessee</p>"),
                Some(false) => o.push_str("<p class=\"muted\">disagrees with the lessee</p>"),
                None => {}
            }
            if let Some(u) = &route.likely_user {
                let _ = write!(
                    o,
                    "<p><span class=\"tag\">inferred from routing</span> likely user: {}</p>",
                    esc(&u.label())
                );
            }
        }
        None => {
            let _ = write!(
                o,
                "<p class=\"name\">none</p><p class=\"muted\">{}</p>",
                esc(&r.unrouted_text())
            );
        }
    }
    let as_of = r.as_of_text();
    if !as_of.is_empty() {
        let _ = write!(o, "<p class=\"muted\">routing data {}</p>", esc(&as_of));
    }
    o.push_str("</div>");
}

/// The holder's allocation as a bar, what lies inside it as segments on
/// rows by depth, leases on their own row, and the query marked.
fn block_picture(q: &str, res: &Resolved, at: Timestamp, o: &mut String) {
    let r = res.range();
    let block = res.block(MAX_SEGMENTS);
    let outer = block.outer;
    let span = (outer.end - outer.start) as f64 + 1.0;
    const W: f64 = 1000.0;
    let x = |a: u128| ((a.saturating_sub(outer.start)) as f64 / span * W).clamp(0.0, W);
    let w = |s: u128, e: u128| (x(e) - x(s) + W / span).max(1.5);
    // networks inside, by depth (nesting below the holder's allocation)
    let mut rows: Vec<Vec<(u128, u128, String, &'static str)>> = Vec::new();
    for (depth, n) in &block.networks {
        let depth = (*depth).min(3);
        let status = n.object().get("status").unwrap_or("");
        let class = if status.contains("SUB-ALLOCATED") || status.contains("ALLOCATED-BY-LIR") {
            "sub"
        } else if status.contains("ASSIGNED") {
            "asg"
        } else {
            "oth"
        };
        let label = format!("{} {} ({})", n.key(), n.netname().unwrap_or(""), status);
        if rows.len() <= depth {
            rows.resize_with(depth + 1, Vec::new);
        }
        let nr = n.range();
        rows[depth].push((nr.start, nr.end, label, class));
    }
    // leases inside (any time), current ones drawn last, over past and future ones
    let mut leases = block.leases;
    leases.sort_by_key(|l| l.active_at(at));
    let row_h = 40.0;
    let top = 4.0;
    let lease_y = top + row_h * (rows.len() as f64 + 1.0);
    let route_y = lease_y + row_h;
    let height = if block.routes.is_empty() {
        route_y + 4.0
    } else {
        route_y + row_h + 4.0
    };
    let _ = write!(
        o,
        "<section id=\"block\"><h2>The block</h2><p class=\"ends\"><span>{}</span><span>{}</span></p><svg viewBox=\"0 0 {W} {height}\" role=\"img\" aria-labelledby=\"block-title\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"block-title\">{} and what lies inside it</title>\
<style>.hold{{fill:#cfd8dc}}.sub{{fill:#64b5f6}}.asg{{fill:#81c784}}.oth{{fill:#b39ddb}}.lse{{fill:#ffb74d}}.bgp{{fill:#90a4ae;fill-opacity:0.7}}.old{{fill:#ffe0b2}}.q{{stroke:#d32f2f;stroke-width:3}}</style>\
<rect class=\"hold\" x=\"0\" y=\"{top}\" width=\"{W}\" height=\"{}\"><title>{}</title></rect>",
        esc(&outer.start_addr().to_string()),
        esc(&outer.end_addr().to_string()),
        esc(&outer.to_string()),
        row_h - 4.0,
        esc(&outer.to_string()),
    );
    for (depth, row) in rows.iter().enumerate() {
        let y = top + row_h * (depth as f64 + 1.0);
        for (s, e, label, class) in row {
            let _ = write!(
                o,
                "<rect class=\"{class}\" x=\"{:.2}\" y=\"{y}\" width=\"{:.2}\" height=\"{}\" stroke=\"#fff\"><title>{}</title></rect>",
                x(*s),
                w(*s, *e),
                row_h - 4.0,
                esc(label)
            );
        }
    }
    for l in &leases {
        let current = l.active_at(at);
        let lr = l.range();
        let end = l
            .end()
            .map(time::format)
            .unwrap_or_else(|| "open end".into());
        let _ = write!(
            o,
            "<rect class=\"{}\" x=\"{:.2}\" y=\"{lease_y}\" width=\"{:.2}\" height=\"{}\" stroke=\"#fff\"><title>lease {} to {} ({} to {}){}</title></rect>",
            if current { "lse" } else { "old" },
            x(lr.start),
            w(lr.start, lr.end),
            row_h - 4.0,
            esc(l.id()),
            esc(l.lessee_name()),
            time::format(l.start()),
            esc(&end),
            if current { ", current" } else { "" }
        );
    }
    // announced prefixes on the last row, the widest first (more specific
    // ones drawn over them)
    for (p, origins) in &block.routes {
        let _ = write!(
            o,
            "<rect class=\"bgp\" x=\"{:.2}\" y=\"{route_y}\" width=\"{:.2}\" height=\"{}\" stroke=\"#fff\"><title>announced {} from {}</title></rect>",
            x(p.start),
            w(p.start, p.end),
            row_h - 4.0,
            esc(&p.to_prefix_or_range()),
            esc(origins)
        );
    }
    // the query: a line for an address, a band for a range
    let (qs, qe) = (x(r.start), x(r.end) + W / span);
    let _ = write!(
        o,
        "<rect x=\"{qs:.2}\" y=\"{}\" width=\"{:.2}\" height=\"{}\" fill=\"#d32f2f\" fill-opacity=\"0.25\"/>\
<line class=\"q\" x1=\"{qs:.2}\" x2=\"{qs:.2}\" y1=\"0\" y2=\"{height}\"><title>{}</title></line></svg>",
        0.0,
        (qe - qs).max(0.0),
        height,
        esc(q),
    );
    o.push_str(
        "<p class=\"legend\"><span><i style=\"background:#cfd8dc\"></i>holder's allocation</span>\
<span><i style=\"background:#64b5f6\"></i>sub-allocation</span><span><i style=\"background:#81c784\"></i>assignment</span>\
<span><i style=\"background:#b39ddb\"></i>other object</span><span><i style=\"background:#ffb74d\"></i>current lease</span>\
<span><i style=\"background:#ffe0b2\"></i>past or future lease</span>\
<span><i style=\"background:#90a4ae\"></i>announced in BGP</span>",
    );
    let _ = write!(
        o,
        "<span><i style=\"background:#d32f2f\"></i>your query, {}</span></p></section>",
        esc(q)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(enc("192.0.2.0 - 192.0.2.9"), "192.0.2.0%20-%20192.0.2.9");
        assert_eq!(enc("a&b=c"), "a%26b%3Dc");
    }
}
