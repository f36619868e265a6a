//! The one place that decides RDAP status codes, headers and error bodies
//! (RFC 7480 section 5, RFC 9083 section 6): every answer leaves the RDAP
//! layer through here, built from a 200 body, a typed [`RdapError`] or a
//! redirect. The HTTP layer only carries the bytes.

use crate::snapshot::Snapshot;
use serde_json::{json, Map, Value};
use std::borrow::Cow;
use std::time::Duration;

/// Media type of every RDAP answer.
pub const CONTENT_TYPE: &str = "application/rdap+json";

/// What every response declares, errors and `help` included (NRO RDAP
/// profile section 4.1): RDAP level 0, the profile, cidr0, and one ASN
/// model (flat: every AS number its own object, as-blocks not nested).
/// Extensions a response uses are added after these.
pub const BASE_CONFORMANCE: &[&str] = &[
    "rdap_level_0",
    "nro_rdap_profile_0",
    "cidr0",
    "nro_rdap_profile_asn_flat_0",
];

/// An HTTP response as RDAP wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// What the request asked about, from its route (for metrics).
    pub kind: crate::metrics::Kind,
    pub headers: Vec<(&'static str, Cow<'static, str>)>,
    pub body: Vec<u8>,
}

/// Why a request gets no answer object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RdapError {
    /// 400: the request is malformed (the reason is given).
    #[error("{0}")]
    BadRequest(String),
    /// 404: nothing loaded here answers it.
    #[error("no entries found")]
    NotFound,
    /// 404: the path is not below the RDAP base path.
    #[error("not an RDAP path")]
    NotRdapPath,
    /// 405: a method other than GET, HEAD (and OPTIONS, answered apart).
    #[error("RDAP answers GET and HEAD")]
    MethodNotAllowed,
    /// 406: the client accepts no JSON.
    #[error("RDAP answers application/rdap+json")]
    NotAcceptable,
    /// 414: the request target is longer than [`super::MAX_TARGET`].
    #[error("the request path is too long")]
    UriTooLong,
    /// 422: a search pattern tenure does not support.
    #[error("{0}")]
    Unprocessable(String),
    /// 429: the client is over its request rate; retry after this long.
    #[error("the request rate of your address is over the limit")]
    TooManyRequests(Duration),
    /// 500: answering failed (a bug, contained).
    #[error("the server failed to answer this request")]
    Internal,
    /// 501: an RDAP query type tenure does not serve.
    #[error("{0}")]
    NotImplemented(&'static str),
}

impl RdapError {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            RdapError::BadRequest(_) => 400,
            RdapError::NotFound | RdapError::NotRdapPath => 404,
            RdapError::MethodNotAllowed => 405,
            RdapError::NotAcceptable => 406,
            RdapError::UriTooLong => 414,
            RdapError::Unprocessable(_) => 422,
            RdapError::TooManyRequests(_) => 429,
            RdapError::Internal => 500,
            RdapError::NotImplemented(_) => 501,
        }
    }

    /// The `title` of the error body: the status's reason phrase.
    pub fn title(&self) -> &'static str {
        match self.status() {
            400 => "Bad Request",
            404 => "Not Found",
            405 => "Method Not Allowed",
            406 => "Not Acceptable",
            414 => "URI Too Long",
            422 => "Unprocessable Entity",
            429 => "Too Many Requests",
            501 => "Not Implemented",
            _ => "Internal Server Error",
        }
    }
}

impl From<crate::query::PatternError> for RdapError {
    fn from(e: crate::query::PatternError) -> Self {
        match e {
            crate::query::PatternError::Empty => RdapError::BadRequest(e.to_string()),
            crate::query::PatternError::Unsupported => RdapError::Unprocessable(e.to_string()),
        }
    }
}

/// What a request gets instead of an answer object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Error(RdapError),
    /// 302 to another RDAP service (RFC 7480 section 5.2): the location.
    Redirect(String),
}

impl From<RdapError> for Refusal {
    fn from(e: RdapError) -> Self {
        Refusal::Error(e)
    }
}

fn json_headers() -> Vec<(&'static str, Cow<'static, str>)> {
    // room for the cache-control and etag of an answer
    let mut h = Vec::with_capacity(4);
    h.push(("content-type", CONTENT_TYPE.into()));
    h.push(("access-control-allow-origin", "*".into()));
    h
}

