//! RDAP (RFC 7480, 9082, 9083) answers, independent of the HTTP library.
//!
//! [`handle`] takes a method, a path with its query string and the
//! `Accept` header, and returns a [`Response`]: status, headers and body.
//! It is the one place that decides RDAP status codes and headers; the
//! HTTP layer only carries bytes. JSON objects never contain `null`
//! members; `rdapConformance` lists exactly the extensions a response uses.
//!
//! tenure's own extension `lease0`: when a lease is current for the queried
//! address, the response object is the lease as an `ip network` (`handle` =
//! lease id, `type` `LEASED`, `parentHandle` = the registry object above
//! it, the lessee as `registrant`, its mailbox as `abuse` only when the
//! lease is verified, `events` registration = lease start and expiration =
//! lease end, `remarks` with the lease source and verification). Every ip
//! network response carries `lease0_holder`, the holder as an entity.
//! `?lease0_at=TIME` answers as of that moment.

use crate::addr::{Family, IpRange};
use crate::query::{self, Answer, ObjRef, Query};
use crate::snapshot::{NetId, Snapshot};
use crate::time::{self, Timestamp};
use serde_json::{json, Map, Value};

/// Media type of every RDAP answer.
pub const CONTENT_TYPE: &str = "application/rdap+json";

pub mod cache;

/// Settings of the RDAP answers.
#[derive(Debug, Clone)]
pub struct RdapConfig {
    /// Path prefix, with leading and trailing slash (`/rdap/`).
    pub base_path: String,
    /// Host name given as `port43` (the WHOIS service).
    pub port43: Option<String>,
    /// Most results a search returns (a notice says when it was cut).
    pub max_results: usize,
    /// Sustained requests per second per client (IPv6 per /64).
    pub rate: f64,
    /// Requests a client may send at once before the rate applies.
    pub burst: f64,
    /// Answers to `ip/...` kept for other addresses of the same network.
    pub cache: std::sync::Arc<cache::AnswerCache>,
}

/// Default per-client request rate and burst.
pub const DEFAULT_RATE: f64 = 100.0;
pub const DEFAULT_BURST: f64 = 500.0;

/// Default bound on search results.
pub const DEFAULT_MAX_RESULTS: usize = 100;

impl Default for RdapConfig {
    fn default() -> Self {
        RdapConfig {
            base_path: "/rdap/".into(),
            port43: None,
            max_results: DEFAULT_MAX_RESULTS,
            rate: DEFAULT_RATE,
            burst: DEFAULT_BURST,
            cache: std::sync::Arc::new(cache::AnswerCache::new(cache::DEFAULT_CACHE_MB)),
        }
    }
}

/// An HTTP response as RDAP wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// What the request asked about, from its route (for metrics).
    pub kind: crate::metrics::Kind,
    pub headers: Vec<(&'static str, std::borrow::Cow<'static, str>)>,
    pub body: Vec<u8>,
}

/// One request: what [`handle`] needs from HTTP.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a str,
    /// Path and query string, as received (`/rdap/ip/192.0.2.1?pretty`).
    pub target: &'a str,
    pub accept: Option<&'a str>,
    /// `scheme://host[:port]` for absolute links.
    pub origin: &'a str,
}

fn error(status: u16, title: &str, description: &str) -> Response {
    let body = json!({
        "rdapConformance": ["rdap_level_0"],
        "errorCode": status,
        "title": title,
        "description": [description],
    });
    respond(status, &body, false)
}

fn respond(status: u16, body: &Value, pretty: bool) -> Response {
    let body = if pretty {
        serde_json::to_vec_pretty(body)
    } else {
        serde_json::to_vec(body)
    }
    .unwrap_or_default();
    Response {
        status,
        kind: crate::metrics::Kind::Other,
        headers: vec![
            ("content-type", CONTENT_TYPE.into()),
            ("access-control-allow-origin", "*".into()),
        ],
        body,
    }
}

/// The answer to a client over its request rate: 429 with `Retry-After`.
pub fn too_many_requests(retry_after: std::time::Duration) -> Response {
    let mut r = error(
        429,
        "Too Many Requests",
        "the request rate of your address is over the limit",
    );
    r.headers.push((
        "retry-after",
        retry_after.as_secs().max(1).to_string().into(),
    ));
    r
}

/// The answer to a request whose answering failed: 500 with an error body.
pub fn internal_error() -> Response {
    error(
        500,
        "Internal Server Error",
        "the server failed to answer this request",
    )
}

/// True when the `Accept` header admits JSON (or is absent).
pub fn accepts_json(accept: Option<&str>) -> bool {
    let Some(a) = accept else { return true };
    a.split(',').any(|item| {
        let t = item
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        matches!(
            t.as_str(),
            "application/rdap+json" | "application/json" | "*/*" | "application/*" | ""
        )
    })
}

