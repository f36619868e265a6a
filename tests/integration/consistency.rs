//! One answer on every interface: for every address of the sample data
//! (and of the real excerpts in `../shared/data`), WHOIS, bulk mode, RDAP,
//! the lookup page and `tenure lookup --json` name the same holder, lessee,
//! abuse mailbox, routing evidence (announced prefix, origin ASes, the
//! likely user) and, for space answered elsewhere, the same registry.

use super::support::rdap_get;
use super::support::snapshot;
use super::*;
use std::collections::BTreeSet;
use tenure::query::{self, REGISTRIES};
use tenure::rdap::RdapConfig;
use tenure::snapshot::Snapshot;

/// What every interface must agree on ("" for none).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Facts {
    holder: String,
    lessee: String,
    abuse: String,
    /// The registry to ask instead, when the space is answered elsewhere.
    elsewhere: String,
    /// `PREFIX AS1 AS2 ...` (every AS the origins name, sets flattened,
    /// sorted) and `likely ASn` when there is a likely user; `none` when
    /// no route covers the space; `None` where an interface says nothing
    /// about routing (an RDAP redirect or 404).
    routing: Option<String>,
}

/// The routing fact from a prefix, the ASes named, and the likely user.
fn routing_fact(prefix: Option<&str>, mut asns: Vec<u32>, likely: Option<u32>) -> String {
    let Some(p) = prefix.filter(|p| !p.is_empty()) else {
        return "none".into();
    };
    asns.sort_unstable();
    asns.dedup();
    let mut s = p.to_string();
    for a in asns {
        s.push_str(&format!(" AS{a}"));
    }
    if let Some(u) = likely {
        s.push_str(&format!(" likely AS{u}"));
    }
    s
}

