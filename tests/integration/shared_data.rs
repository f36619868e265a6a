//! Real registry excerpts in `../shared/data/` (read in place, never
//! copied): every file loads without a crash, every skip is reported, and
//! the registry-specific notations come out right.

use super::*;
use serde_json::Value;

/// The shared excerpts: `$TENURE_SHARED_DATA`, else `../shared/data` next
/// to the checkout, else `/work/shared/data`. A machine without them skips
/// these tests and says so on stderr.
pub fn shared() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("TENURE_SHARED_DATA").map(PathBuf::from),
        Some(repo().join("..").join("shared").join("data")),
        Some(PathBuf::from("/work/shared/data")),
    ];
    let found = candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("README.md").is_file());
    if found.is_none() {
        eprintln!("SKIPPED: no shared registry excerpts (set TENURE_SHARED_DATA)");
    }
    found
}

fn check_json(args: &[&str]) -> Value {
    let mut all = vec!["check", "--quiet", "--json"];
    all.extend_from_slice(args);
    let o = tenure(&all);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).expect("json")
}

#[test]
fn rpsl_excerpts_load_and_report_every_skip() {
    let Some(dir) = shared() else { return };
    // (file, expected objects kept (excluding classes not kept), skipped)
    let cases = [
        ("rpsl/ripe-whois-grs-fixture-ripe.test.gz", 0),
        ("rpsl/ripe-whois-grs-fixture-afrinic.test.gz", 0),
        ("rpsl/ripe-whois-grs-fixture-apnic.test.gz", 0),
        ("rpsl/ripe-whois-grs-fixture-lacnic.test", 0),
        ("rpsl/ripe-whois-grs-fixture-radb.test.gz", 1),
        ("rpsl/ripe-whois-grs-fixture-jpirr.test.gz", 1),
    ];
    for (file, skipped) in cases {
        let p = dir.join(file);
        let v = check_json(&["--dump", p.to_str().unwrap()]);
        let all = v["report"]["files"].as_array().unwrap();
        // the dump, and the defaults built into the binary: the platform
        // list and IANA's bootstrap files
        let built_in = |f: &&Value| f["path"].as_str().unwrap().starts_with("(built in) ");
        assert_eq!(all.iter().filter(built_in).count(), 6, "{all:?}");
        let files: Vec<&Value> = all.iter().filter(|f| !built_in(f)).collect();
        assert_eq!(files.len(), 1);
        let kept = files[0]["objects"].as_u64().unwrap();
        assert!(kept > 0, "{file}: nothing loaded");
        assert_eq!(
            files[0]["skipped"], skipped,
            "{file}: {}",
            v["report"]["skipped"]
        );
        // every skipped object is in the report, with file and line
        let reported: u64 = v["report"]["skipped"]
            .as_object()
            .unwrap()
            .values()
            .map(|s| s["count"].as_u64().unwrap())
            .sum();
        assert_eq!(reported, skipped);
        for s in v["report"]["skipped"].as_object().unwrap().values() {
            for e in s["examples"].as_array().unwrap() {
                let e = e.as_str().unwrap();
                assert!(
                    e.contains(file.rsplit('/').next().unwrap())
                        && e.split(':')
                            .nth(1)
                            .is_some_and(|l| l.parse::<u32>().is_ok()),
                    "{e}"
                );
            }
        }
    }
    // the IRRd deleted-object markers are what was skipped
    let p = dir.join("rpsl/ripe-whois-grs-fixture-radb.test.gz");
    let v = check_json(&["--dump", p.to_str().unwrap()]);
    assert_eq!(v["report"]["skipped"]["deleted object marker"]["count"], 1);
    // the RIPE excerpt: as-blocks of source RIPE
    let p = dir.join("rpsl/ripe-whois-grs-fixture-ripe.test.gz");
    let v = check_json(&["--dump", p.to_str().unwrap()]);
    assert!(v["report"]["objects"]["RIPE"]["as-block"].as_u64().unwrap() >= 2);
}