/// The parameters of a query string, percent-decoded (`+` is a space).
pub fn query_params(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Longest request target accepted.
pub const MAX_TARGET: usize = 2048;

/// Answers one request.
pub fn handle(snap: &Snapshot, cfg: &RdapConfig, req: &Request, now: Timestamp) -> Response {
    let mut r = route(snap, cfg, req, now);
    if req.method == "HEAD" {
        r.body.clear();
    }
    r
}

fn route(snap: &Snapshot, cfg: &RdapConfig, req: &Request, now: Timestamp) -> Response {
    match req.method {
        "GET" | "HEAD" => {}
        "OPTIONS" => {
            return Response {
                status: 204,
                kind: crate::metrics::Kind::Other,
                headers: vec![
                    ("access-control-allow-origin", "*".into()),
                    ("access-control-allow-methods", "GET, HEAD, OPTIONS".into()),
                    (
                        "access-control-allow-headers",
                        "Accept, Content-Type".into(),
                    ),
                    ("access-control-max-age", "86400".into()),
                ],
                body: Vec::new(),
            }
        }
        _ => {
            let mut r = error(405, "Method Not Allowed", "RDAP answers GET and HEAD");
            r.headers.push(("allow", "GET, HEAD".into()));
            return r;
        }
    }
    if req.target.len() > MAX_TARGET {
        return error(414, "URI Too Long", "the request path is too long");
    }
    if !accepts_json(req.accept) {
        return error(406, "Not Acceptable", "RDAP answers application/rdap+json");
    }
    // a question asked before: its whole answer, if still valid
    let cache = &cfg.cache;
    let exact = cache.enabled()
        && req
            .target
            .strip_prefix(cfg.base_path.as_str())
            .is_some_and(|rest| rest.starts_with("ip/"));
    if exact {
        if let Some(body) = cache.get_exact(snap, req.origin, req.target, now) {
            let mut r = ok_bytes(body, snap);
            let ip = req
                .target
                .split('?')
                .next()
                .and_then(|p| p.split_once("/ip/"));
            r.kind = match ip {
                Some((_, rest)) if rest.contains('/') => crate::metrics::Kind::Prefix,
                _ => crate::metrics::Kind::Address,
            };
            return r;
        }
    }
    let (path, q) = req.target.split_once('?').unwrap_or((req.target, ""));
    let params = query_params(q);
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let pretty = param("pretty").is_some();
    let at = match param("lease0_at") {
        Some(t) => match time::parse(t) {
            Ok(t) => t,
            Err(e) => return error(400, "Bad Request", &e.to_string()),
        },
        None => now,
    };
    let Some(rest) = path.strip_prefix(cfg.base_path.as_str()) else {
        return error(404, "Not Found", "not an RDAP path");
    };
    let rest = percent_decode(rest);
    let segs: Vec<&str> = rest.split('/').collect();
    let ctx = Ctx {
        snap,
        cfg,
        origin: req.origin,
        at,
        exact_target: exact.then_some(req.target),
        at_given: param("lease0_at").is_some(),
    };
    let kind = route_kind(&segs);
    let mut r = answer_route(&ctx, &segs, &params, pretty, snap);
    r.kind = kind;
    r
}

/// What a route asks about (for metrics).
fn route_kind(segs: &[&str]) -> crate::metrics::Kind {
    use crate::metrics::Kind;
    match segs {
        ["ip", _] => Kind::Address,
        ["ip", _, _] => Kind::Prefix,
        ["autnum", _] => Kind::Asn,
        ["entity", _] | ["domain", _] => Kind::Handle,
        ["entities"]
        | ["ips"]
        | ["autnums"]
        | ["ips", "rirSearch1", ..]
        | ["ips", "reverse_search", ..] => Kind::Search,
        _ => Kind::Other,
    }
}

/// The answer of a routed request.
fn answer_route(
    ctx: &Ctx,
    segs: &[&str],
    params: &[(String, String)],
    pretty: bool,
    snap: &Snapshot,
) -> Response {
    let body = match segs {
        ["ip", addr] => ip(ctx, addr, None, pretty),
        ["ip", addr, len] => ip(ctx, addr, Some(len), pretty),
        ["autnum", n] => autnum(ctx, n).map(Body::Json),
        ["entity", h] => entity(ctx, h).map(Body::Json),
        ["domain", name] => domain(ctx, name).map(Body::Json),
        ["help"] => Ok(Body::Json(help(ctx))),
        ["entities"] => entity_search(ctx, params).map(Body::Json),
        ["ips"] => ip_search(ctx, params).map(Body::Json),
        ["autnums"] => autnum_search(ctx, params).map(Body::Json),
        ["ips", "rirSearch1", rel, addr] => rir_search(ctx, rel, addr, None).map(Body::Json),
        ["ips", "rirSearch1", rel, addr, len] => {
            rir_search(ctx, rel, addr, Some(len)).map(Body::Json)
        }
        ["ips", "reverse_search", "entity"] => reverse_search(ctx, params).map(Body::Json),
        ["nameserver", ..] | ["nameservers"] | ["domains"] => Err(error(
            501,
            "Not Implemented",
            "tenure serves IP address space, AS numbers and their entities",
        )),
        _ => Err(error(400, "Bad Request", "unknown RDAP path")),
    };
    match body {
        Ok(Body::Json(mut v)) => {
            if let Value::Object(m) = &mut v {
                strip_nulls(m);
            }
            let mut r = respond(200, &v, pretty);
            cacheable(&mut r, snap);
            r
        }
        Ok(Body::Bytes(bytes)) => ok_bytes(bytes, snap),
        Err(r) => r,
    }
}

/// A 200 answer of serialized JSON.
fn ok_bytes(body: Vec<u8>, snap: &Snapshot) -> Response {
    let mut r = Response {
        status: 200,
        kind: crate::metrics::Kind::Other,
        headers: vec![
            ("content-type", CONTENT_TYPE.into()),
            ("access-control-allow-origin", "*".into()),
        ],
        body,
    };
    cacheable(&mut r, snap);
    r
}

/// The caching headers of a lookup: five minutes, and the data serial as
/// the entity tag.
fn cacheable(r: &mut Response, snap: &Snapshot) {
    r.headers.push(("cache-control", "max-age=300".into()));
    r.headers
        .push(("etag", format!("\"tenure-{}\"", snap.serial).into()));
}

/// Removes `null` members, recursively (RFC 9083 discourages them).
fn strip_nulls(m: &mut Map<String, Value>) {
    m.retain(|_, v| !v.is_null());
    for v in m.values_mut() {
        strip_value(v);
    }
}

fn strip_value(v: &mut Value) {
    match v {
        Value::Object(m) => strip_nulls(m),
        Value::Array(a) => a.iter_mut().for_each(strip_value),
        _ => {}
    }
}

#[derive(Clone, Copy)]
struct Ctx<'a> {
    snap: &'a Snapshot,
    cfg: &'a RdapConfig,
    origin: &'a str,
    at: Timestamp,
    /// The request target, when its whole answer may be kept.
    exact_target: Option<&'a str>,
    /// `?lease0_at=` was given: the answer does not change with time.
    at_given: bool,
}