/// Every `AS<digits>` in a text, as numbers.
fn asns_in(text: &str) -> Vec<u32> {
    let mut v = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i + 2 < b.len() {
        if &b[i..i + 2] == b"AS" && (i == 0 || !b[i - 1].is_ascii_alphanumeric()) {
            let digits: String = text[i + 2..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(n) = digits.parse() {
                v.push(n);
                i += 2 + digits.len();
                continue;
            }
        }
        i += 1;
    }
    v
}

fn routing_of_view(r: &query::RoutingView) -> String {
    match &r.route {
        None => "none".into(),
        Some(route) => {
            let asns = route
                .origins
                .iter()
                .flat_map(|o| o.asn.into_iter().chain(o.set.iter().copied()))
                .collect();
            routing_fact(
                Some(&route.prefix.to_prefix_or_range()),
                asns,
                route.likely_user.map(|u| u.asn),
            )
        }
    }
}

/// The resolved answer itself: what the others are compared with.
fn resolved(snap: &Snapshot, addr: &str, at: i64) -> Facts {
    let q = query::parse_query(addr).expect("address");
    match query::lookup(snap, &q, at) {
        query::Found::Network(res) => Facts {
            holder: res.holder.map(|h| h.handle.to_string()).unwrap_or_default(),
            lessee: res.lessee.map(|l| l.handle.to_string()).unwrap_or_default(),
            abuse: res.abuse.map(|a| a.mailbox.to_string()).unwrap_or_default(),
            elsewhere: res.elsewhere.map(|e| e.name()).unwrap_or_default(),
            routing: res.routing.as_ref().map(routing_of_view),
        },
        // special-purpose space: where to ask is "no one", said the same way
        query::Found::NotFound {
            special: Some(s),
            routing,
            ..
        } => Facts {
            elsewhere: format!("special-purpose {}", s.block),
            routing: routing.as_deref().map(routing_of_view),
            ..Facts::default()
        },
        query::Found::NotFound {
            elsewhere, routing, ..
        } => Facts {
            elsewhere: elsewhere.map(|e| e.name()).unwrap_or_default(),
            routing: routing.as_deref().map(routing_of_view),
            ..Facts::default()
        },
        query::Found::Objects { .. } => panic!("{addr}: an address found objects"),
    }
}

/// The registry named by a WHOIS server or an RDAP URL.
fn registry_of(server_or_url: &str) -> String {
    let host = query::authority::host(server_or_url);
    REGISTRIES
        .iter()
        .find(|r| r.whois == server_or_url || query::authority::host(r.rdap) == host)
        .map(|r| r.name.to_string())
        .unwrap_or(host)
}

fn whois_facts(snap: &Snapshot, addr: &str, at: &str) -> Facts {
    let text = tenure::whois::respond::respond(snap, &format!("--at {at} {addr}"), 0, false).text;
    let mut f = Facts::default();
    let handle_after = |line: &str, prefix: &str| -> Option<String> {
        let rest = line.strip_prefix(prefix)?;
        let end = rest.find([' ', ',']).unwrap_or(rest.len());
        Some(if rest == "none" { "" } else { &rest[..end] }.to_string())
    };
    for line in text.lines() {
        if let Some(h) = handle_after(line, "% Holder: ") {
            f.holder = h;
        } else if let Some(h) = handle_after(line, "% Lessee: ") {
            f.lessee = h;
        } else if line.starts_with("% Abuse contact for ") {
            f.abuse = line
                .rsplit_once(" is '")
                .map(|(_, m)| m.trim_end_matches('\'').to_string())
                .unwrap_or_default();
        } else if let Some(s) = line.strip_prefix("% Special-purpose address space: '") {
            f.elsewhere = format!("special-purpose {}", s.split('\'').next().unwrap_or(""));
        } else if let Some(s) = line.strip_prefix("refer:") {
            f.elsewhere = registry_of(s.trim());
        } else if let Some(s) = line.strip_prefix("% This space is served by the RDAP service at ")
        {
            f.elsewhere = registry_of(s.split(' ').next().unwrap_or(""));
        } else if let Some(s) = line.strip_prefix("% Routed by: ") {
            f.routing = Some(match s.rsplit_once(" (route ") {
                Some((origins, rest)) => {
                    let prefix = rest.split([',', ')']).next().unwrap_or("");
                    routing_fact(Some(prefix), asns_in(origins), None)
                }
                None => "none".into(),
            });
        } else if let Some(s) = line.strip_prefix("% Likely user (inferred from routing") {
            let likely = asns_in(s).first().copied();
            if let (Some(r), Some(u)) = (f.routing.as_mut(), likely) {
                r.push_str(&format!(" likely AS{u}"));
            }
        }
    }
    f
}

/// Splits one CSV line (fields may be quoted, quotes doubled).
fn csv_fields(line: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn bulk_facts(snap: &Snapshot, addr: &str, at: i64, want: &Facts) -> Facts {
    let mut out = String::new();
    assert!(tenure::whois::bulk::bulk_line(
        snap, addr, at, true, true, &mut out
    ));
    let cols = csv_fields(out.trim_end());
    let registry = cols[6].clone();
    // routing columns after the verbose ones: origin AS, RPKI, routed
    // prefix, origin holder, holder's network, likely user
    let routing = match (cols[10].as_str(), cols[12].as_str()) {
        ("", _) => None,
        (_, "") => Some("none".to_string()),
        (origins, prefix) => Some(routing_fact(
            Some(prefix),
            asns_in(origins),
            asns_in(&cols[15]).first().copied(),
        )),
    };
    Facts {
        routing,
        holder: cols[2].clone(),
        lessee: cols[3].clone(),
        abuse: cols[4].clone(),
        // the registry column names where to ask when it is elsewhere
        elsewhere: if want.elsewhere.is_empty() {
            String::new()
        } else if registry == "special-purpose" {
            format!("special-purpose {}", cols[1])
        } else {
            registry
        },
    }
}

fn rdap_facts(snap: &Snapshot, addr: &str, at: &str) -> Facts {
    let cfg = RdapConfig {
        cache: std::sync::Arc::new(tenure::rdap::cache::AnswerCache::new(0)),
        ..Default::default()
    };
    let target = format!("/rdap/ip/{addr}?lease0_at={at}");
    let r = rdap_get(snap, &cfg, &target);
    let mut f = Facts::default();
    if r.status == 200 {
        let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
        if v["status"][0] == "reserved" {
            f.elsewhere = format!("special-purpose {}", v["handle"].as_str().unwrap_or(""));
            return f;
        }
    }
    if r.status == 302 {
        let loc = r
            .headers
            .iter()
            .find(|(n, _)| *n == "location")
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
        f.elsewhere = registry_of(&loc);
        return f;
    }
    if r.status == 404 {
        return f;
    }
    let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
    f.routing = (!v["routing0_routing"].is_null()).then(|| {
        let rt = &v["routing0_routing"];
        // ARIN's member lists the single origins the routing member names
        let arin: Vec<u32> = v["arin_originas0_originautnums"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_u64())
                    .map(|x| x as u32)
                    .collect()
            })
            .unwrap_or_default();
        let singles: Vec<u32> = rt["origins"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|o| o["asn"].as_u64())
                    .map(|x| x as u32)
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(
            arin, singles,
            "{target}: arin_originas0 and routing0 differ"
        );
        routing_fact(
            rt["prefix"].as_str(),
            json_asns(rt),
            rt["likely_user"]["asn"].as_u64().map(|x| x as u32),
        )
    });
    assert_eq!(r.status, 200, "{target}");
    f.holder = v["lease0_holder"]["handle"]
        .as_str()
        .unwrap_or("")
        .to_string();
    let entities = v["entities"].as_array().cloned().unwrap_or_default();
    let with_role = |role: &str| {
        entities
            .iter()
            .find(|e| {
                e["roles"]
                    .as_array()
                    .is_some_and(|r| r.iter().any(|x| x == role))
            })
            .cloned()
    };
    if v["type"] == "LEASED" {
        // a lessee's entity handle is qualified by its lease source
        let qualified = with_role("registrant")
            .and_then(|e| e["handle"].as_str().map(str::to_string))
            .unwrap_or_default();
        let source = v["remarks"][0]["description"][0]
            .as_str()
            .and_then(|d| d.split(" from source ").nth(1))
            .unwrap_or("?")
            .to_string();
        f.lessee = qualified
            .strip_prefix(&format!("{source}:"))
            .unwrap_or(&qualified)
            .to_string();
    } else if let Some(rm) = v["remarks"].as_array().and_then(|rs| {
        rs.iter()
            .find(|r| r["title"] == "lease0 lessee (as the registry shows it)")
    }) {
        let d = rm["description"][0].as_str().unwrap_or("");
        f.lessee = d.split(" (").next().unwrap_or("").to_string();
    }
    if let Some(e) = with_role("abuse") {
        let props = e["vcardArray"][1].as_array().cloned().unwrap_or_default();
        f.abuse = props
            .iter()
            .find(|p| p[0] == "email")
            .and_then(|p| p[3].as_str())
            .unwrap_or("")
            .to_string();
    }
    f
}

