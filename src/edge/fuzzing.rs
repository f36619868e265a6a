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

/// The sample RIPE dumps as an NRTM mirror file at version 1 (written
/// once to a directory of the process's own), loaded once.
fn mirror_sample() -> Option<&'static crate::snapshot::Snapshot> {
    static SNAP: OnceLock<Option<crate::snapshot::Snapshot>> = OnceLock::new();
    SNAP.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("tenure-fuzz-mirror-{}", std::process::id()));
        std::fs::create_dir_all(&dir).ok()?;
        let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
        let text = std::fs::read_to_string(data.join("test-ripe.db")).ok()?
            + "\n\n"
            + &std::fs::read_to_string(data.join("test-ripe-v6.db")).ok()?;
        let mark = crate::nrtm::MirrorMark {
            source: "TEST".into(),
            session_id: "fuzz".into(),
            version: 1,
        };
        let mut out = Vec::new();
        crate::nrtm::Mirror::from_rpsl(&text)
            .to_marked_rpsl(&mark, &mut out)
            .ok()?;
        let path = dir.join("test.db");
        std::fs::write(&path, out).ok()?;
        let sources = crate::dump::Sources {
            dumps: vec![path],
            ..Default::default()
        };
        let (reg, report) = crate::dump::load(&sources, &crate::progress::Progress::off()).ok()?;
        let _ = std::fs::remove_dir_all(&dir);
        Some(crate::snapshot::Snapshot::build(
            reg,
            report,
            1,
            Default::default(),
            crate::query::lease_policy(false),
        ))
    })
    .as_ref()
}

