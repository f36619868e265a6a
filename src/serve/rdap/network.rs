//! The ip network answer (RFC 9083 section 5.4, cidr0, tenure's `lease0`)
//! from the one resolved answer: a current lease as the response object,
//! else the registry network, else the delegated record; space another
//! registry answers for is redirected there (RFC 7480 section 5.2).

use super::build::{
    at, family_of, out_contacts, range_path, segment, write_addr, write_cidrs, write_events,
    write_remark, Ctx,
};
use super::json::Json;
use super::response::{RdapError, Refusal};
use super::{cache, out, Body};
use crate::addr::IpRange;
use crate::query;
use crate::query::AttrTime;

pub(super) fn ip(
    ctx: &Ctx,
    addr: &str,
    len: Option<&str>,
    pretty: bool,
    view: query::View,
) -> Result<Body, Refusal> {
    let text = match len {
        Some(l) => format!("{addr}/{l}"),
        None => addr.to_string(),
    };
    // an address, a prefix, or a range `A - B` (the self link of a range
    // that is no prefix)
    let range =
        crate::addr::parse_query_range(&text).map_err(|e| RdapError::BadRequest(e.to_string()))?;
    let res = query::resolve_as(ctx.snap, &range, ctx.at, view);
    // space held elsewhere: redirected (never to this service itself)
    if let Some(e) = &res.elsewhere {
        if let Some(r) = redirect(ctx, e.rdap, &format!("ip/{}", range_path(&range))) {
            return Err(r);
        }
    }
    if !res.found() {
        return match res.special {
            Some(sp) => Ok(Body::Json(special_out(ctx, &sp))),
            None => Err(RdapError::NotFound.into()),
        };
    }
    let na = &res.answer;
    let cache = &ctx.cfg.cache;
    let key =
        // an answer whose routing data is still loading is not kept
        (cache.enabled()
            && ctx.cacheable
            && view == query::View::Current
            && cache::cacheable(&text, ctx.origin)
            && !res.routing.as_ref().is_some_and(|r| r.loading))
            .then(|| cache::Key {
                network: na.network(ctx.snap),
                delegation: na.delegation,
                resolution: na.resolution,
                route: res.routing.as_ref().map(|r| cache::RouteKey {
                    prefix: r.route.as_ref().map(|x| (x.prefix.start, x.prefix.end)),
                    as_of: r.as_of,
                }),
                pretty,
            });
    // the question itself answered by the template until a lease covering
    // the space starts or ends
    let remember = |t: &std::sync::Arc<cache::Template>| {
        if let Some(target) = ctx.exact_target {
            let until = if ctx.at_given {
                i64::MAX
            } else {
                res.next_lease_change(ctx.at)
            };
            cache.put_exact(ctx.snap, ctx.origin, target, t, &text, until);
        }
    };
    if let Some(k) = &key {
        if let Some(t) = cache.get(ctx.snap, k) {
            remember(&t);
            let (bytes, digest) = t.render(&text, ctx.origin);
            return Ok(Body::Rendered(bytes, digest));
        }
    }
    // for a template: markers where the query and the origin go
    let marked = Ctx {
        origin: super::json::ORIGIN_MARKER,
        ..*ctx
    };
    let (build, query) = match key {
        Some(_) => (&marked, super::json::MARKER),
        None => (ctx, text.as_str()),
    };
    let context = if view == query::View::Registry {
        at(&["ip/", query, REGISTRY_VIEW])
    } else {
        at(&["ip/", query])
    };
    let mut w = Json::new(key.is_some());
    write_network(&mut w, build, &res, view, context).ok_or(RdapError::NotFound)?;
    let (bytes, holes, shared) = w.finish_shared(pretty);
    let Some(key) = key else {
        return Ok(Body::Bytes(bytes));
    };
    let t = match cache::Template::new(bytes, holes, shared) {
        Ok(t) => cache.put(ctx.snap, key, t),
        Err((bytes, holes)) => {
            // too long to keep: the holes filled here
            let mut filled = Json::new(false);
            filled.template(&bytes, holes, &text, ctx.origin);
            return Ok(Body::Bytes(filled.buf));
        }
    };
    remember(&t);
    let (answer, digest) = t.render(&text, ctx.origin);
    Ok(Body::Rendered(answer, digest))
}

