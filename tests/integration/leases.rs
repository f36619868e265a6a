//! Lease records through `tenure lookup` and `tenure check` on the sample
//! data (`data/example-leases.jsonl`). Every query names its time with
//! `--at`, so the answers do not change as the calendar does.

use super::*;
use serde_json::{json, Value};

fn at(when: &str, q: &str) -> Value {
    let o = tenure(&["lookup", "--quiet", "--json", "--at", when, q]);
    assert!(o.status.success(), "{q} at {when}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("json")
}

/// (time, query, lessee, lease id or none, verified, abuse mailbox)
type LeaseCase<'a> = (&'a str, &'a str, &'a str, Option<&'a str>, bool, &'a str);

#[test]
fn each_lease_case_at_its_time() {
    let cases: &[LeaseCase] = &[
        // verified current lease, its own abuse mailbox
        (
            "2026-03-14T09:30:00Z",
            "192.0.2.130",
            "LESSEE-7",
            Some("L-2026-0042"),
            true,
            "abuse@lessee.example",
        ),
        // boundaries: start is in, end is out
        (
            "2026-01-01T00:00:00Z",
            "192.0.2.130",
            "LESSEE-7",
            Some("L-2026-0042"),
            true,
            "abuse@lessee.example",
        ),
        (
            "2025-12-31T23:59:59Z",
            "192.0.2.130",
            "OLD-LESSEE-3",
            Some("L-2025-0007"),
            true,
            "abuse@former.example",
        ),
        // future lease, once its term begins
        (
            "2027-06-01T00:00:00Z",
            "192.0.2.130",
            "NEXT-LESSEE-9",
            Some("L-2027-0001"),
            true,
            "abuse@next.example",
        ),
        // after every lease: the registry-inferred lessee again
        (
            "2028-01-01T00:00:00Z",
            "192.0.2.130",
            "ORG-LESSEE7-TEST",
            None,
            false,
            "abuse@lessee.example",
        ),
        // overlap: the more specific /27 wins; between the two /27s, the later start
        (
            "2026-07-01T00:00:00Z",
            "192.0.2.170",
            "OVL-LESSEE-1",
            Some("L-OVL-1"),
            true,
            "abuse@ovl1.example",
        ),
        (
            "2026-10-01T00:00:00Z",
            "192.0.2.170",
            "OVL-LESSEE-2",
            Some("L-OVL-2"),
            true,
            "abuse@ovl2.example",
        ),
        // sub-lease by the sub-allocation's holder: verified; no mailbox, so the registry's
        (
            "2026-06-01T00:00:00Z",
            "192.0.2.100",
            "SUBLESSEE-5",
            Some("L-SUB-1"),
            true,
            "abuse@suballoc.example",
        ),
        // unverified: shown, but never the abuse contact
        (
            "2026-06-01T00:00:00Z",
            "198.51.100.5",
            "SQUATTER-1",
            Some("L-BAD-1"),
            false,
            "irt-abuse@legacy.example",
        ),
        // open-ended IPv6 lease, by the lessee of the /48 (a sub-lease)
        (
            "2099-01-01T00:00:00Z",
            "2001:db8:5:1::7",
            "V6-CUSTOMER-2",
            Some("L-V6-OPEN"),
            true,
            "abuse@v6customer.example",
        ),
    ];
    for &(when, q, lessee, lease, verified, abuse) in cases {
        let v = at(when, q);
        assert_eq!(v["lessee"]["handle"], lessee, "{q} at {when}");
        assert_eq!(v["lessee"]["lease"]["id"].as_str(), lease, "{q} at {when}");
        if lease.is_some() {
            assert_eq!(v["lessee"]["lease"]["verified"], verified, "{q} at {when}");
            assert_eq!(v["lessee"]["source"], "example-leases");
            assert_eq!(v["lessee"]["lease"]["source"], "example-leases");
        } else {
            assert_eq!(v["lessee"]["source"], "registry");
            assert_eq!(v["lessee"]["lease"], Value::Null);
        }
        assert_eq!(v["abuse"]["mailbox"], abuse, "{q} at {when}");
        // the holder always comes from the registry
        assert!(
            v["holder"]["handle"]
                .as_str()
                .is_some_and(|h| h.starts_with("ORG-")),
            "{q}: {}",
            v["holder"]
        );
    }
    let v = at("2026-03-14T09:30:00Z", "192.0.2.130");
    assert_eq!(
        v["lessee"]["lease"],
        json!({
            "id": "L-2026-0042", "start": "2026-01-01T00:00:00Z", "end": "2027-01-01T00:00:00Z",
            "source": "example-leases", "verified": true, "range": "192.0.2.128 - 192.0.2.191",
            "prefix": "192.0.2.128/26", "lessor": "ORG-EXAMPLE1-TEST",
            "lessee": {"handle": "LESSEE-7", "name": "Example Lessee Ltd", "country": "NL", "abuse_mailbox": "abuse@lessee.example"},
            "origin_asn": 64501, "geofeed": "https://geofeed.example/geofeed.txt",
            "origin": v["lessee"]["lease"]["origin"].clone(),
        })
    );
    assert!(v["lessee"]["lease"]["origin"]
        .as_str()
        .unwrap()
        .ends_with("example-leases.jsonl:1"));
    assert_eq!(v["abuse"]["via"], "L-2026-0042");
}