#[test]
fn lacnic_abbreviated_prefixes_latin1_and_bare_asns() {
    let Some(dir) = shared() else { return };
    let p = dir.join("rpsl/ripe-whois-grs-fixture-lacnic.test");
    let p = p.to_str().unwrap();
    let o = tenure(&["lookup", "--quiet", "--json", "--dump", p, "24.232.16.77"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["network"]["start"], "24.232.16.0");
    assert_eq!(v["network"]["end"], "24.232.16.255");
    assert_eq!(v["network"]["status"], "reallocated");
    let o = tenure(&[
        "lookup",
        "--quiet",
        "--json",
        "--dump",
        p,
        "2001:1200:2000::1",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["network"]["prefix"], "2001:1200:2000::/48");
    let o = tenure(&["lookup", "--quiet", "--json", "--dump", p, "AS278"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let attrs = v["objects"][0]["attributes"].as_array().unwrap();
    let owner = attrs.iter().find(|a| a[0] == "owner").unwrap();
    assert_eq!(
        owner[1],
        "FUNDAÇÃO DE AMPARO À PESQUISA DO ESTADO SÃO PAULO"
    );
}

#[test]
fn arin_bulk_zip_loads_as_arin_ships_it() {
    let Some(dir) = shared() else { return };
    let p = dir.join("rpsl/ripe-whois-grs-fixture-arin.test.zip");
    let p = p.to_str().unwrap();
    // the text member of the archive (arin_db.txt beside the XML form)
    let v = check_json(&["--dump", p]);
    let files = v["report"]["files"].as_array().unwrap();
    let zip = files
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with(".zip"))
        .unwrap();
    assert!(zip["objects"].as_u64().unwrap() >= 4, "{files:?}");
    assert_eq!(zip["skipped"], 0);
    let o = tenure(&["lookup", "--quiet", "--json", "--dump", p, "192.104.33.7"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["network"]["start"], "192.104.33.0", "{v}");
    assert_eq!(v["holder"]["handle"], "THESPI", "{v}");
    let o = tenure(&[
        "lookup",
        "--quiet",
        "--json",
        "--dump",
        p,
        "2001:468:400::1",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    // a reallocation below no loaded allocation: ARIN's customer network
    assert_eq!(v["network"]["status"], "reallocation", "{v}");
}

#[test]
fn delegated_files_of_every_registry() {
    let Some(dir) = shared() else { return };
    for rir in ["ripencc", "arin", "apnic", "lacnic", "afrinic"] {
        let p = dir.join(format!("delegated/nro-delegated-stats-2019-excerpt-{rir}"));
        let v = check_json(&["--delegated", p.to_str().unwrap()]);
        assert_eq!(v["report"]["skipped"], serde_json::json!({}), "{rir}");
        assert_eq!(v["delegations"], 300, "{rir}");
    }
    // full 2013 files: every record of the summary lines, none skipped
    let p = dir.join("delegated/ripe-whois-2013-delegated-ripencc-extended-latest.gz");
    let v = check_json(&["--delegated", p.to_str().unwrap()]);
    assert_eq!(v["delegations"], 111_223);
    assert_eq!(v["report"]["skipped"], serde_json::json!({}));
    let p2 = dir.join("delegated/ripe-whois-2013-delegated-apnic-extended-latest.gz");
    let v = check_json(&["--delegated", p2.to_str().unwrap()]);
    assert_eq!(v["delegations"], 46_596);

    // a non-power-of-two IPv4 count becomes an exact, non-CIDR range; RIPE's
    // 2013 file has no opaque ids, so no holder, but the registry is known
    let o = tenure(&[
        "lookup",
        "--quiet",
        "--json",
        "--delegated",
        p.to_str().unwrap(),
        "2.0.0.1",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["registry"], "ripencc");
    assert_eq!(v["network"]["class"], "delegation");
    assert_eq!(v["holder"], Value::Null);
    // APNIC has opaque ids: the holder is the id at apnic
    let o = tenure(&[
        "lookup",
        "--quiet",
        "--json",
        "--delegated",
        p2.to_str().unwrap(),
        "1.0.0.1",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["holder"]["handle"], "A9173591");
    assert_eq!(v["holder"]["registry"], "apnic");
}
