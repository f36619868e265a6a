//! A parsed WHOIS request answered from one snapshot: the banner, the
//! answer the flags ask for, RIPE's error lines, referrals to the
//! authoritative registry, and the two blank lines that end an answer.

use super::request::{code, Level, Request, ServerInfo, WhoisError, CLASSES};
use super::{render_found_view, render_history, render_objects, View};
use crate::metrics::{Kind, Outcome};
use crate::query::{self, Found, ObjRef, ObjectView, Query};
use crate::snapshot::Snapshot;
use crate::time::Timestamp;
use std::fmt::Write;

/// The banner that opens every answer: the same for every answer of a
/// snapshot, so written once per thread for it (`banner_fresh`) and
/// copied.
pub fn banner(snap: &Snapshot, out: &mut String) {
    type Made = (query::Identity, String);
    thread_local! {
        static LAST: std::cell::RefCell<Option<Made>> = const { std::cell::RefCell::new(None) };
    }
    let id = query::about(snap).identity();
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if last.as_ref().is_none_or(|(made, _)| *made != id) {
            let mut text = String::new();
            banner_fresh(snap, &mut text);
            *last = Some((id, text));
        }
        if let Some((_, text)) = &*last {
            out.push_str(text);
        }
    })
}

/// The banner, written from the snapshot's description.
fn banner_fresh(snap: &Snapshot, out: &mut String) {
    let _ = writeln!(
        out,
        "% This is the tenure whois server (tenure {}).",
        env!("CARGO_PKG_VERSION")
    );
    out.push_str("% Objects are in RPSL format. Each answer on address space starts with\n");
    out.push_str("% the holder, the lessee and the abuse contact, with where each came from.\n");
    let data = query::about(snap);
    let _ = write!(out, "% Data serial {}, sources:", data.serial());
    for (source, _) in data.registry_sources() {
        let _ = write!(
            out,
            " {}",
            if source.is_empty() { "(none)" } else { source }
        );
    }
    for l in data.lease_sources() {
        let _ = write!(out, " {l} (leases)");
    }
    for (registry, date) in data.delegated() {
        let _ = write!(out, " {registry} (delegated statistics {date})");
    }
    out.push_str("\n\n");
}

/// One answered request line: the text to send, the request when the line
/// parsed, and what it was and how it ended (for metrics: typed, never
/// read back from the text).
pub struct Reply {
    pub text: String,
    pub request: Option<Request>,
    pub kind: Kind,
    pub outcome: Outcome,
    /// Persons' objects with personal data in the answer (RIPE-style
    /// per-client limits count them).
    pub personal: usize,
}

/// The full answer to one request line: banner, answer or error, and the
/// two blank lines RIPE ends every answer with.
pub fn respond(snap: &Snapshot, line: &str, now: Timestamp, with_banner: bool) -> Reply {
    let mut out = String::with_capacity(2048);
    if with_banner {
        banner(snap, &mut out);
    }
    let req = match super::request::parse(line) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(out, "{}", e.line());
            end_answer(&mut out);
            return Reply {
                text: out,
                request: None,
                kind: Kind::Other,
                outcome: outcome_of(&e),
                personal: 0,
            };
        }
    };
    // about a time before the compiled snapshot serving: the older one
    // current then answers (the served one, if it cannot be loaded)
    let past = match req.at.map(|t| query::registry_at(snap, t)) {
        Some(Ok(p)) => p,
        Some(Err(e)) => {
            tracing::warn!("an older snapshot could not be loaded, the current one answers: {e}");
            None
        }
        None => None,
    };
    if let Some(p) = &past {
        let _ = writeln!(
            out,
            "% Registry data as of {}: the compiled snapshot current at the time asked about\n",
            crate::time::format(p.as_of)
        );
    } else if req.at.is_some_and(|t| query::registry_before_kept(snap, t)) {
        let _ = writeln!(
            out,
            "% No registry data as old as the time asked about is kept: the current data answers\n"
        );
    }
    let snap = past.as_ref().map(|p| &*p.snap).unwrap_or(snap);
    let (kind, outcome) = match answer(snap, &req, now, &mut out) {
        Ok(a) => a,
        Err((kind, e)) => {
            let _ = writeln!(out, "{}", e.line());
            (kind, outcome_of(&e))
        }
    };
    end_answer(&mut out);
    let personal = if outcome == Outcome::Ok {
        personal_objects(snap, &req, now)
    } else {
        0
    };
    Reply {
        text: out,
        request: Some(req),
        kind,
        outcome,
        personal,
    }
}

