//! What every RDAP answer builder shares: the request context, links,
//! entities with their jCard (RFC 7095), cidr0 prefixes, events, and the
//! notices of the NRO profile (section 4.3), serialized once per thread.

use super::json::Json;
use super::out;
use super::{RdapConfig, CONTENT_TYPE};
use crate::addr::{Family, IpRange};
use crate::query::AttrTime;
use crate::snapshot::Snapshot;
use crate::time::Timestamp;
use serde_json::{json, Value};
use std::borrow::Cow;

/// One request's context.
#[derive(Clone, Copy)]
pub(super) struct Ctx<'a> {
    pub(super) snap: &'a Snapshot,
    pub(super) cfg: &'a RdapConfig,
    pub(super) origin: &'a str,
    pub(super) at: Timestamp,
    /// The request target, when its whole answer may be kept.
    pub(super) exact_target: Option<&'a str>,
    /// `?lease0_at=` was given: the answer does not change with time.
    pub(super) at_given: bool,
    /// The answer may be kept in the answer cache (not when an older
    /// compiled snapshot answers about a past time: the cache is the
    /// served snapshot's).
    pub(super) cacheable: bool,
}

impl Ctx<'_> {
    /// A `self` link as a JSON tree, for the answers off the hot path.
    pub(super) fn self_link(&self, path: &str) -> Value {
        let mut w = Json::new(false);
        self.urls(&w).self_link(&mut w, &at(&[path]));
        parse(w)
    }
}

/// What a writer wrote, as a JSON tree (for the answers off the hot path;
/// the writer's text is JSON by construction).
fn parse(w: Json) -> Value {
    serde_json::from_slice(&w.buf).unwrap_or_default()
}

/// A path below the base path from up to four borrowed pieces.
pub(super) fn at<'a>(pieces: &[&'a str]) -> out::Path<'a> {
    let mut p: out::Path<'a> = Default::default();
    for (slot, piece) in p.iter_mut().zip(pieces) {
        *slot = std::borrow::Cow::Borrowed(piece);
    }
    p
}

/// A path segment percent-encoded (RFC 3986 section 3.3: everything but
/// unreserved characters, sub-delimiters, `:` and `@`).
pub(super) fn segment(s: &str) -> std::borrow::Cow<'_, str> {
    let keep = |b: u8| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b);
    if s.bytes().all(keep) {
        return s.into();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for b in s.bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.into()
}

/// The `ip/` path of a range: `ADDRESS/LENGTH` for a prefix, else the
/// range `A - B` percent-encoded (one segment).
pub(super) fn range_path(r: &IpRange) -> String {
    // one CIDR block (a single address is one too)
    if r.start == r.end || r.prefix_len().is_some() {
        r.to_query_string()
    } else {
        segment(&r.to_query_string()).into_owned()
    }
}

/// Entities of one answer merged by handle: one entity per handle with
/// every role it has here, and the first one's vCard with the e-mail of
/// another when it has none (RFC 9083 section 5.1: clients keep one per
/// handle).
pub(super) fn merge_entities(entities: &mut Vec<out::Entity<'_>>) {
    let mut i = 0;
    while i < entities.len() {
        let mut j = i + 1;
        while j < entities.len() {
            if entities[j].handle.eq_ignore_ascii_case(&entities[i].handle) {
                let dup = entities.remove(j);
                let first = &mut entities[i];
                dup.roles.iter().for_each(|r| first.roles.add(r));
                // the first's card (its kind and name), with the other's
                // e-mail when it has none
                if first.email.is_none() {
                    first.email = dup.email;
                }
                if first.events.iter().all(Option::is_none) {
                    first.events = dup.events;
                }
                if first.link.is_none() {
                    first.link = dup.link;
                }
            } else {
                j += 1;
            }
        }
        i += 1;
    }
}

pub(super) fn family_of(r: &IpRange) -> &'static str {
    match r.family {
        Family::V4 => "v4",
        Family::V6 => "v6",
    }
}

