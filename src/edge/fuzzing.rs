//! Entry points for the fuzz targets in `tests/fuzz/` and for the tests
//! that replay their corpora on the stable toolchain: each takes arbitrary
//! bytes, feeds them to one parser or protocol front end the way a dump or
//! a client would, and must return without panicking whatever they are.
//! Nothing here is part of tenure's interface.

use std::io::Read;
use std::sync::{Arc, OnceLock};

/// The sample data's snapshot, loaded once (the answering targets need
/// data to answer from).
fn sample() -> &'static Arc<crate::snapshot::Snapshot> {
    static SNAP: OnceLock<Arc<crate::snapshot::Snapshot>> = OnceLock::new();
    SNAP.get_or_init(|| {
        let cfg = crate::config::DataFlags::default()
            .resolve()
            .expect("the sample configuration resolves");
        let (reg, report) = crate::dump::load(&cfg.sources, &crate::progress::Progress::off())
            .expect("the sample data loads");
        Arc::new(crate::snapshot::Snapshot::build(
            reg,
            report,
            1,
            cfg.backend,
            crate::query::lease_policy(false),
        ))
    })
}

/// An RPSL (or ARIN text) dump: cut into objects, parsed, converted to
/// networks, entities and aut-nums, each object's attributes read back.
pub fn rpsl(data: &[u8]) {
    let mut sp = crate::rpsl::Splitter::new(data);
    let mut buf = Vec::new();
    let mut scratch = String::new();
    let mut syms = crate::model::Interner::default();
    static OPTS: OnceLock<crate::model::ConvertOptions> = OnceLock::new();
    let opts = OPTS.get_or_init(|| {
        crate::model::ConvertOptions::default().with_platform_list("IPXO-MNT\nLARUS-*\n")
    });
    while let Ok(Some(item)) = sp.next_into(&mut buf) {
        let Ok(line) = item else {
            buf.clear();
            continue;
        };
        let Ok(obj) =
            crate::rpsl::parse_lines(line, &buf, crate::rpsl::Encoding::Auto, &mut scratch)
        else {
            buf.clear();
            continue;
        };
        buf.clear();
        for (n, v) in obj.attrs() {
            std::hint::black_box((n, v));
        }
        let mut text = String::new();
        obj.render(&mut text);
        let _ = crate::model::convert(obj, 0, &mut syms, opts);
    }
}

/// A delegated-extended statistics file.
pub fn delegated(data: &[u8]) {
    if let Ok(d) = crate::delegated::parse(data) {
        std::hint::black_box(d);
    }
}

/// A routing file: read as a prefix-to-origin table and as VRPs (JSON or
/// CSV), both indexed together, then asked about a few addresses (route,
/// origins, RPKI states, prefixes inside).
pub fn routing(data: &[u8]) {
    let table = crate::bgp::parse_pfx2as(data, data.len()).ok();
    let vrps = crate::bgp::parse_vrps(data, data.len()).ok();
    let r = crate::routing::Routing::build(
        table.into_iter().collect(),
        vrps.into_iter().collect(),
        Vec::new(),
    );
    for q in [
        "0.0.0.0/0",
        "192.0.2.1",
        "198.51.100.0/24",
        "::/0",
        "2001:db8::1",
    ] {
        let Ok(range) = crate::addr::parse_query_range(q) else {
            continue;
        };
        if let Some(hit) = r.route(&range) {
            for o in r.origins(&hit) {
                std::hint::black_box(r.rpki(&hit.prefix, o));
            }
            std::hint::black_box(r.covering_vrps(&hit.prefix, 8));
        }
        std::hint::black_box(r.announced_within(&range, 16));
    }
}

/// A lease records file (JSON Lines).
pub fn leases(data: &[u8]) {
    if let Ok(f) = crate::leases::parse(data) {
        std::hint::black_box(f);
    }
}

/// ARIN's bulk whois in its XML layout, read as text.
pub fn arin_xml(data: &[u8]) {
    let mut out = Vec::new();
    let _ = crate::arin_xml::Transcoder::new(data).read_to_end(&mut out);
    rpsl(&out);
}

/// Address, prefix, range and AS-number notations, as queries and as
/// dump keys; and the bytes as a PROXY protocol header.
pub fn addresses(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let _ = crate::addr::parse_query_addr(&s);
    let _ = crate::addr::parse_range(&s);
    let _ = crate::addr::parse_dump_addr(&s);
    if let Ok(q) = crate::query::parse_query(&s) {
        std::hint::black_box(q);
    }
    // the bytes as the start of a connection behind a balancer
    let _ = std::hint::black_box(crate::proxy::parse(data));
}

/// One WHOIS request line: parsed, then answered from the sample data.
pub fn whois_line(data: &[u8]) {
    let line = String::from_utf8_lossy(data);
    let _ = crate::whois::request::parse(&line);
    let reply = crate::whois::respond::respond(sample(), &line, 0, false);
    std::hint::black_box(reply.text);
}

/// One RDAP request: the bytes up to the first newline are the target
/// (path and query string), the rest the `Accept` header.
pub fn rdap(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (target, accept) = text.split_once('\n').unwrap_or((&text, ""));
    let cfg = crate::rdap::RdapConfig::default();
    for method in ["GET", "HEAD"] {
        let r = crate::rdap::handle(
            sample(),
            &cfg,
            &crate::rdap::Request {
                method,
                target,
                accept: (!accept.is_empty()).then_some(accept),
                origin: "https://rdap.example",
            },
            0,
        );
        std::hint::black_box(r);
    }
}

/// A bulk-mode WHOIS session: the bytes are everything the client sends.
pub fn bulk(data: &[u8]) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    else {
        return;
    };
    rt.block_on(crate::whois::bulk::session_for_fuzzing(
        Arc::clone(sample()),
        data,
    ));
}
