//! Routing evidence on the sample data (`data/test-pfx2as-20261124.txt`,
//! `data/test-vrps.{json,csv}`, `data/routing-history/`): who announces
//! the space, whether it is the holder's network, RPKI (RFC 6811), the
//! likely user, a routing-only reload, and answers about past times from
//! dated files.

use super::*;
use serde_json::Value;

/// `tenure lookup --json` of the sample data now (leases current), its
/// `routing` member.
fn routing_now(q: &str) -> Value {
    let o = tenure(&[
        "lookup",
        "--quiet",
        "--json",
        "--at",
        "2026-06-01T00:00:00Z",
        q,
    ]);
    assert!(o.status.success(), "{q}: {}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    v["routing"].clone()
}

#[test]
fn holder_originated_route_is_the_holders_network_and_rpki_valid() {
    let r = routing_now("192.0.2.200");
    assert_eq!(r["prefix"], "192.0.2.0/24");
    assert_eq!(r["origins"][0]["asn"], 64500);
    assert_eq!(r["origins"][0]["holder"]["handle"], "ORG-EXAMPLE1-TEST");
    assert_eq!(r["origins"][0]["rpki"], "valid");
    assert_eq!(r["by_holder"], true);
    assert_eq!(r["likely_user"], Value::Null);
    assert_eq!(r["source"], "routing");
    assert_eq!(r["as_of"], "2026-11-24T00:00:00Z");
}

#[test]
fn another_networks_route_names_the_likely_user_and_only_as_an_inference() {
    // the holder's own assignment, no lessee: routed by another
    // organisation's AS (RPKI invalid: the VRP names the holder's AS)
    let o = tenure(&["lookup", "--quiet", "--json", "192.0.2.10"]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    let r = &v["routing"];
    assert_eq!(r["prefix"], "192.0.2.0/26");
    assert_eq!(r["origins"][0]["asn"], 64501);
    assert_eq!(r["origins"][0]["rpki"], "invalid");
    assert_eq!(r["origins"][0]["rpki_reason"], "no VRP for this origin AS");
    assert_eq!(r["by_holder"], false);
    assert_eq!(r["likely_user"]["asn"], 64501);
    assert_eq!(r["likely_user"]["holder"]["handle"], "ORG-LESSEE7-TEST");
    assert!(r["likely_user"]["inference"]
        .as_str()
        .unwrap()
        .contains("not the holder's"));
    // never the lessee, never the abuse contact
    assert_eq!(v["lessee"], Value::Null);
    assert_eq!(v["abuse"]["mailbox"], "abuse@holder.example");
    assert_eq!(v["holder"]["handle"], "ORG-EXAMPLE1-TEST");
    // WHOIS says the same and labels the inference
    let text = stdout(&tenure(&["lookup", "--quiet", "192.0.2.10"]));
    assert!(
        text.contains("% Routed by: AS64501 (ORG-LESSEE7-TEST, Example Lessee Ltd), RPKI invalid (no VRP for this origin AS), not the holder's network (route 192.0.2.0/26, as of 2026-11-24T00:00:00Z)"),
        "{text}"
    );
    assert!(
        text.contains("% Likely user (inferred from routing, not a registry record): AS64501 (ORG-LESSEE7-TEST, Example Lessee Ltd)"),
        "{text}"
    );
    assert!(text.contains("% Lessee: none"), "{text}");
}

#[test]
fn a_route_beside_a_lessee_is_evidence_that_agrees_or_disagrees() {
    // the lease names origin AS64501, which announces the block
    let r = routing_now("192.0.2.130");
    assert_eq!(r["prefix"], "192.0.2.128/26");
    assert_eq!(r["origins"][0]["rpki"], "valid");
    assert_eq!(r["lessee_agrees"], true);
    assert_eq!(
        r["likely_user"],
        Value::Null,
        "a lessee exists: no inference"
    );
    // a registry lessee whose organisation holds neither origin AS
    let r = routing_now("192.0.2.77");
    assert_eq!(r["lessee_agrees"], false);
    assert_eq!(r["likely_user"], Value::Null);
}

#[test]
fn multi_origin_as_set_no_route_and_not_found() {
    // multi-origin: each origin judged on its own; one is the holder's
    let r = routing_now("192.0.2.70");
    assert_eq!(r["prefix"], "192.0.2.64/26");
    let asns: Vec<u64> = r["origins"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["asn"].as_u64())
        .collect();
    assert_eq!(asns, [64500, 64501]);
    assert_eq!(r["origins"][0]["rpki"], "valid");
    assert_eq!(r["origins"][1]["rpki"], "invalid");
    assert_eq!(r["by_holder"], true);
    // an AS set: origin NONE, invalid where a VRP covers it (RFC 6811 2)
    let r = routing_now("198.51.100.1");
    assert_eq!(r["origins"][0]["asn"], Value::Null);
    assert_eq!(r["origins"][0]["as_set"], serde_json::json!([64501, 64502]));
    assert_eq!(r["origins"][0]["rpki"], "invalid");
    assert_eq!(r["origins"][0]["rpki_reason"], "an AS set matches no VRP");
    assert_eq!(r["by_holder"], Value::Null);
    // no VRP covers it: not-found; an AS nobody here holds: not comparable
    let r = routing_now("203.0.113.1");
    assert_eq!(r["origins"][0]["rpki"], "not-found");
    assert_eq!(r["origins"][0]["holder"], Value::Null);
    assert_eq!(r["by_holder"], Value::Null);
    assert_eq!(r["likely_user"], Value::Null);
    // no route
    let r = routing_now("198.18.0.1");
    assert_eq!(r["announced"], false);
    assert_eq!(r["prefix"], Value::Null);
    assert_eq!(r["note"], "not announced in the loaded routing tables");
}

#[test]
fn ipv6_routes_and_a_route_longer_than_the_vrp_allows() {
    let r = routing_now("2001:db8::1");
    assert_eq!(r["prefix"], "2001:db8::/32");
    assert_eq!(r["origins"][0]["rpki"], "valid");
    assert_eq!(r["by_holder"], true);
    // a VRP names AS64501 but only up to /32: the /48 is invalid (length)
    let r = routing_now("2001:db8:5::1");
    assert_eq!(r["prefix"], "2001:db8:5::/48");
    assert_eq!(r["origins"][0]["asn"], 64501);
    assert_eq!(r["origins"][0]["rpki"], "invalid");
    assert_eq!(
        r["origins"][0]["rpki_reason"],
        "longer than the VRP's maxLength"
    );
}

#[test]
fn without_routing_files_answers_carry_no_routing() {
    let o = tenure(&[
        "lookup",
        "--quiet",
        "--json",
        "--dump",
        data("test-ripe.db").to_str().unwrap(),
        "192.0.2.10",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["routing"], Value::Null);
    let text = stdout(&tenure(&[
        "lookup",
        "--quiet",
        "--dump",
        data("test-ripe.db").to_str().unwrap(),
        "192.0.2.10",
    ]));
    assert!(!text.contains("Routed by"), "{text}");
}

#[test]
fn dated_files_answer_for_the_time_asked() {
    let dir = data("routing-history");
    let dump = data("test-ripe.db");
    let ask = |at: Option<&str>| {
        let mut args = vec![
            "lookup",
            "--quiet",
            "--json",
            "--dump",
            dump.to_str().unwrap(),
            "--pfx2as",
            dir.to_str().unwrap(),
        ];
        if let Some(t) = at {
            args.extend(["--at", t]);
        }
        args.push("192.0.2.130");
        let o = tenure(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).expect("json");
        v["routing"].clone()
    };
    // now: the newest file (2026-01-01)
    let r = ask(None);
    assert_eq!(r["origins"][0]["asn"], 64501);
    assert_eq!(r["as_of"], "2026-01-01T00:00:00Z");
    // mid-2025: the 2025-01-01 file
    let r = ask(Some("2025-06-01T00:00:00Z"));
    assert_eq!(r["origins"][0]["asn"], 64502, "{r}");
    assert_eq!(r["as_of"], "2025-01-01T00:00:00Z");
    // before every file: said so, no route
    let r = ask(Some("2024-06-01T00:00:00Z"));
    assert_eq!(r["announced"], false);
    assert_eq!(r["note"], "no routing file covers the time asked about");
}

#[test]
fn a_routing_only_snapshot_shares_the_registry_and_the_leases() {
    let full = super::support::snapshot();
    let dir = std::env::temp_dir().join(format!("tenure-routing-only-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let table = dir.join("pfx2as.txt");
    std::fs::write(&table, "192.0.2.0\t24\t64502\n").unwrap();
    let sources = tenure::dump::RoutingSources {
        pfx2as: vec![table],
        vrps: vec![],
    };
    let loaded = tenure::dump::load_routing_files(&sources, None).expect("routing");
    let again = full.with_routing(loaded, full.serial + 1);
    assert!(again.shares_registry_with(&full), "registry shared");
    assert!(!again.shares_routing_with(&full));
    assert_eq!(again.lease_count(), full.lease_count());
    assert_eq!(again.report.leases.loaded, full.report.leases.loaded);
    assert_eq!(again.routing().routes(), 1);
    assert!(!again.routing().has_vrps());
    let at = tenure::time::parse("2026-06-01T00:00:00Z").unwrap();
    let q = tenure::query::parse_query("192.0.2.130").unwrap();
    let before = tenure::query::to_json("q", &tenure::query::lookup(&full, &q, at));
    let after = tenure::query::to_json("q", &tenure::query::lookup(&again, &q, at));
    assert_eq!(before["lessee"], after["lessee"]);
    assert_eq!(before["abuse"], after["abuse"]);
    assert_eq!(after["routing"]["origins"][0]["asn"], 64502);
    assert_eq!(
        after["routing"]["origins"][0]["rpki"],
        Value::Null,
        "no VRPs now"
    );
    assert_eq!(after["routing"]["lessee_agrees"], false);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn sigusr2_reloads_the_routing_files_alone_and_keeps_them_on_a_bad_file() {
    let (dir, _) = super::reload::reload_dir("routing-reload");
    std::fs::write(dir.join("pfx2as.txt"), "192.0.2.0\t24\t64500\n").unwrap();
    std::fs::write(
        dir.join("vrps.json"),
        r#"{"roas": [{"asn": "AS64500", "prefix": "192.0.2.0/24", "maxLength": 24, "ta": "t"}]}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("tenure.toml"),
        "dump = [\"test-ripe.db\"]\npfx2as = [\"pfx2as.txt\"]\nvrps = [\"vrps.json\"]\n",
    )
    .unwrap();
    let cfg = dir.join("tenure.toml");
    let mut served = Served::start(&repo(), &["--config", cfg.to_str().unwrap()], 1);
    let addr = served.addr("whois");
    let a = ask(addr, "192.0.2.5");
    assert!(a.contains("% Routed by: AS64500 (ORG-EXAMPLE1-TEST"), "{a}");
    assert!(a.contains("RPKI valid"), "{a}");

    // a new hourly table: the routing part alone is read again
    std::fs::write(dir.join("pfx2as.txt"), "192.0.2.0\t24\t64501\n").unwrap();
    served.signal("-USR2");
    let a = super::reload::until(addr, "192.0.2.5", "% Routed by: AS64501");
    assert!(
        a.contains("Data serial 2") && a.contains("RPKI invalid"),
        "{a}"
    );

    // a VRP file cut short: refused, the routing served stays
    std::fs::write(dir.join("vrps.json"), r#"{"roas": [{"asn": "AS6450"#).unwrap();
    served.signal("-USR2");
    super::reload::until_logged(&served, "reload (routing) failed", 1);
    let a = ask(addr, "192.0.2.5");
    assert!(
        a.contains("Data serial 2") && a.contains("% Routed by: AS64501"),
        "{a}"
    );
    served.signal("-TERM");
    let code = served.wait_exit();
    let log = served.log();
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("reloaded (routing): serial 2"), "{log}");
    assert!(log.contains("1 announced prefixes, 1 VRPs"), "{log}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_server_reads_a_past_times_files_without_making_the_query_wait() {
    let dir = std::env::temp_dir().join(format!("tenure-routing-past-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(data("test-ripe.db"), dir.join("test-ripe.db")).unwrap();
    std::fs::write(
        dir.join("tenure.toml"),
        format!(
            "dump = [\"test-ripe.db\"]\npfx2as = [{:?}]\n",
            data("routing-history").to_str().unwrap()
        ),
    )
    .unwrap();
    let cfg = dir.join("tenure.toml");
    let mut served = Served::start(&repo(), &["--config", cfg.to_str().unwrap()], 1);
    let addr = served.addr("whois");
    // now: the newest file
    let a = ask(addr, "192.0.2.130");
    assert!(a.contains("% Routed by: AS64501"), "{a}");
    // mid-2025: read on a thread of its own; the first answer may say it
    // is loading, a later one has the 2025 file's route
    let first = ask(addr, "--at 2025-06-01T00:00:00Z 192.0.2.130");
    assert!(
        first.contains("is loading") || first.contains("% Routed by: AS64502"),
        "{first}"
    );
    let a = super::reload::until(
        addr,
        "--at 2025-06-01T00:00:00Z 192.0.2.130",
        "% Routed by: AS64502",
    );
    assert!(a.contains("as of 2025-01-01T00:00:00Z"), "{a}");
    // before every file: said so
    let a = super::reload::until(
        addr,
        "--at 2024-06-01T00:00:00Z 192.0.2.130",
        "no routing file covers the time asked about",
    );
    assert!(a.contains("% Routed by: none"), "{a}");
    served.signal("-TERM");
    assert_eq!(served.wait_exit(), Some(0), "{}", served.log());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn each_registrys_as_holders_compare_with_the_address_holder() {
    let dir = std::env::temp_dir().join(format!("tenure-routing-holders-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let table = dir.join("t.pfx2as");
    std::fs::write(
        &table,
        "192.0.2.0\t24\t64496\n192.0.2.128\t25\t64497\n198.18.0.0\t15\t64497\n",
    )
    .unwrap();
    let routing = |dump: &str, q: &str| {
        let mut args = vec![
            "lookup",
            "--quiet",
            "--json",
            "--pfx2as",
            table.to_str().unwrap(),
        ];
        let d = data(dump);
        let ds = d.to_str().unwrap().to_string();
        if dump.starts_with("delegated") {
            args.extend(["--delegated", &ds]);
        } else {
            args.extend(["--dump", &ds]);
        }
        args.push(q);
        let o = tenure(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: Value = serde_json::from_slice(&o.stdout).expect("json");
        v["routing"].clone()
    };
    // ARIN: the AS record's OrgID is the network's holder
    let r = routing("test-arin.txt", "192.0.2.5");
    assert_eq!(r["origins"][0]["holder"]["handle"], "EXHI-1");
    assert_eq!(r["origins"][0]["holder"]["registry"], "arin");
    assert_eq!(r["by_holder"], true);
    // LACNIC: the owner named inline on both
    let r = routing("test-lacnic.db", "192.0.2.5");
    assert_eq!(
        r["origins"][0]["holder"]["handle"],
        "Ejemplo Telecomunicaciones S.A."
    );
    assert_eq!(r["by_holder"], true);
    // delegated statistics alone: opaque ids of one registry compare; the
    // AS block's id is not the id of 198.18.0.0/15's holder
    let r = routing("delegated-ripencc-test-extended", "198.18.0.1");
    assert_eq!(r["origins"][0]["asn"], 64497);
    assert_eq!(r["origins"][0]["holder"]["organisation"], false);
    assert_eq!(r["by_holder"], false);
    assert_eq!(r["likely_user"]["asn"], 64497);
    // ... and is the id of 192.0.2.0/24's
    let r = routing("delegated-ripencc-test-extended", "192.0.2.130");
    assert_eq!(r["by_holder"], true);
    std::fs::remove_dir_all(&dir).ok();
}

/// On the five registries' real delegated statistics: an address block and
/// an AS number delegated to one opaque id are one holder's (a route from
/// that AS is the holder's network); from an AS of another holder of the
/// same registry it is not, and that AS is the likely user.
#[test]
fn real_delegated_statistics_tell_the_holders_network() {
    let Some(dir) = super::shared_data::shared() else {
        return;
    };
    let work = std::env::temp_dir().join(format!("tenure-routing-real-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let mut checked = 0;
    for rir in ["afrinic", "apnic", "arin", "lacnic", "ripencc"] {
        let file = dir
            .join("delegated")
            .join(format!("nro-delegated-stats-2019-excerpt-{rir}"));
        let text = std::fs::read_to_string(&file).unwrap();
        // opaque id -> (first ipv4 start with its count, first asn)
        let mut v4: std::collections::BTreeMap<String, (String, u64)> = Default::default();
        let mut asn: std::collections::BTreeMap<String, u32> = Default::default();
        for line in text.lines() {
            let f: Vec<&str> = line.split('|').collect();
            if f.len() < 8 || !matches!(f[6], "allocated" | "assigned") || f[7].is_empty() {
                continue;
            }
            match f[2] {
                "ipv4" => {
                    v4.entry(f[7].to_string())
                        .or_insert((f[3].to_string(), f[4].parse().unwrap_or(0)));
                }
                "asn" => {
                    asn.entry(f[7].to_string())
                        .or_insert(f[3].parse().unwrap_or(0));
                }
                _ => {}
            }
        }
        // a holder with both, and an AS of another holder
        let Some((id, (start, count))) = v4
            .iter()
            .find(|(id, (_, n))| asn.contains_key(*id) && n.is_power_of_two())
        else {
            eprintln!("{rir}: no holder with an address block and an AS in the excerpt");
            continue;
        };
        let Some((_, &other)) = asn.iter().find(|(o, _)| *o != id) else {
            continue;
        };
        let own = asn[id];
        let len = 32 - count.trailing_zeros();
        let table = work.join(format!("{rir}.pfx2as"));
        // the block from its holder's AS, its first /(len+1) from another
        let half: std::net::Ipv4Addr = start.parse().unwrap();
        std::fs::write(
            &table,
            format!("{start}\t{len}\t{own}\n{half}\t{}\t{other}\n", len + 1),
        )
        .unwrap();
        let last = std::net::Ipv4Addr::from(u32::from(half) + *count as u32 - 1);
        let ask = |q: &str| {
            let o = tenure(&[
                "lookup",
                "--quiet",
                "--json",
                "--resource",
                "--delegated",
                file.to_str().unwrap(),
                "--pfx2as",
                table.to_str().unwrap(),
                q,
            ]);
            assert!(o.status.success(), "{rir} {q}: {}", stderr(&o));
            let v: Value = serde_json::from_slice(&o.stdout).expect("json");
            v["routing"].clone()
        };
        let r = ask(&last.to_string());
        assert_eq!(r["origins"][0]["asn"], own, "{rir}: {r}");
        assert_eq!(
            r["origins"][0]["holder"]["handle"],
            id.as_str(),
            "{rir}: {r}"
        );
        assert_eq!(r["by_holder"], true, "{rir}: {r}");
        let r = ask(start);
        assert_eq!(r["origins"][0]["asn"], other, "{rir}: {r}");
        assert_eq!(r["by_holder"], false, "{rir}: {r}");
        assert_eq!(r["likely_user"]["asn"], other, "{rir}: {r}");
        checked += 1;
    }
    assert!(
        checked >= 3,
        "only {checked} registries had a holder with both"
    );
    std::fs::remove_dir_all(&work).ok();
}
