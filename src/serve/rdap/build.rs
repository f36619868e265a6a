//! What every RDAP answer builder shares: the request context, links,
//! entities with their jCard (RFC 7095), cidr0 prefixes, events, and the
//! notices of the NRO profile (section 4.3), serialized once per thread.

use super::out;
use super::{RdapConfig, CONTENT_TYPE};
use crate::addr::{Family, IpRange};
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
        tree(self.out_link("self", at(&[path]), at(&[path])))
    }
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
                for &r in &dup.roles {
                    if !first.roles.contains(&r) {
                        first.roles.push(r);
                    }
                }
                // the first's card (its kind and name), with the other's
                // e-mail when it has none
                let mut dup = dup;
                if !first.vcardArray.1.iter().any(|p| p.0 == "email") {
                    if let Some(i) = dup.vcardArray.1.iter().position(|p| p.0 == "email") {
                        first.vcardArray.1.push(dup.vcardArray.1.swap_remove(i));
                    }
                }
                if first.events.is_empty() {
                    first.events = dup.events;
                }
                if first.links.is_empty() {
                    first.links = dup.links;
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
    tree(out_cidrs(r))
}

pub(super) fn conformance(extra: &[&str]) -> Value {
    let mut v = super::response::BASE_CONFORMANCE.to_vec();
    v.extend_from_slice(extra);
    json!(v)
}

/// The typed shapes below as JSON trees, for the answers off the hot path.
pub(super) fn tree(v: impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap_or_default()
}

pub(super) fn notices(ctx: &Ctx) -> Value {
    tree(ctx.out_notices())
}

pub(super) fn entity_obj(
    ctx: &Ctx,
    handle: &str,
    name: &str,
    kind: &'static str,
    roles: &[&'static str],
    email: Option<&str>,
) -> Value {
    tree(ctx.out_entity(handle, name, kind, roles, email))
}

/// The object's events; `null` (then dropped) when it has none: an empty
/// `events` array is a warning of RDAP validators.
pub(super) fn events_of(o: &crate::query::ObjectView) -> Value {
    let events = out_events(o.get_value("created"), o.get_value("last-modified"));
    if events.is_empty() {
        Value::Null
    } else {
        tree(events)
    }
}

impl Ctx<'_> {
    pub(super) fn out_link<'a>(
        &'a self,
        rel: &'static str,
        path: out::Path<'a>,
        self_path: out::Path<'a>,
    ) -> out::Link<'a> {
        let url = |path| out::Url {
            origin: self.origin,
            base: &self.cfg.settings.base_path,
            path,
        };
        out::Link {
            value: url(self_path),
            rel,
            href: url(path),
            typ: CONTENT_TYPE,
        }
    }

    /// A notice's link: to the configured page, else to this service's
    /// `help` (NRO RDAP profile section 4.3).
    fn notice_link<'a>(&'a self, rel: &'static str, url: Option<&'a str>) -> out::Link<'a> {
        let help = || at(&["help"]);
        match url {
            Some(u) => {
                let page = out::Url {
                    origin: u,
                    base: "",
                    path: Default::default(),
                };
                out::Link {
                    value: out::Url {
                        origin: self.origin,
                        base: &self.cfg.settings.base_path,
                        path: help(),
                    },
                    rel,
                    href: page,
                    typ: "text/html",
                }
            }
            None => self.out_link(rel, help(), help()),
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
        let handle = handle.into();
        let email = email.map(|m| (m, roles.contains(&"abuse")));
        let vcard_array = vcard(kind, name, email);
        // the handle as a path segment, encoded once (borrowed when it
        // needs no encoding, as nearly every handle)
        let seg: std::borrow::Cow<'a, str> = match &handle {
            std::borrow::Cow::Borrowed(h) => segment(h),
            std::borrow::Cow::Owned(h) => segment(h).into_owned().into(),
        };
        let path = || -> out::Path<'a> { ["entity/".into(), seg.clone(), "".into(), "".into()] };
        // the object's own dates, when it is loaded here; a self link only
        // where entity/ answers (a loaded object or a lessee of leases; not
        // a name the registry gives without a handle, as LACNIC's `owner`)
        let loaded = crate::query::entity(self.snap, &handle);
        let events = match &loaded {
            Some(e) => {
                let o = e.object();
                out_events(o.get_value("created"), o.get_value("last-modified"))
            }
            None => Vec::new(),
        };
        let resolves = loaded.is_some() || crate::query::is_lessee(self.snap, &handle);
        out::Entity {
            objectClassName: "entity",
            links: if resolves {
                vec![self.out_link("self", path(), path())]
            } else {
                Vec::new()
            },
            handle,
            vcardArray: vcard_array,
            roles: roles.to_vec(),
            remarks: None,
            events,
        }
    }

    /// [`Ctx::out_notices`] serialized: made once per thread for a
    /// snapshot, base path and origin, then copied.
    pub(super) fn notices_raw(&self) -> Box<serde_json::value::RawValue> {
        // everything the notices are made of: snapshot, base path, origin,
        // and the configured pages
        type Key = (
            usize,
            std::time::SystemTime,
            String,
            String,
            Option<String>,
            Option<String>,
        );
        thread_local! {
            static LAST: std::cell::RefCell<Option<(Key, Box<serde_json::value::RawValue>)>> =
                const { std::cell::RefCell::new(None) };
        }
        let key_matches = |k: &Key| {
            k.0 == self.snap as *const Snapshot as usize
                && k.1 == crate::query::about(self.snap).loaded_at()
                && k.2 == self.cfg.settings.base_path
                && k.3 == self.origin
                && k.4 == self.cfg.settings.terms_url
                && k.5 == self.cfg.settings.inaccuracy_url
        };
        LAST.with(|last| {
            let mut last = last.borrow_mut();
            match &*last {
                Some((k, raw)) if key_matches(k) => raw.clone(),
                _ => {
                    let raw =
                        serde_json::value::to_raw_value(&self.out_notices()).unwrap_or_else(|_| {
                            serde_json::value::RawValue::from_string("[]".into())
                                .expect("[] is JSON")
                        });
                    let key = (
                        self.snap as *const Snapshot as usize,
                        crate::query::about(self.snap).loaded_at(),
                        self.cfg.settings.base_path.clone(),
                        self.origin.to_string(),
                        self.cfg.settings.terms_url.clone(),
                        self.cfg.settings.inaccuracy_url.clone(),
                    );
                    *last = Some((key, raw.clone()));
                    raw
                }
            }
        })
    }

    /// The notices of every answer: terms of use and inaccuracy reporting
    /// (the NRO RDAP profile), and the data sources with their dates.
    pub(super) fn out_notices(&self) -> Vec<out::Notice<'_>> {
        let sources = self
            .snap
            .source_lines()
            .iter()
            .map(|l| l.as_str().into())
            .collect();
        vec![
            out::Notice {
                title: "Terms and Conditions",
                description: vec!["This is a tenure RDAP service for IP address space. Data comes from registry dumps and leasing platforms' lease records as loaded by the operator.".into()],
                links: vec![self.notice_link("terms-of-service", self.cfg.settings.terms_url.as_deref())],
            },
            out::Notice {
                title: "Inaccuracy Reporting",
                description: vec!["Report inaccurate registry data to the registry that publishes it (port43 and the registry's own RDAP service), and inaccurate lease records to the leasing platform named as their source.".into()],
                links: vec![self.notice_link("inaccuracy-report", self.cfg.settings.inaccuracy_url.as_deref())],
            },
            out::Notice { title: "Data sources", description: sources, links: Vec::new() },
        ]
    }
}