impl Ctx<'_> {
    /// A `self` link as a JSON tree, for the answers off the hot path.
    fn self_link(&self, path: &str) -> Value {
        tree(self.out_link("self", at(&[path]), at(&[path])))
    }
}

/// A path below the base path from up to four borrowed pieces.
fn at<'a>(pieces: &[&'a str]) -> out::Path<'a> {
    let mut p: out::Path<'a> = Default::default();
    for (slot, piece) in p.iter_mut().zip(pieces) {
        *slot = std::borrow::Cow::Borrowed(piece);
    }
    p
}

fn bad_request(msg: &str) -> Response {
    error(400, "Bad Request", msg)
}

fn not_found() -> Response {
    error(404, "Not Found", "no entries found")
}

fn family_of(r: &IpRange) -> &'static str {
    match r.family {
        Family::V4 => "v4",
        Family::V6 => "v6",
    }
}

fn cidr0(r: &IpRange) -> Value {
    tree(out_cidrs(r))
}

fn ip(ctx: &Ctx, addr: &str, len: Option<&str>, pretty: bool) -> Result<Body, Response> {
    let text = match len {
        Some(l) => format!("{addr}/{l}"),
        None => addr.to_string(),
    };
    let range = crate::addr::parse_query_range(&text).map_err(|e| bad_request(&e.to_string()))?;
    if text.contains(" - ") || text.contains('-') {
        return Err(bad_request("ip queries take an address or a prefix"));
    }
    let res = query::resolve(ctx.snap, &range, ctx.at);
    // space held elsewhere: redirected (never to this service itself)
    if let Some(e) = &res.elsewhere {
        if let Some(r) = redirect(ctx, e.rdap, &format!("ip/{text}")) {
            return Err(r);
        }
    }
    if !res.found() {
        return Err(not_found());
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
                ctx.snap.next_lease_change(&range, ctx.at)
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
    let net = network_out(build, &res, query).ok_or_else(not_found)?;
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

/// An answer body: a JSON tree, or bytes already serialized.
enum Body {
    Json(Value),
    Bytes(Vec<u8>),
}

/// A 302 to another RDAP service (RFC 7480 section 5.2), unless that
/// service is this one.
fn redirect(ctx: &Ctx, base: &str, path: &str) -> Option<Response> {
    if query::authority::host(base) == query::authority::host(ctx.origin) {
        return None;
    }
    let location = format!(
        "{}{}",
        if base.ends_with('/') {
            base.to_string()
        } else {
            format!("{base}/")
        },
        path
    );
    Some(Response {
        status: 302,
        kind: crate::metrics::Kind::Other,
        headers: vec![
            ("location", location.into()),
            ("content-type", CONTENT_TYPE.into()),
            ("access-control-allow-origin", "*".into()),
        ],
        body: Vec::new(),
    })
}

fn conformance(extra: &[&str]) -> Value {
    let mut v = vec!["rdap_level_0", "nro_rdap_profile_0"];
    v.extend_from_slice(extra);
    json!(v)
}

/// The typed shapes below as JSON trees, for the answers off the hot path.
fn tree(v: impl serde::Serialize) -> Value {
    serde_json::to_value(v).unwrap_or_default()
}

fn notices(ctx: &Ctx) -> Value {
    tree(ctx.out_notices())
}

fn entity_obj(
    ctx: &Ctx,
    handle: &str,
    name: &str,
    kind: &'static str,
    roles: &'static [&'static str],
    email: Option<&str>,
) -> Value {
    tree(ctx.out_entity(handle, name, kind, roles, email))
}

/// The object's events; `null` (then dropped) when it has none: an empty
/// `events` array is a warning of RDAP validators.
fn events_of(o: &crate::rpsl::Object) -> Value {
    let events = out_events(o.get("created"), o.get("last-modified"));
    if events.is_empty() {
        Value::Null
    } else {
        tree(events)
    }
}

/// The ip network answer, serialized from borrowing structs: no map or
/// string is allocated per member (this is the hot path of RDAP).
mod out {
    use serde::Serialize;
    use std::borrow::Cow;

    #[derive(Serialize)]
    pub struct Link<'a> {
        pub value: Url<'a>,
        pub rel: &'static str,
        pub href: Url<'a>,
        #[serde(rename = "type")]
        pub typ: &'static str,
    }

    /// An absolute URL of this service, written from its parts when it is
    /// serialized: no string is built per link.
    #[derive(Clone)]
    pub struct Url<'a> {
        pub origin: &'a str,
        pub base: &'a str,
        pub path: Path<'a>,
    }

    /// A path below the base path, in pieces.
    pub type Path<'a> = [Cow<'a, str>; 4];

    impl std::fmt::Display for Url<'_> {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.origin)?;
            f.write_str(self.base)?;
            self.path.iter().try_for_each(|p| f.write_str(p))
        }
    }

    impl Serialize for Url<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            // joined on the stack and escaped once; long ones through fmt
            let mut buf = [0u8; 512];
            let mut n = 0;
            for piece in [self.origin, self.base]
                .into_iter()
                .chain(self.path.iter().map(|p| &**p))
            {
                let Some(slot) = buf.get_mut(n..n + piece.len()) else {
                    return s.collect_str(self);
                };
                slot.copy_from_slice(piece.as_bytes());
                n += piece.len();
            }
            // whole UTF-8 pieces joined are UTF-8
            match std::str::from_utf8(&buf[..n]) {
                Ok(joined) => s.serialize_str(joined),
                Err(_) => s.collect_str(self),
            }
        }
    }

    #[derive(Serialize)]
    pub struct NoParams {}

    #[derive(Serialize)]
    pub struct Pref {
        pub pref: &'static str,
    }

    #[derive(Serialize)]
    #[serde(untagged)]
    pub enum Params {
        None(NoParams),
        Pref(Pref),
    }

    /// One jCard property: `[name, params, "text", value]`.
    #[derive(Serialize)]
    pub struct Prop<'a>(pub &'static str, pub Params, pub &'static str, pub &'a str);

    #[derive(Serialize)]
    pub struct Remark<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub title: Option<&'static str>,
        pub description: Vec<Cow<'a, str>>,
    }

    #[derive(Serialize)]
    #[allow(non_snake_case)]
    pub struct Entity<'a> {
        pub objectClassName: &'static str,
        pub handle: &'a str,
        pub vcardArray: (&'static str, Vec<Prop<'a>>),
        pub roles: &'static [&'static str],
        #[serde(skip_serializing_if = "Option::is_none")]
        pub remarks: Option<Vec<Remark<'a>>>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub links: Vec<Link<'a>>,
    }

    /// An RFC 9537 `redacted` member: what was removed and why.
    #[derive(Serialize)]
    #[allow(non_snake_case)]
    pub struct Redacted {
        pub name: Description,
        pub prePath: &'static str,
        pub pathLang: &'static str,
        pub method: &'static str,
        pub reason: Description,
    }

    #[derive(Serialize)]
    pub struct Description {
        pub description: &'static str,
    }

    #[derive(Serialize)]
    pub struct Cidr {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub v4prefix: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub v6prefix: Option<String>,
        pub length: u32,
    }

    #[derive(Serialize)]
    #[allow(non_snake_case)]
    pub struct Event<'a> {
        pub eventAction: &'static str,
        pub eventDate: Cow<'a, str>,
    }

    #[derive(Serialize)]
    pub struct Notice<'a> {
        pub title: &'static str,
        pub description: Vec<Cow<'a, str>>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub links: Vec<Link<'a>>,
    }

    #[derive(Serialize)]
    #[allow(non_snake_case)]
    pub struct IpNetwork<'a> {
        pub rdapConformance: &'static [&'static str],
        pub objectClassName: &'static str,
        pub handle: Cow<'a, str>,
        pub startAddress: String,
        pub endAddress: String,
        pub ipVersion: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub name: Option<&'a str>,
        #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
        pub typ: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub country: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub parentHandle: Option<&'a str>,
        pub status: [&'static str; 1],
        pub cidr0_cidrs: Vec<Cidr>,
        pub entities: Vec<Entity<'a>>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub events: Vec<Event<'a>>,
        pub links: Vec<Link<'a>>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub remarks: Vec<Remark<'a>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub redacted: Option<&'static serde_json::value::RawValue>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub port43: Option<&'a str>,
        /// Serialized once per thread, snapshot and origin.
        pub notices: Box<serde_json::value::RawValue>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub lease0_holder: Option<Entity<'a>>,
    }
}