/// Special-purpose space no loaded object covers: IANA's block, status
/// `reserved` (NRO RDAP profile 4.5), delegated to no one.
fn special_out(ctx: &Ctx, sp: &query::SpecialPurpose) -> serde_json::Value {
    let r = sp.range();
    serde_json::json!({
        "rdapConformance": super::build::conformance(&[]),
        "objectClassName": "ip network",
        "handle": sp.block,
        "startAddress": r.start_text().to_string(),
        "endAddress": r.end_text().to_string(),
        "ipVersion": family_of(&r),
        "name": sp.name,
        "type": "IANA SPECIAL-PURPOSE",
        "status": ["reserved"],
        "cidr0_cidrs": super::build::cidr0(&r),
        "remarks": [{
            "title": "special-purpose address space",
            "description": [
                format!("{} is {} ({}) in IANA's special-purpose address registries.", sp.block, sp.name, sp.rfc),
                "It is delegated to no one: no holder, lessee or abuse contact exists.",
            ],
        }],
        "links": [ctx.self_link(&format!("ip/{}", range_path(&r)))],
        "port43": ctx.cfg.settings.port43,
        "notices": super::build::notices(ctx),
    })
}

/// An ip network answer written for one request (no template).
fn write(
    ctx: &Ctx,
    res: &query::Resolved,
    view: query::View,
    context: out::Path,
    pretty: bool,
) -> Result<Body, Refusal> {
    let mut w = Json::new(false);
    write_network(&mut w, ctx, res, view, context).ok_or(RdapError::NotFound)?;
    Ok(Body::Bytes(w.finish(pretty).0))
}

/// `lease0_lease/{SOURCE:ID}`: one lease record as an ip network, current
/// or not (the self link of every lease answer).
pub(super) fn lease(ctx: &Ctx, handle: &str, pretty: bool) -> Result<Body, Refusal> {
    let l = query::lease_by_handle(ctx.snap, handle).ok_or(RdapError::NotFound)?;
    let res = query::resolve_as(
        ctx.snap,
        &l.range(),
        ctx.at,
        query::View::Lease(l.position()),
    );
    let seg = segment(handle);
    write(
        ctx,
        &res,
        query::View::Lease(l.position()),
        at(&["lease0_lease/", &seg]),
        pretty,
    )
}

/// The registry's network as its own answer (RFC 9910 `rdap-up` and
/// `rdap-top`: one object as if asked directly), `context` the search.
pub(super) fn registry_network(
    ctx: &Ctx,
    n: &query::NetworkView,
    context: out::Path,
    pretty: bool,
) -> Result<Body, Refusal> {
    let res = query::resolve_as(ctx.snap, &n.range(), ctx.at, query::View::Registry);
    write(ctx, &res, query::View::Registry, context, pretty)
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

/// The two conformance lists above with the routing extensions an answer
/// carries when routing data is loaded: ARIN's `arin_originas0` and
/// tenure's `routing0`.
const NETWORK_CONFORMANCE_ROUTING_REDACTED: &[&str] = &[
    "rdap_level_0",
    "nro_rdap_profile_0",
    "cidr0",
    "nro_rdap_profile_asn_flat_0",
    "rirSearch1",
    "ips",
    "lease0",
    "arin_originas0",
    "routing0",
    "redacted",
];
const NETWORK_CONFORMANCE_ROUTING: &[&str] = NETWORK_CONFORMANCE_ROUTING_REDACTED
    .split_at(NETWORK_CONFORMANCE_ROUTING_REDACTED.len() - 1)
    .0;

/// What the query parameter of a registry view says.
pub(super) const REGISTRY_VIEW: &str = "?lease0_view=registry";

/// The path answering a registry network itself: `ip/{range}`, with
/// `?lease0_view=registry` when a lease current for the whole range would
/// answer that path instead (`check`: that can be the case here).
pub(super) fn network_path<'a>(ctx: &Ctx, range: IpRange, check: bool) -> out::Path<'a> {
    let view = registry_view(ctx, range, check);
    [
        "ip/".into(),
        range_path(&range).into(),
        view.into(),
        "".into(),
    ]
}

/// Whether the path answering a registry network itself needs
/// `?lease0_view=registry` (see [`network_path`]).
fn registry_view(ctx: &Ctx, range: IpRange, check: bool) -> &'static str {
    if check && query::lease_covers(ctx.snap, &range, ctx.at) {
        REGISTRY_VIEW
    } else {
        ""
    }
}

