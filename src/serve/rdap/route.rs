//! Routing (RFC 9082 section 3, RFC 7480 section 4): the method, the
//! `Accept` header, the target's length, the query string (`pretty`,
//! `lease0_at`), and the path segments to the builder that answers them.

use super::build::Ctx;
use super::response::{self, RdapError, Refusal, Response};
use super::{network, objects, search, Body, RdapConfig, Request};
use crate::metrics::Kind;
use crate::snapshot::Snapshot;
use crate::time::{self, Timestamp};

/// Longest request target accepted.
pub const MAX_TARGET: usize = 2048;

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

/// The parameters of a query string, percent-decoded (`+` is a space;
/// bytes that are not UTF-8 become U+FFFD: for the lookup page).
pub fn query_params(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// The parameters of an RDAP query string; `None` when one decodes to
/// bytes that are not UTF-8 (RFC 9082 section 6.1: a 400).
fn strict_query_params(q: &str) -> Option<Vec<(String, String)>> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            Some((strict_decode(k)?, strict_decode(v)?))
        })
        .collect()
}

/// Percent-decodes text; `None` when the bytes are not UTF-8.
fn strict_decode(s: &str) -> Option<String> {
    String::from_utf8(percent_bytes(s)).ok()
}

/// Percent-decodes text; bytes that are not UTF-8 become U+FFFD.
fn percent_decode(s: &str) -> String {
    String::from_utf8_lossy(&percent_bytes(s)).into_owned()
}

/// The bytes a percent-encoded text stands for (`+` is a space; a `%`
/// not followed by two hex digits stands for itself).
fn percent_bytes(s: &str) -> Vec<u8> {
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
    out
}

/// Routes one request to its answer.
pub(super) fn route(snap: &Snapshot, cfg: &RdapConfig, req: &Request, now: Timestamp) -> Response {
    // errors carry the service's notices too (NRO RDAP profile 4.3)
    let plain = Ctx {
        snap,
        cfg,
        origin: req.origin,
        at: now,
        exact_target: None,
        at_given: false,
        cacheable: true,
    };
    let refuse = |e: RdapError| response::error_with_notices(&e, Some(plain.notices_raw()));
    match req.method {
        "GET" | "HEAD" => {}
        "OPTIONS" => return response::preflight(),
        _ => return refuse(RdapError::MethodNotAllowed),
    }
    if req.target.len() > MAX_TARGET {
        return refuse(RdapError::UriTooLong);
    }
    if !accepts_json(req.accept) {
        return refuse(RdapError::NotAcceptable);
    }
    // a question asked before: its whole answer, if still valid
    let cache = &cfg.cache;
    let ip_rest = req
        .target
        .strip_prefix(cfg.settings.base_path.as_str())
        .and_then(|rest| rest.strip_prefix("ip/"));
    let exact = cache.enabled() && ip_rest.is_some();
    if exact {
        if let Some((body, digest)) = cache.get_exact(snap, req.origin, req.target, now) {
            let mut r = response::ok_tagged(body, digest, snap);
            let path = ip_rest.and_then(|p| p.split('?').next()).unwrap_or("");
            r.kind = if path.contains('/') {
                Kind::Prefix
            } else {
                Kind::Address
            };
            return r;
        }
    }
    let (path, q) = req.target.split_once('?').unwrap_or((req.target, ""));
    // RFC 9082 section 6.1: a path or parameter that is not UTF-8 is a 400
    let invalid = || {
        refuse(RdapError::BadRequest(
            "the request is not valid UTF-8".into(),
        ))
    };
    let Some(params) = strict_query_params(q) else {
        return invalid();
    };
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let pretty = param("pretty").is_some();
    let at = match param("lease0_at").map(time::parse) {
        Some(Ok(t)) => t,
        Some(Err(e)) => return refuse(RdapError::BadRequest(e.to_string())),
        None => now,
    };
    let Some(rest) = path.strip_prefix(cfg.settings.base_path.as_str()) else {
        return refuse(RdapError::NotRdapPath);
    };
    let Some(rest) = strict_decode(rest) else {
        return invalid();
    };
    let segs: Vec<&str> = rest.split('/').collect();
    let at_given = param("lease0_at").is_some();
    // about a time before the compiled snapshot serving: the older one
    // current then answers, outside the answer cache
    let past = match at_given.then(|| crate::query::registry_at(snap, at)) {
        Some(Ok(p)) => p,
        Some(Err(e)) => {
            tracing::warn!("an older snapshot could not be loaded, the current one answers: {e}");
            None
        }
        None => None,
    };
    let ctx = Ctx {
        snap: past.as_ref().map(|p| &*p.snap).unwrap_or(snap),
        cfg,
        origin: req.origin,
        at,
        exact_target: exact.then_some(req.target).filter(|_| past.is_none()),
        at_given,
        cacheable: past.is_none(),
    };
    let mut r = match answer(&ctx, &segs, &params, pretty) {
        Ok(Body::Json(v)) => response::ok_json(v, pretty, snap),
        Ok(Body::Bytes(bytes)) => response::ok_bytes(bytes, snap),
        Ok(Body::Rendered(bytes, digest)) => response::ok_tagged(bytes, digest, snap),
        Err(refused) => response::refusal(refused, Some(plain.notices_raw())),
    };
    r.kind = route_kind(&segs);
    r
}

