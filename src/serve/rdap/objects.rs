//! The autnum, entity and reverse-domain answers (RFC 9083 sections 5.1,
//! 5.3, 5.5) and `help` (section 7).

use super::build::{
    conformance, contact_kind, entity_obj, entity_value, events_of, notices, out_contacts, segment,
    tree, vcard_value, Ctx,
};
use super::network::redirect;
use super::response::{RdapError, Refusal};
use super::search::{autnum_summary, network_summary};
use crate::query;
use serde_json::{json, Value};

/// `autnum/{n}`: the aut-num, else the most specific as-block holding it;
/// AS numbers of a registry not loaded here are redirected there.
pub(super) fn autnum(ctx: &Ctx, n: &str) -> Result<Value, Refusal> {
    let asn = n
        .parse::<u32>()
        .ok()
        .filter(|_| n.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| RdapError::BadRequest("an AS number is digits only".into()))?;
    let Some((a, abuse)) = query::autnum(ctx.snap, asn, ctx.at) else {
        // not here: the registry of the delegated statistics, else IANA's bootstrap
        if let Some(e) = query::authority::asn_elsewhere(ctx.snap, asn) {
            if let Some(r) = redirect(ctx, e.rdap, &format!("autnum/{asn}")) {
                return Err(r);
            }
        }
        return Err(RdapError::NotFound.into());
    };
    let mut entities = Vec::new();
    if let Some((handle, name)) = a.organisation() {
        entities.push(entity_obj(ctx, handle, name, "org", &["registrant"], None));
    }
    if let Some(ab) = abuse {
        entities.push(entity_obj(
            ctx,
            ab.handle(),
            ab.handle(),
            "group",
            &["abuse"],
            Some(ab.mailbox),
        ));
    }
    let mut contacts = Vec::new();
    let object = a.object();
    let redacted = out_contacts(ctx, &object.contacts(), &mut contacts);
    entities.extend(contacts.iter().map(|e| entity_value(ctx, e)));
    let extensions: &[&str] = if redacted.is_none() {
        &[]
    } else {
        &["redacted"]
    };
    Ok(json!({
        "rdapConformance": conformance(extensions),
        "redacted": redacted.map_or(Value::Null, tree),
        "objectClassName": "autnum",
        "handle": a.key(),
        "startAutnum": a.first(),
        "endAutnum": a.last(),
        "name": a.name(),
        "type": if a.is_block() { "AS block" } else { "DIRECT ALLOCATION" },
        "status": ["active"],
        "entities": entities,
        "events": events_of(&object),
        "links": [ctx.self_link(&format!("autnum/{asn}"))],
        "port43": ctx.cfg.settings.port43,
        "notices": notices(ctx),
    }))
}

/// `entity/{handle}`.
pub(super) fn entity(ctx: &Ctx, h: &str) -> Result<Value, Refusal> {
    let Some(e) = query::entity(ctx.snap, h) else {
        return lessee_entity(ctx, h);
    };
    let mailbox = e.abuse_mailbox();
    // a top-level organisation lists what it holds (NRO RDAP profile
    // 5.1.2); nested entities never do
    let (networks, autnums) = if e.kind() == query::ContactKind::Organisation {
        let (nets, auts, _) = query::held_by(ctx.snap, &e, ctx.cfg.settings.max_results);
        let nets: Vec<Value> = nets.iter().map(|n| network_summary(ctx, n)).collect();
        let auts: Vec<Value> = auts.iter().map(|a| autnum_summary(ctx, a)).collect();
        let some = |v: Vec<Value>| {
            if v.is_empty() {
                Value::Null
            } else {
                Value::Array(v)
            }
        };
        (some(nets), some(auts))
    } else {
        (Value::Null, Value::Null)
    };
    Ok(json!({
        "rdapConformance": conformance(&[]),
        "objectClassName": "entity",
        "handle": e.handle(),
        "vcardArray": vcard_value(contact_kind(e.kind()), e.display_name(), mailbox.map(|m| (m, true))),
        "roles": if mailbox.is_some() { json!(["abuse"]) } else { json!(["registrant"]) },
        "networks": networks,
        "autnums": autnums,
        "events": events_of(&e.object()),
        "links": [ctx.self_link(&format!("entity/{}", segment(e.handle())))],
        "port43": ctx.cfg.settings.port43,
        "notices": notices(ctx),
    }))
}