/// The persons with personal data an answer to `req` shows (none when the
/// operator withholds personal data: the loader made them placeholders).
fn personal_objects(snap: &Snapshot, req: &Request, now: Timestamp) -> usize {
    if !query::personal_data_served(snap)
        || req.info.is_some()
        || req.template.is_some()
        || req.key.is_empty()
        || req.brief
    {
        return 0;
    }
    let count = |objs: &[query::ObjectView]| objs.iter().filter(|o| o.is_personal()).count();
    if let Some(attrs) = &req.inverse {
        let found = objects(snap, query::inverse(snap, attrs, &req.key).0);
        return count(&found);
    }
    let Ok(q) = query::parse_query(&req.key) else {
        return 0;
    };
    if req.level != Level::Default && matches!(q, Query::Range(_)) {
        return 0; // networks only
    }
    match query::lookup(snap, &q, req.at.unwrap_or(now)) {
        Found::Objects { objects, .. } => count(&objects),
        Found::Network(res) => count(&res.objects(req.no_contacts)),
        Found::NotFound { .. } => 0,
    }
}

/// What a request line asks about, read by parsing it (for the metrics of
/// a line refused before it is answered).
pub fn kind_of_line(line: &str) -> Kind {
    match super::request::parse(line) {
        Ok(r) if r.inverse.is_some() => Kind::Inverse,
        Ok(r) if r.info.is_some() || r.template.is_some() || r.key.is_empty() => Kind::Other,
        Ok(r) => match query::parse_query(&r.key) {
            Ok(q) => Kind::of_query(&q),
            Err(e) => Kind::of_error(&e),
        },
        Err(_) => Kind::Other,
    }
}

/// The outcome of a refused request, from RIPE's error number.
fn outcome_of(e: &WhoisError) -> Outcome {
    match e.code {
        code::NO_ENTRIES => Outcome::NotFound,
        code::INTERNAL => Outcome::Error,
        code::ACCESS_DENIED => Outcome::RateLimited,
        _ => Outcome::BadRequest,
    }
}

/// Ends an answer as RIPE does: the last line, then two blank lines.
fn end_answer(out: &mut String) {
    while out.ends_with('\n') {
        out.pop();
    }
    out.push_str("\n\n\n");
}

/// A refused request: what it asked about and RIPE's error.
type Refused = (Kind, WhoisError);

/// Appends the answer to a request and says what it was and how it ended,
/// or returns the error to print.
pub fn answer(
    snap: &Snapshot,
    req: &Request,
    now: Timestamp,
    out: &mut String,
) -> Result<(Kind, Outcome), Refused> {
    if let Some(info) = &req.info {
        server_info(snap, info, out);
        return Ok((Kind::Other, Outcome::Ok));
    }
    if let Some(t) = &req.template {
        return template(t, req.verbose_template, out)
            .map(|()| (Kind::Other, Outcome::Ok))
            .map_err(|e| (Kind::Other, e));
    }
    if req.key.is_empty() {
        return Ok((Kind::Other, Outcome::Ok)); // a bare -k
    }
    known_sources(snap, req).map_err(|e| (Kind::Other, e))?;
    let view = View {
        no_contacts: req.no_contacts,
        no_grouping: req.no_grouping,
        types: req.types.as_deref(),
        sources: if req.all_sources {
            None
        } else {
            req.sources.as_deref()
        },
        form: if req.keys_only {
            super::Form::Keys
        } else if req.fast_raw {
            super::Form::Short
        } else {
            super::Form::Full
        },
    };
    if let Some(attrs) = &req.inverse {
        let (refs, more) = query::inverse(snap, attrs, &req.key);
        let found = objects(snap, refs);
        if found.is_empty() {
            return Err((Kind::Inverse, no_entries()));
        }
        render_objects(&found, &view, out);
        if more {
            let _ = writeln!(
                out,
                "% Output truncated: more than {} objects; narrow the query",
                query::INVERSE_LIMIT
            );
        }
        return Ok((Kind::Inverse, Outcome::Ok));
    }
    let q = match query::parse_query(&req.key) {
        Ok(q) => q,
        Err(e) => {
            // RIPE answers a key that cannot be anything with 101; for the
            // metrics it is a bad request (as RDAP's 400 for the same key)
            let line = WhoisError::new(code::NO_ENTRIES, format!("no entries found\n% {e}"));
            let _ = writeln!(out, "{}", line.line());
            return Ok((Kind::of_error(&e), Outcome::BadRequest));
        }
    };
    let kind = Kind::of_query(&q);
    let ip_key = matches!(q, Query::Range(_));
    if req.level != Level::Default && !ip_key {
        // RIPE: a warning, then the answer without the flag
        let _ = writeln!(
            out,
            "%WARNING:{}: useless IP flag passed\n%\n% An IP flag (-l, -L, -m, -M or -x) used without an IP key.\n",
            code::USELESS_IP_FLAG
        );
    }
    let answered = if req.lease_history {
        history(snap, &q, out)
    } else if let Some(level) = search_level(req.level).filter(|_| ip_key) {
        hierarchy(snap, &q, level, &view, out)
    } else {
        lookup(snap, req, &q, req.at.unwrap_or(now), &view, out)
    };
    answered.map(|o| (kind, o)).map_err(|e| (kind, e))
}

