//! The layers of `src/` hold: each folder imports only the folders below
//! it, and the protocol modules (WHOIS, RDAP, the page, HTTP) never import the parser,
//! the loaders or the answering rules, nor read the snapshot's internals:
//! they render what `query` resolved. Read from the source text, so a new
//! import that breaks the map fails here.

use super::repo;
use std::path::Path;

/// The folders of `src/`, lowest first, and the modules each holds.
const LAYERS: &[(&str, &[&str])] = &[
    ("base", &["addr", "fxhash", "index", "time"]),
    (
        "input",
        &[
            "bootstrap",
            "delegated",
            "dump",
            "leases",
            "model",
            "progress",
            "rpsl",
        ],
    ),
    ("store", &["snapshot"]),
    ("answer", &["lease", "query"]),
    (
        "serve",
        &["guard", "http", "limit", "metrics", "rdap", "web", "whois"],
    ),
    (
        "edge",
        &["admin", "app", "cli", "config", "gen", "reload", "report"],
    ),
];

/// What the protocol modules must never name.
const NOT_IN_PROTOCOLS: &[&str] = &[
    "crate::rpsl",
    "crate::model",
    "crate::delegated",
    "crate::dump",
    "crate::leases",
    "crate::bootstrap",
    "crate::input",
    "crate::lease::",
    ".reg.",
    ".report.",
    "snap.report",
];

/// Every `.rs` file below `dir`, with its text up to its unit tests.
fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read src").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).expect("read");
                let code = match text.find("#[cfg(test)]") {
                    Some(i) => text[..i].to_string(),
                    None => text,
                };
                out.push((p.display().to_string(), code));
            }
        }
    }
    out
}

/// The module names a text refers to as `crate::NAME`.
fn crate_refs(text: &str) -> Vec<&str> {
    text.match_indices("crate::")
        .map(|(i, m)| {
            let rest = &text[i + m.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

#[test]
fn each_layer_imports_only_the_layers_below() {
    let layer_of = |module: &str| {
        LAYERS
            .iter()
            .position(|(folder, mods)| *folder == module || mods.contains(&module))
    };
    let mut bad = Vec::new();
    for (depth, (folder, _)) in LAYERS.iter().enumerate() {
        for (path, text) in sources(&repo().join("src").join(folder)) {
            for r in crate_refs(&text) {
                // serving reads config's declared defaults and settings
                // types; config imports nothing of serving, so no cycle
                if *folder == "serve" && r == "config" {
                    continue;
                }
                if let Some(l) = layer_of(r) {
                    if l > depth {
                        bad.push(format!("{path} imports crate::{r} ({})", LAYERS[l].0));
                    }
                }
            }
        }
    }
    assert!(bad.is_empty(), "imports up the layers:\n{}", bad.join("\n"));
}

/// The protocol modules: what clients talk to.
const PROTOCOLS: &[&str] = &["whois", "rdap", "web.rs", "http.rs", "guard.rs", "limit.rs"];

#[test]
fn protocol_modules_render_answers_and_never_read_the_parser_or_loaders() {
    let mut bad = Vec::new();
    let serve = repo().join("src").join("serve");
    let files = sources(&serve).into_iter().filter(|(path, _)| {
        PROTOCOLS
            .iter()
            .any(|p| path.starts_with(&serve.join(p).display().to_string()))
    });
    for (path, text) in files {
        for needle in NOT_IN_PROTOCOLS {
            if text.contains(needle) {
                bad.push(format!("{path} names {needle}"));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn every_module_of_src_is_in_the_map() {
    // a new file must be placed in a layer (and so checked above)
    for (path, _) in sources(&repo().join("src")) {
        let rel = path.split("/src/").nth(1).unwrap_or(&path).to_string();
        let folder = rel.split('/').next().unwrap_or("");
        assert!(
            matches!(folder, "lib.rs" | "main.rs") || LAYERS.iter().any(|(f, _)| *f == folder),
            "{rel} is outside the layers"
        );
    }
}