/// `entity/{SOURCE:HANDLE}`: a lessee named by lease records (lease0), with
/// the leases naming it as its networks (bounded by `rdap-max-results`).
fn lessee_entity(ctx: &Ctx, h: &str) -> Result<Value, Refusal> {
    let leases = query::leases_of_lessee(ctx.snap, h);
    // the record that speaks for the lessee: the current one with the
    // latest start, else the latest
    let current = leases
        .iter()
        .filter(|l| l.active_at(ctx.at))
        .max_by_key(|l| l.start());
    let Some(l) = current.or_else(|| leases.iter().max_by_key(|l| l.start())) else {
        return Err(RdapError::NotFound.into());
    };
    let mailbox = l.abuse_mailbox();
    let handle = l.lessee_qualified();
    let max = ctx.cfg.settings.max_results;
    let networks: Vec<Value> = leases
        .iter()
        .take(max)
        .map(|l| super::search::lease_summary(ctx, l))
        .collect();
    let mut notices = match notices(ctx) {
        Value::Array(a) => a,
        _ => Vec::new(),
    };
    if leases.len() > max {
        notices.push(json!({
            "title": "Networks truncated",
            "type": "result set truncated due to excessive load",
            "description": [format!("at most {max} networks are listed")],
        }));
    }
    Ok(json!({
        "rdapConformance": conformance(&["lease0"]),
        "objectClassName": "entity",
        "handle": handle,
        "vcardArray": vcard_value("org", l.lessee_name(), mailbox.map(|m| (m, true))),
        "roles": if mailbox.is_some() { json!(["registrant", "abuse"]) } else { json!(["registrant"]) },
        "networks": networks,
        "remarks": [{"title": "lease0", "description": [
            format!("lessee named by lease records of source {}", l.source()),
        ]}],
        "links": [ctx.self_link(&format!("entity/{}", segment(&handle)))],
        "port43": ctx.cfg.settings.port43,
        "notices": notices,
    }))
}

/// `domain/{name}`: reverse domains only. A name below a loaded zone is
/// answered by that closest enclosing zone (NRO RDAP profile 6.2); a zone
/// of space another registry answers for is redirected there.
pub(super) fn domain(ctx: &Ctx, name: &str) -> Result<Value, Refusal> {
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    if !(lower.ends_with(".in-addr.arpa") || lower.ends_with(".ip6.arpa")) {
        // a forward domain is an object this service does not have: 404,
        // as the RIRs answer it (501 would say domain queries are unknown)
        return Err(RdapError::NotFound.into());
    }
    let space = crate::addr::reverse_zone_range(&lower).ok_or_else(|| {
        RdapError::BadRequest("not a reverse zone of whole octets or nibbles".into())
    })?;
    let Some(o) = query::domain(ctx.snap, &lower) else {
        if let Some(e) = query::resolve(ctx.snap, &space, ctx.at).elsewhere {
            if let Some(r) = redirect(ctx, e.rdap, &format!("domain/{lower}")) {
                return Err(r);
            }
        }
        return Err(RdapError::NotFound.into());
    };
    let zone = o.key().to_ascii_lowercase();
    let ns: Vec<Value> = o
        .get_all("nserver")
        .map(|n| {
            let host = n
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_end_matches('.');
            json!({"objectClassName": "nameserver", "ldhName": host.to_ascii_lowercase()})
        })
        .collect();
    // RFC 9083 section 5.3: the network the zone is the reverse of
    let network = crate::addr::reverse_zone_range(&zone)
        .and_then(|r| match query::resolve(ctx.snap, &r, ctx.at).subject {
            Some(query::Subject::Network(n)) => Some(network_summary(ctx, &n)),
            _ => None,
        })
        .unwrap_or(Value::Null);
    let mut contacts = Vec::new();
    let redacted = out_contacts(ctx, &o.contacts(), &mut contacts);
    let remarks: Vec<Value> = o
        .get_all("descr")
        .map(|d| json!({"description": [d]}))
        .collect();
    Ok(json!({
        "rdapConformance": conformance(if redacted.is_none() { &[] } else { &["redacted"] }),
        "objectClassName": "domain",
        "handle": o.key(),
        // fully qualified (NRO RDAP profile: with the trailing period)
        "ldhName": format!("{zone}."),
        "nameservers": ns,
        "network": network,
        "entities": if contacts.is_empty() { Value::Null } else { Value::Array(contacts.iter().map(|e| entity_value(ctx, e)).collect()) },
        "redacted": redacted.map_or(Value::Null, tree),
        "remarks": if remarks.is_empty() { Value::Null } else { Value::Array(remarks) },
        "status": ["active"],
        "events": events_of(&o),
        "links": [ctx.self_link(&format!("domain/{zone}"))],
        "port43": ctx.cfg.settings.port43,
        "notices": notices(ctx),
    }))
}

