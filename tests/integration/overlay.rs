//! NRTMv4 deltas served over the registry part: a mirror file read at one
//! version plus its journal's later deltas answers byte for byte as the
//! mirror file of the last version read whole (WHOIS with every lookup
//! flag, inverse and hierarchy queries, RDAP, `--json`), on the sample
//! data and the deltas of `data/test-nrtm-deltas.jsonl`; a journal that
//! cannot be served over the file read is refused so the file is read
//! again.

use super::*;
use tenure::dump::Sources;
use tenure::nrtm::{self, JournalDelta, JournalHead, Mirror, MirrorMark};
use tenure::snapshot::Snapshot;

const SESSION: &str = "5a2b1c3d-0000-4000-8000-000000000001";

/// The sample RIPE dumps as a mirror, and the journaled deltas.
fn sample() -> (Mirror, Vec<JournalDelta>) {
    let text = ["test-ripe.db", "test-ripe-v6.db"]
        .iter()
        .map(|f| std::fs::read_to_string(data(f)).unwrap())
        .collect::<Vec<_>>()
        .join("\n\n");
    let deltas = std::fs::read_to_string(data("test-nrtm-deltas.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (Mirror::from_rpsl(&text), deltas)
}

/// Writes a mirror file as `tenure fetch` does: its mark, then the objects.
fn write_mirror(path: &Path, m: &Mirror, version: u64) {
    write_mirror_of(path, m, "TEST", SESSION, version)
}

fn write_mirror_of(path: &Path, m: &Mirror, source: &str, session: &str, version: u64) {
    let mark = MirrorMark {
        source: source.into(),
        session_id: session.into(),
        version,
    };
    let mut out = Vec::new();
    m.to_marked_rpsl(&mark, &mut out).unwrap();
    std::fs::write(path, out).unwrap();
}

/// A mirror read at version 1 with `deltas` journaled (`served`), beside
/// the same mirror read at version 1 alone (`plain`) and with the deltas
/// applied and read whole (`whole`).
struct Case {
    dir: PathBuf,
    path: PathBuf,
    plain: Snapshot,
    served: Snapshot,
    whole: Snapshot,
}

fn case(name: &str, source: &str, session: &str, base: &Mirror, deltas: &[JournalDelta]) -> Case {
    let dir = scratch("overlay", name);
    let path = dir.join("mirror.db");
    write_mirror_of(&path, base, source, session, 1);
    let plain = load(&path);
    assert_eq!(plain.mirror_versions(), vec![(source.to_string(), 1)]);
    let head = JournalHead {
        session_id: session.into(),
        from: 1,
    };
    nrtm::append_journal(&nrtm::journal_path(&path), &head, deltas, true).unwrap();
    let served = load(&path);
    let last = deltas.last().map_or(1, |d| d.version);
    assert_eq!(served.mirror_versions(), vec![(source.to_string(), last)]);
    let mut applied = base.clone();
    for d in deltas {
        applied.apply(d.changes.clone());
    }
    let dir2 = scratch("overlay", &format!("{name}-whole"));
    let path2 = dir2.join("mirror.db");
    write_mirror_of(&path2, &applied, source, session, last);
    let whole = load(&path2);
    Case {
        dir,
        path,
        plain,
        served,
        whole,
    }
}

/// Asserts two snapshots answer alike ([`all_differences`]).
fn assert_alike(a: &Snapshot, b: &Snapshot) {
    assert_eq!(a.networks(), b.networks());
    assert_eq!(a.object_counts(), b.object_counts());
    let bad = all_differences(a, b);
    assert!(
        bad.is_empty(),
        "{} differences:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

fn load(mirror: &Path) -> Snapshot {
    let sources = Sources {
        dumps: vec![mirror.to_path_buf()],
        ..Default::default()
    };
    Snapshot::load(
        &sources,
        Default::default(),
        1,
        tenure::query::lease_policy(false),
        &tenure::progress::Progress::off(),
    )
    .expect("load")
}

/// Every question worth asking of either snapshot: each network's range
/// and addresses (with the WHOIS lookup flags), each handle (with the
/// inverse flags), AS numbers and domains, as WHOIS lines.
fn whois_lines(snaps: &[&Snapshot]) -> Vec<String> {
    let mut keys = std::collections::BTreeSet::new();
    for s in snaps {
        for id in s.net_ids() {
            let r = s.net(id).range;
            for k in [
                r.start_addr().to_string(),
                r.end_addr().to_string(),
                format!("{} - {}", r.start_addr(), r.end_addr()),
            ] {
                for flag in ["", "-l ", "-L ", "-m ", "-M ", "-x ", "-c ", "-b "] {
                    keys.insert(format!("{flag}{k}"));
                }
            }
            if let Some(n) = s.net(id).object.get("netname") {
                keys.insert(n.to_string());
            }
        }
        for i in s.entity_ids() {
            let h = s.entity_at(i).handle_text().to_string();
            for flag in [
                "",
                "-i org ",
                "-i abuse-c ",
                "-i admin-c ",
                "-i tech-c ",
                "-i mnt-by ",
                "-i mnt-irt ",
            ] {
                keys.insert(format!("{flag}{h}"));
            }
        }
    }
    for k in [
        "AS64500",
        "AS64501",
        "AS64496 - AS64511",
        "-i mnt-by IPXO-MNT",
        "-i mnt-by HOLDER-MNT",
        "2.0.192.in-addr.arpa",
        "100.51.198.in-addr.arpa",
        "192.0.2.100",
        "192.0.2.75",
        "192.0.2.252",
        "2001:db8:6::1",
        "2001:db8:7::1",
    ] {
        keys.insert(k.to_string());
    }
    keys.into_iter().collect()
}

/// The answers that differ between two snapshots, WHOIS lines and RDAP
/// paths (searches too), beside the lookups the compiled tests compare.
fn all_differences(a: &Snapshot, b: &Snapshot) -> Vec<String> {
    let lines = whois_lines(&[a, b]);
    let mut bad = Vec::new();
    for l in &lines {
        let (ta, tb) = (
            tenure::whois::respond::respond(a, l, 0, false).text,
            tenure::whois::respond::respond(b, l, 0, false).text,
        );
        if ta != tb {
            bad.push(format!("WHOIS {l}:\n{ta}\n---\n{tb}"));
        }
    }
    let cfg = tenure::rdap::RdapConfig::default();
    let mut paths: Vec<String> = [
        "/rdap/ips?name=*NET*",
        "/rdap/ips?handle=192.0.2.*",
        "/rdap/entities?handle=ORG-*",
        "/rdap/entities?fn=*Lessee*",
        "/rdap/autnums?name=*AS*",
        "/rdap/domain/2.0.192.in-addr.arpa",
        "/rdap/domain/100.51.198.in-addr.arpa",
        "/rdap/autnum/64501",
        "/rdap/autnum/64510",
        "/rdap/entity/NP1-TEST",
        "/rdap/entity/AR-OVERLAP-TEST",
        "/rdap/ip/192.0.2.64/26",
        "/rdap/ip/2001:db8:7::/48",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for s in [a, b] {
        for id in s.net_ids() {
            let r = s.net(id).range;
            paths.push(format!("/rdap/ip/{}", r.start_addr()));
            paths.push(format!("/rdap/ip/{}", r.end_addr()));
        }
    }
    paths.sort();
    paths.dedup();
    for p in &paths {
        let (ra, rb) = (
            super::support::rdap_get(a, &cfg, p),
            super::support::rdap_get(b, &cfg, p),
        );
        if ra.status != rb.status || ra.body != rb.body {
            bad.push(format!(
                "RDAP {p}: {} / {}\n{}\n---\n{}",
                ra.status,
                rb.status,
                String::from_utf8_lossy(&ra.body),
                String::from_utf8_lossy(&rb.body)
            ));
        }
    }
    // `--json`, but where each object was read (a delta has no line in
    // a file, and the mirror's lines move)
    fn without_origin(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("origin");
                m.values_mut().for_each(without_origin);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(without_origin),
            _ => {}
        }
    }
    let at = tenure::time::parse("2026-06-01T00:00:00Z").unwrap();
    for q in lines.iter().filter(|l| !l.starts_with('-')) {
        let Ok(parsed) = tenure::query::parse_query(q) else {
            continue;
        };
        let (mut ja, mut jb) = (
            tenure::query::to_json(q, &tenure::query::lookup(a, &parsed, at)),
            tenure::query::to_json(q, &tenure::query::lookup(b, &parsed, at)),
        );
        without_origin(&mut ja);
        without_origin(&mut jb);
        if ja != jb {
            bad.push(format!("JSON {q}: {ja}\n---\n{jb}"));
        }
    }
    bad
}

/// The sample configuration's data with its two RIPE dumps served as a
/// mirror at version 1 plus the journaled deltas 2 to 4 (leases, routing
/// and the other dumps as configured): for the consistency tests.
pub(super) fn served_sample() -> Snapshot {
    let (base, deltas) = sample();
    let dir = scratch("overlay", "consistency");
    let path = dir.join("test.db");
    write_mirror(&path, &base, 1);
    let head = JournalHead {
        session_id: SESSION.into(),
        from: 1,
    };
    nrtm::append_journal(&nrtm::journal_path(&path), &head, &deltas, true).unwrap();
    let mut sources = tenure::config::DataFlags::default()
        .resolve()
        .unwrap()
        .sources;
    sources
        .dumps
        .retain(|d| !d.ends_with("test-ripe.db") && !d.ends_with("test-ripe-v6.db"));
    sources.dumps.insert(0, path);
    let snap = Snapshot::load(
        &sources,
        Default::default(),
        1,
        tenure::query::lease_policy(false),
        &tenure::progress::Progress::off(),
    )
    .expect("load");
    assert_eq!(snap.mirror_versions(), vec![("TEST".to_string(), 4)]);
    snap
}

#[test]
fn journaled_deltas_over_a_mirror_answer_as_the_mirror_read_whole() {
    let (base, deltas) = sample();
    // the mirror read at version 1, its journal holding 2 to 4, against
    // the same deltas applied to the mirror, read whole
    let Case {
        dir,
        path,
        plain,
        served,
        whole: expected,
    } = case("served", "TEST", SESSION, &base, &deltas);
    assert_alike(&served, &expected);
    // a compiled snapshot of the mirror read at version 1 keeps its mark
    // and takes the journal the same way
    let snap_file = dir.join("test.snap");
    plain.compile(&snap_file, &plain.report).expect("compile");
    let compiled = Snapshot::load(
        &Sources {
            dumps: vec![path.clone()],
            compiled: Some(snap_file),
            ..Default::default()
        },
        Default::default(),
        1,
        tenure::query::lease_policy(false),
        &tenure::progress::Progress::off(),
    )
    .expect("load compiled");
    assert_eq!(compiled.mirror_versions(), vec![("TEST".to_string(), 4)]);
    assert_alike(&compiled, &expected);
    // and the deltas changed answers (the comparison is not of equals)
    let changed = all_differences(&plain, &expected);
    assert!(changed.len() > 50, "{}", changed.len());
    // the answers the deltas were written for
    let find = |snap: &Snapshot, q: &str| {
        let q = tenure::query::parse_query(q).unwrap();
        let f = tenure::query::lookup(snap, &q, tenure::time::now());
        tenure::query::to_json("", &f).to_string()
    };
    let j = find(&served, "192.0.2.100");
    assert!(
        j.contains("ORG-NEWLESSEE1-TEST") && j.contains("abuse-desk@newlessee.example"),
        "{j}"
    );
    let j = find(&served, "192.0.2.75");
    assert!(
        j.contains("ENDUSER-NET") && !j.contains("ENDUSER-LAN"),
        "{j}"
    );
    let j = find(&served, "192.0.2.252");
    assert!(!j.contains("OVERLAP-SIBLING"), "{j}");
}

#[test]
fn a_journal_that_does_not_reach_the_file_read_is_refused() {
    let (base, deltas) = sample();
    let dir = scratch("overlay", "refused");
    let path = dir.join("test.db");
    write_mirror(&path, &base, 1);
    let plain = load(&path);
    let policy = tenure::query::lease_policy(false);
    let sources = Sources {
        dumps: vec![path.clone()],
        ..Default::default()
    };
    let jpath = nrtm::journal_path(&path);
    let try_journal = |head: JournalHead, deltas: &[JournalDelta]| {
        nrtm::append_journal(&jpath, &head, deltas, true).unwrap();
        plain.with_mirror_deltas(&sources, Default::default(), 2, policy)
    };
    // another session: the file must be read again
    let other = JournalHead {
        session_id: "another".into(),
        from: 1,
    };
    let e = try_journal(other, &deltas).err().expect("refused");
    assert!(e.contains("session another"), "{e}");
    // a journal restarted after the version read
    let later = JournalHead {
        session_id: SESSION.into(),
        from: 2,
    };
    let e = try_journal(later, &deltas[1..]).err().expect("refused");
    assert!(e.contains("starts after version 2"), "{e}");
    // a gap within the journal
    let head = JournalHead {
        session_id: SESSION.into(),
        from: 1,
    };
    let gap = [deltas[0].clone(), deltas[2].clone()];
    let e = try_journal(head.clone(), &gap).err().expect("refused");
    assert!(e.contains("version 4 where 3 should follow"), "{e}");
    // nothing past the file read: nothing to serve
    assert!(try_journal(head.clone(), &[]).unwrap().is_none());
    // a line still being written is left for the next read
    nrtm::append_journal(&jpath, &head, &deltas[..1], true).unwrap();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&jpath)
        .unwrap();
    std::io::Write::write_all(&mut f, b"{\"version\":3,\"chan").unwrap();
    let s = plain
        .with_mirror_deltas(&sources, Default::default(), 2, policy)
        .unwrap()
        .expect("delta 2 served");
    assert_eq!(s.mirror_versions(), vec![("TEST".to_string(), 2)]);
}

/// RIPE's NRTMv4 test files (in the shared excerpts): its snapshot as a
/// mirror at version 1, its deltas 2 to 5 as the journal.
fn ripe_test_files(dir: &Path) -> (Mirror, Vec<JournalDelta>, String) {
    let records = |name: &str| -> Vec<serde_json::Value> {
        std::fs::read_to_string(dir.join(name))
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l.trim_start_matches('\u{1e}')).unwrap())
            .collect()
    };
    let snap = records("ripe-whois-nrtm4-mock-nrtm-snapshot.1.RIPE.json");
    let session = snap[0]["session_id"].as_str().unwrap().to_string();
    let text: Vec<&str> = snap[1..]
        .iter()
        .filter_map(|r| r["object"].as_str())
        .collect();
    let mut deltas = Vec::new();
    for v in 2..=5 {
        let recs = records(&format!("ripe-whois-nrtm4-mock-nrtm-delta.{v}.RIPE.json"));
        assert_eq!(recs[0]["version"], v);
        let changes = recs[1..]
            .iter()
            .map(|r| match r["action"].as_str() {
                Some("delete") => nrtm::Change::Delete {
                    class: r["object_class"].as_str().unwrap().to_lowercase(),
                    key: r["primary_key"]
                        .as_str()
                        .unwrap()
                        .chars()
                        .filter(|c| !c.is_whitespace())
                        .flat_map(char::to_lowercase)
                        .collect(),
                },
                _ => nrtm::Change::AddModify(r["object"].as_str().unwrap().to_string()),
            })
            .collect();
        deltas.push(JournalDelta {
            version: v,
            changes,
        });
    }
    (Mirror::from_rpsl(&text.join("\n\n")), deltas, session)
}

#[test]
fn ripe_test_deltas_over_its_snapshot_answer_as_the_mirror_read_whole() {
    let Some(shared) = super::shared_data::shared() else {
        return;
    };
    let (base, deltas, session) = ripe_test_files(&shared.join("nrtm"));
    assert!(base.objects.len() > 5, "{}", base.objects.len());
    let c = case("ripe", "RIPE", &session, &base, &deltas);
    assert_alike(&c.served, &c.whole);
}

/// A delta that changes a network and its holder together, generation `g`.
fn generation(g: u64) -> JournalDelta {
    JournalDelta {
        version: g,
        changes: vec![
            nrtm::Change::AddModify(format!(
                "inetnum:        192.0.2.0 - 192.0.2.255\nnetname:        GEN-{g}\norg:            ORG-GEN1-TEST\nstatus:         ALLOCATED PA\nmnt-by:         GEN-MNT\nsource:         TEST\n"
            )),
            nrtm::Change::AddModify(format!(
                "organisation:   ORG-GEN1-TEST\norg-name:       Generation {g}\norg-type:       LIR\nabuse-c:        AR-GEN-TEST\nmnt-by:         GEN-MNT\nsource:         TEST\n"
            )),
        ],
    }
}

#[test]
fn no_query_sees_half_a_delta_while_deltas_are_served() {
    let dir = scratch("overlay", "halves");
    let path = dir.join("gen.db");
    let mut base = Mirror::default();
    for c in &generation(1).changes {
        if let nrtm::Change::AddModify(t) = c {
            base.apply(vec![nrtm::Change::AddModify(t.clone())]);
        }
    }
    base.apply(vec![nrtm::Change::AddModify(
        "role:           Gen Abuse\nnic-hdl:        AR-GEN-TEST\nabuse-mailbox:  abuse@gen.example\nmnt-by:         GEN-MNT\nsource:         TEST\n".into(),
    )]);
    write_mirror(&path, &base, 1);
    let current = Arc::new(tenure::snapshot::Current::new(Arc::new(load(&path))));
    const LAST: u64 = 40;
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (current, done) = (Arc::clone(&current), Arc::clone(&done));
            std::thread::spawn(move || {
                let q = tenure::query::parse_query("192.0.2.1").unwrap();
                let (mut checked, mut last) = (0u64, 1u64);
                let deadline = Instant::now() + Duration::from_secs(60);
                while !done.load(std::sync::atomic::Ordering::Relaxed) && Instant::now() < deadline
                {
                    let snap = current.get();
                    let f = tenure::query::lookup(&snap, &q, tenure::time::now());
                    let j = tenure::query::to_json("", &f);
                    let net = j["network"]["netname"].as_str().unwrap_or("").to_string();
                    let holder = j["holder"]["name"].as_str().unwrap_or("").to_string();
                    let g: u64 = net.trim_start_matches("GEN-").parse().unwrap_or(0);
                    assert_eq!(holder, format!("Generation {g}"), "{j}");
                    assert!(g >= last, "generation {g} after {last}");
                    last = g;
                    checked += 1;
                }
                (checked, last)
            })
        })
        .collect();
    let sources = Sources {
        dumps: vec![path.clone()],
        ..Default::default()
    };
    let head = JournalHead {
        session_id: SESSION.into(),
        from: 1,
    };
    let mut deltas = Vec::new();
    for g in 2..=LAST {
        deltas.push(generation(g));
        nrtm::append_journal(
            &nrtm::journal_path(&path),
            &head,
            &deltas[deltas.len() - 1..],
            g == 2,
        )
        .unwrap();
        let snap = current.get();
        let next = snap
            .with_mirror_deltas(
                &sources,
                Default::default(),
                snap.serial + 1,
                tenure::query::lease_policy(false),
            )
            .unwrap()
            .expect("a new delta");
        current.install(Arc::new(next));
        std::thread::sleep(Duration::from_millis(2));
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        let (checked, last) = r.join().unwrap();
        assert!(checked > 20, "{checked}");
        assert!(last >= 2, "{last}");
    }
    assert_eq!(
        current.get().mirror_versions(),
        vec![("TEST".to_string(), LAST)]
    );
}