pub(super) fn cidr0(r: &IpRange) -> Value {
    let mut w = Json::new(false);
    write_cidrs(&mut w, r);
    parse(w)
}

pub(super) fn conformance(extra: &[&str]) -> Value {
    let mut v = super::response::BASE_CONFORMANCE.to_vec();
    v.extend_from_slice(extra);
    json!(v)
}

/// A serialized value as a JSON tree.
pub(super) fn tree(v: impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap_or_default()
}

pub(super) fn notices(ctx: &Ctx) -> Value {
    let mut w = Json::new(false);
    ctx.write_notices(&mut w);
    parse(w)
}

/// An entity as a JSON tree.
pub(super) fn entity_value(ctx: &Ctx, e: &out::Entity) -> Value {
    let mut w = Json::new(false);
    let urls = ctx.urls(&w);
    let _ = ctx.write_entity(&mut w, &urls, e);
    parse(w)
}

pub(super) fn entity_obj(
    ctx: &Ctx,
    handle: &str,
    name: &str,
    kind: &'static str,
    roles: &[&'static str],
    email: Option<&str>,
) -> Value {
    entity_value(ctx, &ctx.out_entity(handle, name, kind, roles, email))
}

/// A jCard as a JSON tree.
pub(super) fn vcard_value(kind: &'static str, name: &str, email: Option<(&str, bool)>) -> Value {
    let mut w = Json::new(false);
    write_vcard(&mut w, kind, name, email);
    parse(w)
}

/// The object's events; `null` (then dropped) when it has none: an empty
/// `events` array is a warning of RDAP validators.
pub(super) fn events_of(o: &crate::query::ObjectView) -> Value {
    let events = object_events(o);
    if events.iter().all(Option::is_none) {
        return Value::Null;
    }
    let mut w = Json::new(false);
    write_events(&mut w, events.iter().zip(EVENT_ACTIONS));
    parse(w)
}

/// The actions of [`object_events`]' dates.
pub(super) const EVENT_ACTIONS: [&str; 2] = ["registration", "last changed"];

/// An object's `created` and `last-modified`: its `registration` and
/// `last changed` events.
pub(super) fn object_events<'a>(o: &crate::query::ObjectView<'a>) -> [Option<AttrTime<'a>>; 2] {
    o.get_times()
}

/// Where an entity written by [`Ctx::write_entity`] stands in its writer:
/// its text up to its roles, and after them.
pub(super) struct EntitySpans {
    head: std::ops::Range<usize>,
    tail: std::ops::Range<usize>,
}

impl EntitySpans {
    /// The same entity again, in `roles`: its text copied around them.
    pub(super) fn repeat(&self, w: &mut Json, roles: &out::Roles) {
        w.repeat(self.head.clone());
        w.lits(roles.iter());
        w.repeat(self.tail.clone());
    }
}

/// The end of every link to an RDAP answer, after its `href`.
fn link_end(w: &mut Json) {
    w.raw(",\"type\":\"");
    w.raw(CONTENT_TYPE);
    w.raw("\"}");
}

/// The start of this service's URLs in one answer (`"`, origin and base
/// path), written once and copied into each of its links.
pub(super) struct Urls(Json);

impl Urls {
    /// A URL of this service: the start, then the path's pieces.
    pub(super) fn url(&self, w: &mut Json, p: &out::Path) {
        w.append(&self.0);
        w.url_pieces([&*p[0], &p[1], &p[2], &p[3]]);
        w.raw("\"");
    }

    /// The start of links in the context of `context` (the path asked):
    /// `{"value":URL,"rel":`, written once for an answer's links.
    pub(super) fn context(&self, w: &Json, context: &out::Path) -> Json {
        let mut f = w.fragment();
        f.raw("{\"value\":");
        self.url(&mut f, context);
        f.raw(",\"rel\":");
        f
    }

