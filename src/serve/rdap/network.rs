//! The ip network answer (RFC 9083 section 5.4, cidr0, tenure's `lease0`)
//! from the one resolved answer: a current lease as the response object,
//! else the registry network, else the delegated record; space another
//! registry answers for is redirected there (RFC 7480 section 5.2).

use super::build::{at, family_of, out_cidrs, out_contacts, out_events, Ctx};
use super::response::{RdapError, Refusal};
use super::{cache, out, Body};
use crate::addr::IpRange;
use crate::query;
use crate::time;

pub(super) fn ip(ctx: &Ctx, addr: &str, len: Option<&str>, pretty: bool) -> Result<Body, Refusal> {
    let text = match len {
        Some(l) => format!("{addr}/{l}"),
        None => addr.to_string(),
    };
    let range =
        crate::addr::parse_query_range(&text).map_err(|e| RdapError::BadRequest(e.to_string()))?;
    if text.contains(" - ") || text.contains('-') {
        return Err(RdapError::BadRequest("ip queries take an address or a prefix".into()).into());
    }
    let res = query::resolve(ctx.snap, &range, ctx.at);
    // space held elsewhere: redirected (never to this service itself)
    if let Some(e) = &res.elsewhere {
        if let Some(r) = redirect(ctx, e.rdap, &format!("ip/{text}")) {
            return Err(r);
        }
    }
    if !res.found() {
        return Err(RdapError::NotFound.into());
    }
    let na = &res.answer;
    let cache = &ctx.cfg.cache;
    let key = (cache.enabled() && cache::cacheable(&text, ctx.origin)).then(|| cache::Key {
        network: na.network(ctx.snap),
        delegation: na.delegation,
        resolution: na.resolution,
        pretty,
    });
    // the question itself answered by the template until a lease covering
    // the space starts or ends
    let remember = |key: &cache::Key| {
        if let Some(target) = ctx.exact_target {
            let until = if ctx.at_given {
                i64::MAX
            } else {
                res.next_lease_change(ctx.at)
            };
            cache.put_exact(ctx.snap, ctx.origin, target, key, &text, until);
        }
    };
    if let Some(k) = &key {
        if let Some(t) = cache.get(ctx.snap, k) {
            remember(k);
            return Ok(Body::Bytes(t.render(&text, ctx.origin)));
        }
    }
    // for a template: markers where the query and the origin go
    let marked = Ctx {
        origin: cache::ORIGIN_MARKER,
        ..*ctx
    };
    let (build, query) = match key {
        Some(_) => (&marked, cache::MARKER),
        None => (ctx, text.as_str()),
    };
    let net = network_out(build, &res, query).ok_or(RdapError::NotFound)?;
    // most answers fit: no growing and copying while writing
    let mut bytes = Vec::with_capacity(8192);
    let written = if pretty {
        serde_json::to_writer_pretty(&mut bytes, &net)
    } else {
        serde_json::to_writer(&mut bytes, &net)
    };
    if written.is_err() {
        return Ok(Body::Bytes(Vec::new()));
    }
    match key {
        Some(key) => {
            let t = cache::Template::cut(&bytes);
            let answer = t.render(&text, ctx.origin);
            cache.put(ctx.snap, key.clone(), t);
            remember(&key);
            Ok(Body::Bytes(answer))
        }
        None => Ok(Body::Bytes(bytes)),
    }
}

/// A 302 to another RDAP service (RFC 7480 section 5.2), unless that
/// service is this one.
pub(super) fn redirect(ctx: &Ctx, base: &str, path: &str) -> Option<Refusal> {
    if query::authority::host(base) == query::authority::host(ctx.origin) {
        return None;
    }
    let sep = if base.ends_with('/') { "" } else { "/" };
    Some(Refusal::Redirect(format!("{base}{sep}{path}")))
}

/// Conformance of an ip network answer that redacted nothing.
const NETWORK_CONFORMANCE: &[&str] = NETWORK_CONFORMANCE_REDACTED
    .split_at(NETWORK_CONFORMANCE_REDACTED.len() - 1)
    .0;