/// What a route asks about (for metrics).
fn route_kind(segs: &[&str]) -> Kind {
    match segs {
        ["ip", _] => Kind::Address,
        ["ip", _, _] => Kind::Prefix,
        ["lease0_lease", ..] => Kind::Handle,
        ["autnum", _] => Kind::Asn,
        ["entity", ..] | ["domain", _] => Kind::Handle,
        ["entities"]
        | ["ips"]
        | ["autnums"]
        | ["ips", "rirSearch1", ..]
        | ["ips", "reverse_search", ..] => Kind::Search,
        _ => Kind::Other,
    }
}

/// The answer of a routed request.
fn answer(
    ctx: &Ctx,
    segs: &[&str],
    params: &[(String, String)],
    pretty: bool,
) -> Result<Body, Refusal> {
    let json = |v: Result<serde_json::Value, RdapError>| v.map(Body::Json).map_err(Refusal::from);
    let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    // lease0: `?lease0_view=registry` answers the registry's own object
    let view = match param("lease0_view") {
        None => crate::query::View::Current,
        Some("registry") => crate::query::View::Registry,
        Some(_) => {
            return Err(RdapError::BadRequest("lease0_view takes the value registry".into()).into())
        }
    };
    match segs {
        ["ip", addr] => network::ip(ctx, addr, None, pretty, view),
        ["ip", addr, len] => network::ip(ctx, addr, Some(len), pretty, view),
        // a handle may hold a '/' (percent-encoded in the links)
        ["lease0_lease", handle @ ..] if !handle.is_empty() => {
            network::lease(ctx, &handle.join("/"), pretty)
        }
        ["autnum", n] => objects::autnum(ctx, n).map(Body::Json),
        ["entity", h @ ..] if !h.is_empty() => objects::entity(ctx, &h.join("/")).map(Body::Json),
        ["domain", name] => objects::domain(ctx, name).map(Body::Json),
        ["help"] => Ok(Body::Json(objects::help(ctx))),
        ["entities"] => json(search::entity_search(ctx, params)),
        ["ips"] => json(search::ip_search(ctx, params)),
        ["autnums"] => json(search::autnum_search(ctx, params)),
        ["ips", "rirSearch1", rel, addr] => {
            search::rir_search(ctx, rel, addr, None, params, pretty)
        }
        ["ips", "rirSearch1", rel, addr, len] => {
            search::rir_search(ctx, rel, addr, Some(len), params, pretty)
        }
        ["ips", "reverse_search", "entity"] => json(search::reverse_search(ctx, params)),
        ["nameserver", ..] | ["nameservers"] | ["domains"] => Err(RdapError::NotImplemented(
            "tenure serves IP address space, AS numbers and their entities",
        )
        .into()),
        _ => Err(RdapError::BadRequest("unknown RDAP path".into()).into()),
    }
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
        assert_eq!(strict_decode("a%C3%A9"), Some("aé".into()));
        assert_eq!(strict_decode("a%C3"), None);
        assert_eq!(strict_decode("%FF%FE"), None);
    }
}