#[test]
fn text_answer_shows_the_lease_object_and_term() {
    let o = tenure(&[
        "lookup",
        "--quiet",
        "--at",
        "2026-03-14T09:30:00Z",
        "192.0.2.130",
    ]);
    let text = stdout(&o);
    assert!(text.contains(
        "% Lessee: LESSEE-7 (Example Lessee Ltd), lease L-2026-0042 of '192.0.2.128 - 192.0.2.191' from 2026-01-01T00:00:00Z to 2027-01-01T00:00:00Z, source example-leases, verified\n"
    ), "{text}");
    assert!(
        text.contains("inetnum:        192.0.2.128 - 192.0.2.191\nnetname:        L-2026-0042\n")
    );
    assert!(text.contains("status:         LEASED\norg:            LESSEE-7\nlessor:         ORG-EXAMPLE1-TEST\nlease-start:    2026-01-01T00:00:00Z\nlease-end:      2027-01-01T00:00:00Z\nabuse-mailbox:  abuse@lessee.example\n"));
    assert!(text.contains("source:         EXAMPLE-LEASES\n"));
    let o = tenure(&[
        "lookup",
        "--quiet",
        "--at",
        "2026-06-01T00:00:00Z",
        "198.51.100.5",
    ]);
    let text = stdout(&o);
    assert!(
        text.contains("source example-leases, unverified (lessor is not the holder)"),
        "{text}"
    );
    assert!(text.contains("remarks:        UNVERIFIED"));
}

