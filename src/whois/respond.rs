//! A parsed WHOIS request answered from one snapshot: the banner, the
//! answer the flags ask for, RIPE's error lines, referrals to the
//! authoritative registry, and the two blank lines that end an answer.

use super::request::{code, Level, Request, ServerInfo, WhoisError, CLASSES};
use super::{render_answer_view, render_history, render_objects, View};
use crate::addr::IpRange;
use crate::lease::{AbuseFrom, Via};
use crate::query::{self, Answer, ObjRef, Query};
use crate::snapshot::Snapshot;
use crate::time::Timestamp;
use std::fmt::Write;

/// The banner that opens every answer.
pub fn banner(snap: &Snapshot, out: &mut String) {
    let _ = writeln!(
        out,
        "% This is the tenure whois server (tenure {}).",
        env!("CARGO_PKG_VERSION")
    );
    out.push_str("% Objects are in RPSL format. Each answer on address space starts with\n");
    out.push_str("% the holder, the lessee and the abuse contact, with where each came from.\n");
    let _ = write!(out, "% Data serial {}, sources:", snap.serial);
    for source in snap.report.objects.keys() {
        let _ = write!(
            out,
            " {}",
            if source.is_empty() { "(none)" } else { source }
        );
    }
    for l in snap.lease_sources() {
        let _ = write!(out, " {} (leases)", l.name);
    }
    for h in &snap.reg.delegated_headers {
        let _ = write!(out, " {} (delegated statistics {})", h.registry, h.end_date);
    }
    out.push_str("\n\n");
}

/// The full answer to one request line: banner, answer or error, and the
/// two blank lines RIPE ends every answer with.
pub fn respond(
    snap: &Snapshot,
    line: &str,
    now: Timestamp,
    with_banner: bool,
) -> (String, Option<Request>) {
    let mut out = String::with_capacity(2048);
    if with_banner {
        banner(snap, &mut out);
    }
    let req = match super::request::parse(line) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(out, "{}", e.line());
            end_answer(&mut out);
            return (out, None);
        }
    };
    if let Err(e) = answer(snap, &req, now, &mut out) {
        let _ = writeln!(out, "{}", e.line());
    }
    end_answer(&mut out);
    (out, Some(req))
}

/// Ends an answer as RIPE does: the last line, then two blank lines.
fn end_answer(out: &mut String) {
    while out.ends_with('\n') {
        out.pop();
    }
    out.push_str("\n\n\n");
}

/// Appends the answer to a request, or returns the error to print.
pub fn answer(
    snap: &Snapshot,
    req: &Request,
    now: Timestamp,
    out: &mut String,
) -> Result<(), WhoisError> {
    if let Some(info) = &req.info {
        server_info(snap, info, out);
        return Ok(());
    }
    if let Some(t) = &req.template {
        return template(t, out);
    }
    if req.key.is_empty() {
        return Ok(()); // a bare -k
    }
    if let Some(sources) = &req.sources {
        let known = |s: &str| {
            snap.report
                .objects
                .keys()
                .any(|k| k.eq_ignore_ascii_case(s))
                || snap
                    .lease_sources()
                    .iter()
                    .any(|l| l.name.eq_ignore_ascii_case(s))
        };
        if let Some(bad) = sources.iter().find(|s| !known(s)) {
            return Err(WhoisError::new(
                code::UNKNOWN_SOURCE,
                format!("unknown source '{}'", bad.to_ascii_uppercase()),
            ));
        }
    }
    let view = View {
        no_contacts: req.no_contacts,
        no_grouping: req.no_grouping,
        types: req.types.as_deref(),
        sources: if req.all_sources {
            None
        } else {
            req.sources.as_deref()
        },
    };
    let at = req.at.unwrap_or(now);
    if let Some(attrs) = &req.inverse {
        let found = inverse(snap, attrs, &req.key);
        if found.is_empty() {
            return Err(no_entries());
        }
        render_objects(snap, &found, &view, out);
        return Ok(());
    }
    let q = query::parse_query(&req.key)
        .map_err(|e| WhoisError::new(code::NO_ENTRIES, format!("no entries found\n% {e}")))?;
    if req.lease_history {
        let Query::Range(r) = q else {
            return Err(WhoisError::new(
                code::INVALID_OPTION,
                "--leases needs an address, prefix or range",
            ));
        };
        out.push_str(&render_history(snap, &r));
        return Ok(());
    }
    match (&q, req.level) {
        (Query::Range(r), Level::Default) => {
            let a = query::answer_range(snap, r, at);
            if !req.resource {
                if let Some(refer) = referral(snap, &a) {
                    out.push_str(&refer);
                    return Ok(());
                }
            }
            if req.brief {
                return brief(snap, &a, out);
            }
            if a == Answer::NotFound {
                return Err(no_entries());
            }
            out.push_str(&render_answer_view(snap, &a, &view));
            Ok(())
        }
        (Query::Range(r), level) => {
            let mut ids = hierarchy(snap, r, level);
            if ids.is_empty() {
                return Err(no_entries());
            }
            let more = ids.len().saturating_sub(MAX_OBJECTS);
            ids.truncate(MAX_OBJECTS);
            let objs: Vec<ObjRef> = ids.into_iter().map(ObjRef::Network).collect();
            render_objects(snap, &objs, &view, out);
            if more > 0 {
                let _ = writeln!(
                    out,
                    "% Output truncated: {more} more objects; ask for a smaller range"
                );
            }
            Ok(())
        }
        (_, level) if level != Level::Default => Err(WhoisError::new(
            code::BAD_COMBINATION,
            "-x, -l, -L, -m and -M need an address, prefix or range",
        )),
        _ => {
            let a = query::answer(snap, &q, at);
            if a == Answer::NotFound {
                return Err(no_entries());
            }
            if req.brief {
                return brief(snap, &a, out);
            }
            out.push_str(&render_answer_view(snap, &a, &view));
            Ok(())
        }
    }
}