/// Every extension tenure may use, as `help` lists them.
const ALL_EXTENSIONS: &[&str] = &[
    "rirSearch1",
    "ips",
    "ipSearchResults",
    "autnums",
    "autnumSearchResults",
    "reverse_search",
    "redacted",
    "lease0",
    "arin_originas0",
    "routing0",
];

/// `help`: what this service answers.
pub(super) fn help(ctx: &Ctx) -> Value {
    let mut v = json!({
        "rdapConformance": conformance(ALL_EXTENSIONS),
        "notices": [
            {
                "title": "tenure RDAP service",
                "description": [
                    "Paths: ip/{address}, ip/{prefix}/{length}, ip/{first%20-%20last}, autnum/{n}, entity/{handle}, domain/{reverse name}, lease0_lease/{SOURCE:ID}, help.",
                    "Searches: entities?fn= and ?handle=, ips?handle= and ?name=, autnums?handle= and ?name= (a trailing * matches any suffix), ips/rirSearch1/{rdap-up|rdap-down|rdap-top|rdap-bottom}/{address or prefix} (?status=active or inactive), ips/reverse_search/entity?handle= and ?fn=.",
                    "Extensions: rdap_level_0, nro_rdap_profile_0 with the flat ASN model (nro_rdap_profile_asn_flat_0), cidr0, rirSearch1 (ips, ipSearchResults, autnums, autnumSearchResults; link relations rdap-up, rdap-down, rdap-top, rdap-bottom, rdap-active), reverse_search, redacted (contacts the registry's public dump removed), lease0 (tenure: the current lease as the response object with handle SOURCE:ID, lessees as entities SOURCE:HANDLE, lease0_holder, ?lease0_at=TIME, ?lease0_view=registry for the registry's own object).",
                ],
            },
        ],
        "port43": ctx.cfg.settings.port43,
        // RFC 9536 section 2: what ips/reverse_search/entity accepts and
        // where each property sits in the related entity
        "reverse_search_properties": [
            {
                "searchableResourceType": "ips",
                "relatedResourceType": "entity",
                "property": "handle",
                "propertyPath": "$.entities[*].handle",
            },
            {
                "searchableResourceType": "ips",
                "relatedResourceType": "entity",
                "property": "fn",
                "propertyPath": "$.entities[*].vcardArray[1][?(@[0]=='fn')][3]",
            },
        ],
    });
    // then the notices every answer carries (terms, inaccuracy, sources)
    if let (Some(list), Value::Array(more)) = (v["notices"].as_array_mut(), notices(ctx)) {
        list.extend(more);
    }
    v
}
