//! Golden cases under `conformance/`: `NAME.args` (command-line arguments,
//! one per line) run against the binary, `NAME.whois` (one query line)
//! sent to the WHOIS server in process; the output is compared with
//! `NAME.out`. `UPDATE_GOLDEN=1` rewrites the goldens.

use super::*;

#[test]
fn golden_cases() {
    let root = repo().join("conformance");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut cases = Vec::new();
    for group in std::fs::read_dir(&root).expect("conformance/") {
        let group = group.expect("entry").path();
        if !group.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&group).expect("group") {
            let f = f.expect("entry").path();
            if f.extension()
                .is_some_and(|e| e == "args" || e == "whois" || e == "rdap")
            {
                cases.push(f);
            }
        }
    }
    cases.sort();
    assert!(cases.len() >= 30, "conformance cases missing: {cases:?}");
    let server = super::support::TestServer::start(tenure::whois::server::Limits::default());
    let mut failures = Vec::new();
    for case in &cases {
        let text = std::fs::read_to_string(case).expect("case");
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect();
        let got = if case.extension().is_some_and(|e| e == "rdap") {
            let (out, problems) = rdap_case(lines.first().copied().unwrap_or("/"));
            if let Err(e) = problems {
                failures.push(format!("{}: {e}", case.display()));
            }
            out
        } else if case.extension().is_some_and(|e| e == "whois") {
            // one raw query line to the port-43 server
            super::support::ask(server.v4, lines.first().copied().unwrap_or(""))
        } else {
            let mut args = lines.clone();
            args.insert(1, "--quiet");
            stdout(&tenure(&args))
        };
        let golden = case.with_extension("out");
        if update {
            std::fs::write(&golden, &got).expect("write golden");
            continue;
        }
        let want = std::fs::read_to_string(&golden).unwrap_or_default();
        if got != want {
            failures.push(format!(
                "{}:\n--- want\n{want}\n--- got\n{got}",
                case.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} golden case(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Now for every RDAP case: 2026-03-14T09:30:00Z.
const RDAP_NOW: i64 = 1_773_480_600;

/// An RDAP request answered in process: status, the headers that matter,
/// and the body indented; with it, whether the body passes
/// [`rfc9083_checks`] and the independent [`icann_checks`].
fn rdap_case(target: &str) -> (String, Result<(), String>) {
    let snap = super::support::snapshot();
    let cfg = tenure::rdap::RdapConfig::from_settings(&tenure::config::RdapSettings {
        port43: Some("whois.example".into()),
        ..Default::default()
    });
    let req = tenure::rdap::Request {
        method: "GET",
        target,
        accept: Some("application/rdap+json"),
        origin: "https://rdap.example",
    };
    let r = tenure::rdap::handle(&snap, &cfg, &req, RDAP_NOW);
    let mut out = format!("HTTP {}\n", r.status);
    for (name, value) in &r.headers {
        if matches!(
            *name,
            "content-type" | "location" | "allow" | "access-control-allow-origin"
        ) {
            out.push_str(&format!("{name}: {value}\n"));
        }
    }
    out.push('\n');
    let mut problems = Ok(());
    if !r.body.is_empty() {
        let v: serde_json::Value = serde_json::from_slice(&r.body).expect("RDAP body is JSON");
        problems = rfc9083_checks(&v, r.status);
        let header = |n: &str| {
            r.headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(n))
                .map(|(_, v)| v.to_string())
        };
        problems = problems.and_then(|()| {
            icann_checks(
                &v,
                r.status,
                header("content-type"),
                header("access-control-allow-origin"),
            )
            .map_err(|e| format!("the ICANN RDAP validator reports:\n{e}"))
        });
        out.push_str(&serde_json::to_string_pretty(&v).expect("json"));
        out.push('\n');
    }
    (out, problems)
}

/// The structural rules of RFC 9083 tenure's answers must keep.
fn rfc9083_checks(v: &serde_json::Value, status: u16) -> Result<(), String> {
    use serde_json::Value;
    fn walk(v: &Value, path: &str) -> Result<(), String> {
        match v {
            Value::Null => Err(format!("{path}: null member (RFC 9083 section 2)")),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .try_for_each(|(i, x)| walk(x, &format!("{path}[{i}]"))),
            Value::Object(m) => {
                if let Some(links) = m.get("links") {
                    for l in links
                        .as_array()
                        .ok_or(format!("{path}.links is not an array"))?
                    {
                        for k in ["value", "rel", "href"] {
                            if !l[k].is_string() {
                                return Err(format!(
                                    "{path}.links: a link without '{k}' (section 4.2)"
                                ));
                            }
                        }
                    }
                }
                if let Some(events) = m.get("events") {
                    for e in events
                        .as_array()
                        .ok_or(format!("{path}.events is not an array"))?
                    {
                        if !e["eventAction"].is_string() || !e["eventDate"].is_string() {
                            return Err(format!(
                                "{path}.events: eventAction and eventDate (section 4.5)"
                            ));
                        }
                    }
                }
                if m.contains_key("handle") && !m.contains_key("objectClassName") {
                    return Err(format!(
                        "{path}: an object without objectClassName (section 4.7)"
                    ));
                }
                m.iter()
                    .try_for_each(|(k, x)| walk(x, &format!("{path}.{k}")))
            }
            _ => Ok(()),
        }
    }
    let conf = v["rdapConformance"]
        .as_array()
        .ok_or("no top-level rdapConformance (section 4.1)")?;
    if !conf.iter().any(|c| c == "rdap_level_0") {
        return Err("rdapConformance without rdap_level_0".into());
    }
    if status >= 400 && v["errorCode"].as_u64() != Some(status as u64) {
        return Err("an error without its errorCode (section 6)".into());
    }
    walk(v, "$")
}

/// An independent validator: the `check` module of ICANN's RDAP library
/// (`icann-rdap-common`, the code behind `rdap-test`), over the body and the
/// HTTP headers. Any error class (STD 95, cidr0) or STD 95 warning fails.
/// Unregistered extension identifiers are allowed only when they are
/// tenure's own (documented in the README): `lease0`, `routing0`.
fn icann_checks(
    v: &serde_json::Value,
    status: u16,
    content_type: Option<String>,
    allow_origin: Option<String>,
) -> Result<(), String> {
    use icann_rdap_common::check::{
        traverse_checks, CheckClass, CheckParams, GetChecks, ERROR_CHECK_CLASSES,
    };
    use icann_rdap_common::httpdata::HttpData;
    use icann_rdap_common::response::RdapResponse;
    let rdap = RdapResponse::try_from(v.clone()).map_err(|e| format!("not parsed as RDAP: {e}"))?;
    let params = CheckParams {
        root: &rdap,
        parent_type: rdap.get_type(),
        allow_unreg_ext: false,
    };
    let http = HttpData::now()
        .scheme("https")
        .host("rdap.example")
        .status_code(status)
        .and_content_type(content_type)
        .and_access_control_allow_origin(allow_origin)
        .build();
    let mut classes = ERROR_CHECK_CLASSES.to_vec();
    classes.push(CheckClass::Std95Warning);
    let mut found = Vec::new();
    for checks in [rdap.get_checks(None, params), http.get_checks(None, params)] {
        traverse_checks(&checks, &classes, None, &mut |path, item| {
            found.push(format!("{path}: {item}"))
        });
    }
    // tenure's own extensions are the only unregistered ones declared:
    // then (only) the validator's "may not be registered" warning is theirs
    const OWN_EXTENSIONS: &[&str] = &["lease0", "routing0"];
    let unregistered: Vec<&str> = v["rdapConformance"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|id| id.as_str())
        .filter(|id| {
            id.parse::<icann_rdap_common::response::ExtensionId>()
                .is_err()
        })
        .collect();
    if let Some(bad) = unregistered.iter().find(|id| !OWN_EXTENSIONS.contains(id)) {
        found.push(format!(
            "declares '{bad}', neither registered nor tenure's own"
        ));
    }
    found.retain(|f| unregistered.is_empty() || !f.contains("(0102)"));
    if found.is_empty() {
        Ok(())
    } else {
        Err(found.join("\n"))
    }
}