/// Conformance of an ip network answer that redacted nothing.
const NETWORK_CONFORMANCE: &[&str] = NETWORK_CONFORMANCE_REDACTED
    .split_at(NETWORK_CONFORMANCE_REDACTED.len() - 1)
    .0;

/// Conformance of an ip network answer with a `redacted` member (RFC 9537).
const NETWORK_CONFORMANCE_REDACTED: &[&str] = &[
    "rdap_level_0",
    "nro_rdap_profile_0",
    "cidr0",
    "rirSearch1",
    "ips",
    "rdap-up",
    "rdap-down",
    "rdap-top",
    "rdap-bottom",
    "lease0",
    "redacted",
];

/// The object's `admin-c` and `tech-c` as entities, one per handle (with
/// both roles when both name it). A contact the registry's public dump
/// replaced by its placeholder is not shown as an entity; it is listed
/// under `redacted` instead (RFC 9537, method "removal"), which this
/// returns, serialized.
fn out_contacts<'a>(
    ctx: &'a Ctx,
    contacts: &query::Contacts<'a>,
    entities: &mut Vec<out::Entity<'a>>,
) -> Option<&'static serde_json::value::RawValue> {
    for c in &contacts.shown {
        let roles: &'static [&'static str] = match (c.administrative, c.technical) {
            (true, true) => &["administrative", "technical"],
            (true, false) => &["administrative"],
            _ => &["technical"],
        };
        let kind = match c.kind {
            query::ContactKind::Individual => "individual",
            query::ContactKind::Organisation => "org",
            query::ContactKind::Group => "group",
        };
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