fn no_entries() -> WhoisError {
    WhoisError::new(code::NO_ENTRIES, "no entries found")
}

/// `-x`, `-l`, `-L`, `-m`, `-M` over the networks.
fn hierarchy(snap: &Snapshot, r: &IpRange, level: Level) -> Vec<u32> {
    let exact = |id: &u32| snap.net(*id).range == *r;
    match level {
        Level::Default | Level::Exact => snap.exact(r),
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

/// Space whose authoritative registry has no data loaded here is referred
/// to that registry's whois server (unless `--resource`).
fn referral(snap: &Snapshot, a: &Answer) -> Option<String> {
    let Answer::Network(na) = a else { return None };
    let reg = query::authority_elsewhere(snap, na)?;
    let d = snap.deleg(na.delegation?)?;
    let range = match &d.record.resource {
        crate::delegated::Resource::Ip(r) => r.to_string(),
        crate::delegated::Resource::Asn(a, b) => format!("AS{a} - AS{b}"),
    };
    let server = reg.whois;
    Some(format!(
        "% This query was not answered here: refer to {server}\n% ({} is the registry of '{range}' in its delegated statistics; no {} data is loaded here.\n% Ask again with --resource for what is loaded.)\n\nrefer:          {server}\n",
        reg.name, reg.name
    ))
}

/// `-b`: the abuse contact line and a two-attribute object.
fn brief(snap: &Snapshot, a: &Answer, out: &mut String) -> Result<(), WhoisError> {
    let (key, class, abuse) = match a {
        Answer::Network(na) => {
            let key = match (na.resolution.abuse, na.network(snap)) {
                (Some(ab), _) if matches!(ab.from, AbuseFrom::Lease(_)) => match ab.via {
                    Via::Lease(l) => snap.lease(l).range.to_string(),
                    _ => String::new(),
                },
                (_, Some(id)) => snap.net(id).object.key().to_string(),
                _ => na.range.to_string(),
            };
            let class = if na.range.family == crate::addr::Family::V4 {
                "inetnum"
            } else {
                "inet6num"
            };
            (key, class.to_string(), na.resolution.abuse)
        }
        Answer::Objects { objects, abuse } => {
            let Some(first) = objects.first() else {
                return Err(no_entries());
            };
            let o = query::object(snap, *first);
            (
                query::display_key(snap, *first).to_string(),
                o.class().to_string(),
                *abuse,
            )
        }
        Answer::NotFound => return Err(no_entries()),
    };
    match abuse {
        Some(ab) => {
            let _ = writeln!(
                out,
                "% Abuse contact for '{key}' is '{}'\n",
                ab.mailbox(snap)
            );
            let _ = writeln!(
                out,
                "{class}:{:pad$}{key}\nabuse-mailbox:  {}",
                "",
                ab.mailbox(snap),
                pad = 16usize.saturating_sub(class.len() + 1)
            );
        }
        None => {
            let _ = writeln!(out, "% No abuse contact registered for '{key}'");
        }
    }
    Ok(())
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

/// Most objects a `-m`/`-M`/`-L` answer renders.
pub const MAX_OBJECTS: usize = 5000;

fn server_info(snap: &Snapshot, info: &ServerInfo, out: &mut String) {
    match info {
        ServerInfo::Version => {
            let _ = writeln!(out, "% whois-server-tenure-{}", env!("CARGO_PKG_VERSION"));
        }
        ServerInfo::Sources => {
            for (source, classes) in &snap.report.objects {
                let n: u64 = classes.values().sum();
                let _ = writeln!(
                    out,
                    "{}:{}:N:{}",
                    if source.is_empty() { "(none)" } else { source },
                    snap.serial,
                    n
                );
            }
            for l in snap.lease_sources() {
                let _ = writeln!(
                    out,
                    "{}:{}:N:leases",
                    l.name.to_ascii_uppercase(),
                    snap.serial
                );
            }
        }
        ServerInfo::Types => {
            for c in CLASSES {
                let _ = writeln!(out, "{c}");
            }
        }
    }
}

/// `-t class`: the attributes of a class as tenure reads them.
fn template(class: &str, out: &mut String) -> Result<(), WhoisError> {
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
    for (name, what) in attrs {
        let _ = writeln!(
            out,
            "{name}:{:pad$}{what}",
            "",
            pad = 16usize.saturating_sub(name.len() + 1)
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::NO_ENTRIES;
    use super::*;

    #[test]
    fn every_class_has_a_template() {
        for c in CLASSES {
            let mut s = String::new();
            template(c, &mut s).unwrap();
            assert!(s.starts_with(&format!("{c}:")), "{s}");
        }
        assert_eq!(
            template("route", &mut String::new()).unwrap_err().code,
            code::UNKNOWN_TYPE
        );
        assert_eq!(NO_ENTRIES, "%ERROR:101: no entries found");
    }
}
