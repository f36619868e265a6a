//! `tenure lookup` and `tenure check` on the sample data in `data/`.

use super::*;
use serde_json::Value;

#[test]
fn lookup_text_names_holder_lessee_and_abuse() {
    let o = tenure(&["lookup", "--at", BEFORE_LEASES, "192.0.2.77"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().take(3).collect();
    assert_eq!(
        lines,
        [
            "% Holder: ORG-EXAMPLE1-TEST (Example Holder GmbH), from '192.0.2.0 - 192.0.2.255'",
            "% Lessee: ORG-ENDUSER1-TEST (End User Hosting Ltd), from '192.0.2.64 - 192.0.2.95', source registry",
            "% Abuse contact for '192.0.2.72 - 192.0.2.79' is 'abuse@suballoc.example'",
        ]
    );
    assert!(text.contains("% Information related to '192.0.2.72 - 192.0.2.79'"));
    assert!(text.contains("inetnum:        192.0.2.72 - 192.0.2.79\nnetname:        ENDUSER-LAN\n"));
    // the abuse role is shown with the answer
    assert!(text.contains("nic-hdl:        AR-SUBALLOC-TEST"));
}

#[test]
fn lookup_json_ipv6_lessee() {
    let v = lookup_json("2001:db8:5::1");
    assert_eq!(v["network"]["handle"], "2001:DB8:5::/48");
    assert_eq!(v["network"]["prefix"], "2001:db8:5::/48");
    assert_eq!(v["network"]["status"], "ALLOCATED-BY-LIR");
    assert_eq!(v["network"]["netname"], "V6CLOUD-NET");
    assert_eq!(v["network"]["source"], "TEST");
    assert_eq!(v["holder"]["handle"], "ORG-EXAMPLE1-TEST");
    assert_eq!(v["holder"]["name"], "Example Holder GmbH");
    assert_eq!(v["lessee"]["handle"], "ORG-V6CLOUD1-TEST");
    assert_eq!(v["lessee"]["name"], "Example V6 Cloud AB");
    assert_eq!(v["lessee"]["source"], "registry");
    // mnt-by netutils-mnt, listed in lower case in the platform list
    assert_eq!(v["lessee"]["platform_managed"], true);
    assert_eq!(v["abuse"]["mailbox"], "abuse@v6cloud.example");
    assert_eq!(v["abuse"]["from_handle"], "AR-V6CLOUD-TEST");
    assert_eq!(v["less_specifics"], serde_json::json!(["2001:db8::/32"]));
    assert_eq!(v["registry"], "ripencc");
}

/// (query, network, holder, lessee, platform-managed, abuse mailbox)
type Case<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    bool,
    Option<&'a str>,
);

/// Each case the sample data covers.
#[test]
fn every_sample_case() {
    let cases: &[Case] = &[
        // holder's own assignment: no lessee, the holder's abuse desk
        (
            "192.0.2.10",
            "192.0.2.0 - 192.0.2.63",
            Some("ORG-EXAMPLE1-TEST"),
            None,
            false,
            Some("abuse@holder.example"),
        ),
        // allocation itself (no more specific object)
        (
            "192.0.2.100",
            "192.0.2.64 - 192.0.2.127",
            Some("ORG-EXAMPLE1-TEST"),
            Some("ORG-SUBALLOC1-TEST"),
            false,
            Some("abuse@suballoc.example"),
        ),
        // platform-managed leased leaf with its own abuse-c
        (
            "192.0.2.130",
            "192.0.2.128 - 192.0.2.191",
            Some("ORG-EXAMPLE1-TEST"),
            Some("ORG-LESSEE7-TEST"),
            true,
            Some("abuse@lessee.example"),
        ),
        // non-aligned range
        (
            "192.0.2.195",
            "192.0.2.192 - 192.0.2.250",
            Some("ORG-EXAMPLE1-TEST"),
            Some("ORG-NONALIGNED1-TEST"),
            false,
            Some("abuse@odd.example"),
        ),
        // overlap of two siblings: the smaller one is more specific
        (
            "192.0.2.210",
            "192.0.2.200 - 192.0.2.255",
            Some("ORG-EXAMPLE1-TEST"),
            Some("ORG-OVERLAP1-TEST"),
            false,
            Some("abuse@overlap.example"),
        ),
        (
            "192.0.2.252",
            "192.0.2.200 - 192.0.2.255",
            Some("ORG-EXAMPLE1-TEST"),
            Some("ORG-OVERLAP1-TEST"),
            false,
            Some("abuse@overlap.example"),
        ),
        // LEGACY below LEGACY: one holder; abuse from the holder's IRT
        (
            "198.51.100.5",
            "198.51.100.0 - 198.51.100.127",
            Some("ORG-LEGACY1-TEST"),
            Some("ORG-LEGACY2-TEST"),
            false,
            Some("irt-abuse@legacy.example"),
        ),
        // Latin-1, gzip, CRLF file
        (
            "198.51.100.200",
            "198.51.100.128 - 198.51.100.255",
            Some("ORG-LEGACY1-TEST"),
            Some("ORG-LATIN1-TEST"),
            false,
            Some("abus@societe.example"),
        ),
        // only delegated statistics: the opaque holder id
        (
            "198.18.5.5",
            "198.18.0.0 - 198.19.127.255",
            Some("b5a1c2d3-0000-4000-8000-000000000003"),
            None,
            false,
            None,
        ),
        // placeholder object is never the holder; another registry's stats are
        (
            "203.0.113.9",
            "203.0.113.0 - 203.0.113.255",
            Some("A9173591"),
            None,
            false,
            None,
        ),
        // an IPv6 range written first - last
        (
            "2001:db8:6::10",
            "2001:db8:6:: - 2001:db8:6::ffff",
            Some("ORG-EXAMPLE1-TEST"),
            None,
            false,
            Some("abuse@holder.example"),
        ),
    ];
    for &(q, net, holder, lessee, platform, abuse) in cases {
        let v = lookup_json(q);
        assert_eq!(v["network"]["handle"], net, "{q}: network");
        assert_eq!(v["holder"]["handle"].as_str(), holder, "{q}: holder");
        assert_eq!(v["lessee"]["handle"].as_str(), lessee, "{q}: lessee");
        if lessee.is_some() {
            assert_eq!(v["lessee"]["platform_managed"], platform, "{q}: platform");
        }
        assert_eq!(v["abuse"]["mailbox"].as_str(), abuse, "{q}: abuse");
    }
    let v = lookup_json("198.51.100.200");
    assert_eq!(
        v["lessee"]["name"],
        "Société Générale d'Exemple Müller & Fils"
    );
    let v = lookup_json("203.0.113.9");
    assert_eq!(v["holder"]["registry"], "apnic");
    assert_eq!(
        v["less_specifics"],
        serde_json::json!(["0.0.0.0 - 255.255.255.255"])
    );
}

#[test]
fn prefixes_ranges_asns_and_handles() {
    let v = lookup_json("192.0.2.0/24");
    assert_eq!(v["network"]["handle"], "192.0.2.0 - 192.0.2.255");
    let v = lookup_json("192.0.2.64 - 192.0.2.95");
    assert_eq!(v["network"]["handle"], "192.0.2.64 - 192.0.2.95");
    assert_eq!(
        v["less_specifics"],
        serde_json::json!([
            "192.0.2.64 - 192.0.2.127",
            "192.0.2.0 - 192.0.2.255",
            "0.0.0.0 - 255.255.255.255"
        ])
    );
    // range spanning two children: the smallest object containing all of it
    let v = lookup_json("192.0.2.60 - 192.0.2.70");
    assert_eq!(v["network"]["handle"], "192.0.2.0 - 192.0.2.255");

    let v = lookup_json("AS64500");
    assert_eq!(v["objects"][0]["key"], "AS64500");
    assert_eq!(v["abuse"]["mailbox"], "abuse@holder.example");
    assert_eq!(v["abuse"]["via"], "ORG-EXAMPLE1-TEST");
    let v = lookup_json("as64505");
    assert_eq!(v["objects"][0]["class"], "as-block");

    let v = lookup_json("org-example1-test");
    assert_eq!(v["objects"][0]["key"], "ORG-EXAMPLE1-TEST");
    assert_eq!(v["abuse"]["mailbox"], "abuse@holder.example");
    let v = lookup_json("irt-legacy-test");
    assert_eq!(v["objects"][0]["class"], "irt");
    let v = lookup_json("holder-mnt");
    assert_eq!(v["objects"][0]["class"], "mntner");
    assert_eq!(
        v["objects"][0]["attributes"].as_array().map(Vec::len),
        Some(2),
        "mntner: name only"
    );
    let v = lookup_json("8.B.D.0.1.0.0.2.IP6.ARPA.");
    assert_eq!(v["objects"][0]["class"], "domain");
    // object provenance: file and first line
    let v = lookup_json("AR-LESSEE-TEST");
    assert_eq!(
        v["objects"][0]["origin"]
            .as_str()
            .map(|s| s.ends_with("test-ripe.db:138")),
        Some(true),
        "{}",
        v["objects"][0]["origin"]
    );
}

#[test]
fn not_found_and_malformed_queries() {
    let o = tenure(&[
        "lookup",
        "--quiet",
        "4000::1",
        "--dump",
        "data/test-ripe-v6.db",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o).trim(), "%ERROR:101: no entries found");
    // special-purpose space no object covers: said so, never "no entries"
    let o = tenure(&["lookup", "--dump", "data/test-ripe-v6.db", "10.0.0.1"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o)
            .contains("% Special-purpose address space: '10.0.0.0/8', Private-Use (RFC 1918)"),
        "{}",
        stdout(&o)
    );
    // space IANA's bootstrap gives to a registry not loaded here: referred
    let o = tenure(&["lookup", "2001:db9::1"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("refer:          whois.apnic.net"));
    let v = lookup_json("AS1");
    assert_eq!(v["found"], false);
    for (q, why) in [
        ("10.1", "is not an IP address"),
        ("010.0.0.1", "is not an IP address"),
        ("192.0.2.1/24", "host bits"),
        ("192.0.2.9 - 192.0.2.1", "ends before it starts"),
        ("AS5 - AS1", "AS number"),
        ("no/such key", "not an address"),
    ] {
        let o = tenure(&["lookup", q]);
        assert_eq!(o.status.code(), Some(2), "{q}");
        assert!(stderr(&o).contains(why), "{q}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn check_reports_every_skip_with_file_and_line() {
    let o = tenure(&["check", "--quiet", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let skipped = &v["report"]["skipped"];
    assert_eq!(skipped["bad primary key"]["count"], 2);
    assert_eq!(skipped["bad attribute line"]["count"], 1);
    assert_eq!(skipped["bad ipv4 start address"]["count"], 1);
    let examples: Vec<String> = ["bad primary key", "bad attribute line"]
        .iter()
        .flat_map(|r| {
            skipped[r]["examples"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|e| e.as_str().map(str::to_string))
        .collect();
    assert!(
        examples.iter().any(|e| e.contains("test-ripe.db:209:")),
        "{examples:?}"
    );
    assert!(
        examples.iter().any(|e| e.contains("test-ripe-v6.db:65:")),
        "{examples:?}"
    );
    assert!(
        examples
            .iter()
            .any(|e| e.contains("test-ripe.db:215: line 217")),
        "{examples:?}"
    );
    assert_eq!(v["report"]["objects"]["TEST"]["inetnum"], 13);
    assert_eq!(v["report"]["objects"]["TEST"]["inet6num"], 4);
    assert_eq!(v["report"]["ignored"]["route"], 1);
    assert_eq!(v["delegations"], 7);
    assert!(v["peak_rss_bytes"].as_u64().unwrap_or(0) > 0);

    let o = tenure(&["check", "--quiet"]);
    let text = stdout(&o);
    // 10 in the registry and lease files, one in the routing table and one
    // in the VRPs
    assert!(text.contains("skipped: 12"), "{text}");
    assert!(
        text.contains("data/test-pfx2as-20261124.txt:7: 203.0.113.0"),
        "{text}"
    );
    assert!(text.contains("data/test-vrps.json:10: "), "{text}");
    assert!(text.contains("bad primary key: 2"));
}

#[test]
fn unreadable_truncated_and_zip_sources_fail_with_the_file_named() {
    let tmp = std::env::temp_dir().join(format!("tenure-it-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let gz = std::fs::read(data("test-latin1.db.gz")).unwrap();
    let truncated = tmp.join("truncated.db.gz");
    std::fs::write(&truncated, &gz[..gz.len() / 2]).unwrap();
    let zip = tmp.join("dump.db.gz");
    std::fs::write(&zip, b"PK\x03\x04rest of a zip file").unwrap();
    let missing = tmp.join("missing.db");
    for (path, why) in [
        (&truncated, "cannot read"),
        (&zip, "ZIP archive"),
        (&missing, "cannot open"),
    ] {
        let p = path.to_str().unwrap();
        let o = tenure(&["check", "--quiet", "--dump", p]);
        assert_eq!(o.status.code(), Some(4), "{p}");
        let e = stderr(&o);
        assert!(e.contains(p) && e.contains(why), "{e}");
        let o = tenure(&["lookup", "--quiet", "--dump", p, "192.0.2.1"]);
        assert_eq!(o.status.code(), Some(4), "{p}");
    }
    let bad_cfg = tmp.join("bad.toml");
    std::fs::write(&bad_cfg, "dumps = []\n").unwrap();
    let o = tenure(&["check", "--config", bad_cfg.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains("dumps"), "{}", stderr(&o));
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn sample_data_is_found_from_another_directory() {
    // the binary falls back to the data/ directory of its source tree
    let o = tenure_in(&std::env::temp_dir(), &["lookup", "--quiet", "192.0.2.130"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("ORG-LESSEE7-TEST"));
}

#[test]
fn flags_and_help() {
    let o = tenure(&["--help"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("lookup") && stdout(&o).contains("check"));
    assert!(!stdout(&o).contains("gen-data"), "hidden");
    let o = tenure(&["--version"]);
    assert!(stdout(&o).starts_with("tenure "));
    let o = tenure(&["lookup", "--encoding", "klingon", "192.0.2.1"]);
    assert_eq!(o.status.code(), Some(2));
    // flags override the sample config: only the v6 dump, strict UTF-8
    let v6 = data("test-ripe-v6.db");
    let o = tenure(&[
        "lookup",
        "--quiet",
        "--json",
        "--encoding",
        "utf-8",
        "--dump",
        v6.to_str().unwrap(),
        "192.0.2.77",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["found"], false);
    let o = tenure(&[
        "lookup",
        "--quiet",
        "--index-backend",
        "iptrie",
        "192.0.2.77",
    ]);
    assert!(stdout(&o).contains("% Lessee: ORG-ENDUSER1-TEST"));
}

#[test]
fn every_key_of_the_example_config_is_a_serve_flag() {
    let example = std::fs::read_to_string(data("example.toml")).unwrap();
    // the file's last section is fetch's: its keys are fetch's flags, up
    // to its [[fetch]] / [[nrtm]] tables (fields of a table, not flags)
    let (serving, fetching) = example
        .split_once("# --- tenure fetch")
        .expect("a tenure fetch section");
    let fetching = fetching.split("\n# [[").next().unwrap_or("");
    // keys as written, set or commented out: `key = ...` / `# key = ...`
    let keys = |text: &'static str| -> Vec<&'static str> {
        text.lines()
            .map(|l| l.trim_start_matches("# "))
            .filter_map(|l| l.split_once(" = ").map(|(k, _)| k))
            .filter(|k| k.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
            .collect()
    };
    let serving: &'static str = Box::leak(serving.to_string().into_boxed_str());
    let fetching: &'static str = Box::leak(fetching.to_string().into_boxed_str());
    for (command, text, least) in [("serve", serving, 30), ("fetch", fetching, 5)] {
        let help = stdout(&tenure(&[command, "--help"]));
        let keys = keys(text);
        assert!(keys.len() >= least, "{keys:?}");
        for k in keys {
            let flag = format!("--{k}");
            let named = help.split_whitespace().any(|w| w == flag);
            assert!(named, "no {flag} flag in {command} --help");
        }
    }
}

#[test]
fn inverse_answers_say_when_they_were_cut() {
    let dir = std::env::temp_dir().join(format!("tenure-inv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dump = dir.join("gen.db");
    let d = dump.to_str().unwrap();
    let o = tenure(&["gen-data", "--objects", "3000", "--out", d]);
    assert!(o.status.success());
    let sources = tenure::dump::Sources {
        dumps: vec![dump.clone()],
        ..Default::default()
    };
    let snap = super::support::snapshot_of(&sources);
    let text = tenure::whois::respond::respond(&snap, "-i mnt-by GEN-MNT", 0, false).text;
    assert!(
        text.contains("% Output truncated: more than 1000 objects; narrow the query"),
        "{}",
        text.lines().last().unwrap_or("")
    );
    assert_eq!(
        text.matches("\nsource:").count() + usize::from(text.starts_with("source:")),
        1000
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_report_never_echoes_control_characters() {
    let dir = std::env::temp_dir().join(format!("tenure-ctl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let dump = dir.join("ctl.db");
    std::fs::write(
        &dump,
        b"inetnum: 192.0.2.0 - 192.0.2.255\nbad\x1b[31m line\x07\nsource: X\n",
    )
    .unwrap();
    let o = tenure(&["check", "--dump", dump.to_str().unwrap()]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("is not 'name: value'"), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    std::fs::remove_dir_all(&dir).ok();
}