/// A jCard: version, fn, kind and an optional e-mail (preferred when it is
/// the abuse mailbox).
pub(super) fn vcard<'a>(
    kind: &'static str,
    name: &'a str,
    email: Option<(&'a str, bool)>,
) -> (&'static str, Vec<out::Prop<'a>>) {
    let none = || out::Params::None(out::NoParams {});
    let mut props = vec![
        out::Prop("version", none(), "text", "4.0"),
        out::Prop("fn", none(), "text", name),
        out::Prop("kind", none(), "text", kind),
    ];
    if let Some((m, preferred)) = email {
        let params = if preferred {
            out::Params::Pref(out::Pref { pref: "1" })
        } else {
            none()
        };
        props.push(out::Prop("email", params, "text", m));
    }
    ("vcard", props)
}

pub(super) fn out_cidrs(r: &IpRange) -> Vec<out::Cidr> {
    r.cidrs()
        .into_iter()
        .map(|(b, l)| {
            let a = crate::addr::AddrText(r.family, b).to_string();
            match r.family {
                Family::V4 => out::Cidr {
                    v4prefix: Some(a),
                    v6prefix: None,
                    length: l,
                },
                Family::V6 => out::Cidr {
                    v4prefix: None,
                    v6prefix: Some(a),
                    length: l,
                },
            }
        })
        .collect()
}

/// `registration` and `last changed` events from an object's `created`
/// and `last-modified`.
pub(super) fn out_events<'a>(
    created: Option<Cow<'a, str>>,
    last_modified: Option<Cow<'a, str>>,
) -> Vec<out::Event<'a>> {
    let mut v = Vec::new();
    if let Some(c) = created {
        v.push(out::Event {
            eventAction: "registration",
            eventDate: c,
        });
    }
    if let Some(c) = last_modified {
        v.push(out::Event {
            eventAction: "last changed",
            eventDate: c,
        });
    }
    v
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
        let mut entity = ctx.out_entity(c.handle, c.name, kind, roles, None);
        if !c.loaded {
            // not loaded: a self link would answer 404
            entity.links.clear();
        }
        entities.push(entity);
    }
    redacted_contacts(contacts.removed_administrative, contacts.removed_technical)
}

/// The `redacted` member for removed administrative and/or technical
/// contacts, serialized once.
fn redacted_contacts(admin: bool, tech: bool) -> Option<&'static serde_json::value::RawValue> {
    use serde_json::value::RawValue;
    static MADE: std::sync::OnceLock<[Box<RawValue>; 3]> = std::sync::OnceLock::new();
    let made = MADE.get_or_init(|| {
        let removal = |what: &'static str, path: &'static str| out::Redacted {
            name: out::Description { description: what },
            prePath: path,
            pathLang: "jsonpath",
            method: "removal",
            reason: out::Description {
                description: "personal data removed from the registry's public database dump",
            },
        };
        let a = || {
            removal(
                "Administrative contact",
                "$.entities[?(@.roles[0]=='administrative')]",
            )
        };
        let t = || {
            removal(
                "Technical contact",
                "$.entities[?(@.roles[0]=='technical')]",
            )
        };
        let raw = |v: Vec<out::Redacted>| {
            serde_json::value::to_raw_value(&v).expect("static shapes serialize")
        };
        [raw(vec![a()]), raw(vec![t()]), raw(vec![a(), t()])]
    });
    match (admin, tech) {
        (false, false) => None,
        (true, false) => Some(&made[0]),
        (false, true) => Some(&made[1]),
        (true, true) => Some(&made[2]),
    }
}