/// Conformance of an ip network answer with a `redacted` member (RFC 9537).
/// (The base of every response, then the extensions an ip network answer
/// uses: RFC 9910's relation links, tenure's `lease0`; `rdap-up` and the
/// other relations are link relations, not extension identifiers.)
const NETWORK_CONFORMANCE_REDACTED: &[&str] = &[
    "rdap_level_0",
    "nro_rdap_profile_0",
    "cidr0",
    "nro_rdap_profile_asn_flat_0",
    "rirSearch1",
    "ips",
    "lease0",
    "redacted",
];

/// What every ip network answer carries, whatever its object.
struct Common<'a> {
    holder: Option<out::Entity<'a>>,
    abuse: Option<out::Entity<'a>>,
    links: Vec<out::Link<'a>>,
    self_path: out::Path<'a>,
}

/// A link `up` to the network above.
fn up_link<'a>(ctx: &'a Ctx, self_path: &out::Path<'a>, range: IpRange) -> out::Link<'a> {
    ctx.out_link(
        "up",
        [
            "ip/".into(),
            range.to_query_string().into(),
            "".into(),
            "".into(),
        ],
        self_path.clone(),
    )
}

/// The ip network answer from the resolved answer: a current lease as the
/// response object (`lease0`), else the registry network, else the
/// delegated record. The abuse contact is the resolved one in every case.
fn network_out<'a>(
    ctx: &'a Ctx,
    res: &query::Resolved<'a>,
    query_text: &'a str,
) -> Option<out::IpNetwork<'a>> {
    let holder = res.holder.as_ref().map(|h| {
        let mut e = ctx.out_entity(h.handle, h.display_name(), "org", &["registrant"], None);
        if let query::HolderFrom::Delegated { registry } = h.from {
            e.remarks = Some(vec![out::Remark {
                title: None,
                description: vec![
                    format!("opaque holder id at {registry} (delegated statistics)").into(),
                ],
            }]);
            e.links.clear();
        }
        e
    });
    let abuse = res
        .abuse
        .as_ref()
        .map(|a| ctx.out_entity(a.handle(), a.name(), "group", &["abuse"], Some(a.mailbox)));
    let self_path = || at(&["ip/", query_text]);
    let mut links = vec![ctx.out_link("self", self_path(), self_path())];
    for rel in ["rdap-up", "rdap-down", "rdap-top", "rdap-bottom"] {
        links.push(ctx.out_link(
            rel,
            at(&["ips/rirSearch1/", rel, "/", query_text]),
            self_path(),
        ));
    }
    let common = Common {
        holder,
        abuse,
        links,
        self_path: self_path(),
    };
    let registry_net = match &res.subject {
        Some(query::Subject::Network(n)) => Some(*n),
        _ => None,
    };
    match res.lessee.as_ref().and_then(|l| l.lease()) {
        Some(l) => Some(lease_out(ctx, l, registry_net, common)),
        None => registry_out(ctx, res, common),
    }
}

