//! Each registry's own layout, written in documentation space after the
//! registries' documented formats (`data/test-lacnic.db`,
//! `data/test-arin.txt`; RIPE's and APNIC's shapes are the sample data):
//! holder, lessee, abuse mailbox and platform flag through the real binary,
//! and the RDAP entities they become.

use super::support::{rdap_get, run_with_deadline, tenure};
use serde_json::Value;

/// `tenure lookup --json` of one address over these dump files.
fn lookup(files: &[&str], key: &str) -> Value {
    let mut args = vec!["lookup", "--quiet", "--json"];
    for f in files {
        args.extend(["--dump", f]);
    }
    args.push(key);
    let o = tenure(&args);
    assert!(
        o.status.success(),
        "{key}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap()
}

/// (holder handle, holder name, lessee handle or "", abuse mailbox or "", platform-managed)
fn facts(v: &Value) -> (String, String, String, String, bool) {
    let s = |x: &Value| x.as_str().unwrap_or("").to_string();
    (
        s(&v["holder"]["handle"]),
        s(&v["holder"]["name"]),
        s(&v["lessee"]["handle"]),
        s(&v["abuse"]["mailbox"]),
        v["lessee"]["platform_managed"].as_bool().unwrap_or(false),
    )
}

fn want(h: &str, n: &str, l: &str, a: &str, p: bool) -> (String, String, String, String, bool) {
    (h.into(), n.into(), l.into(), a.into(), p)
}

/// A snapshot of these files alone, for RDAP.
fn snapshot(files: &[&str]) -> tenure::snapshot::Snapshot {
    snapshot_with(files, false)
}

/// A snapshot of these files alone, with or without persons' personal data.
fn snapshot_with(files: &[&str], personal_data: bool) -> tenure::snapshot::Snapshot {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = tenure::dump::Sources {
        dumps: files.iter().map(|f| root.join(f)).collect(),
        personal_data,
        ..Default::default()
    };
    super::support::snapshot_of(&sources)
}

#[test]
fn lacnic_owner_names_the_holder_and_contacts_give_abuse_mail() {
    let f = ["data/test-lacnic.db"];
    // `owner` without `ownerid` is the holder; a reassignment to another
    // owner is the lessee; its abuse-c contact's e-mail is the abuse mailbox
    assert_eq!(
        facts(&lookup(&f, "192.0.2.130")),
        want(
            "Ejemplo Telecomunicaciones S.A.",
            "Ejemplo Telecomunicaciones S.A.",
            "Cliente Arrendatario Ltda.",
            "abuse@cliente.example",
            false
        )
    );
    // a reallocation to the holder itself is no lessee
    assert_eq!(
        facts(&lookup(&f, "192.0.2.70")),
        want(
            "Ejemplo Telecomunicaciones S.A.",
            "Ejemplo Telecomunicaciones S.A.",
            "",
            "abuse@ejemplo-telecom.example",
            false
        )
    );
    assert_eq!(
        facts(&lookup(&f, "2001:db8:1a00::1")).3,
        "abuse@proveedor-v6.example"
    );
    assert_eq!(
        lookup(&f, "AS64496")["abuse"]["mailbox"],
        "abuse@ejemplo-telecom.example"
    );
    // a contact opening with nic-hdl is an entity; RDAP lists the abuse
    // contact by its handle, and the owner (no handle) without a self link
    let snap = snapshot(&f);
    let cfg = tenure::rdap::RdapConfig::default();
    let r = rdap_get(&snap, &cfg, "/rdap/ip/192.0.2.130");
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    let entities = v["entities"].as_array().unwrap();
    let abuse = entities
        .iter()
        .find(|e| e["handle"] == "CLB")
        .expect("abuse entity");
    assert!(abuse["roles"].to_string().contains("abuse"));
    assert!(abuse["vcardArray"]
        .to_string()
        .contains("abuse@cliente.example"));
    let r = rdap_get(&snap, &cfg, "/rdap/entity/CLB");
    assert_eq!(r.status, 200);
    let holder = &v["lease0_holder"];
    assert_eq!(holder["handle"], "Ejemplo Telecomunicaciones S.A.");
    assert!(
        holder.get("links").is_none(),
        "no entity/ for a bare name: {holder}"
    );
}

#[test]
fn arin_bulk_records_give_holder_name_lessee_and_abuse_poc() {
    let f = ["data/test-arin.txt"];
    let a130 = want(
        "EXHI-1",
        "Example Holder Inc.",
        "LESS-7",
        "abuse@lessee-llc.example",
        false,
    );
    // Org records name the holder; a reallocation to another org is the
    // lessee, whose org's abuse POC takes the reports
    assert_eq!(facts(&lookup(&f, "192.0.2.130")), a130);
    // a reassignment to a customer (no POCs): the holder's abuse POC
    assert_eq!(
        facts(&lookup(&f, "192.0.2.70")),
        want(
            "EXHI-1",
            "Example Holder Inc.",
            "C00000042",
            "abuse@holder-inc.example",
            false
        )
    );
    // a network's own abuse POC
    assert_eq!(
        lookup(&f, "2001:db8::1")["abuse"]["from_handle"],
        "ABUSE-EXHI-ARIN"
    );
    assert_eq!(
        lookup(&f, "AS64496")["abuse"]["mailbox"],
        "abuse@holder-inc.example"
    );

    // the same as ARIN ships it: a ZIP with the text and the XML forms
    let dir = std::env::temp_dir().join(format!("tenure-arin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let zip = dir.join("arin_db.zip");
    let text = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/test-arin.txt");
    let script = "import sys, zipfile\n\
        z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)\n\
        z.writestr('arin_db.xml', '<bulkwhois/>')\n\
        z.write(sys.argv[2], 'arin_db.txt')\n\
        z.writestr('README.txt', 'Bulk Whois readme')\n\
        z.close()\n";
    let o = run_with_deadline(
        std::process::Command::new("python3")
            .args(["-c", script])
            .arg(&zip)
            .arg(&text),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let z = zip.to_str().unwrap();
    assert_eq!(facts(&lookup(&[z], "192.0.2.130")), a130);
    std::fs::remove_dir_all(&dir).ok();

    // personal data: a person POC is withheld by default (handle kept),
    // served with --personal-data; role POCs and abuse mailboxes stay
    let text = |args: &[&str]| {
        let o = tenure(args);
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let person = text(&["lookup", "--quiet", "--dump", f[0], "EXA-ARIN"]);
    assert!(person.contains("pochandle:      EXA-ARIN"), "{person}");
    assert!(
        !person.contains("Alice") && !person.contains("555-0101") && !person.contains("alice@"),
        "{person}"
    );
    assert!(person.contains("personal data withheld"), "{person}");
    let full = text(&[
        "lookup",
        "--quiet",
        "--personal-data",
        "--dump",
        f[0],
        "EXA-ARIN",
    ]);
    assert!(
        full.contains("Alice") && full.contains("+1-703-555-0101"),
        "{full}"
    );
    let role = text(&["lookup", "--quiet", "--dump", f[0], "ABUSE-EXHI-ARIN"]);
    assert!(
        role.contains("abuse@holder-inc.example") && role.contains("+1-703-555-0100"),
        "{role}"
    );
}

/// `origin` ("file:line") apart, for comparing two layouts of the same records.
fn without_origins(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| k.as_str() != "origin")
                .map(|(k, v)| (k.clone(), without_origins(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_origins).collect()),
        other => other.clone(),
    }
}

#[test]
fn arin_xml_layout_answers_as_the_text_layout_does() {
    // data/test-arin.xml holds test-arin.txt's records in the XML layout
    let (text, xml) = (["data/test-arin.txt"], ["data/test-arin.xml"]);
    for key in [
        "192.0.2.130",
        "192.0.2.70",
        "192.0.2.5",
        "2001:db8::1",
        "AS64496",
    ] {
        let (a, b) = (lookup(&text, key), lookup(&xml, key));
        assert_eq!(without_origins(&a), without_origins(&b), "{key}");
    }
    // origins name the XML line where the record starts
    let lines: Vec<String> = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/test-arin.xml"),
    )
    .unwrap()
    .lines()
    .map(String::from)
    .collect();
    let v = lookup(&xml, "192.0.2.130");
    let origin = v["network"]["origin"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let line: usize = origin.rsplit(':').next().unwrap().parse().unwrap();
    assert_eq!(lines[line - 1], "<net>", "{origin}");
    assert!(lines[line].contains("NET-192-0-2-128-1"), "{origin}");

    // a ZIP holding only the XML form (a selective download), deflated;
    // a record with a broken range is skipped and reported at its XML line
    let dir = std::env::temp_dir().join(format!("tenure-arin-xml-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let zip = dir.join("nets.zip");
    let broken = lines.join("\n").replace(
        "<startAddress>192.0.2.64</startAddress>",
        "<startAddress>192.0.2.999</startAddress>",
    );
    let script = "import sys, zipfile\n\
        z = zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED)\n\
        z.writestr('arin_db.xml', sys.argv[2])\n\
        z.writestr('schemas/net.rnc', 'element net { text }')\n\
        z.close()\n";
    let o = run_with_deadline(
        std::process::Command::new("python3")
            .args(["-c", script])
            .arg(&zip)
            .arg(&broken),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let z = zip.to_str().unwrap();
    assert_eq!(
        without_origins(&lookup(&[z], "192.0.2.130")),
        without_origins(&lookup(&text, "192.0.2.130"))
    );
    let o = tenure(&["check", "--quiet", "--dump", z]);
    let report = String::from_utf8_lossy(&o.stdout);
    let at = lines
        .iter()
        .position(|l| l.contains("NET-192-0-2-64-1"))
        .unwrap(); // the <net> line is the one before (0-based `at`)
    assert!(report.contains("arin-xml"), "{report}");
    assert!(
        report.contains(&format!("{z}:{at}")),
        "skipped record at its XML line {at}:\n{report}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn apnic_placeholders_are_the_registry_s_own_and_unnamed_holders_are_said_so() {
    let f = ["data/test-apnic.db"];
    // a member's block named like RIPE's placeholder, kept by the member's
    // own maintainer: its holder, and its abuse contact
    assert_eq!(
        facts(&lookup(&f, "192.0.2.5")),
        want(
            "ORG-MEMBER-AP",
            "Example Member Pty Ltd",
            "",
            "abuse@member.example",
            false
        )
    );
    // a NON-PORTABLE block below it maintained by a platform's generated
    // maintainer (a pattern of the built-in list): the lessee, flagged
    assert_eq!(
        facts(&lookup(&f, "192.0.2.130")),
        want(
            "ORG-MEMBER-AP",
            "Example Member Pty Ltd",
            "ORG-TENANT-AP",
            "abuse@tenant.example",
            true
        )
    );
    // no organisation: the netname identifies the block, the registry's
    // text is a description, never an organisation's name; mnt-irt gives
    // the abuse mailbox
    let v = lookup(&f, "198.51.100.5");
    assert_eq!(v["holder"]["handle"], "EXAMPLE-NIR-NET");
    assert_eq!(v["holder"]["name"], Value::Null);
    assert_eq!(v["holder"]["organisation"], false);
    assert_eq!(
        v["holder"]["description"],
        "Japan Network Information Center"
    );
    assert_eq!(v["abuse"]["mailbox"], "abuse@nir.example");
    let o = tenure(&["lookup", "--quiet", "--dump", f[0], "198.51.100.5"]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("% Holder: EXAMPLE-NIR-NET (no organisation registered; the registry's description: Japan Network Information Center)"),
        "{text}"
    );
    // the whole-space block the registry keeps alone is a placeholder
    let snap = snapshot(&f);
    let cfg = tenure::rdap::RdapConfig::default();
    let r = rdap_get(
        &snap,
        &cfg,
        "/rdap/ips/rirSearch1/rdap-top/192.0.2.5?status=active",
    );
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["handle"], "192.0.2.0 - 192.0.2.255", "{v}");
    let r = rdap_get(&snap, &cfg, "/rdap/ip/198.51.100.5");
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        v["lease0_holder"]["vcardArray"][1][1][3],
        "no organisation registered"
    );
    assert!(
        !v["entities"].to_string().contains("sponsor"),
        "a netname is no organisation to list: {v}"
    );
}

#[test]
fn personal_data_when_served_has_a_daily_limit_per_client() {
    let snap = std::sync::Arc::new(snapshot_with(&["data/test-arin.txt"], true));
    let limits = tenure::whois::server::Limits {
        personal_limit: 2,
        ..Default::default()
    };
    let srv = super::support::TestServer::start_with(snap, limits);
    let ask = |q: &str| super::support::ask(srv.v4, q);
    // a person's object counts; two fit in the day's limit of 2
    for _ in 0..2 {
        let a = ask("EXA-ARIN");
        assert!(a.contains("Alice"), "{a}");
    }
    let a = ask("EXA-ARIN");
    assert!(a.contains("%ERROR:201: access denied"), "{a}");
    assert!(!a.contains("Alice"));
    // answers without personal data go on
    let a = ask("ABUSE-EXHI-ARIN");
    assert!(a.contains("abuse@holder-inc.example"), "{a}");
    let a = ask("192.0.2.130");
    assert!(a.contains("% Holder: EXHI-1"), "{a}");
}

#[test]
fn iana_address_space_refers_what_no_bootstrap_file_names() {
    // a bootstrap file that names nothing: IANA's address-space registries
    // (built in) still say who was given the block
    let dir = std::env::temp_dir().join(format!("tenure-as-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("ipv4.json");
    std::fs::write(&empty, r#"{"services": []}"#).unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources = tenure::dump::Sources {
        dumps: vec![root.join("data/test-ripe.db")],
        rdap_bootstrap: vec![empty],
        ..Default::default()
    };
    let snap = super::support::snapshot_of(&sources);
    let text = tenure::whois::respond::respond(&snap, "3.1.2.3", 0, false).text;
    assert!(text.contains("refer:          whois.arin.net"), "{text}");
    assert!(text.contains("IANA's address-space registry"), "{text}");
    let r = rdap_get(
        &snap,
        &tenure::rdap::RdapConfig::default(),
        "/rdap/ip/3.1.2.3",
    );
    assert_eq!(r.status, 302);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn afrinic_mixed_case_status_and_a_platform_beside_the_holder_s_maintainer() {
    let f = ["data/test-afrinic.db"];
    // "Sub-Allocated PA" as older AFRINIC data writes it is a downstream
    // object; LARUS's maintainer beside the holder's flags the lessee
    assert_eq!(
        facts(&lookup(&f, "192.0.2.5")),
        want(
            "ORG-EAL1-AFRINIC",
            "Example Africa Ltd",
            "ORG-LT1-AFRINIC",
            "abuse@lessee-telecom.example",
            true
        )
    );
    assert_eq!(
        facts(&lookup(&f, "192.0.2.200")),
        want(
            "ORG-EAL1-AFRINIC",
            "Example Africa Ltd",
            "",
            "abuse@example-africa.example",
            false
        )
    );
}

#[test]
fn a_binary_copied_anywhere_works_with_its_built_in_defaults() {
    // the binary alone, away from the build tree, run in an empty directory
    let dir = std::env::temp_dir().join(format!("tenure-away-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bin = dir.join("tenure");
    std::fs::copy(env!("CARGO_BIN_EXE_tenure"), &bin).unwrap();
    // a child another test thread forked while the copy was open for
    // writing holds it until that child execs: running the copy fails
    // with ETXTBSY ("text file busy") for that moment
    for _ in 0..100 {
        match std::process::Command::new(&bin).arg("--version").output() {
            Err(e) if e.raw_os_error() == Some(26) => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            _ => break,
        }
    }
    let dump = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/test-ripe.db");
    let dump = dump.to_str().unwrap();
    let run = |args: &[&str]| {
        let o = run_with_deadline(
            std::process::Command::new(&bin)
                .args(args)
                .current_dir(&dir),
        );
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    // the built-in platform list flags the IPXO-maintained leaf
    let v: Value = serde_json::from_str(&run(&[
        "lookup",
        "--quiet",
        "--json",
        "--dump",
        dump,
        "--at",
        "2025-06-01T00:00:00Z",
        "192.0.2.130",
    ]))
    .unwrap();
    assert_eq!(v["lessee"]["platform_managed"], true, "{v}");
    // the built-in bootstrap files refer space held elsewhere
    let text = run(&["lookup", "--quiet", "--dump", dump, "8.8.8.8"]);
    assert!(text.contains("refer:          whois.arin.net"), "{text}");
    // and the report names every default in use, with its date
    let report = run(&["check", "--quiet", "--dump", dump]);
    for d in [
        "(built in) leasing-platform maintainers of ",
        "(built in) IANA rdap-bootstrap-ipv4.json, published ",
        "(built in) IANA ipv4-address-space.csv, newest entry ",
    ] {
        assert!(report.contains(d), "{d}: {report}");
    }
    std::fs::remove_dir_all(&dir).ok();
}
