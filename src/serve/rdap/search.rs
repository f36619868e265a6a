//! RDAP searches: `entities` (RFC 9082 section 3.2.3), `ips` and
//! `autnums` by handle or name and `ips/rirSearch1/...` (RFC 9910),
//! `ips/reverse_search/entity` (RFC 9536). The matching is
//! [`crate::query`]'s, shared with WHOIS; this file renders the results,
//! bounded with a notice when they were cut.

use super::build::{
    cidr0, conformance, contact_kind, family_of, notices, range_path, segment, vcard_value, Ctx,
};
use super::response::{RdapError, Refusal};
use super::{network, out, Body};
use crate::addr::IpRange;
use crate::query::{self, Field, LeaseView, NetworkView, Pattern, Relation, Reverse};
use crate::time;
use serde_json::{json, Value};

/// The one search parameter of `names` (one of them is `handle`, the
/// other names the name field), as a field and a pattern.
fn search_param(
    params: &[(String, String)],
    names: [&str; 2],
) -> Result<(Field, Pattern), RdapError> {
    let found: Vec<&(String, String)> = params
        .iter()
        .filter(|(k, _)| names.contains(&k.as_str()))
        .collect();
    match found.as_slice() {
        [(k, v)] => {
            let field = if k == "handle" {
                Field::Handle
            } else {
                Field::Name
            };
            Ok((field, Pattern::parse(v)?))
        }
        [] => Err(RdapError::BadRequest(format!(
            "give one of: {}",
            names.join(", ")
        ))),
        _ => Err(RdapError::BadRequest("give one search parameter".into())),
    }
}

/// What an answer of ip network results declares (RFC 9910).
const IP_RESULTS: &[&str] = &["rirSearch1", "ips", "ipSearchResults"];

/// Search results with a notice when they were cut at `max_results`.
fn results(ctx: &Ctx, key: &str, items: Vec<Value>, more: bool, conf: &[&str]) -> Value {
    let mut notices = match notices(ctx) {
        Value::Array(a) => a,
        _ => Vec::new(),
    };
    if more {
        notices.push(json!({
            "title": "Search results truncated",
            "type": "result set truncated due to excessive load",
            "description": [format!("at most {} results are returned; refine the search", ctx.cfg.settings.max_results)],
        }));
    }
    json!({ "rdapConformance": conformance(conf), key: items, "notices": notices })
}

/// The members every ip network search result has: a range named by
/// `handle`, `name`, `type` and `country`, active, with its self link.
#[allow(clippy::too_many_arguments)]
fn ip_summary(
    ctx: &Ctx,
    r: IpRange,
    handle: &str,
    name: Option<&str>,
    typ: Option<&str>,
    country: Option<&str>,
    status: &str,
    self_path: &str,
) -> serde_json::Map<String, Value> {
    let v = json!({
        "objectClassName": "ip network",
        "handle": handle,
        "startAddress": r.start_addr().to_string(),
        "endAddress": r.end_addr().to_string(),
        "ipVersion": family_of(&r),
        "name": name,
        "type": typ,
        "country": country,
        "status": [status],
        "cidr0_cidrs": cidr0(&r),
        "links": [ctx.self_link(self_path)],
    });
    match v {
        Value::Object(m) => m,
        _ => Default::default(),
    }
}

/// An ip network as a search result: the registry object, without notices.
pub(super) fn network_summary(ctx: &Ctx, n: &NetworkView) -> Value {
    // `ip/` of the range answers a lease current for all of it: then the
    // registry's view is asked for
    let own = network::network_path(ctx, n.range(), true).concat();
    let mut m = ip_summary(
        ctx,
        n.range(),
        n.key(),
        n.netname(),
        n.status(),
        n.country(),
        network::network_status(n),
        &own,
    );
    m.insert("parentHandle".into(), json!(n.parent().map(|p| p.key())));
    Value::Object(m)
}

/// An aut-num or as-block as a search result or a nested object.
pub(super) fn autnum_summary(ctx: &Ctx, a: &query::AutNumView) -> Value {
    json!({
        "objectClassName": "autnum",
        "handle": a.key(),
        "startAutnum": a.first(),
        "endAutnum": a.last(),
        "name": a.name(),
        "links": [ctx.self_link(&format!("autnum/{}", a.first()))],
    })
}

/// A lease as a search result.
pub(super) fn lease_summary(ctx: &Ctx, l: &LeaseView) -> Value {
    let mut m = ip_summary(
        ctx,
        l.range(),
        &l.handle(),
        Some(l.id()),
        Some("LEASED"),
        l.country(),
        network::lease_status(ctx, l),
        &network::lease_path(l).concat(),
    );
    let end = l
        .end()
        .map(time::format)
        .unwrap_or_else(|| "open end".into());
    m.insert(
        "remarks".into(),
        json!([{"title": "lease0", "description": [
            format!("lease record from source {}", l.source()),
            format!("{} to {end}", time::format(l.start())),
            format!("lessor {}, lessee {}", l.lessor(), l.lessee_qualified()),
        ]}]),
    );
    Value::Object(m)
}