impl Ctx<'_> {
    fn out_link<'a>(
        &'a self,
        rel: &'static str,
        path: out::Path<'a>,
        self_path: out::Path<'a>,
    ) -> out::Link<'a> {
        let url = |path| out::Url {
            origin: self.origin,
            base: &self.cfg.base_path,
            path,
        };
        out::Link {
            value: url(self_path),
            rel,
            href: url(path),
            typ: CONTENT_TYPE,
        }
    }

    fn out_entity<'a>(
        &'a self,
        handle: &'a str,
        name: &'a str,
        kind: &'static str,
        roles: &'static [&'static str],
        email: Option<&'a str>,
    ) -> out::Entity<'a> {
        let email = email.map(|m| (m, roles.contains(&"abuse")));
        let vcard_array = vcard(kind, name, email);
        out::Entity {
            objectClassName: "entity",
            handle,
            vcardArray: vcard_array,
            roles,
            remarks: None,
            links: vec![self.out_link("self", at(&["entity/", handle]), at(&["entity/", handle]))],
        }
    }

    /// [`Ctx::out_notices`] serialized: made once per thread for a
    /// snapshot, base path and origin, then copied.
    fn notices_raw(&self) -> Box<serde_json::value::RawValue> {
        type Key = (usize, std::time::SystemTime, String, String);
        thread_local! {
            static LAST: std::cell::RefCell<Option<(Key, Box<serde_json::value::RawValue>)>> =
                const { std::cell::RefCell::new(None) };
        }
        let key_matches = |k: &Key| {
            k.0 == self.snap as *const Snapshot as usize
                && k.1 == self.snap.loaded_at
                && k.2 == self.cfg.base_path
                && k.3 == self.origin
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
                        self.snap.loaded_at,
                        self.cfg.base_path.clone(),
                        self.origin.to_string(),
                    );
                    *last = Some((key, raw.clone()));
                    raw
                }
            }
        })
    }

    /// The notices of every answer: terms of use and inaccuracy reporting
    /// (the NRO RDAP profile), and the data sources with their dates.
    fn out_notices(&self) -> Vec<out::Notice<'_>> {
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
                links: vec![self.out_link("terms-of-service", at(&["help"]), at(&["help"]))],
            },
            out::Notice {
                title: "Inaccuracy Reporting",
                description: vec!["Report inaccurate registry data to the registry that publishes it (port43 and the registry's own RDAP service), and inaccurate lease records to the leasing platform named as their source.".into()],
                links: Vec::new(),
            },
            out::Notice { title: "Data sources", description: sources, links: Vec::new() },
        ]
    }
}

/// A jCard: version, fn, kind and an optional e-mail (preferred when it is
/// the abuse mailbox).
fn vcard<'a>(
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

fn out_cidrs(r: &IpRange) -> Vec<out::Cidr> {
    r.cidrs()
        .into_iter()
        .map(|(b, l)| {
            let a = crate::addr::u128_to_addr(r.family, b).to_string();
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
fn out_events<'a>(created: Option<&'a str>, last_modified: Option<&'a str>) -> Vec<out::Event<'a>> {
    let mut v = Vec::new();
    if let Some(c) = created {
        v.push(out::Event {
            eventAction: "registration",
            eventDate: c.into(),
        });
    }
    if let Some(c) = last_modified {
        v.push(out::Event {
            eventAction: "last changed",
            eventDate: c.into(),
        });
    }
    v
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
        .map(|a| ctx.out_entity(a.handle, a.name, "group", &["abuse"], Some(a.mailbox)));
    let self_path = || at(&["ip/", query_text]);
    let mut links = vec![ctx.out_link("self", self_path(), self_path())];
    for rel in ["rdap-up", "rdap-down", "rdap-top", "rdap-bottom"] {
        links.push(ctx.out_link(
            rel,
            at(&["ips/rirSearch1/", rel, "/", query_text]),
            self_path(),
        ));
    }
    let up_link = |range: IpRange| {
        ctx.out_link(
            "up",
            [
                "ip/".into(),
                range.to_query_string().into(),
                "".into(),
                "".into(),
            ],
            self_path(),
        )
    };
    let registry_net = match &res.subject {
        Some(query::Subject::Network(n)) => Some(*n),
        _ => None,
    };
    if let Some(l) = res.lessee.as_ref().and_then(|l| l.lease()) {
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
            links.push(up_link(n.range()));
        }
        let range = l.range();
        return Some(out::IpNetwork {
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
                        "unverified: the lessor is not the holder of this space in the registry"
                            .into()
                    },
                    format!("lessor {}", l.lessor()).into(),
                ],
            }],
            redacted: None,
            port43: ctx.cfg.port43.as_deref(),
            notices: ctx.notices_raw(),
            lease0_holder: holder,
        });
    }
    // the registry network, or the delegated record when no object is loaded
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
                links.push(up_link(p.range()));
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
        port43: ctx.cfg.port43.as_deref(),
        notices: ctx.notices_raw(),
        lease0_holder: holder,
    })
}

