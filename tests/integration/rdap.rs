//! RDAP answers through `tenure::rdap::handle` (the transport-neutral
//! layer; the HTTP server is tested separately), on the sample data.

use serde_json::Value;
use tenure::rdap::{handle, RdapConfig, Request, Response};

const T: i64 = 1_773_480_600; // 2026-03-14T09:30:00Z

/// One request to the sample data, answered in process.
fn ask_with(
    cfg: &RdapConfig,
    method: &str,
    target: &str,
    accept: Option<&str>,
    origin: &str,
    now: i64,
) -> Response {
    let snap = super::support::snapshot();
    let req = Request {
        method,
        target,
        accept,
        origin,
    };
    handle(&snap, cfg, &req, now)
}

/// A GET with `cfg`, from `origin`, at `now`.
fn ask(cfg: &RdapConfig, target: &str, origin: &str, now: i64) -> Response {
    ask_with(cfg, "GET", target, None, origin, now)
}

fn get_with(method: &str, target: &str, accept: Option<&str>) -> Response {
    let cfg = RdapConfig::from_settings(&tenure::config::RdapSettings {
        port43: Some("whois.example".into()),
        ..Default::default()
    });
    ask_with(&cfg, method, target, accept, "https://rdap.example", T)
}

fn get(target: &str) -> (u16, Value) {
    let r = get_with("GET", target, None);
    (
        r.status,
        serde_json::from_slice(&r.body).unwrap_or(Value::Null),
    )
}

fn header<'a>(r: &'a Response, name: &str) -> Option<&'a str> {
    r.headers
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.as_ref())
}

fn no_nulls(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Array(a) => a.iter().all(no_nulls),
        Value::Object(m) => m.values().all(no_nulls),
        _ => true,
    }
}