/// The target of an ip network answer's link.
enum Target<'a> {
    /// A path of this service.
    Path(out::Path<'a>),
    /// `ip/` of the answer's own range, with a view (`""` or
    /// [`REGISTRY_VIEW`]).
    Own(&'static str),
    /// An RFC 9910 relation search (`rdap-up`, ...) from the answer's own
    /// range.
    Relation(&'static Relation),
}

/// A relation link's fixed text around the links' start, the service's URL
/// start and the answer's range path: the relation and the `href` key,
/// the search's path, then its query and the link's end (made when
/// compiling, so a link is six copies).
struct Relation {
    pre: &'static str,
    path: &'static str,
    post: &'static str,
}

/// A relation link of [`RELATION_LINKS`]: relation, search, query.
macro_rules! relation {
    ($rel:literal, $search:literal, $query:literal) => {
        (
            $rel,
            Target::Relation(&Relation {
                pre: concat!("\"", $rel, "\",\"href\":"),
                path: concat!("ips/rirSearch1/", $search, "/"),
                post: concat!($query, "\",\"type\":\"application/rdap+json\"}"),
            }),
        )
    };
}

/// The RFC 9910 relation links of a registry network (RIPE's set, with
/// `rdap-active` on the up and top links that skip placeholders).
const RELATION_LINKS: [(&str, Target<'static>); 6] = [
    relation!("rdap-up", "rdap-up", ""),
    relation!("rdap-up rdap-active", "rdap-up", "?status=active"),
    relation!("rdap-down", "rdap-down", ""),
    relation!("rdap-top", "rdap-top", ""),
    relation!("rdap-top rdap-active", "rdap-top", "?status=active"),
    relation!("rdap-bottom", "rdap-bottom", ""),
];

/// The RDAP status of a registry network: placeholders (the whole space,
/// blocks another registry manages, mirrored objects) are no registration.
pub(super) fn network_status(n: &query::NetworkView) -> &'static str {
    if n.is_placeholder() {
        "inactive"
    } else {
        "active"
    }
}

/// The RDAP status of a lease record at the time asked.
pub(super) fn lease_status(ctx: &Ctx, l: &query::LeaseView) -> &'static str {
    if l.active_at(ctx.at) {
        "active"
    } else {
        "inactive"
    }
}

/// The path answering a lease record: `lease0_lease/SOURCE:ID`.
pub(super) fn lease_path<'a>(l: &query::LeaseView) -> out::Path<'a> {
    [
        "lease0_lease/".into(),
        segment(&l.handle()).into_owned().into(),
        "".into(),
        "".into(),
    ]
}

/// What every ip network answer carries, whatever its object.
struct Common<'a> {
    holder: Option<out::Entity<'a>>,
    abuse: Option<out::Entity<'a>>,
    context: out::Path<'a>,
}

/// An ip network answer gathered before it is written: what the response
/// object is, its entities (merged), dates, links and remarks.
struct Network<'a> {
    redacted: Option<&'static serde_json::value::RawValue>,
    handle: std::borrow::Cow<'a, str>,
    range: IpRange,
    name: Option<&'a str>,
    typ: Option<&'a str>,
    country: Option<&'a str>,
    parent: Option<&'a str>,
    status: &'static str,
    entities: Vec<out::Entity<'a>>,
    /// (date, action) of its events.
    events: Vec<(Option<crate::query::AttrTime<'a>>, &'static str)>,
    /// (relation, target) of its links; their context is `Common::context`.
    links: Vec<(&'static str, Target<'a>)>,
    /// The range's path ([`range_path`]: addresses, `/` and
    /// percent-encoding, text JSON writes as it is), written once for the
    /// links to it and to its relation searches.
    range_text: String,
    remarks: Vec<out::Remark<'a>>,
}