fn autnum(ctx: &Ctx, n: &str) -> Result<Value, Response> {
    let asn = crate::model::parse_asn(n)
        .filter(|_| n.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| bad_request("an AS number is digits only"))?;
    let Answer::Objects { objects, abuse } = query::answer(ctx.snap, &Query::Asn(asn), ctx.at)
    else {
        // not here: the registry of the delegated statistics, else IANA's bootstrap
        if let Some(e) = query::authority::asn_elsewhere(ctx.snap, asn) {
            if let Some(r) = redirect(ctx, e.rdap, &format!("autnum/{asn}")) {
                return Err(r);
            }
        }
        return Err(not_found());
    };
    let Some(ObjRef::AutNum(i)) = objects.first().copied() else {
        return Err(not_found());
    };
    let a = &ctx.snap.reg.autnums[i as usize];
    let mut entities = Vec::new();
    if let Some(e) = ctx.snap.entity_sym(a.org) {
        entities.push(entity_obj(
            ctx,
            e.object.key(),
            e.name().unwrap_or(e.object.key()),
            "org",
            &["registrant"],
            None,
        ));
    }
    if let Some(ab) = abuse {
        entities.push(entity_obj(
            ctx,
            ab.from_handle(ctx.snap),
            ab.from_handle(ctx.snap),
            "group",
            &["abuse"],
            Some(ab.mailbox(ctx.snap)),
        ));
    }
    let mut contacts = Vec::new();
    let autnum_contacts = query::ObjectView::of(ctx.snap, ObjRef::AutNum(i)).contacts();
    let redacted = out_contacts(ctx, &autnum_contacts, &mut contacts);
    entities.extend(contacts.into_iter().map(tree));
    let extensions: &[&str] = if redacted.is_none() {
        &[]
    } else {
        &["redacted"]
    };
    Ok(json!({
        "rdapConformance": conformance(extensions),
        "redacted": redacted.map_or(Value::Null, tree),
        "objectClassName": "autnum",
        "handle": a.object.key(),
        "startAutnum": a.first,
        "endAutnum": a.last,
        "name": a.object.get("as-name"),
        "type": if a.block { "AS block" } else { "DIRECT ALLOCATION" },
        "status": ["active"],
        "entities": entities,
        "events": events_of(&a.object),
        "links": [ctx.self_link(&format!("autnum/{asn}"))],
        "port43": ctx.cfg.port43,
        "notices": notices(ctx),
    }))
}

fn entity(ctx: &Ctx, h: &str) -> Result<Value, Response> {
    let Some(i) = ctx.snap.entity_index(h) else {
        return Err(not_found());
    };
    let e = &ctx.snap.reg.entities[i as usize];
    let kind = match e.class {
        crate::model::EntityClass::Organisation => "org",
        crate::model::EntityClass::Person => "individual",
        _ => "group",
    };
    let name = e.name().unwrap_or(e.handle_text());
    Ok(json!({
        "rdapConformance": conformance(&[]),
        "objectClassName": "entity",
        "handle": e.handle_text(),
        "vcardArray": tree(vcard(kind, name, e.abuse_mailbox().map(|m| (m, true)))),
        "roles": if e.abuse_mailbox().is_some() { json!(["abuse"]) } else { json!(["registrant"]) },
        "events": events_of(&e.object),
        "links": [ctx.self_link(&format!("entity/{}", e.handle_text()))],
        "port43": ctx.cfg.port43,
        "notices": notices(ctx),
    }))
}

fn domain(ctx: &Ctx, name: &str) -> Result<Value, Response> {
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    if !(lower.ends_with(".in-addr.arpa") || lower.ends_with(".ip6.arpa")) {
        return Err(error(
            501,
            "Not Implemented",
            "tenure serves reverse domains only (in-addr.arpa, ip6.arpa)",
        ));
    }
    let Some(d) = ctx.snap.domain(&lower) else {
        return Err(not_found());
    };
    let o = &ctx.snap.reg.domains[d as usize].object;
    let ns: Vec<Value> = o
        .get_all("nserver")
        .map(|n| json!({"objectClassName": "nameserver", "ldhName": n}))
        .collect();
    Ok(json!({
        "rdapConformance": conformance(&[]),
        "objectClassName": "domain",
        "handle": o.key(),
        "ldhName": lower,
        "nameservers": ns,
        "events": events_of(o),
        "links": [ctx.self_link(&format!("domain/{lower}"))],
        "port43": ctx.cfg.port43,
        "notices": notices(ctx),
    }))
}

/// Every extension tenure may use, as `help` lists them.
const ALL_EXTENSIONS: &[&str] = &[
    "cidr0",
    "rirSearch1",
    "ips",
    "autnums",
    "rdap-up",
    "rdap-down",
    "rdap-top",
    "rdap-bottom",
    "reverse_search",
    "redacted",
    "lease0",
];

fn help(ctx: &Ctx) -> Value {
    json!({
        "rdapConformance": conformance(ALL_EXTENSIONS),
        "notices": [
            {
                "title": "tenure RDAP service",
                "description": [
                    "Paths: ip/{address}, ip/{prefix}/{length}, autnum/{n}, entity/{handle}, domain/{reverse name}, help.",
                    "Searches: entities?fn= and ?handle=, ips?handle= and ?name=, autnums?handle= and ?name= (a trailing * matches any suffix), ips/rirSearch1/{rdap-up|rdap-down|rdap-top|rdap-bottom}/{address or prefix}, ips/reverse_search/entity?handle= and ?fn=.",
                    "Extensions: rdap_level_0, nro_rdap_profile_0, cidr0, rirSearch1 (ips, autnums, rdap-up, rdap-down, rdap-top, rdap-bottom), reverse_search, redacted (contacts the registry's public dump removed), lease0 (tenure: the current lease as the response object, lease0_holder, ?lease0_at=TIME).",
                ],
            },
        ],
        "port43": ctx.cfg.port43,
    })
}

/// A search pattern: exact, or a prefix given by one trailing `*`.
enum Pattern {
    Exact(String),
    Prefix(String),
}

impl Pattern {
    fn parse(v: &str) -> Result<Pattern, Response> {
        let v = v.trim();
        if v.is_empty() || v == "*" {
            return Err(bad_request("an empty search pattern"));
        }
        match v.matches('*').count() {
            0 => Ok(Pattern::Exact(v.to_ascii_lowercase())),
            1 if v.ends_with('*') => Ok(Pattern::Prefix(v[..v.len() - 1].to_ascii_lowercase())),
            _ => Err(error(
                422,
                "Unprocessable Entity",
                "only a trailing '*' is supported in search patterns",
            )),
        }
    }