#[test]
fn contacts_shown_or_listed_as_redacted() {
    // ENDUSER-NET: admin-c is the dump's placeholder, tech-c a kept role
    let (s, v) = get("/rdap/ip/192.0.2.65?lease0_at=2024-06-01T00:00:00Z");
    assert_eq!(s, 200);
    assert_eq!(v["name"], "ENDUSER-NET");
    let entities = v["entities"].as_array().unwrap();
    let with_role = |role: &str| {
        entities
            .iter()
            .filter(|e| e["roles"].as_array().unwrap().iter().any(|r| r == role))
            .map(|e| e["handle"].as_str().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(with_role("technical"), ["AR-SUBALLOC-TEST"]);
    assert!(with_role("administrative").is_empty());
    assert!(!v.to_string().contains("DUMY-TEST"), "{v}");
    // one entity per handle: the NOC role is technical contact and abuse
    // contact here, one entity with both roles and the abuse mailbox
    let tech = entities
        .iter()
        .find(|e| e["roles"][0] == "technical")
        .unwrap();
    assert!(tech["vcardArray"].to_string().contains("Sub Alloc NOC"));
    assert_eq!(tech["roles"], serde_json::json!(["technical", "abuse"]));
    let handles_seen: Vec<&str> = entities
        .iter()
        .map(|e| e["handle"].as_str().unwrap())
        .collect();
    let mut unique = handles_seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        handles_seen.len(),
        "one entity per handle: {handles_seen:?}"
    );
    for e in entities {
        let roles = e["roles"].to_string();
        assert!(
            roles.contains("abuse") || !e["vcardArray"].to_string().contains("email"),
            "only abuse has e-mail: {e}"
        );
    }
    let redacted = v["redacted"].as_array().unwrap();
    assert_eq!(redacted.len(), 1, "{redacted:?}");
    assert_eq!(redacted[0]["name"]["description"], "Administrative contact");
    assert_eq!(redacted[0]["method"], "removal");
    assert_eq!(redacted[0]["pathLang"], "jsonpath");
    assert!(v["rdapConformance"].to_string().contains("\"redacted\""));
    // a lease answer redacts nothing and so does not claim the extension
    let (_, v) = get("/rdap/ip/192.0.2.130?lease0_at=2026-03-14T09:30:00Z");
    assert_eq!(v["type"], "LEASED");
    assert!(v.get("redacted").is_none());
    assert!(!v["rdapConformance"].to_string().contains("redacted"));
    // help lists every extension
    let (_, h) = get("/rdap/help");
    for ext in [
        "cidr0",
        "rirSearch1",
        "reverse_search",
        "redacted",
        "lease0",
    ] {
        assert!(h["rdapConformance"].to_string().contains(ext), "{ext}");
    }
}

#[test]
fn ip_network_from_the_registry() {
    let (s, v) = get("/rdap/ip/192.0.2.77?lease0_at=2024-06-01T00:00:00Z");
    assert_eq!(s, 200);
    assert_eq!(v["objectClassName"], "ip network");
    assert_eq!(v["handle"], "192.0.2.72 - 192.0.2.79");
    assert_eq!(
        (v["startAddress"].as_str(), v["endAddress"].as_str()),
        (Some("192.0.2.72"), Some("192.0.2.79"))
    );
    assert_eq!(v["ipVersion"], "v4");
    assert_eq!(v["name"], "ENDUSER-LAN");
    assert_eq!(v["type"], "ASSIGNED PA");
    assert_eq!(v["parentHandle"], "192.0.2.64 - 192.0.2.95");
    assert_eq!(
        v["cidr0_cidrs"],
        serde_json::json!([{"v4prefix": "192.0.2.72", "length": 29}])
    );
    let abuse = v["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["roles"][0] == "abuse")
        .unwrap();
    assert_eq!(abuse["handle"], "AR-SUBALLOC-TEST");
    assert!(abuse["vcardArray"]
        .to_string()
        .contains("abuse@suballoc.example"));
    assert_eq!(v["lease0_holder"]["handle"], "ORG-EXAMPLE1-TEST");
    assert_eq!(
        v["lease0_holder"]["roles"],
        serde_json::json!(["registrant"])
    );
    // the holder among the entities is the same entity in role `sponsor`
    // (its card, dates and self link, origin included)
    let mut sponsor = v["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["roles"] == serde_json::json!(["sponsor"]))
        .unwrap()
        .clone();
    sponsor["roles"] = serde_json::json!(["registrant"]);
    assert_eq!(sponsor, v["lease0_holder"]);
    assert!(sponsor["links"][0]["href"]
        .as_str()
        .unwrap()
        .ends_with("/rdap/entity/ORG-EXAMPLE1-TEST"));
    assert_eq!(v["port43"], "whois.example");
    let conf: Vec<&str> = v["rdapConformance"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    assert_eq!(
        conf,
        // the base every response declares (NRO profile 4.1, one ASN
        // model), then the extensions used; link relations are not listed
        [
            "rdap_level_0",
            "nro_rdap_profile_0",
            "cidr0",
            "nro_rdap_profile_asn_flat_0",
            "rirSearch1",
            "ips",
            "lease0",
            "arin_originas0",
            "routing0",
            "redacted"
        ]
    );
    // routing: the most specific announced prefix over 192.0.2.77 has two
    // origins (ARIN's member lists them; tenure's says the rest)
    assert_eq!(
        v["arin_originas0_originautnums"],
        serde_json::json!([64500, 64501])
    );
    let r = &v["routing0_routing"];
    assert_eq!(r["prefix"], "192.0.2.64/26");
    assert_eq!(r["origins"][0]["rpki"], "valid");
    assert_eq!(r["origins"][1]["rpki"], "invalid");
    assert_eq!(r["by_holder"], true);
    assert_eq!(r["source"], "routing");
    assert!(v["links"]
        .to_string()
        .contains("https://rdap.example/rdap/ip/192.0.2.77"));
    assert!(no_nulls(&v), "{v}");
    // IPv6 and a prefix
    let (s, v) = get("/rdap/ip/2001:db8:5::/48?lease0_at=2024-06-01T00:00:00Z");
    assert_eq!(s, 200);
    assert_eq!(v["handle"], "2001:DB8:5::/48");
    assert_eq!(v["ipVersion"], "v6");
    assert_eq!(v["cidr0_cidrs"][0]["v6prefix"], "2001:db8:5::");
}

#[test]
fn a_current_lease_is_the_response_object() {
    let (s, v) = get("/rdap/ip/192.0.2.130");
    assert_eq!(s, 200);
    // lease ids and lessee handles are unique within their source only
    assert_eq!(v["handle"], "example-leases:L-2026-0042");
    assert_eq!(v["name"], "L-2026-0042");
    assert_eq!(v["type"], "LEASED");
    assert_eq!(v["parentHandle"], "192.0.2.128 - 192.0.2.191");
    // the lessee carries the lease's abuse mailbox: one entity, both roles
    let entities = v["entities"].as_array().unwrap();
    assert_eq!(entities.len(), 2, "{v}");
    assert_eq!(entities[0]["handle"], "example-leases:LESSEE-7");
    assert_eq!(
        entities[0]["roles"],
        serde_json::json!(["registrant", "abuse"])
    );
    let card = entities[0]["vcardArray"].to_string();
    assert!(
        card.contains("abuse@lessee.example") && card.contains("\"org\""),
        "{card}"
    );
    // the holder among the entities too, for clients that know no lease0
    assert_eq!(entities[1]["handle"], "ORG-EXAMPLE1-TEST");
    assert_eq!(entities[1]["roles"], serde_json::json!(["sponsor"]));
    assert_eq!(
        v["events"][0],
        serde_json::json!({"eventAction": "registration", "eventDate": "2026-01-01T00:00:00Z"})
    );
    // the record's `updated` is its last change
    assert_eq!(
        v["events"][1],
        serde_json::json!({"eventAction": "last changed", "eventDate": "2026-02-15T12:00:00Z"})
    );
    assert_eq!(v["events"][2]["eventAction"], "expiration");
    // the holder's organisation carries its own dates
    assert_eq!(
        v["lease0_holder"]["events"][0]["eventAction"],
        "registration"
    );
    assert_eq!(v["lease0_holder"]["handle"], "ORG-EXAMPLE1-TEST");
    assert!(v["remarks"][0]["description"]
        .to_string()
        .contains("verified"));
    assert!(no_nulls(&v));
    // an unverified lease never becomes the abuse entity, nor removes the
    // registry's: the abuse entity is the one WHOIS, bulk and the page give
    let (_, v) = get("/rdap/ip/198.51.100.5?lease0_at=2026-06-01T00:00:00Z");
    assert_eq!(v["handle"], "example-leases:L-BAD-1");
    let abuse: Vec<&Value> = v["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["roles"][0] == "abuse")
        .collect();
    assert_eq!(abuse.len(), 1, "{v}");
    assert!(
        abuse[0]["vcardArray"]
            .to_string()
            .contains("irt-abuse@legacy.example"),
        "{v}"
    );
    assert!(v["remarks"][0]["description"]
        .to_string()
        .contains("unverified"));
    // another moment: the registry again
    let (_, v) = get("/rdap/ip/192.0.2.130?lease0_at=2028-06-01T00:00:00Z");
    assert_eq!(v["handle"], "192.0.2.128 - 192.0.2.191");
}

/// The target of an answer's link with this relation, below the origin.
fn link(v: &Value, rel: &str) -> Option<String> {
    v["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == rel)
        .map(|l| {
            let href = l["href"].as_str().unwrap();
            assert!(!href.contains(' '), "a raw space in {href}");
            href.strip_prefix("https://rdap.example")
                .unwrap()
                .to_string()
        })
}

#[test]
fn a_client_walks_from_a_lease_to_the_registry_and_the_holder() {
    // two leases of one /27 current at once: each self link returns itself
    let at = "lease0_at=2026-10-01T00:00:00Z";
    let (_, v) = get(&format!("/rdap/ip/192.0.2.170?{at}"));
    assert_eq!(v["handle"], "example-leases:L-OVL-2");
    let me = link(&v, "self").unwrap();
    assert_eq!(me, "/rdap/lease0_lease/example-leases:L-OVL-2");
    let (s, again) = get(&format!("{me}?{at}"));
    assert_eq!((s, &again["handle"]), (200, &v["handle"]));
    let (s, other) = get(&format!("/rdap/lease0_lease/example-leases:L-OVL-1?{at}"));
    assert_eq!(
        (s, other["handle"].as_str()),
        (200, Some("example-leases:L-OVL-1"))
    );
    assert_eq!(
        link(&other, "self").unwrap(),
        "/rdap/lease0_lease/example-leases:L-OVL-1"
    );
    // an expired lease by its handle: inactive
    let (_, old) = get("/rdap/lease0_lease/example-leases:L-2025-0007");
    assert_eq!(old["status"], serde_json::json!(["inactive"]));

    // up from a lease reaches the registry's object (a lease of its whole
    // range would answer ip/ of it: the registry view is asked for), and
    // never loops back to the lease
    let (_, lease) = get("/rdap/ip/192.0.2.130");
    let up = link(&lease, "up").unwrap();
    assert_eq!(up, "/rdap/ip/192.0.2.128/26?lease0_view=registry");
    assert_eq!(link(&lease, "rdap-up").unwrap(), up);
    let (s, reg) = get(&up);
    assert_eq!(s, 200);
    assert_eq!(reg["handle"], lease["parentHandle"]);
    assert_eq!(reg["handle"], "192.0.2.128 - 192.0.2.191");
    assert_eq!(link(&reg, "self").unwrap(), up, "self returns the object");
    // and up again, to the holder's allocation; parentHandle is what up returns
    let up2 = link(&reg, "up").unwrap();
    let (_, alloc) = get(&up2);
    assert_eq!(alloc["handle"], reg["parentHandle"]);
    assert_eq!(alloc["handle"], "192.0.2.0 - 192.0.2.255");
    // rdap-top rdap-active from the lease: the holder's allocation, one object
    let top = link(&lease, "rdap-top rdap-active").unwrap();
    assert_eq!(
        top,
        "/rdap/ips/rirSearch1/rdap-top/192.0.2.128/26?status=active"
    );
    let (s, holder) = get(&top);
    assert_eq!(s, 200);
    assert_eq!(holder["objectClassName"], "ip network");
    assert_eq!(holder["handle"], "192.0.2.0 - 192.0.2.255");
    assert_eq!(holder["lease0_holder"]["handle"], "ORG-EXAMPLE1-TEST");

    // the lessee resolves as an entity, with its leases
    let (s, lessee) = get("/rdap/entity/example-leases:LESSEE-7");
    assert_eq!(s, 200, "{lessee}");
    assert_eq!(lessee["handle"], "example-leases:LESSEE-7");
    assert_eq!(
        lessee["networks"][0]["handle"],
        "example-leases:L-2026-0042"
    );
    let (s, _) = get("/rdap/entity/LESSEE-7");
    assert_eq!(s, 404, "unqualified lessee handles are not entities");
    let (s, _) = get("/rdap/entity/other-platform:LESSEE-7");
    assert_eq!(s, 404);

    // a range that is no prefix: its self link is percent-encoded and answers it
    let (_, sub) = get("/rdap/ip/192.0.2.195");
    assert_eq!(sub["handle"], "192.0.2.192 - 192.0.2.250");
    let me = link(&sub, "self").unwrap();
    let (s, same) = get(&me);
    assert_eq!((s, &same["handle"]), (200, &sub["handle"]), "{me}");
    let (s, _) = get("/rdap/ip/192.0.2.1?lease0_view=other");
    assert_eq!(s, 400);
}

#[test]
fn autnum_entity_domain_help() {
    let (s, v) = get("/rdap/autnum/64500");
    assert_eq!((s, v["objectClassName"].as_str()), (200, Some("autnum")));
    assert_eq!(
        (v["startAutnum"].as_u64(), v["endAutnum"].as_u64()),
        (Some(64500), Some(64500))
    );
    let (s, v) = get("/rdap/entity/org-example1-test");
    assert_eq!((s, v["handle"].as_str()), (200, Some("ORG-EXAMPLE1-TEST")));
    let (s, v) = get("/rdap/entity/AR-LESSEE-TEST");
    assert_eq!(s, 200);
    assert!(v["vcardArray"].to_string().contains("abuse@lessee.example"));
    let (s, v) = get("/rdap/domain/2.0.192.in-addr.arpa");
    assert_eq!(
        (s, v["ldhName"].as_str()),
        (200, Some("2.0.192.in-addr.arpa."))
    );
    assert_eq!(v["nameservers"][0]["ldhName"], "ns1.holder.example");
    // the network the zone is the reverse of
    assert_eq!(v["network"]["objectClassName"], "ip network");
    assert_eq!(v["network"]["handle"], "192.0.2.0 - 192.0.2.255");
    // below a loaded zone: the closest encloser answers
    let (s, below) = get("/rdap/domain/5.2.0.192.in-addr.arpa.");
    assert_eq!((s, &below["handle"]), (200, &v["handle"]));
    assert_eq!(get("/rdap/domain/100.51.198.in-addr.arpa").0, 404);
    // a zone of space held elsewhere: redirected like the space itself
    let r = get_with("GET", "/rdap/domain/8.8.8.in-addr.arpa", None);
    assert_eq!(r.status, 302);
    assert_eq!(get("/rdap/domain/999.0.192.in-addr.arpa").0, 400);
    let (s, v) = get("/rdap/help");
    assert_eq!(s, 200);
    assert!(v["rdapConformance"].to_string().contains("lease0"));
}

#[test]
fn status_codes_and_headers() {
    for (target, status) in [
        ("/rdap/ip/10.1", 400),
        ("/rdap/ip/010.0.0.1", 400),
        ("/rdap/ip/192.0.2.1/24", 400),
        ("/rdap/ip/192.0.2.300", 400),
        ("/rdap/autnum/AS64500", 400),
        ("/rdap/autnum/99999999999", 400),
        ("/rdap/ip/4000::1", 404),
        ("/rdap/entity/NO-SUCH", 404),
        ("/rdap/domain/example.com", 404),
        ("/rdap/nameserver/ns1.example.com", 501),
        ("/rdap/frobnicate", 400),
        ("/elsewhere", 404),
        ("/rdap/ip/192.0.2.1?lease0_at=yesterday", 400),
    ] {
        let r = get_with("GET", target, None);
        assert_eq!(r.status, status, "{target}");
        assert_eq!(header(&r, "content-type"), Some("application/rdap+json"));
        assert_eq!(header(&r, "access-control-allow-origin"), Some("*"));
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["errorCode"], status, "{target}");
    }
    let long = format!("/rdap/ip/{}", "1".repeat(5000));
    assert_eq!(get_with("GET", &long, None).status, 414);
    let r = get_with("POST", "/rdap/ip/192.0.2.1", None);
    assert_eq!((r.status, header(&r, "allow")), (405, Some("GET, HEAD")));
    let r = get_with("OPTIONS", "/rdap/ip/192.0.2.1", None);
    assert_eq!(r.status, 204);
    assert!(header(&r, "access-control-allow-methods")
        .unwrap()
        .contains("GET"));
    let r = get_with("HEAD", "/rdap/ip/192.0.2.77", None);
    assert_eq!((r.status, r.body.len()), (200, 0));
    assert!(header(&r, "etag").is_some() && header(&r, "cache-control").is_some());
    assert_eq!(
        get_with(
            "GET",
            "/rdap/ip/192.0.2.77",
            Some("application/json; q=0.5")
        )
        .status,
        200
    );
    assert_eq!(
        get_with("GET", "/rdap/ip/192.0.2.77", Some("text/html")).status,
        406
    );
    // compact by default, indented with ?pretty; unknown parameters ignored
    assert!(!get_with("GET", "/rdap/ip/192.0.2.77", None)
        .body
        .contains(&b'\n'));
    assert!(get_with("GET", "/rdap/ip/192.0.2.77?pretty&foo=bar", None)
        .body
        .contains(&b'\n'));
}

#[test]
fn space_held_elsewhere_is_redirected_never_to_ourselves() {
    for (target, location) in [
        // delegated statistics name the registry, whose data is not loaded here
        (
            "/rdap/ip/203.0.113.9",
            "https://rdap.apnic.net/ip/203.0.113.9",
        ),
        (
            "/rdap/ip/198.18.5.5",
            "https://rdap.db.ripe.net/ip/198.18.5.5",
        ),
        // no statistics: IANA's bootstrap file
        (
            "/rdap/ip/8.8.8.8",
            "https://rdap.arin.net/registry/ip/8.8.8.8",
        ),
        ("/rdap/autnum/1", "https://rdap.arin.net/registry/autnum/1"),
    ] {
        let r = get_with("GET", target, None);
        assert_eq!(r.status, 302, "{target}");
        assert_eq!(header(&r, "location"), Some(location), "{target}");
        assert_eq!(header(&r, "access-control-allow-origin"), Some("*"));
    }
    // space the bootstrap does not know either
    assert_eq!(get("/rdap/ip/4000::1").0, 404);
    // special-purpose space (RFC 9637 documentation): reserved, not 404
    let (s, v) = get("/rdap/ip/3fff::1");
    assert_eq!((s, &v["status"][0]), (200, &serde_json::json!("reserved")));
    assert_eq!(get("/rdap/autnum/4200000000").0, 404);
    // an as-block loaded here answers; it is not redirected
    assert_eq!(get("/rdap/autnum/64505").0, 200);
    // never to itself: asked as rdap.apnic.net, answer with what is loaded
    let r = ask(
        &RdapConfig::default(),
        "/rdap/ip/203.0.113.9",
        "https://rdap.apnic.net",
        T,
    );
    assert_eq!(r.status, 200);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["lease0_holder"]["handle"], "A9173591");
}

#[test]
fn redirects_need_no_bootstrap_file_named() {
    // a dump alone, no bootstrap file named: IANA's files built into the
    // binary still send space and AS numbers held elsewhere there
    let sources = tenure::dump::Sources {
        dumps: vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/test-ripe.db")],
        ..Default::default()
    };
    let snap = super::support::snapshot_of(&sources);
    assert!(snap.report.files.iter().any(|f| f
        .path
        .to_string_lossy()
        .starts_with("(built in) IANA rdap-bootstrap-ipv4.json, published 2019-")));
    let cfg = RdapConfig::default();
    for (target, location) in [
        (
            "/rdap/ip/8.8.8.8",
            "https://rdap.arin.net/registry/ip/8.8.8.8",
        ),
        ("/rdap/autnum/1", "https://rdap.arin.net/registry/autnum/1"),
        (
            "/rdap/domain/8.8.8.in-addr.arpa",
            "https://rdap.arin.net/registry/domain/8.8.8.in-addr.arpa",
        ),
    ] {
        let r = super::support::rdap_get(&snap, &cfg, target);
        assert_eq!(r.status, 302, "{target}");
        assert_eq!(header(&r, "location"), Some(location), "{target}");
        assert_eq!(header(&r, "access-control-allow-origin"), Some("*"));
    }
}

fn handles(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["handle"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn searches() {
    let (s, v) = get("/rdap/entities?fn=Example*");
    assert_eq!(s, 200);
    let h = handles(&v, "entitySearchResults");
    assert!(
        h.contains(&"ORG-EXAMPLE1-TEST".to_string()) && h.contains(&"AR-HOLDER-TEST".to_string()),
        "{h:?}"
    );
    let (_, v) = get("/rdap/entities?handle=org-lessee7-test");
    assert_eq!(handles(&v, "entitySearchResults"), ["ORG-LESSEE7-TEST"]);
    let (_, v) = get("/rdap/ips?name=ENDUSER-NET");
    assert_eq!(handles(&v, "ipSearchResults"), ["192.0.2.64 - 192.0.2.95"]);
    assert!(v["rdapConformance"].to_string().contains("rirSearch1"));
    let (_, v) = get("/rdap/ips?name=enduser*");
    assert_eq!(handles(&v, "ipSearchResults").len(), 2);
    let (_, v) = get("/rdap/autnums?name=LESSEE*");
    assert_eq!(handles(&v, "autnumSearchResults"), ["AS64501"]);
    // relation searches around 192.0.2.77 (most specific 192.0.2.72/29):
    // up and top answer one object as if asked directly (RFC 9910)
    let one = |r: &str| {
        let (s, v) = get(&format!("/rdap/ips/rirSearch1/{r}"));
        assert_eq!(s, 200, "{r}: {v}");
        assert_eq!(v["objectClassName"], "ip network", "{r}");
        assert!(v.get("ipSearchResults").is_none());
        v["handle"].as_str().unwrap().to_string()
    };
    assert_eq!(one("rdap-up/192.0.2.77"), "192.0.2.64 - 192.0.2.95");
    assert_eq!(one("rdap-up/192.0.2.64/27"), "192.0.2.64 - 192.0.2.127");
    // the whole-space placeholder is the top, inactive; the holder's
    // allocation is the top active network (how a client finds the holder)
    assert_eq!(one("rdap-top/192.0.2.77"), "0.0.0.0 - 255.255.255.255");
    let (_, top) = get("/rdap/ips/rirSearch1/rdap-top/192.0.2.77");
    assert_eq!(top["status"], serde_json::json!(["inactive"]));
    assert_eq!(
        one("rdap-top/192.0.2.77?status=active"),
        "192.0.2.0 - 192.0.2.255"
    );
    assert_eq!(one("rdap-up/192.0.2.0/24"), "0.0.0.0 - 255.255.255.255");
    assert_eq!(
        get("/rdap/ips/rirSearch1/rdap-up/192.0.2.0/24?status=active").0,
        404
    );
    assert_eq!(
        get("/rdap/ips/rirSearch1/rdap-top/192.0.2.77?status=locked").0,
        501
    );
    assert_eq!(
        get("/rdap/ips/rirSearch1/rdap-top/192.0.2.77?sort=name").0,
        501
    );
    let rel = |r: &str| {
        handles(
            &get(&format!("/rdap/ips/rirSearch1/{r}/192.0.2.77")).1,
            "ipSearchResults",
        )
    };
    assert_eq!(rel("rdap-bottom"), ["192.0.2.72 - 192.0.2.79"]);
    let down = handles(
        &get("/rdap/ips/rirSearch1/rdap-down/192.0.2.0/24").1,
        "ipSearchResults",
    );
    assert!(
        down.contains(&"192.0.2.64 - 192.0.2.127".to_string())
            && !down.contains(&"192.0.2.72 - 192.0.2.79".to_string()),
        "{down:?}"
    );
    assert_eq!(get("/rdap/ips/rirSearch1/rdap-sideways/192.0.2.77").0, 400);
    // reverse search: what an organisation holds, and leases naming it
    let (_, v) = get("/rdap/ips/reverse_search/entity?handle=ORG-EXAMPLE1-TEST");
    let h = handles(&v, "ipSearchResults");
    assert!(
        h.contains(&"192.0.2.0 - 192.0.2.255".to_string())
            && h.contains(&"2001:db8::/32".to_string()),
        "{h:?}"
    );
    assert!(
        h.contains(&"example-leases:L-2026-0042".to_string()),
        "leases whose lessor it is: {h:?}"
    );
    let (_, v) = get("/rdap/ips/reverse_search/entity?handle=LESSEE-7");
    assert_eq!(
        handles(&v, "ipSearchResults"),
        ["example-leases:L-2026-0042"]
    );
    // unsupported partial matches, missing or doubled parameters
    assert_eq!(get("/rdap/entities?fn=*ample").0, 422);
    assert_eq!(get("/rdap/entities?fn=Ex*am*").0, 422);
    assert_eq!(get("/rdap/entities").0, 400);
    assert_eq!(get("/rdap/entities?fn=a&handle=b").0, 400);
    // every ip network answer links its relations
    let (_, v) = get("/rdap/ip/192.0.2.77");
    let links = v["links"].to_string();
    for (rel, target) in [
        ("rdap-up", "rdap-up/192.0.2.72/29"),
        ("rdap-up rdap-active", "rdap-up/192.0.2.72/29?status=active"),
        ("rdap-down", "rdap-down/192.0.2.72/29"),
        ("rdap-top", "rdap-top/192.0.2.72/29"),
        (
            "rdap-top rdap-active",
            "rdap-top/192.0.2.72/29?status=active",
        ),
        ("rdap-bottom", "rdap-bottom/192.0.2.72/29"),
    ] {
        assert_eq!(
            link(&v, rel).as_deref(),
            Some(format!("/rdap/ips/rirSearch1/{target}").as_str()),
            "{links}"
        );
    }
}

#[test]
fn search_results_are_bounded_with_a_notice() {
    let cfg = RdapConfig::from_settings(&tenure::config::RdapSettings {
        max_results: 2,
        ..Default::default()
    });
    let r = ask(&cfg, "/rdap/ips?name=*", "https://x", T);
    assert_eq!(r.status, 400, "a bare '*' is not a pattern");
    let r = ask(&cfg, "/rdap/ips?handle=192*", "https://x", T);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["ipSearchResults"].as_array().map(Vec::len), Some(2));
    assert!(v["notices"]
        .to_string()
        .contains("Search results truncated"));
}

#[test]
fn cached_answers_are_the_answers_built_afresh() {
    use std::sync::Arc;
    use tenure::rdap::cache::AnswerCache;
    let on = RdapConfig::from_settings(&tenure::config::RdapSettings {
        port43: Some("whois.example".into()),
        ..Default::default()
    });
    let off = RdapConfig {
        cache: Arc::new(AnswerCache::new(0)),
        ..on.clone()
    };
    let targets = [
        "/rdap/ip/192.0.2.65",
        "/rdap/ip/192.0.2.66",
        "/rdap/ip/192.0.2.65?pretty",
        "/rdap/ip/192.0.2.130",
        "/rdap/ip/192.0.2.131?lease0_at=2025-06-01T00:00:00Z",
        "/rdap/ip/192.0.2.131?lease0_at=2027-06-01T00:00:00Z",
        "/rdap/ip/192.0.2.131",
        "/rdap/ip/192.0.2.128/26",
        "/rdap/ip/2001:db8:5::1",
        "/rdap/ip/2001:DB8:5::2",
        "/rdap/ip/198.18.0.1",
    ];
    // twice, and from two origins: the second round answers from the cache
    for round in 0..2 {
        for origin in ["https://rdap.example", "http://127.0.0.1:8080"] {
            for t in targets {
                let (a, b) = (ask(&on, t, origin, T), ask(&off, t, origin, T));
                assert_eq!(a.status, b.status, "{t}");
                assert_eq!(
                    String::from_utf8_lossy(&a.body),
                    String::from_utf8_lossy(&b.body),
                    "{t} from {origin}, round {round}"
                );
            }
        }
    }
    // one question asked as time passes: a kept answer ends when a lease
    // covering the address starts or ends
    let at = |cfg: &RdapConfig, now: &str| {
        let now = tenure::time::parse(now).unwrap();
        let r = ask(cfg, "/rdap/ip/192.0.2.140", "https://rdap.example", now);
        serde_json::from_slice::<Value>(&r.body).unwrap()
    };
    let mut handles = Vec::new();
    for now in [
        "2025-06-01T00:00:00Z",
        "2025-06-02T00:00:00Z",
        "2026-03-14T09:30:00Z",
        "2027-06-01T00:00:00Z",
        "2027-06-01T00:00:01Z",
    ] {
        let (a, b) = (at(&on, now), at(&off, now));
        assert_eq!(a, b, "as of {now}");
        handles.push(a["handle"].as_str().unwrap_or("").to_string());
    }
    handles.dedup();
    assert!(handles.len() >= 3, "leases of three years: {handles:?}");
    // the second round repeats questions; 192.0.2.66 shares a template
    assert!(
        on.cache.exact_hits() >= targets.len() as u64,
        "{:?}",
        on.cache
    );
    assert!(on.cache.hits() >= 1, "{:?}", on.cache);
    assert_eq!(off.cache.hits() + off.cache.misses(), 0);
}

#[test]
fn every_response_declares_the_profile_base_and_no_link_relations() {
    // NRO RDAP profile 4.1: rdap_level_0, nro_rdap_profile_0, cidr0 and one
    // ASN model on every response, errors and help included; RFC 7480 8.1:
    // rdap-up and the other relations are not extension identifiers
    let base = [
        "rdap_level_0",
        "nro_rdap_profile_0",
        "cidr0",
        "nro_rdap_profile_asn_flat_0",
    ];
    for target in [
        "/rdap/ip/192.0.2.77",
        "/rdap/ip/198.51.100.5",
        "/rdap/autnum/64500",
        "/rdap/entity/ORG-EXAMPLE1-TEST",
        "/rdap/help",
        "/rdap/ips?name=EXAMPLE*",
        "/rdap/autnums?handle=AS64500",
        "/rdap/entities?fn=Example*",
        "/rdap/ips/rirSearch1/rdap-up/192.0.2.77",
        "/rdap/ips/reverse_search/entity?handle=ORG-EXAMPLE1-TEST",
        "/rdap/ip/10.1",
        "/rdap/ip/fc00::1",
        "/rdap/nameserver/ns.example",
    ] {
        let (status, v) = get(target);
        let conf: Vec<&str> = v["rdapConformance"]
            .as_array()
            .unwrap_or_else(|| panic!("{target}: {status} without rdapConformance"))
            .iter()
            .filter_map(|c| c.as_str())
            .collect();
        assert_eq!(&conf[..4], &base, "{target}");
        assert!(
            conf.iter().all(|c| !c.starts_with("rdap-")),
            "{target}: {conf:?}"
        );
        let mut seen = conf.clone();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), conf.len(), "{target}: duplicates {conf:?}");
    }
    let (_, v) = get("/rdap/ips?name=EXAMPLE*");
    assert!(v["rdapConformance"].to_string().contains("ipSearchResults"));
    let (_, v) = get("/rdap/autnums?handle=AS64500");
    assert!(v["rdapConformance"]
        .to_string()
        .contains("autnumSearchResults"));
}

#[test]
fn notices_link_terms_and_inaccuracy_reports_on_every_response() {
    // NRO RDAP profile 4.3: on answers and errors alike
    let rels = |v: &Value| -> Vec<(String, String)> {
        v["notices"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|n| n["links"].as_array().cloned().unwrap_or_default())
            .map(|l| {
                (
                    l["rel"].as_str().unwrap_or("").to_string(),
                    l["href"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    for target in [
        "/rdap/ip/192.0.2.77",
        "/rdap/ip/10.1",
        "/rdap/ip/fc00::1",
        "/rdap/help",
    ] {
        let (_, v) = get(target);
        let r = rels(&v);
        assert!(
            r.contains(&(
                "terms-of-service".into(),
                "https://rdap.example/rdap/help".into()
            )),
            "{target}: {r:?}"
        );
        assert!(
            r.iter().any(|(rel, _)| rel == "inaccuracy-report"),
            "{target}: {r:?}"
        );
    }
    // configured pages
    let cfg = RdapConfig::from_settings(&tenure::config::RdapSettings {
        terms_url: Some("https://terms.example/tos".into()),
        inaccuracy_url: Some("https://terms.example/report".into()),
        ..Default::default()
    });
    let r = ask(&cfg, "/rdap/ip/10.1", "https://rdap.example", T);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    let r = rels(&v);
    assert!(r.contains(&(
        "terms-of-service".into(),
        "https://terms.example/tos".into()
    )));
    assert!(r.contains(&(
        "inaccuracy-report".into(),
        "https://terms.example/report".into()
    )));
}

#[test]
fn help_names_the_reverse_search_properties_and_others_are_refused() {
    // RFC 9536: help lists the properties ips/reverse_search/entity takes;
    // a property it does not take is a 400
    let (_, v) = get("/rdap/help");
    let props: Vec<&str> = v["reverse_search_properties"]
        .as_array()
        .expect("reverse_search_properties")
        .iter()
        .filter_map(|p| p["property"].as_str())
        .collect();
    assert_eq!(props, ["handle", "fn"]);
    let (status, _) = get("/rdap/ips/reverse_search/entity?email=abuse@example.net");
    assert_eq!(status, 400);
    let (status, _) = get("/rdap/ips/reverse_search/entity?handle=ORG-EXAMPLE1-TEST");
    assert_eq!(status, 200);
}

#[test]
fn an_organisation_lists_the_networks_and_autnums_it_holds() {
    // NRO RDAP profile 5.1.2: a top-level registrant entity carries them;
    // the same organisation nested in an ip network answer does not
    let (status, v) = get("/rdap/entity/ORG-EXAMPLE1-TEST");
    assert_eq!(status, 200);
    let nets = handles(&v, "networks");
    assert!(nets.iter().any(|h| h == "192.0.2.0 - 192.0.2.255"), "{v}");
    let (_, ip) = get("/rdap/ip/192.0.2.77");
    for e in ip["entities"].as_array().unwrap() {
        assert!(e.get("networks").is_none() && e.get("autnums").is_none());
    }
    // a role holds nothing
    let (_, role) = get("/rdap/entity/AR-V6CLOUD-TEST");
    assert!(role.get("networks").is_none(), "{role}");
}

/// The target of a link, below the test origin; every link is absolute
/// and has no raw space.
fn below_origin(href: &str) -> String {
    assert!(!href.contains(' '), "a raw space in {href}");
    href.strip_prefix("https://rdap.example")
        .unwrap_or_else(|| panic!("not absolute at this service: {href}"))
        .to_string()
}

/// For every ip network answer around the sample data (at three moments):
/// the self link returns the object carrying it, the up link returns the
/// object named by parentHandle and containing this one, every entity
/// appears once and resolves at its self link, and the RFC 9910 links
/// answer (up and top one object, down and bottom search results or 404).
#[test]
fn every_link_of_every_network_answer_leads_where_it_says() {
    let addrs = [
        "192.0.2.0",
        "192.0.2.5",
        "192.0.2.70",
        "192.0.2.77",
        "192.0.2.100",
        "192.0.2.127",
        "192.0.2.130",
        "192.0.2.165",
        "192.0.2.170",
        "192.0.2.195",
        "192.0.2.205",
        "192.0.2.255",
        "198.51.100.5",
        "198.51.100.200",
        "2001:db8::1",
        "2001:db8:5::1",
        "2001:db8:5:1::1",
        "192.0.2.0/24",
        "192.0.2.128/26",
    ];
    let mut checked = 0;
    for at in [
        "2025-06-01T00:00:00Z",
        "2026-10-01T00:00:00Z",
        "2027-06-01T00:00:00Z",
    ] {
        for addr in addrs {
            let (s, v) = get(&format!("/rdap/ip/{addr}?lease0_at={at}"));
            if s != 200 {
                continue;
            }
            checked += 1;
            let ctx = format!("{addr} at {at}");
            // every link absolute, at this service
            for l in v["links"].as_array().unwrap() {
                below_origin(l["href"].as_str().unwrap());
                below_origin(l["value"].as_str().unwrap());
            }
            // self returns this object (a lease: as of the same moment)
            let me = link(&v, "self").unwrap();
            let sep = if me.contains('?') { '&' } else { '?' };
            let (s, again) = get(&format!("{me}{sep}lease0_at={at}"));
            assert_eq!(
                (s, &again["handle"]),
                (200, &v["handle"]),
                "{ctx}: self {me}"
            );
            // up returns the parent named by parentHandle, containing this one
            match (link(&v, "up"), v["parentHandle"].as_str()) {
                (Some(up), Some(parent)) => {
                    let (s, p) = get(&up);
                    assert_eq!(
                        (s, p["handle"].as_str()),
                        (200, Some(parent)),
                        "{ctx}: up {up}"
                    );
                    let span = |x: &Value, k: &str| -> std::net::IpAddr {
                        x[k].as_str().unwrap().parse().unwrap()
                    };
                    assert!(
                        span(&p, "startAddress") <= span(&v, "startAddress")
                            && span(&p, "endAddress") >= span(&v, "endAddress"),
                        "{ctx}: {parent} does not contain {}",
                        v["handle"]
                    );
                    assert_ne!(p["handle"], v["handle"], "{ctx}: up loops");
                }
                (None, None) => {}
                (up, parent) => panic!("{ctx}: up {up:?} but parentHandle {parent:?}"),
            }
            // one entity per handle; each resolves
            let entities = v["entities"].as_array().unwrap();
            let mut handles: Vec<&str> = entities
                .iter()
                .map(|e| e["handle"].as_str().unwrap())
                .collect();
            handles.sort_unstable();
            let n = handles.len();
            handles.dedup();
            assert_eq!(handles.len(), n, "{ctx}: {handles:?}");
            for e in entities.iter().chain(std::iter::once(&v["lease0_holder"])) {
                let Some(me) = link(e, "self") else { continue };
                let (s, ent) = get(&me);
                assert_eq!(
                    (s, &ent["handle"]),
                    (200, &e["handle"]),
                    "{ctx}: entity {me}"
                );
            }
            // the relations
            for rel in [
                "rdap-up",
                "rdap-up rdap-active",
                "rdap-top",
                "rdap-top rdap-active",
            ] {
                if let Some(target) = link(&v, rel) {
                    let (s, o) = get(&target);
                    assert!(s == 200 || s == 404, "{ctx}: {rel} {target}: {s}");
                    if s == 200 {
                        assert_eq!(o["objectClassName"], "ip network", "{ctx}: {rel}");
                        if rel.ends_with("rdap-active") {
                            assert_eq!(o["status"][0], "active", "{ctx}: {rel}");
                        }
                    }
                }
            }
            for rel in ["rdap-down", "rdap-bottom"] {
                if let Some(target) = link(&v, rel) {
                    let (s, o) = get(&target);
                    assert!(
                        s == 404 || o["ipSearchResults"].is_array(),
                        "{ctx}: {rel}: {o}"
                    );
                }
            }
        }
    }
    assert!(checked > 40, "{checked} answers checked");
}