    /// A link (RFC 8288 as RFC 9083 section 4.2 writes it) to a path of
    /// this service, after its start (see [`Urls::context`]).
    pub(super) fn link(&self, w: &mut Json, start: &Json, rel: &'static str, path: &out::Path) {
        w.append(start);
        w.lit(rel);
        w.raw(",\"href\":");
        self.url(w, path);
        link_end(w);
    }

    /// This service's URL start, then `pieces` copied as they are: fixed
    /// words, addresses, percent-encoded segments, text JSON writes as it
    /// is (debug builds check it), so no escape check.
    fn url_plain(&self, w: &mut Json, pieces: &[&str]) {
        w.append(&self.0);
        for piece in pieces {
            debug_assert!(super::json::plain(piece), "{piece}");
            w.raw(piece);
        }
    }

    /// [`Urls::link`] to a path of plain pieces (see [`Urls::url_plain`]).
    pub(super) fn link_clean(&self, w: &mut Json, start: &Json, rel: &'static str, path: &[&str]) {
        w.append(start);
        w.lit(rel);
        w.raw(",\"href\":");
        self.url_plain(w, path);
        w.raw("\"");
        link_end(w);
    }

    /// A link written from fixed text: the links' start, then `pre` (the
    /// relation and the `href` key), the service's URL start, `path` and
    /// `piece` (see [`Urls::url_plain`]), and `post` (to the link's end).
    pub(super) fn link_fixed(
        &self,
        w: &mut Json,
        start: &Json,
        [pre, path, piece, post]: [&str; 4],
    ) {
        w.append(start);
        w.raw(pre);
        self.url_plain(w, &[path, piece]);
        w.raw(post);
    }

    /// A `self` link: its context is its target (written once, copied).
    pub(super) fn self_link(&self, w: &mut Json, path: &out::Path) {
        w.raw("{\"value\":");
        let from = w.buf.len();
        self.url(w, path);
        let to = w.buf.len();
        w.raw(",\"rel\":\"self\",\"href\":");
        w.repeat(from..to);
        link_end(w);
    }
}