    fn matches(&self, s: &str) -> bool {
        let s = s.to_ascii_lowercase();
        match self {
            Pattern::Exact(p) => s == *p,
            Pattern::Prefix(p) => s.starts_with(p.as_str()),
        }
    }
}

/// The one search parameter among `names`, as a pattern.
fn search_param<'a>(
    params: &'a [(String, String)],
    names: &[&'a str],
) -> Result<(&'a str, Pattern), Response> {
    let found: Vec<&(String, String)> = params
        .iter()
        .filter(|(k, _)| names.contains(&k.as_str()))
        .collect();
    match found.as_slice() {
        [(k, v)] => Ok((
            names.iter().find(|n| *n == k).copied().unwrap_or(""),
            Pattern::parse(v)?,
        )),
        [] => Err(bad_request(&format!("give one of: {}", names.join(", ")))),
        _ => Err(bad_request("give one search parameter")),
    }
}

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
            "description": [format!("at most {} results are returned; refine the search", ctx.cfg.max_results)],
        }));
    }
    json!({ "rdapConformance": conformance(conf), key: items, "notices": notices })
}

/// An ip network as a search result: the registry object, without notices.
fn network_summary(ctx: &Ctx, id: NetId) -> Value {
    let n = ctx.snap.net(id);
    let q = n.range.to_query_string();
    json!({
        "objectClassName": "ip network",
        "handle": n.object.key(),
        "startAddress": n.range.start_addr().to_string(),
        "endAddress": n.range.end_addr().to_string(),
        "ipVersion": family_of(&n.range),
        "name": n.object.get("netname"),
        "type": n.object.get("status").or_else(|| n.object.get("nettype")),
        "country": n.object.get("country"),
        "parentHandle": ctx.snap.parent(id).map(|p| ctx.snap.net(p).object.key()),
        "status": ["active"],
        "cidr0_cidrs": cidr0(&n.range),
        "links": [ctx.self_link(&format!("ip/{q}"))],
    })
}

/// A lease as a search result.
fn lease_summary(ctx: &Ctx, i: u32) -> Value {
    let l = ctx.snap.lease(i);
    let q = l.range.to_query_string();
    json!({
        "objectClassName": "ip network",
        "handle": l.id(),
        "startAddress": l.range.start_addr().to_string(),
        "endAddress": l.range.end_addr().to_string(),
        "ipVersion": family_of(&l.range),
        "name": l.id(),
        "type": "LEASED",
        "country": l.country(),
        "status": ["active"],
        "cidr0_cidrs": cidr0(&l.range),
        "remarks": [{"title": "lease0", "description": [
            format!("lease record from source {}", ctx.snap.lease_source(i)),
            format!("{} to {}", time::format(l.start), l.end.map(time::format).unwrap_or_else(|| "open end".into())),
            format!("lessor {}, lessee {}", l.lessor(), l.lessee_handle()),
        ]}],
        "links": [ctx.self_link(&format!("ip/{q}"))],
    })
}

/// Collects at most `max` items; says whether more were there.
fn bounded<T>(it: impl Iterator<Item = T>, max: usize) -> (Vec<T>, bool) {
    let mut v: Vec<T> = it.take(max + 1).collect();
    let more = v.len() > max;
    v.truncate(max);
    (v, more)
}

fn entity_summary(ctx: &Ctx, i: usize) -> Value {
    let e = &ctx.snap.reg.entities[i];
    let kind = match e.class {
        crate::model::EntityClass::Organisation => "org",
        crate::model::EntityClass::Person => "individual",
        _ => "group",
    };
    json!({
        "objectClassName": "entity",
        "handle": e.handle_text(),
        "vcardArray": tree(vcard(kind, e.name().unwrap_or(e.handle_text()), e.abuse_mailbox().map(|m| (m, true)))),
        "links": [ctx.self_link(&format!("entity/{}", e.handle_text()))],
    })
}

/// `entities?fn=` / `?handle=` (RFC 9082 section 3.2.3).
fn entity_search(ctx: &Ctx, params: &[(String, String)]) -> Result<Value, Response> {
    let (which, p) = search_param(params, &["fn", "handle"])?;
    let ents = &ctx.snap.reg.entities;
    let hits = (0..ents.len()).filter(|&i| {
        let e = &ents[i];
        e.class != crate::model::EntityClass::Mntner
            && match which {
                "fn" => e.name().is_some_and(|n| p.matches(n)),
                _ => p.matches(e.handle_text()),
            }
    });
    let (found, more) = bounded(hits, ctx.cfg.max_results);
    let items = found.into_iter().map(|i| entity_summary(ctx, i)).collect();
    Ok(results(ctx, "entitySearchResults", items, more, &[]))
}

/// `ips?handle=` / `?name=` (RFC 9910 `ips`).
fn ip_search(ctx: &Ctx, params: &[(String, String)]) -> Result<Value, Response> {
    let (which, p) = search_param(params, &["handle", "name"])?;
    let snap = ctx.snap;
    let ids: Box<dyn Iterator<Item = NetId>> = match (&p, which) {
        (Pattern::Exact(name), "name") => Box::new(snap.by_netname(name).into_iter()),
        _ => Box::new((0..snap.networks() as NetId).filter(move |&id| {
            let o = &snap.net(id).object;
            match which {
                "name" => o.get("netname").is_some_and(|n| p.matches(n)),
                _ => p.matches(o.key()),
            }
        })),
    };
    let (found, more) = bounded(ids, ctx.cfg.max_results);
    let items = found
        .into_iter()
        .map(|id| network_summary(ctx, id))
        .collect();
    Ok(results(
        ctx,
        "ipSearchResults",
        items,
        more,
        &["cidr0", "rirSearch1", "ips"],
    ))
}