/// The response to an error: status, headers and RFC 9083 section 6 body.
pub fn error(e: &RdapError) -> Response {
    error_with_notices(e, None)
}

/// The response to an error, with the service's notices (NRO RDAP profile
/// section 4.3: errors carry them too).
pub fn error_with_notices(
    e: &RdapError,
    notices: Option<Box<serde_json::value::RawValue>>,
) -> Response {
    let mut body = json!({
        "rdapConformance": BASE_CONFORMANCE,
        "errorCode": e.status(),
        "title": e.title(),
        "description": [e.to_string()],
    });
    if let (Some(n), Value::Object(m)) = (notices, &mut body) {
        if let Ok(v) = serde_json::from_str::<Value>(n.get()) {
            m.insert("notices".into(), v);
        }
    }
    let mut headers = json_headers();
    match e {
        RdapError::MethodNotAllowed => headers.push(("allow", "GET, HEAD".into())),
        RdapError::TooManyRequests(wait) => {
            headers.push(("retry-after", wait.as_secs().max(1).to_string().into()))
        }
        _ => {}
    }
    Response {
        status: e.status(),
        kind: crate::metrics::Kind::Other,
        headers,
        body: serde_json::to_vec(&body).unwrap_or_default(),
    }
}

/// The response to a refusal, errors with the service's notices.
pub fn refusal(r: Refusal, notices: Option<Box<serde_json::value::RawValue>>) -> Response {
    match r {
        Refusal::Error(e) => error_with_notices(&e, notices),
        Refusal::Redirect(location) => {
            let mut headers = json_headers();
            headers.insert(0, ("location", location.into()));
            Response {
                status: 302,
                kind: crate::metrics::Kind::Other,
                headers,
                body: Vec::new(),
            }
        }
    }
}

