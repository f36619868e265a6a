//! Golden cases under `conformance/`: `NAME.args` run against the binary,
//! compared with `NAME.out`. `UPDATE_GOLDEN=1` rewrites the goldens.

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
            if f.extension().is_some_and(|e| e == "args") {
                cases.push(f);
            }
        }
    }
    cases.sort();
    assert!(cases.len() >= 9, "conformance cases missing: {cases:?}");
    let mut failures = Vec::new();
    for case in &cases {
        let text = std::fs::read_to_string(case).expect("args");
        let mut args: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .collect();
        args.insert(1, "--quiet");
        let o = tenure(&args);
        let got = stdout(&o);
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