/// `autnums?handle=` / `?name=` (RFC 9910 `autnums`).
fn autnum_search(ctx: &Ctx, params: &[(String, String)]) -> Result<Value, Response> {
    let (which, p) = search_param(params, &["handle", "name"])?;
    let auts = &ctx.snap.reg.autnums;
    let hits = (0..auts.len()).filter(|&i| {
        let o = &auts[i].object;
        match which {
            "name" => o.get("as-name").is_some_and(|n| p.matches(n)),
            _ => p.matches(o.key()),
        }
    });
    let (found, more) = bounded(hits, ctx.cfg.max_results);
    let items = found
        .into_iter()
        .map(|i| {
            let a = &auts[i];
            json!({
                "objectClassName": "autnum",
                "handle": a.object.key(),
                "startAutnum": a.first,
                "endAutnum": a.last,
                "name": a.object.get("as-name"),
                "links": [ctx.self_link(&format!("autnum/{}", a.first))],
            })
        })
        .collect();
    Ok(results(
        ctx,
        "autnumSearchResults",
        items,
        more,
        &["rirSearch1", "autnums"],
    ))
}

/// `ips/rirSearch1/{rdap-up|rdap-down|rdap-top|rdap-bottom}/{address or prefix}`
/// (RFC 9910): the parent, the children, the top-most and the bottom-most
/// networks relative to the most specific network containing the query.
fn rir_search(ctx: &Ctx, rel: &str, addr: &str, len: Option<&str>) -> Result<Value, Response> {
    let text = match len {
        Some(l) => format!("{addr}/{l}"),
        None => addr.to_string(),
    };
    let range = crate::addr::parse_query_range(&text).map_err(|e| bad_request(&e.to_string()))?;
    let snap = ctx.snap;
    let chain: Vec<NetId> = snap
        .covering(&range)
        .into_iter()
        .filter(|&id| !snap.net(id).is_placeholder())
        .collect();
    let Some(&m) = chain.first() else {
        return Err(not_found());
    };
    let ids: Vec<NetId> = match rel {
        "rdap-up" => snap
            .parent(m)
            .filter(|&p| !snap.net(p).is_placeholder())
            .into_iter()
            .collect(),
        "rdap-down" => snap.more_specific(&snap.net(m).range, true),
        "rdap-top" => chain.last().copied().into_iter().collect(),
        "rdap-bottom" => {
            let all = snap.more_specific(&snap.net(m).range, false);
            let leaves: Vec<NetId> = all
                .iter()
                .copied()
                .filter(|&id| snap.more_specific(&snap.net(id).range, true).is_empty())
                .collect();
            if leaves.is_empty() {
                vec![m]
            } else {
                leaves
            }
        }
        _ => {
            return Err(bad_request(
                "relation must be rdap-up, rdap-down, rdap-top or rdap-bottom",
            ))
        }
    };
    if ids.is_empty() {
        return Err(not_found());
    }
    let (found, more) = bounded(ids.into_iter(), ctx.cfg.max_results);
    let items = found
        .into_iter()
        .map(|id| network_summary(ctx, id))
        .collect();
    Ok(results(
        ctx,
        "ipSearchResults",
        items,
        more,
        &["cidr0", "rirSearch1", "ips", rel],
    ))
}

/// `ips/reverse_search/entity?handle=` / `?fn=` (RFC 9536): the networks an
/// organisation holds or uses (its registry objects) and the leases that
/// name it as lessee or lessor.
fn reverse_search(ctx: &Ctx, params: &[(String, String)]) -> Result<Value, Response> {
    let (which, p) = search_param(params, &["handle", "fn"])?;
    let snap = ctx.snap;
    // the organisations that match, as interned handles
    let orgs: std::collections::HashSet<u32> = snap
        .reg
        .entities
        .iter()
        .filter(|e| match which {
            "fn" => e.name().is_some_and(|n| p.matches(n)),
            _ => p.matches(e.handle_text()),
        })
        .map(|e| e.handle)
        .collect();
    let nets = (0..snap.networks() as NetId)
        .filter(|&id| orgs.contains(&snap.net(id).org))
        .map(|id| (true, id));
    let leases = (0..snap.lease_count())
        .filter(|&i| {
            let l = snap.lease(i);
            match which {
                "fn" => p.matches(l.lessee_name()),
                _ => p.matches(l.lessee_handle()) || p.matches(l.lessor()),
            }
        })
        .map(|i| (false, i));
    let (found, more) = bounded(nets.chain(leases), ctx.cfg.max_results);
    let items = found
        .into_iter()
        .map(|(net, i)| {
            if net {
                network_summary(ctx, i)
            } else {
                lease_summary(ctx, i)
            }
        })
        .collect();
    Ok(results(
        ctx,
        "ipSearchResults",
        items,
        more,
        &["cidr0", "ips", "reverse_search", "lease0"],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_headers() {
        assert!(accepts_json(None));
        assert!(accepts_json(Some("application/rdap+json")));
        assert!(accepts_json(Some("application/json;q=0.9, text/html")));
        assert!(accepts_json(Some("*/*")));
        assert!(!accepts_json(Some("text/html")));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("2001%3Adb8%3A%3A1"), "2001:db8::1");
        assert_eq!(percent_decode("a+b%2"), "a b%2");
        assert_eq!(percent_decode("%zz"), "%zz");
    }
}