impl Ctx<'_> {
    /// The start of this service's URLs for answers written by `w` (or
    /// by writers of its kind).
    pub(super) fn urls(&self, w: &Json) -> Urls {
        let mut f = w.fragment();
        f.raw("\"");
        f.url_pieces([self.origin, &self.cfg.settings.base_path]);
        Urls(f)
    }

    /// A notice's link: to the configured page, else to this service's
    /// `help` (NRO RDAP profile section 4.3).
    fn write_notice_link(&self, w: &mut Json, urls: &Urls, rel: &'static str, url: Option<&str>) {
        let help = at(&["help"]);
        match url {
            Some(u) => {
                w.raw("{\"value\":");
                urls.url(w, &help);
                w.raw(",\"rel\":");
                w.lit(rel);
                w.raw(",\"href\":");
                w.str(u);
                w.raw(",\"type\":\"text/html\"}");
            }
            None => {
                let start = urls.context(w, &help);
                urls.link(w, &start, rel, &help);
            }
        }
    }

    pub(super) fn out_entity<'a>(
        &'a self,
        handle: impl Into<std::borrow::Cow<'a, str>>,
        name: &'a str,
        kind: &'static str,
        roles: &[&'static str],
        email: Option<&'a str>,
    ) -> out::Entity<'a> {
        self.out_entity_of(None, handle, name, kind, roles, email)
    }

    /// [`Ctx::out_entity`] where the caller may hold the entity `handle`
    /// names (what looking it up would find; debug builds check it),
    /// found while resolving; without it, the handle is looked up. At
    /// millions of entities the lookup by name is several cache misses
    /// (the interner's table, its text, the entity table): under load,
    /// the largest part of an entity.
    pub(super) fn out_entity_of<'a>(
        &'a self,
        known: Option<crate::query::EntityView<'a>>,
        handle: impl Into<std::borrow::Cow<'a, str>>,
        name: &'a str,
        kind: &'static str,
        roles: &[&'static str],
        email: Option<&'a str>,
    ) -> out::Entity<'a> {
        let handle = handle.into();
        let email = email.map(|m| (m, roles.contains(&"abuse")));
        // the object's own dates, when it is loaded here; a self link only
        // where entity/ answers (a loaded object or a lessee of leases; not
        // a name the registry gives without a handle, as LACNIC's `owner`)
        debug_assert!(known
            .is_none_or(|e| crate::query::entity(self.snap, &handle).is_some_and(|f| f.same(&e))));
        let loaded = known.or_else(|| crate::query::entity(self.snap, &handle));
        let events = match &loaded {
            Some(e) => object_events(&e.object()),
            None => Default::default(),
        };
        let resolves = loaded.is_some() || crate::query::is_lessee(self.snap, &handle);
        // the handle as a path segment, encoded once (borrowed when it
        // needs no encoding, as nearly every handle)
        let link = resolves.then(|| match &handle {
            Cow::Borrowed(h) => segment(h),
            Cow::Owned(h) => segment(h).into_owned().into(),
        });
        out::Entity {
            handle,
            name,
            kind,
            roles: out::Roles::of(roles),
            email,
            remark: None,
            events,
            link,
        }
    }

    /// An entity (RFC 9083 section 5.1) with its jCard, and where its text
    /// before and after its roles stands in `w` (the same entity in
    /// another role is [`EntitySpans::repeat`]ed from them).
    pub(super) fn write_entity(&self, w: &mut Json, urls: &Urls, e: &out::Entity) -> EntitySpans {
        let start = w.buf.len();
        w.raw("{\"objectClassName\":\"entity\",\"handle\":");
        w.str(&e.handle);
        w.raw(",\"vcardArray\":");
        write_vcard(w, e.kind, e.name, e.email);
        w.raw(",\"roles\":");
        let head = start..w.buf.len();
        w.lits(e.roles.iter());
        let after_roles = w.buf.len();
        if let Some(r) = &e.remark {
            w.raw(",\"remarks\":[");
            write_remark(w, r);
            w.raw("]");
        }
        if e.events.iter().any(Option::is_some) {
            w.raw(",\"events\":");
            write_events(w, e.events.iter().zip(EVENT_ACTIONS));
        }
        if let Some(seg) = &e.link {
            w.raw(",\"links\":[");
            urls.self_link(w, &at(&["entity/", seg]));
            w.raw("]");
        }
        w.raw("}");
        EntitySpans {
            head,
            tail: after_roles..w.buf.len(),
        }
    }

    /// The notices of every answer (see [`Ctx::write_notices_fresh`]):
    /// written once per thread for a snapshot, base path and configured
    /// pages, with holes where the origin goes, then copied.
    pub(super) fn write_notices(&self, w: &mut Json) {
        // everything the notices are made of but the origin
        type Key = (
            crate::query::Identity,
            String,
            Option<String>,
            Option<String>,
        );
        type Made = (Key, std::sync::Arc<super::json::Piece>);
        thread_local! {
            static LAST: std::cell::RefCell<Option<Made>> = const { std::cell::RefCell::new(None) };
        }
        let settings = &self.cfg.settings;
        let key_matches = |k: &Key| {
            k.0 == crate::query::about(self.snap).identity()
                && k.1 == settings.base_path
                && k.2 == settings.terms_url
                && k.3 == settings.inaccuracy_url
        };
        LAST.with(|last| {
            let mut last = last.borrow_mut();
            if !last.as_ref().is_some_and(|(k, _)| key_matches(k)) {
                let marked = Ctx {
                    origin: super::json::ORIGIN_MARKER,
                    ..*self
                };
                let mut t = Json::new(true);
                marked.write_notices_fresh(&mut t);
                let (body, holes) = t.finish(false);
                let made = super::json::Piece { body, holes };
                let key = (
                    crate::query::about(self.snap).identity(),
                    settings.base_path.clone(),
                    settings.terms_url.clone(),
                    settings.inaccuracy_url.clone(),
                );
                *last = Some((key, std::sync::Arc::new(made)));
            }
            if let Some((_, t)) = &*last {
                w.shared(t, self.origin);
            }
        })
    }

    /// [`Ctx::write_notices`] as a serialized value (for error bodies).
    pub(super) fn notices_raw(&self) -> Box<serde_json::value::RawValue> {
        let mut w = Json::new(false);
        self.write_notices(&mut w);
        String::from_utf8(w.buf)
            .ok()
            .and_then(|s| serde_json::value::RawValue::from_string(s).ok())
            .unwrap_or_else(|| {
                serde_json::value::RawValue::from_string("[]".into()).expect("[] is JSON")
            })
    }

    /// The notices of every answer: terms of use and inaccuracy reporting
    /// (the NRO RDAP profile), and the data sources with their dates.
    fn write_notices_fresh(&self, w: &mut Json) {
        let settings = &self.cfg.settings;
        let urls = self.urls(w);
        w.raw("[{\"title\":\"Terms and Conditions\",\"description\":[\"This is a tenure RDAP service for IP address space. Data comes from registry dumps and leasing platforms' lease records as loaded by the operator.\"],\"links\":[");
        self.write_notice_link(w, &urls, "terms-of-service", settings.terms_url.as_deref());
        w.raw("]},{\"title\":\"Inaccuracy Reporting\",\"description\":[\"Report inaccurate registry data to the registry that publishes it (port43 and the registry's own RDAP service), and inaccurate lease records to the leasing platform named as their source.\"],\"links\":[");
        self.write_notice_link(
            w,
            &urls,
            "inaccuracy-report",
            settings.inaccuracy_url.as_deref(),
        );
        w.raw("]},{\"title\":\"Data sources\",\"description\":");
        w.strs(self.snap.source_lines().iter().map(String::as_str));
        w.raw("}]");
    }
}