/// The page's three fact cards and its "ask elsewhere" section, checked
/// against the facts (the page is HTML: each must appear, escaped).
fn check_page(snap: &Snapshot, addr: &str, at: &str, want: &Facts) -> Result<(), String> {
    let params = vec![
        ("q".to_string(), addr.to_string()),
        ("at".to_string(), at.to_string()),
    ];
    let page = tenure::web::page(snap, &params, 0, "/rdap/");
    let html = &page.html;
    let card = |id: &str| -> String {
        let start = html.find(&format!("id=\"{id}\"")).unwrap_or(html.len());
        let rest = &html[start..];
        rest[..rest.find("</div>").unwrap_or(rest.len())].to_string()
    };
    let esc = tenure::web::esc;
    if let Some(block) = want.elsewhere.strip_prefix("special-purpose ") {
        return match html.contains("Special-purpose address space") && html.contains(&esc(block)) {
            true => Ok(()),
            false => Err(format!("page does not say {block} is special-purpose")),
        };
    }
    if !want.elsewhere.is_empty() && !html.contains(&format!("Ask {}", esc(&want.elsewhere))) {
        return Err(format!("page does not say to ask {}", want.elsewhere));
    }
    if page.status == 404 {
        return match want.holder.is_empty() && want.lessee.is_empty() && want.abuse.is_empty() {
            true => Ok(()),
            false => Err("page found nothing".into()),
        };
    }
    let checks = [
        ("holder", &want.holder, "none known"),
        ("lessee", &want.lessee, "<p class=\"name\">none</p>"),
        ("abuse", &want.abuse, "none registered"),
    ];
    if let Some(r) = &want.routing {
        let c = card("routing");
        let words: Vec<&str> = r.split(' ').filter(|w| *w != "likely").collect();
        let ok = if r == "none" {
            c.contains("<p class=\"name\">none</p>")
        } else {
            words.iter().all(|w| c.contains(&esc(w)))
                && (!r.contains(" likely ") || c.contains("likely user"))
        };
        if !ok {
            return Err(format!("page routing card is not '{r}': {c}"));
        }
    }
    for (id, value, none) in checks {
        let c = card(id);
        let ok = if value.is_empty() {
            c.contains(none)
        } else if id == "abuse" {
            c.contains(&format!("mailto:{}", esc(value)))
        } else {
            c.contains(&format!(">{}<", esc(value)))
        };
        if !ok {
            return Err(format!("page {id} card is not '{value}': {c}"));
        }
    }
    Ok(())
}

fn json_facts(snap: &Snapshot, addr: &str, at: i64) -> Facts {
    let q = query::parse_query(addr).expect("address");
    let v = query::to_json(addr, &query::lookup(snap, &q, at));
    json_to_facts(&v)
}