#[test]
fn lease_history_oldest_first() {
    let o = tenure(&[
        "lookup",
        "--quiet",
        "--json",
        "--lease-history",
        "192.0.2.170",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = v["leases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "L-2025-0007",
            "L-2026-0042",
            "L-OVL-1",
            "L-OVL-2",
            "L-2027-0001"
        ]
    );
    let o = tenure(&["lookup", "--quiet", "--lease-history", "192.0.2.1"]);
    assert!(stdout(&o).contains("No lease record ever covered '192.0.2.1'"));
    let o = tenure(&["lookup", "--quiet", "--lease-history", "AS64500"]);
    assert_eq!(o.status.code(), Some(2));
    let o = tenure(&["lookup", "--quiet", "--at", "next tuesday", "192.0.2.1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("RFC 3339"));
}

#[test]
fn check_reports_leases_and_every_bad_line() {
    let o = tenure(&["check", "--quiet", "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let l = &v["report"]["leases"];
    assert_eq!(
        (
            l["loaded"].as_u64(),
            l["verified"].as_u64(),
            l["unverified"].as_u64()
        ),
        (Some(8), Some(7), Some(1))
    );
    assert_eq!(l["overlaps"], 4);
    let skipped = &v["report"]["skipped"];
    for (reason, line) in [
        ("invalid json", 9),
        ("missing field", 10),
        ("end before start", 11),
        ("bad address", 12),
        ("duplicate lease id", 13),
        ("bad time", 14),
    ] {
        let ex = skipped[reason]["examples"][0]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(
            ex.contains(&format!("example-leases.jsonl:{line}:")),
            "{reason}: {ex}"
        );
    }
    // rejecting unverified leases
    let o = tenure(&["check", "--quiet", "--json", "--reject-unverified-leases"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["report"]["leases"]["rejected"], 1);
    assert_eq!(v["report"]["leases"]["unverified"], 0);
    let o = tenure(&[
        "lookup",
        "--quiet",
        "--json",
        "--reject-unverified-leases",
        "--at",
        "2026-06-01T00:00:00Z",
        "198.51.100.5",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["lessee"]["source"], "registry");
    // --leases replaces the config's lease files; the source is the file stem
    let f = data("example-leases.jsonl");
    let o = tenure(&[
        "lookup",
        "--quiet",
        "--json",
        "--leases",
        f.to_str().unwrap(),
        "--at",
        "2026-03-14T09:30:00Z",
        "192.0.2.130",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["lessee"]["source"], "example-leases");
}

#[test]
fn a_lease_only_snapshot_shares_the_registry_and_answers_the_same() {
    let full = super::support::snapshot();
    let cfg = tenure::config::DataFlags::default()
        .resolve()
        .expect("sample config");
    let leases = tenure::dump::load_lease_files(&cfg.sources.leases).expect("leases");
    let policy = tenure::query::lease_policy(false);
    let again = full.with_leases(leases, full.serial + 1, policy);
    assert!(again.shares_registry_with(&full), "registry shared");
    assert_eq!(again.serial, full.serial + 1);
    assert_eq!(again.lease_count(), full.lease_count());
    assert_eq!(again.report.objects, full.report.objects);
    assert_eq!(again.report.skipped_total(), full.report.skipped_total());
    assert_eq!(again.report.leases.loaded, full.report.leases.loaded);
    for q in [
        "192.0.2.130",
        "192.0.2.161",
        "198.51.100.5",
        "2001:db8:5:1::9",
    ] {
        let parsed = tenure::query::parse_query(q).expect("query");
        let t = tenure::time::parse("2026-03-14T09:30:00Z").unwrap();
        let json = |s: &tenure::snapshot::Snapshot| {
            let found = tenure::query::lookup(s, &parsed, t);
            tenure::query::to_json(q, &found).to_string()
        };
        assert_eq!(json(&full), json(&again), "{q}");
    }
    // no leases at all: the registry answers alone
    let none = full.with_leases(Default::default(), full.serial + 2, policy);
    assert_eq!(none.lease_count(), 0);
    assert_eq!(none.report.leases.loaded, 0);
    assert_eq!(none.report.objects, full.report.objects);
}

#[test]
fn files_of_junk_are_counted_not_kept() {
    // 100,000 unreadable lines of each kind: every one counted, five of
    // each reason kept as examples (the rest costs no memory)
    let dir = std::env::temp_dir().join(format!("tenure-junk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let leases = dir.join("junk.jsonl");
    let delegated = dir.join("delegated-junk");
    std::fs::write(&leases, "{}\n".repeat(100_000)).unwrap();
    std::fs::write(
        &delegated,
        "ripencc|ZZ|ipv4|not-an-address|1|20200101|allocated\n".repeat(100_000),
    )
    .unwrap();
    let o = super::support::tenure(&[
        "check",
        "--quiet",
        "--json",
        "--dump",
        "/dev/null",
        "--leases",
        leases.to_str().unwrap(),
        "--delegated",
        delegated.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let skipped = v["report"]["skipped"].as_object().unwrap();
    let total: u64 = skipped.values().map(|s| s["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 200_000, "{skipped:?}");
    for (reason, s) in skipped {
        assert!(
            s["examples"].as_array().unwrap().len() <= 5,
            "{reason}: {s}"
        );
    }
    let files = v["report"]["files"].as_array().unwrap();
    for f in files
        .iter()
        .filter(|f| f["path"].as_str().unwrap().contains("junk"))
    {
        assert_eq!(f["skipped"], 100_000, "{f}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_long_lease_history_is_cut_with_a_notice() {
    // 1,500 consecutive leases of one block: the newest 1,000 shown
    let dir = std::env::temp_dir().join(format!("tenure-hist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("many.jsonl");
    let mut text = String::new();
    for i in 0..1500i64 {
        let start = tenure::time::format(1_600_000_000 + i * 3600);
        let end = tenure::time::format(1_600_000_000 + (i + 1) * 3600);
        text.push_str(&format!(
            "{{\"lease\": \"H{i}\", \"prefix\": \"192.0.2.128/26\", \"lessor\": \"ORG-EXAMPLE1-TEST\", \"lessee\": {{\"handle\": \"T{i}\", \"name\": \"Tenant\"}}, \"start\": \"{start}\", \"end\": \"{end}\"}}\n"
        ));
    }
    std::fs::write(&file, text).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = tenure::dump::Sources {
        dumps: vec![root.join("data/test-ripe.db")],
        leases: vec![tenure::dump::LeaseSource::from_path(file)],
        ..Default::default()
    };
    let snap = super::support::snapshot_of(&sources);
    let text = tenure::whois::respond::respond(&snap, "--leases 192.0.2.130", 0, false).text;
    assert!(
        text.contains("% 1500 lease record(s) covering"),
        "{}",
        &text[..300]
    );
    assert!(
        text.contains("% Output truncated: the 500 oldest are not shown (at most 1000 are)"),
        "{}",
        &text[..400]
    );
    assert_eq!(text.matches("lease-start:").count(), 1000);
    assert!(text.contains("netname:        H1499") && !text.contains("netname:        H499\n"));
    std::fs::remove_dir_all(&dir).ok();
}
