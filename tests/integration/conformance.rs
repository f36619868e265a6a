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
            if f.extension().is_some_and(|e| e == "args" || e == "whois") {
                cases.push(f);
            }
        }
    }
    cases.sort();
    assert!(cases.len() >= 20, "conformance cases missing: {cases:?}");
    let server = super::whois::TestServer::start(tenure::whois::server::Limits::default());
    let mut failures = Vec::new();
    for case in &cases {
        let text = std::fs::read_to_string(case).expect("case");
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect();
        let got = if case.extension().is_some_and(|e| e == "whois") {
            // one raw query line to the port-43 server
            super::whois::ask(server.v4, lines.first().copied().unwrap_or(""))
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
