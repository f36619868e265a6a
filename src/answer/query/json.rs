//! `tenure lookup --json`: the resolved answer as one JSON object.

use super::{
    AbuseSource, AbuseView, Elsewhere, Found, HolderFrom, LeaseView, LesseeFrom, LesseeView,
    ObjectView, Subject,
};
use crate::time;
use serde_json::{json, Value};

/// The `tenure lookup --json` form of an answer.
pub fn to_json(query: &str, found: &Found) -> Value {
    match found {
        Found::NotFound {
            elsewhere,
            special,
            routing,
        } => json!({
            "query": query, "found": false,
            "message": if special.is_some() {
                "special-purpose address space, not delegated to anyone"
            } else {
                "no entries found"
            },
            "network": null, "holder": null, "lessee": null, "abuse": null, "less_specifics": [],
            "elsewhere": elsewhere.as_ref().map(elsewhere_json),
            "special_purpose": special.map(|s| json!({
                "block": s.block, "name": s.name, "reference": s.rfc,
            })),
            "routing": routing.as_deref().map(super::routing_json),
        }),
        Found::Objects { objects, abuse } => json!({
            "query": query,
            "found": true,
            "objects": objects.iter().map(object_json).collect::<Vec<_>>(),
            "abuse": abuse.as_ref().map(abuse_json),
        }),
        Found::Network(res) => {
            let network = match &res.subject {
                Some(Subject::Network(n)) => {
                    let r = n.range();
                    json!({
                        "handle": n.key(),
                        "class": n.object().class(),
                        "start": r.start_addr().to_string(),
                        "end": r.end_addr().to_string(),
                        "prefix": r.prefix_len().map(|_| r.to_prefix_or_range()),
                        "status": n.status(),
                        "netname": n.netname(),
                        "country": n.country(),
                        "source": n.source(),
                        "origin": n.object().origin(),
                    })
                }
                Some(Subject::Delegated(d)) => {
                    let r = d.range();
                    json!({
                        "handle": r.to_string(),
                        "class": "delegation",
                        "start": r.start_addr().to_string(),
                        "end": r.end_addr().to_string(),
                        "prefix": r.prefix_len().map(|_| r.to_prefix_or_range()),
                        "status": d.status(),
                        "netname": null,
                        "country": d.country().unwrap_or(""),
                        "source": d.registry(),
                        "origin": d.origin(),
                    })
                }
                None => Value::Null,
            };
            let holder = res.holder.as_ref().map(|h| {
                let (network, registry) = match h.from {
                    HolderFrom::Network(n) => (Some(n.key()), None),
                    HolderFrom::Delegated { registry } => (None, Some(registry)),
                };
                json!({
                    "handle": h.handle,
                    "name": h.name(),
                    "organisation": h.organisation,
                    "description": h.description,
                    "network": network,
                    "registry": registry,
                })
            });
            json!({
                "query": query,
                "found": true,
                "network": network,
                "holder": holder,
                "lessee": res.lessee.as_ref().map(lessee_json),
                "abuse": res.abuse.as_ref().map(abuse_json),
                "registry": res.registry(),
                "elsewhere": res.elsewhere.as_ref().map(elsewhere_json),
                "less_specifics": res.less_specifics(),
                "routing": res.routing.as_ref().map(super::routing_json),
            })
        }
    }
}

fn elsewhere_json(e: &Elsewhere) -> Value {
    json!({
        "registry": e.name(),
        "whois": e.whois(),
        "rdap": e.rdap,
    })
}

fn abuse_json(a: &AbuseView) -> Value {
    json!({"mailbox": a.mailbox, "from_handle": a.handle(), "via": a.via(), "from": match a.from {
        AbuseSource::Lease(_) => "lease",
        AbuseSource::Entity(_) => "registry",
    }})
}

fn lessee_json(l: &LesseeView) -> Value {
    let (network, lease) = match l.from {
        LesseeFrom::Lease(x) => (None, lease_json(&x)),
        LesseeFrom::Registry(n) => (Some(n.key()), Value::Null),
    };
    json!({
        "handle": l.handle,
        "name": l.name(),
        "source": l.source,
        "platform_managed": l.platform_managed,
        "network": network,
        "lease": lease,
    })
}

/// A lease as JSON: `id`, range, term, source, verification and the rest.
pub fn lease_json(l: &LeaseView) -> Value {
    let r = l.range();
    json!({
        "id": l.id(),
        "start": time::format(l.start()),
        "end": l.end().map(time::format),
        "source": l.source(),
        "verified": l.verified(),
        "range": r.to_string(),
        "prefix": r.prefix_len().map(|_| r.to_prefix_or_range()),
        "lessor": l.lessor(),
        "lessee": {
            "handle": l.lessee_handle(),
            "name": l.lessee_name(),
            "country": l.country(),
            "abuse_mailbox": l.abuse_mailbox(),
        },
        "origin_asn": l.origin_asn(),
        "geofeed": l.geofeed(),
        "origin": l.origin(),
    })
}

/// The `--lease-history` answer: every lease that ever covered the range.
pub fn history_json(query: &str, history: &super::History) -> Value {
    let leases: Vec<Value> = history.leases.iter().map(lease_json).collect();
    json!({ "query": query, "leases": leases, "older_leases_omitted": history.omitted })
}

fn object_json(o: &ObjectView) -> Value {
    let attrs: Vec<Value> = o.attrs().map(|(n, v)| json!([n, v])).collect();
    json!({
        "class": o.class(),
        "key": o.display_key(),
        "source": o.get("source"),
        "origin": o.origin(),
        "attributes": attrs,
    })
}