/// `-s`: every source named must be loaded here.
fn known_sources(snap: &Snapshot, req: &Request) -> Result<(), WhoisError> {
    let Some(sources) = &req.sources else {
        return Ok(());
    };
    let data = query::about(snap);
    match sources.iter().find(|s| !data.has_source(s)) {
        Some(bad) => Err(WhoisError::new(
            code::UNKNOWN_SOURCE,
            format!("unknown source '{}'", bad.to_ascii_uppercase()),
        )),
        None => Ok(()),
    }
}

/// `--leases`: every lease that ever covered the range.
fn history(snap: &Snapshot, q: &Query, out: &mut String) -> Result<Outcome, WhoisError> {
    let Query::Range(r) = q else {
        return Err(WhoisError::new(
            code::INVALID_OPTION,
            "--leases needs an address, prefix or range",
        ));
    };
    out.push_str(&render_history(&query::lease_history(snap, r), r));
    Ok(Outcome::Ok)
}

/// `-x`, `-l`, `-L`, `-m`, `-M`: the networks around a range, bounded.
fn hierarchy(
    snap: &Snapshot,
    q: &Query,
    level: query::Level,
    view: &View,
    out: &mut String,
) -> Result<Outcome, WhoisError> {
    let Query::Range(r) = q else {
        return Err(WhoisError::new(
            code::BAD_COMBINATION,
            "-x, -l, -L, -m and -M need an address, prefix or range",
        ));
    };
    let mut ids = query::hierarchy(snap, r, level);
    if ids.is_empty() {
        return Err(no_entries());
    }
    let more = ids.len().saturating_sub(MAX_OBJECTS);
    ids.truncate(MAX_OBJECTS);
    let objs = objects(snap, ids.into_iter().map(ObjRef::Network).collect());
    render_objects(&objs, view, out);
    if more > 0 {
        let _ = writeln!(
            out,
            "% Output truncated: {more} more objects; ask for a smaller range"
        );
    }
    Ok(Outcome::Ok)
}

/// The default answer: the one resolved answer, or a referral to the
/// registry that answers for the space (unless `--resource`).
fn lookup(
    snap: &Snapshot,
    req: &Request,
    q: &Query,
    at: Timestamp,
    view: &View,
    out: &mut String,
) -> Result<Outcome, WhoisError> {
    let found = query::lookup(snap, q, at);
    let (elsewhere, routing) = match &found {
        Found::Network(res) => (res.elsewhere, res.routing.as_ref()),
        Found::NotFound {
            elsewhere, routing, ..
        } => (*elsewhere, routing.as_deref()),
        Found::Objects { .. } => (None, None),
    };
    match elsewhere {
        Some(e) if !req.resource => {
            super::render::render_referral_routed(&e, routing, out);
            return Ok(if e.whois().is_some() {
                Outcome::Redirect
            } else {
                Outcome::NotFound
            });
        }
        _ => {}
    }
    if !view.shows_any(&found) {
        return Err(no_entries());
    }
    if req.brief {
        brief(&found, out);
    } else {
        match &found {
            // --resource: what is loaded here, without the referral
            Found::Network(res) => super::render::render_network(res, view, out),
            _ => render_found_view(&found, view, out),
        }
    }
    Ok(Outcome::Ok)
}