/// Every AS a routing JSON's origins name (sets flattened).
fn json_asns(rt: &serde_json::Value) -> Vec<u32> {
    let mut v = Vec::new();
    for o in rt["origins"].as_array().cloned().unwrap_or_default() {
        v.extend(o["asn"].as_u64().map(|x| x as u32));
        for m in o["as_set"].as_array().cloned().unwrap_or_default() {
            v.extend(m.as_u64().map(|x| x as u32));
        }
    }
    v
}

fn json_to_facts(v: &serde_json::Value) -> Facts {
    let s = |x: &serde_json::Value| x.as_str().unwrap_or("").to_string();
    let rt = &v["routing"];
    Facts {
        routing: (!rt.is_null()).then(|| {
            routing_fact(
                rt["prefix"].as_str(),
                json_asns(rt),
                rt["likely_user"]["asn"].as_u64().map(|x| x as u32),
            )
        }),
        holder: s(&v["holder"]["handle"]),
        lessee: s(&v["lessee"]["handle"]),
        abuse: s(&v["abuse"]["mailbox"]),
        elsewhere: match v["special_purpose"]["block"].as_str() {
            Some(b) => format!("special-purpose {b}"),
            None => s(&v["elsewhere"]["registry"]),
        },
    }
}

/// Compares every interface with the resolved answer for each address;
/// returns the disagreements.
fn disagreements(snap: &Snapshot, addrs: &BTreeSet<String>, at: &str) -> Vec<String> {
    let t = tenure::time::parse(at).expect("time");
    let mut bad = Vec::new();
    for addr in addrs {
        let want = resolved(snap, addr, t);
        // WHOIS and RDAP send space answered elsewhere there and say no more
        let referred = |f: Facts| {
            if want.elsewhere.is_empty() {
                f
            } else {
                Facts {
                    elsewhere: f.elsewhere,
                    routing: f.routing,
                    ..want.clone()
                }
            }
        };
        // an interface that says nothing of routing (an RDAP redirect or
        // 404) is not compared on it
        let said = |f: Facts| Facts {
            routing: f.routing.clone().or(want.routing.clone()),
            ..f
        };
        let got = [
            ("whois", referred(whois_facts(snap, addr, at))),
            ("bulk", bulk_facts(snap, addr, t, &want)),
            ("rdap", said(referred(rdap_facts(snap, addr, at)))),
            ("json", json_facts(snap, addr, t)),
        ];
        for (name, f) in got {
            if f != want {
                bad.push(format!(
                    "{addr} at {at}: {name} says {f:?}, the answer is {want:?}"
                ));
            }
        }
        if let Err(e) = check_page(snap, addr, at, &want) {
            bad.push(format!("{addr} at {at}: {e}"));
        }
    }
    bad
}

/// The first and last address of every network and lease, the first of
/// every delegated block, and addresses loaded nowhere; at most `max`.
fn addresses(snap: &Snapshot, max: usize) -> BTreeSet<String> {
    let mut v = BTreeSet::new();
    for id in snap.net_ids() {
        let r = snap.net(id).range;
        v.insert(r.start_addr().to_string());
        v.insert(r.end_addr().to_string());
    }
    for i in 0..snap.lease_count() {
        v.insert(snap.lease(i).range.start_addr().to_string());
    }
    for r in snap.delegated_blocks() {
        v.insert(r.start_addr().to_string());
    }
    // every announced prefix's first address
    for whole in ["0.0.0.0/0", "::/0"] {
        let r = tenure::addr::parse_query_range(whole).expect("prefix");
        for hit in snap.routing().announced_within(&r, usize::MAX) {
            v.insert(hit.prefix.start_addr().to_string());
        }
    }
    for a in ["8.8.8.8", "10.0.0.1", "2001:db9::1", "fc00::1", "193.0.0.1"] {
        v.insert(a.to_string());
    }
    v.into_iter().take(max).collect()
}