/// The ip network answer from the resolved answer, written to `w`: a lease
/// as the response object (`lease0`), else the registry network, else the
/// delegated record (`None`: there is none). The abuse contact is the
/// resolved one in every case. `context` is the path asked (every link's
/// `value`).
fn write_network<'a>(
    w: &mut Json,
    ctx: &'a Ctx,
    res: &query::Resolved<'a>,
    view: query::View,
    context: out::Path<'a>,
) -> Option<()> {
    let holder = res.holder.as_ref().map(|h| {
        let mut e = ctx.out_entity_of(
            h.entity(),
            h.handle,
            h.display_name(),
            "org",
            &["registrant"],
            None,
        );
        if let Some(d) = h.description {
            e.remark = Some(out::Remark {
                title: Some("no organisation registered"),
                description: vec![format!("the registry's description: {d}").into()],
            });
        }
        if let query::HolderFrom::Delegated { registry } = h.from {
            e.remark = Some(out::Remark {
                title: None,
                description: vec![
                    format!("opaque holder id at {registry} (delegated statistics)").into(),
                ],
            });
            e.link = None;
        }
        e
    });
    // the holder, when it is not the object's registrant, is among the
    // entities too (role `sponsor`): a client that knows nothing of
    // `lease0_holder` keeps it
    let sponsor = holder
        .as_ref()
        .filter(|_| res.holder.as_ref().is_some_and(|h| h.organisation))
        .map(|e| out::Entity {
            roles: out::Roles::of(&["sponsor"]),
            ..e.clone()
        });
    let abuse = res.abuse.as_ref().map(|a| {
        ctx.out_entity_of(
            a.entity(),
            a.entity_handle(),
            a.name(),
            "group",
            &["abuse"],
            Some(a.mailbox),
        )
    });
    let common = Common {
        holder,
        abuse,
        context,
    };
    let (mut net, common) = match res.lessee.as_ref().and_then(|l| l.lease()) {
        Some(l) => lease_out(ctx, l, common),
        None => registry_out(ctx, res, view, common)?,
    };
    // pushed last, and no other entity has its handle: it stays last and
    // as it is when the entities are merged
    let sponsor_last = match sponsor {
        Some(s)
            if !net
                .entities
                .iter()
                .any(|e| e.handle.eq_ignore_ascii_case(&s.handle)) =>
        {
            net.entities.push(s);
            true
        }
        _ => false,
    };
    super::build::merge_entities(&mut net.entities);
    let routing = res.routing.as_ref();
    let conformance = match (routing.is_some(), net.redacted.is_some()) {
        (false, false) => NETWORK_CONFORMANCE,
        (false, true) => NETWORK_CONFORMANCE_REDACTED,
        (true, false) => NETWORK_CONFORMANCE_ROUTING,
        (true, true) => NETWORK_CONFORMANCE_ROUTING_REDACTED,
    };
    let range = &net.range;
    let urls = ctx.urls(w);
    w.raw("{\"rdapConformance\":");
    w.lits(conformance.iter().copied());
    w.raw(",\"objectClassName\":\"ip network\",\"handle\":");
    w.str(&net.handle);
    w.raw(",\"startAddress\":\"");
    write_addr(w, range.family, range.start);
    w.raw("\",\"endAddress\":\"");
    write_addr(w, range.family, range.end);
    w.raw("\",\"ipVersion\":");
    w.lit(family_of(range));
    for (key, v) in [
        (",\"name\":", net.name),
        (",\"type\":", net.typ),
        (",\"country\":", net.country),
        (",\"parentHandle\":", net.parent),
    ] {
        if let Some(v) = v {
            w.raw(key);
            w.str(v);
        }
    }
    w.raw(",\"status\":");
    w.lits([net.status]);
    w.raw(",\"cidr0_cidrs\":");
    write_cidrs(w, range);
    w.raw(",\"entities\":");
    // the sponsor's text, to write the holder again as `lease0_holder`
    let mut sponsor_spans = None;
    let last = net.entities.len().saturating_sub(1);
    w.array(net.entities.iter().enumerate(), |w, (i, e)| {
        let spans = ctx.write_entity(w, &urls, e);
        if sponsor_last && i == last {
            sponsor_spans = Some(spans);
        }
    });
    if net.events.iter().any(|(d, _)| d.is_some()) {
        w.raw(",\"events\":");
        write_events(w, net.events.iter().map(|(d, a)| (d, *a)));
    }
    w.raw(",\"links\":");
    let start = urls.context(w, &common.context);
    let own = net.range_text.as_str();
    w.array(&net.links, |w, (rel, target)| match target {
        Target::Path(path) => urls.link(w, &start, rel, path),
        Target::Own(view) => urls.link_clean(w, &start, rel, &["ip/", own, view]),
        Target::Relation(r) => urls.link_fixed(w, &start, [r.pre, r.path, own, r.post]),
    });
    if !net.remarks.is_empty() {
        w.raw(",\"remarks\":");
        w.array(&net.remarks, write_remark);
    }
    if let Some(r) = net.redacted {
        w.raw(",\"redacted\":");
        w.raw(r.get());
    }
    if let Some(p) = &ctx.cfg.settings.port43 {
        w.raw(",\"port43\":");
        w.str(p);
    }
    w.raw(",\"notices\":");
    ctx.write_notices(w);
    if let Some(h) = &common.holder {
        w.raw(",\"lease0_holder\":");
        // the sponsor is the holder in another role
        match &sponsor_spans {
            Some(spans) => spans.repeat(w, &h.roles),
            None => {
                let _ = ctx.write_entity(w, &urls, h);
            }
        }
    }
    if let Some(r) = routing {
        w.raw(",\"arin_originas0_originautnums\":");
        let origins = r
            .route
            .iter()
            .flat_map(|x| x.origins.iter().filter_map(|o| o.asn));
        w.array(origins, |w, asn| w.uint(asn.into()));
        w.raw(",\"routing0_routing\":");
        // RDAP answers carry no nulls (an unknown member is absent), and a
        // `handle` names object class instances only (RFC 9083 section
        // 4.7): an AS's holder is written `org_handle`
        let routing = rdap_form(query::routing_json(r));
        // a tree of strings, numbers and maps serializes
        let _ = serde_json::to_writer(&mut w.buf, &routing);
    }
    w.raw("}");
    Some(())
}