/// The hierarchy a request's level flag asks for (none by default).
fn search_level(l: Level) -> Option<query::Level> {
    match l {
        Level::Default => None,
        Level::Exact => Some(query::Level::Exact),
        Level::OneLess => Some(query::Level::OneLess),
        Level::AllLess => Some(query::Level::AllLess),
        Level::OneMore => Some(query::Level::OneMore),
        Level::AllMore => Some(query::Level::AllMore),
    }
}

fn objects(snap: &Snapshot, refs: Vec<ObjRef>) -> Vec<ObjectView<'_>> {
    refs.into_iter().map(|r| ObjectView::of(snap, r)).collect()
}

fn no_entries() -> WhoisError {
    WhoisError::new(code::NO_ENTRIES, "no entries found")
}

/// `-b`: the abuse contact line and a two-attribute object.
fn brief(found: &Found, out: &mut String) {
    let (key, class, abuse) = match found {
        Found::Network(res) => {
            let key = match &res.abuse {
                Some(a) => a.for_key(&res.subject_key()).into_owned(),
                None => res.subject_key().into_owned(),
            };
            let class = if res.range().family == crate::addr::Family::V4 {
                "inetnum"
            } else {
                "inet6num"
            };
            (key, class, res.abuse)
        }
        Found::Objects { objects, abuse } => {
            let Some(first) = objects.first() else {
                return;
            };
            (first.display_key().to_string(), first.class(), *abuse)
        }
        Found::NotFound { .. } => return,
    };
    match abuse {
        Some(ab) => {
            let _ = writeln!(out, "% Abuse contact for '{key}' is '{}'\n", ab.mailbox);
            let _ = writeln!(
                out,
                "{class}:{:pad$}{key}\nabuse-mailbox:  {}",
                "",
                ab.mailbox,
                pad = 16usize.saturating_sub(class.len() + 1)
            );
        }
        None => {
            let _ = writeln!(out, "% No abuse contact registered for '{key}'");
        }
    }
}

/// Most objects a `-m`/`-M`/`-L` answer renders.
pub const MAX_OBJECTS: usize = 5000;

fn server_info(snap: &Snapshot, info: &ServerInfo, out: &mut String) {
    match info {
        ServerInfo::Version => {
            let _ = writeln!(out, "% whois-server-tenure-{}", env!("CARGO_PKG_VERSION"));
        }
        ServerInfo::Sources => {
            let data = query::about(snap);
            let serial = data.serial();
            for (source, n) in data.registry_sources() {
                let source = if source.is_empty() { "(none)" } else { source };
                let _ = writeln!(out, "{source}:{serial}:N:{n}");
            }
            for l in data.lease_sources() {
                let _ = writeln!(out, "{}:{serial}:N:leases", l.to_ascii_uppercase());
            }
        }
        ServerInfo::Types => {
            for c in CLASSES {
                let _ = writeln!(out, "{c}");
            }
        }
    }
}