/// A jCard: version, fn, kind and an optional e-mail (preferred when it is
/// the abuse mailbox).
pub(super) fn write_vcard(
    w: &mut Json,
    kind: &'static str,
    name: &str,
    email: Option<(&str, bool)>,
) {
    w.raw("[\"vcard\",[[\"version\",{},\"text\",\"4.0\"],[\"fn\",{},\"text\",");
    w.str(name);
    w.raw("],[\"kind\",{},\"text\",");
    w.lit(kind);
    w.raw("]");
    if let Some((m, preferred)) = email {
        w.raw(if preferred {
            ",[\"email\",{\"pref\":\"1\"},\"text\","
        } else {
            ",[\"email\",{},\"text\","
        });
        w.str(m);
        w.raw("]");
    }
    w.raw("]]");
}

/// A remark (or notice without links): an optional title, then its lines.
pub(super) fn write_remark(w: &mut Json, r: &out::Remark) {
    match r.title {
        Some(t) => {
            w.raw("{\"title\":");
            w.lit(t);
            w.raw(",\"description\":");
        }
        None => w.raw("{\"description\":"),
    }
    w.strs(r.description.iter().map(|d| &**d));
    w.raw("}");
}

/// cidr0's `cidr0_cidrs`: the range as CIDR blocks.
pub(super) fn write_cidrs(w: &mut Json, r: &IpRange) {
    // nearly every network is one prefix: no list made for it
    let one;
    let many;
    let cidrs: &[(u128, u32)] = match r.prefix_len() {
        Some(len) => {
            one = [(r.start, len)];
            &one
        }
        None => {
            many = r.cidrs();
            &many
        }
    };
    w.array(cidrs.iter().copied(), |w, (b, l)| {
        w.raw(match r.family {
            Family::V4 => "{\"v4prefix\":\"",
            Family::V6 => "{\"v6prefix\":\"",
        });
        write_addr(w, r.family, b);
        w.raw("\",\"length\":");
        w.uint(l.into());
        w.raw("}");
    });
}

/// An address's text (nothing in it is escaped).
pub(super) fn write_addr(w: &mut Json, family: Family, a: u128) {
    crate::addr::AddrText(family, a).push_to(&mut w.buf);
}