/// The answer to a CORS preflight (`OPTIONS`).
pub fn preflight() -> Response {
    Response {
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

/// The answer to a request whose answering failed: 500 with an error body.
pub fn internal_error() -> Response {
    error(&RdapError::Internal)
}

/// A 200 answer of a JSON tree (without `null` members).
pub fn ok_json(mut v: Value, pretty: bool, snap: &Snapshot) -> Response {
    if let Value::Object(m) = &mut v {
        strip_nulls(m);
    }
    let body = if pretty {
        serde_json::to_vec_pretty(&v)
    } else {
        serde_json::to_vec(&v)
    };
    ok_bytes(body.unwrap_or_default(), snap)
}

/// A 200 answer of serialized JSON.
pub fn ok_bytes(body: Vec<u8>, snap: &Snapshot) -> Response {
    let digest = body_digest(&body);
    ok_tagged(body, digest, snap)
}

/// The digest of a body in its entity tag: four lanes, each word mixed
/// into its lane by a folded multiply (the 128-bit product of the lane
/// and a constant, its halves xored: a change in any bit of a word reaches
/// every bit of the lane, high bits included, which FxHash's step leaves
/// to cancel with a change of the next word), then the lanes and the
/// length hashed together. The lanes are independent, so their multiplies
/// overlap instead of waiting on each other through 600 words.
pub(super) fn body_digest(body: &[u8]) -> u64 {
    const K: [u64; 4] = [
        0x9e37_79b9_7f4a_7c15,
        0xc2b2_ae3d_27d4_eb4f,
        0x1656_67b1_9e37_79f9,
        0x85eb_ca77_c2b2_ae63,
    ];
    let fold = |a: u64, k: u64| {
        let p = a as u128 * k as u128;
        (p >> 64) as u64 ^ p as u64
    };
    let word = |w: &[u8]| u64::from_le_bytes(w[..8].try_into().unwrap_or_default());
    let mut lanes = K;
    let mut step = |block: &[u8]| {
        for (i, lane) in lanes.iter_mut().enumerate() {
            *lane = fold(*lane ^ word(&block[8 * i..]), K[i]);
        }
    };
    let blocks = body.chunks_exact(32);
    // the last bytes padded with zeros (the length tells them apart)
    let mut last = [0u8; 32];
    last[..blocks.remainder().len()].copy_from_slice(blocks.remainder());
    blocks.for_each(&mut step);
    step(&last);
    use std::hash::Hasher;
    let mut h = crate::fxhash::FxHasher::default();
    h.write_u64(body.len() as u64);
    lanes.iter().for_each(|&l| h.write_u64(l));
    h.finish()
}

/// A 200 answer of serialized JSON whose digest is known (an answer from a
/// template: see [`super::cache::Template::render`]).
pub(super) fn ok_tagged(body: Vec<u8>, digest: u64, snap: &Snapshot) -> Response {
    let mut headers = json_headers();
    // five minutes, and an entity tag of the data serial and the body
    // (answers change with time too, as leases start and end)
    headers.push(("cache-control", "max-age=300".into()));
    headers.push((
        "etag",
        entity_tag(crate::query::about(snap).serial(), digest).into(),
    ));
    Response {
        status: 200,
        kind: crate::metrics::Kind::Other,
        headers,
        body,
    }
}

/// `"tenure-SERIAL-DIGEST"` (the digest in 16 hex digits), written
/// without `fmt` (it is made for every answer).
fn entity_tag(serial: u64, digest: u64) -> String {
    let mut t = Vec::with_capacity(48);
    t.extend_from_slice(b"\"tenure-");
    super::json::decimal(&mut t, serial);
    t.push(b'-');
    const HEX: &[u8; 16] = b"0123456789abcdef";
    t.extend(
        (0..16)
            .rev()
            .map(|k| HEX[(digest >> (4 * k) & 15) as usize]),
    );
    t.push(b'"');
    // digits and ASCII punctuation
    String::from_utf8(t).unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_tags_are_serial_and_digest() {
        for (serial, digest) in [
            (0, 0),
            (1, 0xdead_beef),
            (u64::MAX, u64::MAX),
            (42, 1 << 60),
        ] {
            assert_eq!(
                entity_tag(serial, digest),
                format!("\"tenure-{serial}-{digest:016x}\"")
            );
        }
    }

    #[test]
    fn a_body_changed_anywhere_gets_another_digest() {
        let body: Vec<u8> = (0..300u32).map(|i| b' ' + (i * 37 % 90) as u8).collect();
        let digest = body_digest(&body);
        let mut seen = std::collections::HashSet::new();
        // every one-bit change
        for byte in 0..body.len() {
            for bit in 0..8 {
                let mut b = body.clone();
                b[byte] ^= 1 << bit;
                let d = body_digest(&b);
                assert_ne!(d, digest, "{byte} {bit}");
                assert!(seen.insert(d), "{byte} {bit}");
            }
        }
        // FxHash's weak pair (bit 62 of a word, bit 3 of a later one), in
        // the same lane and in neighbouring ones, and changes that swap
        // words between lanes
        for w in 0..body.len() / 8 - 4 {
            for later in [1, 4] {
                let mut b = body.clone();
                b[8 * w + 7] ^= 0x40;
                b[8 * (w + later)] ^= 0x08;
                assert!(seen.insert(body_digest(&b)), "{w} {later}");
            }
            let mut b = body.clone();
            let (x, y) = b.split_at_mut(8 * w + 8);
            x[8 * w..].swap_with_slice(&mut y[..8]);
            if b != body {
                assert_ne!(body_digest(&b), digest, "{w}");
            }
        }
        // trailing zeros and lengths
        let mut lengths = std::collections::HashSet::new();
        for len in 0..70 {
            assert!(lengths.insert(body_digest(&vec![0u8; len])), "{len}");
        }
    }

    #[test]
    fn errors_carry_their_status_title_and_headers() {
        let r = error(&RdapError::MethodNotAllowed);
        assert_eq!(r.status, 405);
        assert!(r
            .headers
            .iter()
            .any(|(n, v)| *n == "allow" && v == "GET, HEAD"));
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["errorCode"], 405);
        assert_eq!(v["title"], "Method Not Allowed");
        let r = error(&RdapError::TooManyRequests(Duration::from_millis(10)));
        assert!(r
            .headers
            .iter()
            .any(|(n, v)| *n == "retry-after" && v == "1"));
        let r = refusal(Refusal::Redirect("https://rdap.example/ip/1".into()), None);
        assert_eq!(r.status, 302);
        assert!(r.body.is_empty());
    }
}