/// `-t class`: the attributes of a class as tenure reads them; `-v
/// class` the same with what the class and each attribute are.
fn template(class: &str, verbose: bool, out: &mut String) -> Result<(), WhoisError> {
    let attrs: &[(&str, &str)] = match class {
        "inetnum" | "inet6num" => &[
            (class, "[mandatory]  [single]     [primary/lookup key]"),
            ("netname", "[mandatory]  [single]     [lookup key]"),
            ("descr", "[optional]   [multiple]   [ ]"),
            ("country", "[mandatory]  [multiple]   [ ]"),
            ("geofeed", "[optional]   [single]     [ ]"),
            ("org", "[optional]   [single]     [inverse key]"),
            ("admin-c", "[mandatory]  [multiple]   [inverse key]"),
            ("tech-c", "[mandatory]  [multiple]   [inverse key]"),
            ("abuse-c", "[optional]   [single]     [inverse key]"),
            ("status", "[mandatory]  [single]     [ ]"),
            ("remarks", "[optional]   [multiple]   [ ]"),
            ("mnt-by", "[mandatory]  [multiple]   [inverse key]"),
            ("mnt-lower", "[optional]   [multiple]   [ ]"),
            ("mnt-irt", "[optional]   [multiple]   [ ]"),
            ("created", "[generated]  [single]     [ ]"),
            ("last-modified", "[generated]  [single]     [ ]"),
            ("source", "[mandatory]  [single]     [ ]"),
        ],
        "aut-num" => &[
            ("aut-num", "[mandatory]  [single]     [primary/lookup key]"),
            ("as-name", "[mandatory]  [single]     [ ]"),
            ("descr", "[optional]   [multiple]   [ ]"),
            ("org", "[optional]   [single]     [inverse key]"),
            ("abuse-c", "[optional]   [single]     [inverse key]"),
            ("mnt-by", "[mandatory]  [multiple]   [inverse key]"),
            ("source", "[mandatory]  [single]     [ ]"),
        ],
        "as-block" => &[
            ("as-block", "[mandatory]  [single]     [primary/lookup key]"),
            ("descr", "[optional]   [multiple]   [ ]"),
            ("org", "[optional]   [single]     [inverse key]"),
            ("mnt-by", "[mandatory]  [multiple]   [inverse key]"),
            ("source", "[mandatory]  [single]     [ ]"),
        ],
        "organisation" => &[
            (
                "organisation",
                "[mandatory]  [single]     [primary/lookup key]",
            ),
            ("org-name", "[mandatory]  [single]     [lookup key]"),
            ("org-type", "[mandatory]  [single]     [ ]"),
            ("country", "[optional]   [single]     [ ]"),
            ("abuse-c", "[optional]   [single]     [inverse key]"),
            ("mnt-by", "[mandatory]  [multiple]   [inverse key]"),
            ("source", "[mandatory]  [single]     [ ]"),
        ],
        "role" | "person" => &[
            (class, "[mandatory]  [single]     [lookup key]"),
            ("address", "[mandatory]  [multiple]   [ ]"),
            ("nic-hdl", "[mandatory]  [single]     [primary/lookup key]"),
            ("abuse-mailbox", "[optional]   [single]     [ ]"),
            ("mnt-by", "[mandatory]  [multiple]   [inverse key]"),
            ("source", "[mandatory]  [single]     [ ]"),
        ],
        "irt" => &[
            ("irt", "[mandatory]  [single]     [primary/lookup key]"),
            ("address", "[mandatory]  [multiple]   [ ]"),
            ("e-mail", "[mandatory]  [multiple]   [ ]"),
            ("abuse-mailbox", "[optional]   [multiple]   [ ]"),
            ("mnt-by", "[mandatory]  [multiple]   [inverse key]"),
            ("source", "[mandatory]  [single]     [ ]"),
        ],
        "mntner" => &[
            ("mntner", "[mandatory]  [single]     [primary/lookup key]"),
            ("source", "[mandatory]  [single]     [ ]"),
        ],
        "domain" => &[
            ("domain", "[mandatory]  [single]     [primary/lookup key]"),
            ("descr", "[optional]   [multiple]   [ ]"),
            ("nserver", "[optional]   [multiple]   [ ]"),
            ("mnt-by", "[mandatory]  [multiple]   [inverse key]"),
            ("source", "[mandatory]  [single]     [ ]"),
        ],
        other => {
            return Err(WhoisError::new(
                code::UNKNOWN_TYPE,
                format!("unknown object type '{other}'"),
            ))
        }
    };
    if verbose {
        let _ = writeln!(
            out,
            "% The {class} class:\n%\n% {}\n",
            class_description(class)
        );
    }
    for (name, what) in attrs {
        let _ = writeln!(
            out,
            "{name}:{:pad$}{what}",
            "",
            pad = 16usize.saturating_sub(name.len() + 1)
        );
    }
    if verbose {
        let _ = writeln!(
            out,
            "\n% The content of the attributes of the {class} class are defined below:\n"
        );
        for (name, _) in attrs {
            let _ = writeln!(out, "{name}\n\n   {}\n", attribute_description(name));
        }
    }
    Ok(())
}

