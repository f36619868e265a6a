//! RDAP (RFC 7480, 9082, 9083) answers, independent of the HTTP library.
//!
//! [`handle`] takes a method, a path with its query string and the
//! `Accept` header, and returns a [`Response`]: status, headers and body.
//! The layers, following a request:
//!
//! - [`route`]: method, `Accept`, target length, query string, and the
//!   path to a builder;
//! - the builders: `network` (ip networks, from the one resolved answer
//!   of [`crate::query::resolve`]), `objects` (autnum, entity, domain,
//!   help), `search` (entities, ips, autnums, RFC 9910's relations, RFC
//!   9536's reverse search), sharing `build` (context, links, jCard,
//!   notices, written by `json`) and the gathered parts of `out`;
//! - [`response`]: the one place that decides status codes, headers and
//!   error bodies, from a body, a typed [`RdapError`] or a redirect;
//! - [`cache`]: ip answers kept as templates.
//!
//! JSON objects never contain `null` members; `rdapConformance` lists
//! exactly the extensions a response uses.
//!
//! tenure's own extension `lease0`: when a lease is current for the queried
//! address, the response object is the lease as an `ip network` (`handle` =
//! lease id, `type` `LEASED`, `parentHandle` = the registry object above
//! it, the lessee as `registrant`, the resolved abuse contact as `abuse`
//! (the lease's mailbox when the lease is verified, else the registry's),
//! `events` registration = lease start and expiration = lease end,
//! `remarks` with the lease source and verification). Every ip network
//! response carries `lease0_holder`, the holder as an entity.
//! `?lease0_at=TIME` answers as of that moment.

mod build;
pub mod cache;
mod json;
mod network;
mod objects;
mod out;
pub mod response;
pub mod route;
mod search;

pub use response::{internal_error, RdapError, Refusal, Response, CONTENT_TYPE};
pub use route::{accepts_json, query_params, MAX_TARGET};

use crate::snapshot::Snapshot;
use crate::time::Timestamp;

/// Settings of the RDAP answers: the configured ones, and the answer
/// cache sized by them.
#[derive(Debug, Clone)]
pub struct RdapConfig {
    /// Base path, `port43`, search bound, rates, notice pages.
    pub settings: crate::config::RdapSettings,
    /// Answers to `ip/...` kept for other addresses of the same network.
    pub cache: std::sync::Arc<cache::AnswerCache>,
}

impl RdapConfig {
    /// The answers' settings from the configuration, with an answer cache
    /// of its size.
    pub fn from_settings(r: &crate::config::RdapSettings) -> Self {
        RdapConfig {
            settings: r.clone(),
            cache: std::sync::Arc::new(cache::AnswerCache::new(r.cache_mb)),
        }
    }
}

impl Default for RdapConfig {
    fn default() -> Self {
        Self::from_settings(&Default::default())
    }
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

/// An answer body: a JSON tree, or bytes already serialized (with their
/// digest when a template made them).
enum Body {
    Json(serde_json::Value),
    Bytes(Vec<u8>),
    Rendered(Vec<u8>, u64),
}

/// 429 for a client over its request rate, with `Retry-After` and the
/// service's notices.
pub fn over_rate(
    snap: &Snapshot,
    cfg: &RdapConfig,
    origin: &str,
    wait: std::time::Duration,
) -> Response {
    let ctx = build::Ctx {
        snap,
        cfg,
        origin,
        at: 0,
        exact_target: None,
        at_given: false,
        cacheable: true,
    };
    response::error_with_notices(&RdapError::TooManyRequests(wait), Some(ctx.notices_raw()))
}

/// Answers one request.
pub fn handle(snap: &Snapshot, cfg: &RdapConfig, req: &Request, now: Timestamp) -> Response {
    let mut r = route::route(snap, cfg, req, now);
    if req.method == "HEAD" {
        r.body.clear();
    }
    r
}