/// A mirror's journal (session `fuzz`, from version 1 on) served over the
/// sample mirror, then asked what its changes touch: lookups, hierarchy
/// and inverse queries, RDAP.
pub fn overlay(data: &[u8]) {
    let Some(base) = mirror_sample() else {
        return;
    };
    static OPTS: OnceLock<crate::model::ConvertOptions> = OnceLock::new();
    let opts = OPTS
        .get_or_init(|| crate::model::ConvertOptions::default().with_platform_list("IPXO-MNT\n"));
    let read = |p: &std::path::Path| crate::nrtm::parse_journal(data, p);
    let Ok(Some(snap)) = base.with_journals(
        opts,
        Default::default(),
        2,
        crate::query::lease_policy(false),
        read,
    ) else {
        return;
    };
    static RDAP: OnceLock<crate::rdap::RdapConfig> = OnceLock::new();
    let cfg = RDAP.get_or_init(crate::rdap::RdapConfig::default);
    let ids: Vec<u32> = snap.net_ids().collect();
    for id in ids.iter().copied().step_by(ids.len() / 16 + 1) {
        let r = snap.net(id).range;
        let key = format!("{} - {}", r.start_addr(), r.end_addr());
        for q in [
            key.clone(),
            format!("-M {key}"),
            format!("-m {key}"),
            format!("-L {key}"),
            format!("-x {key}"),
        ] {
            std::hint::black_box(crate::whois::respond::respond(&snap, &q, 0, false));
        }
        std::hint::black_box(crate::rdap::handle(
            &snap,
            cfg,
            &crate::rdap::Request {
                method: "GET",
                target: &format!("/rdap/ip/{}", r.start_addr()),
                accept: None,
                origin: "https://rdap.example",
            },
            0,
        ));
    }
    for i in snap.entity_ids().take(64) {
        let h = snap.entity_at(i).handle_text().to_string();
        for q in [h.clone(), format!("-i org {h}"), format!("-i abuse-c {h}")] {
            std::hint::black_box(crate::whois::respond::respond(&snap, &q, 0, false));
        }
    }
    for q in [
        "AS64500",
        "AS64501",
        "-i mnt-by IPXO-MNT",
        "2.0.192.in-addr.arpa",
    ] {
        std::hint::black_box(crate::whois::respond::respond(&snap, q, 0, false));
    }
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

/// NRTMv4 files: the bytes as an Update Notification File (JWS parsing and
/// the signature check against a fixed key), as a notification's payload
/// (its checks and what a mirror would fetch), and as the snapshot and
/// delta files of a fixed notification, applied to a mirror and written
/// back.
pub fn nrtm(data: &[u8]) {
    use crate::nrtm::{Mirror, MirrorState, Notification, PublicKey};
    static KEY: OnceLock<Option<PublicKey>> = OnceLock::new();
    let key = KEY.get_or_init(|| {
        PublicKey::from_pem(
            "-----BEGIN PUBLIC KEY-----\n\
             MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEgMV8mFlw4zElEgqp+tSk8G8e3Olp\n\
             ojhfzgag39AqbvoUWjAFyVZKfmzYsVA2cJ1Qbp3bD4X1qhhrWyKqo5Ro3w==\n\
             -----END PUBLIC KEY-----\n",
        )
        .ok()
    });
    if let Some(k) = key {
        let _ = crate::nrtm::verify_notification(data, k, Some(k), "TEST");
    }
    let _ = PublicKey::from_pem(&String::from_utf8_lossy(data));
    if let Ok(n) = serde_json::from_slice::<Notification>(data) {
        let state = MirrorState {
            session_id: n.session_id.clone(),
            version: n.version.saturating_sub(1),
            ..Default::default()
        };
        let _ = crate::nrtm::plan(&n, None);
        let _ = crate::nrtm::plan(&n, Some(&state));
        std::hint::black_box(crate::nrtm::hashes_of(&n));
    }
    let text = String::from_utf8_lossy(data);
    let n = Notification {
        nrtm_version: 4,
        timestamp: "2026-11-27T00:00:00Z".into(),
        kind: "notification".into(),
        next_signing_key: None,
        source: "TEST".into(),
        session_id: "s".into(),
        version: 2,
        snapshot: crate::nrtm::FileRef {
            version: 1,
            url: "s".into(),
            hash: "0".repeat(64),
        },
        deltas: Vec::new(),
    };
    let mut m = match Mirror::from_snapshot(&text, &n, 1) {
        Ok((m, _)) => m,
        Err(_) => Mirror::from_rpsl(&text),
    };
    if let Ok(changes) = Mirror::parse_delta(&text, &n, 2) {
        m.apply(changes);
    }
    let mut out = Vec::new();
    let _ = m.to_rpsl(&mut out);
    std::hint::black_box(
        Mirror::from_rpsl(&String::from_utf8_lossy(&out))
            .objects
            .len(),
    );
}

/// A compiled snapshot file: the bytes with their checksums made right
/// (so that a mutated file reaches the decoding, as a crafted one would),
/// written to a file of this thread, opened, and asked about a few
/// addresses and handles when it opens.
pub fn compiled(data: &[u8]) {
    let mut bytes = data.to_vec();
    crate::snapshot::compiled::fix_checksums(&mut bytes);
    let path = std::env::temp_dir().join(format!(
        "tenure-fuzz-compiled-{}-{:?}.snap",
        std::process::id(),
        std::thread::current().id()
    ));
    if std::fs::write(&path, &bytes).is_err() {
        return;
    }
    let opened = crate::snapshot::compiled::open(&path, Default::default());
    let _ = std::fs::remove_file(&path);
    let Ok(c) = opened else {
        return;
    };
    let (reg, report, index) = c.into_parts();
    let snap = crate::snapshot::Snapshot::from_compiled(
        reg,
        report,
        index,
        1,
        Default::default(),
        crate::query::lease_policy(false),
    );
    for q in [
        "192.0.2.5",
        "2001:db8::1",
        "0.0.0.0/0",
        "AS64500",
        "ORG-EXAMPLE1-TEST",
        "EXAMPLE-NET",
    ] {
        if let Ok(parsed) = crate::query::parse_query(q) {
            let found = crate::query::lookup(&snap, &parsed, 0);
            std::hint::black_box(crate::whois::render_found(&found, false).len());
        }
    }
    std::hint::black_box(snap.by_netname("EXAMPLE-NET").len());
}