/// What an object of a class is (`-v`).
fn class_description(class: &str) -> &'static str {
    match class {
        "inetnum" => "An inetnum object records a range of IPv4 address space: who holds it, who uses it, its status and contacts.",
        "inet6num" => "An inet6num object records a prefix of IPv6 address space: who holds it, who uses it, its status and contacts.",
        "aut-num" => "An aut-num object records an autonomous system number, its holder and contacts.",
        "as-block" => "An as-block object records a range of AS numbers delegated as one block.",
        "organisation" => "An organisation object records an organisation that holds or uses resources, with its abuse contact.",
        "role" => "A role object records a team (a NOC, an abuse desk) that other objects name as a contact.",
        "person" => "A person object records a contact person that other objects name.",
        "irt" => "An irt object records a Computer Security Incident Response Team handling incidents for address space.",
        "mntner" => "A mntner object records who may change the objects that name it.",
        "domain" => "A domain object records a reverse DNS delegation (in-addr.arpa or ip6.arpa) and its name servers.",
        _ => "",
    }
}

/// What an attribute holds (`-v`).
fn attribute_description(name: &str) -> &'static str {
    match name {
        "inetnum" => "The range of IPv4 addresses, first - last.",
        "inet6num" => "The IPv6 prefix, in prefix notation.",
        "netname" => "The name of the range of address space.",
        "descr" => "A short description of the object.",
        "country" => "The ISO 3166 code of the country where the space is used.",
        "geofeed" => "The URL of an RFC 8805 geofeed file for the space.",
        "org" => "The organisation object of the resource's holder.",
        "admin-c" => "An administrative contact: the nic-hdl of a person or role.",
        "tech-c" => "A technical contact: the nic-hdl of a person or role.",
        "abuse-c" => "The abuse contact: the nic-hdl of a role with an abuse-mailbox.",
        "status" => "The registration status (ALLOCATED PA, ASSIGNED PA, LEGACY, ...); it decides who the holder is.",
        "remarks" => "Remarks in free text.",
        "mnt-by" => "A maintainer of the object (repeatable); a leasing platform's maintainer marks platform-managed space.",
        "mnt-lower" => "A maintainer who may create objects directly below this one.",
        "mnt-irt" => "The irt object handling security incidents for the space.",
        "created" => "When the object was created (set by the registry).",
        "last-modified" => "When the object was last changed (set by the registry).",
        "source" => "The registry database the object comes from.",
        "aut-num" => "The AS number, ASn.",
        "as-name" => "A short name of the autonomous system.",
        "as-block" => "The range of AS numbers, ASa - ASb.",
        "organisation" => "The organisation's handle (ORG-...).",
        "org-name" => "The organisation's name.",
        "org-type" => "The kind of organisation (LIR, OTHER, RIR, IANA, ...).",
        "role" | "person" => "The full name of the contact.",
        "address" => "The postal address of the contact.",
        "nic-hdl" => "The contact's handle, which other objects name.",
        "abuse-mailbox" => "The mailbox abuse reports go to.",
        "irt" => "The name of the irt object (IRT-...).",
        "e-mail" => "An e-mail address of the team.",
        "mntner" => "The maintainer's name.",
        "domain" => "The reverse DNS zone.",
        "nserver" => "A name server of the zone.",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::super::NO_ENTRIES;
    use super::*;

    #[test]
    fn every_class_has_a_template() {
        for c in CLASSES {
            let mut s = String::new();
            template(c, false, &mut s).unwrap();
            assert!(s.starts_with(&format!("{c}:")), "{s}");
            // -v: longer, with the class and every attribute described
            let mut v = String::new();
            template(c, true, &mut v).unwrap();
            assert!(v.len() > s.len() && v.contains(&s), "{v}");
            assert!(!class_description(c).is_empty(), "{c}");
            for line in s.lines() {
                let name = line.split(':').next().unwrap();
                assert!(!attribute_description(name).is_empty(), "{c}: {name}");
            }
        }
        assert_eq!(
            template("route", false, &mut String::new())
                .unwrap_err()
                .code,
            code::UNKNOWN_TYPE
        );
        assert_eq!(NO_ENTRIES, "%ERROR:101: no entries found");
    }
}