/// Asserts every interface agrees on every address of a snapshot at
/// each of `times`.
fn all_agree(snap: &Snapshot, times: &[&str]) {
    let addrs = addresses(snap, usize::MAX);
    assert!(addrs.len() > 30, "{}", addrs.len());
    let bad: Vec<String> = times
        .iter()
        .flat_map(|at| disagreements(snap, &addrs, at))
        .collect();
    assert!(
        bad.is_empty(),
        "{} disagreements:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn every_interface_gives_the_same_answer_on_the_sample_data() {
    all_agree(
        &snapshot(),
        &[
            BEFORE_LEASES,
            "2026-03-14T09:30:00Z",
            "2026-06-01T00:00:00Z",
        ],
    );
}

#[test]
fn every_interface_gives_the_same_answer_over_journaled_nrtm_deltas() {
    all_agree(
        &super::overlay::served_sample(),
        &[BEFORE_LEASES, "2026-06-01T00:00:00Z"],
    );
}

#[test]
fn the_cli_gives_the_same_answer() {
    // the real binary, on the addresses where the interfaces once differed
    let snap = snapshot();
    let at = "2026-06-01T00:00:00Z";
    let t = tenure::time::parse(at).expect("time");
    for addr in [
        "198.51.100.5",
        "192.0.2.77",
        "198.18.5.5",
        "2001:db9::1",
        "203.0.113.9",
    ] {
        let o = tenure(&["lookup", "--quiet", "--json", "--at", at, addr]);
        assert!(o.status.success(), "{addr}: {}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        assert_eq!(json_to_facts(&v), resolved(&snap, addr, t), "{addr}");
    }
}

#[test]
fn every_interface_gives_the_same_answer_on_real_registry_data() {
    let Some(dir) = super::shared_data::shared() else {
        return;
    };
    let mut flags = tenure::config::DataFlags::default();
    for f in [
        "ripe-whois-grs-fixture-ripe.test.gz",
        "ripe-whois-grs-fixture-apnic.test.gz",
        "ripe-whois-grs-fixture-afrinic.test.gz",
        "ripe-whois-grs-fixture-lacnic.test",
    ] {
        flags.dump.push(dir.join("rpsl").join(f));
    }
    for f in [
        "nro-delegated-stats-2019-excerpt-afrinic",
        "nro-delegated-stats-2019-excerpt-apnic",
        "nro-delegated-stats-2019-excerpt-arin",
        "nro-delegated-stats-2019-excerpt-lacnic",
        "nro-delegated-stats-2019-excerpt-ripencc",
    ] {
        flags.delegated.push(dir.join("delegated").join(f));
    }
    flags.rdap_bootstrap = ["asn", "ipv4", "ipv6"]
        .iter()
        .map(|f| dir.join("iana").join(format!("rdap-bootstrap-{f}.json")))
        .collect();
    let cfg = flags.resolve().expect("config");
    let (reg, report) =
        tenure::dump::load(&cfg.sources, &tenure::progress::Progress::off()).expect("load");
    let snap = Snapshot::build(reg, report, 1, cfg.backend, query::lease_policy(false));
    let addrs = addresses(&snap, 3000);
    assert!(addrs.len() > 100, "only {} addresses", addrs.len());
    let bad = disagreements(&snap, &addrs, "2026-03-14T09:30:00Z");
    assert!(
        bad.is_empty(),
        "{} disagreements of {} addresses:\n{}",
        bad.len(),
        addrs.len(),
        bad.iter().take(40).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn metrics_count_the_same_question_the_same_way() {
    use tenure::metrics::{Kind, Outcome};
    let snap = snapshot();
    let cfg = RdapConfig::default();
    // (WHOIS key, RDAP path, kind, WHOIS outcome, RDAP status)
    let cases = [
        ("10.1", "ip/10.1", Kind::Address, Outcome::BadRequest, 400),
        (
            "192.0.2.77",
            "ip/192.0.2.77",
            Kind::Address,
            Outcome::Ok,
            200,
        ),
        (
            "192.0.2.0/24",
            "ip/192.0.2.0/24",
            Kind::Prefix,
            Outcome::Ok,
            200,
        ),
        (
            "4000::1",
            "ip/4000::1",
            Kind::Address,
            Outcome::NotFound,
            404,
        ),
        // special-purpose space: an answer on both protocols
        ("fc00::1", "ip/fc00::1", Kind::Address, Outcome::Ok, 200),
        ("AS64500", "autnum/64500", Kind::Asn, Outcome::Ok, 200),
        (
            "198.18.5.5",
            "ip/198.18.5.5",
            Kind::Address,
            Outcome::Redirect,
            302,
        ),
    ];
    for (key, path, kind, outcome, status) in cases {
        let w = tenure::whois::respond::respond(&snap, key, 0, false);
        assert_eq!((w.kind, w.outcome), (kind, outcome), "whois {key}");
        let target = format!("/rdap/{path}");
        let r = rdap_get(&snap, &cfg, &target);
        assert_eq!((r.kind, r.status), (kind, status), "rdap {path}");
    }
}