/// `entities?fn=` / `?handle=` (RFC 9082 section 3.2.3).
pub(super) fn entity_search(ctx: &Ctx, params: &[(String, String)]) -> Result<Value, RdapError> {
    let (field, p) = search_param(params, ["fn", "handle"])?;
    let (found, more) = query::search_entities(ctx.snap, field, &p, ctx.cfg.settings.max_results);
    let items = found
        .iter()
        .map(|e| {
            json!({
                "objectClassName": "entity",
                "handle": e.handle(),
                "vcardArray": vcard_value(contact_kind(e.kind()), e.display_name(), e.abuse_mailbox().map(|m| (m, true))),
                "links": [ctx.self_link(&format!("entity/{}", segment(e.handle())))],
            })
        })
        .collect();
    Ok(results(ctx, "entitySearchResults", items, more, &[]))
}

/// `ips?handle=` / `?name=` (RFC 9910 `ips`).
pub(super) fn ip_search(ctx: &Ctx, params: &[(String, String)]) -> Result<Value, RdapError> {
    let (field, p) = search_param(params, ["handle", "name"])?;
    let (found, more) = query::search_networks(ctx.snap, field, &p, ctx.cfg.settings.max_results);
    let items = found.iter().map(|n| network_summary(ctx, n)).collect();
    Ok(results(ctx, "ipSearchResults", items, more, IP_RESULTS))
}

/// `autnums?handle=` / `?name=` (RFC 9910 `autnums`).
pub(super) fn autnum_search(ctx: &Ctx, params: &[(String, String)]) -> Result<Value, RdapError> {
    let (field, p) = search_param(params, ["handle", "name"])?;
    let (found, more) = query::search_autnums(ctx.snap, field, &p, ctx.cfg.settings.max_results);
    let items = found.iter().map(|a| autnum_summary(ctx, a)).collect();
    Ok(results(
        ctx,
        "autnumSearchResults",
        items,
        more,
        &["rirSearch1", "autnums", "autnumSearchResults"],
    ))
}

/// `ips/rirSearch1/{rdap-up|rdap-down|rdap-top|rdap-bottom}/{address or prefix}`
/// (RFC 9910), relative to the most specific registry network containing
/// the query: `rdap-up` (its parent) and `rdap-top` (the least specific)
/// answer that one network as if it had been asked directly;
/// `rdap-down` (its children) and `rdap-bottom` (the leaves below it)
/// answer `ipSearchResults`. `?status=active` (or `inactive`) keeps only
/// networks with that status; another status value is a 501.
pub(super) fn rir_search(
    ctx: &Ctx,
    rel: &str,
    addr: &str,
    len: Option<&str>,
    params: &[(String, String)],
    pretty: bool,
) -> Result<Body, Refusal> {
    let text = match len {
        Some(l) => format!("{addr}/{l}"),
        None => addr.to_string(),
    };
    let range =
        crate::addr::parse_query_range(&text).map_err(|e| RdapError::BadRequest(e.to_string()))?;
    let relation = match rel {
        "rdap-up" => Relation::Up,
        "rdap-down" => Relation::Down,
        "rdap-top" => Relation::Top,
        "rdap-bottom" => Relation::Bottom,
        _ => {
            return Err(RdapError::BadRequest(
                "relation must be rdap-up, rdap-down, rdap-top or rdap-bottom".into(),
            )
            .into())
        }
    };
    let mut status = None;
    for (k, v) in params {
        match (k.as_str(), v.as_str()) {
            ("status", "active") => status = Some(true),
            ("status", "inactive") => status = Some(false),
            ("status", _) => {
                return Err(RdapError::NotImplemented(
                    "relation searches filter on status active or inactive",
                )
                .into())
            }
            ("pretty" | "lease0_at", _) => {}
            _ => {
                return Err(RdapError::NotImplemented(
                    "relation searches take no parameter but status",
                )
                .into())
            }
        }
    }
    let nets = query::related(ctx.snap, &range, relation, status).ok_or(RdapError::NotFound)?;
    match relation {
        Relation::Up | Relation::Top => {
            let n = nets.first().ok_or(RdapError::NotFound)?;
            let context: out::Path = [
                "ips/rirSearch1/".into(),
                format!("{rel}/{}", range_path(&range)).into(),
                (match status {
                    Some(true) => "?status=active",
                    Some(false) => "?status=inactive",
                    None => "",
                })
                .into(),
                "".into(),
            ];
            network::registry_network(ctx, n, context, pretty)
        }
        Relation::Down | Relation::Bottom => {
            if nets.is_empty() {
                return Err(RdapError::NotFound.into());
            }
            let more = nets.len() > ctx.cfg.settings.max_results;
            let items = nets
                .iter()
                .take(ctx.cfg.settings.max_results)
                .map(|n| network_summary(ctx, n))
                .collect();
            Ok(Body::Json(results(
                ctx,
                "ipSearchResults",
                items,
                more,
                IP_RESULTS,
            )))
        }
    }
}

/// `ips/reverse_search/entity?handle=` / `?fn=` (RFC 9536): the networks an
/// organisation holds or uses (its registry objects) and the leases that
/// name it as lessee or lessor.
pub(super) fn reverse_search(ctx: &Ctx, params: &[(String, String)]) -> Result<Value, RdapError> {
    let (field, p) = search_param(params, ["handle", "fn"])?;
    let (found, more) = query::reverse_search(ctx.snap, field, &p, ctx.cfg.settings.max_results);
    let items = found
        .iter()
        .map(|r| match r {
            Reverse::Network(n) => network_summary(ctx, n),
            Reverse::Lease(l) => lease_summary(ctx, l),
        })
        .collect();
    Ok(results(
        ctx,
        "ipSearchResults",
        items,
        more,
        &["ips", "ipSearchResults", "reverse_search", "lease0"],
    ))
}