/// `v` without its null members, and with `handle` written `org_handle`,
/// at every depth.
fn rdap_form(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| {
                    let k = if k == "handle" {
                        "org_handle".into()
                    } else {
                        k
                    };
                    (k, rdap_form(x))
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(rdap_form).collect()),
        x => x,
    }
}

/// A lease as the response object: its self link is its own path, its
/// `up` the registry's network covering it.
fn lease_out<'a>(
    ctx: &'a Ctx,
    l: query::LeaseView<'a>,
    mut common: Common<'a>,
) -> (Network<'a>, Common<'a>) {
    let mut entities = vec![ctx.out_entity(
        l.lessee_qualified(),
        l.lessee_name(),
        "org",
        &["registrant"],
        None,
    )];
    // the resolved abuse contact: the verified lease's mailbox, else
    // the registry's (an unverified lease never removes it)
    entities.extend(common.abuse.take());
    let events = vec![
        (Some(AttrTime::At(l.start())), "registration"),
        (l.updated().map(AttrTime::At), "last changed"),
        (l.end().map(AttrTime::At), "expiration"),
    ];
    let mut links = vec![("self", Target::Path(lease_path(&l)))];
    let range = l.range();
    let parent = l.registry_network();
    if let Some(n) = parent {
        // up: the registry's record of the space, as the registry shows it
        let up = network_path(ctx, n.range(), true);
        links.push(("up", Target::Path(up.clone())));
        links.push(("rdap-up", Target::Path(up)));
        let mut active = Some(n);
        while let Some(a) = active.filter(|a| a.is_placeholder()) {
            active = a.parent();
        }
        if let Some(a) = active {
            let path = network_path(ctx, a.range(), true);
            links.push(("rdap-up rdap-active", Target::Path(path)));
        }
        let [_, _, _, top, top_active, _] = RELATION_LINKS;
        links.push(top);
        links.push(top_active);
    }
    let net = Network {
        redacted: None,
        handle: l.handle().into(),
        range,
        name: Some(l.id()),
        typ: Some("LEASED"),
        country: l.country(),
        parent: parent.map(|n| n.key()),
        status: lease_status(ctx, &l),
        entities,
        events,
        links,
        range_text: range_path(&range),
        remarks: vec![out::Remark {
            title: Some("lease0"),
            description: vec![
                format!("lease record {} from source {}", l.id(), l.source()).into(),
                if l.verified() {
                    "verified: the lessor holds this space in the registry".into()
                } else {
                    "unverified: the lessor is not the holder of this space in the registry".into()
                },
                format!("lessor {}", l.lessor()).into(),
            ],
        }],
    };
    (net, common)
}