/// Events from (date, action) pairs; the dates that are `None` are left out.
pub(super) fn write_events<'d>(
    w: &mut Json,
    events: impl IntoIterator<Item = (&'d Option<AttrTime<'d>>, &'static str)>,
) {
    let dated = events
        .into_iter()
        .filter_map(|(date, action)| date.as_ref().map(|d| (d, action)));
    w.array(dated, |w, (date, action)| {
        w.raw("{\"eventAction\":");
        w.lit(action);
        w.raw(",\"eventDate\":");
        match date {
            AttrTime::Text(t) => w.str(t),
            AttrTime::At(t) => {
                w.raw("\"");
                crate::time::write_bytes(&mut w.buf, *t);
                w.raw("\"");
            }
        }
        w.raw("}");
    });
}

/// The vCard `kind` of a contact.
pub(super) fn contact_kind(k: crate::query::ContactKind) -> &'static str {
    match k {
        crate::query::ContactKind::Individual => "individual",
        crate::query::ContactKind::Organisation => "org",
        crate::query::ContactKind::Group => "group",
    }
}

/// The object's `admin-c` and `tech-c` as entities, one per handle (with
/// both roles when both name it). A contact the registry's public dump
/// replaced by its placeholder is not shown as an entity; it is listed
/// under `redacted` instead (RFC 9537, method "removal"), which this
/// returns, serialized.
pub(super) fn out_contacts<'a>(
    ctx: &'a Ctx,
    contacts: &crate::query::Contacts<'a>,
    entities: &mut Vec<out::Entity<'a>>,
) -> Option<&'static serde_json::value::RawValue> {
    for c in &contacts.shown {
        let roles: &'static [&'static str] = match (c.administrative, c.technical) {
            (true, true) => &["administrative", "technical"],
            (true, false) => &["administrative"],
            _ => &["technical"],
        };
        let kind = contact_kind(c.kind);
        let mut entity = ctx.out_entity_of(c.entity, c.handle, c.name, kind, roles, None);
        if c.entity.is_none() {
            // not loaded: a self link would answer 404
            entity.link = None;
        }
        entities.push(entity);
    }
    redacted_contacts(contacts.removed_administrative, contacts.removed_technical)
}

/// The `redacted` member for removed administrative and/or technical
/// contacts, written once.
fn redacted_contacts(admin: bool, tech: bool) -> Option<&'static serde_json::value::RawValue> {
    use serde_json::value::RawValue;
    static MADE: std::sync::OnceLock<[Box<RawValue>; 3]> = std::sync::OnceLock::new();
    let made = MADE.get_or_init(|| {
        let removal = |w: &mut Json, what: &str, path: &str| {
            w.raw("{\"name\":{\"description\":");
            w.str(what);
            w.raw("},\"prePath\":");
            w.str(path);
            w.raw(",\"pathLang\":\"jsonpath\",\"method\":\"removal\",\"reason\":{\"description\":\"personal data removed from the registry's public database dump\"}}");
        };
        let a = |w: &mut Json| {
            removal(
                w,
                "Administrative contact",
                "$.entities[?(@.roles[0]=='administrative')]",
            )
        };
        let t = |w: &mut Json| {
            removal(
                w,
                "Technical contact",
                "$.entities[?(@.roles[0]=='technical')]",
            )
        };
        let raw = |parts: &[&dyn Fn(&mut Json)]| {
            let mut w = Json::new(false);
            w.array(parts, |w, p| p(w));
            let text = String::from_utf8(w.buf).expect("written from str");
            RawValue::from_string(text).expect("static shapes are JSON")
        };
        [raw(&[&a]), raw(&[&t]), raw(&[&a, &t])]
    });
    match (admin, tech) {
        (false, false) => None,
        (true, false) => Some(&made[0]),
        (false, true) => Some(&made[1]),
        (true, true) => Some(&made[2]),
    }
}
