//! Compiled snapshots: answers from a compiled file are byte for byte the
//! answers from the dumps it was compiled from (WHOIS text, RDAP JSON,
//! `--json`), on the sample data and on generated data of the five
//! registries' layouts; a corrupt, cut or foreign file is refused with a
//! clear error and never served; a server reloads a new file.

use super::*;
use tenure::dump::Sources;
use tenure::rdap::RdapConfig;
use tenure::snapshot::Snapshot;

/// A snapshot of a compiled file and the other sources of `sources`.
fn from_compiled(sources: &Sources, path: &Path) -> Snapshot {
    let c = tenure::snapshot::compiled::open(path, Default::default()).expect("open compiled");
    let (reg, report, index) = c.into_parts();
    let (reg, report) = tenure::dump::load_onto(sources, reg, report).expect("load the rest");
    Snapshot::from_compiled(
        reg,
        report,
        index,
        1,
        Default::default(),
        tenure::query::lease_policy(false),
    )
}

/// Compiles `sources`' dumps to `out` the way `tenure compile` does.
fn compile(sources: &Sources, out: &Path) {
    let (reg, report) =
        tenure::dump::load_dumps(sources, &tenure::progress::Progress::off()).expect("load");
    let snap = Snapshot::build(
        reg,
        report.clone(),
        1,
        Default::default(),
        tenure::query::lease_policy(false),
    );
    snap.compile(out, &report).expect("compile");
}

/// Every query worth asking of a snapshot: each network's first and last
/// address and range, the address after it, handles, AS numbers.
fn queries(snap: &Snapshot, max: usize) -> Vec<String> {
    let mut v = std::collections::BTreeSet::new();
    let step = (snap.networks() / max.max(1)).max(1);
    for id in snap.net_ids().step_by(step) {
        let r = snap.net(id).range;
        v.insert(r.start_addr().to_string());
        v.insert(r.end_addr().to_string());
        v.insert(format!("{} - {}", r.start_addr(), r.end_addr()));
        let o = &snap.net(id).object;
        for a in ["org", "abuse-c", "mnt-by", "netname"] {
            if let Some(x) = o.get(a) {
                v.insert(x.to_string());
            }
        }
    }
    for q in [
        "AS64500",
        "AS64501",
        "AS3333",
        "AS65551",
        "8.8.8.8",
        "2001:db8::1",
    ] {
        v.insert(q.to_string());
    }
    v.into_iter().collect()
}

/// The differences between two snapshots' answers, as text.
fn differences(a: &Snapshot, b: &Snapshot, qs: &[String]) -> Vec<String> {
    let cfg = RdapConfig::default();
    let mut bad = Vec::new();
    let at = tenure::time::parse("2026-06-01T00:00:00Z").unwrap();
    for q in qs {
        let Ok(parsed) = tenure::query::parse_query(q) else {
            continue;
        };
        let (fa, fb) = (
            tenure::query::lookup(a, &parsed, at),
            tenure::query::lookup(b, &parsed, at),
        );
        let (ta, tb) = (
            tenure::whois::render_found(&fa, false),
            tenure::whois::render_found(&fb, false),
        );
        if ta != tb {
            bad.push(format!("WHOIS {q}:\n{ta}\n---\n{tb}"));
        }
        let (ja, jb) = (
            tenure::query::to_json(q, &fa),
            tenure::query::to_json(q, &fb),
        );
        if ja != jb {
            bad.push(format!("JSON {q}: {ja} / {jb}"));
        }
        let path = if q.contains(':') || q.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            format!("/rdap/ip/{}", q.split(' ').next().unwrap_or(q))
        } else if let Some(n) = q.strip_prefix("AS") {
            format!("/rdap/autnum/{n}")
        } else {
            format!("/rdap/entity/{q}")
        };
        let (ra, rb) = (
            super::support::rdap_get(a, &cfg, &path),
            super::support::rdap_get(b, &cfg, &path),
        );
        if ra.status != rb.status || ra.body != rb.body {
            bad.push(format!("RDAP {path}: {} / {}", ra.status, rb.status));
        }
    }
    bad
}