/// A current lease as the response object.
fn lease_out<'a>(
    ctx: &'a Ctx,
    l: query::LeaseView<'a>,
    registry_net: Option<query::NetworkView<'a>>,
    common: Common<'a>,
) -> out::IpNetwork<'a> {
    let Common {
        holder,
        abuse,
        mut links,
        self_path,
    } = common;
    // the lease as the response object
    let mut entities = vec![ctx.out_entity(
        l.lessee_handle(),
        l.lessee_name(),
        "org",
        &["registrant"],
        None,
    )];
    // the resolved abuse contact: the verified lease's mailbox, else
    // the registry's (an unverified lease never removes it)
    entities.extend(abuse);
    let mut events = vec![out::Event {
        eventAction: "registration",
        eventDate: time::format(l.start()).into(),
    }];
    if let Some(e) = l.end() {
        events.push(out::Event {
            eventAction: "expiration",
            eventDate: time::format(e).into(),
        });
    }
    if let Some(n) = registry_net {
        links.push(up_link(ctx, &self_path, n.range()));
    }
    let range = l.range();
    out::IpNetwork {
        rdapConformance: NETWORK_CONFORMANCE,
        objectClassName: "ip network",
        handle: l.id().into(),
        startAddress: range.start_addr().to_string(),
        endAddress: range.end_addr().to_string(),
        ipVersion: family_of(&range),
        name: Some(l.id()),
        typ: Some("LEASED"),
        country: l.country(),
        parentHandle: registry_net.map(|n| n.key()),
        status: ["active"],
        cidr0_cidrs: out_cidrs(&range),
        entities,
        events,
        links,
        remarks: vec![out::Remark {
            title: Some("lease0"),
            description: vec![
                format!("lease record from source {}", l.source()).into(),
                if l.verified() {
                    "verified: the lessor holds this space in the registry".into()
                } else {
                    "unverified: the lessor is not the holder of this space in the registry".into()
                },
                format!("lessor {}", l.lessor()).into(),
            ],
        }],
        redacted: None,
        port43: ctx.cfg.settings.port43.as_deref(),
        notices: ctx.notices_raw(),
        lease0_holder: holder,
    }
}

/// The registry network, or the delegated record when no object is loaded.
fn registry_out<'a>(
    ctx: &'a Ctx,
    res: &query::Resolved<'a>,
    common: Common<'a>,
) -> Option<out::IpNetwork<'a>> {
    let Common {
        holder,
        abuse,
        mut links,
        self_path,
    } = common;
    let mut entities = Vec::new();
    let mut remarks = Vec::new();
    let mut redacted = None;
    let (range, handle, name, typ, country, events, parent): (
        IpRange,
        std::borrow::Cow<str>,
        _,
        _,
        _,
        _,
        _,
    ) = match &res.subject {
        Some(query::Subject::Network(n)) => {
            if let Some((handle, name)) = n.organisation() {
                entities.push(ctx.out_entity(handle, name, "org", &["registrant"], None));
            }
            redacted = out_contacts(ctx, &n.contacts(), &mut entities);
            let parent = n.parent();
            if let Some(p) = parent {
                links.push(up_link(ctx, &self_path, p.range()));
            }
            let o = n.object();
            remarks.extend(o.get_all("descr").map(|d| out::Remark {
                title: None,
                description: vec![d.into()],
            }));
            (
                n.range(),
                n.key().into(),
                n.netname(),
                n.status(),
                n.country(),
                out_events(o.get("created"), o.get("last-modified")),
                parent.map(|p| p.key()),
            )
        }
        Some(query::Subject::Delegated(d)) => {
            let r = d.range();
            (
                r,
                r.to_string().into(),
                None,
                Some(d.status()),
                d.country(),
                Vec::new(),
                None,
            )
        }
        None => return None,
    };
    entities.extend(abuse);
    if let Some(l) = &res.lessee {
        remarks.push(out::Remark {
            title: Some("lease0 lessee (as the registry shows it)"),
            description: vec![
                format!("{} ({})", l.handle, l.key()).into(),
                if l.platform_managed {
                    "maintained by a leasing platform".into()
                } else {
                    "not platform-managed".into()
                },
            ],
        });
    }
    Some(out::IpNetwork {
        rdapConformance: if redacted.is_none() {
            NETWORK_CONFORMANCE
        } else {
            NETWORK_CONFORMANCE_REDACTED
        },
        objectClassName: "ip network",
        handle,
        startAddress: range.start_addr().to_string(),
        endAddress: range.end_addr().to_string(),
        ipVersion: family_of(&range),
        name,
        typ,
        country,
        parentHandle: parent,
        status: ["active"],
        cidr0_cidrs: out_cidrs(&range),
        entities,
        events,
        links,
        remarks,
        redacted,
        port43: ctx.cfg.settings.port43.as_deref(),
        notices: ctx.notices_raw(),
        lease0_holder: holder,
    })
}