/// The registry network, or the delegated record when no object is loaded.
fn registry_out<'a>(
    ctx: &'a Ctx,
    res: &query::Resolved<'a>,
    view: query::View,
    mut common: Common<'a>,
) -> Option<(Network<'a>, Common<'a>)> {
    // a lease current for a network's whole range answers `ip/` of it
    // only when the answer asked is not the current one (see `network_path`)
    let check = view != query::View::Current;
    // room for what most answers hold (registrant, contacts, abuse,
    // sponsor; self, up and six relations)
    let mut entities = Vec::with_capacity(6);
    let mut remarks = Vec::with_capacity(2);
    let mut links = Vec::with_capacity(8);
    let mut net = match &res.subject {
        Some(query::Subject::Network(n)) => {
            if let Some((handle, name, org)) = n.organisation() {
                entities.push(ctx.out_entity_of(org, handle, name, "org", &["registrant"], None));
            }
            let redacted = out_contacts(ctx, &n.contacts(), &mut entities);
            links.push(("self", Target::Own(registry_view(ctx, n.range(), check))));
            let parent = n.parent();
            if let Some(p) = parent {
                links.push(("up", Target::Path(network_path(ctx, p.range(), check))));
            }
            links.extend(RELATION_LINKS);
            let o = n.object();
            remarks.extend(o.get_all("descr").map(|d| out::Remark {
                title: None,
                description: vec![d.into()],
            }));
            let [created, changed] = super::build::object_events(&o);
            Network {
                redacted,
                handle: n.key().into(),
                range: n.range(),
                name: n.netname(),
                typ: n.status(),
                country: n.country(),
                parent: parent.map(|p| p.key()),
                status: network_status(n),
                entities: Vec::new(),
                events: vec![(created, "registration"), (changed, "last changed")],
                links: Vec::new(),
                range_text: range_path(&n.range()),
                remarks: Vec::new(),
            }
        }
        Some(query::Subject::Delegated(d)) => {
            let r = d.range();
            links.push(("self", Target::Own("")));
            Network {
                redacted: None,
                handle: r.to_string().into(),
                range: r,
                name: None,
                typ: Some(d.status()),
                country: d.country(),
                parent: None,
                status: "active",
                entities: Vec::new(),
                events: Vec::new(),
                links: Vec::new(),
                range_text: range_path(&r),
                remarks: Vec::new(),
            }
        }
        None => return None,
    };
    entities.extend(common.abuse.take());
    if let Some(l) = &res.lessee {
        remarks.push(out::Remark {
            title: Some("lease0 lessee (as the registry shows it)"),
            description: vec![
                [l.handle, " (", &l.key(), ")"].concat().into(),
                if l.platform_managed {
                    "maintained by a leasing platform".into()
                } else {
                    "not platform-managed".into()
                },
            ],
        });
    }
    net.entities = entities;
    net.links = links;
    net.remarks = remarks;
    Some((net, common))
}

#[cfg(test)]
mod tests {
    #[test]
    fn relation_links_are_rdap_links_of_their_relation() {
        for (rel, target) in super::RELATION_LINKS {
            let super::Target::Relation(r) = target else {
                panic!("{rel}");
            };
            assert_eq!(r.pre, format!("\"{rel}\",\"href\":"));
            let search = r.path.strip_prefix("ips/rirSearch1/").unwrap();
            assert!(rel.starts_with(search.trim_end_matches('/')), "{rel}");
            let content_type = super::super::CONTENT_TYPE;
            assert!(r
                .post
                .ends_with(&format!("\",\"type\":\"{content_type}\"}}")));
            assert_eq!(
                rel.ends_with("rdap-active"),
                r.post.starts_with("?status=active")
            );
        }
    }
}