#[test]
fn compiled_sample_data_answers_byte_for_byte_as_its_dumps() {
    let dir = scratch("compiled", "sample");
    let cfg = tenure::config::DataFlags::default().resolve().unwrap();
    let out = dir.join("sample.snap");
    compile(&cfg.sources, &out);
    let dumps = super::support::snapshot();
    let compiled = from_compiled(&cfg.sources, &out);
    assert_eq!(compiled.networks(), dumps.networks());
    let qs = queries(&dumps, usize::MAX);
    assert!(qs.len() > 40, "{}", qs.len());
    let bad = differences(&dumps, &compiled, &qs);
    assert!(
        bad.is_empty(),
        "{} differences:\n{}",
        bad.len(),
        bad.join("\n")
    );
    // and the command line agrees: lookup --snapshot prints what lookup does
    let out_s = out.to_str().unwrap();
    for q in ["192.0.2.5", "2001:db8::1", "ORG-EXAMPLE1-TEST", "AS64500"] {
        let a = tenure(&["lookup", q]);
        let b = tenure(&[
            "lookup",
            "--config",
            data("example.toml").to_str().unwrap(),
            "--snapshot",
            out_s,
            q,
        ]);
        assert_eq!(stdout(&a), stdout(&b), "{q}: {}", stderr(&b));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn compiled_generated_registries_answer_byte_for_byte_as_their_dumps() {
    let dir = scratch("compiled", "gen");
    let gen = dir.join("gen");
    tenure::gen::write_registries(&gen, 3000, 11).expect("generate");
    let mut dumps: Vec<PathBuf> = std::fs::read_dir(&gen)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    dumps.sort();
    let sources = Sources {
        dumps,
        ..Default::default()
    };
    let out = dir.join("gen.snap");
    compile(&sources, &out);
    let a = super::support::snapshot_of(&sources);
    let b = from_compiled(&sources, &out);
    assert!(a.networks() >= 3000, "{}", a.networks());
    let qs = queries(&a, 1500);
    let bad = differences(&a, &b, &qs);
    assert!(
        bad.is_empty(),
        "{} differences:\n{}",
        bad.len(),
        bad.iter().take(5).cloned().collect::<Vec<_>>().join("\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn corrupt_cut_and_foreign_snapshots_are_refused_and_never_served() {
    let dir = scratch("compiled", "corrupt");
    let good = dir.join("good.snap");
    let out = tenure(&["compile", "--out", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("17 networks"), "{}", stdout(&out));
    let bytes = std::fs::read(&good).unwrap();
    let variants: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "cut",
            bytes[..bytes.len() * 2 / 3].to_vec(),
            "outside the file",
        ),
        (
            "header-only",
            bytes[..100].to_vec(),
            "not a compiled tenure snapshot",
        ),
        (
            "not-a-snapshot",
            std::fs::read(data("test-ripe.db")).unwrap(),
            "not a compiled tenure snapshot",
        ),
        (
            "other-version",
            {
                let mut b = bytes.clone();
                b[16] = 99;
                b
            },
            "format version 99",
        ),
        (
            "flipped-text",
            {
                let mut b = bytes.clone();
                let i = b.len() / 3;
                b[i] ^= 0x20;
                b
            },
            "checksum does not match",
        ),
        (
            "flipped-index",
            {
                let mut b = bytes.clone();
                let i = b.len() - 10;
                b[i] ^= 0x01;
                b
            },
            "checksum does not match",
        ),
    ];
    for (name, b, why) in variants {
        let p = dir.join(format!("{name}.snap"));
        std::fs::write(&p, b).unwrap();
        let out = tenure(&["lookup", "--snapshot", p.to_str().unwrap(), "192.0.2.5"]);
        assert_eq!(out.status.code(), Some(4), "{name}: {}", stdout(&out));
        assert!(stderr(&out).contains(why), "{name}: {}", stderr(&out));
        // a server never serves it: the first load fails, exit 4
        let out = serve_failing(&["--snapshot", p.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(4), "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Where the records of a section read in place start (`kind`: 4 the
/// networks, 5 the entities), from the header's section table.
fn records_at(b: &[u8], kind: u32) -> usize {
    let entry = 24 + (kind as usize - 1) * 24;
    assert_eq!(b[entry..entry + 4], kind.to_le_bytes());
    let offset = u64::from_le_bytes(b[entry + 4..entry + 12].try_into().unwrap()) as usize;
    // a count of words, then the words from the next 16-byte boundary
    (offset + 8).div_ceil(16) * 16
}

#[test]
fn crafted_records_with_right_checksums_are_refused() {
    let dir = scratch("compiled", "crafted");
    let good = dir.join("good.snap");
    let out = tenure(&["compile", "--out", good.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bytes = std::fs::read(&good).unwrap();
    let nets = records_at(&bytes, 4);
    let ents = records_at(&bytes, 5);
    // (name, word of the record, value, what the refusal says)
    let w = |at: usize, word: usize| at + word * 8;
    let variants: Vec<(&str, usize, u64, &str)> = vec![
        (
            "net-org",
            w(nets, 6),
            0x0000_0000_7fff_fff0,
            "NETWORKS: record 0: handle id",
        ),
        (
            "net-text",
            w(nets, 4),
            1 << 40,
            "NETWORKS: record 0: a text at",
        ),
        (
            "net-kind",
            w(nets, 7),
            5 << 48,
            "NETWORKS: record 0: network kind 5",
        ),
        (
            "net-family",
            w(nets, 7),
            0x80 << 48,
            "NETWORKS: record 0: not in the index's family",
        ),
        (
            "net-order",
            w(nets, 0),
            u64::MAX,
            "NETWORKS: record 0: a range out of order",
        ),
        (
            "net-file",
            w(nets, 7),
            9 << 32,
            "NETWORKS: record 0: file 9",
        ),
        (
            "entity-class",
            w(ents, 3),
            9,
            "ENTITIES: record 0: entity class 9",
        ),
        (
            "entity-handle",
            w(ents, 2),
            0x7fff_fff0,
            "ENTITIES: record 0: handle id",
        ),
    ];
    for (name, at, value, why) in variants {
        let mut b = bytes.clone();
        b[at..at + 8].copy_from_slice(&value.to_le_bytes());
        tenure::snapshot::compiled::fix_checksums(&mut b);
        let p = dir.join(format!("{name}.snap"));
        std::fs::write(&p, b).unwrap();
        let out = tenure(&["lookup", "--snapshot", p.to_str().unwrap(), "192.0.2.5"]);
        assert_eq!(out.status.code(), Some(4), "{name}: {}", stdout(&out));
        assert!(stderr(&out).contains(why), "{name}: {}", stderr(&out));
    }
    // the file as compiled, checksums made again, is served
    let mut b = bytes.clone();
    tenure::snapshot::compiled::fix_checksums(&mut b);
    let p = dir.join("same.snap");
    std::fs::write(&p, b).unwrap();
    let out = tenure(&["lookup", "--snapshot", p.to_str().unwrap(), "192.0.2.5"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_server_reloads_a_new_compiled_snapshot_and_keeps_the_old_on_a_bad_one() {
    let dir = scratch("compiled", "reload");
    let snap = dir.join("registry.snap");
    let s = snap.to_str().unwrap();
    assert_eq!(tenure(&["compile", "--out", s]).status.code(), Some(0));
    let served = Served::start(&repo(), &["--snapshot", s], 1);
    let addr = served.addr("whois");
    let a = super::reload::until(addr, "192.0.2.5", "Example Holder GmbH");
    assert!(a.contains("Data serial 1"), "{a}");
    // a new dump compiled to a new file, renamed over the served one
    let mut text = std::fs::read_to_string(data("test-ripe.db")).unwrap();
    text = text.replace("Example Holder GmbH", "Recompiled Holder GmbH");
    let dump = dir.join("changed.db");
    std::fs::write(&dump, text).unwrap();
    let out = tenure(&["compile", "--dump", dump.to_str().unwrap(), "--out", s]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    served.signal("-HUP");
    super::reload::until(addr, "192.0.2.5", "Recompiled Holder GmbH");
    // a corrupt file in its place: refused, the served data stays
    let mut b = std::fs::read(&snap).unwrap();
    let i = b.len() / 2;
    b[i] ^= 0x10;
    std::fs::write(dir.join("bad.tmp"), b).unwrap();
    std::fs::rename(dir.join("bad.tmp"), &snap).unwrap();
    served.signal("-HUP");
    super::reload::until_logged(&served, "checksum does not match", 1);
    assert!(ask(addr, "192.0.2.5").contains("Recompiled Holder GmbH"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dated_snapshots_answer_about_their_own_time() {
    let dir = scratch("compiled", "dated");
    let snaps = dir.join("snaps");
    std::fs::create_dir_all(&snaps).unwrap();
    // compile --out DIR names the file by the time it was compiled
    let out = tenure(&["compile", "--out", snaps.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written: Vec<PathBuf> = std::fs::read_dir(&snaps)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(written.len(), 1, "{written:?}");
    let name = written[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    assert!(
        name.starts_with("registry-") && name.ends_with(".snap"),
        "{name}"
    );
    // two generations with dates of our choosing: the holder renamed between
    std::fs::rename(&written[0], snaps.join("registry-20261101-0000.snap")).unwrap();
    let text = std::fs::read_to_string(data("test-ripe.db"))
        .unwrap()
        .replace("Example Holder GmbH", "Renamed Holder GmbH");
    let dump = dir.join("renamed.db");
    std::fs::write(&dump, text).unwrap();
    let newer = snaps.join("registry-20261120-0000.snap");
    let out = tenure(&[
        "compile",
        "--dump",
        dump.to_str().unwrap(),
        "--out",
        newer.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cfg = data("example.toml");
    let (cfg_s, snaps_s) = (cfg.to_str().unwrap(), snaps.to_str().unwrap());
    let lookup = |at: Option<&str>| {
        let mut args = vec!["lookup", "--config", cfg_s, "--snapshot", snaps_s];
        if let Some(t) = at {
            args.extend(["--at", t]);
        }
        args.push("192.0.2.5");
        let o = tenure(&args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        (stdout(&o), stderr(&o))
    };
    // now: the newest
    assert!(lookup(None).0.contains("Renamed Holder GmbH"));
    // between the two: the older one, said on stderr
    let (o, e) = lookup(Some("2026-11-10T00:00:00Z"));
    assert!(o.contains("(Example Holder GmbH)"), "{o}");
    assert!(
        e.contains("registry-20261101-0000.snap (as of 2026-11-01T00:00:00Z)"),
        "{e}"
    );
    // after the newest's date, or before every file: the newest answers
    assert!(lookup(Some("2026-11-25T00:00:00Z"))
        .0
        .contains("Renamed Holder GmbH"));
    let (o, e) = lookup(Some("2026-10-01T00:00:00Z"));
    assert!(o.contains("Renamed Holder GmbH"), "{o}");
    assert!(
        e.contains("no registry data as old as 2026-10-01T00:00:00Z is kept"),
        "{e}"
    );
    // a server: WHOIS --at answers from the snapshot current then
    let served = Served::start(&repo(), &["--snapshot", snaps_s], 2);
    let addr = served.addr("whois");
    let now = super::reload::until(addr, "192.0.2.5", "Renamed Holder GmbH");
    assert!(!now.contains("Registry data as of"), "{now}");
    let then = ask(addr, "--at 2026-11-10T00:00:00Z 192.0.2.5");
    assert!(
        then.contains("% Registry data as of 2026-11-01T00:00:00Z")
            && then.contains("(Example Holder GmbH)"),
        "{then}"
    );
    // RDAP ?lease0_at= too, outside the answer cache (asked twice)
    let http = served.addr("http");
    for _ in 0..2 {
        let (code, body) = super::ops::http(
            http,
            "GET",
            "/rdap/ip/192.0.2.5?lease0_at=2026-11-10T00:00:00Z",
        )
        .unwrap();
        assert_eq!(code, 200, "{body}");
        assert!(
            body.contains("Example Holder GmbH") && !body.contains("Renamed"),
            "{body}"
        );
        let (_, body) = super::ops::http(http, "GET", "/rdap/ip/192.0.2.5").unwrap();
        assert!(body.contains("Renamed Holder GmbH"), "{body}");
    }
    let before = ask(addr, "--at 2026-10-01T00:00:00Z 192.0.2.5");
    assert!(
        before.contains("% No registry data as old as the time asked about is kept"),
        "{before}"
    );
    drop(served);
    // --keep: compile --out DIR keeps the newest N
    let out = tenure(&["compile", "--out", snaps_s, "--keep", "2"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let left = std::fs::read_dir(&snaps).unwrap().flatten().count();
    assert_eq!(left, 2);
    assert!(!snaps.join("registry-20261101-0000.snap").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
